package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's {@code sorted(xs, key=f, reverse=b)}, and {@code min}/{@code max} with {@code key=} or
 * {@code default=} or of strings and tuples, over values known at compile time: the order is
 * Python's {@code <} (numbers and bools by value, strings by code point, tuples and lists item by
 * item), and the key a function value (a lambda, a function of the file, a built-in such as
 * {@code len} or {@code abs}) applied to each item once, in order, as Python applies it. A
 * comparison Python refuses ({@code 'a' < 1}) is E0132, its TypeError; so is a key known only when
 * the program runs.
 */
final class KeyedOrder {
    private final Lowerer l;

    KeyedOrder(Lowerer l) {
        this.l = l;
    }

    /** Thrown by {@link #compare} for two values Python's {@code <} refuses (TypeError). */
    private static final class Unordered extends RuntimeException {
        final Val a, b;

        Unordered(Val a, Val b) {
            super(null, null, false, false);
            this.a = a;
            this.b = b;
        }
    }

    /**
     * Whether a call of {@code min} or {@code max} is this class's: it has {@code key=} or
     * {@code default=}, or its candidates are known at compile time and hold a string, a list or
     * a tuple (the numeric forms stay Builtins' and ListOps').
     */
    static boolean applies(String name, Args a) {
        if (!name.equals("max") && !name.equals("min")) return false;
        if (a.kw.containsKey("key") || a.kw.containsKey("default")) return true;
        List<Val> items = candidates(a);
        return items != null && !items.isEmpty() && items.stream().allMatch(KeyedOrder::known)
                && items.stream().anyMatch(v -> v instanceof Val.Str || v instanceof Val.ListV);
    }

    /** One argument: the items it iterates; several: the arguments; null for one that tx cannot iterate now. */
    private static List<Val> candidates(Args a) {
        if (a.pos.size() == 1) return Sets.items(a.pos.get(0));
        return a.pos.isEmpty() ? null : a.pos;
    }

    /** A value Python's {@code <} orders at compile time: a number, a bool, a string, or a list or tuple of them. */
    private static boolean known(Val v) {
        if (v instanceof Val.Num || v instanceof Val.Bool || v instanceof Val.Str) return true;
        return v instanceof Val.ListV list && list.items().stream().allMatch(KeyedOrder::known);
    }

    /** Python's {@code a < b} as a comparison (0 where neither is less, as for nan); throws {@link Unordered}. */
    static int compare(Val a, Val b) {
        if (isNumber(a) && isNumber(b)) {
            double x = number(a), y = number(b);
            return x < y ? -1 : y < x ? 1 : 0;
        }
        if (a instanceof Val.Str x && b instanceof Val.Str y) return Integer.signum(StrMethods.compare(x.value(), y.value()));
        if (a instanceof Val.ListV x && b instanceof Val.ListV y && x.tuple() == y.tuple()) {
            for (int i = 0; i < Math.min(x.items().size(), y.items().size()); i++) {
                Val p = x.items().get(i), q = y.items().get(i);
                if (Boolean.TRUE.equals(Sets.same(p, q))) continue; // Python compares the first items that differ
                return compare(p, q);
            }
            return Integer.compare(x.items().size(), y.items().size());
        }
        throw new Unordered(a, b);
    }

    private static boolean isNumber(Val v) {
        return v instanceof Val.Num || v instanceof Val.Bool;
    }

    private static double number(Val v) {
        return v instanceof Val.Bool b ? (b.value() ? 1 : 0) : ((Val.Num) v).value();
    }

