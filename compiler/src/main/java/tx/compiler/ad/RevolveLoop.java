package tx.compiler.ad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The reversal of a {@code for} loop on Revolve's schedule ({@link Revolve}), as IR the verifier
 * checks and {@code tx ir} prints: nothing is decided at run time.
 *
 * <p>The state of a step is the carried values its body reads. The forward loop carries, beside
 * its own values, one tensor of k + 1 rows per state value: at the steps the schedule's first
 * sweep stores (its {@code takeshot}s before {@code firsturn}), a branch writes the state into its
 * row; row k holds the state of the last step, which the reversal starts from (Revolve's current
 * state). The reversed loop carries those rows too, and a pointer into the list of the states the
 * rest of the schedule stores. Each reversed iteration i restores the row the schedule names
 * (a table indexed by i, with the step it holds), advances from there to step i with a copy of
 * the body's equations that make the state (a loop of i - p iterations, known when it runs),
 * storing the states the schedule stores on the way, and then reads the body's values from the
 * state of step i, recomputing what {@code with checkpoint} marked. The tables are constants of
 * n entries, so the program does not grow with the trip count.
 */
final class RevolveLoop {
    private final Builder b;
    private final Stmt.Loop fwd;
    private final int k;
    /** The positions, in the loop's parameters, of the state: the carried values the body reads. */
    final List<Integer> state = new ArrayList<>();
    /** The body's equations that make the next state, in order. */
    private final List<Eqn> slice = new ArrayList<>();
    private Var sweepSlot, sweepHit, restoreSlot, restoreStep, pushStep, pushSlot;
    /** The sweep's tables, made before the forward loop when it is given its rows. */
    private double[] sweepSlots, sweepHits;
    /** The reversed loop's extra carried values: the rows of each state value, then the pointer. */
    final List<Var> init = new ArrayList<>(), params = new ArrayList<>(), next = new ArrayList<>();
    final Revolve schedule;

    private RevolveLoop(Builder b, Stmt.Loop fwd, int k) {
        this.b = b;
        this.fwd = fwd;
        this.k = k;
        this.schedule = Revolve.of(fwd.count(), k);
    }

    /**
     * The plan for reversing {@code fwd} on the schedule `with checkpoint(snapshots=k)` (or
     * --max-memory) gave it; null for a loop reversed step by step, or, with {@code refused[0]}
     * set (and the diagnostic's help recorded), for one whose schedule cannot be followed yet.
     */
    static RevolveLoop forLoop(Builder b, Graph graph, Stmt.Loop fwd, String[] refused) {
        int k = graph.snapshots(fwd.index());
        if (k <= 0 || fwd.runTime() != null || fwd.count() == 0) return null;
        String where = "the reversal of the loop at line " + fwd.origin().line() + " on Revolve's schedule (`checkpoint(snapshots=)`): ";
        if (!graph.revolve(fwd.index())) {
            graph.help(refusedAt(fwd), "a loop on Revolve's schedule is reversed once: call one backward (or one transform) through it,\n"
                    + "or drop `snapshots=`: a loop reversed step by step can be reversed again");
            refused[0] = where + "a second reversal of the same loop is not done yet";
            return null;
        }
        RevolveLoop r = new RevolveLoop(b, fwd, Math.min(k, fwd.count()));
        String why = r.findState();
        if (why == null) return r;
        graph.help(refusedAt(fwd), "reverse this loop step by step instead: drop `snapshots=`, or put `with checkpoint { ... }` in its body");
        refused[0] = where + why + ", which it cannot recompute yet";
        return null;
    }

    /** The variable a refused reversal names (the loop's first output). */
    static Var refusedAt(Stmt.Loop fwd) {
        return fwd.outs().isEmpty() ? fwd.index() : fwd.outs().get(0);
    }

