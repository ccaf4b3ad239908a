package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.kernels.Shaping;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The shape and derivative rules of the primitives that read part of a tensor and of their
 * adjoints, which put a part back into zeros. Each pair is linear and each is the other's adjoint,
 * so {@code <read(x), g> == <x, put(g)>}:
 * <pre>
 *   SLICE   box start:stop:step, known now          PAD          its adjoint
 *   TAKE    x[i] along an axis, i at run time        PUT          its adjoint
 *   DYNAMIC_SLICE  a window from a run-time start    DYNAMIC_PAD  its adjoint
 * </pre>
 * The run-time index or start is the second operand; it passes no gradient. A tangent goes
 * through the same primitive as the value does.
 */
final class SliceRules {
    private SliceRules() {}

    static int[] slice(int[] x, Attrs.Slice s) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            if (s.start()[i] < 0 || s.stop()[i] > x[i] || s.step()[i] < 1) fail("bad slice of " + Shapes.show(x));
            out[i] = Math.max(0, (s.stop()[i] - s.start()[i] + s.step()[i] - 1) / s.step()[i]);
        }
        return out;
    }

    static Tensor evalSlice(Tensor x, Attrs.Slice s) {
        return Shaping.slice(x, s.start(), s.stop(), s.step());
    }

    static Var sliceVjp(Builder b, Eqn e, Var g) {
        Attrs.Slice s = (Attrs.Slice) e.attr();
        return b.pad(g, in(e, 0).shapeRef(), s.start(), s.step());
    }

    static Tensor evalPad(Tensor g, Attrs.Pad p) {
        return Shaping.pad(g, p.shape(), p.start(), p.step());
    }

    static Var padVjp(Builder b, Eqn e, Var g) {
        Attrs.Pad p = (Attrs.Pad) e.attr();
        int[] n = in(e, 0).shapeRef(), stop = new int[n.length];
        for (int i = 0; i < n.length; i++) stop[i] = n[i] == 0 ? p.start()[i] : p.start()[i] + (n[i] - 1) * p.step()[i] + 1;
        return b.slice(g, p.start(), stop, p.step());
    }

    /** x[i] along an axis: the axis is removed; i is a scalar. */
    static int[] take(List<int[]> in, int axis) {
        if (axis < 0 || axis >= in.get(0).length || in.get(1).length != 0) fail("take along axis " + axis + " of " + Shapes.show(in.get(0)));
        return Shapes.reduced(in.get(0), new int[] {axis}, false);
    }

    static Var takeVjp(Builder b, Eqn e, Var g) {
        return b.put(g, in(e, 1), in(e, 0).shapeRef(), ((Attrs.Axis) e.attr()).axis());
    }

    static int[] put(List<int[]> in, Attrs.Put p) {
        PrimSupport.sized(in, 2, p.shape()); // a shape with sizes known only at run time takes them as operands
        if (!Arrays.equals(Shapes.reduced(p.shape(), new int[] {p.axis()}, false), in.get(0)) || in.get(1).length != 0) {
            fail("put of " + Shapes.show(in.get(0)) + " into " + Shapes.show(p.shape()) + " along axis " + p.axis());
        }
        return p.shape().clone();
    }

    static Tensor evalPut(List<Tensor> in, Attrs.Put p) {
        return Shaping.put(in.get(0), PrimSupport.resolved(p.shape(), in, 2), p.axis(), in.get(1).item());
    }

    static Var putVjp(Builder b, Eqn e, Var g) {
        return b.take(g, in(e, 1), ((Attrs.Put) e.attr()).axis());
    }

    /** A window: x's shape with the window's length along its axis; the start is a scalar. */
    static int[] window(List<int[]> in, Attrs.Window w) {
        int[] x = in.get(0);
        boolean sized = Shapes.isSymbol(w.length()); // its length is the third operand
        if (in.size() != (sized ? 3 : 2) || sized && in.get(2).length != 0) fail("window " + w + " takes " + (sized ? 3 : 2) + " scalar operands after the tensor");
        if (w.axis() < 0 || w.axis() >= x.length || in.get(1).length != 0 || !sized && w.length() < 0 || w.step() < 1) {
            fail("window " + w + " of " + Shapes.show(x));
        }
        int[] out = x.clone();
        out[w.axis()] = w.length();
        return out;
    }

    static Tensor evalWindow(List<Tensor> in, Attrs.Window w) {
        int length = in.size() == 3 ? Math.toIntExact((long) in.get(2).item()) : w.length();
        return Shaping.dynamicSlice(in.get(0), w.axis(), in.get(1).item(), length, w.step());
    }

    static Var windowVjp(Builder b, Eqn e, Var g) {
        Attrs.Window w = (Attrs.Window) e.attr();
        return b.dynamicPad(g, in(e, 1), in(e, 0).shapeRef(), w.axis(), w.step());
    }

    /** A window's adjoint: g agrees with the shape off the axis; the start is a scalar. */
    static int[] windowPad(List<int[]> in, Attrs.WindowPad p) {
        int[] g = in.get(0), s = PrimSupport.sized(in, 2, p.shape()); // a selection's slice pads into the selection's size
        boolean ok = p.axis() >= 0 && p.axis() < s.length && g.length == s.length && in.get(1).length == 0 && p.step() >= 1;
        for (int d = 0; ok && d < s.length; d++) ok = d == p.axis() || g[d] == s[d];
        if (!ok) fail("pad of " + Shapes.show(g) + " into " + Shapes.show(s) + " along axis " + p.axis());
        return s.clone();
    }

    static Tensor evalWindowPad(List<Tensor> in, Attrs.WindowPad p) {
        return Shaping.dynamicPad(in.get(0), PrimSupport.resolved(p.shape(), in, 2), p.axis(), in.get(1).item(), p.step());
    }

    static Var windowPadVjp(Builder b, Eqn e, Var g) {
        Attrs.WindowPad p = (Attrs.WindowPad) e.attr();
        return b.dynamicSlice(g, in(e, 1), p.axis(), in(e, 0).shapeRef()[p.axis()], p.step());
    }

    /** The tangent of a read or a put with a run-time index: the same primitive applied to the tangent, at the same index. */
    static Var sameOnTangent(Builder b, Eqn e, List<Var> t) {
        if (t.get(0) == null) return null;
        Var[] in = e.in().toArray(Var[]::new); // the index, and a window's run-time length, as they are
        in[0] = t.get(0);
        return b.emit(e.prim(), e.attr(), in);
    }
}
