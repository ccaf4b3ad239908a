package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * An `if` statement: a condition known when the program is compiled lowers the branch taken alone,
 * as Python runs only it; one known only at run time lowers both branches into blocks of a
 * conditional of the IR, whose outputs join each name the branches leave differently.
 */
final class Branches {
    private final Lowerer l;

    Branches(Lowerer l) {
        this.l = l;
    }

    void ifStmt(Ast.If s) {
        Val c = l.exprs.expr(s.cond());
        Boolean known = c instanceof Val.Bad ? null : Logic.truth(c);
        if (known != null) { // as Python, only the branch taken runs, and so only it is checked (`if f_grad`, `if len(shape) == 2`)
            l.block(known ? s.then() : s.otherwise()); // in the block around: it certainly runs (a closure's nonlocal reaches its maker)
            return;
        }
        Var cond = condition(c, s.cond().span());
        if (cond == null) cond = l.b.scalar(0); // after an error in the condition: nothing runs, but the IR stays whole for the passes after (vmap's batching)
        State before = l.state;
        State thenState = branch(s.then(), before);
        List<Stmt> thenBlock = lastBlock;
        State elseState = branch(s.otherwise(), before);
        List<Stmt> elseBlock = lastBlock;
        merge(s, cond, before, thenState, thenBlock, elseState, elseBlock);
    }

    private List<Stmt> lastBlock;

    private State branch(List<Ast.Stmt> body, State before) {
        l.state = before.copy();
        l.b.openBlock();
        l.mayNotRun++;
        try {
            l.block(body);
        } finally {
            l.mayNotRun--;
        }
        lastBlock = l.b.closeBlock();
        State s = l.state;
        l.state = before;
        return s;
    }

    private Var condition(Val c, Span span) {
        return condition(l, c, span, "if");
    }

    /** The scalar that decides an `if` or a `while` (null: known statically, or already reported). */
    static Var condition(Lowerer l, Val c, Span span, String keyword) {
        if (c instanceof Val.Bool || c instanceof Val.Num || c instanceof Val.Bad) return null;
        if (c instanceof T t && !t.maybeNone() && Shapes.numel(t.shape()) == 1) return l.b.reshape(t.var(), Shapes.SCALAR);
        l.diags.error("E0401", span, "the condition of `" + keyword + "` must be a scalar, found " + c.describe(),
                (keyword.equals("while") ? "a tensor of more than one element has no truth value (PyTorch: \"Boolean value of Tensor with more "
                + "than one value is ambiguous\"); " : "") + "reduce it first, e.g. `" + keyword + " sum(x) > 0 { ... }`");
        return null;
    }

    /** A number that meets a different number or a tensor at a join becomes a scalar tensor (built before the if). */
    private Val asTensorIfNumber(Val v, Val other) {
        if (v instanceof Val.Num n && other != null && !v.equals(other) && (other instanceof Val.Num || other instanceof T)) {
            return l.exprs.constant(n.value());
        }
        return v;
    }

    /** A value for a message: a string as Python's repr shows it, anything else described. */
    private static String shown(Val v) {
        return v instanceof Val.Str str ? "the string " + Strings.repr(str.value()) : v.describe();
    }

    private void merge(Ast.If s, Var cond, State before, State a, List<Stmt> aBlock, State b, List<Stmt> bBlock) {
        Set<String> names = new LinkedHashSet<>(l.assignedNames(s.then()));
        names.addAll(l.assignedNames(s.otherwise()));
        for (String n : new ArrayList<>(before.names.keySet())) if (a.names.get(n) != before.names.get(n) || b.names.get(n) != before.names.get(n)) names.add(n);
        State after = before.copy();
        after.joinGrads(a, b);
        List<Var> thenRes = new ArrayList<>(), elseRes = new ArrayList<>(), outs = new ArrayList<>();
        for (String n : names) {
            Val va = asTensorIfNumber(a.names.get(n), b.names.get(n)), vb = asTensorIfNumber(b.names.get(n), a.names.get(n));
            if (va instanceof Val.Bad || vb instanceof Val.Bad) { // already reported where it failed
                after.names.put(n, new Val.Bad());
                continue;
            }
            if (a.maybeUnassigned.containsKey(n) || b.maybeUnassigned.containsKey(n) || va == null || vb == null) {
                T any = va instanceof T ta ? ta : vb instanceof T tb ? tb : null;
                if (any == null) { // a number, string or None on one path only: nothing to carry at run time
                    Val v = va != null ? va : vb;
                    if (v != null) {
                        after.names.put(n, v);
                        after.maybeUnassigned.put(n, s.span());
                    }
                    continue;
                }
                after.names.put(n, any);
                after.maybeUnassigned.put(n, s.span());
                Var out = l.b.newVar(any.shape(), n, any.dtype());
                thenRes.add(va instanceof T ta ? ta.var() : null);
                elseRes.add(vb instanceof T tb ? tb.var() : null);
                outs.add(out);
                Loops.register(l, out, any, "the result of the `if` at line " + s.span().line());
                after.names.put(n, any.withVar(out));
                continue;
            }
            if (va instanceof T ta && vb instanceof T tb) {
                if (!Arrays.equals(ta.shape(), tb.shape())) {
                    l.diags.error("E0208", l.headSpan(s.span()), "`" + n + "` has shape " + Shapes.show(ta.shape())
                            + " after one branch of this `if` and " + Shapes.show(tb.shape()) + " after the other",
                            "both branches must leave a name with the same shape");
                    continue;
                }
                if (ta.var().equals(tb.var())) {
                    after.names.put(n, ta);
                    continue;
                }
                // a Python scalar on both sides stays one (a counter the branch may change prints as 3, not tensor(3.))
                T meta = new T(ta.var(), ta.rg() || tb.rg(), ta.leaf() == tb.leaf() ? ta.leaf() : -1, ta.gradFn(), ta.item() && tb.item(),
                        ta.maybeNone() || tb.maybeNone(), null, ta.py() == tb.py() ? ta.py() : Val.PyType.FLOAT);
                Var out = l.b.newVar(ta.shape(), n, DType.promote(ta.dtype(), tb.dtype()));
                Loops.register(l, out, meta, "the result of the `if` at line " + s.span().line());
                thenRes.add(ta.var());
                elseRes.add(tb.var());
                outs.add(out);
                after.names.put(n, meta.withVar(out));
            } else if (va.equals(vb)) {
                after.names.put(n, va);
            } else if (!(va instanceof T) && !(vb instanceof T) && va.getClass() == vb.getClass()) { // two strings, lists, ...: values of the compiler
                String what = n.startsWith("$") ? "this conditional expression gives" : "`" + n + "` holds";
                l.diags.error("E0208", l.headSpan(s.span()), what + " " + shown(va) + " on one side and " + shown(vb)
                                + " on the other, chosen by a condition known only when the program runs",
                        "tx knows strings, lists and other Python values when it compiles, not at run time: print or use each one in its own branch, "
                                + "or choose with a number (`flag = 1 if big else 0`)");
            } else {
                l.diags.error("E0208", l.headSpan(s.span()), "`" + n + "` holds " + va.describe() + " after one branch of this `if` and "
                        + vb.describe() + " after the other", "both branches must leave a name with the same kind of value");
            }
        }
        Stmt.Cond c = new Stmt.Cond(cond, aBlock, thenRes, bBlock, elseRes, outs, s.span().origin());
        l.b.add(c);
        l.graph.structure(c);
        l.state = after;
    }
}