    /** Finds the state and the equations that advance it; a reason if the body makes it otherwise than by equations. */
    private String findState() {
        Set<Var> read = Blocks.free(fwd.body());
        Set<Integer> s = new LinkedHashSet<>();
        for (int j = 0; j < fwd.params().size(); j++) if (read.contains(fwd.params().get(j))) s.add(j);
        Set<Var> needed = new HashSet<>();
        boolean grew = true;
        while (grew) { // a result that is another carried value (a swap) brings that value into the state
            grew = false;
            for (int j : new ArrayList<>(s)) {
                int at = fwd.params().indexOf(fwd.results().get(j));
                if (at >= 0 && s.add(at)) grew = true;
                needed.add(fwd.results().get(j));
            }
        }
        for (int j : s) if (fwd.init().get(j) == null) return "a value first assigned in its body is carried by it";
        List<Stmt> body = fwd.body();
        boolean[] keep = new boolean[body.size()];
        for (int i = body.size() - 1; i >= 0; i--) {
            Stmt st = body.get(i);
            if (st instanceof Eqn e) {
                if (!needed.contains(e.out())) continue;
                keep[i] = true;
                needed.addAll(e.in());
            } else if (!java.util.Collections.disjoint(Blocks.defined(List.of(st)), needed)) {
                return "its carried values are made by a nested loop, a branch or a call (line " + st.origin().line() + ")";
            }
        }
        for (int i = 0; i < body.size(); i++) if (keep[i]) slice.add((Eqn) body.get(i));
        for (Var p : fwd.params()) if (needed.contains(p)) s.add(fwd.params().indexOf(p));
        state.addAll(s);
        java.util.Collections.sort(state);
        return null;
    }

    /** The shape of the rows of state value j: k + 1 rows of its shape. */
    private int[] rows(Var p) {
        return Shapes.concat(new int[] {k + 1}, p.shapeRef());
    }

    // ---- the tables --------------------------------------------------------------------------------

    /** Emits the schedule's tables as int64 constants (in the current block, before the reversed loop) and the reversed loop's carried rows. */
    void tables() {
        int n = fwd.count();
        double[] sweep = new double[n], hit = new double[n], rSlot = new double[n], rStep = new double[n];
        List<double[]> pushes = new ArrayList<>();
        boolean turned = false;
        int pendingSlot = -1, pendingStep = -1;
        for (Revolve.Action a : schedule.actions()) {
            switch (a.kind()) {
                case TAKESHOT -> {
                    if (!turned) {
                        sweep[a.step()] = a.slot();
                        hit[a.step()] = 1;
                    } else {
                        pushes.add(new double[] {a.step(), a.slot()});
                    }
                }
                case RESTORE -> {
                    pendingSlot = a.slot();
                    pendingStep = a.step();
                }
                case FIRSTURN -> {
                    turned = true;
                    if (hit[n - 1] == 0) { // the state of the last step, which the reversal starts from
                        sweep[n - 1] = k;
                        hit[n - 1] = 1;
                    }
                    rSlot[n - 1] = sweep[n - 1];
                    rStep[n - 1] = n - 1;
                }
                case YOUTURN -> {
                    rSlot[a.step()] = pendingSlot;
                    rStep[a.step()] = pendingStep;
                }
                case ADVANCE -> { }
            }
        }
        if (pushes.isEmpty()) pushes.add(new double[] {-1, 0}); // no step is -1: never taken
        double[] pStep = new double[pushes.size()], pSlot = new double[pushes.size()];
        for (int i = 0; i < pushes.size(); i++) {
            pStep[i] = pushes.get(i)[0];
            pSlot[i] = pushes.get(i)[1];
        }
        String old = b.named("revolve");
        sweepSlots = sweep;
        sweepHits = hit;
        restoreSlot = table(rSlot);
        restoreStep = table(rStep);
        pushStep = table(pStep);
        pushSlot = table(pSlot);
        for (int j = 0; j < state.size(); j++) {
            Var p = fwd.params().get(state.get(j));
            params.add(b.newVar(rows(p), p.name() + "_snapshots", p.dtype()));
        }
        params.add(b.newVar(Shapes.SCALAR, "revolve_next", DType.INT64));
        b.named(old);
    }

