package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * The methods of a Python string known at compile time ({@code ''.join(words)}, {@code line.split()},
 * {@code w.lower()}, ...), and indexing and slicing a string, with Python's semantics. Characters
 * are code points, as Python's (a Java string's UTF-16 units are not).
 */
final class StrMethods {
    private final Lowerer l;

    StrMethods(Lowerer l) {
        this.l = l;
    }

    /** The characters of a string, each a string of one code point. */
    static List<Val> chars(String s) {
        List<Val> out = new ArrayList<>();
        s.codePoints().forEach(c -> out.add(new Val.Str(new String(Character.toChars(c)))));
        return out;
    }

    /** Python's order of strings: by code point. */
    static int compare(String a, String b) {
        int[] x = a.codePoints().toArray(), y = b.codePoints().toArray();
        for (int i = 0; i < Math.min(x.length, y.length); i++) if (x[i] != y[i]) return Integer.compare(x[i], y[i]);
        return Integer.compare(x.length, y.length);
    }

    /** {@code s.name(args)}; Bad after reporting (E0134 for a method tx does not have or a wrong argument). */
    Val method(Val.Str s, String name, Ast.Call c) {
        List<Val> args = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        boolean bad = false;
        for (Ast.Arg arg : c.args()) {
            Val v = l.exprs.expr(arg.value());
            bad |= v instanceof Val.Bad;
            if (arg.name() != null && !(name.equals("split") && (arg.name().equals("sep") || arg.name().equals("maxsplit")))) {
                return refuse(arg.span(), "`str." + name + "` takes no keyword argument `" + arg.name() + "` in tx", null);
            }
            if (arg.name() != null && arg.name().equals("maxsplit") && args.isEmpty()) {
                args.add(new Val.None("sep"));
                spans.add(arg.span());
            }
            args.add(v);
            spans.add(arg.value().span());
        }
        if (bad) return new Val.Bad();
        String t = s.value();
        switch (name) {
            case "join": return count(name, args, c, 1, 1) ? join(t, args.get(0), spans.get(0)) : new Val.Bad();
            case "lower": return count(name, args, c, 0, 0) ? new Val.Str(t.toLowerCase(Locale.ROOT)) : new Val.Bad();
            case "upper": return count(name, args, c, 0, 0) ? new Val.Str(t.toUpperCase(Locale.ROOT)) : new Val.Bad();
            case "strip": case "lstrip": case "rstrip": return count(name, args, c, 0, 1) ? strip(name, t, args, spans) : new Val.Bad();
            case "startswith": case "endswith": return count(name, args, c, 1, 1) ? affix(name, t, args.get(0), spans.get(0)) : new Val.Bad();
            case "replace": return count(name, args, c, 2, 3) ? replace(t, args, spans) : new Val.Bad();
            case "split": return count(name, args, c, 0, 2) ? split(t, args, spans) : new Val.Bad();
            default:
                Span at = c.callee() instanceof Ast.Attr a ? a.nameSpan() : c.span();
                return refuse(at, "tx's strings have no method `" + name + "`",
                        "tx knows join, split, strip, lstrip, rstrip, lower, upper, startswith, endswith and replace");
        }
    }

    private Val refuse(Span at, String msg, String help) {
        l.diags.error("E0134", at, msg, help);
        return new Val.Bad();
    }

    private boolean count(String name, List<Val> args, Ast.Call c, int min, int max) {
        if (args.size() >= min && args.size() <= max) return true;
        String want = min == max ? Integer.toString(min) : min + " to " + max;
        refuse(c.span(), "`str." + name + "` takes " + want + " argument" + (want.equals("1") ? "" : "s") + ", got " + args.size(), null);
        return false;
    }

    private String text(Val v, Span at, String what) {
        if (v instanceof Val.Str s) return s.value();
        refuse(at, what + " must be a string, found " + Sets.show(v), "Python raises a TypeError");
        return null;
    }

