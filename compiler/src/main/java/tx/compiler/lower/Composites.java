package tx.compiler.lower;

import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The built-ins that are not primitives, each written once in terms of primitives, so they get
 * gradients, printing and emission for free. Axes arguments are sorted, distinct and normalised.
 */
final class Composites {
    private Composites() {}

    /** sigmoid, a primitive of its own (see {@link tx.runtime.ir.Prim#SIGMOID}: its derivative is PyTorch's, from the output). */
    static Var sigmoid(Builder b, Var x) {
        return b.emit(tx.runtime.ir.Prim.SIGMOID, null, x);
    }

    /**
     * relu x = 0 where x <= 0, else x. NOTE: as in PyTorch, its derivative at 0 is 0, and a nan
     * passes through with its gradient (no comparison with nan holds).
     */
    static Var relu(Builder b, Var x) {
        Var zero = b.scalar(0, x.dtype()); // of x's dtype: an int64 relu is an int64, as PyTorch's
        return b.where(b.le(x, zero), zero, x);
    }

    /** softplus x = log(1 + e^x), and x itself above 20 (PyTorch's threshold), where e^x would overflow. */
    static Var softplus(Builder b, Var x) {
        return softplus(b, x, 1, 20);
    }

    /**
     * softplus with PyTorch's beta and threshold: log(1 + e^(beta x)) / beta, and x itself where
     * beta x > threshold. NOTE: with beta = 1 no multiply or divide is written, so the default
     * keeps its bits (and its simplified graph) whatever the keywords could do.
     */
    static Var softplus(Builder b, Var x, double beta, double threshold) {
        Var bx = beta == 1 ? x : b.mul(x, b.scalar(beta));
        Var smooth = b.emit(tx.runtime.ir.Prim.LOG1P, null, b.exp(bx));
        return b.where(b.gt(bx, b.scalar(threshold)), x, beta == 1 ? smooth : b.div(smooth, b.scalar(beta)));
    }

    /**
     * clamp(x, lo, hi): NOTE: the gradient passes where lo <= x <= hi, boundaries included, as in
     * PyTorch (a min/max composition would halve it at the boundaries). At a nan the value stays
     * nan and, as in PyTorch, no gradient passes (nan is not between the bounds): the last where
     * keeps x's value there without its gradient. Either bound may be null.
     */
    static Var clamp(Builder b, Var x, Var lo, Var hi) {
        Var r = x;
        if (lo != null) r = b.where(b.lt(r, lo), lo, r);
        if (hi != null) r = b.where(b.gt(r, hi), hi, r);
        return nanWithoutGradient(b, x, r);
    }

    /** nan, with no gradient, where x is nan; else r (clamp's and the piecewise activations' rule at nan). */
    static Var nanWithoutGradient(Builder b, Var x, Var r) {
        return b.where(b.ne(x, x), b.stopGrad(x), r);
    }

    // ---- activations and elementwise functions of (v2) --------------------------------------------------

    /** leaky_relu x = x where x > 0, else slope·x; its derivative at 0 (and at a nan) is the slope, as PyTorch's. */
    static Var leakyRelu(Builder b, Var x, double slope) {
        return leakyRelu(b, x, b.scalar(slope));
    }

    /** leaky_relu with a slope known only at run time (a float64 scalar). */
    static Var leakyRelu(Builder b, Var x, Var slope) {
        return b.where(b.gt(x, b.scalar(0)), x, b.mul(x, slope));
    }

    /** silu x = x σ(x). NOTE: as in PyTorch, silu(-inf) is nan (-inf · 0). */
    static Var silu(Builder b, Var x) {
        return b.mul(x, sigmoid(b, x));
    }

    /** mish x = x tanh(softplus x); softplus's threshold keeps the derivative 1, not inf · 0, for large x. */
    static Var mish(Builder b, Var x) {
        return b.mul(x, b.emit(Prim.TANH, null, softplus(b, x)));
    }

    /** gelu with approximate="tanh": x/2 (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), PyTorch's constants. */
    static Var geluTanh(Builder b, Var x) {
        Var inner = b.mul(b.scalar(Math.sqrt(2 / Math.PI)), b.add(x, b.mul(b.scalar(0.044715), b.mul(x, b.mul(x, x)))));
        return b.mul(b.mul(b.scalar(0.5), x), b.add(b.scalar(1), b.emit(Prim.TANH, null, inner)));
    }