    /** The reversed loop starts from the rows the forward loop stored, and the first state the rest of the schedule stores. */
    void startFrom(List<Var> forwardRows) {
        String old = b.named("revolve");
        init.addAll(forwardRows);
        init.add(b.scalar(0, DType.INT64));
        b.named(old);
    }

    private Var table(double[] values) {
        return b.constant(Tensor.of(new int[] {values.length}, values), DType.INT64);
    }

    // ---- the forward loop ------------------------------------------------------------------------------

    /**
     * Gives the forward loop (as it now is in the program) the rows of the state to carry: zeros
     * before it, and at each step the schedule's sweep stores, the state written into its row.
     * Returns the rows after the loop.
     */
    List<Var> storeInForward(Stmt.Loop cur, Graph graph) {
        b.at(cur.origin());
        String old = b.named("revolve");
        b.openBlock();
        sweepSlot = table(sweepSlots);
        sweepHit = b.constant(Tensor.of(new int[] {sweepHits.length}, sweepHits), DType.BOOL);
        List<Var> zeros = new ArrayList<>(), rowParams = new ArrayList<>(), rowOuts = new ArrayList<>();
        for (int j : state) {
            Var p = cur.params().get(j);
            b.named(p.name() + "_snapshots");
            zeros.add(b.fill(rows(p), 0.0, p.dtype()));
        }
        List<Stmt> before = b.closeBlock();
        for (Var z : zeros) {
            rowParams.add(b.newVarLike(z, z.name()));
            rowOuts.add(b.newVarLike(z, z.name()));
        }
        List<Var> stored = new ArrayList<>();
        List<Stmt> body = new ArrayList<>(storeStep(cur, rowParams, stored));
        body.addAll(cur.body());
        List<Var> init = new ArrayList<>(cur.init()), params = new ArrayList<>(cur.params()), results = new ArrayList<>(cur.results()),
                outs = new ArrayList<>(cur.outs());
        init.addAll(zeros);
        params.addAll(rowParams);
        results.addAll(stored);
        outs.addAll(rowOuts);
        Stmt.Loop with = new Stmt.Loop(cur.count(), cur.index(), init, params, body, results, outs, cur.stacked(), cur.tapes(), cur.reverse(),
                cur.origin(), cur.runTime());
        if (!b.insertBefore(cur, before) || !b.replace(cur, with)) throw new IllegalStateException("the loop at line " + cur.origin().line() + " is not in the program");
        graph.structure(with);
        b.named(old);
        return rowOuts;
    }

    /** The statements a forward iteration adds to store its state (reading {@code rows}, the carried rows); {@code stored} receives the new rows. */
    List<Stmt> storeStep(Stmt.Loop cur, List<Var> rowParams, List<Var> stored) {
        b.openBlock();
        String old = b.named("revolve");
        Var slot = b.take(sweepSlot, cur.index(), 0), hit = b.take(sweepHit, cur.index(), 0);
        List<Var> values = new ArrayList<>();
        for (int j : state) values.add(cur.params().get(j));
        stored.addAll(store(hit, slot, rowParams, values));
        b.named(old);
        return b.closeBlock();
    }

    /**
     * {@code if hit { rows[slot] = values }}, as a branch: the rows change at the few steps that
     * store a state, and cost nothing at the others. A row is written exactly (a where picks it),
     * so a restored state is bit for bit the one stored.
     */
    private List<Var> store(Var hit, Var slot, List<Var> rowsIn, List<Var> values) {
        b.openBlock();
        List<Var> written = new ArrayList<>();
        for (int j = 0; j < values.size(); j++) {
            Var rows = rowsIn.get(j), v = values.get(j);
            int[] ones = new int[rows.shapeRef().length];
            java.util.Arrays.fill(ones, 1);
            int[] column = ones.clone();
            column[0] = k + 1;
            // NOTE: the row to write is picked by a [k + 1, 1, ...] mask and the value broadcast over
            // the rows: the only tensor of the rows' size made is the result
            Var on = b.put(b.reshape(b.scalar(1, DType.BOOL), java.util.Arrays.copyOfRange(ones, 1, ones.length)), slot, column, 0);
            written.add(b.where(on, b.reshape(v, Shapes.concat(new int[] {1}, v.shapeRef())), rows));
        }
        List<Stmt> then = b.closeBlock();
        List<Var> outs = new ArrayList<>();
        for (Var r : rowsIn) outs.add(b.newVarLike(r, r.name()));
        b.add(new Stmt.Cond(hit, then, written, List.of(), rowsIn, outs, b.origin()));
        return outs;
    }

