package tx.runtime.kernels;

import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The kernels of the primitives that take or give int64 tensors: conversions between dtypes,
 * bitwise operations, argmax, a stable argsort, gather and scatter_add. They are
 * {@link Standalone}'s (so emitted Java computes the same), on tensors. An index outside its axis
 * is an {@link Shaping.IndexError}, reported at run time with the location (E0507).
 */
public final class Indexing {
    private Indexing() {}

    /** The values of x as {@code dtype} ({@link DType#convert}). */
    public static Tensor cast(Tensor x, DType dtype) {
        if (dtype == DType.FLOAT64) return x;
        return Tensor.of(x.shapeRef(), Standalone.cast(x.data(), code(dtype)));
    }

    /** The code of a dtype for {@link Standalone#cast}: 0 float64, 1 int64, 2 bool. */
    public static int code(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> 0;
            case INT64 -> 1;
            case BOOL -> 2;
        };
    }

    /** Bitwise and, or, xor of two whole numbers (held as doubles, exact below 2^53). */
    public static double and(double x, double y) {
        return (double) ((long) x & (long) y);
    }

    public static double or(double x, double y) {
        return (double) ((long) x | (long) y);
    }

    public static double xor(double x, double y) {
        return (double) ((long) x ^ (long) y);
    }

    public static Tensor argmax(Tensor x, int axis) {
        return Tensor.of(Shapes.reduced(x.shapeRef(), new int[] {axis}, false), Standalone.argmax(x.data(), x.shapeRef(), axis));
    }

    public static Tensor argsort(Tensor x, int axis, boolean descending) {
        return Tensor.of(x.shapeRef(), Standalone.argsort(x.data(), x.shapeRef(), axis, descending));
    }

    /**
     * The row-major positions of a mask's nonzero elements, as an int64 vector of {@code count}
     * elements (the count the program computed for the symbol of this vector's length).
     */
    public static Tensor nonzero(Tensor mask, int count) {
        double[] m = mask.data(), out = new double[count];
        int k = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0) continue;
            if (k == count) throw new IllegalStateException("a mask holds more than the " + count + " trues counted for it");
            out[k++] = i;
        }
        if (k != count) throw new IllegalStateException("a mask holds " + k + " trues, not the " + count + " counted for it");
        return Tensor.of(new int[] {count}, out);
    }

    public static Tensor gather(Tensor x, int axis, Tensor idx) {
        try {
            int[] is = idx.shapeRef();
            if (is.length == 0) return Tensor.of(is, Standalone.gatherAlong(x.data(), x.shapeRef(), axis, idx.data(), is));
            return Tensor.of(is, along(x.data(), x.shapeRef(), axis, idx.data(), is, null, null));
        } catch (Shaping.IndexError e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new Shaping.IndexError(e.getMessage());
        }
    }

    public static Tensor scatterAdd(Tensor x, int axis, Tensor idx, Tensor src) {
        try {
            int[] is = idx.shapeRef();
            if (is.length == 0) return Tensor.of(x.shapeRef(), Standalone.scatterAdd(x.data(), x.shapeRef(), axis, idx.data(), is, src.data()));
            return Tensor.of(x.shapeRef(), along(x.data(), x.shapeRef(), axis, idx.data(), is, src.data(), x.data().clone()));
        } catch (Shaping.IndexError e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new Shaping.IndexError(e.getMessage());
        }
    }

    /** torch.scatter: x with src written at idx along an axis, a later element winning ({@link Standalone#scatter}). */
    public static Tensor scatter(Tensor x, int axis, Tensor idx, Tensor src) {
        try {
            return Tensor.of(x.shapeRef(), Standalone.scatter(x.data(), x.shapeRef(), axis, idx.data(), idx.shapeRef(), src.data()));
        } catch (Shaping.IndexError e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new Shaping.IndexError(e.getMessage());
        }
    }

    /**
     * {@link Standalone#gatherAlong} (sum null) or {@link Standalone#scatterAdd} (src added into
     * sum, a copy of x), the same elements in the same order (so the same first bad index, and
     * each target's additions in the same order), a row of idx (its last axis) at a time: where
     * each element recomputed its position from every axis, a gather of {@code [1200, 11]} took 73
     * microseconds (bundle adjustment's cameras).
     */
    private static double[] along(double[] x, int[] shape, int axis, double[] idx, int[] is, double[] src, double[] sum) {
        int r = is.length, n = is[r - 1], size = shape[axis];
        int[] st = Standalone.strides(shape), pos = new int[r - 1];
        int sa = st[axis];
        boolean last = axis == r - 1;
        double[] out = sum != null ? sum : Buffers.take(idx.length);
        for (int j = 0; j < idx.length; j += n) {
            int base = 0;
            for (int d = 0; d < r - 1; d++) if (d != axis) base += pos[d] * st[d];
            boolean spread = !last; // a row of one index (an index expanded along the last axis: x[i] of rows, as a gather)
            for (int c = 1; c < n && spread; c++) spread = idx[j + c] == idx[j];
            if (spread && n > 0) {
                int from = base + Standalone.indexAt(idx[j], size, axis) * sa;
                if (sum == null) for (int c = 0; c < n; c++) out[j + c] = x[from + c];
                else for (int c = 0; c < n; c++) out[from + c] += src[j + c];
            } else if (sum == null && last) for (int c = 0; c < n; c++) out[j + c] = x[base + Standalone.indexAt(idx[j + c], size, axis)];
            else if (sum == null) for (int c = 0; c < n; c++) out[j + c] = x[base + Standalone.indexAt(idx[j + c], size, axis) * sa + c];
            else if (last) for (int c = 0; c < n; c++) out[base + Standalone.indexAt(idx[j + c], size, axis)] += src[j + c];
            else for (int c = 0; c < n; c++) out[base + Standalone.indexAt(idx[j + c], size, axis) * sa + c] += src[j + c];
            for (int d = r - 2; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return out;
    }
}
