package tx.compiler.emit;

import java.util.ArrayList;
import java.util.List;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * How {@link TxEmitter} writes the primitives that read part of a tensor and their adjoints:
 * SLICE as a subscript {@code x[1:3, ::2]}, PAD with {@code cat} and zeros, DYNAMIC_SLICE as the
 * run-time slice {@code x[i:i + k]} it came from, DYNAMIC_PAD with {@code scatter_add}.
 */
final class TxSlices {
    private final TxEmitter t;

    TxSlices(TxEmitter t) {
        this.t = t;
    }

    TxEmitter.Expr slice(Eqn e) {
        Var x = e.in().get(0);
        Sizes.Lin[] extent = t.d.shape(x);
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            int axis = i;
            Sizes.Lin start = t.attr(e, q -> ((Attrs.Slice) q.attr()).start()[axis], "a slice's start");
            Sizes.Lin stop = t.attr(e, q -> ((Attrs.Slice) q.attr()).stop()[axis], "a slice's end");
            int step = ((Attrs.Slice) e.attr()).step()[axis];
            String s = (start.constant() && start.c() == 0 ? "" : t.size(start)) + ":" + (stop.equals(extent[i]) ? "" : t.size(stop))
                    + (step == 1 ? "" : ":" + step);
            subs.add(s);
        }
        while (!subs.isEmpty() && subs.get(subs.size() - 1).equals(":")) subs.remove(subs.size() - 1);
        if (subs.isEmpty()) return new TxEmitter.Expr(t.ref(x, TxEmitter.ATOM), TxEmitter.ATOM);
        return new TxEmitter.Expr(t.ref(x, TxEmitter.ATOM) + "[" + String.join(", ", subs) + "]", TxEmitter.ATOM);
    }

    /** A window from a run-time start: the slice {@code x[:, i:i + k:step]} it came from. */
    TxEmitter.Expr window(Eqn e) {
        Attrs.Window w = (Attrs.Window) e.attr();
        String start = startOf(e.in().get(1));
        int extent = w.length() == 0 ? 0 : (w.length() - 1) * w.step() + 1;
        return new TxEmitter.Expr(t.ref(e.in().get(0), TxEmitter.ATOM) + "[" + ":, ".repeat(w.axis()) + start + ":" + start + " + " + extent
                + (w.step() == 1 ? "" : ":" + w.step()) + "]", TxEmitter.ATOM);
    }

    /** A window's adjoint: g added into zeros at the positions {@code i + k * step} along the axis, by {@code scatter_add}. */
    TxEmitter.Expr windowPad(Eqn e) {
        Attrs.WindowPad p = (Attrs.WindowPad) e.attr();
        Var g = e.in().get(0);
        int length = g.shapeRef()[p.axis()];
        String positions = startOf(e.in().get(1)) + " + " + (p.step() == 1 ? "arange(" + length + ")" : "arange(" + length + ") * " + p.step());
        if (g.rank() > 1) {
            String[] dims = new String[g.rank()];
            for (int i = 0; i < dims.length; i++) dims[i] = i == p.axis() ? Integer.toString(length) : "1";
            positions = t.call("expand", t.call("reshape", positions, "[" + String.join(", ", dims) + "]").text(), t.shape(g)).text();
        }
        return t.call("scatter_add", t.call("zeros", t.shape(e.out())).text(), Integer.toString(p.axis()), positions, t.arg(g));
    }

    /** A run-time start as the left operand of {@code +}: in parentheses unless it binds at least as tightly. */
    private String startOf(Var i) {
        return t.ref(i, TxEmitter.ADD);
    }

    /**
     * The adjoint of a slice: zeros with g placed at start + k * step along each axis, written with
     * cat (zeros before and after) and, for a step above 1, by interleaving zeros through a reshape.
     */
    TxEmitter.Expr pad(Eqn e) {
        Var g = e.in().get(0);
        Attrs.Pad p = (Attrs.Pad) e.attr();
        Sizes.Lin[] outer = t.d.shape(e.out());
        Sizes.Lin[] cur = t.d.shape(g).clone();
        String text = t.arg(g);
        for (int i = 0; i < g.rank(); i++) {
            int axis = i;
            Sizes.Lin inner = cur[i];
            if (inner.equals(outer[i])) continue;
            int step = p.step()[i];
            Sizes.Lin start = t.attr(e, q -> ((Attrs.Pad) q.attr()).start()[axis], "a slice's start");
            if (step > 1 && !(inner.constant() && inner.c() <= 1)) {
                // interleave: [.., m, ..] -> [.., m, step, ..] with zeros after each element -> [.., m * step, ..], cut to (m - 1) * step + 1
                String u = t.temp("unsqueeze(" + text + ", " + (i + 1) + ")", e);
                Sizes.Lin[] zs = cur.clone();
                Sizes.Lin[] withStep = TxText.insert(zs, i + 1, new Sizes.Lin(0, List.of(), step - 1));
                String z = "zeros(" + lins(withStep) + ")";
                String c = t.temp("cat([" + u + ", " + z + "], dim=" + (i + 1) + ")", e);
                Sizes.Lin spread = t.attr(e, q -> q.in().get(0).shapeRef()[axis] * ((Attrs.Pad) q.attr()).step()[axis], "a padded size");
                Sizes.Lin cut = t.attr(e, q -> (q.in().get(0).shapeRef()[axis] - 1) * ((Attrs.Pad) q.attr()).step()[axis] + 1, "a padded size");
                cur[i] = spread;
                String r = t.temp("reshape(" + c + ", " + lins(cur) + ")", e);
                List<String> subs = new ArrayList<>();
                for (int k = 0; k < i; k++) subs.add(":");
                subs.add(":" + t.size(cut));
                cur[i] = cut;
                text = r + "[" + String.join(", ", subs) + "]";
                inner = cut;
            }
            Sizes.Lin after = t.attr(e, q -> ((Attrs.Pad) q.attr()).shape()[axis] - ((Attrs.Pad) q.attr()).start()[axis]
                    - TxText.extentAlong(q, axis), "a padded size");
            List<String> parts = new ArrayList<>();
            if (!(start.constant() && start.c() == 0)) parts.add("zeros(" + lins(TxText.replace(cur, i, start)) + ")");
            parts.add(text);
            if (!(after.constant() && after.c() == 0)) parts.add("zeros(" + lins(TxText.replace(cur, i, after)) + ")");
            cur[i] = outer[i];
            text = parts.size() == 1 ? text : "cat([" + String.join(", ", parts) + "], dim=" + i + ")";
            if (i < g.rank() - 1 && parts.size() > 1) text = t.temp(text, e);
        }
        return new TxEmitter.Expr(text, TxEmitter.ATOM);
    }

    private String lins(Sizes.Lin[] s) {
        List<String> parts = new ArrayList<>();
        for (Sizes.Lin f : s) parts.add(t.size(f));
        return "[" + String.join(", ", parts) + "]";
    }
}
