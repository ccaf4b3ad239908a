// The function `attn` and its gradient with respect to q, written by `tx grad --emit java` from attention.tx.
// A comment `// line N` names the line of attention.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code attn(q: [2, 4], k: [5, 4], v: [5, 3], w: [2, 3]) -> []} from attention.tx, and its
 * gradient with respect to q.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #attn} returns the value, and {@link #attn_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class AttnGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"q", "k", "v", "w"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[2, 4]", "[5, 4]", "[5, 3]", "[2, 3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #attn_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"q"};

    private AttnGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "q" -> new int[] {2, 4};
            case "k" -> new int[] {5, 4};
            case "v" -> new int[] {5, 3};
            case "w" -> new int[] {2, 3};
            default -> throw new IllegalArgumentException("`attn` has no parameter " + param);
        };
    }

    /** The value of {@code attn(q, k, v, w)}, one element. */
    public static double[] attn(double[] q, double[] k, double[] v, double[] w) {
        check(q, 8, "q", "[2, 4]");
        check(k, 20, "k", "[5, 4]");
        check(v, 15, "v", "[5, 3]");
        check(w, 6, "w", "[2, 3]");

        double[] t1 = matmul(q, new int[] {2, 4}, false, k, new int[] {5, 4}, true); // line 6
        double[] t2 = new double[] {2.0};                                         // line 6
        double[] t3 = div(t1, t2);                                                // line 6
        double[] t4 = max(t3, new int[] {2, 5}, new int[] {1});                   // line 6
        double[] t5 = t4;                                                         // line 6 (detach)
        double[] t6 = sub(t3, new int[] {2, 5}, t5, new int[] {2, 1});            // line 6
        double[] t7 = exp(t6);                                                    // line 6
        double[] t8 = sum(t7, new int[] {2, 5}, new int[] {1});                   // line 6
        double[] a = div(t7, new int[] {2, 5}, t8, new int[] {2, 1});             // line 6
        double[] t9 = matmul(a, new int[] {2, 5}, false, v, new int[] {5, 3}, false); // line 7
        double[] t10 = mul(t9, w);                                                // line 7
        double[] value = sum(t10);                                                // line 7
        return value;
    }

    /** The gradient of {@code attn(q, k, v, w)}: {@code {d_q}}. */
    public static double[][] attn_grad(double[] q, double[] k, double[] v, double[] w) {
        check(q, 8, "q", "[2, 4]");
        check(k, 20, "k", "[5, 4]");
        check(v, 15, "v", "[5, 3]");
        check(w, 6, "w", "[2, 3]");

        double[] t1 = matmul(q, new int[] {2, 4}, false, k, new int[] {5, 4}, true); // line 6
        double[] t2 = new double[] {2.0};                                         // line 6
        double[] t3 = div(t1, t2);                                                // line 6
        double[] t4 = max(t3, new int[] {2, 5}, new int[] {1});                   // line 6
        double[] t5 = t4;                                                         // line 6 (detach)
        double[] t6 = sub(t3, new int[] {2, 5}, t5, new int[] {2, 1});            // line 6
        double[] t7 = exp(t6);                                                    // line 6
        double[] t8 = sum(t7, new int[] {2, 5}, new int[] {1});                   // line 6
        double[] a = div(t7, new int[] {2, 5}, t8, new int[] {2, 1});             // line 6

        // the adjoint program: each line ends with the line its primal operation came from
        double[] d_a = matmul(w, new int[] {2, 3}, false, v, new int[] {5, 3}, true); // line 7
        double[] t11 = div(d_a, new int[] {2, 5}, t8, new int[] {2, 1});          // line 6
        double[] t12 = mul(d_a, a);                                               // line 6
        double[] t13 = div(t12, new int[] {2, 5}, t8, new int[] {2, 1});          // line 6
        double[] t14 = neg(t13);                                                  // line 6
        double[] t15 = sum(t14, new int[] {2, 5}, new int[] {1});                 // line 6
        double[] t16 = add(t11, new int[] {2, 5}, t15, new int[] {2, 1});         // line 6
        double[] t17 = mul(t16, t7);                                              // line 6
        double[] d_a_2 = div(t17, t2);                                            // line 6
        double[] d_q = matmul(d_a_2, new int[] {2, 5}, false, k, new int[] {5, 4}, false); // line 6
        return new double[][] {d_q};
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

    private static double[] add(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
    }

    private static double[] div(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x / y);
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
