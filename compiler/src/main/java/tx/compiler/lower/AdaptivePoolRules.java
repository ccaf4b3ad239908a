package tx.compiler.lower;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * adaptive_avg_pool1d/2d and adaptive_max_pool1d/2d(input, output_size), written from primitives.
 * Output position i of a dimension of size L pooled to n covers the input positions
 * [floor(i L / n), ceil((i + 1) L / n)), PyTorch's windows, which may differ in size and overlap.
 *
 * <p>Each window is gathered (one GATHER per pooled dimension, with int64 positions known at compile
 * time) into a trailing axis of the largest window's size K = Kh Kw, in the window's row-major
 * order; a smaller window is padded with copies of its last row and column. The average sums
 * that axis with the copies replaced by 0 (a where) and divides by kh, then by kw, as PyTorch's
 * kernel does ({@code sum / kh / kw}); an output of 1 x 1 is PyTorch's mean of the two dimensions
 * instead (as at::adaptive_avg_pool2d). The maximum is a max_pool of kernel [1, K] over that
 * axis: PyTorch's rule (the first maximum, or the last nan, or the window's first element when
 * all are -inf) holds for the padded window too, as a copy comes after what it copies and is the
 * same element. The 1-d forms are the 2-d ones over a height of 1, as in PyTorch.
 */
