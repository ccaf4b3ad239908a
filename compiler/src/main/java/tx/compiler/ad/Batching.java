package tx.compiler.ad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * {@code vmap} by batching rules (JAX's {@code batching.py}): the block that a mapped function was
 * lowered into for one example, at the loop index {@code i}, rewritten as one block over all
 * examples. Each variable of the block is either unbatched (the same for every example, so it is
 * computed once) or batched: the new variable holds every example's value, the mapped axis first.
 * A mapped argument enters as {@code take(x, i, d)}: x with axis d moved first.
 *
 * <p>The rules, for an equation with a batched operand:
 * <ul>
 * <li>elementwise primitives and products broadcast their operands as NumPy does, aligned at the
 *     right, so a batched operand of lower rank than another gets ones after its batch axis;
 *     then the same primitive runs on the whole batch ({@code matmul}'s batch axes broadcast too);
 * <li>a primitive that names axes (sums, scans, argmax, flip, cat, slice, pad, transpose, take
 *     at a fixed index) names each one a place further on;
 * <li>reshape and expand put the batch axis before the shape;
 * <li>the factorisations (det, inverse, solve, cholesky, slogdet's parts, qr's) already take a
 *     batch of matrices before their last two axes.
 * </ul>
 * A call with a batched argument is batched through the callee's body; a loop with a trip count
 * known at compile time carries every example's state at once ({@link #loop}); a branch on a
 * condition the same for every example takes one side for the batch ({@link #cond}), and one on
 * each example's own condition runs both sides and selects ({@link #select}), where both sides may
 * run for every example. A block with anything else (a {@code while}, a branch whose side could
 * fail for an example that does not take it, a use of the loop's index other than a mapped
 * argument's, a primitive without a rule here) is not batched: {@link #batch} returns null and
 * {@code vmap} stays a loop of the IR, which gives the same values.
 */
public final class Batching {
    static final boolean DEBUG = Boolean.getBoolean("tx.batching.debug");
    final Builder b;
    final Graph graph;
    final Var index;
    final int size;
    /** Each variable of the block, as its batched or unbatched counterpart outside the loop. */
    final Map<Var, Var> now = new HashMap<>();
    final Set<Var> batched = new HashSet<>();
    /**
     * Whether this is the mapped block itself, whose unbatched statements are kept as they are (the
     * graph knows them); in a callee's body, batched through its call, they are made anew, since
     * the callee's statements belong to it and may be reached by several calls.
     */
    boolean top = true;
    /** The scope a loop body's scope sits in: the values made before the loop are found there. */
    Batching parent;
    /** Tapes of batched values: their batch axis is second, after the loop's iterations (see {@link #loop}). */
    private final Set<Var> tapeBatched = new HashSet<>();
    /**
     * Whether a derivative may be taken through the batched block (some row it stacks requires
     * grad): only then do the sides of a selected branch read through gates ({@link #gated}).
     */
    private final boolean gates;
    /** The counter of the loop whose body this scope is, and its trip count (for {@link Speculation}); null elsewhere. */
    private Var loopIndex;
    private int loopCount;

    private Batching(Builder b, Graph graph, Var index, int size, boolean gates) {
        this.gates = gates;
        this.b = b;
        this.graph = graph;
        this.index = index;
        this.size = size;
    }

    /**
     * Emits {@code body}, built for the example at {@code index}, as one block over all {@code size}
     * examples into the builder's open block, and returns each of {@code rows} stacked (the mapped
     * axis first); null, with nothing emitted, where some statement has no batching rule.
     */
    public static List<Var> batch(Builder b, Graph graph, List<Stmt> body, Var index, int size, List<Var> rows) {
        boolean differentiable = false;
        for (Var r : rows) differentiable |= graph.requiresGrad(r);
        Batching p = new Batching(b, graph, index, size, differentiable);
        int depth = b.depth();
        b.openBlock();
        List<Var> out = null;
        try {
            out = p.run(body, rows);
        } catch (IllegalArgumentException shapeRule) {
            if (DEBUG) shapeRule.printStackTrace();
            // NOTE: a batched equation that its primitive's shape rule refuses is a gap in a rule
            // here, never the user's error (the block was checked for one example): the loop,
            // which needs no rule, gives the values. VmapBatchingTest pins the cases that batch.
            out = null;
        } finally {
            b.closeTo(depth + 1); // NOTE: the blocks a rule opened, if it failed inside one, are closed first
            List<Stmt> made = b.closeBlock();
            if (out != null) for (Stmt s : made) b.add(s);
        }
        return out;
    }

    private List<Var> run(List<Stmt> body, List<Var> rows) {
        if (!statements(body)) return null;
        List<Var> out = new ArrayList<>();
        for (Var r : rows) {
            if (r.equals(index) || tapeBatched(r)) return null;
            Var v = value(r);
            out.add(batched(r) ? v : spread(v));
        }
        return out;
    }

    Var value(Var v) {
        Var x = now.get(v);
        return x != null ? x : parent != null ? parent.value(v) : v;
    }

    boolean batched(Var v) {
        return batched.contains(v) || parent != null && parent.batched(v);
    }

    /** Marks a tape of the mapped block as taped for the whole batch (the batch axis second: see {@link #loop}). */
    void markTapeBatched(Var tape) {
        tapeBatched.add(tape);
    }

    boolean tapeBatched(Var v) {
        return tapeBatched.contains(v) || parent != null && parent.tapeBatched(v);
    }

    /** Rewrites the statements of a block in order; false at the first that has no rule. */
    boolean statements(List<Stmt> body) {
        for (Stmt s : body) {
            if (DEBUG) System.err.println("batching: " + s);
            var old = b.at(origin(s));
            try {
                boolean ok = s instanceof Stmt.Eqn e ? equation(e)
                        : s instanceof Stmt.Call c ? call(c)
                        : s instanceof Stmt.Loop l && l.runTime() == null ? loop(l)
                        : s instanceof Stmt.Loop l && l.isWhile() ? BatchedWhile.batch(this, l)
                        : s instanceof Stmt.Loop l ? BatchedWhile.reversal(this, l)
                        : s instanceof Stmt.Cond c && !c.cond().equals(index) && !tapeBatched(c.cond()) && (batched(c.cond()) ? select(c) : cond(c));
                if (!ok) return false;
            } finally {
                b.at(old);
            }
        }
        return true;
    }

    private static tx.runtime.ir.Origin origin(Stmt s) {
        return s instanceof Stmt.Eqn e ? e.origin() : s instanceof Stmt.Call c ? c.origin() : s instanceof Stmt.Loop l ? l.origin()
                : s instanceof Stmt.Cond c ? c.origin() : tx.runtime.ir.Origin.NONE;
    }

    /**
     * A branch on a condition that is the same for every example (a loop's counter, a setting):
     * the same branch for the whole batch, each side batched in a scope of its own; a result is
     * batched if either side's is (the other side's is repeated). A condition of each example's own
     * is {@link #select}'s.
     */
    private boolean cond(Stmt.Cond c) {
        Batching then = new Batching(b, graph, index, size, gates), otherwise = new Batching(b, graph, index, size, gates);
        for (Batching side : List.of(then, otherwise)) {
            side.parent = this;
            side.top = false;
        }
        List<Var> thenRes = new ArrayList<>(), elseRes = new ArrayList<>(), outs = new ArrayList<>();
        List<Stmt> thenBlock, elseBlock;
        b.openBlock();
        try {
            if (!then.statements(c.then())) return false;
        } finally {
            thenBlock = b.closeBlock();
        }
        b.openBlock();
        try {
            if (!otherwise.statements(c.otherwise())) return false;
        } finally {
            elseBlock = b.closeBlock();
        }
        for (int k = 0; k < c.outs().size(); k++) {
            Var a = c.thenResults().get(k), z = c.elseResults().get(k), o = c.outs().get(k);
            if (then.tapeBatched(a) || otherwise.tapeBatched(z)) return false;
            boolean isBatched = then.batched(a) || otherwise.batched(z);
            Var q = b.newVar(isBatched ? withBatch(o.shapeRef()) : o.shapeRef(), o.name(), o.dtype());
            like(q, o);
            outs.add(q);
            now.put(o, q);
            if (isBatched) batched.add(o);
        }
        // a side's result repeated for the batch is made inside that side, where its value is
        b.openBlock();
        thenBlock.forEach(b::add);
        for (int k = 0; k < c.outs().size(); k++) thenRes.add(resultOf(then, c.thenResults().get(k), batched(c.outs().get(k))));
        thenBlock = b.closeBlock();
        b.openBlock();
        elseBlock.forEach(b::add);
        for (int k = 0; k < c.outs().size(); k++) elseRes.add(resultOf(otherwise, c.elseResults().get(k), batched(c.outs().get(k))));
        elseBlock = b.closeBlock();
        Stmt.Cond branch = new Stmt.Cond(value(c.cond()), thenBlock, thenRes, elseBlock, elseRes, outs, c.origin());
        b.add(branch);
        graph.structure(branch);
        return true;
    }

    /**
     * A branch on each example's own condition (JAX's rule for {@code cond} under {@code vmap}):
     * both sides run for the whole batch, and each result is {@code where(cond, then, else)}, so
     * each example keeps its own side's values, to the bit. Only where both sides may run for
     * examples that do not take them ({@link Speculation}); else null, and the vmap stays a loop.
     * A value from outside that requires grad enters each side through a gate,
     * {@code where(cond, x, stop_grad(x))} on the then side: the same value, whose adjoint is that
     * side's adjoint for the examples that take it and 0 for the others, so that a nan the untaken
     * side makes in its adjoint (0 times the infinite slope of sqrt at 0, behind a sum) is selected
     * away as the loop never makes it (only where the block is differentiated: {@link #gates}). The adjoints of a branch in the mapped block itself (a
     * gradient taken inside the map) are a branch too, selected in the same way.
     */
    private boolean select(Stmt.Cond c) {
        String why = Speculation.refusal(counts(), List.of(c.then(), c.otherwise()));
        if (why != null || Shapes.numel(c.cond().shapeRef()) != 1) {
            if (DEBUG) System.err.println("batching: a branch on each example's own condition stays a loop: " + why);
            return false;
        }
        Var on = b.reshape(value(c.cond()), new int[] {size});
        if (on.dtype() != tx.runtime.tensor.DType.BOOL) on = b.ne(on, b.scalar(0.0, on.dtype()));
        Batching then = gated(c.then(), on, true), otherwise = gated(c.otherwise(), on, false);
        if (!then.statements(c.then()) || !otherwise.statements(c.otherwise())) return false;
        for (int k = 0; k < c.outs().size(); k++) {
            Var a = c.thenResults().get(k), z = c.elseResults().get(k), o = c.outs().get(k);
            if (a != null && then.tapeBatched(a) || z != null && otherwise.tapeBatched(z)) return false;
            if (a == null || z == null) { // a value only one side makes (a forward value its adjoint reads): that side's, for every example
                Batching side = a == null ? otherwise : then;
                Var r = a == null ? z : a;
                now.put(o, side.value(r));
                if (side.batched(r)) batched.add(o);
                continue;
            }
            int rank = o.shapeRef().length;
            Var q = b.where(mask(on, rank), then.batched(a) ? padded(then.value(a), rank) : then.value(a),
                    otherwise.batched(z) ? padded(otherwise.value(z), rank) : otherwise.value(z));
            graph.setRequiresGrad(q, graph.requiresGrad(o)); // an equation: differentiable, where the branch's result was reversed as a whole
            now.put(o, q);
            batched.add(o);
        }
        return true;
    }

    /**
     * A scope for one side of a selected branch: each value from outside that the side reads and
     * that requires grad is read through a gate, which passes the adjoint only for the examples
     * that take this side ({@code on} true for the then side).
     */
    Batching gated(List<Stmt> side, Var on, boolean thenSide) {
        Batching scope = child();
        for (Var v : Blocks.free(side)) {
            if (!gates || v.equals(index) || tapeBatched(v) || !graph.requiresGrad(v)) continue;
            Var x = value(v), m = mask(on, v.shapeRef().length);
            Var kept = b.stopGrad(x);
            scope.now.put(v, thenSide ? b.where(m, x, kept) : b.where(m, kept, x));
            scope.batched.add(v);
        }
        return scope;
    }

    /** A scope inside this one (a side, a loop's body): the values made here are found from it. */
    Batching child() {
        Batching scope = new Batching(b, graph, index, size, gates);
        scope.parent = this;
        scope.top = false;
        return scope;
    }

    /** The batch's condition {@code [B]} as {@code [B, 1, ...]}, to select between values of one example's rank. */
    Var mask(Var on, int rank) {
        int[] shape = new int[rank + 1];
        Arrays.fill(shape, 1);
        shape[0] = size;
        return rank == 0 ? on : b.reshape(on, shape);
    }

    /** The trip counts of the loops whose bodies this scope is in, by their counters. */
    Map<Var, Integer> counts() {
        Map<Var, Integer> out = parent != null ? parent.counts() : new HashMap<>();
        if (loopIndex != null) out.put(loopIndex, loopCount);
        return out;
    }

    private static Var resultOf(Batching side, Var r, boolean asBatched) {
        if (r == null) return null; // a name this side leaves unassigned
        return asBatched && !side.batched(r) ? side.spread(side.value(r)) : side.value(r);
    }

    /**
     * A call: as it was where no argument is batched; otherwise the callee's body, batched in a
     * scope of its own with its parameters bound to the arguments (a call the batch reaches is
     * inlined, as JAX traces through one).
     */
    private boolean call(Stmt.Call c) {
        List<Var> args = new ArrayList<>();
        boolean any = false;
        for (Var v : c.in()) {
            if (v.equals(index)) return false;
            args.add(value(v));
            any |= batched(v) || tapeBatched(v);
        }
        if (!any && top && args.equals(c.in())) { // the call as it was, known to the graph already
            b.add(c);
            return true;
        }
        if (!any) { // inside a callee batched through its body: the same call on this scope's values
            Stmt.Call same = b.call(c.fn(), args);
            List<Boolean> rg = new ArrayList<>();
            for (Var o : c.outs()) rg.add(graph.requiresGrad(o));
            graph.called(same, rg);
            for (int j = 0; j < c.outs().size(); j++) now.put(c.outs().get(j), same.outs().get(j));
            return true;
        }
        Batching inner = new Batching(b, graph, index, size, gates);
        inner.top = false;
        for (int k = 0; k < args.size(); k++) {
            Var p = c.fn().params().get(k);
            inner.now.put(p, args.get(k));
            if (batched(c.in().get(k))) inner.batched.add(p);
            if (tapeBatched(c.in().get(k))) inner.tapeBatched.add(p); // a forward half's tape, read by its backward half
        }
        if (!inner.statements(c.fn().body())) return false;
        for (int j = 0; j < c.outs().size(); j++) {
            Var r = c.fn().results().get(j), out = c.outs().get(j);
            now.put(out, inner.value(r));
            if (inner.batched(r)) batched.add(out);
            if (inner.tapeBatched(r)) tapeBatched.add(out);
        }
        return true;
    }

    /**
     * A loop with a trip count known at compile time (JAX batches its loops the same way): a
     * carried value is batched if its initial value or its value after an iteration is (found by
     * batching the body again until that settles), and the body is batched once more in a scope
     * of its own. A batched value the loop tapes is taped with the batch axis second, after the
     * iterations, so that a reversed loop's {@code take} of a row gives the batch axis first.
     */
    private boolean loop(Stmt.Loop l) {
        for (Var i : l.init()) if (i != null && (i.equals(index) || tapeBatched(i))) return false;
        Set<Integer> carried = new HashSet<>();
        for (int k = 0; k < l.params().size(); k++) if (l.init().get(k) != null && batched(l.init().get(k))) carried.add(k);
        for (int round = 0; round <= l.params().size(); round++) {
            Body body = body(l, carried);
            if (body == null) return false;
            int before = carried.size();
            for (int k = 0; k < l.results().size(); k++) if (body.scope().batched(l.results().get(k))) carried.add(k);
            if (carried.size() == before) return emitLoop(l, carried, body); // settled: this round's body is the loop's
        }
        return false;
    }

    /** A loop's body batched once: its scope, its statements, its parameters and its results. */
    private record Body(Batching scope, List<Stmt> block, List<Var> params, List<Var> results) {}

    /** The body batched with the parameters {@code carried} batched; null if some statement has no rule. */
    private Body body(Stmt.Loop l, Set<Integer> carried) {
        List<Var> params = new ArrayList<>(), results = new ArrayList<>();
        b.openBlock();
        Batching scope;
        boolean ok;
        List<Stmt> block;
        try {
            scope = bodyScope(l, carried);
            ok = scope.statements(l.body());
            for (int k = 0; ok && k < l.params().size(); k++) { // inside the body: a result the same for every example, repeated
                Var r = l.results().get(k);
                params.add(scope.now.get(l.params().get(k)));
                results.add(carried.contains(k) && !scope.batched(r) ? scope.spread(scope.value(r)) : scope.value(r));
            }
        } finally {
            block = b.closeBlock();
        }
        return ok ? new Body(scope, block, params, results) : null;
    }

    /** A scope for a loop's body: its parameters bound to new variables, batched as {@code carried} says. */
    private Batching bodyScope(Stmt.Loop l, Set<Integer> carried) {
        Batching body = new Batching(b, graph, index, size, gates);
        body.parent = this;
        body.top = false;
        for (int k = 0; k < l.params().size(); k++) {
            Var p = l.params().get(k);
            Var q = b.newVar(carried.contains(k) ? withBatch(p.shapeRef()) : p.shapeRef(), p.name(), p.dtype());
            like(q, p);
            body.now.put(p, q);
            if (carried.contains(k)) body.batched.add(p);
        }
        body.now.put(l.index(), l.index());
        body.loopIndex = l.index();
        body.loopCount = l.count();
        return body;
    }

    private boolean emitLoop(Stmt.Loop l, Set<Integer> carried, Body newBody) {
        Batching body = newBody.scope();
        List<Var> init = new ArrayList<>(), outs = new ArrayList<>();
        for (int k = 0; k < l.params().size(); k++) {
            Var i = l.init().get(k);
            init.add(i == null ? null : carried.contains(k) && !batched(i) ? spread(value(i)) : value(i));
        }
        for (int k = 0; k < l.outs().size(); k++) {
            Var o = l.outs().get(k), q = b.newVar(carried.contains(k) ? withBatch(o.shapeRef()) : o.shapeRef(), o.name(), o.dtype());
            like(q, o);
            outs.add(q);
            now.put(o, q);
            if (carried.contains(k)) batched.add(o);
        }
        List<Var> stacked = new ArrayList<>(), tapes = new ArrayList<>();
        for (int k = 0; k < l.stacked().size(); k++) {
            Var st = l.stacked().get(k), tape = l.tapes().get(k);
            if (body.tapeBatched(st)) return false; // a tape of tapes (a nested loop's, taped again): not followed
            boolean isBatched = body.batched(st);
            stacked.add(body.value(st));
            Var t = b.newVar(isBatched ? Shapes.concat(new int[] {l.count(), size}, st.shapeRef()) : tape.shapeRef(), tape.name(), tape.dtype());
            like(t, tape);
            tapes.add(t);
            now.put(tape, t);
            if (isBatched) tapeBatched.add(tape);
        }
        Stmt.Loop batchedLoop = new Stmt.Loop(l.count(), l.index(), init, newBody.params(), newBody.block(), newBody.results(), outs, stacked, tapes,
                l.reverse(), l.origin());
        b.add(batchedLoop);
        graph.structure(batchedLoop);
        return true;
    }

    /** A variable standing for another of the mapped block: it requires grad, and is a barrier, as that one is. */
    void like(Var q, Var p) {
        graph.setRequiresGrad(q, graph.requiresGrad(p));
        String why = graph.barrierReason(p);
        if (why != null) graph.markBarrier(q, why, graph.barrierHelp(p));
    }

    /** Rewrites one equation; false if it has no rule. */
    private boolean equation(Stmt.Eqn e) {
        List<Var> in = new ArrayList<>();
        boolean any = false;
        if (e.prim() != Prim.TAKE) for (Var v : e.in()) if (tapeBatched(v)) return false; // a tape of batched rows is read only by row
        for (Var v : e.in()) {
            if (v.equals(index)) {
                if (e.prim() == Prim.TAKE && e.in().get(1).equals(index)) return mapped(e);
                return e.prim() == Prim.PUT && e.in().get(1).equals(index) && !e.in().get(0).equals(index) && placed(e);
            }
            in.add(value(v));
            any |= batched(v);
        }
        if (e.prim() == Prim.TAKE && tapeBatched(e.in().get(0))) { // a row of a tape of batched values: the batch axis comes first
            if (batched(e.in().get(1)) || ((Attrs.Axis) e.attr()).axis() != 0) return false;
            now.put(e.out(), b.emit(Prim.TAKE, e.attr(), in.get(0), in.get(1)));
            batched.add(e.out());
            return true;
        }
        if (!any && top && in.equals(e.in())) { // the same for every example, computed once: the equation as it was
            b.add(e);
            return true;
        }
        if (!any) {
            now.put(e.out(), b.emit(e.prim(), e.attr(), in.toArray(Var[]::new)));
            return true;
        }
        Var out = rule(e, in);
        if (out == null) return false;
        now.put(e.out(), out);
        batched.add(e.out());
        return true;
    }

    /** {@code take(x, i, d)} of an unbatched x at the loop's index: x with axis d first. */
    private boolean mapped(Stmt.Eqn e) {
        Var x = e.in().get(0);
        if (batched(x)) return false;
        int d = ((Attrs.Axis) e.attr()).axis(), rank = x.shapeRef().length;
        int[] perm = new int[rank];
        perm[0] = d;
        for (int k = 0, j = 1; k < rank; k++) if (k != d) perm[j++] = k;
        now.put(e.out(), b.transpose(value(x), perm));
        batched.add(e.out());
        return true;
    }

    /**
     * {@code put(v, i, shape, axis)} at the loop's index, the one-hot vector a Jacobian's or
     * Hessian's loop seeds each row with: example b holds v at position b along the axis, zeros
     * elsewhere, which is {@code where(iota_b == iota_axis, v, 0)} over the whole batch.
     */
    private boolean placed(Stmt.Eqn e) {
        now.put(e.out(), put(e, b.iota(size)));
        batched.add(e.out());
        return true;
    }

    /**
     * {@code put(v, i, shape, axis)} where example b's index is {@code at[b]} (an int64 vector of
     * the batch, no negatives): {@code where(at_b == iota_axis, v, 0)} over the whole batch.
     */
    private Var put(Stmt.Eqn e, Var at) {
        Attrs.Put put = (Attrs.Put) e.attr();
        int[] shape = put.shape();
        int axis = put.axis(), n = shape[axis];
        Var v = e.in().get(0);
        int[] rowAt = new int[shape.length + 1], colAt = new int[shape.length + 1];
        Arrays.fill(rowAt, 1);
        Arrays.fill(colAt, 1);
        rowAt[0] = size;
        colAt[axis + 1] = n;
        Var mask = b.eq(b.reshape(at, rowAt), b.reshape(b.iota(n), colAt));
        int[] unsqueezed = Shapes.concat(batched(v) ? new int[] {size} : new int[0], inserted(v.shapeRef(), axis));
        Var value = b.reshape(value(v), unsqueezed);
        Var zero = b.scalar(0.0, v.dtype());
        return b.expand(b.emit(Prim.WHERE, null, mask, value, zero), withBatch(shape));
    }

    /**
     * {@code take(x, i, axis)} where each example has its own index (a label, {@code x[y]}): a
     * gather along the axis, one index per example, which copies the same values.
     */
    private Var takenAt(Stmt.Eqn e, List<Var> in) {
        int axis = ((Attrs.Axis) e.attr()).axis() + 1;
        Var x = batched(e.in().get(0)) ? in.get(0) : spread(in.get(0));
        int[] s = x.shapeRef(), idxShape = s.clone(), ones = new int[s.length];
        idxShape[axis] = 1;
        Arrays.fill(ones, 1);
        ones[0] = size;
        Var at = b.fromEnd(in.get(1), s[axis]);
        if (at.dtype() != tx.runtime.tensor.DType.INT64) at = b.emit(Prim.CAST, tx.runtime.tensor.DType.INT64, at);
        Var idx = b.expand(b.reshape(at, ones), idxShape);
        Var got = b.emit(Prim.GATHER, new Attrs.Axis(axis), x, idx);
        return b.reshape(got, Shapes.reduced(idxShape, new int[] {axis}, false));
    }

    /** One example's shape with a 1 inserted at {@code axis}. */
    private static int[] inserted(int[] s, int axis) {
        int[] out = new int[s.length + 1];
        for (int k = 0, j = 0; k < out.length; k++) out[k] = k == axis ? 1 : s[j++];
        return out;
    }

    private Var rule(Stmt.Eqn e, List<Var> in) {
        Prim p = e.prim();
        if (p == Prim.MATMUL) {
            Var folded = foldedProduct(e, in);
            if (folded != null) return folded;
        }
        if (p.elementwise() || p == Prim.WHERE || p == Prim.CAST || p == Prim.MATMUL || p == Prim.SOLVE || p == Prim.TRI_SOLVE) return broadcasting(e, in);
        return switch (p) {
            case SUM, MAX, PROD, PROD_OTHERS -> {
                Attrs.Reduce r = (Attrs.Reduce) e.attr();
                yield b.emit(p, new Attrs.Reduce(shifted(r.axes()), r.keepdim()), in.get(0));
            }
            case CUMSUM, CUMPROD, FIRST_MAX, ARGMAX -> b.emit(p, new Attrs.Axis(((Attrs.Axis) e.attr()).axis() + 1), in.get(0));
            case FLIP -> b.emit(p, new Attrs.Axes(shifted(((Attrs.Axes) e.attr()).axes())), in.get(0));
            case TRANSPOSE -> {
                int[] perm = ((Attrs.Perm) e.attr()).perm(), q = new int[perm.length + 1];
                for (int k = 0; k < perm.length; k++) q[k + 1] = perm[k] + 1;
                yield b.emit(p, new Attrs.Perm(q), in.get(0));
            }
            case RESHAPE -> b.emit(p, new Attrs.ShapeAttr(withBatch(((Attrs.ShapeAttr) e.attr()).shape())), in.get(0));
            case EXPAND -> {
                int[] to = ((Attrs.ShapeAttr) e.attr()).shape();
                yield b.expand(padded(in.get(0), to.length), withBatch(to));
            }
            case SLICE -> {
                Attrs.Slice s = (Attrs.Slice) e.attr();
                yield b.emit(p, new Attrs.Slice(prefixed(0, s.start()), prefixed(size, s.stop()), prefixed(1, s.step())), in.get(0));
            }
            case PAD -> {
                Attrs.Pad s = (Attrs.Pad) e.attr();
                yield b.emit(p, new Attrs.Pad(withBatch(s.shape()), prefixed(0, s.start()), prefixed(1, s.step())), in.get(0));
            }
            case TAKE -> batched(e.in().get(1)) ? takenAt(e, in)
                    : b.emit(p, new Attrs.Axis(((Attrs.Axis) e.attr()).axis() + 1), in.get(0), in.get(1));
            case PUT -> {
                Attrs.Put put = (Attrs.Put) e.attr();
                yield batched(e.in().get(1)) ? put(e, b.fromEnd(in.get(1), put.shape()[put.axis()]))
                        : b.emit(p, new Attrs.Put(withBatch(put.shape()), put.axis() + 1), in.get(0), in.get(1));
            }
            case CAT -> {
                List<Var> all = new ArrayList<>();
                for (int k = 0; k < in.size(); k++) all.add(batched(e.in().get(k)) ? in.get(k) : spread(in.get(k)));
                yield b.emit(p, new Attrs.Axis(((Attrs.Axis) e.attr()).axis() + 1), all.toArray(Var[]::new));
            }
            case CONV, CONV_INPUT, MAX_POOL, MAX_UNPOOL -> imagesOfAllExamples(e, in);
            case CONV_WEIGHT -> weightOfEachExample(e, in);
            // the factorisations act on the last two axes, any before them being a batch of matrices
            case DET, SIGNDET, LOGABSDET, INVERSE, CHOLESKY, QR_Q, QR_R, EIGH, SVD -> b.emit(p, e.attr(), in.get(0));
            default -> null;
        };
    }

    /**
     * A convolution of each example's images (or its input gradient, a max pool and its adjoint):
     * the examples' images become one batch of images, {@code [B, n, ...]} read as
     * {@code [B * n, ...]}, with the same weights. Each image is convolved on its own, so the bits
     * are those of the examples one by one. Null where an operand other than the images is batched
     * (a weight of each example's own: its gradient sums over the images, which this cannot split).
     */
    private Var imagesOfAllExamples(Stmt.Eqn e, List<Var> in) {
        boolean pool = e.prim() == Prim.MAX_POOL || e.prim() == Prim.MAX_UNPOOL;
        Var[] args = new Var[in.size()];
        for (int k = 0; k < in.size(); k++) {
            boolean images = k == 0 || pool;
            if (batched(e.in().get(k)) != images) return null;
            int[] s = in.get(k).shapeRef();
            args[k] = images ? b.reshape(in.get(k), Shapes.concat(new int[] {s[0] * s[1]}, Arrays.copyOfRange(s, 2, s.length))) : in.get(k);
        }
        Var out = b.emit(e.prim(), e.attr(), args);
        int[] o = out.shapeRef();
        return b.reshape(out, Shapes.concat(new int[] {size, o[0] / size}, Arrays.copyOfRange(o, 1, o.length)));
    }

    /**
     * The weight gradient of each example, {@code conv_weight(x_b, g_b)} summed over that example's
     * own images: the examples become groups of one convolution, x read as {@code [n, B * c, ...]}
     * and g as {@code [n, B * o, ...]} with B times the groups, whose weight gradient
     * {@code [B * o, c / groups, ...]} holds each example's.
     */
    private Var weightOfEachExample(Stmt.Eqn e, List<Var> in) {
        if (!batched(e.in().get(0)) || !batched(e.in().get(1))) return null;
        Attrs.Conv a = (Attrs.Conv) e.attr();
        Var x = asGroups(in.get(0)), g = asGroups(in.get(1));
        Var out = b.emit(Prim.CONV_WEIGHT, new Attrs.Conv(a.stride(), a.padding(), a.dilation(), a.groups() * size, a.size()), x, g);
        int[] o = out.shapeRef();
        return b.reshape(out, Shapes.concat(new int[] {size, o[0] / size}, Arrays.copyOfRange(o, 1, o.length)));
    }

    /** {@code [B, n, c, ...]} as {@code [n, B * c, ...]}: each example's channels a group of their own. */
    private Var asGroups(Var v) {
        int[] s = v.shapeRef(), perm = new int[s.length];
        perm[0] = 1;
        perm[1] = 0;
        for (int k = 2; k < s.length; k++) perm[k] = k;
        Var t = b.transpose(v, perm);
        return b.reshape(t, Shapes.concat(new int[] {s[1], s[0] * s[2]}, Arrays.copyOfRange(s, 3, s.length)));
    }

    /**
     * An elementwise primitive or a product: NumPy's broadcasting aligns operands at the right, so
     * each batched operand gets ones after its batch axis up to the highest rank of one example's
     * operands; an unbatched operand then broadcasts along the batch axis by itself.
     */
    private Var broadcasting(Stmt.Eqn e, List<Var> in) {
        int rank = 0;
        for (Var v : e.in()) rank = Math.max(rank, v.shapeRef().length);
        Var[] args = new Var[in.size()];
        for (int k = 0; k < in.size(); k++) args[k] = batched(e.in().get(k)) ? padded(in.get(k), rank) : in.get(k);
        return b.emit(e.prim(), e.attr(), args);
    }

    /**
     * A product of one example's matrix with a matrix that is the same for every example, as one
     * product over the whole batch rather than one per example: the batch axis joins the rows of
     * {@code a}, or the columns of {@code b} (one column per example, as {@code W @ x} with a
     * vector x). Every element is the same sum over k in the same order, so the bits are those of
     * the products per example. Null where this does not apply (then products broadcast over the
     * batch axis).
     */
    private Var foldedProduct(Stmt.Eqn e, List<Var> in) {
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        Var a = e.in().get(0), c = e.in().get(1);
        if (a.shapeRef().length != 2 || c.shapeRef().length != 2 || batched(a) == batched(c)) return null;
        if (batched(a) && !t.transA()) { // [B, m, k] @ op(c): the rows of all examples at once
            int[] s = a.shapeRef();
            Var rows = b.reshape(in.get(0), new int[] {size * s[0], s[1]});
            Var out = b.matmul(rows, false, in.get(1), t.transB());
            return b.reshape(out, new int[] {size, s[0], out.shapeRef()[1]});
        }
        if (batched(c) && (t.transB() || c.shapeRef()[1] == 1)) { // op(a) @ c_i = (c_iᵀ op(a)ᵀ)ᵀ: c_iᵀ's rows of all examples at once
            int[] s = c.shapeRef();
            int m = t.transB() ? s[0] : 1, k = t.transB() ? s[1] : s[0];
            Var rows = b.reshape(in.get(1), new int[] {size * m, k});
            Var out = b.matmul(rows, false, in.get(0), !t.transA()); // [B*m, n]
            int n = out.shapeRef()[1];
            return m == 1 ? b.reshape(out, new int[] {size, n, 1}) : b.transpose(b.reshape(out, new int[] {size, m, n}), new int[] {0, 2, 1});
        }
        return null;
    }

    /** A batched value whose examples have rank below {@code rank}: ones put after the batch axis. */
    Var padded(Var v, int rank) {
        int[] s = v.shapeRef();
        int missing = rank - (s.length - 1);
        if (missing <= 0) return v;
        int[] shape = new int[rank + 1];
        Arrays.fill(shape, 1);
        shape[0] = s[0];
        System.arraycopy(s, 1, shape, 1 + missing, s.length - 1);
        return b.reshape(v, shape);
    }

    /** An unbatched value repeated for every example. */
    Var spread(Var v) {
        return b.expand(b.reshape(v, Shapes.concat(new int[] {1}, v.shapeRef())), withBatch(v.shapeRef()));
    }

    int[] withBatch(int[] shape) {
        return Shapes.concat(new int[] {size}, shape);
    }

    private static int[] prefixed(int first, int[] rest) {
        return Shapes.concat(new int[] {first}, rest);
    }

    private static int[] shifted(int[] axes) {
        int[] out = axes.clone();
        for (int k = 0; k < out.length; k++) out[k]++;
        return out;
    }
}
