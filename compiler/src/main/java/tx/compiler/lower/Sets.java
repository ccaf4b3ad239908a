package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt.PrintItem;

/**
 * Python's {@code set(...)} (and {@code sorted(...)}, by {@link KeyedOrder}), {@code ord}, {@code chr} and {@code in} over
 * values known at compile time (strings, numbers, booleans): what data preparation does with the
 * characters of a word list ({@code sorted(set(''.join(words)))}). A set keeps its items in the order
 * first seen; Python iterates a set in its hash table's order, which for strings changes from run to
 * run, so a set prints (E0131) only where Python's order is fixed: empty, or small ints.
 */
final class Sets {
    private final Lowerer l;

    Sets(Lowerer l, Map<String, Builtins.Rule> rules) {
        this.l = l;
        rules.put("set", this::set);
        rules.put("sorted", a -> new KeyedOrder(l).sorted(a));
        rules.put("ord", this::ord);
        rules.put("chr", this::chr);
    }

    /** The items of anything Python iterates that tx knows at compile time; null for anything else. */
    static List<Val> items(Val v) {
        if (v instanceof Val.Str s) return StrMethods.chars(s.value());
        if (v instanceof Val.SetV s) return s.items();
        if (v instanceof Val.DictV d) return d.keys();
        if (v instanceof Val.RangeV r) return Ranges.numbers(r);
        return Sequences.items(v);
    }

    /** A string or a set as the list of its items, for what iterates ({@code for c in w}); anything else as it is. */
    static Val iterated(Val v, Span at) {
        if (!(v instanceof Val.Str) && !(v instanceof Val.SetV)) return v;
        List<Val> items = items(v);
        return new Val.ListV(items, Collections.nCopies(items.size(), at), false);
    }

    /** Python's {@code ==} between two values known at compile time; null when one is not such a value. */
    static Boolean same(Val a, Val b) {
        if (a instanceof Val.Bool x) a = new Val.Num(x.value() ? 1 : 0, Val.PyType.BOOL);
        if (b instanceof Val.Bool x) b = new Val.Num(x.value() ? 1 : 0, Val.PyType.BOOL);
        if (a instanceof Val.Str x && b instanceof Val.Str y) return x.value().equals(y.value());
        if (a instanceof Val.Num x && b instanceof Val.Num y) return x.value() == y.value();
        if ((a instanceof Val.Str || a instanceof Val.Num) && (b instanceof Val.Str || b instanceof Val.Num)) return false;
        return null;
    }

    /** A value for messages: an int as Python writes it ({@code the number 3}, not 3.0). */
    static String show(Val v) {
        return v instanceof Val.Num n ? "the number " + Sequences.pyRepr(n) : v.describe();
    }

    private static boolean known(Val v) {
        return v instanceof Val.Str || v instanceof Val.Num || v instanceof Val.Bool;
    }

