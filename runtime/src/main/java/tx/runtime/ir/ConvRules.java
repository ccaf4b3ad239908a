package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.kernels.Conv;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The rules of the convolution and pooling primitives ({@link Prim#CONV}, {@link Prim#CONV_INPUT},
 * {@link Prim#CONV_WEIGHT}, {@link Prim#MAX_POOL}, {@link Prim#MAX_UNPOOL}), which Prim's entries
 * call. The convolution y = C(x, w) is bilinear, and its three primitives are each other's adjoints:
 * <pre>
 *   C(x, w) = y          dx = T(g, w)           dw = W(x, g)           (+ db = Σ g over batch and space)
 *   T(g, w) = dx         dg = C(h, w)           dw = W(h, g)
 *   W(x, g) = dw         dx = T(g, h)           dg = C(x, h)
 * </pre>
 * (from {@code <C(x, w), g> = <x, T(g, w)> = <w, W(x, g)>}); their JVPs are the product rule. Max
 * pooling P(x, v) reads v where x is largest in each window (max_pool2d(x) is P(x, x)); it is
 * linear in v and locally constant in x, and its adjoint in v is U(x, g), which adds g there.
 */
final class ConvRules {
    private ConvRules() {}

    // ---- shapes ------------------------------------------------------------------------------------

    /** The output of conv(x, w[, b]): [n, o, oh, ow] (or [n, o, ow]). */
    static int[] conv(List<int[]> in, Attrs.Conv a) {
        if (in.size() < 2 || in.size() > 3) fail("conv takes 2 or 3 operands, got " + in.size());
        int[] x = in.get(0), w = in.get(1);
        checkOperands(x, w, a.groups());
        if (in.size() == 3 && !Arrays.equals(in.get(2), new int[] {w[0]})) fail("conv bias of shape " + Shapes.show(in.get(2)) + " for " + w[0] + " channels");
        return out(x, w, a);
    }

    /** The output of conv_input(g, w): x's shape, [n, c, size...], where conv(x, w) has g's shape. */
    static int[] convInput(List<int[]> in, Attrs.Conv a) {
        int[] g = in.get(0), w = in.get(1);
        if (g.length != w.length || a.size() == null) fail("conv_input of " + Shapes.show(g) + " by " + Shapes.show(w));
        int[] x = spatial(new int[] {g[0], w[1] * a.groups()}, a.size(), g.length);
        checkOperands(x, w, a.groups());
        if (!Arrays.equals(out(x, w, a), g)) fail("conv_input of " + Shapes.show(g) + " into " + Shapes.show(x));
        return x;
    }

    /** The output of conv_weight(x, g): w's shape, [o, c / groups, size...], where conv(x, w) has g's shape. */
    static int[] convWeight(List<int[]> in, Attrs.Conv a) {
        int[] x = in.get(0), g = in.get(1);
        if (x.length != g.length || a.size() == null || x.length < 3 || x[1] % a.groups() != 0) fail("conv_weight of " + Shapes.show(x) + " and " + Shapes.show(g));
        int[] w = spatial(new int[] {g[1], x[1] / a.groups()}, a.size(), g.length);
        checkOperands(x, w, a.groups());
        if (!Arrays.equals(out(x, w, a), g)) fail("conv_weight of " + Shapes.show(x) + " and " + Shapes.show(g));
        return w;
    }

    /** The output of max_pool(x, v): [n, c, oh, ow] (or [n, c, ow]). */
    static int[] maxPool(List<int[]> in, Attrs.Pool a) {
        int[] x = in.get(0);
        if (x.length < 3 || x.length > 4 || !Arrays.equals(x, in.get(1))) fail("max_pool of " + Shapes.show(x) + " and " + Shapes.show(in.get(1)));
        int oh = x.length == 4 ? Conv.outLength(x[2], a.kernel()[0], a.stride()[0], a.padding()[0], a.dilation()[0], a.ceil()) : 1;
        int ow = Conv.outLength(x[x.length - 1], a.kernel()[1], a.stride()[1], a.padding()[1], a.dilation()[1], a.ceil());
        if (oh < 1 || ow < 1) fail("max_pool window " + a + " larger than " + Shapes.show(x));
        return x.length == 4 ? new int[] {x[0], x[1], oh, ow} : new int[] {x[0], x[1], ow};
    }

    /** The output of max_unpool(x, g): x's shape, where max_pool of x has g's shape. */
    static int[] maxUnpool(List<int[]> in, Attrs.Pool a) {
        if (!Arrays.equals(maxPool(List.of(in.get(0), in.get(0)), a), in.get(1))) fail("max_unpool of " + Shapes.show(in.get(1)) + " into " + Shapes.show(in.get(0)));
        return in.get(0).clone();
    }

    private static void checkOperands(int[] x, int[] w, int groups) {
        if (x.length < 3 || x.length > 4 || w.length != x.length) fail("conv of " + Shapes.show(x) + " by " + Shapes.show(w));
        if (groups < 1 || w[0] % groups != 0 || x[1] != w[1] * groups) fail("conv of " + Shapes.show(x) + " by " + Shapes.show(w) + " in " + groups + " groups");
    }

    private static int[] out(int[] x, int[] w, Attrs.Conv a) {
        int r = x.length;
        int oh = r == 4 ? Conv.outLength(x[2], w[2], a.stride()[0], a.padding()[0], a.dilation()[0], false) : 1;
        int ow = Conv.outLength(x[r - 1], w[r - 1], a.stride()[1], a.padding()[1], a.dilation()[1], false);
        if (oh < 1 || ow < 1) fail("conv kernel " + Shapes.show(w) + " larger than the padded input " + Shapes.show(x));
        return r == 4 ? new int[] {x[0], w[0], oh, ow} : new int[] {x[0], w[0], ow};
    }

    /** head followed by the spatial size (both entries for rank 4, the last for rank 3). */
    private static int[] spatial(int[] head, int[] size, int rank) {
        return rank == 4 ? new int[] {head[0], head[1], size[0], size[1]} : new int[] {head[0], head[1], size[1]};
    }

    /** The spatial size of a shape as the geometry's two entries (height 1 for rank 3). */
    static int[] size(int[] s) {
        return s.length == 4 ? new int[] {s[2], s[3]} : new int[] {1, s[2]};
    }

    // ---- kernels -----------------------------------------------------------------------------------

    static Tensor evalConv(List<Tensor> in, Attrs.Conv a) {
        return Conv.conv(in.get(0), in.get(1), in.size() == 3 ? in.get(2) : null, a.stride(), a.padding(), a.dilation(), a.groups());
    }

    static Tensor evalConvInput(List<Tensor> in, Attrs.Conv a) {
        int[] x = convInput(List.of(in.get(0).shapeRef(), in.get(1).shapeRef()), a);
        return Conv.convInput(in.get(0), in.get(1), x, a.stride(), a.padding(), a.dilation(), a.groups());
    }

    static Tensor evalConvWeight(List<Tensor> in, Attrs.Conv a) {
        int[] w = convWeight(List.of(in.get(0).shapeRef(), in.get(1).shapeRef()), a);
        return Conv.convWeight(in.get(0), in.get(1), w, a.stride(), a.padding(), a.dilation(), a.groups());
    }

    static Tensor evalPool(List<Tensor> in, Attrs.Pool a, boolean unpool) {
        return unpool ? Conv.maxUnpool(in.get(0), in.get(1), a.kernel(), a.stride(), a.padding(), a.dilation(), a.ceil())
                : Conv.maxPool(in.get(0), in.get(1), a.kernel(), a.stride(), a.padding(), a.dilation(), a.ceil());
    }

    // ---- derivatives -------------------------------------------------------------------------------

    private static Var c(Builder b, Attrs.Conv a, Var x, Var w) {
        return b.emit(Prim.CONV, a.sized(null), x, w);
    }

    private static Var t(Builder b, Attrs.Conv a, Var g, Var w, int[] x) {
        return b.emit(Prim.CONV_INPUT, a.sized(size(x)), g, w);
    }

    private static Var w(Builder b, Attrs.Conv a, Var x, Var g, int[] w) {
        return b.emit(Prim.CONV_WEIGHT, a.sized(size(w)), x, g);
    }

    /** dx = T(g, w), dw = W(x, g), db = g summed over the batch and spatial axes. */
    static List<Var> convVjp(Builder b, Eqn e, Var g) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var x = in(e, 0), wt = in(e, 1);
        List<Var> out = new ArrayList<>(List.of(t(b, a, g, wt, x.shapeRef()), w(b, a, x, g, wt.shapeRef())));
        if (e.in().size() == 3) out.add(b.sum(g, g.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0, 2}, false));
        return out;
    }

    /** dC = C(dx, w) + C(x, dw) + db, broadcast over the batch and spatial axes. */
    static Var convJvp(Builder b, Eqn e, List<Var> tan) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var x = in(e, 0), wt = in(e, 1), out = null;
        if (tan.get(0) != null) out = c(b, a, tan.get(0), wt);
        if (tan.get(1) != null) out = plus(b, out, c(b, a, x, tan.get(1)));
        if (tan.size() == 3 && tan.get(2) != null) {
            int[] s = e.out().shape();
            int[] col = new int[s.length];
            Arrays.fill(col, 1);
            col[1] = s[1];
            out = plus(b, out, b.expand(b.reshape(tan.get(2), col), s));
        }
        return out;
    }

    /** Of T(g, w) with adjoint h (x's shape): dg = C(h, w), dw = W(h, g). */
    static List<Var> convInputVjp(Builder b, Eqn e, Var h) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var g = in(e, 0), wt = in(e, 1);
        return List.of(c(b, a, h, wt), w(b, a, h, g, wt.shapeRef()));
    }

    static Var convInputJvp(Builder b, Eqn e, List<Var> tan) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var out = tan.get(0) == null ? null : b.emit(Prim.CONV_INPUT, a, tan.get(0), in(e, 1));
        return tan.get(1) == null ? out : plus(b, out, b.emit(Prim.CONV_INPUT, a, in(e, 0), tan.get(1)));
    }

    /** Of W(x, g) with adjoint h (w's shape): dx = T(g, h), dg = C(x, h). */
    static List<Var> convWeightVjp(Builder b, Eqn e, Var h) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var x = in(e, 0), g = in(e, 1);
        return List.of(t(b, a, g, h, x.shapeRef()), c(b, a, x, h));
    }

    static Var convWeightJvp(Builder b, Eqn e, List<Var> tan) {
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var out = tan.get(0) == null ? null : b.emit(Prim.CONV_WEIGHT, a, tan.get(0), in(e, 1));
        return tan.get(1) == null ? out : plus(b, out, b.emit(Prim.CONV_WEIGHT, a, in(e, 0), tan.get(1)));
    }

    /** Pooling P(x, v) and its adjoint U(x, g) are linear in their second operand and pass nothing to x. */
    static List<Var> poolVjp(Builder b, Eqn e, Var g, Prim adjoint) {
        return Arrays.asList(null, b.emit(adjoint, e.attr(), in(e, 0), g));
    }

    static Var poolJvp(Builder b, Eqn e, List<Var> tan) {
        return tan.get(1) == null ? null : b.emit(e.prim(), e.attr(), in(e, 0), tan.get(1));
    }

    private static Var plus(Builder b, Var a, Var c) {
        return a == null ? c : b.add(a, c);
    }
}
