package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * PyTorch's advanced indexing (LANGUAGE.md §4): subscripts that are int64 tensors (or lists of
 * ints, or {@code range(...)}), with slices, ints, {@code None} and {@code ...} around them, and
 * bool masks in assignments.
 *
 * <p>Reading {@code x[subs]} runs in two steps, as PyTorch's {@code applySlicing} then
 * {@code index}: the basic subscripts first, each index tensor replaced by {@code :} (a
 * {@link Indexing.Path}, which gives the <em>region</em>), then the index tensors on the region's
 * axes {@code a_1 < ... < a_k} of sizes {@code n_1 ... n_k}. The index tensors broadcast together
 * to a shape B; each is wrapped (a negative one counts from the end) and checked, and they make one
 * linear position per element of B:
 * <pre>
 *   L = Σ_k wrap(idx_k) · s_k,   s_k = n_{k+1} · ... · n_k'     (row-major over the indexed axes)
 *   out = gather(region with the indexed axes first and flattened, 0, L)
 * </pre>
 * a gather whose adjoint is a scatter-add (PyTorch's {@code index_put} with {@code accumulate=True}),
 * so repeated positions add their gradients. The result's dimensions are B followed by the
 * region's other axes, or, when the indexed axes are adjacent, B in their place (PyTorch's rule;
 * an int subscript removes its axis before, so it does not separate them; {@code None} does).
 *
 * <p>Writing {@code x[subs] = v} gives each position of the flattened region the row of v that
 * writes it last (a gather of v's rows at the winners; PyTorch's
 * {@code index_put_} without accumulation: later writes win), and selects:
 * {@code where(hit, placed, region)}. A bool mask known at compile time is its positions, one index
 * tensor per dimension it covers (PyTorch's {@code nonzero}); one known only at run time (the only
 * index of an assignment) writes {@code where(mask, v, region)}.
 */
final class AdvancedIndexing {
    private final Lowerer l;
    private final Builder b;
    private final Indexing indexing;

    AdvancedIndexing(Lowerer l, Indexing indexing) {
        this.l = l;
        this.b = l.b;
        this.indexing = indexing;
    }

    /** One index tensor: on axis {@code axis} of the region (dimension {@code dim} of x), int64 or a bool mask. */
    record Index(int axis, int dim, T idx, Span span) {
        boolean mask() {
            return idx.dtype() == DType.BOOL;
        }
    }

    /**
     * How subscripts with index tensors read: the region ({@code path}), the index tensors in order,
     * their broadcast shape, and whether their axes are adjacent. {@link #FAILED} after an error.
     */
    record Plan(Indexing.Path path, List<Index> indices, int[] broadcast, boolean adjacent) {
        int[] region() {
            return path.result();
        }

        int first() {
            return indices.get(0).axis();
        }

        /** The region's axes that no index tensor takes, in order. */
        int[] rest() {
            int[] r = region();
            List<Integer> out = new ArrayList<>();
            for (int d = 0; d < r.length; d++) if (!indexed(d)) out.add(d);
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        boolean indexed(int axis) {
            for (Index i : indices) if (axis >= i.axis() && axis < i.axis() + (i.mask() ? i.idx().shape().length : 1)) return true;
            return false;
        }

        /** The number of positions the indexed axes make together. */
        int positions() {
            int n = 1;
            for (Index i : indices) n *= region()[i.axis()];
            return n;
        }

        /** The shape of what is read: B followed by the other axes, or B in place of adjacent indexed axes. */
        int[] result() {
            int[] r = region(), rest = rest();
            int[] restSizes = new int[rest.length];
            for (int k = 0; k < rest.length; k++) restSizes[k] = r[rest[k]];
            int at = adjacent ? first() : 0;
            return Shapes.concat(Shapes.concat(Arrays.copyOfRange(restSizes, 0, at), broadcast), Arrays.copyOfRange(restSizes, at, restSizes.length));
        }
    }

    static final Plan FAILED = new Plan(null, List.of(), new int[0], false);

    // ---- subscripts -----------------------------------------------------------------------------------

    /** Each {@code At} subscript's value, evaluated once: a {@code range(...)} and a list of numbers become tensors. */
    Map<Ast.Sub, Val> values(List<Ast.Sub> subs) {
        Map<Ast.Sub, Val> out = new IdentityHashMap<>();
        for (Ast.Sub s : subs) {
            if (!(s instanceof Ast.At at) || at.index() instanceof Ast.NoneLit) continue;
            if (at.index() instanceof Ast.Call c && c.callee() instanceof Ast.Name n && n.name().equals("range")) out.put(s, range(c));
            else out.put(s, listAsTensor(l.exprs.expr(at.index())));
        }
        return out;
    }

