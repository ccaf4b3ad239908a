package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's operators and methods on sets known at compile time, and {@code ==} between
 * collections: {@code a | b}, {@code a & b}, {@code a - b}, {@code a ^ b} (new sets, their items in
 * the order first seen), {@code <=}, {@code <}, {@code >=}, {@code >} (subsets), the methods
 * {@code add}, {@code update}, {@code discard}, {@code remove}, {@code clear} (which change the set
 * itself, as {@link DictChanges} changes a dict) and {@code union}, {@code intersection},
 * {@code difference}, {@code symmetric_difference}, {@code issubset}, {@code issuperset},
 * {@code isdisjoint}, {@code copy}; {@code ==} and {@code !=} of lists, tuples, sets and dicts item
 * by item (a list never equals a tuple), and {@code <}... of lists and tuples, item by item.
 */
final class SetOps {
    private final Lowerer l;

    SetOps(Lowerer l) {
        this.l = l;
    }

    private static final java.util.Set<String> ORDER = java.util.Set.of("<", "<=", ">", ">=");

    /** Whether {@code left op right} is this class's: an operator with a set, or a comparison of two lists, tuples or dicts. */
    static boolean applies(String op, Val left, Val right) {
        if (left instanceof Val.SetV || right instanceof Val.SetV) return !op.equals("in") && !op.equals("not in");
        boolean eq = op.equals("==") || op.equals("!=");
        if (eq && (left instanceof Val.DictV || right instanceof Val.DictV)) return true;
        if (eq && (left instanceof Val.ListV && scalar(right) || right instanceof Val.ListV && scalar(left))) return true; // [1] == 1 is False
        return (eq || ORDER.contains(op)) && left instanceof Val.ListV && right instanceof Val.ListV;
    }

    private static boolean scalar(Val v) {
        return v instanceof Val.Num || v instanceof Val.Str || v instanceof Val.Bool || v instanceof Val.None;
    }

    Val binary(String op, Val left, Val right, Span span) {
        if (op.equals("==") || op.equals("!=")) {
            Boolean same = equal(left, right);
            if (same == null) return refuse(span, "`" + op + "` compares collections of values known at compile time; these hold " + inner(left, right), null);
            return bool(same == op.equals("=="));
        }
        if (left instanceof Val.ListV a && right instanceof Val.ListV c) return ordered(op, a, c, span);
        if (!(left instanceof Val.SetV a) || !(right instanceof Val.SetV c)) {
            return refuse(span, "`" + op + "` takes two sets here; this is " + left.describe() + " and " + right.describe(),
                    "Python's TypeError; make a set of the other first: `set(xs)`");
        }
        List<Val> x = a.items(), y = c.items();
        return switch (op) {
            case "|" -> made(union(x, y));
            case "&" -> made(only(x, y, true));
            case "-" -> made(only(x, y, false));
            case "^" -> made(union(only(x, y, false), only(y, x, false)));
            case "<=" -> bool(subset(x, y));
            case "<" -> bool(subset(x, y) && x.size() < y.size());
            case ">=" -> bool(subset(y, x));
            case ">" -> bool(subset(y, x) && y.size() < x.size());
            default -> refuse(span, "`" + op + "` does not apply to sets (Python's TypeError)", "sets take `|`, `&`, `-`, `^` and the comparisons");
        };
    }

    /** Lists (or tuples) compared item by item, as Python's {@code <} does. */
    private Val ordered(String op, Val.ListV a, Val.ListV c, Span span) {
        if (a.tuple() != c.tuple()) return refuse(span, "`" + op + "` cannot order " + a.describe() + " and " + c.describe(), "Python's TypeError: '<' is not supported between them");
        int k;
        try {
            k = KeyedOrder.compare(a, c);
        } catch (RuntimeException x) {
            return refuse(span, "`" + op + "` orders items of the same kind known at compile time; these hold " + inner(a, c), "Python's TypeError, or a value tx knows only when it runs");
        }
        return bool(switch (op) {
            case "<" -> k < 0;
            case "<=" -> k <= 0;
            case ">" -> k > 0;
            default -> k >= 0;
        });
    }

    private static String inner(Val a, Val b) {
        for (Val v : List.of(a, b)) for (Val x : items(v)) if (equal(x, x) == null) return Sets.show(x);
        return a.describe() + " and " + b.describe();
    }

    private static List<Val> items(Val v) {
        if (v instanceof Val.DictV d) return d.values();
        List<Val> out = Sets.items(v);
        return out == null ? List.of() : out;
    }

