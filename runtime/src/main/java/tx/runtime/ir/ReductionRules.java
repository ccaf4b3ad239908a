package tx.runtime.ir;

import static tx.runtime.ir.Prim.CUMPROD;
import static tx.runtime.ir.Prim.CUMSUM;
import static tx.runtime.ir.PrimSupport.in;
import static tx.runtime.ir.PrimSupport.reversedCumsum;
import static tx.runtime.ir.PrimSupport.shiftedRight;
import static tx.runtime.ir.PrimSupport.spread;

import java.util.List;
import tx.runtime.ir.Stmt.Eqn;

/** The derivative rules of the reductions {@link Prim#MAX}, {@link Prim#CUMPROD}, {@link Prim#PROD} and {@link Prim#PROD_OTHERS}, long enough to read on their own. */
final class ReductionRules {
    private ReductionRules() {}

    /**
     * The gradient of a max goes to the maximal elements. NOTE: ties share it evenly, and when the
     * max is nan it goes to the nan elements, as torch.max(x) (evenly_distribute_backward).
     */
    static List<Var> maxVjp(Builder b, Eqn e, Var g) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = in(e, 0);
        Var y = spread(b, e, e.out());
        Var hit = b.add(b.eq(x, y), b.mul(b.ne(x, x), b.ne(y, y)));
        Var count = b.sum(hit, r.axes(), true);
        return List.of(b.div(b.mul(spread(b, e, g), hit), b.expand(count, x.shapeRef())));
    }

    /** The mean of the tangent over the maximal elements: the VJP's even split, transposed. */
    static Var maxJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = in(e, 0), y = spread(b, e, e.out());
        Var hit = b.add(b.eq(x, y), b.mul(b.ne(x, x), b.ne(y, y)));
        Var count = b.expand(b.sum(hit, r.axes(), true), x.shapeRef());
        return b.sum(b.div(b.mul(t.get(0), hit), count), r.axes(), r.keepdim());
    }

    /**
     * The gradient of CUMPROD (running products along one axis, y_j = x_0 ... x_j) is
     * PyTorch's cumprod_backward (the rule it uses outside create_graph), exact where x has zeros:
     * <pre>
     *   dx_k = Σ_{j>=k} g_j y_j / x_k                           before the line's first zero (k < z1)
     *   dx_k = y_{z1-1} Σ_{z1<=j<z2} g_j Π_{z1<i<=j} x_i          at the first zero (k = z1; y_{-1} = 1)
     *   dx_k = 0                                               after it
     * </pre>
     * where z1 and z2 are the positions of the first and second zeros (the end of the line when absent),
     * found by a running count of the zeros. NOTE: the masks are comparisons, so they pass no gradient;
     * the quotient read where x is 0 is never taken (where's exact zero), and g itself is returned along
     * an axis of one, as PyTorch (not y g / x, which may round or be nan).
     * NOTE: as PROD_OTHERS's rule, this one is exact to first order only: differentiated again (a
     * second derivative), it is right where x has no zero in the line, but not at a zero, since the
     * masked terms g_j y_j (j >= z1) are 0 there but their slopes are not. PyTorch switches to an
     * O(n²) rule under create_graph for that; tx does not yet.
     */
    static List<Var> cumprodVjp(Builder b, Eqn e, Var g) {
        Attrs.Axis axis = (Attrs.Axis) e.attr();
        Var x = in(e, 0), y = e.out(), zero = b.scalar(0), one = b.scalar(1);
        int a = axis.axis(), n = x.shapeRef()[a];
        if (n <= 1 && !tx.runtime.tensor.Shapes.isSymbol(n)) return List.of(g); // a symbol (negative) is a length known only at run time
        Var isZero = b.eq(x, zero);
        Var zeros = b.emit(CUMSUM, axis, isZero); // zeros at or before each position
        Var before = b.eq(zeros, zero), second = b.eq(zeros, one);
        Var first = b.mul(isZero, second);
        Var beforeTerm = b.div(reversedCumsum(b, b.where(before, b.mul(y, g), zero), a), x);
        Var between = b.emit(CUMPROD, axis, b.where(b.emit(Prim.BITWISE_XOR, null, second, first), x, one)); // second and not first
        Var atFirst = b.sum(b.mul(between, b.where(second, g, zero)), new int[] {a}, true);
        Var previous = shiftedRight(b, y, a); // y_{k-1}, and 1 at k = 0
        return List.of(b.where(before, beforeTerm, b.where(first, b.mul(atFirst, previous), zero)));
    }

    /**
     * dy_j = sum over k <= j of t_k times the product of the other x_i (i <= j), exact with zeros:
     * before the line's first zero it is y_j sum_{k<=j} t_k / x_k; with exactly one zero so far, at
     * z1, every term but k = z1 has the factor x_{z1} = 0, and the one left is the running product
     * with x_{z1} replaced by t_{z1}; with two zeros or more, every term has a zero factor.
     */
    static Var cumprodJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Attrs.Axis axis = (Attrs.Axis) e.attr();
        Var x = in(e, 0), y = e.out(), zero = b.scalar(0), one = b.scalar(1), dx = t.get(0);
        Var isZero = b.eq(x, zero);
        Var zeros = b.emit(CUMSUM, axis, isZero);
        Var before = b.eq(zeros, zero), once = b.eq(zeros, one);
        Var quotients = b.where(isZero, zero, b.div(dx, b.where(isZero, one, x)));
        Var beforeTerm = b.mul(y, b.emit(CUMSUM, axis, quotients));
        Var onceTerm = b.emit(CUMPROD, axis, b.where(isZero, dx, x));
        return b.where(before, beforeTerm, b.where(once, onceTerm, zero));
    }

    /** d prod(x) / dx_i = the product of the others (PROD_OTHERS, exact where x holds zeros). */
    static List<Var> prodVjp(Builder b, Eqn e, Var g) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        return List.of(b.mul(spread(b, e, g), b.prodOthers(in(e, 0), r.axes())));
    }

    static Var prodJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        return b.sum(b.mul(t.get(0), b.prodOthers(in(e, 0), r.axes())), r.axes(), r.keepdim());
    }

    /** The products of the others, y_i = prod over j != i of x_j: dx_j = (sum(g y) - g_j y_j) / x_j. */
    static List<Var> prodOthersVjp(Builder b, Eqn e, Var g) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = in(e, 0);
        Var gy = b.mul(g, e.out());
        Var total = b.expand(b.sum(gy, r.axes(), true), x.shapeRef());
        return List.of(b.div(b.sub(total, gy), x));
    }

    /** dy_i = sum over j != i of y_i t_j / x_j = y_i (sum_j t_j / x_j - t_i / x_i); as the VJP, not exact where x = 0. */
    static Var prodOthersJvp(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = in(e, 0), q = b.div(t.get(0), x);
        Var total = b.expand(b.sum(q, r.axes(), true), x.shapeRef());
        return b.mul(e.out(), b.sub(total, q));
    }
}
