package tx.runtime.kernels;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The kernels that Java emitted by {@code tx grad --emit java} carries with it, written once, here,
 * as ordinary methods on {@code double[]} in row-major order: compiled and unit-tested with the
 * runtime, and each computing what the interpreter's kernel computes, in the same order, so the
 * emitted code gives the interpreter's bits. The interpreter calls some of them itself
 * ({@link Elementwise}'s general map and zip, {@link Random}); {@code StandaloneTest} compares the
 * others with the interpreter's kernels bit for bit.
 *
 * <p>The emitted class needs nothing but the JDK, so the Java emitter (the compiler's
 * {@code JavaKernels}) copies the source of the kernels a program uses into it: this file is also
 * in the runtime jar, as a resource beside the class (see runtime/pom.xml). It reads the kernels by
 * these rules, and refuses the file if one is broken:
 * <ul>
 *   <li>a kernel starts with a line {@code // kernel: ID} or {@code // kernel: ID needs A, B}, just
 *       before its Javadoc; ID is the name it is declared with, or {@code name/variant} for an
 *       overload (the emitter asks for a kernel by ID);
 *   <li>it ends at the first line that is a closing brace alone, indented by four spaces: the end
 *       of its declaration;
 *   <li>it is declared {@code static} (package-private: this package's kernels and tests call it),
 *       and the emitter writes it {@code private static};
 *   <li>every other kernel it calls is named after {@code needs} (the emitter copies those too);
 *   <li>it uses only {@code java.lang}, the two function interfaces imported above, and other
 *       classes of the JDK by their full names ({@code java.util.Arrays.fill}).
 * </ul>
 * The line {@code // kernels: the elementwise primitives ...} marks where the emitter writes the
 * kernels of the elementwise primitives, each a map or zip of its function as {@code Prim} gives it.
 */
final class Standalone {
    private Standalone() {}

    // kernel: check
    /** Throws unless an argument has as many elements as its shape. */
    static void check(double[] arg, int length, String name, String shape) {
        if (arg.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements (shape " + shape + "), not " + arg.length);
        }
    }

    // kernel: checkDim
    /** Throws if a named dimension passed as an argument is negative. */
    static void checkDim(int size, String name) {
        if (size < 0) throw new IllegalArgumentException(name + " must not be negative, not " + size);
    }

    // kernel: quotient
    /** A named dimension from an argument's length and the product of its other axes. */
    static int quotient(int length, int per, String dim, String name) {
        if (per == 0) throw new IllegalArgumentException("cannot tell " + dim + " from " + name + ", whose other axes have size 0");
        return length / per;
    }

    // kernel: root
    /** A named dimension that appears k times in an argument's shape: the k-th root (the length checks reject a non-power). */
    static int root(int length, int k) {
        return (int) Math.round(Math.pow(length, 1.0 / k));
    }

    // kernel: numel
    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    // kernel: strides
    /** Row-major strides, in elements. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    // kernel: broadcast
    /** NumPy broadcasting of two shapes. */
    static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("shapes do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    // kernel: broadcastStrides needs strides
    /** Strides for reading a tensor of shape as if broadcast to out: 0 on missing and size-1 axes. */
    static int[] broadcastStrides(int[] shape, int[] out) {
        int lead = out.length - shape.length;
        int[] own = strides(shape), s = new int[out.length];
        for (int i = 0; i < shape.length; i++) if (shape[i] == out[lead + i]) s[lead + i] = own[i];
        return s;
    }

    // kernel: batchOffsets needs broadcastStrides, numel
    /**
     * For each element t of the broadcast batch (row-major), the batch element it reads of a and of
     * b (batch axes aBatch and bBatch, broadcast to batch): {offsets into a, offsets into b}.
     */
    static int[][] batchOffsets(int[] aBatch, int[] bBatch, int[] batch) {
        int[] sa = broadcastStrides(aBatch, batch), sb = broadcastStrides(bBatch, batch);
        int count = numel(batch);
        int[][] out = new int[2][count];
        int[] index = new int[batch.length];
        int pa = 0, pb = 0;
        for (int t = 0; t < count; t++) {
            out[0][t] = pa;
            out[1][t] = pb;
            for (int q = batch.length - 1; q >= 0; q--) {
                pa += sa[q];
                pb += sb[q];
                if (++index[q] < batch[q]) break;
                pa -= sa[q] * batch[q];
                pb -= sb[q] * batch[q];
                index[q] = 0;
            }
        }
        return out;
    }

    // kernel: gather needs numel
    /** A new row-major array of shape whose element at index i is src[offset + i . strides]. */
    static double[] gather(double[] src, int offset, int[] strides, int[] shape) {
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int p = offset;
        for (int i = 0; i < out.length; i++) {
            out[i] = src[p];
            for (int k = shape.length - 1; k >= 0; k--) {
                p += strides[k];
                if (++index[k] < shape[k]) break;
                p -= strides[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    // kernel: map
    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i]);
        return out;
    }

    // kernel: zip
    /** f of a and b, position by position: both of one shape, or either a single value. */
    static double[] zip(double[] a, double[] b, DoubleBinaryOperator f) {
        double[] out = new double[a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
        return out;
    }

    // kernel: zip/shapes needs broadcast, broadcastStrides, numel
    /** f of a and b (of shapes as and bs) broadcast together. */
    static double[] zip(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] shape = broadcast(as, bs);
        int[] sa = broadcastStrides(as, shape), sb = broadcastStrides(bs, shape);
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int pa = 0, pb = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(a[pa], b[pb]);
            for (int k = shape.length - 1; k >= 0; k--) {
                pa += sa[k];
                pb += sb[k];
                if (++index[k] < shape[k]) break;
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    // kernels: the elementwise primitives, each a map or zip of its function in Prim (written in by the Java emitter)

    // kernel: where
    /** a where c is not 0 (NaN counts as true), b elsewhere: all of one shape, or single values. */
    static double[] where(double[] c, double[] a, double[] b) {
        double[] out = new double[c.length != 1 ? c.length : a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[c.length == 1 ? 0 : i] != 0.0 ? a[a.length == 1 ? 0 : i] : b[b.length == 1 ? 0 : i];
        }
        return out;
    }

    // kernel: where/shapes needs broadcast, broadcastStrides, numel
    /** a where c is not 0 (NaN counts as true), b elsewhere, the three broadcast together. */
    static double[] where(double[] c, int[] cs, double[] a, int[] as, double[] b, int[] bs) {
        int[] shape = broadcast(broadcast(cs, as), bs);
        int[] sc = broadcastStrides(cs, shape), sa = broadcastStrides(as, shape), sb = broadcastStrides(bs, shape);
        double[] out = new double[numel(shape)];
        int[] index = new int[shape.length];
        int pc = 0, pa = 0, pb = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = c[pc] != 0.0 ? a[pa] : b[pb];
            for (int k = shape.length - 1; k >= 0; k--) {
                pc += sc[k];
                pa += sa[k];
                pb += sb[k];
                if (++index[k] < shape[k]) break;
                pc -= sc[k] * shape[k];
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    // kernel: fold needs strides, numel
    /**
     * Folds each group of x (the elements that share their coordinates on the axes kept) with op from
     * init, in one row-major pass over x: the order in which tx's interpreter adds.
     */
    static double[] fold(double[] x, int[] shape, int[] axes, double init, DoubleBinaryOperator op) {
        int[] kept = shape.clone();
        for (int a : axes) kept[a] = 1;
        int[] s = strides(kept);
        for (int a : axes) s[a] = 0;
        double[] out = new double[numel(kept)];
        java.util.Arrays.fill(out, init);
        int[] index = new int[shape.length];
        int p = 0;
        for (int i = 0; i < x.length; i++) {
            out[p] = op.applyAsDouble(out[p], x[i]);
            for (int k = shape.length - 1; k >= 0; k--) {
                p += s[k];
                if (++index[k] < shape[k]) break;
                p -= s[k] * shape[k];
                index[k] = 0;
            }
        }
        return out;
    }

    // kernel: sum
    /** The sum of all of x's elements, in order. */
    static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    // kernel: sum/axes needs fold
    /** The sum of x (of shape) over axes. */
    static double[] sum(double[] x, int[] shape, int[] axes) {
        return fold(x, shape, axes, 0.0, (acc, v) -> acc + v);
    }

    // kernel: max
    /** The maximum (NaN if there is one) of all of x's elements, in order. */
    static double[] max(double[] x) {
        if (x.length == 0) throw new IllegalArgumentException("max of no elements");
        double acc = Double.NEGATIVE_INFINITY;
        for (double v : x) acc = Math.max(acc, v);
        return new double[] {acc};
    }

    // kernel: max/axes needs fold
    /** The maximum (NaN if there is one) of x (of shape) over axes. */
    static double[] max(double[] x, int[] shape, int[] axes) {
        for (int a : axes) if (shape[a] == 0) throw new IllegalArgumentException("max over an axis of size 0");
        return fold(x, shape, axes, Double.NEGATIVE_INFINITY, (acc, v) -> Math.max(acc, v));
    }

    // kernel: prod
    /** The product of all of x's elements, in order. */
    static double[] prod(double[] x) {
        double acc = 1.0;
        for (double v : x) acc = acc * v;
        return new double[] {acc};
    }

    // kernel: prod/axes needs fold
    /** The product of x (of shape) over axes. */
    static double[] prod(double[] x, int[] shape, int[] axes) {
        return fold(x, shape, axes, 1.0, (acc, v) -> acc * v);
    }

    // kernel: firstMax
    /** A one-hot mask of the first maximum (or the first NaN) along axis: the element torch.max(x, dim) picks. */
    static double[] firstMax(double[] x, int[] shape, int axis) {
        int n = shape[axis], inner = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        double[] out = new double[x.length];
        for (int start = 0; start < x.length; start += n * inner) {
            for (int j = 0; j < inner; j++) {
                int best = start + j;
                for (int i = 0; i < n; i++) {
                    int p = start + j + i * inner;
                    if (Double.isNaN(x[p])) {
                        best = p;
                        break;
                    }
                    if (x[p] > x[best]) best = p;
                }
                out[best] = 1.0;
            }
        }
        return out;
    }

    // kernel: transpose needs strides, gather
    /** Permutes the axes of x (of shape): out.shape[i] = shape[perm[i]]. */
    static double[] transpose(double[] x, int[] shape, int[] perm) {
        int[] s = strides(shape), out = new int[perm.length], src = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = shape[perm[i]];
            src[i] = s[perm[i]];
        }
        return gather(x, 0, src, out);
    }

    // kernel: prodOthers needs transpose
    /**
     * At each position, the product of the other elements of its group over axes, by prefix and suffix
     * products (never by division, so it is exact where there are zeros).
     */
    static double[] prodOthers(double[] x, int[] shape, int[] axes) {
        if (x.length == 0) return new double[0];
        int[] perm = new int[shape.length], grouped = new int[shape.length], inverse = new int[shape.length];
        boolean[] reduced = new boolean[shape.length];
        for (int a : axes) reduced[a] = true;
        int j = 0, size = 1;
        for (int k = 0; k < shape.length; k++) if (!reduced[k]) perm[j++] = k;
        for (int a : axes) {
            perm[j++] = a;
            size *= shape[a];
        }
        for (int k = 0; k < shape.length; k++) {
            grouped[k] = shape[perm[k]];
            inverse[perm[k]] = k;
        }
        double[] g = transpose(x, shape, perm), out = new double[g.length];
        for (int start = 0; start < g.length; start += size) {
            double prefix = 1.0;
            for (int i = start; i < start + size; i++) {
                out[i] = prefix;
                prefix *= g[i];
            }
            double suffix = 1.0;
            for (int i = start + size - 1; i >= start; i--) {
                out[i] *= suffix;
                suffix *= g[i];
            }
        }
        return transpose(out, grouped, inverse);
    }

    // kernel: flip needs strides, gather
    /** x (of shape) reversed along each of axes: a gather that starts at the last element of those axes and steps backwards. */
    static double[] flip(double[] x, int[] shape, int[] axes) {
        int[] s = strides(shape);
        int offset = 0;
        for (int a : axes) {
            if (shape[a] == 0) return new double[0];
            offset += (shape[a] - 1) * s[a];
            s[a] = -s[a];
        }
        return gather(x, offset, s, shape);
    }

    // kernel: scan
    /**
     * Running sums (product false) or products (true) along axis of x (of shape), accumulated in order
     * from the first element of each line, as PyTorch's cumsum and cumprod do on the CPU.
     */
    static double[] scan(double[] x, int[] shape, int axis, boolean product) {
        int n = shape[axis], inner = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        double[] out = new double[x.length];
        for (int start = 0; start < x.length; start += n * inner) {
            for (int j = 0; j < inner; j++) {
                double acc = product ? 1.0 : 0.0;
                for (int i = 0, p = start + j; i < n; i++, p += inner) {
                    acc = product ? acc * x[p] : acc + x[p];
                    out[p] = acc;
                }
            }
        }
        return out;
    }

    // kernel: expand needs gather, broadcastStrides
    /** x (of shape) broadcast to out: size-1 axes repeated, axes added on the left. */
    static double[] expand(double[] x, int[] shape, int[] out) {
        return gather(x, 0, broadcastStrides(shape, out), out);
    }

    // kernel: slice needs strides, gather
    /** x[start:stop:step] on every axis of x (of shape); bounds outside x (named dimensions too small) are an error. */
    static double[] slice(double[] x, int[] shape, int[] start, int[] stop, int[] step) {
        int[] s = strides(shape), out = new int[shape.length], src = new int[shape.length];
        int offset = 0;
        for (int i = 0; i < shape.length; i++) {
            if (start[i] < 0 || start[i] > stop[i] || stop[i] > shape[i]) {
                throw new IllegalArgumentException("slice " + start[i] + ":" + stop[i] + " out of range for axis " + i + " of size " + shape[i]);
            }
            out[i] = (stop[i] - start[i] + step[i] - 1) / step[i];
            src[i] = s[i] * step[i];
            offset += start[i] * s[i];
        }
        return gather(x, offset, src, out);
    }

    // kernel: pad needs strides, numel
    /** Zeros of shape out with g (of shape) placed at start + k * step on every axis: the adjoint of slice. */
    static double[] pad(double[] g, int[] shape, int[] out, int[] start, int[] step) {
        int[] s = strides(out), dst = new int[shape.length];
        int p = 0;
        for (int i = 0; i < shape.length; i++) {
            if (start[i] < 0 || shape[i] > 0 && start[i] + (shape[i] - 1) * step[i] >= out[i]) {
                throw new IllegalArgumentException("cannot pad " + shape[i] + " elements into " + out[i] + " at " + start[i] + " on axis " + i);
            }
            dst[i] = s[i] * step[i];
            p += start[i] * s[i];
        }
        double[] result = new double[numel(out)];
        int[] index = new int[shape.length];
        for (int i = 0; i < g.length; i++) {
            result[p] = g[i];
            for (int k = shape.length - 1; k >= 0; k--) {
                p += dst[k];
                if (++index[k] < shape[k]) break;
                p -= dst[k] * shape[k];
                index[k] = 0;
            }
        }
        return result;
    }

    // kernel: cat
    /** The tensors xs (of shapes) joined along axis. */
    static double[] cat(double[][] xs, int[][] shapes, int axis) {
        int outer = 1, inner = 1, total = 0;
        for (int k = 0; k < axis; k++) outer *= shapes[0][k];
        for (int k = axis + 1; k < shapes[0].length; k++) inner *= shapes[0][k];
        for (double[] x : xs) total += x.length;
        double[] out = new double[total];
        int o = 0;
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < xs.length; j++) {
                int block = shapes[j][axis] * inner;
                System.arraycopy(xs[j], i * block, out, o, block);
                o += block;
            }
        }
        return out;
    }

    // kernel: position
    /** A run-time index along an axis of size n: a whole number from -n to n - 1 (negative ones count from the end), else an IndexOutOfBoundsException. */
    static int position(double index, int n, int axis) {
        if (index != Math.rint(index) || index < -n || index >= n) {
            String shown = index == Math.rint(index) && Math.abs(index) < 1e15 ? Long.toString((long) index) : Double.toString(index);
            throw new IndexOutOfBoundsException("index " + shown + " is out of bounds for dimension " + axis + " with size " + n
                    + (index == Math.rint(index) ? "" : ": an index must be a whole number"));
        }
        return (int) (index < 0 ? index + n : index);
    }

    // kernel: windowStart
    /**
     * The start of a window of {@code length} elements, every step-th, along an axis of {@code size},
     * the start known at run time: it must be a whole number that keeps the whole window inside the
     * axis. (PyTorch would clip {@code x[i:i+k]} shorter near the end, or count a negative i from
     * the end; the window's length is fixed when the program is compiled, so both are errors.)
     */
    static int windowStart(double start, int size, int axis, int length, int step) {
        long last = length == 0 ? (long) start - 1 : (long) start + (long) (length - 1) * step;
        if (start != Math.rint(start) || start < 0 || last >= size) {
            String at = start == Math.rint(start) && Math.abs(start) < 1e15 ? Long.toString((long) start) : Double.toString(start);
            String why = start != Math.rint(start) ? ": a slice bound must be a whole number"
                    : start < 0 ? ": a negative start would count from the end, which needs a length known only at run time"
                    : ": PyTorch would clip the slice shorter; tx fixes its length when it compiles";
            throw new IndexOutOfBoundsException("a slice of " + length + " elements from " + at + " does not fit in axis " + axis + " of size " + size + why);
        }
        return (int) start;
    }

    // kernel: dynamicSlice needs windowStart, slice
    /** x[..., i : i + (length-1)*step + 1 : step, ...] along axis of x (of shape), the start i known at run time. */
    static double[] dynamicSlice(double[] x, int[] shape, int axis, double start, int length, int step) {
        int[] from = new int[shape.length], to = shape.clone(), steps = new int[shape.length];
        java.util.Arrays.fill(steps, 1);
        from[axis] = windowStart(start, shape[axis], axis, length, step);
        to[axis] = from[axis] + (length == 0 ? 0 : (length - 1) * step + 1);
        steps[axis] = step;
        return slice(x, shape, from, to, steps);
    }

    // kernel: dynamicPad needs windowStart, pad
    /** Zeros of shape out with g (of shape) placed from run-time position start, every step-th position along axis: the adjoint of dynamicSlice. */
    static double[] dynamicPad(double[] g, int[] shape, int[] out, int axis, double start, int step) {
        int[] from = new int[shape.length], steps = new int[shape.length];
        java.util.Arrays.fill(steps, 1);
        from[axis] = windowStart(start, out[axis], axis, shape[axis], step);
        steps[axis] = step;
        return pad(g, shape, out, from, steps);
    }

    // kernel: take needs position
    /** x[index] along axis of x (of shape), the index known at run time: the axis is removed. */
    static double[] take(double[] x, int[] shape, int axis, double index) {
        int n = shape[axis], i = position(index, n, axis), inner = 1, outer = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        for (int k = 0; k < axis; k++) outer *= shape[k];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) System.arraycopy(x, (o * n + i) * inner, out, o * inner, inner);
        return out;
    }

    // kernel: put needs position, numel
    /** Zeros of shape with g at index along axis, the index known at run time: the adjoint of take. */
    static double[] put(double[] g, int[] shape, int axis, double index) {
        int n = shape[axis], i = position(index, n, axis), inner = 1, outer = 1;
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        for (int k = 0; k < axis; k++) outer *= shape[k];
        double[] out = new double[numel(shape)];
        for (int o = 0; o < outer; o++) System.arraycopy(g, o * inner, out, (o * n + i) * inner, inner);
        return out;
    }

    // kernel: setRow
    /** Copies row into row i of tape, whose rows have row.length elements: a loop's tape, filled in at the end of iteration i. */
    static void setRow(double[] tape, int i, double[] row) {
        System.arraycopy(row, 0, tape, i * row.length, row.length);
    }

    // kernel: matmul needs broadcast, batchOffsets, numel
    /**
     * op(a) @ op(b), (..., n, k) @ (..., k, m), op swapping an operand's last two axes when its flag is
     * set (read in place, no copy); the batch axes broadcast; each product in i-k-j order.
     */
    static double[] matmul(double[] a, int[] as, boolean ta, double[] b, int[] bs, boolean tb) {
        int ar = as[as.length - 2], ac = as[as.length - 1], br = bs[bs.length - 2], bc = bs[bs.length - 1];
        int n = ta ? ac : ar, k = ta ? ar : ac, m = tb ? br : bc;
        int ars = ta ? 1 : k, acs = ta ? n : 1, brs = tb ? 1 : m, bcs = tb ? k : 1; // A(i, p), B(p, j) in the stored layouts
        int[] aBatch = java.util.Arrays.copyOf(as, as.length - 2), bBatch = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcast(aBatch, bBatch);
        int[][] offsets = batchOffsets(aBatch, bBatch, batch);
        int count = numel(batch);
        double[] c = new double[count * n * m];
        for (int t = 0; t < count; t++) {
            int aOff = offsets[0][t] * n * k, bOff = offsets[1][t] * k * m, cOff = t * n * m;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * ars + p * acs];
                    for (int j = 0; j < m; j++) c[cOff + i * m + j] += aip * b[bOff + p * brs + j * bcs];
                }
            }
        }
        return c;
    }

    // kernel: fill
    static double[] fill(int count, double value) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, value);
        return out;
    }

    // kernel: SplitMix64
    /**
     * tx's random numbers: SplitMix64 (the sequence of java.util.SplittableRandom), the top 53 bits of
     * each step as a double in [0, 1).
     */
    static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        double nextDouble() {
            long z = (state += 0x9e3779b97f4a7c15L);
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return ((z ^ (z >>> 31)) >>> 11) * 0x1.0p-53;
        }
    }

    // kernel: uniform needs SplitMix64
    /** rand(shape, seed=seed): count numbers uniform in [0, 1), in row-major order. */
    static double[] uniform(int count, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = rng.nextDouble();
        return out;
    }

    // kernel: normal needs SplitMix64
    /** randn(shape, seed=seed): count standard normal numbers by Marsaglia's polar method, in pairs. */
    static double[] normal(int count, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] out = new double[count];
        for (int i = 0; i < count; i += 2) {
            double u, v, s;
            do {
                u = 2.0 * rng.nextDouble() - 1.0;
                v = 2.0 * rng.nextDouble() - 1.0;
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double f = Math.sqrt(-2.0 * StrictMath.log(s) / s);
            out[i] = u * f;
            if (i + 1 < count) out[i + 1] = v * f;
        }
        return out;
    }

    // kernel: cast
    /**
     * x as int64 (to 1) or bool (to 2), held as doubles: int64 truncates toward zero (nan and
     * values out of range give -2^63, as PyTorch's conversion on x86), bool is x != 0 (nan is true).
     */
    static double[] cast(double[] x, int to) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = to == 2 ? (v != 0 ? 1 : 0)
                    : Double.isNaN(v) || v >= 0x1p63 || v < -0x1p63 ? -0x1p63 : (v < 0 ? Math.ceil(v) : Math.floor(v)) + 0.0;
        }
        return out;
    }

    // kernel: argmax
    /**
     * The position of the first maximum along axis of x (of shape), the axis removed, as torch.argmax:
     * the first of equal maxima, and the first nan if there is one.
     */
    static double[] argmax(double[] x, int[] shape, int axis) {
        int n = shape[axis], inner = 1, outer = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
                int best = 0;
                double m = x[o * n * inner + k];
                for (int i = 1; i < n && !Double.isNaN(m); i++) {
                    double c = x[(o * n + i) * inner + k];
                    if (c > m || Double.isNaN(c)) {
                        m = c;
                        best = i;
                    }
                }
                out[o * inner + k] = best;
            }
        }
        return out;
    }

    // kernel: argsort
    /**
     * The permutation that sorts each line along axis of x (of shape), stably: equal elements keep
     * their order, ascending or descending, as torch.sort gives on the CPU. nan is above every number,
     * so it comes last ascending and first descending; -0.0 equals 0.0.
     */
    static double[] argsort(double[] x, int[] shape, int axis, boolean descending) {
        int n = shape[axis], inner = 1, outer = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        double[] out = new double[x.length], line = new double[n];
        Integer[] order = new Integer[n];
        java.util.Comparator<Integer> up = (a, b) -> {
            double u = line[a], v = line[b];
            boolean nu = Double.isNaN(u), nv = Double.isNaN(v);
            if (nu || nv) return nu == nv ? 0 : nu ? 1 : -1;
            return u < v ? -1 : u > v ? 1 : 0;
        };
        java.util.Comparator<Integer> order0 = descending ? (a, b) -> up.compare(b, a) : up;
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                    line[i] = x[(o * n + i) * inner + k];
                }
                java.util.Arrays.sort(order, order0); // a merge sort: stable
                for (int i = 0; i < n; i++) out[(o * n + i) * inner + k] = order[i];
            }
        }
        return out;
    }

    // kernel: indexAt
    /** The whole number an index holds, checked against the size of the axis it indexes. */
    static int indexAt(double i, int size, int axis) {
        if (i != Math.rint(i) || i < 0 || i >= size) {
            String shown = i == Math.rint(i) && Math.abs(i) < 1e15 ? Long.toString((long) i) : Double.toString(i);
            throw new IndexOutOfBoundsException("index " + shown + " is out of bounds for dimension " + axis + " with size " + size);
        }
        return (int) i;
    }

    // kernel: gatherAlong needs strides, indexAt
    /** out[.., i, ..] = x[.., idx[.., i, ..], ..] along axis (torch.gather): idx (of shape is) has x's rank, no larger. */
    static double[] gatherAlong(double[] x, int[] shape, int axis, double[] idx, int[] is) {
        int[] st = strides(shape), pos = new int[is.length];
        double[] out = new double[idx.length];
        for (int j = 0; j < idx.length; j++) {
            int at = 0;
            for (int d = 0; d < is.length; d++) at += (d == axis ? indexAt(idx[j], shape[axis], axis) : pos[d]) * st[d];
            out[j] = x[at];
            for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return out;
    }

    // kernel: scatterAdd needs strides, indexAt
    /** x (of shape) with src[.., i, ..] added at x[.., idx[.., i, ..], ..] along axis (torch.scatter_add); idx and src of shape is. */
    static double[] scatterAdd(double[] x, int[] shape, int axis, double[] idx, int[] is, double[] src) {
        int[] st = strides(shape), pos = new int[is.length];
        double[] out = x.clone();
        for (int j = 0; j < idx.length; j++) {
            int at = 0;
            for (int d = 0; d < is.length; d++) at += (d == axis ? indexAt(idx[j], shape[axis], axis) : pos[d]) * st[d];
            out[at] += src[j];
            for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return out;
    }

    // kernel: scatter needs strides, indexAt
    /** x (of shape) with src[.., i, ..] written at x[.., idx[.., i, ..], ..] along axis, a later i winning (torch.scatter); idx and src of shape is. */
    static double[] scatter(double[] x, int[] shape, int axis, double[] idx, int[] is, double[] src) {
        int[] st = strides(shape), pos = new int[is.length];
        double[] out = x.clone();
        for (int j = 0; j < idx.length; j++) {
            int at = 0;
            for (int d = 0; d < is.length; d++) at += (d == axis ? indexAt(idx[j], shape[axis], axis) : pos[d]) * st[d];
            out[at] = src[j];
            for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return out;
    }
}
