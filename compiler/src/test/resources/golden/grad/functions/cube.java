// The function `cube` and its gradient with respect to x, written by `tx grad --emit java` from functions.tx.
// A comment `// line N` names the line of functions.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;

/**
 * {@code cube(x: []) -> []} from functions.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #cube} returns the value, and {@link #cube_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class CubeGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #cube_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private CubeGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[0];
            default -> throw new IllegalArgumentException("`cube` has no parameter " + param);
        };
    }

    /** The value of {@code cube(x)}, one element. */
    public static double[] cube(double[] x) {
        check(x, 1, "x", "[]");

        double[] t1 = new double[] {3.0};  // line 20
        double[] value = pow(x, t1);       // line 20
        return value;
    }

    /** The gradient of {@code cube(x)}: {@code {d_x}}. */
    public static double[][] cube_grad(double[] x) {
        check(x, 1, "x", "[]");

        double[] t1 = new double[] {3.0};  // line 20

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t2 = new double[] {2.0};  // line 20
        double[] t3 = pow(x, t2);          // line 20
        double[] d_x = mul(t1, t3);        // line 20
        return new double[][] {d_x};
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

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] pow(double[] a, double[] b) {
        return zip(a, b, (x, y) -> y == 2 ? x * x : y == 3 ? x * x * x : y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : y == -1 ? 1 / x : y == -2 ? 1 / (x * x) : Math.pow(x, y));
    }
}
