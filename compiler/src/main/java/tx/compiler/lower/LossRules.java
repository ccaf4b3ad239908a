package tx.compiler.lower;

import java.util.Arrays;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;

/**
 * The losses with PyTorch's {@code reduction=} ({@link Losses}), var/std and linear: their
 * arguments, keywords and defaults, and PyTorch's grad_fn name for each reduction.
 * (cross_entropy, with its class-index checks, stays in {@link Builtins}.)
 */
final class LossRules extends RuleFamily {
    LossRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        loss("mse_loss", null, 0, (bb, x, y, p) -> Losses.squared(bb, x, y), "MseLossBackward0", "MseLossBackward0", "MseLossBackward0");
        loss("l1_loss", null, 0, (bb, x, y, p) -> Losses.l1(bb, x, y), "MeanBackward0", "SumBackward0", "AbsBackward0");
        loss("smooth_l1_loss", "beta", 1.0, Losses::smoothL1, "SmoothL1LossBackward0", "SmoothL1LossBackward0", "SmoothL1LossBackward0");
        loss("huber_loss", "delta", 1.0, Losses::huber, "HuberLossBackward0", "HuberLossBackward0", "HuberLossBackward0");
        rules.put("binary_cross_entropy", a -> binaryCrossEntropy(a, false));
        rules.put("binary_cross_entropy_with_logits", a -> binaryCrossEntropy(a, true));
        rules.put("kl_div", this::klDiv);
        rules.put("cosine_similarity", this::cosineSimilarity);
        rules.put("var", a -> moment(a, Losses::varWithPyTorchSlope, "VarBackward0"));
        rules.put("std", a -> moment(a, Losses::std, "StdBackward0"));
        rules.put("linear", this::linear);
    }

    private interface PairLoss {
        Var apply(Builder b, Var x, Var y, double p);
    }

    static final String[] REDUCTIONS = {"mean", "sum", "none"};

    /**
     * A loss of two operands that broadcast, elementwise, then reduced as {@code reduction=} says
     * (PyTorch's "mean" by default); {@code number} names its one number keyword (beta=, delta=) or is null.
     * The grad_fn names are PyTorch's for mean, sum and none.
     */
    private void loss(String name, String number, double dflt, PairLoss f, String gradFnMean, String gradFnSum, String gradFnNone) {
        rules.put(name, a -> {
            String[] keywords = number == null ? new String[] {"reduction"} : new String[] {"reduction", number};
            if (!a.shape(2, 2, name.equals("huber_loss") ? keywords : LegacyReduction.with(keywords))) return null; // huber_loss came after the deprecation
            T x0 = a.tensor(0), y0 = a.tensor(1);
            double p = number == null ? 0 : a.number(-1, number, dflt);
            String r = LegacyReduction.of(l, host, a, REDUCTIONS);
            T[] xy = x0 == null || y0 == null || r == null || a.failed ? null : host.agreed(a, x0, y0);
            if (xy == null) return null;
            T x = xy[0], y = xy[1];
            if (number != null && p < 0) {
                l.diags.error("E0104", a.spanOf(-1, number), "`" + name + "` needs " + number + " >= 0, found " + PyFloat.repr(p), null);
                return null;
            }
            Losses.Reduction red = Losses.Reduction.of(r);
            String gradFn = switch (red) { case SUM -> gradFnSum; case NONE -> gradFnNone; default -> gradFnMean; };
            return out(b.composite(() -> Losses.reduce(b, f.apply(b, x.var(), y.var(), p), red)), gradFn);
        });
    }

    /**
     * binary_cross_entropy(input, target, weight=None, reduction="mean") and
     * binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
     * each element's loss times weight (which broadcasts to the target's shape), then reduced as the
     * other losses (the mean over the elements, not over the weights); pos_weight scales the positive
     * term, (1 - y) z + (1 + (pos_weight - 1) y) softplus(-z), as PyTorch 1.13. NOTE: neither weight
     * passes a gradient: PyTorch refuses ones that require grad (E0104 here).
     */
    private Val binaryCrossEntropy(Args a, boolean logits) {
        if (!(logits ? a.shape(2, 3, LegacyReduction.with("weight", "reduction", "pos_weight")) : a.shape(2, 3, LegacyReduction.with("weight", "reduction")))) return null;
        T x0 = a.tensor(0), y0 = a.tensor(1);
        T w = optional(a, 2, "weight"), pw = logits ? optional(a, -1, "pos_weight") : null;
        String r = LegacyReduction.of(l, host, a, REDUCTIONS);
        if (x0 == null || y0 == null || r == null || a.failed) return null;
        T[] xy = SizeAgreement.sameShape(l, a.span(), x0, y0, logits ? "Target size ({1}) must be the same as input size ({0})"
                : "Using a target size ({1}) that is different to the input size ({0}) is deprecated. Please ensure they have the same size.");
        if (xy == null && !Arrays.equals(x0.shape(), y0.shape())) { // PyTorch's ValueError: these losses do not broadcast input and target
            String target = "torch.Size(" + Shapes.show(y0.shape()) + ")", input = "torch.Size(" + Shapes.show(x0.shape()) + ")";
            l.diags.error("E0201", a.span(), logits ? "Target size (" + target + ") must be the same as input size (" + input + ")"
                    : "Using a target size (" + target + ") that is different to the input size (" + input + ") is deprecated. Please ensure they have the same size.",
                    "PyTorch raises this ValueError when it runs: `" + a.fn + "` does not broadcast its input and target");
            return null;
        }
        T x = xy == null ? x0 : xy[0], y = xy == null ? y0 : xy[1];
        int[] shape = Shapes.broadcast(x.shape(), y.shape());
        for (T t : new T[] {w, pw}) {
            if (t == null) continue;
            String role = t == w ? "weight" : "pos_weight";
            if (!Shapes.broadcastsTo(t.shape(), shape)) {
                l.diags.error("E0201", a.spanOf(t == w ? 2 : -1, role), "`" + a.fn + "`'s " + role + " of shape " + Shapes.show(t.shape())
                        + " does not broadcast to the loss's shape " + Shapes.show(shape), "trailing dimensions must be equal or 1 (NumPy broadcasting)");
                return null;
            }
            if (t.rg()) {
                l.diags.error("E0104", a.spanOf(t == w ? 2 : -1, role), "`" + a.fn + "` is not differentiable with respect to its " + role
                        + ", which requires grad here", "PyTorch refuses it too; pass `" + role + ".detach()`");
                return null;
            }
        }
        if (!logits) { // PyTorch's check when it runs (a nan fails it too)
            Var inside = b.emit(Prim.BITWISE_AND, null, b.ge(x.var(), b.scalar(0)), b.le(x.var(), b.scalar(1)));
            RunTimeChecks.noneOf(l, a.span(), b.eq(inside, b.scalar(0, DType.BOOL)), "all elements of input should be between 0 and 1");
        }
        Losses.Reduction red = Losses.Reduction.of(r);
        String gradFn = logits ? "BinaryCrossEntropyWithLogitsBackward0" : "BinaryCrossEntropyBackward0";
        return out(b.composite(() -> {
            Var loss = logits ? Losses.bceWithLogits(b, x.var(), y.var(), pw == null ? null : pw.var()) : Losses.binaryCrossEntropy(b, x.var(), y.var());
            return Losses.reduce(b, w == null ? loss : b.mul(loss, w.var()), red);
        }), gradFn);
    }

    /** An optional tensor argument: null when absent or None. */
    private static T optional(Args a, int i, String keyword) {
        Val v = a.get(i, keyword);
        return v == null || v instanceof Val.None ? null : a.tensor(i, keyword);
    }

    /** kl_div(input, target, reduction="mean", log_target=False); input holds log-probabilities. */
    private Val klDiv(Args a) {
        if (!a.shape(2, 2, LegacyReduction.with("reduction", "log_target"))) return null;
        T x0 = a.tensor(0), y0 = a.tensor(1);
        String r = LegacyReduction.of(l, host, a, "mean", "sum", "none", "batchmean");
        boolean logTarget = a.bool("log_target", false);
        T[] yx = x0 == null || y0 == null || r == null || a.failed ? null : host.agreed(a, y0, x0); // PyTorch's message names the target a
        if (yx == null) return null;
        T x = yx[1], y = yx[0];
        Losses.Reduction red = Losses.Reduction.of(r);
        String gradFn = switch (red) {
            case MEAN -> "MeanBackward0";
            case SUM -> "SumBackward0";
            case NONE -> logTarget ? "MulBackward0" : "SubBackward0";
            case BATCHMEAN -> "DivBackward0";
        };
        // NOTE: PyTorch divides by the batch after a legacy reduction too when reduction="batchmean" is also given
        boolean batch = LegacyReduction.given(a) && a.get(-1, "reduction") instanceof Val.Str asked && asked.value().equals("batchmean") && x0.shape().length > 0;
        return out(b.composite(() -> {
            Var v = Losses.reduce(b, Losses.klDiv(b, x.var(), y.var(), logTarget), red);
            return batch ? b.div(v, Composites.count(b, x0.var(), new int[] {0})) : v;
        }), batch ? "DivBackward0" : gradFn);
    }

    /** cosine_similarity(x1, x2, dim=1, eps=1e-8): along dim of the broadcast shape. */
    private Val cosineSimilarity(Args a) {
        if (!a.shape(2, 4, "dim", "eps")) return null;
        T x0 = a.tensor(0), y0 = a.tensor(1);
        double eps = a.number(3, "eps", 1e-8);
        T[] xy = x0 == null || y0 == null || a.failed ? null : host.agreed(a, x0, y0);
        if (xy == null) return null;
        T x = xy[0], y = xy[1];
        int[] shape = Shapes.broadcast(x.shape(), y.shape());
        Integer d = a.get(2, "dim") == null ? a.normalizeDim(1, shape.length, a.span()) : a.dim(2, "dim", shape.length);
        if (d == null) return null;
        if (shape.length == 0) {
            l.diags.error("E0202", a.span(), "`cosine_similarity` needs operands with at least one dimension, found two scalars", null);
            return null;
        }
        return out(b.composite(() -> Losses.cosineSimilarity(b, x.var(), y.var(), d, eps)), "SumBackward1");
    }

    private interface Moment {
        Var apply(Builder b, Var x, int[] axes, double correction, boolean keepdim);
    }

    /** var/std(x, dim=None, correction=1, keepdim=False), and PyTorch's older unbiased= (true: correction 1). */
    private Val moment(Args a, Moment m, String gradFn) {
        if (!positionalUnbiased(a)) return null;
        if (!a.shape(1, 2, "dim", "correction", "keepdim", "unbiased")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int[] axes = a.axes(1, "dim", x.shape().length);
        boolean keepdim = a.bool("keepdim", false);
        double correction = a.number(-1, "correction", 1);
        if (a.kw.containsKey("unbiased")) {
            if (a.kw.containsKey("correction")) {
                l.diags.error("E0104", a.spanOf(-1, "unbiased"), "`" + a.fn + "` takes `correction=` or `unbiased=`, not both", null);
                return null;
            }
            correction = a.bool("unbiased", true) ? 1 : 0;
        }
        if (axes == null || a.failed) return null;
        double c = correction;
        return out(b.composite(() -> m.apply(b, x.var(), axes, c, keepdim)), gradFn);
    }

    /**
     * PyTorch 1.13's positional overloads of var and std, {@code var(x, unbiased)} and
     * {@code var(x, dim, unbiased, keepdim)}: the flags become the keywords they name. False after
     * reporting one given twice.
     */
    private boolean positionalUnbiased(Args a) {
        Map<Integer, String> at = a.pos.size() == 2 && a.pos.get(1) instanceof Val.Bool ? Map.of(1, "unbiased") : Map.of(2, "unbiased", 3, "keepdim");
        for (int i = a.pos.size() - 1; i >= 1; i--) { // from the end, so that the earlier positions stay where they are
            String key = at.get(i);
            if (key == null) continue;
            if (a.kw.containsKey(key)) {
                l.diags.error("E0104", a.spanOf(-1, key), "`" + a.fn + "` got `" + key + "` twice: by position and as `" + key + "=`", null);
                return false;
            }
            a.kw.put(key, a.pos.remove(i));
            a.kwSpans.put(key, a.posSpans.remove(i));
        }
        return true;
    }

    /** linear(x, w, b=None) = x @ w.T + b, with w of shape [out, in] (or [in] for a vector x) and b of shape [out]. */
    private Val linear(Args a) {
        if (!a.shape(2, 3, "bias")) return null;
        T x = a.tensor(0), w = a.tensor(1);
        Val bv = a.get(2, "bias");
        T bias = bv == null || bv instanceof Val.None ? null : a.tensor(2, "bias");
        if (x == null || w == null || a.failed) return null;
        int[] ws = w.shape();
        if (ws.length != 2 && !(ws.length == 1 && x.shape().length == 1)) {
            l.diags.error("E0202", a.spanOf(1, null), "`linear` takes a weight of shape [out, in] (or [in] for a vector input), found " + Shapes.show(ws), null);
            return null;
        }
        Val wt = ws.length == 2 ? host.transposeT(w) : w;
        Val prod = host.matmul(x, wt, a.spanOf(0, null), a.spanOf(1, null), a.span());
        if (bias == null || !(prod instanceof T p)) return prod;
        if (Shapes.broadcast(p.shape(), bias.shape()) == null || !Arrays.equals(Shapes.broadcast(p.shape(), bias.shape()), p.shape())) {
            l.diags.error("E0201", a.spanOf(2, "bias"), "`linear`'s bias of shape " + Shapes.show(bias.shape()) + " does not broadcast to its output of shape "
                    + Shapes.show(p.shape()), null);
            return null;
        }
        int rank = x.shape().length;
        String gradFn = rank == 2 ? "AddmmBackward0" : rank > 2 ? "ViewBackward0" : "AddBackward0"; // PyTorch's addmm, and its view for a batch
        return out(b.add(p.var(), bias.var()), gradFn);
    }

}
