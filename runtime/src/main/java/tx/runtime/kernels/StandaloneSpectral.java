package tx.runtime.kernels;

import static tx.runtime.kernels.Standalone.numel;
import static tx.runtime.kernels.StandaloneLinalg.batchNote;

/**
 * The standalone kernels of the spectral factorisations (eigh, svd): the same rules as
 * {@link Standalone}'s, in a file of their own, which the Java emitter reads after
 * StandaloneLinalg.java as one source. The interpreter runs them too ({@link Factorizations}), so
 * emitted Java gives its bits.
 *
 * <p>They are tx's own algorithms, not LAPACK's: the cyclic Jacobi method for eigh (of the matrix
 * read from the lower triangle, as LAPACK's uplo = 'L') and the one-sided Jacobi method (Hestenes)
 * for the SVD. Both are accurate to a few units in the last place of the largest eigen- or singular
 * value, as LAPACK's are, so values agree with PyTorch's to rounding; the vectors agree up to sign.
 * NOTE: a vector's sign is a convention. LAPACK's comes from its algorithm; tx's is that the entry
 * of largest magnitude of each eigenvector (for the SVD: of each column of the square factor, V
 * when m >= n, U when m < n; u and v are flipped together) is positive, the first such entry on ties.
 */
final class StandaloneSpectral {
    private StandaloneSpectral() {}

