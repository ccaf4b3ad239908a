package tx.compiler.ad;

import java.util.ArrayList;
import java.util.List;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

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
 */
final class BatchedWhile {
    private BatchedWhile() {}

    static boolean batch(Batching s, Stmt.Loop l) {
        Stmt.RunTime rt = l.runTime();
        if (!l.stacked().isEmpty()) return false;
        for (Var i : l.init()) if (i == null || i.equals(s.index) || s.tapeBatched(i)) return false;
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
            Var i = l.init().get(k);
            init.add(s.batched(i) ? s.value(i) : s.spread(s.value(i)));
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
        List<Var> results = new ArrayList<>();
        List<Stmt> body;
        b.openBlock();
        try {
            if (!body(s, l, params, results)) return false;
        } finally {
            body = b.closeBlock();
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
        Stmt.Loop w = new Stmt.Loop(0, l.index(), init, params, body, results, outs, List.of(), List.of(), false, l.origin(),
                Stmt.RunTime.whileLoop(head, anyOn, trips));
        b.add(w);
        s.graph.structure(w);
        return true;
    }

    /**
     * The body, batched: the condition again (a value of the body's own, which a reversal tapes),
     * the body's statements through gates, and each carried value kept where the example has stopped.
     */
    private static boolean body(Batching s, Stmt.Loop l, List<Var> params, List<Var> results) {
        Builder b = s.b;
        Batching scope = scope(s, l, params);
        if (!scope.statements(l.runTime().head())) return false;
        Var on = on(s, scope, l.runTime().cond());
        Batching inner = scope.gated(l.body(), on, true);
        if (!inner.statements(l.body())) return false;
        for (int k = 0; k < l.results().size(); k++) {
            Var r = l.results().get(k), old = params.get(k);
            if (inner.tapeBatched(r)) return false;
            int rank = r.shapeRef().length;
            Var now = inner.batched(r) ? s.padded(inner.value(r), rank) : inner.value(r);
            results.add(b.where(s.mask(on, rank), now, old));
        }
        Var count = params.get(params.size() - 1);
        results.add(b.where(on, b.add(count, cast(b, b.scalar(1.0), count.dtype())), count));
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
