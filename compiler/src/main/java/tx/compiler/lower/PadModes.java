package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * pad(x, p, mode="reflect" | "replicate" | "circular"), torch.nn.functional.pad's other modes, as
 * composites of slices, flips, broadcasts and one cat per padded dimension (last dimension first, as
 * PyTorch), so that their adjoints add the reflected, replicated or wrapped parts back into place.
 * Along a dimension of size n padded by (l, r), with c the part kept after a negative amount crops it:
 * <pre>
 *   reflect     flip(x[1 : l + 1]),  c,  flip(x[n - 1 - r : n - 1])    about the first and last element of x
 *   replicate   x[0] l times,        c,  x[n - 1] r times
 *   circular    c[m - l :],          c,  c[: r]                        m = size of c
 * </pre>
 * which are PyTorch 1.13's reflection_pad, replication_pad and _pad_circular index rules, negative
 * amounts included. The checks are PyTorch's: 2, 4 or 6 amounts for an input of rank 2-3, 3-4 or 4-5
 * (circular: the batched rank only, 2 + amounts / 2); reflect's amounts less than n; circular's at
 * most n (PyTorch: "wrapping around more than once"); a result of size at least 1 (0 for circular).
 */
final class PadModes {
    private PadModes() {}

    /** PyTorch's grad_fn: ReflectionPad1DBackward0 ... ReplicationPad3DBackward0, or CopySlices for circular (a composite of copies there too). */
    static String gradFn(String mode, int amounts) {
        if (mode.equals("circular")) return "CopySlices";
        return (mode.equals("reflect") ? "ReflectionPad" : "ReplicationPad") + amounts / 2 + "DBackward0";
    }

    /** The padded tensor; p holds (before, after) pairs from the last dimension backwards, already checked by {@link #check}. */
    static Var pad(Builder b, Var x, int[] p, String mode) {
        Var y = x;
        for (int k = 0; k < p.length / 2; k++) y = along(b, y, x.rank() - 1 - k, p[2 * k], p[2 * k + 1], mode);
        return y;
    }

    private static Var along(Builder b, Var x, int axis, int before, int after, String mode) {
        int n = x.shapeRef()[axis];
        Var core = Composites.along(b, x, axis, Math.max(0, -before), n - Math.max(0, -after));
        int m = core.shapeRef()[axis], l = Math.max(0, before), r = Math.max(0, after);
        List<Var> parts = new ArrayList<>();
        switch (mode) {
            case "reflect" -> {
                if (l > 0) parts.add(flip(b, Composites.along(b, x, axis, 1, l + 1), axis));
                parts.add(core);
                if (r > 0) parts.add(flip(b, Composites.along(b, x, axis, n - 1 - r, n - 1), axis));
            }
            case "replicate" -> {
                if (l > 0) parts.add(repeated(b, Composites.along(b, x, axis, 0, 1), axis, l));
                parts.add(core);
                if (r > 0) parts.add(repeated(b, Composites.along(b, x, axis, n - 1, n), axis, r));
            }
            default -> { // circular
                if (l > 0) parts.add(Composites.along(b, core, axis, m - l, m));
                parts.add(core);
                if (r > 0) parts.add(Composites.along(b, core, axis, 0, r));
            }
        }
        return parts.size() == 1 ? core : b.emit(Prim.CAT, new Attrs.Axis(axis), parts.toArray(Var[]::new));
    }

    private static Var flip(Builder b, Var x, int axis) {
        return x.shapeRef()[axis] < 2 ? x : b.emit(Prim.FLIP, new Attrs.Axes(new int[] {axis}), x);
    }

    /** A slice of size 1 along axis broadcast to k copies: its adjoint sums them. */
    private static Var repeated(Builder b, Var edge, int axis, int k) {
        int[] to = edge.shape();
        to[axis] = k;
        return b.expand(edge, to);
    }

    /**
     * PyTorch's checks of a non-constant mode, reported at the amounts (E0205) or the input (E0210,
     * E0220); true when they pass. value= other than 0 is refused by the caller.
     */
    static boolean check(Lowerer l, Args a, T x, int[] p, String mode) {
        int rank = x.shape().length, dims = p.length / 2;
        boolean circular = mode.equals("circular");
        if (circular ? p.length != 2 * (rank - 2) || dims < 1 || dims > 3 : dims < 1 || dims > 3 || rank < dims + 1 || rank > dims + 2) {
            String want = circular ? rank >= 3 && rank <= 5 ? (2 * (rank - 2)) + " amounts (two for each dimension after the batch and the channels)"
                    : "an input of rank 3, 4 or 5 ([N, C, ...])" : "2, 4 or 6 amounts for an input of rank 2-3, 3-4 or 4-5";
            l.diags.error("E0205", a.spanOf(1, "pad"), "`pad` with mode \"" + mode + "\" of a tensor of shape " + Shapes.show(x.shape()) + " takes "
                    + want + ", found " + p.length + " amounts", "PyTorch pads the last 1, 2 or 3 dimensions of a batch in this mode");
            return false;
        }
        if (!circular && !x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(0, null), "`pad` with mode \"" + mode + "\" of " + x.describeDtype() + ": PyTorch pads floats only in this mode",
                    "convert first: `x.double()`");
            return false;
        }
        for (int axis = rank == dims + 2 ? 1 : 0; axis < rank && !circular; axis++) {
            if (x.shape()[axis] == 0) {
                l.diags.error("E0210", a.spanOf(0, null), "`pad` with mode \"" + mode + "\" of a tensor of shape " + Shapes.show(x.shape())
                        + ": dimension " + axis + " is empty", "PyTorch takes an empty batch only");
                return false;
            }
        }
        for (int k = 0; k < dims; k++) {
            int axis = rank - 1 - k, n = x.shape()[axis], before = p[2 * k], after = p[2 * k + 1], size = n + before + after;
            String problem = mode.equals("reflect") && (before >= n || after >= n) ? "reflect takes amounts less than the size " + n + " of dimension " + axis
                    : circular && (before > n || after > n) ? "the padding wraps around dimension " + axis + " (of size " + n + ") more than once"
                    : circular && (Math.max(0, before) > n - Math.max(0, -after) || Math.max(0, after) > n - Math.max(0, -before))
                            ? "the padding wraps around the " + (n - Math.max(0, -before) - Math.max(0, -after)) + " elements left of dimension " + axis + " more than once"
                    : size < (circular ? 0 : 1) ? "dimension " + axis + " of size " + n + " would have size " + size : null;
            if (problem != null) {
                l.diags.error("E0205", a.spanOf(1, "pad"), "padding (" + before + ", " + after + ") with mode \"" + mode + "\": " + problem, null);
                return false;
            }
        }
        return true;
    }
}
