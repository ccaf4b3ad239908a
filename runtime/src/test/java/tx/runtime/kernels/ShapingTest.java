package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static tx.runtime.kernels.Reference.assertTensor;
import static tx.runtime.kernels.Reference.assertUntouched;
import static tx.runtime.kernels.Reference.s;
import static tx.runtime.kernels.Reference.t;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tx.runtime.tensor.Tensor;

class ShapingTest {

    static Stream<int[]> permutationsOf3() {
        return Stream.of(s(0, 1, 2), s(0, 2, 1), s(1, 0, 2), s(1, 2, 0), s(2, 0, 1), s(2, 1, 0));
    }

    @ParameterizedTest
    @MethodSource("permutationsOf3")
    void transposeMovesEveryElementToItsPermutedIndex(int[] perm) {
        int[] shape = {2, 3, 4};
        Tensor x = Reference.ints(shape, 0);
        Tensor y = Shaping.transpose(x, perm);
        int[] outShape = {shape[perm[0]], shape[perm[1]], shape[perm[2]]};
        double[] expected = new double[x.size()];
        for (int o = 0; o < expected.length; o++) {
            int[] oIdx = Reference.unravel(o, outShape);
            int[] xIdx = new int[3];
            for (int i = 0; i < 3; i++) xIdx[perm[i]] = oIdx[i];
            expected[o] = x.data()[Reference.ravel(xIdx, shape)];
        }
        assertTensor(outShape, expected, y, 0);
        assertUntouched(x, Reference.ints(shape, 0).data());
    }

    /** Shapes with axes of extent 1 and axes that stay next to each other, which the walk merges (an einsum's batched product makes them). */
    static Stream<Arguments> mergedPermutations() {
        return Stream.of(Arguments.of(s(6, 5, 1, 3), s(1, 3, 0, 2)), Arguments.of(s(5, 3, 2, 1), s(3, 0, 1, 2)),
                Arguments.of(s(4, 1, 3, 2), s(2, 3, 0, 1)), Arguments.of(s(1, 1, 3), s(2, 1, 0)), Arguments.of(s(2, 3, 4, 5), s(0, 1, 3, 2)),
                Arguments.of(s(3, 0, 2), s(2, 0, 1)),
                // larger transposes, with axes of batch
                Arguments.of(s(37, 50), s(1, 0)), Arguments.of(s(3, 40, 17), s(0, 2, 1)), Arguments.of(s(20, 3, 33), s(2, 1, 0)),
                Arguments.of(s(18, 2, 1, 21), s(1, 3, 0, 2)), Arguments.of(s(2, 17, 3, 19), s(3, 0, 2, 1)),
                // rows of 512 and more, copied eight rows at a time (and the rows left over)
                Arguments.of(s(600, 21), s(1, 0)), Arguments.of(s(2, 515, 3, 11), s(0, 2, 3, 1)));
    }

    @ParameterizedTest
    @MethodSource("mergedPermutations")
    void transposeWithUnitAndContiguousAxesMovesEveryElementToItsPermutedIndex(int[] shape, int[] perm) {
        Tensor x = Reference.ints(shape, 0);
        int r = shape.length;
        int[] outShape = new int[r];
        for (int i = 0; i < r; i++) outShape[i] = shape[perm[i]];
        double[] expected = new double[x.size()];
        for (int o = 0; o < expected.length; o++) {
            int[] oIdx = Reference.unravel(o, outShape), xIdx = new int[r];
            for (int i = 0; i < r; i++) xIdx[perm[i]] = oIdx[i];
            expected[o] = x.data()[Reference.ravel(xIdx, shape)];
        }
        assertTensor(outShape, expected, Shaping.transpose(x, perm), 0);
    }

