package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt.PrintItem;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;

/**
 * Tuples and lists of a length known at compile time (LANGUAGE.md §3, v2): literals, indexing by a
 * compile-time index or slice, {@code len}, printing as Python prints them, and the renaming of the
 * tensors they hold when a tensor changes in place or enters a loop. Both are {@link Val.ListV}; the
 * several results of a function or a built-in ({@link Val.Tuple}) become a tuple when they are named.
 */
final class Sequences {
    private final Lowerer l;

    Sequences(Lowerer l) {
        this.l = l;
    }

    /** {@code (a, b)}, or the right-hand side of {@code a, b = b, a}: every item evaluated, left to right. */
    Val tuple(Ast.TupleLit t) {
        List<Val> items = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (Ast.Expr x : t.items()) {
            items.add(l.exprs.expr(x));
            spans.add(x.span());
        }
        return new Val.ListV(items, spans, true);
    }

    /** Several results ({@code split(x, 2)}, {@code grad(y, [x, w])}) as one tuple value, each item located at {@code span}. */
    static Val named(Val v, Span span) {
        if (!(v instanceof Val.Tuple t)) return v;
        return new Val.ListV(t.items(), java.util.Collections.nCopies(t.items().size(), span), true);
    }

    /** The items of a list, a tuple or several results; null for anything else. */
    static List<Val> items(Val v) {
        if (v instanceof Val.ListV list) return list.items();
        if (v instanceof Val.Tuple t) return t.items();
        return null;
    }

    // ---- indexing and len ---------------------------------------------------------------------------

    /** {@code params[0]}, {@code params[-1]}, {@code params[1:3]}: a compile-time index or slice (E0204 out of range). */
    Val index(Val seq, Ast.Index ix) {
        return index(seq, ix, seq instanceof Val.ListV list && !list.tuple() ? "a list" : "a tuple");
    }

    /** The same, naming the sequence {@code what} in messages ("a string": its characters). */
    Val index(Val seq, Ast.Index ix, String what) {
        List<Val> items = items(seq);
        int n = items.size();
        if (ix.subs().size() != 1) {
            l.diags.error("E0204", ix.span(), what + " takes one index, e.g. `t[0]`, found " + ix.subs().size(), null);
            return new Val.Bad();
        }
        if (ix.subs().get(0) instanceof Ast.Range rg) return slice(seq, items, rg);
        if (!(ix.subs().get(0) instanceof Ast.At at)) { // `...`: Python's lists and tuples take none
            l.diags.error("E0204", ix.span(), what + " takes an index or a slice, not `...`",
                    "Python: \"list indices must be integers or slices\"; `...` indexes tensors");
            return new Val.Bad();
        }
        Val iv = l.exprs.expr(at.index());
        if (iv instanceof T t && t.item()) {
            l.diags.error("E0105", at.span(), "an index into " + what + " must be known at compile time, found a value known only when the program runs",
                    "index with a number or with the counter of a `for i in range(...)` of at most " + Loops.MAX_UNROLLED
                            + " iterations, which tx unrolls, or loop over the items: `for v in ...`");
            return new Val.Bad();
        }
        Integer i = l.exprs.integer(iv, at.span(), "an index");
        if (i == null) return new Val.Bad();
        int k = i < 0 ? i + n : i;
        if (k < 0 || k >= n) {
            l.diags.error("E0204", at.span(), "index " + i + " is out of range for " + what + " of " + n + (what.equals("a string") ? (n == 1 ? " character" : " characters") : n == 1 ? " item" : " items"),
                    n == 0 ? "it is empty" : "valid indices are " + -n + " to " + (n - 1));
            return new Val.Bad();
        }
        return items.get(k);
    }

    private Val slice(Val seq, List<Val> items, Ast.Range rg) {
        int n = items.size();
        Integer lo = rg.lo() == null ? null : l.exprs.integer(l.exprs.expr(rg.lo()), rg.lo().span(), "a slice bound");
        Integer hi = rg.hi() == null ? null : l.exprs.integer(l.exprs.expr(rg.hi()), rg.hi().span(), "a slice bound");
        Integer st = rg.step() == null ? Integer.valueOf(1) : l.exprs.integer(l.exprs.expr(rg.step()), rg.step().span(), "a slice step");
        if (rg.lo() != null && lo == null || rg.hi() != null && hi == null || st == null) return new Val.Bad();
        if (st == 0) {
            l.diags.error("E0204", rg.step().span(), "a slice step must not be zero", "Python raises a ValueError");
            return new Val.Bad();
        }
        // Python's slice.indices: a negative step walks from the end (xs[::-1] reverses)
        int a = lo == null ? (st > 0 ? 0 : n - 1) : StrMethods.bound(lo, n, st);
        int z = hi == null ? (st > 0 ? n : -1) : StrMethods.bound(hi, n, st);
        List<Val> out = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        List<Span> from = seq instanceof Val.ListV list ? list.spans() : java.util.Collections.nCopies(n, rg.span());
        for (int k = a; st > 0 ? k < z : k > z; k += st) {
            out.add(items.get(k));
            spans.add(from.get(k));
        }
        return new Val.ListV(out, spans, !(seq instanceof Val.ListV list) || list.tuple());
    }