    /** {@code range(stop)}, {@code range(start, stop[, step])} as an index: the int64 tensor of its numbers. */
    private Val range(Ast.Call c) {
        List<Integer> args = new ArrayList<>();
        for (Ast.Arg a : c.args()) {
            if (a.name() != null) {
                l.diags.error("E0104", a.span(), "`range` takes no keyword arguments", "write `range(stop)` or `range(start, stop, step)`");
                return new Val.Bad();
            }
            args.add(l.exprs.integer(l.exprs.expr(a.value()), a.span(), "a range bound"));
        }
        if (args.contains(null)) return new Val.Bad();
        if (args.isEmpty() || args.size() > 3) { // x[range()]: Python's TypeError, not a crash
            l.diags.error("E0104", c.span(), "`range` takes 1 to 3 arguments, given " + args.size(), null);
            return new Val.Bad();
        }
        int start = args.size() == 1 ? 0 : args.get(0), stop = args.size() == 1 ? args.get(0) : args.get(1), step = args.size() == 3 ? args.get(2) : 1;
        if (step == 0) {
            l.diags.error("E0205", c.span(), "`range` with a step of 0", "Python refuses it too: range() arg 3 must not be zero");
            return new Val.Bad();
        }
        long n = Math.max(0, step > 0 ? ((long) stop - start + step - 1) / step : ((long) start - stop - step - 1) / -step);
        double[] d = new double[(int) n];
        for (int i = 0; i < n; i++) d[i] = start + (long) i * step;
        return l.exprs.result(b.constant(Tensor.of(new int[] {(int) n}, d), DType.INT64), null);
    }

    /** A list of Python ints (or bools), nested or not, as PyTorch reads it as an index: an int64 (or bool) tensor; anything else as it is. */
    private Val listAsTensor(Val v) {
        if (!(v instanceof Val.ListV list) || list.tuple()) return v;
        List<Double> flat = new ArrayList<>();
        int[] shape = rectangular(list, flat);
        if (shape == null) return v;
        boolean bools = !list.items().isEmpty() && allBools(list);
        double[] d = flat.stream().mapToDouble(Double::doubleValue).toArray();
        return l.exprs.result(b.constant(Tensor.of(shape, d), bools ? DType.BOOL : anyFloat(list) ? DType.FLOAT64 : DType.INT64), null);
    }

    /** The shape of a rectangular list of Python numbers, its elements appended to flat; null otherwise. */
    private static int[] rectangular(Val.ListV list, List<Double> flat) {
        int[] inner = null;
        for (Val item : list.items()) {
            int[] s;
            if (item instanceof Val.Num n) { // a float makes the list a float index, which E0220 refuses
                flat.add(n.value());
                s = new int[0];
            } else if (item instanceof Val.Bool bo) {
                flat.add(bo.value() ? 1.0 : 0.0);
                s = new int[0];
            } else if (item instanceof Val.ListV sub && !sub.tuple()) {
                s = rectangular(sub, flat);
            } else {
                return null;
            }
            if (s == null || (inner != null && !Arrays.equals(inner, s))) return null;
            inner = s;
        }
        return Shapes.concat(new int[] {list.items().size()}, inner == null ? new int[0] : inner);
    }

    private static boolean allBools(Val.ListV list) {
        for (Val item : list.items()) {
            boolean ok = item instanceof Val.Bool || (item instanceof Val.Num n && n.py() == Val.PyType.BOOL)
                    || (item instanceof Val.ListV sub && allBools(sub));
            if (!ok) return false;
        }
        return true;
    }

    private static boolean anyFloat(Val.ListV list) {
        for (Val item : list.items()) {
            if ((item instanceof Val.Num n && n.py() == Val.PyType.FLOAT) || (item instanceof Val.ListV sub && anyFloat(sub))) return true;
        }
        return false;
    }

    /** Whether the subscripts are index tensors and {@code ...} only (no slice, int or None). */
    static boolean onlyIndexTensors(List<Ast.Sub> subs, Map<Ast.Sub, Val> vals) {
        return subs.stream().allMatch(s -> s instanceof Ast.Ellipsis || isIndexTensor(vals.get(s)));
    }

    private static boolean isIndexTensor(Val v) {
        return v instanceof T t && t.shape().length > 0;
    }

