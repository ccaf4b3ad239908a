package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tx.compiler.ad.Linearity;
import tx.compiler.ad.Transpose;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Func;
import tx.runtime.tensor.Shapes;

/**
 * Custom derivatives (LANGUAGE.md §7): {@code custom_vjp(f, f_bwd)} and {@code custom_jvp(f, f_jvp)}.
 * A call of either is always a call of f's IR function (inlining it would differentiate its body),
 * and the graph records the rule beside the function: the reverse pass calls a custom_vjp rule in
 * place of f's adjoint, the forward pass a custom_jvp rule in place of f's tangent function, and
 * the reverse pass calls a custom_jvp rule's transpose ({@link Transpose}). Each rule is lowered
 * once per signature of f's calls, in grad mode and with every input requiring grad, so that it
 * can be differentiated again.
 */
final class CustomRules {
    private final Lowerer l;
    private final Functions fns;

    CustomRules(Lowerer l, Functions fns) {
        this.l = l;
        this.fns = fns;
    }

    /** {@code custom_vjp(f, f_bwd)} or {@code custom_jvp(f, f_jvp)}: f with its rule; both are functions defined with `fn`. */
    Val rule(String kind, Ast.Call c) {
        boolean vjp = kind.equals("custom_vjp");
        if (c.args().size() != 2 || c.args().get(0).name() != null || c.args().get(1).name() != null) {
            l.diags.error("E0104", c.span(), "`" + kind + "` takes two functions: `" + kind + (vjp ? "(f, f_bwd)`" : "(f, f_jvp)`"),
                    vjp ? "f_bwd takes f's parameters and then the output's adjoint, and returns one adjoint per parameter"
                            : "f_jvp takes f's parameters and then one tangent per parameter, and returns the output and its tangent (or the tangent)");
            return new Val.Bad();
        }
        List<String> names = new ArrayList<>();
        for (Ast.Arg a : c.args()) {
            Val v = l.exprs.expr(a.value());
            if (v instanceof Val.Bad) return v;
            if (!(v instanceof Val.Fn fn) || !(fn.ref() instanceof Val.UserFn u)) {
                l.diags.error("E0401", a.span(), "`" + kind + "` takes functions defined with `fn`, found " + v.describe(), null);
                return new Val.Bad();
            }
            names.add(u.name());
        }
        return new Val.Fn(new Val.Custom(kind, new Val.UserFn(names.get(0)), names.get(1)));
    }

    /**
     * A call of f with a custom rule: a call of f's IR function, lowered once per signature, with
     * its rule (and, for custom_jvp, the rule's transpose) recorded beside it.
     */
    Val apply(Val.Custom cu, List<T> args, Span at) {
        String name = ((Val.UserFn) cu.of()).name();
        Ast.FnDef f = fns.defs.get(name);
        if (fns.calling.contains(name) || fns.bind(f, args, at) == null) return fns.inline(name, args, at); // the recursion or the shapes, reported
        List<Object> key = fns.signature(name, args);
        key.add(cu.kind() + " " + cu.rule());
        Functions.Lowered fn = fns.lowered.get(key);
        if (fn == null) {
            fn = fns.lowerFunction(f, args, at, false);
            if (fn.fn() == null) return impure(name, args, at, "`" + cu.kind() + "` needs `" + name + "` to be a function of the IR: one that does not print, "
                    + "call backward, read or set a `.grad`, make a leaf, draw random numbers without `seed=`, or return an argument as it is");
            if (fn.results().size() != 1) {
                l.diags.error("E0401", at, "`" + cu.kind() + "` needs `" + name + "` to return one value; it returns " + fn.results().size(), null);
                return new Val.Bad();
            }
            boolean ok = cu.kind().equals("custom_vjp") ? backward(cu.rule(), f, fn.fn(), args, fn.results().get(0), at)
                    : tangent(cu.rule(), f, fn.fn(), args, fn.results().get(0), at);
            if (!ok) return new Val.Bad();
            if (!l.diags.isMuted()) fns.lowered.put(key, fn);
        }
        return fns.emitCall(fn, args);
    }

    /** The error for a custom rule's function that has to be inlined: the body's own errors if it has any, else why. */
    private Val impure(String name, List<T> args, Span at, String why) {
        int errors = l.diags.errorCount();
        fns.inline(name, args, at);
        if (l.diags.errorCount() == errors) l.diags.error("E0401", at, why, null);
        return new Val.Bad();
    }

    /** f_bwd lowered for f's parameters and the output's adjoint; it must return one adjoint of each parameter's shape. */
    private boolean backward(String bwdName, Ast.FnDef f, Func fn, List<T> args, T out, Span at) {
        Ast.FnDef bwd = fns.defs.get(bwdName);
        if (bwd.params().size() != f.params().size() + 1) {
            l.diags.error("E0104", at, "`" + bwdName + "` takes " + bwd.params().size() + " parameters; as the derivative of `" + f.name() + "` it takes "
                    + (f.params().size() + 1) + ": `" + f.name() + "`'s parameters, then the output's adjoint", null);
            return false;
        }
        List<T> bargs = inputs(args);
        bargs.add(new T(l.b.newVar(out.shape(), null), true, -1, null, false, false));
        Functions.Lowered lowered = lowerRule("custom_vjp", bwd, bargs, at);
        if (lowered == null) return false;
        List<T> results = lowered.results();
        boolean fits = results.size() == args.size();
        for (int k = 0; fits && k < results.size(); k++) fits = Arrays.equals(results.get(k).shape(), args.get(k).shape());
        if (!fits) {
            List<String> want = new ArrayList<>();
            for (T a : args) want.add(Shapes.show(a.shape()));
            l.diags.error("E0209", at, "`" + bwdName + "` returns " + shapes(results) + "; as the derivative of `" + f.name()
                    + "` it must return one adjoint per parameter: " + String.join(", ", want), null);
            return false;
        }
        l.graph.custom(fn, lowered.fn());
        return true;
    }

