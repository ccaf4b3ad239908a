package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;

/**
 * {@code f(*xs)} (Python's argument unpacking, d2l's {@code data_iter(batch_size, *train_data)}):
 * the items of a list, a tuple or a range known when compiling become positional arguments where
 * the star stands. Each item is held in a hidden name (no program can spell it) for the call, so
 * the expression after the star is evaluated once, before the arguments after it, as in Python.
 */
final class Unpacking {
    private Unpacking() {}

    static boolean applies(Ast.Call c) {
        for (Ast.Arg a : c.args()) if (Ast.Arg.STAR.equals(a.name())) return true;
        return false;
    }

    /**
     * The call with each {@code *xs} replaced by the names of its items (bound now, listed in
     * {@code hidden} for the caller to drop after the call); null after E0401 for a value that is
     * not a sequence known when compiling.
     */
    static Ast.Call expand(Lowerer l, Ast.Call c, List<String> hidden) {
        List<Ast.Arg> args = new ArrayList<>();
        boolean ok = true;
        for (Ast.Arg a : c.args()) {
            if (!Ast.Arg.STAR.equals(a.name())) {
                args.add(a);
                continue;
            }
            Val v = Ranges.listed(Sequences.named(l.exprs.expr(a.value()), a.value().span()), a.value().span());
            List<Val> items = Sequences.items(v);
            if (items == null) {
                if (!(v instanceof Val.Bad)) {
                    l.diags.error("E0401", a.value().span(), "`*` unpacks a list, a tuple or a range known when compiling, found " + v.describe(),
                            v instanceof Val.T ? "pass the tensor itself, or its rows as a tuple: `*x.unbind()`" : null);
                }
                ok = false;
                continue;
            }
            for (Val item : items) {
                String name = "$star" + (l.hiddenNames++);
                l.state.bind(name, item);
                hidden.add(name);
                args.add(new Ast.Arg(null, new Ast.Name(name, a.value().span()), a.span()));
            }
        }
        return ok ? new Ast.Call(c.callee(), args, c.span()) : null;
    }
}
