package tx.compiler.syntax;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects diagnostics for one source file and renders them as rustc does:
 * <pre>
 * error[E0301]: message
 *  --> file.tx:3:1
 *   |
 * 3 | y.backward()
 *   | ^^^^^^^^^^^^
 *   = help: ...
 * </pre>
 * Collection can be muted while the checker explores (a loop body's fixpoint).
 */
public final class Diagnostics {
    /** Source lines longer than this are shown as a window around the span. */
    static final int WIDTH = 100;

    /** At most this many diagnostics are printed; the rest are counted. */
    public static final int LIMIT = 100;

    private final String fileName;
    private final String[] lines;
    private final List<Diagnostic> all = new ArrayList<>();
    private int muted;

    public Diagnostics(String fileName, String source) {
        this.fileName = fileName;
        this.lines = source.split("\r?\n", -1);
    }

    public String fileName() {
        return fileName;
    }

    /**
     * Names that statements with syntax errors may assign (or define as functions): the checker,
     * which goes on with the statements that parsed, reports nothing about them (see {@link Parse}).
     */
    private java.util.Set<String> brokenNames = java.util.Set.of();

    void brokenNames(java.util.Set<String> names) {
        brokenNames = java.util.Set.copyOf(names);
    }

    public boolean broken(String name) {
        return brokenNames.contains(name);
    }

    public void error(String code, Span span, String message, String help) {
        report(new Diagnostic(Diagnostic.Severity.ERROR, code, message, span, help));
    }

    public void error(String code, Span span, String message) {
        error(code, span, message, null);
    }

    public void warning(String code, Span span, String message, String help) {
        report(new Diagnostic(Diagnostic.Severity.WARNING, code, message, span, help));
    }

    public void report(Diagnostic d) {
        if (muted > 0) return;
        for (Diagnostic old : all) {
            if (old.code().equals(d.code()) && old.span().equals(d.span()) && old.message().equals(d.message())) return;
        }
        all.add(d);
    }

    /** How many diagnostics have been reported so far (a mark for {@link #dropWarningsSince}). */
    public int mark() {
        return all.size();
    }

    /** Forgets the warnings reported since a mark (the same program checked again reports them once). */
    public void dropWarningsSince(int mark) {
        for (int i = all.size() - 1; i >= mark; i--) if (!all.get(i).isError()) all.remove(i);
    }

    /** Forgets every diagnostic reported since a mark (a lowering that is thrown away, to be done again another way). */
    public void dropSince(int mark) {
        while (all.size() > mark) all.remove(all.size() - 1);
    }

    public void mute() {
        muted++;
    }

    public void unmute() {
        muted--;
    }

    /** True while the checker explores (a loop body's fixpoint): nothing is reported, nothing kept. */
    public boolean isMuted() {
        return muted > 0;
    }

    public boolean hasErrors() {
        return all.stream().anyMatch(Diagnostic::isError);
    }

    public int errorCount() {
        return (int) all.stream().filter(Diagnostic::isError).count();
    }

    public List<Diagnostic> all() {
        List<Diagnostic> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt((Diagnostic d) -> d.span().line()).thenComparingInt(d -> d.span().col()));
        return sorted;
    }

    /** Every diagnostic, rendered, in source order (the first {@link #LIMIT}, then a count of the rest). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        List<Diagnostic> sorted = all();
        for (int i = 0; i < sorted.size() && i < LIMIT; i++) {
            if (i > 0) sb.append('\n'); // a blank line between diagnostics, none after the last
            sb.append(render(sorted.get(i)));
        }
        if (sorted.size() > LIMIT) sb.append("... and ").append(sorted.size() - LIMIT).append(" more diagnostics not shown\n");
        return sb.toString();
    }

    public String render(Diagnostic d) {
        Span s = d.span();
        String text = s.line() >= 1 && s.line() <= lines.length ? visible(lines[s.line() - 1]) : "";
        String num = Integer.toString(Math.max(s.line(), 1));
        String pad = " ".repeat(num.length());
        StringBuilder sb = new StringBuilder();
        sb.append(d.severity().word).append('[').append(d.code()).append("]: ").append(Printable.line(d.message())).append('\n'); // one line, whatever it quotes
        if (s.equals(Span.NONE)) { // about the file as a whole (a function asked for by name): no source line to show
            sb.append(pad).append("--> ").append(Printable.line(fileName)).append('\n');
            return sb.append(notes(d, pad)).toString();
        }
        sb.append(pad).append("--> ").append(Printable.line(fileName)).append(':').append(Math.max(s.line(), 1)).append(':').append(Math.max(s.col(), 1)).append('\n');
        sb.append(pad).append(" |\n");
        int caretCol = Math.max(1, Math.min(s.col(), text.length() + 1));
        String carets = carets(s, text);
        if (text.length() > WIDTH) { // a window around the span, so that a 1 MB line prints as one screen line
            int from = Math.max(0, Math.min(caretCol - 1 - WIDTH / 3, text.length() - WIDTH));
            String shown = text.substring(from, Math.min(text.length(), from + WIDTH));
            String head = from > 0 ? "..." : "", tail = from + WIDTH < text.length() ? "..." : "";
            caretCol = caretCol - from + head.length();
            carets = carets.substring(0, Math.max(1, Math.min(carets.length(), WIDTH - (caretCol - 1 - head.length()))));
            text = head + shown + tail;
        }
        sb.append(num).append(" | ").append(text).append('\n');
        sb.append(pad).append(" | ").append(" ".repeat(caretCol - 1)).append(carets).append('\n');
        return sb.append(notes(d, pad)).toString();
    }

    /** The note and help lines of a diagnostic. */
    private static String notes(Diagnostic d, String pad) {
        StringBuilder sb = new StringBuilder();
        String indent = pad + "         ";
        if (d.note() != null) sb.append(pad).append(" = note: ").append(lines(d.note(), indent)).append('\n');
        if (d.help() != null) sb.append(pad).append(" = help: ").append(lines(d.help(), indent)).append('\n');
        return sb.toString();
    }

    /**
     * A note's or help's lines, each shown visibly, continued under {@code indent}. NOTE: messages
     * quote what the user gave (a `--fn` name from the command line, a path), so a control character
     * in them must not reach the terminal; the message itself is shown as one line, so that a line
     * break it quotes cannot start a forged diagnostic.
     */
    private static String lines(String text, String indent) {
        String[] parts = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) sb.append(i == 0 ? "" : "\n" + indent).append(Printable.line(parts[i]));
        return sb.toString();
    }

    /**
     * A source line as it can be shown: tabs as spaces (one column each, as the caret counts them),
     * the rest as {@link Printable#line} shows text, which keeps the line's length in chars, so
     * carets stay under their columns; a bidi override in a comment cannot reorder what is shown.
     */
    static String visible(String line) {
        return Printable.line(line.replace('\t', ' '));
    }

    private static String carets(Span s, String text) {
        int end = s.endLine() == s.line() ? s.endCol() : text.length() + 1;
        return "^".repeat(Math.max(1, end - s.col()));
    }
}
