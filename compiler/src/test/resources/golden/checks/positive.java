// The function `positive` and its gradient with respect to x, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;

/**
 * {@code positive(x: [3]) -> []} from checks.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #positive} returns the value, and {@link #positive_grad} the gradients in the order of
 * {@link #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException. So is a failed
 * check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class PositiveGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #positive_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private PositiveGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[] {3};
            default -> throw new IllegalArgumentException("`positive` has no parameter " + param);
        };
    }

    /** The value of {@code positive(x)}, one element. */
    public static double[] positive(double[] x) {
        check(x, 3, "x", "[3]");

        double[] t1 = sum(x);                                                // line 5
        double[] t2 = new double[] {0.0};                                    // line 5
        double[] t3 = gt(t1, t2);                                            // line 5
        if (t3[0] == 0.0) {                                                  // line 5
            throw new IllegalArgumentException("AssertionError: positive");  // line 5
        }
        double[] t4 = mul(x, x);                                             // line 6
        double[] value = sum(t4);                                            // line 6
        return value;
    }

    /** The gradient of {@code positive(x)}: {@code {d_x}}. */
    public static double[][] positive_grad(double[] x) {
        check(x, 3, "x", "[3]");

        double[] t1 = sum(x);                                                // line 5
        double[] t2 = new double[] {0.0};                                    // line 5
        double[] t3 = gt(t1, t2);                                            // line 5
        if (t3[0] == 0.0) {                                                  // line 5
            throw new IllegalArgumentException("AssertionError: positive");  // line 5
        }

        // the adjoint program: each line ends with the line its primal operation came from
        double[] d_x = add(x, x);                                            // line 6
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

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] gt(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x > y ? 1.0 : 0.0);
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }
}
