package tx.runtime.exec;

/**
 * How a program is run: {@code detectAnomaly} stops at the first operation, forward or adjoint,
 * whose result holds a nan or an infinity; {@code timeoutMillis} (0: none) bounds the run's wall
 * time; {@code maxBytes} (0: none) bounds the float64 data the run may hold at once;
 * {@code writeFiles} false makes every {@code save} a no-op (`tx check` and `tx bench` run a file's
 * functions, and must never replace the user's files).
 */
public record RunOptions(boolean detectAnomaly, long timeoutMillis, long maxBytes, boolean checkTable, boolean writeFiles) {
    public static final RunOptions DEFAULT = new RunOptions(false, 0, 0, false);

    public RunOptions(boolean detectAnomaly, long timeoutMillis, long maxBytes) {
        this(detectAnomaly, timeoutMillis, maxBytes, false);
    }

    public RunOptions(boolean detectAnomaly, long timeoutMillis, long maxBytes, boolean checkTable) {
        this(detectAnomaly, timeoutMillis, maxBytes, checkTable, !checkTable); // a check table never writes a file
    }

    /** For `tx check`: each check prints one table row, and a failure does not stop the others; nothing is saved. */
    public static final RunOptions CHECK_TABLE = new RunOptions(false, 0, 0, true, false);

    /** For `tx bench`: as {@link #DEFAULT}, but nothing is saved. */
    public static final RunOptions NO_WRITES = new RunOptions(false, 0, 0, false, false);

    /** A byte count as people read it: 512 bytes, 7.6 MiB, 11.9 GiB. */
    public static String bytes(long b) {
        if (b >= 1L << 30) return String.format("%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format("%.1f MiB", b / (double) (1L << 20));
        return b + " bytes";
    }
}
