// The function `classify` and its gradient with respect to x, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code classify(x: [2, 3], y: [2]) -> []} from checks.tx, and its gradient with respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #classify} returns the value, and {@link #classify_grad} the gradients in the order of
 * {@link #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException. So is a failed
 * check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class ClassifyGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x", "y"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[2, 3]", "[2]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #classify_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private ClassifyGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "x" -> new int[] {2, 3};
            case "y" -> new int[] {2};
            default -> throw new IllegalArgumentException("`classify` has no parameter " + param);
        };
    }

    /** The value of {@code classify(x, y)}, one element. */
    public static double[] classify(double[] x, double[] y) {
        check(x, 6, "x", "[2, 3]");
        check(y, 2, "y", "[2]");

        double[] t1 = cast(y, 1);                                                 // line 40
        double[] t2 = new double[] {0.0};                                         // line 40
        double[] t3 = lt(t1, t2);                                                 // line 40
        double[] t4 = new double[] {3.0};                                         // line 40
        double[] t5 = ge(t1, t4);                                                 // line 40
        double[] t6 = bitwise_or(t3, t5);                                         // line 40
        double[] t7 = new double[] {-100.0};                                      // line 40
        double[] t8 = ne(t1, t7);                                                 // line 40
        double[] t9 = bitwise_and(t6, t8);                                        // line 40
        double[] t10 = cast(t9, 1);                                               // line 40
        double[] t11 = sum(t10);                                                  // line 40
        double[] t12 = eq(t11, t2);                                               // line 40
        if (t12[0] == 0.0) {                                                      // line 40
            double[] t13 = cast(t9, 0);                                           // line 40
            double[] t14 = argmax(t13, new int[] {2}, 0);                         // line 40
            double[] t15 = take(t1, new int[] {2}, 0, t14[0]);                    // line 40
            throw new IllegalArgumentException("Target " + (long) t15[0] + " is out of bounds."); // line 40
        }
        double[] t16 = max(x, new int[] {2, 3}, new int[] {1});                   // line 40
        double[] t17 = t16;                                                       // line 40 (detach)
        double[] t18 = sub(x, new int[] {2, 3}, t17, new int[] {2, 1});           // line 40
        double[] t19 = exp(t18);                                                  // line 40
        double[] t20 = sum(t19, new int[] {2, 3}, new int[] {1});                 // line 40
        double[] t21 = log(t20);                                                  // line 40
        double[] t22 = sub(t18, new int[] {2, 3}, t21, new int[] {2, 1});         // line 40
        double[] t23 = t1;                                                        // line 40 (reshape to [2, 1])
        double[] t24 = new double[] {-100.0};                                     // line 40
        double[] t25 = ne(t23, t24);                                              // line 40
        double[] t26 = new double[] {0.0, 1.0, 2.0};                              // line 40
        double[] t27 = eq(t23, new int[] {2, 1}, t26, new int[] {3});             // line 40
        double[] t28 = new double[1];                                             // line 40
        double[] t29 = where(t25, new int[] {2, 1}, t27, new int[] {2, 3}, t28, new int[0]); // line 40
        double[] t30 = new double[] {0.0};                                        // line 40
        double[] t31 = neg(t22);                                                  // line 40
        double[] t32 = where(t29, t31, t30);                                      // line 40
        double[] t33 = sum(t32, new int[] {2, 3}, new int[] {1});                 // line 40
        double[] t34 = new double[] {1.0};                                        // line 40
        double[] t35 = where(t25, t34, t30);                                      // line 40
        double[] t36 = sum(t33);                                                  // line 40
        double[] t37 = sum(t35);                                                  // line 40
        double[] value = div(t36, t37);                                           // line 40
        return value;
    }

    /** The gradient of {@code classify(x, y)}: {@code {d_x}}. */
    public static double[][] classify_grad(double[] x, double[] y) {
        check(x, 6, "x", "[2, 3]");
        check(y, 2, "y", "[2]");

        double[] t1 = cast(y, 1);                                                 // line 40
        double[] t2 = new double[] {0.0};                                         // line 40
        double[] t3 = lt(t1, t2);                                                 // line 40
        double[] t4 = new double[] {3.0};                                         // line 40
        double[] t5 = ge(t1, t4);                                                 // line 40
        double[] t6 = bitwise_or(t3, t5);                                         // line 40
        double[] t7 = new double[] {-100.0};                                      // line 40
        double[] t8 = ne(t1, t7);                                                 // line 40
        double[] t9 = bitwise_and(t6, t8);                                        // line 40
        double[] t10 = cast(t9, 1);                                               // line 40
        double[] t11 = sum(t10);                                                  // line 40
        double[] t12 = eq(t11, t2);                                               // line 40
        if (t12[0] == 0.0) {                                                      // line 40
            double[] t13 = cast(t9, 0);                                           // line 40
            double[] t14 = argmax(t13, new int[] {2}, 0);                         // line 40
            double[] t15 = take(t1, new int[] {2}, 0, t14[0]);                    // line 40
            throw new IllegalArgumentException("Target " + (long) t15[0] + " is out of bounds."); // line 40
        }
        double[] t16 = max(x, new int[] {2, 3}, new int[] {1});                   // line 40
        double[] t17 = t16;                                                       // line 40 (detach)
        double[] t18 = sub(x, new int[] {2, 3}, t17, new int[] {2, 1});           // line 40
        double[] t19 = exp(t18);                                                  // line 40
        double[] t20 = sum(t19, new int[] {2, 3}, new int[] {1});                 // line 40
        double[] t23 = t1;                                                        // line 40 (reshape to [2, 1])
        double[] t24 = new double[] {-100.0};                                     // line 40
        double[] t25 = ne(t23, t24);                                              // line 40
        double[] t26 = new double[] {0.0, 1.0, 2.0};                              // line 40
        double[] t27 = eq(t23, new int[] {2, 1}, t26, new int[] {3});             // line 40
        double[] t28 = new double[1];                                             // line 40
        double[] t29 = where(t25, new int[] {2, 1}, t27, new int[] {2, 3}, t28, new int[0]); // line 40
        double[] t30 = new double[] {0.0};                                        // line 40
        double[] t34 = new double[] {1.0};                                        // line 40
        double[] t35 = where(t25, t34, t30);                                      // line 40
        double[] t37 = sum(t35);                                                  // line 40
        double[] t38 = fill(1, 1.0);

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t39 = div(t38, t37);                                             // line 40
        double[] t40 = t39;                                                       // line 40 (reshape to [1])
        double[] t41 = expand(t40, new int[] {1}, new int[] {2});                 // line 40
        double[] t42 = t41;                                                       // line 40 (reshape to [2, 1])
        double[] t43 = where(t29, new int[] {2, 3}, t42, new int[] {2, 1}, t30, new int[0]); // line 40
        double[] t44 = neg(t43);                                                  // line 40
        double[] t45 = where(t29, t44, t30);                                      // line 40
        double[] t46 = neg(t45);                                                  // line 40
        double[] t47 = where(t29, t46, t30);                                      // line 40
        double[] t48 = ne(t29, t30);                                              // line 40
        double[] t49 = sum(t48, new int[] {2, 3}, new int[] {1});                 // line 40
        double[] t50 = gt(t49, t30);                                              // line 40
        double[] t51 = sum(t47, new int[] {2, 3}, new int[] {1});                 // line 40
        double[] t52 = div(t51, t20);                                             // line 40
        double[] t53 = where(t50, t52, t30);                                      // line 40
        double[] t54 = mul(t53, new int[] {2, 1}, t19, new int[] {2, 3});         // line 40
        double[] d_x = add(t45, t54);                                             // line 40
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

    /** NumPy broadcasting of two shapes. */
    private static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("shapes do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
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

    /** f of a and b (of shapes as and bs) broadcast together. */
    private static double[] zip(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] shape = broadcast(as, bs);
        int[] sa = broadcastStrides(as, shape), sb = broadcastStrides(bs, shape);
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int pa = 0, pb = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(a[pa], b[pb]);
            for (int k = shape.length - 1; k >= 0; k--) {
                pa += sa[k];
                pb += sb[k];
                if (++index[k] < shape[k]) break;
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    private static double[] neg(double[] x) {
        return map(x, v -> -v);
    }

    private static double[] exp(double[] x) {
        return map(x, Math::exp);
    }

    private static double[] log(double[] x) {
        return map(x, Math::log);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x * y);
    }

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
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

    private static double[] eq(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x == y ? 1.0 : 0.0);
    }

    private static double[] eq(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x == y ? 1.0 : 0.0);
    }

    private static double[] ne(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x != y ? 1.0 : 0.0);
    }

    private static double[] bitwise_and(double[] a, double[] b) {
        return zip(a, b, (x, y) -> (double) ((long) x & (long) y));
    }

    private static double[] bitwise_or(double[] a, double[] b) {
        return zip(a, b, (x, y) -> (double) ((long) x | (long) y));
    }

    /** a where c is not 0 (NaN counts as true), b elsewhere: all of one shape, or single values. */
    private static double[] where(double[] c, double[] a, double[] b) {
        double[] out = new double[c.length != 1 ? c.length : a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[c.length == 1 ? 0 : i] != 0.0 ? a[a.length == 1 ? 0 : i] : b[b.length == 1 ? 0 : i];
        }
        return out;
    }

    /** a where c is not 0 (NaN counts as true), b elsewhere, the three broadcast together. */
    private static double[] where(double[] c, int[] cs, double[] a, int[] as, double[] b, int[] bs) {
        int[] shape = broadcast(broadcast(cs, as), bs);
        int[] sc = broadcastStrides(cs, shape), sa = broadcastStrides(as, shape), sb = broadcastStrides(bs, shape);
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int pc = 0, pa = 0, pb = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = c[pc] != 0.0 ? a[pa] : b[pb];
            for (int k = shape.length - 1; k >= 0; k--) {
                pc += sc[k];
                pa += sa[k];
                pb += sb[k];
                if (++index[k] < shape[k]) break;
                pc -= sc[k] * shape[k];
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    /**
     * Folds each group of x (the elements that share their coordinates on the axes kept) with op from
     * init, in one row-major pass over x: the order in which tx's interpreter adds.
     */
    private static double[] fold(double[] x, int[] shape, int[] axes, double init, DoubleBinaryOperator op) {
        int[] kept = shape.clone();
        for (int a : axes) kept[a] = 1;
        int[] s = strides(kept);
        for (int a : axes) s[a] = 0;
        double[] out = new double[numel(kept)];
        java.util.Arrays.fill(out, init);
        int[] index = new int[shape.length];
        int p = 0;
        for (int i = 0; i < x.length; i++) {
            out[p] = op.applyAsDouble(out[p], x[i]);
            for (int k = shape.length - 1; k >= 0; k--) {
                p += s[k];
                if (++index[k] < shape[k]) break;
                p -= s[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /** The sum of x (of shape) over axes. */
    private static double[] sum(double[] x, int[] shape, int[] axes) {
        return fold(x, shape, axes, 0.0, (acc, v) -> acc + v);
    }

    /** The maximum (NaN if there is one) of x (of shape) over axes. */
    private static double[] max(double[] x, int[] shape, int[] axes) {
        for (int a : axes) if (shape[a] == 0) throw new IllegalArgumentException("max over an axis of size 0");
        return fold(x, shape, axes, Double.NEGATIVE_INFINITY, (acc, v) -> Math.max(acc, v));
    }

    /** x (of shape) broadcast to out: size-1 axes repeated, axes added on the left. */
    private static double[] expand(double[] x, int[] shape, int[] out) {
        return gather(x, 0, broadcastStrides(shape, out), out);
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

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }

    /**
     * x as int64 (to 1) or bool (to 2), held as doubles: int64 truncates toward zero (nan and
     * values out of range give -2^63, as PyTorch's conversion on x86), bool is x != 0 (nan is true).
     */
    private static double[] cast(double[] x, int to) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = to == 2 ? (v != 0 ? 1 : 0)
                    : Double.isNaN(v) || v >= 0x1p63 || v < -0x1p63 ? -0x1p63 : (v < 0 ? Math.ceil(v) : Math.floor(v)) + 0.0;
        }
        return out;
    }

    /**
     * The position of the first maximum along axis of x (of shape), the axis removed, as torch.argmax:
     * the first of equal maxima, and the first nan if there is one.
     */
    private static double[] argmax(double[] x, int[] shape, int axis) {
        int n = shape[axis], inner = 1, outer = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
                int best = 0;
                double m = x[o * n * inner + k];
                for (int i = 1; i < n && !Double.isNaN(m); i++) {
                    double c = x[(o * n + i) * inner + k];
                    if (c > m || Double.isNaN(c)) {
                        m = c;
                        best = i;
                    }
                }
                out[o * inner + k] = best;
            }
        }
        return out;
    }
}