    private Val join(String sep, Val iterable, Span at) {
        List<Val> items = Sets.items(iterable);
        if (items == null) return refuse(at, "`str.join` takes a list, a tuple, a string or a set of strings, found " + Sets.show(iterable), null);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Val.Str s)) {
                return refuse(at, "`str.join`: item " + i + " is " + Sets.show(items.get(i)) + ", not a string",
                        "Python raises a TypeError (\"sequence item " + i + ": expected str instance\"); convert numbers with an f-string");
            }
            if (i > 0) sb.append(sep);
            sb.append(s.value());
        }
        return new Val.Str(sb.toString());
    }

    private Val strip(String name, String t, List<Val> args, List<Span> spans) {
        String set = null;
        if (!args.isEmpty() && !(args.get(0) instanceof Val.None)) {
            set = text(args.get(0), spans.get(0), "`str." + name + "`'s argument");
            if (set == null) return new Val.Bad();
        }
        int[] cp = t.codePoints().toArray();
        int a = 0, z = cp.length;
        if (!name.equals("rstrip")) while (a < z && strips(cp[a], set)) a++;
        if (!name.equals("lstrip")) while (z > a && strips(cp[z - 1], set)) z--;
        return new Val.Str(new String(cp, a, z - a));
    }

    private static boolean strips(int c, String set) {
        return set == null ? isSpace(c) : set.codePoints().anyMatch(x -> x == c);
    }

    /** Python's str.isspace for one character (ASCII whitespace, the separators and Unicode's spaces). */
    private static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || Character.isSpaceChar(c);
    }

    private Val affix(String name, String t, Val arg, Span at) {
        List<Val> options = arg instanceof Val.ListV list && list.tuple() ? list.items() : List.of(arg);
        boolean hit = false;
        for (Val o : options) {
            String p = text(o, at, "`str." + name + "`'s argument (a string or a tuple of strings)");
            if (p == null) return new Val.Bad();
            hit |= name.equals("startswith") ? t.startsWith(p) : t.endsWith(p);
        }
        return new Val.Bool(hit);
    }

    private Val replace(String t, List<Val> args, List<Span> spans) {
        String old = text(args.get(0), spans.get(0), "`str.replace`'s first argument");
        String by = text(args.get(1), spans.get(1), "`str.replace`'s second argument");
        Integer n = args.size() == 3 ? l.exprs.integer(args.get(2), spans.get(2), "`str.replace`'s count") : Integer.valueOf(-1);
        if (old == null || by == null || n == null) return new Val.Bad();
        if (n < 0) return new Val.Str(t.replace(old, by));
        StringBuilder sb = new StringBuilder();
        int from = 0, done = 0;
        if (old.isEmpty()) { // Python inserts before each character and at the end, count times
            int[] cp = t.codePoints().toArray();
            for (int i = 0; i <= cp.length; i++) {
                if (done < n) {
                    sb.append(by);
                    done++;
                }
                if (i < cp.length) sb.appendCodePoint(cp[i]);
            }
            return new Val.Str(sb.toString());
        }
        for (int k = t.indexOf(old); k >= 0 && done < n; k = t.indexOf(old, from)) {
            sb.append(t, from, k).append(by);
            from = k + old.length();
            done++;
        }
        return new Val.Str(sb.append(t.substring(from)).toString());
    }

    private Val split(String t, List<Val> args, List<Span> spans) {
        Val sepV = args.isEmpty() ? new Val.None("sep") : args.get(0);
        Integer max = args.size() < 2 ? Integer.valueOf(-1) : l.exprs.integer(args.get(1), spans.get(1), "`str.split`'s maxsplit");
        if (max == null) return new Val.Bad();
        List<Val> out = new ArrayList<>();
        if (sepV instanceof Val.None) {
            int[] cp = t.codePoints().toArray();
            int i = 0;
            while (true) {
                while (i < cp.length && isSpace(cp[i])) i++;
                if (i == cp.length) break;
                if (max >= 0 && out.size() == max) { // the rest, its trailing whitespace kept, as Python's
                    out.add(new Val.Str(new String(cp, i, cp.length - i)));
                    break;
                }
                int j = i;
                while (j < cp.length && !isSpace(cp[j])) j++;
                out.add(new Val.Str(new String(cp, i, j - i)));
                i = j;
            }
        } else {
            String sep = text(sepV, spans.get(0), "`str.split`'s separator");
            if (sep == null) return new Val.Bad();
            if (sep.isEmpty()) return refuse(spans.get(0), "`str.split` with an empty separator", "Python raises a ValueError; for the characters, `list(s)`");
            int from = 0;
            for (int k = t.indexOf(sep); k >= 0 && (max < 0 || out.size() < max); k = t.indexOf(sep, from)) {
                out.add(new Val.Str(t.substring(from, k)));
                from = k + sep.length();
            }
            out.add(new Val.Str(t.substring(from)));
        }
        Span at = spans.isEmpty() ? Span.NONE : spans.get(0);
        return new Val.ListV(out, Collections.nCopies(out.size(), at), false);
    }

    /** {@code s[i]}, {@code s[a:b:k]}: a string, as a list of its characters is indexed and joined again; a negative step as Python's. */
    Val index(Val.Str s, Ast.Index ix) {
        List<Val> cs = chars(s.value());
        if (ix.subs().size() == 1 && ix.subs().get(0) instanceof Ast.Range rg && rg.step() != null) return slice(cs, rg);
        Val got = l.sequences.index(new Val.ListV(cs, Collections.nCopies(cs.size(), ix.span()), false), ix, "a string");
        return got instanceof Val.ListV part ? joined(part.items()) : got;
    }

    private static Val joined(List<Val> cs) {
        StringBuilder sb = new StringBuilder();
        for (Val v : cs) sb.append(((Val.Str) v).value());
        return new Val.Str(sb.toString());
    }

    /** {@code s[a:b:k]} with Python's bounds for either sign of k ({@code w[::-1]} reverses); k = 0 is E0204 (Python's ValueError). */
    private Val slice(List<Val> cs, Ast.Range rg) {
        Integer st = l.exprs.integer(l.exprs.expr(rg.step()), rg.step().span(), "a slice step");
        Integer lo = rg.lo() == null ? null : l.exprs.integer(l.exprs.expr(rg.lo()), rg.lo().span(), "a slice bound");
        Integer hi = rg.hi() == null ? null : l.exprs.integer(l.exprs.expr(rg.hi()), rg.hi().span(), "a slice bound");
        if (st == null || rg.lo() != null && lo == null || rg.hi() != null && hi == null) return new Val.Bad();
        if (st == 0) {
            l.diags.error("E0204", rg.step().span(), "a slice step must not be zero", "Python raises a ValueError");
            return new Val.Bad();
        }
        int n = cs.size();
        int a = lo == null ? (st > 0 ? 0 : n - 1) : bound(lo, n, st);
        int z = hi == null ? (st > 0 ? n : -1) : bound(hi, n, st);
        List<Val> out = new ArrayList<>();
        for (int k = a; st > 0 ? k < z : k > z; k += st) out.add(cs.get(k));
        return joined(out);
    }

    /** A slice bound as Python's slice.indices: from the end when negative, then clamped to [0, n] (step > 0) or [-1, n - 1] (step < 0). */
    static int bound(int i, int n, int st) {
        int k = i < 0 ? i + n : i;
        return st > 0 ? Math.max(0, Math.min(n, k)) : Math.max(-1, Math.min(n - 1, k));
    }
}
