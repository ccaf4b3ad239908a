package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.S;
import static tx.runtime.kernels.Gemm.W;

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

    /** Whether the weight gradient runs here: taps along a row read as vectors (a width dilation of 1), at least half of each vector a tap. */
    static boolean weight(Conv.Geo g, int[] p, int[] d) {
        return Vectorized.AVAILABLE && d[1] == 1 && 2 * g.kw() >= roundUp(g.kw(), W) && planes(g, p) <= CACHED;
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
    private static double[] padded(double[] x, Conv.Geo g, int[] p) {
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
                for (int v = 0; v < nv; v += 4) kernel(rowsAt(og, fb), w, ao, k, xp, off, k, xv, cv, v, Math.min(4, nv - v), xBase, c, co, ldc, fused);
            }
            if (!inPlace) {
                for (int f = 0; f < og; f++) for (int i = 0; i < g.oh(); i++) System.arraycopy(c, f * ldc + i * owPad, out, at + f * px + i * g.ow(), g.ow());
            }
        });
    }

    /** dw = Σ_b gy_b · patches(x_b)ᵀ ([o, c/groups, kh, kw]), when {@link #weight}. */
    static double[] weightGrad(double[] x, double[] gy, Conv.Geo g, int[] s, int[] p, int[] d, boolean fused) {
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
                kernel(rows, gy, ao, px, xp, off, px, xu, cu, u, Math.min(4, nu - u), xBase, dwPad, (gr * og + fb) * ldc, ldc, fused);
            }
        });
        double[] dw = new double[g.o() * g.k()];
        for (int f = 0, at = 0; f < g.o(); f++) {
            for (int ca = 0; ca < g.cg() * g.kh(); ca++) for (int q = 0; q < g.kw(); q++) dw[at++] = dwPad[f * ldc + ca * nq * W + q];
        }
        return dw;
    }

    /** A buffer per thread: for outputs whose rows are not whole vectors, and for the padded images. */
    private static final class Buffer {
        double[] data = new double[0];

        double[] of(int n) {
            if (data.length < n) data = new double[n];
            return data;
        }
    }

    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new), PADDED = ThreadLocal.withInitial(Buffer::new);

    /** Output channels from f in one kernel: 4, then what is left as 2 and 1. */
    private static int rowsAt(int og, int f) {
        return og - f >= 4 ? 4 : og - f >= 2 ? 2 : 1;
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /**
     * Rows f < rows of C += Σ_t A(f, t) · X[off[t] + xs[v]], in order over t, for the vectors v of
     * vs (1 to 4 of them; C's vector v of row f at cs[v] + f·ldc), with A(f, t) = a[ao + f·ars + t].
     * The kernels take 4, 2 (four rows) or 1 vectors: 3 (and 2 on fewer rows) are made up to 4 by
     * summing the last one again, alike, and storing it again. NOTE: a method per shape and mode, each step written out (see {@link Gemm}'s
     * kernel on why not a flag tested per step).
     */
    private static void kernel(int rows, double[] a, int ao, int ars, double[] x, int[] off, int steps, int[] xs, int[] cs, int v, int vs, int xb,
                               double[] c, int cb, int ldc, boolean fused) {
        int last = v + vs - 1, v1 = Math.min(v + 1, last), v2 = Math.min(v + 2, last);
        int x0 = xb + xs[v], x1 = xb + xs[v1], x2 = xb + xs[v2], x3 = xb + xs[last];
        int c0 = cb + cs[v], c1 = cb + cs[v1], c2 = cb + cs[v2], c3 = cb + cs[last];
        if (vs == 1) {
            if (rows == 4) {
                if (fused) r4v1Fma(a, ao, ars, x, off, steps, x0, c, c0, ldc);
                else r4v1Add(a, ao, ars, x, off, steps, x0, c, c0, ldc);
            } else if (rows == 2) {
                if (fused) r2v1Fma(a, ao, ars, x, off, steps, x0, c, c0, ldc);
                else r2v1Add(a, ao, ars, x, off, steps, x0, c, c0, ldc);
            } else {
                if (fused) r1v1Fma(a, ao, ars, x, off, steps, x0, c, c0, ldc);
                else r1v1Add(a, ao, ars, x, off, steps, x0, c, c0, ldc);
            }
        } else if (rows == 4 && vs == 2) {
            if (fused) r4v2Fma(a, ao, ars, x, off, steps, x0, x1, c, c0, c1, ldc);
            else r4v2Add(a, ao, ars, x, off, steps, x0, x1, c, c0, c1, ldc);
        } else if (rows == 4) {
            if (fused) r4v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
            else r4v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
        } else if (rows == 2) {
            if (fused) r2v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
            else r2v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
        } else {
            if (fused) r1v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
            else r1v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, c, c0, c1, c2, c3, ldc);
        }
    }

    private static DoubleVector at(double[] c, int i) {
        return DoubleVector.fromArray(S, c, i);
    }

    private static void r4v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3),
                p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc), p12 = at(c, c2 + ldc), p13 = at(c, c3 + ldc),
                p20 = at(c, c0 + 2 * ldc), p21 = at(c, c1 + 2 * ldc), p22 = at(c, c2 + 2 * ldc), p23 = at(c, c3 + 2 * ldc),
                p30 = at(c, c0 + 3 * ldc), p31 = at(c, c1 + 3 * ldc), p32 = at(c, c2 + 3 * ldc), p33 = at(c, c3 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00); p01 = v1.fma(w0, p01); p02 = v2.fma(w0, p02); p03 = v3.fma(w0, p03);
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = v0.fma(w1, p10); p11 = v1.fma(w1, p11); p12 = v2.fma(w1, p12); p13 = v3.fma(w1, p13);
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = v0.fma(w2, p20); p21 = v1.fma(w2, p21); p22 = v2.fma(w2, p22); p23 = v3.fma(w2, p23);
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = v0.fma(w3, p30); p31 = v1.fma(w3, p31); p32 = v2.fma(w3, p32); p33 = v3.fma(w3, p33);
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc); p12.intoArray(c, c2 + ldc); p13.intoArray(c, c3 + ldc);
        p20.intoArray(c, c0 + 2 * ldc); p21.intoArray(c, c1 + 2 * ldc); p22.intoArray(c, c2 + 2 * ldc); p23.intoArray(c, c3 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc); p31.intoArray(c, c1 + 3 * ldc); p32.intoArray(c, c2 + 3 * ldc); p33.intoArray(c, c3 + 3 * ldc);
    }

    private static void r4v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3),
                p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc), p12 = at(c, c2 + ldc), p13 = at(c, c3 + ldc),
                p20 = at(c, c0 + 2 * ldc), p21 = at(c, c1 + 2 * ldc), p22 = at(c, c2 + 2 * ldc), p23 = at(c, c3 + 2 * ldc),
                p30 = at(c, c0 + 3 * ldc), p31 = at(c, c1 + 3 * ldc), p32 = at(c, c2 + 3 * ldc), p33 = at(c, c3 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0)); p01 = p01.add(v1.mul(w0)); p02 = p02.add(v2.mul(w0)); p03 = p03.add(v3.mul(w0));
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = p10.add(v0.mul(w1)); p11 = p11.add(v1.mul(w1)); p12 = p12.add(v2.mul(w1)); p13 = p13.add(v3.mul(w1));
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = p20.add(v0.mul(w2)); p21 = p21.add(v1.mul(w2)); p22 = p22.add(v2.mul(w2)); p23 = p23.add(v3.mul(w2));
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = p30.add(v0.mul(w3)); p31 = p31.add(v1.mul(w3)); p32 = p32.add(v2.mul(w3)); p33 = p33.add(v3.mul(w3));
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc); p12.intoArray(c, c2 + ldc); p13.intoArray(c, c3 + ldc);
        p20.intoArray(c, c0 + 2 * ldc); p21.intoArray(c, c1 + 2 * ldc); p22.intoArray(c, c2 + 2 * ldc); p23.intoArray(c, c3 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc); p31.intoArray(c, c1 + 3 * ldc); p32.intoArray(c, c2 + 3 * ldc); p33.intoArray(c, c3 + 3 * ldc);
    }

    private static void r4v2Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, double[] c, int c0, int c1, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc),
                p20 = at(c, c0 + 2 * ldc), p21 = at(c, c1 + 2 * ldc), p30 = at(c, c0 + 3 * ldc), p31 = at(c, c1 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00); p01 = v1.fma(w0, p01);
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = v0.fma(w1, p10); p11 = v1.fma(w1, p11);
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = v0.fma(w2, p20); p21 = v1.fma(w2, p21);
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = v0.fma(w3, p30); p31 = v1.fma(w3, p31);
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc);
        p20.intoArray(c, c0 + 2 * ldc); p21.intoArray(c, c1 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc); p31.intoArray(c, c1 + 3 * ldc);
    }

    private static void r4v2Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, double[] c, int c0, int c1, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc),
                p20 = at(c, c0 + 2 * ldc), p21 = at(c, c1 + 2 * ldc), p30 = at(c, c0 + 3 * ldc), p31 = at(c, c1 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0)); p01 = p01.add(v1.mul(w0));
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = p10.add(v0.mul(w1)); p11 = p11.add(v1.mul(w1));
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = p20.add(v0.mul(w2)); p21 = p21.add(v1.mul(w2));
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = p30.add(v0.mul(w3)); p31 = p31.add(v1.mul(w3));
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc);
        p20.intoArray(c, c0 + 2 * ldc); p21.intoArray(c, c1 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc); p31.intoArray(c, c1 + 3 * ldc);
    }

    private static void r4v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0), p10 = at(c, c0 + ldc), p20 = at(c, c0 + 2 * ldc), p30 = at(c, c0 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00);
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = v0.fma(w1, p10);
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = v0.fma(w2, p20);
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = v0.fma(w3, p30);
        }
        p00.intoArray(c, c0);
        p10.intoArray(c, c0 + ldc);
        p20.intoArray(c, c0 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc);
    }

    private static void r4v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0), p10 = at(c, c0 + ldc), p20 = at(c, c0 + 2 * ldc), p30 = at(c, c0 + 3 * ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0));
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = p10.add(v0.mul(w1));
            DoubleVector w2 = DoubleVector.broadcast(S, a[ai + 2 * ars]);
            p20 = p20.add(v0.mul(w2));
            DoubleVector w3 = DoubleVector.broadcast(S, a[ai + 3 * ars]);
            p30 = p30.add(v0.mul(w3));
        }
        p00.intoArray(c, c0);
        p10.intoArray(c, c0 + ldc);
        p20.intoArray(c, c0 + 2 * ldc);
        p30.intoArray(c, c0 + 3 * ldc);
    }

    private static void r2v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3),
                p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc), p12 = at(c, c2 + ldc), p13 = at(c, c3 + ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00); p01 = v1.fma(w0, p01); p02 = v2.fma(w0, p02); p03 = v3.fma(w0, p03);
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = v0.fma(w1, p10); p11 = v1.fma(w1, p11); p12 = v2.fma(w1, p12); p13 = v3.fma(w1, p13);
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc); p12.intoArray(c, c2 + ldc); p13.intoArray(c, c3 + ldc);
    }

    private static void r2v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3),
                p10 = at(c, c0 + ldc), p11 = at(c, c1 + ldc), p12 = at(c, c2 + ldc), p13 = at(c, c3 + ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0)); p01 = p01.add(v1.mul(w0)); p02 = p02.add(v2.mul(w0)); p03 = p03.add(v3.mul(w0));
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = p10.add(v0.mul(w1)); p11 = p11.add(v1.mul(w1)); p12 = p12.add(v2.mul(w1)); p13 = p13.add(v3.mul(w1));
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
        p10.intoArray(c, c0 + ldc); p11.intoArray(c, c1 + ldc); p12.intoArray(c, c2 + ldc); p13.intoArray(c, c3 + ldc);
    }

    private static void r2v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0), p10 = at(c, c0 + ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00);
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = v0.fma(w1, p10);
        }
        p00.intoArray(c, c0);
        p10.intoArray(c, c0 + ldc);
    }

    private static void r2v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0), p10 = at(c, c0 + ldc);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0));
            DoubleVector w1 = DoubleVector.broadcast(S, a[ai + ars]);
            p10 = p10.add(v0.mul(w1));
        }
        p00.intoArray(c, c0);
        p10.intoArray(c, c0 + ldc);
    }

    private static void r1v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00); p01 = v1.fma(w0, p01); p02 = v2.fma(w0, p02); p03 = v3.fma(w0, p03);
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
    }

    private static void r1v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(c, c0), p01 = at(c, c1), p02 = at(c, c2), p03 = at(c, c3);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0)); p01 = p01.add(v1.mul(w0)); p02 = p02.add(v2.mul(w0)); p03 = p03.add(v3.mul(w0));
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
    }

    private static void r1v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00);
        }
        p00.intoArray(c, c0);
    }

    private static void r1v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(c, c0);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0));
        }
        p00.intoArray(c, c0);
    }
}
