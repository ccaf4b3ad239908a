package tx.compiler.emit;

import tx.compiler.syntax.Printable;

/**
 * Text from outside the program (the source file's name, a path in {@code load}) as each emitter
 * writes it: in a comment or a string, and nowhere else, so that no name can end the comment or
 * the string and write code. One method per place in each target language.
 */
public final class Escapes {
    private Escapes() {}

    // ---- tx -------------------------------------------------------------------------------------------

    /** For a {@code #} comment, which runs to the next {@code \r} or {@code \n}: {@link Printable#line}, which leaves neither. */
    public static String txComment(String s) {
        return Printable.line(s);
    }

    /**
     * A tx string literal of the same value: {@code \\}, {@code \"}, {@code \n} and {@code \t} are
     * tx's escapes. tx has none for other control characters (a carriage return, escape): written
     * raw they would reach a terminal that shows the file, so a text with one is refused.
     */
    public static String txString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    String one = Character.toString(c);
                    if (!Printable.line(one).equals(one)) {
                        throw new Derivation.Unexpressible("the string \"" + Printable.line(s) + "\" holds a control character, which tx source cannot spell");
                    }
                    sb.append(one);
                }
            }
        });
        return sb.append('"').toString();
    }

    // ---- Java -----------------------------------------------------------------------------------------

    /**
     * For a Java comment ({@code //} or {@code /** *}{@code /}): printable ASCII only, with no
     * backslash (javac expands a backslash-u escape anywhere in the file, comments included, before
     * it reads them) and no {@code *}{@code /}. Any other character becomes {@code ?}: the comment
     * only names the file to a reader.
     */
    public static String javaComment(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? c : '?');
        }
        return sb.toString().replace("*/", "* /");
    }

    /**
     * A Java string literal of the same value, in printable ASCII: {@code \\}, {@code \"}, the
     * named escapes, an octal escape for the other ASCII control characters, and a Unicode escape for
     * the rest. NOTE: a backslash-u escape here is safe: javac expands it to a character that is
     * neither a quote, a backslash nor a line break, and the backslash it starts with follows an
     * even run of backslashes only where this method wrote it.
     */
    public static String javaString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append(c);
                    else if (c < 0x80) sb.append(String.format("\\%03o", (int) c));
                    else sb.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return sb.append('"').toString();
    }

    // ---- DOT ------------------------------------------------------------------------------------------

    /** For a DOT {@code //} comment, which runs to the end of the line: {@link Printable#line}. */
    public static String dotComment(String s) {
        return Printable.line(s);
    }

    /**
     * The text of a DOT quoted string: {@code "} and {@code \} escaped, so that no Graphviz escape
     * ({@code \n}, {@code \N}, {@code \G}, ...) is read into it; line breaks become spaces, and other
     * characters that are not visible are shown as {@link Printable#line} shows them.
     */
    public static String dotText(String s) {
        String shown = Printable.line(s.replace('\n', ' ').replace('\r', ' '));
        StringBuilder sb = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }
}
