package tx.runtime.kernels;

import java.util.function.Supplier;

/**
 * The limits of the command running on this thread ({@code --timeout}, {@code --max-memory}),
 * checked cooperatively: long kernels check the deadline per block of rows and throw
 * {@link Exceeded}, which the interpreter reports at the operation that was running; the compiler
 * checks the deadline, and the size of the IR it builds, every so many equations (see
 * {@code tx.runtime.ir.CompileLimit}).
 *
 * <p>It lives here, in the lowest package that needs it (a matrix product checks the deadline),
 * and is scoped to a thread, as {@link Thread#interrupt} is, so that no kernel signature carries it.
 */
public final class Limits {
    /** No deadline and no memory bound. */
    public static final Limits NONE = new Limits(0, 0);

    private static final ThreadLocal<Limits> CURRENT = ThreadLocal.withInitial(() -> NONE);

    private final long timeoutMillis, maxBytes, deadline;

    private Limits(long timeoutMillis, long maxBytes) {
        this.timeoutMillis = timeoutMillis;
        this.maxBytes = maxBytes;
        this.deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    }

    /** Limits that start now: {@code timeoutMillis} of wall time (0: none), {@code maxBytes} (0: none). */
    public static Limits of(long timeoutMillis, long maxBytes) {
        return timeoutMillis == 0 && maxBytes == 0 ? NONE : new Limits(timeoutMillis, maxBytes);
    }

    /** The limits of this thread's command ({@link #NONE} outside one). */
    public static Limits current() {
        return CURRENT.get();
    }

    /** Runs {@code body} under these limits, then restores the thread's previous ones. */
    public <T> T apply(Supplier<T> body) {
        Limits old = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(old);
        }
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** The --max-memory bound in bytes, 0 if none. */
    public long maxBytes() {
        return maxBytes;
    }

    public boolean hasDeadline() {
        return timeoutMillis > 0;
    }

    /** Whether the deadline has passed (false without one). */
    public boolean expired() {
        return timeoutMillis > 0 && System.nanoTime() - deadline > 0;
    }

    /** Throws {@link Exceeded} if this thread's deadline has passed: cheap enough per block of rows. */
    public static void checkTime() {
        if (CURRENT.get().expired()) throw new Exceeded();
    }

    /**
     * The deadline passed inside a kernel. It carries no stack trace: it is a normal way for a
     * command to end, which the interpreter reports as E0504 at the operation that was running.
     */
    public static final class Exceeded extends RuntimeException {
        public Exceeded() {
            super("the deadline passed", null, false, false);
        }
    }
}
