package tx.runtime.kernels;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where kernels get the arrays of the tensors they make: a fresh array, or one whose tensor has
 * died, handed back by the interpreter (buffer reuse by liveness, issue 15). A fresh array costs
 * more than its size suggests: the JVM zeroes it, in memory the cache has not seen since the last
 * collection, and collects it later; on a 128 x 128 tensor, a negation into a fresh array took 19
 * microseconds and into a reused one 3.
 *
 * <p>Reuse happens only inside a {@link Scope} that the interpreter opens on its thread for a run.
 * The scope knows which arrays it handed out ({@link #take}); the interpreter gives one back
 * ({@link Scope#give}) only when no variable, {@code .grad} register or result holds it any more.
 * Outside a scope (the tests of the kernels, the compiler's constant folding) every array is fresh.
 * The free arrays outlive a scope, so that a program run again and again (`tx bench`, an embedding
 * loop) reuses the arrays of the run before; at most {@link #KEPT_BYTES} are kept per thread.
 *
 * <p>NOTE: a reused array holds old numbers. {@link #take} is for kernels that write every element;
 * {@link #zeroed} for those that add into their output (a product, a pad).
 */
public final class Buffers {
    private Buffers() {}

    /** The most bytes of free arrays one thread keeps between runs: a sixteenth of the heap, at most 256 MiB. */
    static final long KEPT_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 16);

    /** Free arrays by length, per thread. */
    private static final ThreadLocal<Map<Integer, ArrayDeque<double[]>>> FREE = ThreadLocal.withInitial(HashMap::new);
    private static final ThreadLocal<long[]> FREE_BYTES = ThreadLocal.withInitial(() -> new long[1]);
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    /** An array of n elements whose contents the caller overwrites, every one of them. */
    public static double[] take(int n) {
        Scope s = CURRENT.get();
        if (s == null || n < Scope.MIN_LENGTH) return new double[n];
        ArrayDeque<double[]> free = FREE.get().get(n);
        double[] a = free == null ? null : free.pollLast();
        if (a == null) a = new double[n];
        else FREE_BYTES.get()[0] -= 8L * n;
        s.handedOut.put(a, Boolean.TRUE);
        return a;
    }

    /** An array of n zeros. */
    public static double[] zeroed(int n) {
        Scope s = CURRENT.get();
        if (s == null || n < Scope.MIN_LENGTH) return new double[n];
        double[] a = take(n);
        java.util.Arrays.fill(a, 0.0);
        return a;
    }

    /** Opens a scope on this thread (closed by {@link Scope#close}); scopes nest, the innermost one in force. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** One run's reuse: the arrays it handed out, and which of them the interpreter gives back. */
    public static final class Scope implements AutoCloseable {
        /** Smaller arrays are always fresh: the bookkeeping would cost more than the allocation. */
        static final int MIN_LENGTH = Integer.getInteger("tx.buffers.min", 256);
        // NOTE: the property exists for testing: -Dtx.buffers.min=1 reuses even the arrays of tiny tensors
        private final Scope outer;
        private final Map<double[], Boolean> handedOut = new IdentityHashMap<>();

        private Scope(Scope outer) {
            this.outer = outer;
        }

        /** Whether this scope handed out the array, and has not had it back (only those may be given back). */
        public boolean owns(double[] a) {
            return handedOut.containsKey(a);
        }

        /**
         * Gives back an array this scope handed out, which nothing holds any more: a later {@link #take}
         * of its length may return it. Ignored for an array the scope does not own.
         */
        public void give(double[] a) {
            if (handedOut.remove(a) == null) return;
            long[] bytes = FREE_BYTES.get();
            if (bytes[0] + 8L * a.length > KEPT_BYTES) return; // dropped: the collector takes it
            FREE.get().computeIfAbsent(a.length, n -> new ArrayDeque<>()).addLast(a);
            bytes[0] += 8L * a.length;
        }

        @Override public void close() {
            CURRENT.set(outer);
        }
    }
}
