package tx.runtime.exec;

import tx.runtime.ir.Origin;

/** A failure while a program runs (a failed assertion, a bad value): exit status 3, never a stack trace. */
public final class TxRuntimeException extends RuntimeException {
    private final transient Origin origin;
    private final String detail;

    /** {@code detail} (may be null) holds lines that show the values involved. */
    public TxRuntimeException(String message, Origin origin, String detail) {
        super(message);
        this.origin = origin;
        this.detail = detail;
    }

    public Origin origin() {
        return origin;
    }

    public String detail() {
        return detail;
    }
}
