package tx.runtime.exec;

/**
 * How a program is run: {@code detectAnomaly} stops at the first operation, forward or adjoint,
 * whose result holds a nan or an infinity; {@code timeoutMillis} (0: none) bounds the run's wall
 * time; {@code maxBytes} (0: none) bounds the float64 data the run may hold at once.
 */
public record RunOptions(boolean detectAnomaly, long timeoutMillis, long maxBytes) {
    public static final RunOptions DEFAULT = new RunOptions(false, 0, 0);
}
