package tx.runtime.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's format mini-language ({@code format(value, spec)}, the part after {@code :} in an
 * f-string field) for floats, ints, bools and strings, reproduced exactly:
 * {@code [[fill]align][sign][#][0][width][grouping][.precision][type]} with the types
 * {@code d f F e E g G %} and none (LANGUAGE.md §2).
 *
 * <p>Numbers are rounded from the double's exact binary value, half to even, as CPython's
 * correctly rounded {@code dtoa} does ({@link PyFloat}): {@code format(0.125, '.2f')} is
 * {@code 0.12}, {@code format(2.675, '.2f')} is {@code 2.67} (2.675 is 2.67499999... in binary).
 * A {@link Spec} is parsed once (at compile time, where a bad one is a located error) and applied
 * at run time.
 */
public final class PyFormat {
    /** Widths and precisions above this are refused: Python would build a string that large. */
    public static final int MAX_WIDTH = 10_000;

    private PyFormat() {}

    /** What an f-string field formats: a Python bool, int or float, or a tensor's printed form. */
    public enum Kind { BOOL, INT, FLOAT, TENSOR }

    /** A bad spec, or a spec that does not apply to a value of that type; the message is Python's where Python has one. */
    public static final class FormatException extends IllegalArgumentException {
        public FormatException(String message) {
            super(message);
        }
    }

    /**
     * A parsed spec. {@code fill} and {@code align} are 0 when not given; {@code width} and
     * {@code precision} -1; {@code grouping} is 0, {@code ','} or {@code '_'}; {@code type} 0 for none.
     */
    public record Spec(String text, int fill, char align, char sign, boolean alternate, boolean zero, int width,
                       char grouping, int precision, char type) {
        public static final Spec EMPTY = new Spec("", (char) 0, (char) 0, (char) 0, false, false, -1, (char) 0, -1, (char) 0);

        public boolean isEmpty() {
            return text.isEmpty();
        }

        /** Parses a spec, or throws {@link FormatException} with Python's message. */
        public static Spec parse(String s) {
            int i = 0, n = s.length(), fill = 0;
            char align = 0, sign = 0, grouping = 0, type = 0;
            int next = n == 0 ? 0 : Character.charCount(s.codePointAt(0)); // the fill may be any character, even outside the BMP
            if (n > next && isAlign(s.charAt(next))) {
                fill = s.codePointAt(0);
                align = s.charAt(next);
                i = next + 1;
            } else if (n >= 1 && isAlign(s.charAt(0))) {
                align = s.charAt(0);
                i = 1;
            }
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-' || s.charAt(i) == ' ')) sign = s.charAt(i++);
            if (i < n && s.charAt(i) == 'z') throw new FormatException("the `z` option (negative zero as zero) is not supported in tx");
            boolean alternate = false, zero = false;
            if (i < n && s.charAt(i) == '#') {
                alternate = true;
                i++;
            }
            if (i < n && s.charAt(i) == '0') {
                zero = true;
                i++;
            }
            int start = i;
            while (i < n && Character.isDigit(s.charAt(i))) i++;
            int width = number(s, start, i);
            if (i < n && (s.charAt(i) == ',' || s.charAt(i) == '_')) {
                grouping = s.charAt(i++);
                if (i < n && (s.charAt(i) == ',' || s.charAt(i) == '_')) throw new FormatException("Cannot specify both ',' and '_'.");
            }
            int precision = -1;
            if (i < n && s.charAt(i) == '.') {
                start = ++i;
                while (i < n && Character.isDigit(s.charAt(i))) i++;
                if (i == start) throw new FormatException("Format specifier missing precision");
                precision = number(s, start, i);
            }
            if (i < n) type = s.charAt(i++);
            if (i < n) throw new FormatException("Invalid format specifier '" + s + "'");
            return new Spec(s, fill, align, sign, alternate, zero, width, grouping, precision, type);
        }

        private static boolean isAlign(char c) {
            return c == '<' || c == '>' || c == '^' || c == '=';
        }

        private static int number(String s, int from, int to) {
            if (from == to) return -1;
            if (to - from > 5 || Integer.parseInt(s.substring(from, to)) > MAX_WIDTH) {
                throw new FormatException("a width or precision above " + MAX_WIDTH + " is not supported in tx");
            }
            return Integer.parseInt(s.substring(from, to));
        }

        /** Throws unless this spec applies to a float (Python's float.__format__). */
        public void checkFloat(String typeName) {
            if ("eEfFgG%".indexOf(type) < 0 && type != 0) throw unknownCode(typeName);
        }

        /** Throws unless this spec applies to an int or a bool (Python's int.__format__). */
        public void checkInt(String typeName) {
            if ("deEfFgG%".indexOf(type) < 0 && type != 0) throw unknownCode(typeName);
            if ((type == 'd' || type == 0) && precision >= 0) throw new FormatException("Precision not allowed in integer format specifier");
        }

        /** Throws unless this spec applies to a string (Python's str.__format__). */
        public void checkString() {
            if (type != 's' && type != 0) throw unknownCode("str");
            if (sign != 0) throw new FormatException("Sign not allowed in string format specifier");
            if (alternate) throw new FormatException("Alternate form (#) not allowed in string format specifier");
            if (align == '=') throw new FormatException("'=' alignment not allowed in string format specifier");
            if (grouping != 0) throw new FormatException("Cannot specify '" + grouping + "' with 's'.");
        }

        private FormatException unknownCode(String typeName) {
            if ("bcnoxX".indexOf(type) >= 0 && !typeName.equals("str")) {
                return new FormatException("the format code '" + type + "' is not supported in tx (it takes d f F e E g G % or none)");
            }
            return new FormatException("Unknown format code '" + type + "' for object of type '" + typeName + "'");
        }
    }

    // ---- values ---------------------------------------------------------------------------------------

    /** Python's {@code format(v, spec)} for a float (the spec was checked with {@link Spec#checkFloat}). */
    public static String formatFloat(double v, Spec spec) {
        if (spec.isEmpty()) return PyFloat.repr(v);
        char type = spec.type();
        String body;
        if (type == '%') {
            body = fixed(v * 100, spec.precision() < 0 ? 6 : spec.precision(), spec) + "%";
        } else if (type == 'f' || type == 'F') {
            body = fixed(v, spec.precision() < 0 ? 6 : spec.precision(), spec);
        } else if (type == 'e' || type == 'E') {
            body = sci(v, spec.precision() < 0 ? 6 : spec.precision(), spec.alternate());
        } else if (type == 'g' || type == 'G') {
            body = general(v, spec.precision() < 0 ? 6 : spec.precision(), spec.alternate(), false);
        } else if (spec.precision() >= 0) {
            body = general(v, spec.precision(), spec.alternate(), true); // like g, but 1.0 keeps its .0
        } else {
            body = stripSign(PyFloat.repr(v));
        }
        if (Character.isUpperCase(type)) body = body.toUpperCase(java.util.Locale.ROOT);
        return pad(sign(v, spec.sign()), body, spec, true);
    }

    /** Python's {@code format(v, spec)} for an int (checked with {@link Spec#checkInt}); the float types format {@code float(v)}. */
    public static String formatInt(long v, Spec spec) {
        if (spec.type() != 0 && spec.type() != 'd') return formatFloat((double) v, spec);
        String digits = v == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(Math.abs(v));
        return pad(v < 0 ? "-" : spec.sign() == '+' ? "+" : spec.sign() == ' ' ? " " : "", digits, spec, true);
    }

    /** Python's {@code format(b, spec)}: {@code True}/{@code False} for an empty spec, else the int 1/0. */
    public static String formatBool(boolean b, Spec spec) {
        if (spec.isEmpty()) return b ? "True" : "False";
        return formatInt(b ? 1 : 0, spec);
    }

    /** Python's {@code format(s, spec)} for a string (checked with {@link Spec#checkString}): precision truncates. */
    public static String formatString(String s, Spec spec) {
        String body = spec.precision() >= 0 && spec.precision() < s.codePointCount(0, s.length())
                ? s.substring(0, s.offsetByCodePoints(0, spec.precision())) : s;
        return pad("", body, spec, false);
    }

    // ---- the number layouts --------------------------------------------------------------------------

    private static String fixed(double v, int decimals, Spec spec) {
        String s = stripSign(PyFloat.formatFixed(v, decimals));
        return spec.alternate() && decimals == 0 && Double.isFinite(v) ? s + "." : s;
    }

    private static String sci(double v, int decimals, boolean alternate) {
        String s = stripSign(PyFloat.formatSci(v, decimals));
        if (!alternate || decimals > 0 || !Double.isFinite(v)) return s;
        int e = s.indexOf('e');
        return s.substring(0, e) + "." + s.substring(e); // 1.e+01
    }

    /**
     * Python's {@code g}: round to {@code p} significant digits (0 counts as 1); with the decimal
     * exponent x of the rounded value, fixed notation if -4 <= x < p, else scientific; then trailing
     * zeros (and a bare point) are dropped unless {@code alternate}. {@code addDot0} (no type, with a
     * precision) keeps one zero after the point of a whole number in fixed notation.
     */
    private static String general(double v, int p, boolean alternate, boolean addDot0) {
        if (!Double.isFinite(v)) return stripSign(PyFloat.formatFixed(v, 0));
        int precision = Math.max(p, 1);
        int exponent = 0;
        if (v != 0.0) {
            BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(precision, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - 1 - rounded.scale();
        }
        // NOTE: with no type (addDot0) CPython switches to scientific one exponent earlier: format(100.0, '.3') is 1e+02
        String s = exponent >= -4 && exponent < (addDot0 ? precision - 1 : precision)
                ? stripSign(PyFloat.formatFixed(v, precision - 1 - exponent))
                : stripSign(PyFloat.formatSci(v, precision - 1));
        if (alternate) return s.indexOf('.') < 0 && s.indexOf('e') < 0 ? s + "." : s.indexOf('.') < 0 ? s.replace("e", ".e") : s;
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e), tail = e < 0 ? "" : s.substring(e);
        if (mantissa.indexOf('.') >= 0) mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        if (addDot0 && e < 0 && mantissa.indexOf('.') < 0) mantissa += ".0";
        return mantissa + tail;
    }

    private static String stripSign(String s) {
        return s.startsWith("-") ? s.substring(1) : s;
    }

    /** The sign to write: {@code -} for negative numbers and -0.0 (Python keeps it), else per the spec's sign option. */
    private static String sign(double v, char option) {
        if (Double.doubleToRawLongBits(v) < 0 && !Double.isNaN(v)) return "-";
        return option == '+' ? "+" : option == ' ' ? " " : "";
    }

    // ---- padding and grouping ------------------------------------------------------------------------

    /**
     * Groups the integer digits, then pads to the width: numbers align right by default, strings
     * left; {@code =} (and the {@code 0} option, which also makes the fill {@code 0}) pads between
     * the sign and the digits. NOTE: zero padding with grouping pads the digits themselves, with
     * separators, until the width is reached, so it may overshoot by one, as Python's
     * {@code format(1234, '08,d')} gives {@code 0,001,234}.
     */
    private static String pad(String sign, String body, Spec spec, boolean number) {
        char align = spec.align() != 0 ? spec.align() : spec.zero() && number ? '=' : number ? '>' : '<';
        int fill = spec.fill() != 0 ? spec.fill() : spec.zero() && spec.align() == 0 ? '0' : ' ';
        int width = Math.max(spec.width(), 0);
        if (number && spec.grouping() != 0) body = group(body, spec.grouping(), fill == '0' && align == '=' ? width - sign.length() : 0);
        int len = sign.codePointCount(0, sign.length()) + body.codePointCount(0, body.length());
        int missing = Math.max(0, width - len);
        String f = new String(Character.toChars(fill));
        return switch (align) {
            case '<' -> sign + body + f.repeat(missing);
            case '^' -> f.repeat(missing / 2) + sign + body + f.repeat(missing - missing / 2);
            case '=' -> sign + f.repeat(missing) + body;
            default -> f.repeat(missing) + sign + body;
        };
    }

    /** Inserts separators every three digits of the leading run of digits, zero-padding it to {@code minWidth} first (with its separators). */
    private static String group(String body, char sep, int minWidth) {
        int end = 0;
        while (end < body.length() && Character.isDigit(body.charAt(end))) end++;
        if (end == 0) return body; // inf, nan
        String digits = body.substring(0, end), rest = body.substring(end);
        String grouped = insert(digits, sep);
        while (grouped.length() + rest.length() < minWidth) {
            digits = "0" + digits;
            grouped = insert(digits, sep);
        }
        return grouped + rest;
    }

    private static String insert(String digits, char sep) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) sb.append(sep);
            sb.append(digits.charAt(i));
        }
        return sb.toString();
    }
}
