package tx.compiler.lower;

import java.util.Arrays;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;

/**
 * The classification losses cross_entropy(input, target, weight=None, ignore_index=-100,
 * reduction="mean", label_smoothing=0.0) and nll_loss(input, target, weight=None,
 * ignore_index=-100, reduction="mean"), over input [N, C] or [C] (and [N, C, d1, ...], see
 * {@link SpatialLoss}), as PyTorch 1.13 computes them.
 * With class indices y (int64 [N] or []), sample n's loss is -w[y_n] logp[n, y_n], 0 where y_n is
 * ignore_index; "mean" divides the sum by Σ_n w[y_n] over the samples kept (nan when none is),
 * "sum" sums, "none" keeps [N]. label_smoothing ε > 0 adds PyTorch's smoothing term:
 * <pre>
 *   (1 - ε) nll + ε / C · S,   S_n = -Σ_c w[c] logp[n, c] (0 where ignored), reduced as nll (its mean by the same divisor)
 * </pre>
 * With class probabilities (a float target of input's shape), target' = (1 - ε) target + ε / C and
 * the loss is -Σ_c logp · target' · w, whose mean divides by N. Everything is a composite.
 * NOTE: cross_entropy of a constant target without ignore_index among its values, and no weight or
 * smoothing, keeps {@link Composites#crossEntropyIndices}, whose mean divides by N written as a number.
 */
