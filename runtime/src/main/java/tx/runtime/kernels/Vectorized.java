package tx.runtime.kernels;

import static tx.runtime.kernels.Transcendentals.*;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Vector API: exp, log, sin, cos and tanh for tensors of
 * {@link #THRESHOLD} elements and more. The transcendental lanes compute {@link Transcendentals}'
 * steps on every lane, its branches as blends, so each lane's bits are the scalar kernel's (and
 * so StrictMath's), whether the JIT has compiled this code or not. NOTE: not the Vector API's own
 * {@code lanewise(EXP)} and the like: those are SVML stubs once C2 compiles the loop and a per-lane
 * {@code Math} call before, so the same expression changed its last bits as the JVM warmed up.
 * Smaller tensors keep {@code Math} (see {@link Elementwise#mapRange}). This class is loaded only
 * when the module is present ({@link #AVAILABLE}).
 */
final class Vectorized {
    private Vectorized() {}

    /** Whether the Vector API module was added to this JVM (the tx launcher and the tests add it). */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The element count from which the vectorised transcendental functions are used. */
    static final int THRESHOLD = 4096;

    /** {@code o[oo + i] = op(x[xo + i])} for i below len: whole vectors, then the tail by the scalar twin (the same bits); false if op has no lane kernel. */
    static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
        return Lanes.mapRange(op, x, xo, o, oo, len);
    }

    /**
     * {@code o[oo + i] = a[ao + i] / y} (or {@code y / a[ao + i]} where {@code over}) for i below len:
     * whole vectors, then the tail in scalars. A lane's division is IEEE 754's, correctly rounded as
     * Java's {@code /} is, so the same bits. NOTE: C2's own vectorised loop leaves up to 63 elements
     * to its scalar post-loop (it unrolls the vector loop), and a row of 128 divided by one number
     * ran mostly there: 16,384 divisions in rows of 128 took 23 microseconds, in one row 6 (attention's
     * softmax divides each row by its sum).
     */
    static void divide(double[] a, int ao, double y, boolean over, double[] o, int oo, int len) {
        Lanes.divide(a, ao, y, over, o, oo, len);
    }

    /** Kept apart so that merely checking {@link #AVAILABLE} never loads the incubator classes. */
    private static final class Lanes {
        static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

        static final VectorSpecies<Long> L = S.withLanes(long.class);
        /** 1.5·2^52: v + MAGIC - MAGIC rounds v to an integer, and the low bits of v + MAGIC are that integer. */
        static final double MAGIC = 0x1.8p52;
        static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);
        static final DoubleVector ZERO = DoubleVector.zero(S), ONE = DoubleVector.broadcast(S, 1.0), MINUS_ONE = ONE.neg(), TWO = DoubleVector.broadcast(S, 2.0),
                THREE = DoubleVector.broadcast(S, 3.0), SIX = DoubleVector.broadcast(S, 6.0), HALF = DoubleVector.broadcast(S, 0.5);
        static final long MIN_NORMAL_BITS = Double.doubleToRawLongBits(Double.MIN_NORMAL);
        static final long ONE_BITS = Double.doubleToRawLongBits(1.0), NAN_BITS = Double.doubleToRawLongBits(Double.NaN),
                INFINITY_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY), MINUS_INFINITY_BITS = Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
        static final LongVector ZERO_BITS = LongVector.zero(L), ONE_BITS_V = ONE.reinterpretAsLongs(), TWO_M1000_BITS = DoubleVector.broadcast(S, 0x1.0p-1000).reinterpretAsLongs();
        /** fdlibm's thresholds of exp: below the first the result rounds to 0, above the second it overflows to inf. */
        static final double EXP_UNDERFLOW = -7.45133219101941108420e+02, EXP_OVERFLOW = 7.09782712893383973096e+02;
        /** The smallest double whose high word is 0x40862E42: from here up in magnitude, fdlibm's exp takes its special paths. */
        static final double EXP_SLOW = Double.longBitsToDouble(0x40862E4200000000L);
        static final LongVector M_LIMIT = LongVector.broadcast(L, 0x6b851), TWO_21 = LongVector.broadcast(L, 0x200000),
                HIGH_ONE = LongVector.broadcast(L, 0x3ff00000), EXPONENT_BIAS = LongVector.broadcast(L, 0x3ff);

        /**
         * NOTE: each kernel is one loop whose body calls nothing but the Vector API (whose methods the
         * JIT always inlines): a helper method of ours taking or returning vectors is compiled on its
         * own once hot, then refused for inlining into the loop ("already compiled into a big method",
         * or past NodeCountInliningCutoff, which a product JVM cannot raise), and every vector that
         * crosses such a call is boxed: helpers made the kernels 10 to 20 times slower, and even the
         * rare call that patches a few lanes cost half of sin's time while it took vectors.
         */
        static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
            int bound = S.loopBound(len);
            switch (op) {
                case EXP -> exp(x, xo, o, oo, bound);
                case LOG -> log(x, xo, o, oo, bound);
                case SIN -> trig(x, xo, o, oo, bound, 0);
                case COS -> trig(x, xo, o, oo, bound, 1);
                case TANH -> tanh(x, xo, o, oo, bound);
                default -> { return false; }
            }
            for (int i = bound; i < len; i++) o[oo + i] = scalar(op, x[xo + i]);
            return true;
        }

        // ---- the lane kernels: Transcendentals' steps on every lane, its branches as blends -------------

        /** {@link Transcendentals#exp}: k, r = x - k ln2 in two pieces, e^r, 2^k e^r. */
        static void exp(double[] x, int xo, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                LongVector hx = v.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                // k (as a double): 0, ±1, or x/ln2 rounded half away from zero, as Transcendentals.expMultiple
                DoubleVector sign = ONE.blend(MINUS_ONE, v.compare(VectorOperators.LT, 0.0)); // x is 0 only where k is 0 anyway
                DoubleVector t = v.mul(INV_LN2).add(sign.mul(0.5));
                DoubleVector nearest = t.add(MAGIC).sub(MAGIC); // to nearest (|t| < 2^51), then one back towards 0 where that went past
                t = nearest.sub(sign, nearest.abs().compare(VectorOperators.GT, t.abs()));
                t = t.reinterpretAsLongs().blend(sign.reinterpretAsLongs(), hx.compare(VectorOperators.LT, 0x3FF0A2B2))
                        .blend(0, hx.compare(VectorOperators.LE, 0x3fd62e42)).reinterpretAsDoubles();
                DoubleVector hi = v.sub(t.mul(LN2_HI)), lo = t.mul(LN2_LO), r = hi.sub(lo);
                DoubleVector rr = r.mul(r);
                DoubleVector c = r.sub(rr.mul(rr.mul(rr.mul(rr.mul(rr.mul(EXP_P5).add(EXP_P4)).add(EXP_P3)).add(EXP_P2)).add(EXP_P1)));
                DoubleVector y = ONE.sub(lo.sub(r.mul(c).div(TWO.sub(c))).sub(hi));
                // 2^k y: k added to the exponent field; below 2^-1021, k + 1000 and then a rounding multiplication by 2^-1000
                LongVector k = t.add(MAGIC).reinterpretAsLongs().sub(MAGIC_BITS);
                VectorMask<Long> deep = k.compare(VectorOperators.LT, -1021);
                DoubleVector scaled = y.reinterpretAsLongs().add(k.add(1000, deep).lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles()
                        .mul(ONE_BITS_V.blend(TWO_M1000_BITS, deep).reinterpretAsDoubles());
                DoubleVector out = scaled.reinterpretAsLongs().blend(ONE.add(v).reinterpretAsLongs(), hx.compare(VectorOperators.LT, 0x3e300000)).reinterpretAsDoubles();
                // NOTE: every lane below needs |x| >= 709.78 or a nan (both thresholds are past EXP_SLOW), so a
                // vector with none skips them: they were a seventh of exp's time (attention's softmax)
                if (!v.abs().compare(VectorOperators.GE, EXP_SLOW).or(v.compare(VectorOperators.NE, v)).anyTrue()) {
                    out.intoArray(o, oo + i);
                    continue;
                }
                // past fdlibm's thresholds the result is 0 or inf (-inf and inf included), as StrictMath gives
                // it: in the lanes, since logsumexp's exp(x - max) meets many such x (GMM's took 4 times as long)
                VectorMask<Double> under = v.compare(VectorOperators.LT, EXP_UNDERFLOW), over = v.compare(VectorOperators.GT, EXP_OVERFLOW);
                out = out.blend(0.0, under).blend(Double.POSITIVE_INFINITY, over);
                // the scalar twin's StrictMath lanes: |x| >= 709.78 (its high word at least 0x40862E42) inside
                // the thresholds, and nan. NOTE: in doubles, without a cast of a mask from doubles to longs
                // or andNot, neither of which C2 in Java 17 compiles to a few instructions here (that
                // version of this mask made exp 2 to 3 times slower, on AMD's and Intel's AVX-512 alike)
                VectorMask<Double> slow = v.abs().compare(VectorOperators.GE, EXP_SLOW).and(v.compare(VectorOperators.GE, EXP_UNDERFLOW))
                        .and(v.compare(VectorOperators.LE, EXP_OVERFLOW)).or(v.compare(VectorOperators.NE, v));
                out.intoArray(o, oo + i);
                if (slow.anyTrue()) { // rare: the lanes again, by the scalar twin (no vector may reach a call: see mapRange)
                    double[] args = new double[S.length()], flags = new double[S.length()];
                    v.intoArray(args, 0);
                    ZERO.blend(ONE, slow).intoArray(flags, 0);
                    patch(o, oo + i, args, flags, Elementwise.Op.EXP);
                }
            }
        }

        /** {@link Transcendentals#log}: x = 2^k (1 + f); both series and the one near 1; the one that applies; no lane left to the scalar twin. */
        static void log(double[] x, int xo, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                LongVector given = v.reinterpretAsLongs();
                VectorMask<Long> subnormal = given.compare(VectorOperators.LT, MIN_NORMAL_BITS); // and zeros and negatives: blended away below
                LongVector bits = given.blend(v.mul(0x1p54).reinterpretAsLongs(), subnormal), hx = bits.lanewise(VectorOperators.ASHR, 32);
                LongVector m = hx.and(0x000fffffL), h = m.add(0x95f64).and(0x100000); // h: the significand is at least sqrt(2)
                LongVector normal = m.or(h.lanewise(VectorOperators.XOR, 0x3ff00000)).lanewise(VectorOperators.LSHL, 32).or(bits.and(0xffffffffL));
                DoubleVector f = normal.reinterpretAsDoubles().sub(1.0);
                LongVector k = hx.lanewise(VectorOperators.ASHR, 20).sub(1023).add(h.lanewise(VectorOperators.ASHR, 20)).sub(54, subnormal);
                DoubleVector dk = k.add(MAGIC_BITS).reinterpretAsDoubles().sub(MAGIC);
                DoubleVector dkHi = dk.mul(LN2_HI), dkLo = dk.mul(LN2_LO);
                DoubleVector s = f.div(f.add(2.0)), z = s.mul(s), w = z.mul(z);
                DoubleVector t1 = w.mul(w.mul(w.mul(LG6).add(LG4)).add(LG2));
                DoubleVector t2 = z.mul(w.mul(w.mul(w.mul(LG7).add(LG5)).add(LG3)).add(LG1));
                DoubleVector r = t2.add(t1), hfsq = f.mul(0.5).mul(f);
                DoubleVector withSquare = dkHi.sub(hfsq.sub(s.mul(hfsq.add(r)).add(dkLo)).sub(f));
                DoubleVector plain = dkHi.sub(s.mul(f.sub(r)).sub(dkLo).sub(f));
                DoubleVector r0 = f.mul(f).mul(HALF.sub(f.mul(0.33333333333333333)));
                DoubleVector near1 = dkHi.sub(r0.sub(dkLo).sub(f));
                VectorMask<Long> square = m.sub(0x6147a).or(M_LIMIT.sub(m)).compare(VectorOperators.GT, 0);
                DoubleVector out = plain.reinterpretAsLongs().blend(withSquare.reinterpretAsLongs(), square)
                        .blend(near1.reinterpretAsLongs(), m.add(2).and(0x000fffffL).compare(VectorOperators.LT, 3))
                        .blend(NAN_BITS, given.compare(VectorOperators.LT, 0))
                        .blend(MINUS_INFINITY_BITS, given.and(Long.MAX_VALUE).compare(VectorOperators.EQ, 0))
                        .blend(INFINITY_BITS, given.compare(VectorOperators.EQ, INFINITY_BITS)).reinterpretAsDoubles();
                out.blend(v.add(v), v.compare(VectorOperators.NE, v)).intoArray(o, oo + i); // nan: x + x, as the scalar twin
            }
        }

        /**
         * {@link Transcendentals#sin} (quarter 0) and {@link Transcendentals#cos} (quarter 1): the
         * reduction by the first 33 + 53 bits of pi/2; both kernels; the one for the quadrant. NOTE:
         * the lanes that fdlibm reduces further (x within 2^-10 of ±pi/2, or cancelling more than 16
         * bits against n·pi/2, rare) go to the scalar twin, as do |x| > 2^19 pi/2 and inf and nan.
         */
        static void trig(double[] xs, int xo, double[] o, int oo, int n, int quarter) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, xs, xo + i), t = x.abs();
                LongVector bits = x.reinterpretAsLongs(), ix = bits.lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                // n = round(|x| 2/pi): rounded to nearest by adding and taking away 1.5·2^52, then down where that went up
                DoubleVector k = t.mul(INV_PIO2).add(0.5), fn = k.add(MAGIC).sub(MAGIC);
                fn = fn.sub(ONE, fn.compare(VectorOperators.GT, k));
                DoubleVector fnPio2 = fn.mul(PIO2_1), r = t.sub(fnPio2), w = fn.mul(PIO2_1T), y0 = r.sub(w), y1 = r.sub(y0).sub(w);
                // the lanes fdlibm reduces further (or not at all) go to the scalar twin
                VectorMask<Long> check = fn.reinterpretAsLongs().compare(VectorOperators.GE, Double.doubleToRawLongBits(32.0))
                        .or(ix.compare(VectorOperators.EQ, fnPio2.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32)));
                VectorMask<Long> cancelled = ix.lanewise(VectorOperators.ASHR, 20).sub(y0.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 52).and(0x7ff)).compare(VectorOperators.GT, 16);
                VectorMask<Long> slow = check.and(cancelled).or(ix.compare(VectorOperators.EQ, 0x3ff921fb)).or(ix.compare(VectorOperators.GT, 0x413921fb));
                // the sign of x onto y0, y1 and n (n only matters mod 4); and |x| <= pi/4: no reduction
                LongVector sign = bits.and(Long.MIN_VALUE), minusOne = bits.lanewise(VectorOperators.ASHR, 63);
                VectorMask<Long> near0 = ix.compare(VectorOperators.LE, 0x3fe921fb);
                LongVector nl = fn.add(MAGIC).reinterpretAsLongs().sub(MAGIC_BITS);
                nl = nl.lanewise(VectorOperators.XOR, minusOne).sub(minusOne).blend(0, near0);
                y0 = y0.reinterpretAsLongs().lanewise(VectorOperators.XOR, sign).blend(bits, near0).reinterpretAsDoubles();
                y1 = y1.reinterpretAsLongs().lanewise(VectorOperators.XOR, sign).blend(0, near0).reinterpretAsDoubles();
                LongVector iy = y0.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                VectorMask<Long> tiny = iy.compare(VectorOperators.LT, 0x3e400000);
                // sin(y0 + y1): fdlibm's form with the tail, or without where n = 0
                DoubleVector z = y0.mul(y0), v = z.mul(y0);
                DoubleVector sr = z.mul(z.mul(z.mul(z.mul(S6).add(S5)).add(S4)).add(S3)).add(S2);
                DoubleVector tailed = y0.sub(z.mul(y1.mul(0.5).sub(v.mul(sr))).sub(y1).sub(v.mul(S1)));
                DoubleVector plain = y0.add(v.mul(z.mul(sr).add(S1)));
                LongVector sin = tailed.reinterpretAsLongs().blend(plain.reinterpretAsLongs(), near0).blend(y0.reinterpretAsLongs(), tiny);
                // cos(y0 + y1) = (1 - qx) - ((z/2 - qx) - (z·r - y0·y1))
                DoubleVector cr = z.mul(z.mul(z.mul(z.mul(z.mul(z.mul(C6).add(C5)).add(C4)).add(C3)).add(C2)).add(C1));
                LongVector qxBits = iy.sub(0x00200000).lanewise(VectorOperators.LSHL, 32)
                        .blend(Double.doubleToRawLongBits(0.28125), iy.compare(VectorOperators.GT, 0x3fe90000)).blend(0, iy.compare(VectorOperators.LT, 0x3FD33333));
                DoubleVector qx = qxBits.reinterpretAsDoubles();
                DoubleVector cosValue = ONE.sub(qx).sub(z.mul(0.5).sub(qx).sub(z.mul(cr).sub(y0.mul(y1))));
                LongVector cos = cosValue.reinterpretAsLongs().blend(ONE_BITS, tiny);
                // the quadrant: sin, cos, -sin, -cos
                LongVector q = nl.add(quarter);
                LongVector out = sin.blend(cos, q.and(1).compare(VectorOperators.NE, 0)).lanewise(VectorOperators.XOR, q.and(2).lanewise(VectorOperators.LSHL, 62));
                DoubleVector result = out.reinterpretAsDoubles();
                result.intoArray(o, oo + i);
                if (slow.anyTrue()) { // rare: the lanes again, by the scalar twin (no vector may reach a call: see mapRange)
                    double[] args = new double[S.length()];
                    long[] flags = new long[S.length()];
                    x.intoArray(args, 0);
                    ZERO_BITS.blend(-1L, slow).intoArray(flags, 0);
                    patch(o, oo + i, args, flags, quarter == 0 ? Elementwise.Op.SIN : Elementwise.Op.COS);
                }
            }
        }

        /** {@link Transcendentals#tanh}: t = expm1(a) with a = 2|x| from |x| = 1 up, else -2|x|; then tanh from t. */
        static void tanh(double[] x, int xo, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i), ax = v.abs();
                LongVector bits = v.reinterpretAsLongs(), ix = bits.lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                VectorMask<Long> atLeast1 = ix.compare(VectorOperators.GE, 0x3ff00000);
                DoubleVector a = ax.mul(-2.0).reinterpretAsLongs().blend(ax.mul(2.0).reinterpretAsLongs(), atLeast1).reinterpretAsDoubles();
                // expm1(a), as Transcendentals.expm1: k as exp's (|a| > 0.5 ln2 wherever a >= 0)
                LongVector ha = a.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                DoubleVector sign = ONE.blend(MINUS_ONE, a.compare(VectorOperators.LT, 0.0));
                DoubleVector t = a.mul(INV_LN2).add(sign.mul(0.5));
                DoubleVector nearest = t.add(MAGIC).sub(MAGIC);
                t = nearest.sub(sign, nearest.abs().compare(VectorOperators.GT, t.abs()));
                t = t.reinterpretAsLongs().blend(sign.reinterpretAsLongs(), ha.compare(VectorOperators.LT, 0x3FF0A2B2))
                        .blend(0, ha.compare(VectorOperators.LE, 0x3fd62e42)).reinterpretAsDoubles();
                LongVector k = t.add(MAGIC).reinterpretAsLongs().sub(MAGIC_BITS), kExponent = k.lanewise(VectorOperators.LSHL, 52);
                DoubleVector hi = a.sub(t.mul(LN2_HI)), lo = t.mul(LN2_LO), r = hi.sub(lo), c = hi.sub(r).sub(lo);
                DoubleVector hfx = r.mul(0.5), hxs = r.mul(hfx);
                DoubleVector r1 = ONE.add(hxs.mul(hxs.mul(hxs.mul(hxs.mul(hxs.mul(Q5).add(Q4)).add(Q3)).add(Q2)).add(Q1)));
                DoubleVector u = THREE.sub(r1.mul(hfx));
                DoubleVector e = hxs.mul(r1.sub(u).div(SIX.sub(r.mul(u))));
                DoubleVector k0 = r.sub(r.mul(e).sub(hxs));
                e = e.sub(c).mul(r).sub(c).sub(hxs);
                LongVector below = TWO_21.lanewise(VectorOperators.ASHR, k); // 1 - 2^-k's high word, for k < 20
                DoubleVector under20 = HIGH_ONE.sub(below).lanewise(VectorOperators.LSHL, 32).reinterpretAsDoubles().sub(e.sub(r));
                DoubleVector twoMinusK = EXPONENT_BIAS.sub(k).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
                LongVector em1 = r.sub(e.add(twoMinusK)).add(1.0).reinterpretAsLongs().add(kExponent)
                        .blend(under20.reinterpretAsLongs().add(kExponent), k.compare(VectorOperators.LT, 20))
                        .blend(ONE.sub(e.sub(r)).reinterpretAsLongs().add(kExponent).reinterpretAsDoubles().sub(1.0).reinterpretAsLongs(),
                                k.compare(VectorOperators.LE, -2).or(k.compare(VectorOperators.GT, 56)))
                        .blend(r.sub(e).mul(0.5).sub(0.5).reinterpretAsLongs(), k.compare(VectorOperators.EQ, -1))
                        .blend(k0.reinterpretAsLongs(), k.compare(VectorOperators.EQ, 0));
                // tanh from t = expm1(a)
                DoubleVector tm = em1.reinterpretAsDoubles();
                DoubleVector q = tm.neg().reinterpretAsLongs().blend(TWO.reinterpretAsLongs(), atLeast1).reinterpretAsDoubles().div(tm.add(2.0));
                LongVector z = q.reinterpretAsLongs().blend(ONE.sub(q).reinterpretAsLongs(), atLeast1).blend(ONE_BITS, ix.compare(VectorOperators.GE, 0x40360000));
                z = z.lanewise(VectorOperators.XOR, bits.and(Long.MIN_VALUE));
                DoubleVector out = z.blend(v.mul(ONE.add(v)).reinterpretAsLongs(), ix.compare(VectorOperators.LT, 0x3c800000)).reinterpretAsDoubles();
                VectorMask<Long> slow = ix.compare(VectorOperators.GE, 0x7ff00000);
                out.intoArray(o, oo + i);
                if (slow.anyTrue()) { // rare: the lanes again, by the scalar twin (no vector may reach a call: see mapRange)
                    double[] args = new double[S.length()];
                    long[] flags = new long[S.length()];
                    v.intoArray(args, 0);
                    ZERO_BITS.blend(-1L, slow).intoArray(flags, 0);
                    patch(o, oo + i, args, flags, Elementwise.Op.TANH);
                }
            }
        }

        /** See {@link Vectorized#divide}. */
        static void divide(double[] a, int ao, double y, boolean over, double[] o, int oo, int len) {
            int bound = S.loopBound(len);
            DoubleVector d = DoubleVector.broadcast(S, y);
            if (over) {
                for (int i = 0; i < bound; i += S.length()) d.div(DoubleVector.fromArray(S, a, ao + i)).intoArray(o, oo + i);
                for (int i = bound; i < len; i++) o[oo + i] = y / a[ao + i];
            } else {
                for (int i = 0; i < bound; i += S.length()) DoubleVector.fromArray(S, a, ao + i).div(d).intoArray(o, oo + i);
                for (int i = bound; i < len; i++) o[oo + i] = a[ao + i] / y;
            }
        }

        // ---- lane helpers ---------------------------------------------------------------------------

        /** o[at + l] = the scalar twin of args[l] where flags[l] is set: the arguments a lane kernel does not reduce (it hands them to StrictMath). */
        private static void patch(double[] o, int at, double[] args, long[] flags, Elementwise.Op op) {
            for (int l = 0; l < args.length; l++) if (flags[l] != 0) o[at + l] = scalar(op, args[l]);
        }

        /** {@link #patch(double[], int, double[], long[], Elementwise.Op)} with flags of 0.0 and 1.0. */
        private static void patch(double[] o, int at, double[] args, double[] flags, Elementwise.Op op) {
            for (int l = 0; l < args.length; l++) if (flags[l] != 0) o[at + l] = scalar(op, args[l]);
        }

        private static double scalar(Elementwise.Op op, double v) {
            return switch (op) {
                case EXP -> Transcendentals.exp(v);
                case LOG -> Transcendentals.log(v);
                case SIN -> Transcendentals.sin(v);
                case COS -> Transcendentals.cos(v);
                default -> Transcendentals.tanh(v);
            };
        }
    }
}
