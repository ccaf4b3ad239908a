package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.broadcastOrFail;
import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The rules of the factorisations {@link Prim#DET}, {@link Prim#SIGNDET}, {@link Prim#LOGABSDET},
 * {@link Prim#INVERSE}, {@link Prim#SOLVE} and {@link Prim#CHOLESKY} on batches of square matrices [..., n, n]. Their derivatives are the textbook
 * adjoints (Giles, "Collected matrix derivative results for forward and reverse mode algorithmic
 * differentiation", 2008), written with primitives (matmul, transpose, where, inverse, solve), so
 * that they can be differentiated again:
 * <pre>
 *   d = det A        dd = d tr(A⁻¹ dA)              Ā = d̄ d A⁻ᵀ
 *   l = log|det A|   dl = tr(A⁻¹ dA)                Ā = l̄ A⁻ᵀ
 *   Y = A⁻¹          dY = -Y dA Y                   Ā = -Yᵀ Ȳ Yᵀ
 *   X = A⁻¹ B        dX = A⁻¹ (dB - dA X)           B̄ = A⁻ᵀ X̄,  Ā = -B̄ Xᵀ
 *   L = chol A       dL = L Φ(L⁻¹ dA L⁻ᵀ)           Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (symmetric, as PyTorch's; dA taken so too)
 * </pre>
 * where Φ takes the lower triangle and halves the diagonal.
 */
final class LinalgRules {
    private LinalgRules() {}

    /** The operand's shape, checked to be a batch of square matrices. */
    static int[] square(int[] a, Prim p) {
        if (a.length < 2 || a[a.length - 1] != a[a.length - 2]) fail(p.text() + " needs square matrices [..., n, n], not " + Shapes.show(a));
        return a.clone();
    }

    /** det: the batch dimensions. */
    static int[] det(List<int[]> in) {
        int[] a = square(in.get(0), Prim.DET);
        return Arrays.copyOf(a, a.length - 2);
    }

    /** solve(A [..., n, n], B [..., n, k]): [batch, n, k], the batches broadcasting. */
    static int[] solve(List<int[]> in) {
        int[] a = square(in.get(0), Prim.SOLVE), b = in.get(1);
        if (b.length < 2 || b[b.length - 2] != a[a.length - 1]) fail("solve of " + Shapes.show(a) + " and " + Shapes.show(b));
        int[] batch = broadcastOrFail(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        return Shapes.concat(batch, new int[] {b[b.length - 2], b[b.length - 1]});
    }

    /** solve_triangular(A [..., n, n], B [..., n, k]): as solve. */
    static int[] triSolve(List<int[]> in) {
        square(in.get(0), Prim.TRI_SOLVE);
        return solve(in);
    }

    /** det's value as [..., 1, 1], to scale matrices. */
    private static Var asMatrix(Builder b, Var v) {
        return b.reshape(v, Shapes.concat(v.shapeRef(), new int[] {1, 1}));
    }

    /**
     * A⁻ᵀ, with the identity in place of each matrix whose det is exactly 0. NOTE: PyTorch's gradient
     * of det at a singular matrix is 0 (its lu_solve of d̄ d I = 0 against the singular factor gives
     * 0), and so is tx's, d̄ d times this; at other matrices the where passes A unchanged.
     */
    private static Var inverseTransposed(Builder b, Eqn e) {
        Var a = in(e, 0);
        int n = a.shapeRef()[a.rank() - 1];
        Var eye = b.constant(identity(n));
        Var safe = b.where(b.eq(asMatrix(b, e.out()), b.scalar(0)), eye, a);
        return b.mT(b.emit(Prim.INVERSE, null, safe));
    }

    /** Ā = d̄ d A⁻ᵀ. */
    static List<Var> detVjp(Builder b, Eqn e, Var g) {
        return List.of(b.mul(asMatrix(b, b.mul(g, e.out())), inverseTransposed(b, e)));
    }

    /** dd = d Σ (A⁻ᵀ ∘ dA) = d tr(A⁻¹ dA). */
    static Var detJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        int r = in(e, 0).rank();
        return b.mul(e.out(), b.sum(b.mul(inverseTransposed(b, e), t.get(0)), new int[] {r - 2, r - 1}, false));
    }

    /**
     * Ā = ḡ A⁻ᵀ for logabsdet = log |det A|. NOTE: at a singular A (logabsdet -inf) PyTorch's
     * gradient is what its LU solve gives against a zero pivot (±inf, nan); tx's inverse stops there
     * with E0508 instead.
     */
    static List<Var> logabsdetVjp(Builder b, Eqn e, Var g) {
        return List.of(b.mul(asMatrix(b, g), b.mT(b.emit(Prim.INVERSE, null, in(e, 0)))));
    }

    /** d logabsdet = tr(A⁻¹ dA) = Σ (A⁻ᵀ ∘ dA). */
    static Var logabsdetJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        int r = in(e, 0).rank();
        return b.sum(b.mul(b.mT(b.emit(Prim.INVERSE, null, in(e, 0))), t.get(0)), new int[] {r - 2, r - 1}, false);
    }

    /** The name a factorisation's errors give its function: the attribute's spelling, or dflt. */
    static String spelling(Object attr, String dflt) {
        return attr instanceof Attrs.Spelling s ? s.name() : dflt;
    }

    /** Ā = -Yᵀ Ȳ Yᵀ, from the output Y = A⁻¹. */
    static List<Var> inverseVjp(Builder b, Eqn e, Var g) {
        Var y = e.out();
        return List.of(b.neg(b.matmul(y, true, b.matmul(g, false, y, true), false)));
    }

    /** dY = -Y dA Y. */
    static Var inverseJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Var y = e.out();
        return b.neg(b.matmul(y, b.matmul(t.get(0), y)));
    }

    /** B̄ = A⁻ᵀ X̄ (a solve with Aᵀ), Ā = -B̄ Xᵀ; the AD pass sums broadcast batches. */
    static List<Var> solveVjp(Builder b, Eqn e, Var g) {
        Var gb = b.emit(Prim.SOLVE, null, b.mT(in(e, 0)), g);
        return List.of(b.neg(b.matmul(gb, false, e.out(), true)), gb);
    }

    /** dX = A⁻¹ (dB - dA X). */
    static Var solveJvp(Builder b, Eqn e, List<Var> t) {
        Var da = t.get(0), db = t.get(1);
        if (da == null && db == null) return null;
        Var rhs = da == null ? db : db == null ? b.neg(b.matmul(da, e.out())) : b.sub(db, b.matmul(da, e.out()));
        return b.emit(Prim.SOLVE, null, in(e, 0), rhs);
    }

    /**
     * Giles's adjoint of X = A⁻¹ B for a triangular A: B̄ = A⁻ᵀ X̄ (a solve with Aᵀ, whose triangle is
     * the other one), Ā = -B̄ Xᵀ kept on A's triangle (without the diagonal when it is taken as ones),
     * as PyTorch's linalg_solve_triangular_backward; the AD pass sums broadcast batches.
     */
    static List<Var> triSolveVjp(Builder b, Eqn e, Var g) {
        Attrs.Triangle t = (Attrs.Triangle) e.attr();
        Var gb = b.emit(Prim.TRI_SOLVE, new Attrs.Triangle(!t.upper(), t.unit()), b.mT(in(e, 0)), g);
        return List.of(onTriangle(b, b.neg(b.matmul(gb, false, e.out(), true)), t), gb);
    }

    /** dX = A⁻¹ (dB - dA X), dA kept on A's triangle (the kernel reads nothing else). */
    static Var triSolveJvp(Builder b, Eqn e, List<Var> t) {
        Var da = t.get(0), db = t.get(1);
        if (da == null && db == null) return null;
        Attrs.Triangle tr = (Attrs.Triangle) e.attr();
        Var dax = da == null ? null : b.matmul(onTriangle(b, da, tr), e.out());
        return b.emit(Prim.TRI_SOLVE, tr, in(e, 0), dax == null ? db : db == null ? b.neg(dax) : b.sub(db, dax));
    }

    /** m [..., n, n] on the triangle a triangular solve reads (0 elsewhere). */
    private static Var onTriangle(Builder b, Var m, Attrs.Triangle t) {
        int n = m.shapeRef()[m.rank() - 1];
        Tensor lower = triangle(n, t.unit() ? -1 : 0);
        Var mask = b.constant(t.upper() ? Tensor.of(new int[] {n, n}, transposed(lower.data(), n)) : lower, DType.BOOL);
        return b.where(mask, m, b.scalar(0));
    }

    private static double[] transposed(double[] d, int n) {
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) t[j * n + i] = d[i * n + j];
        return t;
    }

    /**
     * PyTorch's cholesky_backward: P = tril(Lᵀ L̄), Φ = (P + tril(P, -1)ᵀ) / 2 (symmetric, its diagonal
     * halved), Ā = L⁻ᵀ Φ L⁻¹, as two solves with Lᵀ: Ā = (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ. NOTE: Ā is symmetric, the
     * gradient with respect to a symmetric A (PyTorch's convention), though the kernel reads only the
     * lower triangle.
     */
    static List<Var> choleskyVjp(Builder b, Eqn e, Var g) {
        Var l = e.out();
        int n = l.shapeRef()[l.rank() - 1];
        Var p = b.where(b.constant(triangle(n, 0), DType.BOOL), b.matmul(l, true, g, false), b.scalar(0));
        Var phi = b.mul(b.scalar(0.5), b.add(p, b.mT(b.where(b.constant(triangle(n, -1), DType.BOOL), p, b.scalar(0)))));
        Var lt = b.mT(l);
        Var left = b.emit(Prim.SOLVE, null, lt, phi);
        return List.of(b.mT(b.emit(Prim.SOLVE, null, lt, b.mT(left))));
    }

    /**
     * dL = L Φ(L⁻¹ S L⁻ᵀ) for the symmetric part S = (dA + dAᵀ) / 2 of the tangent, with L⁻¹ S L⁻ᵀ =
     * (L⁻¹ (L⁻¹ S)ᵀ)ᵀ. NOTE: the symmetric part, so that this is the transpose of the VJP for every
     * tangent (whose Ā is symmetric), as PyTorch's jvp and hessian (built from its VJP) are.
     */
    static Var choleskyJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Var l = e.out();
        int n = l.shapeRef()[l.rank() - 1];
        Var sym = b.mul(b.scalar(0.5), b.add(t.get(0), b.mT(t.get(0))));
        Var z = b.mT(b.emit(Prim.SOLVE, null, l, b.mT(b.emit(Prim.SOLVE, null, l, sym))));
        Var phi = b.where(b.constant(triangle(n, 0), DType.BOOL), b.mul(z, b.constant(halvedDiagonal(n))), b.scalar(0));
        return b.matmul(l, phi);
    }

    static Tensor identity(int n) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1;
        return Tensor.of(new int[] {n, n}, d);
    }

    /** 1 on and below diagonal k (k = 0 the main one, -1 the one below it), 0 above: tril's mask. */
    static Tensor triangle(int n, int k) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= Math.min(n - 1, i + k); j++) d[i * n + j] = 1;
        return Tensor.of(new int[] {n, n}, d);
    }

    /** 1 everywhere but 0.5 on the diagonal. */
    static Tensor halvedDiagonal(int n) {
        double[] d = new double[n * n];
        Arrays.fill(d, 1);
        for (int i = 0; i < n; i++) d[i * n + i] = 0.5;
        return Tensor.of(new int[] {n, n}, d);
    }
}
