package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;

/**
 * The shape and derivative rules of the primitives that take int64 index tensors ({@link Prim#GATHER},
 * {@link Prim#SCATTER_ADD}) or give them ({@link Prim#ARGMAX}, {@link Prim#ARGSORT}). The index
 * operand never gets a gradient; gather and scatter_add are linear in their float operands and
 * each other's adjoints:
 * <pre>
 *   y = gather(x, a, idx)              dx = scatter_add(zeros(x), a, idx, g)
 *   y = scatter_add(x, a, idx, src)    dx = g,  dsrc = gather(g, a, idx)
 *   y = scatter(x, a, idx, src)        dx = scatter(g, a, idx, zeros(src)),  dsrc = gather(g, a, idx)
 * </pre>
 * NOTE: scatter's dsrc is PyTorch's: an element that a later one overwrote still gets the gradient
 * of its position (torch.scatter's and max_unpool's backward gather g for every element).
 */
final class IndexRules {
    private IndexRules() {}

    /** The shape without the axis (argmax); the axis must exist and not be empty. */
    static int[] reducedAlong(int[] x, int axis) {
        along(x, axis);
        if (x[axis] == 0) fail("argmax along an empty axis " + axis + " of " + Shapes.show(x));
        return Shapes.reduced(x, new int[] {axis}, false);
    }

    /** The input's shape, along an axis it has (argsort). */
    static int[] along(int[] x, int axis) {
        if (axis < 0 || axis >= x.length) fail("axis " + axis + " of a tensor of shape " + Shapes.show(x));
        return x.clone();
    }

    /** gather: idx of x's rank, no larger than x but along the axis; the result has idx's shape. */
    static int[] gatherShape(int[] x, int[] idx, int axis) {
        along(x, axis);
        if (idx.length != x.length) fail("gather: an index of shape " + Shapes.show(idx) + " for a tensor of shape " + Shapes.show(x));
        for (int d = 0; d < x.length; d++) {
            if (d != axis && idx[d] > x[d]) fail("gather: index shape " + Shapes.show(idx) + " is larger than " + Shapes.show(x) + " at dimension " + d);
        }
        return idx.clone();
    }

    /**
     * NONZERO(mask, count): the positions (int64, row-major over the whole mask) of a bool mask's
     * trues, a vector whose length is a size known only at run time: the symbol of its attribute,
     * whose size (the mask's count of trues) is its second operand. {@code x[mask]} gathers at them.
     */
    static int[] nonzeroShape(List<int[]> in, Attrs.ShapeAttr attr) {
        int[] s = PrimSupport.sized(in, 1, attr.shape());
        if (s.length != 1) fail("nonzero gives a vector, not " + Shapes.show(s));
        return s.clone();
    }

    static tx.runtime.tensor.Tensor nonzero(List<tx.runtime.tensor.Tensor> in, Attrs.ShapeAttr attr) {
        return tx.runtime.kernels.Indexing.nonzero(in.get(0), PrimSupport.resolved(attr.shape(), in, 1)[0]);
    }

    /** scatter_add(x, idx, src), scatter(x, idx, src): idx and src of one shape, which fits x (as gather's index). */
    static int[] scatterShape(List<int[]> in, int axis) {
        if (!Arrays.equals(in.get(1), in.get(2))) fail("scatter: index " + Shapes.show(in.get(1)) + " and source " + Shapes.show(in.get(2)) + " differ");
        gatherShape(in.get(0), in.get(1), axis);
        return in.get(0).clone();
    }

    static List<Var> gatherVjp(Builder b, Eqn e, Var g) {
        Var x = in(e, 0), idx = in(e, 1);
        return Arrays.asList(b.emit(Prim.SCATTER_ADD, e.attr(), b.fill(x.shapeRef(), 0.0), idx, g), null);
    }

    /** Linear in x: the tangent gathered the same way. */
    static Var gatherJvp(Builder b, Eqn e, List<Var> t) {
        return t.get(0) == null ? null : b.emit(Prim.GATHER, e.attr(), t.get(0), in(e, 1));
    }

    static List<Var> scatterAddVjp(Builder b, Eqn e, Var g) {
        return Arrays.asList(g, null, b.emit(Prim.GATHER, e.attr(), g, in(e, 1)));
    }

    /** Linear in x and src: the tangents scattered the same way, zeros for structural zeros. */
    static Var scatterAddJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null && t.get(2) == null) return null;
        Var x = t.get(0) != null ? t.get(0) : b.fill(in(e, 0).shapeRef(), 0.0);
        Var src = t.get(2) != null ? t.get(2) : b.fill(in(e, 2).shapeRef(), 0.0);
        return b.emit(Prim.SCATTER_ADD, e.attr(), x, in(e, 1), src);
    }

    static List<Var> scatterVjp(Builder b, Eqn e, Var g) {
        Var idx = in(e, 1);
        Var unwritten = b.emit(Prim.SCATTER, e.attr(), g, idx, b.fill(in(e, 2).shapeRef(), 0.0));
        return Arrays.asList(unwritten, null, b.emit(Prim.GATHER, e.attr(), g, idx));
    }

    /** Linear in x and src together: the tangents written the same way, zeros for structural zeros. */
    static Var scatterJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null && t.get(2) == null) return null;
        Var x = t.get(0) != null ? t.get(0) : b.fill(in(e, 0).shapeRef(), 0.0);
        Var src = t.get(2) != null ? t.get(2) : b.fill(in(e, 2).shapeRef(), 0.0);
        return b.emit(Prim.SCATTER, e.attr(), x, in(e, 1), src);
    }
}
