package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.MR;
import static tx.runtime.kernels.Gemm.S;
import static tx.runtime.kernels.Gemm.W;

import jdk.incubator.vector.DoubleVector;

/**
 * {@link Gemm}'s products with fewer columns than a vector has lanes (a matrix times a vector, or
 * two, and the last columns of a block): the rows of A in the lanes instead of the columns of B.
 * Every lane sums its element of C in order over k from C's value, with the mode's step (a fused
 * multiply-add, or a multiply then an add), so the bits are the scalar loop's, as everywhere in
 * {@link Gemm}.
 *
 * <p>NOTE: a column at a time and a row at a time, each element is a chain of dependent steps
 * bound by their latency (a 100 x 100 matrix times a vector took 34 us that way); here eight
 * independent chains run at once: four vectors of rows times two columns, or, for a row-major A
 * read in place, eight rows (or four rows times two columns) in scalars, which needs no packing.
 */
final class NarrowGemm {
    private NarrowGemm() {}

    /** Whether {@link #multiply} takes the product: fewer columns than lanes, and A's rows or its columns contiguous. */
    static boolean inPlace(int n, int m, int ars, int acs) {
        return m < W && MR % W == 0 && n >= MR && (ars == 1 || acs == 1);
    }

    /** C[n×m] += A·B read in place (strides as {@link Gemm#multiply}), when {@link #inPlace}. */
    static void multiply(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                         double[] c, int cOff, int n, int k, int m, boolean fused) {
        int block = 8 * W, blocks = (n + block - 1) / block;
        boolean share = (long) n * k * m >= (1L << 18); // NOTE: below this a second thread costs more than it saves
        Parallel.run(share ? blocks : 1, t -> {
            Limits.checkTime();
            int lo = share ? t * block : 0, hi = share ? Math.min(n, lo + block) : n;
            if (ars == 1) lanesInPlace(a, aOff, acs, b, bOff, brs, bcs, c, cOff, lo, hi, k, m, fused);
            else scalarRows(a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, lo, hi, k, m, fused);
        });
    }

    /** Rows lo..hi of C, A's columns contiguous (A transposed in memory): W rows at p are one vector read in place. */
    private static void lanesInPlace(double[] a, int aOff, int acs, double[] b, int bOff, int brs, int bcs,
                                     double[] c, int cOff, int lo, int hi, int k, int m, boolean fused) {
        double[] lanes = new double[8 * W];
        int whole = lo + (hi - lo) / W * W;
        for (int i = lo; i < whole; i += 4 * W) {
            int[] at = new int[4], row = new int[4];
            for (int x = 0; x < 4; x++) { // past the last whole vector: the last one again (the same bits, stored twice)
                row[x] = Math.min(i + x * W, whole - W);
                at[x] = aOff + row[x];
            }
            for (int l = 0; l < m; l += 2) {
                int l1 = Math.min(l + 1, m - 1);
                load(c, cOff, m, row, Math.min(hi, whole), l, l1, lanes);
                if (fused) fma(a, at[0], at[1], at[2], at[3], acs, b, bOff + l * bcs, bOff + l1 * bcs, brs, k, lanes);
                else add(a, at[0], at[1], at[2], at[3], acs, b, bOff + l * bcs, bOff + l1 * bcs, brs, k, lanes);
                store(c, cOff, m, row, Math.min(hi, whole), l, l1, lanes);
            }
        }
        if (whole < hi) scalarRows(a, aOff, 1, acs, b, bOff, brs, bcs, c, cOff, whole, hi, k, m, fused);
    }

    /**
     * Rows lo..hi of C, A(i, p) = a[aOff + i·ars + p·acs]: with A's rows contiguous (acs = 1), eight
     * rows of one column or four rows of two at once, in scalars; then a row at a time (and the
     * rows a vector does not fill, of a transposed A). NOTE: the kernels index each row from its own
     * start, {@code a[r + p]}: written {@code a[o + r·ars]} with {@code o = p·acs}, the same loop
     * took twice as long (C2 keeps a range check per load when the strides are not constants).
     */
    private static void scalarRows(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                                   double[] c, int cOff, int lo, int hi, int k, int m, boolean fused) {
        int i = lo;
        if (acs == 1 && m == 1) {
            for (; i + 8 <= hi; i += 8) {
                if (fused) rows8Fma(a, aOff + i * ars, ars, b, bOff, brs, c, cOff + i, k);
                else rows8Add(a, aOff + i * ars, ars, b, bOff, brs, c, cOff + i, k);
            }
        } else if (acs == 1) {
            for (; i + 4 <= hi; i += 4) {
                for (int l = 0; l < m; l += 2) {
                    int l1 = Math.min(l + 1, m - 1); // an odd last column: computed twice, the same bits
                    if (fused) rows4x2Fma(a, aOff + i * ars, ars, b, bOff + l * bcs, bOff + l1 * bcs, brs, c, cOff + i * m, m, l, l1, k);
                    else rows4x2Add(a, aOff + i * ars, ars, b, bOff + l * bcs, bOff + l1 * bcs, brs, c, cOff + i * m, m, l, l1, k);
                }
            }
        }
        for (; i < hi; i++) {
            for (int l = 0; l < m; l++) {
                double s = c[cOff + i * m + l];
                int ai = aOff + i * ars, bj = bOff + l * bcs;
                if (fused) for (int p = 0; p < k; p++) s = Math.fma(a[ai + p * acs], b[bj + p * brs], s);
                else for (int p = 0; p < k; p++) s += a[ai + p * acs] * b[bj + p * brs];
                c[cOff + i * m + l] = s;
            }
        }
    }

