package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * torch.norm ({@code norm(x, p=2, dim=None, keepdim=False)}) and torch.linalg's vector norms: {@code vector_norm(x, ord=2, dim=None, keepdim=False)} over all of x
 * or along dims, and {@code norm(A, ord=None, dim=None, keepdim=False)}, which is a vector norm of a
 * vector, of the flattened tensor (no ord) or along one dim, and {@code matrix_norm}'s for a matrix
 * given an ord or two dims. One set of composites (any real p), with PyTorch 1.13's grad_fn for
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
        Builtins.Reduction r = ofOrder(p);
        int[] axes = rank == 0 ? new int[0] : new int[] {d};
        return out(b.composite(() -> b.div(x.var(), Composites.clamp(b, r.apply(b, x.var(), axes, true), b.scalar(eps), null))), "DivBackward0");
    }

    /** norm(x, p=2, dim=None, keepdim=false), as torch.norm: the 1-, 2- or max-norm. */
    private Val torchNorm(Args a) {
        if (!a.shape(1, 4, "p", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        Val given = a.get(1, "p");
        boolean fro = given == null || given instanceof Val.Str str && str.value().equals("fro"); // PyTorch's default p is "fro"
        double p = fro ? 2 : a.number(1, "p", 2);
        if (x == null || a.failed) return null;
        int[] axes = a.axes(2, "dim", x.shape().length);
        boolean keepdim = a.bool(3, "keepdim", false);
        if (axes == null || a.failed) return null;
        if (fro && axes.length == 2 && a.get(2, "dim") != null) { // PyTorch's frobenius_norm: sqrt(sum(x x)), whose gradient at 0 is nan
            return out(b.composite(() -> b.emit(Prim.SQRT, null, b.sum(b.mul(x.var(), x.var()), axes, keepdim))), "SqrtBackward0");
        }
        return vector(a, x, p, axes, keepdim, "NormBackward1");
    }

    private Val vectorNorm(Args a) {
        if (!a.shape(1, 4, "x", "ord", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        double p = a.number(1, "ord", 2);
        if (x == null || a.failed) return null;
        int[] axes = a.axes(2, "dim", x.shape().length);
        boolean keepdim = a.bool(3, "keepdim", false);
        return axes == null || a.failed ? null : vector(a, x, p, axes, keepdim, "LinalgVectorNormBackward0");
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
        return axes == null || a.failed ? null : vector(a, x, p, axes, keepdim, "LinalgVectorNormBackward0");
    }

    /** Whether two dims are the last two (matrix_norm's only ones in tx: E0104 otherwise). */
    private boolean lastTwo(Args a, Val.ListV dim, int r) {
        int[] d = a.axes(2, "dim", r);
        if (d != null && d.length == 2 && d[0] == r - 2 && d[1] == r - 1) return true;
        if (d != null) l.diags.error("E0104", a.spanOf(2, "dim"), "`linalg.norm`'s matrix norms take the last two dims only, not these", "move them last with `movedim`");
        return false;
    }

    /**
     * The p-norm for any real p over axes, one composite for every spelling. An ord below 0 or
     * inf has no identity: over an empty extent torch.linalg's spellings raise (E0205, PyTorch's
     * message) and torch.norm gives 0, as the 1-norm's sum does. NOTE: the 0-"norm" counts the
     * nonzero elements and, as in PyTorch, requires grad and passes none: a backward leaves
     * {@code x.grad} None (its comparison stops the adjoint).
     */
    private Val vector(Args a, T x, double p, int[] axes, boolean keepdim, String gradFn) {
        boolean noIdentity = p < 0 || p == Double.POSITIVE_INFINITY;
        Builtins.Reduction r = noIdentity && emptyExtent(x.shape(), axes) ? empty(a, p, x.shape(), axes, gradFn) : ofOrder(p);
        if (r == null) return null;
        Var v = b.composite(() -> r.apply(b, x.var(), axes, keepdim));
        if (p == 0 && x.rg() && !l.graph.noGrad()) l.graph.setRequiresGrad(v, true);
        return out(v, gradFn);
    }

    /** The composite of the p-norm for any real p (1, 2, inf and 0 the kernels of their own in PyTorch). */
    private static Builtins.Reduction ofOrder(double p) {
        if (p == 2) return Composites::norm;
        if (p == 1) return Composites::norm1;
        if (p == Double.POSITIVE_INFINITY) return Composites::normInf;
        if (p == Double.NEGATIVE_INFINITY) return (b, x, axes, keepdim) -> Composites.min(b, b.emit(Prim.ABS, null, x), axes, keepdim);
        if (p == 0) return NormRules::count;
        return (b, x, axes, keepdim) -> normP(b, x, p, axes, keepdim);
    }

    /** torch.norm's 0 over an empty extent (the sum of nothing); torch.linalg's E0205. */
    private Builtins.Reduction empty(Args a, double p, int[] shape, int[] axes, String gradFn) {
        if (gradFn.equals("NormBackward1")) return Composites::norm1;
        String dim = "";
        if (a.get(2, "dim") != null && !(a.get(2, "dim") instanceof Val.None)) { // NOTE: PyTorch's message lacks the space before "because"
            for (int ax : axes) if (shape[ax] == 0) { dim = "the dimension " + ax; break; }
        }
        l.diags.error("E0205", a.span(), "linalg.vector_norm cannot compute the " + cppNumber(p) + " norm on "
                + (dim.isEmpty() ? "an empty tensor because" : dim + "because this dimension is empty and") + " the operation does not have an identity",
                "an ord below 0 or inf needs at least one element to reduce");
        return null;
    }

    private static boolean emptyExtent(int[] shape, int[] axes) {
        for (int ax : axes) if (shape[ax] == 0) return true;
        return axes.length == 0 && Shapes.empty(shape);
    }

    /** A double as C++'s ostream writes it (%g, 6 significant digits), as PyTorch's messages show an ord. */
    static String cppNumber(double p) {
        if (Double.isInfinite(p)) return p > 0 ? "inf" : "-inf";
        if (Double.isNaN(p)) return "nan";
        String s = String.format(java.util.Locale.ROOT, "%.6g", p);
        String mantissa = s.contains("e") ? s.substring(0, s.indexOf('e')) : s, exp = s.contains("e") ? s.substring(s.indexOf('e')) : "";
        if (mantissa.contains(".")) mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        return mantissa + exp;
    }

    /** The 0-"norm": the number of nonzero elements (nan counts), as float64. */
    private static Var count(Builder b, Var x, int[] axes, boolean keepdim) {
        return b.sum(b.emit(Prim.CAST, DType.FLOAT64, b.ne(x, b.scalar(0))), axes, keepdim);
    }

    /**
     * (sum |x|^p)^(1/p) for p not 0, 1, 2, ±inf, written so that its derivative is PyTorch's
     * norm_backward, sgn(x) |x|^(p-1) g / ‖x‖^(p-1), to the sign of its zeros. NOTE: for p < 1 that
     * gradient is 0 where x = 0 (|x|^(p-1) masked; for p < 0 the norm is then 0 and so is every
     * element's gradient): the power reads 1 there and a where puts |0|^p (0, or inf for p < 0) in
     * its place. For p > 1 a zero norm has gradient 0 (PyTorch masks it): the root reads 1 there.
     */
    static Var normP(Builder b, Var x, double p, int[] axes, boolean keepdim) {
        Var abs = b.emit(Prim.ABS, null, x);
        if (p < 1) {
            Var zero = b.eq(x, b.scalar(0));
            Var powers = b.where(zero, b.scalar(p > 0 ? 0 : Double.POSITIVE_INFINITY), b.pow(b.where(zero, b.scalar(1), abs), b.scalar(p)));
            return b.pow(b.sum(powers, axes, keepdim), b.scalar(1 / p));
        }
        Var s = b.sum(b.pow(abs, b.scalar(p)), axes, keepdim);
        Var none = b.eq(s, b.scalar(0));
        return b.where(none, b.scalar(0), b.pow(b.where(none, b.scalar(1), s), b.scalar(1 / p)));
    }
}