    /**
     * hardtanh(x, lo, hi) = lo below lo, hi above hi, else x. NOTE: unlike clamp, the gradient is 0
     * on the bounds themselves (PyTorch's backward passes it only where lo < x < hi), and at a nan,
     * which stays nan.
     */
    static Var hardtanh(Builder b, Var x, double lo, double hi) {
        // of x's dtype, as PyTorch converts the bounds to it: an int64 x truncates them toward zero
        Var low = b.scalar(x.dtype() == tx.runtime.tensor.DType.INT64 ? (long) lo : lo, x.dtype());
        Var high = b.scalar(x.dtype() == tx.runtime.tensor.DType.INT64 ? (long) hi : hi, x.dtype());
        return hardtanh(b, x, low, high);
    }

    /**
     * hardtanh with bounds that are scalars of x's dtype (known only at run time, say): PyTorch's
     * clamp, min(max(x, low), high), so bounds the wrong way round (low > high) give high everywhere.
     */
    static Var hardtanh(Builder b, Var x, Var low, Var high) {
        Var raised = b.where(b.le(x, low), low, x);
        Var r = b.where(b.ge(raised, high), high, raised);
        return nanWithoutGradient(b, x, r);
    }

    /**
     * gelu x = x/2 (1 + erf(x / sqrt 2)), PyTorch's exact form (approximate="none"), with
     * {@link #erf}: as PyTorch, 1 + erf cancels for large negative x (gelu(-30) is -0). NOTE:
     * PyTorch's derivative at ±inf is nan (its x · erf'(x) is inf · 0), where erf, held at |x| = 27,
     * passes none: {@link #nanSlopeAtInf} adds it.
     */
    static Var gelu(Builder b, Var x) {
        // NOTE: C's M_SQRT1_2, PyTorch's constant, is sqrt(0.5), one bit above 1 / sqrt(2); the term
        // of value 0 is subtracted, so gelu(-0.0) stays -0.0 (-0.0 + 0 would be +0.0)
        Var e = erf(b, b.mul(x, b.scalar(Math.sqrt(0.5))));
        return b.sub(b.mul(b.mul(x, b.scalar(0.5)), b.add(b.scalar(1), e)), nanSlopeAtInf(b, x));
    }

    /**
     * A term of value 0 whose derivative is nan at ±inf and 0 elsewhere: sqrt(1 - |tanh x|) at ±inf
     * (sqrt(0), whose slope inf meets tanh's 0), reading 0 where it is not taken.
     */
    private static Var nanSlopeAtInf(Builder b, Var x) {
        Var infinite = b.eq(b.emit(Prim.ABS, null, x), b.scalar(Double.POSITIVE_INFINITY));
        Var xi = b.where(infinite, x, b.scalar(0));
        Var u = b.sub(b.scalar(1), b.emit(Prim.ABS, null, b.emit(Prim.TANH, null, xi)));
        return b.where(infinite, b.emit(Prim.SQRT, null, u), b.scalar(0));
    }

    /** softsign x = x / (1 + |x|). */
    static Var softsign(Builder b, Var x) {
        return b.div(x, b.add(b.scalar(1), b.emit(Prim.ABS, null, x)));
    }

    /**
     * logsigmoid x = min(x, 0) - log(1 + e^-|x|), PyTorch's stable form. NOTE: -|x| is written as a
     * where (-x from 0 up), so that the derivative at 0 is 1/2, not the 0 of abs'(0).
     */
    static Var logSigmoid(Builder b, Var x) {
        Var zero = b.scalar(0);
        Var neg = b.lt(x, zero);
        Var e = b.exp(b.where(neg, x, b.neg(x)));
        return b.sub(b.where(neg, x, zero), b.emit(Prim.LOG1P, null, e));
    }

    /** rsqrt x = 1 / sqrt x. */
    static Var rsqrt(Builder b, Var x) {
        return b.div(b.scalar(1), b.emit(Prim.SQRT, null, x));
    }

    /** exp2 x = 2^x (Math.pow, exact at whole numbers); its derivative 2^x ln 2 is POW's. */
    static Var exp2(Builder b, Var x) {
        return b.pow(b.scalar(2), x);
    }

    /** log x / log base (log2, log10). */
    static Var logBase(Builder b, Var x, double base) {
        return b.div(b.log(x), b.scalar(Math.log(base)));
    }

    /** sinh x = (expm1 x - expm1 -x) / 2: no cancellation near 0. */
    static Var sinh(Builder b, Var x) {
        return b.mul(b.scalar(0.5), b.sub(b.emit(Prim.EXPM1, null, x), b.emit(Prim.EXPM1, null, b.neg(x))));
    }

    /** cosh x = (e^x + e^-x) / 2. */
    static Var cosh(Builder b, Var x) {
        return b.mul(b.scalar(0.5), b.add(b.exp(x), b.exp(b.neg(x))));
    }

