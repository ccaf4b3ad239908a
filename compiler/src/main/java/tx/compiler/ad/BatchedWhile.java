package tx.compiler.ad;

import java.util.ArrayList;
import java.util.List;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * {@link Batching}'s rule for a {@code while} loop: one loop over the whole batch that goes on while
 * any example's condition holds. Every carried value is batched; each iteration runs the body for
 * every example and keeps the new value only where that example's condition still holds,
 * {@code where(on, new, old)}, so an example that has stopped keeps its last value, to the bit, and
 * its trip count (carried beside, one per example) stops growing. Only where the head and the body
 * may run for examples that have stopped ({@link Speculation}), and not for a loop the mapped block
 * already reverses (each example's reversal would run its own number of iterations): else null,
 * and the vmap stays a loop. The body reads its values through gates, as a selected branch's sides
 * do ({@link Batching#gated}), so that an adjoint the body makes for a stopped example is 0.
 * What the loop tapes is taped for the whole batch, the batch axis second (a row per iteration
 * of the batched loop, garbage for an example that has stopped, which its reversal never reads).
 *
 * <p>The reversal of a while (a counted loop that runs backwards as many times as the while ran)
 * is batched the same way ({@link #reversal}): one loop of the largest trip count, from its last
 * iteration down, in which an example takes part at iteration i only if its own while ran more
 * than i times; so each example's reversal runs its own iterations, in its own order.
 */
final class BatchedWhile {
    private BatchedWhile() {}

    static boolean batch(Batching s, Stmt.Loop l) {
        Stmt.RunTime rt = l.runTime();
        for (Var i : l.init()) if (i != null && (i.equals(s.index) || s.tapeBatched(i))) return false;
        String why = Speculation.refusal(s.counts(), List.of(rt.head(), l.body()));
        if (why != null) {
            if (Batching.DEBUG) System.err.println("batching: a while stays a loop: " + why);
            return false;
        }
        Builder b = s.b;
        DType countType = rt.trips().dtype();
        List<Var> params = new ArrayList<>(), init = new ArrayList<>();
        for (int k = 0; k < l.params().size(); k++) {
            Var p = l.params().get(k), q = b.newVar(s.withBatch(p.shapeRef()), p.name(), p.dtype());
            s.like(q, p);
            params.add(q);
            init.add(initial(s, l.init().get(k), q));
        }
        Var count = b.newVar(new int[] {s.size}, rt.trips().name(), countType);
        params.add(count);
        init.add(cast(b, b.fill(new int[] {s.size}, 0.0), countType));
        b.openBlock();
        Var anyOn = null;
        List<Stmt> head;
        try {
            Batching scope = scope(s, l, params);
            if (scope.statements(rt.head())) {
                Var on = on(s, scope, rt.cond());
                anyOn = b.gt(b.sum(cast(b, on, DType.FLOAT64), new int[] {0}, false), b.scalar(0.0));
            }
        } finally {
            head = b.closeBlock();
        }
        if (anyOn == null) return false;
        List<Var> results = new ArrayList<>(), rows = new ArrayList<>();
        List<Stmt> body;
        b.openBlock();
        try {
            if (!body(s, l, params, results, rows)) return false;
        } finally {
            body = b.closeBlock();
        }
        List<Var> tapes = new ArrayList<>();
        for (int k = 0; k < rows.size(); k++) { // a run-time number of rows, each of the whole batch
            Var tape = l.tapes().get(k), t = b.newVar(Shapes.concat(new int[] {0, s.size}, l.stacked().get(k).shapeRef()), tape.name(), tape.dtype());
            s.like(t, tape);
            tapes.add(t);
            s.now.put(tape, t);
            s.markTapeBatched(tape);
        }
        List<Var> outs = new ArrayList<>();
        for (int k = 0; k <= l.outs().size(); k++) {
            Var o = k < l.outs().size() ? l.outs().get(k) : rt.trips();
            Var q = b.newVar(s.withBatch(o.shapeRef()), o.name(), o.dtype());
            s.like(q, o);
            outs.add(q);
            s.now.put(o, q);
            s.batched.add(o);
        }
        Var trips = b.newVar(new int[0], rt.trips().name(), countType);
        Stmt.Loop w = new Stmt.Loop(0, l.index(), init, params, body, results, outs, rows, tapes, false, l.origin(),
                Stmt.RunTime.whileLoop(head, anyOn, trips));
        b.add(w);
        s.graph.structure(w);
        return true;
    }

    /**
     * The body, batched: the condition again (a value of the body's own, which a reversal tapes),
     * the body's statements through gates, and each carried value kept where the example has stopped.
     */
    private static boolean body(Batching s, Stmt.Loop l, List<Var> params, List<Var> results, List<Var> rows) {
        Builder b = s.b;
        Batching scope = scope(s, l, params);
        if (!scope.statements(l.runTime().head())) return false;
        Var on = on(s, scope, l.runTime().cond());
        Batching inner = scope.gated(l.body(), on, true);
        if (!inner.statements(l.body())) return false;
        if (!gated(s, inner, l, on, params, results, false)) return false;
        Var count = params.get(params.size() - 1);
        results.add(b.where(on, b.add(count, cast(b, b.scalar(1.0), count.dtype())), count));
        for (Var st : l.stacked()) {
            if (inner.tapeBatched(st)) return false; // a tape of tapes (a nested loop's): not followed
            rows.add(inner.batched(st) ? s.padded(inner.value(st), st.shapeRef().length) : s.spread(inner.value(st)));
        }
        return true;
    }

    /**
     * The reversal of a while (see the class comment): its carried adjoints are batched, and each
     * keeps its value where the example's own reversal has not begun. Null (false) for a loop that
     * tapes values itself (a second reversal) or runs forwards, and where the body cannot run for
     * examples that sit an iteration out ({@link Speculation}).
     */
    static boolean reversal(Batching s, Stmt.Loop l) {
        Var count = l.runTime().count();
        if (!l.stacked().isEmpty() || !l.reverse() || count.equals(s.index) || s.tapeBatched(count)) return false;
        for (Var i : l.init()) if (i == null || i.equals(s.index) || s.tapeBatched(i)) return false;
        List<Stmt> checked = new ArrayList<>(); // its reads of a row of a tape at its index: the batched tapes have a row for each iteration
        for (Stmt st : l.body()) if (!(st instanceof Stmt.Eqn e && e.prim() == Prim.TAKE && e.in().get(1).equals(l.index()) && e.in().get(0).shapeRef()[0] == 0)) checked.add(st);
        String why = Speculation.refusal(s.counts(), List.of(checked));
        if (why != null) {
            if (Batching.DEBUG) System.err.println("batching: a while's reversal stays a loop: " + why);
            return false;
        }
        Builder b = s.b;
        Var counts = s.batched(count) ? s.value(count) : s.spread(s.value(count)), most = b.emit(Prim.MAX, new Attrs.Reduce(new int[] {0}, false), counts);
        List<Var> params = new ArrayList<>(), init = new ArrayList<>(), results = new ArrayList<>(), outs = new ArrayList<>();
        for (int k = 0; k < l.params().size(); k++) {
            Var p = l.params().get(k), q = b.newVar(s.withBatch(p.shapeRef()), p.name(), p.dtype());
            s.like(q, p);
            params.add(q);
            Var i = l.init().get(k);
            init.add(s.batched(i) ? s.value(i) : s.spread(s.value(i)));
        }
        List<Stmt> body;
        b.openBlock();
        try {
            Batching scope = scope(s, l, params);
            Var on = b.lt(cast(b, l.index(), counts.dtype()), counts); // this example's reversal runs this iteration
            Batching inner = scope.gated(l.body(), on, true);
            if (!inner.statements(l.body())) return false;
            if (!gated(s, inner, l, on, params, results, true)) return false;
        } finally {
            body = b.closeBlock();
        }
        for (Var o : l.outs()) {
            Var q = b.newVar(s.withBatch(o.shapeRef()), o.name(), o.dtype());
            s.like(q, o);
            outs.add(q);
            s.now.put(o, q);
            s.batched.add(o);
        }
        Stmt.Loop r = new Stmt.Loop(0, l.index(), init, params, body, results, outs, List.of(), List.of(), true, l.origin(), Stmt.RunTime.counted(most));
        b.add(r);
        s.graph.structure(r);
        return true;
    }

    /**
     * Each value the body carries on, kept where the example has stopped (where {@code on} is false);
     * a value not batched is spread over the batch first if asked. False if one is a tape of the
     * batch's rows (a nested loop's: not followed).
     */
    private static boolean gated(Batching s, Batching inner, Stmt.Loop l, Var on, List<Var> params, List<Var> results, boolean spread) {
        for (int k = 0; k < l.results().size(); k++) {
            Var r = l.results().get(k), old = params.get(k);
            if (inner.tapeBatched(r)) return false;
            int rank = r.shapeRef().length;
            Var now = inner.batched(r) ? s.padded(inner.value(r), rank) : spread ? s.spread(inner.value(r)) : inner.value(r);
            results.add(s.b.where(s.mask(on, rank), now, old));
        }
        return true;
    }

    /** A scope for the head or the body: the loop's parameters bound to the batched ones, its counter to itself. */
    private static Batching scope(Batching s, Stmt.Loop l, List<Var> params) {
        Batching scope = s.child();
        for (int k = 0; k < l.params().size(); k++) {
            scope.now.put(l.params().get(k), params.get(k));
            scope.batched.add(l.params().get(k));
        }
        scope.now.put(l.index(), l.index());
        return scope;
    }

    /** A carried value's initial value for the batch; zeros for a name first assigned in the body (never read before it is). */
    private static Var initial(Batching s, Var i, Var param) {
        if (i == null) return cast(s.b, s.b.fill(param.shapeRef(), 0.0), param.dtype());
        return s.batched(i) ? s.value(i) : s.spread(s.value(i));
    }

    /** Each example's condition, {@code [B]} bool. */
    private static Var on(Batching s, Batching scope, Var cond) {
        Var c = scope.batched(cond) ? scope.value(cond) : s.spread(scope.value(cond));
        c = s.b.reshape(c, new int[] {s.size});
        return c.dtype() == DType.BOOL ? c : s.b.ne(c, s.b.scalar(0.0, c.dtype()));
    }

    private static Var cast(Builder b, Var x, DType to) {
        return x.dtype() == to ? x : b.emit(Prim.CAST, to, x);
    }
}
