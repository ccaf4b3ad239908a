package tx.runtime.kernels;

import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The kernels of the primitives that take or give int64 tensors: conversions between dtypes,
 * bitwise operations, argmax, a stable argsort, gather, scatter_add and randint. They are
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
            return Tensor.of(idx.shapeRef(), Standalone.gatherAlong(x.data(), x.shapeRef(), axis, idx.data(), idx.shapeRef()));
        } catch (Shaping.IndexError e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new Shaping.IndexError(e.getMessage());
        }
    }

    public static Tensor scatterAdd(Tensor x, int axis, Tensor idx, Tensor src) {
        try {
            return Tensor.of(x.shapeRef(), Standalone.scatterAdd(x.data(), x.shapeRef(), axis, idx.data(), idx.shapeRef(), src.data()));
        } catch (Shaping.IndexError e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new Shaping.IndexError(e.getMessage());
        }
    }

    public static Tensor randint(int[] shape, long seed, long low, long high) {
        return Tensor.of(shape, Standalone.randint(Shapes.numel(shape), seed, low, high));
    }
}
