package tx.compiler.lower;

import java.util.Arrays;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
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
        rules.put("cholesky", this::cholesky);
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
     * gives U = Lᵀ (A = Uᵀ U) from the upper triangle, as PyTorch reads it: chol(Aᵀ)ᵀ.
     */
    private Val cholesky(Args a) {
        if (!a.shape(1, 2, "upper")) return null;
        T x = matrices(a, 0, null, "cholesky");
        boolean upper = a.bool(1, "upper", false);
        if (x == null || a.failed) return null;
        Var v = upper ? b.composite(() -> b.mT(b.emit(Prim.CHOLESKY, null, b.mT(x.var())))) : b.emit(Prim.CHOLESKY, null, x.var());
        return out(v, "CholeskyBackward0");
    }

    /**
     * solve(A, B): X with A X = B, as torch.linalg.solve: B is a batch of vectors when it has one
     * dimension, or one fewer than A and A's shape without its last (then solved as columns of
     * one), else of [n, k] matrices; the batch dimensions broadcast.
     */
    private Val solve(Args a) {
        if (!a.shape(2, 2)) return null;
        T m = matrices(a, 0, null, "linalg.solve"), r = a.tensor(1);
        if (m == null || r == null) return null;
        int[] as = m.shape(), bs = r.shape();
        boolean vector = bs.length == 1 || bs.length == as.length - 1 && Arrays.equals(bs, Arrays.copyOf(as, as.length - 1));
        int n = as[as.length - 1];
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
}
