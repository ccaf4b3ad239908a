package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.S;
import static tx.runtime.kernels.Gemm.W;

import jdk.incubator.vector.DoubleVector;

/**
 * A convolution's weight gradient with the output channels in the lanes: {@code dwT(t, f) += x[b,
 * off(pos) + tap(t)] · gy[b, f, pos]} over the images b and the positions pos in order, 8 taps by
 * 2 (or 1) vectors of channels at a time, gy laid out once as rows of a position's channels.
 * {@link ConvDirect}'s weight gradient puts a kernel row's taps in the lanes instead, 5 of 8 of
 * them used for LeNet's 5 x 5 kernels; 16 output channels fill two vectors whole.
 *
 * <p>NOTE: every element is summed from 0 over the batch, then the positions, in order, with the
 * mode's step, zeros read (and multiplied) in the padding: the sums of {@link ConvDirect} and of
 * {@link Conv}'s im2col and GEMM, so the same bits (ConvDirectTest). Lanes past the group's
 * channels multiply zeros, and taps past the last (the last block made up to 8 with the last tap
 * again) are never copied out.
 */
final class ConvWeightLanes {
    private ConvWeightLanes() {}

    /** Taps a kernel takes at once. */
    private static final int TAPS = 8;

    /**
     * Whether the lanes hold the output channels here with fewer vector steps than {@link
     * ConvDirect}'s lanes of a kernel row's taps (where that kernel runs at all).
     */
    static boolean better(Conv.Geo g) {
        long channels = (long) roundUp(g.og(), W) / W * roundUp(g.k(), TAPS), rows = (long) g.og() * g.cg() * g.kh() * ((g.kw() + W - 1) / W);
        return Vectorized.AVAILABLE && g.og() >= W && channels < rows;
    }

