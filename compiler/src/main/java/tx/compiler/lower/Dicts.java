package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt.PrintItem;

/**
 * Python dicts whose keys are known at compile time (LANGUAGE.md §4, v2): d2l's
 * {@code hyperparams = {'lr': 0.03, 'wd': 3}} and {@code hyperparams['lr']}. Keys are strings and
 * whole numbers (bools count as 0 and 1, as in Python); values are anything a name may hold. A dict
 * keeps insertion order; {@code d[k] = v} changes the dict wherever it is held ({@link DictChanges}).
 * A key known only at run time, or missing, is E0123; a dict changed in a loop that tx does not
 * unroll is E0124.
 */
final class Dicts {
    private final Lowerer l;

    Dicts(Lowerer l) {
        this.l = l;
    }

    /** {@code {k: v, ...}}: the keys evaluated and checked, a later equal key replacing the earlier one's value in its place. */
    Val literal(Ast.DictLit d) {
        List<Val> keys = new ArrayList<>(), values = new ArrayList<>();
        for (int i = 0; i < d.keys().size(); i++) {
            Val k = key(l.exprs.expr(d.keys().get(i)), d.keys().get(i).span());
            Val v = l.exprs.expr(d.values().get(i));
            if (k == null || v instanceof Val.Bad) return new Val.Bad();
            put(keys, values, k, v);
        }
        return l.dictChanges.made(new Val.DictV(keys, values));
    }

    /**
     * {@code {k: v for k in xs if cond}}: the loop it stands for, over a list, a tuple, a dict, a
     * range, {@code enumerate} or {@code zip} (unrolled, as a `for` over them is), filling a new dict.
     * As in Python 3, the comprehension's names are its own: the names around it are as they were.
     */
    Val comprehension(Ast.DictComp c) {
        ComprehensionScope scope = ComprehensionScope.enter(l, c.loop());
        l.state.bind(c.hidden(), l.dictChanges.made(new Val.DictV(new ArrayList<>(), new ArrayList<>())));
        l.dictChanges.comprehensions.put(c.hidden(), false);
        new Iteration(l).forEach(c.loop());
        l.dictChanges.comprehensions.remove(c.hidden());
        Val out = l.state.names.remove(c.hidden());
        scope.leave();
        return out == null ? new Val.Bad() : out;
    }

    static void put(List<Val> keys, List<Val> values, Val k, Val v) {
        int at = find(keys, k);
        if (at >= 0) {
            values.set(at, v);
        } else {
            keys.add(k);
            values.add(v);
        }
    }

    static int find(List<Val> keys, Val k) {
        for (int i = 0; i < keys.size(); i++) if (same(keys.get(i), k)) return i;
        return -1;
    }

    private static boolean same(Val a, Val b) {
        if (a instanceof Val.Str x && b instanceof Val.Str y) return x.value().equals(y.value());
        return a instanceof Val.Num x && b instanceof Val.Num y && x.value() == y.value();
    }

    /** A key as the dict holds it: a string or a whole number known at compile time; null after E0123. */
    Val key(Val k, Span at) {
        if (k instanceof Val.Bad) return null;
        if (k instanceof Val.Bool b) return new Val.Num(b.value() ? 1 : 0, Val.PyType.BOOL);
        if (k instanceof Val.Str || k instanceof Val.Num n && n.isWhole()) return k;
        l.diags.error("E0123", at, "a dict key here is " + k.describe() + "; tx's dicts take keys known at compile time: strings and whole numbers",
                k instanceof Val.T ? "a key computed when the program runs cannot be looked up before it runs: use a string or a number literal, "
                        + "or a list indexed by the loop's counter" : null);
        return null;
    }

