package tx.runtime.kernels;

/**
 * exp, log, sin, cos and tanh with results that do not depend on the JIT, the Vector API or the
 * machine's SIMD width: the scalar twin of the lane kernels in {@link Vectorized}, which compute
 * every lane with the same operations in the same order, so the two give the same bits.
 *
 * <p>The algorithms are fdlibm's (the library {@link StrictMath} is specified by): Cody-Waite
 * reduction by ln 2 or pi/2 in two or three pieces, minimax polynomials of fixed degree with a fixed
 * (Horner) evaluation order, and a rational correction ({@code exp(r) = 1 + 2r/(2 - c(r))} for exp,
 * {@code s = f/(2+f)} for log). Each is written here without the branches that only choose between
 * equal results (a reduction by k = 0 is the identity, the k = 0 formulas are the general ones with
 * k = 0), so that what is left maps onto lanes with blends. The results are therefore
 * {@code StrictMath}'s, bit for bit (the tests check it on millions of inputs; the one exception is
 * log of a negative number, Double.NaN here where fdlibm's 0/0 may give a NaN with the sign bit
 * set), and within one ulp of the exact value. Arguments outside the range a kernel reduces
 * exactly (sin and cos of |x| > 2^19 pi/2, which need Payne-Hanek; exp beyond ±709.78; non-finite
 * arguments of exp, sin, cos and tanh) go to {@code StrictMath} itself, which is pure Java or
 * fdlibm in C and never a JIT intrinsic, so they too are the same everywhere.
 *
 * <p>Only IEEE operations that are correctly rounded (+, -, *, /), exact bit manipulations and
 * double-long conversions are used, and Java forbids contracting a*b+c into a fused multiply-add,
 * so an interpreted, C1- or C2-compiled or vectorised evaluation all round identically.
 */
public final class Transcendentals {
    private Transcendentals() {}

    static final double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33, INV_LN2 = 0x1.71547652b82fep0;
    static final double EXP_P1 = 0x1.555555555553ep-3, EXP_P2 = -0x1.6c16c16bebd93p-9, EXP_P3 = 0x1.1566aaf25de2cp-14,
            EXP_P4 = -0x1.bbd41c5d26bf1p-20, EXP_P5 = 0x1.6376972bea4d0p-25;
    static final double LG1 = 0x1.5555555555593p-1, LG2 = 0x1.999999997fa04p-2, LG3 = 0x1.2492494229359p-2,
            LG4 = 0x1.c71c51d8e78afp-3, LG5 = 0x1.7466496cb03dep-3, LG6 = 0x1.39a09d078c69fp-3, LG7 = 0x1.2f112df3e5244p-3;
    static final double S1 = -0x1.5555555555549p-3, S2 = 0x1.111111110f8a6p-7, S3 = -0x1.a01a019c161d5p-13,
            S4 = 0x1.71de357b1fe7dp-19, S5 = -0x1.ae5e68a2b9cebp-26, S6 = 0x1.5d93a5acfd57cp-33;
    static final double C1 = 0x1.555555555554cp-5, C2 = -0x1.6c16c16c15177p-10, C3 = 0x1.a01a019cb159p-16,
            C4 = -0x1.27e4f809c52adp-22, C5 = 0x1.1ee9ebdb4b1c4p-29, C6 = -0x1.8fae9be8838d4p-37;
    /** 2/pi, and pi/2 in three 33-bit pieces, each with the rest of pi/2 after it as a tail. */
    static final double INV_PIO2 = 0x1.45f306dc9c883p-1, PIO2_1 = 0x1.921fb544p0, PIO2_1T = 0x1.0b4611a626331p-34,
            PIO2_2 = 0x1.0b4611a6p-34, PIO2_2T = 0x1.3198a2e037073p-69, PIO2_3 = 0x1.3198a2ep-69, PIO2_3T = 0x1.b839a252049c1p-104;
    static final double Q1 = -0x1.11111111110f4p-5, Q2 = 0x1.a01a019fe5585p-10, Q3 = -0x1.4ce199eaadbb7p-14,
            Q4 = 0x1.0cfca86e65239p-18, Q5 = -0x1.afdb76e09c32dp-23;

    /** The high 32 bits of x's representation, as fdlibm reads a double: sign, exponent, 20 bits of significand. */
    static int high(double x) {
        return (int) (Double.doubleToRawLongBits(x) >> 32);
    }

