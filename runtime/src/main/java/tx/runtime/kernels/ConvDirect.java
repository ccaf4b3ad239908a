package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.S;
import static tx.runtime.kernels.Gemm.W;
import static tx.runtime.kernels.OffsetKernels.at;
import static tx.runtime.kernels.OffsetKernels.kernel;
import static tx.runtime.kernels.OffsetKernels.rowsAt;

import jdk.incubator.vector.DoubleVector;

/**
 * A convolution and its weight gradient read straight from the (zero-padded) images, no patches
 * laid out: for LeNet's first layer (one input channel, 6 output channels, 25 taps) the patches were
 * as many numbers as the multiply-adds, and their product had too few rows for {@link Gemm}'s
 * micro-kernel (its last rows and its 25th column ran as chains of dependent scalar steps).
 *
 * <p>Both are one micro-kernel, F rows (output channels, F = 4, 2 or 1) by 4, 2 or 1 vectors, that
 * sums {@code C(f, v) += A(f, t) · X[off[t] + x_v]} over the steps t in order:
 * <pre>
 *   convolution      t = tap (c, a, q),      A = w,  a vector = W outputs along a row of y
 *   weight gradient  t = position (i, j),    A = gy, a vector = W taps (c, a, q..q+W-1) of dw
 * </pre>
 * NOTE: every element is summed in the order of {@link StandaloneWindows}' direct loops and of
 * {@link Conv}'s im2col and GEMM, from the bias (or 0), or from dw's sum over the images before,
 * with zeros read (and multiplied) in the padding, and the step of the mode ({@code c = fma(a, x, c)}
 * when fused, else {@code c = c + a·x}): so the bits are those of the other paths, in both modes
 * (ConvDirectTest). Lanes that are no output (a weight gradient's taps past kw, a row's outputs past
 * ow) read whatever lies there and are never stored where they count.
 */
final class ConvDirect {
    private ConvDirect() {}

    /**
     * Whether the convolution runs here: rows read as vectors (a width stride of 1), at least a
     * vector of outputs a row, and a group's padded planes small enough to stay in the L2 cache
     * (every kernel call reads them all; larger layers keep im2col and the GEMM's cache blocks).
     */
    static boolean forward(Conv.Geo g, int[] s, int[] p) {
        return Vectorized.AVAILABLE && s[1] == 1 && g.ow() >= W && planes(g, p) <= CACHED;
    }

    /**
     * Whether the weight gradient runs here: taps along a row read as vectors (a width dilation of
     * 1), at least half of each vector a tap; or the output channels in the lanes ({@link
     * ConvWeightLanes}) where that takes fewer steps, an image's positions of gy in the cache too.
     */
    static boolean weight(Conv.Geo g, int[] p, int[] d) {
        if (planes(g, p) > CACHED) return false;
        return Vectorized.AVAILABLE && d[1] == 1 && 2 * g.kw() >= roundUp(g.kw(), W) || channelLanes(g);
    }

    private static boolean channelLanes(Conv.Geo g) {
        return ConvWeightLanes.better(g) && (long) g.pixels() * roundUp(g.og(), W) <= CACHED;
    }

    /** The numbers in one group's padded planes of one image. */
    private static long planes(Conv.Geo g, int[] p) {
        return (long) g.cg() * (g.h() + 2 * p[0]) * (g.w() + 2 * p[1]);
    }

    /** The most numbers of a group's planes for the direct kernels (256 KiB). */
    private static final int CACHED = 1 << 15;

    /**
     * The images of x with pad zeros about each plane, and a vector after the last (which only
     * lanes that are no output read): in a buffer kept per thread up to {@link #KEPT} numbers.
     */
    static double[] padded(double[] x, Conv.Geo g, int[] p) {
        int hp = g.h() + 2 * p[0], wp = g.w() + 2 * p[1], planes = g.n() * g.c(), n = planes * hp * wp + W;
        double[] xp = n <= KEPT ? PADDED.get().of(n) : new double[n];
        if (p[0] != 0 || p[1] != 0) java.util.Arrays.fill(xp, 0, n, 0.0);
        for (int pl = 0; pl < planes; pl++) {
            for (int y = 0; y < g.h(); y++) System.arraycopy(x, (pl * g.h() + y) * g.w(), xp, (pl * hp + y + p[0]) * wp + p[1], g.w());
        }
        return xp;
    }

