package tx.compiler.lower;

import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;

/**
 * The piecewise activations of torch.nn.functional beyond LANGUAGE.md's list, written from
 * primitives as PyTorch 1.13's kernels compute them: the same formula in each piece, the same
 * pieces at the kinks (which side a bound belongs to decides the gradient there), and at nan what
 * PyTorch's vector kernels give (its scalar kernels, which run on a tensor's last few elements,
 * sometimes differ). NOTE: a gradient inside a piece is the derivative of its formula, which may
 * differ from PyTorch's hand-written backward in the last bit (hardsigmoid's slope is the float
 * 1/6 in PyTorch, 0.1666666716337204).
 */
final class PiecewiseActivations {
    private PiecewiseActivations() {}

    /** SELU's constants, as PyTorch's (torch/nn/functional.py and its elu kernel take them in double). */
    static final double SELU_ALPHA = 1.6732632423543772848170429916717, SELU_SCALE = 1.0507009873554804934193349852946;

    /**
     * hardsigmoid x = min(max(x + 3, 0), 6) / 6: 0 up to -3 and 1 from 3 on (gradient 0 there, as
     * PyTorch's backward passes it only where -3 < x < 3), and nan with gradient 0 at nan.
     */
    static Var hardsigmoid(Builder b, Var x) {
        Var middle = b.div(b.add(x, b.scalar(3)), b.scalar(6));
        return Composites.nanWithoutGradient(b, x, b.where(b.le(x, b.scalar(-3)), b.scalar(0), b.where(b.ge(x, b.scalar(3)), b.scalar(1), middle)));
    }

    /**
     * hardswish x = x · min(max(x + 3, 0), 6) / 6, multiplied in PyTorch's order (so -0.0 below -3
     * and nan at -inf). Its gradient is 0 below -3, 1 from 3 on and (2x + 3) / 6 between, as
     * PyTorch's backward, whose middle piece takes -3 itself; nan at nan.
     */
    static Var hardswish(Builder b, Var x) {
        Var clamped = b.where(b.lt(x, b.scalar(-3)), b.scalar(0), b.where(b.ge(x, b.scalar(3)), b.scalar(6), b.add(x, b.scalar(3))));
        return b.div(b.mul(x, clamped), b.scalar(6));
    }

    /**
     * PyTorch's elu kernel (elu, selu, celu): x · scale above 0, else (e^(x · inputScale) - 1) ·
     * alpha · scale, the coefficient multiplied first. NOTE: e^x - 1, not expm1, as PyTorch computes
     * it (so the derivative is PyTorch's even where expm1 + 1 would round). At 0 the gradient is the
     * negative piece's (PyTorch's backward tests x <= 0), and at nan it is nan, as PyTorch's vector
     * kernel gives.
     */
    static Var elu(Builder b, Var x, double alpha, double scale, double inputScale) {
        Var inner = inputScale == 1 ? x : b.mul(x, b.scalar(inputScale));
        Var negative = b.mul(b.sub(b.exp(inner), b.scalar(1)), b.scalar(alpha * scale));
        return b.where(b.gt(x, b.scalar(0)), scale == 1 ? x : b.mul(x, b.scalar(scale)), negative);
    }

    /** elu with an alpha known only at run time (a float64 scalar): the same pieces, (e^x - 1) · alpha below. */
    static Var elu(Builder b, Var x, Var alpha) {
        return b.where(b.gt(x, b.scalar(0)), x, b.mul(b.sub(b.exp(x), b.scalar(1)), alpha));
    }

    static Var selu(Builder b, Var x) {
        return elu(b, x, SELU_ALPHA, SELU_SCALE, 1);
    }

    /** celu(x, alpha) = elu with the input scaled by 1/alpha (the reciprocal taken once, as PyTorch does). */
    static Var celu(Builder b, Var x, double alpha) {
        return elu(b, x, alpha, 1, 1 / alpha);
    }

    /** hardshrink: 0 on [-lambd, lambd] (+0.0, also at -0.0), x outside; nan with gradient 0 at nan. */
    static Var hardshrink(Builder b, Var x, double lambd) {
        return Composites.nanWithoutGradient(b, x, b.where(b.lt(x, b.scalar(-lambd)), x, b.where(b.gt(x, b.scalar(lambd)), x, b.scalar(0))));
    }

    /** softshrink: x - lambd above lambd, x + lambd below -lambd, else 0, which nan is too (PyTorch's vector kernel). */
    static Var softshrink(Builder b, Var x, double lambd) {
        return b.where(b.gt(x, b.scalar(lambd)), b.sub(x, b.scalar(lambd)), b.where(b.lt(x, b.scalar(-lambd)), b.add(x, b.scalar(lambd)), b.scalar(0)));
    }

    /** tanhshrink x = x - tanh x, as PyTorch writes it (its grad_fn is SubBackward0). */
    static Var tanhshrink(Builder b, Var x) {
        return b.sub(x, b.emit(Prim.TANH, null, x));
    }

    /** threshold(x, threshold, value): value where x <= threshold, else x (nan stays, with its gradient). */
    static Var threshold(Builder b, Var x, double threshold, double value) {
        return b.where(b.le(x, b.scalar(threshold)), b.scalar(value), x);
    }
}