    /** The items of the one iterable argument, or null after E0132 / E0104. */
    private List<Val> iterable(Args a, String fn) {
        Val v = a.get(0, null);
        List<Val> items = items(v);
        if (items == null) {
            l.diags.error("E0132", a.spanOf(0, null), "`" + fn + "` takes a list, a tuple, a string, a set, a dict or a range known at compile time, found " + show(v),
                    v instanceof Val.T ? "a tensor's values: `x.tolist()`; to sort a tensor, `torch.sort(x)`" : null);
            return null;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!known(items.get(i))) {
                l.diags.error("E0132", a.spanOf(0, null), "`" + fn + "` takes strings, numbers and booleans known at compile time; item " + i + " is "
                        + show(items.get(i)), items.get(i) instanceof Val.T ? "tx keeps sets and sorted lists of values known when it compiles; "
                        + "for a tensor's values use `torch.unique(x)` or `torch.sort(x)`" : null);
                return null;
            }
        }
        return items;
    }

    /** {@code set()}, {@code set(iterable)}. */
    private Val set(Args a) {
        if (!a.shape(0, 1)) return null;
        if (a.pos.isEmpty()) return l.dictChanges.made(new Val.SetV(new ArrayList<>()));
        List<Val> items = iterable(a, "set");
        return items == null ? null : l.dictChanges.made(new Val.SetV(distinct(items)));
    }

    static List<Val> distinct(List<Val> items) {
        List<Val> out = new ArrayList<>();
        for (Val v : items) {
            boolean seen = false;
            for (Val w : out) seen |= Boolean.TRUE.equals(same(v, w));
            if (!seen) out.add(v);
        }
        return out;
    }

    private static double number(Val v) {
        return v instanceof Val.Bool b ? (b.value() ? 1 : 0) : ((Val.Num) v).value();
    }

    /** {@code ord(c)}: the code point of a string of one character. */
    private Val ord(Args a) {
        if (!a.shape(1, 1)) return null;
        Val v = a.pos.get(0);
        int n = v instanceof Val.Str s ? s.value().codePointCount(0, s.value().length()) : -1;
        if (n != 1) {
            l.diags.error("E0133", a.spanOf(0, null), "`ord` takes a string of one character, found "
                    + (v instanceof Val.Str ? "a string of length " + n : show(v)), "Python raises a TypeError");
            return null;
        }
        return new Val.Num(((Val.Str) v).value().codePointAt(0), Val.PyType.INT);
    }

    /** {@code chr(i)}: the string of code point i, 0 to 0x10ffff. */
    private Val chr(Args a) {
        if (!a.shape(1, 1)) return null;
        Val v = a.pos.get(0);
        if (!(v instanceof Val.Num n) || n.py() == Val.PyType.FLOAT || n.value() < 0 || n.value() > 0x10ffff) {
            l.diags.error("E0133", a.spanOf(0, null), "`chr` takes an int from 0 to 1114111 known at compile time, found " + show(v),
                    v instanceof Val.T ? "a value known only when the program runs cannot become a string in tx" : "Python raises a ValueError or TypeError");
            return null;
        }
        return new Val.Str(new String(Character.toChars((int) n.value())));
    }

    /** {@code x in xs}, {@code x not in xs} for a list, a tuple, a set or a string (a substring); null when xs is none of them. */
    static Val contains(Lowerer l, Val x, Val xs, Span ls, Span rs, boolean negated) {
        if (xs instanceof Val.Str s) {
            if (!(x instanceof Val.Str sub)) {
                l.diags.error("E0132", ls, "`in <string>` needs a string on its left, found " + show(x), "Python raises a TypeError");
                return new Val.Bad();
            }
            return new Val.Bool(s.value().contains(sub.value()) != negated);
        }
        if (!(xs instanceof Val.SetV) && Sequences.items(xs) == null) return null;
        boolean found = false;
        for (Val item : items(xs)) {
            Boolean eq = same(x, item);
            if (eq == null) {
                l.diags.error("E0132", eq == null && !known(x) ? ls : rs, "`in` compares strings, numbers and booleans known at compile time, found "
                        + (known(x) ? show(item) + " among the items" : show(x)), null);
                return new Val.Bad();
            }
            found |= eq;
        }
        return new Val.Bool(found != negated);
    }

    /** Whether print can show the set as Python does; E0131 where Python's order depends on string hashing or its table's history. */
    static boolean printable(Lowerer l, Val v, Span at) {
        if (v instanceof Val.SetV s && !ordered(s)) {
            l.diags.error("E0131", at, "Python prints a set in its hash table's order, which for strings changes from run to run; "
                    + "tx prints only a set whose order is fixed (empty, or ints from 0 to 7)", "print `sorted(...)` of it, a list in a fixed order");
            return false;
        }
        List<Val> items = v instanceof Val.DictV d ? d.values() : Sequences.items(v);
        if (items != null) for (Val x : items) if (!printable(l, x, at)) return false;
        return true;
    }

    /** Empty, or ints 0 to 7: slots of the smallest table in order, which Python iterates in ascending order. */
    private static boolean ordered(Val.SetV s) {
        for (Val v : s.items()) {
            if (!(v instanceof Val.Num n) || n.py() != Val.PyType.INT || n.value() < 0 || n.value() > 7) return false;
        }
        return true;
    }

    /** How print shows a set it accepted: {@code set()}, {@code {0, 3}}. */
    static PrintItem print(Val.SetV s) {
        if (s.items().isEmpty()) return new PrintItem.Text("set()");
        List<Val> items = new ArrayList<>(s.items());
        items.sort(Comparator.comparingDouble(Sets::number));
        StringBuilder sb = new StringBuilder("{");
        for (Val v : items) sb.append(sb.length() == 1 ? "" : ", ").append(Sequences.pyRepr((Val.Num) v));
        return new PrintItem.Text(sb.append('}').toString());
    }
}