    /**
     * The plan of {@code subs} into a tensor of {@code shape}, or null when no subscript is an index
     * tensor ({@link Indexing#path} reads those), or {@link #FAILED} after reporting.
     */
    Plan plan(int[] shape, List<Ast.Sub> subs, Map<Ast.Sub, Val> vals, Span span) {
        if (subs.stream().noneMatch(s -> isIndexTensor(vals.get(s)))) return null;
        for (Ast.Sub s : subs) {
            if (RunTimeSizes.sized(vals.get(s))) {
                RunTimeSizes.refuse(l, s.span(), "indexing with an index tensor (here `nonzero`'s)");
                return FAILED;
            }
        }
        int used = 0;
        for (Ast.Sub s : subs) {
            if (s instanceof Ast.Ellipsis || (s instanceof Ast.At at && at.index() instanceof Ast.NoneLit)) continue;
            used += vals.get(s) instanceof T t && t.dtype() == DType.BOOL && t.shape().length > 0 ? t.shape().length : 1;
        }
        List<Ast.Sub> basic = new ArrayList<>();
        List<Index> indices = new ArrayList<>();
        int axis = 0, dim = 0;
        for (Ast.Sub s : subs) {
            Val v = vals.get(s);
            if (s instanceof Ast.Ellipsis) {
                axis += Math.max(0, shape.length - used);
                dim += Math.max(0, shape.length - used);
                basic.add(s);
            } else if (s instanceof Ast.At at && at.index() instanceof Ast.NoneLit) {
                axis++;
                basic.add(s);
            } else if (isIndexTensor(v)) {
                T idx = (T) v;
                int k = idx.dtype() == DType.BOOL ? idx.shape().length : 1;
                if (idx.dtype() == DType.BOOL && b.constantValue(idx.var()) != null) { // a constant mask: its positions, as PyTorch's nonzero
                    if (!maskFits(idx, shape, dim, s.span())) return FAILED;
                    List<T> coordinates = nonzero(idx);
                    for (int j = 0; j < k; j++) indices.add(new Index(axis + j, dim + j, coordinates.get(j), s.span()));
                } else {
                    indices.add(new Index(axis, dim, idx, s.span()));
                }
                for (int j = 0; j < k; j++) basic.add(new Ast.Range(null, null, null, s.span()));
                axis += k;
                dim += k;
            } else {
                if (s instanceof Ast.Range) axis++;
                dim++;
                basic.add(s);
            }
        }
        Indexing.Path p = indexing.path(shape, basic, span, vals);
        if (p == null || !dtypes(indices)) return FAILED;
        int[] common = broadcast(indices, span);
        if (common == null || !inRange(indices, p.result())) return FAILED;
        boolean adjacent = true;
        for (int k = 1; k < indices.size(); k++) adjacent &= indices.get(k).axis() == indices.get(k - 1).axis() + 1;
        return new Plan(p, indices, common, adjacent);
    }

    /** Whether a mask covers the dimensions of x it indexes exactly (E0201 otherwise, as PyTorch's IndexError). */
    private boolean maskFits(T mask, int[] shape, int dim, Span span) {
        int[] ms = mask.shape();
        boolean ok = dim + ms.length <= shape.length && Arrays.equals(Arrays.copyOfRange(shape, dim, dim + ms.length), ms);
        if (!ok) {
            l.diags.error("E0201", span, "the shape of the mask " + Shapes.show(ms) + " does not match the indexed tensor " + Shapes.show(shape)
                    + " at dimension " + dim, "a mask covers the dimensions it indexes exactly, as in PyTorch");
        }
        return ok;
    }

    /** The positions of a constant mask's true elements, one int64 vector per dimension (PyTorch's nonzero, row-major). */
    private List<T> nonzero(T mask) {
        Tensor t = b.constantValue(mask.var());
        int[] ms = mask.shape();
        List<double[]> rows = new ArrayList<>();
        for (int e = 0; e < t.data().length; e++) {
            if (t.data()[e] == 0) continue;
            double[] at = new double[ms.length];
            for (int d = ms.length - 1, rest = e; d >= 0; d--) {
                at[d] = rest % ms[d];
                rest /= ms[d];
            }
            rows.add(at);
        }
        List<T> out = new ArrayList<>();
        for (int d = 0; d < ms.length; d++) {
            double[] column = new double[rows.size()];
            for (int r = 0; r < rows.size(); r++) column[r] = rows.get(r)[d];
            out.add(l.exprs.result(b.constant(Tensor.of(new int[] {rows.size()}, column), DType.INT64), null));
        }
        return out;
    }