final class ClassLossRules extends RuleFamily {
    ClassLossRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("cross_entropy", a -> loss(a, true));
        rules.put("nll_loss", a -> loss(a, false));
    }

    /** The options of one call, checked. */
    private record Options(T weight, int ignore, boolean ignoreGiven, Losses.Reduction reduction, double smoothing) {
        boolean plain() {
            return weight == null && !ignoreGiven && smoothing <= 0;
        }
    }

    private Val loss(Args a, boolean logits) {
        if (!(logits ? a.shape(2, 3, LegacyReduction.with("weight", "ignore_index", "reduction", "label_smoothing")) : a.shape(2, 3, LegacyReduction.with("weight", "ignore_index", "reduction")))) return null;
        T x = a.tensor(0), t = a.tensor(1);
        Val wv = a.get(2, "weight");
        T w = wv == null || wv instanceof Val.None ? null : a.tensor(2, "weight");
        Integer ignore = a.get(-1, "ignore_index") == null ? Integer.valueOf(-100) : a.integer(-1, "ignore_index");
        String r = LegacyReduction.of(l, host, a, LossRules.REDUCTIONS);
        double eps = a.number(-1, "label_smoothing", 0);
        if (x == null || t == null || r == null || ignore == null || a.failed) return null;
        int[] xs = x.shape(), ts = t.shape();
        if (xs.length == 0) {
            l.diags.error("E0202", a.spanOf(0, null), "`" + a.fn + "` takes " + (logits ? "logits" : "log-probabilities") + " of shape [N, C], [C] or [N, C, d1, ...], found "
                    + Shapes.show(xs), null);
            return null;
        }
        int classes = xs[xs.length == 1 ? 0 : 1];
        if (Shapes.isSymbol(classes) || xs.length > 2 && Shapes.symbolic(xs)) { // the class ids are numbers; [N, C, d1, ...] is flattened to [N·d1·..., C]
            RunTimeSizes.refuse(l, a.spanOf(0, null), "`" + a.fn + "` over a class axis" + (xs.length > 2 ? " or over [N, C, d1, ...]" : ""));
            return null;
        }
        if (w != null && !weightValid(a, w, classes, logits && Arrays.equals(xs, ts))) return null;
        Options o = new Options(w, ignore, a.get(-1, "ignore_index") != null, Losses.Reduction.of(r), eps);
        if (eps > 1) {
            l.diags.error("E0104", a.spanOf(-1, "label_smoothing"), "label_smoothing must be between 0.0 and 1.0, found " + PyFloat.repr(eps), null);
            return null;
        }
        if (logits && Arrays.equals(xs, ts) && t.dtype().isFloat()) return probabilities(a, x, t, o);
        int[] want = SpatialLoss.targetShape(xs);
        if (!Arrays.equals(ts, want)) {
            l.diags.error("E0202", a.spanOf(1, null), "`" + a.fn + "` with " + (logits ? "logits" : "input") + " of shape " + Shapes.show(xs) + " needs class indices of shape "
                    + Shapes.show(want) + (logits ? " or probabilities of shape " + Shapes.show(xs) : "") + ", found " + Shapes.show(ts), null);
            return null;
        }
        if (!classIndicesValid(a, t, classes, ignore)) return null;
        targetsInBounds(a, t, classes, ignore);
        if (xs.length > 2) return out(b.composite(() -> SpatialLoss.flattened(b, x.var(), t.var(), o.reduction(), (xf, tf) -> logits && o.plain() && noneIgnored(t, o.ignore())
                ? Composites.crossEntropyIndices(b, xf, tf, o.reduction()) : indices(b, logits ? Composites.logSoftmax(b, xf, 1) : xf, tf, o))),
                SpatialLoss.gradFn(xs.length, o.reduction(), o.smoothing()));
        if (logits && o.plain() && noneIgnored(t, o.ignore())) {
            return out(b.composite(() -> Composites.crossEntropyIndices(b, x.var(), t.var(), o.reduction())), "NllLossBackward0");
        }
        String gradFn = o.smoothing() > 0 ? "AddBackward0" : "NllLossBackward0";
        return out(b.composite(() -> indices(b, logits ? Composites.logSoftmax(b, x.var(), xs.length - 1) : x.var(), t.var(), o)), gradFn);
    }

    /** The probabilities' loss: -Σ_c logp · target' · w, with the mean over N samples. */
    private Val probabilities(Args a, T x, T t, Options o) {
        if (o.ignoreGiven() && o.ignore() >= 0) {
            l.diags.error("E0104", a.spanOf(-1, "ignore_index"), "`cross_entropy` with class probabilities takes no ignore_index (PyTorch: \"ignore_index is not"
                    + " supported for floating point target\")", "ignore_index applies to class indices");
            return null;
        }
        int classAxis = x.shape().length == 1 ? 0 : 1, classes = x.shape()[classAxis];
        Var v = b.composite(() -> {
            Var target = o.smoothing() > 0 ? b.add(b.mul(t.var(), b.scalar(1 - o.smoothing())), b.scalar(o.smoothing() / classes)) : t.var();
            Var terms = b.mul(Composites.logSoftmax(b, x.var(), classAxis), target);
            if (o.weight() != null) terms = b.mul(terms, SpatialLoss.alongClasses(b, o.weight().var(), x.shape().length));
            if (o.reduction() == Losses.Reduction.NONE) return b.neg(b.sum(terms, new int[] {classAxis}, false));
            Var total = b.sum(terms, Composites.allAxes(terms.rank()), false);
            return b.neg(o.reduction() == Losses.Reduction.SUM ? total : b.div(total, x.shape().length == 1 ? b.scalar(1) : Composites.count(b, x.var(), SpatialLoss.sampleAxes(x.shape().length))));
        });
        return out(v, o.reduction() == Losses.Reduction.MEAN ? "DivBackward1" : "NegBackward0");
    }

    /**
     * The class indices' loss from log-probabilities logp: the chosen term of each kept sample,
     * weighted (a where, so that an unchosen -inf log-probability gives no 0 · inf, and an ignored
     * sample +0), reduced, and the smoothing term when ε > 0. The weight passes no gradient (PyTorch
     * refuses one that requires it); without one, the mean divides by the number of samples kept.
     */
    static Var indices(Builder b, Var logp, Var target, Options o) {
        int classAxis = logp.rank() - 1, classes = logp.shapeRef()[classAxis];
        int[] col = logp.rank() == 1 ? Shapes.SCALAR : new int[] {logp.shapeRef()[0], 1};
        double[] ids = new double[classes];
        for (int i = 0; i < classes; i++) ids[i] = i;
        Var y = b.reshape(target, col);
        Var kept = b.ne(y, b.scalar(o.ignore()));
        Var chosen = b.where(kept, b.eq(y, b.constant(tx.runtime.tensor.Tensor.of(new int[] {classes}, ids), DType.INT64)), b.fill(Shapes.SCALAR, 0, DType.BOOL));
        Var w = o.weight() == null ? null : b.expand(b.stopGrad(o.weight().var()), logp.shapeRef());
        Var wl = w == null ? logp : b.mul(logp, w);
        Var zero = b.scalar(0);
        Var perSample = b.sum(b.where(chosen, b.neg(wl), zero), new int[] {classAxis}, false);
        Var divisor = w == null ? b.where(kept, b.scalar(1), zero) : b.where(chosen, w, zero);
        Var nll = reduce(b, perSample, o.reduction(), divisor);
        if (o.smoothing() <= 0) return nll;
        Var keptRows = b.reshape(kept, perSample.shapeRef());
        Var s = reduce(b, b.where(keptRows, b.neg(b.sum(wl, new int[] {classAxis}, false)), zero), o.reduction(), divisor);
        return b.add(b.mul(nll, b.scalar(1 - o.smoothing())), b.mul(s, b.scalar(o.smoothing() / classes)));
    }

    /** Per-sample losses reduced: kept, summed, or summed and divided by the sum of the divisor's entries (the weights chosen, or the samples kept). */
    private static Var reduce(Builder b, Var perSample, Losses.Reduction r, Var divisor) {
        if (r == Losses.Reduction.NONE) return perSample;
        Var total = b.sum(perSample, Composites.allAxes(perSample.rank()), false);
        if (r == Losses.Reduction.SUM) return total;
        return b.div(total, b.sum(divisor, Composites.allAxes(divisor.rank()), false));
    }

    /** Whether the target is a constant without ignore_index among its values: then the mean's divisor is N, known now. */
    private boolean noneIgnored(T t, int ignore) {
        Stmt.Eqn def = l.graph.definition(t.var());
        if (def == null || def.prim() != Prim.CONST) return false;
        for (double v : ((Attrs.Const) def.attr()).value().data()) if (v == ignore) return false;
        return true;
    }

    /** A weight is a float vector of C numbers; it may require grad only with class probabilities, as in PyTorch. */
    private boolean weightValid(Args a, T w, int classes, boolean probabilities) {
        if (w.shape().length != 1 || w.shape()[0] != classes) {
            l.diags.error("E0202", a.spanOf(2, "weight"), "`" + a.fn + "`'s weight must hold one number for each of the " + classes + " classes, found shape "
                    + Shapes.show(w.shape()), "PyTorch: \"weight tensor should be defined either for all " + classes + " classes or no classes\"");
            return false;
        }
        if (!w.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(2, "weight"), "`" + a.fn + "`'s weight is " + w.describeKind() + ", where PyTorch expects a float one",
                    "convert first: `w.double()`");
            return false;
        }
        if (w.rg() && !probabilities) {
            l.diags.error("E0104", a.spanOf(2, "weight"), "`" + a.fn + "` is not differentiable with respect to its weight, which requires grad here",
                    "PyTorch refuses it too; pass `w.detach()`");
            return false;
        }
        return true;
    }

    /**
     * Class indices known only at run time: one outside [0, C) that is not ignore_index stops the
     * run (E0509, at the call) with PyTorch's "Target 5 is out of bounds.", naming the first.
     */
    private void targetsInBounds(Args a, T t, int classes, int ignore) {
        Stmt.Eqn def = l.graph.definition(t.var());
        if (def != null && def.prim() == Prim.CONST) return; // checked now (classIndicesValid)
        Var y = t.var();
        Var outside = b.emit(Prim.BITWISE_OR, null, b.lt(y, b.scalar(0, t.dtype())), b.ge(y, b.scalar(classes, t.dtype())));
        RunTimeChecks.noneOf(l, a.span(), b.emit(Prim.BITWISE_AND, null, outside, b.ne(y, b.scalar(ignore, t.dtype()))), y, "Target ", " is out of bounds.");
    }

    /** Class indices known at compile time must be whole numbers in [0, C), or ignore_index. */
    private boolean classIndicesValid(Args a, T t, int classes, int ignore) {
        Stmt.Eqn def = l.graph.definition(t.var());
        if (def == null || def.prim() != Prim.CONST) return true;
        for (double v : ((Attrs.Const) def.attr()).value().data()) {
            if (v != ignore && (v != Math.rint(v) || v < 0 || v >= classes)) {
                String what = v != Math.rint(v) ? "class index " + PyFloat.repr(v) + " is not a whole number"
                        : "class index " + (long) v + " is out of range for " + classes + " classes";
                l.diags.error("E0204", a.spanOf(1, null), what, "targets are class indices 0 to " + (classes - 1)
                        + (ignore < 0 || ignore >= classes ? " or ignore_index (" + ignore + ")" : "") + ", or probabilities of the logits' shape");
                return false;
            }
        }
        return true;
    }
}