    /**
     * asinh x = sign x · log1p(a + a²/(1 + sqrt(1 + a²))) with a = |x| (accurate near 0), and
     * log a + log 2 with no gradient where a² overflows, as PyTorch's 1/sqrt(x² + 1) underflows to 0
     * there. NOTE: |x| and the sign are wheres, so that the derivative at 0 is 1; each branch reads
     * a safe input where it is not taken, so that its masked gradient is 0, not nan.
     */
    static Var asinh(Builder b, Var x) {
        Var neg = b.lt(x, b.scalar(0));
        Var a = b.where(neg, b.neg(x), x);
        Var huge = b.eq(b.mul(a, a), b.scalar(Double.POSITIVE_INFINITY));
        Var small = b.where(huge, b.scalar(1), a);
        Var sq = b.mul(small, small);
        Var r = b.emit(Prim.LOG1P, null, b.add(small, b.div(sq, b.add(b.scalar(1), b.emit(Prim.SQRT, null, b.add(b.scalar(1), sq))))));
        Var v = b.where(huge, b.add(b.log(b.stopGrad(a)), b.scalar(Math.log(2))), r);
        // below 2^-28 asinh x is x itself, as C's asinh returns it: so -0.0 stays -0.0
        return b.where(b.lt(a, b.scalar(0x1p-28)), x, b.where(neg, b.neg(v), v));
    }

    /**
     * acosh x = log1p(t + sqrt(t (x + 1))) with t = x - 1 for x > 1 (accurate near 1), and for
     * x <= 1 (and nan) log(x + sqrt(x² - 1)), which is nan below 1 but whose derivative is still
     * 1/sqrt(x² - 1), PyTorch's formula (inf at ±1). Where x² overflows, log|x| + log 2 with no
     * gradient, as PyTorch's 1/sqrt(x² - 1) underflows to 0 there (-inf gives nan). Each branch reads
     * a safe input (2) where it is not taken, so that its masked gradient is 0, not 0 · inf.
     */
    static Var acosh(Builder b, Var x) {
        Var two = b.scalar(2), one = b.scalar(1);
        Var huge = b.eq(b.mul(x, x), b.scalar(Double.POSITIVE_INFINITY));
        Var above = b.gt(x, one);
        Var xa = b.where(above, b.where(huge, two, x), two);
        Var t = b.sub(xa, one);
        Var accurate = b.emit(Prim.LOG1P, null, b.add(t, b.emit(Prim.SQRT, null, b.mul(t, b.add(xa, one)))));
        Var xd = b.where(above, two, b.where(huge, two, x));
        Var direct = b.log(b.add(xd, b.emit(Prim.SQRT, null, b.sub(b.mul(xd, xd), one))));
        Var asymptote = b.add(b.log(b.stopGrad(x)), b.scalar(Math.log(2)));
        return b.where(huge, asymptote, b.where(above, accurate, direct));
    }

    /** atanh x = (log1p x - log1p -x) / 2. */
    static Var atanh(Builder b, Var x) {
        return b.mul(b.scalar(0.5), b.sub(b.emit(Prim.LOG1P, null, x), b.emit(Prim.LOG1P, null, b.neg(x))));
    }

    /** frac x = x - trunc x, as PyTorch computes it (frac(inf) is nan); its derivative is 1. */
    static Var frac(Builder b, Var x) {
        return b.sub(x, b.emit(Prim.TRUNC, null, x));
    }

    /**
     * round(x, decimals=d) as PyTorch: round(x · 10^d) / 10^d, and round(x / 10^-d) · 10^-d for d < 0,
     * ties to even, with 10^|d| correctly rounded (exact up to 10^22). Its derivative is 0.
     */
    static Var roundDecimals(Builder b, Var x, int d) {
        Var p = b.scalar(Double.parseDouble("1e" + Math.abs(d)));
        return d >= 0 ? b.div(b.emit(Prim.ROUND, null, b.mul(x, p)), p) : b.mul(b.emit(Prim.ROUND, null, b.div(x, p)), p);
    }

    /**
     * lerp(a, e, w) = a + w (e - a) where |w| < 0.5, else e - (e - a)(1 - w): PyTorch's two forms,
     * each exact at its end (w = 0 gives a, w = 1 gives e).
     */
    static Var lerp(Builder b, Var a, Var e, Var w) {
        Var d = b.sub(e, a);
        Var low = b.lt(b.emit(Prim.ABS, null, w), b.scalar(0.5));
        return b.where(low, b.add(a, b.mul(w, d)), b.sub(e, b.mul(d, b.sub(b.scalar(1), w))));
    }