    /** y · 2^k for y in [0.5, 2) and a normal result: k added to the exponent field. */
    static double scale(double y, long k) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(y) + (k << 52));
    }

    // ---- exp ------------------------------------------------------------------------------------------

    /**
     * e^x = 2^k · e^r with k = round(x / ln 2), r = x - k·ln2_hi - k·ln2_lo (ln2_hi has 32 bits, so
     * k·ln2_hi is exact) and e^r = 1 + 2r/(2 - c), c = r - r²·P(r²): fdlibm's exp.
     */
    public static double exp(double x) {
        int hx = high(x) & 0x7fffffff;
        if (hx >= 0x40862E42) return StrictMath.exp(x); // |x| >= 709.78: overflow, underflow, inf, nan
        if (hx < 0x3e300000) return 1.0 + x; // |x| < 2^-28
        long k = expMultiple(x, hx);
        double t = k;
        double hi = x - t * LN2_HI, lo = t * LN2_LO, r = hi - lo;
        double rr = r * r;
        double c = r - rr * (EXP_P1 + rr * (EXP_P2 + rr * (EXP_P3 + rr * (EXP_P4 + rr * EXP_P5))));
        double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
        // NOTE: below 2^-1021 the exponent field cannot take k: scale by 2^(k+1000), then round once by 2^-1000
        return k >= -1021 ? scale(y, k) : scale(y, k + 1000) * 0x1.0p-1000;
    }

    /** exp's k: 0 for |x| <= ln2/2, ±1 up to 1.5 ln2, else x/ln2 rounded half away from zero (as fdlibm reads |x| by its high word). */
    static long expMultiple(double x, int hx) {
        if (hx <= 0x3fd62e42) return 0;
        if (hx < 0x3FF0A2B2) return x < 0 ? -1 : 1;
        return (long) (INV_LN2 * x + (x < 0 ? -0.5 : 0.5));
    }

    // ---- log ------------------------------------------------------------------------------------------

    /**
     * log x = k·ln 2 + log(1 + f) with x = 2^k (1 + f), sqrt(2)/2 <= 1 + f < sqrt(2), and
     * log(1 + f) = f - f²/2 + s(f²/2 + R(s²)), s = f/(2 + f): fdlibm's log.
     */
    public static double log(double x) {
        if (x == 0) return Double.NEGATIVE_INFINITY;
        if (x < 0) return Double.NaN; // NOTE: the NaN of Double.NaN, as the lanes give it (StrictMath's 0/0 may set the sign bit)
        if (x != x || x == Double.POSITIVE_INFINITY) return x + x;
        int subnormal = x < Double.MIN_NORMAL ? 54 : 0;
        if (subnormal != 0) x *= 0x1p54; // exact: a normal number, and k less 54
        long bits = Double.doubleToRawLongBits(x);
        int hx = (int) (bits >> 32);
        int m = hx & 0x000fffff;
        int i = (m + 0x95f64) & 0x100000; // whether the significand is at least sqrt(2): then halve it
        double xn = Double.longBitsToDouble(((long) (m | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffffL));
        double dk = (hx >> 20) - 1023 + (i >> 20) - subnormal;
        double f = xn - 1.0;
        if ((0x000fffff & (2 + m)) < 3) { // |f| < 2^-20
            double r = f * f * (0.5 - 0.33333333333333333 * f);
            return dk * LN2_HI - ((r - dk * LN2_LO) - f);
        }
        double s = f / (2.0 + f), z = s * s, w = z * z;
        double t1 = w * (LG2 + w * (LG4 + w * LG6)), t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        double r = t2 + t1;
        if (((m - 0x6147a) | (0x6b851 - m)) > 0) { // 1 + f roughly in [1.38, 1.42]: keep f²/2 apart
            double hfsq = 0.5 * f * f;
            return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
        }
        return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    }

    // ---- sin and cos ----------------------------------------------------------------------------------

    /** sin x: x reduced to y0 + y1 = x - n·pi/2, |y0| <= pi/4, then ±sin or ±cos of y0 + y1 by n mod 4. */
    public static double sin(double x) {
        return trig(x, 0);
    }

    /** cos x = sin(x + pi/2): the same reduction, the quadrant one further on. */
    public static double cos(double x) {
        return trig(x, 1);
    }

    /** sin x (quarter 0) or cos x (quarter 1). */
    private static double trig(double x, int quarter) {
        int hx = high(x), ix = hx & 0x7fffffff;
        if (ix > 0x413921fb) return quarter == 0 ? StrictMath.sin(x) : StrictMath.cos(x); // |x| > 2^19 pi/2, inf, nan
        if (ix <= 0x3fe921fb) return quarter == 0 ? sinNear0(x) : cosKernel(x, 0.0); // |x| <= pi/4
        double t = Math.abs(x);
        long n = (long) (t * INV_PIO2 + 0.5);
        double fn = n, r = t - fn * PIO2_1, w = fn * PIO2_1T, y0 = r - w;
        if (ix == 0x3ff921fb) { // x within 2^-10 of pi/2: fdlibm's second piece at once
            double z = r - PIO2_2;
            y0 = z - PIO2_2T;
            w = PIO2_2T;
            r = z;
        } else if (n >= 32 || ix == high(fn * PIO2_1)) { // x may be near n·pi/2: check the cancellation
            int j = ix >> 20;
            if (j - ((high(y0) >> 20) & 0x7ff) > 16) {
                double r1 = r;
                w = fn * PIO2_2;
                r = r1 - w;
                w = fn * PIO2_2T - ((r1 - r) - w);
                y0 = r - w;
                if (j - ((high(y0) >> 20) & 0x7ff) > 49) {
                    double r2 = r;
                    w = fn * PIO2_3;
                    r = r2 - w;
                    w = fn * PIO2_3T - ((r2 - r) - w);
                    y0 = r - w;
                }
            }
        }
        double y1 = (r - y0) - w;
        if (hx < 0) {
            y0 = -y0;
            y1 = -y1;
            n = -n;
        }
        return switch ((int) ((n + quarter) & 3)) {
            case 0 -> sinKernel(y0, y1);
            case 1 -> cosKernel(y0, y1);
            case 2 -> -sinKernel(y0, y1);
            default -> -cosKernel(y0, y1);
        };
    }

    /** sin x for |x| <= pi/4 (no tail): x + x³(S1 + x² S(x²)). */
    static double sinNear0(double x) {
        if ((high(x) & 0x7fffffff) < 0x3e400000) return x; // |x| < 2^-27
        double z = x * x, v = z * x, r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x + v * (S1 + z * r);
    }

    /** sin(x + y) for |x| <= pi/4, y the tail of the reduced argument: sin x + (1 - x²/2) y, arranged as fdlibm does. */
    static double sinKernel(double x, double y) {
        if ((high(x) & 0x7fffffff) < 0x3e400000) return x;
        double z = x * x, v = z * x, r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x - ((z * (0.5 * y - v * r) - y) - v * S1);
    }

    /**
     * cos(x + y) for |x| <= pi/4 = (1 - qx) - ((x²/2 - qx) - (x⁴ C(x²) - x y)), where qx (0 below
     * 0.3, about x²/8 up to 0.78125, then 0.28125) makes both subtractions exact.
     */
    static double cosKernel(double x, double y) {
        int ix = high(x) & 0x7fffffff;
        if (ix < 0x3e400000) return 1.0;
        double z = x * x, r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
        double qx = ix < 0x3FD33333 ? 0.0 : ix > 0x3fe90000 ? 0.28125 : Double.longBitsToDouble((long) (ix - 0x00200000) << 32);
        return (1.0 - qx) - ((0.5 * z - qx) - (z * r - x * y));
    }

    // ---- tanh -----------------------------------------------------------------------------------------

    /** tanh x = 1 - 2/(e^2|x| + 1) from |x| = 1 up, -t/(t + 2) with t = e^-2|x| - 1 below; the sign of x; ±1 from 22 on. */
    public static double tanh(double x) {
        int hx = high(x), ix = hx & 0x7fffffff;
        if (ix >= 0x7ff00000) return StrictMath.tanh(x);
        if (ix < 0x3c800000) return x * (1.0 + x); // |x| < 2^-55 (tanh(-0) = -0)
        double z;
        if (ix >= 0x40360000) {
            z = 1.0;
        } else if (ix >= 0x3ff00000) {
            double t = expm1(2.0 * Math.abs(x));
            z = 1.0 - 2.0 / (t + 2.0);
        } else {
            double t = expm1(-2.0 * Math.abs(x));
            z = -t / (t + 2.0);
        }
        return hx >= 0 ? z : -z;
    }

    /**
     * e^x - 1 for the arguments tanh passes, x in [2, 44] or [-2, -2^-54] (so never fdlibm's k = 1
     * case, nor its limits): x = k ln 2 + r, e^r - 1 from a rational form in r with a correction c for
     * the rounding of r, then put together by k as fdlibm's expm1 does.
     */
    static double expm1(double x) {
        int hx = high(x) & 0x7fffffff;
        long k = expMultiple(x, hx);
        double t = k;
        double hi = x - t * LN2_HI, lo = t * LN2_LO, r = hi - lo, c = (hi - r) - lo;
        double hfx = 0.5 * r, hxs = r * hfx;
        double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
        double u = 3.0 - r1 * hfx;
        double e = hxs * ((r1 - u) / (6.0 - r * u));
        if (k == 0) return r - (r * e - hxs);
        e = (r * (e - c) - c) - hxs;
        if (k == -1) return 0.5 * (r - e) - 0.5;
        if (k <= -2 || k > 56) return scale(1.0 - (e - r), k) - 1.0;
        if (k < 20) return scale(Double.longBitsToDouble((0x3ff00000L - (0x200000L >> k)) << 32) - (e - r), k);
        return scale((r - (e + Double.longBitsToDouble((0x3ffL - k) << 52))) + 1.0, k);
    }
}
