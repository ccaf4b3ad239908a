package tx.compiler.syntax;

/** A source range: 1-based line and column of the first character, and of the character after the last. */
public record Span(int line, int col, int endLine, int endCol) {
    public static final Span NONE = new Span(0, 0, 0, 0);

    /** The smallest span covering both. */
    public Span to(Span other) {
        return new Span(line, col, other.endLine, other.endCol);
    }

    public tx.runtime.ir.Origin origin() {
        return new tx.runtime.ir.Origin(line, col, endLine == line ? endCol : col + 1);
    }
}
