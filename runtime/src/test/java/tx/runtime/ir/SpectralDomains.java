package tx.runtime.ir;

import java.util.Random;

/**
 * Inputs for the gradient checks of eigh and the SVD: matrices whose eigenvalues (singular values)
 * are at least 1 apart, so that their eigenvectors are smooth functions of them, and whose vectors
 * are not the unit vectors (each is rotated by random Householder reflections).
 */
final class SpectralDomains {
    private SpectralDomains() {}

    /** Batches of symmetric n x n matrices Q diag(d) Q^T, d_i = 2i + 1 + u (u in [-0.4, 0.4]) times a random sign, Q a reflection. */
    static PrimGradTest.Domain separatedSymmetric(int n) {
        return (rng, count) -> {
            double[] out = new double[count];
            for (int k = 0; k < count; k += n * n) {
                double[] q = reflection(rng, n), d = new double[n];
                for (int i = 0; i < n; i++) d[i] = (2 * i + 1 + 0.8 * rng.nextDouble() - 0.4) * (rng.nextBoolean() ? 1 : -1);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double v = 0;
                        for (int c = 0; c < n; c++) v += q[i * n + c] * d[c] * q[j * n + c];
                        out[k + i * n + j] = v;
                    }
                }
            }
            return out;
        };
    }

    /** Batches of m x n matrices P Sigma Q^T with singular values 2i + 1 + u (u in [-0.4, 0.4]), P and Q reflections. */
    static PrimGradTest.Domain separatedSingular(int m, int n) {
        return (rng, count) -> {
            double[] out = new double[count];
            for (int k = 0; k < count; k += m * n) {
                double[] p = reflection(rng, m), q = reflection(rng, n), s = new double[Math.min(m, n)];
                for (int i = 0; i < s.length; i++) s[i] = 2 * i + 1 + 0.8 * rng.nextDouble() - 0.4;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double v = 0;
                        for (int c = 0; c < s.length; c++) v += p[i * m + c] * s[c] * q[j * n + c];
                        out[k + i * n + j] = v;
                    }
                }
            }
            return out;
        };
    }

    /** I - 2 v v^T / (v^T v) for v with entries in [-1, 1] (the identity for n = 1, times -1). */
    static double[] reflection(Random rng, int n) {
        double[] v = new double[n], q = new double[n * n];
        double vv = 0;
        for (int i = 0; i < n; i++) {
            v[i] = 2 * rng.nextDouble() - 1;
            vv += v[i] * v[i];
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
        return q;
    }
}
