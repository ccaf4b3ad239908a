package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * The rules of {@link Prim#EIGH} (A = V diag(L) Vᵀ of a symmetric A, L ascending) and {@link Prim#SVD}
 * (the reduced A = U diag(S) Vh, k = min(m, n), S descending; part 3 is the pseudo-inverse A⁺ = V
 * diag(S⁺) Uᵀ, torch.linalg.pinv, with PyTorch's own pinv_backward), one output a primitive (an
 * {@link Attrs.Part}). Each output's adjoint is PyTorch 1.13's (linalg_eig_backward with
 * is_hermitian, svd_backward) with the other outputs' adjoints zero: both are linear in the
 * adjoints, so the parts add up to PyTorch's whole. Written with primitives, the other outputs
 * recomputed, so they can be differentiated again. With E_ij = L_j - L_i (for the SVD S_j² - S_i²)
 * and 1 on its diagonal (Giles 2008; Townsend 2016 for the rectangular terms):
 * <pre>
 *   eigh:  Ā = V diag(L̄) Vᵀ  +  V (skew(Vᵀ V̄) / E) Vᵀ,               skew(X) = (X - Xᵀ) / 2
 *   svd:   Ā = U diag(S̄) Vh  +  U ((Uᵀ Ū - Ūᵀ U) S / E) Vh  [+ (I - U Uᵀ) Ū S⁻¹ Vh when m > n]
 *                            +  U (S (Vh V̄hᵀ - V̄h Vhᵀ) / E) Vh [+ U S⁻¹ V̄h (I - Vhᵀ Vh) when m < n]
 * </pre>
 * NOTE: at a repeated eigenvalue (or singular value) E has a 0 off its diagonal and the
 * eigenvectors' adjoint divides by it, as PyTorch's does: the gradient is nan or inf there (an
 * eigenvalue-only loss is fine). The tangents are the transposes of these adjoints: the
 * symmetric part S of dA for eigh (Ā is symmetric, the gradient with respect to a symmetric A, as
 * for cholesky), P = Vᵀ S V, dL = diag(P), dV = V (P / E, 0 on the diagonal); for the SVD, P = Uᵀ dA V,
 * dS = diag(P), dU = U ((P S + S Pᵀ) / E) [+ (I - U Uᵀ) dA V S⁻¹], dV = V ((S P + Pᵀ S) / E)
 * [+ (I - V Vᵀ) dAᵀ U S⁻¹], the brackets for the long side only.
 */
final class SpectralRules {
    private SpectralRules() {}

    /** The index of the output a primitive gives (eigh: 0 eigenvalues, 1 eigenvectors; svd: 0 U, 1 S, 2 Vh). */
    static int part(Object attr) {
        if (!(attr instanceof Attrs.Part p)) throw new IllegalArgumentException("a spectral factorisation needs its part, not " + attr);
        return p.index();
    }

    static int[] shape(Prim p, int[] a, Object attr) {
        int part = part(attr);
        if (a.length < 2) fail(p.text() + " needs matrices [..., m, n], not " + Shapes.show(a));
        int[] batch = Arrays.copyOf(a, a.length - 2);
        int m = a[a.length - 2], n = a[a.length - 1], k = Math.min(m, n);
        if (p == Prim.EIGH) {
            LinalgRules.square(a, p);
            if (part > 1) fail("eigh has two parts, not " + attr);
            return part == 0 ? Shapes.concat(batch, new int[] {n}) : a.clone();
        }
        if (part > 3) fail("svd has three parts and the pseudo-inverse, not " + attr);
        return Shapes.concat(batch, part == 0 ? new int[] {m, k} : part == 1 ? new int[] {k} : part == 2 ? new int[] {k, n} : new int[] {n, m});
    }

    private static final Attrs.Part VALUES = new Attrs.Part(0, "eigenvalues"), VECTORS = new Attrs.Part(1, "eigenvectors");
    private static final Attrs.Part[] SVD_PARTS = {new Attrs.Part(0, "U"), new Attrs.Part(1, "S"), new Attrs.Part(2, "Vh"), new Attrs.Part(3, "pinv")};

    /** Output i of e's factorisation: e's own, or the same primitive emitted again for that part. */
    private static Var other(Builder b, Eqn e, int i) {
        if (part(e.attr()) == i) return e.out();
        return b.emit(e.prim(), e.prim() == Prim.EIGH ? (i == 0 ? VALUES : VECTORS) : SVD_PARTS[i], in(e, 0));
    }

    /** [..., k] as rows [..., 1, k] (x_j along a row) or columns [..., k, 1] (x_i down a column). */
    private static Var row(Builder b, Var x) {
        int[] s = x.shapeRef();
        return b.reshape(x, Shapes.concat(Arrays.copyOf(s, s.length - 1), new int[] {1, s[s.length - 1]}));
    }

    private static Var col(Builder b, Var x) {
        return b.reshape(x, Shapes.concat(x.shapeRef(), new int[] {1}));
    }

    private static Var eye(Builder b, int n) {
        return b.constant(LinalgRules.identity(n), DType.BOOL);
    }

    /** E_ij = d_j - d_i with 1 on the diagonal (PyTorch's Econj, whose diagonal is filled with 1). */
    private static Var gaps(Builder b, Var d) {
        int n = d.shapeRef()[d.rank() - 1];
        return b.where(eye(b, n), b.scalar(1), b.sub(row(b, d), col(b, d)));
    }

    static List<Var> vjp(Builder b, Eqn e, Var g) {
        if (e.prim() == Prim.EIGH) return List.of(part(e.attr()) == 0 ? eigenvaluesVjp(b, e, g) : eigenvectorsVjp(b, e, g));
        Var a = in(e, 0);
        int m = a.shapeRef()[a.rank() - 2], n = a.shapeRef()[a.rank() - 1];
        if (part(e.attr()) == 3) return List.of(pinvVjp(b, g, e.out(), a, m, n));
        Var u = other(b, e, 0), s = other(b, e, 1), vh = other(b, e, 2);
        return List.of(switch (part(e.attr())) {
            case 0 -> uVjp(b, g, u, s, vh, m, n);
            case 1 -> m >= n ? b.matmul(u, b.mul(col(b, g), vh)) : b.matmul(b.mul(u, row(b, g)), vh);
            default -> vhVjp(b, g, u, s, vh, m, n);
        });
    }

    /** Ā = V diag(L̄) Vᵀ, as (V L̄ᵀ) Vᵀ. */
    private static Var eigenvaluesVjp(Builder b, Eqn e, Var g) {
        Var v = other(b, e, 1);
        return b.matmul(b.mul(v, row(b, g)), false, v, true);
    }

    /** Ā = V (skew(Vᵀ V̄) / E) Vᵀ. */
    private static Var eigenvectorsVjp(Builder b, Eqn e, Var g) {
        Var v = e.out(), x = b.matmul(v, true, g, false);
        Var skew = b.mul(b.scalar(0.5), b.sub(x, b.mT(x)));
        Var inner = b.div(skew, gaps(b, other(b, e, 0)));
        return b.matmul(v, b.matmul(inner, false, v, true));
    }

    /** U (inner) Vh, in PyTorch's order of products. */
    private static Var sandwich(Builder b, Var u, Var inner, Var vh, int m, int n) {
        return m >= n ? b.matmul(u, b.matmul(inner, vh)) : b.matmul(b.matmul(u, inner), vh);
    }

    /** Ū's part: U ((Uᵀ Ū - Ūᵀ U) S_j / E) Vh, with (I - U Uᵀ) Ū S⁻¹ Vh added when m > n. */
    private static Var uVjp(Builder b, Var gu, Var u, Var s, Var vh, int m, int n) {
        Var x = b.matmul(u, true, gu, false);
        Var inner = b.div(b.mul(b.sub(x, b.mT(x)), row(b, s)), gaps(b, b.mul(s, s)));
        if (m <= n) return sandwich(b, u, inner, vh, m, n);
        Var scaled = b.div(gu, row(b, s));
        Var left = b.add(b.matmul(u, inner), b.sub(scaled, b.matmul(u, b.matmul(u, true, scaled, false))));
        return b.matmul(left, vh);
    }

    /** V̄h's part: U (S_i (Vh V̄hᵀ - V̄h Vhᵀ) / E) Vh, with U S⁻¹ V̄h (I - Vhᵀ Vh) added when m < n. */
    private static Var vhVjp(Builder b, Var gvh, Var u, Var s, Var vh, int m, int n) {
        Var x = b.matmul(vh, false, gvh, true);
        Var inner = b.div(b.mul(col(b, s), b.sub(x, b.mT(x))), gaps(b, b.mul(s, s)));
        if (m >= n) return sandwich(b, u, inner, vh, m, n);
        Var scaled = b.div(gvh, col(b, s));
        Var right = b.add(b.matmul(inner, vh), b.sub(scaled, b.matmul(b.matmul(scaled, false, vh, true), vh)));
        return b.matmul(u, right);
    }

    /**
     * PyTorch's pinv_backward, for P = A⁺ and its adjoint G, with K = Gᵀ P (m <= n) or P Gᵀ (m > n):
     * Ā = -(P K)ᵀ + K Pᵀ - A P K Pᵀ + Pᵀ P (Gᵀ - K A), or -(K P)ᵀ + (Gᵀ - A K) P Pᵀ + Pᵀ K - Pᵀ K P A.
     */
    private static Var pinvVjp(Builder b, Var g, Var p, Var a, int m, int n) {
        if (m <= n) {
            Var k = b.matmul(g, true, p, false), kp = b.matmul(k, false, p, true);
            Var first = b.add(b.neg(b.mT(b.matmul(p, k))), kp);
            return b.add(b.sub(first, b.matmul(b.matmul(a, p), kp)), b.matmul(b.matmul(p, true, p, false), b.sub(b.mT(g), b.matmul(k, a))));
        }
        Var k = b.matmul(p, false, g, true), pk = b.matmul(p, true, k, false);
        Var first = b.add(b.neg(b.mT(b.matmul(k, p))), b.matmul(b.matmul(b.sub(b.mT(g), b.matmul(a, k)), p), false, p, true));
        return b.sub(b.add(first, pk), b.matmul(b.matmul(pk, p), a));
    }

    /** dP = -P dA P + P Pᵀ dAᵀ (I - A P) + (I - P A) dAᵀ Pᵀ P, the derivative of A⁺ where A's rank does not change. */
    private static Var pinvJvp(Builder b, Var da, Var p, Var a) {
        Var pp = b.matmul(p, false, p, true), ptp = b.matmul(p, true, p, false);
        Var first = b.neg(b.matmul(p, b.matmul(da, p)));
        Var ppda = b.matmul(pp, false, da, true);
        Var second = b.sub(ppda, b.matmul(ppda, b.matmul(a, p))); // P Pᵀ dAᵀ (I - A P)
        Var third = b.sub(b.matmul(da, true, ptp, false), b.matmul(b.matmul(p, a), b.matmul(da, true, ptp, false))); // (I - P A) dAᵀ Pᵀ P
        return b.add(b.add(first, second), third);
    }

    static Var jvp(Builder b, Eqn e, List<Var> t) {
        Var da = t.get(0);
        if (da == null) return null;
        return e.prim() == Prim.EIGH ? eighJvp(b, e, da) : svdJvp(b, e, da);
    }

    /** dL = diag(Vᵀ S V) or dV = V (Vᵀ S V / E, 0 on the diagonal), S = (dA + dAᵀ) / 2. */
    private static Var eighJvp(Builder b, Eqn e, Var da) {
        Var v = other(b, e, 1), sym = b.mul(b.scalar(0.5), b.add(da, b.mT(da)));
        Var sv = b.matmul(sym, v);
        if (part(e.attr()) == 0) return b.sum(b.mul(v, sv), new int[] {v.rank() - 2}, false);
        int n = v.shapeRef()[v.rank() - 1];
        Var p = b.matmul(v, true, sv, false);
        return b.matmul(v, b.where(eye(b, n), b.scalar(0), b.div(p, gaps(b, other(b, e, 0)))));
    }

    /** dS = diag(P), dU or dVh (see the class's Javadoc), P = Uᵀ dA V. */
    private static Var svdJvp(Builder b, Eqn e, Var da) {
        Var a = in(e, 0);
        int m = a.shapeRef()[a.rank() - 2], n = a.shapeRef()[a.rank() - 1], k = Math.min(m, n);
        if (part(e.attr()) == 3) return pinvJvp(b, da, e.out(), a);
        Var u = other(b, e, 0), s = other(b, e, 1), vh = other(b, e, 2);
        Var dav = b.matmul(da, false, vh, true); // dA V, [..., m, k]
        if (part(e.attr()) == 1) return b.sum(b.mul(u, dav), new int[] {u.rank() - 2}, false);
        Var p = b.matmul(u, true, dav, false), e2 = gaps(b, b.mul(s, s));
        if (part(e.attr()) == 0) {
            Var omega = b.where(eye(b, k), b.scalar(0), b.div(b.add(b.mul(p, row(b, s)), b.mul(col(b, s), b.mT(p))), e2));
            Var du = b.matmul(u, omega);
            if (m <= n) return du;
            return b.add(du, b.div(b.sub(dav, b.matmul(u, b.matmul(u, true, dav, false))), row(b, s)));
        }
        Var omega = b.where(eye(b, k), b.scalar(0), b.div(b.add(b.mul(col(b, s), p), b.mul(b.mT(p), row(b, s))), e2));
        Var dvh = b.matmul(omega, true, vh, false); // (V Ω)ᵀ
        if (m >= n) return dvh;
        Var dau = b.matmul(da, true, u, false); // dAᵀ U, [..., n, k]
        Var extra = b.div(b.sub(dau, b.matmul(vh, true, b.matmul(vh, dau), false)), row(b, s));
        return b.add(dvh, b.mT(extra));
    }
}