    /** The most numbers of padded images kept per thread between calls (8 MiB). */
    private static final int KEPT = 1 << 20;

    /** y = bias + w · patches(x) into out ([n, o, oh, ow]), when {@link #forward}. */
    static void conv(double[] x, double[] w, double[] bias, Conv.Geo g, int[] s, int[] p, int[] d, double[] out, boolean fused) {
        int hp = g.h() + 2 * p[0], wp = g.w() + 2 * p[1], plane = hp * wp, k = g.k(), og = g.og(), px = g.pixels();
        int owPad = roundUp(g.ow(), W), perRow = owPad / W, nv = g.oh() * perRow;
        boolean inPlace = owPad == g.ow(); // else each group's outputs go through a buffer with rows of owPad
        double[] xp = padded(x, g, p);
        int[] off = new int[k], xv = new int[nv], cv = new int[nv];
        for (int c = 0, t = 0; c < g.cg(); c++) for (int a = 0; a < g.kh(); a++) for (int q = 0; q < g.kw(); q++) off[t++] = (c * hp + a * d[0]) * wp + q * d[1];
        for (int i = 0, v = 0; i < g.oh(); i++) for (int j = 0; j < owPad; j += W, v++) {
            xv[v] = i * s[0] * wp + j;
            cv[v] = i * owPad + j;
        }
        Parallel.run(g.n() * g.groups(), task -> {
            Limits.checkTime();
            int b = task / g.groups(), gr = task % g.groups(), xBase = (b * g.c() + gr * g.cg()) * plane, at = (b * g.o() + gr * og) * px;
            int ldc = inPlace ? px : g.oh() * owPad, cBase = inPlace ? at : 0;
            double[] c = inPlace ? out : BUFFER.get().of(og * ldc);
            for (int f = 0; f < og; f++) java.util.Arrays.fill(c, cBase + f * ldc, cBase + (f + 1) * ldc, bias == null ? 0.0 : bias[gr * og + f]);
            for (int fb = 0; fb < og; fb += rowsAt(og, fb)) {
                int ao = (gr * og + fb) * k, co = cBase + fb * ldc;
                for (int v = 0; v < nv; v += 4) kernel(rowsAt(og, fb), w, ao, k, xp, off, k, xv, cv, v, Math.min(4, nv - v), xBase, c, c, co, ldc, fused);
            }
            if (!inPlace) {
                for (int f = 0; f < og; f++) for (int i = 0; i < g.oh(); i++) System.arraycopy(c, f * ldc + i * owPad, out, at + f * px + i * g.ow(), g.ow());
            }
        });
    }

    /** dw = Σ_b gy_b · patches(x_b)ᵀ ([o, c/groups, kh, kw]), when {@link #weight}. */
    static double[] weightGrad(double[] x, double[] gy, Conv.Geo g, int[] s, int[] p, int[] d, boolean fused) {
        if (channelLanes(g)) return ConvWeightLanes.weightGrad(padded(x, g, p), gy, g, s, p, d, fused);
        int hp = g.h() + 2 * p[0], wp = g.w() + 2 * p[1], plane = hp * wp, og = g.og(), px = g.pixels();
        int nq = (g.kw() + W - 1) / W, nu = g.cg() * g.kh() * nq, ldc = nu * W;
        double[] xp = padded(x, g, p), dwPad = new double[g.o() * ldc];
        int[] off = new int[px], xu = new int[nu];
        for (int i = 0, t = 0; i < g.oh(); i++) for (int j = 0; j < g.ow(); j++) off[t++] = i * s[0] * wp + j * s[1];
        for (int c = 0, u = 0; c < g.cg(); c++) for (int a = 0; a < g.kh(); a++) for (int q = 0; q < nq; q++) xu[u++] = (c * hp + a * d[0]) * wp + q * W;
        int[] cu = new int[nu];
        for (int u = 0; u < nu; u++) cu[u] = u * W;
        int[] starts = java.util.stream.IntStream.iterate(0, f -> f < og, f -> f + rowsAt(og, f)).toArray();
        int quads = (nu + 3) / 4, tasks = starts.length * quads;
        Parallel.run(g.groups() * tasks, task -> { // each task its own elements of dw, over the batch in order
            Limits.checkTime();
            int gr = task / tasks, fb = starts[task % tasks / quads], u = task % quads * 4, rows = rowsAt(og, fb);
            for (int b = 0; b < g.n(); b++) {
                int xBase = (b * g.c() + gr * g.cg()) * plane, ao = (b * g.o() + gr * og + fb) * px;
                kernel(rows, gy, ao, px, xp, off, px, xu, cu, u, Math.min(4, nu - u), xBase, dwPad, dwPad, (gr * og + fb) * ldc, ldc, fused);
            }
        });
        double[] dw = new double[g.o() * g.k()];
        for (int f = 0, at = 0; f < g.o(); f++) {
            for (int ca = 0; ca < g.cg() * g.kh(); ca++) for (int q = 0; q < g.kw(); q++) dw[at++] = dwPad[f * ldc + ca * nq * W + q];
        }
        return dw;
    }

