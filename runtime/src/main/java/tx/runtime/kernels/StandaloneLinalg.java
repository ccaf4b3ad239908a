package tx.runtime.kernels;

import static tx.runtime.kernels.Standalone.broadcast;
import static tx.runtime.kernels.Standalone.batchOffsets;
import static tx.runtime.kernels.Standalone.numel;

/**
 * The standalone kernels of the factorisations (det, inverse, solve, cholesky): the same rules as
 * {@link Standalone}'s (whose Javadoc gives them), in a file of their own, which the Java emitter
 * reads after Standalone.java and StandaloneWindows.java as one source. The interpreter runs them
 * too ({@link Factorizations}), so emitted Java gives its bits.
 *
 * <p>Each works on a batch of row-major n x n matrices ([..., n, n]). LU is LAPACK's unblocked
 * getf2 (partial pivoting, the pivot column scaled by the pivot's reciprocal), of A^T as PyTorch
 * takes it (a row-major A is A^T to LAPACK: so the pivots, the zero pivot a singular A reports and
 * the rounding are PyTorch's), solved as getrs with trans = 'T'; Cholesky is potf2
 * with uplo = 'L' (only the lower triangle is read). A singular matrix (for inverse and solve) or
 * one that is not positive-definite (cholesky) throws an {@link ArithmeticException} with PyTorch's
 * message, which the interpreter reports with the location (E0508).
 */
final class StandaloneLinalg {
    private StandaloneLinalg() {}

    // kernel: luFactor
    /**
     * LU with partial pivoting, in place on the n x n matrix at m[off]: P A = L U with L unit lower
     * (below the diagonal) and U upper; piv[j] is the row swapped with row j. Returns the 1-based
     * column of the first zero pivot (LAPACK's info), 0 if there is none; it goes on past it.
     */
    static int luFactor(double[] m, int off, int n, int[] piv) {
        int info = 0;
        for (int j = 0; j < n; j++) {
            int p = j;
            double best = Math.abs(m[off + j * n + j]);
            for (int i = j + 1; i < n; i++) {
                double v = Math.abs(m[off + i * n + j]);
                if (v > best || Double.isNaN(v) && !Double.isNaN(best)) {
                    best = v;
                    p = i;
                }
            }
            piv[j] = p;
            if (m[off + p * n + j] != 0) {
                for (int k = 0; p != j && k < n; k++) {
                    double t = m[off + j * n + k];
                    m[off + j * n + k] = m[off + p * n + k];
                    m[off + p * n + k] = t;
                }
                double r = 1 / m[off + j * n + j];
                for (int i = j + 1; i < n; i++) m[off + i * n + j] *= r;
            } else if (info == 0) {
                info = j + 1;
            }
            for (int i = j + 1; i < n; i++) {
                double l = m[off + i * n + j];
                if (l != 0) for (int k = j + 1; k < n; k++) m[off + i * n + k] -= l * m[off + j * n + k];
            }
        }
        return info;
    }

    // kernel: transposed
    /** The n x n matrix at a[off] transposed into m[moff]: PyTorch factors A^T, which LAPACK reads in place from a row-major A. */
    static void transposed(double[] a, int off, int n, double[] m, int moff) {
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[moff + j * n + i] = a[off + i * n + j];
    }

