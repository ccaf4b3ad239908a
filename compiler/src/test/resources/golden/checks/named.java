// The function `named` and its gradient with respect to x, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code named(x: [n]) -> []} from checks.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #named} returns the value, and {@link #named_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = x.length. An argument whose
 * length does not fit its shape is an IllegalArgumentException. So is a failed check (an assert, or
 * a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class NamedGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #named_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private NamedGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("x", 4)} is {@code {4}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "x" -> new int[] {n};
            default -> throw new IllegalArgumentException("`named` has no parameter " + param);
        };
    }

    /** The value of {@code named(x)}, one element. */
    public static double[] named(double[] x) {
        int n = x.length;

        double[] t1 = neg(x);                                      // line 23
        double[] t2 = max(t1);                                     // line 23
        double[] t3 = neg(t2);                                     // line 23
        double[] t4 = new double[] {0.0};                          // line 23
        double[] t5 = gt(t3, t4);                                  // line 23
        if (t5[0] == 0.0) {                                        // line 23
            throw new IllegalArgumentException("AssertionError");  // line 23
        }
        double[] t6 = log(x);                                      // line 24
        double[] t7 = mul(t6, x);                                  // line 24
        double[] value = sum(t7);                                  // line 24
        return value;
    }

    /** The gradient of {@code named(x)}: {@code {d_x}}. */
    public static double[][] named_grad(double[] x) {
        int n = x.length;

        double[] t1 = neg(x);                                      // line 23
        double[] t2 = max(t1);                                     // line 23
        double[] t3 = neg(t2);                                     // line 23
        double[] t4 = new double[] {0.0};                          // line 23
        double[] t5 = gt(t3, t4);                                  // line 23
        if (t5[0] == 0.0) {                                        // line 23
            throw new IllegalArgumentException("AssertionError");  // line 23
        }
        double[] t6 = log(x);                                      // line 24

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t8 = div(x, x);                                   // line 24
        double[] d_x = add(t6, t8);                                // line 24
        return new double[][] {d_x};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

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

    private static double[] log(double[] x) {
        return map(x, Math::log);
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

    private static double[] gt(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x > y ? 1.0 : 0.0);
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /** The maximum (NaN if there is one) of all of x's elements, in order. */
    private static double[] max(double[] x) {
        if (x.length == 0) throw new IllegalArgumentException("max of no elements");
        double acc = Double.NEGATIVE_INFINITY;
        for (double v : x) acc = Math.max(acc, v);
        return new double[] {acc};
    }
}
