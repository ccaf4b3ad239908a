package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static tx.runtime.kernels.Reference.s;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tx.runtime.tensor.Tensor;

/**
 * The paths for short rows and merged axes (bundle adjustment's shapes: [1200, 3] against
 * [1200, 1]) and the row-at-a-time gather and scatter_add, against naive index walks and the
 * standalone kernels, bit for bit: each element is the same single operation.
 */
class ShortRowsTest {
    /** Operands with fractions, so that each operator rounds. */
    private static Tensor values(int[] shape, int seed) {
        double[] d = new double[Reference.count(shape)];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian() * 3;
        return Tensor.of(shape, d);
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(s(1200, 3), s(1200, 1)),
                Arguments.of(s(7, 1), s(7, 2)),
                Arguments.of(s(5, 11), s(11)),
                Arguments.of(s(3, 1), s(1, 3)),
                Arguments.of(s(4, 2, 3), s(4, 1, 3)),
                Arguments.of(s(4, 1, 3), s(4, 2, 1)),
                Arguments.of(s(6, 1, 1), s(6, 1, 5)),
                Arguments.of(s(2, 20), s(2, 1)),
                Arguments.of(s(9, 1), s(1, 1)),
                Arguments.of(s(1000, 1, 10), s(1, 25, 10)), // three merged axes, the last short and contiguous in both (ADBench's GMM)
                Arguments.of(s(3, 7, 15), s(3, 1, 15)),
                Arguments.of(s(2, 3, 4, 5), s(2, 1, 1, 5)));
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void broadcastOperatorsMatchANaiveWalk(int[] as, int[] bs) {
        Tensor a = values(as, 1), b = values(bs, 2);
        int[] out = tx.runtime.tensor.Shapes.broadcast(as, bs);
        for (Elementwise.Op op : List.of(Elementwise.Op.ADD, Elementwise.Op.SUB, Elementwise.Op.MUL, Elementwise.Op.DIV)) {
            for (boolean swap : new boolean[] {false, true}) {
                Tensor x = swap ? b : a, y = swap ? a : b;
                double[] expected = new double[Reference.count(out)];
                for (int i = 0; i < expected.length; i++) {
                    int[] idx = Reference.unravel(i, out);
                    double p = Reference.atBroadcast(x, idx), q = Reference.atBroadcast(y, idx);
                    expected[i] = switch (op) {
                        case ADD -> p + q;
                        case SUB -> p - q;
                        case MUL -> p * q;
                        default -> p / q;
                    };
                }
                Tensor got = Elementwise.zip(x, y, op);
                assertArrayEquals(out, got.shape(), op + " shape");
                assertArrayEquals(expected, got.data(), 0.0, op + " of " + Arrays.toString(x.shape()) + " and " + Arrays.toString(y.shape()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void whereMatchesANaiveWalk(int[] as, int[] bs) {
        int[] out = tx.runtime.tensor.Shapes.broadcast(as, bs);
        Tensor cond = values(bs, 3), a = values(as, 4), b = values(bs, 5);
        for (int i = 0; i < cond.size(); i += 2) cond.data()[i] = 0.0;
        double[] expected = new double[Reference.count(out)];
        for (int i = 0; i < expected.length; i++) {
            int[] idx = Reference.unravel(i, out);
            expected[i] = Reference.atBroadcast(cond, idx) != 0.0 ? Reference.atBroadcast(a, idx) : Reference.atBroadcast(b, idx);
        }
        assertArrayEquals(expected, Elementwise.where(cond, a, b).data(), 0.0);
        assertArrayEquals(expected, Elementwise.where(cond, a, b).data(), 0.0);
    }

    /** A row divided by one number, and one number divided by a row (softmax's rows): Java's division, bit for bit. */
    @Test
    void rowDivisionsOnLanesAreJavasDivision() {
        double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_NORMAL,
                Double.MAX_VALUE, 1e-310, 3.0, -7.25};
        for (int n : new int[] {1, 7, 8, 13, 128, 131}) {
            Tensor rows = values(s(5, n), n);
            for (int i = 0; i < Math.min(rows.size(), specials.length); i++) rows.data()[i * 3 % rows.size()] = specials[i];
            for (double y : new double[] {1.7, -0.3, 3.0, 1e-300, Double.MIN_VALUE, -0.0, Double.NaN, Double.POSITIVE_INFINITY}) {
                Tensor col = Tensor.of(s(5, 1), new double[] {y, 1 / y, -y, y * 1e10, 0.1});
                double[] over = new double[5 * n], under = new double[5 * n];
                for (int r = 0; r < 5; r++) {
                    for (int i = 0; i < n; i++) {
                        over[r * n + i] = rows.data()[r * n + i] / col.data()[r];
                        under[r * n + i] = col.data()[r] / rows.data()[r * n + i];
                    }
                }
                assertArrayEquals(over, Elementwise.zip(rows, col, Elementwise.Op.DIV).data(), 0.0, "rows of " + n + " over " + y);
                assertArrayEquals(under, Elementwise.zip(col, rows, Elementwise.Op.DIV).data(), 0.0, y + " over rows of " + n);
                double[] byOne = new double[5 * n];
                for (int i = 0; i < byOne.length; i++) byOne[i] = rows.data()[i] / y;
                assertArrayEquals(byOne, Elementwise.zip(rows, Tensor.scalar(y), Elementwise.Op.DIV).data(), 0.0, "rows of " + n + " over " + y);
            }
        }
    }

    static Stream<Arguments> gathers() {
        return Stream.of(
                Arguments.of(s(21, 11), s(1200, 11), 0),
                Arguments.of(s(5, 4), s(3, 2), 0),
                Arguments.of(s(5, 4), s(5, 7), 1),
                Arguments.of(s(6), s(9), 0),
                Arguments.of(s(3, 4, 5), s(2, 3, 4), 0),
                Arguments.of(s(3, 4, 5), s(2, 3, 4), 1),
                Arguments.of(s(3, 4, 5), s(3, 2, 6), 2),
                Arguments.of(s(3, 4), s(0, 4), 0));
    }

    /** Valid indices along axis for a tensor of shape is (whole numbers held as doubles, repeats included). */
    private static Tensor indices(int[] is, int size, int seed) {
        double[] d = new double[Reference.count(is)];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(size);
        return Tensor.of(is, d);
    }

    @ParameterizedTest
    @MethodSource("gathers")
    void gatherAndScatterAddMatchTheStandaloneKernels(int[] xs, int[] is, int axis) {
        Tensor x = values(xs, 6), idx = indices(is, xs[axis], 7), src = values(is, 8);
        assertArrayEquals(Standalone.gatherAlong(x.data(), xs, axis, idx.data(), is), Indexing.gather(x, axis, idx).data(), 0.0);
        assertArrayEquals(Standalone.scatterAdd(x.data(), xs, axis, idx.data(), is, src.data()),
                Indexing.scatterAdd(x, axis, idx, src).data(), 0.0);
        assertArrayEquals(values(xs, 6).data(), x.data(), 0.0, "scatter_add changed its input");
    }

    /** Rows of one index (an index expanded along the last axis, as x[i] of rows lowers), and rows that differ in one place. */
    @Test
    void anExpandedIndexGathersAndScattersWholeRows() {
        int[] xs = s(21, 11), is = s(1200, 11);
        Tensor x = values(xs, 11), src = values(is, 12);
        double[] d = new double[1200 * 11];
        for (int i = 0; i < 1200; i++) for (int c = 0; c < 11; c++) d[i * 11 + c] = (i * 5) % 21;
        for (int i = 0; i < 1200; i += 97) d[i * 11 + (i % 11)] = (i + 1) % 21; // a row whose index is not one number
        Tensor idx = Tensor.of(is, d);
        assertArrayEquals(Standalone.gatherAlong(x.data(), xs, 0, d, is), Indexing.gather(x, 0, idx).data(), 0.0);
        assertArrayEquals(Standalone.scatterAdd(x.data(), xs, 0, d, is, src.data()), Indexing.scatterAdd(x, 0, idx, src).data(), 0.0);
        d[5 * 11 + 3] = 21; // out of range in the middle of a row
        Shaping.IndexError e = assertThrows(Shaping.IndexError.class, () -> Indexing.gather(x, 0, idx));
        assertEquals("index 21 is out of bounds for dimension 0 with size 21", e.getMessage());
        java.util.Arrays.fill(d, 6 * 11, 7 * 11, -1.0); // a later row of one bad index: the first error is still the earlier one
        e = assertThrows(Shaping.IndexError.class, () -> Indexing.scatterAdd(x, 0, idx, src));
        assertEquals("index 21 is out of bounds for dimension 0 with size 21", e.getMessage());
        java.util.Arrays.fill(d, 0, 11, 2.5); // a whole row of a fraction
        e = assertThrows(Shaping.IndexError.class, () -> Indexing.gather(x, 0, idx));
        assertEquals("index 2.5 is out of bounds for dimension 0 with size 21", e.getMessage());
    }

    @Test
    void aBadIndexIsTheSameErrorAsTheStandaloneKernels() {
        Tensor x = values(s(4, 3), 1), idx = Tensor.of(s(2, 3), new double[] {0, 1, 2, 3, 4, -1});
        Shaping.IndexError e = assertThrows(Shaping.IndexError.class, () -> Indexing.gather(x, 0, idx));
        assertEquals("index 4 is out of bounds for dimension 0 with size 4", e.getMessage());
        e = assertThrows(Shaping.IndexError.class, () -> Indexing.scatterAdd(x, 0, idx, values(s(2, 3), 2)));
        assertEquals("index 4 is out of bounds for dimension 0 with size 4", e.getMessage());
    }

    @Test
    void slicesPadsExpandsAndCatsOfShortRowsMatchNaiveWalks() {
        Tensor m = values(s(1200, 11), 9);
        Tensor cols = Shaping.slice(m, s(0, 7), s(1200, 9), s(1, 1));
        double[] expected = new double[2400];
        for (int i = 0; i < 1200; i++) for (int j = 0; j < 2; j++) expected[2 * i + j] = m.data()[11 * i + 7 + j];
        assertArrayEquals(expected, cols.data(), 0.0, "slice");
        double[] padded = new double[1200 * 11];
        for (int i = 0; i < 1200; i++) for (int j = 0; j < 2; j++) padded[11 * i + 7 + j] = expected[2 * i + j];
        assertArrayEquals(padded, Shaping.pad(cols, s(1200, 11), s(0, 7), s(1, 1)).data(), 0.0, "pad");
        Tensor col = values(s(1200, 1), 10);
        double[] spread = new double[1200 * 11];
        for (int i = 0; i < spread.length; i++) spread[i] = col.data()[i / 11];
        assertArrayEquals(spread, Shaping.expand(col, s(1200, 11)).data(), 0.0, "expand");
        double[] joined = new double[1200 * 3];
        for (int i = 0; i < 1200; i++) {
            joined[3 * i] = col.data()[i];
            joined[3 * i + 1] = expected[2 * i];
            joined[3 * i + 2] = expected[2 * i + 1];
        }
        assertArrayEquals(joined, Shaping.cat(List.of(col, cols), 1).data(), 0.0, "cat");
    }
}
