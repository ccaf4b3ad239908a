package tx.runtime.kernels;

import java.util.Arrays;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/** Matrix products. */
public final class LinAlg {
    private LinAlg() {}

    /**
     * {@code (..., n, k) @ (..., k, m) -> (..., n, m)}, both operands of rank at least 2, with the
     * batch axes (all but the last two) broadcast NumPy-style.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        int[] as = a.shapeRef(), bs = b.shapeRef();
        if (as.length < 2 || bs.length < 2 || as[as.length - 1] != bs[bs.length - 2]) {
            throw new IllegalArgumentException("cannot matmul " + Shapes.show(as) + " by " + Shapes.show(bs));
        }
        int n = as[as.length - 2], k = as[as.length - 1], m = bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shapes.broadcast(aBatch, bBatch);
        if (batch == null) {
            throw new IllegalArgumentException("matmul batch shapes " + Shapes.show(aBatch) + " and "
                    + Shapes.show(bBatch) + " do not broadcast");
        }
        double[] out = new double[Shapes.numel(Shapes.concat(batch, new int[] {n, m}))];
        int[] aStrides = scaled(Shaping.broadcastStrides(aBatch, batch), n * k);
        int[] bStrides = scaled(Shaping.broadcastStrides(bBatch, batch), k * m);
        Shaping.Walk w = new Shaping.Walk(batch, aStrides, bStrides);
        int batches = Shapes.numel(batch), len = w.rowLength;
        for (int i = 0; i < batches; i += len, w.nextRow()) {
            for (int j = 0; j < len; j++) {
                multiplyInto(a.data(), w.offset[0] + j * w.step[0], b.data(), w.offset[1] + j * w.step[1],
                        out, (i + j) * n * m, n, k, m);
            }
        }
        return Tensor.of(Shapes.concat(batch, new int[] {n, m}), out);
    }

    /**
     * {@code c[n×m] += a[n×k] · b[k×m]}, each matrix row-major at its offset. The i-k-j loop order
     * streams contiguous rows of b and c in the inner loop.
     */
    private static void multiplyInto(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                     int n, int k, int m) {
        int rows = blockRows(k, m);
        for (int i = 0; i < n; i += rows) {
            Limits.checkTime(); // a long product stops at its --timeout between blocks of rows
            int r = Math.min(rows, n - i);
            multiplyRows(a, aOff + i * k, b, bOff, c, cOff + i * m, r, k, m);
        }
    }

    /**
     * Rows per block between checks of the deadline: about 2^24 multiply-adds (a few milliseconds),
     * a multiple of 4 (the vector kernel takes four rows at a time). NOTE: each element of c is
     * one row of a times b, summed in the same order whatever the blocks, so the results are identical.
     */
    static int blockRows(int k, int m) {
        long perRow = Math.max(1L, (long) k * m);
        long rows = Math.max(1L, (1L << 24) / perRow);
        return (int) Math.min(Integer.MAX_VALUE - 3, (rows + 3) / 4 * 4);
    }

    /** {@code c[n×m] += a[n×k] · b[k×m]}, one block of rows. */
    private static void multiplyRows(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                     int n, int k, int m) {
        if (Vectorized.AVAILABLE && Vectorized.multiply(a, aOff, b, bOff, c, cOff, n, k, m)) return; // the same sums, in SIMD
        for (int i = 0; i < n; i++) {
            int cRow = cOff + i * m;
            int aRow = aOff + i * k;
            for (int p = 0; p < k; p++) {
                // NOTE: no shortcut for a zero a[i,p]: 0 · NaN and 0 · inf must still give NaN.
                double aip = a[aRow + p];
                int bRow = bOff + p * m;
                for (int j = 0; j < m; j++) c[cRow + j] += aip * b[bRow + j];
            }
        }
    }

    private static int[] scaled(int[] strides, int factor) {
        for (int i = 0; i < strides.length; i++) strides[i] *= factor;
        return strides;
    }
}
