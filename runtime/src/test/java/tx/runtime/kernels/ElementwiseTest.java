package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static tx.runtime.kernels.Reference.assertTensor;
import static tx.runtime.kernels.Reference.assertUntouched;
import static tx.runtime.kernels.Reference.s;
import static tx.runtime.kernels.Reference.t;

import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tx.runtime.tensor.Tensor;

class ElementwiseTest {
    private static final DoubleBinaryOperator SUB = (x, y) -> x - y;

    @Test
    void mapAppliesAtEveryPositionAndKeepsTheShape() {
        Tensor x = t(s(2, 2), 1, -2, 3, -4);
        assertTensor(s(2, 2), new double[] {1, 4, 9, 16}, Elementwise.map(x, v -> v * v), 0);
        assertUntouched(x, new double[] {1, -2, 3, -4});
    }

    @Test
    void zipOfEqualShapes() {
        assertTensor(s(3), new double[] {-3, -3, -3}, Elementwise.zip(t(s(3), 1, 2, 3), t(s(3), 4, 5, 6), SUB), 0);
    }

    @Test
    void zipWithAScalarOnEitherSide() {
        Tensor v = t(s(3), 1, 2, 3), ten = Tensor.scalar(10);
        assertTensor(s(3), new double[] {-9, -8, -7}, Elementwise.zip(v, ten, SUB), 0);
        assertTensor(s(3), new double[] {9, 8, 7}, Elementwise.zip(ten, v, SUB), 0);
        assertTensor(s(), new double[] {7}, Elementwise.zip(ten, Tensor.scalar(3), SUB), 0);
    }

    @Test
    void zipOfAColumnAndARowMakesATable() {
        // [2,1] - [1,3]: out[i][j] = col[i] - row[j]
        Tensor col = t(s(2, 1), 10, 20), row = t(s(1, 3), 1, 2, 3);
        assertTensor(s(2, 3), new double[] {9, 8, 7, 19, 18, 17}, Elementwise.zip(col, row, SUB), 0);
    }

    @Test
    void zipOfAMatrixAndARow() {
        Tensor m = t(s(2, 3), 1, 2, 3, 4, 5, 6), row = t(s(3), 100, 200, 300);
        assertTensor(s(2, 3), new double[] {-99, -198, -297, -96, -195, -294}, Elementwise.zip(m, row, SUB), 0);
    }

    static Stream<Arguments> broadcastPairs() {
        return Stream.of(
                Arguments.of(s(3), s(), s(3)),
                Arguments.of(s(), s(3), s(3)),
                Arguments.of(s(2, 3), s(3), s(2, 3)),
                Arguments.of(s(3), s(2, 3), s(2, 3)),
                Arguments.of(s(2, 1), s(1, 3), s(2, 3)),
                Arguments.of(s(4, 1, 3), s(2, 1), s(4, 2, 3)),
                Arguments.of(s(2, 1), s(4, 1, 3), s(4, 2, 3)),
                Arguments.of(s(1, 1), s(3), s(1, 3)),
                Arguments.of(s(0, 3), s(3), s(0, 3)),
                Arguments.of(s(5, 1, 4, 1), s(3, 1, 2), s(5, 3, 4, 2)));
    }

    @ParameterizedTest
    @MethodSource("broadcastPairs")
    void zipBroadcastsLikeANaiveIndexWalk(int[] as, int[] bs, int[] outShape) {
        Tensor a = Reference.ints(as, 0), b = Reference.ints(bs, 5);
        double[] expected = new double[Reference.count(outShape)];
        for (int i = 0; i < expected.length; i++) {
            int[] idx = Reference.unravel(i, outShape);
            expected[i] = Reference.atBroadcast(a, idx) - Reference.atBroadcast(b, idx);
        }
        assertTensor(outShape, expected, Elementwise.zip(a, b, SUB), 0);
    }

    @Test
    void zipRejectsShapesThatDoNotBroadcast() {
        assertThrows(IllegalArgumentException.class, () -> Elementwise.zip(Tensor.zeros(2, 3), Tensor.zeros(2), SUB));
        assertThrows(IllegalArgumentException.class, () -> Elementwise.zip(Tensor.zeros(4, 1, 3), Tensor.zeros(2, 2), SUB));
    }

    @Test
    void whereBroadcastsAllThree() {
        Tensor cond = t(s(2, 1), 1, 0), a = t(s(3), 1, 2, 3), b = Tensor.scalar(-1);
        assertTensor(s(2, 3), new double[] {1, 2, 3, -1, -1, -1}, Elementwise.where(cond, a, b), 0);
        Tensor rowCond = t(s(3), 0, 5, 0), col = t(s(2, 1), 10, 20);
        assertTensor(s(2, 3), new double[] {-1, 10, -1, -1, 20, -1}, Elementwise.where(rowCond, col, b), 0);
    }

    @Test
    void whereTreatsNaNAsTrueAndBothZerosAsFalse() {
        Tensor cond = t(s(4), Double.NaN, -0.0, 0.0, -2);
        assertTensor(s(4), new double[] {1, 20, 30, 4},
                Elementwise.where(cond, t(s(4), 1, 2, 3, 4), t(s(4), 10, 20, 30, 40)), 0);
    }

    @Test
    void whereRejectsShapesThatDoNotBroadcast() {
        assertThrows(IllegalArgumentException.class,
                () -> Elementwise.where(Tensor.zeros(2), Tensor.zeros(3), Tensor.zeros(3)));
    }
}
