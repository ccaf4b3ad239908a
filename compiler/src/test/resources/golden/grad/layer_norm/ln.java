// The function `ln` and its gradient with respect to x, written by `tx grad --emit java` from layer_norm.tx.
// A comment `// line N` names the line of layer_norm.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code ln(x: [n, 5], g: [n, 5]) -> []} from layer_norm.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #ln} returns the value, and {@link #ln_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = x.length / 5. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class LnGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x", "g"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n, 5]", "[n, 5]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #ln_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private LnGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("x", 4)} is {@code {4, 5}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "x" -> new int[] {n, 5};
            case "g" -> new int[] {n, 5};
            default -> throw new IllegalArgumentException("`ln` has no parameter " + param);
        };
    }

    /** The value of {@code ln(x, g)}, one element. */
    public static double[] ln(double[] x, double[] g) {
        int n = x.length / 5;
        check(x, 5 * n, "x", "[n, 5] with n = " + n);
        check(g, 5 * n, "g", "[n, 5] with n = " + n);

        double[] t1 = sum(x, new int[] {n, 5}, new int[] {1});         // line 6
        double[] t2 = new double[] {5.0};                              // line 6
        double[] mu = div(t1, t2);                                     // line 6
        double[] xc = sub(x, new int[] {n, 5}, mu, new int[] {n, 1});  // line 7
        double[] t3 = new double[] {2.0};                              // line 8
        double[] t4 = pow(xc, t3);                                     // line 8
        double[] t5 = sum(t4, new int[] {n, 5}, new int[] {1});        // line 8
        double[] v = div(t5, t2);                                      // line 8
        double[] t6 = new double[] {1e-05};                            // line 9
        double[] t7 = add(v, t6);                                      // line 9
        double[] t8 = sqrt(t7);                                        // line 9
        double[] y = div(xc, new int[] {n, 5}, t8, new int[] {n, 1});  // line 9
        double[] t9 = mul(y, g);                                       // line 10
        double[] value = sum(t9);                                      // line 10
        return value;
    }

    /** The gradient of {@code ln(x, g)}: {@code {d_x}}. */
    public static double[][] ln_grad(double[] x, double[] g) {
        int n = x.length / 5;
        check(x, 5 * n, "x", "[n, 5] with n = " + n);
        check(g, 5 * n, "g", "[n, 5] with n = " + n);

        double[] t1 = sum(x, new int[] {n, 5}, new int[] {1});                 // line 6
        double[] t2 = new double[] {5.0};                                      // line 6
        double[] mu = div(t1, t2);                                             // line 6
        double[] xc = sub(x, new int[] {n, 5}, mu, new int[] {n, 1});          // line 7
        double[] t3 = new double[] {2.0};                                      // line 8
        double[] t4 = pow(xc, t3);                                             // line 8
        double[] t5 = sum(t4, new int[] {n, 5}, new int[] {1});                // line 8
        double[] v = div(t5, t2);                                              // line 8
        double[] t6 = new double[] {1e-05};                                    // line 9
        double[] t7 = add(v, t6);                                              // line 9
        double[] t8 = sqrt(t7);                                                // line 9
        double[] y = div(xc, new int[] {n, 5}, t8, new int[] {n, 1});          // line 9

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t10 = div(g, new int[] {n, 5}, t8, new int[] {n, 1});         // line 9
        double[] t11 = mul(g, y);                                              // line 9
        double[] t12 = div(t11, new int[] {n, 5}, t8, new int[] {n, 1});       // line 9
        double[] t13 = neg(t12);                                               // line 9
        double[] t14 = sum(t13, new int[] {n, 5}, new int[] {1});              // line 9
        double[] t15 = mul(t3, t8);                                            // line 9
        double[] d_y = div(t14, t15);                                          // line 9
        double[] d_v = div(d_y, t2);                                           // line 8
        double[] t16 = mul(t3, xc);                                            // line 8
        double[] t17 = mul(d_v, new int[] {n, 1}, t16, new int[] {n, 5});      // line 8
        double[] d_xc = add(t10, t17);                                         // line 8
        double[] d_xc_2 = neg(d_xc);                                           // line 7
        double[] d_mu = sum(d_xc_2, new int[] {n, 5}, new int[] {1});          // line 7
        double[] d_mu_2 = div(d_mu, t2);                                       // line 6
        double[] d_x = add(d_xc, new int[] {n, 5}, d_mu_2, new int[] {n, 1});  // line 6
        return new double[][] {d_x};
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

    private static double[] sqrt(double[] x) {
        return map(x, Math::sqrt);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] add(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x + y);
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

    private static double[] pow(double[] a, double[] b) {
        return zip(a, b, (x, y) -> y == 2 ? x * x : y == 3 ? x * x * x : y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : y == -1 ? 1 / x : y == -2 ? 1 / (x * x) : Math.pow(x, y));
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
}