    /**
     * f_jvp lowered for f's parameters and one tangent per parameter (of its shape); it must return
     * the output's tangent, or the output and its tangent, each of the output's shape. Its
     * transpose becomes f's reverse-mode rule.
     */
    private boolean tangent(String jvpName, Ast.FnDef f, Func fn, List<T> args, T out, Span at) {
        Ast.FnDef rule = fns.defs.get(jvpName);
        if (rule.params().size() != 2 * f.params().size()) {
            l.diags.error("E0104", at, "`" + jvpName + "` takes " + rule.params().size() + " parameters; as the tangent rule of `" + f.name() + "` it takes "
                    + 2 * f.params().size() + ": `" + f.name() + "`'s parameters, then one tangent per parameter", null);
            return false;
        }
        List<T> rargs = inputs(args);
        for (T a : args) rargs.add(new T(l.b.newVar(a.shape(), null), true, -1, null, false, false));
        Functions.Lowered lowered = lowerRule("custom_jvp", rule, rargs, at);
        if (lowered == null) return false;
        List<T> results = lowered.results();
        boolean fits = results.size() == 1 || results.size() == 2;
        for (int k = 0; fits && k < results.size(); k++) fits = Arrays.equals(results.get(k).shape(), out.shape());
        if (!fits) {
            l.diags.error("E0209", at, "`" + jvpName + "` returns " + shapes(results) + "; as the tangent rule of `" + f.name()
                    + "` it must return the output and its tangent, or the tangent alone, each of the output's shape " + Shapes.show(out.shape()),
                    null);
            return false;
        }
        linearity(jvpName, f, lowered.fn(), at);
        Transpose.Result t = Transpose.of(l.b, l.graph, fn, lowered.fn());
        if (t.fn() == null) {
            l.diags.error("E0306", at, "reverse mode of `" + f.name() + "` transposes its tangent rule `" + jvpName + "`, which would have to "
                    + "differentiate through " + t.blockedWhy(), "write the rule without it, or give `" + f.name() + "` a `custom_vjp` rule");
            return false;
        }
        l.graph.customJvp(fn, lowered.fn());
        l.graph.custom(fn, t.fn());
        return true;
    }

    /**
     * W0307: a tangent rule that is not linear in its tangents, which no derivative is; reverse mode
     * transposes the rule at t = 0 and keeps only its linear part. Located at the operation that
     * breaks linearity where there is one.
     */
    private void linearity(String jvpName, Ast.FnDef f, Func rule, Span at) {
        Linearity.Finding nl = Linearity.check(rule, f.params().size());
        if (nl == null) return;
        tx.runtime.ir.Origin o = nl.eqn() == null ? null : nl.eqn().origin();
        Span where = o == null || o.line() <= 0 ? at : new Span(o.line(), o.col(), o.line(), o.endCol());
        String what = nl.eqn() == null ? "its tangent does not depend on the tangents" : "`" + nl.eqn().prim().text() + "` here is not linear in them";
        l.diags.warning("W0307", where, "the tangent rule `" + jvpName + "` of `" + f.name() + "` is not linear in its tangents: " + what,
                "a derivative is linear in the tangents (`cos(x) * t`, not `t * t` or `t + x`); reverse mode transposes the rule at t = 0, "
                        + "which keeps only its linear part");
    }

    /** Parameters of a rule standing for f's arguments: of their shapes and dtypes, requiring grad where they can. */
    private List<T> inputs(List<T> args) {
        List<T> out = new ArrayList<>();
        for (T a : args) out.add(new T(l.b.newVar(a.shape(), null, a.dtype()), a.dtype().isFloat(), -1, null, false, false));
        return out;
    }

    /** A rule lowered as a function of the IR, in grad mode; null after an error (reported). */
    private Functions.Lowered lowerRule(String kind, Ast.FnDef rule, List<T> rargs, Span at) {
        if (fns.bind(rule, rargs, at) == null) return null;
        boolean wasNoGrad = l.graph.setNoGrad(false);
        Functions.Lowered lowered;
        try {
            lowered = fns.lowerFunction(rule, rargs, at, true);
        } finally {
            l.graph.setNoGrad(wasNoGrad);
        }
        if (lowered.fn() == null) {
            impure(rule.name(), rargs, at, "`" + rule.name() + "`, a derivative given to `" + kind + "`, must be a function of the IR: one that does not print, "
                    + "call backward, read or set a `.grad`, make a leaf, or draw random numbers without `seed=`");
            return null;
        }
        return lowered;
    }

    private static String shapes(List<T> vs) {
        List<String> s = new ArrayList<>();
        for (T t : vs) s.add(Shapes.show(t.shape()));
        return String.join(", ", s);
    }
}
