package tx.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A blocked matrix product on the Vector API: {@code C[n×m] += A[n×k] · B[k×m]}, where
 * {@code A(i,p) = a[aOff + i·ars + p·acs]} and {@code B(p,j) = b[bOff + p·brs + j·bcs]}, so a
 * transposed operand is read in place (swap its two strides) and C is row-major.
 *
 * <p>The loops are the Goto/BLIS ones: the columns in blocks of {@link #NC}, k in blocks of
 * {@link #KC}, rows in blocks of {@link #MC}; each block of B is packed into strips of
 * {@link #NR} columns (two vectors of 8 lanes on AVX-512) and each block of A into panels of
 * {@link #MR} rows, both laid out in the order the micro-kernel reads them; the micro-kernel keeps
 * an {@code MR × NR} block of C in registers (8 × 2 vectors) while it runs over the block's k. Column
 * edges take a one-vector kernel and then one scalar column at a time (N = 10 on 8 lanes is one
 * vector and two columns, not two vectors with six lanes wasted); row edges are padded with
 * zero rows in the pack and only the real rows are written back; fewer rows than a panel skip
 * the packing ({@link #fewRows}).
 *
 * <p>NOTE: whatever the blocks, every element of C is summed in order over p = 0, 1, ..., k-1,
 * starting from C's value: a block of k ends by storing the partial sums to C and the next
 * block loads them back. Each step is {@code c = fma(A(i,p), B(p,j), c)} when {@code fused} (one
 * rounding, by the Vector API's and {@link Math#fma}'s specification) or {@code c = c + A·B} (two
 * roundings, the scalar loop's bits) otherwise. So the result depends on the numbers and
 * {@code fused} only: not on the shapes' blocking, the vector width, or the JIT.
 */
final class Gemm {
    private Gemm() {}

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int W = S.length();
    /** Rows of the micro-kernel. */
    static final int MR = 8;
    /**
     * Columns of a whole strip of packed B: two vectors where a vector has 8 lanes or more
     * (8 × 2 accumulators, half of AVX-512's 32 registers), else one (8 accumulators, half of
     * AVX2's 16: two vectors would spill).
     */
    static final int NR = W >= 8 ? 2 * W : W;
    /** k per block: a strip of packed B (KC × NR doubles, 32 KiB at 8 lanes) stays in L1. */
    static final int KC = 256;
    /** Rows per block: a packed block of A (MC × KC doubles, 192 KiB) stays in L2. */
    static final int MC = 96;
    /** Columns per block: a packed block of B (KC × NC, 2 MiB) in L2/L3. */
    static final int NC = 1024;

    /**
     * The packing buffers, kept per thread from one product to the next (a product's packs are
     * written before they are read, so their old contents never matter). NOTE: fresh ones cost
     * about a fifth of a 128 x 64 x 128 product: the JVM zeroes them in memory out of the cache.
     */
    private static final class Scratch {
        double[] ap = new double[0], bp = new double[0];
        final double[] tile = new double[MR * NR];

        double[] ap(int n) {
            if (ap.length < n) ap = new double[n];
            return ap;
        }

        double[] bp(int n) {
            if (bp.length < n) bp = new double[n];
            return bp;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** C[n×m] (row-major at cOff, row length m) += A·B, as the class comment says. */
    static void multiply(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                         double[] c, int cOff, int n, int k, int m, boolean fused) {
        if (n < MR && bcs == 1) {
            fewRows(a, aOff, ars, acs, b, bOff, brs, c, cOff, n, k, m, fused);
            return;
        }
        if (SmallGemm.shortK(n, k, m, bcs)) {
            SmallGemm.shortK(a, aOff, ars, acs, b, bOff, brs, c, cOff, n, k, m, fused);
            return;
        }
        if (SmallGemm.longK(n, k, m, acs)) {
            SmallGemm.longK(a, aOff, ars, b, bOff, brs, bcs, c, cOff, n, k, m, fused);
            return;
        }
        if (NarrowGemm.inPlace(n, m, ars, acs)) {
            NarrowGemm.multiply(a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, k, m, fused);
            return;
        }
        double[] bp = SCRATCH.get().bp(Math.min(k, KC) * (roundUp(Math.min(m, NC), W) + W));
        int mcMax = rowsPerBlock(n, (long) k * m);
        for (int jc = 0; jc < m; jc += NC) {
            int nc = Math.min(NC, m - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), p0 = pc, j0 = jc;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, bp);
                Limits.checkTime(); // a long product stops at its --timeout between blocks
                // each block of rows on one thread, every element of it still summed in order over p (see the class comment)
                Parallel.run((n + mcMax - 1) / mcMax, t -> {
                    Limits.checkTime(); // the caller's deadline, on the caller's own blocks (a worker has none)
                    int ic = t * mcMax, mc = Math.min(mcMax, n - ic);
                    Scratch s = SCRATCH.get();
                    double[] ap = s.ap(kc * roundUp(mcMax, MR));
                    packA(a, aOff + ic * ars + p0 * acs, ars, acs, mc, kc, ap);
                    block(ap, 0, bp, mc, kc, nc, c, cOff + ic * m + j0, m, s.tile, fused);
                });
            }
        }
    }

    // ---- operands packed by the caller --------------------------------------------------------------

    /**
     * Whether a product of these sizes can take operands its caller packed whole ({@link #packA} with
     * mc = n and kc = k, {@link #packB} with kc = k and nc = m,
     * {@link #packBRow}, {@link #packARow}, then {@link #multiplyPacked}): one block of k and one of
     * columns, at least a panel of rows, and large enough for the vectorised path at all. A
     * convolution packs its weight once for the whole batch, and its patches straight into the
     * layout the micro-kernel reads instead of laying them out and then copying them.
     */
    static boolean packable(int n, int k, int m) {
        return Vectorized.AVAILABLE && (long) n * k * m >= LinAlg.SMALL && m >= 2 && n >= MR && k <= KC && m <= NC;
    }

    /** The length of A [n × k] packed whole: panels of {@link #MR} rows, the last padded with zeros. */
    static int packedASize(int n, int k) {
        return roundUp(n, MR) * k;
    }

    /** Row i of A (k numbers from row[0]) into the panels of {@link #packA}'s layout; rows past n must be zeroed ({@link #padA}). */
    static void packARow(double[] row, int i, int k, double[] ap) {
        int at = i / MR * MR * k + i % MR;
        for (int p = 0; p < k; p++) ap[at + p * MR] = row[p];
    }

    /** Zeros the rows from n to the end of the last panel of A [n × k] packed whole. */
    static void padA(int n, int k, double[] ap) {
        for (int i = n; i < roundUp(n, MR); i++) {
            int at = i / MR * MR * k + i % MR;
            for (int p = 0; p < k; p++) ap[at + p * MR] = 0;
        }
    }

    /** Row p of B [k × m] (m numbers from row[0]) into {@link #packB}'s strips: NR columns, then W, then the rest. */
    static void packBRow(double[] row, int p, int k, int m, double[] bp) {
        for (int j = 0; j < m; ) {
            int width = m - j >= NR ? NR : m - j >= W ? W : m - j;
            System.arraycopy(row, j, bp, j * k + p * width, width);
            j += width;
        }
    }

    /**
     * C[n×m] (row-major at cOff, row length m) += A·B from operands packed whole, when
     * {@link #packable}: the blocks of rows of {@link #multiply}, on {@link Parallel}'s threads, so
     * the same steps in the same order and the same bits as {@link #multiply} on the unpacked operands.
     */
    static void multiplyPacked(double[] ap, double[] bp, double[] c, int cOff, int n, int k, int m, boolean fused) {
        int mcMax = rowsPerBlock(n, (long) k * m);
        Parallel.run((n + mcMax - 1) / mcMax, t -> {
            Limits.checkTime();
            int ic = t * mcMax;
            block(ap, ic * k, bp, Math.min(mcMax, n - ic), k, m, c, cOff + ic * m, m, SCRATCH.get().tile, fused);
        });
    }

    /**
     * Rows per block: {@link #MC}, or fewer (a multiple of {@link #MR}) so that every thread gets a
     * block where there are fewer blocks than threads and the product is worth sharing (about
     * 2^18 multiply-adds a block or more). The blocking never changes the sums.
     */
    private static int rowsPerBlock(int n, long perRow) {
        int t = Parallel.threads();
        if (t == 1 || n <= MR) return MC;
        int share = roundUp((n + t - 1) / t, MR);
        return share >= MC || share * perRow < (1L << 18) ? MC : share;
    }

    /**
     * Fewer rows than a panel (a row vector times a matrix, say), B's rows contiguous: each row of
     * C one vector of columns at a time, summed over p in a register with B read in place. NOTE:
     * packing would copy all of B and pad A to MR rows, up to 8 times the work: a 1 x 784 x 128
     * product took 0.09 ms that way and takes 0.02 ms this way. The same steps in the same order.
     */
    private static void fewRows(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs,
                                double[] c, int cOff, int n, int k, int m, boolean fused) {
        int bound = S.loopBound(m);
        int i = 0;
        for (; i + 4 <= n; i += 4) { // four rows share each vector of B
            Limits.checkTime();
            if (fused) rows4Fma(a, aOff + i * ars, ars, acs, b, bOff, brs, c, cOff + i * m, m, k, bound);
            else rows4Add(a, aOff + i * ars, ars, acs, b, bOff, brs, c, cOff + i * m, m, k, bound);
        }
        for (; i < n; i++) {
            Limits.checkTime();
            int ai = aOff + i * ars, ci = cOff + i * m;
            if (fused) rowFma(a, ai, acs, b, bOff, brs, c, ci, k, bound);
            else rowAdd(a, ai, acs, b, bOff, brs, c, ci, k, bound);
        }
        for (i = 0; i < n; i++) {
            int ai = aOff + i * ars, ci = cOff + i * m;
            for (int j = bound; j < m; j++) {
                double sum = c[ci + j];
                if (fused) for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * acs], b[bOff + p * brs + j], sum);
                else for (int p = 0; p < k; p++) sum += a[ai + p * acs] * b[bOff + p * brs + j];
                c[ci + j] = sum;
            }
        }
    }

    /** Four rows of C's whole vectors, fused steps. */
    private static void rows4Fma(double[] a, int ai, int ars, int acs, double[] b, int bOff, int brs, double[] c, int ci, int m, int k, int bound) {
        for (int j = 0; j < bound; j += W) {
            DoubleVector c0 = DoubleVector.fromArray(S, c, ci + j), c1 = DoubleVector.fromArray(S, c, ci + m + j),
                    c2 = DoubleVector.fromArray(S, c, ci + 2 * m + j), c3 = DoubleVector.fromArray(S, c, ci + 3 * m + j);
            for (int p = 0; p < k; p++) {
                DoubleVector bv = DoubleVector.fromArray(S, b, bOff + p * brs + j);
                int ap = ai + p * acs;
                c0 = bv.fma(DoubleVector.broadcast(S, a[ap]), c0);
                c1 = bv.fma(DoubleVector.broadcast(S, a[ap + ars]), c1);
                c2 = bv.fma(DoubleVector.broadcast(S, a[ap + 2 * ars]), c2);
                c3 = bv.fma(DoubleVector.broadcast(S, a[ap + 3 * ars]), c3);
            }
            c0.intoArray(c, ci + j);
            c1.intoArray(c, ci + m + j);
            c2.intoArray(c, ci + 2 * m + j);
            c3.intoArray(c, ci + 3 * m + j);
        }
    }

    /** Four rows of C's whole vectors, a multiply then an add per step. */
    private static void rows4Add(double[] a, int ai, int ars, int acs, double[] b, int bOff, int brs, double[] c, int ci, int m, int k, int bound) {
        for (int j = 0; j < bound; j += W) {
            DoubleVector c0 = DoubleVector.fromArray(S, c, ci + j), c1 = DoubleVector.fromArray(S, c, ci + m + j),
                    c2 = DoubleVector.fromArray(S, c, ci + 2 * m + j), c3 = DoubleVector.fromArray(S, c, ci + 3 * m + j);
            for (int p = 0; p < k; p++) {
                DoubleVector bv = DoubleVector.fromArray(S, b, bOff + p * brs + j);
                int ap = ai + p * acs;
                c0 = c0.add(bv.mul(DoubleVector.broadcast(S, a[ap])));
                c1 = c1.add(bv.mul(DoubleVector.broadcast(S, a[ap + ars])));
                c2 = c2.add(bv.mul(DoubleVector.broadcast(S, a[ap + 2 * ars])));
                c3 = c3.add(bv.mul(DoubleVector.broadcast(S, a[ap + 3 * ars])));
            }
            c0.intoArray(c, ci + j);
            c1.intoArray(c, ci + m + j);
            c2.intoArray(c, ci + 2 * m + j);
            c3.intoArray(c, ci + 3 * m + j);
        }
    }

    /** One row of C's whole vectors, fused steps (a method per mode, as {@link #kernel} says why). */
    private static void rowFma(double[] a, int ai, int acs, double[] b, int bOff, int brs, double[] c, int ci, int k, int bound) {
        for (int j = 0; j < bound; j += W) {
            DoubleVector acc = DoubleVector.fromArray(S, c, ci + j);
            for (int p = 0; p < k; p++) acc = DoubleVector.fromArray(S, b, bOff + p * brs + j).fma(DoubleVector.broadcast(S, a[ai + p * acs]), acc);
            acc.intoArray(c, ci + j);
        }
    }

    /** One row of C's whole vectors, a multiply then an add per step. */
    private static void rowAdd(double[] a, int ai, int acs, double[] b, int bOff, int brs, double[] c, int ci, int k, int bound) {
        for (int j = 0; j < bound; j += W) {
            DoubleVector acc = DoubleVector.fromArray(S, c, ci + j);
            for (int p = 0; p < k; p++) acc = acc.add(DoubleVector.fromArray(S, b, bOff + p * brs + j).mul(DoubleVector.broadcast(S, a[ai + p * acs])));
            acc.intoArray(c, ci + j);
        }
    }

    /** One packed block: every micro-panel of A against every strip of B. */
    private static void block(double[] ap, int aBase, double[] bp, int mc, int kc, int nc, double[] c, int cOff, int ldc,
                              double[] tile, boolean fused) {
        for (int j = 0; j < nc; ) {
            int width = nc - j >= NR ? NR : nc - j >= W ? W : nc - j;
            int bo = j * kc; // strips are laid out one after another, each kc × its width
            if (width < W && MR % W == 0) {
                NarrowGemm.packed(ap, aBase, bp, bo, mc, kc, width, c, cOff + j, ldc, fused);
                j += width;
                continue;
            }
            for (int i = 0; i < mc; i += MR) {
                int rows = Math.min(MR, mc - i), ao = aBase + i * kc;
                if (width < W) {
                    scalarColumns(ap, ao, bp, bo, kc, width, c, cOff + i * ldc + j, ldc, rows, fused);
                } else if (rows == MR) {
                    kernel(ap, ao, bp, bo, kc, width, c, cOff + i * ldc + j, ldc, fused);
                } else { // the last rows: through a tile of MR rows, so the kernel never writes outside C
                    for (int r = 0; r < rows; r++) System.arraycopy(c, cOff + (i + r) * ldc + j, tile, r * width, width);
                    kernel(ap, ao, bp, bo, kc, width, tile, 0, width, fused);
                    for (int r = 0; r < rows; r++) System.arraycopy(tile, r * width, c, cOff + (i + r) * ldc + j, width);
                }
            }
            j += width;
        }
    }

    /**
     * An MR × width block of C (width NR or W) += a panel of A · a strip of B, in registers.
     * NOTE: one method per width and mode, the mode's step written out in each: a kernel taking
     * {@code fused} as an argument and choosing per step ran at 2 GFLOP/s instead of 50 once both
     * modes had run in one JVM (C2 then boxes the vectors where the two branches meet).
     */
    private static void kernel(double[] ap, int ao, double[] bp, int bo, int kc, int width, double[] c, int co, int ldc, boolean fused) {
        if (width == 2 * W) {
            if (fused) kernel8x2Fma(ap, ao, bp, bo, kc, c, co, ldc);
            else kernel8x2Add(ap, ao, bp, bo, kc, c, co, ldc);
        } else {
            if (fused) kernel8x1Fma(ap, ao, bp, bo, kc, c, co, ldc);
            else kernel8x1Add(ap, ao, bp, bo, kc, c, co, ldc);
        }
    }

    /** Steps {@code c = fma(a, b, c)}: one rounding each. */
    private static void kernel8x2Fma(double[] ap, int ao, double[] bp, int bo, int kc, double[] c, int co, int ldc) {
        DoubleVector c00 = load(c, co, 0), c01 = load(c, co, W), c10 = load(c, co + ldc, 0), c11 = load(c, co + ldc, W),
                c20 = load(c, co + 2 * ldc, 0), c21 = load(c, co + 2 * ldc, W), c30 = load(c, co + 3 * ldc, 0), c31 = load(c, co + 3 * ldc, W),
                c40 = load(c, co + 4 * ldc, 0), c41 = load(c, co + 4 * ldc, W), c50 = load(c, co + 5 * ldc, 0), c51 = load(c, co + 5 * ldc, W),
                c60 = load(c, co + 6 * ldc, 0), c61 = load(c, co + 6 * ldc, W), c70 = load(c, co + 7 * ldc, 0), c71 = load(c, co + 7 * ldc, W);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi), b1 = DoubleVector.fromArray(S, bp, bi + W);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ai]), a1 = DoubleVector.broadcast(S, ap[ai + 1]), a2 = DoubleVector.broadcast(S, ap[ai + 2]),
                    a3 = DoubleVector.broadcast(S, ap[ai + 3]), a4 = DoubleVector.broadcast(S, ap[ai + 4]), a5 = DoubleVector.broadcast(S, ap[ai + 5]),
                    a6 = DoubleVector.broadcast(S, ap[ai + 6]), a7 = DoubleVector.broadcast(S, ap[ai + 7]);
            c00 = b0.fma(a0, c00); c01 = b1.fma(a0, c01);
            c10 = b0.fma(a1, c10); c11 = b1.fma(a1, c11);
            c20 = b0.fma(a2, c20); c21 = b1.fma(a2, c21);
            c30 = b0.fma(a3, c30); c31 = b1.fma(a3, c31);
            c40 = b0.fma(a4, c40); c41 = b1.fma(a4, c41);
            c50 = b0.fma(a5, c50); c51 = b1.fma(a5, c51);
            c60 = b0.fma(a6, c60); c61 = b1.fma(a6, c61);
            c70 = b0.fma(a7, c70); c71 = b1.fma(a7, c71);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + W);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + W);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + W);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + W);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + W);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + W);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + W);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + W);
    }

    /** Steps {@code c = c + a·b}: a rounding after the multiply and one after the add, as the scalar loop. */
    private static void kernel8x2Add(double[] ap, int ao, double[] bp, int bo, int kc, double[] c, int co, int ldc) {
        DoubleVector c00 = load(c, co, 0), c01 = load(c, co, W), c10 = load(c, co + ldc, 0), c11 = load(c, co + ldc, W),
                c20 = load(c, co + 2 * ldc, 0), c21 = load(c, co + 2 * ldc, W), c30 = load(c, co + 3 * ldc, 0), c31 = load(c, co + 3 * ldc, W),
                c40 = load(c, co + 4 * ldc, 0), c41 = load(c, co + 4 * ldc, W), c50 = load(c, co + 5 * ldc, 0), c51 = load(c, co + 5 * ldc, W),
                c60 = load(c, co + 6 * ldc, 0), c61 = load(c, co + 6 * ldc, W), c70 = load(c, co + 7 * ldc, 0), c71 = load(c, co + 7 * ldc, W);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi), b1 = DoubleVector.fromArray(S, bp, bi + W);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ai]), a1 = DoubleVector.broadcast(S, ap[ai + 1]), a2 = DoubleVector.broadcast(S, ap[ai + 2]),
                    a3 = DoubleVector.broadcast(S, ap[ai + 3]), a4 = DoubleVector.broadcast(S, ap[ai + 4]), a5 = DoubleVector.broadcast(S, ap[ai + 5]),
                    a6 = DoubleVector.broadcast(S, ap[ai + 6]), a7 = DoubleVector.broadcast(S, ap[ai + 7]);
            c00 = c00.add(b0.mul(a0)); c01 = c01.add(b1.mul(a0));
            c10 = c10.add(b0.mul(a1)); c11 = c11.add(b1.mul(a1));
            c20 = c20.add(b0.mul(a2)); c21 = c21.add(b1.mul(a2));
            c30 = c30.add(b0.mul(a3)); c31 = c31.add(b1.mul(a3));
            c40 = c40.add(b0.mul(a4)); c41 = c41.add(b1.mul(a4));
            c50 = c50.add(b0.mul(a5)); c51 = c51.add(b1.mul(a5));
            c60 = c60.add(b0.mul(a6)); c61 = c61.add(b1.mul(a6));
            c70 = c70.add(b0.mul(a7)); c71 = c71.add(b1.mul(a7));
        }
        c00.intoArray(c, co); c01.intoArray(c, co + W);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + W);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + W);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + W);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + W);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + W);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + W);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + W);
    }

    /** One vector of columns, fused steps. */
    private static void kernel8x1Fma(double[] ap, int ao, double[] bp, int bo, int kc, double[] c, int co, int ldc) {
        DoubleVector c0 = load(c, co, 0), c1 = load(c, co + ldc, 0), c2 = load(c, co + 2 * ldc, 0), c3 = load(c, co + 3 * ldc, 0),
                c4 = load(c, co + 4 * ldc, 0), c5 = load(c, co + 5 * ldc, 0), c6 = load(c, co + 6 * ldc, 0), c7 = load(c, co + 7 * ldc, 0);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo + p * W);
            c0 = b0.fma(DoubleVector.broadcast(S, ap[ai + 0]), c0); c1 = b0.fma(DoubleVector.broadcast(S, ap[ai + 1]), c1);
            c2 = b0.fma(DoubleVector.broadcast(S, ap[ai + 2]), c2); c3 = b0.fma(DoubleVector.broadcast(S, ap[ai + 3]), c3);
            c4 = b0.fma(DoubleVector.broadcast(S, ap[ai + 4]), c4); c5 = b0.fma(DoubleVector.broadcast(S, ap[ai + 5]), c5);
            c6 = b0.fma(DoubleVector.broadcast(S, ap[ai + 6]), c6); c7 = b0.fma(DoubleVector.broadcast(S, ap[ai + 7]), c7);
        }
        c0.intoArray(c, co); c1.intoArray(c, co + ldc); c2.intoArray(c, co + 2 * ldc); c3.intoArray(c, co + 3 * ldc);
        c4.intoArray(c, co + 4 * ldc); c5.intoArray(c, co + 5 * ldc); c6.intoArray(c, co + 6 * ldc); c7.intoArray(c, co + 7 * ldc);
    }

    /** One vector of columns, a multiply then an add per step. */
    private static void kernel8x1Add(double[] ap, int ao, double[] bp, int bo, int kc, double[] c, int co, int ldc) {
        DoubleVector c0 = load(c, co, 0), c1 = load(c, co + ldc, 0), c2 = load(c, co + 2 * ldc, 0), c3 = load(c, co + 3 * ldc, 0),
                c4 = load(c, co + 4 * ldc, 0), c5 = load(c, co + 5 * ldc, 0), c6 = load(c, co + 6 * ldc, 0), c7 = load(c, co + 7 * ldc, 0);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo + p * W);
            c0 = c0.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 0]))); c1 = c1.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 1])));
            c2 = c2.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 2]))); c3 = c3.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 3])));
            c4 = c4.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 4]))); c5 = c5.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 5])));
            c6 = c6.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 6]))); c7 = c7.add(b0.mul(DoubleVector.broadcast(S, ap[ai + 7])));
        }
        c0.intoArray(c, co); c1.intoArray(c, co + ldc); c2.intoArray(c, co + 2 * ldc); c3.intoArray(c, co + 3 * ldc);
        c4.intoArray(c, co + 4 * ldc); c5.intoArray(c, co + 5 * ldc); c6.intoArray(c, co + 6 * ldc); c7.intoArray(c, co + 7 * ldc);
    }

    private static DoubleVector load(double[] c, int row, int col) {
        return DoubleVector.fromArray(S, c, row + col);
    }

    /** The last columns, fewer than a vector: one column at a time, the real rows only, in scalars (the same steps). */
    private static void scalarColumns(double[] ap, int ao, double[] bp, int bo, int kc, int width, double[] c, int co, int ldc,
                                      int rows, boolean fused) {
        for (int l = 0; l < width; l++) {
            for (int r = 0; r < rows; r++) {
                double s = c[co + r * ldc + l];
                if (fused) for (int p = 0; p < kc; p++) s = Math.fma(ap[ao + p * MR + r], bp[bo + p * width + l], s);
                else for (int p = 0; p < kc; p++) s += ap[ao + p * MR + r] * bp[bo + p * width + l];
                c[co + r * ldc + l] = s;
            }
        }
    }

    /**
     * B's block {@code [kc × nc]} at off into strips: NR columns, then one of W if W or more are
     * left, then the rest; each strip row after row ({@code bp[start + p·width + l]}).
     */
    static void packB(double[] b, int off, int rs, int cs, int kc, int nc, double[] bp) {
        for (int j = 0; j < nc; ) {
            int width = nc - j >= NR ? NR : nc - j >= W ? W : nc - j, start = j * kc;
            for (int p = 0; p < kc; p++) {
                int from = off + p * rs + j * cs, to = start + p * width;
                if (cs == 1) System.arraycopy(b, from, bp, to, width);
                else for (int l = 0; l < width; l++) bp[to + l] = b[from + l * cs];
            }
            j += width;
        }
    }

    /** A's block {@code [mc × kc]} at off into panels of MR rows, column after column ({@code ap[i·kc + p·MR + r]}), zero past mc. */
    static void packA(double[] a, int off, int rs, int cs, int mc, int kc, double[] ap) {
        for (int i = 0; i < mc; i += MR) {
            int rows = Math.min(MR, mc - i), start = i * kc;
            for (int p = 0; p < kc; p++) {
                int from = off + i * rs + p * cs, to = start + p * MR;
                for (int r = 0; r < rows; r++) ap[to + r] = a[from + r * rs];
                for (int r = rows; r < MR; r++) ap[to + r] = 0;
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}
