package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;

/**
 * The (v2) activations and elementwise functions written from primitives ({@link Composites}):
 * their arguments, PyTorch's keywords and defaults, and PyTorch's grad_fn names.
 */
final class ActivationRules extends RuleFamily {
    ActivationRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        activations();
    }

    private void activations() {
        host.composite("silu", Composites::silu, "SiluBackward0");
        host.composite("mish", Composites::mish, "MishBackward0");
        host.composite("softsign", Composites::softsign, "DivBackward0");
        host.composite("logsigmoid", Composites::logSigmoid, "LogSigmoidBackward0");
        notBool("relu6", (bb, x) -> Composites.hardtanh(bb, x, 0, 6), "HardtanhBackward0");
        notBool("relu", Composites::relu, "ReluBackward0");
        host.composite("square", (bb, x) -> bb.mul(x, x), "PowBackward0");
        host.composite("rsqrt", Composites::rsqrt, "RsqrtBackward0");
        host.composite("reciprocal", (bb, x) -> bb.div(bb.scalar(1), x), "ReciprocalBackward0");
        host.composite("exp2", Composites::exp2, "Exp2Backward0");
        host.composite("log2", (bb, x) -> Composites.logBase(bb, x, 2), "Log2Backward0");
        host.composite("log10", (bb, x) -> Composites.logBase(bb, x, 10), "Log10Backward0");
        host.composite("sinh", Composites::sinh, "SinhBackward0");
        host.composite("cosh", Composites::cosh, "CoshBackward0");
        host.composite("asinh", Composites::asinh, "AsinhBackward0");
        host.composite("acosh", Composites::acosh, "AcoshBackward0");
        host.composite("atanh", Composites::atanh, "AtanhBackward0");
        host.composite("erf", Composites::erf, "ErfBackward0");
        host.composite("erfc", Composites::erfc, "ErfcBackward0");
        host.composite("frac", Composites::frac, "FracBackward0");
        rules.put("round", a -> { // the primitive, or with decimals= PyTorch's other overload
            if (!a.shape(1, 1, "decimals")) return null;
            T x = a.tensor(0);
            Integer decimals = a.get(-1, "decimals") == null ? null : a.integer(-1, "decimals");
            if (x == null || a.failed) return null;
            if (decimals == null) return out(b.composite(() -> b.emit(Prim.ROUND, null, x.var())), "RoundBackward0");
            return out(b.composite(() -> Composites.roundDecimals(b, x.var(), decimals)), "RoundBackward1");
        });
        host.composite("hardsigmoid", PiecewiseActivations::hardsigmoid, "HardsigmoidBackward0");
        host.composite("hardswish", PiecewiseActivations::hardswish, "HardswishBackward0");
        host.composite("selu", PiecewiseActivations::selu, "EluBackward0");
        host.composite("tanhshrink", PiecewiseActivations::tanhshrink, "SubBackward0");
        parametric("celu", "alpha", 1.0, PiecewiseActivations::celu, "CeluBackward0");
        parametric("hardshrink", "lambd", 0.5, PiecewiseActivations::hardshrink, "HardshrinkBackward0");
        parametric("softshrink", "lambd", 0.5, PiecewiseActivations::softshrink, "SoftshrinkBackward0");
        rules.put("threshold", a -> { // F.threshold(input, threshold, value): both required, as PyTorch
            if (!a.shape(1, 3, "threshold", "value")) return null;
            if (a.get(1, "threshold") == null || a.get(2, "value") == null) {
                l.diags.error("E0104", a.span(), "`threshold` needs the threshold and the value", "write `threshold(x, 0.1, 20.0)`: x where x > 0.1, else 20");
                return null;
            }
            T x = a.tensor(0);
            double threshold = a.number(1, "threshold", 0), value = a.number(2, "value", 0);
            if (x == null || a.failed) return null;
            return out(b.composite(() -> PiecewiseActivations.threshold(b, x.var(), threshold, value)), "ThresholdBackward0");
        });
        parametric("leaky_relu", "negative_slope", 0.01, Composites::leakyRelu, Composites::leakyRelu, "LeakyReluBackward0");
        parametric("elu", "alpha", 1.0, (bb, x, alpha) -> PiecewiseActivations.elu(bb, x, alpha, 1, 1), PiecewiseActivations::elu, "EluBackward0");
        rules.put("softplus", a -> {
            if (!a.shape(1, 3, "beta", "threshold")) return null;
            T x = a.tensor(0);
            double beta = a.number(1, "beta", 1), threshold = a.number(2, "threshold", 20);
            if (x == null || a.failed) return null;
            return out(b.composite(() -> Composites.softplus(b, x.var(), beta, threshold)), "SoftplusBackward0");
        });
        rules.put("hardtanh", a -> {
            if (!a.shape(1, 3, "min_val", "max_val")) return null;
            T x = a.tensor(0);
            Var rlo = a.runTimeNumber(1, "min_val"), rhi = a.runTimeNumber(2, "max_val");
            double lo = rlo != null ? 0 : a.number(1, "min_val", -1), hi = rhi != null ? 0 : a.number(2, "max_val", 1);
            if (x == null || a.failed || bool(a, x)) return null;
            if (rlo != null || rhi != null) { // a bound known only at run time
                return out(b.composite(() -> Composites.hardtanh(b, x.var(), bound(x.var(), rlo, lo), bound(x.var(), rhi, hi))), "HardtanhBackward0");
            }
            return out(b.composite(() -> Composites.hardtanh(b, x.var(), lo, hi)), "HardtanhBackward0");
        });
        rules.put("gelu", a -> {
            if (!a.shape(1, 1, "approximate")) return null;
            T x = a.tensor(0);
            String approximate = host.choice(a, -1, "approximate", "none", "none", "tanh");
            if (x == null || approximate == null) return null;
            return out(b.composite(() -> approximate.equals("tanh") ? Composites.geluTanh(b, x.var()) : Composites.gelu(b, x.var())), "GeluBackward0");
        });
        rules.put("lerp", a -> {
            if (!a.shape(1, 3, "end", "weight")) return null;
            if (a.get(1, "end") == null || a.get(2, "weight") == null) {
                l.diags.error("E0104", a.span(), "`lerp` needs " + (a.get(1, "end") == null ? "an end and " : "") + "a weight",
                        "write `lerp(start, end, weight)`, the weight a number or a tensor");
                return null;
            }
            T x0 = a.tensor(0), e0 = a.tensor(1, "end"), w0 = a.tensor(2, "weight");
            T[] xew = x0 == null || e0 == null || w0 == null ? null : host.agreed(a, x0, e0, w0);
            if (xew == null) return null;
            T x = xew[0], e = xew[1], w = xew[2];
            String gradFn = a.get(2, "weight") instanceof Val.Num ? "LerpBackward0" : "LerpBackward1"; // PyTorch's Scalar and Tensor overloads
            return out(b.composite(() -> Composites.lerp(b, x.var(), e.var(), w.var())), gradFn);
        });
        rules.put("hypot", a -> {
            if (!a.shape(2, 2)) return null;
            T x0 = a.tensor(0), y0 = a.tensor(1);
            T[] xy = x0 == null || y0 == null ? null : host.agreed(a, x0, y0);
            if (xy == null) return null;
            return out(b.composite(() -> Composites.hypot(b, xy[0].var(), xy[1].var())), "HypotBackward0");
        });
    }

    /** A composite of one tensor that keeps an int64's dtype and, as PyTorch, refuses a bool tensor (relu, relu6). */
    private void notBool(String name, java.util.function.BiFunction<Builder, Var, Var> f, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null || bool(a, x) ? null : out(b.composite(() -> f.apply(b, x.var())), gradFn);
        });
    }

    /** Whether x is a bool tensor, reported: PyTorch's relu and hardtanh refuse them ("Boolean inputs not supported for relu"). */
    private boolean bool(Args a, T x) {
        if (x.dtype() != tx.runtime.tensor.DType.BOOL) return false;
        l.diags.error("E0220", a.spanOf(0, "input"), "`" + a.fn + "` of a bool tensor: PyTorch does not support bool inputs for it",
                "convert first: `" + a.fn + "(x.long())` or `" + a.fn + "(x.double())`");
        return true;
    }

    private interface WithNumber {
        Var apply(Builder b, Var x, double p);
    }

    private interface WithRunTimeNumber {
        Var apply(Builder b, Var x, Var p);
    }

    /** An activation with one number, given second or as its keyword (leaky_relu's negative_slope=, elu's alpha=). */
    private void parametric(String name, String keyword, double dflt, WithNumber f, String gradFn) {
        parametric(name, keyword, dflt, f, null, gradFn);
    }

    /** As above; where {@code g} is given, the number may also be known only at run time ({@code a = t.item()}). */
    private void parametric(String name, String keyword, double dflt, WithNumber f, WithRunTimeNumber g, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(1, 2, keyword)) return null;
            T x = a.tensor(0);
            Var run = g == null ? null : a.runTimeNumber(1, keyword);
            double p = run != null ? 0 : a.number(1, keyword, dflt);
            if (x == null || a.failed) return null;
            return out(b.composite(() -> run != null ? g.apply(b, x.var(), run) : f.apply(b, x.var(), p)), gradFn);
        });
    }

    /**
     * A bound of hardtanh as a scalar of x's dtype: a run-time one converted (an int64 x truncates it
     * toward zero, as PyTorch converts the bounds to x's dtype), else the number known now.
     */
    private Var bound(Var x, Var run, double known) {
        tx.runtime.tensor.DType dt = x.dtype();
        if (run == null) return b.scalar(dt == tx.runtime.tensor.DType.INT64 ? (long) known : known, dt);
        return dt == tx.runtime.tensor.DType.FLOAT64 ? run : b.emit(Prim.CAST, dt, run);
    }

}
