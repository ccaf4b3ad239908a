package tx.compiler.emit;

import java.util.List;

/** The layout the emitters share: code lines with their `line N` comments aligned in one column. */
final class Layout {
    private Layout() {}

    /**
     * Appends {@code lines} (each {code, comment or null}; an empty code is a blank line) indented
     * by {@code indent}, the comments aligned after the longest code line up to {@code maxWidth}.
     */
    static void append(StringBuilder sb, List<String[]> lines, String indent, int maxWidth) {
        int width = 0;
        for (String[] l : lines) if (l[1] != null) width = Math.max(width, l[0].length());
        width = Math.min(width, maxWidth);
        for (String[] l : lines) {
            if (l[0].isEmpty()) {
                sb.append('\n');
                continue;
            }
            sb.append(indent).append(l[0]);
            if (l[1] != null) sb.append(" ".repeat(Math.max(1, width - l[0].length() + 2))).append(l[1]);
            sb.append('\n');
        }
    }
}
