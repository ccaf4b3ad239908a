package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that outside text (a file name) put into emitted code stays in its comments and strings:
 * the emitted text, read by a lexer of its target language, has the same code as the text emitted
 * for a plain name ({@link #txCode}, {@link #javaCode}, {@link #dotStructure}), and carries no
 * character that could end a comment or a line, or drive a terminal.
 */
public final class EmittedText {
    private EmittedText() {}

    /** Any backslash that Java's first phase would read as a Unicode escape: one preceded by an even number of backslashes, followed by u. */
    private static final Pattern UNICODE_ESCAPE = Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\u");

    /** Every character is printable or a line feed: no carriage return, escape, bell, line separator, bidi override (the zero-width joiners of emoji may stay). */
    public static void onlyVisible(String what, String text) {
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean bad = c != '\n' && c != 0x200c && c != 0x200d && (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE);
            if (bad) fail(what + " holds the character U+" + String.format("%04X", c) + ":\n" + text);
        });
    }

    /** The tx code of an emitted file: the text with its {@code #} comments taken out (strings kept whole). */
    public static String txCode(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                int start = i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    char s = text.charAt(i);
                    assertTrue(s != '\n' && s != '\r', "a line break in a tx string:\n" + text);
                    i += s == '\\' ? 2 : 1;
                }
                assertTrue(i < text.length(), "an unterminated tx string:\n" + text);
                out.append(text, start, ++i);
            } else if (c == '#') { // the tx lexer: a comment runs to \r or \n
                while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The Java code of an emitted class: its comments taken out (string and character literals kept
     * whole). The text must be ASCII with no Unicode escape at all (javac would expand one before it
     * reads comments), so that this lexer reads it as javac does.
     */
    public static String javaCode(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            assertTrue(c == '\n' || c >= 0x20 && c < 0x7f, "a character that is not printable ASCII at " + i + ": U+"
                    + String.format("%04X", (int) c) + "\n" + text);
        }
        Matcher m = UNICODE_ESCAPE.matcher(text);
        assertFalse(m.find(), () -> "a Unicode escape, which javac expands before it reads comments: " + around(text, m.start()));
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                int start = i++;
                while (i < text.length() && text.charAt(i) != c) {
                    assertTrue(text.charAt(i) != '\n', "a line break in a Java literal: " + around(text, i));
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                assertTrue(i < text.length(), "an unterminated Java literal");
                out.append(text, start, ++i);
            } else if (text.startsWith("//", i)) {
                while (i < text.length() && text.charAt(i) != '\n') i++;
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                assertTrue(end >= 0, "an unterminated Java comment");
                i = end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** A DOT graph's structure: its nodes with their attribute names, its edges, and its clusters (labels and tooltips left out). */
    public static String dotStructure(String text) {
        DotEmitTest.Graph g = DotEmitTest.Graph.parse(text);
        List<String> out = new ArrayList<>();
        out.add("graph " + g.name + " " + g.graphAttrs.keySet());
        for (Map.Entry<String, Map<String, String>> n : g.nodes.entrySet()) {
            out.add("node " + n.getKey() + " " + n.getValue().keySet() + " in " + g.innermost.get(n.getKey()));
        }
        for (DotEmitTest.Edge e : g.edges) out.add("edge " + e.from() + " -> " + e.to() + " " + e.attrs());
        out.add("clusters " + g.parent);
        return String.join("\n", out);
    }

    /** The labels and tooltips of a DOT graph, decoded as Graphviz reads them. */
    public static List<String> dotTexts(String text) {
        DotEmitTest.Graph g = DotEmitTest.Graph.parse(text);
        List<String> out = new ArrayList<>(g.graphAttrs.values());
        for (Map<String, String> a : g.nodes.values()) out.addAll(a.values());
        return out;
    }

    /** A name for a test message: each character that is not printable ASCII as {@code <hex>}. */
    public static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(c -> sb.append(c < 0x20 || c >= 0x7f ? String.format("<%X>", c) : Character.toString(c)));
        return sb.toString();
    }

    private static String around(String text, int i) {
        return "`" + text.substring(Math.max(0, i - 40), Math.min(text.length(), i + 40)) + "`";
    }

    /** The same code as the plain text's, in lines: a line may differ only where both are comments. */
    public static void sameCode(String what, String plainCode, String code) {
        assertEquals(plainCode, code, what + ": text from the file name reached the code");
    }
}
