package tx.runtime.kernels;

import tx.runtime.tensor.Tensor;

/**
 * Convolution and max pooling. A convolution is im2col and tx's GEMM ({@link Gemm}), per batch
 * element and group, as PyTorch's slow_conv2d does for float64: the input patches are laid out as
 * the columns of a [c/groups · kh · kw, oh · ow] matrix, and
 * <pre>
 *   y    = w · cols               (from the bias)       the convolution
 *   cols = wᵀ · gy, then col2im                           its input gradient (a transposed convolution)
 *   dw  += gy · colsᵀ             (over the batch)      its weight gradient (a correlation)
 * </pre>
 * The geometry covers two spatial axes; a 1-D operand ([n, c, w]) is one of height 1, its first
 * stride, padding and dilation 1, 0, 1. Every element is summed in the order of the direct loops in
 * {@link Standalone} ({@code conv}, {@code convInput}, {@code convWeight}), which emitted Java runs:
 * with the GEMM's steps unfused (TX_GEMM=exact, or no FMA) the bits are the same
 * ({@code StandaloneTest}). Pooling is the direct loop of {@link Standalone} itself.
 */
public final class Conv {
    private Conv() {}

    /** The geometry of one convolution, from the shapes of x and w. */
    record Geo(int n, int c, int h, int w, int o, int cg, int kh, int kw, int oh, int ow, int groups) {
        static Geo of(int[] xs, int[] ws, int[] s, int[] p, int[] d, int groups) {
            int r = xs.length, h = r == 4 ? xs[2] : 1, kh = r == 4 ? ws[2] : 1;
            return new Geo(xs[0], xs[1], h, xs[r - 1], ws[0], ws[1], kh, ws[r - 1],
                    StandaloneWindows.convOut(h, kh, s[0], p[0], d[0], false), StandaloneWindows.convOut(xs[r - 1], ws[r - 1], s[1], p[1], d[1], false), groups);
        }
        int og() { return o / groups; }
        int k() { return cg * kh * kw; }
        int pixels() { return oh * ow; }
    }

    private static boolean fused() {
        return LinAlg.MODE == LinAlg.Mode.FAST && LinAlg.HAS_FMA;
    }

    /** The convolution of x by w plus bias (null: none), PyTorch's conv1d/conv2d; see the class comment. */
    public static Tensor conv(Tensor x, Tensor w, Tensor bias, int[] stride, int[] pad, int[] dil, int groups) {
        return conv(x, w, bias, stride, pad, dil, groups, fused());
    }

    static Tensor conv(Tensor x, Tensor w, Tensor bias, int[] stride, int[] pad, int[] dil, int groups, boolean fused) {
        Geo g = Geo.of(x.shapeRef(), w.shapeRef(), stride, pad, dil, groups);
        if (ConvDirect.forward(g, stride, pad)) {
            double[] out = Buffers.take(g.n * g.o * g.pixels()); // every element written
            ConvDirect.conv(x.data(), w.data(), bias == null ? null : bias.data(), g, stride, pad, dil, out, fused);
            return Tensor.of(outShape(x.shapeRef(), g.o, g.oh, g.ow), out);
        }
        int og = g.og(), k = g.k(), px = g.pixels();
        boolean packed = Gemm.packable(og, k, px);
        double[] out = bias == null ? Buffers.zeroed(g.n * g.o * px) : Buffers.take(g.n * g.o * px), cols = new double[k * px], wd = w.data();
        double[][] wPacked = packed ? packedWeights(wd, g, false) : null;
        for (int b = 0; b < g.n; b++) {
            for (int gr = 0; gr < groups; gr++) {
                int at = (b * g.o + gr * og) * px, from = (b * g.c + gr * g.cg) * g.h * g.w;
                if (bias != null) for (int f = 0; f < og; f++) java.util.Arrays.fill(out, at + f * px, at + (f + 1) * px, bias.data()[gr * og + f]);
                if (packed) { // cols holds the patches in the GEMM's strips
                    patchesAsB(x.data(), from, g, stride, pad, dil, cols);
                    Gemm.multiplyPacked(wPacked[gr], cols, out, at, og, k, px, fused);
                    continue;
                }
                im2col(x.data(), from, g, stride, pad, dil, cols, 0, px);
                LinAlg.multiplyInto(wd, gr * og * k, k, 1, cols, 0, px, 1, out, at, og, k, px, fused);
            }
        }
        return Tensor.of(outShape(x.shapeRef(), g.o, g.oh, g.ow), out);
    }