    /** {@code sorted(iterable, key=None, reverse=False)}: a new list, stable (reverse=True keeps equal items in order, as Python's). */
    Val sorted(Args a) {
        if (!a.shape(1, 1, "key", "reverse")) return null;
        boolean reverse = a.bool("reverse", false);
        List<Val> items = iterable(a, "sorted");
        List<Val> keys = items == null || a.failed ? null : keys(a, items, "sorted");
        if (keys == null) return null;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) order.add(i);
        Comparator<Integer> byKey = (i, j) -> compare(keys.get(i), keys.get(j));
        try {
            order.sort(reverse ? byKey.reversed() : byKey);
        } catch (Unordered u) {
            return unordered(a, "sorted", u);
        }
        List<Val> out = new ArrayList<>();
        for (int i : order) out.add(items.get(i));
        return new Val.ListV(out, Collections.nCopies(out.size(), a.spanOf(0, null)), false);
    }

    /** {@code min(iterable, key=, default=)}, {@code min(a, b, ..., key=)}: the first smallest (largest) item by its key. */
    Val extreme(String name, Args a) {
        if (!a.shape(1, Integer.MAX_VALUE, "key", "default")) return null;
        if (a.pos.size() > 1 && a.kw.containsKey("default")) {
            l.diags.error("E0104", a.kwSpans.get("default"), "`" + name + "` takes `default=` with one iterable only",
                    "Python's TypeError: cannot specify a default for " + name + "() with multiple positional arguments");
            return null;
        }
        List<Val> items = a.pos.size() == 1 ? iterable(a, name) : a.pos;
        if (items == null) return null;
        if (items.isEmpty()) {
            if (a.kw.containsKey("default")) return a.kw.get("default");
            l.diags.error("E0205", a.span(), "`" + name + "` of an empty sequence has no value (Python: " + name + "() arg is an empty sequence)",
                    "give it `default=`, the value for an empty sequence");
            return null;
        }
        List<Val> keys = keys(a, items, name);
        if (keys == null) return null;
        int best = 0;
        try {
            for (int i = 1; i < items.size(); i++) {
                int c = compare(keys.get(i), keys.get(best));
                if (name.equals("min") ? c < 0 : c > 0) best = i;
            }
        } catch (Unordered u) {
            return unordered(a, name, u);
        }
        return items.get(best);
    }

    /** The items of the one iterable argument, or null after E0132. */
    private List<Val> iterable(Args a, String fn) {
        Val v = a.get(0, null);
        List<Val> items = Sets.items(v);
        if (items == null) {
            l.diags.error("E0132", a.spanOf(0, null), "`" + fn + "` takes a list, a tuple, a string, a set, a dict or a range known at compile time, found " + Sets.show(v),
                    v instanceof Val.T ? "a tensor's values: `x.tolist()`; to sort a tensor, `torch.sort(x)`" : null);
            a.failed = true;
        }
        return items;
    }

    /** Each item's key (the item itself without {@code key=}), each known at compile time; null after reporting. */
    private List<Val> keys(Args a, List<Val> items, String fn) {
        Val key = a.kw.get("key");
        if (key != null && !(key instanceof Val.None) && !(key instanceof Val.Fn)) {
            l.diags.error("E0132", a.kwSpans.get("key"), "`key=` takes a function, found " + Sets.show(key), "e.g. `key=len` or `key=lambda p: p[1]`");
            return null;
        }
        List<Val> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Val k = key instanceof Val.Fn f ? Sequences.named(call(f, items.get(i), a.kwSpans.get("key")), a.kwSpans.get("key")) : items.get(i);
            if (k instanceof Val.Bad) return null;
            if (!known(k)) {
                Span at = key instanceof Val.Fn ? a.kwSpans.get("key") : a.spanOf(0, null);
                l.diags.error("E0132", at, "`" + fn + "` orders values known at compile time; " + (key instanceof Val.Fn ? "the key of item " : "item ") + i + " is " + Sets.show(k),
                        k instanceof Val.T ? "tx orders what it knows when it compiles; for a tensor's values use `torch.sort(x)` or `torch.argmax(x)`" : null);
                return null;
            }
            out.add(k);
        }
        return out;
    }

    /** The function value applied to one item, as a call written in the program would apply it (a built-in too). */
    private Val call(Val.Fn f, Val item, Span at) {
        String fn = "$key" + (l.hiddenNames++), x = "$item" + (l.hiddenNames++);
        l.state.bind(fn, f);
        l.state.bind(x, item);
        try {
            return l.exprs.expr(new Ast.Call(new Ast.Name(fn, at), List.of(new Ast.Arg(null, new Ast.Name(x, at), at)), at));
        } finally {
            l.state.names.remove(fn);
            l.state.names.remove(x);
        }
    }

    private Val unordered(Args a, String fn, Unordered u) {
        l.diags.error("E0132", a.kw.containsKey("key") ? a.kwSpans.get("key") : a.spanOf(0, null), "`" + fn + "` cannot order " + Sets.show(u.a) + " and " + Sets.show(u.b),
                "Python raises a TypeError: '<' is not supported between them");
        return null;
    }
}
