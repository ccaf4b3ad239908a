package tx.runtime.ir;

/**
 * The source range an IR statement came from: 1-based line, and the columns it spans on that
 * line. {@code adjoint} marks the equations a backward built for that source range (its gradient).
 */
public record Origin(int line, int col, int endCol, boolean adjoint) {
    public static final Origin NONE = new Origin(0, 0, 0, false);

    public Origin(int line, int col, int endCol) {
        this(line, col, endCol, false);
    }

    public Origin(int line, int col) {
        this(line, col, col + 1, false);
    }

    /** The same range, for an equation of its gradient. */
    public Origin asAdjoint() {
        return new Origin(line, col, endCol, true);
    }
}
