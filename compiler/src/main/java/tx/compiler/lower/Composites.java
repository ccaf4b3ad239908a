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

    /**
     * sigmoid x = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, so that the exponential
     * never overflows; m = -|x| is written as a where so that its derivative at 0 is -1, not 0.
     */
    static Var sigmoid(Builder b, Var x) {
        Var zero = b.scalar(0), one = b.scalar(1);
        Var nonneg = b.ge(x, zero);
        Var e = b.exp(b.where(nonneg, b.neg(x), x));
        Var denom = b.add(one, e);
        return b.where(nonneg, b.div(one, denom), b.div(e, denom));
    }

    /**
     * relu x = 0 where x <= 0, else x. NOTE: as in PyTorch, its derivative at 0 is 0, and a nan
     * passes through with its gradient (no comparison with nan holds).
     */
    static Var relu(Builder b, Var x) {
        Var zero = b.scalar(0);
        return b.where(b.le(x, zero), zero, x);
    }

    /** softplus x = log(1 + e^x), and x itself above 20 (PyTorch's threshold), where e^x would overflow. */
    static Var softplus(Builder b, Var x) {
        Var limit = b.scalar(20);
        return b.where(b.gt(x, limit), x, b.emit(tx.runtime.ir.Prim.LOG1P, null, b.exp(x)));
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
        return b.where(b.ne(x, x), b.stopGrad(x), r);
    }

    // ---- activations and elementwise functions of (v2) --------------------------------------------------

    /** leaky_relu x = x where x > 0, else slope·x; its derivative at 0 (and at a nan) is the slope, as PyTorch's. */
    static Var leakyRelu(Builder b, Var x, double slope) {
        return b.where(b.gt(x, b.scalar(0)), x, b.mul(x, b.scalar(slope)));
    }

    /**
     * elu x = x where x > 0, else α(e^x - 1). NOTE: e^x - 1, not expm1, as PyTorch computes it (so
     * the derivative α e^x is PyTorch's even where expm1 + 1 would round); the derivative at 0 is
     * α, as PyTorch's (whose backward tests x <= 0).
     */
    static Var elu(Builder b, Var x, double alpha) {
        return b.where(b.gt(x, b.scalar(0)), x, b.mul(b.scalar(alpha), b.sub(b.exp(x), b.scalar(1))));
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
        Var low = b.scalar(lo), high = b.scalar(hi);
        Var r = b.where(b.le(x, low), low, b.where(b.ge(x, high), high, x));
        return b.where(b.ne(x, x), b.stopGrad(x), r);
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
        return b.where(neg, b.neg(v), v);
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

    /**
     * lerp(a, e, w) = a + w (e - a) where |w| < 0.5, else e - (e - a)(1 - w): PyTorch's two forms,
     * each exact at its end (w = 0 gives a, w = 1 gives e).
     */
    static Var lerp(Builder b, Var a, Var e, Var w) {
        Var d = b.sub(e, a);
        Var low = b.lt(b.emit(Prim.ABS, null, w), b.scalar(0.5));
        return b.where(low, b.add(a, b.mul(w, d)), b.sub(e, b.mul(d, b.sub(b.scalar(1), w))));
    }

    /** hypot(a, c) = sqrt(a² + c²). NOTE: a² overflows past 1e154, where std::hypot would not. */
    static Var hypot(Builder b, Var a, Var c) {
        return b.emit(Prim.SQRT, null, b.add(b.mul(a, a), b.mul(c, c)));
    }

    static Var mean(Builder b, Var x, int[] axes, boolean keepdim) {
        int count = 1;
        for (int a : axes) count *= x.shapeRef()[a];
        return b.div(b.sum(x, axes, keepdim), b.scalar(count));
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
        return pick(b, x, b.emit(tx.runtime.ir.Prim.FIRST_MAX, new tx.runtime.ir.Attrs.Axis(axis), x), axis, keepdim);
    }

    /** min(x, dim=d) as torch.min(x, dim).values: the first minimal element (the first maximum of -x). */
    static Var minAlong(Builder b, Var x, int axis, boolean keepdim) {
        return pick(b, x, b.emit(tx.runtime.ir.Prim.FIRST_MAX, new tx.runtime.ir.Attrs.Axis(axis), b.neg(x)), axis, keepdim);
    }

    /** The element of each line that a one-hot mask marks. */
    private static Var pick(Builder b, Var x, Var mask, int axis, boolean keepdim) {
        return b.sum(b.where(mask, x, b.scalar(0)), new int[] {axis}, keepdim);
    }

    static Var max(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.emit(tx.runtime.ir.Prim.MAX, new tx.runtime.ir.Attrs.Reduce(axes, keepdim), x);
    }

    /**
     * The shift that keeps exp from overflowing: the max over axes (kept), with infinities
     * replaced by 0 so that an all -inf row gives -inf rather than nan. It carries no gradient.
     */
    private static Var shift(Builder b, Var x, int[] axes) {
        for (int a : axes) {
            if (x.shapeRef()[a] == 0) return b.fill(Shapes.reduced(x.shapeRef(), axes, true), 0.0); // nothing to shift: sum e^x is 0
        }
        Var m = b.stopGrad(max(b, x, axes, true));
        Var inf = b.scalar(Double.POSITIVE_INFINITY);
        return b.where(b.eq(b.emit(tx.runtime.ir.Prim.ABS, null, m), inf), b.scalar(0), m);
    }

    /** logsumexp x = m + log sum e^(x - m). */
    static Var logsumexp(Builder b, Var x, int[] axes, boolean keepdim) {
        Var m = shift(b, x, axes);
        Var lse = b.add(b.log(b.sum(b.exp(b.sub(x, m)), axes, true)), m);
        return keepdim ? lse : b.reshape(lse, Shapes.reduced(x.shapeRef(), axes, false));
    }

    /** softmax x = e^(x - m) / sum e^(x - m) along one axis. */
    static Var softmax(Builder b, Var x, int axis) {
        int[] axes = {axis};
        Var e = b.exp(b.sub(x, shift(b, x, axes)));
        return b.div(e, b.sum(e, axes, true));
    }

    /** log_softmax x = x - logsumexp(x) along one axis. */
    static Var logSoftmax(Builder b, Var x, int axis) {
        return b.sub(x, logsumexp(b, x, new int[] {axis}, true));
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

    static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) a[i] = i;
        return a;
    }
}
