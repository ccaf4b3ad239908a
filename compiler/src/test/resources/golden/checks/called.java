// The function `called` and its gradient with respect to x, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code called(x: [3], y: [3]) -> []} from checks.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #called} returns the value, and {@link #called_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException. So is a failed
 * check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class CalledGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x", "y"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]", "[3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #called_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private CalledGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[] {3};
            case "y" -> new int[] {3};
            default -> throw new IllegalArgumentException("`called` has no parameter " + param);
        };
    }

    /** The value of {@code called(x, y)}, one element. */
    public static double[] called(double[] x, double[] y) {
        check(x, 3, "x", "[3]");
        check(y, 3, "y", "[3]");

        double[] t1 = mul(x, x);                                                  // line 28
        double[] t2 = sum(t1);                                                    // line 28
        double[] t3 = new double[] {0.0};                                         // line 28
        double[] t4 = eq(t2, t3);                                                 // line 28
        double[] t5 = sqrt(t2);                                                   // line 28
        double[] t6 = where(t4, t3, t5);                                          // line 28
        double[] t7 = new double[] {1e-06};                                       // line 29
        double[] t8 = gt(t6, t7);                                                 // line 29
        if (t8[0] == 0.0) {                                                       // line 29
            throw new IllegalArgumentException("AssertionError: a zero vector has no direction"); // line 29
        }
        double[] t9 = div(x, t6);                                                 // line 30
        double[] t10 = mul(y, y);                                                 // line 28
        double[] t11 = sum(t10);                                                  // line 28
        double[] t12 = eq(t11, t3);                                               // line 28
        double[] t13 = sqrt(t11);                                                 // line 28
        double[] norm = where(t12, t3, t13);                                      // line 28
        double[] t14 = gt(norm, t7);                                              // line 29
        if (t14[0] == 0.0) {                                                      // line 29
            throw new IllegalArgumentException("AssertionError: a zero vector has no direction"); // line 29
        }
        double[] t15 = div(y, norm);                                              // line 30
        double[] t16 = mul(t9, t15);                                              // line 35
        double[] value = sum(t16);                                                // line 35
        return value;
    }

    /** The gradient of {@code called(x, y)}: {@code {d_x}}. */
    public static double[][] called_grad(double[] x, double[] y) {
        check(x, 3, "x", "[3]");
        check(y, 3, "y", "[3]");

        double[] t1 = mul(x, x);                                                  // line 28
        double[] t2 = sum(t1);                                                    // line 28
        double[] t3 = new double[] {0.0};                                         // line 28
        double[] t4 = eq(t2, t3);                                                 // line 28
        double[] t5 = sqrt(t2);                                                   // line 28
        double[] t6 = where(t4, t3, t5);                                          // line 28
        double[] t7 = new double[] {1e-06};                                       // line 29
        double[] t8 = gt(t6, t7);                                                 // line 29
        if (t8[0] == 0.0) {                                                       // line 29
            throw new IllegalArgumentException("AssertionError: a zero vector has no direction"); // line 29
        }
        double[] t9 = div(x, t6);                                                 // line 30
        double[] t10 = mul(y, y);                                                 // line 28
        double[] t11 = sum(t10);                                                  // line 28
        double[] t12 = eq(t11, t3);                                               // line 28
        double[] t13 = sqrt(t11);                                                 // line 28
        double[] norm = where(t12, t3, t13);                                      // line 28
        double[] t14 = gt(norm, t7);                                              // line 29
        if (t14[0] == 0.0) {                                                      // line 29
            throw new IllegalArgumentException("AssertionError: a zero vector has no direction"); // line 29
        }
        double[] t15 = div(y, norm);                                              // line 30

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t17 = div(t15, t6);                                              // line 30
        double[] t18 = mul(t15, t9);                                              // line 30
        double[] t19 = div(t18, t6);                                              // line 30
        double[] t20 = neg(t19);                                                  // line 30
        double[] d_norm = sum(t20);                                               // line 30
        double[] t21 = where(t4, t3, d_norm);                                     // line 28
        double[] t22 = new double[] {2.0};                                        // line 28
        double[] t23 = mul(t22, t5);                                              // line 28
        double[] t24 = div(t21, t23);                                             // line 28
        double[] t25 = where(t4, t3, t24);                                        // line 28
        double[] d_norm_2 = t25;                                                  // line 28 (reshape to [1])
        double[] t26 = mul(d_norm_2, x);                                          // line 28
        double[] t27 = add(t17, t26);                                             // line 28
        double[] d_x = add(t27, t26);                                             // line 28
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

    private static double[] sqrt(double[] x) {
        return map(x, Math::sqrt);
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

    private static double[] eq(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x == y ? 1.0 : 0.0);
    }

    /** a where c is not 0 (NaN counts as true), b elsewhere: all of one shape, or single values. */
    private static double[] where(double[] c, double[] a, double[] b) {
        double[] out = new double[c.length != 1 ? c.length : a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[c.length == 1 ? 0 : i] != 0.0 ? a[a.length == 1 ? 0 : i] : b[b.length == 1 ? 0 : i];
        }
        return out;
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }
}