    /** The input gradient of {@link #conv}: dx of shape xs from gy and w. */
    public static Tensor convInput(Tensor gy, Tensor w, int[] xs, int[] stride, int[] pad, int[] dil, int groups) {
        return convInput(gy, w, xs, stride, pad, dil, groups, fused());
    }

    static Tensor convInput(Tensor gy, Tensor w, int[] xs, int[] stride, int[] pad, int[] dil, int groups, boolean fused) {
        Geo g = Geo.of(xs, w.shapeRef(), stride, pad, dil, groups);
        if (ConvDirect.input(g)) {
            double[] dx = Buffers.zeroed(g.n * g.c * g.h * g.w);
            ConvDirect.inputGrad(gy.data(), w.data(), g, stride, pad, dil, dx, fused);
            return Tensor.of(xs.clone(), dx);
        }
        int og = g.og(), k = g.k(), px = g.pixels();
        boolean packed = Gemm.packable(k, og, px);
        double[] dx = Buffers.zeroed(g.n * g.c * g.h * g.w), cols = new double[k * px], bp = packed ? new double[og * px] : null;
        double[][] wPacked = packed ? packedWeights(w.data(), g, true) : null;
        for (int b = 0; b < g.n; b++) {
            for (int gr = 0; gr < groups; gr++) {
                java.util.Arrays.fill(cols, 0.0);
                int at = (b * g.o + gr * og) * px;
                if (packed) {
                    Gemm.packB(gy.data(), at, px, 1, og, px, bp);
                    Gemm.multiplyPacked(wPacked[gr], bp, cols, 0, k, og, px, fused);
                } else {
                    LinAlg.multiplyInto(w.data(), gr * og * k, 1, k, gy.data(), at, px, 1, cols, 0, k, og, px, fused);
                }
                col2im(cols, 0, px, dx, (b * g.c + gr * g.cg) * g.h * g.w, g, stride, pad, dil);
            }
        }
        return Tensor.of(xs.clone(), dx);
    }

    /** The weight gradient of {@link #conv}: dw of shape ws from x and gy. */
    public static Tensor convWeight(Tensor x, Tensor gy, int[] ws, int[] stride, int[] pad, int[] dil, int groups) {
        return convWeight(x, gy, ws, stride, pad, dil, groups, fused());
    }

    /**
     * Per batch element and group, dw += gy · colsᵀ, with the patches laid out transposed (one row
     * per output position) so that the GEMM reads them row by row. NOTE: summed over the batch, then
     * the positions, in order: the direct loop's order.
     */
    static Tensor convWeight(Tensor x, Tensor gy, int[] ws, int[] stride, int[] pad, int[] dil, int groups, boolean fused) {
        Geo g = Geo.of(x.shapeRef(), ws, stride, pad, dil, groups);
        if (ConvDirect.weight(g, pad, dil)) return Tensor.of(ws.clone(), ConvDirect.weightGrad(x.data(), gy.data(), g, stride, pad, dil, fused));
        int og = g.og(), k = g.k(), px = g.pixels();
        if (og >= Gemm.MR) return Tensor.of(ws.clone(), convWeightTransposed(x, gy, g, stride, pad, dil, fused));
        double[] dw = new double[g.o * k], cols = new double[k * px], colsT = new double[k * px];
        for (int b = 0; b < g.n; b++) {
            for (int gr = 0; gr < groups; gr++) {
                im2col(x.data(), (b * g.c + gr * g.cg) * g.h * g.w, g, stride, pad, dil, cols, 0, px);
                for (int r = 0; r < k; r++) for (int j = 0; j < px; j++) colsT[j * k + r] = cols[r * px + j];
                LinAlg.multiplyInto(gy.data(), (b * g.o + gr * og) * px, px, 1, colsT, 0, k, 1, dw, gr * og * k, og, px, k, fused);
            }
        }
        return Tensor.of(ws.clone(), dw);
    }

