package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Python's {@code not}, {@code and}, {@code or} and conditional expression {@code a if c else b}
 * (LANGUAGE.md §4). {@code and} and {@code or} give one of their operands, as Python's do, and
 * evaluate the second only when the first does not decide: when the first is known at compile
 * time, only the side taken is lowered (so {@code i < n and x[i] > 0} never indexes out of range);
 * when it is known only at run time, the expression is an {@code if} of the IR, whose result is
 * joined as an {@code if} statement's names are.
 */
final class Logic {
    private final Lowerer l;

    Logic(Lowerer l) {
        this.l = l;
    }

    /** {@code not x}: a Python bool, true when x is zero (as Python's {@code not} of a number or of a one-element tensor). */
    Val not(Ast.Not n) {
        Val v = l.exprs.expr(n.operand());
        if (v instanceof Val.Bad) return v;
        Boolean known = truth(v);
        if (known != null) return new Val.Bool(!known);
        T t = oneElement(v, n.operand().span(), "`not`");
        if (t == null) return new Val.Bad();
        Var zero = l.b.emit(Prim.EQ, null, l.b.reshape(t.var(), Shapes.SCALAR), l.b.scalar(0));
        return T.scalar(zero, Val.PyType.BOOL);
    }

    /**
     * {@code x is None}, {@code x is not None} (and {@code d is e} of dicts, the same object): a Python bool, decided at compile time, since tx
     * knows statically what may be None (a {@code .grad} before a backward, a missing result). A
     * {@code .grad} that is None on some paths only is E0303: tx has no value that is None at run time.
     */
    Val is(Ast.Is e) {
        Val x = l.exprs.expr(e.left()), y = l.exprs.expr(e.right());
        if (x instanceof Val.Bad || y instanceof Val.Bad) return new Val.Bad();
        if (y instanceof Val.DictV b) return new Val.Bool((x instanceof Val.DictV a && a.id() == b.id()) != e.negated()); // the same dict object
        if (!(y instanceof Val.None)) {
            l.diags.error("E0401", e.right().span(), "tx has `is` only to compare with None, found " + y.describe(),
                    "compare values with `==`");
            return new Val.Bad();
        }
        if (x instanceof T t && t.maybeNone()) {
            l.diags.error("E0303", e.left().span(), "this gradient is None on some paths to here and set on others, so `is None` has no answer at compile time",
                    "make a backward run on every path before this line (or on none): tx decides what is None before running");
            return new Val.Bad();
        }
        return new Val.Bool(x instanceof Val.None != e.negated());
    }

    /** {@code a and b}, {@code a or b}. */
    Val logic(Ast.Logic e) {
        Val a = l.exprs.expr(e.left());
        if (a instanceof Val.Bad) return a;
        boolean and = e.op().equals("and");
        Boolean known = truth(a);
        if (known != null) return known == and ? l.exprs.expr(e.right()) : a;
        if (oneElement(a, e.left().span(), "`" + e.op() + "`") == null) return new Val.Bad();
        String tmp = hidden(e.op());
        l.state.bind(tmp, a);
        Ast.Stmt second = set(tmp, e.right());
        return viaIf(tmp, new Ast.If(new Ast.Name(tmp, e.left().span()), and ? List.of(second) : List.of(),
                and ? List.of() : List.of(second), e.span()));
    }

    /** {@code then if cond else otherwise}. */
    Val conditional(Ast.IfExpr e) {
        Val c = l.exprs.expr(e.cond());
        if (c instanceof Val.Bad) return c;
        Boolean known = truth(c);
        if (known != null) return l.exprs.expr(known ? e.then() : e.otherwise());
        if (oneElement(c, e.cond().span(), "the condition of `if`") == null) return new Val.Bad();
        String cond = hidden("cond"), tmp = hidden("if");
        l.state.bind(cond, c);
        Val out = viaIf(tmp, new Ast.If(new Ast.Name(cond, e.cond().span()), List.of(set(tmp, e.then())),
                List.of(set(tmp, e.otherwise())), e.span()));
        l.state.names.remove(cond);
        return out;
    }

    /** Lowers the hidden if statement and gives the value it leaves in {@code tmp}. */
    private Val viaIf(String tmp, Ast.If s) {
        new Branches(l).ifStmt(s);
        Val out = l.state.names.remove(tmp);
        l.state.maybeUnassigned.remove(tmp);
        return out == null ? new Val.Bad() : out;
    }

    private static Ast.Stmt set(String name, Ast.Expr value) {
        return new Ast.Assign(List.of(new Ast.Target(name, null, value.span())), value, value.span());
    }

    /** A name no program can write (`$` is not in tx's names), fresh for each use so that nested expressions do not meet. */
    private String hidden(String what) {
        return "$" + what + (l.hiddenNames++);
    }

    /** Python's truth of a value known at compile time, or null when it is known only at run time. */
    static Boolean truth(Val v) {
        if (v instanceof Val.Num n) return n.value() != 0; // nan is true, as in Python
        if (v instanceof Val.Bool b) return b.value();
        if (v instanceof Val.None) return false;
        if (v instanceof Val.Str s) return !s.value().isEmpty();
        if (v instanceof Val.ListV list) return !list.items().isEmpty();
        if (v instanceof Val.Tuple t) return !t.items().isEmpty();
        if (v instanceof Val.Fn) return true;
        if (v instanceof Val.RangeV r) return r.count() > 0;
        return null;
    }

    /** A tensor with one element, whose truth Python can take; reports E0401 otherwise (PyTorch raises at run time). */
    private T oneElement(Val v, Span span, String role) {
        T t = l.exprs.tensor(v, span, role);
        if (t == null) return null;
        if (Shapes.symbolic(t.shape())) { // PyTorch raises unless the run leaves one element
            RunTimeSizes.refuse(l, span, "the truth (" + role + ")");
            return null;
        }
        if (Shapes.numel(t.shape()) != 1) {
            l.diags.error("E0401", span, role + " needs the truth of a tensor of shape " + Shapes.show(t.shape()) + ", which has no single truth",
                    "PyTorch: \"Boolean value of Tensor with more than one value is ambiguous\"; reduce it first, e.g. `sum(x) > 0`");
            return null;
        }
        return t;
    }
}
