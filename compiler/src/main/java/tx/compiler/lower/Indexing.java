package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Indexing {@code x[...]} (LANGUAGE.md §4) and indexed assignment {@code x[...] = v},
 * {@code x[...] op= v} (§6).
 *
 * <p>A subscript list reads a tensor in three steps, each a primitive with its own adjoint: a
 * box of it (SLICE: the slices, and each index known at compile time as a box one wide), a
 * reshape (dropping the dimensions those indices took, adding the size-1 dimensions of
 * {@code None}), then one TAKE per index known only at run time (a loop's counter). Writing
 * runs the same steps backwards: PUT, reshape, PAD place a value where the read came from, in
 * zeros; the same steps applied to ones give the mask of the written elements; the new value is
 * {@code where(mask, placed, x)}. Selecting rather than adding keeps the written values exact,
 * and its derivative is the right one: the written elements' gradient goes to {@code v}, the
 * others' to {@code x}.
 */
final class Indexing {
    private final Lowerer l;
    private final Builder b;

    Indexing(Lowerer l) {
        this.l = l;
        this.b = l.b;
    }

    /** An index known only at run time, taken along axis {@code axis} of the reshaped box. */
    record Take(int axis, Var index) {}

    /** A slice with a run-time start along axis {@code axis} of the reshaped box (see {@link Windows}). */
    record Window(int axis, Windows.Window w) {}

    /**
     * How subscripts select from a tensor of {@code shape}: the box {@code start:stop:step} of it,
     * reshaped to {@code kept}, then the run-time {@code windows} and {@code takes}. {@code gradFn}
     * is what PyTorch names the result's backward.
     */
    record Path(int[] shape, int[] start, int[] stop, int[] step, int[] kept, List<Window> windows, List<Take> takes, String gradFn) {
        int[] boxed() {
            int[] out = new int[shape.length];
            for (int d = 0; d < out.length; d++) out[d] = Math.max(0, (stop[d] - start[d] + step[d] - 1) / step[d]);
            return out;
        }

        boolean wholeBox() {
            return Arrays.equals(boxed(), shape) && Arrays.stream(start).allMatch(s -> s == 0);
        }

        /** {@code kept} with the windows taken: each keeps its axis, with the window's length. */
        int[] windowed() {
            int[] out = kept.clone();
            for (Window w : windows) out[w.axis()] = w.w().length();
            return out;
        }

        /** The shape of what is read: {@link #windowed} without the run-time indices' axes. */
        int[] result() {
            return Shapes.reduced(windowed(), takes.stream().mapToInt(Take::axis).toArray(), false);
        }
    }

    // ---- reading -------------------------------------------------------------------------------------

    /** {@code x[subs]}: basic subscripts by their path, index tensors by {@link AdvancedIndexing}. */
    Val read(T x, Ast.Index ix) {
        AdvancedIndexing adv = new AdvancedIndexing(l, this);
        Map<Ast.Sub, Val> vals = adv.values(ix.subs());
        AdvancedIndexing.Plan plan = adv.plan(x.shape(), ix.subs(), vals, ix.span());
        if (plan == AdvancedIndexing.FAILED) return new Val.Bad();
        if (plan != null) return adv.read(x, plan);
        Path p = path(x.shape(), ix.subs(), ix.span(), vals);
        if (p == null) return new Val.Bad();
        T out = l.exprs.result(read(x.var(), p), p.gradFn());
        l.slicedFrom.put(out, x.var());
        return out;
    }

    /**
     * After the tensor {@code old} (bound to {@code name}) changed in place: names holding a slice
     * read from it before are marked, so that reading one warns (W0402). In PyTorch such a slice is
     * a view and shows the change; in tx it is a copy and keeps the old values.
     */
    static void markStale(Lowerer l, Var old, String name, Span at) {
        for (var e : l.state.names.entrySet()) {
            Var from = l.slicedFrom.get(e.getValue());
            if (from != null && l.autograd.sharesStorage(from, old)) {
                l.state.staleViews.put(e.getKey(), "`" + e.getKey() + "` was read from `" + name + "` by indexing before `" + name
                        + "` changed in place at line " + at.line());
            }
        }
    }

    Var read(Var x, Path p) {
        Var v = p.wholeBox() ? x : b.slice(x, p.start(), p.stop(), p.step());
        v = b.reshape(v, p.kept());
        for (Window w : p.windows()) v = b.dynamicSlice(v, w.w().start(), w.axis(), w.w().length(), w.w().step());
        List<Take> takes = new ArrayList<>(p.takes());
        takes.sort(Comparator.comparingInt(Take::axis).reversed()); // the last axis first, so the others keep their positions
        for (Take t : takes) v = b.take(v, t.index(), t.axis());
        return v;
    }

    /** Zeros of x's shape holding {@code u} (of the read's shape) where {@link #read} reads: read's adjoint. */
    Var place(Var u, Path p) {
        List<Take> takes = new ArrayList<>(p.takes());
        takes.sort(Comparator.comparingInt(Take::axis));
        int[] shape = p.windowed();
        for (int k = 0; k < takes.size(); k++) { // put back the first axis first: a later one's position counts it
            int[] later = new int[takes.size() - k - 1];
            for (int j = k + 1; j < takes.size(); j++) later[j - k - 1] = takes.get(j).axis();
            u = b.put(u, takes.get(k).index(), Shapes.reduced(shape, later, false), takes.get(k).axis());
        }
        for (Window w : p.windows()) {
            shape = shape.clone();
            shape[w.axis()] = p.kept()[w.axis()];
            u = b.dynamicPad(u, w.w().start(), shape, w.axis(), w.w().step());
        }
        u = b.reshape(u, p.boxed());
        return p.wholeBox() ? u : b.pad(u, p.shape(), p.start(), p.step());
    }

    /**
     * The path of {@code subs} into a tensor of {@code shape}, or null after reporting. Indices
     * known at compile time are checked against the size (E0204); run-time ones when they run (E0507),
     * negative ones counting from the end as in PyTorch. {@code vals} holds the subscripts' values
     * already evaluated (each is evaluated once).
     */
    Path path(int[] shape, List<Ast.Sub> subs, Span span, Map<Ast.Sub, Val> vals) {
        int r = shape.length;
        long used = subs.stream().filter(s -> !(s instanceof Ast.Ellipsis) && !isNone(s)).count();
        long ellipses = subs.stream().filter(s -> s instanceof Ast.Ellipsis).count();
        if (ellipses > 1) {
            l.diags.error("E0204", span, "an index can only have a single ellipsis (`...`)", null);
            return null;
        }
        if (used > r) {
            l.diags.error("E0204", span, "too many indices for a tensor of shape " + Shapes.show(shape) + ": " + used + " given", null);
            return null;
        }
        int[] start = new int[r], stop = shape.clone(), step = new int[r];
        Arrays.fill(step, 1);
        List<Integer> kept = new ArrayList<>();
        List<Take> takes = new ArrayList<>();
        List<Window> windows = new ArrayList<>();
        String gradFn = null;
        boolean ok = true;
        int d = 0;
        for (Ast.Sub s : subs) {
            if (s instanceof Ast.Ellipsis) {
                for (long k = 0; k < r - used; k++, d++) kept.add(shape[d]);
            } else if (isNone(s)) {
                kept.add(1);
                gradFn = "UnsqueezeBackward0";
            } else if (s instanceof Ast.At at) {
                Val iv = vals.containsKey(s) ? vals.get(s) : l.exprs.expr(at.index());
                if (iv instanceof T it && it.shape().length == 0) { // known at run time: a loop's counter, an item
                    takes.add(new Take(kept.size(), it.var()));
                    kept.add(shape[d]);
                } else {
                    Integer i = l.exprs.integer(iv, at.span(), "an index");
                    int k = i == null ? -1 : i < 0 ? i + shape[d] : i;
                    if (i != null && (k < 0 || k >= shape[d])) {
                        l.diags.error("E0204", at.span(), "index " + i + " is out of range for dimension " + d + " of size " + shape[d],
                                "valid indices are " + (shape[d] == 0 ? "none: the dimension is empty" : -shape[d] + " to " + (shape[d] - 1)));
                    }
                    if (k < 0 || k >= shape[d]) ok = false;
                    else {
                        start[d] = k;
                        stop[d] = k + 1;
                    }
                }
                gradFn = "SelectBackward0";
                d++;
            } else if (s instanceof Ast.Range rg) {
                Val lo = rg.lo() == null ? null : l.exprs.expr(rg.lo()), hi = rg.hi() == null ? null : l.exprs.expr(rg.hi());
                int[] box = runTime(lo) || runTime(hi) ? null : sliceBounds(rg, lo, hi, shape[d]);
                if (box == null && (runTime(lo) || runTime(hi))) {
                    Windows.Window w = window(rg, lo, hi, shape[d]);
                    if (w == null) ok = false;
                    else windows.add(new Window(kept.size(), w));
                    kept.add(shape[d]);
                } else if (box == null) ok = false;
                else {
                    start[d] = box[0];
                    stop[d] = box[1];
                    step[d] = box[2];
                    kept.add(Math.max(0, (box[1] - box[0] + box[2] - 1) / box[2]));
                }
                gradFn = "SliceBackward0";
                d++;
            }
        }
        for (; d < r; d++) kept.add(shape[d]);
        if (!ok) return null;
        if (gradFn == null) gradFn = "AliasBackward0"; // NOTE: PyTorch names the view the last subscript makes (`x[0, :]` is a slice); `...` makes none
        return new Path(shape, start, stop, step, kept.stream().mapToInt(Integer::intValue).toArray(), windows, takes, gradFn);
    }

    private static boolean isNone(Ast.Sub s) {
        return s instanceof Ast.At at && at.index() instanceof Ast.NoneLit;
    }

    /** A slice bound known only at run time: a scalar tensor (a loop's counter, an item). */
    private static boolean runTime(Val v) {
        return v instanceof T t && t.shape().length == 0;
    }

    /** Python slice semantics (clamped bounds, negative ends) for bounds lo, hi (null where omitted) known at compile time. */
    private int[] sliceBounds(Ast.Range rg, Val lo, Val hi, int n) {
        Integer a = lo == null ? Integer.valueOf(0) : l.exprs.integer(lo, rg.lo().span(), "a slice bound");
        Integer z = hi == null ? Integer.valueOf(n) : l.exprs.integer(hi, rg.hi().span(), "a slice bound");
        Integer st = step(rg);
        if (a == null || z == null || st == null) return null;
        int from = clampBound(a, n), to = clampBound(z, n);
        return new int[] {from, Math.max(from, to), st};
    }

    /** A slice {@code lo:hi:step} with a bound known only at run time: a window of a length fixed now (see {@link Windows}); null after reporting. */
    private Windows.Window window(Ast.Range rg, Val lo, Val hi, int n) {
        Integer st = step(rg);
        if (st == null) return null;
        return l.windows.window(lo, hi, st, n, rg.lo() == null ? rg.span() : rg.lo().span(), rg.hi() == null ? rg.span() : rg.hi().span(), rg.span());
    }

    /** A slice's step: a positive whole number known at compile time, as in PyTorch; null after reporting. */
    private Integer step(Ast.Range rg) {
        Integer st = rg.step() == null ? Integer.valueOf(1) : l.exprs.integer(l.exprs.expr(rg.step()), rg.step().span(), "a slice step");
        if (st != null && st <= 0) {
            l.diags.error("E0204", rg.span(), "slice step must be positive, got " + st, "PyTorch does not support negative steps either");
            return null;
        }
        return st;
    }

    private static int clampBound(int i, int n) {
        int k = i < 0 ? i + n : i;
        return Math.max(0, Math.min(n, k));
    }

    // ---- writing -------------------------------------------------------------------------------------

    /**
     * {@code x[subs] = v} and {@code x[subs] op= v}: x changes in place, as PyTorch's
     * {@code __setitem__} and in-place operators change it. Every name bound to x sees the change;
     * on a leaf that requires grad it is allowed only under {@code no_grad} (E0304), as any
     * in-place change. The result of a change that requires grad prints {@code CopySlices}.
     */
    void assign(Ast.IndexAssign a) {
        Ast.Expr base = a.target();
        while (base instanceof Ast.Index ix) base = ix.target();
        if (!(a.target() instanceof Ast.Index) || !(base instanceof Ast.Name name)) {
            l.diags.error("E0401", a.target().span(), "cannot assign to this expression",
                    "assign to a name (`x = ...`), an attribute (`x.grad = ...`) or an indexed name (`x[0] = ...`)");
            l.exprs.expr(a.value());
            return;
        }
        Val before = l.exprs.lookup(name.name(), name.span());
        if (before instanceof Val.DictV d && ((Ast.Index) a.target()).target() == name) {
            new Dicts(l).assign(a, name, d); // hyperparams['lr'] = 0.01
            return;
        }
        if (before instanceof Val.ListV list && ((Ast.Index) a.target()).target() == name) {
            new ListOps(l).assignItem(a, name, list); // xs[0] = y
            return;
        }
        if (!(before instanceof T x)) {
            if (!(before instanceof Val.Bad)) {
                l.diags.error("E0401", a.target().span(), "`" + name.name() + "` is " + before.describe() + ", which cannot be changed by index",
                        "only tensors support indexed assignment");
            }
            l.exprs.expr(a.value());
            return;
        }
        String op = a.op().equals("=") ? null : a.op().substring(0, a.op().length() - 1);
        if (RunTimeSizes.sized(x)) {
            RunTimeSizes.refuse(l, a.target().span(), "assigning by index into `" + name.name() + "`,");
            l.exprs.expr(a.value());
            return;
        }
        if (x.leaf() >= 0 && !l.graph.noGrad()) {
            l.diags.error("E0304", a.span(), "a leaf tensor that requires grad is changed in place: `" + name.name() + "[...] " + a.op() + " ...`",
                    "PyTorch forbids this too: do the update inside `with no_grad { ... }`");
            l.exprs.expr(a.value());
            return;
        }
        Val rhs = l.exprs.expr(a.value());
        T updated = written((Ast.Index) a.target(), op, rhs, a.value().span(), a.span(), false);
        if (updated == null) return;
        T result = x.leaf() >= 0 ? l.keepLeaf(x, updated.var())
                : l.exprs.result(updated.var(), updated.gradFn());
        l.autograd.changedInPlace(x, result, a.span());
        markStale(l, x.var(), name.name(), a.span());
    }

    /**
     * The new value of the tensor {@code ix} indexes into, holding {@code rhs} where it points
     * ({@code ix op rhs} for an in-place operator {@code op}, null for {@code =}); null after
     * reporting. A chained target ({@code x[0][1] = v}) is written level by level outwards
     * ({@code chained} at the outer levels). Its grad_fn is PyTorch's: {@code IndexPutBackward0} for
     * index tensors, {@code CopySlices} for the others.
     */
    private T written(Ast.Index ix, String op, Val rhs, Span valueSpan, Span span, boolean chained) {
        T into = l.exprs.tensor(l.exprs.expr(ix.target()), ix.target().span(), "indexed assignment");
        AdvancedIndexing adv = new AdvancedIndexing(l, this);
        Map<Ast.Sub, Val> vals = adv.values(ix.subs());
        if (into == null || rhs instanceof Val.Bad) return null;
        AdvancedIndexing.Plan plan = adv.plan(into.shape(), ix.subs(), vals, ix.span());
        if (plan == AdvancedIndexing.FAILED) return null;
        if (plan != null && chained) { // NOTE: PyTorch runs it and changes only the copy; tx says so
            l.diags.error("E0401", ix.span(), "this changes a copy: indexing with a tensor of positions or a mask makes a new tensor, as in PyTorch",
                    "so the assignment would not reach the tensor; put the subscripts in one pair of brackets: `x[idx, 0] = v`");
            return null;
        }
        if (plan != null && op == null && rhs instanceof T r && !r.item() && r.shape().length > 0 && r.dtype() != into.dtype()) {
            l.diags.error("E0220", valueSpan, "writing through index tensors needs a value of the tensor's dtype: " + into.describeKind()
                            + ", found " + r.describeKind() + " (PyTorch: Index put requires the source and destination dtypes match)",
                    "convert the value first, e.g. `.long()`, `.double()` or `.bool()`; a Python number is converted for you");
            return null;
        }
        T value = plan != null ? writtenAdvanced(into, plan, adv, op, rhs, valueSpan, span, AdvancedIndexing.onlyIndexTensors(ix.subs(), vals))
                : writtenBasic(into, ix, vals, op, rhs, valueSpan, span);
        if (value != null && value.dtype() != into.dtype()) value = keptDtype(into, value, ix, op, span);
        if (value == null || !(ix.target() instanceof Ast.Index outer)) return value;
        return written(outer, null, value, valueSpan, span, true);
    }

    /**
     * The written tensor keeps its dtype, as in PyTorch: a plain write converts the value
     * ({@code k[0] = 1.7} on int64 stores 1, {@code m[0] = 5} on bool stores True); an update whose
     * result has a higher dtype is refused (E0220, see {@link Lowerer#inPlaceDtype}). Null after reporting.
     */
    private T keptDtype(T into, T value, Ast.Index ix, String op, Span span) {
        if (op != null) {
            String target = l.text(ix.span());
            return l.inPlaceDtype(into, value, (target == null ? "x[...]" : target) + " " + op + "= ...", span) ? value : null;
        }
        return l.exprs.result(b.emit(tx.runtime.ir.Prim.CAST, into.dtype(), value.var()), value.gradFn());
    }

    /** {@code into[subs] = rhs} (or {@code op=}) for basic subscripts: {@code where(mask, v placed, into)}. */
    private T writtenBasic(T into, Ast.Index ix, Map<Ast.Sub, Val> vals, String op, Val rhs, Span valueSpan, Span span) {
        Path p = path(into.shape(), ix.subs(), ix.span(), vals);
        if (p == null) return null;
        Val part = op == null ? rhs : l.exprs.binary(op, l.exprs.result(read(into.var(), p), p.gradFn()), rhs, ix.span(), valueSpan, span);
        T v = l.exprs.tensor(part, valueSpan, "indexed assignment");
        if (v == null) return null;
        int[] region = p.result();
        if (!Shapes.broadcastsTo(v.shape(), region)) {
            l.diags.error("E0201", valueSpan, "a value of shape " + Shapes.show(v.shape()) + " cannot be assigned to a part of shape "
                    + Shapes.show(region), "the value must broadcast to the indexed part's shape, as in PyTorch");
            return null;
        }
        Var placed = place(broadcast(b, v.var(), region), p);
        Var mask = place(b.fill(region, 1, tx.runtime.tensor.DType.BOOL), p); // a bool mask, as where takes
        return l.exprs.result(b.where(mask, placed, into.var()), "CopySlices");
    }

    /**
     * {@code into[subs] = rhs} (or {@code op=}) with index tensors: the region read, written by
     * {@link AdvancedIndexing}, put back; {@code pure} when the subscripts are index tensors and
     * {@code ...} only.
     */
    private T writtenAdvanced(T into, AdvancedIndexing.Plan plan, AdvancedIndexing adv, String op, Val rhs, Span valueSpan, Span span, boolean pure) {
        Path p = plan.path();
        Var region = read(into.var(), p);
        Var fresh = adv.write(region, plan, rhs, op, valueSpan, span);
        if (fresh == null) return null;
        boolean whole = p.wholeBox() && p.takes().isEmpty() && Arrays.equals(p.kept(), p.shape());
        Var out = whole ? fresh : b.where(place(b.fill(p.result(), 1, tx.runtime.tensor.DType.BOOL), p), place(fresh, p), into.var());
        // NOTE: PyTorch's index_put_ names the result only when no slice, int or None made a view first
        return l.exprs.result(out, pure ? "IndexPutBackward0" : "CopySlices");
    }

    /** v broadcast to {@code shape} (which it broadcasts to). */
    static Var broadcast(Builder b, Var v, int[] shape) {
        int[] s = v.shapeRef();
        int[] padded = new int[shape.length];
        Arrays.fill(padded, 1);
        System.arraycopy(s, 0, padded, shape.length - s.length, s.length);
        return b.expand(b.reshape(v, padded), shape);
    }
}
