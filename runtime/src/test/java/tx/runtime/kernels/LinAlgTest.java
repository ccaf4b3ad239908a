package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tx.runtime.kernels.Reference.assertTensor;
import static tx.runtime.kernels.Reference.assertUntouched;
import static tx.runtime.kernels.Reference.s;
import static tx.runtime.kernels.Reference.t;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tx.runtime.tensor.Tensor;

class LinAlgTest {

    @Test
    void twoByTwoByHand() {
        Tensor a = t(s(2, 2), 1, 2, 3, 4), b = t(s(2, 2), 5, 6, 7, 8);
        assertTensor(s(2, 2), new double[] {19, 22, 43, 50}, LinAlg.matmul(a, b), 0);
        assertUntouched(a, new double[] {1, 2, 3, 4});
    }

    @Test
    void rowTimesColumnAndColumnTimesRow() {
        Tensor row = t(s(1, 3), 1, 2, 3), col = t(s(3, 1), 4, 5, 6);
        assertTensor(s(1, 1), new double[] {32}, LinAlg.matmul(row, col), 0);
        assertTensor(s(3, 3), new double[] {4, 8, 12, 5, 10, 15, 6, 12, 18}, LinAlg.matmul(col, row), 0);
    }

    @Test
    void zeroTimesNaNIsStillNaN() {
        Tensor r = LinAlg.matmul(t(s(1, 2), 0, 1), t(s(2, 1), Double.NaN, 2));
        assertTrue(Double.isNaN(r.item()));
    }

    @Test
    void rejectsMismatchedInnerDimensionsAndBatches() {
        assertThrows(IllegalArgumentException.class, () -> LinAlg.matmul(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> LinAlg.matmul(Tensor.zeros(3), Tensor.zeros(3, 1)));
        assertThrows(IllegalArgumentException.class, () -> LinAlg.matmul(Tensor.zeros(2, 1, 3), Tensor.zeros(3, 3, 1)));
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(s(3, 4), s(4, 5)),
                Arguments.of(s(2, 3, 4), s(2, 4, 5)),
                Arguments.of(s(2, 3, 4), s(4, 5)),
                Arguments.of(s(3, 4), s(2, 4, 5)),
                Arguments.of(s(3, 1, 2, 4), s(5, 4, 3)),
                Arguments.of(s(2, 1, 3, 2), s(1, 4, 2, 2)),
                Arguments.of(s(0, 3), s(3, 2)),
                Arguments.of(s(2, 0), s(0, 3)));
    }

    /** The textbook triple loop, j outside k, with batch indices broadcast by hand. */
    @ParameterizedTest
    @MethodSource("shapes")
    void matchesANaiveTripleLoop(int[] as, int[] bs) {
        Tensor a = Random.normal(as, 3), b = Random.normal(bs, 4);
        int n = as[as.length - 2], k = as[as.length - 1], m = bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        int rank = Math.max(aBatch.length, bBatch.length);
        int[] batch = new int[rank];
        for (int d = 0; d < rank; d++) batch[d] = Math.max(dimFromRight(aBatch, rank - 1 - d), dimFromRight(bBatch, rank - 1 - d));
        int nb = Reference.count(batch);
        double[] expected = new double[nb * n * m];
        for (int bi = 0; bi < nb; bi++) {
            int[] idx = Reference.unravel(bi, batch);
            int aOff = batchIndex(idx, aBatch) * n * k, bOff = batchIndex(idx, bBatch) * k * m;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) acc += a.data()[aOff + i * k + p] * b.data()[bOff + p * m + j];
                    expected[(bi * n + i) * m + j] = acc;
                }
            }
        }
        int[] outShape = Arrays.copyOf(batch, rank + 2);
        outShape[rank] = n;
        outShape[rank + 1] = m;
        assertTensor(outShape, expected, LinAlg.matmul(a, b), 1e-12);
    }

    private static int dimFromRight(int[] shape, int fromRight) {
        return fromRight < shape.length ? shape[shape.length - 1 - fromRight] : 1;
    }

    /** The flat batch number of {@code shape} that broadcasting reads at batch index {@code idx}. */
    private static int batchIndex(int[] idx, int[] shape) {
        int lead = idx.length - shape.length;
        int[] own = new int[shape.length];
        for (int d = 0; d < shape.length; d++) own[d] = shape[d] == 1 ? 0 : idx[lead + d];
        return Reference.ravel(own, shape);
    }
}