final class AdaptivePoolRules extends RuleFamily {
    AdaptivePoolRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        for (int d = 1; d <= 2; d++) {
            int dims = d;
            rules.put("adaptive_avg_pool" + d + "d", a -> pool(a, dims, false));
            rules.put("adaptive_max_pool" + d + "d", a -> pool(a, dims, true));
        }
    }

    private Val pool(Args a, int dims, boolean max) {
        if (!(max ? a.shape(1, 3, "output_size", "return_indices") : a.shape(1, 2, "output_size"))) return null;
        T x = a.tensor(0);
        if (x == null || a.failed || !inputFits(a, x, dims)) return null;
        if (a.get(1, "output_size") == null) {
            l.diags.error("E0104", a.span(), "`" + a.fn + "` needs an output_size", "write `" + a.fn + "(x, " + (dims == 2 ? "[2, 2]" : "2") + ")`");
            return null;
        }
        if (max && a.bool(2, "return_indices", false)) {
            l.diags.error("E0104", a.spanOf(2, "return_indices"), "`" + a.fn + "` with return_indices=True is not supported yet", "drop it: tx returns the values");
            return null;
        }
        int[] xs = x.shape(), out = outputSize(a, xs, dims);
        if (out == null || a.failed) return null;
        int r = xs.length;
        int[] shape = Arrays.copyOf(xs, r);
        for (int k = 0; k < dims; k++) shape[r - dims + k] = out[2 - dims + k];
        if (!a.fits(shape, a.span())) return null;
        int h = dims == 2 ? xs[r - 2] : 1, w = xs[r - 1];
        Var y = b.composite(() -> {
            Var planes = b.reshape(x.var(), Shapes.concat(Arrays.copyOf(xs, r - dims), new int[] {h, w}));
            Var v = Shapes.numel(shape) == 0 ? empty(planes) : max ? maximum(planes, out) : average(planes, out);
            return b.reshape(v, shape);
        });
        String gradFn = dims == 1 ? "SqueezeBackward1" : max ? "AdaptiveMaxPool2DBackward0" : out[0] == 1 && out[1] == 1 ? "MeanBackward1"
                : "AdaptiveAvgPool2DBackward0";
        return out(y, gradFn);
    }

    /** [N, C, H, W] or [C, H, W] (2-d), [N, C, L] or [C, L] (1-d), of float64, with no empty pooled dimension (E0210, E0220). */
    private boolean inputFits(Args a, T x, int dims) {
        int[] xs = x.shape();
        Span at = a.spanOf(0, "input");
        if (xs.length != dims + 1 && xs.length != dims + 2) {
            l.diags.error("E0210", at, "`" + a.fn + "` takes an input of shape " + (dims == 2 ? "[N, C, H, W] or [C, H, W]" : "[N, C, L] or [C, L]")
                    + ", found " + Shapes.show(xs), null);
            return false;
        }
        for (int k = 1; k <= xs.length; k++) {
            if (xs[xs.length - k] != 0) continue;
            l.diags.error("E0210", at, "`" + a.fn + "` takes an input whose dimensions are not empty, found " + Shapes.show(xs), null);
            return false;
        }
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", at, "`" + a.fn + "` of " + x.describeDtype() + ": PyTorch pools floats only", "convert first: `x.double()`");
            return false;
        }
        return true;
    }

    /**
     * output_size as the geometry's two entries (height, width; a height of 1 for 1-d): an int, or a
     * list or tuple of `dims` ints where None (2-d) keeps the input's size; null after E0104/E0105/E0210.
     */
    private int[] outputSize(Args a, int[] xs, int dims) {
        Val v = a.get(1, "output_size");
        Span at = a.spanOf(1, "output_size");
        List<Val> items = v instanceof Val.ListV list ? list.items() : v instanceof Val.Tuple t ? t.items() : List.of(v);
        boolean listed = v instanceof Val.ListV || v instanceof Val.Tuple;
        if (listed && items.size() != dims) {
            error(a, at, "`" + a.fn + "`'s output_size takes " + (dims == 2 ? "one number or 2" : "one number") + ", found " + items.size());
            return null;
        }
        int[] out = {1, 1};
        for (int k = 0; k < dims; k++) {
            Val item = items.get(listed ? k : 0);
            int e = 2 - dims + k;
            if (item instanceof Val.None && dims == 2 && listed) {
                out[e] = xs[xs.length - dims + k];
                continue;
            }
            Integer n = l.exprs.integer(item, at, "`output_size`");
            if (n == null) {
                a.failed = true;
                return null;
            }
            if (n < 0) {
                error(a, at, "`" + a.fn + "`'s output_size must not be negative, found " + n);
                return null;
            }
            out[e] = n;
        }
        return out;
    }

    private void error(Args a, Span at, String message) {
        l.diags.error("E0210", at, message, null);
        a.failed = true;
    }

    /** An empty result that still depends on x (so that it requires grad as PyTorch's does): x's first zero rows and columns. */
    private Var empty(Var x) {
        int r = x.rank();
        int[] start = new int[r], stop = x.shapeRef().clone(), step = new int[r];
        Arrays.fill(step, 1);
        stop[r - 2] = 0;
        stop[r - 1] = 0;
        return b.slice(x, start, stop, step);
    }

    /** The mean of each window: {@code sum / kh / kw} (PyTorch's kernel), or the mean of the planes for a 1 x 1 output. */
    private Var average(Var x, int[] out) {
        int r = x.rank(), h = x.shapeRef()[r - 2], w = x.shapeRef()[r - 1];
        if (out[0] == 1 && out[1] == 1) return Composites.mean(b, x, new int[] {r - 2, r - 1}, true);
        PoolWindows rows = new PoolWindows(h, out[0]), cols = new PoolWindows(w, out[1]);
        Var gathered = gathered(x, rows, cols);
        if (!rows.full() || !cols.full()) gathered = b.where(b.constant(mask(rows, cols), DType.BOOL), gathered, b.scalar(0));
        Var sums = b.sum(gathered, new int[] {r}, false);
        if (rows.k() > 1) sums = b.div(sums, rows.sizes(true));
        return cols.k() > 1 ? b.div(sums, cols.sizes(false)) : sums;
    }

    /** The maximum of each window: a max_pool of kernel [1, K] over the gathered windows, laid out as one plane. */
    private Var maximum(Var x, int[] out) {
        int r = x.rank(), h = x.shapeRef()[r - 2], w = x.shapeRef()[r - 1];
        PoolWindows rows = new PoolWindows(h, out[0]), cols = new PoolWindows(w, out[1]);
        Var gathered = gathered(x, rows, cols);
        int k = rows.k() * cols.k(), windows = Shapes.numel(gathered.shapeRef()) / k;
        Var plane = b.reshape(gathered, new int[] {1, 1, windows, k});
        Var m = b.emit(Prim.MAX_POOL, new Attrs.Pool(new int[] {1, k}, new int[] {1, k}, new int[] {0, 0}, new int[] {1, 1}, false), plane, plane);
        return b.reshape(m, Shapes.concat(Arrays.copyOf(x.shapeRef(), r - 2), out));
    }

    /** x [..., H, W] as [..., oh, ow, Kh Kw]: each output position's window, row-major, padded with copies of its last row and column. */
    private Var gathered(Var x, PoolWindows rows, PoolWindows cols) {
        int r = x.rank();
        Var g = cols.along(rows.along(x, r - 2), r); // [..., oh, Kh, ow, Kw]
        int[] perm = Builtins.identity(r + 2);
        perm[r - 1] = r;
        perm[r] = r - 1;
        Var t = b.transpose(g, perm); // [..., oh, ow, Kh, Kw]
        int[] shape = Arrays.copyOf(t.shapeRef(), r + 1);
        shape[r] = rows.k() * cols.k();
        return b.reshape(t, shape);
    }

    /** Where the gathered windows hold input elements rather than copies: [oh, ow, Kh Kw]. */
    private static Tensor mask(PoolWindows rows, PoolWindows cols) {
        int kh = rows.k(), kw = cols.k();
        double[] m = new double[rows.n() * cols.n() * kh * kw];
        int p = 0;
        for (int i = 0; i < rows.n(); i++) {
            for (int j = 0; j < cols.n(); j++) {
                for (int u = 0; u < kh; u++) for (int v = 0; v < kw; v++) m[p++] = u < rows.size(i) && v < cols.size(j) ? 1 : 0;
            }
        }
        return Tensor.of(new int[] {rows.n(), cols.n(), kh * kw}, m);
    }

    /** The windows of a dimension of size {@code in} pooled to {@code n}: [floor(i in / n), ceil((i + 1) in / n)). */
    private final class PoolWindows {
        private final int in, n, k;

        PoolWindows(int in, int n) {
            this.in = in;
            this.n = n;
            int most = 0;
            for (int i = 0; i < n; i++) most = Math.max(most, size(i));
            this.k = most;
        }

        int n() {
            return n;
        }

        /** The largest window's size. */
        int k() {
            return k;
        }

        int start(int i) {
            return (int) Math.floorDiv((long) i * in, n);
        }

        int size(int i) {
            return (int) -Math.floorDiv(-(long) (i + 1) * in, n) - start(i);
        }

        /** Whether every window has the largest size (nothing is padded). */
        boolean full() {
            for (int i = 0; i < n; i++) if (size(i) != k) return false;
            return true;
        }

        /** Each window's size, as a column [n, 1] (rows) or a row [n] (columns), to divide by. */
        Var sizes(boolean column) {
            double[] s = new double[n];
            for (int i = 0; i < n; i++) s[i] = size(i);
            return b.constant(Tensor.of(column ? new int[] {n, 1} : new int[] {n}, s));
        }

        /** x with its dimension {@code axis} (this one's) replaced by [n, k]: the windows' positions, the last one repeated to k. */
        Var along(Var x, int axis) {
            int[] shape = new int[x.rank() + 1];
            for (int d = 0, e = 0; d < x.rank(); d++) {
                if (d == axis) {
                    shape[e++] = n;
                    shape[e++] = k;
                } else {
                    shape[e++] = x.shapeRef()[d];
                }
            }
            if (n == in && k == 1) return b.reshape(x, shape); // each window one element, in order
            double[] idx = new double[n * k];
            for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) idx[i * k + j] = start(i) + Math.min(j, size(i) - 1);
            Var positions = b.constant(Tensor.of(new int[] {n * k}, idx), DType.INT64);
            return b.reshape(host.selection.selectAlong(x, axis, positions), shape);
        }
    }
}
