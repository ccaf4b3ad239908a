package tx.runtime.kernels;

import static tx.runtime.kernels.Transcendentals.*;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Vector API: matmul, and exp, log, sin, cos and tanh for tensors of
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

    /**
     * {@code c[n×m] = a[n×k] · b[k×m]} (c zero on entry), four rows of c and one vector of columns at
     * a time, for m of at least one vector; false if m is too narrow. Each element is summed in
     * the same order, with the same roundings (a multiply, then an add: no fused multiply-add), as
     * the scalar loop, so the results are identical.
     */
    static boolean multiply(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int n, int k, int m) {
        return Lanes.multiply(a, aOff, b, bOff, c, cOff, n, k, m);
    }

    /** {@code o[oo + i] = op(x[xo + i])} for i below len: whole vectors, then the tail in scalar code (len a multiple of the lanes, but for the last). */
    static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
        return Lanes.mapRange(op, x, xo, o, oo, len);
    }

    /** Kept apart so that merely checking {@link #AVAILABLE} never loads the incubator classes. */
    private static final class Lanes {
        static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

        static final VectorSpecies<Long> L = S.withLanes(long.class);
        static final DoubleVector ONE = DoubleVector.broadcast(S, 1.0), TWO = DoubleVector.broadcast(S, 2.0), MINUS_ONE = ONE.neg();
        static final double MAGIC = 0x1.8p52;
        static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);

        /**
         * Elements per pass. NOTE: each kernel runs as a few passes over a chunk, each a loop of its own
         * through scratch arrays, because C2 stops inlining a method's callees past about 18,000 IR
         * nodes (NodeCountInliningCutoff, which a product JVM cannot raise), a Vector API operation
         * costs a few hundred before they fold, and a vector that reaches a call not inlined is boxed:
         * a whole kernel in one loop ran 10 to 20 times slower than its passes.
         */
        static final int CHUNK = 256;
        private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[6][CHUNK]);

        static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
            if (op != Elementwise.Op.EXP && op != Elementwise.Op.LOG && op != Elementwise.Op.SIN && op != Elementwise.Op.COS && op != Elementwise.Op.TANH) return false;
            double[][] tmp = SCRATCH.get();
            int bound = S.loopBound(len);
            for (int c = 0; c < bound; c += CHUNK) {
                int n = Math.min(CHUNK, bound - c); // a multiple of the lanes
                switch (op) {
                    case EXP -> exp(x, xo + c, o, oo + c, n, tmp);
                    case LOG -> log(x, xo + c, o, oo + c, n, tmp);
                    case SIN -> trig(x, xo + c, o, oo + c, n, tmp, 0);
                    case COS -> trig(x, xo + c, o, oo + c, n, tmp, 1);
                    default -> tanh(x, xo + c, o, oo + c, n, tmp);
                }
            }
            for (int i = bound; i < len; i++) o[oo + i] = scalar(op, x[xo + i]);
            return true;
        }

        // ---- the lane kernels: Transcendentals' steps on every lane, its branches as blends -------------

        /** {@link Transcendentals#exp}: k, then e^r, then 2^k e^r. */
        static void exp(double[] x, int xo, double[] o, int oo, int n, double[][] tmp) {
            expMultiples(x, xo, tmp[0], n);
            expCore(x, xo, tmp[0], tmp[1], n);
            expScale(x, xo, tmp[0], tmp[1], o, oo, n);
        }

        /** {@link Transcendentals#expMultiple} of x[xo..xo+n): 0, ±1, or x/ln2 rounded half away from zero (as doubles). */
        private static void expMultiples(double[] x, int xo, double[] ks, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                LongVector bits = v.reinterpretAsLongs(), hx = bits.lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                VectorMask<Double> negative = v.compare(VectorOperators.LT, 0.0); // x is 0 only where k is 0 anyway
                DoubleVector sign = ONE.blend(MINUS_ONE, negative);
                DoubleVector k = v.mul(INV_LN2).add(sign.mul(0.5));
                // k rounded towards zero (|k| < 2^51): to nearest by adding and taking away 1.5·2^52, then one back where that went past
                DoubleVector nearest = k.add(MAGIC).sub(MAGIC);
                k = nearest.sub(sign, nearest.abs().compare(VectorOperators.GT, k.abs()));
                k = k.reinterpretAsLongs().blend(sign.reinterpretAsLongs(), hx.compare(VectorOperators.LT, 0x3FF0A2B2)).blend(0, hx.compare(VectorOperators.LE, 0x3fd62e42)).reinterpretAsDoubles();
                k.intoArray(ks, i);
            }
        }

        private static void expCore(double[] x, int xo, double[] k, double[] y, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i), t = DoubleVector.fromArray(S, k, i);
                DoubleVector hi = v.sub(t.mul(LN2_HI)), lo = t.mul(LN2_LO), r = hi.sub(lo);
                DoubleVector rr = r.mul(r);
                DoubleVector c = r.sub(rr.mul(rr.mul(rr.mul(rr.mul(rr.mul(EXP_P5).add(EXP_P4)).add(EXP_P3)).add(EXP_P2)).add(EXP_P1)));
                ONE.sub(lo.sub(r.mul(c).div(TWO.sub(c))).sub(hi)).intoArray(y, i);
            }
        }

        private static void expScale(double[] x, int xo, double[] k, double[] y, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                LongVector hx = high(v.reinterpretAsLongs()).and(0x7fffffffL), kk = asLong(DoubleVector.fromArray(S, k, i));
                VectorMask<Long> deep = kk.compare(VectorOperators.LT, -1021);
                DoubleVector scaled = scale(DoubleVector.fromArray(S, y, i), kk.add(1000, deep)).mul(pick(ONE, DoubleVector.broadcast(S, 0x1.0p-1000), deep));
                DoubleVector out = pick(scaled, ONE.add(v), hx.compare(VectorOperators.LT, 0x3e300000));
                VectorMask<Long> slow = hx.compare(VectorOperators.GE, 0x40862E42);
                if (slow.anyTrue()) out = patch(out, v, slow, Elementwise.Op.EXP);
                out.intoArray(o, oo + i);
            }
        }

        /** {@link Transcendentals#log}: x = 2^k (1 + f); then both series; then the one that applies. */
        static void log(double[] x, int xo, double[] o, int oo, int n, double[][] tmp) {
            logSplit(x, xo, tmp[0], tmp[1], n);
            logSeries(tmp[0], tmp[1], tmp[2], tmp[3], n);
            logPick(x, xo, tmp[0], tmp[1], tmp[2], tmp[3], o, oo, n);
        }

        private static void logSplit(double[] x, int xo, double[] fs, double[] dks, int n) {
            for (int i = 0; i < n; i += S.length()) {
                LongVector bits = DoubleVector.fromArray(S, x, xo + i).reinterpretAsLongs(), hx = high(bits);
                LongVector m = hx.and(0x000fffffL), h = m.add(0x95f64).and(0x100000);
                LongVector normal = m.or(h.lanewise(VectorOperators.XOR, 0x3ff00000)).lanewise(VectorOperators.LSHL, 32).or(bits.and(0xffffffffL));
                normal.reinterpretAsDoubles().sub(1.0).intoArray(fs, i);
                toDouble(hx.lanewise(VectorOperators.ASHR, 20).sub(1023).add(h.lanewise(VectorOperators.ASHR, 20))).intoArray(dks, i);
            }
        }

        private static void logSeries(double[] fs, double[] dks, double[] plains, double[] squares, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector f = DoubleVector.fromArray(S, fs, i), dk = DoubleVector.fromArray(S, dks, i);
                DoubleVector dkHi = dk.mul(LN2_HI), dkLo = dk.mul(LN2_LO);
                DoubleVector s = f.div(f.add(2.0)), z = s.mul(s), w = z.mul(z);
                DoubleVector t1 = w.mul(w.mul(w.mul(LG6).add(LG4)).add(LG2));
                DoubleVector t2 = z.mul(w.mul(w.mul(w.mul(LG7).add(LG5)).add(LG3)).add(LG1));
                DoubleVector r = t2.add(t1), hfsq = f.mul(0.5).mul(f);
                dkHi.sub(hfsq.sub(s.mul(hfsq.add(r)).add(dkLo)).sub(f)).intoArray(squares, i);
                dkHi.sub(s.mul(f.sub(r)).sub(dkLo).sub(f)).intoArray(plains, i);
            }
        }

        private static void logPick(double[] x, int xo, double[] fs, double[] dks, double[] plains, double[] squares, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i), f = DoubleVector.fromArray(S, fs, i), dk = DoubleVector.fromArray(S, dks, i);
                LongVector hx = high(v.reinterpretAsLongs()), m = hx.and(0x000fffffL);
                DoubleVector r0 = f.mul(f).mul(DoubleVector.broadcast(S, 0.5).sub(f.mul(0.33333333333333333)));
                DoubleVector near1 = dk.mul(LN2_HI).sub(r0.sub(dk.mul(LN2_LO)).sub(f));
                VectorMask<Long> square = m.sub(0x6147a).or(LongVector.broadcast(L, 0x6b851).sub(m)).compare(VectorOperators.GT, 0);
                DoubleVector series = pick(DoubleVector.fromArray(S, plains, i), DoubleVector.fromArray(S, squares, i), square);
                DoubleVector out = pick(series, near1, m.add(2).and(0x000fffffL).compare(VectorOperators.LT, 3));
                VectorMask<Long> slow = hx.compare(VectorOperators.LT, 0x00100000).or(hx.compare(VectorOperators.GE, 0x7ff00000));
                if (slow.anyTrue()) out = patch(out, v, slow, Elementwise.Op.LOG);
                out.intoArray(o, oo + i);
            }
        }

        /**
         * {@link Transcendentals#sin} (quarter 0) and {@link Transcendentals#cos} (quarter 1): the
         * reduction by the first 33 + 53 bits of pi/2; both kernels; the one for the quadrant. NOTE:
         * the lanes that fdlibm reduces further (x within 2^-10 of ±pi/2, or cancelling more than 16
         * bits against n·pi/2, rare) go to the scalar twin, as do |x| > 2^19 pi/2 and inf and nan.
         */
        static void trig(double[] x, int xo, double[] o, int oo, int n, double[][] tmp, int quarter) {
            double[] y0s = tmp[0], y1s = tmp[1], fns = tmp[2], sins = tmp[3], coss = tmp[4], slows = tmp[5];
            trigMultiples(x, xo, fns, n);
            trigSlow(x, xo, fns, slows, n);
            trigReduce(x, xo, y0s, y1s, fns, n);
            sinKernels(y0s, y1s, fns, sins, n);
            cosKernels(y0s, y1s, coss, n);
            trigPick(x, xo, fns, sins, coss, slows, o, oo, n, quarter);
        }

        private static void trigPick(double[] x, int xo, double[] fns, double[] sins, double[] coss, double[] slows, double[] o, int oo, int n, int quarter) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector sin = DoubleVector.fromArray(S, sins, i), cos = DoubleVector.fromArray(S, coss, i);
                LongVector q = asLong(DoubleVector.fromArray(S, fns, i)).add(quarter).and(3);
                DoubleVector out = pick(pick(sin, cos, q.compare(VectorOperators.EQ, 1)), pick(sin.neg(), cos.neg(), q.compare(VectorOperators.EQ, 3)), q.compare(VectorOperators.GE, 2));
                VectorMask<Long> slow = DoubleVector.fromArray(S, slows, i).reinterpretAsLongs().compare(VectorOperators.NE, 0);
                if (slow.anyTrue()) out = patch(out, DoubleVector.fromArray(S, x, xo + i), slow, quarter == 0 ? Elementwise.Op.SIN : Elementwise.Op.COS);
                out.intoArray(o, oo + i);
            }
        }

        /** n = round(|x| 2/pi) (as a double). */
        private static void trigMultiples(double[] xs, int xo, double[] fns, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector k = DoubleVector.fromArray(S, xs, xo + i).abs().mul(INV_PIO2).add(0.5); // k >= 0.5, or nan
                DoubleVector nearest = k.add(MAGIC).sub(MAGIC);
                nearest.sub(ONE, nearest.compare(VectorOperators.GT, k)).intoArray(fns, i); // rounded down
            }
        }

        /**
         * Whether the lane needs the scalar twin (1) or not (0): x within 2^-10 of ±pi/2, or
         * cancelling more than 16 bits against n·pi/2, or |x| > 2^19 pi/2, inf or nan.
         */
        private static void trigSlow(double[] xs, int xo, double[] fns, double[] slows, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, xs, xo + i), fn = DoubleVector.fromArray(S, fns, i);
                LongVector ix = high(x.reinterpretAsLongs()).and(0x7fffffffL);
                DoubleVector y0 = x.abs().sub(fn.mul(PIO2_1)).sub(fn.mul(PIO2_1T));
                VectorMask<Long> check = fn.reinterpretAsLongs().compare(VectorOperators.GE, Double.doubleToRawLongBits(32.0)).or(ix.compare(VectorOperators.EQ, high(fn.mul(PIO2_1).reinterpretAsLongs())));
                VectorMask<Long> slow = check.and(cancelled(ix.lanewise(VectorOperators.ASHR, 20), y0, 16))
                        .or(ix.compare(VectorOperators.EQ, 0x3ff921fb)).or(ix.compare(VectorOperators.GT, 0x413921fb));
                pick(DoubleVector.zero(S), ONE, slow).intoArray(slows, i);
            }
        }

        /** y0 + y1 = x - n·pi/2, n carrying x's sign (n = 0 and y0 = x up to pi/4); n overwritten with its signed value. */
        private static void trigReduce(double[] xs, int xo, double[] y0s, double[] y1s, double[] fns, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, xs, xo + i), fn = DoubleVector.fromArray(S, fns, i);
                LongVector bits = x.reinterpretAsLongs();
                DoubleVector r = x.abs().sub(fn.mul(PIO2_1)), w = fn.mul(PIO2_1T), y0 = r.sub(w), y1 = r.sub(y0).sub(w);
                VectorMask<Long> negative = bits.compare(VectorOperators.LT, 0), near0 = high(bits).and(0x7fffffffL).compare(VectorOperators.LE, 0x3fe921fb);
                pick(pick(y0, y0.neg(), negative), x, near0).intoArray(y0s, i);
                pick(pick(y1, y1.neg(), negative), DoubleVector.zero(S), near0).intoArray(y1s, i);
                pick(pick(fn, fn.neg(), negative), DoubleVector.zero(S), near0).intoArray(fns, i);
            }
        }

        /** Whether y's exponent is more than {@code bits} below the argument's (its exponent field j): cancellation. */
        private static VectorMask<Long> cancelled(LongVector j, DoubleVector y, long bits) {
            return j.sub(high(y.reinterpretAsLongs()).lanewise(VectorOperators.ASHR, 20).and(0x7ff)).compare(VectorOperators.GT, bits);
        }

        /** {@link Transcendentals#sinKernel}, or {@link Transcendentals#sinNear0} where n = 0 (|x| <= pi/4). */
        private static void sinKernels(double[] y0s, double[] y1s, double[] fns, double[] sins, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, y0s, i), y = DoubleVector.fromArray(S, y1s, i);
                VectorMask<Long> untailed = DoubleVector.fromArray(S, fns, i).reinterpretAsLongs().compare(VectorOperators.EQ, 0);
                DoubleVector z = x.mul(x), v = z.mul(x);
                DoubleVector r = z.mul(z.mul(z.mul(z.mul(S6).add(S5)).add(S4)).add(S3)).add(S2);
                DoubleVector tailed = x.sub(z.mul(y.mul(0.5).sub(v.mul(r))).sub(y).sub(v.mul(S1)));
                DoubleVector plain = x.add(v.mul(z.mul(r).add(S1)));
                VectorMask<Long> tiny = x.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL).compare(VectorOperators.LT, 0x3e400000);
                pick(pick(tailed, plain, untailed), x, tiny).intoArray(sins, i);
            }
        }

        /** {@link Transcendentals#cosKernel}. */
        private static void cosKernels(double[] y0s, double[] y1s, double[] coss, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, y0s, i), y = DoubleVector.fromArray(S, y1s, i);
                LongVector ix = x.reinterpretAsLongs().lanewise(VectorOperators.ASHR, 32).and(0x7fffffffL);
                DoubleVector z = x.mul(x);
                DoubleVector r = z.mul(z.mul(z.mul(z.mul(z.mul(z.mul(C6).add(C5)).add(C4)).add(C3)).add(C2)).add(C1));
                DoubleVector qx = ix.sub(0x00200000).lanewise(VectorOperators.LSHL, 32).reinterpretAsDoubles();
                qx = pick(pick(qx, DoubleVector.broadcast(S, 0.28125), ix.compare(VectorOperators.GT, 0x3fe90000)), DoubleVector.zero(S), ix.compare(VectorOperators.LT, 0x3FD33333));
                DoubleVector out = ONE.sub(qx).sub(z.mul(0.5).sub(qx).sub(z.mul(r).sub(x.mul(y))));
                pick(out, ONE, ix.compare(VectorOperators.LT, 0x3e400000)).intoArray(coss, i);
            }
        }

        /** {@link Transcendentals#tanh}: t = expm1(±2|x|) in four passes, then tanh from t. */
        static void tanh(double[] x, int xo, double[] o, int oo, int n, double[][] tmp) {
            double[] as = tmp[0], ks = tmp[1], rs = tmp[2], cs = tmp[3], hxss = tmp[4], es = tmp[5];
            tanhArguments(x, xo, as, ks, n);
            expm1Core(as, ks, rs, cs, hxss, es, n);
            expm1Large(ks, rs, cs, hxss, es, as, cs, n); // into as: e updated by c; into cs: the result for k >= 20 or k < 20
            expm1Small(ks, rs, hxss, es, as, cs, n); // into cs: expm1
            tanhFromExpm1(x, xo, cs, o, oo, n);
        }

        /** a = 2|x| from |x| = 1 up, else -2|x|, and expm1's k for it. */
        private static void tanhArguments(double[] x, int xo, double[] as, double[] ks, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i), ax = v.abs();
                DoubleVector a = pick(ax.mul(-2.0), ax.mul(2.0), high(v.reinterpretAsLongs()).and(0x7fffffffL).compare(VectorOperators.GE, 0x3ff00000));
                a.intoArray(as, i);
            }
            expMultiples(as, 0, ks, n);
        }

        private static void tanhFromExpm1(double[] x, int xo, double[] ts, double[] o, int oo, int n) {
            for (int i = 0; i < n; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i), t = DoubleVector.fromArray(S, ts, i);
                LongVector bits = v.reinterpretAsLongs(), ix = high(bits).and(0x7fffffffL);
                VectorMask<Long> atLeast1 = ix.compare(VectorOperators.GE, 0x3ff00000);
                DoubleVector q = pick(t.neg(), TWO, atLeast1).div(t.add(2.0));
                DoubleVector z = pick(pick(q, ONE.sub(q), atLeast1), ONE, ix.compare(VectorOperators.GE, 0x40360000));
                z = pick(z, z.neg(), bits.compare(VectorOperators.LT, 0));
                DoubleVector out = pick(z, v.mul(ONE.add(v)), ix.compare(VectorOperators.LT, 0x3c800000));
                VectorMask<Long> slow = ix.compare(VectorOperators.GE, 0x7ff00000);
                if (slow.anyTrue()) out = patch(out, v, slow, Elementwise.Op.TANH);
                out.intoArray(o, oo + i);
            }
        }

        /** {@link Transcendentals#expm1} up to e: r = x - k ln2, its rounding c, r²/2, and the rational correction e. */
        private static void expm1Core(double[] as, double[] ks, double[] rs, double[] cs, double[] hxss, double[] es, int n) {
            for (int i = 0; i < n; i += S.length()) {
            DoubleVector x = DoubleVector.fromArray(S, as, i), t = DoubleVector.fromArray(S, ks, i);
            DoubleVector hi = x.sub(t.mul(LN2_HI)), lo = t.mul(LN2_LO), r = hi.sub(lo);
            hi.sub(r).sub(lo).intoArray(cs, i);
            DoubleVector hfx = r.mul(0.5), hxs = r.mul(hfx);
            DoubleVector r1 = ONE.add(hxs.mul(hxs.mul(hxs.mul(hxs.mul(hxs.mul(Q5).add(Q4)).add(Q3)).add(Q2)).add(Q1)));
            DoubleVector u = DoubleVector.broadcast(S, 3.0).sub(r1.mul(hfx));
            hxs.mul(r1.sub(u).div(DoubleVector.broadcast(S, 6.0).sub(r.mul(u)))).intoArray(es, i);
            r.intoArray(rs, i);
            hxs.intoArray(hxss, i);
            }
        }

        /** {@link Transcendentals#expm1}'s e updated by c (into e1s), and its result for k from 20 on and below 20. */
        private static void expm1Large(double[] ks, double[] rs, double[] cs, double[] hxss, double[] es, double[] e1s, double[] outs, int n) {
            for (int i = 0; i < n; i += S.length()) {
            DoubleVector t = DoubleVector.fromArray(S, ks, i), r = DoubleVector.fromArray(S, rs, i), c = DoubleVector.fromArray(S, cs, i);
            DoubleVector e = DoubleVector.fromArray(S, es, i).sub(c).mul(r).sub(c).sub(DoubleVector.fromArray(S, hxss, i));
            LongVector k = asLong(t);
            LongVector below = LongVector.broadcast(L, 0x200000).lanewise(VectorOperators.ASHR, k);
            DoubleVector under20 = scale(LongVector.broadcast(L, 0x3ff00000).sub(below).lanewise(VectorOperators.LSHL, 32).reinterpretAsDoubles().sub(e.sub(r)), k);
            DoubleVector twoMinusK = LongVector.broadcast(L, 0x3ff).sub(k).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector out = scale(r.sub(e.add(twoMinusK)).add(1.0), k);
            pick(out, under20, k.compare(VectorOperators.LT, 20)).intoArray(outs, i);
            e.intoArray(e1s, i);
            }
        }

        /** {@link Transcendentals#expm1} for k = 0, k = -1, and k <= -2 or > 56, over the result for the other k. */
        private static void expm1Small(double[] ks, double[] rs, double[] hxss, double[] es, double[] e1s, double[] outs, int n) {
            for (int i = 0; i < n; i += S.length()) {
            DoubleVector t = DoubleVector.fromArray(S, ks, i), r = DoubleVector.fromArray(S, rs, i), e1 = DoubleVector.fromArray(S, e1s, i);
            LongVector k = asLong(t);
            DoubleVector k0 = r.sub(r.mul(DoubleVector.fromArray(S, es, i)).sub(DoubleVector.fromArray(S, hxss, i)));
            DoubleVector kMinus1 = r.sub(e1).mul(0.5).sub(0.5);
            DoubleVector far = scale(ONE.sub(e1.sub(r)), k).sub(1.0);
            DoubleVector out = pick(DoubleVector.fromArray(S, outs, i), far, k.compare(VectorOperators.LE, -2).or(k.compare(VectorOperators.GT, 56)));
            out = pick(out, kMinus1, k.compare(VectorOperators.EQ, -1));
            pick(out, k0, k.compare(VectorOperators.EQ, 0)).intoArray(outs, i);
            }
        }

        // ---- lane helpers ---------------------------------------------------------------------------

        /** The high words, sign-extended: {@link Transcendentals#high}. */
        private static LongVector high(LongVector bits) {
            return bits.lanewise(VectorOperators.ASHR, 32);
        }

        /** {@link Transcendentals#scale}: k added to the exponent fields. */
        private static DoubleVector scale(DoubleVector y, LongVector k) {
            return y.reinterpretAsLongs().add(k.lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles();
        }

        /** where m, b, else a (bit for bit). */
        private static DoubleVector pick(DoubleVector a, DoubleVector b, VectorMask<Long> m) {
            return a.reinterpretAsLongs().blend(b.reinterpretAsLongs(), m).reinterpretAsDoubles();
        }

        /** The integer-valued lanes of v (|v| < 2^51) as longs: the low bits of v + 1.5·2^52. */
        private static LongVector asLong(DoubleVector v) {
            return v.add(MAGIC).reinterpretAsLongs().sub(MAGIC_BITS);
        }

        /** Longs of magnitude below 2^51 as doubles: 1.5·2^52 + v read as a double, less 1.5·2^52 (exact). */
        private static DoubleVector toDouble(LongVector v) {
            return v.add(MAGIC_BITS).reinterpretAsDoubles().sub(MAGIC);
        }

        /** The lanes in {@code slow} (arguments a kernel does not reduce) recomputed by the scalar twin, which hands them to StrictMath. */
        private static DoubleVector patch(DoubleVector out, DoubleVector x, VectorMask<Long> slow, Elementwise.Op op) {
            // NOTE: not x.lane(l): the Vector API's Java fallback reads a lane through doubleToLongBits, which canonicalises a NaN
            double[] lanes = out.toArray(), args = x.toArray();
            for (int l = 0; l < lanes.length; l++) if (slow.laneIsSet(l)) lanes[l] = scalar(op, args[l]);
            return DoubleVector.fromArray(S, lanes, 0);
        }

        static boolean multiply(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int n, int k, int m) {
            int w = S.length();
            if (m < w) return false;
            int bound = S.loopBound(m);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                int a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
                for (int j = 0; j < bound; j += w) {
                    DoubleVector c0 = DoubleVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                    for (int p = 0; p < k; p++) {
                        DoubleVector bv = DoubleVector.fromArray(S, b, bOff + p * m + j);
                        c0 = c0.add(bv.mul(a[a0 + p]));
                        c1 = c1.add(bv.mul(a[a1 + p]));
                        c2 = c2.add(bv.mul(a[a2 + p]));
                        c3 = c3.add(bv.mul(a[a3 + p]));
                    }
                    int o = cOff + i * m + j;
                    c0.intoArray(c, o);
                    c1.intoArray(c, o + m);
                    c2.intoArray(c, o + 2 * m);
                    c3.intoArray(c, o + 3 * m);
                }
                for (int r = i; r < i + 4; r++) tail(a, aOff, b, bOff, c, cOff, r, k, m, bound);
            }
            for (; i < n; i++) {
                int a0 = aOff + i * k;
                for (int j = 0; j < bound; j += w) {
                    DoubleVector c0 = DoubleVector.zero(S);
                    for (int p = 0; p < k; p++) c0 = c0.add(DoubleVector.fromArray(S, b, bOff + p * m + j).mul(a[a0 + p]));
                    c0.intoArray(c, cOff + i * m + j);
                }
                tail(a, aOff, b, bOff, c, cOff, i, k, m, bound);
            }
            return true;
        }

        /** The columns past the last whole vector, in the scalar order. */
        private static void tail(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int i, int k, int m, int from) {
            for (int j = from; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += a[aOff + i * k + p] * b[bOff + p * m + j];
                c[cOff + i * m + j] = sum;
            }
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
