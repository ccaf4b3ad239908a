package tx.compiler.lower;

import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The losses of (v2) and the moments var/std, each written once from primitives (as {@link
 * Composites}), so they get gradients, printing and emission for free. A loss here is elementwise;
 * {@link #reduce} applies PyTorch's {@code reduction=}.
 */
final class Losses {
    private Losses() {}

    /** PyTorch's {@code reduction=}: "mean" (the default), "sum" or "none"; "batchmean" for kl_div only. */
    enum Reduction {
        MEAN, SUM, NONE, BATCHMEAN;

        static Reduction of(String s) {
            return switch (s) {
                case "mean" -> MEAN;
                case "sum" -> SUM;
                case "none" -> NONE;
                case "batchmean" -> BATCHMEAN;
                default -> null;
            };
        }
    }

    /**
     * Reduces an elementwise loss: its mean, its sum, itself, or (batchmean) its sum divided by the
     * size of the first dimension (all of it for a scalar), as PyTorch.
     */
    static Var reduce(Builder b, Var loss, Reduction r) {
        int[] all = Composites.allAxes(loss.rank());
        return switch (r) {
            case MEAN -> Composites.mean(b, loss, all, false);
            case SUM -> b.sum(loss, all, false);
            case NONE -> loss;
            case BATCHMEAN -> b.div(b.sum(loss, all, false), loss.rank() == 0 ? b.scalar(1) : Composites.count(b, loss, new int[] {0}));
        };
    }

    /** l1: |a - y|. */
    static Var l1(Builder b, Var x, Var y) {
        return b.emit(Prim.ABS, null, b.sub(x, y));
    }

    /** mse: (a - y)². */
    static Var squared(Builder b, Var x, Var y) {
        Var d = b.sub(x, y);
        return b.mul(d, d);
    }

    /**
     * smooth_l1 with d = a - y: d²/(2β) where |d| < β, else |d| - β/2. Both pieces have slope ±1 at
     * |d| = β, so the gradient there is PyTorch's; β = 0 is the l1 loss (the first piece is never taken).
     */
    static Var smoothL1(Builder b, Var x, Var y, double beta) {
        Var d = b.sub(x, y);
        Var ad = b.emit(Prim.ABS, null, d);
        if (beta == 0) return tiedL1(b, x, y, d);
        Var quad = b.div(b.mul(b.scalar(0.5), b.mul(d, d)), b.scalar(beta));
        return nanSlope(b, d, b.where(b.lt(ad, b.scalar(beta)), quad, b.sub(ad, b.scalar(0.5 * beta))));
    }

    /**
     * The loss, but d² (nan, with the slope nan) where d is nan: PyTorch's smooth_l1 and huber
     * backward give nan there (x · g / β, x · g), where abs'(nan) would give 0.
     */
    private static Var nanSlope(Builder b, Var d, Var loss) {
        return b.where(b.ne(d, d), b.mul(d, d), loss);
    }

    /**
     * smooth_l1 with β = 0: |d|, with PyTorch's derivative at d = 0, where its backward (x <= -β
     * first) gives -1 to the input and, evaluated with the operands swapped, -1 to the target too:
     * the term sg(a + y) - (a + y) has value 0 and those slopes; at a nan d, {@link #nanSlope}.
     */
    private static Var tiedL1(Builder b, Var x, Var y, Var d) {
        Var s = b.add(x, y);
        Var tie = b.sub(b.stopGrad(s), s);
        Var l1 = b.where(b.eq(d, b.scalar(0)), tie, b.where(b.lt(d, b.scalar(0)), b.neg(d), d));
        return nanSlope(b, d, l1);
    }

    /** huber with d = a - y: d²/2 where |d| < δ, else δ(|d| - δ/2); slope ±δ at |d| = δ from either side. */
    static Var huber(Builder b, Var x, Var y, double delta) {
        Var d = b.sub(x, y);
        Var ad = b.emit(Prim.ABS, null, d);
        Var quad = b.mul(b.scalar(0.5), b.mul(d, d));
        return nanSlope(b, d, b.where(b.lt(ad, b.scalar(delta)), quad, b.mul(b.scalar(delta), b.sub(ad, b.scalar(0.5 * delta)))));
    }

    /**
     * PyTorch's EPSILON in binary_cross_entropy's backward, (p - y) / max((1 - p) p, EPSILON): the
     * float 1e-12, widened.
     */
    private static final double BCE_EPS = 1e-12f;

    /**
     * binary_cross_entropy(p, y) = (y - 1) max(log(1 - p), -100) - y max(log p, -100), PyTorch's
     * clamped logs. NOTE: PyTorch's gradients are not this value's derivatives: they are
     * (p - y) / max((1 - p) p, EPSILON) for p, finite at p = 0 and 1, and log(1 - p) - log p for y,
     * not clamped (±inf at p = 1, 0). Where (1 - p) p >= EPSILON the logs are not clamped and the
     * value's derivatives are those. Below (the edge), the value is held (no gradient), a term of
     * value 0 adds the slope (p - y)/EPSILON, and another y's slope. The interior reads p = 1/2 on
     * the edge, so that its masked gradient is 0, not 0 · inf.
     */
    static Var binaryCrossEntropy(Builder b, Var p, Var y) {
        Var one = b.scalar(1);
        Var edge = b.lt(b.mul(b.sub(one, p), p), b.scalar(BCE_EPS));
        Var pin = b.where(edge, b.scalar(0.5), p);
        Var inner = b.sub(b.mul(b.sub(y, one), b.emit(Prim.LOG1P, null, b.neg(pin))), b.mul(y, b.log(pin)));
        Var ps = b.stopGrad(p), ys = b.stopGrad(y);
        Var held = b.sub(b.mul(b.sub(ys, one), clampLog(b, b.emit(Prim.LOG1P, null, b.neg(ps)))), b.mul(ys, clampLog(b, b.log(ps))));
        Var q = b.mul(p, b.sub(b.mul(b.scalar(0.5), p), ys)); // p²/2 - y p: its slope is p - y
        Var slope = b.div(b.sub(q, b.stopGrad(q)), b.scalar(BCE_EPS));
        Var h = b.sub(b.emit(Prim.LOG1P, null, b.neg(ps)), b.log(ps));
        return b.where(edge, b.add(held, b.add(slope, zeroWithSlope(b, y, h))), inner);
    }

    /**
     * A term of value 0 whose derivative in y is h (held), infinite h included: y - sg(y) scaled by
     * h where h is finite, and ±sqrt(y - sg(y)) (0 with the slope ±inf) where it is not. Each reads
     * 0 where it is not taken, so that no masked nan leaks.
     */
    private static Var zeroWithSlope(Builder b, Var y, Var h) {
        Var zero = b.scalar(0);
        Var infinite = b.eq(b.emit(Prim.ABS, null, h), b.scalar(Double.POSITIVE_INFINITY));
        Var dy = b.sub(y, b.stopGrad(y));
        Var finite = b.mul(b.where(infinite, zero, dy), b.where(infinite, zero, h));
        Var steep = b.mul(b.sign(h), b.emit(Prim.SQRT, null, b.where(infinite, dy, zero)));
        return b.where(infinite, steep, finite);
    }

    /** max(v, -100) on a value that carries no gradient through the clamp's mask. */
    private static Var clampLog(Builder b, Var v) {
        Var floor = b.scalar(-100);
        return b.where(b.lt(v, floor), floor, v);
    }

    /**
     * binary_cross_entropy_with_logits(z, y) = (1 - y) z - logsigmoid(z): stable for every z, with
     * the derivative σ(z) - y; with pos_weight p (null: none), (1 - y) z - (1 + (p - 1) y) logsigmoid(z),
     * whose derivative is (1 + (p - 1) y) σ(z) - p y, PyTorch's.
     */
    static Var bceWithLogits(Builder b, Var z, Var y, Var posWeight) {
        Var one = b.scalar(1);
        if (posWeight == null) return b.sub(b.mul(b.sub(one, y), z), Composites.logSigmoid(b, z));
        Var logWeight = b.add(b.mul(b.sub(posWeight, one), y), one);
        return b.sub(b.mul(b.sub(one, y), z), b.mul(logWeight, Composites.logSigmoid(b, z)));
    }

    /**
     * kl_div(input, target): target (log target - input), with 0 log 0 = 0 (PyTorch's xlogy); with
     * log_target, e^target (target - input). NOTE: PyTorch's xlogy(t, t) has the derivative nan at
     * t = 0 (its t/t term); sqrt(t)² there has the value 0 and that derivative (0 · inf), and reads
     * 0 elsewhere, so that its masked gradient does not leak.
     */
    static Var klDiv(Builder b, Var input, Var target, boolean logTarget) {
        if (logTarget) return b.mul(b.exp(target), b.sub(target, input));
        Var zero = b.scalar(0);
        Var isZero = b.eq(target, zero);
        Var safe = b.where(isZero, b.scalar(1), target);
        Var tz = b.where(isZero, target, zero);
        Var root = b.emit(Prim.SQRT, null, tz);
        Var xlogy = b.where(isZero, b.mul(root, root), b.mul(target, b.log(safe)));
        return b.sub(xlogy, b.mul(target, input));
    }

    /**
     * cosine_similarity(a, c, dim, eps) = sum((a / ‖a‖) (c / ‖c‖), dim), PyTorch 1.13's form. NOTE:
     * PyTorch raises each norm to eps in place under no_grad, so the value uses max(‖a‖, eps) while
     * the gradient flows as through ‖a‖ itself (0 at a zero vector): sg(max(n, eps)) + n - sg(n).
     */
    static Var cosineSimilarity(Builder b, Var a, Var c, int dim, double eps) {
        int[] shape = Shapes.broadcast(a.shapeRef(), c.shapeRef());
        Var ea = b.expand(a, shape), ec = b.expand(c, shape);
        Var na = clampedNorm(b, ea, dim, eps), nc = clampedNorm(b, ec, dim, eps);
        return b.sum(b.mul(b.div(ea, na), b.div(ec, nc)), new int[] {dim}, false);
    }

    private static Var clampedNorm(Builder b, Var x, int dim, double eps) {
        Var n = Composites.norm(b, x, new int[] {dim}, true);
        Var e = b.scalar(eps);
        Var held = b.stopGrad(b.where(b.lt(n, e), e, n));
        return b.add(held, b.sub(n, b.stopGrad(n)));
    }

    /**
     * var = sum((x - mean)²) / max(N - correction, 0) over the axes, as PyTorch (0 gives inf or
     * nan; PyTorch warns). NOTE: with a correction, N - correction is counted at run time (a sum of
     * ones of the reduced axes' sizes) rather than written as a number: for a named dimension n
     * it is 3n - 1, a formula `tx grad --emit` cannot write (it writes k (n + c)^e), while a fill
     * of shape [n, 3] it can. The extra pass is over the reduced axes only, not over x.
     */
    static Var var(Builder b, Var x, int[] axes, double correction, boolean keepdim) {
        Var d = b.sub(x, Composites.mean(b, x, axes, true));
        Var ss = b.sum(b.mul(d, d), axes, keepdim);
        if (correction == 0) return b.div(ss, Composites.count(b, x, axes));
        int[] sizes = new int[axes.length];
        for (int i = 0; i < axes.length; i++) sizes[i] = x.shapeRef()[axes[i]];
        Var n = b.sum(b.fill(sizes, 1), Composites.allAxes(sizes.length), false);
        Var dof = b.emit(Prim.MAXIMUM, null, b.sub(n, b.scalar(correction)), b.scalar(0));
        return b.div(ss, dof);
    }

    /**
     * The built-in var: {@link #var}'s value, bit for bit, with PyTorch's first derivative
     * 2 g (x - mean) / (N - correction), which along a line holding ±inf gives its finite elements
     * ∓inf (differentiating the mean too adds -2/(N (N - c)) Σ (x - mean), exactly 0 in exact
     * arithmetic, but nan there). The mean is held (stop_grad), and the term it gave the second
     * derivatives, -2/(N (N - c)) per pair of elements, comes from
     * h = -(Σ u)² / (N (N - c)), u = where(finite x, x - stop_grad(x), 0): 0 in value and in first
     * derivative (Σ u is a sum of zeros, inf or not), its Hessian that pairwise term on finite lines.
     */
    static Var varWithPyTorchSlope(Builder b, Var x, int[] axes, double correction, boolean keepdim) {
        Var d = b.sub(x, b.stopGrad(Composites.mean(b, x, axes, true)));
        Var ss = b.sum(b.mul(d, d), axes, keepdim);
        int[] sizes = new int[axes.length];
        for (int i = 0; i < axes.length; i++) sizes[i] = x.shapeRef()[axes[i]];
        Var n = b.sum(b.fill(sizes, 1), Composites.allAxes(sizes.length), false);
        Var dof = correction == 0 ? Composites.count(b, x, axes) : b.emit(Prim.MAXIMUM, null, b.sub(n, b.scalar(correction)), b.scalar(0));
        Var u = b.where(b.lt(b.emit(Prim.ABS, null, x), b.scalar(Double.POSITIVE_INFINITY)), b.sub(x, b.stopGrad(x)), b.scalar(0));
        Var su = b.sum(u, axes, keepdim);
        Var k = b.stopGrad(b.where(b.gt(dof, b.scalar(0)), b.div(b.scalar(1), b.mul(n, dof)), b.scalar(0))); // none when N - c is 0 (var is inf or nan)
        return b.sub(b.div(ss, dof), b.mul(k, b.mul(su, su)));
    }

    /** std = sqrt var. NOTE: its gradient at std = 0 is 0, as PyTorch's (which masks it), not 0/0. */
    static Var std(Builder b, Var x, int[] axes, double correction, boolean keepdim) {
        Var v = var(b, x, axes, correction, keepdim);
        Var zero = b.scalar(0);
        Var safe = b.where(b.eq(v, zero), b.scalar(1), v);
        return b.where(b.eq(v, zero), zero, b.emit(Prim.SQRT, null, safe));
    }
}
