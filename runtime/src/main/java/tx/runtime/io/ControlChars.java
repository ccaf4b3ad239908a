package tx.runtime.io;

/**
 * Text from outside the program (a path, an .npy header, an operating system's message) made safe
 * to show on a terminal: control characters are written as escapes, as Python's repr writes them,
 * so an escape sequence cannot recolour or rewrite the screen, a NUL cannot make a tool take
 * standard error for binary data, and a line break cannot forge a line of output.
 */
public final class ControlChars {
    private ControlChars() {}

    /**
     * {@code text} with each control character escaped: {@code \n \r \t \0}, the others below U+0020,
     * U+007F and the C1 controls U+0080..U+009F as {@code \x1b}; the invisible characters that
     * reorder or hide text (bidirectional overrides and isolates, the zero-width space, the
     * left-to-right and right-to-left marks, U+2028, U+2029, U+FEFF) as a backslash, {@code u} and four hex digits. NOTE: the
     * zero-width joiners U+200C and U+200D stay, as emoji sequences need them. Everything else, backslashes included, is left as it is.
     */
    public static String escape(String text) {
        if (text == null) return null;
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String e = escape(c);
            if (e != null && out == null) out = new StringBuilder(text.length() + 8).append(text, 0, i);
            if (out != null) {
                if (e != null) out.append(e);
                else out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The escape of one character, or null when it prints as itself. */
    private static String escape(char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case '\0': return "\\0";
            default: break;
        }
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return String.format("\\x%02x", (int) c);
        if (c == 0x200b || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029 || c == 0xfeff) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }
}
