package tx.runtime.kernels;

/**
 * The optional native BLAS (issue 15, item 2): with {@code TX_BLAS=native} in the environment (or
 * {@code -Dtx.blas=native}), products of {@link LinAlg#SMALL} multiply-adds and more call the
 * system's BLAS (OpenBLAS where it is installed) through {@code dev.ludovic.netlib:blas}'s JNI
 * binding, which reads Java's arrays in place. Where no native BLAS loads, tx's own GEMM runs:
 * never netlib's pure-Java fallbacks, which are slower than tx's kernel on small shapes.
 *
 * <p>NOTE: the native library sums in its own order (blocked, vectorised, threaded as
 * OPENBLAS_NUM_THREADS says), so its bits are not tx's GEMM's in either mode, may change with the
 * library's version and threads, and do not depend on {@code --threads}. It is an explicit choice
 * for speed; the default stays tx's GEMM, whose bits depend on the numbers alone.
 */
final class NativeBlas {
    private NativeBlas() {}

    /** The binding's logger, held so that its level stays set. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");

    /** A load's outcome: the binding (null if none) and what {@link LinAlg#describe()} prints about it (null: not asked for). */
    record Loaded(dev.ludovic.netlib.blas.BLAS blas, String why) {}

    private static final Loaded CHOSEN = choose(System.getProperty("tx.blas", System.getenv("TX_BLAS")));
    /** What {@link LinAlg#describe()} prints about the native path. */
    static final String WHY = CHOSEN.why();

    /** What TX_BLAS asks for: nothing (unset or `tx`), the native library, or a word it does not take (a warning). */
    static Loaded choose(String asked) {
        if (asked == null || asked.isEmpty() || asked.equalsIgnoreCase("tx")) return new Loaded(null, null);
        if (asked.equalsIgnoreCase("native")) return load();
        System.err.println("tx: warning: TX_BLAS is `" + asked + "`; it takes `native` or `tx`; using tx's GEMM");
        return new Loaded(null, "TX_BLAS=" + asked + " is not `native` or `tx`");
    }

    /** The native binding, or why it did not load. */
    static Loaded load() {
        try {
            QUIET.setLevel(java.util.logging.Level.OFF); // its own warnings about the Java implementations it also tries
            dev.ludovic.netlib.blas.BLAS blas = dev.ludovic.netlib.blas.NativeBLAS.getInstance();
            return new Loaded(blas, "TX_BLAS=native: the system's BLAS through JNI (" + blas.getClass().getSimpleName() + ")");
        } catch (Throwable t) { // NOTE: a missing library is an Error or a RuntimeException, depending on how it fails
            return new Loaded(null, "TX_BLAS=native, but no native BLAS loaded (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")");
        }
    }

    /** Whether products go to the native BLAS. */
    static boolean active() {
        return CHOSEN.blas() != null;
    }

    /**
     * {@code c[n×m] = op(A) · op(B)}, row-major at the offsets, where A is stored [n×k] (or [k×n]
     * when transA) and B [k×m] (or [m×k] when transB). Row-major C is column-major Cᵀ, so this is
     * {@code Cᵀ = op(B)ᵀ op(A)ᵀ} for the column-major routine: B first, each operand's flag as given.
     */
    static void multiply(double[] a, int aOff, boolean transA, double[] b, int bOff, boolean transB,
                         double[] c, int cOff, int n, int k, int m) {
        multiply(CHOSEN.blas(), a, aOff, transA, b, bOff, transB, c, cOff, n, k, m);
    }

    /** As above, on a given binding (for the tests). */
    static void multiply(dev.ludovic.netlib.blas.BLAS blas, double[] a, int aOff, boolean transA, double[] b, int bOff, boolean transB,
                         double[] c, int cOff, int n, int k, int m) {
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", m, n, k, 1.0, b, bOff, transB ? k : m, a, aOff, transA ? n : k, 0.0, c, cOff, m);
    }
}
