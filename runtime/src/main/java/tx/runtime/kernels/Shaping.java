package tx.runtime.kernels;

import java.util.Arrays;
import java.util.List;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Kernels that move elements without computing with them: transpose, expand (broadcast_to),
 * slice and its adjoint pad, and cat. Transpose, expand and slice are all one strided gather;
 * pad is the matching strided scatter. The strided {@link Walk} defined here is also the index
 * arithmetic that {@link Elementwise}, {@link Reductions} and {@link LinAlg} use.
 */
public final class Shaping {
    private Shaping() {}

    /** Permutes axes: {@code out.shape[i] = x.shape[perm[i]]}. */
    public static Tensor transpose(Tensor x, int[] perm) {
        int[] shape = x.shapeRef();
        requirePermutation(perm, shape.length);
        if (isIdentity(perm)) return x;
        int[] xStrides = Shapes.strides(shape);
        int[] outShape = new int[perm.length];
        int[] srcStrides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[perm[i]];
            srcStrides[i] = xStrides[perm[i]];
        }
        return Tensor.of(outShape, gather(x.data(), 0, srcStrides, outShape));
    }

    /** Reverses the order of the elements along each of axes (distinct, in range): {@link Standalone#flip}, which emitted Java runs too. */
    public static Tensor flip(Tensor x, int[] axes) {
        return Tensor.of(x.shape(), Standalone.flip(x.data(), x.shapeRef(), axes));
    }

    /** NumPy {@code broadcast_to}: repeats size-1 axes and adds axes on the left. */
    public static Tensor expand(Tensor x, int[] shape) {
        if (Arrays.equals(x.shapeRef(), shape)) return x;
        int[] srcStrides = broadcastStrides(x.shapeRef(), shape);
        return Tensor.of(shape, gather(x.data(), 0, srcStrides, shape));
    }

    /** Takes {@code x[start:stop:step]} on every axis; bounds are already normalised. */
    public static Tensor slice(Tensor x, int[] start, int[] stop, int[] step) {
        int[] shape = x.shapeRef();
        requireRank("slice", shape.length, start.length, stop.length, step.length);
        int[] xStrides = Shapes.strides(shape);
        int[] outShape = new int[shape.length];
        int[] srcStrides = new int[shape.length];
        int offset = 0;
        for (int d = 0; d < shape.length; d++) {
            if (step[d] < 1 || start[d] < 0 || start[d] > stop[d] || stop[d] > shape[d]) {
                throw new IllegalArgumentException("slice " + start[d] + ":" + stop[d] + ":" + step[d]
                        + " out of range for axis " + d + " of " + Shapes.show(shape));
            }
            outShape[d] = (stop[d] - start[d] + step[d] - 1) / step[d];
            srcStrides[d] = xStrides[d] * step[d];
            offset += start[d] * xStrides[d];
        }
        return Tensor.of(outShape, gather(x.data(), offset, srcStrides, outShape));
    }

    /** An index known only at run time that falls outside its axis (E0507), as opposed to a bug in a kernel. */
    public static final class IndexError extends IndexOutOfBoundsException {
        IndexError(String message) {
            super(message);
        }
    }

    /** A run-time index along an axis: a whole number from -size to size - 1, negative ones counting from the end as in PyTorch. */
    private static int position(double i, int size, int axis) {
        if (i != Math.rint(i) || i < -size || i >= size) {
            String shown = i == Math.rint(i) && Math.abs(i) < 1e15 ? Long.toString((long) i) : tx.runtime.tensor.PyFloat.repr(i);
            throw new IndexError("index " + shown + " is out of bounds for dimension " + axis + " with size " + size
                    + (i == Math.rint(i) ? "" : ": an index must be a whole number"));
        }
        return (int) (i < 0 ? i + size : i);
    }

    /** x[i] along an axis: the axis is removed. */
    public static Tensor take(Tensor x, int axis, double index) {
        int[] shape = x.shapeRef();
        int n = shape[axis], i = position(index, n, axis);
        int inner = 1, outer = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        double[] src = x.data(), out = Buffers.take(outer * inner);
        for (int o = 0; o < outer; o++) System.arraycopy(src, (o * n + i) * inner, out, o * inner, inner);
        return Tensor.of(Shapes.reduced(shape, new int[] {axis}, false), out);
    }

    /** Zeros of a shape with g at position i along an axis (the adjoint of take). */
    public static Tensor put(Tensor g, int[] shape, int axis, double index) {
        int n = shape[axis], i = position(index, n, axis);
        int inner = 1, outer = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        double[] src = g.data(), out = Buffers.zeroed(Shapes.numel(shape));
        for (int o = 0; o < outer; o++) System.arraycopy(src, o * inner, out, (o * n + i) * inner, inner);
        return Tensor.of(shape, out);
    }

    /**
     * {@code x[..., i : i + (length-1)*step + 1 : step, ...]} along an axis, the start i known only
     * at run time; the window must lie inside the axis ({@link Standalone#windowStart}).
     */
    public static Tensor dynamicSlice(Tensor x, int axis, double start, int length, int step) {
        int[] shape = x.shapeRef(), from = new int[shape.length], to = shape.clone(), steps = new int[shape.length];
        java.util.Arrays.fill(steps, 1);
        from[axis] = windowStart(start, shape[axis], axis, length, step);
        to[axis] = from[axis] + (length == 0 ? 0 : (length - 1) * step + 1);
        steps[axis] = step;
        return slice(x, from, to, steps);
    }

    /** Zeros of {@code shape} with g placed from run-time position {@code start}, every step-th position along an axis: the adjoint of {@link #dynamicSlice}. */
    public static Tensor dynamicPad(Tensor g, int[] shape, int axis, double start, int step) {
        int[] from = new int[shape.length], steps = new int[shape.length];
        java.util.Arrays.fill(steps, 1);
        from[axis] = windowStart(start, shape[axis], axis, g.shapeRef()[axis], step);
        steps[axis] = step;
        return pad(g, shape, from, steps);
    }

    private static int windowStart(double start, int size, int axis, int length, int step) {
        try {
            return Standalone.windowStart(start, size, axis, length, step);
        } catch (IndexOutOfBoundsException x) {
            throw new IndexError(x.getMessage());
        }
    }

    /**
     * The adjoint of {@link #slice}: zeros of {@code outShape} with {@code g}'s elements placed at
     * {@code start + k*step} on every axis, so that {@code <slice(x), g> == <x, pad(g)>}.
     */
    public static Tensor pad(Tensor g, int[] outShape, int[] start, int[] step) {
        int[] shape = g.shapeRef();
        requireRank("pad", shape.length, outShape.length, start.length, step.length);
        int[] outStrides = Shapes.strides(outShape);
        int[] dstStrides = new int[shape.length];
        int offset = 0;
        for (int d = 0; d < shape.length; d++) {
            boolean fits = shape[d] == 0 || start[d] + (long) (shape[d] - 1) * step[d] < outShape[d];
            if (step[d] < 1 || start[d] < 0 || !fits) {
                throw new IllegalArgumentException("cannot pad " + Shapes.show(shape) + " into "
                        + Shapes.show(outShape) + " at start " + start[d] + " step " + step[d] + " on axis " + d);
            }
            dstStrides[d] = outStrides[d] * step[d];
            offset += start[d] * outStrides[d];
        }
        double[] out = Buffers.zeroed(Shapes.numel(outShape));
        boolean block = shape.length > 0 && step[0] == 1; // one contiguous block of the output: a single copy
        for (int d = 1; d < shape.length && block; d++) block = start[d] == 0 && step[d] == 1 && shape[d] == outShape[d];
        if (block) System.arraycopy(g.data(), 0, out, offset, g.size());
        else scatter(g.data(), shape, out, offset, dstStrides);
        return Tensor.of(outShape, out);
    }

    /** Concatenates along {@code axis}; all other axes must agree. */
    public static Tensor cat(List<Tensor> xs, int axis) {
        if (xs.isEmpty()) throw new IllegalArgumentException("cat of no tensors");
        int[] outShape = catShape(xs, axis);
        int outer = Shapes.numel(Arrays.copyOf(outShape, axis));
        int inner = Shapes.numel(Arrays.copyOfRange(outShape, axis + 1, outShape.length));
        double[] out = Buffers.take(Shapes.numel(outShape));
        int k = xs.size(), o = 0;
        double[][] data = new double[k][];
        int[] blocks = new int[k];
        for (int q = 0; q < k; q++) {
            data[q] = xs.get(q).data();
            blocks[q] = xs.get(q).dim(axis) * inner;
        }
        for (int i = 0; i < outer; i++) {
            for (int q = 0; q < k; q++) {
                int block = blocks[q];
                double[] xd = data[q];
                // NOTE: a call of arraycopy costs more than a short block's copy (cat of [1200, 1] along axis 1: 3,600 calls)
                if (block < Elementwise.SHORT_ROWS) for (int j = 0, from = i * block; j < block; j++) out[o + j] = xd[from + j];
                else System.arraycopy(xd, i * block, out, o, block);
                o += block;
            }
        }
        return Tensor.of(outShape, out);
    }

    /** The shape of {@code cat(xs, axis)}, or an IllegalArgumentException naming the first misfit. */
    private static int[] catShape(List<Tensor> xs, int axis) {
        int[] outShape = xs.get(0).shape();
        if (axis < 0 || axis >= outShape.length) {
            throw new IllegalArgumentException("cat axis " + axis + " out of range for rank " + outShape.length);
        }
        outShape[axis] = 0;
        for (Tensor x : xs) {
            int[] s = x.shapeRef();
            for (int d = 0; d < outShape.length; d++) {
                if (s.length != outShape.length || (d != axis && s[d] != outShape[d])) {
                    throw new IllegalArgumentException("cat on axis " + axis + " of " + Shapes.show(s)
                            + " with " + Shapes.show(xs.get(0).shapeRef()));
                }
            }
            outShape[axis] += s[axis];
        }
        return outShape;
    }

    // ---- shared strided index arithmetic ------------------------------------------------------

    /**
     * A row-major walk over {@code shape} that keeps one flat offset per operand, each operand with
     * its own strides (0 on a broadcast axis). It steps a row at a time: a row is the last axis, of
     * {@link #rowLength} elements, which the caller runs through with the inner strides {@link #step}.
     * A rank-0 shape is one row of length 1.
     */
    static final class Walk {
        final int rowLength;
        /** The strides of each operand along the last axis. */
        final int[] step;
        /** The flat offset of each operand at the start of the current row. */
        final int[] offset;
        private final int[] shape;
        private final int[][] strides;
        private final int[] index;

        Walk(int[] shape, int[]... strides) {
            int r = shape.length;
            this.shape = shape;
            this.strides = strides;
            this.rowLength = r == 0 ? 1 : shape[r - 1];
            this.step = new int[strides.length];
            for (int k = 0; k < strides.length; k++) step[k] = r == 0 ? 0 : strides[k][r - 1];
            this.offset = new int[strides.length];
            this.index = new int[Math.max(r - 1, 0)];
        }

        /** Moves every offset to the start of the next row (wrapping to 0 after the last row). */
        void nextRow() {
            for (int d = index.length - 1; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < offset.length; k++) offset[k] += strides[k][d];
                if (index[d] < shape[d]) return;
                for (int k = 0; k < offset.length; k++) offset[k] -= strides[k][d] * shape[d];
                index[d] = 0;
            }
        }
    }

    /**
     * Strides for reading a tensor of {@code shape} as if broadcast to {@code outShape}: axes are
     * aligned on the right, and missing or size-1 axes get stride 0.
     */
    static int[] broadcastStrides(int[] shape, int[] outShape) {
        int lead = outShape.length - shape.length;
        if (lead < 0) throw notBroadcastable(shape, outShape);
        int[] own = Shapes.strides(shape);
        int[] s = new int[outShape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == outShape[lead + d]) s[lead + d] = own[d];
            else if (shape[d] != 1) throw notBroadcastable(shape, outShape);
        }
        return s;
    }

    private static IllegalArgumentException notBroadcastable(int[] shape, int[] outShape) {
        return new IllegalArgumentException("shape " + Shapes.show(shape) + " does not broadcast to " + Shapes.show(outShape));
    }

    /** A fresh row-major array of {@code outShape} whose element at index i is {@code src[offset + i·srcStrides]}. */
    static double[] gather(double[] src, int offset, int[] srcStrides, int[] outShape) {
        double[] out = Buffers.take(Shapes.numel(outShape));
        int[][] merged = merged(outShape, srcStrides);
        int r = merged[0].length;
        if (r >= 2 && merged[1][r - 2] == 1 && merged[1][r - 1] > 1 && merged[0][r - 2] >= 8 && merged[0][r - 1] >= LONG_ROWS) {
            // a transpose of its last two axes: out's rows are the source's columns
            int a = merged[0][r - 2], b = merged[0][r - 1], s = merged[1][r - 1];
            Walk w = new Walk(Arrays.copyOf(merged[0], r - 1), Arrays.copyOf(merged[1], r - 1));
            for (int o = 0; o < out.length; o += a * b, w.nextRow()) transposed(src, offset + w.offset[0], a, b, s, out, o);
            return out;
        }
        if (r == 2 && merged[0][1] < Elementwise.SHORT_ROWS) { // short rows: two nested loops (see SHORT_ROWS)
            int rows = merged[0][0], n = merged[0][1], s0 = merged[1][0], s1 = merged[1][1];
            for (int i = 0, o = 0; i < rows; i++) for (int j = 0, p = offset + i * s0; j < n; j++) out[o++] = src[p + j * s1];
            return out;
        }
        Walk w = new Walk(merged[0], merged[1]);
        int n = w.rowLength, s = w.step[0];
        for (int o = 0; o < out.length; o += n, w.nextRow()) {
            int p = offset + w.offset[0];
            if (s == 1) System.arraycopy(src, p, out, o, n);
            else for (int i = 0; i < n; i++) out[o + i] = src[p + i * s];
        }
        return out;
    }

    /**
     * The output rows from which a transpose is copied eight rows at a time. NOTE: a shorter row's
     * source lines (one a row element) stay in the L1 cache for the next seven rows, and row at a
     * time was as fast or faster ([1000, 250] from its transpose: 185 against 250 microseconds;
     * [250, 1000]: 135 against 185 eight rows at a time).
     */
    private static final int LONG_ROWS = 512;

    /**
     * {@code out[o + i·b + j] = src[p + i + j·s]} for i below a and j below b: eight rows of out at a
     * time, so that each line of the source read (eight consecutive i) is used whole. NOTE: a row at
     * a time read each source element from a different line, s·8 bytes apart: ADBench's GMM
     * transposes [1000, 250] to [250, 1000] and back, four times in a value+grad.
     */
    private static void transposed(double[] src, int p, int a, int b, int s, double[] out, int o) {
        int i = 0;
        for (; i + 8 <= a; i += 8) {
            int q = o + i * b;
            for (int j = 0, from = p + i; j < b; j++, from += s) {
                out[q + j] = src[from];
                out[q + b + j] = src[from + 1];
                out[q + 2 * b + j] = src[from + 2];
                out[q + 3 * b + j] = src[from + 3];
                out[q + 4 * b + j] = src[from + 4];
                out[q + 5 * b + j] = src[from + 5];
                out[q + 6 * b + j] = src[from + 6];
                out[q + 7 * b + j] = src[from + 7];
            }
        }
        for (; i < a; i++) for (int j = 0; j < b; j++) out[o + i * b + j] = src[p + i + j * s];
    }

    /**
     * The same walk with fewer, longer axes: {shape, strides} without the axes of extent 1 (they
     * move nothing), each axis whose stride is the next one's stride times that one's extent merged
     * into it. NOTE: the walk's rows are its last axis: a transpose to {@code [25, 10, 1000, 1]}
     * (an einsum's batched product) walked rows of one element, 250,000 of them.
     */
    static int[][] merged(int[] shape, int[] strides) {
        int[] sh = new int[shape.length], st = new int[shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (r > 0 && st[r - 1] == strides[d] * shape[d]) { // the axis before continues into this one
                sh[r - 1] *= shape[d];
                st[r - 1] = strides[d];
            } else {
                sh[r] = shape[d];
                st[r] = strides[d];
                r++;
            }
        }
        return new int[][] {Arrays.copyOf(sh, r), Arrays.copyOf(st, r)};
    }

    /**
     * {@link #merged} for several operands walked together: {shape, operand 0's strides, operand
     * 1's, ...}, an axis merged into the one before only where it continues that one in every
     * operand (two broadcast axes, stride 0 in an operand, continue each other). NOTE: an
     * elementwise broadcast of {@code [1200, 1]} walked 1,200 rows of one element each.
     */
    static int[][] mergedAll(int[] shape, int[]... strides) {
        int k = strides.length, r = 0;
        int[] sh = new int[shape.length];
        int[][] st = new int[k][shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean continues = r > 0;
            for (int q = 0; q < k && continues; q++) continues = st[q][r - 1] == strides[q][d] * shape[d];
            if (!continues) r++;
            sh[r - 1] = continues ? sh[r - 1] * shape[d] : shape[d];
            for (int q = 0; q < k; q++) st[q][r - 1] = strides[q][d];
        }
        int[][] out = new int[k + 1][];
        out[0] = Arrays.copyOf(sh, r);
        for (int q = 0; q < k; q++) out[q + 1] = Arrays.copyOf(st[q], r);
        return out;
    }

    /** The inverse of {@link #gather}: writes row-major {@code src} of {@code shape} to {@code dst[offset + i·dstStrides]}. */
    private static void scatter(double[] src, int[] shape, double[] dst, int offset, int[] dstStrides) {
        int[][] merged = merged(shape, dstStrides);
        if (merged[0].length == 2 && merged[0][1] < Elementwise.SHORT_ROWS) { // short rows: two nested loops (see SHORT_ROWS)
            int rows = merged[0][0], n = merged[0][1], s0 = merged[1][0], s1 = merged[1][1];
            for (int i = 0, o = 0; i < rows; i++) for (int j = 0, p = offset + i * s0; j < n; j++) dst[p + j * s1] = src[o++];
            return;
        }
        Walk w = new Walk(merged[0], merged[1]);
        int n = w.rowLength, s = w.step[0];
        for (int o = 0; o < src.length; o += n, w.nextRow()) {
            int p = offset + w.offset[0];
            for (int i = 0; i < n; i++) dst[p + i * s] = src[o + i];
        }
    }

    private static void requirePermutation(int[] perm, int rank) {
        boolean[] seen = new boolean[rank];
        boolean ok = perm.length == rank;
        for (int i = 0; ok && i < rank; i++) {
            ok = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
            if (ok) seen[perm[i]] = true;
        }
        if (!ok) throw new IllegalArgumentException(Arrays.toString(perm) + " is not a permutation of " + rank + " axes");
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    private static void requireRank(String op, int rank, int... lengths) {
        for (int n : lengths) {
            if (n != rank) throw new IllegalArgumentException(op + " of a rank-" + rank + " tensor given " + n + " bounds");
        }
    }
}