    /**
     * The weight gradient as its transpose, dwᵀ[(c, p, q), f] += cols · gyᵀ per batch element and
     * group, then transposed once: for a group of many output channels, whose count is then the
     * GEMM's columns (rather than c · kh · kw, whose odd edge the GEMM does a column at a time). The
     * same sums in the same order: over the batch, then the positions.
     */
    private static double[] convWeightTransposed(Tensor x, Tensor gy, Geo g, int[] stride, int[] pad, int[] dil, boolean fused) {
        int og = g.og(), k = g.k(), px = g.pixels();
        boolean packed = Gemm.packable(k, px, og);
        double[] dwT = new double[g.groups * k * og], dw = new double[g.o * k];
        double[] cols = new double[packed ? Gemm.packedASize(k, px) : k * px], bp = packed ? new double[px * og] : null;
        for (int b = 0; b < g.n; b++) {
            for (int gr = 0; gr < g.groups; gr++) {
                int from = (b * g.c + gr * g.cg) * g.h * g.w, at = (b * g.o + gr * og) * px;
                if (packed) { // cols holds the patches in the GEMM's panels, gyᵀ its strips
                    patchesAsA(x.data(), from, g, stride, pad, dil, cols);
                    Gemm.packB(gy.data(), at, 1, px, px, og, bp);
                    Gemm.multiplyPacked(cols, bp, dwT, gr * k * og, k, px, og, fused);
                    continue;
                }
                im2col(x.data(), from, g, stride, pad, dil, cols, 0, px);
                LinAlg.multiplyInto(cols, 0, px, 1, gy.data(), at, 1, px, dwT, gr * k * og, k, px, og, fused);
            }
        }
        for (int gr = 0; gr < g.groups; gr++) {
            for (int q = 0; q < k; q++) for (int f = 0; f < og; f++) dw[(gr * og + f) * k + q] = dwT[(gr * k + q) * og + f];
        }
        return dw;
    }

    /** The patches of one group of one batch element (its planes from base) as the rows (c, p, q) of cols from column at, rows ld apart; zeros outside x. */
    private static void im2col(double[] x, int base, Geo g, int[] s, int[] p, int[] d, double[] cols, int col, int ld) {
        for (int row = 0; row < g.k(); row++) patchRow(x, base, g, s, p, d, row, cols, row * ld + col);
    }

    /**
     * The patches as B of the product {@code w · cols}, in {@link Gemm#packB}'s strips: each row made
     * in a buffer that stays in the cache and copied into its strips, instead of the whole matrix
     * laid out and then packed (NOTE: for LeNet's layers the copying, not the multiply-adds, took
     * most of the time).
     */
    private static void patchesAsB(double[] x, int base, Geo g, int[] s, int[] p, int[] d, double[] bp) {
        int k = g.k(), px = g.pixels();
        double[] row = ROW.get().row(px);
        for (int r = 0; r < k; r++) {
            patchRow(x, base, g, s, p, d, r, row, 0);
            Gemm.packBRow(row, r, k, px, bp);
        }
    }

    /** The patches as A of the product {@code cols · gyᵀ}, in {@link Gemm#packA}'s panels (the rows past k zero). */
    private static void patchesAsA(double[] x, int base, Geo g, int[] s, int[] p, int[] d, double[] ap) {
        int k = g.k(), px = g.pixels();
        double[] row = ROW.get().row(px);
        for (int r = 0; r < k; r++) {
            patchRow(x, base, g, s, p, d, r, row, 0);
            Gemm.packARow(row, r, px, ap);
        }
        Gemm.padA(k, px, ap);
    }

    /** Each group's weight [og × k] (or its transpose, [k × og]) packed whole as A, once for the whole batch. */
    private static double[][] packedWeights(double[] wd, Geo g, boolean transposed) {
        int og = g.og(), k = g.k();
        double[][] out = new double[g.groups][];
        for (int gr = 0; gr < g.groups; gr++) {
            out[gr] = new double[transposed ? Gemm.packedASize(k, og) : Gemm.packedASize(og, k)];
            if (transposed) Gemm.packA(wd, gr * og * k, 1, k, k, og, out[gr]);
            else Gemm.packA(wd, gr * og * k, k, 1, og, k, out[gr]);
        }
        return out;
    }

    /** A row buffer per thread, for {@link #patchesAsB} and {@link #patchesAsA}. */
    private static final class RowBuffer {
        double[] row = new double[0];

        double[] row(int n) {
            if (row.length < n) row = new double[n];
            return row;
        }
    }

    private static final ThreadLocal<RowBuffer> ROW = ThreadLocal.withInitial(RowBuffer::new);