    /** Python's {@code ==}, when both sides are known at compile time; null when one holds something else (a tensor). */
    static Boolean equal(Val a, Val b) {
        if (a instanceof Val.None || b instanceof Val.None) return a instanceof Val.None == b instanceof Val.None ? Boolean.TRUE : known(a) && known(b) ? Boolean.FALSE : null;
        Boolean plain = Sets.same(a, b);
        if (plain != null) return plain;
        if (a instanceof Val.ListV x && b instanceof Val.ListV y) {
            if (x.tuple() != y.tuple() || x.items().size() != y.items().size()) return all(x.items()) && all(y.items()) ? Boolean.FALSE : null;
            return pairwise(x.items(), y.items());
        }
        if (a instanceof Val.SetV x && b instanceof Val.SetV y) return x.items().size() == y.items().size() && subset(x.items(), y.items());
        if (a instanceof Val.DictV x && b instanceof Val.DictV y) {
            if (x.keys().size() != y.keys().size() || !subset(x.keys(), y.keys())) return all(x.values()) && all(y.values()) ? Boolean.FALSE : null;
            List<Val> ys = new ArrayList<>();
            for (Val k : x.keys()) ys.add(y.values().get(Dicts.find(y.keys(), k)));
            return pairwise(x.values(), ys);
        }
        return known(a) && known(b) ? Boolean.FALSE : null; // a list and a number, a set and a string: never equal
    }

    private static Boolean pairwise(List<Val> xs, List<Val> ys) {
        boolean same = true;
        for (int i = 0; i < xs.size(); i++) {
            Boolean e = equal(xs.get(i), ys.get(i));
            if (e == null) return null;
            same &= e;
        }
        return same;
    }

    /** A value {@link #equal} can compare with anything: known at compile time, all the way down. */
    private static boolean known(Val v) {
        if (v instanceof Val.Num || v instanceof Val.Bool || v instanceof Val.Str || v instanceof Val.None) return true;
        if (v instanceof Val.SetV s) return true;
        if (v instanceof Val.DictV d) return all(d.values());
        return v instanceof Val.ListV list && all(list.items());
    }

    private static boolean all(List<Val> vs) {
        return vs.stream().allMatch(SetOps::known);
    }

    private static boolean has(List<Val> xs, Val v) {
        for (Val x : xs) if (Boolean.TRUE.equals(Sets.same(x, v))) return true;
        return false;
    }

    private static boolean subset(List<Val> xs, List<Val> ys) {
        for (Val x : xs) if (!has(ys, x)) return false;
        return true;
    }

    private static List<Val> union(List<Val> xs, List<Val> ys) {
        List<Val> out = new ArrayList<>(xs);
        for (Val y : ys) if (!has(out, y)) out.add(y);
        return out;
    }

    /** The items of xs that are in ys ({@code in} true) or not in ys. */
    private static List<Val> only(List<Val> xs, List<Val> ys, boolean in) {
        List<Val> out = new ArrayList<>();
        for (Val x : xs) if (has(ys, x) == in) out.add(x);
        return out;
    }

    private Val made(List<Val> items) {
        return l.dictChanges.made(new Val.SetV(items));
    }

    private static Val bool(boolean b) {
        return new Val.Num(b ? 1 : 0, Val.PyType.BOOL);
    }

    private Val refuse(Span at, String what, String help) {
        l.diags.error("E0401", at, what, help);
        return new Val.Bad();
    }

    /** {@code s |= t} (also {@code &=}, {@code -=}, {@code ^=}): the set itself changes, as Python's in-place operators change it, so every name holding it sees the change. */
    void augmented(Val.SetV s, Ast.AugAssign a) {
        Val v = binary(a.op().substring(0, a.op().length() - 1), s, l.exprs.expr(a.value()), a.span());
        if (v instanceof Val.SetV now) l.dictChanges.change(s, now.items(), "`" + a.op() + "`", a.span());
    }

    // ---- methods -------------------------------------------------------------------------------------

    private static final java.util.Set<String> CHANGES = java.util.Set.of("add", "update", "discard", "remove", "clear");
    private static final java.util.Set<String> MAKES = java.util.Set.of("union", "intersection", "difference", "symmetric_difference",
            "issubset", "issuperset", "isdisjoint", "copy");

