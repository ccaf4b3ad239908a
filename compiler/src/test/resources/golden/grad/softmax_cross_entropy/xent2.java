// The function `xent2` and its gradient with respect to z, written by `tx grad --emit java` from softmax_cross_entropy.tx.
// A comment `// line N` names the line of softmax_cross_entropy.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code xent2(z: [n, 4], t: [n, 4]) -> []} from softmax_cross_entropy.tx, and its gradient with
 * respect to z.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #xent2} returns the value, and {@link #xent2_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = z.length / 4. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class Xent2Grad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"z", "t"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n, 4]", "[n, 4]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #xent2_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"z"};

    private Xent2Grad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("z", 4)} is {@code {4, 4}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "z" -> new int[] {n, 4};
            case "t" -> new int[] {n, 4};
            default -> throw new IllegalArgumentException("`xent2` has no parameter " + param);
        };
    }

    /** The value of {@code xent2(z, t)}, one element. */
    public static double[] xent2(double[] z, double[] t) {
        int n = z.length / 4;
        check(z, 4 * n, "z", "[n, 4] with n = " + n);
        check(t, 4 * n, "t", "[n, 4] with n = " + n);

        double[] t1 = max(t, new int[] {n, 4}, new int[] {1});            // line 30
        double[] t2 = t1;                                                 // line 30 (detach)
        double[] t3 = sub(t, new int[] {n, 4}, t2, new int[] {n, 1});     // line 30
        double[] t4 = exp(t3);                                            // line 30
        double[] t5 = sum(t4, new int[] {n, 4}, new int[] {1});           // line 30
        double[] p = div(t4, new int[] {n, 4}, t5, new int[] {n, 1});     // line 30
        double[] t6 = max(z, new int[] {n, 4}, new int[] {1});            // line 31
        double[] t7 = t6;                                                 // line 31 (detach)
        double[] t8 = sub(z, new int[] {n, 4}, t7, new int[] {n, 1});     // line 31
        double[] t9 = exp(t8);                                            // line 31
        double[] t10 = sum(t9, new int[] {n, 4}, new int[] {1});          // line 31
        double[] t11 = log(t10);                                          // line 31
        double[] t12 = sub(t8, new int[] {n, 4}, t11, new int[] {n, 1});  // line 31
        double[] t13 = mul(p, t12);                                       // line 31
        double[] t14 = sum(t13);                                          // line 31
        double[] t15 = neg(t14);                                          // line 31
        double[] t16 = new double[] {n};                                  // line 31
        double[] value = div(t15, t16);                                   // line 31
        return value;
    }

    /** The gradient of {@code xent2(z, t)}: {@code {d_z}}. */
    public static double[][] xent2_grad(double[] z, double[] t) {
        int n = z.length / 4;
        check(z, 4 * n, "z", "[n, 4] with n = " + n);
        check(t, 4 * n, "t", "[n, 4] with n = " + n);

        double[] t1 = max(t, new int[] {n, 4}, new int[] {1});            // line 30
        double[] t2 = t1;                                                 // line 30 (detach)
        double[] t3 = sub(t, new int[] {n, 4}, t2, new int[] {n, 1});     // line 30
        double[] t4 = exp(t3);                                            // line 30
        double[] t5 = sum(t4, new int[] {n, 4}, new int[] {1});           // line 30
        double[] p = div(t4, new int[] {n, 4}, t5, new int[] {n, 1});     // line 30
        double[] t6 = max(z, new int[] {n, 4}, new int[] {1});            // line 31
        double[] t7 = t6;                                                 // line 31 (detach)
        double[] t8 = sub(z, new int[] {n, 4}, t7, new int[] {n, 1});     // line 31
        double[] t9 = exp(t8);                                            // line 31
        double[] t10 = sum(t9, new int[] {n, 4}, new int[] {1});          // line 31

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t17 = fill(1, -1.0 / n);                                 // line 31
        double[] t18 = mul(t17, p);                                       // line 31
        double[] t19 = neg(t18);                                          // line 31
        double[] t20 = sum(t19, new int[] {n, 4}, new int[] {1});         // line 31
        double[] t21 = div(t20, t10);                                     // line 31
        double[] t22 = mul(t21, new int[] {n, 1}, t9, new int[] {n, 4});  // line 31
        double[] d_z = add(t18, t22);                                     // line 31
        return new double[][] {d_z};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

    /** Throws unless an argument has as many elements as its shape. */
    private static void check(double[] arg, int length, String name, String shape) {
        if (arg.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements (shape " + shape + "), not " + arg.length);
        }
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** Row-major strides, in elements. */
    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** NumPy broadcasting of two shapes. */
    private static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("shapes do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides for reading a tensor of shape as if broadcast to out: 0 on missing and size-1 axes. */
    private static int[] broadcastStrides(int[] shape, int[] out) {
        int lead = out.length - shape.length;
        int[] own = strides(shape), s = new int[out.length];
        for (int i = 0; i < shape.length; i++) if (shape[i] == out[lead + i]) s[lead + i] = own[i];
        return s;
    }

    private static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i]);
        return out;
    }

    /** f of a and b, position by position: both of one shape, or either a single value. */
    private static double[] zip(double[] a, double[] b, DoubleBinaryOperator f) {
        double[] out = new double[a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
        return out;
    }

    /** f of a and b (of shapes as and bs) broadcast together. */
    private static double[] zip(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] shape = broadcast(as, bs);
        int[] sa = broadcastStrides(as, shape), sb = broadcastStrides(bs, shape);
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int pa = 0, pb = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(a[pa], b[pb]);
            for (int k = shape.length - 1; k >= 0; k--) {
                pa += sa[k];
                pb += sb[k];
                if (++index[k] < shape[k]) break;
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    private static double[] neg(double[] x) {
        return map(x, v -> -v);
    }

    private static double[] exp(double[] x) {
        return map(x, Math::exp);
    }

    private static double[] log(double[] x) {
        return map(x, Math::log);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] mul(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x * y);
    }

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
    }

    private static double[] div(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x / y);
    }

    /**
     * Folds each group of x (the elements that share their coordinates on the axes kept) with op from
     * init, in one row-major pass over x: the order in which tx's interpreter adds.
     */
    private static double[] fold(double[] x, int[] shape, int[] axes, double init, DoubleBinaryOperator op) {
        int[] kept = shape.clone();
        for (int a : axes) kept[a] = 1;
        int[] s = strides(kept);
        for (int a : axes) s[a] = 0;
        double[] out = new double[numel(kept)];
        java.util.Arrays.fill(out, init);
        int[] index = new int[shape.length];
        int p = 0;
        for (int i = 0; i < x.length; i++) {
            out[p] = op.applyAsDouble(out[p], x[i]);
            for (int k = shape.length - 1; k >= 0; k--) {
                p += s[k];
                if (++index[k] < shape[k]) break;
                p -= s[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /** The sum of x (of shape) over axes. */
    private static double[] sum(double[] x, int[] shape, int[] axes) {
        return fold(x, shape, axes, 0.0, (acc, v) -> acc + v);
    }

    /** The maximum (NaN if there is one) of x (of shape) over axes. */
    private static double[] max(double[] x, int[] shape, int[] axes) {
        for (int a : axes) if (shape[a] == 0) throw new IllegalArgumentException("max over an axis of size 0");
        return fold(x, shape, axes, Double.NEGATIVE_INFINITY, (acc, v) -> Math.max(acc, v));
    }

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
