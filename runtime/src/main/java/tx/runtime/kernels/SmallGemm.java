package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.MR;
import static tx.runtime.kernels.Gemm.W;
import static tx.runtime.kernels.OffsetKernels.kernel;
import static tx.runtime.kernels.OffsetKernels.rowsAt;

/**
 * {@link Gemm}'s products that its packing serves badly, on {@link OffsetKernels}' register blocks
 * (4 rows by 4 vectors of columns):
 * <ul>
 *   <li>a short k (ADBench's GMM multiplies 25 matrices of 10 x 10 by 10 x 1000): B is read in
 *   place, A as it lies (or copied row by row when its rows are not contiguous: n · k numbers),
 *   where the packing copied all of B for a few steps per element, and ran the last rows of a
 *   panel through a tile of 8 rows;</li>
 *   <li>a long k with few rows and columns (the GMM's gradient with respect to its matrices, 25 of
 *   10 x 1000 times 1000 x 10, B transposed): B laid out once as k rows of whole vectors, A read in
 *   place, C through a buffer of whole vectors, where the blocked GEMM packed both in blocks of
 *   256 steps, ran the last 2 rows of 10 as a panel of 8 and the last 2 columns in a kernel of
 *   its own.</li>
 * </ul>
 * NOTE: every element of C is still summed in order over p = 0 .. k-1 from C's value, with the
 * mode's step, so the bits are the blocked GEMM's (and the textbook loop's).
 */
final class SmallGemm {
    private SmallGemm() {}

    /** The longest k the short path takes: its steps re-read B once per 4 rows, from the cache. */
    static final int SHORT_K = 16;

    /**
     * Whether {@link #shortK} takes the product: k short, B's rows contiguous, at least a vector of
     * columns, a panel of rows but fewer than two (fewer take {@link Gemm}'s fewRows). NOTE: with
     * more rows the packing pays for itself: 32 x 10 x 1000 took 27 us packed, 33 here; 16 rows
     * were even (22 us), 10 rows faster here (25 products of 10 x 10 x 1000: 450 -> 320 us).
     */
    static boolean shortK(int n, int k, int m, int bcs) {
        return k <= SHORT_K && bcs == 1 && m >= W && n >= MR && n < 2 * MR;
    }

    /** C[n×m] += A·B (strides as {@link Gemm#multiply}, B's columns contiguous), when {@link #shortK}. */
    static void shortK(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, double[] c, int cOff, int n, int k, int m, boolean fused) {
        double[] ar = a;
        int ao = aOff, rs = ars;
        if (acs != 1) { // A's rows made contiguous: n · k numbers, against n · k · m steps
            ar = new double[n * k];
            for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) ar[i * k + p] = a[aOff + i * ars + p * acs];
            ao = 0;
            rs = k;
        }
        int nv = m / W;
        int[] off = new int[k], xs = new int[nv];
        for (int p = 0; p < k; p++) off[p] = p * brs;
        for (int v = 0; v < nv; v++) xs[v] = v * W;
        double[] aRows = ar;
        int aBase = ao, aStride = rs, groups = (nv + 3) / 4, perTask = 16;
        boolean share = (long) n * k * m >= (1L << 18); // NOTE: below this a second thread costs more than it saves
        Parallel.run(share ? (groups + perTask - 1) / perTask : 1, t -> { // each task its own columns, all rows
            Limits.checkTime();
            int g0 = share ? t * perTask : 0, g1 = share ? Math.min(groups, g0 + perTask) : groups;
            for (int g = g0; g < g1; g++) {
                int v = 4 * g, vs = Math.min(4, nv - v);
                for (int i = 0; i < n; i += rowsAt(n, i)) {
                    kernel(rowsAt(n, i), aRows, aBase + i * aStride, aStride, b, off, k, xs, xs, v, vs, bOff, c, c, cOff + i * m, m, fused);
                }
            }
        });
        for (int j = nv * W; j < m; j++) { // the last columns, fewer than a vector: in scalars, the same steps
            for (int i = 0; i < n; i++) {
                double s = c[cOff + i * m + j];
                int ai = ao + i * rs;
                if (fused) for (int p = 0; p < k; p++) s = Math.fma(ar[ai + p], b[bOff + p * brs + j], s);
                else for (int p = 0; p < k; p++) s += ar[ai + p] * b[bOff + p * brs + j];
                c[cOff + i * m + j] = s;
            }
        }
    }

    /** Whether {@link #longK} takes the product: few rows and columns (at most 2 vectors), k long enough to pay for laying out B, A's rows contiguous. */
    static boolean longK(int n, int k, int m, int acs) {
        return k > SHORT_K && n <= LONG_K_ROWS && m >= W && m <= 2 * W && acs == 1;
    }

    /** The most rows {@link #longK} takes (its C buffer, n times 2 vectors, stays in registers and L1). */
    static final int LONG_K_ROWS = 32;

    /** C[n×m] += A·B (strides as {@link Gemm#multiply}, A's rows contiguous), when {@link #longK}. */
    static void longK(double[] a, int aOff, int ars, double[] b, int bOff, int brs, int bcs, double[] c, int cOff, int n, int k, int m, boolean fused) {
        int nv = (m + W - 1) / W, ld = nv * W;
        Scratch s = SCRATCH.get();
        double[] bt = s.b(k * ld), ct = s.c(n * ld);
        for (int p = 0, to = 0; p < k; p++, to += ld) { // step p's row of B into whole vectors; lanes that are no column hold 0, never stored back
            int from = bOff + p * brs;
            for (int j = 0; j < m; j++) bt[to + j] = b[from + j * bcs];
            for (int j = m; j < ld; j++) bt[to + j] = 0;
        }
        for (int i = 0; i < n; i++) System.arraycopy(c, cOff + i * m, ct, i * ld, m);
        int[] off = new int[k], xs = new int[nv];
        for (int p = 0; p < k; p++) off[p] = p * ld;
        for (int v = 0; v < nv; v++) xs[v] = v * W;
        Limits.checkTime();
        for (int i = 0; i < n; i += rowsAt(n, i)) kernel(rowsAt(n, i), a, aOff + i * ars, ars, bt, off, k, xs, xs, 0, nv, 0, ct, ct, i * ld, ld, fused);
        for (int i = 0; i < n; i++) System.arraycopy(ct, i * ld, c, cOff + i * m, m);
    }

    /** {@link #longK}'s buffers, kept per thread (each written before it is read). */
    private static final class Scratch {
        double[] b = new double[0], c = new double[0];

        double[] b(int n) {
            if (b.length < n) b = new double[n];
            return b;
        }

        double[] c(int n) {
            if (c.length < n) c = new double[n];
            return c;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
