package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;

/** The evaluated arguments of one built-in call, with helpers that check them and report in place. */
final class Args {
    final String fn;
    final Ast.Call call;
    final List<Val> pos = new ArrayList<>();
    final List<Span> posSpans = new ArrayList<>();
    final Map<String, Val> kw = new LinkedHashMap<>();
    final Map<String, Span> kwSpans = new LinkedHashMap<>();
    private final Lowerer l;
    boolean failed;

    Args(Lowerer l, String fn, Ast.Call call) {
        this.l = l;
        this.fn = fn;
        this.call = call;
    }

    Span span() {
        return call.span();
    }

    boolean anyBad() {
        for (Val v : pos) if (v instanceof Val.Bad) return true;
        for (Val v : kw.values()) if (v instanceof Val.Bad) return true;
        return false;
    }

    /** Reports keywords the built-in does not take, and positional counts outside [min, max]. */
    boolean shape(int min, int max, String... keywords) {
        List<String> allowed = Arrays.asList(keywords);
        alias("axis", "dim", allowed);
        alias("keepdims", "keepdim", allowed);
        for (Map.Entry<String, Span> e : kwSpans.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                l.diags.error("E0104", e.getValue(), "`" + fn + "` has no keyword argument `" + e.getKey() + "`",
                        allowed.isEmpty() ? "it takes no keyword arguments" : "it takes " + String.join(", ", allowed.stream().map(k -> "`" + k + "=`").toList()));
                failed = true;
            }
        }
        if (pos.size() < min || pos.size() > max) {
            String want = min == max ? Integer.toString(min) : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            l.diags.error("E0104", call.span(), "`" + fn + "` takes " + want + " positional argument" + (want.equals("1") ? "" : "s")
                    + ", got " + pos.size(), null);
            failed = true;
        }
        return !failed && !anyBad();
    }

    /**
     * NumPy's name of a keyword that PyTorch also takes ({@code x.argmax(axis=1)},
     * {@code sum(x, 1, keepdims=True)}), read as PyTorch's own name where the built-in takes that
     * one and it is not given as well.
     */
    private void alias(String numpy, String torch, List<String> allowed) {
        if (!kwSpans.containsKey(numpy) || kwSpans.containsKey(torch) || !allowed.contains(torch)) return;
        kw.put(torch, kw.remove(numpy));
        kwSpans.put(torch, kwSpans.remove(numpy));
    }

    boolean has(int i) {
        return i < pos.size();
    }

    /** Positional i, or else the keyword, or null. */
    Val get(int i, String keyword) {
        if (i >= 0 && i < pos.size()) return pos.get(i);
        return keyword == null ? null : kw.get(keyword);
    }

    Span spanOf(int i, String keyword) {
        if (i >= 0 && i < posSpans.size()) return posSpans.get(i);
        Span s = keyword == null ? null : kwSpans.get(keyword);
        return s == null ? call.span() : s;
    }

    T tensor(int i) {
        return tensor(i, null);
    }

    T tensor(int i, String keyword) {
        Val v = get(i, keyword);
        if (v == null) return null;
        T t = l.exprs.tensor(v, spanOf(i, keyword), "`" + fn + "`");
        if (t == null) failed = true;
        return t;
    }

    boolean bool(String keyword, boolean dflt) {
        return bool(-1, keyword, dflt);
    }

    /** A boolean given at position i, or else as the keyword. */
    boolean bool(int i, String keyword, boolean dflt) {
        Val v = get(i, keyword);
        if (v == null) return dflt;
        if (v instanceof Val.Bool b) return b.value();
        if (v instanceof Val.Num n && n.py() == Val.PyType.BOOL) return n.value() != 0; // a comparison of numbers
        l.diags.error("E0401", spanOf(i, keyword), "`" + keyword + "` takes true or false, found " + v.describe(), null);
        failed = true;
        return dflt;
    }

    /**
     * A Python number known only when the program runs at position i or the keyword ({@code a =
     * loss.item()}, a loop's counter), as a float64 scalar of the program; null where the argument
     * is absent or anything else (a number known now goes to {@link #number}, which reports the rest).
     */
    tx.runtime.ir.Var runTimeNumber(int i, String keyword) {
        Val v = get(i, keyword);
        if (!(v instanceof Val.T t) || !t.item() || t.shape().length != 0) return null;
        return t.dtype() == tx.runtime.tensor.DType.FLOAT64 ? t.var() : l.b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.FLOAT64, t.var());
    }

    /** A call's arguments, each evaluated, in order. */
    static Args evaluated(Lowerer l, String fn, Ast.Call c) {
        Args a = new Args(l, fn, c);
        for (Ast.Arg arg : c.args()) a.add(arg, l.exprs.expr(arg.value()));
        return a;
    }

    /** Adds an argument's value: positional, or under its keyword. */
    void add(Ast.Arg arg, Val v) {
        if (arg.name() == null) {
            pos.add(v);
            posSpans.add(arg.value().span());
        } else {
            kw.put(arg.name(), v);
            kwSpans.put(arg.name(), arg.span());
        }
    }

    double number(int i, String keyword, double dflt) {
        Val v = get(i, keyword);
        if (v == null) return dflt;
        if (v instanceof Val.Num n) return n.value();
        l.diags.error("E0401", spanOf(i, keyword), "`" + fn + "` needs a number known at compile time here, found " + v.describe(), null);
        failed = true;
        return dflt;
    }

    /** The dtype given as the keyword (`dtype=int64`, `dtype=torch.bool`), dflt without it, or dflt after reporting another value (E0401). */
    tx.runtime.tensor.DType dtype(String keyword, tx.runtime.tensor.DType dflt) {
        Val v = get(-1, keyword);
        if (v == null) return dflt;
        if (v instanceof Val.DTypeV d) return d.dtype();
        l.diags.error("E0401", spanOf(-1, keyword), "`" + keyword + "=` takes a dtype (float64, int64 or bool), found " + v.describe(), null);
        failed = true;
        return dflt;
    }

    Integer integer(int i, String keyword) {
        Val v = get(i, keyword);
        if (v == null) return null;
        Integer n = l.exprs.integer(v, spanOf(i, keyword), "`" + (keyword != null && i >= pos.size() ? keyword + "=" : fn + "` argument") + (keyword != null && i >= pos.size() ? "`" : ""));
        if (n == null) failed = true;
        return n;
    }

    /**
     * Refuses, before anything is allocated, a tensor whose element count does not fit in a Java
     * array or whose float64s would not fit in the memory the JVM may use.
     */
    boolean fits(int[] shape, Span span) {
        if (l.fits(shape, span, "a tensor of shape " + tx.runtime.tensor.Shapes.show(shape))) return true;
        failed = true;
        return false;
    }

    /** A size argument (eye, linspace): a whole number that is not negative, or null after reporting. */
    Integer count(int i, String what) {
        Integer n = integer(i, null);
        if (n != null && n < 0) {
            l.diags.error("E0205", spanOf(i, null), what + " must not be negative, found " + n, null);
            failed = true;
            return null;
        }
        return n;
    }

    /** A dimension index for a tensor of this rank (negative counts from the end), or null after reporting. */
    Integer dim(int i, String keyword, int rank) {
        Integer d = integer(i, keyword);
        if (d == null) return null;
        return normalizeDim(d, rank, spanOf(i, keyword));
    }

    Integer normalizeDim(int d, int rank, Span span) {
        int r = Math.max(rank, 1);
        if (d < -r || d >= r) {
            l.diags.error("E0203", span, "dimension " + d + " is out of range for a tensor of rank " + rank,
                    "valid dimensions are " + (-r) + " to " + (r - 1));
            failed = true;
            return null;
        }
        return d < 0 ? d + r : d;
    }

    /** The axes of dim= (an int or a list; absent: all axes), sorted and distinct. */
    int[] axes(int i, String keyword, int rank) {
        Val v = get(i, keyword);
        if (v == null || v instanceof Val.None) return Composites.allAxes(rank);
        List<Val> items = v instanceof Val.ListV list ? list.items() : List.of(v);
        List<Span> spans = v instanceof Val.ListV list ? list.spans() : List.of(spanOf(i, keyword));
        TreeSet<Integer> out = new TreeSet<>();
        for (int k = 0; k < items.size(); k++) {
            Integer d = l.exprs.integer(items.get(k), spans.get(k), "a dimension");
            if (d == null) { failed = true; return null; }
            Integer n = normalizeDim(d, rank, spans.get(k));
            if (n == null) return null;
            if (rank == 0) continue;
            if (!out.add(n)) {
                l.diags.error("E0203", spans.get(k), "dimension " + d + " appears twice", null);
                failed = true;
                return null;
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A shape given as numbers from position i on, or as one list / x.shape at i; no size may be negative. */
    int[] shapeFrom(int i) {
        return shapeFrom(i, false);
    }

    /** As {@link #shapeFrom(int)}; with {@code infer}, a size may be -1 (reshape, expand). */
    int[] shapeFrom(int i, boolean infer) {
        List<Val> items = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        if (has(i) && pos.get(i) instanceof Val.Shape s && tx.runtime.tensor.Shapes.symbolic(s.dims())) {
            failed = true;
            RunTimeSizes.refuse(l, posSpans.get(i), "a shape taken from `.shape`");
            return null;
        }
        if (has(i) && pos.get(i) instanceof Val.Shape s) return s.dims().clone();
        shapeItems(i, items, spans);
        return sizes(items, spans, infer);
    }

    /** The sizes of a shape given from position i on: one list's items, or the arguments from i on. */
    private void shapeItems(int i, List<Val> items, List<Span> spans) {
        if (has(i) && pos.get(i) instanceof Val.ListV list) {
            items.addAll(list.items());
            spans.addAll(list.spans());
        } else {
            for (int k = i; k < pos.size(); k++) {
                items.add(pos.get(k));
                spans.add(posSpans.get(k));
            }
        }
    }

    /**
     * A shape for a constructor ({@code zeros}, {@code ones}, {@code full}): as {@link #shapeFrom(int)},
     * but a size may be known only at run time, a Python int of the program ({@code x[m].shape[0]},
     * {@code int(t.item())}, a named dimension of a function compiled for every size) or a symbol of
     * a shape taken from {@code .shape}; such a size is a symbol of the result's shape (the same
     * symbol where the int is a symbol's own size), checked not negative when the program runs.
     */
    int[] runTimeShapeFrom(int i) {
        if (has(i) && pos.get(i) instanceof Val.Shape s) return s.dims().clone();
        List<Val> items = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        shapeItems(i, items, spans);
        int[] out = new int[items.size()];
        tx.runtime.ir.Var[] given = new tx.runtime.ir.Var[items.size()];
        for (int k = 0; k < items.size(); k++) {
            if (!(items.get(k) instanceof Val.T t && t.py() == Val.PyType.INT && t.var().rank() == 0)) {
                int[] one = sizes(items.subList(k, k + 1), spans.subList(k, k + 1), false);
                if (one == null) return null;
                out[k] = one[0];
                continue;
            }
            given[k] = t.var().dtype() == tx.runtime.tensor.DType.INT64 ? t.var() : l.b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.INT64, t.var());
            out[k] = l.b.symbolFor(given[k]);
        }
        for (int k = 0; k < out.length; k++) { // PyTorch's RuntimeError, with the whole shape: "... dimension -1: [2, -1]"
            if (given[k] == null) continue;
            List<Stmt.PrintItem> message = new ArrayList<>();
            message.add(RunTimeChecks.text("Trying to create tensor with negative dimension "));
            message.add(RunTimeChecks.shown(l, given[k]));
            for (int d = 0; d < out.length; d++) {
                message.add(RunTimeChecks.text((d == 0 ? ": [" : ", ")));
                message.add(given[d] != null ? RunTimeChecks.shown(l, given[d]) : RunTimeChecks.text(Integer.toString(out[d])));
            }
            message.add(RunTimeChecks.text("]"));
            RunTimeChecks.require(l, spans.get(k), l.b.emit(tx.runtime.ir.Prim.GE, null, given[k], l.b.scalar(0, tx.runtime.tensor.DType.INT64)), message);
        }
        return out;
    }

    int[] sizes(List<Val> items, List<Span> spans, boolean infer) {
        int[] out = new int[items.size()];
        for (int k = 0; k < items.size(); k++) {
            Integer n = l.exprs.integer(items.get(k), spans.get(k), "a size");
            if (n == null) { failed = true; return null; }
            if (n < (infer ? -1 : 0)) {
                l.diags.error("E0205", spans.get(k), "a size must not be negative, found " + n, null);
                failed = true;
                return null;
            }
            out[k] = n;
        }
        return out;
    }
}