    /** Whether the input gradient runs here: at least a vector of outputs a row, a group's planes of gy small enough for the L2 cache. */
    static boolean input(Conv.Geo g) {
        return Vectorized.AVAILABLE && g.ow() >= W && (long) g.og() * g.oh() * roundUp(g.ow(), W) <= CACHED;
    }

    /**
     * dx = col2im(wᵀ · gy) ([n, c, h, w]), when {@link #input}: per image and group, the patches'
     * rows four taps at a time (each element the sum over the group's output channels in order, from
     * 0), each block added back into dx as soon as it is made, taps in order, then positions, as
     * {@link Conv}'s col2im adds them (so the same bits). The block stays in the L1 cache.
     */
    static void inputGrad(double[] gy, double[] w, Conv.Geo g, int[] s, int[] p, int[] d, double[] dx, boolean fused) {
        int k = g.k(), og = g.og(), px = g.pixels(), owPad = roundUp(g.ow(), W), ldc = g.oh() * owPad, nv = ldc / W;
        double[] wT = new double[g.groups() * k * og];
        for (int gr = 0; gr < g.groups(); gr++) for (int f = 0; f < og; f++) for (int r = 0; r < k; r++) wT[(gr * k + r) * og + f] = w[(gr * og + f) * k + r];
        int[] off = new int[og], xv = new int[nv];
        for (int f = 0; f < og; f++) off[f] = f * ldc;
        for (int v = 0; v < nv; v++) xv[v] = v * W;
        if (s[0] == 1 && s[1] == 1 && g.w() >= W) {
            gathered(gy, wT, g, p, d, dx, off, xv, fused);
            return;
        }
        Parallel.run(g.n() * g.groups(), task -> {
            Limits.checkTime();
            int b = task / g.groups(), gr = task % g.groups(), at = (b * g.o() + gr * og) * px;
            double[] both = BUFFER.get().of(og * ldc + W + 4 * ldc), c = both; // gy's rows padded to whole vectors, then a block of 4 taps
            int cBase = og * ldc + W;
            for (int f = 0; f < og; f++) for (int i = 0; i < g.oh(); i++) System.arraycopy(gy, at + f * px + i * g.ow(), both, f * ldc + i * owPad, g.ow());
            for (int rb = 0; rb < k; rb += rowsAt(k, rb)) {
                int rows = rowsAt(k, rb);
                java.util.Arrays.fill(c, cBase, cBase + rows * ldc, 0.0);
                for (int v = 0; v < nv; v += 4) kernel(rows, wT, (gr * k + rb) * og, og, both, off, og, xv, xv, v, Math.min(4, nv - v), 0, c, c, cBase, ldc, fused);
                addBack(c, cBase, rb, rows, owPad, dx, (b * g.c() + gr * g.cg()) * g.h() * g.w(), g, s, p, d);
            }
        });
    }

