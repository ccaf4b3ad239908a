// The function `bce` and its gradient with respect to w, written by `tx grad --emit java` from logistic_regression.tx.
// A comment `// line N` names the line of logistic_regression.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code bce(w: [3], b: [], X: [n, 3], y: [n]) -> []} from logistic_regression.tx, and its gradient
 * with respect to w.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #bce} returns the value, and {@link #bce_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = X.length / 3. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class BceGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"w", "b", "X", "y"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]", "[]", "[n, 3]", "[n]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #bce_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"w"};

    private BceGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("X", 4)} is {@code {4, 3}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "w" -> new int[] {3};
            case "b" -> new int[0];
            case "X" -> new int[] {n, 3};
            case "y" -> new int[] {n};
            default -> throw new IllegalArgumentException("`bce` has no parameter " + param);
        };
    }

    /** The value of {@code bce(w, b, X, y)}, one element. */
    public static double[] bce(double[] w, double[] b, double[] X, double[] y) {
        int n = X.length / 3;
        check(w, 3, "w", "[3]");
        check(b, 1, "b", "[]");
        check(X, 3 * n, "X", "[n, 3] with n = " + n);
        check(y, n, "y", "[n] with n = " + n);

        double[] t1 = w;                                                          // line 5 (reshape to [3, 1])
        double[] t2 = matmul(X, new int[] {n, 3}, false, t1, new int[] {3, 1}, false); // line 5
        double[] t3 = t2;                                                         // line 5 (reshape to [n])
        double[] t4 = add(t3, b);                                                 // line 5
        double[] s = sigmoid(t4);                                                 // line 5
        double[] t5 = log(s);                                                     // line 6
        double[] t6 = mul(y, t5);                                                 // line 6
        double[] t7 = new double[] {1.0};                                         // line 6
        double[] t8 = sub(t7, y);                                                 // line 6
        double[] t9 = sub(t7, s);                                                 // line 6
        double[] t10 = log(t9);                                                   // line 6
        double[] t11 = mul(t8, t10);                                              // line 6
        double[] t12 = add(t6, t11);                                              // line 6
        double[] t13 = sum(t12);                                                  // line 6
        double[] t14 = new double[] {n};                                          // line 6
        double[] t15 = div(t13, t14);                                             // line 6
        double[] value = neg(t15);                                                // line 6
        return value;
    }

    /** The gradient of {@code bce(w, b, X, y)}: {@code {d_w}}. */
    public static double[][] bce_grad(double[] w, double[] b, double[] X, double[] y) {
        int n = X.length / 3;
        check(w, 3, "w", "[3]");
        check(b, 1, "b", "[]");
        check(X, 3 * n, "X", "[n, 3] with n = " + n);
        check(y, n, "y", "[n] with n = " + n);

        double[] t1 = w;                                                          // line 5 (reshape to [3, 1])
        double[] t2 = matmul(X, new int[] {n, 3}, false, t1, new int[] {3, 1}, false); // line 5
        double[] t3 = t2;                                                         // line 5 (reshape to [n])
        double[] t4 = add(t3, b);                                                 // line 5
        double[] s = sigmoid(t4);                                                 // line 5
        double[] t7 = new double[] {1.0};                                         // line 6
        double[] t8 = sub(t7, y);                                                 // line 6
        double[] t9 = sub(t7, s);                                                 // line 6

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t16 = fill(1, -1.0 / n);                                         // line 6
        double[] t17 = mul(t16, t8);                                              // line 6
        double[] t18 = div(t17, t9);                                              // line 6
        double[] t19 = neg(t18);                                                  // line 6
        double[] t20 = mul(t16, y);                                               // line 6
        double[] t21 = div(t20, s);                                               // line 6
        double[] d_s = add(t19, t21);                                             // line 6
        double[] t22 = mul(d_s, t9);                                              // line 5
        double[] t23 = mul(t22, s);                                               // line 5
        double[] t24 = t23;                                                       // line 5 (reshape to [n, 1])
        double[] d_s_2 = matmul(X, new int[] {n, 3}, true, t24, new int[] {n, 1}, false); // line 5
        double[] d_w = d_s_2;                                                     // line 5 (reshape to [3])
        return new double[][] {d_w};
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

    /**
     * For each element t of the broadcast batch (row-major), the batch element it reads of a and of
     * b (batch axes aBatch and bBatch, broadcast to batch): {offsets into a, offsets into b}.
     */
    private static int[][] batchOffsets(int[] aBatch, int[] bBatch, int[] batch) {
        int[] sa = broadcastStrides(aBatch, batch), sb = broadcastStrides(bBatch, batch);
        int count = numel(batch);
        int[][] out = new int[2][count];
        int[] index = new int[batch.length];
        int pa = 0, pb = 0;
        for (int t = 0; t < count; t++) {
            out[0][t] = pa;
            out[1][t] = pb;
            for (int q = batch.length - 1; q >= 0; q--) {
                pa += sa[q];
                pb += sb[q];
                if (++index[q] < batch[q]) break;
                pa -= sa[q] * batch[q];
                pb -= sb[q] * batch[q];
                index[q] = 0;
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

    private static double[] log(double[] x) {
        return map(x, Math::log);
    }

    private static double[] sigmoid(double[] x) {
        return map(x, v -> v >= 0 ? 1 / (1 + StrictMath.exp(-v)) : StrictMath.exp(v) / (1 + StrictMath.exp(v)));
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

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /**
     * op(a) @ op(b), (..., n, k) @ (..., k, m), op swapping an operand's last two axes when its flag is
     * set (read in place, no copy); the batch axes broadcast; each product in i-k-j order.
     */
    private static double[] matmul(double[] a, int[] as, boolean ta, double[] b, int[] bs, boolean tb) {
        int ar = as[as.length - 2], ac = as[as.length - 1], br = bs[bs.length - 2], bc = bs[bs.length - 1];
        int n = ta ? ac : ar, k = ta ? ar : ac, m = tb ? br : bc;
        int ars = ta ? 1 : k, acs = ta ? n : 1, brs = tb ? 1 : m, bcs = tb ? k : 1; // A(i, p), B(p, j) in the stored layouts
        int[] aBatch = java.util.Arrays.copyOf(as, as.length - 2), bBatch = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcast(aBatch, bBatch);
        int[][] offsets = batchOffsets(aBatch, bBatch, batch);
        int count = numel(batch);
        double[] c = new double[count * n * m];
        for (int t = 0; t < count; t++) {
            int aOff = offsets[0][t] * n * k, bOff = offsets[1][t] * k * m, cOff = t * n * m;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * ars + p * acs];
                    for (int j = 0; j < m; j++) c[cOff + i * m + j] += aip * b[bOff + p * brs + j * bcs];
                }
            }
        }
        return c;
    }

    private static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