    // kernel: luSolve
    /**
     * Solves A X = B in place for the n x k matrix B at b[boff], from the LU of M = A^T at m[off] and its
     * swaps (P M = L U, so A = U^T L^T P): U^T forwards, L^T (unit) backwards, then the swaps undone in
     * reverse order, column by column, as LAPACK's getrs with trans = 'T'.
     */
    static void luSolve(double[] m, int off, int n, int[] piv, double[] b, int boff, int k) {
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                double s = b[boff + i * k + c];
                for (int q = 0; q < i; q++) s -= m[off + q * n + i] * b[boff + q * k + c];
                b[boff + i * k + c] = s / m[off + i * n + i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = b[boff + i * k + c];
                for (int q = i + 1; q < n; q++) s -= m[off + q * n + i] * b[boff + q * k + c];
                b[boff + i * k + c] = s;
            }
        }
        for (int j = n - 1; j >= 0; j--) {
            int p = piv[j];
            for (int c = 0; p != j && c < k; c++) {
                double t = b[boff + j * k + c];
                b[boff + j * k + c] = b[boff + p * k + c];
                b[boff + p * k + c] = t;
            }
        }
    }

    // kernel: batchNote
    /** PyTorch's "(Batch element i): " before a failure's reason, when the operand is a batch. */
    static String batchNote(int rank, int t) {
        return rank > 2 ? "(Batch element " + t + "): " : "";
    }

    // kernel: det needs luFactor, transposed, numel
    /** det A = det A^T of each matrix of a [..., n, n]: the product of U's diagonal (A^T's LU), in order, negated once per row swap. */
    static double[] det(double[] a, int[] shape) {
        int n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] m = new double[a.length], out = new double[count];
        int[] piv = new int[n];
        for (int t = 0; t < count; t++) {
            int off = t * n * n;
            transposed(a, off, n, m, off);
            luFactor(m, off, n, piv);
            double d = 1;
            boolean negate = false;
            for (int j = 0; j < n; j++) {
                d *= m[off + j * n + j];
                negate ^= piv[j] != j;
            }
            out[t] = negate ? -d : d;
        }
        return out;
    }

    // kernel: slogdet needs luFactor, transposed, numel
    /**
     * slogdet of each matrix of a [..., n, n], as PyTorch's: from A^T's LU (as {@link #det}), the sign
     * is prod sgn(U_jj), negated once per row swap (sgn(nan) = 0, as torch.sgn of a real), and
     * logabsdet = sum log|U_jj| in order; sign selects which of the two this returns. A singular
     * matrix has sign 0 and logabsdet -inf, as in PyTorch.
     */
    static double[] slogdet(double[] a, int[] shape, boolean sign) {
        int n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] m = new double[a.length], out = new double[count];
        int[] piv = new int[n];
        for (int t = 0; t < count; t++) {
            int off = t * n * n;
            transposed(a, off, n, m, off);
            luFactor(m, off, n, piv);
            double s = 1, log = 0;
            boolean negate = false;
            for (int j = 0; j < n; j++) {
                double u = m[off + j * n + j];
                s *= Double.isNaN(u) ? 0 : Math.signum(u);
                log += Math.log(Math.abs(u));
                negate ^= piv[j] != j;
            }
            out[t] = sign ? (negate ? -s : s) : log;
        }
        return out;
    }

    // kernel: householder needs reflect
    /**
     * LAPACK's dgeqr2 in place on the m x n (m >= n) row-major matrix at f[off]: for each column j a
     * reflector H_j = I - tau_j v v^T (dlarfg: v = (1, x / (alpha - beta)), beta = -sign(alpha)
     * |(alpha, x)|, tau = (beta - alpha) / beta; none when x = 0) applied to the columns right of it
     * (dlarf); R is left on and above the diagonal, the v's below it.
     */
    static void householder(double[] f, int off, int m, int n, double[] tau) {
        for (int j = 0; j < n; j++) {
            double alpha = f[off + j * n + j], ss = 0;
            for (int i = j + 1; i < m; i++) ss += f[off + i * n + j] * f[off + i * n + j];
            if (ss == 0) {
                tau[j] = 0;
                continue;
            }
            double x = Math.sqrt(ss), big = Math.max(Math.abs(alpha), x), small = Math.min(Math.abs(alpha), x);
            double beta = -Math.copySign(big * Math.sqrt(1 + (small / big) * (small / big)), alpha);
            tau[j] = (beta - alpha) / beta;
            double scale = 1 / (alpha - beta);
            for (int i = j + 1; i < m; i++) f[off + i * n + j] *= scale;
            f[off + j * n + j] = beta;
            reflect(f, off, m, n, j, j + 1, tau[j], f, off);
        }
    }

    // kernel: reflect
    /**
     * dlarf: applies I - tau v v^T from the left to columns c0.. of rows j.. of the m x n matrix at
     * c[coff], v = (1, h[hoff + (j+1..m-1) n + j]) (the reflector stored in column j of h).
     */
    static void reflect(double[] h, int hoff, int m, int n, int j, int c0, double tau, double[] c, int coff) {
        if (tau == 0) return;
        for (int col = c0; col < n; col++) {
            double w = c[coff + j * n + col];
            for (int i = j + 1; i < m; i++) w += h[hoff + i * n + j] * c[coff + i * n + col];
            double tw = tau * w;
            c[coff + j * n + col] -= tw;
            for (int i = j + 1; i < m; i++) c[coff + i * n + col] -= h[hoff + i * n + j] * tw;
        }
    }

    // kernel: qr needs householder, reflect, numel
    /**
     * The reduced QR of each m x n matrix (m >= n) of a [..., m, n], as torch.linalg.qr: Householder
     * reflections (dgeqr2), then Q formed from them (dorg2r: the reflectors applied to the first n
     * columns of I, last first). wantQ selects Q [..., m, n]; else R [..., n, n], upper triangular.
     */
    static double[] qr(double[] a, int[] shape, boolean wantQ) {
        int m = shape[shape.length - 2], n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] f = a.clone(), out = new double[count * (wantQ ? m * n : n * n)], tau = new double[n];
        for (int t = 0; t < count; t++) {
            int off = t * m * n;
            householder(f, off, m, n, tau);
            if (!wantQ) {
                for (int i = 0; i < n; i++) for (int j = i; j < n; j++) out[t * n * n + i * n + j] = f[off + i * n + j];
                continue;
            }
            System.arraycopy(f, off, out, off, m * n);
            for (int i = n - 1; i >= 0; i--) {
                if (i < n - 1) {
                    out[off + i * n + i] = 1;
                    reflect(out, off, m, n, i, i + 1, tau[i], out, off);
                }
                for (int r = i + 1; r < m; r++) out[off + r * n + i] = tau[i] == 0 ? 0 : out[off + r * n + i] * -tau[i]; // dscal by 0 writes zeros
                out[off + i * n + i] = 1 - tau[i];
                for (int r = 0; r < i; r++) out[off + r * n + i] = 0;
            }
        }
        return out;
    }

    // kernel: inverse needs luFactor, luSolve, transposed, batchNote, numel
    /** A^-1 of each matrix of a [..., n, n], by A^T's LU and n solves; a zero pivot throws PyTorch's linalg.inv error. */
    static double[] inverse(double[] a, int[] shape) {
        int n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] m = new double[a.length], out = new double[a.length];
        int[] piv = new int[n];
        for (int t = 0; t < count; t++) {
            int off = t * n * n;
            transposed(a, off, n, m, off);
            int info = luFactor(m, off, n, piv);
            if (info != 0) {
                throw new ArithmeticException("linalg.inv: " + batchNote(shape.length, t) + "The diagonal element " + info
                        + " is zero, the inversion could not be completed because the input matrix is singular.");
            }
            for (int i = 0; i < n; i++) out[off + i * n + i] = 1;
            luSolve(m, off, n, piv, out, off, n);
        }
        return out;
    }

    // kernel: solve needs luFactor, luSolve, transposed, batchNote, broadcast, batchOffsets, numel
    /**
     * X with A X = B for a [..., n, n] and b [..., n, k], the batch dimensions broadcasting; a zero
     * pivot throws PyTorch's linalg.solve error (naming the element of the broadcast batch).
     */
    static double[] solve(double[] a, int[] as, double[] b, int[] bs) {
        int n = as[as.length - 1], k = bs[bs.length - 1];
        int[] aBatch = java.util.Arrays.copyOf(as, as.length - 2), bBatch = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcast(aBatch, bBatch);
        int[][] offsets = batchOffsets(aBatch, bBatch, batch);
        int count = numel(batch);
        double[] m = new double[n * n], x = new double[count * n * k];
        int[] piv = new int[n];
        for (int t = 0; t < count; t++) {
            int pa = offsets[0][t], pb = offsets[1][t];
            transposed(a, pa * n * n, n, m, 0);
            if (luFactor(m, 0, n, piv) != 0) {
                throw new ArithmeticException("torch.linalg.solve: " + batchNote(batch.length + 2, t)
                        + "The solver failed because the input matrix is singular.");
            }
            System.arraycopy(b, pb * n * k, x, t * n * k, n * k);
            luSolve(m, 0, n, piv, x, t * n * k, k);
        }
        return x;
    }

    // kernel: solveTriangular needs broadcast, batchOffsets, numel
    /**
     * X with A X = B for the upper or lower triangle of a [..., n, n] (unit: its diagonal taken as
     * ones) and b [..., n, k], the batch dimensions broadcasting, by substitution: x_i = (b_i -
     * sum_j A_ij x_j) / A_ii over the rows solved before i. The other triangle is not read; a 0 on
     * the diagonal gives inf or nan (no error), as LAPACK's trsm.
     */
    static double[] solveTriangular(double[] a, int[] as, double[] b, int[] bs, boolean upper, boolean unit) {
        int n = as[as.length - 1], k = bs[bs.length - 1];
        int[] aBatch = java.util.Arrays.copyOf(as, as.length - 2), bBatch = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcast(aBatch, bBatch);
        int[][] offsets = batchOffsets(aBatch, bBatch, batch);
        int count = numel(batch);
        double[] x = new double[count * n * k];
        for (int t = 0; t < count; t++) {
            int oa = offsets[0][t] * n * n, ob = offsets[1][t] * n * k, ox = t * n * k;
            for (int c = 0; c < k; c++) {
                for (int s = 0; s < n; s++) {
                    int i = upper ? n - 1 - s : s;
                    double v = b[ob + i * k + c];
                    for (int j = upper ? i + 1 : 0; j < (upper ? n : i); j++) v -= a[oa + i * n + j] * x[ox + j * k + c];
                    x[ox + i * k + c] = unit ? v : v / a[oa + i * n + i];
                }
            }
        }
        return x;
    }

    // kernel: cholesky needs batchNote, numel
    /**
     * The lower Cholesky factor L (A = L L^T) of each matrix of a [..., n, n], from its lower triangle
     * (potf2): L_jj = sqrt(A_jj - sum_q<j L_jq^2), L_ij = (A_ij - sum_q<j L_iq L_jq) / L_jj. A pivot that is
     * not positive (or nan) throws PyTorch's error naming the leading minor, after fn, the name
     * PyTorch's message gives the function ({@code cholesky}, or {@code linalg.cholesky}).
     */
    static double[] cholesky(double[] a, int[] shape, String fn) {
        int n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] l = new double[a.length];
        for (int t = 0; t < count; t++) {
            int off = t * n * n;
            for (int j = 0; j < n; j++) {
                double d = a[off + j * n + j];
                for (int q = 0; q < j; q++) d -= l[off + j * n + q] * l[off + j * n + q];
                if (!(d > 0)) {
                    throw new ArithmeticException(fn + ": " + batchNote(shape.length, t) + "The factorization could not be completed because the"
                            + " input is not positive-definite (the leading minor of order " + (j + 1) + " is not positive-definite).");
                }
                double ljj = Math.sqrt(d), r = 1 / ljj;
                l[off + j * n + j] = ljj;
                for (int i = j + 1; i < n; i++) {
                    double s = a[off + i * n + j];
                    for (int q = 0; q < j; q++) s -= l[off + i * n + q] * l[off + j * n + q];
                    l[off + i * n + j] = s * r;
                }
            }
        }
        return l;
    }
}