    // kernel: jacobiEigen needs rotateColumns
    /**
     * The cyclic Jacobi method on the symmetric n x n matrix w (row-major, both triangles): rotations
     * J (c, s) in the planes (p, q) that zero w_pq, w <- J^T w J, v <- v J, until nothing is left off
     * the diagonal (an entry too small to change w_pp and w_qq is set to 0 after four sweeps, as in
     * Numerical Recipes' jacobi). On return w's diagonal holds the eigenvalues and v's columns the
     * eigenvectors.
     */
    static void jacobiEigen(double[] w, double[] v, int n) {
        for (int i = 0; i < n * n; i++) v[i] = i % (n + 1) == 0 ? 1 : 0;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += Math.abs(w[p * n + q]);
            if (off == 0) return;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = w[p * n + q], app = w[p * n + p], aqq = w[q * n + q];
                    if (apq == 0) continue;
                    if (sweep > 3 && Math.abs(app) + 100 * Math.abs(apq) == Math.abs(app) && Math.abs(aqq) + 100 * Math.abs(apq) == Math.abs(aqq)) {
                        w[p * n + q] = 0;
                        w[q * n + p] = 0;
                        continue;
                    }
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.abs(theta) > 1e150 ? 0.5 / theta : Math.copySign(1 / (Math.abs(theta) + Math.sqrt(theta * theta + 1)), theta);
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        if (k == p || k == q) continue;
                        double akp = w[k * n + p], akq = w[k * n + q];
                        w[k * n + p] = c * akp - s * akq;
                        w[k * n + q] = s * akp + c * akq;
                        w[p * n + k] = w[k * n + p];
                        w[q * n + k] = w[k * n + q];
                    }
                    w[p * n + p] = app - t * apq;
                    w[q * n + q] = aqq + t * apq;
                    w[p * n + q] = 0;
                    w[q * n + p] = 0;
                    rotateColumns(v, n, n, p, q, c, s);
                }
            }
        }
    }

    // kernel: rotateColumns
    /** Columns p and q of the rows x cols matrix x turned by (c, s): x_p <- c x_p - s x_q, x_q <- s x_p + c x_q. */
    static void rotateColumns(double[] x, int rows, int cols, int p, int q, double c, double s) {
        for (int k = 0; k < rows; k++) {
            double xp = x[k * cols + p], xq = x[k * cols + q];
            x[k * cols + p] = c * xp - s * xq;
            x[k * cols + q] = s * xp + c * xq;
        }
    }

    // kernel: sortedOrder
    /** The indices of d's n values in ascending order, or descending; equal values keep their order (a stable sort). */
    static int[] sortedOrder(double[] d, int n, boolean descending) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            int at = i;
            while (at > 0 && (descending ? d[order[at - 1]] < d[i] : d[order[at - 1]] > d[i])) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = i;
        }
        return order;
    }

    // kernel: flipsColumn
    /** Whether column j of the rows x cols matrix x has its entry of largest magnitude (the first on ties) negative. */
    static boolean flipsColumn(double[] x, int rows, int cols, int j) {
        int best = 0;
        for (int i = 1; i < rows; i++) if (Math.abs(x[i * cols + j]) > Math.abs(x[best * cols + j])) best = i;
        return x[best * cols + j] < 0;
    }

    // kernel: eigh needs jacobiEigen, sortedOrder, flipsColumn, numel
    /**
     * The eigenvalues (ascending, [..., n]) or, when vectors, the eigenvectors (the columns of
     * [..., n, n], in the same order, each with its largest entry positive) of each symmetric matrix
     * of a [..., n, n], read from its lower triangle as torch.linalg.eigh's default UPLO='L'. A
     * matrix with a nan or an infinity in that triangle gives nan throughout.
     */
    static double[] eigh(double[] a, int[] shape, boolean vectors) {
        int n = shape[shape.length - 1], count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        double[] out = new double[count * (vectors ? n * n : n)], w = new double[n * n], v = new double[n * n], d = new double[n];
        for (int t = 0; t < count; t++) {
            boolean finite = true;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double x = a[t * n * n + i * n + j];
                    finite &= Double.isFinite(x);
                    w[i * n + j] = x;
                    w[j * n + i] = x;
                }
            }
            if (finite) jacobiEigen(w, v, n);
            for (int i = 0; i < n; i++) d[i] = finite ? w[i * n + i] : Double.NaN;
            int[] order = sortedOrder(d, n, false);
            for (int k = 0; k < n; k++) {
                int col = order[k];
                if (!vectors) {
                    out[t * n + k] = d[col];
                    continue;
                }
                double sign = finite && flipsColumn(v, n, n, col) ? -1 : 1;
                for (int i = 0; i < n; i++) out[t * n * n + i * n + k] = finite ? sign * v[i * n + col] : Double.NaN;
            }
        }
        return out;
    }

    // kernel: oneSidedJacobi needs rotateColumns
    /**
     * The one-sided Jacobi method (Hestenes) on the rows x cols matrix w (rows >= cols): rotations of
     * pairs of its columns, also applied to v (cols x cols, the identity at first), until every two
     * columns are orthogonal to a relative 1e-15 (|w_p . w_q| <= 1e-15 |w_p| |w_q|). Then w = U Sigma
     * and A = w v^T.
     */
    static void oneSidedJacobi(double[] w, double[] v, int rows, int cols) {
        for (int i = 0; i < cols * cols; i++) v[i] = i % (cols + 1) == 0 ? 1 : 0;
        for (int sweep = 0; sweep < 100; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < cols; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int k = 0; k < rows; k++) {
                        double xp = w[k * cols + p], xq = w[k * cols + q];
                        alpha += xp * xp;
                        beta += xq * xq;
                        gamma += xp * xq;
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.abs(zeta) > 1e150 ? 0.5 / zeta : Math.copySign(1 / (Math.abs(zeta) + Math.sqrt(zeta * zeta + 1)), zeta);
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    rotateColumns(w, rows, cols, p, q, c, s);
                    rotateColumns(v, cols, cols, p, q, c, s);
                }
            }
            if (!rotated) return;
        }
    }

    // kernel: completeColumn
    /**
     * Column j of the rows x cols matrix u, for a singular value 0: the first unit vector e_i whose
     * part orthogonal to u's columns in {@code done} (projected out twice) has length above 1/2,
     * normalised, so that u's columns stay orthonormal.
     */
    static void completeColumn(double[] u, int rows, int cols, int j, boolean[] done) {
        double[] x = new double[rows];
        for (int e = 0; e < rows; e++) {
            java.util.Arrays.fill(x, 0);
            x[e] = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int c = 0; c < cols; c++) {
                    if (!done[c]) continue;
                    double dot = 0;
                    for (int k = 0; k < rows; k++) dot += u[k * cols + c] * x[k];
                    for (int k = 0; k < rows; k++) x[k] -= dot * u[k * cols + c];
                }
            }
            double norm = 0;
            for (int k = 0; k < rows; k++) norm += x[k] * x[k];
            if (Math.sqrt(norm) > 0.5) {
                for (int k = 0; k < rows; k++) u[k * cols + j] = x[k] / Math.sqrt(norm);
                return;
            }
        }
    }

    // kernel: svd needs oneSidedJacobi, sortedOrder, svdPart, batchNote, numel
    /**
     * One part of the reduced SVD A = U diag(S) Vh of each m x n matrix of a [..., m, n], k = min(m, n):
     * U [..., m, k] (part 0), S [..., k] descending (part 1) or Vh [..., k, n] (part 2), or the
     * pseudo-inverse [..., n, m] made from them (part 3, {@link #pinvPart}). The one-sided
     * Jacobi method runs on A (m >= n) or on A^T, whose long side is then U's; a singular value 0
     * gets a column of the long factor completed to an orthonormal set ({@link #completeColumn}). A
     * nan or an infinity throws PyTorch's error, named fn.
     */
    static double[] svd(double[] a, int[] shape, int part, String fn) {
        int m = shape[shape.length - 2], n = shape[shape.length - 1], k = Math.min(m, n), rows = Math.max(m, n);
        int count = numel(java.util.Arrays.copyOf(shape, shape.length - 2));
        boolean tall = m >= n;
        double[] out = new double[count * (part == 0 ? m * k : part == 1 ? k : part == 2 ? k * n : n * m)];
        double[] w = new double[rows * k], v = new double[k * k], s = new double[k];
        for (int t = 0; t < count; t++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < k; j++) {
                    double x = tall ? a[t * m * n + i * n + j] : a[t * m * n + j * n + i];
                    if (!Double.isFinite(x)) {
                        throw new ArithmeticException(fn + ": " + batchNote(shape.length, t)
                                + "The algorithm failed to converge because the input matrix contained non-finite values.");
                    }
                    w[i * k + j] = x;
                }
            }
            oneSidedJacobi(w, v, rows, k);
            for (int j = 0; j < k; j++) {
                double ss = 0;
                for (int i = 0; i < rows; i++) ss += w[i * k + j] * w[i * k + j];
                s[j] = Math.sqrt(ss);
            }
            int[] order = sortedOrder(s, k, true);
            svdPart(w, v, s, order, rows, k, tall, part, out, t);
        }
        return out;
    }

    // kernel: svdPart needs completeColumn, flipsColumn, pinvPart
    /**
     * Writes part (0 U, 1 S, 2 Vh) of matrix t's SVD into out, from the one-sided Jacobi's w = U_long
     * Sigma (rows x k) and v (k x k), the columns taken in order: U_long's columns normalised (or
     * completed, for a 0), each pair flipped so that v's largest entry is positive; then U = U_long and
     * Vh = v^T for a tall A, U = v and Vh = U_long^T for a wide one.
     */
    static void svdPart(double[] w, double[] v, double[] s, int[] order, int rows, int k, boolean tall, int part, double[] out, int t) {
        if (part == 1) {
            for (int j = 0; j < k; j++) out[t * k + j] = s[order[j]];
            return;
        }
        if (part == 3) {
            pinvPart(w, v, s, order, rows, k, tall, out, t);
            return;
        }
        double[] u = new double[rows * k], sq = new double[k * k];
        boolean[] done = new boolean[k];
        for (int j = 0; j < k; j++) {
            int c = order[j];
            double sign = flipsColumn(v, k, k, c) ? -1 : 1;
            for (int i = 0; i < k; i++) sq[i * k + j] = sign * v[i * k + c];
            if (s[c] == 0) continue;
            for (int i = 0; i < rows; i++) u[i * k + j] = sign * w[i * k + c] / s[c];
            done[j] = true;
        }
        for (int j = 0; j < k; j++) {
            if (done[j]) continue;
            completeColumn(u, rows, k, j, done);
            done[j] = true;
        }
        boolean wantLong = (part == 0) == tall;
        int m = tall ? rows : k, n = tall ? k : rows;
        int size = part == 0 ? m * k : k * n;
        for (int i = 0; i < (part == 0 ? m : k); i++) {
            for (int j = 0; j < (part == 0 ? k : n); j++) {
                // U [m, k] is u (tall) or sq (wide); Vh [k, n] is sq^T (tall) or u^T (wide)
                double x = part == 0 ? (wantLong ? u[i * k + j] : sq[i * k + j]) : (wantLong ? u[j * k + i] : sq[j * k + i]);
                out[t * size + i * (part == 0 ? k : n) + j] = x;
            }
        }
    }

    // kernel: pinvPart
    /**
     * torch.linalg.pinv's default: V diag(S+) U^T ([n, m]) from the one-sided Jacobi's w = U_long Sigma
     * and v, with S+_i = 1 / S_i where S_i > rtol S_max, rtol = eps max(m, n) (eps = 2^-52), else 0;
     * the signs of the vectors do not matter here. The sum over i runs in descending order of S.
     */
    static void pinvPart(double[] w, double[] v, double[] s, int[] order, int rows, int k, boolean tall, double[] out, int t) {
        int m = tall ? rows : k, n = tall ? k : rows;
        double tol = 0x1p-52 * rows * (k > 0 ? s[order[0]] : 0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double x = 0;
                for (int q = 0; q < k; q++) {
                    int c = order[q];
                    if (!(s[c] > tol)) continue;
                    // V[i][c] U[j][c] / S_c, with U_long[., c] = w[., c] / S_c
                    double vi = tall ? v[i * k + c] : w[i * k + c] / s[c], uj = tall ? w[j * k + c] / s[c] : v[j * k + c];
                    x += vi * (1 / s[c]) * uj;
                }
                out[t * n * m + i * m + j] = x;
            }
        }
    }
}
