package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * {@code x[i0, i1, ..., ik-1]} with advanced indices over x's first k dimensions (PyTorch's
 * advanced indexing, LANGUAGE.md §4): int64 tensors, lists of ints ({@code y_hat[[0, 1], y]}),
 * {@code range(...)} and {@code list(range(...))} (d2l's {@code y_hat[range(len(y_hat)), y]}),
 * and plain ints. The indices broadcast together to a shape S; the result is
 * {@code out[s, ...] = x[i0[s], i1[s], ..., rest]} of shape {@code S + x.shape[k:]}.
 *
 * <p>It is lowered as gathers, each with its own adjoint (a scatter-add): the rows of x at
 * {@code i0} (index_select's gather, shape {@code [N, x.shape[1:]]} for N elements of S), then for
 * each next index the element at {@code i_j} along axis 1 of every row. So the gradient of x adds
 * each result element's gradient at its position, repeated positions adding up, and positions out
 * of range are the gather's run-time error (E0507). A single tensor index is {@link Indexing}'s.
 */
final class AdvancedIndexing {
    private final Lowerer l;
    private final Builder b;

    AdvancedIndexing(Lowerer l) {
        this.l = l;
        this.b = l.b;
    }

    /** The read, or null when the subscripts are not advanced indices of this kind. */
    Val read(T x, Ast.Index ix) {
        List<Ast.Sub> subs = ix.subs();
        if (subs.isEmpty() || !subs.stream().allMatch(s -> s instanceof Ast.At at && !(at.index() instanceof Ast.NoneLit))) return null;
        boolean spelled = subs.stream().anyMatch(s -> positionsSpelled(((Ast.At) s).index()));
        if (!spelled && subs.size() < 2) return null; // x[idx]: Indexing's
        List<Val> vals = new ArrayList<>();
        boolean anyTensor = spelled;
        for (Ast.Sub s : subs) {
            Ast.Expr e = ((Ast.At) s).index();
            Val v = positionsSpelled(e) ? l.exprs.expr(asTensor(e)) : l.exprs.expr(e);
            if (v instanceof Val.Bad) return v;
            anyTensor |= v instanceof T t && t.shape().length > 0;
            vals.add(v);
        }
        if (!anyTensor) return null; // x[i, j] with ints: a basic index
        return gathered(x, ix, vals);
    }

    private Val gathered(T x, Ast.Index ix, List<Val> vals) {
        int k = vals.size();
        if (k > x.shape().length) {
            l.diags.error("E0204", ix.span(), "too many indices for a tensor of shape " + Shapes.show(x.shape()) + ": " + k + " were given", null);
            return new Val.Bad();
        }
        List<Var> positions = new ArrayList<>();
        int[] common = new int[0];
        for (int j = 0; j < k; j++) {
            Var p = positions(vals.get(j), ((Ast.At) ix.subs().get(j)).span());
            if (p == null) return new Val.Bad();
            int[] next = Shapes.broadcast(common, p.shapeRef());
            if (next == null) {
                l.diags.error("E0202", ix.span(), "indexing tensors could not be broadcast together with shapes "
                        + String.join(", ", positions.stream().map(v -> Shapes.show(v.shapeRef())).toList()) + ", " + Shapes.show(p.shapeRef()), null);
                return new Val.Bad();
            }
            common = next;
            positions.add(p);
        }
        int n = Shapes.numel(common);
        int[] rest = Arrays.copyOfRange(x.shape(), k, x.shape().length);
        Var v = l.builtins.selection.selectAlong(x.var(), 0, flat(positions.get(0), common, n, x.shape()[0]));
        for (int j = 1; j < k; j++) v = alongRows(v, flat(positions.get(j), common, n, x.shape()[j]));
        return l.exprs.result(b.reshape(v, Shapes.concat(common, rest)), "IndexBackward0");
    }

    /**
     * For v of shape {@code [N, m, tail...]} and N positions p: {@code out[s, tail...] = v[s, p[s], tail...]},
     * a gather along axis 1 with p spread over the tail.
     */
    private Var alongRows(Var v, Var p) {
        int[] shape = v.shapeRef();
        int[] ones = new int[shape.length], to = shape.clone();
        Arrays.fill(ones, 1);
        ones[0] = shape[0];
        to[1] = 1;
        Var picked = b.emit(Prim.GATHER, new Attrs.Axis(1), v, b.expand(b.reshape(p, ones), to));
        int[] dropped = new int[shape.length - 1];
        dropped[0] = shape[0];
        System.arraycopy(shape, 2, dropped, 1, shape.length - 2);
        return b.reshape(picked, dropped);
    }

    /**
     * p broadcast to {@code common} and laid out flat, N positions along an axis of {@code size},
     * a negative one counted from the end as PyTorch counts it ({@code p + size} where {@code p < 0}).
     */
    private Var flat(Var p, int[] common, int n, int size) {
        int[] s = p.shapeRef();
        int[] padded = new int[common.length];
        Arrays.fill(padded, 1);
        System.arraycopy(s, 0, padded, common.length - s.length, s.length);
        Var f = b.reshape(b.expand(b.reshape(p, padded), common), new int[] {n});
        Var negative = b.lt(f, b.fill(new int[] {n}, 0, DType.INT64));
        return b.where(negative, b.add(f, b.fill(new int[] {n}, size, DType.INT64)), f);
    }

    /** An index's positions as an int64 tensor: a tensor of them, or one int. Null after an error. */
    private Var positions(Val v, tx.compiler.syntax.Span at) {
        if (v instanceof Val.Num num && num.py() == Val.PyType.INT) return b.constant(Tensor.of(new int[0], new double[] {num.value()}), DType.INT64);
        if (v instanceof T t && t.dtype() == DType.INT64) return t.var();
        if (v instanceof T t && t.dtype() == DType.BOOL && t.shape().length > 0) {
            l.diags.error("E0105", at, "a boolean mask beside other indices selects a number of elements known only at run time, which tx cannot give a shape yet",
                    "index with int64 positions instead, e.g. `nonzero` of the mask is not yet there either: keep the shape with `where(mask, x, 0.0)`");
            return null;
        }
        l.diags.error("E0220", at, "tensors used as indices must be int64 (or bool masks), found " + v.describe(), "convert the positions with `.long()`");
        return null;
    }

    /** {@code [0, 1]}, {@code range(...)} or {@code list(range(...))}: positions spelled as a Python sequence. */
    private static boolean positionsSpelled(Ast.Expr e) {
        return e instanceof Ast.ListLit || isCallOf(e, "range") || isCallOf(e, "list") && ((Ast.Call) e).args().size() == 1
                && ((Ast.Call) e).args().get(0).name() == null && isCallOf(((Ast.Call) e).args().get(0).value(), "range");
    }

    private static boolean isCallOf(Ast.Expr e, String name) {
        return e instanceof Ast.Call c && c.callee() instanceof Ast.Name n && n.name().equals(name);
    }

    /**
     * The sequence as the tensor PyTorch makes of it: {@code tensor([0, 1])}; {@code range(a, b, s)}
     * as {@code arange(a, b, s)}, int64 for int bounds.
     */
    private static Ast.Expr asTensor(Ast.Expr e) {
        if (e instanceof Ast.ListLit list) return new Ast.Call(new Ast.Name("tensor", list.span()), List.of(new Ast.Arg(null, list, list.span())), list.span());
        Ast.Call c = (Ast.Call) e;
        if (isCallOf(c, "list")) return asTensor(c.args().get(0).value());
        return new Ast.Call(new Ast.Name("arange", c.callee().span()), c.args(), c.span());
    }
}