    /** Rows at a0, a0 + ars, ... (eight), one column of B at bj: fused steps. */
    private static void rows8Fma(double[] a, int a0, int ars, double[] b, int bj, int brs, double[] c, int ci, int k) {
        int r1 = a0 + ars, r2 = a0 + 2 * ars, r3 = a0 + 3 * ars, r4 = a0 + 4 * ars, r5 = a0 + 5 * ars, r6 = a0 + 6 * ars, r7 = a0 + 7 * ars;
        double s0 = c[ci], s1 = c[ci + 1], s2 = c[ci + 2], s3 = c[ci + 3], s4 = c[ci + 4], s5 = c[ci + 5], s6 = c[ci + 6], s7 = c[ci + 7];
        for (int p = 0; p < k; p++) {
            double y = b[bj + p * brs];
            s0 = Math.fma(a[a0 + p], y, s0); s1 = Math.fma(a[r1 + p], y, s1); s2 = Math.fma(a[r2 + p], y, s2); s3 = Math.fma(a[r3 + p], y, s3);
            s4 = Math.fma(a[r4 + p], y, s4); s5 = Math.fma(a[r5 + p], y, s5); s6 = Math.fma(a[r6 + p], y, s6); s7 = Math.fma(a[r7 + p], y, s7);
        }
        c[ci] = s0; c[ci + 1] = s1; c[ci + 2] = s2; c[ci + 3] = s3; c[ci + 4] = s4; c[ci + 5] = s5; c[ci + 6] = s6; c[ci + 7] = s7;
    }

    /** {@link #rows8Fma} with a multiply then an add per step. */
    private static void rows8Add(double[] a, int a0, int ars, double[] b, int bj, int brs, double[] c, int ci, int k) {
        int r1 = a0 + ars, r2 = a0 + 2 * ars, r3 = a0 + 3 * ars, r4 = a0 + 4 * ars, r5 = a0 + 5 * ars, r6 = a0 + 6 * ars, r7 = a0 + 7 * ars;
        double s0 = c[ci], s1 = c[ci + 1], s2 = c[ci + 2], s3 = c[ci + 3], s4 = c[ci + 4], s5 = c[ci + 5], s6 = c[ci + 6], s7 = c[ci + 7];
        for (int p = 0; p < k; p++) {
            double y = b[bj + p * brs];
            s0 += a[a0 + p] * y; s1 += a[r1 + p] * y; s2 += a[r2 + p] * y; s3 += a[r3 + p] * y;
            s4 += a[r4 + p] * y; s5 += a[r5 + p] * y; s6 += a[r6 + p] * y; s7 += a[r7 + p] * y;
        }
        c[ci] = s0; c[ci + 1] = s1; c[ci + 2] = s2; c[ci + 3] = s3; c[ci + 4] = s4; c[ci + 5] = s5; c[ci + 6] = s6; c[ci + 7] = s7;
    }

