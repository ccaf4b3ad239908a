package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import tx.runtime.tensor.Tensor;

/**
 * Naive helpers for the kernel tests: multi-index arithmetic done the slow, obvious way, with no
 * strides and no code shared with the kernels under test.
 */
final class Reference {
    private Reference() {}

    /** The multi-index of row-major position {@code flat} in {@code shape}. */
    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** The row-major position of multi-index {@code idx} in {@code shape}. */
    static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    /** The element of {@code t} that NumPy broadcasting reads at {@code outIdx} of a larger shape. */
    static double atBroadcast(Tensor t, int[] outIdx) {
        int[] shape = t.shape();
        int lead = outIdx.length - shape.length;
        int[] idx = new int[shape.length];
        for (int d = 0; d < shape.length; d++) idx[d] = shape[d] == 1 ? 0 : outIdx[lead + d];
        return t.data()[ravel(idx, shape)];
    }

    static int count(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** A tensor of {@code shape} holding small distinct-looking integers: (7·i mod 23) − 11 + offset. */
    static Tensor ints(int[] shape, int offset) {
        double[] d = new double[count(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (7 * i) % 23 - 11 + offset;
        return Tensor.of(shape, d);
    }

    static Tensor t(int[] shape, double... data) {
        return Tensor.of(shape, data);
    }

    static int[] s(int... dims) {
        return dims;
    }

    /** Same shape, and every element within {@code tol} relative to max(1, |expected|); NaN matches NaN. */
    static void assertTensor(int[] shape, double[] data, Tensor actual, double tol) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertEquals(data.length, actual.size(), "size");
        for (int i = 0; i < data.length; i++) {
            double e = data[i], a = actual.data()[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
            if (!ok) fail("element " + i + ": expected " + e + " but was " + a + " in " + actual);
        }
    }

    static void assertTensor(Tensor expected, Tensor actual, double tol) {
        assertTensor(expected.shape(), expected.data(), actual, tol);
    }

    static double dot(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape());
        double acc = 0;
        for (int i = 0; i < a.size(); i++) acc += a.data()[i] * b.data()[i];
        return acc;
    }

    static void assertUntouched(Tensor before, double[] snapshot) {
        assertEquals(snapshot.length, before.size());
        assertArrayEquals(snapshot, before.data(), 0.0, "a kernel modified its input");
    }
}
