// The function `decay` and its gradient with respect to k, written by `tx grad --emit java` from ode_euler.tx.
// A comment `// line N` names the line of ode_euler.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code decay(k: [3], y0: [3]) -> []} from ode_euler.tx, and its gradient with respect to k.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #decay} returns the value, and {@link #decay_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class DecayGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"k", "y0"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]", "[3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #decay_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"k"};

    private DecayGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "k" -> new int[] {3};
            case "y0" -> new int[] {3};
            default -> throw new IllegalArgumentException("`decay` has no parameter " + param);
        };
    }

    /** The value of {@code decay(k, y0)}, one element. */
    public static double[] decay(double[] k, double[] y0) {
        check(k, 3, "k", "[3]");
        check(y0, 3, "y0", "[3]");

        double[] y = y0;                        // line 8
        for (int t = 0; t < 50; t++) {          // line 8
            double[] t1 = neg(k);               // line 9
            double[] t2 = mul(t1, y);           // line 9
            double[] t3 = new double[] {0.02};  // line 9
            double[] t4 = mul(t3, t2);          // line 9
            double[] y_2 = add(y, t4);          // line 9
            y = y_2;                            // line 8
        }
        double[] t5 = new double[] {2.0};       // line 11
        double[] t6 = pow(y, t5);               // line 11
        double[] value = sum(t6);               // line 11
        return value;
    }

    /** The gradient of {@code decay(k, y0)}: {@code {d_k}}. */
    public static double[][] decay_grad(double[] k, double[] y0) {
        check(k, 3, "k", "[3]");
        check(y0, 3, "y0", "[3]");

        double[] y = y0;                                            // line 8
        double[] y_tape = new double[50 * 3];                       // line 8
        for (int t = 0; t < 50; t++) {                              // line 8
            double[] t1 = neg(k);                                   // line 9
            double[] t2 = mul(t1, y);                               // line 9
            double[] t3 = new double[] {0.02};                      // line 9
            double[] t4 = mul(t3, t2);                              // line 9
            double[] y_2 = add(y, t4);                              // line 9
            setRow(y_tape, t, y);                                   // line 8
            y = y_2;                                                // line 8
        }
        double[] t5 = new double[] {2.0};                           // line 11

        // the adjoint program: each line ends with the line its primal operation came from
        double[] d_y = mul(t5, y);                                  // line 11
        double[] d_k = new double[3];                               // line 8
        double[] d_y_2 = d_y;                                       // line 8
        double[] d_k_2 = d_k;                                       // line 8
        for (int t_2 = 49; t_2 >= 0; t_2--) {                       // line 8
            double[] t7 = new double[] {0.02};                      // line 9
            double[] t8 = take(y_tape, new int[] {50, 3}, 0, t_2);  // line 9
            double[] y_3 = neg(k);                                  // line 9
            double[] t9 = mul(d_y_2, t7);                           // line 9
            double[] t10 = mul(t9, t8);                             // line 9
            double[] t11 = mul(t9, y_3);                            // line 9
            double[] d_y_3 = add(d_y_2, t11);                       // line 9
            double[] t12 = neg(t10);                                // line 9
            double[] d_k_3 = add(d_k_2, t12);                       // line 9
            d_y_2 = d_y_3;                                          // line 8
            d_k_2 = d_k_3;                                          // line 8
        }
        return new double[][] {d_k_2};
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

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
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

    /** A run-time index along an axis of size n: a whole number from -n to n - 1 (negative ones count from the end), else an IndexOutOfBoundsException. */
    private static int position(double index, int n, int axis) {
        if (index != Math.rint(index) || index < -n || index >= n) {
            String shown = index == Math.rint(index) && Math.abs(index) < 1e15 ? Long.toString((long) index) : Double.toString(index);
            throw new IndexOutOfBoundsException("index " + shown + " is out of bounds for dimension " + axis + " with size " + n
                    + (index == Math.rint(index) ? "" : ": an index must be a whole number"));
        }
        return (int) (index < 0 ? index + n : index);
    }

    /** x[index] along axis of x (of shape), the index known at run time: the axis is removed. */
    private static double[] take(double[] x, int[] shape, int axis, double index) {
        int n = shape[axis], i = position(index, n, axis), inner = 1, outer = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        for (int k = 0; k < axis; k++) outer *= shape[k];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) System.arraycopy(x, (o * n + i) * inner, out, o * inner, inner);
        return out;
    }

    /** Copies row into row i of tape, whose rows have row.length elements: a loop's tape, filled in at the end of iteration i. */
    private static void setRow(double[] tape, int i, double[] row) {
        System.arraycopy(row, 0, tape, i * row.length, row.length);
    }
}