    /** Int64 or bool index tensors only, as PyTorch (E0220). */
    private boolean dtypes(List<Index> indices) {
        boolean ok = true;
        for (Index i : indices) {
            if (i.idx().dtype() == DType.INT64 || i.mask()) continue;
            l.diags.error("E0220", i.span(), "tensors used as indices must be int64 (or bool masks), found " + i.idx().describeDtype(),
                    "write the positions without a point (`tensor([0, 2])`), or convert with `.long()`");
            ok = false;
        }
        return ok;
    }

    /** The shape the int64 index tensors broadcast to, or null after E0201 (PyTorch's "shape mismatch"). */
    private int[] broadcast(List<Index> indices, Span span) {
        int[] common = new int[0];
        for (Index i : indices) {
            if (i.mask()) continue;
            int[] next = Shapes.broadcast(common, i.idx().shape());
            if (next == null) {
                StringBuilder shapes = new StringBuilder();
                for (Index j : indices) shapes.append(shapes.length() == 0 ? "" : ", ").append(Shapes.show(j.idx().shape()));
                l.diags.error("E0201", span, "shape mismatch: indexing tensors could not be broadcast together with shapes " + shapes,
                        "index tensors pair up element by element, so their shapes must broadcast, as in PyTorch");
                return null;
            }
            common = next;
        }
        return common;
    }

    /** Constant positions are checked now (E0204); the others when they run (E0507). */
    private boolean inRange(List<Index> indices, int[] region) {
        boolean ok = true;
        for (Index i : indices) {
            Tensor t = b.constantValue(i.idx().var());
            if (t == null || i.mask()) continue;
            int n = region[i.axis()];
            for (double d : t.data()) {
                if (d >= -n && d < n) continue;
                l.diags.error("E0204", i.span(), "index " + (long) d + " is out of range for dimension " + i.dim() + " of size " + n,
                        n == 0 ? "valid indices are none: the dimension is empty" : "valid indices are " + -n + " to " + (n - 1));
                ok = false;
                break;
            }
        }
        return ok;
    }

    // ---- reading --------------------------------------------------------------------------------------

    /** {@code x[subs]} by the plan: the region, then one gather at the linear positions. */
    Val read(T x, Plan plan) {
        for (Index i : plan.indices()) {
            if (!i.mask()) continue;
            if (plan.indices().size() == 1) return readMasked(x, plan, i);
            l.diags.error("E0105", i.span(), "a boolean mask known only at run time together with other index tensors is not supported yet",
                    "index with the mask alone (`x[mask]`), or with int64 positions only (`x[mask.nonzero()[:, 0], j]`)");
            return new Val.Bad();
        }
        Var region = indexing.read(x.var(), plan.path());
        Var picked = l.builtins.selection.selectAlong(flatten(region, plan), 0, linear(plan));
        return l.exprs.result(fromRows(picked, plan), "IndexBackward0");
    }

    /**
     * {@code x[mask]}, the mask known only at run time, on the region's axes {@code a .. a + k - 1}:
     * the region with those axes first and merged, gathered at the mask's true positions. The
     * result's axis in their place has a size known only at run time (the mask's count of trues,
     * a symbol of the IR); the gather's adjoint is a scatter-add, PyTorch's IndexBackward0.
     */
    private Val readMasked(T x, Plan plan, Index m) {
        if (!maskFits(m.idx(), x.shape(), m.dim(), m.span())) return new Val.Bad();
        Var region = indexing.read(x.var(), plan.path());
        int[] r = region.shape();
        int a = m.axis(), k = m.idx().shape().length;
        int[] perm = maskAxesFirst(r.length, a, k), rest = new int[r.length - k];
        for (int j = 0; j < rest.length; j++) rest[j] = r[perm[k + j]];
        int count = Shapes.numel(m.idx().shape());
        Var flat = b.reshape(b.transpose(region, perm), Shapes.concat(new int[] {count}, rest));
        Var picked = l.builtins.selection.selectAlong(flat, 0, MaskRules.positions(l, m.idx().var()));
        if (a != 0) picked = b.transpose(picked, moveBlock(1, rest.length, a, true));
        return l.exprs.result(picked, "IndexBackward0");
    }

    /** The permutation that brings a mask's axes {@code a .. a + k - 1} to the front, the others after them in order. */
    private static int[] maskAxesFirst(int rank, int a, int k) {
        int[] perm = new int[rank];
        int at = 0;
        for (int d = a; d < a + k; d++) perm[at++] = d;
        for (int d = 0; d < rank; d++) if (d < a || d >= a + k) perm[at++] = d;
        return perm;
    }