    /**
     * {@link #inputGrad} at stride 1, each channel's patches made whole (its kh · kw taps) in a
     * buffer, tap after tap, row after row, a gap of zeros after each row at least as wide as a tap
     * reaches past the row's ends; then each vector of dx summed from 0 over the taps in order, one
     * patch element a tap, skipping the taps that read no row of patches at all, and reading a zero
     * in the gaps where a tap reads no position: the sums of Conv's col2im (adding 0 to a sum that
     * starts at +0 changes nothing: such a sum is never -0), without its additions into overlapping
     * rows of dx (a vector stored, then read back shifted by one). NOTE: the buffer (LeNet's second
     * layer: 25 planes of 8 rows of 12) stays in the L1 cache; planes with rows of zeros above and
     * below, as the taps reach, were twice as large.
     */
    private static void gathered(double[] gy, double[] wT, Conv.Geo g, int[] p, int[] d, double[] dx, int[] off, int[] xv, boolean fused) {
        int k = g.k(), og = g.og(), px = g.pixels(), taps = g.kh() * g.kw(), owPad = roundUp(g.ow(), W), ldg = g.oh() * owPad, nv = ldg / W;
        int pl = Math.max(0, (g.kw() - 1) * d[1] - p[1]), rowPad = Math.max(owPad, g.ow() + pl), tap = g.oh() * rowPad, size = taps * tap + pl + W;
        int perRow = (g.w() + W - 1) / W;
        int[] cv = new int[nv], tapOff = new int[taps], lo = new int[g.h()], hi = new int[g.h()];
        for (int i = 0, v = 0; i < g.oh(); i++) for (int j = 0; j < owPad; j += W, v++) cv[v] = i * rowPad + pl + j;
        for (int a = 0, t = 0; a < g.kh(); a++) for (int q = 0; q < g.kw(); q++, t++) tapOff[t] = t * tap + (p[0] - a * d[0]) * rowPad + p[1] - q * d[1] + pl;
        for (int y = 0; y < g.h(); y++) { // the taps that read a row of patches from dx's row y: kernel rows aLo .. aHi
            int aLo = Math.max(0, -Math.floorDiv(g.oh() - 1 - y - p[0], d[0])), aHi = Math.min(g.kh() - 1, Math.floorDiv(y + p[0], d[0]));
            lo[y] = aLo * g.kw();
            hi[y] = (aHi + 1) * g.kw() - 1; // below lo[y]: no tap
        }
        String layout = taps + " " + tap + " " + rowPad + " " + pl + " " + g.oh() + " " + owPad;
        Parallel.run(g.n() * g.groups(), task -> {
            Limits.checkTime();
            int b = task / g.groups(), gr = task % g.groups(), at = (b * g.o() + gr * og) * px, xb = owPad == g.ow() ? at : 0;
            double[] gyp = gy; // gy read in place where its rows are whole vectors, else copied into rows of owPad
            if (owPad != g.ow()) {
                gyp = BUFFER.get().of(og * ldg);
                for (int f = 0; f < og; f++) for (int i = 0; i < g.oh(); i++) System.arraycopy(gy, at + f * px + i * g.ow(), gyp, f * ldg + i * owPad, g.ow());
            }
            Patches patches = PATCHES.get();
            double[] buf = patches.of(size, layout), zeros = ZEROS.get().of(size); // the kernel's sums start from zeros' 0s
            for (int c = 0; c < g.cg(); c++) {
                for (int rb = 0; rb < taps; rb += rowsAt(taps, rb)) {
                    for (int v = 0; v < nv; v += 4) kernel(rowsAt(taps, rb), wT, (gr * k + c * taps + rb) * og, og, gyp, off, og, xv, cv, v, Math.min(4, nv - v), xb, zeros, buf, rb * tap, tap, fused);
                }
                if (owPad != g.ow()) { // the lanes past each row's end: back to zeros
                    for (int t = 0; t < taps; t++) for (int i = 0; i < g.oh(); i++) {
                        int row = t * tap + cv[i * (owPad / W)];
                        java.util.Arrays.fill(buf, row + g.ow(), row + owPad, 0.0);
                    }
                }
                int plane = (b * g.c() + gr * g.cg() + c) * g.h() * g.w();
                for (int y = 0; y < g.h(); y += 2) {
                    int y2 = Math.min(y + 1, g.h() - 1);
                    for (int v = 0; v < perRow; v += 2) { // the last vector of a row ends at the row's end
                        int z0 = Math.min(v * W, g.w() - W), z1 = Math.min(Math.min(v + 1, perRow - 1) * W, g.w() - W);
                        sumRows(buf, tapOff, lo[y], hi[y], y * rowPad + z0, y * rowPad + z1, lo[y2], hi[y2], y2 * rowPad + z0, y2 * rowPad + z1,
                                dx, plane + y * g.w() + z0, plane + y * g.w() + z1, plane + y2 * g.w() + z0, plane + y2 * g.w() + z1);
                    }
                }
            }
            patches.done();
        });
    }

