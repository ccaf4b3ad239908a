package tx.compiler.lower;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
 * eps=1e-5), as F.batch_norm, over dimension 1 (the channels) of an input [N, C, ...]: a composite,
 * as PyTorch 1.13's CPU kernel computes it,
 * <pre>
 *   alpha = invstd · weight,  beta = bias - mean · alpha,  out = x · alpha + beta
 * </pre>
 * with mean and invstd = 1 / sqrt(var + eps) the running statistics when not training, or the
 * batch's (the biased variance, {@code sum((x - mean)²) / n}) when training. Training also has
 * PyTorch's side effect: the running statistics, when given, are updated in place with
 * {@code momentum · batch + (1 - momentum) · running}, the variance unbiased ({@code / (n - 1)}),
 * outside the graph; every name bound to them sees the change, and a loop or a function that
 * calls batch_norm with {@code training=} carries them ({@link #statement}).
 */
final class BatchNormRules extends RuleFamily {
    BatchNormRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("batch_norm", this::batchNorm);
    }

    private static final String[] KEYWORDS = {"running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"};

    private Val batchNorm(Args a) {
        if (!a.shape(1, 8, KEYWORDS)) return null;
        T x = a.tensor(0);
        T[] p = new T[4]; // running_mean, running_var, weight, bias
        for (int i = 0; i < 4; i++) p[i] = optional(a, i + 1, KEYWORDS[i]);
        boolean training = a.bool(5, "training", false);
        double momentum = a.number(6, "momentum", 0.1), eps = a.number(7, "eps", 1e-5);
        if (x == null || a.failed || !fits(a, x, p, training)) return null;
        if (training && (p[0] != null || p[1] != null) && !isBatchNorm(a.call.callee())) {
            l.diags.error("E0104", a.span(), "`batch_norm` called through a name of its own with training=True: tx follows the in-place update of "
                    + "its running statistics only in calls written `batch_norm(...)`", "call it as `batch_norm(...)` or `F.batch_norm(...)`");
            return null;
        }
        int[] xs = x.shape(), axes = new int[xs.length - 1], chan = new int[xs.length];
        Arrays.fill(chan, 1);
        chan[1] = xs[1];
        for (int i = 0, k = 0; i < xs.length; i++) if (i != 1) axes[k++] = i;
        int n = Shapes.numel(xs) / xs[1];
        T out = out(b.composite(() -> normalized(x.var(), p, training, axes, chan, n, eps)), "NativeBatchNormBackward0");
        if (training) update(a, x, p[0], p[1], axes, n, momentum);
        return out;
    }

    /** {@code x · alpha + beta}, alpha = invstd · weight, beta = bias - mean · alpha, with the batch's statistics or the running ones. */
    private Var normalized(Var x, T[] p, boolean training, int[] axes, int[] chan, int n, double eps) {
        Var mean, var;
        if (training) {
            mean = Composites.mean(b, x, axes, true);
            Var d = b.sub(x, mean);
            var = b.div(b.sum(b.mul(d, d), axes, true), b.scalar(n)); // biased, as PyTorch normalizes
        } else {
            mean = b.reshape(p[0].var(), chan);
            var = b.reshape(p[1].var(), chan);
        }
        Var invstd = b.div(b.scalar(1), b.emit(Prim.SQRT, null, b.add(var, b.scalar(eps))));
        Var alpha = p[2] == null ? invstd : b.mul(invstd, b.reshape(p[2].var(), chan));
        Var beta = b.sub(p[3] == null ? b.scalar(0) : b.reshape(p[3].var(), chan), b.mul(mean, alpha)); // NOTE: 0 - y, not -y, as PyTorch: a zero keeps its sign
        return b.add(b.mul(x, alpha), beta);
    }

    /** An optional tensor argument: null when absent or None. */
    private T optional(Args a, int i, String keyword) {
        Val v = a.get(i, keyword);
        return v == null || v instanceof Val.None ? null : a.tensor(i, keyword);
    }

    /**
     * PyTorch's checks: an input [N, C, ...] of float64, running statistics, weight and bias of shape [C]
     * (E0210), running statistics that do not require grad (E0104) and are given when not training
     * (E0104), more than one value per channel when training (E0210).
     */
    private boolean fits(Args a, T x, T[] p, boolean training) {
        int[] xs = x.shape();
        if (xs.length < 2) return error(a, a.spanOf(0, "input"), "`batch_norm` takes an input of shape [N, C, ...], found " + Shapes.show(xs), null);
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(0, "input"), "`batch_norm` of " + x.describeDtype() + ": PyTorch normalizes floats only", "convert first: `x.double()`");
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (p[i] == null || Arrays.equals(p[i].shape(), new int[] {xs[1]})) continue;
            return error(a, a.spanOf(i + 1, KEYWORDS[i]), "`batch_norm`'s " + KEYWORDS[i] + " must have shape [" + xs[1] + "] (one per channel), found "
                    + Shapes.show(p[i].shape()), "the channels are the input's dimension 1");
        }
        for (int i = 0; i < 2; i++) {
            if (p[i] == null ? training : !p[i].rg() || l.graph.noGrad()) continue;
            l.diags.error("E0104", a.spanOf(i + 1, KEYWORDS[i]), p[i] == null ? "`batch_norm` needs " + KEYWORDS[i] + " when not training"
                    : "`batch_norm`'s " + KEYWORDS[i] + " requires grad: PyTorch's native_batch_norm is not differentiable with respect to it",
                    p[i] == null ? "PyTorch: \"running_mean must be defined in evaluation mode\"; pass it, or `training=True`" : "pass a tensor that does not require grad");
            return false;
        }
        if (training && Shapes.numel(xs) / Math.max(1, xs[1]) <= 1) {
            return error(a, a.spanOf(0, "input"), "`batch_norm` needs more than one value per channel when training, got an input of shape "
                    + Shapes.show(xs), "normalize a batch of several examples, or use `training=False`");
        }
        return true;
    }

    private boolean error(Args a, Span at, String message, String help) {
        l.diags.error("E0210", at, message, help);
        a.failed = true;
        return false;
    }

    /**
     * PyTorch's side effect of training: running = momentum · batch + (1 - momentum) · running, in
     * place and outside the graph, with the batch's mean and its unbiased variance.
     */
    private void update(Args a, T x, T mean, T var, int[] axes, int n, double momentum) {
        if (mean == null && var == null) return;
        boolean old = l.graph.setNoGrad(true);
        String hint = b.named(null); // the steps are not the value the call's result is assigned to
        try {
            Var xs = b.stopGrad(x.var());
            Var m = b.composite(() -> Composites.mean(b, xs, axes, true));
            if (mean != null) {
                String name = b.named(nameOf(a, 1));
                store(a, mean, b.composite(() -> blend(b.reshape(m, mean.shape()), mean.var(), momentum)), 1);
                b.named(name);
            }
            if (var != null) {
                String name = b.named(nameOf(a, 2));
                Var v = b.composite(() -> {
                    Var d = b.sub(xs, m);
                    return blend(b.reshape(b.div(b.sum(b.mul(d, d), axes, true), b.scalar(n - 1)), var.shape()), var.var(), momentum);
                });
                store(a, var, v, 2);
                b.named(name);
            }
        } finally {
            l.graph.setNoGrad(old);
            b.named(hint);
        }
    }

    /** The name a running statistic is written as (its new value takes it, as {@code m -= ...} does), or null. */
    private String nameOf(Args a, int i) {
        String text = l.text(a.spanOf(i, KEYWORDS[i - 1]));
        if (text != null && text.startsWith(KEYWORDS[i - 1] + "=")) text = text.substring(KEYWORDS[i - 1].length() + 1).strip();
        return text != null && text.matches("[A-Za-z_][A-Za-z0-9_]*") ? text : null;
    }

    private Var blend(Var batch, Var running, double momentum) {
        return b.add(b.mul(b.scalar(momentum), batch), b.mul(b.scalar(1 - momentum), running));
    }

    /** The running statistic {@code t} now holds {@code v}: a leaf stays the same leaf (under no_grad), every name bound to it sees the change. */
    private void store(Args a, T t, Var v, int i) {
        T updated = t.leaf() >= 0 ? l.keepLeaf(t, v) : new T(v, false, -1, null, false, false);
        l.autograd.changedInPlace(t, updated, a.spanOf(i, KEYWORDS[i - 1]));
    }

    // ---- what a body changes in place ------------------------------------------------------------------

    /**
     * Adds the names that the batch_norm calls in a simple statement (not a block) may update in place: their running_mean and running_var, where written as names, when the call
     * gives {@code training=} other than a literal False. The walk goes through the AST's record
     * components, as {@link BodyReads} does.
     */
    static void statement(Ast.Stmt s, Set<String> out) {
        if (s instanceof Ast.Assign || s instanceof Ast.AugAssign || s instanceof Ast.IndexAssign || s instanceof Ast.ExprStmt || s instanceof Ast.Return) {
            runningStats(s, out); // not into blocks: their bodies are scanned as bodies, each once
        }
    }

    private static void runningStats(Object node, Set<String> out) {
        if (node instanceof List<?> list) {
            for (Object o : list) runningStats(o, out);
            return;
        }
        if (!(node instanceof Record r) || !r.getClass().getName().startsWith(Ast.class.getName())) return;
        if (node instanceof Ast.Call c && isBatchNorm(c.callee())) {
            int shift = method(c.callee()) ? 1 : 0; // x.batch_norm(rm, rv, ...): the receiver is the input
            if (trains(c, shift)) {
                for (int i = 0; i < 2; i++) {
                    Ast.Expr e = argument(c, i + 1 - shift, KEYWORDS[i]);
                    if (e instanceof Ast.Name name) out.add(name.name());
                }
            }
        }
        for (RecordComponent rc : r.getClass().getRecordComponents()) {
            try {
                runningStats(rc.getAccessor().invoke(r), out);
            } catch (ReflectiveOperationException e) {
                return; // cannot look inside: the loop then carries what the rest of the body says
            }
        }
    }

    private static boolean isBatchNorm(Ast.Expr callee) {
        return callee instanceof Ast.Name n && n.name().equals("batch_norm") || callee instanceof Ast.Attr at && at.name().equals("batch_norm");
    }

    /** Whether {@code x.batch_norm(...)} is method sugar rather than a module's function ({@code F.batch_norm}, {@code torch.nn.functional.batch_norm}). */
    private static boolean method(Ast.Expr callee) {
        if (!(callee instanceof Ast.Attr at)) return false;
        Ast.Expr root = at.target();
        while (root instanceof Ast.Attr inner) root = inner.target();
        return !(root instanceof Ast.Name n && Set.of("torch", "F", "nn").contains(n.name()));
    }

    private static boolean trains(Ast.Call c, int shift) {
        Ast.Expr t = argument(c, 5 - shift, "training");
        return t != null && !(t instanceof Ast.Bool b && !b.value());
    }

    /** The argument at position i (counting the call's own arguments) or the keyword, or null. */
    private static Ast.Expr argument(Ast.Call c, int i, String keyword) {
        int positional = 0;
        for (Ast.Arg arg : c.args()) {
            if (arg.name() == null && positional++ == i) return arg.value();
            if (keyword.equals(arg.name())) return arg.value();
        }
        return null;
    }
}
