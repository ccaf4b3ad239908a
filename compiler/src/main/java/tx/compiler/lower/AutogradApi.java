package tx.compiler.lower;

import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;

/**
 * PyTorch's spellings of the autograd API that are attributes and in-place methods rather than
 * built-in calls (LANGUAGE.md §4 and §6): {@code x.requires_grad = ...}, {@code x.grad.zero_()},
 * {@code x.data}, {@code x.retain_grad()}, {@code x.grad_fn}. Each is decided at compile time, as
 * the rest of the autograd model is.
 */
final class AutogradApi {
    private final Lowerer l;

    AutogradApi(Lowerer l) {
        this.l = l;
    }

    /** The calls this class spells (in-place methods on {@code .grad} and {@code .data}, ...), or null for an ordinary call. */
    Val call(Ast.Call c) {
        if (!(c.callee() instanceof Ast.Attr at)) return null;
        if (at.name().equals("zero_") && withoutData(at.target()) instanceof Ast.Attr g && g.name().equals("grad")) {
            return zeroGrad(g, c);
        }
        return null;
    }

    /** {@code x.data.data}... is x itself, for the in-place methods that change x's storage. */
    private static Ast.Expr withoutData(Ast.Expr e) {
        while (e instanceof Ast.Attr a && a.name().equals("data")) e = a.target();
        return e;
    }

    /** An in-place method takes no arguments here ({@code zero_()}); false after reporting E0104. */
    private boolean noArguments(Ast.Call c, String method) {
        if (c.args().isEmpty()) return true;
        l.diags.error("E0104", c.args().get(0).span(), "`" + method + "` takes no arguments", null);
        return false;
    }

    // ---- .grad.zero_() ---------------------------------------------------------------------------------

    /**
     * {@code x.grad.zero_()} (also {@code x.grad.data.zero_()}): x's gradient becomes zeros of its
     * shape, in place. It must be set: where PyTorch raises at run time ({@code 'NoneType' object has
     * no attribute 'zero_'}), a grad that is or may be None here is E0303 at compile time.
     * NOTE: a tensor read from {@code x.grad} before, and held in a name, keeps its values here; in
     * PyTorch it is the same tensor and reads as zeros (docs/language.md lists this difference).
     */
    private Val zeroGrad(Ast.Attr g, Ast.Call c) {
        Val target = l.exprs.expr(g.target());
        if (target instanceof Val.Bad || !noArguments(c, "zero_")) return new Val.Bad();
        if (!(target instanceof T x)) {
            l.diags.error("E0401", g.nameSpan(), target.describe() + " has no attribute `grad`", null);
            return new Val.Bad();
        }
        String who = "`" + (l.text(g.span()) == null ? "x.grad" : l.text(g.span())) + "`";
        if (x.leaf() < 0) {
            l.diags.error("E0303", c.span(), who + " is None, so it cannot be zeroed in place (PyTorch raises: 'NoneType' object has no attribute 'zero_')",
                    x.rg() ? "only leaves (made with requires_grad=true) get gradients" : "this tensor does not require grad, so no backward gives it a gradient");
            return new Val.Bad();
        }
        GradState s = l.state.grad(x.leaf());
        String name = l.text(g.target().span()) == null ? "x" : l.text(g.target().span());
        if (s != GradState.SET) {
            if (l.backwardFailed) return new Val.Bad();
            l.diags.error("E0303", c.span(), who + (s == GradState.NONE ? " is None here" : " may be None here")
                    + ", so it cannot be zeroed in place (PyTorch raises: 'NoneType' object has no attribute 'zero_')",
                    s == GradState.NONE ? "no backward has reached it since it was created or reset; `zero_grad(" + name + ")` or `" + name + ".grad = None` resets it either way"
                            : "a `.grad` is None until a `backward` reaches its leaf; make sure a backward runs on every path before this line,\n"
                            + "or reset it with `zero_grad(" + name + ")` or `" + name + ".grad = None`, which work whether it is set or not");
            return new Val.Bad();
        }
        tx.runtime.ir.Var zeros = l.b.fill(x.shape(), 0.0);
        l.b.add(new Stmt.GradSet(x.leaf(), zeros, l.b.origin()));
        return new T(zeros, false, -1, null, false, false);
    }

    // ---- requires_grad ---------------------------------------------------------------------------------

    /**
     * {@code requires_grad_(x, on)}, also spelt {@code x.requires_grad = on}: a plain tensor becomes
     * a leaf (the leaf's id belongs to {@code node}, the AST node that makes it, so that re-checking
     * a loop body finds the same leaf), a leaf stops requiring grad; a computed tensor that
     * requires grad is E0307, as PyTorch refuses it. Every name bound to x sees the change.
     */
    T requiresGrad(T x, boolean on, Span span, Span targetSpan, Object node) {
        if (x.rg() && x.leaf() < 0) {
            String name = l.text(targetSpan);
            String detached = "detach(" + (name == null ? "x" : name) + ")";
            if (on) {
                l.diags.error("E0307", span, "only leaves can be made to require grad; this tensor is computed from one that does",
                        "to start a new leaf from it, use `" + detached + ".requires_grad_()`");
            } else {
                l.diags.error("E0307", span, "only leaves can be made to stop requiring grad; this tensor is computed from one that does",
                        "for a copy of its value that does not require grad, use `" + detached + "`");
            }
            return null;
        }
        if (!on) return x.rg() ? stopRequiringGrad(x) : x;
        if (x.leaf() >= 0) return x;
        T leaf = l.leaf(l.b.stopGrad(x.var()), node);
        l.rebindAliases(x.var(), leaf);
        return leaf;
    }

    /**
     * {@code requires_grad_(x, False)} on a leaf: from here on x is a plain tensor with the same
     * value, which no backward reaches. NOTE: PyTorch keeps the leaf's last {@code .grad}; here it
     * reads as None afterwards (docs/language.md lists this difference).
     */
    private T stopRequiringGrad(T x) {
        T plain = new T(l.b.stopGrad(x.var()), false, -1, null, false, false);
        l.rebindAliases(x.var(), plain);
        return plain;
    }

    /** {@code x.requires_grad = v}: {@code v} must be a bool known at compile time. */
    void assignRequiresGrad(T x, String name, Val v, Span targetSpan, Span valueSpan, Span span, Object node) {
        Boolean on = v instanceof Val.Bool bv ? Boolean.valueOf(bv.value())
                : v instanceof Val.Num n && n.py() == Val.PyType.BOOL ? Boolean.valueOf(n.value() != 0) : null;
        if (on == null) {
            if (!(v instanceof Val.Bad)) {
                l.diags.error("E0401", valueSpan, "`requires_grad` is set to True or False, found " + v.describe(),
                        "tx decides which tensors require grad at compile time, so the value must be a constant");
            }
            return;
        }
        requiresGrad(x, on, span, new Span(targetSpan.line(), targetSpan.col(), targetSpan.line(), targetSpan.col() + name.length()), node);
    }
}
