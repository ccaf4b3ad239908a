package tx.compiler.emit;

import java.util.ArrayList;
import java.util.List;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFormat;

/**
 * The run-time checks of a derivation as the emitters write them: a failed {@code assert}, or a
 * check the compiler placed where only the run can tell ({@link Stmt.Fail}, in the side of a
 * branch taken when the condition is false). A check is never dead code: it stops the run, so
 * {@link Liveness} keeps it, and what it reads, wherever the block that holds it runs.
 *
 * <p>Its message is the text {@code tx run} prints after {@code error[E0501]: } or
 * {@code error[E0509]: }: {@code AssertionError: message} for an assert, PyTorch's own words for a
 * compiler's check. The emitters write it from {@link #parts}: literal text and run-time integers
 * and bools (an index out of range, say); a message that shows a float or a tensor is not written
 * out yet.
 */
final class Checks {
    private Checks() {}

    /** A piece of a message: literal text, or a run-time Python int or bool (a one-element variable). */
    sealed interface Part {}

    record Text(String text) implements Part {}

    record Value(Var var, boolean bool) implements Part {}

    /** Whether a statement fails the run or holds a statement that does (nested blocks included). */
    static boolean holds(Stmt st) {
        if (st instanceof Stmt.Fail) return true;
        if (st instanceof Stmt.Loop l) return holds(l.body()) || l.runTime() != null && holds(l.runTime().head());
        if (st instanceof Stmt.Cond c) return holds(c.then()) || holds(c.otherwise());
        return false;
    }

    static boolean holds(List<Stmt> body) {
        for (Stmt st : body) if (holds(st)) return true;
        return false;
    }

    /** A branch that is only a check: no outputs, nothing when the condition holds, a failure when it does not. */
    static boolean isCheck(Stmt.Cond c) {
        return c.outs().isEmpty() && c.then().isEmpty() && holds(c.otherwise());
    }

    /**
     * The failure's message in pieces; {@link Derivation.Unexpressible} for one it cannot write.
     * {@code run}: as {@code tx run} prints it ({@code AssertionError: } first for an assert), else
     * as the program wrote it.
     */
    static List<Part> parts(Stmt.Fail f, boolean run) {
        List<Part> out = new ArrayList<>();
        if (run && f.assertion()) out.add(new Text(f.message().isEmpty() ? "AssertionError" : "AssertionError: "));
        for (Stmt.PrintItem item : f.message()) add(item, out);
        List<Part> merged = new ArrayList<>(); // adjacent texts as one
        for (Part p : out) {
            if (p instanceof Text t && !merged.isEmpty() && merged.get(merged.size() - 1) instanceof Text prev) {
                merged.set(merged.size() - 1, new Text(prev.text() + t.text()));
            } else {
                merged.add(p);
            }
        }
        return merged;
    }

    private static void add(Stmt.PrintItem item, List<Part> out) {
        if (item instanceof Stmt.PrintItem.Text t) {
            out.add(new Text(t.text()));
        } else if (item instanceof Stmt.PrintItem.Joined j) {
            for (Stmt.PrintItem p : j.parts()) add(p, out);
        } else if (item instanceof Stmt.PrintItem.Formatted f && f.spec().equals(PyFormat.Spec.EMPTY) && !f.str()
                && (f.kind() == PyFormat.Kind.INT || f.kind() == PyFormat.Kind.BOOL)) {
            out.add(new Value(f.var(), f.kind() == PyFormat.Kind.BOOL));
        } else {
            throw new Derivation.Unexpressible("an assert's message that shows a float or a tensor computed at run time is not written out yet "
                    + "(text, ints and bools are)");
        }
    }

    /**
     * {@code assert cond, "message"} in tx, or {@code assert cond} without a message; an f-string
     * where the message shows run-time values, each as {@code {x.item()}} ({@code atom}: the value's
     * expression, bracketed where it must be). NOTE: a compiler's check is written as an assert, so
     * running the written code prints {@code AssertionError: } before PyTorch's words (tx has no
     * statement that raises another error).
     */
    static String txAssert(String cond, Stmt.Fail f, java.util.function.Function<Var, String> atom) {
        List<Part> parts = parts(f, false);
        if (parts.isEmpty()) return "assert " + cond;
        boolean values = false;
        for (Part p : parts) values |= p instanceof Value;
        if (!values) return "assert " + cond + ", " + Escapes.txString(((Text) parts.get(0)).text());
        StringBuilder body = new StringBuilder();
        for (Part p : parts) {
            body.append(p instanceof Text t ? t.text().replace("{", "{{").replace("}", "}}") : "{" + atom.apply(((Value) p).var()) + ".item()}");
        }
        // escaped as a string; a field's braces hold only names, brackets and dots, which need no escape
        return "assert " + cond + ", f" + Escapes.txString(body.toString());
    }

    /** The message as a Java expression of type String, in printable ASCII ({@code array}: a value's {@code double[]}). */
    static String javaMessage(Stmt.Fail f, java.util.function.Function<Var, String> array) {
        List<String> out = new ArrayList<>();
        for (Part p : parts(f, true)) {
            if (p instanceof Text t) out.add(Escapes.javaString(t.text()));
            else if (p instanceof Value v && v.bool()) out.add("(" + array.apply(v.var()) + "[0] != 0.0 ? \"True\" : \"False\")");
            else out.add("(long) " + array.apply(((Value) p).var()) + "[0]");
        }
        if (out.isEmpty() || !out.get(0).startsWith("\"")) out.add(0, "\"\"");
        return String.join(" + ", out);
    }

    /** The message as {@code tx run} prints it, a run-time value as {@code {...}}: for a label. */
    static String shown(Stmt.Fail f) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts(f, true)) sb.append(p instanceof Text t ? t.text() : "{...}");
        return sb.toString();
    }

    /** The variables a failure's message reads. */
    static List<Var> reads(Stmt.Fail f) {
        List<Var> out = new ArrayList<>();
        for (Stmt.PrintItem item : f.message()) out.addAll(item.vars());
        return out;
    }
}