    /** {@code len(params)}, {@code len(x)} (a tensor's first dimension), {@code len(x.shape)}: a Python int. */
    Val len(Args a) {
        if (!a.shape(1, 1)) return null;
        Val v = a.pos.get(0);
        List<Val> items = items(v);
        if (items != null) return new Val.Num(items.size(), Val.PyType.INT);
        if (v instanceof Val.Shape s) return new Val.Num(s.dims().length, Val.PyType.INT);
        if (v instanceof Val.DictV d) return new Val.Num(d.keys().size(), Val.PyType.INT);
        if (v instanceof Val.Str || v instanceof Val.SetV) return new Val.Num(Sets.items(v).size(), Val.PyType.INT);
        if (v instanceof Val.RangeV r) return new Val.Num(r.count(), Val.PyType.INT);
        if (v instanceof Val.RunList r) return RunLists.len(r);
        if (v instanceof T t && !t.maybeNone()) {
            if (t.shape().length == 0) {
                l.diags.error("E0401", a.spanOf(0, null), "`len` of a 0-dimensional tensor has no meaning (PyTorch raises a TypeError)",
                        "use `x.numel()`, or `x.item()` for its value");
                return null;
            }
            if (tx.runtime.tensor.Shapes.isSymbol(t.shape()[0])) return RunTimeSizes.count(l, new int[] {t.shape()[0]});
            return new Val.Num(t.shape()[0], Val.PyType.INT);
        }
        if (v instanceof T) {
            a.tensor(0); // a tensor that may be None: reported as such
            return null;
        }
        // NOTE: a number is not made a tensor and measured again (that was a recursion without end)
        l.diags.error("E0401", a.spanOf(0, null), "`len` of " + v.describe() + ": Python raises a TypeError (it has no len())", null);
        return null;
    }

    // ---- printing --------------------------------------------------------------------------------------

    /** A list or tuple as Python prints it: {@code [tensor(1.), 2]}, {@code (1, 2)}, {@code (0.5,)}. */
    PrintItem print(Val v, java.util.function.Function<Val, PrintItem> itemOf) {
        boolean tuple = !(v instanceof Val.ListV list) || list.tuple();
        List<Val> items = items(v);
        List<PrintItem> parts = new ArrayList<>();
        parts.add(new PrintItem.Text(tuple ? "(" : "["));
        for (int k = 0; k < items.size(); k++) {
            if (k > 0) parts.add(new PrintItem.Text(", "));
            parts.add(repr(items.get(k), itemOf));
        }
        if (tuple && items.size() == 1) parts.add(new PrintItem.Text(","));
        parts.add(new PrintItem.Text(tuple ? ")" : "]"));
        return new PrintItem.Joined(parts);
    }

    /** A dict as print shows it: each key and value by its repr. */
    PrintItem printDict(Val.DictV d, java.util.function.Function<Val, PrintItem> itemOf) {
        return Dicts.print(d, x -> repr(x, itemOf));
    }

    /** An item inside a list or tuple: Python shows its repr (numbers as Python numbers, strings quoted). */
    private PrintItem repr(Val v, java.util.function.Function<Val, PrintItem> itemOf) {
        if (items(v) != null) return print(v, itemOf);
        if (v instanceof Val.DictV d) return Dicts.print(d, x -> repr(x, itemOf));
        if (v instanceof Val.Num n) return new PrintItem.Text(pyRepr(n));
        if (v instanceof Val.Str s) return new PrintItem.Text(Strings.repr(s.value()));
        return itemOf.apply(v);
    }

    /** A Python number's repr: {@code 3}, {@code 0.5}, {@code True}. */
    static String pyRepr(Val.Num n) {
        return switch (n.py()) {
            case BOOL -> n.value() != 0 ? "True" : "False";
            case INT -> n.isWhole() && Math.abs(n.value()) < 1e18 ? Long.toString((long) n.value()) : PyFloat.repr(n.value());
            case FLOAT -> PyFloat.repr(n.value());
        };
    }

    // ---- renaming the tensors a sequence holds ------------------------------------------------------

    /** v with each tensor inside it (lists and tuples nested) replaced by {@code f} of it; v itself if nothing changes. */
    static Val mapTensors(Val v, UnaryOperator<T> f) {
        if (v instanceof T t) return f.apply(t);
        if (v instanceof Val.DictV d) { // a dict's values, as a list's items
            Val values = mapTensors(new Val.ListV(d.values(), java.util.Collections.nCopies(d.values().size(), Span.NONE), false), f);
            return values instanceof Val.ListV list && list.items() != d.values() ? d.with(d.keys(), list.items()) : v;
        }
        if (!(v instanceof Val.ListV list)) return v;
        List<Val> out = new ArrayList<>();
        boolean changed = false;
        for (Val x : list.items()) {
            Val y = mapTensors(x, f);
            changed |= y != x;
            out.add(y);
        }
        return changed ? list.with(out) : v;
    }

    /** Rebinds, in every list and tuple of the state, the tensors held by variable {@code old} to {@code now}. */
    static void replaceInSequences(State s, Var old, T now) {
        replaceInSequences(s, Map.of(old, now));
    }

    /** As above, for several variables at once. */
    static void replaceInSequences(State s, Map<Var, T> now) {
        if (now.isEmpty()) return;
        for (Map.Entry<String, Val> e : new ArrayList<>(s.names.entrySet())) {
            if (!(e.getValue() instanceof Val.ListV) && !(e.getValue() instanceof Val.DictV)) continue;
            Val v = mapTensors(e.getValue(), t -> now.getOrDefault(t.var(), t));
            if (v != e.getValue()) s.names.put(e.getKey(), v);
        }
    }

    /** The variables of the tensors a value holds, nested lists included. */
    static List<Var> tensorVars(Val v) {
        List<Var> out = new ArrayList<>();
        mapTensors(v, t -> {
            out.add(t.var());
            return t;
        });
        return out;
    }
}
