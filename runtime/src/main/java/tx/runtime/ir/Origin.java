package tx.runtime.ir;

/** The source position an IR statement came from (1-based line and column), for messages. */
public record Origin(int line, int col) {
    public static final Origin NONE = new Origin(0, 0);
}
