package tx.compiler.lower;

import tx.compiler.check.Val;
import tx.compiler.syntax.Span;

/**
 * Python strings, known at compile time: a name may hold one ({@code name = "loss"}), and strings
 * compare, concatenate and repeat as Python's do. An f-string with run-time fields is not text yet:
 * it is held as its parts ({@link Val.Formatted}) and printed, or placed in another f-string, as
 * those parts.
 */
final class Strings {
    private Strings() {}

    /** {@code a op b} where one operand is a string; Bad after reporting. */
    static Val binary(Lowerer l, String op, Val left, Val right, Span span) {
        if (left instanceof Val.Str a && right instanceof Val.Str b) {
            switch (op) {
                case "+": return new Val.Str(a.value() + b.value());
                case "==": return new Val.Bool(a.value().equals(b.value()));
                case "!=": return new Val.Bool(!a.value().equals(b.value()));
                case "<": return new Val.Bool(a.value().compareTo(b.value()) < 0);
                case "<=": return new Val.Bool(a.value().compareTo(b.value()) <= 0);
                case ">": return new Val.Bool(a.value().compareTo(b.value()) > 0);
                case ">=": return new Val.Bool(a.value().compareTo(b.value()) >= 0);
                default: break;
            }
        }
        if (op.equals("==") || op.equals("!=")) { // a string against a number or None: never equal, as in Python
            if (left instanceof Val.Num || right instanceof Val.Num || left instanceof Val.None || right instanceof Val.None) return new Val.Bool(op.equals("!="));
        }
        if (op.equals("*")) { // "-" * 20
            Val.Str s = left instanceof Val.Str x ? x : right instanceof Val.Str y ? y : null;
            Val n = left instanceof Val.Str ? right : left;
            if (s != null && n instanceof Val.Num num && num.py() != Val.PyType.FLOAT && num.value() < 1e6) {
                return new Val.Str(num.value() <= 0 ? "" : s.value().repeat((int) num.value()));
            }
        }
        l.diags.error("E0401", span, "`" + op + "` of " + left.describe() + " and " + right.describe() + " is not defined",
                "strings concatenate with `+`, repeat with `* n` and compare with `==`; to show a number in a string, use an f-string");
        return new Val.Bad();
    }

    /**
     * Python's {@code repr} of a string: single quotes, or double quotes when the text holds a
     * single quote and no double one; backslashes, the quote and control characters escaped.
     */
    static String repr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == q) sb.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append(q).toString();
    }
}
