// The function `p` and its gradient with respect to x, written by `tx grad --emit java` from polynomial.tx.
// A comment `// line N` names the line of polynomial.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code p(x: [n]) -> []} from polynomial.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #p} returns the value, and {@link #p_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = x.length. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class PGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #p_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private PGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("x", 4)} is {@code {4}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "x" -> new int[] {n};
            default -> throw new IllegalArgumentException("`p` has no parameter " + param);
        };
    }

    /** The value of {@code p(x)}, one element. */
    public static double[] p(double[] x) {
        int n = x.length;

        double[] t1 = new double[] {4.0};  // line 5
        double[] t2 = pow(x, t1);          // line 5
        double[] t3 = new double[] {3.0};  // line 5
        double[] t4 = mul(t3, t2);         // line 5
        double[] t5 = new double[] {2.0};  // line 5
        double[] t6 = pow(x, t5);          // line 5
        double[] t7 = mul(t5, t6);         // line 5
        double[] t8 = sub(t4, t7);         // line 5
        double[] t9 = add(t8, x);          // line 5
        double[] value = sum(t9);          // line 5
        return value;
    }

    /** The gradient of {@code p(x)}: {@code {d_x}}. */
    public static double[][] p_grad(double[] x) {
        int n = x.length;

        double[] t1 = new double[] {4.0};                          // line 5
        double[] t3 = new double[] {3.0};                          // line 5
        double[] t5 = new double[] {2.0};                          // line 5

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t10 = new double[] {1.0};                         // line 5
        double[] t11 = expand(t10, new int[] {1}, new int[] {n});  // line 5
        double[] t12 = neg(t11);                                   // line 5
        double[] t13 = mul(t12, t5);                               // line 5
        double[] t14 = mul(t5, x);                                 // line 5
        double[] t15 = mul(t13, t14);                              // line 5
        double[] t16 = add(t10, t15);                              // line 5
        double[] t17 = mul(t11, t3);                               // line 5
        double[] t18 = pow(x, t3);                                 // line 5
        double[] t19 = mul(t1, t18);                               // line 5
        double[] t20 = mul(t17, t19);                              // line 5
        double[] d_x = add(t16, t20);                              // line 5
        return new double[][] {d_x};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

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

    /** Strides for reading a tensor of shape as if broadcast to out: 0 on missing and size-1 axes. */
    private static int[] broadcastStrides(int[] shape, int[] out) {
        int lead = out.length - shape.length;
        int[] own = strides(shape), s = new int[out.length];
        for (int i = 0; i < shape.length; i++) if (shape[i] == out[lead + i]) s[lead + i] = own[i];
        return s;
    }

    /** A new row-major array of shape whose element at index i is src[offset + i . strides]. */
    private static double[] gather(double[] src, int offset, int[] strides, int[] shape) {
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int p = offset;
        for (int i = 0; i < out.length; i++) {
            out[i] = src[p];
            for (int k = shape.length - 1; k >= 0; k--) {
                p += strides[k];
                if (++index[k] < shape[k]) break;
                p -= strides[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
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

    private static double[] neg(double[] x) {
        return map(x, v -> -v);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] pow(double[] a, double[] b) {
        return zip(a, b, (x, y) -> y == 2 ? x * x : y == 3 ? x * x * x : y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : y == -1 ? 1 / x : y == -2 ? 1 / (x * x) : Math.pow(x, y));
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /** x (of shape) broadcast to out: size-1 axes repeated, axes added on the left. */
    private static double[] expand(double[] x, int[] shape, int[] out) {
        return gather(x, 0, broadcastStrides(shape, out), out);
    }
}
