// The function `layer` and its gradient with respect to W, written by `tx grad --emit java` from mlp_layer.tx.
// A comment `// line N` names the line of mlp_layer.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code layer(W: [3, 4], b: [4], x: [5, 3], c: [5, 4]) -> []} from mlp_layer.tx, and its gradient
 * with respect to W.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #layer} returns the value, and {@link #layer_grad} the gradients in the order of {@link
 * #WRT}, each of its parameter's shape. The arrays returned are new; the arguments are never
 * modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException.
 */
public final class LayerGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"W", "b", "x", "c"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3, 4]", "[4]", "[5, 3]", "[5, 4]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #layer_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"W"};

    private LayerGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "W" -> new int[] {3, 4};
            case "b" -> new int[] {4};
            case "x" -> new int[] {5, 3};
            case "c" -> new int[] {5, 4};
            default -> throw new IllegalArgumentException("`layer` has no parameter " + param);
        };
    }

    /** The value of {@code layer(W, b, x, c)}, one element. */
    public static double[] layer(double[] W, double[] b, double[] x, double[] c) {
        check(W, 12, "W", "[3, 4]");
        check(b, 4, "b", "[4]");
        check(x, 15, "x", "[5, 3]");
        check(c, 20, "c", "[5, 4]");

        double[] t1 = matmul(x, new int[] {5, 3}, false, W, new int[] {3, 4}, false); // line 5
        double[] t2 = add(t1, new int[] {5, 4}, b, new int[] {4});                // line 5
        double[] h = tanh(t2);                                                    // line 5
        double[] t3 = mul(h, c);                                                  // line 6
        double[] value = sum(t3);                                                 // line 6
        return value;
    }

    /** The gradient of {@code layer(W, b, x, c)}: {@code {d_W}}. */
    public static double[][] layer_grad(double[] W, double[] b, double[] x, double[] c) {
        check(W, 12, "W", "[3, 4]");
        check(b, 4, "b", "[4]");
        check(x, 15, "x", "[5, 3]");
        check(c, 20, "c", "[5, 4]");

        double[] t1 = matmul(x, new int[] {5, 3}, false, W, new int[] {3, 4}, false); // line 5
        double[] t2 = add(t1, new int[] {5, 4}, b, new int[] {4});                // line 5
        double[] h = tanh(t2);                                                    // line 5

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t4 = new double[] {1.0};                                         // line 5
        double[] t5 = mul(h, h);                                                  // line 5
        double[] t6 = sub(t4, t5);                                                // line 5
        double[] d_h = mul(c, t6);                                                // line 5
        double[] d_W = matmul(x, new int[] {5, 3}, true, d_h, new int[] {5, 4}, false); // line 5
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

    private static double[] tanh(double[] x) {
        return map(x, Math::tanh);
    }

    private static double[] add(double[] a, int[] as, double[] b, int[] bs) {
        return zip(a, as, b, bs, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
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
}
