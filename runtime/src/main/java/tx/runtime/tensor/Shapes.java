package tx.runtime.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the checker, the IR verifier and the kernels. Shapes are int[]. */
public final class Shapes {
    private Shapes() {}

    public static final int[] SCALAR = new int[0];

    /** Number of elements; throws ArithmeticException if it does not fit in a long. */
    public static long numelExact(int[] shape) {
        long n = 1;
        for (int d : shape) n = Math.multiplyExact(n, (long) d);
        return n;
    }

    public static int numel(int[] shape) {
        long n = numelExact(shape);
        if (n > Integer.MAX_VALUE - 8) throw new ArithmeticException("tensor of shape " + show(shape) + " is too large");
        return (int) n;
    }

    /** Row-major strides, in elements. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** NumPy broadcasting of two shapes, or null if they do not broadcast. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else return null;
        }
        return out;
    }

    /** True if {@code from} broadcasts to exactly {@code to}. */
    public static boolean broadcastsTo(int[] from, int[] to) {
        int[] b = broadcast(from, to);
        return b != null && Arrays.equals(b, to);
    }

    /** Prints a shape as tx (and this README) writes it: {@code [2, 3]}. */
    public static String show(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    public static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The shape after reducing {@code axes} (sorted, distinct, non-negative). */
    public static int[] reduced(int[] shape, int[] axes, boolean keepdim) {
        boolean[] red = new boolean[shape.length];
        for (int a : axes) red[a] = true;
        int[] out = new int[keepdim ? shape.length : shape.length - axes.length];
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) out[j++] = shape[i];
            else if (keepdim) out[j++] = 1;
        }
        return out;
    }
}
