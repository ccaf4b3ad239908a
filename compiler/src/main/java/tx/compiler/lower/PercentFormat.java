package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.PyType;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt.PrintItem;

/**
 * Python's printf-style formatting, {@code 'Got %d / %d correct (%.2f%%)' % (a, b, c)} (CS231n's
 * and many tutorials' prints): each conversion {@code %[flags][width][.precision]type} is the
 * f-string field {@code {value!conv:spec}} that formats as it does, so values known only at run
 * time (a loss, an int64 count) format when the program runs. The flags {@code - + space 0 #}, a
 * width, a precision and the types {@code d i u f F e E g G s r} and {@code %%} are Python's; a
 * float known at compile time under {@code %d} is truncated, as Python's int() does. The right
 * side is a tuple of values, or one value. What tx does not format (E0402, where Python raises or
 * tx has no such conversion): too few or too many values, a {@code %(name)s} mapping, a {@code *}
 * width, the types {@code x X o c a}, a precision with {@code d}, and {@code %d} of a float known
 * only at run time (write {@code int(x)}).
 */
final class PercentFormat {
    private final Lowerer l;

    PercentFormat(Lowerer l) {
        this.l = l;
    }

    /** {@code fmt % right}, where the left operand of x was the string fmt. */
    Val format(String fmt, Ast.Binary x) {
        Val right = l.exprs.expr(x.right());
        if (right instanceof Val.Bad) return right;
        List<Val> values = right instanceof Val.Tuple || right instanceof Val.ListV list && list.tuple() ? Sequences.items(right) : List.of(right);
        List<Ast.Expr> exprs = x.right() instanceof Ast.TupleLit t && t.items().size() == values.size() ? t.items() : null;
        List<PrintItem> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int next = 0, i = 0;
        while (i < fmt.length()) {
            char ch = fmt.charAt(i++);
            if (ch != '%') {
                text.append(ch);
                continue;
            }
            int end = conversionEnd(fmt, i);
            if (end < 0) return refused(x.left().span(), "incomplete format: `" + fmt.substring(i - 1) + "`", null);
            String conv = fmt.substring(i, end);
            i = end;
            if (conv.equals("%")) {
                text.append('%');
                continue;
            }
            if (next >= values.size()) return refused(x.span(), "not enough arguments for format string (Python's TypeError)", null);
            Ast.Expr at = exprs != null ? exprs.get(next) : x.right();
            Ast.Field f = field(conv, at, x.left().span());
            if (f == null) return new Val.Bad();
            Val v = integral(conv, values.get(next++), at.span());
            if (v == null) return new Val.Bad();
            Formatting.append(parts, new PrintItem.Text(text.toString()));
            text.setLength(0);
            PrintItem item = new Formatting(l).field(v, f);
            if (item == null) return new Val.Bad();
            Formatting.append(parts, item);
        }
        if (next < values.size()) return refused(x.span(), "not all arguments converted during string formatting (Python's TypeError)", null);
        Formatting.append(parts, new PrintItem.Text(text.toString()));
        parts.removeIf(p -> p instanceof PrintItem.Text t && t.text().isEmpty());
        if (parts.isEmpty()) return new Val.Str("");
        if (parts.size() == 1 && parts.get(0) instanceof PrintItem.Text t) return new Val.Str(t.text());
        return new Val.Formatted(parts);
    }

    /** The index after the conversion that starts at i (after its `%`), or -1 when the string ends first. */
    private static int conversionEnd(String fmt, int i) {
        while (i < fmt.length() && !Character.isLetter(fmt.charAt(i)) && fmt.charAt(i) != '%') i++;
        return i < fmt.length() ? i + 1 : -1;
    }

    /** The f-string field that formats as the conversion does, or null after E0402. */
    private Ast.Field field(String conv, Ast.Expr value, Span at) {
        char type = conv.charAt(conv.length() - 1);
        String body = conv.substring(0, conv.length() - 1).replaceAll("[hlL]$", ""); // a length modifier, which Python ignores
        if (!body.matches("[-+ 0#]*(\\d*)(\\.\\d*)?") || "diufFeEgGsr".indexOf(type) < 0) {
            return refusedField(at, "tx does not format `%" + conv + "`", "tx formats %d %i %u %f %F %e %E %g %G %s %r and %%, with the flags - + space 0 #, "
                    + "a width and a precision; for others, use an f-string");
        }
        String flags = body.replaceAll("[^-+ 0#].*", ""), rest = body.substring(flags.length()).replaceAll("\\.$", ".0"); // `%.f`: Python's precision 0
        boolean left = flags.contains("-"), text = type == 's' || type == 'r';
        if ("diu".indexOf(type) >= 0 && rest.contains(".")) return refusedField(at, "tx does not format a precision with `%" + type + "`", "pad with zeros instead: `%05d`");
        StringBuilder spec = new StringBuilder();
        if (left) spec.append('<');
        else if (text && !rest.isEmpty()) spec.append('>'); // %5s aligns right, where a string's format spec aligns left
        if (!text && flags.contains("+")) spec.append('+');
        else if (!text && flags.contains(" ")) spec.append(' ');
        if (!text && flags.contains("#")) spec.append('#');
        if (!text && !left && flags.contains("0")) spec.append('0');
        spec.append(rest);
        if (!text) spec.append("diu".indexOf(type) >= 0 ? 'd' : type);
        return new Ast.Field(value, text ? type : (char) 0, spec.toString(), at, at);
    }

    /** The value a `%d` formats: an int, a bool, an int64 tensor, or a compile-time float truncated; null after E0402. */
    private Val integral(String conv, Val v, Span at) {
        if ("diu".indexOf(conv.charAt(conv.length() - 1)) < 0) return v;
        if (v instanceof Val.Num n && n.py() == PyType.FLOAT) {
            if (Double.isNaN(n.value()) || Double.isInfinite(n.value())) {
                refused(at, "`%d` of a float that is not finite (Python's int() raises)", null);
                return null;
            }
            return new Val.Num((double) (long) n.value(), PyType.INT);
        }
        if (v instanceof T t && (t.item() ? t.py() == PyType.FLOAT : t.isScalar() && t.dtype() == tx.runtime.tensor.DType.FLOAT64)) {
            refused(at, "`%d` of a float known only when the program runs", "convert it first, as Python's %d does: `int(x)`");
            return null;
        }
        return v;
    }

    private Val refused(Span at, String message, String help) {
        l.diags.error("E0402", at, message, help);
        return new Val.Bad();
    }

    private Ast.Field refusedField(Span at, String message, String help) {
        refused(at, message, help);
        return null;
    }
}
