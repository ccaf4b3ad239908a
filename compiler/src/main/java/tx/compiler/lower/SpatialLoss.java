package tx.compiler.lower;

import java.util.function.BiFunction;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * cross_entropy and nll_loss over input [N, C, d1, ...] with class indices [N, d1, ...]
 * (segmentation), as PyTorch 1.13's nll_loss_nd: the class axis is moved last and the rest
 * flattened, [N·d1·..., C] with targets [N·d1·...], so each position is one sample of the [N, C]
 * loss (its weights, ignore_index, mean over the weights kept, label smoothing); "none" gives the
 * per-position losses back in [N, d1, ...]. With class probabilities the class axis stays 1.
 */
final class SpatialLoss {
    private SpatialLoss() {}

    /** The class indices' shape for input x: [] for [C], x's shape without its class axis 1 otherwise. */
    static int[] targetShape(int[] xs) {
        if (xs.length == 1) return Shapes.SCALAR;
        int[] want = new int[xs.length - 1];
        want[0] = xs[0];
        System.arraycopy(xs, 2, want, 1, xs.length - 2);
        return want;
    }

    /** Every axis of an input of this rank but the class axis 1: the samples, over which a mean divides. */
    static int[] sampleAxes(int rank) {
        return targetShape(axes(rank));
    }

    /** A weight [C] shaped to multiply an input of this rank along its class axis 1: [C, 1, ...]. */
    static Var alongClasses(Builder b, Var w, int rank) {
        if (rank <= 2) return w;
        int[] shape = Shapes.ones(rank - 1);
        shape[0] = w.shapeRef()[0];
        return b.reshape(w, shape);
    }

    /**
     * The loss of x [N, C, d1, ...] and targets t [N, d1, ...] computed as the [M, C] loss of the
     * flattened positions (M = N·d1·...), per position in t's shape under "none".
     */
    static Var flattened(Builder b, Var x, Var t, Losses.Reduction r, BiFunction<Var, Var, Var> loss) {
        int rank = x.rank();
        int[] perm = axes(rank);
        for (int i = 1; i < rank - 1; i++) perm[i] = i + 1;
        perm[rank - 1] = 1;
        int[] ts = t.shapeRef();
        int m = (int) Shapes.numelExact(ts), classes = x.shapeRef()[1];
        Var v = loss.apply(b.reshape(b.transpose(x, perm), new int[] {m, classes}), b.reshape(t, new int[] {m}));
        return r == Losses.Reduction.NONE ? b.reshape(v, ts) : v;
    }

    /**
     * PyTorch's grad_fn: nll_loss2d's for a reduced loss and for 4-D input, a view of it for the
     * per-position losses of other ranks (nll_loss_nd reshapes them to [N, C, 1, -1] and back), and
     * the sum with label smoothing's term.
     */
    static String gradFn(int rank, Losses.Reduction r, double smoothing) {
        if (smoothing > 0) return "AddBackward0";
        return r == Losses.Reduction.NONE && rank != 4 ? "ViewBackward0" : "NllLoss2DBackward0";
    }

    private static int[] axes(int rank) {
        int[] all = new int[rank];
        for (int i = 0; i < rank; i++) all[i] = i;
        return all;
    }
}