    /** Rows at a0, a0 + ars, ... (four) of C (at ci, row length m), columns l0 and l1 (B's at b0 and b1): fused steps. */
    private static void rows4x2Fma(double[] a, int a0, int ars, double[] b, int b0, int b1, int brs, double[] c, int ci, int m, int l0, int l1, int k) {
        int r1 = a0 + ars, r2 = a0 + 2 * ars, r3 = a0 + 3 * ars;
        double s00 = c[ci + l0], s10 = c[ci + m + l0], s20 = c[ci + 2 * m + l0], s30 = c[ci + 3 * m + l0];
        double s01 = c[ci + l1], s11 = c[ci + m + l1], s21 = c[ci + 2 * m + l1], s31 = c[ci + 3 * m + l1];
        for (int p = 0; p < k; p++) {
            double x0 = a[a0 + p], x1 = a[r1 + p], x2 = a[r2 + p], x3 = a[r3 + p], y0 = b[b0 + p * brs], y1 = b[b1 + p * brs];
            s00 = Math.fma(x0, y0, s00); s10 = Math.fma(x1, y0, s10); s20 = Math.fma(x2, y0, s20); s30 = Math.fma(x3, y0, s30);
            s01 = Math.fma(x0, y1, s01); s11 = Math.fma(x1, y1, s11); s21 = Math.fma(x2, y1, s21); s31 = Math.fma(x3, y1, s31);
        }
        c[ci + l0] = s00; c[ci + m + l0] = s10; c[ci + 2 * m + l0] = s20; c[ci + 3 * m + l0] = s30;
        c[ci + l1] = s01; c[ci + m + l1] = s11; c[ci + 2 * m + l1] = s21; c[ci + 3 * m + l1] = s31;
    }

    /** {@link #rows4x2Fma} with a multiply then an add per step. */
    private static void rows4x2Add(double[] a, int a0, int ars, double[] b, int b0, int b1, int brs, double[] c, int ci, int m, int l0, int l1, int k) {
        int r1 = a0 + ars, r2 = a0 + 2 * ars, r3 = a0 + 3 * ars;
        double s00 = c[ci + l0], s10 = c[ci + m + l0], s20 = c[ci + 2 * m + l0], s30 = c[ci + 3 * m + l0];
        double s01 = c[ci + l1], s11 = c[ci + m + l1], s21 = c[ci + 2 * m + l1], s31 = c[ci + 3 * m + l1];
        for (int p = 0; p < k; p++) {
            double x0 = a[a0 + p], x1 = a[r1 + p], x2 = a[r2 + p], x3 = a[r3 + p], y0 = b[b0 + p * brs], y1 = b[b1 + p * brs];
            s00 += x0 * y0; s10 += x1 * y0; s20 += x2 * y0; s30 += x3 * y0;
            s01 += x0 * y1; s11 += x1 * y1; s21 += x2 * y1; s31 += x3 * y1;
        }
        c[ci + l0] = s00; c[ci + m + l0] = s10; c[ci + 2 * m + l0] = s20; c[ci + 3 * m + l0] = s30;
        c[ci + l1] = s01; c[ci + m + l1] = s11; c[ci + 2 * m + l1] = s21; c[ci + 3 * m + l1] = s31;
    }

    // ---- the vector kernels, A read in place or packed ----------------------------------------------

    /** Lanes of C's rows row[x] .. row[x] + W - 1 below rows (zeros past it), columns l0 and l1, into lanes. */
    private static void load(double[] c, int cOff, int ldc, int[] row, int rows, int l0, int l1, double[] lanes) {
        for (int x = 0; x < 4; x++) {
            for (int r = 0; r < W; r++) {
                boolean real = row[x] + r < rows;
                lanes[x * W + r] = real ? c[cOff + (row[x] + r) * ldc + l0] : 0;
                lanes[(4 + x) * W + r] = real ? c[cOff + (row[x] + r) * ldc + l1] : 0;
            }
        }
    }

    /** The lanes back into C, the rows below rows only. */
    private static void store(double[] c, int cOff, int ldc, int[] row, int rows, int l0, int l1, double[] lanes) {
        for (int x = 0; x < 4; x++) {
            for (int r = 0; r < W && row[x] + r < rows; r++) {
                c[cOff + (row[x] + r) * ldc + l0] = lanes[x * W + r];
                c[cOff + (row[x] + r) * ldc + l1] = lanes[(4 + x) * W + r];
            }
        }
    }

    /**
     * The last columns of a packed block (fewer than a vector): a packed panel holds MR rows of A one
     * column p after another, so W consecutive rows at p are one vector, MR apart from one p to the next.
     */
    static void packed(double[] ap, int aBase, double[] bp, int bo, int mc, int kc, int width, double[] c, int co, int ldc, boolean fused) {
        int perPanel = MR / W, vectors = (mc + MR - 1) / MR * perPanel;
        double[] lanes = new double[8 * W];
        int[] at = new int[4], row = new int[4];
        for (int q = 0; q < vectors; q += 4) {
            for (int x = 0; x < 4; x++) { // past the last row vector: the last one again (the same bits, stored twice)
                int v = Math.min(q + x, vectors - 1), panel = v / perPanel, sub = v % perPanel;
                at[x] = aBase + panel * MR * kc + sub * W;
                row[x] = panel * MR + sub * W;
            }
            for (int l = 0; l < width; l += 2) {
                int l1 = Math.min(l + 1, width - 1);
                load(c, co, ldc, row, mc, l, l1, lanes);
                if (fused) fma(ap, at[0], at[1], at[2], at[3], MR, bp, bo + l, bo + l1, width, kc, lanes);
                else add(ap, at[0], at[1], at[2], at[3], MR, bp, bo + l, bo + l1, width, kc, lanes);
                store(c, co, ldc, row, mc, l, l1, lanes);
            }
        }
    }

