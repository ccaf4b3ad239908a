// The function `bil` and its gradient with respect to x, written by `tx grad --emit java` from einsum_bilinear.tx.
// A comment `// line N` names the line of einsum_bilinear.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;

/**
 * {@code bil(x: [n, 3], w: [3, 4], y: [n, 4]) -> []} from einsum_bilinear.tx, and its gradient with
 * respect to x.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #bil} returns the value, and {@link #bil_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>The named dimension is read from the arguments' lengths: n = x.length / 3. An argument whose
 * length does not fit its shape is an IllegalArgumentException.
 */
public final class BilGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"x", "w", "y"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[n, 3]", "[3, 4]", "[n, 4]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {"n"};
    /** The parameters {@link #bil_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"x"};

    private BilGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}: {@code shape("x", 4)} is {@code {4, 3}}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 1) throw new IllegalArgumentException("shape takes 1 size, of n, not " + dims.length);
        int n = dims[0];
        return switch (param) {
            case "x" -> new int[] {n, 3};
            case "w" -> new int[] {3, 4};
            case "y" -> new int[] {n, 4};
            default -> throw new IllegalArgumentException("`bil` has no parameter " + param);
        };
    }

    /** The value of {@code bil(x, w, y)}, one element. */
    public static double[] bil(double[] x, double[] w, double[] y) {
        int n = x.length / 3;
        check(x, 3 * n, "x", "[n, 3] with n = " + n);
        check(w, 12, "w", "[3, 4]");
        check(y, 4 * n, "y", "[n, 4] with n = " + n);

        double[] t1 = matmul(x, new int[] {n, 3}, false, w, new int[] {3, 4}, false); // line 6
        double[] t2 = t1;                                                         // line 6 (reshape to [1, 4 * n])
        double[] t3 = y;                                                          // line 6 (reshape to [4 * n, 1])
        double[] t4 = matmul(t2, new int[] {1, 4 * n}, false, t3, new int[] {4 * n, 1}, false); // line 6
        double[] t5 = t4;                                                         // line 6 (reshape to [])
        double[] t6 = slice(w, new int[] {3, 4}, new int[] {0, 0}, new int[] {3, 3}, new int[] {1, 1}); // line 6
        double[] t7 = t6;                                                         // line 6 (reshape to [9])
        double[] t8 = slice(t7, new int[] {9}, new int[] {0}, new int[] {9}, new int[] {4}); // line 6
        double[] t9 = sum(t8);                                                    // line 6
        double[] value = add(t5, t9);                                             // line 6
        return value;
    }

    /** The gradient of {@code bil(x, w, y)}: {@code {d_x}}. */
    public static double[][] bil_grad(double[] x, double[] w, double[] y) {
        int n = x.length / 3;
        check(x, 3 * n, "x", "[n, 3] with n = " + n);
        check(w, 12, "w", "[3, 4]");
        check(y, 4 * n, "y", "[n, 4] with n = " + n);

        double[] t3 = y;                                                          // line 6 (reshape to [4 * n, 1])

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t10 = new double[] {1.0};                                        // line 6
        double[] t11 = matmul(t10, new int[] {1, 1}, false, t3, new int[] {4 * n, 1}, true); // line 6
        double[] t12 = t11;                                                       // line 6 (reshape to [n, 4])
        double[] d_x = matmul(t12, new int[] {n, 4}, false, w, new int[] {3, 4}, true); // line 6
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
