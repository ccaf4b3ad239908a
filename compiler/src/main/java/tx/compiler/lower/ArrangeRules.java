package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The (v2) built-ins that rearrange a tensor's elements (LANGUAGE.md §5, shape): permute, movedim,
 * swapaxes, t, flip, roll, repeat, tile, narrow, pad, split, chunk, unbind, masked_fill, clone. Each is
 * a slice, pad, cat, reshape, broadcast, transpose or where of its input ({@link Composites}), but
 * flip, a primitive of its own; grad_fn names are PyTorch 1.13's.
 */
final class ArrangeRules extends RuleFamily {
    ArrangeRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("permute", this::permute);
        rules.put("movedim", this::movedim);
        rules.put("moveaxis", this::movedim);
        rules.put("swapaxes", rules.get("transpose"));
        rules.put("swapdims", rules.get("transpose"));
        rules.put("t", this::t);
        rules.put("flip", this::flip);
        rules.put("roll", this::roll);
        rules.put("repeat", a -> repeat(a, false));
        rules.put("tile", a -> repeat(a, true));
        rules.put("narrow", this::narrow);
        rules.put("pad", this::pad);
        rules.put("split", this::split);
        rules.put("chunk", this::chunk);
        rules.put("unbind", this::unbind);
        rules.put("masked_fill", this::maskedFill);
        rules.put("clone", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : host.view(x, x.var(), "CloneBackward0");
        });
    }

    /** {@code x.t()}: a matrix transposed, a vector or a scalar as it is; more axes are E0202, as PyTorch refuses them. */
    private Val t(Args a) {
        if (!a.shape(1, 1)) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int rank = x.shape().length;
        if (rank > 2) {
            l.diags.error("E0202", a.spanOf(0, "input"), "`t` expects a tensor with <= 2 dimensions, found shape " + Shapes.show(x.shape()),
                    "swap two axes with `x.transpose(d0, d1)`");
            return null;
        }
        int[] perm = rank == 2 ? new int[] {1, 0} : Builtins.identity(rank);
        return host.view(x, b.transpose(x.var(), perm), "TBackward0");
    }

    /**
     * Dimensions in the order given, from position i on (several numbers), or one list or number at i,
     * or the keyword: each normalised, none twice (E0203); null after reporting.
     */
    private int[] dimsInOrder(Args a, int i, String keyword, int rank) {
        List<Val> items = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        Val v = a.get(i, keyword);
        if (v instanceof Val.ListV list) {
            items.addAll(list.items());
            spans.addAll(list.spans());
        } else if (a.has(i)) {
            for (int k = i; k < a.pos.size(); k++) {
                items.add(a.pos.get(k));
                spans.add(a.posSpans.get(k));
            }
        } else if (v != null) {
            items.add(v);
            spans.add(a.spanOf(i, keyword));
        }
        int[] out = new int[items.size()];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int k = 0; k < items.size(); k++) {
            Integer d = l.exprs.integer(items.get(k), spans.get(k), "a dimension");
            Integer n = d == null ? null : a.normalizeDim(d, rank, spans.get(k));
            if (n == null) {
                a.failed = true;
                return null;
            }
            if (seen[n]) {
                l.diags.error("E0203", spans.get(k), "dimension " + d + " appears twice", null);
                a.failed = true;
                return null;
            }
            seen[n] = true;
            out[k] = n;
        }
        return out;
    }

    /** permute(x, dims) / x.permute(d0, d1, ...): out.shape[i] = x.shape[dims[i]], every dimension once. */
    private Val permute(Args a) {
        if (!a.shape(1, Integer.MAX_VALUE, "dims")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int rank = x.shape().length;
        int[] perm = dimsInOrder(a, 1, "dims", rank);
        if (perm == null) return null;
        if (perm.length != rank) {
            l.diags.error("E0203", a.span(), "`" + a.fn + "` needs all " + rank + " dimensions of a tensor of shape " + Shapes.show(x.shape())
                    + " in some order, found " + perm.length, "e.g. `" + a.fn + "(x, " + Arrays.toString(reversed(rank)) + ")`");
            return null;
        }
        return host.view(x, b.transpose(x.var(), perm), "PermuteBackward0");
    }

    private static int[] reversed(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = n - 1 - i;
        return p;
    }

    /** movedim(x, source, destination): the source dimensions go to the destinations, the others keep their order. */
    private Val movedim(Args a) {
        if (!a.shape(1, 3, "source", "destination") || !present(a, 1, "source") || !present(a, 2, "destination")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int rank = x.shape().length;
        int[] src = single(a, 1, "source", rank), dst = src == null ? null : single(a, 2, "destination", rank);
        if (src == null || dst == null) return null;
        if (src.length != dst.length) {
            l.diags.error("E0203", a.span(), "`" + a.fn + "` moves " + src.length + " dimensions to " + dst.length + " places", "give as many of each");
            return null;
        }
        int[] perm = new int[rank];
        Arrays.fill(perm, -1);
        boolean[] moved = new boolean[rank];
        for (int k = 0; k < src.length; k++) {
            perm[dst[k]] = src[k];
            moved[src[k]] = true;
        }
        for (int i = 0, next = 0; i < rank; i++) {
            if (perm[i] >= 0) continue;
            while (moved[next]) next++;
            perm[i] = next++;
        }
        return host.view(x, b.transpose(x.var(), perm), "PermuteBackward0");
    }

    /** An argument a built-in cannot do without, given at position i or as the keyword; E0104 when absent. */
    private boolean present(Args a, int i, String keyword) {
        if (a.get(i, keyword) != null) return true;
        l.diags.error("E0104", a.span(), "`" + a.fn + "` needs `" + keyword + "`", null);
        a.failed = true;
        return false;
    }

    /** Dimensions given at position i (or as the keyword) alone: a number or a list. */
    private int[] single(Args a, int i, String keyword, int rank) {
        Args one = new Args(l, a.fn, a.call);
        one.pos.add(a.get(i, keyword));
        one.posSpans.add(a.spanOf(i, keyword));
        int[] d = dimsInOrder(one, 0, null, rank);
        if (d == null) a.failed = true;
        return d;
    }

    /** flip(x, dims): the order of the elements reversed along each of dims (FlipBackward0). */
    private Val flip(Args a) {
        if (!a.shape(1, Integer.MAX_VALUE, "dims")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (a.get(1, "dims") == null) {
            l.diags.error("E0104", a.span(), "`flip` needs the dimensions to reverse", "e.g. `flip(x, [0])`");
            return null;
        }
        int[] dims = dimsInOrder(a, 1, "dims", x.shape().length);
        if (dims == null) return null;
        if (x.shape().length == 0) dims = new int[0];
        return out(b.emit(Prim.FLIP, new Attrs.Axes(dims), x.var()), "FlipBackward0");
    }

    /** roll(x, shifts, dims=None): each shift along its dimension, or along the flattened tensor when dims is absent. */
    private Val roll(Args a) {
        if (!a.shape(1, 3, "shifts", "dims")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (a.get(1, "shifts") == null) {
            l.diags.error("E0104", a.span(), "`roll` needs the shifts", "e.g. `roll(x, 1, 0)` or `roll(x, shifts=1, dims=0)`");
            return null;
        }
        List<Val> shifts = a.get(1, "shifts") instanceof Val.ListV list ? list.items() : List.of(a.get(1, "shifts"));
        int[] s = new int[shifts.size()];
        for (int k = 0; k < s.length; k++) {
            Integer n = l.exprs.integer(shifts.get(k), a.spanOf(1, "shifts"), "a shift");
            if (n == null) return null;
            s[k] = n;
        }
        int rank = x.shape().length;
        Val dimsVal = a.get(2, "dims");
        if (dimsVal == null || dimsVal instanceof Val.None) {
            if (s.length != 1) {
                l.diags.error("E0104", a.spanOf(1, "shifts"), "`roll` without `dims` takes one shift, found " + s.length, "give one dimension for each shift");
                return null;
            }
            int[] flat = {Shapes.numel(x.shape())};
            return out(b.composite(() -> b.reshape(Composites.roll(b, b.reshape(x.var(), flat), s[0], 0), x.shape())), "RollBackward0");
        }
        if (rank == 0) { // NOTE: PyTorch refuses it too (IndexError), though other built-ins take dim 0 of a scalar
            l.diags.error("E0203", a.spanOf(2, "dims"), "`roll` along a dimension needs a tensor that has one, found a 0-dimensional tensor",
                    "leave out `dims` to roll the tensor as a whole");
            return null;
        }
        int[] dims = dimsInOrderAllowingRepeats(a, dimsVal, rank);
        if (dims == null) return null;
        if (dims.length != s.length) {
            l.diags.error("E0104", a.span(), "`roll` has " + s.length + " shifts for " + dims.length + " dimensions", "give one shift for each dimension");
            return null;
        }
        Var rolled = b.composite(() -> {
            Var v = x.var();
            for (int k = 0; k < s.length; k++) v = Composites.roll(b, v, s[k], dims[k]);
            return v;
        });
        return host.view(x, rolled, "RollBackward0"); // a new tensor even when nothing moves
    }

    /** roll may roll a dimension twice (PyTorch adds the shifts up): dimensions normalised, repeats allowed. */
    private int[] dimsInOrderAllowingRepeats(Args a, Val v, int rank) {
        List<Val> items = v instanceof Val.ListV list ? list.items() : List.of(v);
        int[] out = new int[items.size()];
        for (int k = 0; k < out.length; k++) {
            Integer d = l.exprs.integer(items.get(k), a.spanOf(2, "dims"), "a dimension");
            Integer n = d == null ? null : a.normalizeDim(d, rank, a.spanOf(2, "dims"));
            if (n == null) return null;
            out[k] = n;
        }
        return out;
    }

    /**
     * x.repeat(sizes): at least one size a dimension of x (E0205 with fewer); tile(x, dims) takes
     * fewer too and puts ones in front. Both are RepeatBackward0 in PyTorch.
     */
    private Val repeat(Args a, boolean tile) {
        if (!a.shape(2, Integer.MAX_VALUE, tile ? "dims" : "repeats")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int[] sizes = a.get(1, null) == null ? sizesOf(a, tile ? "dims" : "repeats") : a.shapeFrom(1);
        if (sizes == null || a.failed) return null;
        int rank = x.shape().length;
        if (sizes.length < rank) {
            if (!tile) {
                l.diags.error("E0205", a.span(), "`repeat` needs a size for each of the " + rank + " dimensions of a tensor of shape "
                        + Shapes.show(x.shape()) + ", found " + sizes.length, "give 1 for a dimension to keep; `tile` puts the ones in front for you");
                return null;
            }
            int[] padded = new int[rank];
            Arrays.fill(padded, 1);
            System.arraycopy(sizes, 0, padded, rank - sizes.length, sizes.length);
            sizes = padded;
        }
        int[] r = sizes, shape = new int[r.length];
        for (int i = 0; i < r.length; i++) {
            long n = (long) r[i] * (i < r.length - rank ? 1 : x.shape()[i - (r.length - rank)]);
            shape[i] = (int) Math.min(n, Integer.MAX_VALUE);
        }
        if (!a.fits(shape, a.span())) return null;
        return out(b.composite(() -> Composites.repeat(b, x.var(), r)), "RepeatBackward0");
    }

    private int[] sizesOf(Args a, String keyword) {
        Val v = a.kw.get(keyword);
        List<Val> items = v instanceof Val.ListV list ? list.items() : List.of(v);
        List<Span> spans = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) spans.add(a.spanOf(-1, keyword));
        return a.sizes(items, spans, false);
    }

    /** narrow(x, dim, start, length): x[start:start + length] along dim; a negative start counts from the end. */
    private Val narrow(Args a) {
        if (!a.shape(1, 4, "dim", "start", "length") || !present(a, 1, "dim") || !present(a, 2, "start") || !present(a, 3, "length")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int rank = x.shape().length;
        Integer d = a.dim(1, "dim", rank), start = a.integer(2, "start"), length = a.integer(3, "length");
        if (d == null || start == null || length == null) return null;
        if (rank == 0) {
            l.diags.error("E0203", a.span(), "`narrow` needs a tensor with at least one dimension", null);
            return null;
        }
        int n = x.shape()[d];
        int from = start < 0 ? start + n : start;
        if (from < 0 || from > n || length < 0 || from + length > n) {
            l.diags.error("E0205", a.span(), "`narrow` of " + length + " elements from " + start + " is out of range for dimension " + d
                    + " of size " + n, "the start must be in [-" + n + ", " + n + "] and start + length at most " + n);
            return null;
        }
        return host.view(x, Composites.along(b, x.var(), d, from, from + length), "SliceBackward0");
    }

    /**
     * pad(x, [left, right, ...], mode="constant", value=0): pairs from the last dimension backwards, as
     * torch.nn.functional.pad; the modes reflect, replicate and circular are {@link PadModes}.
     */
    private Val pad(Args a) {
        if (!a.shape(1, 4, "pad", "mode", "value") || !present(a, 1, "pad")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        String mode = host.choice(a, 2, "mode", "constant", "constant", "reflect", "replicate", "circular");
        Val given = a.get(3, "value");
        Var runValue = "constant".equals(mode) ? a.runTimeNumber(3, "value") : null; // a value known only at run time
        double value = given == null || given instanceof Val.None || runValue != null ? 0 : a.number(3, "value", 0);
        Val amounts = a.get(1, "pad");
        if (mode == null || a.failed) return null;
        if (!(amounts instanceof Val.ListV list)) {
            l.diags.error("E0401", a.spanOf(1, "pad"), "`pad` takes the amounts as a list, found " + amounts.describe(), "e.g. `pad(x, [1, 1])`");
            return null;
        }
        int[] p = new int[list.items().size()];
        for (int k = 0; k < p.length; k++) {
            Integer n = l.exprs.integer(list.items().get(k), list.spans().get(k), "a padding");
            if (n == null) return null;
            p[k] = n;
        }
        int rank = x.shape().length;
        if (p.length % 2 != 0 || p.length / 2 > rank) {
            l.diags.error("E0205", a.spanOf(1, "pad"), "`pad` takes pairs (before, after) for at most the " + rank + " dimensions of a tensor of shape "
                    + Shapes.show(x.shape()) + ", found " + p.length + " amounts", "the first pair pads the last dimension");
            return null;
        }
        for (int k = 0; k < p.length / 2; k++) {
            int axis = rank - 1 - k, size = x.shape()[axis] + p[2 * k] + p[2 * k + 1];
            if (size < 0 || -p[2 * k] > x.shape()[axis] || -p[2 * k + 1] > x.shape()[axis]) {
                l.diags.error("E0205", a.spanOf(1, "pad"), "padding (" + p[2 * k] + ", " + p[2 * k + 1] + ") makes dimension " + axis + " of size "
                        + x.shape()[axis] + " negative", null);
                return null;
            }
        }
        if (!mode.equals("constant")) {
            if (value != 0) {
                l.diags.error("E0104", a.spanOf(3, "value"), "padding mode \"" + mode + "\" takes no value (PyTorch's \"doesn't take in value argument\")",
                        "only mode=\"constant\" pads with a value");
                return null;
            }
            if (!PadModes.check(l, a, x, p, mode)) return null;
            return host.view(x, b.composite(() -> PadModes.pad(b, x.var(), p, mode)), PadModes.gradFn(mode, p.length)); // a new tensor when nothing is padded
        }
        if (runValue != null) return out(b.composite(() -> Composites.constantPad(b, x.var(), p, runValue)), "ConstantPadNdBackward0");
        return out(b.composite(() -> Composites.constantPad(b, x.var(), p, value)), "ConstantPadNdBackward0");
    }

    /** split(x, size or [sizes], dim=0): pieces of size (the last smaller), or of the sizes, which must add up to the dimension. */
    private Val split(Args a) {
        if (a.kw.containsKey("split_size") && !a.kw.containsKey("split_size_or_sections")) { // the method's name for it (Tensor.split)
            a.kw.put("split_size_or_sections", a.kw.remove("split_size"));
            a.kwSpans.put("split_size_or_sections", a.kwSpans.remove("split_size"));
        }
        if (!a.shape(1, 3, "split_size_or_sections", "dim") || !present(a, 1, "split_size_or_sections")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Integer d = axisOf(a, x);
        Val spec = a.get(1, "split_size_or_sections");
        if (d == null) return null;
        int n = x.shape()[d];
        if (spec instanceof Val.ListV list) {
            int[] sizes = a.sizes(list.items(), list.spans(), false);
            if (sizes == null) return null;
            int total = 0;
            for (int s : sizes) total += s;
            if (total != n) {
                l.diags.error("E0205", a.spanOf(1, "split_size_or_sections"), "split sizes " + Arrays.toString(sizes) + " add up to " + total
                        + ", but dimension " + d + " has size " + n, "the sizes must add up to the size of the dimension");
                return null;
            }
            return pieces(x, d, sizes, "SplitWithSizesBackward0");
        }
        Integer size = a.integer(1, "split_size_or_sections");
        if (size == null) return null;
        if (size <= 0 && !(size == 0 && n == 0)) {
            l.diags.error("E0205", a.spanOf(1, "split_size_or_sections"), "`split` needs a positive size, found " + size, null);
            return null;
        }
        return pieces(x, d, evenly(n, Math.max(size, 1)), "SplitBackward0");
    }

    /** chunk(x, chunks, dim=0): split into pieces of ceil(n / chunks), so perhaps fewer than chunks, as PyTorch. */
    private Val chunk(Args a) {
        if (!a.shape(1, 3, "chunks", "dim") || !present(a, 1, "chunks")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Integer d = axisOf(a, x);
        Integer chunks = a.integer(1, "chunks");
        if (d == null || chunks == null) return null;
        if (chunks <= 0) {
            l.diags.error("E0205", a.spanOf(1, "chunks"), "`chunk` needs a positive number of chunks, found " + chunks, null);
            return null;
        }
        int n = x.shape()[d];
        return pieces(x, d, evenly(n, Math.max(1, (n + chunks - 1) / chunks)), "SplitBackward0");
    }

    /** The dim= of split and chunk (0 by default); a tensor with no dimension has nothing to split (E0203). */
    private Integer axisOf(Args a, T x) {
        int rank = x.shape().length;
        if (rank == 0) {
            l.diags.error("E0203", a.spanOf(0, null), "`" + a.fn + "` needs a tensor with at least one dimension", null);
            return null;
        }
        return a.get(2, "dim") == null ? Integer.valueOf(0) : a.dim(2, "dim", rank);
    }

    /** Sizes of size each, the last one smaller: PyTorch's split of n (one empty piece when n is 0). */
    private static int[] evenly(int n, int size) {
        int count = Math.max(1, (n + size - 1) / size);
        int[] out = new int[count];
        for (int k = 0; k < count; k++) out[k] = Math.min(size, n - k * size);
        return out;
    }

    /** The pieces as slices along d: a tuple, as PyTorch's (one piece too: `split(x, 5)[0]`), for `a, b = split(...)` or indexing. */
    private Val pieces(T x, int d, int[] sizes, String gradFn) {
        List<Val> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            out.add(host.view(x, Composites.along(b, x.var(), d, at, at + s), gradFn));
            at += s;
        }
        return new Val.Tuple(out);
    }

    /** unbind(x, dim=0): the slices along dim, each without it. */
    private Val unbind(Args a) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        int rank = x.shape().length;
        if (rank == 0) {
            l.diags.error("E0203", a.spanOf(0, null), "`unbind` needs a tensor with at least one dimension", null);
            return null;
        }
        Integer d = a.get(1, "dim") == null ? Integer.valueOf(0) : a.dim(1, "dim", rank);
        if (d == null) return null;
        int[] rest = Shapes.reduced(x.shape(), new int[] {d}, false);
        List<Val> out = new ArrayList<>();
        for (int k = 0; k < x.shape()[d]; k++) out.add(out(b.reshape(Composites.along(b, x.var(), d, k, k + 1), rest), "UnbindBackward0"));
        return new Val.Tuple(out);
    }

    /**
     * masked_fill(x, mask, value): value where the bool mask is true, x elsewhere (a where). x and
     * the mask broadcast together, as in PyTorch's out-of-place masked_fill (E0201 otherwise); value
     * is a number or a 0-dimensional tensor.
     */
    private Val maskedFill(Args a) {
        if (!a.shape(1, 3, "mask", "value") || !present(a, 1, "mask") || !present(a, 2, "value")) return null;
        T x0 = a.tensor(0), mask0 = a.tensor(1, "mask"), value = a.tensor(2, "value");
        if (x0 == null || mask0 == null || value == null || !host.mask(mask0, "masked_fill", "mask", a.spanOf(1, "mask"))) return null;
        T[] mx = host.agreed(a, mask0, x0); // PyTorch's message names the mask a
        if (mx == null) return null;
        T x = mx[1], mask = mx[0];
        if (value.shape().length != 0) {
            l.diags.error("E0202", a.spanOf(2, "value"), "`masked_fill` takes a number or a 0-dimensional tensor as its value, found shape "
                    + Shapes.show(value.shape()), null);
            return null;
        }
        // the result has x's dtype, the value converted to it (0.5 into int64 is 0), as PyTorch's; a tensor value is its other overload
        tx.runtime.ir.Var v = value.dtype() == x.dtype() ? value.var() : b.emit(tx.runtime.ir.Prim.CAST, x.dtype(), value.var());
        return out(b.where(mask.var(), v, x.var()), a.get(2, "value") instanceof T ? "MaskedFillBackward1" : "MaskedFillBackward0");
    }
}
