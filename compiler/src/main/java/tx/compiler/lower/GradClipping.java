package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * {@code torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type=2.0)} and {@code
 * clip_grad_value_(parameters, clip_value)}, as PyTorch 1.13 writes them in Python: the
 * parameters whose {@code .grad} is None are left out (known at compile time here); the total norm
 * is the norm of the stacked per-parameter norms (the largest absolute value for {@code inf}); each
 * gradient is multiplied by {@code clamp(max_norm / (total + 1e-6), max=1)} (always, as PyTorch
 * does, so a factor of exactly 1 leaves the bits alone), or clamped to ±clip_value. The total norm
 * is returned. A `.grad` that may be None here is E0303, as any use of one.
 */
final class GradClipping extends RuleFamily {
    GradClipping(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        names = new HiddenNames(l, "clip");
        rules.put("clip_grad_norm_", a -> {
            try (names) { // the parameters' hidden names live as long as the call's lowering
                return norm(a);
            }
        });
        rules.put("clip_grad_value_", a -> {
            try (names) {
                return value(a);
            }
        });
    }

    private Val norm(Args a) {
        if (!a.shape(1, 4, "parameters", "max_norm", "norm_type", "error_if_nonfinite")) return null;
        List<Ast.Expr> grads = grads(a);
        if (grads == null) return null;
        Val maxNorm = a.get(1, "max_norm"), type = a.get(2, "norm_type");
        double p = type == null ? 2.0 : type instanceof Val.Num n ? n.value() : Double.NaN;
        if (!(maxNorm instanceof Val.Num) || Double.isNaN(p)) {
            l.diags.error("E0104", a.span(), "`clip_grad_norm_` takes max_norm and norm_type as numbers known when the program is compiled", null);
            return null;
        }
        if (grads.isEmpty()) return l.exprs.constant(0.0); // PyTorch: torch.tensor(0.)
        Span at = a.span();
        List<Ast.Expr> norms = new ArrayList<>();
        for (Ast.Expr g : grads) {
            norms.add(p == Double.POSITIVE_INFINITY ? method(method(g, "abs", at), "amax", at) : call("norm", at, g, number(p, at)));
        }
        Ast.Expr total = p == Double.POSITIVE_INFINITY && norms.size() == 1 ? norms.get(0)
                : p == Double.POSITIVE_INFINITY ? call("amax", at, call("stack", at, new Ast.ListLit(norms, at)))
                : call("norm", at, call("stack", at, new Ast.ListLit(norms, at)), number(p, at));
        Val totalNorm = withoutGrad(() -> l.exprs.expr(total));
        if (!(totalNorm instanceof T)) return null;
        Ast.Expr t = names.bind(totalNorm, at);
        // max_norm / (total + 1e-6), as PyTorch's __rtruediv__ computes it: the reciprocal, times max_norm
        Ast.Expr coef = new Ast.Binary("*", call("reciprocal", at, new Ast.Binary("+", t, number(1e-6, at), at)), number(((Val.Num) maxNorm).value(), at), at);
        Ast.Expr clamped = new Ast.Call(new Ast.Name("clamp", at), List.of(new Ast.Arg(null, coef, at), new Ast.Arg("max", number(1.0, at), at)), at);
        Ast.Expr c = names.bind(withoutGrad(() -> l.exprs.expr(clamped)), at);
        for (Ast.Expr g : grads) assignGrad(g, new Ast.Binary("*", g, c, at), at);
        return totalNorm;
    }

    private Val value(Args a) {
        if (!a.shape(1, 2, "parameters", "clip_value")) return null;
        List<Ast.Expr> grads = grads(a);
        if (grads == null) return null;
        if (!(a.get(1, "clip_value") instanceof Val.Num v)) {
            l.diags.error("E0104", a.span(), "`clip_grad_value_` takes clip_value as a number known when the program is compiled", null);
            return null;
        }
        Span at = a.span();
        for (Ast.Expr g : grads) {
            assignGrad(g, new Ast.Call(new Ast.Name("clamp", at), List.of(new Ast.Arg(null, g, at), new Ast.Arg("min", number(-v.value(), at), at),
                    new Ast.Arg("max", number(v.value(), at), at)), at), at);
        }
        return new Val.None("`clip_grad_value_(...)`");
    }

    /** {@code p.grad} of each parameter whose grad is not None here, each p bound to a hidden name; null after reporting. */
    private List<Ast.Expr> grads(Args a) {
        Val ps = a.get(0, "parameters");
        List<Val> items = ps instanceof T ? List.of(ps) : Sequences.items(ps);
        if (items == null) {
            l.diags.error("E0104", a.spanOf(0, "parameters"), "`" + a.fn + "` takes a tensor or a list of tensors, found " + ps.describe(), null);
            return null;
        }
        List<Ast.Expr> out = new ArrayList<>();
        for (Val v : items) {
            if (!(v instanceof T t) || t.leaf() < 0) {
                l.diags.error("E0104", a.spanOf(0, "parameters"), "`" + a.fn + "` takes leaf tensors (parameters), found " + v.describe(), null);
                return null;
            }
            if (l.state.grad(t.leaf()) == GradState.NONE) continue; // PyTorch skips a parameter without a gradient
            Span at = a.spanOf(0, "parameters");
            out.add(new Ast.Attr(names.bind(v, at), "grad", at, at));
        }
        return out;
    }

    /** {@code p.grad = value} under no_grad, p being the hidden name of {@code grad}'s target. */
    private void assignGrad(Ast.Expr grad, Ast.Expr value, Span at) {
        String name = ((Ast.Name) ((Ast.Attr) grad).target()).name();
        Val v = withoutGrad(() -> l.exprs.expr(value));
        if (!(v instanceof Val.Bad)) l.exprs.assignAttribute(new Ast.Target(name, "grad", at), v, at, at);
    }

    private Val withoutGrad(java.util.function.Supplier<Val> f) {
        boolean old = l.graph.setNoGrad(true);
        try {
            return f.get();
        } finally {
            l.graph.setNoGrad(old);
        }
    }

    /** The parameters' names for the call being lowered (bound by {@link #grads}, unbound when it is done). */
    private final HiddenNames names;

    private static Ast.Expr call(String fn, Span at, Ast.Expr... args) {
        List<Ast.Arg> list = new ArrayList<>();
        for (Ast.Expr e : args) list.add(new Ast.Arg(null, e, at));
        return new Ast.Call(new Ast.Name(fn, at), list, at);
    }

    private static Ast.Expr method(Ast.Expr target, String name, Span at) {
        return new Ast.Call(new Ast.Attr(target, name, at, at), List.of(), at);
    }

    private static Ast.Expr number(double v, Span at) {
        return v == Double.POSITIVE_INFINITY ? new Ast.Binary("/", new Ast.Num(1, "1.0", at), new Ast.Num(0, "0.0", at), at)
                : new Ast.Num(v, Double.toString(v), at);
    }
}