    /** {@code d[k]}: the value; a missing key is E0123 (Python's KeyError). */
    Val index(Val.DictV d, Ast.Index ix) {
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) {
            l.diags.error("E0123", ix.span(), "a dict takes one key in brackets, `d['lr']`", null);
            return new Val.Bad();
        }
        Val k = key(l.exprs.expr(at.index()), at.span());
        if (k == null) return new Val.Bad();
        int i = find(d.keys(), k);
        if (i < 0) {
            l.diags.error("E0123", at.span(), "the dict has no key " + repr(k) + " (Python's KeyError)", "its keys are " + keysShown(d));
            return new Val.Bad();
        }
        return d.values().get(i);
    }

    /** {@code d[k] = v} (and {@code d[k] += v}): the name is bound to a dict with the key set. */
    void assign(Ast.IndexAssign a, Ast.Name name, Val.DictV d) {
        Ast.Index ix = (Ast.Index) a.target();
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) {
            l.diags.error("E0123", ix.span(), "a dict takes one key in brackets, `d['lr'] = v`", null);
            return;
        }
        if (l.dictChanges.outsideComprehension(name.name(), d, a.span())) return;
        if (l.growing.madeBeforeLoop(d)) {
            l.diags.error("E0124", a.span(), "`" + name.name() + "` is a dict changed inside a loop that tx does not unroll",
                    "a dict's keys and values are known at compile time: change it outside the loop, or keep the value in a name of its own");
            l.exprs.expr(a.value());
            return;
        }
        Val k = key(l.exprs.expr(at.index()), at.span());
        Val v = l.exprs.expr(a.value());
        if (k == null || v instanceof Val.Bad) return;
        if (!a.op().equals("=")) {
            int i = find(d.keys(), k);
            if (i < 0) {
                l.diags.error("E0123", at.span(), "the dict has no key " + repr(k) + " (Python's KeyError)", "its keys are " + keysShown(d));
                return;
            }
            v = l.exprs.binary(a.op().substring(0, a.op().length() - 1), d.values().get(i), v, at.span(), a.value().span(), a.span());
        }
        List<Val> keys = new ArrayList<>(d.keys()), values = new ArrayList<>(d.values());
        put(keys, values, k, v);
        l.dictChanges.change(d, keys, values, "`" + name.name() + "[...] =`", a.span()); // every name holding the dict sees it
    }

    /** {@code k in d}, {@code k not in d}: a Python bool. */
    Val contains(Val k, Val.DictV d, Span at, boolean negated) {
        Val key = key(k, at);
        if (key == null) return new Val.Bad();
        return new Val.Bool(find(d.keys(), key) >= 0 != negated);
    }

    /**
     * {@code d.keys()}, {@code d.values()}, {@code d.items()} (lists, in order), {@code d.get(k)},
     * {@code d.get(k, default)} and {@code d.copy()}; the methods that change d are {@link DictChanges}'s.
     */
    Val method(Val.DictV d, String name, Ast.Call c) {
        boolean listing = name.equals("keys") || name.equals("values") || name.equals("items");
        if (!listing && !name.equals("get") && !name.equals("copy") && !DictChanges.changes(name)) {
            l.diags.error("E0103", c.callee().span(), "a dict has no method `" + name + "` in tx", "tx's dicts have `keys()`, `values()`, `items()`, `get`, "
                    + "`copy()`, `update`, `pop`, `setdefault` and `clear()`");
            return new Val.Bad();
        }
        List<Val> args = new ArrayList<>();
        java.util.Map<String, Val> kw = new java.util.LinkedHashMap<>();
        for (Ast.Arg a : c.args()) {
            if (a.name() != null && (!name.equals("update") || a.name().equals(Ast.Arg.STAR))) {
                l.diags.error("E0104", a.span(), "`" + name + "` of a dict takes no " + (a.name().equals(Ast.Arg.STAR) ? "`*` arguments" : "keyword arguments"), null);
                return new Val.Bad();
            }
            Val v = l.exprs.expr(a.value());
            if (v instanceof Val.Bad) return v;
            if (a.name() != null) kw.put(a.name(), v);
            else args.add(v);
        }
        if (DictChanges.changes(name)) return l.dictChanges.method(this, d, name, c, args, kw);
        if (name.equals("copy")) {
            if (!args.isEmpty()) l.diags.error("E0104", c.span(), "`copy` of a dict takes no arguments", null);
            return args.isEmpty() ? l.dictChanges.made(new Val.DictV(d.keys(), d.values())) : new Val.Bad(); // a new dict; its values are the same objects (a shallow copy)
        }
        if (listing ? !args.isEmpty() : args.isEmpty() || args.size() > 2) {
            l.diags.error("E0104", c.span(), "`" + name + "` of a dict takes " + (listing ? "no arguments" : "a key and, optionally, a default"), null);
            return new Val.Bad();
        }
        if (listing) {
            List<Val> out = new ArrayList<>();
            for (int i = 0; i < d.keys().size(); i++) {
                out.add(name.equals("keys") ? d.keys().get(i) : name.equals("values") ? d.values().get(i)
                        : new Val.ListV(List.of(d.keys().get(i), d.values().get(i)), List.of(c.span(), c.span()), true));
            }
            return new Val.ListV(out, java.util.Collections.nCopies(out.size(), c.span()), false);
        }
        Val k = key(args.get(0), c.args().get(0).span());
        if (k == null) return new Val.Bad();
        int i = find(d.keys(), k);
        return i >= 0 ? d.values().get(i) : args.size() > 1 ? args.get(1) : new Val.None("`get` of a missing key gives None");
    }

    /** A dict where a loop goes over it: its keys, in order. */
    static Val iterated(Val v, Span at) {
        if (!(v instanceof Val.DictV d)) return v;
        return new Val.ListV(d.keys(), java.util.Collections.nCopies(d.keys().size(), at), false);
    }

    /** How print shows a dict: Python's {@code {'lr': 0.03, 'wd': 3}}, each key and value by its repr. */
    static PrintItem print(Val.DictV d, java.util.function.Function<Val, PrintItem> repr) {
        List<PrintItem> parts = new ArrayList<>();
        parts.add(new PrintItem.Text("{"));
        for (int i = 0; i < d.keys().size(); i++) {
            if (i > 0) parts.add(new PrintItem.Text(", "));
            parts.add(new PrintItem.Text(repr(d.keys().get(i))));
            parts.add(new PrintItem.Text(": "));
            parts.add(repr.apply(d.values().get(i)));
        }
        parts.add(new PrintItem.Text("}"));
        return new PrintItem.Joined(parts);
    }

    static String repr(Val k) {
        return k instanceof Val.Str s ? Strings.repr(s.value()) : Sequences.pyRepr((Val.Num) k);
    }

    static String keysShown(Val.DictV d) {
        if (d.keys().isEmpty()) return "none: the dict is empty";
        List<String> shown = new ArrayList<>();
        for (Val k : d.keys()) shown.add(repr(k));
        return String.join(", ", shown);
    }
}
