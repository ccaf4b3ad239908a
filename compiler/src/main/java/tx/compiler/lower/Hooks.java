package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * {@code y.register_hook(fn)}: in every later backward through y, fn receives y's whole gradient
 * and what it returns (None: the same) goes on in its place, to y's inputs or, for a leaf, into
 * {@code .grad}; several hooks run in the order they were registered. The reverse pass applies it
 * where the gradient is complete (at y's definition, or a leaf's sum), by lowering the call of fn
 * there, so a hook that prints prints during the backward, as PyTorch's does.
 */
final class Hooks {
    private final Lowerer l;

    Hooks(Lowerer l) {
        this.l = l;
    }

    Val register(Ast.Attr at, Ast.Call c) {
        Val target = l.exprs.expr(at.target());
        if (target instanceof Val.Bad) return target;
        if (!(target instanceof T t) || !t.rg()) {
            return refuse(at.nameSpan(), "cannot register a hook on a tensor that doesn't require gradient", "PyTorch raises this too");
        }
        if (c.args().size() != 1 || c.args().get(0).name() != null) return refuse(c.span(), "`register_hook` takes one function", "e.g. `y.register_hook(lambda g: g * 2)`");
        Val fn = l.exprs.expr(c.args().get(0).value());
        if (fn instanceof Val.Bad) return fn;
        if (!(fn instanceof Val.Fn)) return refuse(c.args().get(0).span(), "`register_hook` takes a function, found " + fn.describe(), null);
        Span span = c.span();
        if (t.leaf() >= 0) {
            l.graph.hookLeaf(t.leaf(), g -> apply(fn, g, span));
        } else if (l.graph.definition(t.var()) != null) {
            l.graph.hook(t.var(), g -> apply(fn, g, span));
        } else {
            return refuse(at.nameSpan(), "a hook on a value made by a loop, a branch or a function call is not supported yet",
                    "register it on a value computed after it, e.g. `(y * 1).register_hook(...)`, or on the leaf");
        }
        return new Val.None("the handle `register_hook` returns");
    }

    /** fn(g), lowered where the reverse pass needs it; g itself where fn returns None or something unusable (reported). */
    private Var apply(Val fn, Var g, Span at) {
        Val r;
        try (HiddenNames hidden = new HiddenNames(l, "hook")) {
            Ast.Expr f = hidden.bind(fn, at), x = hidden.bind(new T(g, false, -1, null, false, false), at);
            r = l.exprs.expr(new Ast.Call(f, List.of(new Ast.Arg(null, x, at)), at));
        }
        if (r instanceof Val.None || r instanceof Val.Bad) return g;
        T t = r instanceof T rt ? rt : null;
        if (t == null || !Shapes.sameSize(t.shape(), g.shapeRef())) {
            l.diags.error("E0201", at, "the hook returned " + r.describe() + " for a gradient of shape " + Shapes.show(g.shapeRef()),
                    "a hook returns a tensor of its gradient's shape, or None");
            return g;
        }
        return t.var();
    }

    private Val refuse(Span at, String message, String help) {
        l.diags.error("E0104", at, message, help);
        return new Val.Bad();
    }
}
