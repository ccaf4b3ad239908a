package tx.runtime.kernels;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Reductions over a set of axes. {@code axes} is sorted, distinct and within {@code [0, rank)}; an
 * empty set returns the input unchanged. A reduction group is the set of elements that share their
 * coordinates on the axes that are kept.
 */
public final class Reductions {
    private Reductions() {}

    /** The sum of each reduction group; 0 for an empty group. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepdim) {
        if (trailing(x.shapeRef(), axes)) return groups(x, axes, keepdim, false);
        int[] akb = middle(x.shapeRef(), axes);
        if (akb != null) { // [A, K, B], A and B reduced: each a's K groups side by side, the same order per group as the walk's
            double[] xd = x.data(), out = Buffers.zeroed(akb[1]);
            for (int a = 0; a < akb[0]; a++) sumGroups(xd, a * akb[1] * akb[2], akb[2], out, 0, akb[1]);
            int[] kept = Shapes.reduced(x.shapeRef(), axes, true);
            return Tensor.of(keepdim ? kept : Shapes.reduced(x.shapeRef(), axes, false), out);
        }
        // NOTE: + written out rather than through fold's operator, so that the JIT need not call an
        // interface per element: same walk, same order, same sums
        return walk(x, axes, keepdim, 0.0, (xd, from, n, out, at, intoOne) -> {
            if (intoOne) {
                double acc = out[at];
                for (int i = 0; i < n; i++) acc += xd[from + i];
                out[at] = acc;
            } else {
                for (int i = 0; i < n; i++) out[at + i] += xd[from + i];
            }
        });
    }

    /**
     * The maximum of each reduction group. NaN propagates, as in {@code torch.amax}; an axis of
     * extent 0 is an error, since an empty group has no maximum.
     */
    public static Tensor max(Tensor x, int[] axes, boolean keepdim) {
        requireAxes(axes, x.rank());
        for (int a : axes) {
            if (x.dim(a) == 0) {
                throw new IllegalArgumentException("max over axis " + a + " of extent 0 in " + Shapes.show(x.shapeRef()));
            }
        }
        // NOTE: Math.max returns NaN if either argument is NaN, and orders -0.0 below 0.0.
        if (trailing(x.shapeRef(), axes)) return groups(x, axes, keepdim, true);
        return fold(x, axes, keepdim, Double.NEGATIVE_INFINITY, Math::max);
    }

    /** The product of each reduction group; 1 for an empty group. */
    public static Tensor prod(Tensor x, int[] axes, boolean keepdim) {
        return fold(x, axes, keepdim, 1.0, (acc, v) -> acc * v);
    }

    /**
     * Running sums (cumsum) or products (cumprod) along one axis, accumulated in order from the first
     * element of each line, as PyTorch does: {@link Standalone#scan}, which emitted Java runs too.
     */
    public static Tensor scan(Tensor x, int axis, boolean product) {
        if (axis < 0 || axis >= x.rank()) throw new IllegalArgumentException("scan along axis " + axis + " of " + Shapes.show(x.shapeRef()));
        return Tensor.of(x.shape(), Standalone.scan(x.data(), x.shapeRef(), axis, product));
    }

    /**
     * At each position, the product of the other elements of its reduction group (d/dx_i ∏ x =
     * ∏_{j≠i} x_j). Computed with prefix and suffix products, never by division, so it is exact
     * when the group holds zeros: {@link Standalone#prodOthers}, which emitted Java runs too.
     */
    public static Tensor prodOthers(Tensor x, int[] axes) {
        requireAxes(axes, x.rank());
        return Tensor.of(x.shapeRef(), Standalone.prodOthers(x.data(), x.shapeRef(), axes));
    }

    /**
     * A one-hot mask of the first maximum along {@code axis} (the first NaN, if a line has one), as
     * the index {@code torch.max(x, dim)} returns. Same shape as x; 1.0 at the chosen element:
     * {@link Standalone#firstMax}, which emitted Java runs too.
     */
    public static Tensor firstMaxMask(Tensor x, int axis) {
        requireAxes(new int[] {axis}, x.rank());
        return Tensor.of(x.shapeRef(), Standalone.firstMax(x.data(), x.shapeRef(), axis));
    }

    /**
     * Folds each reduction group with {@code op}, starting from {@code init}. One contiguous pass
     * over x: each element is combined into the output slot that its group maps to, found with the
     * output's strides set to 0 on the reduced axes.
     */
    private static Tensor fold(Tensor x, int[] axes, boolean keepdim, double init, DoubleBinaryOperator op) {
        return walk(x, axes, keepdim, init, (xd, from, n, out, at, intoOne) -> {
            if (intoOne) {
                double acc = out[at];
                for (int i = 0; i < n; i++) acc = op.applyAsDouble(acc, xd[from + i]);
                out[at] = acc;
            } else {
                for (int i = 0; i < n; i++) out[at + i] = op.applyAsDouble(out[at + i], xd[from + i]);
            }
        });
    }

