// The function `bounded` and its gradient with respect to x, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;

/**
 * {@code bounded(x: [3]) -> []} from checks.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #bounded} returns the value, and {@link #bounded_grad} the gradients in the order of
 * {@link #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException. So is a failed
 * check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class BoundedGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #bounded_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private BoundedGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[] {3};
            default -> throw new IllegalArgumentException("`bounded` has no parameter " + param);
        };
    }

    /** The value of {@code bounded(x)}, one element. */
    public static double[] bounded(double[] x) {
        check(x, 3, "x", "[3]");

        double[] t1 = new double[] {0.0};                                         // line 11
        double[] t2 = gt(x, t1);                                                  // line 11
        double[] n = sum(t2);                                                     // line 11
        double[] t3 = n;                                                          // line 12 (detach)
        double[] t4 = new double[] {2.0};                                         // line 12
        double[] t5 = ge(t3, t4);                                                 // line 12
        if (t5[0] == 0.0) {                                                       // line 12
            throw new IllegalArgumentException("AssertionError: only " + (long) t3[0] + " of {3} \"positive\""); // line 12
        }
        double[] t6 = slice(x, new int[] {3}, new int[] {0}, new int[] {1}, new int[] {1}); // line 13
        double[] s = t6;                                                          // line 13 (reshape to [])
        double[] s_2 = s;                                                         // line 14
        for (int i = 0; i < 3; i++) {                                             // line 14
            double[] t7 = take(x, new int[] {3}, 0, i);                           // line 15
            double[] s_3 = mul(s_2, t7);                                          // line 15
            double[] t8 = new double[] {100.0};                                   // line 16
            double[] t9 = lt(s_3, t8);                                            // line 16
            if (t9[0] == 0.0) {                                                   // line 16
                throw new IllegalArgumentException("AssertionError: too big");    // line 16
            }
            s_2 = s_3;                                                            // line 14
        }
        double[] t10 = mul(x, x);                                                 // line 18
        double[] t11 = sum(t10);                                                  // line 18
        double[] value = add(s_2, t11);                                           // line 18
        return value;
    }

    /** The gradient of {@code bounded(x)}: {@code {d_x}}. */
    public static double[][] bounded_grad(double[] x) {
        check(x, 3, "x", "[3]");

        double[] t1 = new double[] {0.0};                                         // line 11
        double[] t2 = gt(x, t1);                                                  // line 11
        double[] n = sum(t2);                                                     // line 11
        double[] t3 = n;                                                          // line 12 (detach)
        double[] t4 = new double[] {2.0};                                         // line 12
        double[] t5 = ge(t3, t4);                                                 // line 12
        if (t5[0] == 0.0) {                                                       // line 12
            throw new IllegalArgumentException("AssertionError: only " + (long) t3[0] + " of {3} \"positive\""); // line 12
        }
        double[] t6 = slice(x, new int[] {3}, new int[] {0}, new int[] {1}, new int[] {1}); // line 13
        double[] s = t6;                                                          // line 13 (reshape to [])
        double[] s_2 = s;                                                         // line 14
        double[] s_tape = new double[3];                                          // line 14
        for (int i = 0; i < 3; i++) {                                             // line 14
            double[] t7 = take(x, new int[] {3}, 0, i);                           // line 15
            double[] s_3 = mul(s_2, t7);                                          // line 15
            double[] t8 = new double[] {100.0};                                   // line 16
            double[] t9 = lt(s_3, t8);                                            // line 16
            if (t9[0] == 0.0) {                                                   // line 16
                throw new IllegalArgumentException("AssertionError: too big");    // line 16
            }
            setRow(s_tape, i, s_2);                                               // line 14
            s_2 = s_3;                                                            // line 14
        }
        double[] t12 = fill(1, 1.0);

        // the adjoint program: each line ends with the line its primal operation came from
        double[] d_x_2 = add(x, x);                                               // line 18
        double[] d_x_3 = new double[3];                                           // line 14
        double[] d_s = t12;                                                       // line 14
        double[] d_x_4 = d_x_3;                                                   // line 14
        for (int i_2 = 2; i_2 >= 0; i_2--) {                                      // line 14
            double[] t13 = take(x, new int[] {3}, 0, i_2);                        // line 15
            double[] t14 = take(s_tape, new int[] {3}, 0, i_2);                   // line 15
            double[] t15 = mul(d_s, t13);                                         // line 15
            double[] d_s_2 = mul(d_s, t14);                                       // line 15
            double[] t16 = put(d_s_2, new int[] {3}, 0, i_2);                     // line 15
            double[] d_x_5 = add(d_x_4, t16);                                     // line 15
            d_s = t15;                                                            // line 14
            d_x_4 = d_x_5;                                                        // line 14
        }
        double[] s_4 = add(d_x_2, d_x_4);                                         // line 15
        double[] d_s_3 = d_s;                                                     // line 13 (reshape to [1])
        double[] t17 = pad(d_s_3, new int[] {1}, new int[] {3}, new int[] {0}, new int[] {1}); // line 13
        double[] d_x = add(s_4, t17);                                             // line 13
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

    private static double[] lt(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x < y ? 1.0 : 0.0);
    }

    private static double[] gt(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x > y ? 1.0 : 0.0);
    }

    private static double[] ge(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x >= y ? 1.0 : 0.0);
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /** x[start:stop:step] on every axis of x (of shape); bounds outside x (named dimensions too small) are an error. */
    private static double[] slice(double[] x, int[] shape, int[] start, int[] stop, int[] step) {
        int[] s = strides(shape), out = new int[shape.length], src = new int[shape.length];
        int offset = 0;
        for (int i = 0; i < shape.length; i++) {
            if (start[i] < 0 || start[i] > stop[i] || stop[i] > shape[i]) {
                throw new IllegalArgumentException("slice " + start[i] + ":" + stop[i] + " out of range for axis " + i + " of size " + shape[i]);
            }
            out[i] = (stop[i] - start[i] + step[i] - 1) / step[i];
            src[i] = s[i] * step[i];
            offset += start[i] * s[i];
        }
        return gather(x, offset, src, out);
    }

    /** Zeros of shape out with g (of shape) placed at start + k * step on every axis: the adjoint of slice. */
    private static double[] pad(double[] g, int[] shape, int[] out, int[] start, int[] step) {
        int[] s = strides(out), dst = new int[shape.length];
        int p = 0;
        for (int i = 0; i < shape.length; i++) {
            if (start[i] < 0 || shape[i] > 0 && start[i] + (shape[i] - 1) * step[i] >= out[i]) {
                throw new IllegalArgumentException("cannot pad " + shape[i] + " elements into " + out[i] + " at " + start[i] + " on axis " + i);
            }
            dst[i] = s[i] * step[i];
            p += start[i] * s[i];
        }
        double[] result = new double[numel(out)];
        int[] index = new int[shape.length];
        for (int i = 0; i < g.length; i++) {
            result[p] = g[i];
            for (int k = shape.length - 1; k >= 0; k--) {
                p += dst[k];
                if (++index[k] < shape[k]) break;
                p -= dst[k] * shape[k];
                index[k] = 0;
            }
        }
        return result;
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

    /** Zeros of shape with g at index along axis, the index known at run time: the adjoint of take. */
    private static double[] put(double[] g, int[] shape, int axis, double index) {
        int n = shape[axis], i = position(index, n, axis), inner = 1, outer = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        for (int k = 0; k < axis; k++) outer *= shape[k];
        double[] out = new double[numel(shape)];
        for (int o = 0; o < outer; o++) System.arraycopy(g, o * inner, out, (o * n + i) * inner, inner);
        return out;
    }

    /** Copies row into row i of tape, whose rows have row.length elements: a loop's tape, filled in at the end of iteration i. */
    private static void setRow(double[] tape, int i, double[] row) {
        System.arraycopy(row, 0, tape, i * row.length, row.length);
    }

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
