package tx.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python literals a .npy header is written in, as {@code ast.literal_eval} reads them: dicts,
 * tuples, lists, strings, whole numbers (with Python 2's {@code L} suffix, which NumPy filters out
 * of version 1.0 and 2.0 headers), {@code True}, {@code False} and {@code None}. Parsed into
 * {@link Map}, {@link Tuple}, {@link List}, {@link String}, {@link Long}, {@link Boolean} and
 * {@link #NONE}. Anything else is an IllegalArgumentException saying where.
 */
final class PyLiteral {
    /** Python's None. */
    static final Object NONE = new Object() {
        @Override public String toString() {
            return "None";
        }
    };

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        static Tuple ofInts(int[] xs) {
            List<Object> items = new ArrayList<>();
            for (int x : xs) items.add((long) x);
            return new Tuple(items);
        }
    }

    private final String s;
    private int i;
    private int depth;

    private PyLiteral(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value();
        p.space();
        if (p.i < p.s.length()) throw p.fail("unexpected `" + ControlChars.escape(String.valueOf(p.s.charAt(p.i))) + "` after the value");
        return v;
    }

    private Object value() {
        space();
        if (i >= s.length()) throw fail("the text ends where a value should be");
        if (++depth > 100) throw fail("values are nested too deeply");
        try {
            char c = s.charAt(i);
            if (c == '{') return dict();
            if (c == '(') return sequence('(', ')', true);
            if (c == '[') return sequence('[', ']', false);
            if (c == '\'' || c == '"') return string();
            if (c == '-' || c == '+' || Character.isDigit(c)) return number();
            if (Character.isLetter(c) || c == '_') return word();
            throw fail("unexpected `" + ControlChars.escape(String.valueOf(c)) + "`");
        } finally {
            depth--;
        }
    }

    private Map<Object, Object> dict() {
        Map<Object, Object> out = new LinkedHashMap<>();
        i++;
        while (true) {
            space();
            if (peek('}')) return out;
            Object key = value();
            space();
            expect(':');
            out.put(key, value());
            space();
            if (peek('}')) return out;
            expect(',');
        }
    }

    private Object sequence(char open, char close, boolean tuple) {
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        i++;
        while (true) {
            space();
            if (peek(close)) break;
            items.add(value());
            space();
            if (peek(close)) break;
            expect(',');
            comma = true;
        }
        if (tuple && items.size() == 1 && !comma) return items.get(0); // (x) is x, (x,) a tuple
        return tuple ? new Tuple(items) : items;
    }

    private String string() {
        char quote = s.charAt(i++);
        StringBuilder sb = new StringBuilder();
        while (i < s.length() && s.charAt(i) != quote) {
            char c = s.charAt(i++);
            if (c == '\\' && i < s.length()) c = s.charAt(i++);
            else if (c == '\n') throw fail("a line break inside a string");
            sb.append(c);
        }
        if (i >= s.length()) throw fail("a string is not closed");
        i++;
        return sb.toString();
    }

    private Long number() {
        int start = i;
        if (s.charAt(i) == '-' || s.charAt(i) == '+') i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        String digits = s.substring(start, i);
        if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++; // Python 2's long
        if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) throw fail("a number that is not whole");
        try {
            return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
        } catch (NumberFormatException e) {
            throw fail("the number `" + digits + "` is not a whole number of at most 19 digits");
        }
    }

    private Object word() {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
        String w = ControlChars.escape(s.substring(start, i));
        return switch (w) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> NONE;
            default -> throw fail("`" + w + "` is not a literal");
        };
    }

    private void space() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) i++;
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw fail(i < s.length() ? "expected `" + c + "` at `" + ControlChars.escape(String.valueOf(s.charAt(i))) + "`" : "expected `" + c + "` at the end");
        }
    }

    private IllegalArgumentException fail(String why) {
        return new IllegalArgumentException(why + " (character " + (i + 1) + ")");
    }

    /** Python's repr of a parsed value, for messages and for writing headers: (2, 3), (3,), (), 'a', True. */
    static String repr(Object v) {
        // NOTE: control characters are escaped, as Python's repr escapes them: a header's text never reaches a terminal raw
        if (v instanceof String str) return "'" + ControlChars.escape(str.replace("\\", "\\\\").replace("'", "\\'")) + "'";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Tuple t) {
            List<String> parts = new ArrayList<>();
            for (Object x : t.items()) parts.add(repr(x));
            return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object x : l) parts.add(repr(x));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) parts.add(repr(e.getKey()) + ": " + repr(e.getValue()));
            return "{" + String.join(", ", parts) + "}";
        }
        return String.valueOf(v);
    }
}
