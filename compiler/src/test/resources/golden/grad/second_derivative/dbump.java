// The function `dbump` and its gradient with respect to x, written by `tx grad --emit java` from second_derivative.tx.
// A comment `// line N` names the line of second_derivative.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code dbump(x: []) -> []} from second_derivative.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #dbump} returns the value, and {@link #dbump_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class DbumpGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #dbump_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private DbumpGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[0];
            default -> throw new IllegalArgumentException("`dbump` has no parameter " + param);
        };
    }

    /** The value of {@code dbump(x)}, one element. */
    public static double[] dbump(double[] x) {
        check(x, 1, "x", "[]");

        double[] t1 = neg(x);              // line 8
        double[] t2 = new double[] {2.0};  // line 8
        double[] t3 = pow(x, t2);          // line 8
        double[] t4 = neg(t3);             // line 8
        double[] t5 = div(t4, t2);         // line 8
        double[] t6 = exp(t5);             // line 8
        double[] value = mul(t1, t6);      // line 8
        return value;
    }

    /** The gradient of {@code dbump(x)}: {@code {d_x}}. */
    public static double[][] dbump_grad(double[] x) {
        check(x, 1, "x", "[]");

        double[] t1 = neg(x);              // line 8
        double[] t2 = new double[] {2.0};  // line 8
        double[] t3 = pow(x, t2);          // line 8
        double[] t4 = neg(t3);             // line 8
        double[] t5 = div(t4, t2);         // line 8
        double[] t6 = exp(t5);             // line 8
        double[] value = mul(t1, t6);      // line 8

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t7 = div(value, t2);      // line 8
        double[] t8 = neg(t7);             // line 8
        double[] t9 = mul(t2, x);          // line 8
        double[] t10 = mul(t8, t9);        // line 8
        double[] t11 = neg(t6);            // line 8
        double[] d_x = add(t10, t11);      // line 8
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

    private static double[] exp(double[] x) {
        return map(x, Math::exp);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
    }

    private static double[] pow(double[] a, double[] b) {
        return zip(a, b, (x, y) -> y == 2 ? x * x : y == 3 ? x * x * x : y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : y == -1 ? 1 / x : y == -2 ? 1 / (x * x) : Math.pow(x, y));
    }
}