    @Test
    void transposeOfAMatrixByHand() {
        Tensor x = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        assertTensor(s(3, 2), new double[] {1, 4, 2, 5, 3, 6}, Shaping.transpose(x, s(1, 0)), 0);
        assertSame(x, Shaping.transpose(x, s(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> Shaping.transpose(x, s(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> Shaping.transpose(x, s(0)));
    }

    static Stream<Arguments> expansions() {
        return Stream.of(
                Arguments.of(s(3), s(2, 3)),
                Arguments.of(s(2, 1), s(2, 4)),
                Arguments.of(s(), s(2, 2)),
                Arguments.of(s(1, 3), s(4, 2, 3)),
                Arguments.of(s(2, 1, 3), s(2, 4, 3)),
                Arguments.of(s(1, 1, 3), s(2, 5, 3)),
                Arguments.of(s(2, 1, 1), s(2, 3, 4)),
                Arguments.of(s(1), s(0)));
    }

    @ParameterizedTest
    @MethodSource("expansions")
    void expandRepeatsLikeNaiveBroadcasting(int[] from, int[] to) {
        Tensor x = Reference.ints(from, 0);
        double[] expected = new double[Reference.count(to)];
        for (int o = 0; o < expected.length; o++) expected[o] = Reference.atBroadcast(x, Reference.unravel(o, to));
        assertTensor(to, expected, Shaping.expand(x, to), 0);
    }

    @Test
    void expandByHandAndItsErrors() {
        assertTensor(s(2, 3), new double[] {1, 1, 1, 2, 2, 2}, Shaping.expand(t(s(2, 1), 1, 2), s(2, 3)), 0);
        assertThrows(IllegalArgumentException.class, () -> Shaping.expand(Tensor.zeros(3), s(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> Shaping.expand(Tensor.zeros(2, 3), s(3)));
    }

    @Test
    void sliceWithStepsByHand() {
        Tensor m = t(s(4, 5), 0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 30, 31, 32, 33, 34);
        // rows 1:4:2 -> {1, 3}; cols 0:5:3 -> {0, 3}
        assertTensor(s(2, 2), new double[] {10, 13, 30, 33}, Shaping.slice(m, s(1, 0), s(4, 5), s(2, 3)), 0);
        // rows 0:4:3 -> {0, 3}; cols 1:4:1
        assertTensor(s(2, 3), new double[] {1, 2, 3, 31, 32, 33}, Shaping.slice(m, s(0, 1), s(4, 4), s(3, 1)), 0);
        assertTensor(s(0, 5), new double[0], Shaping.slice(m, s(2, 0), s(2, 5), s(1, 1)), 0);
    }

    @Test
    void sliceRejectsBoundsOutOfRange() {
        Tensor m = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Shaping.slice(m, s(0, 0), s(3, 3), s(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> Shaping.slice(m, s(0, 0), s(2, 3), s(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> Shaping.slice(m, s(0), s(2), s(1)));
    }

    @Test
    void padPlacesElementsAtStartPlusStepMultiples() {
        assertTensor(s(5), new double[] {0, 7, 0, 8, 0}, Shaping.pad(t(s(2), 7, 8), s(5), s(1), s(2)), 0);
        assertTensor(s(2, 3), new double[] {0, 0, 0, 0, 5, 6},
                Shaping.pad(t(s(1, 2), 5, 6), s(2, 3), s(1, 1), s(1, 1)), 0);
        assertThrows(IllegalArgumentException.class, () -> Shaping.pad(t(s(3), 1, 2, 3), s(5), s(1), s(2)));
    }

    static Stream<Arguments> slices() {
        return Stream.of(
                Arguments.of(s(5, 6, 7), s(1, 0, 2), s(5, 6, 7), s(2, 3, 1)),
                Arguments.of(s(5, 6, 7), s(0, 2, 0), s(4, 5, 7), s(3, 2, 4)),
                Arguments.of(s(5, 6, 7), s(4, 5, 6), s(5, 6, 7), s(1, 1, 1)),
                Arguments.of(s(5, 6, 7), s(3, 0, 0), s(3, 6, 7), s(1, 1, 1)),
                Arguments.of(s(9), s(2), s(9), s(7)));
    }

    @ParameterizedTest
    @MethodSource("slices")
    void sliceMatchesNaiveIndexingAndPadIsItsAdjoint(int[] shape, int[] start, int[] stop, int[] step) {
        Tensor x = Random.normal(shape, 1);
        Tensor y = Shaping.slice(x, start, stop, step);
        double[] expected = new double[y.size()];
        for (int o = 0; o < expected.length; o++) {
            int[] idx = Reference.unravel(o, y.shape());
            for (int d = 0; d < idx.length; d++) idx[d] = start[d] + idx[d] * step[d];
            expected[o] = x.data()[Reference.ravel(idx, shape)];
        }
        assertTensor(y.shape(), expected, y, 0);
        // <slice(x), g> == <x, pad(g)> for any g of the slice's shape
        Tensor g = Random.normal(y.shape(), 2);
        Tensor padded = Shaping.pad(g, shape, start, step);
        assertEquals(Reference.dot(y, g), Reference.dot(x, padded), 1e-12);
        assertEquals(Reference.dot(g, g), Reference.dot(padded, padded), 1e-12); // pad adds only zeros
    }

    @Test
    void catOfMatricesByHand() {
        Tensor a = t(s(2, 2), 1, 2, 3, 4), b = t(s(2, 1), 5, 6), c = t(s(1, 2), 7, 8);
        assertTensor(s(2, 3), new double[] {1, 2, 5, 3, 4, 6}, Shaping.cat(List.of(a, b), 1), 0);
        assertTensor(s(3, 2), new double[] {1, 2, 3, 4, 7, 8}, Shaping.cat(List.of(a, c), 0), 0);
        assertThrows(IllegalArgumentException.class, () -> Shaping.cat(List.of(a, b), 0));
        assertThrows(IllegalArgumentException.class, () -> Shaping.cat(List.of(a, Tensor.zeros(2)), 0));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void catOnEachAxisMatchesNaiveIndexing(int axis) {
        int[] base = {2, 3, 4};
        int[] extents = {1, 3, 0};
        Tensor[] parts = new Tensor[3];
        int[] outShape = base.clone();
        outShape[axis] = 0;
        for (int p = 0; p < 3; p++) {
            int[] shape = base.clone();
            shape[axis] = extents[p];
            parts[p] = Reference.ints(shape, 100 * p);
            outShape[axis] += extents[p];
        }
        double[] expected = new double[Reference.count(outShape)];
        for (int o = 0; o < expected.length; o++) {
            int[] idx = Reference.unravel(o, outShape);
            int p = 0;
            while (idx[axis] >= parts[p].dim(axis)) idx[axis] -= parts[p++].dim(axis);
            expected[o] = parts[p].data()[Reference.ravel(idx, parts[p].shape())];
        }
        assertTensor(outShape, expected, Shaping.cat(List.of(parts), axis), 0);
    }
}
