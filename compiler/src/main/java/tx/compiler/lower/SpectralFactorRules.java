package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;

/**
 * torch.linalg's spectral factorisations: eigh and eigvalsh of symmetric matrices ({@link Prim#EIGH}),
 * the reduced svd, svdvals and pinv ({@link Prim#SVD}), and matrix_norm written with them, as PyTorch 1.13
 * writes it. Shapes and dtypes are checked here (E0202, E0220); a nan or an infinity given to svd
 * is found when it runs (E0508). NOTE: eigenvectors and singular vectors are tx's own, with a sign
 * convention of tx's (see StandaloneSpectral): values, the products that do not depend on the signs
 * and their gradients are PyTorch's, the vectors themselves may differ from PyTorch's in sign.
 */
final class SpectralFactorRules extends RuleFamily {
    SpectralFactorRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("linalg.eigh", a -> eigh(a, true));
        rules.put("linalg.eigvalsh", a -> eigh(a, false));
        rules.put("linalg.svd", a -> svd(a, true));
        rules.put("linalg.svdvals", a -> svd(a, false));
        rules.put("linalg.matrix_norm", this::matrixNorm);
        rules.put("linalg.pinv", this::pinv);
        rules.put("linalg.matrix_rank", this::matrixRank);
    }

    /** The operand as a batch of float64 matrices (square ones when square), or null after E0202 or E0220. */
    private T matrices(Args a, boolean square) {
        T x = a.tensor(0, "A");
        if (x == null) return null;
        int[] s = x.shape();
        if (s.length < 2 || square && s[s.length - 1] != s[s.length - 2]) {
            String found = s.length < 2 ? "found shape " + Shapes.show(s) : "they are " + s[s.length - 2] + " by " + s[s.length - 1] + " matrices";
            l.diags.error("E0202", a.spanOf(0, "A"), "`" + a.fn + "` takes " + (square ? "square matrices [..., n, n]" : "matrices [..., m, n]") + ", " + found,
                    "PyTorch's " + a.fn + " needs a batch of " + (square ? "square matrices" : "matrices") + (square ? " (symmetric: it reads one triangle)" : ""));
            return null;
        }
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(0, "A"), "`" + a.fn + "` of " + x.describeDtype() + ": PyTorch factorises floats only", "convert first: `torch." + a.fn + "(A.double())`");
            return null;
        }
        return x;
    }

    /**
     * torch.linalg.eigh(A, UPLO="L") (PyTorch's named tuple (eigenvalues, eigenvectors)) and
     * eigvalsh(A, UPLO="L"): from the lower triangle, or the upper one (the lower of Aᵀ); both print
     * LinalgEighBackward0.
     */
    private Val eigh(Args a, boolean vectors) {
        if (!a.shape(1, 2, "A", "UPLO")) return null;
        T x = matrices(a, true);
        String uplo = host.choice(a, 1, "UPLO", "L", "L", "U");
        if (x == null || uplo == null || a.failed) return null;
        Var m = uplo.equals("L") ? x.var() : b.mT(x.var());
        T values = out(b.emit(Prim.EIGH, new Attrs.Part(0, "eigenvalues"), m), "LinalgEighBackward0");
        if (!vectors) return values;
        T v = out(b.emit(Prim.EIGH, new Attrs.Part(1, "eigenvectors"), m), "LinalgEighBackward0");
        Val.Tuple t = new Val.Tuple(List.of(values, v));
        l.namedPairs.put(t, "linalg_eigh");
        return t;
    }

    /**
     * torch.linalg.svd(A, full_matrices=True) (PyTorch's named tuple (U, S, Vh)) and svdvals(A): the
     * reduced SVD, k = min(m, n); full_matrices=True is the same for square matrices, and not in tx
     * yet for others (E0104). All print LinalgSvdBackward0.
     */
    private Val svd(Args a, boolean factors) {
        if (!(factors ? a.shape(1, 2, "A", "full_matrices") : a.shape(1, 1, "A"))) return null;
        T x = matrices(a, false);
        boolean full = factors && a.bool(1, "full_matrices", true);
        if (x == null || a.failed) return null;
        int[] s = x.shape();
        if (full && s[s.length - 1] != s[s.length - 2]) {
            l.diags.error("E0104", a.spanOf(1, "full_matrices"), "`" + a.fn + "` of " + Shapes.show(s) + " with full_matrices=True (the complete SVD) is not in tx yet",
                    "the reduced SVD is `torch.linalg.svd(A, full_matrices=False)`");
            return null;
        }
        T sv = out(b.emit(Prim.SVD, new Attrs.Part(1, "S"), x.var()), "LinalgSvdBackward0");
        if (!factors) return sv;
        T u = out(b.emit(Prim.SVD, new Attrs.Part(0, "U"), x.var()), "LinalgSvdBackward0");
        T vh = out(b.emit(Prim.SVD, new Attrs.Part(2, "Vh"), x.var()), "LinalgSvdBackward0");
        Val.Tuple t = new Val.Tuple(new ArrayList<>(List.of(u, sv, vh)));
        l.namedPairs.put(t, "linalg_svd");
        return t;
    }

    /**
     * torch.linalg.matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False) over the last two
     * dimensions, as PyTorch 1.13 writes it: "fro" the 2-norm of the elements
     * (LinalgVectorNormBackward0), "nuc" the sum of svdvals (SumBackward1), ±2 their largest or
     * smallest (AmaxBackward0, AminBackward0; both PermuteBackward0 with keepdim, as PyTorch moves the
     * kept dimensions back), ±1 and ±inf the largest or smallest column or row sum of |A| (the same names).
     */
    private Val matrixNorm(Args a) {
        if (!a.shape(1, 2, "A", "ord", "keepdim")) return null;
        T x = matrices(a, false);
        Val ord = a.get(1, "ord");
        boolean keepdim = a.bool("keepdim", false);
        if (x == null || a.failed) return null;
        int r = x.shape().length;
        int[] last = {r - 2, r - 1};
        if (ord == null || ord instanceof Val.Str str && str.value().equals("fro")) {
            return out(b.composite(() -> Composites.norm(b, x.var(), last, keepdim)), "LinalgVectorNormBackward0");
        }
        if (ord instanceof Val.Str str && str.value().equals("nuc")) {
            return out(b.composite(() -> b.sum(singularValues(x, keepdim), new int[] {r - 2 + (keepdim ? 1 : 0)}, keepdim)), keepdim ? "PermuteBackward0" : "SumBackward1");
        }
        double p = ord instanceof Val.Num n ? n.value() : Double.NaN;
        if (Math.abs(p) == 2) {
            int axis = keepdim ? r - 1 : r - 2;
            Var v = b.composite(() -> p > 0 ? Composites.max(b, singularValues(x, keepdim), new int[] {axis}, keepdim)
                    : Composites.min(b, singularValues(x, keepdim), new int[] {axis}, keepdim));
            return out(v, keepdim ? "PermuteBackward0" : p > 0 ? "AmaxBackward0" : "AminBackward0");
        }
        if (Math.abs(p) == 1 || Math.abs(p) == Double.POSITIVE_INFINITY) {
            boolean inf = Math.abs(p) == Double.POSITIVE_INFINITY; // the 1-norm of Aᵀ: rows summed first
            int first = inf ? r - 1 : r - 2, second = inf ? r - 2 : (keepdim ? r - 1 : r - 2);
            Var v = b.composite(() -> {
                Var sums = Composites.norm1(b, x.var(), new int[] {first}, keepdim);
                return p > 0 ? Composites.max(b, sums, new int[] {second}, keepdim) : Composites.min(b, sums, new int[] {second}, keepdim);
            });
            return out(v, p > 0 ? "AmaxBackward0" : "AminBackward0");
        }
        String shown = ord instanceof Val.Num ? (p == Math.rint(p) && Math.abs(p) < 1e15 ? Long.toString((long) p) : PyFloat.repr(p)) : ord instanceof Val.Str str ? "\"" + str.value() + "\"" : ord.describe();
        l.diags.error("E0104", a.spanOf(1, "ord"), "`" + a.fn + "` has no ord " + shown, "it takes \"fro\", \"nuc\", 2, -2, 1, -1, inf and -inf");
        return null;
    }

    /**
     * torch.linalg.pinv(A) with PyTorch's default tolerance (singular values up to eps max(m, n) times
     * the largest count as 0), from the SVD; LinalgPinvBackward0, with PyTorch's own adjoint, which is
     * finite at repeated singular values. atol=, rtol= and hermitian= are not in tx yet (E0104).
     */
    private Val pinv(Args a) {
        if (!a.shape(1, 1, "A", "atol", "rtol", "hermitian")) return null;
        T x = matrices(a, false);
        if (x == null) return null;
        for (String k : List.of("atol", "rtol", "hermitian")) {
            if (a.get(-1, k) == null) continue;
            l.diags.error("E0104", a.spanOf(-1, k), "`" + a.fn + "` with " + k + "= is not in tx yet", "the default tolerance is eps max(m, n) times the largest singular value");
            return null;
        }
        return out(b.emit(Prim.SVD, new Attrs.Part(3, "pinv"), x.var()), "LinalgPinvBackward0");
    }

    /**
     * torch.linalg.matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None): the number of
     * singular values (|eigenvalues| of the lower triangle when hermitian) above max(atol, rtol σ_max),
     * int64 [...], as PyTorch 1.13: rtol defaults to eps max(m, n), or to 0 where an atol > 0 is
     * given; tol= is atol= with rtol 0. It passes no gradient (an integer result).
     */
    private Val matrixRank(Args a) {
        if (!a.shape(1, 3, "A", "tol", "hermitian", "atol", "rtol")) return null;
        T x = matrices(a, a.bool(2, "hermitian", false));
        boolean hermitian = a.bool(2, "hermitian", false), tol = a.get(1, "tol") != null && !(a.get(1, "tol") instanceof Val.None);
        if (tol && (a.get(-1, "atol") != null || a.get(-1, "rtol") != null)) {
            l.diags.error("E0104", a.spanOf(1, "tol"), "`" + a.fn + "` takes tol= or atol=/rtol=, not both", "tol= is atol= with rtol=0");
            return null;
        }
        double atol = tol ? a.number(1, "tol", 0) : optional(a, "atol", 0);
        if (x == null || a.failed) return null;
        int[] s = x.shape();
        int m = s[s.length - 2], n = s[s.length - 1];
        boolean atolGiven = tol || a.get(-1, "atol") != null && !(a.get(-1, "atol") instanceof Val.None);
        double rtol = tol ? 0 : optional(a, "rtol", atolGiven && atol > 0 ? 0 : Math.ulp(1.0) * Math.max(m, n));
        if (a.failed) return null;
        int[] batch = java.util.Arrays.copyOf(s, s.length - 2);
        if (Math.min(m, n) == 0) return out(b.fill(batch, 0, tx.runtime.tensor.DType.INT64), null);
        Var v = b.composite(() -> {
            Var sv = hermitian ? b.emit(Prim.ABS, null, b.emit(Prim.EIGH, new Attrs.Part(0, "eigenvalues"), x.var())) : b.emit(Prim.SVD, new Attrs.Part(1, "S"), x.var());
            int last = sv.rank() - 1;
            Var bound = b.emit(Prim.MAXIMUM, null, b.scalar(atol), b.mul(b.scalar(rtol), Composites.max(b, sv, new int[] {last}, true)));
            return b.sum(b.emit(Prim.CAST, tx.runtime.tensor.DType.INT64, b.gt(sv, bound)), new int[] {last}, false);
        });
        return out(v, null);
    }

    /** A keyword's number, dflt when absent or None. */
    private double optional(Args a, String keyword, double dflt) {
        Val v = a.get(-1, keyword);
        return v == null || v instanceof Val.None ? dflt : a.number(-1, keyword, dflt);
    }

    /** svdvals of x, [..., k], or [..., 1, k] when kept (the singular values along the last axis either way). */
    private Var singularValues(T x, boolean keepdim) {
        Var s = b.emit(Prim.SVD, new Attrs.Part(1, "S"), x.var());
        if (!keepdim) return s;
        int[] shape = s.shapeRef();
        return b.reshape(s, Shapes.concat(java.util.Arrays.copyOf(shape, shape.length - 1), new int[] {1, shape[shape.length - 1]}));
    }
}
