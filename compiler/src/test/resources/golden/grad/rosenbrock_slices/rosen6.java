// The function `rosen6` and its gradient with respect to x, written by `tx grad --emit java` from rosenbrock_slices.tx.
// A comment `// line N` names the line of rosenbrock_slices.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code rosen6(x: [6]) -> []} from rosenbrock_slices.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #rosen6} returns the value, and {@link #rosen6_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class Rosen6Grad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[6]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #rosen6_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private Rosen6Grad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[] {6};
            default -> throw new IllegalArgumentException("`rosen6` has no parameter " + param);
        };
    }

    /** The value of {@code rosen6(x)}, one element. */
    public static double[] rosen6(double[] x) {
        check(x, 6, "x", "[6]");

        double[] t1 = slice(x, new int[] {6}, new int[] {1}, new int[] {6}, new int[] {1}); // line 5
        double[] t2 = slice(x, new int[] {6}, new int[] {0}, new int[] {5}, new int[] {1}); // line 5
        double[] t3 = new double[] {2.0};                                         // line 5
        double[] t4 = pow(t2, t3);                                                // line 5
        double[] t5 = sub(t1, t4);                                                // line 5
        double[] t6 = pow(t5, t3);                                                // line 5
        double[] t7 = new double[] {100.0};                                       // line 5
        double[] t8 = mul(t7, t6);                                                // line 5
        double[] t9 = new double[] {1.0};                                         // line 5
        double[] t10 = sub(t9, t2);                                               // line 5
        double[] t11 = pow(t10, t3);                                              // line 5
        double[] t12 = add(t8, t11);                                              // line 5
        double[] value = sum(t12);                                                // line 5
        return value;
    }

    /** The gradient of {@code rosen6(x)}: {@code {d_x}}. */
    public static double[][] rosen6_grad(double[] x) {
        check(x, 6, "x", "[6]");

        double[] t1 = slice(x, new int[] {6}, new int[] {1}, new int[] {6}, new int[] {1}); // line 5
        double[] t2 = slice(x, new int[] {6}, new int[] {0}, new int[] {5}, new int[] {1}); // line 5
        double[] t3 = new double[] {2.0};                                         // line 5
        double[] t4 = pow(t2, t3);                                                // line 5
        double[] t5 = sub(t1, t4);                                                // line 5
        double[] t9 = new double[] {1.0};                                         // line 5
        double[] t10 = sub(t9, t2);                                               // line 5

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t13 = mul(t3, t10);                                              // line 5
        double[] t14 = neg(t13);                                                  // line 5
        double[] t15 = fill(5, 100.0);                                            // line 5
        double[] t16 = mul(t3, t5);                                               // line 5
        double[] t17 = mul(t15, t16);                                             // line 5
        double[] t18 = neg(t17);                                                  // line 5
        double[] t19 = mul(t3, t2);                                               // line 5
        double[] t20 = mul(t18, t19);                                             // line 5
        double[] t21 = add(t14, t20);                                             // line 5
        double[] t22 = pad(t21, new int[] {5}, new int[] {6}, new int[] {0}, new int[] {1}); // line 5
        double[] t23 = pad(t17, new int[] {5}, new int[] {6}, new int[] {1}, new int[] {1}); // line 5
        double[] d_x = add(t22, t23);                                             // line 5
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

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
