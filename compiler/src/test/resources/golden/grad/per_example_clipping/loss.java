// The function `loss` and its gradient with respect to W, written by `tx grad --emit java` from per_example_clipping.tx.
// A comment `// line N` names the line of per_example_clipping.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code loss(W: [2, 4], b: [2], x: [4], y: [2]) -> []} from per_example_clipping.tx, and its
 * gradient with respect to W.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #loss} returns the value, and {@link #loss_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class LossGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"W", "b", "x", "y"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[2, 4]", "[2]", "[4]", "[2]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #loss_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"W"};

    private LossGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "W" -> new int[] {2, 4};
            case "b" -> new int[] {2};
            case "x" -> new int[] {4};
            case "y" -> new int[] {2};
            default -> throw new IllegalArgumentException("`loss` has no parameter " + param);
        };
    }

    /** The value of {@code loss(W, b, x, y)}, one element. */
    public static double[] loss(double[] W, double[] b, double[] x, double[] y) {
        check(W, 8, "W", "[2, 4]");
        check(b, 2, "b", "[2]");
        check(x, 4, "x", "[4]");
        check(y, 2, "y", "[2]");

        double[] t1 = x;                                                          // line 7 (reshape to [4, 1])
        double[] t2 = matmul(W, new int[] {2, 4}, false, t1, new int[] {4, 1}, false); // line 7
        double[] t3 = t2;                                                         // line 7 (reshape to [2])
        double[] logits = add(t3, b);                                             // line 7
        double[] t4 = max(logits);                                                // line 8
        double[] t5 = t4;                                                         // line 8 (detach)
        double[] t6 = sub(logits, t5);                                            // line 8
        double[] t7 = exp(t6);                                                    // line 8
        double[] t8 = sum(t7);                                                    // line 8
        double[] t9 = log(t8);                                                    // line 8
        double[] t10 = sub(t6, t9);                                               // line 8
        double[] t11 = mul(y, t10);                                               // line 8
        double[] t12 = sum(t11);                                                  // line 8
        double[] value = neg(t12);                                                // line 8
        return value;
    }

    /** The gradient of {@code loss(W, b, x, y)}: {@code {d_W}}. */
    public static double[][] loss_grad(double[] W, double[] b, double[] x, double[] y) {
        check(W, 8, "W", "[2, 4]");
        check(b, 2, "b", "[2]");
        check(x, 4, "x", "[4]");
        check(y, 2, "y", "[2]");

        double[] t1 = x;                                                          // line 7 (reshape to [4, 1])
        double[] t2 = matmul(W, new int[] {2, 4}, false, t1, new int[] {4, 1}, false); // line 7
        double[] t3 = t2;                                                         // line 7 (reshape to [2])
        double[] logits = add(t3, b);                                             // line 7
        double[] t4 = max(logits);                                                // line 8
        double[] t5 = t4;                                                         // line 8 (detach)
        double[] t6 = sub(logits, t5);                                            // line 8
        double[] t7 = exp(t6);                                                    // line 8
        double[] t8 = sum(t7);                                                    // line 8

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t13 = new double[] {-1.0};                                       // line 8
        double[] t14 = mul(t13, y);                                               // line 8
        double[] t15 = neg(t14);                                                  // line 8
        double[] t16 = sum(t15);                                                  // line 8
        double[] t17 = div(t16, t8);                                              // line 8
        double[] t18 = mul(t17, t7);                                              // line 8
        double[] t19 = add(t14, t18);                                             // line 8
        double[] d_logits = t19;                                                  // line 7 (reshape to [2, 1])
        double[] d_W = matmul(d_logits, new int[] {2, 1}, false, t1, new int[] {4, 1}, true); // line 7
        return new double[][] {d_W};
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

    private static double[] exp(double[] x) {
        return map(x, Math::exp);
    }

    private static double[] log(double[] x) {
        return map(x, Math::log);
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

    /** The maximum (NaN if there is one) of all of x's elements, in order. */
    private static double[] max(double[] x) {
        if (x.length == 0) throw new IllegalArgumentException("max of no elements");
        double acc = Double.NEGATIVE_INFINITY;
        for (double v : x) acc = Math.max(acc, v);
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
}
