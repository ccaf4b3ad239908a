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
 * torch.linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False) and the deprecated
 * torch.triangular_solve(b, A, upper=True, transpose=False, unitriangular=False) (also
 * b.triangular_solve(A)), over batches that broadcast, as PyTorch 1.13: X with A X = B (left), X A = B
 * (left=False) or Aᵀ X = b (transpose=True), reading only A's upper or lower triangle (its diagonal
 * taken as ones when unitriangular). One primitive, {@link Prim#TRI_SOLVE} (left, by substitution);
 * the others are it of transposes, (Aᵀ⁻¹ Bᵀ)ᵀ. triangular_solve returns PyTorch's named tuple
 * (solution, cloned_coefficient), the second a copy of A whose gradient goes to A.
 */
final class TriangularSolveRules extends RuleFamily {
    TriangularSolveRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("linalg.solve_triangular", this::solveTriangular);
        rules.put("triangular_solve", this::triangularSolve);
    }

    private Val solveTriangular(Args a) {
        if (!a.shape(2, 2, "upper", "left", "unitriangular")) return null;
        if (a.get(-1, "upper") == null) {
            l.diags.error("E0104", a.span(), "`torch.linalg.solve_triangular` needs the keyword `upper=`", "PyTorch: \"linalg_solve_triangular() missing 1 required positional arguments: \"upper\"\"");
            return null;
        }
        boolean upper = a.bool(-1, "upper", true), left = a.bool(-1, "left", true), unit = a.bool(-1, "unitriangular", false);
        T m = a.tensor(0), r = a.tensor(1);
        if (m == null || r == null || a.failed || !operands(a, m, r, left)) return null;
        Attrs.Triangle t = new Attrs.Triangle(upper, unit);
        Var x = left ? b.emit(Prim.TRI_SOLVE, t, m.var(), r.var())
                : b.composite(() -> b.mT(b.emit(Prim.TRI_SOLVE, new Attrs.Triangle(!upper, unit), b.mT(m.var()), b.mT(r.var()))));
        return out(x, "LinalgSolveTriangularBackward0");
    }

    private Val triangularSolve(Args a) {
        if (!a.shape(2, 5, "upper", "transpose", "unitriangular")) return null;
        boolean upper = a.bool(2, "upper", true), transpose = a.bool(3, "transpose", false), unit = a.bool(4, "unitriangular", false);
        T r = a.tensor(0), m = a.tensor(1);
        if (m == null || r == null || a.failed || !operands(a, m, r, true)) return null;
        Var x = transpose ? b.composite(() -> b.emit(Prim.TRI_SOLVE, new Attrs.Triangle(!upper, unit), b.mT(m.var()), r.var()))
                : b.emit(Prim.TRI_SOLVE, new Attrs.Triangle(upper, unit), m.var(), r.var());
        T solution = out(x, "TriangularSolveBackward0");
        Var copy = b.copy(m.var());
        if (!m.rg() && r.rg() && !l.graph.noGrad()) l.graph.setRequiresGrad(copy, true); // NOTE: an output of PyTorch's node, which b requires grad for
        Val.Tuple pair = new Val.Tuple(List.of(solution, out(copy, "TriangularSolveBackward0")));
        l.namedPairs.put(pair, "triangular_solve");
        return pair;
    }

    /** A a float batch of square matrices, B a float batch of [n, k] (left) or [k, n] matrices, their batches broadcasting; else E0202, E0220 or E0201. */
    private boolean operands(Args a, T m, T r, boolean left) {
        int[] as = m.shape(), bs = r.shape();
        String fn = "`" + a.fn.replace("linalg.", "torch.linalg.") + "`";
        if (as.length < 2 || as[as.length - 1] != as[as.length - 2] || bs.length < 2) {
            l.diags.error("E0202", a.span(), fn + " takes a batch of square matrices A [..., n, n] and a batch of matrices B, found A " + Shapes.show(as)
                    + " and B " + Shapes.show(bs), bs.length < 2 ? "PyTorch: \"The input tensor B must have at least 2 dimensions\"" : null);
            return false;
        }
        int n = as[as.length - 1];
        if (bs[bs.length - (left ? 2 : 1)] != n) {
            l.diags.error("E0202", a.span(), fn + " cannot solve " + (left ? "A X = B" : "X A = B") + " for A " + Shapes.show(as) + " and B " + Shapes.show(bs)
                    + ": B needs " + n + (left ? " rows" : " columns"), left ? "B is [..., n, k], with A [..., n, n]" : "with left=False, B is [..., k, n]");
            return false;
        }
        if (!m.dtype().isFloat() || !r.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(m.dtype().isFloat() ? 1 : 0, null), fn + " of " + (m.dtype().isFloat() ? r : m).describeDtype()
                    + ": PyTorch solves with floats only", "convert first: `.double()`");
            return false;
        }
        int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        if (batch == null) {
            l.diags.error("E0201", a.span(), "the batch dimensions of " + fn + "'s A " + Shapes.show(as) + " and B " + Shapes.show(bs) + " do not broadcast",
                    "leading dimensions must be equal or 1 (NumPy broadcasting)");
            return false;
        }
        return a.fits(Shapes.concat(batch, new int[] {bs[bs.length - 2], bs[bs.length - 1]}), a.span());
    }
}