    /** dw ([o, c/groups, kh, kw]) from the padded images xp ({@link ConvDirect#padded}) and gy, when {@link #better}. */
    static double[] weightGrad(double[] xp, double[] gy, Conv.Geo g, int[] s, int[] p, int[] d, boolean fused) {
        int hp = g.h() + 2 * p[0], wp = g.w() + 2 * p[1], plane = hp * wp, og = g.og(), px = g.pixels(), k = g.k();
        int fPad = roundUp(og, W), kPad = roundUp(k, TAPS), fv = fPad / W, blocks = kPad / TAPS;
        int[] tap = new int[kPad], at = new int[px];
        for (int c = 0, t = 0; c < g.cg(); c++) for (int a = 0; a < g.kh(); a++) for (int q = 0; q < g.kw(); q++) tap[t++] = (c * hp + a * d[0]) * wp + q * d[1];
        for (int t = k; t < kPad; t++) tap[t] = tap[k - 1];
        for (int i = 0, pos = 0; i < g.oh(); i++) for (int j = 0; j < g.ow(); j++) at[pos++] = i * s[0] * wp + j * s[1];
        double[] gyT = new double[g.groups() * g.n() * px * fPad], dwT = new double[g.groups() * kPad * fPad], dw = new double[g.o() * k];
        for (int gr = 0; gr < g.groups(); gr++) for (int b = 0; b < g.n(); b++) for (int f = 0; f < og; f++) { // each position's channels side by side
            int from = (b * g.o() + gr * og + f) * px, to = (gr * g.n() + b) * px * fPad + f;
            for (int pos = 0; pos < px; pos++) gyT[to + pos * fPad] = gy[from + pos];
        }
        Parallel.run(g.groups() * blocks, task -> { // each task its own taps of dw, over the batch in order
            Limits.checkTime();
            int gr = task / blocks, t0 = task % blocks * TAPS;
            for (int b = 0; b < g.n(); b++) {
                int xb = (b * g.c() + gr * g.cg()) * plane, gb = (gr * g.n() + b) * px * fPad, cb = (gr * kPad + t0) * fPad;
                for (int v = 0; v < fv; v += 2) {
                    if (v + 1 < fv) {
                        if (fused) t8v2Fma(xp, xb, tap, t0, at, px, gyT, gb + v * W, fPad, dwT, cb + v * W);
                        else t8v2Add(xp, xb, tap, t0, at, px, gyT, gb + v * W, fPad, dwT, cb + v * W);
                    } else {
                        if (fused) t8v1Fma(xp, xb, tap, t0, at, px, gyT, gb + v * W, fPad, dwT, cb + v * W);
                        else t8v1Add(xp, xb, tap, t0, at, px, gyT, gb + v * W, fPad, dwT, cb + v * W);
                    }
                }
            }
        });
        for (int gr = 0; gr < g.groups(); gr++) for (int f = 0; f < og; f++) for (int t = 0; t < k; t++) dw[(gr * og + f) * k + t] = dwT[(gr * kPad + t) * fPad + f];
        return dw;
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private static DoubleVector at(double[] c, int i) {
        return DoubleVector.fromArray(S, c, i);
    }

    private static DoubleVector x(double[] xp, int i) {
        return DoubleVector.broadcast(S, xp[i]);
    }

    /**
     * Taps t0 .. t0 + 7 by the channel vectors at gb and gb + W of each position's row (fStride
     * apart), from and back into dwT at cb (rows fStride apart): fused steps.
     */
    private static void t8v2Fma(double[] xp, int xb, int[] tap, int t0, int[] at, int px, double[] gy, int gb, int fStride, double[] dwT, int cb) {
        int o0 = xb + tap[t0], o1 = xb + tap[t0 + 1], o2 = xb + tap[t0 + 2], o3 = xb + tap[t0 + 3],
                o4 = xb + tap[t0 + 4], o5 = xb + tap[t0 + 5], o6 = xb + tap[t0 + 6], o7 = xb + tap[t0 + 7];
        int r = fStride;
        DoubleVector c00 = at(dwT, cb), c01 = at(dwT, cb + W), c10 = at(dwT, cb + r), c11 = at(dwT, cb + r + W),
                c20 = at(dwT, cb + 2 * r), c21 = at(dwT, cb + 2 * r + W), c30 = at(dwT, cb + 3 * r), c31 = at(dwT, cb + 3 * r + W),
                c40 = at(dwT, cb + 4 * r), c41 = at(dwT, cb + 4 * r + W), c50 = at(dwT, cb + 5 * r), c51 = at(dwT, cb + 5 * r + W),
                c60 = at(dwT, cb + 6 * r), c61 = at(dwT, cb + 6 * r + W), c70 = at(dwT, cb + 7 * r), c71 = at(dwT, cb + 7 * r + W);
        for (int pos = 0; pos < px; pos++) {
            int a = at[pos], gi = gb + pos * fStride;
            DoubleVector g0 = at(gy, gi), g1 = at(gy, gi + W), x;
            x = x(xp, o0 + a); c00 = g0.fma(x, c00); c01 = g1.fma(x, c01);
            x = x(xp, o1 + a); c10 = g0.fma(x, c10); c11 = g1.fma(x, c11);
            x = x(xp, o2 + a); c20 = g0.fma(x, c20); c21 = g1.fma(x, c21);
            x = x(xp, o3 + a); c30 = g0.fma(x, c30); c31 = g1.fma(x, c31);
            x = x(xp, o4 + a); c40 = g0.fma(x, c40); c41 = g1.fma(x, c41);
            x = x(xp, o5 + a); c50 = g0.fma(x, c50); c51 = g1.fma(x, c51);
            x = x(xp, o6 + a); c60 = g0.fma(x, c60); c61 = g1.fma(x, c61);
            x = x(xp, o7 + a); c70 = g0.fma(x, c70); c71 = g1.fma(x, c71);
        }
        c00.intoArray(dwT, cb); c01.intoArray(dwT, cb + W); c10.intoArray(dwT, cb + r); c11.intoArray(dwT, cb + r + W);
        c20.intoArray(dwT, cb + 2 * r); c21.intoArray(dwT, cb + 2 * r + W); c30.intoArray(dwT, cb + 3 * r); c31.intoArray(dwT, cb + 3 * r + W);
        c40.intoArray(dwT, cb + 4 * r); c41.intoArray(dwT, cb + 4 * r + W); c50.intoArray(dwT, cb + 5 * r); c51.intoArray(dwT, cb + 5 * r + W);
        c60.intoArray(dwT, cb + 6 * r); c61.intoArray(dwT, cb + 6 * r + W); c70.intoArray(dwT, cb + 7 * r); c71.intoArray(dwT, cb + 7 * r + W);
    }

    /** {@link #t8v2Fma} with a multiply then an add per step. */
    private static void t8v2Add(double[] xp, int xb, int[] tap, int t0, int[] at, int px, double[] gy, int gb, int fStride, double[] dwT, int cb) {
        int o0 = xb + tap[t0], o1 = xb + tap[t0 + 1], o2 = xb + tap[t0 + 2], o3 = xb + tap[t0 + 3],
                o4 = xb + tap[t0 + 4], o5 = xb + tap[t0 + 5], o6 = xb + tap[t0 + 6], o7 = xb + tap[t0 + 7];
        int r = fStride;
        DoubleVector c00 = at(dwT, cb), c01 = at(dwT, cb + W), c10 = at(dwT, cb + r), c11 = at(dwT, cb + r + W),
                c20 = at(dwT, cb + 2 * r), c21 = at(dwT, cb + 2 * r + W), c30 = at(dwT, cb + 3 * r), c31 = at(dwT, cb + 3 * r + W),
                c40 = at(dwT, cb + 4 * r), c41 = at(dwT, cb + 4 * r + W), c50 = at(dwT, cb + 5 * r), c51 = at(dwT, cb + 5 * r + W),
                c60 = at(dwT, cb + 6 * r), c61 = at(dwT, cb + 6 * r + W), c70 = at(dwT, cb + 7 * r), c71 = at(dwT, cb + 7 * r + W);
        for (int pos = 0; pos < px; pos++) {
            int a = at[pos], gi = gb + pos * fStride;
            DoubleVector g0 = at(gy, gi), g1 = at(gy, gi + W), x;
            x = x(xp, o0 + a); c00 = c00.add(g0.mul(x)); c01 = c01.add(g1.mul(x));
            x = x(xp, o1 + a); c10 = c10.add(g0.mul(x)); c11 = c11.add(g1.mul(x));
            x = x(xp, o2 + a); c20 = c20.add(g0.mul(x)); c21 = c21.add(g1.mul(x));
            x = x(xp, o3 + a); c30 = c30.add(g0.mul(x)); c31 = c31.add(g1.mul(x));
            x = x(xp, o4 + a); c40 = c40.add(g0.mul(x)); c41 = c41.add(g1.mul(x));
            x = x(xp, o5 + a); c50 = c50.add(g0.mul(x)); c51 = c51.add(g1.mul(x));
            x = x(xp, o6 + a); c60 = c60.add(g0.mul(x)); c61 = c61.add(g1.mul(x));
            x = x(xp, o7 + a); c70 = c70.add(g0.mul(x)); c71 = c71.add(g1.mul(x));
        }
        c00.intoArray(dwT, cb); c01.intoArray(dwT, cb + W); c10.intoArray(dwT, cb + r); c11.intoArray(dwT, cb + r + W);
        c20.intoArray(dwT, cb + 2 * r); c21.intoArray(dwT, cb + 2 * r + W); c30.intoArray(dwT, cb + 3 * r); c31.intoArray(dwT, cb + 3 * r + W);
        c40.intoArray(dwT, cb + 4 * r); c41.intoArray(dwT, cb + 4 * r + W); c50.intoArray(dwT, cb + 5 * r); c51.intoArray(dwT, cb + 5 * r + W);
        c60.intoArray(dwT, cb + 6 * r); c61.intoArray(dwT, cb + 6 * r + W); c70.intoArray(dwT, cb + 7 * r); c71.intoArray(dwT, cb + 7 * r + W);
    }

    /** Taps t0 .. t0 + 7 by one vector of channels: fused steps. */
    private static void t8v1Fma(double[] xp, int xb, int[] tap, int t0, int[] at, int px, double[] gy, int gb, int fStride, double[] dwT, int cb) {
        int o0 = xb + tap[t0], o1 = xb + tap[t0 + 1], o2 = xb + tap[t0 + 2], o3 = xb + tap[t0 + 3],
                o4 = xb + tap[t0 + 4], o5 = xb + tap[t0 + 5], o6 = xb + tap[t0 + 6], o7 = xb + tap[t0 + 7];
        int r = fStride;
        DoubleVector c0 = at(dwT, cb), c1 = at(dwT, cb + r), c2 = at(dwT, cb + 2 * r), c3 = at(dwT, cb + 3 * r),
                c4 = at(dwT, cb + 4 * r), c5 = at(dwT, cb + 5 * r), c6 = at(dwT, cb + 6 * r), c7 = at(dwT, cb + 7 * r);
        for (int pos = 0; pos < px; pos++) {
            int a = at[pos];
            DoubleVector g0 = at(gy, gb + pos * fStride);
            c0 = g0.fma(x(xp, o0 + a), c0); c1 = g0.fma(x(xp, o1 + a), c1); c2 = g0.fma(x(xp, o2 + a), c2); c3 = g0.fma(x(xp, o3 + a), c3);
            c4 = g0.fma(x(xp, o4 + a), c4); c5 = g0.fma(x(xp, o5 + a), c5); c6 = g0.fma(x(xp, o6 + a), c6); c7 = g0.fma(x(xp, o7 + a), c7);
        }
        c0.intoArray(dwT, cb); c1.intoArray(dwT, cb + r); c2.intoArray(dwT, cb + 2 * r); c3.intoArray(dwT, cb + 3 * r);
        c4.intoArray(dwT, cb + 4 * r); c5.intoArray(dwT, cb + 5 * r); c6.intoArray(dwT, cb + 6 * r); c7.intoArray(dwT, cb + 7 * r);
    }

    /** {@link #t8v1Fma} with a multiply then an add per step. */
    private static void t8v1Add(double[] xp, int xb, int[] tap, int t0, int[] at, int px, double[] gy, int gb, int fStride, double[] dwT, int cb) {
        int o0 = xb + tap[t0], o1 = xb + tap[t0 + 1], o2 = xb + tap[t0 + 2], o3 = xb + tap[t0 + 3],
                o4 = xb + tap[t0 + 4], o5 = xb + tap[t0 + 5], o6 = xb + tap[t0 + 6], o7 = xb + tap[t0 + 7];
        int r = fStride;
        DoubleVector c0 = at(dwT, cb), c1 = at(dwT, cb + r), c2 = at(dwT, cb + 2 * r), c3 = at(dwT, cb + 3 * r),
                c4 = at(dwT, cb + 4 * r), c5 = at(dwT, cb + 5 * r), c6 = at(dwT, cb + 6 * r), c7 = at(dwT, cb + 7 * r);
        for (int pos = 0; pos < px; pos++) {
            int a = at[pos];
            DoubleVector g0 = at(gy, gb + pos * fStride);
            c0 = c0.add(g0.mul(x(xp, o0 + a))); c1 = c1.add(g0.mul(x(xp, o1 + a))); c2 = c2.add(g0.mul(x(xp, o2 + a))); c3 = c3.add(g0.mul(x(xp, o3 + a)));
            c4 = c4.add(g0.mul(x(xp, o4 + a))); c5 = c5.add(g0.mul(x(xp, o5 + a))); c6 = c6.add(g0.mul(x(xp, o6 + a))); c7 = c7.add(g0.mul(x(xp, o7 + a)));
        }
        c0.intoArray(dwT, cb); c1.intoArray(dwT, cb + r); c2.intoArray(dwT, cb + 2 * r); c3.intoArray(dwT, cb + 3 * r);
        c4.intoArray(dwT, cb + 4 * r); c5.intoArray(dwT, cb + 5 * r); c6.intoArray(dwT, cb + 6 * r); c7.intoArray(dwT, cb + 7 * r);
    }
}
