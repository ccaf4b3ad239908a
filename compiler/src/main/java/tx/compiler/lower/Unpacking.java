package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * {@code f(*xs)} and {@code f(**d)} (Python's argument unpacking, d2l's
 * {@code data_iter(batch_size, *train_data)}): the items of a list, a tuple or a range known when
 * compiling become positional arguments where the star stands, and the items of a dict known when
 * compiling (string keys) keyword arguments. Each item is held in a hidden name (no program can
 * spell it) for the call, so the expression after the star is evaluated once, before the
 * arguments after it, as in Python.
 */
final class Unpacking {
    private Unpacking() {}

    static boolean applies(Ast.Call c) {
        for (Ast.Arg a : c.args()) if (Ast.Arg.STAR.equals(a.name()) || Ast.Arg.KWARGS.equals(a.name())) return true;
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
        java.util.Set<String> named = new java.util.HashSet<>();
        for (Ast.Arg a : c.args()) {
            if (Ast.Arg.KWARGS.equals(a.name())) {
                ok &= keywords(l, a, args, named, hidden);
                continue;
            }
            if (!Ast.Arg.STAR.equals(a.name())) {
                if (a.name() != null && !named.add(a.name())) ok &= twice(l, a.span(), a.name());
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

    /**
     * {@code **d}: the items of a dict known when compiling, with string keys, as keyword
     * arguments in the dict's order; false after E0401 (not such a dict) or E0104 (a keyword given
     * twice, Python's TypeError).
     */
    private static boolean keywords(Lowerer l, Ast.Arg a, List<Ast.Arg> args, java.util.Set<String> named, List<String> hidden) {
        Val v = l.exprs.expr(a.value());
        if (!(v instanceof Val.DictV d)) {
            if (!(v instanceof Val.Bad)) {
                l.diags.error("E0401", a.value().span(), "`**` unpacks a dict known when compiling, found " + v.describe(), "Python's TypeError: the argument after ** must be a mapping");
            }
            return false;
        }
        for (int i = 0; i < d.keys().size(); i++) {
            if (!(d.keys().get(i) instanceof Val.Str key)) {
                l.diags.error("E0401", a.value().span(), "`**` passes a dict's keys as keywords, and they must be strings; this dict has " + Sets.show(d.keys().get(i)),
                        "Python's TypeError: keywords must be strings");
                return false;
            }
            if (!named.add(key.value())) return twice(l, a.span(), key.value());
            String name = "$kwarg" + (l.hiddenNames++);
            l.state.bind(name, d.values().get(i));
            hidden.add(name);
            args.add(new Ast.Arg(key.value(), new Ast.Name(name, a.value().span()), a.span()));
        }
        return true;
    }

    private static boolean twice(Lowerer l, Span at, String name) {
        l.diags.error("E0104", at, "keyword argument `" + name + "` is given twice", "Python's TypeError: got multiple values for keyword argument '" + name + "'");
        return false;
    }
}
