package tx.runtime.kernels;

import static tx.runtime.kernels.Gemm.S;

import jdk.incubator.vector.DoubleVector;

/**
 * The register blocks of {@link ConvDirect}'s kernels and of {@link Gemm}'s products with a short or
 * a long k and few rows ({@link SmallGemm}): up to 4 rows of C by up to 4 vectors, each element
 * summed in order over the steps t from CI's element, {@code C(f, v) = CI(f, v) + Σ_t A(f, t) ·
 * X[off[t] + xs[v]]}, where each step is the mode's ({@code c = fma(a, x, c)} when fused, else
 * {@code c = c + a·x}): so the bits are those of any other loop that takes the same steps in the
 * same order.
 */
final class OffsetKernels {
    private OffsetKernels() {}

    /** Rows from f in one kernel: 4, then what is left as 2 and 1. */
    static int rowsAt(int og, int f) {
        return og - f >= 4 ? 4 : og - f >= 2 ? 2 : 1;
    }

    /**
     * Rows f < rows of C = CI + Σ_t A(f, t) · X[off[t] + xs[v]], summed in order over t from CI's
     * element at the same place (CI is C, or an array of zeros), for the vectors v of vs (1 to 4 of
     * them; C's vector v of row f at cb + cs[v] + f·ldc), with A(f, t) = a[ao + f·ars + t]. The
     * kernels take 4, 2 (four rows) or 1 vectors: 3 (and 2 on fewer rows) are made up to 4 by
     * summing the last one again, alike, and storing it again. NOTE: a method per shape and mode,
     * each step written out (see {@link Gemm}'s kernel on why not a flag tested per step).
     */
    static void kernel(int rows, double[] a, int ao, int ars, double[] x, int[] off, int steps, int[] xs, int[] cs, int v, int vs, int xb,
                       double[] ci, double[] c, int cb, int ldc, boolean fused) {
        int last = v + vs - 1, v1 = Math.min(v + 1, last), v2 = Math.min(v + 2, last);
        int x0 = xb + xs[v], x1 = xb + xs[v1], x2 = xb + xs[v2], x3 = xb + xs[last];
        int c0 = cb + cs[v], c1 = cb + cs[v1], c2 = cb + cs[v2], c3 = cb + cs[last];
        if (vs == 1) {
            if (rows == 4) {
                if (fused) r4v1Fma(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
                else r4v1Add(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
            } else if (rows == 2) {
                if (fused) r2v1Fma(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
                else r2v1Add(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
            } else {
                if (fused) r1v1Fma(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
                else r1v1Add(a, ao, ars, x, off, steps, x0, ci, c, c0, ldc);
            }
        } else if (rows == 4 && vs == 2) {
            if (fused) r4v2Fma(a, ao, ars, x, off, steps, x0, x1, ci, c, c0, c1, ldc);
            else r4v2Add(a, ao, ars, x, off, steps, x0, x1, ci, c, c0, c1, ldc);
        } else if (rows == 4) {
            if (fused) r4v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
            else r4v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
        } else if (rows == 2) {
            if (fused) r2v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
            else r2v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
        } else {
            if (fused) r1v4Fma(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
            else r1v4Add(a, ao, ars, x, off, steps, x0, x1, x2, x3, ci, c, c0, c1, c2, c3, ldc);
        }
    }

    static DoubleVector at(double[] c, int i) {
        return DoubleVector.fromArray(S, c, i);
    }

    private static void r4v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3),
                p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc), p12 = at(ci, c2 + ldc), p13 = at(ci, c3 + ldc),
                p20 = at(ci, c0 + 2 * ldc), p21 = at(ci, c1 + 2 * ldc), p22 = at(ci, c2 + 2 * ldc), p23 = at(ci, c3 + 2 * ldc),
                p30 = at(ci, c0 + 3 * ldc), p31 = at(ci, c1 + 3 * ldc), p32 = at(ci, c2 + 3 * ldc), p33 = at(ci, c3 + 3 * ldc);
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

    private static void r4v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3),
                p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc), p12 = at(ci, c2 + ldc), p13 = at(ci, c3 + ldc),
                p20 = at(ci, c0 + 2 * ldc), p21 = at(ci, c1 + 2 * ldc), p22 = at(ci, c2 + 2 * ldc), p23 = at(ci, c3 + 2 * ldc),
                p30 = at(ci, c0 + 3 * ldc), p31 = at(ci, c1 + 3 * ldc), p32 = at(ci, c2 + 3 * ldc), p33 = at(ci, c3 + 3 * ldc);
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

    private static void r4v2Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, double[] ci, double[] c, int c0, int c1, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc),
                p20 = at(ci, c0 + 2 * ldc), p21 = at(ci, c1 + 2 * ldc), p30 = at(ci, c0 + 3 * ldc), p31 = at(ci, c1 + 3 * ldc);
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

    private static void r4v2Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, double[] ci, double[] c, int c0, int c1, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc),
                p20 = at(ci, c0 + 2 * ldc), p21 = at(ci, c1 + 2 * ldc), p30 = at(ci, c0 + 3 * ldc), p31 = at(ci, c1 + 3 * ldc);
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

    private static void r4v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0), p10 = at(ci, c0 + ldc), p20 = at(ci, c0 + 2 * ldc), p30 = at(ci, c0 + 3 * ldc);
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

    private static void r4v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0), p10 = at(ci, c0 + ldc), p20 = at(ci, c0 + 2 * ldc), p30 = at(ci, c0 + 3 * ldc);
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

    private static void r2v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3),
                p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc), p12 = at(ci, c2 + ldc), p13 = at(ci, c3 + ldc);
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

    private static void r2v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3),
                p10 = at(ci, c0 + ldc), p11 = at(ci, c1 + ldc), p12 = at(ci, c2 + ldc), p13 = at(ci, c3 + ldc);
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

    private static void r2v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0), p10 = at(ci, c0 + ldc);
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

    private static void r2v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0), p10 = at(ci, c0 + ldc);
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

    private static void r1v4Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00); p01 = v1.fma(w0, p01); p02 = v2.fma(w0, p02); p03 = v3.fma(w0, p03);
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
    }

    private static void r1v4Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, int x1, int x2, int x3, double[] ci, double[] c, int c0, int c1, int c2, int c3, int ldc) {
        DoubleVector p00 = at(ci, c0), p01 = at(ci, c1), p02 = at(ci, c2), p03 = at(ci, c3);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0), v1 = at(x, o + x1), v2 = at(x, o + x2), v3 = at(x, o + x3);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0)); p01 = p01.add(v1.mul(w0)); p02 = p02.add(v2.mul(w0)); p03 = p03.add(v3.mul(w0));
        }
        p00.intoArray(c, c0); p01.intoArray(c, c1); p02.intoArray(c, c2); p03.intoArray(c, c3);
    }

    private static void r1v1Fma(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = v0.fma(w0, p00);
        }
        p00.intoArray(c, c0);
    }

    private static void r1v1Add(double[] a, int ao, int ars, double[] x, int[] off, int steps, int x0, double[] ci, double[] c, int c0, int ldc) {
        DoubleVector p00 = at(ci, c0);
        for (int t = 0; t < steps; t++) {
            int o = off[t], ai = ao + t;
            DoubleVector v0 = at(x, o + x0);
            DoubleVector w0 = DoubleVector.broadcast(S, a[ai]);
            p00 = p00.add(v0.mul(w0));
        }
        p00.intoArray(c, c0);
    }
}
