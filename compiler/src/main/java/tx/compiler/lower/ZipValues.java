package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * {@code zip(xs, ys)} and {@code enumerate(xs, start=)} as values, outside a {@code for}'s header
 * (which {@link Iteration} reads itself): {@code list(zip(a.split(8), b.split(8)))},
 * {@code enumerate(zip(xs, ys))}. Over lists, tuples and ranges, whose items are known when
 * compiling, they are the list of tuples Python's iterator yields, cut to the shortest source.
 * NOTE: printed, it is that list, where Python prints {@code <zip object at 0x...>}. A tensor
 * among the sources is E0401 (loop over it in a {@code for}, or {@code x.unbind()} it first).
 */
final class ZipValues {
    private final Lowerer l;

    ZipValues(Lowerer l) {
        this.l = l;
    }

    /** Whether the call is {@code zip(...)} or {@code enumerate(...)} (not names the program gave another meaning). */
    static boolean applies(Lowerer l, Ast.Call c) {
        if (!(c.callee() instanceof Ast.Name n) || !(n.name().equals("zip") || n.name().equals("enumerate"))) return false;
        return !l.state.names.containsKey(n.name()) && !l.functions.has(n.name());
    }

    Val call(Ast.Call c) {
        boolean enumerate = ((Ast.Name) c.callee()).name().equals("enumerate");
        String fn = enumerate ? "enumerate" : "zip";
        List<List<Val>> sources = new ArrayList<>();
        long start = 0;
        boolean ok = true;
        for (Ast.Arg a : c.args()) {
            Val v = Ranges.listed(Sets.iterated(Sequences.named(l.exprs.expr(a.value()), a.value().span()), a.value().span()), a.value().span());
            if (v instanceof Val.Bad) {
                ok = false;
            } else if (enumerate && "start".equals(a.name())) {
                Integer s = l.exprs.integer(v, a.span(), "`enumerate`'s start");
                ok &= s != null;
                start = s == null ? 0 : s;
            } else if (a.name() != null) {
                l.diags.error("E0104", a.span(), "`" + fn + "` has no keyword argument `" + a.name() + "`", null);
                ok = false;
            } else if (Sequences.items(v) == null) {
                l.diags.error("E0401", a.value().span(), "`" + fn + "` as a value needs lists, tuples or ranges, found " + v.describe(),
                        v instanceof Val.T ? "loop over it in a `for` (`for a, b in " + fn + "(...)`), or take its rows first: `x.unbind()`" : null);
                ok = false;
            } else {
                sources.add(Sequences.items(v));
            }
        }
        if (ok && (enumerate ? sources.size() != 1 : sources.isEmpty())) {
            l.diags.error("E0104", c.span(), enumerate ? "`enumerate` takes one collection (and `start=`), got " + sources.size()
                    : "`zip` as a value needs at least one collection", null);
            ok = false;
        }
        return ok ? items(sources, enumerate, start, c.span()) : new Val.Bad();
    }

    private static Val items(List<List<Val>> sources, boolean enumerate, long start, Span span) {
        int n = Integer.MAX_VALUE;
        for (List<Val> s : sources) n = Math.min(n, s.size());
        List<Val> tuples = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<Val> item = new ArrayList<>();
            if (enumerate) item.add(new Val.Num(start + k, Val.PyType.INT));
            for (List<Val> s : sources) item.add(s.get(k));
            tuples.add(new Val.ListV(item, Collections.nCopies(item.size(), span), true));
        }
        return new Val.ListV(tuples, Collections.nCopies(tuples.size(), span));
    }
}
