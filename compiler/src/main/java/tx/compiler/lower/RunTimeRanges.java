package tx.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * {@code for i in range(n)} where n (or the start) is a Python int known only at run time: the
 * size of a selection ({@code x[mask].shape[0]}), an {@code int(t.item())}, a named dimension of a
 * function compiled for every size. Python evaluates the bounds once, before the first iteration,
 * and then counts; tx lowers the loop as the {@code while} that does the same, whose trip count
 * the run decides (see {@link Whiles}):
 * <pre>
 *   next = start; stop = n            (hidden names, evaluated once)
 *   while next &lt; stop {              (&gt; for a negative step)
 *       i = next
 *       next = next + step
 *       body                          (its continue and break are the while's)
 *   }
 * </pre>
 * The step must be known at compile time, as its sign decides the comparison.
 */
final class RunTimeRanges {
    private final Lowerer l;
    /** The while each such loop is lowered as, made once per loop (the checker re-lowers bodies, and remembers them by identity). */
    private final Map<Ast.For, Ast.While> made = new IdentityHashMap<>();

    RunTimeRanges(Lowerer l) {
        this.l = l;
    }

    /** Whether a bound of the loop's range is known only at run time (its bounds are evaluated with nothing kept or reported). */
    boolean applies(Ast.For f) {
        if (f.range().isEmpty() || f.range().size() > 3 || f.range().stream().anyMatch(a -> a.name() != null)) return false;
        l.diags.mute();
        l.b.openBlock();
        State saved = l.state;
        l.state = saved.copy();
        try {
            for (Ast.Arg a : f.range()) if (runTimeInt(l.exprs.expr(a.value()))) return true;
            return false;
        } finally {
            l.state = saved;
            l.b.closeBlock();
            l.diags.unmute();
        }
    }

    private static boolean runTimeInt(Val v) {
        return v instanceof T t && t.py() == Val.PyType.INT && t.var().rank() == 0;
    }

    /** Lowers the loop as its while. */
    void lower(Ast.For f) {
        List<Val> bounds = new ArrayList<>();
        for (Ast.Arg a : f.range()) {
            Val v = l.exprs.expr(a.value());
            if (v instanceof Val.Bad) return;
            if (!runTimeInt(v) && !(v instanceof Val.Num n && n.isWhole())) {
                l.diags.error("E0105", a.span(), "`range` needs whole numbers, found " + v.describe(), null);
                return;
            }
            bounds.add(v);
        }
        double step = 1;
        if (bounds.size() == 3) {
            if (!(bounds.get(2) instanceof Val.Num n) || n.value() == 0) {
                l.diags.error("E0105", f.range().get(2).span(), "`range`'s step must be a whole number other than 0 known at compile time when a bound is known only at run time",
                        "its sign decides whether the loop counts up or down");
                return;
            }
            step = n.value();
        }
        String next = hidden(f, "next"), stop = hidden(f, "stop");
        l.state.bind(next, bounds.size() == 1 ? new Val.Num(0, Val.PyType.INT) : bounds.get(0));
        l.state.bind(stop, bounds.size() == 1 ? bounds.get(0) : bounds.get(1));
        double by = step;
        Whiles.lower(l, made.computeIfAbsent(f, k -> loop(f, next, stop, by)), l.jumpsRewritten());
    }

    /** A name no program can write (it is not an identifier), unique to the loop. */
    private static String hidden(Ast.For f, String what) {
        return "range " + f.span().line() + ":" + f.span().col() + " " + what;
    }

    private static Ast.While loop(Ast.For f, String next, String stop, double step) {
        Span at = f.span();
        Ast.Expr cond = new Ast.Binary(step > 0 ? "<" : ">", new Ast.Name(next, at), new Ast.Name(stop, at), at);
        List<Ast.Stmt> body = new ArrayList<>();
        body.add(new Ast.Assign(List.of(new Ast.Target(f.var(), null, f.varSpan())), new Ast.Name(next, f.varSpan()), f.varSpan()));
        String whole = Long.toString((long) step);
        body.add(new Ast.Assign(List.of(new Ast.Target(next, null, at)),
                new Ast.Binary("+", new Ast.Name(next, at), new Ast.Num(step, whole, at), at), at));
        body.addAll(f.body());
        return new Ast.While(cond, body, at);
    }
}