    /** The region with its indexed axes first, merged into one: [positions, rest...]. */
    private Var flatten(Var region, Plan plan) {
        int[] r = plan.region(), rest = plan.rest();
        int[] perm = new int[r.length];
        int k = 0;
        for (Index i : plan.indices()) perm[k++] = i.axis();
        for (int d : rest) perm[k++] = d;
        return b.reshape(b.transpose(region, perm), Shapes.concat(new int[] {plan.positions()}, restSizes(plan)));
    }

    /** The inverse of {@link #flatten}: [positions, rest...] back to the region's shape. */
    private Var unflatten(Var flat, Plan plan) {
        int[] r = plan.region(), rest = plan.rest();
        int[] perm = new int[r.length], permuted = new int[r.length];
        int k = 0;
        for (Index i : plan.indices()) perm[k++] = i.axis();
        for (int d : rest) perm[k++] = d;
        for (int j = 0; j < r.length; j++) permuted[j] = r[perm[j]];
        int[] inverse = new int[r.length];
        for (int j = 0; j < r.length; j++) inverse[perm[j]] = j;
        return b.transpose(b.reshape(flat, permuted), inverse);
    }

    private static int[] restSizes(Plan plan) {
        int[] r = plan.region(), rest = plan.rest(), out = new int[rest.length];
        for (int k = 0; k < rest.length; k++) out[k] = r[rest[k]];
        return out;
    }

    /** Rows [M, rest...] (M the elements of B) to the result's shape: B first, or in place of adjacent indexed axes. */
    private Var fromRows(Var rows, Plan plan) {
        int[] bshape = plan.broadcast(), rest = restSizes(plan);
        Var v = b.reshape(rows, Shapes.concat(bshape, rest));
        int at = plan.adjacent() ? plan.first() : 0;
        if (at == 0) return v;
        return b.transpose(v, moveBlock(bshape.length, rest.length, at, true));
    }

    /** The result's shape to rows [M, rest...]: {@link #fromRows} backwards. */
    private Var toRows(Var v, Plan plan) {
        int[] bshape = plan.broadcast(), rest = restSizes(plan);
        int at = plan.adjacent() ? plan.first() : 0;
        if (at != 0) v = b.transpose(v, moveBlock(bshape.length, rest.length, at, false));
        return b.reshape(v, Shapes.concat(new int[] {Shapes.numel(bshape)}, rest));
    }

    /**
     * The permutation that moves a block of {@code nb} leading axes (followed by {@code nr} others)
     * to position {@code at} ({@code forward}), or back to the front.
     */
    private static int[] moveBlock(int nb, int nr, int at, boolean forward) {
        int[] order = new int[nb + nr]; // order[j]: which axis of [B, rest] is at position j of the result
        int j = 0;
        for (int k = 0; k < at; k++) order[j++] = nb + k;
        for (int k = 0; k < nb; k++) order[j++] = k;
        for (int k = at; k < nr; k++) order[j++] = nb + k;
        if (forward) return order;
        int[] inverse = new int[order.length];
        for (int k = 0; k < order.length; k++) inverse[order[k]] = k;
        return inverse;
    }

    /** The linear positions L (int64, of the shape B flattened): Σ wrap(idx_k) · s_k, a constant if the indices are. */
    private Var linear(Plan plan) {
        Tensor known = constantPositions(plan);
        return known == null ? linearOps(plan) : b.constant(known, DType.INT64);
    }

    /** L of constant index tensors, computed now; null if any is known only at run time. */
    private Tensor constantPositions(Plan plan) {
        int[] bshape = plan.broadcast(), region = plan.region();
        int m = Shapes.numel(bshape);
        double[] out = new double[m];
        long stride = 1;
        for (int k = plan.indices().size() - 1; k >= 0; k--) {
            Index i = plan.indices().get(k);
            Tensor t = b.constantValue(i.idx().var());
            if (t == null) return null;
            int n = region[i.axis()];
            for (int j = 0; j < m; j++) {
                double d = t.data()[broadcastSource(j, bshape, i.idx().shape())];
                out[j] += (d < 0 ? d + n : d) * stride;
            }
            stride *= n;
        }
        return Tensor.of(new int[] {m}, out);
    }

