// The function `q` and its gradient with respect to t, written by `tx grad --emit java` from polynomial.tx.
// A comment `// line N` names the line of polynomial.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;

/**
 * {@code q(t: []) -> []} from polynomial.tx, and its gradient with respect to t.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #q} returns the value, and {@link #q_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class QGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"t"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #q_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"t"};

    private QGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "t" -> new int[0];
            default -> throw new IllegalArgumentException("`q` has no parameter " + param);
        };
    }

    /** The value of {@code q(t)}, one element. */
    public static double[] q(double[] t) {
        check(t, 1, "t", "[]");

        double[] t1 = new double[] {4.0};  // line 18
        double[] t2 = pow(t, t1);          // line 18
        double[] t3 = new double[] {3.0};  // line 18
        double[] t4 = mul(t3, t2);         // line 18
        double[] t5 = new double[] {2.0};  // line 18
        double[] t6 = pow(t, t5);          // line 18
        double[] t7 = mul(t5, t6);         // line 18
        double[] t8 = sub(t4, t7);         // line 18
        double[] value = add(t8, t);       // line 18
        return value;
    }

    /** The gradient of {@code q(t)}: {@code {d_t}}. */
    public static double[][] q_grad(double[] t) {
        check(t, 1, "t", "[]");

        double[] t1 = new double[] {4.0};    // line 18
        double[] t3 = new double[] {3.0};    // line 18
        double[] t5 = new double[] {2.0};    // line 18
        double[] t9 = fill(1, 1.0);

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t10 = new double[] {-2.0};  // line 18
        double[] t11 = mul(t5, t);           // line 18
        double[] t12 = mul(t10, t11);        // line 18
        double[] t13 = add(t9, t12);         // line 18
        double[] t14 = pow(t, t3);           // line 18
        double[] t15 = mul(t1, t14);         // line 18
        double[] t16 = mul(t3, t15);         // line 18
        double[] d_t = add(t13, t16);        // line 18
        return new double[][] {d_t};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

    /** Throws unless an argument has as many elements as its shape. */
    private static void check(double[] arg, int length, String name, String shape) {
        if (arg.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements (shape " + shape + "), not " + arg.length);
        }
    }

    /** f of a and b, position by position: both of one shape, or either a single value. */
    private static double[] zip(double[] a, double[] b, DoubleBinaryOperator f) {
        double[] out = new double[a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
        return out;
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

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
