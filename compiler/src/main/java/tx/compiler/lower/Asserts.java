package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * Python's {@code assert cond} and {@code assert cond, message} (LANGUAGE.md §5, §6, v2). A
 * condition known when the program is compiled is decided then: true asserts nothing, false is
 * E0420 (the program would certainly stop there). Any other condition (a Python bool known at run
 * time such as {@code allclose(a, b)} or {@code loss.item() < 1}, a one-element tensor, and
 * {@code and}/{@code or}/{@code not} of those) becomes an {@code if} of the IR whose false branch
 * builds the message and fails the run (exit 3, E0501, Python's {@code AssertionError: message}),
 * the same path as {@code assert_close}'s failures.
 *
 * <p>NOTE: as in Python, the message is evaluated only when the assertion fails: it is lowered
 * inside the failing branch, so {@code assert i < n, f"{x[i]}"} never reads {@code x[n]}. The
 * branch has no results, so it is never differentiated: an assert changes no gradient, in a loop
 * or under {@code backward} (it is Python's effect, like {@code print}).
 */
final class Asserts {
    private final Lowerer l;

    Asserts(Lowerer l) {
        this.l = l;
    }

    void lower(Ast.Assert a) {
        Val c = l.exprs.expr(a.cond());
        if (c instanceof Val.Bad) return;
        Boolean known = Logic.truth(c);
        if (known == null && !oneElement(c, a)) return;
        Var cond = known != null ? null : new Loops(l).condition(c, a.cond().span(), "assert");
        if (known == null && cond == null) return; // reported
        State before = l.state;
        l.state = before.copy();
        l.b.openBlock();
        List<Stmt.PrintItem> message = message(a.message());
        if (message != null && known == null) l.b.add(new Stmt.Fail(message, a.span().origin()));
        List<Stmt> failing = l.b.closeBlock();
        l.state = before;
        if (known != null && !known && l.mayNotRun > 0 && message != null) {
            // `else { assert False, "unreachable" }`: false if it runs, which only the run decides
            for (Stmt st : failing) l.b.add(st);
            l.b.add(new Stmt.Fail(message, a.span().origin()));
            return;
        }
        if (known != null) {
            if (!known && message != null) refuse(a, message);
            return; // a true one asserts nothing; the message was checked, and its IR dropped
        }
        if (message == null) return; // reported
        Stmt.Cond check = new Stmt.Cond(cond, List.of(), List.of(), failing, List.of(), List.of(), a.span().origin());
        l.b.add(check);
    }

    /** Whether c has a truth value; E0401 (PyTorch's run-time error) for a tensor of several elements. */
    private boolean oneElement(Val c, Ast.Assert a) {
        if (!(c instanceof Val.T t) || t.maybeNone() || tx.runtime.tensor.Shapes.numel(t.shape()) == 1) return true;
        l.diags.error("E0401", a.cond().span(), "`assert` needs the truth of a tensor of shape " + tx.runtime.tensor.Shapes.show(t.shape())
                        + ", which has no single truth (PyTorch: \"Boolean value of Tensor with more than one value is ambiguous\")",
                "reduce it first: `assert (x > 0).all()`, or `assert torch.allclose(a, b)`");
        return false;
    }

    /** The message's print items ({@code str} of it, as Python shows an AssertionError); empty without one; null after an error. */
    private List<Stmt.PrintItem> message(Ast.Expr e) {
        if (e == null) return List.of();
        Val m = l.exprs.expr(e);
        if (m instanceof Val.Bad) return null;
        if (m instanceof Val.Fn) {
            l.diags.error("E0401", e.span(), "an assert's message is shown as `print` shows it; it cannot be " + m.describe(), null);
            return null;
        }
        return List.of(AutogradRules.printItem(l, m));
    }

    /** E0420: the condition is false whenever the program runs, so tx refuses it before anything runs. */
    private void refuse(Ast.Assert a, List<Stmt.PrintItem> message) {
        String text = message.isEmpty() ? "" : staticText(message.get(0));
        l.diags.error("E0420", a.cond().span(), "this assertion is false when the program is compiled"
                        + (text == null ? "" : text.isEmpty() ? " (AssertionError)" : " (AssertionError: " + text + ")"),
                "its condition does not depend on anything computed when the program runs, so the program would always stop here");
    }

    /** The text an item prints when it is known now, or null. */
    private static String staticText(Stmt.PrintItem item) {
        if (item instanceof Stmt.PrintItem.Text t) return t.text();
        if (!(item instanceof Stmt.PrintItem.Joined j)) return null;
        StringBuilder sb = new StringBuilder();
        for (Stmt.PrintItem p : j.parts()) {
            String part = staticText(p);
            if (part == null) return null;
            sb.append(part);
        }
        return sb.toString();
    }
}