    /** The element of a tensor of shape {@code from} that element j of its broadcast to {@code to} reads. */
    private static int broadcastSource(int j, int[] to, int[] from) {
        int src = 0, stride = 1;
        for (int d = to.length - 1, e = from.length - 1; e >= 0; d--, e--) {
            int pos = (j / suffix(to, d + 1)) % to[d];
            if (from[e] != 1) src += pos * stride;
            stride *= from[e];
        }
        return src;
    }

    private static int suffix(int[] shape, int from) {
        int n = 1;
        for (int d = from; d < shape.length; d++) n *= shape[d];
        return n;
    }

    private Var linearOps(Plan plan) {
        int[] bshape = plan.broadcast(), region = plan.region();
        Var sum = null;
        long stride = 1;
        for (int k = plan.indices().size() - 1; k >= 0; k--) {
            Index i = plan.indices().get(k);
            int n = region[i.axis()];
            int[] padded = new int[bshape.length];
            Arrays.fill(padded, 1);
            int[] s = i.idx().shape();
            System.arraycopy(s, 0, padded, bshape.length - s.length, s.length);
            Var w = b.expand(b.reshape(wrapped(i, n, k), padded), bshape);
            Var term = stride == 1 ? w : b.mul(w, b.scalar(stride, DType.INT64));
            sum = sum == null ? term : b.add(term, sum);
            stride *= n;
        }
        return b.reshape(sum, new int[] {Shapes.numel(bshape)});
    }

    /**
     * An index tensor's positions along an axis of size n, negative ones counted from the end: at
     * compile time for a constant, else {@code where(-n <= i < 0, i + n, i)} gathered from
     * {@code arange(n)} laid along dimension {@code place}, so that a position outside [0, n) stops the
     * run with PyTorch's message (E0507), naming the index as written and, as PyTorch's index kernel
     * does, the index tensor's place among the subscript's index tensors ({@code x[:, t]}: dimension 0).
     */
    private Var wrapped(Index i, int n, int place) {
        Tensor t = b.constantValue(i.idx().var());
        if (t != null) {
            double[] d = t.data().clone();
            for (int k = 0; k < d.length; k++) if (d[k] < 0) d[k] += n;
            return b.constant(Tensor.of(t.shapeRef(), d), DType.INT64);
        }
        Var idx = i.idx().var();
        Var shifted = b.where(b.ge(idx, b.scalar(-n, DType.INT64)), b.fromEnd(idx, n), idx);
        int[] along = new int[place + 1], at = new int[place + 1];
        Arrays.fill(along, 1);
        Arrays.fill(at, 1);
        along[place] = n;
        at[place] = Shapes.numel(i.idx().shape());
        Var table = b.reshape(b.iota(n), along);
        Var checked = b.emit(Prim.GATHER, new Attrs.Axis(place), table, b.reshape(shifted, at));
        return b.reshape(checked, i.idx().shape());
    }

    // ---- writing --------------------------------------------------------------------------------------

    /**
     * The region with {@code v} written where the plan points ({@code region op v} there for an
     * in-place operator {@code op}, null for {@code =}), or null after reporting. Written elements take
     * the value of their last write, as PyTorch's {@code index_put_}.
     */
    Var write(Var region, Plan plan, Val rhs, String op, Span valueSpan, Span span) {
        if (plan.indices().stream().anyMatch(Index::mask)) return writeMasked(region, plan, rhs, op, valueSpan, span);
        int[] res = plan.result();
        Val part = rhs;
        if (op != null) {
            T read = l.exprs.result(fromRows(l.builtins.selection.selectAlong(flatten(region, plan), 0, linear(plan)), plan), "IndexBackward0");
            part = l.exprs.binary(op, read, rhs, span, valueSpan, span);
        }
        T v = l.exprs.tensor(part, valueSpan, "indexed assignment");
        if (v == null) return null;
        if (!Shapes.broadcastsTo(v.shape(), res)) {
            l.diags.error("E0201", valueSpan, "a value of shape " + Shapes.show(v.shape()) + " cannot be assigned to a part of shape "
                    + Shapes.show(res), "the value must broadcast to the indexed part's shape, as in PyTorch");
            return null;
        }
        DType dt = region.dtype();
        if (Shapes.numel(plan.broadcast()) == 0) return region; // no position: nothing is written
        Var rows = toRows(Indexing.broadcast(b, cast(v.var(), dt), res), plan);
        Var flat = flatten(region, plan), at = linear(plan);
        int[] flatShape = flat.shapeRef();
        // NOTE: each written position reads its winning row (a gather, so the values are exact, -0.0
        // included); the gather's adjoint gives each row the gradient of the positions it won, which
        // the where masks to the written ones: the true derivative (PyTorch also gives a row that lost
        // to a later write its position's gradient)
        Var placed = b.emit(Prim.GATHER, new Attrs.Axis(0), rows, spread(winners(at, flatShape[0]), flatShape));
        Var hit = spread(written(at, flatShape[0]), flatShape);
        return cast(unflatten(b.where(hit, placed, flat), plan), dt);
    }

