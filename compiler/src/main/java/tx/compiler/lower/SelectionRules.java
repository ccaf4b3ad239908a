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
 * The built-ins of LANGUAGE.md §5 that give or take int64 index tensors: {@code argmax argmin
 * argsort sort topk gather take_along_dim index_select scatter_add one_hot count_nonzero randint},
 * and the indices of {@code max(x, dim=)} / {@code min(x, dim=)} (see {@link #indicesOf}). Values are
 * PyTorch 1.13's: argmax takes the first of equal maxima and nan as the largest, sort is stable
 * (what torch.sort gives on the CPU) with nan last ascending and first descending.
 *
 * <p>Four primitives do the work: ARGMAX, ARGSORT, GATHER and SCATTER_ADD. sort's values are x
 * gathered at its indices, topk's at the first k of them, index_select and take_along_dim are
 * gathers with the index broadcast, so each gets its gradient from GATHER's (a scatter_add of g
 * back to where each value came from). An index that is not int64 is E0220, located.
 */
final class SelectionRules extends RuleFamily {
    SelectionRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("argmax", a -> argExtreme(a, true));
        rules.put("argmin", a -> argExtreme(a, false));
        rules.put("argsort", a -> sort(a, true));
        rules.put("sort", a -> sort(a, false));
        rules.put("topk", this::topk);
        rules.put("gather", this::gather);
        rules.put("take_along_dim", this::takeAlongDim);
        rules.put("index_select", this::indexSelect);
        rules.put("embedding", this::embedding);
        rules.put("scatter_add", a -> scatterAdd(a, false));
        rules.put("scatter", a -> scatterAdd(a, true));
        rules.put("one_hot", this::oneHot);
        rules.put("count_nonzero", this::countNonzero);
        rules.put("randint", this::randint);
        rules.put("randperm", this::randperm);
        rules.put("multinomial", this::multinomial);
    }

    // ---- positions of extremes and orders -------------------------------------------------------------

    /**
     * argmax(x, dim=None, keepdim=False): the position of the first maximum along dim, or in the
     * flattened tensor; argmin that of the first minimum (the first maximum of -x, so nan still wins).
     */
    private Val argExtreme(Args a, boolean max) {
        if (!a.shape(1, 3, "dim", "keepdim")) return null;
        T x = a.tensor(0);
        if (x == null || !numeric(x, a.fn, a.spanOf(0, null))) return null;
        Val dimV = a.get(1, "dim");
        Integer dim = dimV == null || dimV instanceof Val.None ? null : a.dim(1, "dim", x.shape().length);
        boolean keepdim = a.bool(2, "keepdim", false);
        if (a.failed || !nonEmpty(a, x, dim)) return null;
        RunTimeChecks.nonEmpty(l, a.span(), a.fn, x.shape(), dim == null || x.shape().length == 0 ? null : new int[] {dim});
        Var src = max ? x.var() : b.neg(x.var());
        if (dim == null || x.shape().length == 0) return out(argmaxAlong(b.reshape(src, RunTimeSizes.flat(l.b, x.shape())), 0, false), null);
        return out(argmaxAlong(src, dim, keepdim), null);
    }

    /** The int64 positions of the first maxima of v along an axis, the axis kept as size 1 if asked. */
    Var argmaxAlong(Var v, int axis, boolean keepdim) {
        Var i = b.emit(Prim.ARGMAX, new Attrs.Axis(axis), v);
        return keepdim ? b.reshape(i, Shapes.reduced(v.shapeRef(), new int[] {axis}, true)) : i;
    }

    /**
     * The indices of max(x, dim=d) and min(x, dim=d), which return (values, indices) in PyTorch: the
     * positions of the elements their values (and gradients) come from.
     */
    T indicesOf(T x, int axis, boolean keepdim, boolean max) {
        return out(argmaxAlong(max ? x.var() : b.neg(x.var()), axis, keepdim), null);
    }

    /** sort(x, dim=-1, descending=False) and argsort: the stable order along dim (values, indices). */
    private Val sort(Args a, boolean indicesOnly) {
        if (!a.shape(1, 3, "dim", "descending", "stable")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Integer axis = a.has(1) || a.kw.containsKey("dim") ? a.dim(1, "dim", x.shape().length) : (Integer) Math.max(0, x.shape().length - 1);
        boolean descending = a.bool(2, "descending", false);
        a.bool("stable", false); // stable or not, the order is the stable one (as torch.sort's on the CPU)
        if (a.failed || axis == null) return null;
        if (x.shape().length == 0) return indicesOnly ? out(b.fill(Shapes.SCALAR, 0, DType.INT64), null) : pair("sort", x, out(b.fill(Shapes.SCALAR, 0, DType.INT64), null));
        Var idx = b.emit(Prim.ARGSORT, new Attrs.AxisOrder(axis, descending), x.var());
        if (indicesOnly) return out(idx, null);
        return pair("sort", out(b.emit(Prim.GATHER, new Attrs.Axis(axis), x.var(), idx), "SortBackward0"), out(idx, null));
    }

    /**
     * topk(x, k, dim=-1, largest=True, sorted=True): the first k of the stable order. NOTE: among equal
     * values PyTorch's topk (a partial sort) may pick other positions; the values are the same.
     */
    private Val topk(Args a) {
        if (!a.shape(2, 5, "k", "dim", "largest", "sorted")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Integer k = a.integer(1, "k");
        int rank = x.shape().length;
        Integer axis = a.has(2) || a.kw.containsKey("dim") ? a.dim(2, "dim", rank) : (Integer) Math.max(0, rank - 1);
        boolean largest = a.bool(3, "largest", true);
        a.bool(4, "sorted", true);
        if (a.failed || k == null || axis == null) return null;
        int n = rank == 0 ? 1 : x.shape()[axis];
        if (k < 0 || !Shapes.isSymbol(n) && k > n) {
            l.diags.error("E0205", a.spanOf(1, "k"), "`topk` of " + k + " elements along a dimension of size " + n, "k must be 0 to " + n);
            return null;
        }
        if (rank == 0) return pair("topk", x, out(b.fill(Shapes.SCALAR, 0, DType.INT64), null));
        Var order = b.emit(Prim.ARGSORT, new Attrs.AxisOrder(axis, largest), x.var());
        Var idx;
        if (Shapes.symbolic(x.shape())) { // a selection's: its first k, checked when the program runs where its size is known only then
            if (Shapes.isSymbol(n)) {
                RunTimeChecks.require(l, a.span(), b.emit(Prim.LE, null, b.scalar(k, DType.INT64), b.sizeOf(n)), List.of(RunTimeChecks.text("selected index k out of range")));
            }
            idx = b.dynamicSlice(order, b.scalar(0, DType.INT64), axis, k, 1);
        } else {
            int[] start = new int[rank], stop = x.shape().clone(), step = new int[rank];
            Arrays.fill(step, 1);
            stop[axis] = k;
            idx = b.slice(order, start, stop, step);
        }
        return pair("topk", out(b.emit(Prim.GATHER, new Attrs.Axis(axis), x.var(), idx), "TopkBackward0"), out(idx, null));
    }

    /** (values, indices), as PyTorch's named tuples: destructured, indexed, or read as .values and .indices. */
    private Val pair(String kind, T values, T indices) {
        Val.Tuple t = new Val.Tuple(List.of(values, indices));
        l.namedPairs.put(t, kind);
        return t;
    }

    // ---- gathers and scatters ---------------------------------------------------------------------

    /** gather(x, dim, index): out[..., i, ...] = x[..., index[..., i, ...], ...]; index of x's rank, no larger elsewhere. */
    private Val gather(Args a) {
        if (!a.shape(2, 3, "dim", "index")) return null;
        T x = a.tensor(0), idx = a.tensor(2, "index");
        if (x == null || idx == null || !index(idx, a.fn, a.spanOf(2, "index"))) return null;
        Integer axis = a.dim(1, "dim", x.shape().length);
        if (axis == null || !fitsIndex(a, x, idx, axis, a.spanOf(2, "index"))) return null;
        return out(gatherAlong(x, axis, idx.var()), "GatherBackward0");
    }

    private Var gatherAlong(T x, int axis, Var idx) {
        if (x.shape().length == 0) return b.reshape(x.var(), idx.shapeRef()); // a 0-d x: its one element (the index is 0)
        return b.emit(Prim.GATHER, new Attrs.Axis(axis), x.var(), idx);
    }

    /**
     * take_along_dim(x, indices, dim=None): with dim, x and the indices broadcast over the other
     * dimensions, then a gather; without, a gather from the flattened x. grad_fn GatherBackward0, as
     * PyTorch 1.13 (take_along_dim is a gather there too).
     */
    private Val takeAlongDim(Args a) {
        if (!a.shape(2, 3, "dim", "indices")) return null;
        T x = a.tensor(0), idx = a.tensor(1, "indices");
        if (x == null || idx == null || !index(idx, a.fn, a.spanOf(1, "indices"))) return null;
        Val d = a.get(2, "dim");
        if (d == null || d instanceof Val.None) {
            Var flat = b.reshape(x.var(), new int[] {Shapes.numel(x.shape())});
            Var fi = b.reshape(idx.var(), new int[] {Shapes.numel(idx.shape())});
            return out(b.emit(Prim.GATHER, new Attrs.Axis(0), flat, fi), "GatherBackward0");
        }
        int rank = x.shape().length;
        Integer axis = a.dim(2, "dim", rank);
        if (axis == null) return null;
        if (idx.shape().length != rank) {
            l.diags.error("E0202", a.spanOf(1, "indices"), "`take_along_dim` needs indices of x's rank " + rank + ", found shape " + Shapes.show(idx.shape()), null);
            return null;
        }
        int[] xs = x.shape().clone(), is = idx.shape().clone();
        xs[axis] = 1;
        is[axis] = 1;
        int[] common = Shapes.broadcast(xs, is);
        if (common == null) {
            l.diags.error("E0201", a.span(), "`take_along_dim`: shapes " + Shapes.show(x.shape()) + " and " + Shapes.show(idx.shape())
                    + " do not broadcast outside dimension " + axis, null);
            return null;
        }
        int[] xTo = common.clone(), iTo = common.clone();
        xTo[axis] = x.shape()[axis];
        iTo[axis] = idx.shape()[axis];
        return out(b.emit(Prim.GATHER, new Attrs.Axis(axis), b.expand(x.var(), xTo), b.expand(idx.var(), iTo)), "GatherBackward0");
    }

    /** index_select(x, dim, index): the slices of x along dim at a vector (or 0-d) of positions: a gather with the index spread. */
    private Val indexSelect(Args a) {
        if (!a.shape(2, 3, "dim", "index")) return null;
        T x = a.tensor(0), idx = a.tensor(2, "index");
        if (x == null || idx == null || !index(idx, a.fn, a.spanOf(2, "index"))) return null;
        int rank = x.shape().length;
        Integer axis = a.dim(1, "dim", rank);
        if (axis == null) return null;
        if (idx.shape().length > 1) {
            l.diags.error("E0202", a.spanOf(2, "index"), "`index_select` takes a vector of positions, found shape " + Shapes.show(idx.shape()), null);
            return null;
        }
        inside(a, idx.var(), rank == 0 ? 1 : x.shape()[axis], axis == 1 && rank >= 2);
        if (rank == 0) return out(gatherAlong(x, 0, b.reshape(idx.var(), Shapes.SCALAR)), "IndexSelectBackward0");
        return out(selectAlong(x.var(), axis, idx.var()), "IndexSelectBackward0");
    }

    /** F.embedding(input, weight): weight's rows at the positions of input (int64, any shape), shaped input's shape + [dim]. */
    private Val embedding(Args a) {
        if (!a.shape(2, 2, "input", "weight")) return null;
        T idx = a.tensor(0), w = a.tensor(1);
        if (idx == null || w == null || !index(idx, a.fn, a.spanOf(0, null))) return null;
        if (w.shape().length != 2) {
            l.diags.error("E0202", a.spanOf(1, null), "`embedding` takes a weight of shape [num_embeddings, embedding_dim], found " + Shapes.show(w.shape()), null);
            return null;
        }
        inside(a, idx.var(), w.shape()[0], false);
        Var rows = selectAlong(w.var(), 0, idx.var());
        return out(b.reshape(rows, Shapes.concat(idx.shape(), new int[] {w.shape()[1]})), "EmbeddingBackward0");
    }

    /**
     * Stops the run (E0509) unless every position of idx is in [0, n), with PyTorch's words, which
     * depend on its kernel: index_select along dimension 1 of a tensor of rank 2 or more (its
     * {@code index_select_out_cpu_dim1_}) names the first bad position, "INDICES element is out of
     * DATA bounds, id=7 axis_dim=3"; elsewhere, and for embedding, "index out of range in self".
     */
    private void inside(Args a, Var idx, int n, boolean dim1) {
        Tensor t = b.constantValue(idx);
        if (t != null && Arrays.stream(t.data()).allMatch(d -> d >= 0 && d < n)) return;
        Var size = RunTimeChecks.size(l, n);
        Var bad = b.emit(Prim.BITWISE_OR, null, b.lt(idx, b.scalar(0, DType.INT64)), b.ge(idx, size));
        if (!dim1) {
            RunTimeChecks.noneOf(l, a.span(), bad, "index out of range in self");
            return;
        }
        RunTimeChecks.noneOf(l, a.span(), bad, idx, "INDICES element is out of DATA bounds, id=",
                List.of(RunTimeChecks.text(" axis_dim="), RunTimeChecks.shown(l, size)));
    }

    /** The slices of x along an axis at the positions of idx (any shape, read flat): a gather with the positions spread. */
    Var selectAlong(Var x, int axis, Var idx) {
        int m = idx.rank() == 1 ? idx.shapeRef()[0] : Shapes.numel(idx.shapeRef()); // a vector's length may be known only at run time
        int[] to = x.shapeRef().clone();
        to[axis] = m;
        return b.emit(Prim.GATHER, new Attrs.Axis(axis), x, spreadIndex(idx, axis, to));
    }

    /** {@link #selectAlong} backwards: zeros of {@code shape} with src's slices added at the positions of idx (a vector) along an axis. */
    Var placeAlong(Var src, int axis, Var idx, int[] shape) {
        Var zeros = b.fill(shape, 0.0, src.dtype());
        return b.emit(Prim.SCATTER_ADD, new Attrs.Axis(axis), zeros, spreadIndex(idx, axis, src.shapeRef()), src);
    }

    /** The positions of idx along an axis, spread over the other axes of {@code to} (gather's and scatter_add's index). */
    private Var spreadIndex(Var idx, int axis, int[] to) {
        int[] ones = new int[to.length];
        Arrays.fill(ones, 1);
        ones[axis] = to[axis];
        return b.expand(b.reshape(idx, ones), to);
    }

    /**
     * scatter_add(x, dim, index, src): x with src added at index along dim; index and src of one
     * shape. scatter(x, dim, index, src) (write): src written there instead, a later element
     * winning where positions repeat (PyTorch's CPU order); self and src of one dtype, as PyTorch.
     */
    private Val scatterAdd(Args a, boolean write) {
        if (!a.shape(2, 4, "dim", "index", "src")) return null;
        T x = a.tensor(0), idx = a.tensor(2, "index"), src = a.tensor(3, "src");
        if (x == null || idx == null || src == null || !index(idx, a.fn, a.spanOf(2, "index"))) return null;
        Integer axis = a.dim(1, "dim", x.shape().length);
        if (axis == null || !fitsIndex(a, x, idx, axis, a.spanOf(2, "index"))) return null;
        int[] is = idx.shape(), ss = src.shape();
        boolean fits = is.length == ss.length;
        for (int d = 0; fits && d < is.length; d++) fits = is[d] <= ss[d];
        if (!fits) {
            l.diags.error("E0202", a.spanOf(3, "src"), "`" + a.fn + "` takes a source at least as large as the index, of shape " + Shapes.show(is)
                    + ", found " + Shapes.show(ss), "as PyTorch, the source has the index's rank, and each of its sizes is at least the index's");
            return null;
        }
        if (write && x.dtype() != src.dtype()) {
            l.diags.error("E0220", a.spanOf(3, "src"), "scatter(): Expected self.dtype to be equal to src.dtype",
                    "self is " + x.describeDtype() + ", src " + src.describeDtype() + ": convert one (`src.double()`, `src.long()`)");
            return null;
        }
        // as PyTorch, only the source's corner of the index's shape is added; the rest is not read (and gets no gradient)
        Var part = Arrays.equals(is, ss) ? src.var() : b.slice(src.var(), new int[is.length], is.clone(), Shapes.ones(is.length));
        Var s = DType.promote(x.dtype(), src.dtype()) == x.dtype() ? part : b.emit(Prim.CAST, x.dtype(), part); // into x's dtype
        if (write) return out(b.emit(Prim.SCATTER, new Attrs.Axis(axis), x.var(), idx.var(), s), "ScatterBackward0");
        return out(b.emit(Prim.SCATTER_ADD, new Attrs.Axis(axis), x.var(), idx.var(), s), "ScatterAddBackward0");
    }

    /** An index of x's rank, no larger than x but along the axis (gather's and scatter_add's rule, E0202 otherwise). */
    private boolean fitsIndex(Args a, T x, T idx, int axis, Span span) {
        int[] xs = x.shape(), is = idx.shape();
        boolean ok = is.length == xs.length;
        for (int d = 0; ok && d < xs.length; d++) ok = d == axis || is[d] <= xs[d];
        if (!ok) {
            l.diags.error("E0202", span, "`" + a.fn + "`: an index of shape " + Shapes.show(is) + " does not fit a tensor of shape " + Shapes.show(xs)
                    + " along dimension " + axis, "the index has the tensor's rank, and no larger sizes except along the dimension");
        }
        return ok;
    }

    // ---- one_hot, count_nonzero, randint ------------------------------------------------------------

    /**
     * one_hot(index, num_classes=-1): int64, a last dimension of num_classes with a 1 at each index.
     * Without num_classes PyTorch takes max(index) + 1, which tx needs at compile time: from a constant
     * index, else it must be given (E0105).
     */
    private Val oneHot(Args a) {
        if (!a.shape(1, 2, "num_classes")) return null;
        T idx = a.tensor(0);
        if (idx == null || !index(idx, a.fn, a.spanOf(0, null))) return null;
        Integer n = a.get(1, "num_classes") == null ? Integer.valueOf(-1) : a.integer(1, "num_classes");
        if (n == null) return null;
        if (n < 0) {
            Tensor t = l.b.constantValue(idx.var());
            if (t == null) {
                l.diags.error("E0105", a.span(), "`one_hot` needs `num_classes=` here: the classes' count must be known at compile time",
                        "PyTorch takes max(index) + 1, which tx knows only for a constant index; e.g. `one_hot(y, num_classes=10)`");
                return null;
            }
            double m = -1;
            for (double v : t.data()) m = Math.max(m, v);
            n = (int) m + 1;
        }
        if (!classesInRange(a, idx, n)) return null;
        int[] ones = new int[idx.shape().length + 1];
        Arrays.fill(ones, 1);
        ones[ones.length - 1] = n;
        double[] classes = new double[n];
        for (int i = 0; i < n; i++) classes[i] = i;
        Var range = b.reshape(b.constant(Tensor.of(new int[] {n}, classes), DType.INT64), ones);
        Var hit = b.eq(b.reshape(idx.var(), Shapes.concat(idx.shape(), new int[] {1})), range);
        return out(b.emit(Prim.CAST, DType.INT64, hit), null);
    }

    /**
     * PyTorch's refusal of a class outside [0, num_classes): E0204 for a constant index, else a
     * check when the program runs (E0509, at the call), each with PyTorch's words, the negative
     * ones first as PyTorch checks them. False after reporting.
     */
    private boolean classesInRange(Args a, T idx, int n) {
        Tensor t = l.b.constantValue(idx.var());
        String negative = "Class values must be non-negative.", large = "Class values must be smaller than num_classes.";
        if (t == null) {
            RunTimeChecks.noneOf(l, a.span(), b.lt(idx.var(), b.scalar(0, DType.INT64)), negative);
            RunTimeChecks.noneOf(l, a.span(), b.ge(idx.var(), b.scalar(n, DType.INT64)), large);
            return true;
        }
        double lo = 0, hi = 0;
        for (double v : t.data()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo >= 0 && hi < n) return true;
        l.diags.error("E0204", a.spanOf(0, null), lo < 0 ? negative : large, "PyTorch raises this when it runs: `one_hot`'s classes are 0 to num_classes - 1 ("
                + (n - 1) + " here)");
        return false;
    }

    /** count_nonzero(x, dim=None): the number of non-zero elements, int64. */
    private Val countNonzero(Args a) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int[] axes = a.axes(1, "dim", x.shape().length);
        if (axes == null) return null;
        return out(b.sum(b.ne(x.var(), b.scalar(0, x.dtype())), axes, false), null);
    }

    /**
     * randint(low=0, high, size, seed=): whole numbers uniform in [low, high), int64, PyTorch's (see
     * {@link RandomStreams}).
     */
    private Val randint(Args a) {
        if (!a.shape(2, 3, "seed", "generator", "low", "high", "size", "requires_grad", "dtype")) return null;
        DType dtype = a.dtype("dtype", DType.INT64); // PyTorch draws the whole numbers, then stores them in this dtype
        boolean three = a.has(2);
        double low = three ? a.number(0, "low", 0) : a.number(-1, "low", 0), high = a.number(three ? 1 : 0, "high", 0);
        int[] shape = a.shapeFrom(three ? 2 : 1);
        RandomStreams.Source seed = l.random.sourceOf(a);
        if (shape == null || a.failed || !a.fits(shape, a.span())) return null;
        if (!(high > low) || low != Math.rint(low) || high != Math.rint(high)) {
            l.diags.error("E0205", a.span(), "`randint` draws from [low, high): high must be a whole number above low", null);
            return null;
        }
        return wholeNumbers(a, l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.RANDINT, shape, low, high), seed), dtype);
    }

    /** Drawn whole numbers (int64) stored in dtype, as PyTorch stores them: a leaf with requires_grad=True (of floats only), else a constant. */
    private Val wholeNumbers(Args a, Var drawn, DType dtype) {
        Var v = dtype == DType.INT64 ? drawn : b.emit(Prim.CAST, dtype, drawn);
        if (a.bool("requires_grad", false)) return l.floatForGrad(dtype, a.kwSpans.get("requires_grad")) ? l.leaf(v, a.call) : null;
        return out(v, null);
    }

    /** randperm(n, seed=): 0 to n - 1 in PyTorch's random order (int64), swapped as its CPU kernel swaps them. */
    private Val randperm(Args a) {
        if (!a.shape(1, 1, "seed", "generator", "dtype", "requires_grad")) return null;
        Integer n = a.count(0, "n");
        DType dtype = a.dtype("dtype", DType.INT64);
        RandomStreams.Source seed = l.random.sourceOf(a);
        if (n == null || a.failed || !a.fits(new int[] {n}, a.span())) return null;
        return wholeNumbers(a, l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.RANDPERM, new int[] {n}, 0, n), seed), dtype);
    }

    /**
     * multinomial(input, num_samples, replacement=False, generator=): PyTorch 1.13's CPU sampling, with
     * its draws. With replacement, a uniform number per sample, placed among the row's running sums
     * divided by their last (the last set to 1) by counting the sums below it, as PyTorch's binary
     * search places it; without, the first num_samples of p / q, q = -log(1 - u) exponential, one u
     * per category (PyTorch's argmax, or its topk: NOTE among equal values the order may differ).
     * The distribution is checked when the program runs, as PyTorch checks it ({@link #checkDistribution}).
     */
    private Val multinomial(Args a) {
        if (!a.shape(2, 3, "num_samples", "replacement", "generator")) return null;
        T p = a.tensor(0);
        Integer n = a.count(1, "num_samples");
        boolean replacement = a.bool(2, "replacement", false);
        RandomStreams.Source from = l.random.sourceOf(a);
        if (p == null || n == null || a.failed) return null;
        int rank = p.shape().length, k = rank == 0 ? 0 : p.shape()[rank - 1], rows = rank == 2 ? p.shape()[0] : 1;
        String refused = rank < 1 || rank > 2 ? "prob_dist must be 1 or 2 dim" : !p.dtype().isFloat() ? "multinomial only supports floating-point dtypes for input, got: "
                + p.dtype().text() : n <= 0 ? "cannot sample n_sample <= 0 samples" : !replacement && n > k ? "cannot sample n_sample > prob_dist.size(-1) samples without replacement" : null;
        if (refused != null || Shapes.symbolic(p.shape())) {
            l.diags.error("E0104", a.span(), refused != null ? refused : "`multinomial` of a tensor whose size is known only at run time", "PyTorch raises this when it runs");
            return null;
        }
        Var x = b.reshape(p.var(), new int[] {rows, k}), picked;
        checkDistribution(a, x, replacement);
        if (replacement) {
            Var u = l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.UNIFORM, new int[] {rows, n}, 0, 1), from);
            Var sums = b.emit(Prim.CUMSUM, new Attrs.Axis(1), x);
            Var total = b.slice(sums, new int[] {0, k - 1}, new int[] {rows, k}, new int[] {1, 1});
            Var spread = b.div(b.slice(sums, new int[] {0, 0}, new int[] {rows, k - 1}, new int[] {1, 1}), total);
            Var cdf = b.emit(Prim.CAT, new Attrs.Axis(1), spread, b.fill(new int[] {rows, 1}, 1.0));
            picked = b.sum(b.lt(b.reshape(cdf, new int[] {rows, 1, k}), b.reshape(u, new int[] {rows, n, 1})), new int[] {2}, false);
        } else {
            Var u = l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.UNIFORM, new int[] {rows, k}, 0, 1), from);
            Var r = b.div(x, b.neg(b.emit(Prim.LOG, null, b.sub(b.scalar(1), u))));
            picked = n == 1 ? argmaxAlong(r, 1, true)
                    : b.slice(b.emit(Prim.ARGSORT, new Attrs.AxisOrder(1, true), r), new int[] {0, 0}, new int[] {rows, n}, new int[] {1, 1});
        }
        return out(b.reshape(picked, rank == 2 ? new int[] {rows, n} : new int[] {n}), null);
    }

    /**
     * multinomial's checks of the rows x when the program runs, in PyTorch's words (E0509). With
     * replacement the first bad element, row by row, decides them: negative or nan, else infinite;
     * without, one message for all three. Then a row of zeros. NOTE: PyTorch checks a row's sum
     * before the next row's elements, so a matrix with both faults may name the other one.
     */
    private void checkDistribution(Args a, Var x, boolean replacement) {
        int[] shape = x.shapeRef();
        Var flat = b.reshape(x, new int[] {shape[0] * shape[1]});
        Var good = b.emit(Prim.BITWISE_AND, null, b.ge(flat, b.scalar(0)), b.lt(b.emit(Prim.ABS, null, flat), b.scalar(Double.POSITIVE_INFINITY)));
        Var bad = b.sub(b.scalar(1), b.emit(Prim.CAST, DType.FLOAT64, good)), none = b.eq(b.sum(bad, new int[] {0}, false), b.scalar(0));
        String prefix = "invalid multinomial distribution (";
        if (replacement) {
            Var first = b.take(flat, b.emit(Prim.ARGMAX, new Attrs.Axis(0), bad), 0);
            RunTimeChecks.require(l, a.span(), b.emit(Prim.BITWISE_OR, null, none, b.ge(first, b.scalar(0))),
                    List.of(RunTimeChecks.text(prefix + "encountering probability entry < 0)")));
            RunTimeChecks.require(l, a.span(), none, List.of(RunTimeChecks.text(prefix + "encountering probability entry = infinity or NaN)")));
        } else {
            RunTimeChecks.require(l, a.span(), none, List.of(RunTimeChecks.text("probability tensor contains either `inf`, `nan` or element < 0")));
        }
        Var emptyRows = b.sum(b.eq(b.sum(x, new int[] {1}, false), b.scalar(0)), new int[] {0}, false);
        RunTimeChecks.require(l, a.span(), b.eq(emptyRows, b.scalar(0, DType.INT64)), List.of(RunTimeChecks.text(prefix + "sum of probabilities <= 0)")));
    }

    // ---- dtype checks -----------------------------------------------------------------------------------

    /** Whether idx is an int64 tensor, as an index must be (E0220 otherwise: PyTorch's "Expected dtype int64 for index"). */
    boolean index(T idx, String fn, Span span) {
        if (idx.dtype() == DType.INT64) return true;
        l.diags.error("E0220", span, "`" + fn + "` takes an int64 tensor of positions, found " + idx.describeDtype(),
                idx.dtype().isFloat() ? "write the positions without a point (`tensor([0, 2])`), or convert with `.long()`" : "convert with `.long()`");
        return false;
    }

    /** Whether x is a number tensor (argmax and argmin refuse bools, as PyTorch's kernels do). */
    private boolean numeric(T x, String fn, Span span) {
        if (x.dtype() != DType.BOOL) return true;
        l.diags.error("E0220", span, "`" + fn + "` of a bool tensor: PyTorch has no " + fn + " for bools", "convert first: `x.long()`");
        return false;
    }

    private boolean nonEmpty(Args a, T x, Integer dim) {
        boolean empty = dim == null || x.shape().length == 0 ? Shapes.empty(x.shape()) : x.shape()[dim] == 0;
        if (empty) l.diags.error("E0205", a.span(), "`" + a.fn + "` of an empty tensor has no value", null);
        return !empty;
    }
}
