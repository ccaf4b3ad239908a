package tx.runtime.tensor;

import java.util.Arrays;

/**
 * Shape arithmetic shared by the checker, the IR verifier and the kernels. Shapes are int[]. A
 * dimension of an IR variable may be a <em>size known only at run time</em> (the number of elements
 * a boolean mask selects): a symbol, written as a negative number {@code <= -2} (see {@link #symbol}).
 * Tensors never hold symbols; only static shapes do, and the primitives whose attributes name a
 * symbol take its size as an operand (see {@code Builder.sizes}).
 */
public final class Shapes {
    private Shapes() {}

    public static final int[] SCALAR = new int[0];

    /** The k-th symbol (k >= 0) as a dimension. */
    public static int symbol(int k) {
        return -2 - k;
    }

    /** Whether a dimension is a size known only at run time. */
    public static boolean isSymbol(int d) {
        return d <= -2;
    }

    /** Whether a shape has a size known only at run time. */
    public static boolean symbolic(int[] shape) {
        for (int d : shape) if (isSymbol(d)) return true;
        return false;
    }

    /** The distinct symbols of a shape, in order of first appearance (the order of their size operands). */
    public static int[] symbols(int[] shape) {
        return Arrays.stream(shape).filter(Shapes::isSymbol).distinct().toArray();
    }

    /** The shape with each symbol replaced by its size: {@code sizes[k]} for the k-th of {@link #symbols}. */
    public static int[] resolve(int[] shape, long[] sizes) {
        int[] syms = symbols(shape);
        if (syms.length != sizes.length) throw new IllegalArgumentException(show(shape) + " has " + syms.length + " run-time sizes, given " + sizes.length);
        int[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (isSymbol(out[i])) out[i] = Math.toIntExact(sizes[indexOf(syms, out[i])]);
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    /** The shape with each size known only at run time taken as 1: its fixed part, a lower bound of its size. */
    public static int[] fixedPart(int[] shape) {
        int[] out = shape.clone();
        for (int i = 0; i < out.length; i++) if (isSymbol(out[i])) out[i] = 1;
        return out;
    }

    /** Whether two shapes hold the same number of elements: the same product of fixed sizes and the same symbols. */
    public static boolean sameSize(int[] a, int[] b) {
        if (!symbolic(a) && !symbolic(b)) return numelExact(a) == numelExact(b);
        long pa = 1, pb = 1;
        java.util.List<Integer> sa = new java.util.ArrayList<>(), sb = new java.util.ArrayList<>();
        for (int d : a) if (isSymbol(d)) sa.add(d); else pa *= d;
        for (int d : b) if (isSymbol(d)) sb.add(d); else pb *= d;
        java.util.Collections.sort(sa);
        java.util.Collections.sort(sb);
        return pa == pb && sa.equals(sb);
    }

    /**
     * Whether a reshape from {@code from} to {@code to} is one the compiler vouches for though
     * {@link #sameSize} cannot tell: {@code to} names a size known only at run time that {@code from}
     * does not, or gives a number where {@code from} has a symbol, or the other way round (the
     * adjoint of such a reshape). The compiler makes such a size from {@code from}'s (a flattening, whose size is the
     * product) or checks when the program runs that it equals the one it replaces ({@code x[m1] -
     * y[m2]}: see {@code SizeAgreement}); the kernel still refuses a reshape that changes the size.
     */
    public static boolean renamesSizes(int[] from, int[] to) {
        if (!symbolic(from) && !symbolic(to)) return false;
        if (from.length == to.length) { // [?1] as [?2] or as [3], checked equal; or back (the relabelling's adjoint)
            boolean renamed = false, fixedKept = true;
            for (int i = 0; i < from.length; i++) {
                fixedKept &= from[i] == to[i] || isSymbol(from[i]) || isSymbol(to[i]);
                renamed |= from[i] != to[i];
            }
            if (fixedKept) return renamed;
        }
        if (!symbolic(from)) return false; // only a shape with a symbol is flattened into a new one
        for (int d : symbols(to)) if (indexOf(from, d) < 0) return true;
        return false;
    }

    /** Whether a shape holds no element whatever its sizes known only at run time are: a fixed size 0. */
    public static boolean empty(int[] shape) {
        for (int d : shape) if (d == 0) return true;
        return false;
    }

    /**
     * A count of elements asked of a shape with a size known only at run time: a rule that does not
     * handle such sizes yet. The compiler reports it as E0105 at the expression (see Exprs.expr).
     */
    public static final class RunTimeSize extends IllegalStateException {
        RunTimeSize(int[] shape) {
            super("the shape " + show(shape) + " has a size known only at run time");
        }
    }

    /** Number of elements; throws ArithmeticException if it does not fit in a long, {@link RunTimeSize} for a symbolic shape. */
    public static long numelExact(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (isSymbol(d)) throw new RunTimeSize(shape);
            n = Math.multiplyExact(n, (long) d);
        }
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
            if (isSymbol(shape[i])) sb.append('?').append(-shape[i] - 1);
            else sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /** n ones: a shape of n axes of size 1, or unit steps. */
    public static int[] ones(int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, 1);
        return out;
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