    /**
     * For each of n positions, the last of the writes at positions {@code at} [M] to it (int64 [n];
     * 0 where none writes, which the caller masks): at compile time for constant positions.
     */
    private Var winners(Var at, int n) {
        int m = at.shapeRef()[0];
        Tensor t = b.constantValue(at);
        if (t != null) {
            double[] win = new double[n];
            for (int k = 0; k < m; k++) win[(int) t.data()[k]] = k;
            return b.constant(Tensor.of(new int[] {n}, win), DType.INT64);
        }
        Var own = b.where(lastWrites(at), b.iota(m), b.scalar(0, DType.INT64));
        return b.emit(Prim.SCATTER_ADD, new Attrs.Axis(0), b.fill(new int[] {n}, 0, DType.INT64), at, own);
    }

    /** Which of n positions the positions {@code at} write (bool [n]): at compile time for constant positions. */
    private Var written(Var at, int n) {
        Tensor t = b.constantValue(at);
        if (t == null) {
            Var count = b.emit(Prim.SCATTER_ADD, new Attrs.Axis(0), b.fill(new int[] {n}, 0.0), at, b.fill(at.shapeRef(), 1.0));
            return b.gt(count, b.scalar(0));
        }
        double[] hit = new double[n];
        for (double p : t.data()) hit[(int) p] = 1;
        return b.constant(Tensor.of(new int[] {n}, hit), DType.BOOL);
    }

    /** A vector [M] spread over rows of {@code shape} [M, rest...]. */
    private Var spread(Var vector, int[] shape) {
        int[] ones = new int[shape.length];
        Arrays.fill(ones, 1);
        ones[0] = shape[0];
        return b.expand(b.reshape(vector, ones), shape);
    }

    /**
     * Which of the writes at positions {@code at} [M] is the last to its position (bool [M]), from
     * the stable order of the positions, where the last write to a position is the last of its run.
     */
    private Var lastWrites(Var at) {
        int m = at.shapeRef()[0];
        if (m == 0) return b.fill(new int[] {0}, 1, DType.BOOL);
        Var order = b.emit(Prim.ARGSORT, new Attrs.AxisOrder(0, false), at);
        Var sorted = b.emit(Prim.GATHER, new Attrs.Axis(0), at, order);
        Var next = b.emit(Prim.CAT, new Attrs.Axis(0), b.slice(sorted, new int[] {1}, new int[] {m}, new int[] {1}), b.fill(new int[] {1}, -1, DType.INT64));
        Var lastSorted = b.emit(Prim.CAST, DType.FLOAT64, b.ne(sorted, next));
        Var keep = b.emit(Prim.SCATTER_ADD, new Attrs.Axis(0), b.fill(new int[] {m}, 0.0), order, lastSorted);
        return b.gt(keep, b.scalar(0));
    }

    private Var cast(Var v, DType dt) {
        return v.dtype() == dt ? v : b.emit(Prim.CAST, dt, v);
    }

    /** A shape with a run-time count k between pre and post, as {@code [2, k, 4]}. */
    private static String withCount(int[] pre, int[] post) {
        StringBuilder sb = new StringBuilder("[");
        for (int d : pre) sb.append(d).append(", ");
        sb.append('k');
        for (int d : post) sb.append(", ").append(d);
        return sb.append(']').toString();
    }

