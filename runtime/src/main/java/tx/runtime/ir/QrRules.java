package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * The rules of {@link Prim#QR_Q} and {@link Prim#QR_R}, the reduced QR of [..., m, n] with m >= n
 * (A = Q R, Qᵀ Q = I, R upper triangular). Each primitive's adjoint is the reduced-QR adjoint with the
 * other output's adjoint zero (the adjoint is linear in (Q̄, R̄), so the two add up to PyTorch's
 * linalg_qr_backward), written with primitives, the other factor recomputed:
 * <pre>
 *   M = R R̄ᵀ - Q̄ᵀ Q,   Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ,   copyltu(M) = tril(M) + tril(M, -1)ᵀ
 * </pre>
 * and the tangents, from X = Qᵀ dA R⁻¹ and its skew part Ω = tril(X, -1) - tril(X, -1)ᵀ (= Qᵀ dQ):
 * <pre>
 *   dQ = dA R⁻¹ - Q X + Q Ω,   dR = (X - Ω) R
 * </pre>
 * R⁻ᵀ and R⁻¹ are solves with R (a rank-deficient A makes R singular: E0508 there, where PyTorch's
 * triangular solve gives inf and nan).
 */
final class QrRules {
    private QrRules() {}

    /** Q [..., m, n] or R [..., n, n] of a [..., m, n] with m >= n. */
    static int[] shape(int[] a, boolean q) {
        if (a.length < 2 || a[a.length - 2] < a[a.length - 1]) fail("qr needs [..., m, n] with m >= n, not " + Shapes.show(a));
        return q ? a.clone() : Shapes.concat(Arrays.copyOf(a, a.length - 2), new int[] {a[a.length - 1], a[a.length - 1]});
    }

    /** Ā for the adjoints gq of Q and gr of R (one of them null: zero). */
    static List<Var> vjp(Builder b, Eqn e, Var gq, Var gr) {
        Var a = in(e, 0);
        Var q = gq == null ? b.emit(Prim.QR_Q, null, a) : e.out(), r = gr == null ? b.emit(Prim.QR_R, null, a) : e.out();
        int n = r.shapeRef()[r.rank() - 1];
        Var m = gq == null ? b.matmul(r, false, gr, true) : gr == null ? b.neg(b.matmul(gq, true, q, false))
                : b.sub(b.matmul(r, false, gr, true), b.matmul(gq, true, q, false));
        Var lower = b.where(b.constant(LinalgRules.triangle(n, 0), DType.BOOL), m, b.scalar(0));
        Var strict = b.where(b.constant(LinalgRules.triangle(n, -1), DType.BOOL), m, b.scalar(0));
        Var inner = b.matmul(q, b.add(lower, b.mT(strict)));
        Var left = gq == null ? inner : b.add(gq, inner);
        return List.of(b.mT(b.emit(Prim.SOLVE, null, r, b.mT(left))));
    }

    /** dQ (q) or dR from the tangent of A. */
    static Var jvp(Builder b, Eqn e, List<Var> t, boolean q) {
        Var da = t.get(0);
        if (da == null) return null;
        Var a = in(e, 0);
        Var qf = q ? e.out() : b.emit(Prim.QR_Q, null, a), rf = q ? b.emit(Prim.QR_R, null, a) : e.out();
        int n = rf.shapeRef()[rf.rank() - 1];
        Var y = b.mT(b.emit(Prim.SOLVE, null, b.mT(rf), b.mT(da))); // dA R⁻¹
        Var x = b.matmul(qf, true, y, false);
        Var below = b.where(b.constant(LinalgRules.triangle(n, -1), DType.BOOL), x, b.scalar(0));
        Var omega = b.sub(below, b.mT(below));
        if (!q) return b.matmul(b.sub(x, omega), rf);
        return b.add(b.sub(y, b.matmul(qf, x)), b.matmul(qf, omega));
    }
}
