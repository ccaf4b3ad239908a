// The function `d3th` and its gradient with respect to x, written by `tx grad --emit java` from second_derivative.tx.
// A comment `// line N` names the line of second_derivative.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code d3th(x: []) -> []} from second_derivative.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #d3th} returns the value, and {@link #d3th_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class D3thGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #d3th_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private D3thGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[0];
            default -> throw new IllegalArgumentException("`d3th` has no parameter " + param);
        };
    }

    /** The value of {@code d3th(x)}, one element. */
    public static double[] d3th(double[] x) {
        check(x, 1, "x", "[]");

        double[] t = tanh(x);              // line 27
        double[] t1 = new double[] {2.0};  // line 28
        double[] t2 = pow(t, t1);          // line 28
        double[] t3 = new double[] {6.0};  // line 28
        double[] t4 = mul(t3, t2);         // line 28
        double[] t5 = sub(t4, t1);         // line 28
        double[] t6 = new double[] {1.0};  // line 28
        double[] t7 = sub(t6, t2);         // line 28
        double[] value = mul(t5, t7);      // line 28
        return value;
    }

    /** The gradient of {@code d3th(x)}: {@code {d_x}}. */
    public static double[][] d3th_grad(double[] x) {
        check(x, 1, "x", "[]");

        double[] t = tanh(x);              // line 27
        double[] t1 = new double[] {2.0};  // line 28
        double[] t2 = pow(t, t1);          // line 28
        double[] t3 = new double[] {6.0};  // line 28
        double[] t4 = mul(t3, t2);         // line 28
        double[] t5 = sub(t4, t1);         // line 28
        double[] t6 = new double[] {1.0};  // line 28
        double[] t7 = sub(t6, t2);         // line 28

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t8 = neg(t5);             // line 28
        double[] t9 = mul(t1, t);          // line 28
        double[] t10 = mul(t8, t9);        // line 28
        double[] t11 = mul(t7, t3);        // line 28
        double[] t12 = mul(t11, t9);       // line 28
        double[] d_t = add(t10, t12);      // line 28
        double[] t13 = mul(t, t);          // line 27
        double[] t14 = sub(t6, t13);       // line 27
        double[] d_x = mul(d_t, t14);      // line 27
        return new double[][] {d_x};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

    /** Throws unless an argument has as many elements as its shape. */
    private static void check(double[] arg, int length, String name, String shape) {
        if (arg.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements (shape " + shape + "), not " + arg.length);
        }
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

    private static double[] tanh(double[] x) {
        return map(x, Math::tanh);
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
}
