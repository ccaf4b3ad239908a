package tx.compiler.syntax;

/**
 * Text as one line of visible characters: a file's name on the {@code -->} line of a diagnostic and
 * in the comments of emitted code, where a line break would end the comment and start code, and
 * the source line a diagnostic shows, where an escape sequence would drive the terminal and a bidi
 * override would reorder what the reader sees. (Messages that quote a path or a file's contents
 * use {@code tx.runtime.io.ControlChars}, Python's escapes, instead.)
 */
public final class Printable {
    private Printable() {}

    /**
     * The text with each character that is not visible replaced: an ASCII control character by its
     * control picture ({@code ␊} for a line feed, {@code ␛} for escape, {@code ␡} for delete); any
     * other control, format (a bidi override), line or paragraph separator or half a surrogate pair by
     * U+FFFD. NOTE: the zero-width joiners stay, as emoji sequences need them.
     */
    public static String line(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(visible(c)));
        return sb.toString();
    }

    private static int visible(int c) {
        if (c < 0x20) return 0x2400 + c;
        if (c == 0x7f) return 0x2421;
        if (c == 0x200c || c == 0x200d) return c;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SURROGATE -> 0xFFFD;
            default -> c;
        };
    }
}
