package tx.runtime.ir;

/** The source range an IR statement came from: 1-based line, and the columns it spans on that line. */
public record Origin(int line, int col, int endCol) {
    public static final Origin NONE = new Origin(0, 0, 0);

    public Origin(int line, int col) {
        this(line, col, col + 1);
    }
}
