package tx.runtime.exec;

import tx.runtime.ir.Origin;

/** A failure while a program runs (a failed assertion, a bad value): exit status 3, never a stack trace. */
public final class TxRuntimeException extends RuntimeException {
    private final transient Origin origin;

    public TxRuntimeException(String message, Origin origin) {
        super(message);
        this.origin = origin;
    }

    public Origin origin() {
        return origin;
    }
}