    /**
     * hypot(a, c) = m sqrt((a/m)² + (c/m)²) with m = max(|a|, |c|) held (no gradient of its own, so
     * the derivative is a/hypot, c/hypot): no overflow for large operands, as std::hypot. m = 0 and
     * m = inf scale by 1 instead (the value is then 0 or inf, and the gradient PyTorch's nan).
     */
    static Var hypot(Builder b, Var a, Var c) {
        Var m = b.stopGrad(b.emit(Prim.MAXIMUM, null, b.emit(Prim.ABS, null, a), b.emit(Prim.ABS, null, c)));
        Var one = b.scalar(1);
        Var plain = b.add(b.eq(m, b.scalar(0)), b.eq(m, b.scalar(Double.POSITIVE_INFINITY)));
        Var ms = b.where(plain, one, m);
        Var sa = b.div(a, ms), sc = b.div(c, ms);
        return b.mul(ms, b.emit(Prim.SQRT, null, b.add(b.mul(sa, sa), b.mul(sc, sc))));
    }

    // ---- erf and erfc: W. J. Cody's rational Chebyshev approximations -----------------------------------

    // Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-638,
    // the coefficients of netlib's specfun CALERF (IEEE double, about 18 significant digits).
    private static final double[] ERF_A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] ERF_B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03};
    private static final double[] ERFC_C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
        8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] ERFC_D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
        3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03};
    private static final double[] ERFC_P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
        6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] ERFC_Q = {2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
        2.33520497626869185e-3};
    private static final double SQRT_PI_INV = 0.56418958354775628695;

    /**
     * CALERF's rational function: (…((top·t + a0)·t + a1)…)·t + a_last over (…((t + b0)·t + b1)…)·t + b_last,
     * where top is the numerator's extra leading coefficient (a[n-1] of a with one more than b).
     */
    private static Var rational(Builder b, Var t, double[] num, double[] den) {
        int n = den.length;
        Var xnum = b.mul(b.scalar(num[n]), t), xden = t;
        for (int i = 0; i < n - 1; i++) {
            xnum = b.mul(b.add(xnum, b.scalar(num[i])), t);
            xden = b.mul(b.add(xden, b.scalar(den[i])), t);
        }
        return b.div(b.add(xnum, b.scalar(num[n - 1])), b.add(xden, b.scalar(den[n - 1])));
    }

    /** The pieces of erf: erf x for |x| <= 0.46875, erfc |x| above, and which applies. */
    private record ErfParts(Var small, Var erfSmall, Var erfcTail) {}

    /**
     * Cody's three intervals, each reading a safe input where it is not taken (so that its masked
     * gradient is 0, not nan): erf x = x R(x²) for |x| <= 0.46875; erfc y = e^-y² R(y) for
     * 0.46875 < y <= 4 and e^-y²/y (1/sqrt π - R(1/y²)/y²) above, y = |x|, held at 28 (erfc
     * underflows to 0 near 27.23, and e^-28² is 0) so that inf gives 0, not inf · 0. e^-y² is e^-s² e^-(y - s)(y + s) with
     * s = y rounded to 1/16 (CALERF's split: y² is not exact, the split is). A nan takes the last
     * interval and stays nan.
     */
    private static ErfParts erfParts(Builder b, Var x) {
        Var zero = b.scalar(0);
        Var neg = b.lt(x, zero);
        Var y = b.where(neg, b.neg(x), x); // |x| with the derivative 1 at 0
        Var small = b.le(y, b.scalar(0.46875));
        Var xs = b.where(small, x, zero);
        Var erfSmall = b.mul(xs, rational(b, b.mul(xs, xs), ERF_A, ERF_B));
        Var mid = b.le(y, b.scalar(4));
        Var ym = b.where(small, b.scalar(1), b.where(mid, y, b.scalar(1)));
        Var yt = b.where(mid, b.scalar(5), b.where(b.gt(y, b.scalar(28)), b.scalar(28), y));
        Var tail = b.div(b.sub(b.scalar(SQRT_PI_INV), b.mul(b.div(b.scalar(1), b.mul(yt, yt)),
                rational(b, b.div(b.scalar(1), b.mul(yt, yt)), ERFC_P, ERFC_Q))), yt);
        Var erfcMid = b.mul(gaussian(b, ym), rational(b, ym, ERFC_C, ERFC_D));
        Var erfcTail = b.where(mid, erfcMid, b.mul(gaussian(b, yt), tail));
        return new ErfParts(small, erfSmall, erfcTail);
    }

    /** e^-y² as e^-s² e^-(y - s)(y + s), s = y rounded to a multiple of 1/16 (held: no gradient of its own). */
    private static Var gaussian(Builder b, Var y) {
        Var big = b.scalar(0x1p52);
        Var s = b.stopGrad(b.div(b.sub(b.add(b.mul(y, b.scalar(16)), big), big), b.scalar(16)));
        return b.mul(b.exp(b.neg(b.mul(s, s))), b.exp(b.neg(b.mul(b.sub(y, s), b.add(y, s)))));
    }

    /** erf x: Cody's approximation (within a few ulps in float64); odd, so erf(-x) = -erf x. */
    static Var erf(Builder b, Var x) {
        ErfParts p = erfParts(b, x);
        Var one = b.scalar(1);
        Var big = b.sub(one, p.erfcTail());
        return b.where(p.small(), p.erfSmall(), b.where(b.lt(x, b.scalar(0)), b.neg(big), big));
    }

    /** erfc x = 1 - erf x, without the cancellation for large x: erfc(-x) = 2 - erfc x. */
    static Var erfc(Builder b, Var x) {
        ErfParts p = erfParts(b, x);
        Var c = p.erfcTail();
        return b.where(p.small(), b.sub(b.scalar(1), p.erfSmall()), b.where(b.lt(x, b.scalar(0)), b.sub(b.scalar(2), c), c));
    }

    static Var mean(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.div(b.sum(x, axes, keepdim), count(b, x, axes));
    }

    /**
     * The number of elements along {@code axes} of x, as a float64 scalar: a constant, or where an
     * axis has a size known only at run time (a mask's selection), a value of the program made
     * from that size. The divisor of a mean.
     */
    static Var count(Builder b, Var x, int[] axes) {
        int[] sizes = new int[axes.length];
        for (int i = 0; i < axes.length; i++) sizes[i] = x.shapeRef()[axes[i]];
        Var n = RunTimeSizes.product(b, sizes);
        return n == null ? b.scalar(Shapes.numelExact(sizes)) : b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.FLOAT64, n);
    }

    /** min x = -max(-x): ties share the gradient evenly, as torch.amin. */
    static Var min(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.neg(b.emit(tx.runtime.ir.Prim.MAX, new tx.runtime.ir.Attrs.Reduce(axes, keepdim), b.neg(x)));
    }

    /**
     * max(x, dim=d) as torch.max(x, dim).values: the value of the first maximal element of each
     * line, and so the gradient goes to that one element (where amax would share it among ties).
     * Selecting with where, not multiplying by the mask, keeps an inf elsewhere from making nan.
     */
    static Var maxAlong(Builder b, Var x, int axis, boolean keepdim) {
        if (x.dtype() == tx.runtime.tensor.DType.BOOL) return asBool(b, maxAlong(b, asInt(b, x), axis, keepdim)); // a bool's max is a bool
        return pick(b, x, b.emit(tx.runtime.ir.Prim.FIRST_MAX, new tx.runtime.ir.Attrs.Axis(axis), x), axis, keepdim);
    }

    /** min(x, dim=d) as torch.min(x, dim).values: the first minimal element (the first maximum of -x). */
    static Var minAlong(Builder b, Var x, int axis, boolean keepdim) {
        if (x.dtype() == tx.runtime.tensor.DType.BOOL) return asBool(b, minAlong(b, asInt(b, x), axis, keepdim));
        return pick(b, x, b.emit(tx.runtime.ir.Prim.FIRST_MAX, new tx.runtime.ir.Attrs.Axis(axis), b.neg(x)), axis, keepdim);
    }

    private static Var asInt(Builder b, Var x) {
        return b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.INT64, x);
    }

    private static Var asBool(Builder b, Var x) {
        return b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.BOOL, x);
    }

    /** The element of each line that a one-hot mask marks. */
    private static Var pick(Builder b, Var x, Var mask, int axis, boolean keepdim) {
        return b.sum(b.where(mask, x, b.scalar(0, x.dtype())), new int[] {axis}, keepdim); // of x's dtype: an int64 max is an int64
    }

    static Var max(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.emit(tx.runtime.ir.Prim.MAX, new tx.runtime.ir.Attrs.Reduce(axes, keepdim), x);
    }

    /**
     * The shift that keeps exp from overflowing: the max over axes (kept), with infinities
     * replaced by 0 so that an all -inf row gives -inf rather than nan. It carries no gradient.
     */
    private static Var shift(Builder b, Var x, int[] axes) {
        Var m = lineMax(b, x, axes);
        Var inf = b.scalar(Double.POSITIVE_INFINITY);
        return b.where(b.eq(b.emit(tx.runtime.ir.Prim.ABS, null, m), inf), b.scalar(0), m);
    }

    /** logsumexp x = m + log sum e^(x - m). */
    static Var logsumexp(Builder b, Var x, int[] axes, boolean keepdim) {
        Var m = shift(b, x, axes);
        Var lse = b.add(b.log(b.sum(b.exp(b.sub(x, m)), axes, true)), m);
        return keepdim ? lse : b.reshape(lse, Shapes.reduced(x.shapeRef(), axes, false));
    }

    /**
     * softmax x = e^(x - m) / sum e^(x - m) along one axis, m the line's max as it is: as PyTorch's
     * kernel, a line holding +inf, or only -inf, is all nan (logsumexp's {@link #shift} masks them).
     */
    static Var softmax(Builder b, Var x, int axis) {
        int[] axes = {axis};
        Var e = b.exp(b.sub(x, lineMax(b, x, axes)));
        return b.div(e, b.sum(e, axes, true));
    }

    /** log_softmax x = (x - m) - log sum e^(x - m) along one axis, in PyTorch's order (its kernel's bits), m as softmax's. */
    static Var logSoftmax(Builder b, Var x, int axis) {
        Var shifted = b.sub(x, lineMax(b, x, new int[] {axis}));
        return b.sub(shifted, b.log(b.sum(b.exp(shifted), new int[] {axis}, true)));
    }

    /** The max over axes, kept, carrying no gradient (0 for an empty extent: nothing to shift). */
    private static Var lineMax(Builder b, Var x, int[] axes) {
        for (int a : axes) if (x.shapeRef()[a] == 0) return b.fill(Shapes.reduced(x.shapeRef(), axes, true), 0.0);
        return b.stopGrad(max(b, x, axes, true));
    }

    /**
     * The 2-norm sqrt(sum x²). NOTE: its gradient at a zero norm is 0, as in PyTorch, not the nan
     * that 0/0 would give: the where masks it.
     */
    static Var norm(Builder b, Var x, int[] axes, boolean keepdim) {
        Var s = b.sum(b.mul(x, x), axes, keepdim);
        Var zero = b.scalar(0);
        return b.where(b.eq(s, zero), zero, b.emit(tx.runtime.ir.Prim.SQRT, null, s));
    }

    /** The 1-norm sum |x|. NOTE: its gradient at 0 is 0, the sign convention of abs. */
    static Var norm1(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.sum(b.emit(tx.runtime.ir.Prim.ABS, null, x), axes, keepdim);
    }

    /** The max-norm max |x|; ties share the gradient evenly. */
    static Var normInf(Builder b, Var x, int[] axes, boolean keepdim) {
        return max(b, b.emit(tx.runtime.ir.Prim.ABS, null, x), axes, keepdim);
    }

    /**
     * cross_entropy with class indices: -log_softmax(logits)[n, target_n], per sample ([N], or []
     * for logits [C]) or summed, or (mean) the sum divided by N. The one-hot selection is a
     * comparison with arange(C), so it carries no gradient to the target.
     */
    static Var crossEntropyIndices(Builder b, Var logits, Var target, Losses.Reduction r) {
        int classAxis = logits.rank() == 1 ? 0 : 1;
        int classes = logits.shapeRef()[classAxis];
        Var logp = logSoftmax(b, logits, classAxis);
        double[] ids = new double[classes];
        for (int i = 0; i < classes; i++) ids[i] = i;
        Var picked;
        if (logits.rank() == 1) {
            picked = b.mul(logp, b.eq(b.constant(tx.runtime.tensor.Tensor.of(new int[] {classes}, ids)), target));
        } else {
            int n = logits.shapeRef()[0];
            Var col = b.reshape(target, new int[] {n, 1});
            Var row = b.constant(tx.runtime.tensor.Tensor.of(new int[] {1, classes}, ids));
            picked = b.mul(logp, b.eq(col, row));
        }
        return reduceSamples(b, logits, picked, classAxis, r);
    }

    /** cross_entropy with class probabilities: -sum_c target[n, c] log_softmax(logits)[n, c], reduced as r says. */
    static Var crossEntropyProbs(Builder b, Var logits, Var target, Losses.Reduction r) {
        int classAxis = logits.rank() == 1 ? 0 : 1;
        return reduceSamples(b, logits, b.mul(logSoftmax(b, logits, classAxis), target), classAxis, r);
    }

    /**
     * -sum over classes of the terms, per sample (none), over everything (sum), or that divided by
     * N (mean). NOTE: the mean is -(sum / N), one division, not a mean of per-sample losses, so that
     * its derivative (and `tx grad`'s emitted program) stays the one line -1/N · p.
     */
    private static Var reduceSamples(Builder b, Var logits, Var terms, int classAxis, Losses.Reduction r) {
        if (r == Losses.Reduction.NONE) return b.neg(b.sum(terms, new int[] {classAxis}, false));
        Var total = b.sum(terms, allAxes(terms.rank()), false);
        if (r == Losses.Reduction.SUM) return b.neg(total);
        int n = logits.rank() == 1 ? 1 : logits.shapeRef()[0];
        return b.neg(b.div(total, b.scalar(n)));
    }

    // ---- arranging and matrix built-ins of (v2): slices, pads, cats, reshapes -------------------------------

    /** x[from:to] along one axis, everything along the others. */
    static Var along(Builder b, Var x, int axis, int from, int to) {
        int[] start = new int[x.rank()], stop = x.shape(), step = new int[x.rank()];
        java.util.Arrays.fill(step, 1);
        start[axis] = from;
        stop[axis] = to;
        return b.slice(x, start, stop, step);
    }

    /**
     * roll(x, shift) along an axis: the last k = shift mod n elements move to the front, as two slices
     * joined by a cat (whose adjoint slices the gradient back: PyTorch's roll by -shift).
     */
    static Var roll(Builder b, Var x, int shift, int axis) {
        int n = x.shapeRef()[axis];
        int k = n == 0 ? 0 : Math.floorMod(shift, n);
        if (k == 0) return x;
        return b.emit(Prim.CAT, new tx.runtime.ir.Attrs.Axis(axis), along(b, x, axis, n - k, n), along(b, x, axis, 0, n - k));
    }

    /**
     * x.repeat(sizes): x (with leading axes of 1 added up to the number of sizes) broadcast along a new
     * axis before each of its own, [r0, s0, r1, s1, ...], then merged to [r0 s0, r1 s1, ...]. The
     * adjoint of the broadcast sums the copies, as PyTorch's RepeatBackward0.
     */
    static Var repeat(Builder b, Var x, int[] sizes) {
        int lead = sizes.length - x.rank();
        int[] s = new int[sizes.length], spread = new int[2 * sizes.length], ones = new int[2 * sizes.length], out = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            s[i] = i < lead ? 1 : x.shapeRef()[i - lead];
            ones[2 * i] = 1;
            ones[2 * i + 1] = s[i];
            spread[2 * i] = sizes[i];
            spread[2 * i + 1] = s[i];
            out[i] = sizes[i] * s[i];
        }
        return b.reshape(b.expand(b.reshape(x, ones), spread), out);
    }

    /** The length of the diagonal at offset k of an n × m matrix (above the main one for k > 0). */
    static int diagonalLength(int n, int m, int k) {
        return Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m));
    }

    /**
     * diagonal(x, offset, d1, d2): axes d1 and d2 moved to the end and merged (n m elements), then a
     * slice with step m + 1 from the diagonal's first element; the diagonal is the last axis. The
     * adjoint pads the gradient back into place (PyTorch's DiagonalBackward0).
     */
    static Var diagonal(Builder b, Var x, int offset, int d1, int d2) {
        int r = x.rank(), n = x.shapeRef()[d1], m = x.shapeRef()[d2];
        int[] perm = new int[r], merged = new int[r - 1];
        for (int i = 0, j = 0; i < r; i++) if (i != d1 && i != d2) perm[j++] = i;
        perm[r - 2] = d1;
        perm[r - 1] = d2;
        for (int i = 0; i < r - 2; i++) merged[i] = x.shapeRef()[perm[i]];
        merged[r - 2] = n * m;
        Var flat = b.reshape(b.transpose(x, perm), merged);
        int len = diagonalLength(n, m, offset);
        int first = Math.min(n * m, offset >= 0 ? offset : -offset * m);
        int[] start = new int[r - 1], stop = merged.clone(), step = new int[r - 1];
        java.util.Arrays.fill(step, 1);
        start[r - 2] = first;
        stop[r - 2] = len == 0 ? first : first + (len - 1) * (m + 1) + 1;
        step[r - 2] = m + 1;
        return b.slice(flat, start, stop, step);
    }

    /**
     * diag(v, k) of a vector of n: the (n + |k|)-square matrix with v on diagonal k, zeros elsewhere,
     * as one pad of v into the flattened matrix with step N + 1, reshaped (its adjoint is the slice
     * that diagonal takes).
     */
    static Var diagMatrix(Builder b, Var v, int k) {
        int n = v.shapeRef()[0], size = n + Math.abs(k);
        int first = k >= 0 ? k : -k * size;
        return b.reshape(b.pad(v, new int[] {size * size}, new int[] {Math.min(first, size * size)}, new int[] {size + 1}), new int[] {size, size});
    }

    /**
     * tril (lower) or triu of the last two axes: x where column - row <= k (>= k for triu), else an
     * exact 0, selected by a constant mask, so that an inf or nan outside passes no nan to the gradient.
     */
    static Var triangle(Builder b, Var x, int k, boolean lower) {
        int r = x.rank(), n = x.shapeRef()[r - 2], m = x.shapeRef()[r - 1];
        double[] mask = new double[n * m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) mask[i * m + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
        Var keep = b.constant(tx.runtime.tensor.Tensor.of(new int[] {n, m}, mask));
        return b.where(keep, x, b.scalar(0, x.dtype())); // of x's dtype: tril of a bool mask is a bool mask, as PyTorch's
    }

    /**
     * F.pad(x, [l_last, r_last, l_prev, r_prev, ...], value): negative amounts crop first (a slice),
     * then one pad places x inside zeros; a value other than 0 fills around it through a where with the
     * pad of ones (so x's own elements, -0.0 included, are kept as they are).
     */
    static Var constantPad(Builder b, Var x, int[] amounts, double value) {
        int r = x.rank();
        int[] start = new int[r], stop = x.shape(), step = new int[r], at = new int[r], out = x.shape();
        java.util.Arrays.fill(step, 1);
        for (int p = 0; p < amounts.length / 2; p++) {
            int axis = r - 1 - p, before = amounts[2 * p], after = amounts[2 * p + 1];
            start[axis] = Math.max(0, -before);
            stop[axis] = x.shapeRef()[axis] - Math.max(0, -after);
            at[axis] = Math.max(0, before);
            out[axis] = x.shapeRef()[axis] + before + after;
        }
        Var cropped = b.slice(x, start, stop, step);
        Var placed = b.pad(cropped, out, at, step);
        if (value == 0 && 1 / value > 0) return placed;
        Var inside = b.pad(b.fill(cropped.shape(), 1.0), out, at, step);
        return b.where(inside, placed, b.scalar(x.dtype().convert(value), x.dtype())); // of x's dtype, as PyTorch's
    }

    /** constantPad with a value known only at run time (a float64 scalar), converted to x's dtype as PyTorch does. */
    static Var constantPad(Builder b, Var x, int[] amounts, Var value) {
        Var placed = constantPad(b, x, amounts, 0.0);
        Var inside = b.emit(Prim.CAST, tx.runtime.tensor.DType.BOOL, constantPad(b, b.fill(x.shape(), 1.0), amounts, 0.0));
        Var v = x.dtype() == tx.runtime.tensor.DType.FLOAT64 ? value : b.emit(Prim.CAST, x.dtype(), value);
        return b.where(inside, placed, v);
    }

    /**
     * kron(a, c): both given the same rank (leading axes of 1), a as [a0, 1, a1, 1, ...] times c as
     * [1, c0, 1, c1, ...], merged to [a0 c0, a1 c1, ...].
     */
    static Var kron(Builder b, Var a, Var c) {
        int r = Math.max(a.rank(), c.rank());
        int[] as = new int[2 * r], cs = new int[2 * r], out = new int[r];
        for (int i = 0; i < r; i++) {
            int ai = i < r - a.rank() ? 1 : a.shapeRef()[i - (r - a.rank())], ci = i < r - c.rank() ? 1 : c.shapeRef()[i - (r - c.rank())];
            as[2 * i] = ai;
            as[2 * i + 1] = 1;
            cs[2 * i] = 1;
            cs[2 * i + 1] = ci;
            out[i] = ai * ci;
        }
        return b.reshape(b.mul(b.reshape(a, as), b.reshape(c, cs)), out);
    }

    /** cross(a, c) along an axis of 3: (a1 c2 - a2 c1, a2 c0 - a0 c2, a0 c1 - a1 c0), PyTorch's kernel's products. */
    static Var cross(Builder b, Var a, Var c, int axis) {
        Var[] u = new Var[3], v = new Var[3], w = new Var[3];
        for (int i = 0; i < 3; i++) {
            u[i] = along(b, a, axis, i, i + 1);
            v[i] = along(b, c, axis, i, i + 1);
        }
        for (int i = 0; i < 3; i++) {
            int j = (i + 1) % 3, k = (i + 2) % 3;
            w[i] = b.sub(b.mul(u[j], v[k]), b.mul(u[k], v[j]));
        }
        return b.emit(Prim.CAT, new tx.runtime.ir.Attrs.Axis(axis), w);
    }

    static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) a[i] = i;
        return a;
    }
}
