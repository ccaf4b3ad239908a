package tx.compiler.lower;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Slices whose bounds are known only at run time, {@code x[i:i + bs]} with a loop's counter
 * (LANGUAGE.md §4). tx gives every tensor a shape when it compiles, so such a slice needs a length
 * that does not depend on the run-time value: its bounds are read as whole-number forms
 * {@code k * v + c} of one run-time value v, and the length is the difference of the forms when
 * both have the same {@code k * v}. The slice is then a window of that length from a run-time
 * start (the DYNAMIC_SLICE primitive).
 *
 * <p>PyTorch clips a slice at the end of its axis and counts a negative start from the end, which
 * would change the length. Where v is a counter of a {@code for} loop, its values are known, and
 * a slice that some iteration would clip is refused when the program compiles (E0105), naming the
 * iteration; elsewhere (a {@code while}'s counter, an {@code item()}) the window checks its start
 * when it runs (E0507).
 */
final class Windows {
    private final Lowerer l;

    /** The trip count of each {@code for} loop's counter 0, 1, ..., count - 1: the values it takes. */
    private final Map<Var, Long> counts = new HashMap<>();

    /** The loop each counter counts. */
    private final Map<Var, Ast.For> loops = new HashMap<>();

    /** For a loop, the first iteration that would clip a slice read with its counter (the loop lowering splits it off, see Loops#peel). */
    private final Map<Ast.For, Long> clips = new IdentityHashMap<>();

    Windows(Lowerer l) {
        this.l = l;
    }

    /** {@code index} counts the iterations of {@code loop}, {@code count} of them. */
    void counter(Var index, long count, Ast.For loop) {
        counts.put(index, count);
        loops.put(index, loop);
    }

    void clearClip(Ast.For loop) {
        clips.remove(loop);
    }

    /** The first iteration of {@code loop} found to clip a slice since {@link #clearClip}; Long.MAX_VALUE if none. */
    long clip(Ast.For loop) {
        return clips.getOrDefault(loop, Long.MAX_VALUE);
    }

    /** A whole number {@code k * v + c}; v null: the constant c. */
    record Form(Var v, long k, long c) {
        static Form constant(long c) {
            return new Form(null, 0, c);
        }

        Form plus(Form o) {
            if (v != null && o.v != null && !v.equals(o.v)) return null;
            Form f = new Form(v != null ? v : o.v, k + o.k, c + o.c);
            return f.k == 0 ? constant(f.c) : f;
        }

        Form times(long m) {
            return m == 0 ? constant(0) : new Form(v, k * m, c * m);
        }
    }

    /** The values a form takes, lowest and highest, or null when they are not known at compile time. */
    record Span2(long lo, long hi) {}

    /** A window read along an axis: {@code length} elements, every {@code step}-th, from the run-time {@code start}. */
    record Window(Var start, int length, int step) {}

    /**
     * The window that {@code lo:hi:step} takes along an axis of {@code size}, where lo or hi is
     * known only at run time; null after reporting. lo and hi are null where omitted.
     */
    Window window(Val lo, Val hi, int step, int size, Span loSpan, Span hiSpan, Span span) {
        Form a = lo == null ? Form.constant(0) : form(lo, loSpan);
        Form z = hi == null ? Form.constant(size) : form(hi, hiSpan);
        if (a == null || z == null) return null;
        if (a.v() != null && z.v() != null && !a.v().equals(z.v()) || a.k() != z.k()) {
            Ast.For loop = unrollable(a, z);
            if (loop == null) return runTime(lo, hi, step, size);
            // a loop short enough to be lowered one iteration at a time (Loops#peel) gives each slice a fixed length
            l.diags.error("E0105", span, "this slice's length changes in each of the loop's " + counts.get(a.v() != null ? a.v() : z.v()) + " iterations",
                    "the loop is lowered one iteration at a time, where each slice has its length");
            return null;
        }
        long diff = z.c() - a.c();
        int length = diff <= 0 ? 0 : (int) ((diff + step - 1) / step);
        Span2 ra = values(a), rz = values(z);
        if (ra != null && rz != null) {
            Boolean fits = fits(a, ra, z, rz, size, span);
            if (fits == null) return runTime(lo, hi, step, size);
            if (!fits) return null;
        }
        Var start = lo instanceof T t ? t.var() : l.b.scalar(a.c(), DType.INT64);
        return new Window(start, length, step);
    }

    /**
     * A slice whose length changes with a loop's counter: the whole loop is lowered one iteration
     * at a time if it is short (see Loops#peel); the loop, or null when no loop's counter of at most
     * {@link Loops#MAX_PEELED} iterations is involved (the slice's length is then found when it runs).
     */
    private Ast.For unrollable(Form a, Form z) {
        Ast.For loop = null;
        for (Form f : List.of(a, z)) {
            if (f.v() == null || !counts.containsKey(f.v()) || counts.get(f.v()) > Loops.MAX_PEELED) continue;
            loop = loops.get(f.v());
            clips.merge(loop, 0L, Math::min);
        }
        return loop;
    }

    /**
     * A slice whose length depends on values known only at run time: PyTorch's clipping computed
     * when it runs. Each bound is read as PyTorch reads it (a negative one counts from the end of
     * the axis, then both are clipped to it), and the length, {@code max(0, ceil((hi - lo) / step))},
     * is a size known only at run time (a symbol of the IR; see {@link RunTimeSizes}).
     */
    Window runTime(Val lo, Val hi, int step, int size) { // size: a number, or a symbol (a slice of a selection)
        tx.runtime.ir.Builder b = l.b;
        List<Object> key = List.of(bound(lo), bound(hi), step, size);
        Window known = made.get(key);
        if (known != null && b.openBlockDefining(known.start()) != null) return known;
        Var n = Shapes.isSymbol(size) ? b.sizeOf(size) : b.scalar(size, DType.INT64);
        Var start = clipped(lo, b.scalar(0, DType.INT64), n), end = clipped(hi, n, n);
        Var diff = b.add(b.sub(end, start), b.scalar(step - 1, DType.INT64));
        Var length = b.emit(Prim.MAXIMUM, null, b.emit(Prim.FLOOR_DIVIDE, null, diff, b.scalar(step, DType.INT64)), b.scalar(0, DType.INT64));
        Window w = new Window(start, b.symbol(length), step);
        made.put(key, w);
        return w;
    }

    /**
     * The run-time windows made so far, by their bounds, the step and the axis's size: slices with
     * the same bounds have one length, so that {@code x[k:] * y[k:]} has operands of one size.
     */
    private final Map<List<Object>, Window> made = new HashMap<>();

    /** A bound as a key: its variable, its number, or "none" where it is left out. */
    private static Object bound(Val v) {
        return v == null ? "none" : v instanceof T t ? t.var() : ((Val.Num) v).value();
    }

    /** A bound as PyTorch takes it: {@code omitted} where it is left out, a negative one counted from the end, then clipped to [0, size]. */
    private Var clipped(Val bound, Var omitted, Var n) {
        tx.runtime.ir.Builder b = l.b;
        Var v = bound == null ? omitted : bound instanceof T t ? t.var() : b.scalar(((Val.Num) bound).value(), DType.INT64);
        if (v.dtype() != DType.INT64) v = b.emit(Prim.CAST, DType.INT64, v);
        Var zero = b.scalar(0, DType.INT64);
        return b.where(b.lt(v, zero), b.emit(Prim.MAXIMUM, null, b.add(v, n), zero), b.emit(Prim.MINIMUM, null, v, n));
    }

    /**
     * Whether every start a and end z, taking the values ra and rz, keeps the slice inside an axis of
     * {@code size}; reports otherwise. The first iteration that does not is noted, so that the loop
     * lowering can split it and those after it off, one by one (see Loops#peel): where only the
     * end is passed, the last iterations; else all of them.
     */
    private Boolean fits(Form a, Span2 ra, Form z, Span2 rz, int size, Span span) {
        if (ra.lo() >= 0 && rz.hi() <= size) return true;
        boolean tail = ra.lo() >= 0 && z.k() > 0;
        long first = tail ? Math.max(0, Math.floorDiv(size - z.c(), z.k()) + 1) : 0;
        Var counter = a.v() != null ? a.v() : z.v(); // the loop's counter, in the start or (v[:i]) only in the end
        Ast.For loop = loops.get(counter);
        Long count = counts.get(counter);
        if (loop == null || count == null) return null; // not a counter of a loop being lowered: the run clips it
        long changed = count - first;
        if (changed > Loops.MAX_PEELED) return null; // too many to lower one by one: clipped when it runs
        clips.merge(loop, first, Math::min);
        String where = "in " + changed + " of the loop's iterations, more than the " + Loops.MAX_PEELED + " that tx lowers one by one";
        if (ra.lo() < 0) {
            l.diags.error("E0105", span, "this slice's start is negative (as low as " + ra.lo() + ") " + where + ": PyTorch counts it from the end of the axis",
                    "tx gives every slice its length when it compiles, so a run-time start must stay within 0 to " + size);
        } else {
            l.diags.error("E0105", span, "this slice reaches " + rz.hi() + ", past the end of its axis of size " + size + ", " + where
                            + ": PyTorch clips it shorter there",
                    "tx gives every slice its length when it compiles: let the loop stop where the last whole slice starts, or make the size a multiple of the step");
        }
        return false;
    }

    /** The form of a slice bound: a Python int, or a run-time whole number; null after reporting. */
    private Form form(Val v, Span at) {
        if (v instanceof Val.Num n && n.isWhole() && Math.abs(n.value()) < Integer.MAX_VALUE) return Form.constant((long) n.value());
        if (v instanceof T t && t.shape().length == 0 && (t.dtype() != DType.FLOAT64 || t.py() == Val.PyType.INT)) return form(t.var()); // a Python int a while loop carries is a float64 scalar
        if (!(v instanceof Val.Bad)) {
            l.diags.error("E0105", at, "a slice bound must be a whole number, found " + (v instanceof T t ? t.describeDtype() : v.describe()),
                    v instanceof T ? "a run-time bound must be a Python int: a loop's counter, `x.item()` of an int64 tensor, or arithmetic on those" : null);
        }
        return null;
    }

    /** v as {@code k * u + c} through sums, differences and products with constants; v itself (k = 1) where it is not one. */
    private Form form(Var v) {
        if (l.b.isConstant(v)) {
            double c = l.b.constantValue(v).item();
            if (c == Math.rint(c) && Math.abs(c) < 1L << 53) return Form.constant((long) c);
        }
        Eqn e = l.graph.definition(v);
        Form self = new Form(v, 1, 0);
        if (e == null || e.in().isEmpty() || v.rank() != 0) return self;
        Var x = e.in().get(0);
        Form f = switch (e.prim()) {
            case ADD -> form(x).plus(form(e.in().get(1)));
            case SUB -> form(x).plus(form(e.in().get(1)).times(-1));
            case NEG -> form(x).times(-1);
            case MUL -> product(form(x), form(e.in().get(1)));
            case MINIMUM, MAXIMUM -> extreme(form(x), form(e.in().get(1)), e.prim() == Prim.MINIMUM);
            case CAST, RESHAPE -> x.rank() == 0 && x.dtype() != DType.FLOAT64 ? form(x) : null;
            default -> null;
        };
        return f == null ? self : f;
    }

    private static Form product(Form a, Form b) {
        if (a == null || b == null) return null;
        if (a.v() == null) return b.times(a.c());
        return b.v() == null ? a.times(b.c()) : null;
    }

    /** min(a, b) or max(a, b), where the values decide it at compile time (min(i + bs, n) in a loop that never clips). */
    private Form extreme(Form a, Form b, boolean min) {
        if (a == null || b == null) return null;
        Span2 ra = values(a), rb = values(b);
        if (ra == null || rb == null) return null;
        if (ra.hi() <= rb.lo()) return min ? a : b;
        if (rb.hi() <= ra.lo()) return min ? b : a;
        return null;
    }

    /** The values of a form, where its run-time value is a counter of a known loop. */
    private Span2 values(Form f) {
        if (f.v() == null) return new Span2(f.c(), f.c());
        Long n = counts.get(f.v());
        if (n == null || n < 1) return null;
        long first = f.c(), last = f.k() * (n - 1) + f.c();
        return new Span2(Math.min(first, last), Math.max(first, last));
    }
}