    /** {@code s.name(args)}; Bad after reporting. */
    Val method(Val.SetV s, String name, Ast.Call c) {
        List<Val> args = new ArrayList<>();
        for (Ast.Arg a : c.args()) {
            Val v = l.exprs.expr(a.value());
            if (v instanceof Val.Bad) return v;
            if (a.name() != null) return refuse(a.span(), "`" + name + "` of a set takes no keyword arguments", null);
            args.add(v);
        }
        if (!CHANGES.contains(name) && !MAKES.contains(name)) {
            return refuse(c.callee().span(), "a set has no method `" + name + "` in tx", "sets take add, update, discard, remove, clear, union, intersection, "
                    + "difference, symmetric_difference, issubset, issuperset, isdisjoint and copy, and the operators | & - ^");
        }
        int least = name.equals("add") || name.equals("discard") || name.equals("remove") || name.startsWith("is") || name.equals("symmetric_difference") ? 1 : 0;
        int most = name.equals("clear") || name.equals("copy") ? 0 : least == 1 ? 1 : Integer.MAX_VALUE;
        if (args.size() < least || args.size() > most) {
            return refuse(c.span(), "`" + name + "` of a set takes " + (most == 0 ? "no arguments" : most == 1 ? "one argument" : "iterables") + ", got " + args.size(),
                    "Python's TypeError");
        }
        return CHANGES.contains(name) ? change(s, name, args, c) : make(s, name, args, c);
    }

    private Val change(Val.SetV s, String name, List<Val> args, Ast.Call c) {
        List<Val> items = new ArrayList<>(s.items());
        switch (name) {
            case "clear" -> items.clear();
            case "update" -> {
                for (int i = 0; i < args.size(); i++) {
                    List<Val> more = iterable(args.get(i), c.args().get(i).value().span(), name);
                    if (more == null) return new Val.Bad();
                    items = union(items, more);
                }
            }
            default -> { // add, discard, remove
                Val v = args.get(0);
                if (!(v instanceof Val.Num || v instanceof Val.Bool || v instanceof Val.Str)) {
                    l.diags.error("E0132", c.args().get(0).value().span(), "a set holds strings, numbers and booleans known at compile time; `" + name + "` is given " + Sets.show(v),
                            v instanceof Val.T ? "for a tensor's values use `torch.unique(x)`" : null);
                    return new Val.Bad();
                }
                boolean there = has(items, v);
                if (name.equals("remove") && !there) return refuse(c.args().get(0).value().span(), "the set has no item " + show(v) + " to remove (Python's KeyError)",
                        "`discard` removes an item if it is there");
                if (name.equals("add") && !there) items.add(v);
                if (!name.equals("add")) items.removeIf(x -> Boolean.TRUE.equals(Sets.same(x, v)));
            }
        }
        return l.dictChanges.change(s, items, "`" + name + "`", c.span()) == null ? new Val.Bad() : new Val.None("`" + name + "` returns None");
    }

    private Val make(Val.SetV s, String name, List<Val> args, Ast.Call c) {
        List<Val> out = s.items();
        for (int i = 0; i < args.size(); i++) {
            List<Val> other = iterable(args.get(i), c.args().get(i).value().span(), name);
            if (other == null) return new Val.Bad();
            switch (name) {
                case "issubset" -> { return bool(subset(out, other)); }
                case "issuperset" -> { return bool(subset(other, out)); }
                case "isdisjoint" -> { return bool(only(out, other, true).isEmpty()); }
                case "union" -> out = union(out, other);
                case "intersection" -> out = only(out, other, true);
                case "difference" -> out = only(out, other, false);
                default -> out = union(only(out, other, false), only(Sets.distinct(other), out, false)); // symmetric_difference
            }
        }
        return made(new ArrayList<>(out));
    }

    /** The items of an iterable argument known at compile time, each a string, a number or a bool; null after E0132. */
    private List<Val> iterable(Val v, Span at, String name) {
        List<Val> items = Sets.items(v);
        boolean known = items != null && items.stream().allMatch(x -> x instanceof Val.Num || x instanceof Val.Bool || x instanceof Val.Str);
        if (!known) {
            l.diags.error("E0132", at, "`" + name + "` takes a set, a list, a tuple, a string, a dict or a range of strings, numbers and booleans known at compile time, found " + Sets.show(v),
                    v instanceof Val.T ? "for a tensor's values use `torch.unique(x)`" : null);
            return null;
        }
        return Sets.distinct(items);
    }

    private static String show(Val v) {
        return v instanceof Val.Str s ? Strings.repr(s.value()) : v instanceof Val.Num n ? Sequences.pyRepr(n) : ((Val.Bool) v).value() ? "True" : "False";
    }
}
