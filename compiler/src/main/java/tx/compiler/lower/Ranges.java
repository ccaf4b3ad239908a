package tx.compiler.lower;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's {@code range(...)} as a value (LANGUAGE.md §3, v2): {@code r = range(n)}, {@code len(r)},
 * {@code r[i]}, {@code list(range(n))}, {@code print(r)} (Python's {@code range(0, 5)}), and
 * {@code for i in r}, a loop of the IR as {@code for i in range(n)} is. Its bounds are whole numbers
 * known at compile time (E0105 otherwise, as for a loop's range). {@code list(...)} of a range, a
 * list or a tuple is a new list (Python copies: appending to it leaves the original alone).
 * {@code range(...)} written directly as a subscript ({@code x[range(n), y]}) stays an index tensor.
 */
final class Ranges {
    /** The most numbers {@code list(range(...))} makes: each is a value of the compiler. */
    static final int MAX_ITEMS = 100_000;

    private final Lowerer l;

    Ranges(Lowerer l) {
        this.l = l;
    }

    /** Whether the call is {@code range(...)} or {@code list(...)} (not names the program gave another meaning). */
    static boolean applies(Lowerer l, Ast.Call c) {
        if (!(c.callee() instanceof Ast.Name n) || !(n.name().equals("range") || n.name().equals("list"))) return false;
        return !l.state.names.containsKey(n.name()) && !l.functions.has(n.name());
    }

    Val call(Ast.Call c) {
        return ((Ast.Name) c.callee()).name().equals("range") ? range(c) : list(c);
    }

    /** {@code range(stop)}, {@code range(start, stop)}, {@code range(start, stop, step)}. */
    private Val range(Ast.Call c) {
        List<Long> v = new ArrayList<>();
        boolean ok = true;
        for (Ast.Arg a : c.args()) {
            Val x = l.exprs.expr(a.value());
            if (x instanceof Val.Bad) {
                ok = false;
            } else if (a.name() != null || !(x instanceof Val.Num n) || !n.isWhole() || n.py() == Val.PyType.FLOAT || Math.abs(n.value()) > (1L << 53)) {
                String found = x instanceof Val.T t && t.item() ? "a number known only when the program runs" : x.describe();
                l.diags.error("E0105", a.span(), "`range` as a value needs whole numbers (Python ints) known at compile time, found " + found,
                        x instanceof Val.T ? "a loop whose count is known only at run time is a `while`: `i = 0`, `while i < n { ...; i += 1 }`" : null);
                ok = false;
            } else {
                v.add((long) n.value());
            }
        }
        if (!ok) return new Val.Bad();
        if (v.isEmpty() || v.size() > 3) {
            l.diags.error("E0104", c.span(), "`range` takes 1 to 3 arguments, got " + v.size(), null);
            return new Val.Bad();
        }
        long start = v.size() == 1 ? 0 : v.get(0), stop = v.size() == 1 ? v.get(0) : v.get(1), step = v.size() == 3 ? v.get(2) : 1;
        if (step == 0) {
            l.diags.error("E0105", c.args().get(2).span(), "`range` step must not be zero", null);
            return new Val.Bad();
        }
        return new Val.RangeV(start, stop, step);
    }

    /** {@code list(range(n))}, {@code list(xs)}, {@code list(t)}: a new list of the items. */
    private Val list(Ast.Call c) {
        if (c.args().size() != 1 || c.args().get(0).name() != null) {
            for (Ast.Arg a : c.args()) l.exprs.expr(a.value());
            l.diags.error("E0104", c.span(), "`list` takes one positional argument here (a range, a list or a tuple), got " + c.args().size(), null);
            return new Val.Bad();
        }
        Ast.Expr arg = c.args().get(0).value();
        Val v = l.exprs.expr(arg);
        if (v instanceof Val.Bad) return v;
        if (v instanceof Val.RangeV r && r.count() > MAX_ITEMS) {
            l.diags.error("E0205", arg.span(), "this list would hold " + r.count() + " numbers, more than tx keeps as a list (" + MAX_ITEMS + ")",
                    "loop over the range directly (`for i in range(n)`), or make a tensor: `arange(n)`");
            return new Val.Bad();
        }
        List<Val> items = v instanceof Val.RangeV r ? numbers(r) : Sets.items(Sequences.named(v, arg.span())); // a string's characters, a set's or a dict's items too
        if (items == null) {
            l.diags.error("E0401", arg.span(), "`list` takes a range, a list or a tuple here, found " + v.describe(),
                    v instanceof Val.T ? "a tensor's items: `x.unbind(0)`, or loop over it: `for row in x { ... }`" : null);
            return new Val.Bad();
        }
        return new Val.ListV(new ArrayList<>(items), Collections.nCopies(items.size(), arg.span()), false);
    }

    /** The numbers of a range, as Python ints (made when read: a range may be long). */
    static List<Val> numbers(Val.RangeV r) {
        int n = (int) Math.min(Integer.MAX_VALUE, r.count());
        return new AbstractList<>() {
            @Override public Val get(int i) {
                if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
                return new Val.Num(r.start() + r.step() * (long) i, Val.PyType.INT);
            }

            @Override public int size() {
                return n;
            }
        };
    }

    /** A range as a sequence of its numbers, for what takes lists ({@code enumerate}, {@code zip}, an index); anything else as it is. */
    static Val listed(Val v, Span span) {
        if (!(v instanceof Val.RangeV r)) return v;
        List<Val> items = numbers(r);
        return new Val.ListV(items, Collections.nCopies(items.size(), span), true);
    }

    /** {@code r[i]}: Python's range indexing, from the end for a negative i (E0204 out of range); a slice is E0401. */
    Val index(Val.RangeV r, Ast.Index ix) {
        if (ix.subs().size() == 1 && ix.subs().get(0) instanceof Ast.Range) {
            l.diags.error("E0401", ix.span(), "tx does not slice a range", "write the range you mean: `range(a, b)`, or `list(r)[a:b]`");
            return new Val.Bad();
        }
        if (r.count() > MAX_ITEMS) {
            l.diags.error("E0205", ix.span(), "tx indexes ranges of up to " + MAX_ITEMS + " numbers; this one has " + r.count(),
                    "compute the number: `start + i * step`");
            return new Val.Bad();
        }
        return l.sequences.index(listed(r, ix.span()), ix);
    }

    /**
     * {@code for i in r} with {@code r} a name bound to a range: the counted loop {@code for i in
     * range(start, stop, step)}, one statement per loop so that re-checking it finds the same loop.
     */
    boolean loop(Ast.ForEach f) {
        if (f.vars().size() != 1 || !(f.iterable() instanceof Ast.Name n) || !(l.state.names.get(n.name()) instanceof Val.RangeV r)) return false;
        String key = r.start() + ":" + r.stop() + ":" + r.step();
        Ast.For loop = l.rangeLoops.computeIfAbsent(f, k -> new java.util.HashMap<>()).computeIfAbsent(key, k -> {
            Span at = f.iterable().span();
            List<Ast.Arg> args = new ArrayList<>();
            for (long x : new long[] {r.start(), r.stop(), r.step()}) args.add(new Ast.Arg(null, new Ast.Num(x, Long.toString(x), at), at));
            return new Ast.For(f.vars().get(0), f.varSpans().get(0), args, f.body(), f.span());
        });
        l.statement(loop);
        return true;
    }
}
