package tx.compiler.lower;

import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Stmt.PrintItem;

/**
 * Python's built-ins of plain values: {@code str(x)} and {@code repr(x)}, formatted as Python
 * formats them ({@code str(0.1)} is {@code 0.1}, {@code str(1e20)} {@code 1e+20}, a list by its
 * items' reprs; a tensor as {@code print} shows it, a value known only at run time making a string
 * known then, as an f-string does); {@code int(s)} of a string known at compile time (Python's
 * ValueError, E0401, for one that is not a whole number); {@code abs(v)} of a Python number,
 * a number of its type, known at compile time or at run time (a tensor's stays {@code torch.abs}); and {@code dict(...)}, a new dict.
 */
final class PyValues {
    private final Lowerer l;

    PyValues(Lowerer l, Map<String, Builtins.Rule> rules) {
        this.l = l;
        rules.put("str", a -> text(a, 's'));
        rules.put("repr", a -> text(a, 'r'));
        rules.put("dict", this::dict);
        Builtins.Rule toInt = rules.get("int"), abs = rules.get("abs");
        rules.put("int", a -> isString(a) ? parseInt(a) : toInt.apply(a));
        rules.put("abs", a -> {
            Val v = a.pos.size() == 1 && a.kw.isEmpty() ? a.pos.get(0) : null;
            if (isNumber(v)) return absolute(v);
            Val out = abs.apply(a);
            // a Python number known only at run time (`abs(loss.item())`) stays one, of its type
            return v instanceof Val.T t && t.item() && out instanceof Val.T r ? Val.T.scalar(r.var(), t.py() == Val.PyType.FLOAT ? Val.PyType.FLOAT : Val.PyType.INT) : out;
        });
    }

    private static boolean isString(Args a) {
        return a.pos.size() == 1 && a.kw.isEmpty() && a.pos.get(0) instanceof Val.Str;
    }

    private static boolean isNumber(Val v) {
        return v instanceof Val.Num || v instanceof Val.Bool;
    }

    /** {@code abs(-3)} is 3, {@code abs(True)} 1 (an int), {@code abs(-0.0)} 0.0. */
    private static Val absolute(Val v) {
        if (v instanceof Val.Bool b) return new Val.Num(b.value() ? 1 : 0, Val.PyType.INT);
        Val.Num n = (Val.Num) v;
        return new Val.Num(Math.abs(n.value()), n.py() == Val.PyType.BOOL ? Val.PyType.INT : n.py());
    }

    /**
     * {@code str(x)} ({@code conversion} 's') or {@code repr(x)} ('r'): what the f-string
     * {@code f"{x!s}"} ({@code f"{x!r}"}) gives, a string when x is known at compile time.
     * {@code str()} is the empty string.
     */
    private Val text(Args a, char conversion) {
        String fn = conversion == 's' ? "str" : "repr";
        if (a.call.callee() instanceof Ast.Attr at) { // x.str(): Python's AttributeError
            l.diags.error("E0103", at.nameSpan(), "`." + fn + "()` is not a method", "write `" + fn + "(x)`");
            return null;
        }
        if (!a.shape(conversion == 's' ? 0 : 1, 1)) return null;
        if (a.pos.isEmpty()) return new Val.Str("");
        PrintItem item = item(a.pos.get(0), conversion, new Ast.Name(fn, a.spanOf(0, null))); // the expression stands for where to report
        if (item == null) return null;
        if (item instanceof PrintItem.Text t) return new Val.Str(t.text());
        List<PrintItem> parts = new java.util.ArrayList<>();
        flatten(item, parts);
        if (parts.stream().allMatch(p -> p instanceof PrintItem.Text)) {
            StringBuilder sb = new StringBuilder();
            for (PrintItem p : parts) sb.append(((PrintItem.Text) p).text());
            return new Val.Str(sb.toString());
        }
        return new Val.Formatted(parts);
    }

    /** The value as {@code f"{v!s}"} shows it; a dict as {@code print} does (each key and value by its repr); null after reporting. */
    private PrintItem item(Val v, char conversion, Ast.Expr at) {
        if (v instanceof Val.DictV d) {
            List<PrintItem> values = new java.util.ArrayList<>();
            for (Val x : d.values()) values.add(item(x, 'r', at));
            if (values.contains(null)) return null;
            java.util.Iterator<PrintItem> next = values.iterator();
            return Dicts.print(d, x -> next.next());
        }
        return new Formatting(l).field(v, new Ast.Field(at, conversion, "", at.span(), at.span()));
    }

    /**
     * {@code dict()}, {@code dict(d)} (a new dict of d's items), {@code dict(pairs)} (of a list of
     * key-value pairs known at compile time) and keywords, {@code dict(lr=0.1, **base)}: a new dict,
     * the keywords after the positional items (a later key replacing an earlier one's value).
     */
    private Val dict(Args a) {
        if (a.pos.size() > 1) {
            l.diags.error("E0104", a.span(), "`dict` takes at most one positional argument, got " + a.pos.size(), "Python's TypeError");
            return null;
        }
        Dicts dicts = new Dicts(l);
        List<Val> keys = new java.util.ArrayList<>(), values = new java.util.ArrayList<>();
        List<Val> pairs = a.pos.isEmpty() ? List.of() : a.pos.get(0) instanceof Val.DictV d ? null : Sequences.items(a.pos.get(0));
        if (a.pos.size() == 1 && a.pos.get(0) instanceof Val.DictV d) {
            keys.addAll(d.keys());
            values.addAll(d.values());
        } else if (pairs == null) {
            l.diags.error("E0401", a.spanOf(0, null), "`dict` takes a dict or a list of key-value pairs known at compile time, found " + Sets.show(a.pos.get(0)), null);
            return null;
        }
        for (Val p : pairs == null ? List.<Val>of() : pairs) {
            List<Val> kv = Sequences.items(Sequences.named(p, a.spanOf(0, null)));
            if (kv == null || kv.size() != 2) {
                l.diags.error("E0401", a.spanOf(0, null), "`dict` of a list takes pairs (a key and its value); an item is " + Sets.show(p),
                        "Python's TypeError or ValueError: each item must be a sequence of two");
                return null;
            }
            Val k = dicts.key(kv.get(0), a.spanOf(0, null));
            if (k == null) return null;
            Dicts.put(keys, values, k, kv.get(1));
        }
        for (Map.Entry<String, Val> e : a.kw.entrySet()) Dicts.put(keys, values, new Val.Str(e.getKey()), e.getValue());
        return l.dictChanges.made(new Val.DictV(keys, values));
    }

    private static void flatten(PrintItem item, List<PrintItem> out) {
        if (item instanceof PrintItem.Joined j) for (PrintItem p : j.parts()) flatten(p, out);
        else Formatting.append(out, item);
    }

    private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile("[+-]?\\d(?:_?\\d)*");

    /** {@code int(s)}: Python's int of a decimal string (spaces around it, a sign, underscores between digits); E0401 for anything else. */
    private Val parseInt(Args a) {
        String s = ((Val.Str) a.pos.get(0)).value(), t = s.strip();
        if (!WHOLE.matcher(t).matches()) {
            l.diags.error("E0401", a.spanOf(0, null), "invalid literal for int() with base 10: " + Strings.repr(s) + " (Python's ValueError)",
                    t.matches("[+-]?[0-9_.eE+-]+") ? "for a number with a point or an exponent: `int(float(s))`" : null);
            return null;
        }
        double v = new java.math.BigInteger(t.replace("_", "")).doubleValue();
        return new Val.Num(v, Val.PyType.INT);
    }
}
