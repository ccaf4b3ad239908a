package tx.runtime.exec;

import tx.runtime.ir.Origin;

/** A failure while a program runs (a failed assertion, a bad value): exit status 3, never a stack trace. */
public final class TxRuntimeException extends RuntimeException {
    /** What went wrong; the command line gives each kind its error code. */
    public enum Kind { ASSERTION, ANOMALY, MEMORY, TIMEOUT, CHECK, FILE, INDEX, LINALG, SIZE }

    private final Kind kind;
    private final transient Origin origin;
    private final String detail;

    /** {@code detail} (may be null) holds lines that show the values involved. */
    public TxRuntimeException(Kind kind, String message, Origin origin, String detail) {
        super(message);
        this.kind = kind;
        this.origin = origin;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    public Origin origin() {
        return origin;
    }

    public String detail() {
        return detail;
    }
}
