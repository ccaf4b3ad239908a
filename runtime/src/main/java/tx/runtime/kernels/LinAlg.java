package tx.runtime.kernels;

import java.util.Arrays;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/** Matrix products. */
public final class LinAlg {
    private LinAlg() {}

    /**
     * {@code (..., n, k) @ (..., k, m) -> (..., n, m)}, both operands of rank at least 2, with the
     * batch axes (all but the last two) broadcast NumPy-style.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, false, b, false);
    }

    /**
     * {@code op(a) @ op(b)}, where {@code op(x)} is x with its last two axes swapped when its flag
     * is set and x otherwise: {@code matmul(a, false, b, true)} is {@code a @ bᵀ} without making
     * {@code bᵀ}, read in place by the packing of {@link Gemm}.
     */
    public static Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        return matmul(a, transA, b, transB, MODE == Mode.FAST && HAS_FMA);
    }

    /** {@link #matmul(Tensor, boolean, Tensor, boolean)} with each step fused or not, whatever the mode (for the tests). */
    static Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB, boolean fused) {
        int[] as = a.shapeRef(), bs = b.shapeRef();
        if (as.length < 2 || bs.length < 2) {
            throw new IllegalArgumentException("cannot matmul " + shown(as, transA) + " by " + shown(bs, transB));
        }
        int ar = as[as.length - 2], ac = as[as.length - 1], br = bs[bs.length - 2], bc = bs[bs.length - 1];
        int n = transA ? ac : ar, k = transA ? ar : ac, m = transB ? br : bc;
        if (k != (transB ? bc : br)) {
            throw new IllegalArgumentException("cannot matmul " + shown(as, transA) + " by " + shown(bs, transB));
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shapes.broadcast(aBatch, bBatch);
        if (batch == null) {
            throw new IllegalArgumentException("matmul batch shapes " + Shapes.show(aBatch) + " and "
                    + Shapes.show(bBatch) + " do not broadcast");
        }
        double[] out = Buffers.zeroed(Shapes.numel(Shapes.concat(batch, new int[] {n, m})));
        int[] aStrides = scaled(Shaping.broadcastStrides(aBatch, batch), n * k);
        int[] bStrides = scaled(Shaping.broadcastStrides(bBatch, batch), k * m);
        // A(i,p) and B(p,j) in the stored row-major layouts: a transposed operand swaps its strides
        int ars = transA ? 1 : k, acs = transA ? n : 1, brs = transB ? 1 : m, bcs = transB ? k : 1;
        Shaping.Walk w = new Shaping.Walk(batch, aStrides, bStrides);
        int batches = Shapes.numel(batch), len = w.rowLength;
        for (int i = 0; i < batches; i += len, w.nextRow()) {
            for (int j = 0; j < len; j++) {
                if (NATIVE && (long) n * k * m >= SMALL) { // TX_BLAS=native (see NativeBlas)
                    NativeBlas.multiply(a.data(), w.offset[0] + j * w.step[0], transA, b.data(), w.offset[1] + j * w.step[1], transB, out, (i + j) * n * m, n, k, m);
                    continue;
                }
                multiplyInto(a.data(), w.offset[0] + j * w.step[0], ars, acs, b.data(), w.offset[1] + j * w.step[1], brs, bcs,
                        out, (i + j) * n * m, n, k, m, fused);
            }
        }
        return Tensor.of(Shapes.concat(batch, new int[] {n, m}), out);
    }

    private static String shown(int[] shape, boolean transposed) {
        return Shapes.show(shape) + (transposed ? " transposed" : "");
    }

    /**
     * Which sums a product computes. {@code FAST} (the default): each element summed in order over
     * k with a fused multiply-add per step where the hardware has one ({@link #HAS_FMA}), else as
     * {@code EXACT}. {@code EXACT}: in order over k, a multiply then an add per step, the bits of
     * the textbook loop (and of tx before issue 15). Chosen once per JVM by {@code TX_GEMM=exact}
     * in the environment or {@code -Dtx.gemm=exact}.
     */
    public enum Mode { FAST, EXACT }

    /** The mode of this JVM; see {@link Mode}. */
    public static final Mode MODE = modeOrFast(System.getProperty("tx.gemm", System.getenv("TX_GEMM")));

    /**
     * NOTE: a value that is neither mode is reported on standard error and the default taken,
     * rather than thrown from this class's initialiser, where it would surface as a JVM error in
     * the middle of the first product.
     */
    private static Mode modeOrFast(String setting) {
        try {
            return mode(setting);
        } catch (IllegalArgumentException e) {
            System.err.println("tx: warning: " + e.getMessage() + "; using `fast`");
            return Mode.FAST;
        }
    }

    /**
     * Whether this processor does fused multiply-adds in hardware. NOTE: without it Java emulates
     * {@code Math.fma} and the Vector API's {@code fma} in software, tens of times slower than a
     * multiply and an add, so the fast mode then uses those. x86 lists "fma" among the flags in
     * /proc/cpuinfo (Linux); every 64-bit ARM has it; anything else, or no /proc, counts as without.
     */
    public static final boolean HAS_FMA = detectFma();

    /** Below this many multiply-adds a product takes the plain loop: packing would cost more than it saves. */
    static final long SMALL = 1 << 12;

    static Mode mode(String setting) {
        if (setting == null || setting.isEmpty() || setting.equalsIgnoreCase("fast")) return Mode.FAST;
        if (setting.equalsIgnoreCase("exact")) return Mode.EXACT;
        throw new IllegalArgumentException("TX_GEMM (or -Dtx.gemm) is `" + setting + "`; it takes `fast` or `exact`");
    }

    private static boolean detectFma() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64")) return true;
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return false;
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> java.util.Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).contains("fma"))
                    .orElse(false);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether TX_BLAS (or -Dtx.blas) says anything. NOTE: only then is {@link NativeBlas} loaded, so
     * that tx, embedded, runs without the binding's jars on the class path.
     */
    private static final boolean BLAS_ASKED = !System.getProperty("tx.blas", System.getenv().getOrDefault("TX_BLAS", "")).isEmpty();

    /** Products of {@link #SMALL} multiply-adds and more go to the native BLAS (TX_BLAS=native, and one loaded). */
    private static final boolean NATIVE = BLAS_ASKED && NativeBlas.active();

    /** Whether products run on the native BLAS (TX_BLAS=native, and one loaded: see {@link NativeBlas}). */
    public static boolean nativeBlas() {
        return NATIVE;
    }

    /** One line for {@code tx bench}: which product runs. */
    public static String describe() {
        if (NATIVE) return NativeBlas.WHY + " for products of " + SMALL + " multiply-adds and more; tx's loop below";
        String gemm = describeGemm();
        return !BLAS_ASKED || NativeBlas.WHY == null ? gemm : gemm + "; " + NativeBlas.WHY;
    }

    private static String describeGemm() {
        boolean fused = MODE == Mode.FAST && HAS_FMA;
        return "tx's GEMM" + (Vectorized.AVAILABLE ? " on the Vector API" : " in scalars (no Vector API)") + ", TX_GEMM="
                + MODE.name().toLowerCase(java.util.Locale.ROOT) + " (" + (fused ? "fused multiply-adds" : "a multiply then an add per step") + ")";
    }

    /**
     * {@code c[n×m] += A[n×k] · B[k×m]}, c row-major at cOff, {@code A(i,p) = a[aOff + i·ars + p·acs]}
     * and {@code B(p,j) = b[bOff + p·brs + j·bcs]} (so a transposed operand is read in place).
     * Every element is summed in order over p starting from c's value; each step fused when
     * {@code fused}, else a multiply then an add (see {@link Gemm}).
     */
    static void multiplyInto(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                             double[] c, int cOff, int n, int k, int m, boolean fused) {
        if (Vectorized.AVAILABLE && (long) n * k * m >= SMALL) {
            Gemm.multiply(a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, k, m, fused);
            return;
        }
        int rows = blockRows(k, m);
        for (int i0 = 0; i0 < n; i0 += rows) {
            Limits.checkTime(); // a long product stops at its --timeout between blocks of rows
            for (int i = i0; i < Math.min(n, i0 + rows); i++) {
                int cRow = cOff + i * m;
                for (int p = 0; p < k; p++) {
                    // NOTE: no shortcut for a zero A(i,p): 0 · NaN and 0 · inf must still give NaN.
                    double aip = a[aOff + i * ars + p * acs];
                    int bRow = bOff + p * brs;
                    if (fused) for (int j = 0; j < m; j++) c[cRow + j] = Math.fma(aip, b[bRow + j * bcs], c[cRow + j]);
                    else for (int j = 0; j < m; j++) c[cRow + j] += aip * b[bRow + j * bcs];
                }
            }
        }
    }

    /** Rows per block between checks of the deadline in the plain loop: about 2^24 multiply-adds (a few milliseconds). */
    static int blockRows(int k, int m) {
        long perRow = Math.max(1L, (long) k * m);
        return (int) Math.max(1L, Math.min(Integer.MAX_VALUE, (1L << 24) / perRow));
    }

    private static int[] scaled(int[] strides, int factor) {
        for (int i = 0; i < strides.length; i++) strides[i] *= factor;
        return strides;
    }
}