    /**
     * Where the kept axes are one block between reduced leading and trailing axes (a bias's gradient,
     * {@code sum(g, dim=[0, 2, 3])}): the extents {A, K, B} of x seen as [A, K, B], K kept; else null.
     */
    private static int[] middle(int[] shape, int[] axes) {
        requireAxes(axes, shape.length);
        if (axes.length == 0 || axes[axes.length - 1] != shape.length - 1 || axes[0] != 0) return null;
        int lead = 0, trail = 0;
        while (lead < axes.length && axes[lead] == lead) lead++;
        while (trail < axes.length && axes[axes.length - 1 - trail] == shape.length - 1 - trail) trail++;
        if (lead + trail != axes.length) return null; // a reduced axis among the kept ones
        int a = 1, k = 1, b = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < lead) a *= shape[d];
            else if (d >= shape.length - trail) b *= shape[d];
            else k *= shape[d];
        }
        return new int[] {a, k, b};
    }

    /** Whether the axes are the last ones (at least one): then each reduction group is one run of consecutive elements. */
    private static boolean trailing(int[] shape, int[] axes) {
        requireAxes(axes, shape.length);
        if (axes.length == 0) return false;
        for (int i = 0; i < axes.length; i++) if (axes[i] != shape.length - axes.length + i) return false;
        return true;
    }

    /**
     * A sum or maximum over the trailing axes: group g is x[g·len, (g+1)·len), folded in order from
     * 0 (sum) or -inf (max) as {@link #walk} folds it, so the same bits; four groups at a time.
     * NOTE: one group's fold is a chain of dependent operations, bound by the latency of an addition
     * (3 to 4 cycles); four independent chains keep the adder busy (a 128 x 128 row sum took a third
     * of the time).
     */
    private static Tensor groups(Tensor x, int[] axes, boolean keepdim, boolean max) {
        int[] shape = x.shapeRef();
        int len = 1;
        for (int a : axes) len *= shape[a];
        int[] kept = Shapes.reduced(shape, axes, true);
        double[] xd = x.data(), out = Buffers.take(Shapes.numel(kept));
        Arrays.fill(out, max ? Double.NEGATIVE_INFINITY : 0.0);
        if (max) maxGroups(xd, 0, len, out, 0, out.length);
        else sumGroups(xd, 0, len, out, 0, out.length);
        return Tensor.of(keepdim ? kept : Shapes.reduced(shape, axes, false), out);
    }

    /**
     * Elements {@code x[from .. from + len)}, which are elements {@code lo .. lo + len} of a tensor
     * whose groups are runs of {@code size}, added into their groups' running sums {@code acc} in
     * order: a fused run's tiles, one after another, give each group's sum the bits of {@link #sum}
     * (acc starts at 0).
     */
    public static void sumInto(double[] x, int from, int lo, int len, int size, double[] acc) {
        int t = 0, g = lo / size;
        if (lo % size != 0) { // the rest of a group an earlier range began
            int end = Math.min(len, size - lo % size);
            double s = acc[g];
            for (; t < end; t++) s += x[from + t];
            acc[g++] = s;
        }
        int whole = (len - t) / size;
        sumGroups(x, from + t, size, acc, g, whole);
        t += whole * size;
        g += whole;
        if (t < len) { // the start of a group a later range ends
            double s = acc[g];
            for (; t < len; t++) s += x[from + t];
            acc[g] = s;
        }
    }

    /** {@link #sumInto} for the running maxima of {@link #max} (acc starts at -inf). */
    public static void maxInto(double[] x, int from, int lo, int len, int size, double[] acc) {
        int t = 0, g = lo / size;
        if (lo % size != 0) {
            int end = Math.min(len, size - lo % size);
            double m = acc[g];
            for (; t < end; t++) m = Math.max(m, x[from + t]);
            acc[g++] = m;
        }
        int whole = (len - t) / size;
        maxGroups(x, from + t, size, acc, g, whole);
        t += whole * size;
        g += whole;
        if (t < len) {
            double m = acc[g];
            for (; t < len; t++) m = Math.max(m, x[from + t]);
            acc[g] = m;
        }
    }

    /**
     * Elements {@code x[from .. from + len)}, which are elements {@code lo .. lo + len} of a tensor
     * reduced over its leading axes into {@code size} results (element i into result i mod size),
     * added into (or, with max, folded by Math.max into) their running results {@code acc}: a fused
     * run's tiles, one after another, fold each result in the order of {@link #walk}, so with the
     * bits of {@link #sum} and {@link #max} (acc starts at 0 or -inf).
     */
    public static void acrossInto(double[] x, int from, int lo, int len, int size, double[] acc, boolean max) {
        for (int t = 0; t < len; ) {
            int j = (lo + t) % size, piece = Math.min(len - t, size - j), b = from + t;
            if (max) for (int i = 0; i < piece; i++) acc[j + i] = Math.max(acc[j + i], x[b + i]);
            else for (int i = 0; i < piece; i++) acc[j + i] += x[b + i];
            t += piece;
        }
    }

    /** {@code out[at + g] += x[from + g·len] + ... + x[from + g·len + len - 1]}, added one by one in that order, for g below count. */
    private static void sumGroups(double[] x, int from, int len, double[] out, int at, int count) {
        int g = 0;
        for (; g + 4 <= count; g += 4) {
            int b = from + g * len;
            double s0 = out[at + g], s1 = out[at + g + 1], s2 = out[at + g + 2], s3 = out[at + g + 3];
            for (int i = 0; i < len; i++) {
                s0 += x[b + i];
                s1 += x[b + len + i];
                s2 += x[b + 2 * len + i];
                s3 += x[b + 3 * len + i];
            }
            out[at + g] = s0;
            out[at + g + 1] = s1;
            out[at + g + 2] = s2;
            out[at + g + 3] = s3;
        }
        if (g + 2 <= count) {
            int b = from + g * len;
            double s0 = out[at + g], s1 = out[at + g + 1];
            for (int i = 0; i < len; i++) {
                s0 += x[b + i];
                s1 += x[b + len + i];
            }
            out[at + g] = s0;
            out[at + g + 1] = s1;
            g += 2;
        }
        for (; g < count; g++) {
            int b = from + g * len;
            double s0 = out[at + g];
            for (int i = 0; i < len; i++) s0 += x[b + i];
            out[at + g] = s0;
        }
    }

    /** {@code out[at + g] = Math.max(out[at + g], ...)} over group g's elements in order, for g below count. */
    private static void maxGroups(double[] x, int from, int len, double[] out, int at, int count) {
        int g = 0;
        for (; g + 4 <= count; g += 4) {
            int b = from + g * len;
            double m0 = out[at + g], m1 = out[at + g + 1], m2 = out[at + g + 2], m3 = out[at + g + 3];
            for (int i = 0; i < len; i++) {
                m0 = Math.max(m0, x[b + i]);
                m1 = Math.max(m1, x[b + len + i]);
                m2 = Math.max(m2, x[b + 2 * len + i]);
                m3 = Math.max(m3, x[b + 3 * len + i]);
            }
            out[at + g] = m0;
            out[at + g + 1] = m1;
            out[at + g + 2] = m2;
            out[at + g + 3] = m3;
        }
        for (; g < count; g++) {
            int b = from + g * len;
            double m0 = out[at + g];
            for (int i = 0; i < len; i++) m0 = Math.max(m0, x[b + i]);
            out[at + g] = m0;
        }
    }

    /** Folds one contiguous row of x into out: all of it into out[at] (intoOne), or element by element into out[at..]. */
    private interface Row {
        void fold(double[] xd, int from, int n, double[] out, int at, boolean intoOne);
    }

    /** The walk every reduction shares: x row by row in memory order, each row folded into its group's result. */
    private static Tensor walk(Tensor x, int[] axes, boolean keepdim, double init, Row row) {
        int[] shape = x.shapeRef();
        requireAxes(axes, shape.length);
        if (axes.length == 0) return x;
        int[] kept = Shapes.reduced(shape, axes, true);
        int[] outStrides = Shapes.strides(kept);
        for (int a : axes) outStrides[a] = 0;
        double[] xd = x.data();
        double[] out = Buffers.take(Shapes.numel(kept));
        Arrays.fill(out, init);
        Shaping.Walk w = new Shaping.Walk(shape, outStrides);
        int n = w.rowLength;
        boolean lastReduced = w.step[0] == 0;
        for (int o = 0; o < xd.length; o += n, w.nextRow()) row.fold(xd, o, n, out, w.offset[0], lastReduced);
        return Tensor.of(keepdim ? kept : Shapes.reduced(shape, axes, false), out);
    }

    private static void requireAxes(int[] axes, int rank) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < 0 || axes[i] >= rank || (i > 0 && axes[i] <= axes[i - 1])) {
                throw new IllegalArgumentException("axes " + Arrays.toString(axes)
                        + " are not sorted, distinct and within a rank-" + rank + " tensor");
            }
        }
    }
}
