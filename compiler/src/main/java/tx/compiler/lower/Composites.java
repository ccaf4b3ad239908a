package tx.compiler.lower;

import tx.runtime.ir.Builder;
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

    /** mse_loss(a, b) = mean((a - b)²) over every element. */
    static Var mseLoss(Builder b, Var x, Var y) {
        Var d = b.sub(x, y);
        Var sq = b.mul(d, d);
        return mean(b, sq, allAxes(sq.rank()), false);
    }

    /**
     * cross_entropy with class indices: -mean_n log_softmax(logits)[n, target_n]. The one-hot
     * selection is a comparison with arange(C), so it carries no gradient to the target.
     */
    static Var crossEntropyIndices(Builder b, Var logits, Var target) {
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
        Var total = b.sum(picked, allAxes(picked.rank()), false);
        int n = logits.rank() == 1 ? 1 : logits.shapeRef()[0];
        return b.neg(b.div(total, b.scalar(n)));
    }

    /** cross_entropy with class probabilities: -mean_n sum_c target[n, c] log_softmax(logits)[n, c]. */
    static Var crossEntropyProbs(Builder b, Var logits, Var target) {
        int classAxis = logits.rank() == 1 ? 0 : 1;
        Var prod = b.mul(logSoftmax(b, logits, classAxis), target);
        Var total = b.sum(prod, allAxes(prod.rank()), false);
        int n = logits.rank() == 1 ? 1 : logits.shapeRef()[0];
        return b.neg(b.div(total, b.scalar(n)));
    }

    static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) a[i] = i;
        return a;
    }
}