    /**
     * The patches of {@link #gathered}, kept per thread with the layout whose zeros (all but the
     * planes' rows, which every use writes whole) it holds: zeroed again only for another layout, or
     * after a use that did not finish (a timeout between its kernels).
     */
    private static final class Patches {
        double[] data = new double[0];
        String layout, using;

        double[] of(int n, String wanted) {
            if (data.length < n) data = new double[n];
            else if (!wanted.equals(layout)) java.util.Arrays.fill(data, 0, n, 0.0);
            layout = null; // until done
            using = wanted;
            return data;
        }

        void done() {
            layout = using;
        }
    }

    private static final ThreadLocal<Patches> PATCHES = ThreadLocal.withInitial(Patches::new);

    /**
     * Two vectors of dx at d0 and d1 (of one row, patch elements at tapOff[t] + g0 and + g1), each
     * the sum from 0 over the taps lo1 .. hi1 in order, and two at d2 and d3 (of the next row, or
     * the same again) over lo2 .. hi2; the next row's taps start and end no earlier (lo1 <= lo2,
     * hi1 <= hi2), so the taps that only the first row reads come first, then those both read.
     */
    private static void sumRows(double[] buf, int[] tapOff, int lo1, int hi1, int g0, int g1, int lo2, int hi2, int g2, int g3,
                                double[] dx, int d0, int d1, int d2, int d3) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int t = lo1;
        for (; t <= hi1 && t < lo2; t++) {
            int o = tapOff[t];
            s0 = s0.add(at(buf, o + g0));
            s1 = s1.add(at(buf, o + g1));
        }
        for (; t <= hi1; t++) {
            int o = tapOff[t];
            s0 = s0.add(at(buf, o + g0));
            s1 = s1.add(at(buf, o + g1));
            s2 = s2.add(at(buf, o + g2));
            s3 = s3.add(at(buf, o + g3));
        }
        for (t = Math.max(t, lo2); t <= hi2; t++) {
            int o = tapOff[t];
            s2 = s2.add(at(buf, o + g2));
            s3 = s3.add(at(buf, o + g3));
        }
        s0.intoArray(dx, d0);
        s1.intoArray(dx, d1);
        s2.intoArray(dx, d2);
        s3.intoArray(dx, d3);
    }

    /** Adds rows rb .. rb + rows of the patches (from at, ldc apart, output rows owPad apart) into the planes of dx from base: {@link Conv}'s col2im on a block. */
    private static void addBack(double[] cols, int at, int rb, int rows, int owPad, double[] dx, int base, Conv.Geo g, int[] s, int[] p, int[] d) {
        int ldc = g.oh() * owPad;
        for (int row = rb; row < rb + rows; row++) {
            int c = row / (g.kh() * g.kw()), a = row / g.kw() % g.kh(), q = row % g.kw(), off = q * d[1] - p[1];
            int j0 = Math.min(g.ow(), off >= 0 ? 0 : (-off + s[1] - 1) / s[1]);
            int j1 = Math.max(j0, Math.min(g.ow(), g.w() - 1 - off < 0 ? 0 : (g.w() - 1 - off) / s[1] + 1));
            int from = at + (row - rb) * ldc;
            for (int i = 0; i < g.oh(); i++, from += owPad) {
                int y = i * s[0] - p[0] + a * d[0];
                if (y < 0 || y >= g.h()) continue;
                int to = base + (c * g.h() + y) * g.w() + off;
                if (s[1] == 1) for (int j = j0; j < j1; j++) dx[to + j] += cols[from + j];
                else for (int j = j0; j < j1; j++) dx[to + j * s[1]] += cols[from + j];
            }
        }
    }

    /** A buffer per thread: for outputs whose rows are not whole vectors, and for the padded images. */
    private static final class Buffer {
        double[] data = new double[0];

        double[] of(int n) {
            if (data.length < n) data = new double[n];
            return data;
        }
    }

    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new), PADDED = ThreadLocal.withInitial(Buffer::new),
            ZEROS = ThreadLocal.withInitial(Buffer::new); // NOTE: never written: only zeros

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}