    /**
     * {@code x[mask] = v}, {@code x[mask] op= v}: {@code where(mask, v, x)}, v broadcast over the
     * selected elements (their number is known only at run time, so v's size along it must be 1),
     * or v made from the same selection ({@code x[m] = relu(x[m])}: its size is the mask's count),
     * scattered back to the mask's positions first.
     */
    private Var writeMasked(Var region, Plan plan, Val rhs, String op, Span valueSpan, Span span) {
        T v = l.exprs.tensor(rhs, valueSpan, "indexed assignment");
        if (v == null) return null;
        if (plan.indices().size() != 1) {
            l.diags.error("E0105", span, "a boolean mask together with other index tensors selects a number of elements known only at run time",
                    "index with the mask alone, or with slices and ints: `x[mask] = v`, `x[:, mask] = v`");
            return null;
        }
        Index i = plan.indices().get(0);
        int[] r = plan.region(), ms = i.idx().shape();
        if (!Arrays.equals(Arrays.copyOfRange(r, i.axis(), i.axis() + ms.length), ms)) {
            l.diags.error("E0201", i.span(), "the shape of the mask " + Shapes.show(ms) + " does not match the indexed part " + Shapes.show(r)
                    + " at dimension " + i.dim(), "a mask covers the dimensions it indexes exactly, as in PyTorch");
            return null;
        }
        int[] pre = Arrays.copyOfRange(r, 0, i.axis()), post = Arrays.copyOfRange(r, i.axis() + ms.length, r.length);
        int[] one = Shapes.concat(Shapes.concat(pre, new int[] {1}), post);
        Var positions = RunTimeSizes.sized(v) ? MaskRules.positions(l, i.idx().var()) : null;
        int[] selected = positions == null ? null : Shapes.concat(Shapes.concat(pre, positions.shape()), post);
        if (positions != null && Arrays.equals(v.shape(), selected)) return writeSelection(region, i, v, positions, pre, post, op, span, valueSpan);
        if (!Shapes.broadcastsTo(v.shape(), one)) {
            l.diags.error("E0201", valueSpan, "a value of shape " + Shapes.show(v.shape()) + " cannot be assigned to the elements a mask selects, of shape "
                    + withCount(pre, post),
                    "their number k is known only at run time: assign a number, or a value that broadcasts over them (of shape " + Shapes.show(post) + ")");
            return null;
        }
        int[] ones = new int[ms.length];
        Arrays.fill(ones, 1);
        Var spreadV = b.expand(b.reshape(Indexing.broadcast(b, v.var(), one), Shapes.concat(Shapes.concat(pre, ones), post)), r);
        Var value = spreadV;
        if (op != null) {
            Val part = l.exprs.binary(op, l.exprs.result(region, null), l.exprs.result(spreadV, null), span, valueSpan, span);
            if (!(part instanceof T pt)) return null;
            value = pt.var();
        }
        int[] maskShape = Shapes.concat(Shapes.concat(new int[pre.length], ms), new int[post.length]);
        for (int d = 0; d < maskShape.length; d++) if (d < pre.length || d >= pre.length + ms.length) maskShape[d] = 1;
        Var mask = b.expand(b.reshape(i.idx().var(), maskShape), r);
        return b.where(mask, cast(value, region.dtype()), region);
    }

    /** The mask over the region, spread over the axes before and after it. */
    private Var spreadMask(Index i, int[] r, int pre, int post) {
        int[] ms = i.idx().shape(), maskShape = new int[r.length];
        Arrays.fill(maskShape, 1);
        System.arraycopy(ms, 0, maskShape, pre, ms.length);
        return b.expand(b.reshape(i.idx().var(), maskShape), r);
    }

    /**
     * {@code x[mask] = v} with v of the selection's own shape [pre, k, post]: v's rows scattered to
     * the mask's positions of the region with the mask's axes first and merged ([M, pre, post],
     * a scatter-add into zeros, whose adjoint gathers v's gradient back), then selected by the mask.
     */
    private Var writeSelection(Var region, Index i, T v, Var positions, int[] pre, int[] post, String op, Span span, Span valueSpan) {
        int[] r = region.shape(), ms = i.idx().shape();
        int a = pre.length, count = Shapes.numel(ms);
        int[] perm = maskAxesFirst(r.length, a, ms.length), rest = Shapes.concat(pre, post);
        Var rows = a == 0 ? v.var() : b.transpose(v.var(), moveBlock(1, rest.length, a, false)); // [k, pre, post]
        Var placed = l.builtins.selection.placeAlong(cast(rows, region.dtype()), 0, positions, Shapes.concat(new int[] {count}, rest));
        int[] inverse = new int[r.length];
        for (int j = 0; j < r.length; j++) inverse[perm[j]] = j;
        Var spread = b.transpose(b.reshape(placed, Shapes.concat(ms, rest)), inverse); // the region's layout, v at the mask's trues
        Var value = spread;
        if (op != null) {
            Val part = l.exprs.binary(op, l.exprs.result(region, null), l.exprs.result(spread, null), span, valueSpan, span);
            if (!(part instanceof T pt)) return null;
            value = pt.var();
        }
        return b.where(spreadMask(i, r, a, post.length), cast(value, region.dtype()), region);
    }
}
