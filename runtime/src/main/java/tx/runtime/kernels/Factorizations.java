package tx.runtime.kernels;

import java.util.Arrays;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The factorisations of LANGUAGE.md §5's linear algebra (det, inverse, solve, cholesky, qr, eigh, svd) on batches
 * of matrices [..., n, n], in float64. The loops are {@link StandaloneLinalg}'s, which emitted Java
 * carries too (so both give the same bits): LU with partial pivoting for det, inverse and solve,
 * Cholesky for cholesky. A singular matrix given to inverse or solve, or one that is not
 * positive-definite given to cholesky, is a {@link LinalgError} with PyTorch's message (E0508 at
 * run time); det of a singular matrix is 0, as in PyTorch.
 */
public final class Factorizations {
    private Factorizations() {}

    /** A factorisation that cannot be completed (a singular matrix, one that is not positive-definite): E0508. */
    public static final class LinalgError extends ArithmeticException {
        LinalgError(String message) {
            super(message);
        }
    }

    /** det of each matrix: shape [...]. */
    public static Tensor det(Tensor a) {
        int[] s = a.shapeRef();
        return Tensor.of(Arrays.copyOf(s, s.length - 2), StandaloneLinalg.det(a.data(), s));
    }

    /** slogdet of each matrix, shape [...]: its sign, or log |det A| (PyTorch's torch.linalg.slogdet). */
    public static Tensor slogdet(Tensor a, boolean sign) {
        int[] s = a.shapeRef();
        return Tensor.of(Arrays.copyOf(s, s.length - 2), StandaloneLinalg.slogdet(a.data(), s, sign));
    }

    /** The reduced QR of each m x n matrix (m >= n): Q [..., m, n] when wantQ, else R [..., n, n]. */
    public static Tensor qr(Tensor a, boolean wantQ) {
        int[] s = a.shapeRef();
        int[] shape = wantQ ? a.shape() : Shapes.concat(Arrays.copyOf(s, s.length - 2), new int[] {s[s.length - 1], s[s.length - 1]});
        return Tensor.of(shape, StandaloneLinalg.qr(a.data(), s, wantQ));
    }

    /** eigh of each symmetric matrix (its lower triangle): the eigenvalues [..., n] ascending, or the eigenvectors [..., n, n] as columns. */
    public static Tensor eigh(Tensor a, boolean vectors) {
        int[] s = a.shapeRef();
        return Tensor.of(vectors ? a.shape() : Arrays.copyOf(s, s.length - 1), StandaloneSpectral.eigh(a.data(), s, vectors));
    }

    /** Part 0 (U [..., m, k]), 1 (S [..., k]) or 2 (Vh [..., k, n]) of each matrix's reduced SVD, k = min(m, n), or 3, the pseudo-inverse [..., n, m]; a nan or an infinity is PyTorch's error. */
    public static Tensor svd(Tensor a, int part) {
        int[] s = a.shapeRef();
        int r = s.length, m = s[r - 2], n = s[r - 1], k = Math.min(m, n);
        int[] batch = Arrays.copyOf(s, r - 2);
        int[] shape = part == 1 ? Shapes.concat(batch, new int[] {k}) : Shapes.concat(batch, part == 0 ? new int[] {m, k} : part == 2 ? new int[] {k, n} : new int[] {n, m});
        try {
            return Tensor.of(shape, StandaloneSpectral.svd(a.data(), s, part, "linalg.svd"));
        } catch (ArithmeticException e) {
            throw new LinalgError(e.getMessage());
        }
    }

    /** The inverse of each matrix. */
    public static Tensor inverse(Tensor a) {
        try {
            return Tensor.of(a.shape(), StandaloneLinalg.inverse(a.data(), a.shapeRef()));
        } catch (ArithmeticException e) {
            throw new LinalgError(e.getMessage());
        }
    }

    /** X with A X = B, for a [..., n, n] and b [..., n, k] whose batch dimensions broadcast. */
    public static Tensor solve(Tensor a, Tensor b) {
        int[] as = a.shapeRef(), bs = b.shapeRef();
        int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        try {
            return Tensor.of(Shapes.concat(batch, new int[] {bs[bs.length - 2], bs[bs.length - 1]}), StandaloneLinalg.solve(a.data(), as, b.data(), bs));
        } catch (ArithmeticException e) {
            throw new LinalgError(e.getMessage());
        }
    }

    /** X with A X = B for A's triangle (t: upper or lower, unit diagonal), a [..., n, n] and b [..., n, k] whose batch dimensions broadcast. */
    public static Tensor solveTriangular(Tensor a, Tensor b, tx.runtime.ir.Attrs.Triangle t) {
        int[] as = a.shapeRef(), bs = b.shapeRef();
        int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        return Tensor.of(Shapes.concat(batch, new int[] {bs[bs.length - 2], bs[bs.length - 1]}),
                StandaloneLinalg.solveTriangular(a.data(), as, b.data(), bs, t.upper(), t.unit()));
    }

    /** The lower Cholesky factor of each matrix, read from its lower triangle; fn names the function in the error's message. */
    public static Tensor cholesky(Tensor a, String fn) {
        try {
            return Tensor.of(a.shape(), StandaloneLinalg.cholesky(a.data(), a.shapeRef(), fn));
        } catch (ArithmeticException e) {
            throw new LinalgError(e.getMessage());
        }
    }
}
