package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.tensor.PyFloat;

/**
 * torch.norm ({@code norm(x, p=2, dim=None, keepdim=False)}) and torch.linalg's vector norms: {@code vector_norm(x, ord=2, dim=None, keepdim=False)} over all of x
 * or along dims, and {@code norm(A, ord=None, dim=None, keepdim=False)}, which is a vector norm of a
 * vector, of the flattened tensor (no ord) or along one dim, and {@code matrix_norm}'s for a matrix
 * given an ord or two dims. One set of composites (p = 1, 2, inf), with PyTorch 1.13's grad_fn for
 * each spelling ({@code NormBackward1}, {@code LinalgVectorNormBackward0}); and F.normalize, which
 * divides by one of them.
 */
final class NormRules extends RuleFamily {
    NormRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("norm", this::torchNorm);
        rules.put("linalg.vector_norm", this::vectorNorm);
        rules.put("linalg.norm", this::norm);
        rules.put("normalize", this::normalize);
    }

    /** F.normalize(x, p=2, dim=1, eps=1e-12): x / clamp_min(‖x‖_p along dim, eps), as PyTorch writes it (DivBackward0). */
    private Val normalize(Args a) {
        if (!a.shape(1, 4, "p", "dim", "eps")) return null;
        T x = a.tensor(0);
        double p = a.number(1, "p", 2), eps = a.number(3, "eps", 1e-12);
        if (x == null || a.failed) return null;
        int rank = x.shape().length;
        Integer d = a.get(2, "dim") == null ? a.normalizeDim(1, Math.max(rank, 1), a.span()) : a.dim(2, "dim", Math.max(rank, 1));
        if (d == null || a.failed) return null;
        Builtins.Reduction r = ofOrder(a, p, "p");
        if (r == null) return null;
        int[] axes = rank == 0 ? new int[0] : new int[] {d};
        return out(b.composite(() -> b.div(x.var(), Composites.clamp(b, r.apply(b, x.var(), axes, true), b.scalar(eps), null))), "DivBackward0");
    }

    /** norm(x, p=2, dim=None, keepdim=false), as torch.norm: the 1-, 2- or max-norm. */
    private Val torchNorm(Args a) {
        if (!a.shape(1, 4, "p", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        double p = a.number(1, "p", 2);
        if (x == null || a.failed) return null;
        int[] axes = a.axes(2, "dim", x.shape().length);
        boolean keepdim = a.bool(3, "keepdim", false);
        return axes == null || a.failed ? null : vector(a, x, p, "p", axes, keepdim, "NormBackward1");
    }

    private Val vectorNorm(Args a) {
        if (!a.shape(1, 4, "x", "ord", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        double p = a.number(1, "ord", 2);
        if (x == null || a.failed) return null;
        int[] axes = a.axes(2, "dim", x.shape().length);
        boolean keepdim = a.bool(3, "keepdim", false);
        return axes == null || a.failed ? null : vector(a, x, p, "ord", axes, keepdim, "LinalgVectorNormBackward0");
    }

    private Val norm(Args a) {
        if (!a.shape(1, 4, "A", "ord", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        Val ord = a.get(1, "ord"), dim = a.get(2, "dim");
        if (x == null || a.failed) return null;
        int r = x.shape().length;
        boolean noOrd = ord == null || ord instanceof Val.None, noDim = dim == null || dim instanceof Val.None;
        boolean twoDims = dim instanceof Val.ListV list && list.items().size() == 2;
        if (noDim && !noOrd && r != 1 && r != 2) {
            l.diags.error("E0202", a.spanOf(1, "ord"), "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got " + r + "D.",
                    "name the dims: `dim=(0, 1)` for a matrix norm, `dim=0` for vector norms");
            return null;
        }
        if (twoDims || noDim && !noOrd && r == 2 || !noOrd && ord instanceof Val.Str) { // a matrix norm: matrix_norm's rule, over the last two dims
            if (twoDims && !lastTwo(a, (Val.ListV) dim, r)) return null;
            a.kw.remove("dim");
            a.kwSpans.remove("dim");
            if (a.pos.size() > 2) a.pos.remove(2);
            return rules.get("linalg.matrix_norm").apply(a);
        }
        double p = noOrd ? 2 : a.number(1, "ord", 2);
        int[] axes = a.axes(2, "dim", r);
        boolean keepdim = a.bool(3, "keepdim", false);
        return axes == null || a.failed ? null : vector(a, x, p, "ord", axes, keepdim, "LinalgVectorNormBackward0");
    }

    /** Whether two dims are the last two (matrix_norm's only ones in tx: E0104 otherwise). */
    private boolean lastTwo(Args a, Val.ListV dim, int r) {
        int[] d = a.axes(2, "dim", r);
        if (d != null && d.length == 2 && d[0] == r - 2 && d[1] == r - 1) return true;
        if (d != null) l.diags.error("E0104", a.spanOf(2, "dim"), "`linalg.norm`'s matrix norms take the last two dims only, not these", "move them last with `movedim`");
        return false;
    }

    /** The p-norm (p = 1, 2, inf; E0105 for others, at the argument {@code keyword}) over axes, one composite for every spelling. */
    private Val vector(Args a, T x, double p, String keyword, int[] axes, boolean keepdim, String gradFn) {
        Builtins.Reduction r = ofOrder(a, p, keyword);
        if (r == null) return null;
        return out(b.composite(() -> r.apply(b, x.var(), axes, keepdim)), gradFn);
    }

    /** The composite of the p-norm, p = 1, 2 or inf; null after E0105 for another p (given as {@code keyword}). */
    private Builtins.Reduction ofOrder(Args a, double p, String keyword) {
        Builtins.Reduction r = p == 2 ? Composites::norm : p == 1 ? Composites::norm1 : p == Double.POSITIVE_INFINITY ? Composites::normInf : null;
        if (r == null) {
            l.diags.error("E0105", a.spanOf(1, keyword), "`" + a.fn.replace("linalg.", "torch.linalg.") + "` supports " + keyword + " = 1, 2 and inf, not " + PyFloat.repr(p), null);
        }
        return r;
    }
}
