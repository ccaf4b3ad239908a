package tx.compiler.lower;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The (v2) factorisations of LANGUAGE.md §5's linear algebra: det, inverse, solve(A, B) and
 * cholesky(A, upper=False), each a primitive ({@link Prim#DET}, {@link Prim#INVERSE},
 * {@link Prim#SOLVE}, {@link Prim#CHOLESKY}) over batches of square matrices [..., n, n], as
 * torch.det, torch.inverse, torch.linalg.solve and torch.cholesky. Shapes are checked here (E0202),
 * dtypes too (E0220: PyTorch factorises floats only); a singular matrix given to inverse or solve,
 * or one that is not positive-definite given to cholesky, is found when it runs (E0508).
 */
final class FactorizationRules extends RuleFamily {
    FactorizationRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("det", a -> unary(a, Prim.DET, "linalg.det", "LinalgDetBackward0"));
        rules.put("inverse", a -> unary(a, Prim.INVERSE, "linalg.inv", "LinalgInvExBackward0"));
        rules.put("solve", this::solve);
        rules.put("cholesky", a -> cholesky(a, false));
        rules.put("slogdet", a -> slogdet(a, "slogdet"));
        // torch.linalg's spellings (Builtins.unprefixed maps torch.linalg.NAME to linalg.NAME)
        rules.put("linalg.det", rules.get("det"));
        rules.put("linalg.inv", rules.get("inverse"));
        rules.put("linalg.solve", rules.get("solve"));
        rules.put("linalg.cholesky", a -> cholesky(a, true));
        rules.put("linalg.slogdet", a -> slogdet(a, "linalg_slogdet"));
        rules.put("qr", a -> qr(a, "qr"));
        rules.put("linalg.qr", a -> qr(a, "linalg_qr"));
        new LuRules(l, host, rules);
        new TriangularSolveRules(l, host, rules);
    }

    /** The operand i as a batch of float64 square matrices, or null after E0202 or E0220. */
    private T matrices(Args a, int i, String keyword, String torchName) {
        T x = a.tensor(i, keyword);
        if (x == null) return null;
        int[] s = x.shape();
        if (s.length < 2 || s[s.length - 1] != s[s.length - 2]) {
            String found = s.length < 2 ? "found shape " + Shapes.show(s) : "they are " + s[s.length - 2] + " by " + s[s.length - 1] + " matrices";
            l.diags.error("E0202", a.spanOf(i, keyword), "`" + a.fn + "` takes square matrices [..., n, n], " + found,
                    "PyTorch's " + torchName + " needs a batch of square matrices");
            return null;
        }
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(i, keyword), "`" + a.fn + "` of " + x.describeDtype() + ": PyTorch factorises floats only",
                    "convert first: `" + a.fn + "(A.double())`");
            return null;
        }
        return x;
    }

    /** det(A) (shape [...]) and inverse(A) (A's shape). */
    private Val unary(Args a, Prim p, String torchName, String gradFn) {
        if (!a.shape(1, 1)) return null;
        T x = matrices(a, 0, null, torchName);
        return x == null ? null : out(b.emit(p, null, x.var()), gradFn);
    }

    /**
     * cholesky(A, upper=False): the lower factor L (A = L Lᵀ) from A's lower triangle; upper=True
     * gives U = Lᵀ (A = Uᵀ U) from the upper triangle, as PyTorch reads it: chol(Aᵀ)ᵀ. The spelling
     * torch.linalg.cholesky (upper= keyword-only) names itself in its errors and its grad_fn.
     */
    private Val cholesky(Args a, boolean linalg) {
        if (!(linalg ? a.shape(1, 1, "upper") : a.shape(1, 2, "upper"))) return null;
        T x = matrices(a, 0, null, linalg ? "linalg.cholesky" : "cholesky");
        boolean upper = a.bool(linalg ? -1 : 1, "upper", false);
        if (x == null || a.failed) return null;
        Attrs.Spelling spelling = linalg ? new Attrs.Spelling("linalg.cholesky") : null;
        Var v = upper ? b.composite(() -> b.mT(b.emit(Prim.CHOLESKY, spelling, b.mT(x.var())))) : b.emit(Prim.CHOLESKY, spelling, x.var());
        return out(v, linalg ? "LinalgCholeskyExBackward0" : "CholeskyBackward0");
    }

    /**
     * slogdet(A): PyTorch's named tuple (sign, logabsdet), sign = sgn det A (0 for a singular A),
     * logabsdet = log |det A| (-inf for a singular A), both from one LU as PyTorch's; kind is the name
     * it prints with (torch.return_types.slogdet, or linalg_slogdet for torch.linalg.slogdet).
     * NOTE: both print grad_fn=<LinalgSlogdetBackward0>, as PyTorch's; a gradient through the sign
     * alone is zeros here, where PyTorch leaves it None.
     */
    private Val slogdet(Args a, String kind) {
        if (!a.shape(1, 1)) return null;
        T x = matrices(a, 0, null, "linalg.slogdet");
        if (x == null) return null;
        T sign = out(b.emit(Prim.SIGNDET, null, x.var()), "LinalgSlogdetBackward0");
        T logabsdet = out(b.emit(Prim.LOGABSDET, null, x.var()), "LinalgSlogdetBackward0");
        Val.Tuple t = new Val.Tuple(List.of(sign, logabsdet));
        l.namedPairs.put(t, kind);
        return t;
    }

    /**
     * solve(A, B): X with A X = B, as torch.linalg.solve: B is a batch of vectors when it has one
     * dimension, or one fewer than A and A's shape without its last (then solved as columns of
     * one), else of [n, k] matrices; the batch dimensions broadcast.
     */
    private Val solve(Args a) {
        if (!a.shape(2, 2, "left")) return null;
        T m = matrices(a, 0, null, "linalg.solve"), r = a.tensor(1);
        boolean left = a.bool(-1, "left", true);
        if (m == null || r == null || a.failed) return null;
        int[] as = m.shape(), bs = r.shape();
        boolean vector = bs.length == 1 || bs.length == as.length - 1 && Arrays.equals(bs, Arrays.copyOf(as, as.length - 1));
        int n = as[as.length - 1];
        if (!left) return solveRight(a, m, r, vector);
        int[] cols = vector ? Shapes.concat(bs, new int[] {1}) : bs;
        if (cols.length < 2 || cols[cols.length - 2] != n) {
            l.diags.error("E0202", a.span(), "`solve` cannot solve A X = B for A " + Shapes.show(as) + " and B " + Shapes.show(bs)
                    + ": B needs " + n + " rows", "B is [..., n] (vectors) or [..., n, k] (columns), with A [..., n, n]");
            return null;
        }
        if (!r.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(1, null), "`solve` of " + r.describeDtype() + ": PyTorch solves with floats only", "convert first: `B.double()`");
            return null;
        }
        int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(cols, cols.length - 2));
        if (batch == null) {
            l.diags.error("E0201", a.span(), "the batch dimensions of `solve`'s A " + Shapes.show(as) + " and B " + Shapes.show(bs)
                    + " do not broadcast", "leading dimensions must be equal or 1 (NumPy broadcasting)");
            return null;
        }
        if (!a.fits(Shapes.concat(batch, new int[] {n, cols[cols.length - 1]}), a.span())) return null;
        if (!vector) return out(b.emit(Prim.SOLVE, null, m.var(), r.var()), "LinalgSolveExBackward0");
        Var x = b.composite(() -> {
            Var s = b.emit(Prim.SOLVE, null, m.var(), b.reshape(r.var(), cols));
            return b.reshape(s, Arrays.copyOf(s.shapeRef(), s.rank() - 1));
        });
        return out(x, "LinalgSolveExBackward0");
    }

    /**
     * solve(A, B, left=False): X with X A = B, for B [..., k, n] (PyTorch takes no vectors here), as
     * the composite (Aᵀ⁻¹ Bᵀ)ᵀ: the solve of Aᵀ Xᵀ = Bᵀ.
     */
    private Val solveRight(Args a, T m, T r, boolean vector) {
        int[] as = m.shape(), bs = r.shape();
        int n = as[as.length - 1];
        if (vector || bs[bs.length - 1] != n) {
            String rows = vector ? n + "x1" : bs[bs.length - 2] + "x" + bs[bs.length - 1];
            l.diags.error("E0202", a.span(), "`" + a.fn + "` cannot solve X A = B for A " + Shapes.show(as) + " and B " + Shapes.show(bs)
                    + " (" + n + "x" + n + " and " + rows + ")", "with left=False, B is [..., k, n] (rows), with A [..., n, n]");
            return null;
        }
        if (!r.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(1, null), "`" + a.fn + "` of " + r.describeDtype() + ": PyTorch solves with floats only", "convert first: `B.double()`");
            return null;
        }
        int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        if (batch == null) {
            l.diags.error("E0201", a.span(), "the batch dimensions of `" + a.fn + "`'s A " + Shapes.show(as) + " and B " + Shapes.show(bs)
                    + " do not broadcast", "leading dimensions must be equal or 1 (NumPy broadcasting)");
            return null;
        }
        if (!a.fits(Shapes.concat(batch, new int[] {bs[bs.length - 2], n}), a.span())) return null;
        return out(b.composite(() -> b.mT(b.emit(Prim.SOLVE, null, b.mT(m.var()), b.mT(r.var())))), "LinalgSolveExBackward0");
    }

    /**
     * qr(A) (torch.qr, A.qr(), with some=True) and torch.linalg.qr(A, mode="reduced"): PyTorch's named
     * tuple (Q, R) of the reduced QR of [..., m, n], by Householder reflections as LAPACK's (so R's
     * diagonal may be negative, as PyTorch's); both print LinalgQrBackward0. A wide A = [X | Y]
     * (m < n) is the QR of its square X, with R = [R_X | Qᵀ Y]: LAPACK's reflectors come from X's
     * columns alone, so Q and R_X are the same, and the composite's derivative is the wide QR's.
     * The complete QR is the same where m <= n; mode="r" gives an empty Q and R. PyTorch defines no
     * derivative for mode="r" nor for the complete QR of a tall matrix: both are barriers (E0306 for
     * a backward or transform that reaches them, with PyTorch's message).
     */
    private Val qr(Args a, String kind) {
        boolean linalg = kind.equals("linalg_qr");
        if (!(linalg ? a.shape(1, 2, "mode") : a.shape(1, 2, "some"))) return null;
        T x = a.tensor(0);
        String mode = linalg ? host.choice(a, 1, "mode", "reduced", "reduced", "complete", "r") : a.bool(1, "some", true) ? "reduced" : "complete";
        if (x == null || mode == null || a.failed) return null;
        int[] s = x.shape();
        if (s.length < 2) {
            l.diags.error("E0202", a.spanOf(0, null), "`" + a.fn + "` takes matrices [..., m, n], found shape " + Shapes.show(s), "PyTorch's qr needs a batch of matrices");
            return null;
        }
        int m = s[s.length - 2], n = s[s.length - 1];
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(0, null), "`" + a.fn + "` of " + x.describeDtype() + ": PyTorch factorises floats only", "convert first: `" + a.fn + "(A.double())`");
            return null;
        }
        T q, r;
        if (mode.equals("complete") && m > n) return complete(a, x, kind);
        if (m >= n) {
            q = out(b.emit(Prim.QR_Q, null, x.var()), "LinalgQrBackward0");
            r = out(b.emit(Prim.QR_R, null, x.var()), "LinalgQrBackward0");
        } else {
            q = out(b.composite(() -> b.emit(Prim.QR_Q, null, columns(x.var(), 0, m))), "LinalgQrBackward0");
            r = out(b.composite(() -> {
                Var sq = columns(x.var(), 0, m);
                Var rest = b.matmul(b.emit(Prim.QR_Q, null, sq), true, columns(x.var(), m, n), false);
                return b.emit(Prim.CAT, new Attrs.Axis(s.length - 1), b.emit(Prim.QR_R, null, sq), rest);
            }), "LinalgQrBackward0");
        }
        if (mode.equals("r")) {
            Var none = b.fill(new int[] {0}, 0.0); // NOTE: PyTorch's Q of mode="r" is tensor([]) whatever the batch, with A's grad_fn
            if (x.rg() && !l.graph.noGrad()) l.graph.setRequiresGrad(none, true);
            q = out(none, "LinalgQrBackward0");
            noDerivative(a, q, r, "mode=\"r\"", "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                    + "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
        }
        Val.Tuple t = new Val.Tuple(List.of(q, r));
        l.namedPairs.put(t, kind);
        return t;
    }

    /**
     * The complete QR of a tall [..., m, n] (m > n): Q [..., m, m] and R [..., m, n] = [R_A; 0], as
     * the QR of A padded with zero columns to [A | 0]: LAPACK's reflectors of a zero column are none
     * (tau = 0), so they are A's n reflectors, Q is dorgqr's H_1 ... H_n applied to I_m, bit for bit,
     * and the padded R's first n columns are R_A over zeros. PyTorch defines no derivative for it.
     */
    private Val complete(Args a, T x, String kind) {
        int[] s = x.shape(), square = s.clone(), start = new int[s.length], step = new int[s.length];
        int m = s[s.length - 2], n = s[s.length - 1];
        square[s.length - 1] = m;
        java.util.Arrays.fill(step, 1);
        T q = out(b.composite(() -> b.emit(Prim.QR_Q, null, b.pad(x.var(), square, start, step))), "LinalgQrBackward0");
        T r = out(b.composite(() -> columns(b.emit(Prim.QR_R, null, b.pad(x.var(), square, start, step)), 0, n)), "LinalgQrBackward0");
        noDerivative(a, q, r, kind.equals("qr") ? "some=False" : "mode=\"complete\"", "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
        Val.Tuple t = new Val.Tuple(List.of(q, r));
        l.namedPairs.put(t, kind);
        return t;
    }

    /** Marks both factors as values a backward cannot pass (E0306 when one reaches them), with PyTorch's error. */
    private void noDerivative(Args a, T q, T r, String how, String pytorch) {
        String why = "`torch." + a.fn + "(A, " + how + ")` at line " + a.span().line() + ", which PyTorch does not differentiate";
        String help = "PyTorch: \"" + pytorch + "\"";
        for (T f : List.of(q, r)) l.graph.markBarrier(f.var(), why, help); // NOTE: also where A does not require grad, for forward mode
    }

    /** Columns [from, to) of a batch of matrices. */
    private Var columns(Var x, int from, int to) {
        int[] s = x.shapeRef(), start = new int[s.length], stop = s.clone(), step = new int[s.length];
        Arrays.fill(step, 1);
        start[s.length - 1] = from;
        stop[s.length - 1] = to;
        return b.slice(x, start, stop, step);
    }
}
