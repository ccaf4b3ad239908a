package tx.compiler.lower;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * {@code torch.linalg.lstsq(A, B)} with PyTorch's CPU driver, gelsy: the least-squares solution of
 * A X = B for A [..., m, n] and B [..., m, k], the minimum-norm one where m < n, as a composite of
 * the reduced QR (of A where m >= n, of Aᵀ where m < n) and a solve, so its gradient is the
 * composite's (PyTorch names it {@code LinalgLstsqBackward0}). The result is PyTorch's named tuple
 * (solution, residuals, rank, singular_values): gelsy computes no residuals or singular values
 * (empty tensors), and the rank is the number of singular values above eps max(m, n) times the
 * largest (gelsy's default rcond, which decides it by a rank-revealing QR).
 *
 * <p>NOTE: a rank-deficient A has no unique solution; gelsy picks the minimum-norm one, where tx's
 * solve stops the run (E0508): full rank is what tx supports (docs/language.md).
 */
final class LstsqRules extends RuleFamily {
    LstsqRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("linalg.lstsq", this::lstsq);
    }

    private Val lstsq(Args a) {
        if (!a.shape(2, 4, "A", "B", "rcond", "driver")) return null;
        T x = a.tensor(0), y = a.tensor(1);
        Val driver = a.get(3, "driver"), rcond = a.get(2, "rcond");
        if (x == null || y == null || a.failed) return null;
        if (driver != null && !(driver instanceof Val.None) && !(driver instanceof Val.Str s && s.value().equals("gelsy")) || rcond != null && !(rcond instanceof Val.None)) {
            l.diags.error("E0104", a.span(), "`torch.linalg.lstsq` with a driver other than gelsy, or an rcond, is not in tx yet", "leave them out: gelsy is PyTorch's default on the CPU");
            return null;
        }
        int[] as = x.shape(), bs = y.shape();
        if (as.length < 2 || bs.length != as.length || !Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2)) || bs[bs.length - 2] != as[as.length - 2]) {
            l.diags.error("E0202", a.span(), "torch.linalg.lstsq: A " + Shapes.show(as) + " and B " + Shapes.show(bs) + " do not match",
                    "A is [..., m, n] and B [..., m, k], with the same batch; a vector b is `b.unsqueeze(-1)`");
            return null;
        }
        if (x.dtype() != DType.FLOAT64 || y.dtype() != DType.FLOAT64) {
            l.diags.error("E0220", a.span(), "`torch.linalg.lstsq` of integers or bools: PyTorch solves floats only", "convert first: `.double()`");
            return null;
        }
        int m = as[as.length - 2], n = as[as.length - 1];
        T solution = out(b.composite(() -> {
            if (m >= n) { // A = QR: X = R⁻¹ Qᵀ B
                Var q = b.emit(Prim.QR_Q, null, x.var()), r = b.emit(Prim.QR_R, null, x.var());
                return b.emit(Prim.SOLVE, null, r, b.matmul(q, true, y.var(), false));
            }
            Var at = b.mT(x.var()), q = b.emit(Prim.QR_Q, null, at), r = b.emit(Prim.QR_R, null, at); // Aᵀ = QR: X = Q R⁻ᵀ B
            return b.matmul(q, b.emit(Prim.SOLVE, null, b.mT(r), y.var()));
        }), "LinalgLstsqBackward0");
        T empty = out(b.fill(new int[] {0}, 0.0), null);
        T rank = out(b.stopGrad(rank(x.var(), Math.max(m, n))), null);
        Val.Tuple t = new Val.Tuple(List.of(solution, empty, rank, empty));
        l.namedPairs.put(t, "linalg_lstsq");
        return t;
    }

    /** The number of singular values of each matrix above eps max(m, n) times its largest: int64, [...]. */
    private Var rank(Var x, int size) {
        Var s = b.stopGrad(b.emit(Prim.SVD, new Attrs.Part(1, "S"), x));
        int last = s.rank() - 1;
        Var top = b.emit(Prim.MAX, new Attrs.Reduce(new int[] {last}, true), s);
        Var above = b.gt(s, b.mul(top, b.scalar(Math.ulp(1.0) * size)));
        return b.sum(b.emit(Prim.CAST, DType.INT64, above), new int[] {last}, false);
    }
}