    /**
     * Four row vectors (at a0..a3, aStride apart from one p to the next) times two columns of B
     * (at b0 and b1, bStride apart): eight accumulators, loaded from and stored to lanes; fused steps.
     */
    private static void fma(double[] a, int a0, int a1, int a2, int a3, int aStride, double[] b, int b0, int b1, int bStride, int kc, double[] lanes) {
        DoubleVector c00 = DoubleVector.fromArray(S, lanes, 0), c10 = DoubleVector.fromArray(S, lanes, W),
                c20 = DoubleVector.fromArray(S, lanes, 2 * W), c30 = DoubleVector.fromArray(S, lanes, 3 * W),
                c01 = DoubleVector.fromArray(S, lanes, 4 * W), c11 = DoubleVector.fromArray(S, lanes, 5 * W),
                c21 = DoubleVector.fromArray(S, lanes, 6 * W), c31 = DoubleVector.fromArray(S, lanes, 7 * W);
        for (int p = 0; p < kc; p++) {
            int o = p * aStride, ob = p * bStride;
            DoubleVector x0 = DoubleVector.fromArray(S, a, a0 + o), x1 = DoubleVector.fromArray(S, a, a1 + o),
                    x2 = DoubleVector.fromArray(S, a, a2 + o), x3 = DoubleVector.fromArray(S, a, a3 + o);
            DoubleVector y0 = DoubleVector.broadcast(S, b[b0 + ob]), y1 = DoubleVector.broadcast(S, b[b1 + ob]);
            c00 = x0.fma(y0, c00); c10 = x1.fma(y0, c10); c20 = x2.fma(y0, c20); c30 = x3.fma(y0, c30);
            c01 = x0.fma(y1, c01); c11 = x1.fma(y1, c11); c21 = x2.fma(y1, c21); c31 = x3.fma(y1, c31);
        }
        c00.intoArray(lanes, 0); c10.intoArray(lanes, W); c20.intoArray(lanes, 2 * W); c30.intoArray(lanes, 3 * W);
        c01.intoArray(lanes, 4 * W); c11.intoArray(lanes, 5 * W); c21.intoArray(lanes, 6 * W); c31.intoArray(lanes, 7 * W);
    }

    /** {@link #fma} with a multiply then an add per step. */
    private static void add(double[] a, int a0, int a1, int a2, int a3, int aStride, double[] b, int b0, int b1, int bStride, int kc, double[] lanes) {
        DoubleVector c00 = DoubleVector.fromArray(S, lanes, 0), c10 = DoubleVector.fromArray(S, lanes, W),
                c20 = DoubleVector.fromArray(S, lanes, 2 * W), c30 = DoubleVector.fromArray(S, lanes, 3 * W),
                c01 = DoubleVector.fromArray(S, lanes, 4 * W), c11 = DoubleVector.fromArray(S, lanes, 5 * W),
                c21 = DoubleVector.fromArray(S, lanes, 6 * W), c31 = DoubleVector.fromArray(S, lanes, 7 * W);
        for (int p = 0; p < kc; p++) {
            int o = p * aStride, ob = p * bStride;
            DoubleVector x0 = DoubleVector.fromArray(S, a, a0 + o), x1 = DoubleVector.fromArray(S, a, a1 + o),
                    x2 = DoubleVector.fromArray(S, a, a2 + o), x3 = DoubleVector.fromArray(S, a, a3 + o);
            DoubleVector y0 = DoubleVector.broadcast(S, b[b0 + ob]), y1 = DoubleVector.broadcast(S, b[b1 + ob]);
            c00 = c00.add(x0.mul(y0)); c10 = c10.add(x1.mul(y0)); c20 = c20.add(x2.mul(y0)); c30 = c30.add(x3.mul(y0));
            c01 = c01.add(x0.mul(y1)); c11 = c11.add(x1.mul(y1)); c21 = c21.add(x2.mul(y1)); c31 = c31.add(x3.mul(y1));
        }
        c00.intoArray(lanes, 0); c10.intoArray(lanes, W); c20.intoArray(lanes, 2 * W); c30.intoArray(lanes, 3 * W);
        c01.intoArray(lanes, 4 * W); c11.intoArray(lanes, 5 * W); c21.intoArray(lanes, 6 * W); c31.intoArray(lanes, 7 * W);
    }
}