    // ---- the reversed loop -----------------------------------------------------------------------------

    /**
     * The start of reversed iteration {@code index}: restores a stored state, advances it to step
     * {@code index} storing what the schedule stores, and maps the state's parameters to it in
     * {@code rename}; the carried rows and pointer of the next iteration go to {@link #next}.
     */
    void restore(Var index, Map<Var, Var> rename) {
        String old = b.named("revolve");
        Var slot = b.take(restoreSlot, index, 0), from = b.take(restoreStep, index, 0);
        List<Var> start = new ArrayList<>();
        for (int j = 0; j < state.size(); j++) {
            Var p = fwd.params().get(state.get(j));
            b.named(p.name());
            start.add(b.take(params.get(j), slot, 0));
        }
        b.named("revolve");
        Var count = b.sub(index, from);
        Var step = b.newVar(Shapes.SCALAR, "revolve_step", DType.INT64);
        List<Var> loopParams = new ArrayList<>(), loopInit = new ArrayList<>(start);
        for (int j = 0; j < state.size(); j++) loopParams.add(b.newVarLike(start.get(j), start.get(j).name()));
        for (Var p : params) {
            loopInit.add(p);
            loopParams.add(b.newVarLike(p, p.name()));
        }
        b.openBlock();
        List<Var> results = advance(loopParams, b.add(from, step));
        List<Stmt> body = b.closeBlock();
        List<Var> outs = new ArrayList<>();
        for (Var p : loopParams) outs.add(b.newVarLike(p, p.name()));
        b.add(new Stmt.Loop(0, step, loopInit, loopParams, body, results, outs, List.of(), List.of(), false, b.origin(), Stmt.RunTime.counted(count)));
        for (int j = 0; j < state.size(); j++) {
            rename.put(fwd.params().get(state.get(j)), outs.get(j));
            b.step(outs.get(j)); // NOTE: a forward value made again, as a recomputed one: the forward loop checked it
        }
        next.addAll(outs.subList(state.size(), outs.size()));
        b.named(old);
    }

    /** One step forwards from the state in {@code loopParams} at step {@code at}: the state after it, the rows (the state stored if the schedule says so) and the pointer. */
    private List<Var> advance(List<Var> loopParams, Var at) {
        Map<Var, Var> map = new HashMap<>();
        for (int j = 0; j < state.size(); j++) map.put(fwd.params().get(state.get(j)), loopParams.get(j));
        map.put(fwd.index(), at);
        for (Eqn e : slice) {
            Var[] in = new Var[e.in().size()];
            for (int i = 0; i < in.length; i++) in[i] = map.getOrDefault(e.in().get(i), e.in().get(i));
            b.named(e.out().name());
            Var again = b.emit(e.prim(), e.attr(), in);
            b.step(again);
            map.put(e.out(), again);
        }
        List<Var> results = new ArrayList<>();
        for (int j : state) results.add(map.getOrDefault(fwd.results().get(j), fwd.results().get(j)));
        b.named("revolve");
        Var pointer = loopParams.get(loopParams.size() - 1);
        Var last = b.scalar(pushStep.shapeRef()[0] - 1, DType.INT64);
        Var at1 = b.add(at, b.scalar(1, DType.INT64));
        Var q = b.emit(tx.runtime.ir.Prim.MINIMUM, null, pointer, last);
        Var hit = b.eq(b.take(pushStep, q, 0), at1);
        List<Var> stored = store(hit, b.take(pushSlot, q, 0), loopParams.subList(state.size(), loopParams.size() - 1), results);
        List<Var> all = new ArrayList<>(results);
        all.addAll(stored);
        all.add(b.add(pointer, hit));
        return all;
    }
}
