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
        return fold(x, axes, keepdim, Double.NEGATIVE_INFINITY, Math::max);
    }

    /** The product of each reduction group; 1 for an empty group. */
    public static Tensor prod(Tensor x, int[] axes, boolean keepdim) {
        return fold(x, axes, keepdim, 1.0, (acc, v) -> acc * v);
    }

    /**
     * At each position, the product of the other elements of its reduction group (d/dx_i ∏ x =
     * ∏_{j≠i} x_j). Computed with prefix and suffix products, never by division, so it is exact
     * when the group holds zeros.
     */
    public static Tensor prodOthers(Tensor x, int[] axes) {
        int[] shape = x.shapeRef();
        requireAxes(axes, shape.length);
        if (x.size() == 0) return Tensor.zeros(shape);
        int[] perm = keptThenReduced(axes, shape.length);
        Tensor grouped = Shaping.transpose(x, perm);
        double[] gd = grouped.data();
        double[] out = new double[gd.length];
        int groupSize = 1;
        for (int a : axes) groupSize *= shape[a];
        for (int start = 0; start < gd.length; start += groupSize) {
            productsOfOthers(gd, out, start, groupSize);
        }
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
        return Shaping.transpose(Tensor.of(grouped.shapeRef(), out), inverse);
    }

    /**
     * A one-hot mask of the first maximum along {@code axis} (the first NaN, if a line has one), as
     * the index {@code torch.max(x, dim)} returns. Same shape as x; 1.0 at the chosen element.
     */
    public static Tensor firstMaxMask(Tensor x, int axis) {
        int[] shape = x.shapeRef();
        requireAxes(new int[] {axis}, shape.length);
        if (x.size() == 0) return Tensor.zeros(shape);
        int[] perm = keptThenReduced(new int[] {axis}, shape.length);
        Tensor lines = Shaping.transpose(x, perm);
        double[] d = lines.data(), out = new double[d.length];
        int n = shape[axis];
        for (int start = 0; start < d.length; start += n) out[firstMax(d, start, n)] = 1.0;
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
        return Shaping.transpose(Tensor.of(lines.shapeRef(), out), inverse);
    }

    private static int firstMax(double[] d, int start, int n) {
        int best = start;
        for (int i = start; i < start + n; i++) {
            if (Double.isNaN(d[i])) return i;
            if (d[i] > d[best]) best = i;
        }
        return best;
    }

    /** For the contiguous group {@code x[start, start+n)}: {@code out[i] = prefix(i) · suffix(i)}. */
    private static void productsOfOthers(double[] x, double[] out, int start, int n) {
        double prefix = 1.0;
        for (int i = start; i < start + n; i++) {
            out[i] = prefix;
            prefix *= x[i];
        }
        double suffix = 1.0;
        for (int i = start + n - 1; i >= start; i--) {
            out[i] *= suffix;
            suffix *= x[i];
        }
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
        double[] out = new double[Shapes.numel(kept)];
        Arrays.fill(out, init);
        Shaping.Walk w = new Shaping.Walk(shape, outStrides);
        int n = w.rowLength;
        boolean lastReduced = w.step[0] == 0;
        for (int o = 0; o < xd.length; o += n, w.nextRow()) row.fold(xd, o, n, out, w.offset[0], lastReduced);
        return Tensor.of(keepdim ? kept : Shapes.reduced(shape, axes, false), out);
    }

    /** The permutation that puts the kept axes first and the reduced axes last, each in order. */
    private static int[] keptThenReduced(int[] axes, int rank) {
        int[] perm = new int[rank];
        boolean[] reduced = new boolean[rank];
        for (int a : axes) reduced[a] = true;
        int j = 0;
        for (int d = 0; d < rank; d++) if (!reduced[d]) perm[j++] = d;
        for (int a : axes) perm[j++] = a;
        return perm;
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
