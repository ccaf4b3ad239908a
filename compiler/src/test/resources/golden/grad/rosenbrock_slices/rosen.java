// The function `rosen` and its gradient with respect to x, written by `tx grad --emit java` from rosenbrock_slices.tx.
// A comment `// line N` names the line of rosenbrock_slices.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code rosen(x: [n]) -> []} from rosenbrock_slices.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #rosen} returns the value, and {@link #rosen_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = x.length. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class RosenGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #rosen_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private RosenGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("x", 4)} is {@code {4}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "x" -> new int[] {n};
            default -> throw new IllegalArgumentException("`rosen` has no parameter " + param);
        };
    }

    /** The value of {@code rosen(x)}, one element. */
    public static double[] rosen(double[] x) {
        int n = x.length;

        double[] t1 = slice(x, new int[] {n}, new int[] {1}, new int[] {n}, new int[] {1}); // line 5
        double[] t2 = slice(x, new int[] {n}, new int[] {0}, new int[] {n - 1}, new int[] {1}); // line 5
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

    /** The gradient of {@code rosen(x)}: {@code {d_x}}. */
    public static double[][] rosen_grad(double[] x) {
        int n = x.length;

        double[] t1 = slice(x, new int[] {n}, new int[] {1}, new int[] {n}, new int[] {1}); // line 5
        double[] t2 = slice(x, new int[] {n}, new int[] {0}, new int[] {n - 1}, new int[] {1}); // line 5
        double[] t3 = new double[] {2.0};                                         // line 5
        double[] t4 = pow(t2, t3);                                                // line 5
        double[] t5 = sub(t1, t4);                                                // line 5
        double[] t7 = new double[] {100.0};                                       // line 5
        double[] t9 = new double[] {1.0};                                         // line 5
        double[] t10 = sub(t9, t2);                                               // line 5

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t13 = new double[] {1.0};                                        // line 5
        double[] t14 = expand(t13, new int[] {1}, new int[] {n - 1});             // line 5
        double[] t15 = mul(t3, t10);                                              // line 5
        double[] t16 = neg(t15);                                                  // line 5
        double[] t17 = mul(t14, t7);                                              // line 5
        double[] t18 = mul(t3, t5);                                               // line 5
        double[] t19 = mul(t17, t18);                                             // line 5
        double[] t20 = neg(t19);                                                  // line 5
        double[] t21 = mul(t3, t2);                                               // line 5
        double[] t22 = mul(t20, t21);                                             // line 5
        double[] t23 = add(t16, t22);                                             // line 5
        double[] t24 = pad(t23, new int[] {n - 1}, new int[] {n}, new int[] {0}, new int[] {1}); // line 5
        double[] t25 = pad(t19, new int[] {n - 1}, new int[] {n}, new int[] {1}, new int[] {1}); // line 5
        double[] d_x = add(t24, t25);                                             // line 5
        return new double[][] {d_x};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

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

    /** Strides for reading a tensor of shape as if broadcast to out: 0 on missing and size-1 axes. */
    private static int[] broadcastStrides(int[] shape, int[] out) {
        int lead = out.length - shape.length;
        int[] own = strides(shape), s = new int[out.length];
        for (int i = 0; i < shape.length; i++) if (shape[i] == out[lead + i]) s[lead + i] = own[i];
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

    /** x (of shape) broadcast to out: size-1 axes repeated, axes added on the left. */
    private static double[] expand(double[] x, int[] shape, int[] out) {
        return gather(x, 0, broadcastStrides(shape, out), out);
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
}