    /** Row (c, a, q) of the patches of one group of one batch element: its oh · ow numbers into out from at; zeros outside x. */
    private static void patchRow(double[] x, int base, Geo g, int[] s, int[] p, int[] d, int row, double[] out, int at) {
        int c = row / (g.kh * g.kw), a = row / g.kw % g.kh, q = row % g.kw;
        int off = q * d[1] - p[1];
        int j0 = Math.min(g.ow, firstInside(off, s[1])), j1 = Math.max(j0, Math.min(g.ow, lastInside(off, s[1], g.w) + 1));
        for (int i = 0; i < g.oh; i++, at += g.ow) {
            int y = i * s[0] - p[0] + a * d[0];
            if (y < 0 || y >= g.h || j0 >= j1) {
                java.util.Arrays.fill(out, at, at + g.ow, 0.0);
                continue;
            }
            int from = base + (c * g.h + y) * g.w + off;
            java.util.Arrays.fill(out, at, at + j0, 0.0);
            if (s[1] == 1) System.arraycopy(x, from + j0, out, at + j0, j1 - j0);
            else for (int j = j0; j < j1; j++) out[at + j] = x[from + j * s[1]];
            java.util.Arrays.fill(out, at + j1, at + g.ow, 0.0);
        }
    }

    /** The first output column j with j s + off >= 0. */
    private static int firstInside(int off, int s) {
        return off >= 0 ? 0 : (-off + s - 1) / s;
    }

    /** The last output column j with j s + off < n (-1 if none). */
    private static int lastInside(int off, int s, int n) {
        return n - 1 - off < 0 ? -1 : (n - 1 - off) / s;
    }

    /** Adds the columns (from column col, rows ld apart) back into the planes from base, row (c, p, q) then position (i, j): the adjoint of {@link #im2col}. */
    private static void col2im(double[] cols, int col, int ld, double[] dx, int base, Geo g, int[] s, int[] p, int[] d) {
        int row = 0;
        for (int c = 0; c < g.cg; c++) {
            for (int a = 0; a < g.kh; a++) {
                for (int q = 0; q < g.kw; q++, row++) {
                    int at = row * ld + col, off = q * d[1] - p[1];
                    int j0 = Math.min(g.ow, firstInside(off, s[1])), j1 = Math.max(j0, Math.min(g.ow, lastInside(off, s[1], g.w) + 1));
                    for (int i = 0; i < g.oh; i++, at += g.ow) {
                        int y = i * s[0] - p[0] + a * d[0];
                        if (y < 0 || y >= g.h) continue;
                        int to = base + (c * g.h + y) * g.w + off;
                        if (s[1] == 1) for (int j = j0; j < j1; j++) dx[to + j] += cols[at + j]; // NOTE: the JIT vectorises this one
                        else for (int j = j0; j < j1; j++) dx[to + j * s[1]] += cols[at + j];
                    }
                }
            }
        }
    }

    private static int[] outShape(int[] xs, int o, int oh, int ow) {
        return xs.length == 4 ? new int[] {xs[0], o, oh, ow} : new int[] {xs[0], o, ow};
    }

    /** Max pooling of x that reads v (x's shape): {@link Standalone#maxPool}. */
    public static Tensor maxPool(Tensor x, Tensor v, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        int[] xs = x.shapeRef();
        int r = xs.length, h = r == 4 ? xs[2] : 1;
        int oh = StandaloneWindows.convOut(h, k[0], s[0], p[0], d[0], ceil), ow = StandaloneWindows.convOut(xs[r - 1], k[1], s[1], p[1], d[1], ceil);
        return Tensor.of(outShape(xs, xs[1], oh, ow), StandaloneWindows.maxPool(x.data(), v.data(), xs, k, s, p, d, ceil));
    }

    /** Its adjoint in v: {@link Standalone#maxUnpool}. */
    public static Tensor maxUnpool(Tensor x, Tensor g, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        return Tensor.of(x.shape(), StandaloneWindows.maxUnpool(x.data(), g.data(), x.shapeRef(), k, s, p, d, ceil));
    }

    /** The output length along one axis ({@link Standalone#convOut}). */
    public static int outLength(int n, int k, int s, int p, int d, boolean ceil) {
        return StandaloneWindows.convOut(n, k, s, p, d, ceil);
    }
}
