package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static tx.runtime.kernels.Reference.assertTensor;
import static tx.runtime.kernels.Reference.assertUntouched;
import static tx.runtime.kernels.Reference.s;
import static tx.runtime.kernels.Reference.t;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tx.runtime.tensor.Tensor;

class ReductionsTest {
    private static final int[] SHAPE = {2, 3, 4};

    /** Every subset of the axes of a rank-3 tensor, with and without keepdim. */
    static Stream<Arguments> axisSubsets() {
        List<Arguments> cases = new ArrayList<>();
        for (int mask = 0; mask < 8; mask++) {
            int[] axes = new int[Integer.bitCount(mask)];
            int j = 0;
            for (int d = 0; d < 3; d++) if ((mask & (1 << d)) != 0) axes[j++] = d;
            cases.add(Arguments.of(axes, false));
            cases.add(Arguments.of(axes, true));
        }
        return cases.stream();
    }

    /**
     * The naive reduction: for each output position, visit every input position and fold those
     * whose kept coordinates match.
     */
    private static Tensor naive(Tensor x, int[] axes, boolean keepdim, double init, DoubleBinaryOperator op) {
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int a : axes) reduced[a] = true;
        int[] full = shape.clone();
        for (int a : axes) full[a] = 1;
        double[] out = new double[Reference.count(full)];
        for (int o = 0; o < out.length; o++) {
            int[] oIdx = Reference.unravel(o, full);
            double acc = init;
            for (int i = 0; i < x.size(); i++) {
                int[] idx = Reference.unravel(i, shape);
                boolean member = true;
                for (int d = 0; d < shape.length; d++) member &= reduced[d] || idx[d] == oIdx[d];
                if (member) acc = op.applyAsDouble(acc, x.data()[i]);
            }
            out[o] = acc;
        }
        int[] outShape = full;
        if (!keepdim) {
            outShape = new int[shape.length - axes.length];
            int j = 0;
            for (int d = 0; d < shape.length; d++) if (!reduced[d]) outShape[j++] = shape[d];
        }
        return Tensor.of(outShape, out);
    }

    @ParameterizedTest
    @MethodSource("axisSubsets")
    void sumMatchesTheNaiveReduction(int[] axes, boolean keepdim) {
        Tensor x = Reference.ints(SHAPE, 0);
        assertTensor(naive(x, axes, keepdim, 0, Double::sum), Reductions.sum(x, axes, keepdim), 0);
        assertUntouched(x, Reference.ints(SHAPE, 0).data());
    }

    @ParameterizedTest
    @MethodSource("axisSubsets")
    void maxMatchesTheNaiveReduction(int[] axes, boolean keepdim) {
        Tensor x = Reference.ints(SHAPE, 0);
        DoubleBinaryOperator larger = (acc, v) -> v > acc ? v : acc;
        assertTensor(naive(x, axes, keepdim, Double.NEGATIVE_INFINITY, larger), Reductions.max(x, axes, keepdim), 0);
    }

    @ParameterizedTest
    @MethodSource("axisSubsets")
    void prodMatchesTheNaiveReduction(int[] axes, boolean keepdim) {
        Tensor x = Elementwise.map(Reference.ints(SHAPE, 0), v -> 1 + v / 16);
        assertTensor(naive(x, axes, keepdim, 1, (acc, v) -> acc * v), Reductions.prod(x, axes, keepdim), 1e-12);
    }

    /** Shapes and trailing axes whose groups come in fours and not (the kernel folds four groups at a time). */
    static Stream<Arguments> trailingGroups() {
        return Stream.of(Arguments.of(s(7, 13), s(1)), Arguments.of(s(8, 5), s(1)), Arguments.of(s(5, 3, 9), s(1, 2)),
                Arguments.of(s(9, 1), s(1)), Arguments.of(s(3, 4, 6), s(2)), Arguments.of(s(11), s(0)), Arguments.of(s(6, 0), s(1)));
    }

    @ParameterizedTest
    @MethodSource("trailingGroups")
    void sumAndMaxOverTrailingAxesFoldEachGroupInOrderBitForBit(int[] shape, int[] axes) {
        java.util.Random r = new java.util.Random(31 + shape.length * 7 + shape[0]);
        double[] data = new double[Reference.count(shape)];
        for (int i = 0; i < data.length; i++) data[i] = r.nextGaussian() * Math.pow(10, r.nextInt(33) - 16); // order matters to the sums
        if (data.length > 3) {
            data[1] = -0.0;
            data[data.length - 2] = Double.NaN;
        }
        Tensor x = Tensor.of(shape, data);
        for (boolean keepdim : new boolean[] {false, true}) {
            assertBits(naive(x, axes, keepdim, 0, Double::sum), Reductions.sum(x, axes, keepdim));
            if (data.length > 0) assertBits(naive(x, axes, keepdim, Double.NEGATIVE_INFINITY, Math::max), Reductions.max(x, axes, keepdim));
        }
    }

    /** Kept axes between reduced leading and trailing ones (a bias's gradient), with 1 to 7 groups (the kernel folds 4, then 2, then 1 at a time). */
    static Stream<Arguments> middleGroups() {
        return Stream.of(Arguments.of(s(4, 6, 5, 7), s(0, 2, 3)), Arguments.of(s(3, 1, 9), s(0, 2)), Arguments.of(s(2, 7, 11), s(0, 2)),
                Arguments.of(s(5, 3, 2, 4), s(0, 3)), Arguments.of(s(2, 3, 5, 6), s(0, 1, 3)), Arguments.of(s(3, 2, 5, 0), s(0, 3)), Arguments.of(s(2, 4, 3), s(0, 2)));
    }

    @ParameterizedTest
    @MethodSource("middleGroups")
    void sumOverLeadingAndTrailingAxesFoldsEachGroupInOrderBitForBit(int[] shape, int[] axes) {
        java.util.Random r = new java.util.Random(41 + shape.length * 7 + shape[1]);
        double[] data = new double[Reference.count(shape)];
        for (int i = 0; i < data.length; i++) data[i] = r.nextGaussian() * Math.pow(10, r.nextInt(33) - 16); // order matters to the sums
        if (data.length > 3) data[2] = -0.0;
        Tensor x = Tensor.of(shape, data);
        for (boolean keepdim : new boolean[] {false, true}) assertBits(naive(x, axes, keepdim, 0, Double::sum), Reductions.sum(x, axes, keepdim));
    }

    @Test
    void aGroupOfNegativeZerosSumsToPositiveZeroAsTheFoldFromZeroDoes() {
        Tensor x = t(s(5, 2), -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0);
        for (double v : Reductions.sum(x, s(1), false).data()) org.junit.jupiter.api.Assertions.assertEquals(0L, Double.doubleToRawLongBits(v));
        for (double v : Reductions.max(x, s(1), false).data()) org.junit.jupiter.api.Assertions.assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(v));
    }

    private static void assertBits(Tensor expected, Tensor actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), "shape");
        for (int i = 0; i < expected.size(); i++) {
            org.junit.jupiter.api.Assertions.assertEquals(Double.doubleToRawLongBits(expected.data()[i]), Double.doubleToRawLongBits(actual.data()[i]),
                    "element " + i + ": expected " + expected.data()[i] + " but was " + actual.data()[i]);
        }
    }

    @Test
    void sumByHand() {
        Tensor x = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        assertTensor(s(3), new double[] {5, 7, 9}, Reductions.sum(x, s(0), false), 0);
        assertTensor(s(2, 1), new double[] {6, 15}, Reductions.sum(x, s(1), true), 0);
        assertTensor(s(), new double[] {21}, Reductions.sum(x, s(0, 1), false), 0);
        assertTensor(s(1, 1), new double[] {21}, Reductions.sum(x, s(0, 1), true), 0);
    }

    @Test
    void noAxesReturnsTheInput() {
        Tensor x = t(s(2), 1, 2);
        assertSame(x, Reductions.sum(x, s(), false));
        assertSame(x, Reductions.max(x, s(), true));
    }

    @Test
    void maxPropagatesNaN() {
        double nan = Double.NaN;
        Tensor x = t(s(2, 3), nan, 1, 2, 4, 5, nan);
        assertTensor(s(2), new double[] {nan, nan}, Reductions.max(x, s(1), false), 0);
        assertTensor(s(3), new double[] {nan, 5, nan}, Reductions.max(x, s(0), false), 0);
        Tensor y = t(s(2, 2), 3, nan, 1, 2);
        assertTensor(s(2), new double[] {nan, 2}, Reductions.max(y, s(1), false), 0);
        assertTensor(s(), new double[] {nan}, Reductions.max(y, s(0, 1), false), 0);
    }

    @Test
    void maxOfAllNegativeValues() {
        assertTensor(s(), new double[] {-2}, Reductions.max(t(s(3), -5, -2, -9), s(0), false), 0);
    }

    @Test
    void emptyGroupsSumToZeroMultiplyToOneAndHaveNoMax() {
        Tensor x = Tensor.zeros(2, 0);
        assertTensor(s(2), new double[] {0, 0}, Reductions.sum(x, s(1), false), 0);
        assertTensor(s(2), new double[] {1, 1}, Reductions.prod(x, s(1), false), 0);
        assertThrows(IllegalArgumentException.class, () -> Reductions.max(x, s(1), false));
        assertTensor(s(0), new double[0], Reductions.sum(x, s(0), false), 0);
    }

    @Test
    void rejectsUnsortedOrOutOfRangeAxes() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Reductions.sum(x, s(1, 0), false));
        assertThrows(IllegalArgumentException.class, () -> Reductions.sum(x, s(2), false));
        assertThrows(IllegalArgumentException.class, () -> Reductions.prodOthers(x, s(0, 0)));
    }

    @Test
    void prodOthersWithoutZeros() {
        Tensor x = t(s(2, 3), 2, 3, 4, 1, 5, 6);
        assertTensor(s(2, 3), new double[] {12, 8, 6, 30, 6, 5}, Reductions.prodOthers(x, s(1)), 0);
        assertTensor(s(2, 3), new double[] {1, 5, 6, 2, 3, 4}, Reductions.prodOthers(x, s(0)), 0);
    }

    @Test
    void prodOthersWithOneZeroIsNonzeroOnlyAtTheZero() {
        Tensor x = t(s(4), 2, 0, 5, 3);
        assertTensor(s(4), new double[] {0, 30, 0, 0}, Reductions.prodOthers(x, s(0)), 0);
    }

    @Test
    void prodOthersWithTwoZerosIsZeroEverywhere() {
        Tensor x = t(s(4), 0, 7, 0, 3);
        assertTensor(s(4), new double[] {0, 0, 0, 0}, Reductions.prodOthers(x, s(0)), 0);
        // the zeros are in different groups when reducing axis 1 only
        Tensor y = t(s(2, 2), 0, 7, 3, 0);
        assertTensor(s(2, 2), new double[] {7, 0, 0, 3}, Reductions.prodOthers(y, s(1)), 0);
        assertTensor(s(2, 2), new double[] {0, 0, 0, 0}, Reductions.prodOthers(y, s(0, 1)), 0);
    }

    @Test
    void prodOthersOverNoAxesIsOne() {
        assertTensor(s(2), new double[] {1, 1}, Reductions.prodOthers(t(s(2), 0, 9), s()), 0);
    }

    @ParameterizedTest
    @MethodSource("axisSubsets")
    void prodOthersMatchesTheNaiveDefinition(int[] axes, boolean unused) {
        // zeros wherever ints() is a multiple of 5, so groups hold no zero, one zero or several
        Tensor x = Elementwise.map(Reference.ints(SHAPE, 0), v -> v % 5 == 0 ? 0 : v / 8);
        boolean[] reduced = new boolean[3];
        for (int a : axes) reduced[a] = true;
        double[] expected = new double[x.size()];
        for (int i = 0; i < x.size(); i++) {
            int[] iIdx = Reference.unravel(i, SHAPE);
            double acc = 1;
            for (int j = 0; j < x.size(); j++) {
                int[] jIdx = Reference.unravel(j, SHAPE);
                boolean sameGroup = true;
                for (int d = 0; d < 3; d++) sameGroup &= reduced[d] || iIdx[d] == jIdx[d];
                if (sameGroup && j != i) acc *= x.data()[j];
            }
            expected[i] = acc;
        }
        assertTensor(SHAPE, expected, Reductions.prodOthers(x, axes), 1e-12);
    }
}
