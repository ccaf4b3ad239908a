package tx.compiler.ad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Func;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * The reverse-mode source transformation behind {@code backward(s)}: from the equations that
 * produced {@code s}, build the adjoint equations into the current block. It is autodidax's
 * transpose loop: walk the active equations backwards, keep a map from variable to adjoint, add
 * contributions as they arrive; a missing adjoint is a structural zero and is never materialised.
 */
public final class Reverse {
    /** The adjoint of each leaf reached (leaf id to adjoint), or the barrier that stopped the pass. */
    public record Result(Map<Integer, Var> leafAdjoints, Var blockedAt, String blockedWhy) {}

    /** A where-mask: the adjoint is exactly zero where {@code cond} is (polarity) false. */
    private record Mask(Var cond, boolean polarity) {}

    private final Builder b;
    private final Graph graph;
    private final boolean createGraph;
    private final Map<Var, Var> adjoint = new HashMap<>();
    private final Map<Var, Mask> masks = new HashMap<>();
    /** Reads whose adjoint is kept rather than sent on (a row of a run-time tape: see {@link TapeRows}). */
    private final Set<Eqn> stops = new HashSet<>();

    private Reverse(Builder b, Graph graph, boolean createGraph) {
        this.b = b;
        this.graph = graph;
        this.createGraph = createGraph;
    }

    /** Differentiates {@code out} seeded with {@code seed} (same shape) with respect to every leaf it reaches. */
    public static Result backward(Builder b, Graph graph, Var out, Var seed) {
        return new Reverse(b, graph, false).run(out, seed, null);
    }

    /**
     * For the derivative transforms: the adjoint equations are recorded like any others (PyTorch's
     * create_graph), so that an outer transform can differentiate them again, and only the leaves
     * in {@code wanted} are returned.
     */
    public static Result transform(Builder b, Graph graph, Var out, Var seed, java.util.Set<Integer> wanted) {
        return new Reverse(b, graph, true).run(out, seed, wanted);
    }

    /** As {@link #transform(Builder, Graph, Var, Var, java.util.Set)} for several outputs, each with its seed (a function's results). */
    static Result transform(Builder b, Graph graph, List<Var> outs, List<Var> seeds, java.util.Set<Integer> wanted) {
        return new Reverse(b, graph, true).run(outs, seeds, wanted);
    }

    private Result run(Var out, Var seed, java.util.Set<Integer> wanted) {
        return run(List.of(out), List.of(seed), wanted);
    }

    /** Differentiates several outputs at once, each seeded with its own adjoint (a function's results). */
    private Result run(List<Var> outs, List<Var> seeds, java.util.Set<Integer> wanted) {
        Map<Var, Integer> leaves = new LinkedHashMap<>();
        List<Stmt> active = new ArrayList<>();
        Var blocked = slice(outs, leaves, active);
        if (blocked != null) return new Result(Map.of(), blocked, graph.barrierReason(blocked));
        if (wanted != null) leaves.values().removeIf(id -> !wanted.contains(id));
        // a backward's adjoints do not themselves require grad (no create_graph); a transform's may
        boolean wasNoGrad = createGraph ? graph.noGrad() : graph.setNoGrad(true);
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        int depth = b.depth();
        Plan.begin();
        List<Stmt> block = b.currentBlock();
        int start = block.size(), inserted = b.inserted(block);
        try {
            for (int k = 0; k < outs.size(); k++) accumulate(outs.get(k), seeds.get(k), null);
            active.sort(Comparator.comparingInt(Reverse::order).reversed());
            for (Stmt s : active) propagate(s);
            Map<Integer, Var> result = collect(leaves);
            prune(block.subList(start + b.inserted(block) - inserted, block.size()), result.values());
            return new Result(result, null, null);
        } catch (Blocked x) { // a called function's adjoint met a barrier: nothing of this pass is kept
            b.closeTo(depth);
            block.subList(start + b.inserted(block) - inserted, block.size()).clear();
            return new Result(Map.of(), x.at, x.why);
        } finally {
            Plan.end(oldOrigin.line(), oldOrigin.col(), createGraph ? "transform" : "backward");
            if (!createGraph) graph.setNoGrad(wasNoGrad);
            b.named(oldName);
            b.at(oldOrigin);
        }
    }

    /**
     * Why a pass stops at a branch that is nowhere in the program being built: an earlier error
     * kept tx from building the loop around it. The error is reported already, so callers say nothing more.
     */
    public static final String NOT_BUILT = "a branch that an earlier error left out of the program";

    /** A function's adjoint cannot be derived: the barrier inside it, which stops the whole pass. */
    private static final class Blocked extends RuntimeException {
        final Var at;
        final String why;

        Blocked(Var at, String why) {
            super(why, null, false, false);
            this.at = at;
            this.why = why;
        }
    }

    /**
     * Program order of the active statements: an equation's output, or the first output of a loop,
     * branch or call, is made after its inputs. NOTE: the first, not the last: a pass may have
     * replaced the statement by one with more outputs (a tape, a branch's exports, a call's
     * residuals), made later and numbered higher.
     */
    private static int order(Stmt s) {
        if (s instanceof Eqn e) return e.out().id();
        List<Var> outs = s instanceof Stmt.Loop l ? (l.outs().isEmpty() ? l.tapes() : l.outs()) // a loop that only stacks (vmap, a Jacobian)
                : s instanceof Stmt.Call c ? c.outs() : ((Stmt.Cond) s).outs();
        int min = Integer.MAX_VALUE;
        for (Var o : outs) min = Math.min(min, o.id());
        return min;
    }

    /**
     * Activity analysis: the equations, loops and branches between the leaves and {@code out},
     * through variables that require grad. Returns the first variable that requires grad but has no
     * definition in reach (a barrier), or null.
     */
    private Var slice(List<Var> outs, Map<Var, Integer> leaves, List<Stmt> active) {
        Deque<Var> todo = new ArrayDeque<>();
        Set<Var> seen = new HashSet<>();
        Set<Stmt> structures = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Var out : outs) if (seen.add(out)) todo.push(out);
        int popped = 0;
        while (!todo.isEmpty()) {
            Var v = todo.pop();
            if ((++popped & 4095) == 0) tx.runtime.ir.CompileLimit.checkTime(b.origin()); // --timeout bounds compiling too
            int leaf = graph.leafOf(v);
            if (leaf >= 0) {
                leaves.put(v, leaf);
                continue;
            }
            if (graph.afterError(v)) continue;
            Eqn e = graph.definition(v);
            java.util.Collection<Var> inputs;
            if (e != null && graph.barrierReason(v) != null) return v; // an equation with no derivative (floor division)
            if (e != null) {
                active.add(e);
                inputs = e.in();
            } else {
                Stmt st = graph.structureOf(v);
                if (st == null) return v;
                if (!structures.add(st)) continue;
                active.add(st);
                inputs = st instanceof Stmt.Call c ? Splits.reaching(graph, c) : Blocks.free(st);
            }
            for (Var in : inputs) {
                if (graph.requiresGrad(in) && seen.add(in)) todo.push(in);
            }
        }
        return null;
    }

    private void propagate(Stmt s) {
        if (s instanceof Eqn e) propagate(e);
        else if (s instanceof Stmt.Loop l) loop(l);
        else if (s instanceof Stmt.Cond c) cond(c);
        else if (s instanceof Stmt.Call c) call(c);
    }

    // ---- calls ---------------------------------------------------------------------------------------

    /**
     * The adjoint of a call is a call of the function's backward half. The function is split once
     * per activity pattern (see {@link Splits#split}): the forward call becomes a call of its forward half,
     * which also hands out the residuals (the values of the body that the backward half reads, as a
     * loop's tape holds them), and the backward half takes the arguments, the adjoints of the
     * outputs that have one, and the residuals, and gives the adjoints of the arguments that
     * require grad. Nothing is computed twice, and the program grows with the number of
     * functions, not of calls (JAX's partial evaluation into known and unknown halves; Tapenade's
     * split mode).
     */
    private void call(Stmt.Call c) {
        List<Var> dOut = adjointsOf(c.outs());
        if (dOut == null) return;
        List<Boolean> in = new ArrayList<>(), out = new ArrayList<>();
        for (Var x : c.in()) in.add(graph.requiresGrad(x));
        for (Var d : dOut) out.add(d != null);
        if (!in.contains(true)) return;
        // a forward half whose residuals have no adjoints is reversed as a call of its function, reusing
        // them; one whose residuals do (a derivative differentiated again) as a function of its own
        Func primal = graph.primalOf(c.fn());
        if (primal != c.fn() && out.subList(primal.results().size(), out.size()).contains(true)) primal = c.fn();
        else out = out.subList(0, primal.results().size());
        Splits.Split split = Splits.split(b, graph, primal, in, out);
        if (split.bwd() == null) throw new Blocked(split.blockedAt(), split.blockedWhy());
        if (split.gives().isEmpty()) return; // no argument reaches an output that has an adjoint
        b.at(c.origin().asAdjoint());
        List<Var> args = new ArrayList<>(c.in());
        for (Var d : dOut) if (d != null) args.add(d);
        if (split.fwd() != null) { // the residuals, as the forward half's outputs that hold them
            Stmt.Call fwd = forwardHalf(c, primal, split.fwd());
            List<Var> hands = split.fwd().results(), takes = split.bwd().params();
            for (Var r : takes.subList(takes.size() - split.residuals(), takes.size())) args.add(fwd.outs().get(hands.indexOf(r)));
        }
        b.named(null);
        Stmt.Call back = b.call(split.bwd(), args);
        List<Boolean> rg = new ArrayList<>();
        for (int k = 0; k < back.outs().size(); k++) rg.add(createGraph);
        graph.called(back, rg);
        for (int j = 0; j < split.gives().size(); j++) {
            int k = split.gives().get(j);
            if (in.get(k)) accumulate(c.in().get(k), back.outs().get(j), null); // a custom rule gives every parameter's, active or not
        }
    }

    /**
     * The call of the forward half that hands out the residuals. The first pass to reverse a call
     * replaces it, in place, by one; a call another pass split another way (two backwards with
     * different outputs, say) is made again beside the adjoint, with the arguments it had.
     */
    private Stmt.Call forwardHalf(Stmt.Call c, Func primal, Func fwd) {
        if (c.fn() == fwd) return c;
        if (c.fn() == primal) {
            List<Var> outs = new ArrayList<>(c.outs());
            for (Var r : fwd.results().subList(primal.results().size(), fwd.results().size())) outs.add(b.newVarLike(r, r.name()));
            Stmt.Call replaced = new Stmt.Call(fwd, c.in(), outs, c.origin());
            if (b.replace(c, replaced)) {
                graph.called(replaced, resultsRequiringGrad(fwd));
                for (Var r : outs.subList(c.outs().size(), outs.size())) b.step(r); // values of the function's body, not of the program
                return replaced;
            }
        }
        Stmt.Call again = b.call(fwd, c.in());
        graph.called(again, resultsRequiringGrad(fwd));
        for (Var r : again.outs()) b.step(r);
        return again;
    }

    private List<Boolean> resultsRequiringGrad(Func f) {
        List<Boolean> rg = new ArrayList<>();
        for (Var r : f.results()) rg.add(graph.requiresGrad(r));
        return rg;
    }

    /** The adjoint of a block, statement by statement from its end (a loop body or a branch, by a child pass). */
    private void reverseBlock(List<Stmt> body) {
        for (int i = body.size() - 1; i >= 0; i--) propagate(body.get(i));
    }

    /** Applies one equation's VJP rule and adds the contributions to its operands' adjoints. */
    private void propagate(Eqn e) {
        Var g = adjoint.get(e.out());
        if (g == null || stops.contains(e)) return;
        Var hooked = graph.hooked(e.out(), g); // its uses are all behind: g is its whole gradient, which a hook may replace
        if (hooked != g) adjoint.put(e.out(), g = hooked);
        b.at(e.origin().asAdjoint());
        b.named(contributionName(e));
        int from = b.varCount();
        List<Var> contributions = e.prim().vjp(b, e, g);
        Mask inherited = e.prim().elementwise() ? masks.get(e.out()) : null;
        List<Var> shown = new ArrayList<>();
        for (int i = 0; i < e.in().size(); i++) {
            Var x = e.in().get(i), c = i < contributions.size() ? contributions.get(i) : null; // none for a size operand
            if (c == null || !graph.requiresGrad(x)) continue;
            b.named(adjointName(x));
            Mask own = e.prim() == Prim.WHERE ? new Mask(e.in().get(0), i == 1) : null;
            if (inherited != null) c = apply(inherited, c); // where's own rule already masks its operands
            boolean sameShape = java.util.Arrays.equals(c.shapeRef(), x.shapeRef());
            Mask mask = own != null ? own : inherited;
            if (!sameShape && mask != null) mask = reduce(mask, c, x.shapeRef());
            c = b.unbroadcast(c, x.shapeRef());
            accumulate(x, c, mask);
            if (!b.isInternal(x)) {
                shown.add(c);
                shown.add(adjoint.get(x));
            }
        }
        // NOTE: what the rule builds on the way is a step (0 · inf before a where masks it, as in
        // d/dx x^0 at 0); the gradient it sends to a value of the program, and that value's sum of
        // gradients so far, are what PyTorch's anomaly mode checks: a backward function's outputs
        b.stepsSince(from);
        for (Var v : shown) b.shown(v);
    }

    // ---- loops and branches ------------------------------------------------------------------------

    /**
     * The adjoint of a loop is a loop that runs backwards. It carries the adjoints of the forward
     * loop's carried values (starting from the adjoints of its outputs) and sums, in more carried
     * values, the adjoints of the tensors the body reads from outside (say a weight matrix). Its
     * body is the adjoint of the forward body, built by a child pass. Whatever forward value that
     * body reads (to-be-recorded analysis: exactly those, nothing more) is put on a tape by the
     * forward loop, one row per iteration, and read back at the same iteration by the reversed loop.
     * The program's size does not depend on the trip count.
     */
    private void loop(Stmt.Loop fwd) {
        List<Var> dOut = adjointsOf(fwd.outs()), dTapes = adjointsOf(fwd.tapes());
        if (dOut == null && dTapes == null) return;
        if (dOut == null) dOut = java.util.Arrays.asList(new Var[fwd.outs().size()]);
        RevolveLoop revolve = revolve(fwd);
        b.at(fwd.origin().asAdjoint());
        List<Integer> carried = new ArrayList<>();
        for (int k = 0; k < fwd.params().size(); k++) if (graph.requiresGrad(fwd.params().get(k))) carried.add(k);
        List<Var> free = outsideReads(fwd);
        Map<Var, Eqn> rows = TapeRows.of(fwd, free); // run-time tapes read a row an iteration: their adjoints are taped

        // the reversed loop carries the carried values' adjoints, then one accumulator per outside value
        List<Var> init = new ArrayList<>(), params = new ArrayList<>();
        for (int k : carried) {
            Var p = fwd.params().get(k);
            b.named(adjointName(p));
            init.add(dOut.get(k) != null ? dOut.get(k) : b.fill(p.shapeRef(), 0.0));
            params.add(b.newVar(p.shapeRef(), adjointName(p)));
        }
        for (Var v : free) {
            b.named(adjointName(v));
            init.add(b.fill(v.shapeRef(), 0.0));
            params.add(b.newVar(v.shapeRef(), adjointName(v)));
        }
        // under a transform the reversed body is recorded for a second pass: what it computes from its
        // carried adjoints requires grad, so these are marked before the body is built
        if (createGraph && !graph.noGrad()) for (Var p : params) graph.setRequiresGrad(p, true);
        Var index = b.newVarLike(fwd.index(), fwd.index().name());
        if (revolve != null) revolve.tables();
        List<Var> results = new ArrayList<>();
        List<Var> rowAdjoints = new ArrayList<>();
        List<Stmt> body = reversedBody(fwd, carried, free, params, results, index, dTapes, rows, rowAdjoints);

        Recorder tape = record(fwd, index, body, results, revolve);
        List<Stmt> reversed = tape.prologue;
        reversed.addAll(Blocks.rename(body, tape.rename));
        List<Var> next = new ArrayList<>();
        for (Var r : results) next.add(tape.rename.getOrDefault(r, r));
        Plan.loop(tape.now, tape.checkpointed, revolve);
        if (revolve != null) { // the reversal carries the stored states too
            revolve.startFrom(revolve.storeInForward(tape.now, graph));
            b.at(fwd.origin().asAdjoint());
            init.addAll(revolve.init);
            params.addAll(revolve.params);
            next.addAll(revolve.next);
        }
        List<Var> outs = new ArrayList<>();
        for (Var p : params) outs.add(b.newVar(p.shapeRef(), p.name()));
        // the reversal of a reversed loop runs forwards; a while's, and that of a while's reversal, as many iterations as it ran
        Stmt.RunTime counted = fwd.runTime() == null ? null : Stmt.RunTime.counted(fwd.isWhile() ? fwd.runTime().trips() : fwd.runTime().count());
        List<Var> rowTapes = new ArrayList<>(), stackedRows = new ArrayList<>();
        for (Var d : rowAdjoints) {
            stackedRows.add(tape.rename.getOrDefault(d, d));
            rowTapes.add(b.newVar(tx.runtime.tensor.Shapes.concat(new int[] {fwd.count()}, d.shapeRef()), d.name()));
        }
        Stmt.Loop back = new Stmt.Loop(fwd.count(), index, init, params, reversed, next, outs, stackedRows, rowTapes, !fwd.reverse(),
                fwd.origin().asAdjoint(), counted);
        b.add(back);
        differentiable(back);
        int j = 0;
        for (Var v : rows.keySet()) accumulate(v, rowTapes.get(j++), null);
        if (revolve != null) for (Var p : revolve.params) graph.setRequiresGrad(p, false); // positions and stored states, not adjoints
        for (int i = 0; i < carried.size(); i++) {
            Var x = fwd.init().get(carried.get(i));
            if (x != null && graph.requiresGrad(x)) accumulate(x, outs.get(i), null);
        }
        for (j = 0; j < free.size(); j++) accumulate(free.get(j), outs.get(carried.size() + j), null);
    }

    /** The plan for reversing a loop on Revolve's schedule (null: step by step); a Blocked if it has one it cannot follow. */
    private RevolveLoop revolve(Stmt.Loop fwd) {
        String[] refused = new String[1];
        RevolveLoop r = RevolveLoop.forLoop(b, graph, fwd, refused);
        if (refused[0] != null) throw new Blocked(RevolveLoop.refusedAt(fwd), refused[0]);
        return r;
    }

    /** The values from outside a loop that its body (or its results) read and that require grad. */
    private List<Var> outsideReads(Stmt.Loop fwd) {
        Set<Var> inner = Blocks.defined(fwd.body());
        inner.addAll(fwd.params());
        inner.add(fwd.index());
        Set<Var> reads = Blocks.free(fwd.body());
        for (Var r : fwd.results()) if (r != null) reads.add(r);
        List<Var> free = new ArrayList<>();
        for (Var v : reads) if (!inner.contains(v) && graph.requiresGrad(v)) free.add(v);
        return free;
    }

    /**
     * The body of the reversed loop, built by a child pass over the forward body: seeded with the
     * carried adjoints, it gives (into {@code results}) the carried values' adjoints for the
     * previous iteration and the accumulators plus this iteration's contributions.
     */
    private List<Stmt> reversedBody(Stmt.Loop fwd, List<Integer> carried, List<Var> free, List<Var> params, List<Var> results, Var index,
                                    List<Var> dTapes, Map<Var, Eqn> rows, List<Var> rowAdjoints) {
        b.openBlock();
        Reverse child = new Reverse(b, graph, createGraph);
        child.stops.addAll(rows.values());
        for (int i = 0; i < carried.size(); i++) child.accumulate(fwd.results().get(carried.get(i)), params.get(i), null);
        // a tape with an adjoint (the loop's reversal differentiated again): row i is the adjoint of what iteration i stacked
        for (int k = 0; dTapes != null && k < dTapes.size(); k++) {
            if (dTapes.get(k) != null) child.accumulate(fwd.stacked().get(k), b.take(dTapes.get(k), index, 0), null);
        }
        child.reverseBlock(fwd.body());
        for (int i = 0; i < carried.size(); i++) {
            Var p = fwd.params().get(carried.get(i));
            Var d = child.adjoint.get(p);
            b.named(adjointName(p));
            results.add(d != null ? b.unbroadcast(d, p.shapeRef()) : b.fill(p.shapeRef(), 0.0));
        }
        for (int j = 0; j < free.size(); j++) {
            Var acc = params.get(carried.size() + j), d = child.adjoint.get(free.get(j));
            b.named(adjointName(free.get(j)));
            results.add(d == null ? acc : b.add(acc, d));
        }
        for (Eqn read : rows.values()) { // the adjoint of the row this iteration read, recorded by the reversed loop
            Var d = child.adjoint.get(read.out());
            b.named(adjointName(read.in().get(0)));
            rowAdjoints.add(d != null ? b.unbroadcast(d, read.out().shapeRef()) : b.fill(read.out().shapeRef(), 0.0));
        }
        List<Stmt> body = b.closeBlock();
        List<Var> roots = new ArrayList<>(results);
        roots.addAll(rowAdjoints);
        prune(body, roots); // contributions to what does not require grad are dropped before they are taped for
        return body;
    }

    /**
     * Decides, for every forward value of the body that the reversed body reads, whether it is
     * recomputed or taped (see {@link Recorder}), builds the reading prologue, and gives the forward
     * loop its tape. The body's definitions are taken after the child pass: reversing a nested
     * loop gave it a tape of its own.
     */
    private Recorder record(Stmt.Loop fwd, Var index, List<Stmt> body, List<Var> results, RevolveLoop revolve) {
        Set<Var> inner = Blocks.defined(fwd.body());
        inner.addAll(fwd.params());
        inner.add(fwd.index());
        Map<Var, Eqn> made = new HashMap<>();
        for (Stmt st : fwd.body()) if (st instanceof Eqn e) made.put(e.out(), e);
        Recorder tape = new Recorder(fwd, index, inner, made);
        Set<Var> needed = Blocks.free(body);
        needed.addAll(results);
        b.openBlock();
        if (revolve != null) revolve.restore(index, tape.rename); // the state of the step, from a stored one
        for (Var v : needed) if (inner.contains(v)) tape.read(v);
        tape.prologue = b.closeBlock();
        tape.now = fwd;
        if (tape.stacked.size() > fwd.stacked().size()) {
            Stmt.Loop taped = fwd.with(fwd.body(), tape.stacked, tape.tapes);
            if (!b.replace(fwd, taped)) throw new IllegalStateException("the loop at line " + fwd.origin().line() + " is not in the program");
            tape.now = taped;
            graph.structure(taped);
            if (createGraph && !graph.noGrad()) { // the reversal reads the tapes: they carry gradients for a derivative of it
                for (int k = 0; k < taped.tapes().size(); k++) graph.setRequiresGrad(taped.tapes().get(k), graph.requiresGrad(taped.stacked().get(k)));
            }
        }
        return tape;
    }

    /** The adjoints of a loop's or branch's outputs (null entries: structural zeros), or null if all are zero. */
    private List<Var> adjointsOf(List<Var> outs) {
        List<Var> d = new ArrayList<>();
        boolean any = false;
        for (Var o : outs) {
            Var a = adjoint.get(o);
            d.add(a);
            any |= a != null;
        }
        return any ? d : null;
    }

    /**
     * How the reversed body gets the forward values it reads. A value that is the same in every
     * iteration (made from constants and values from outside the loop), or a row {@code x[i]} of
     * an outside tensor at the loop's index, is computed again. So is one
     * made inside `with checkpoint`, from the iteration's carried values (which are taped) and
     * outside values: that trades recomputation for the memory of its tape. Anything else is taped:
     * the forward loop records it, one row per iteration, and the reversed loop reads the row back.
     */
    private final class Recorder {
        final Stmt.Loop fwd;
        final Var index;
        final Set<Var> inner;
        final Map<Var, Eqn> made;
        final Map<Var, Var> rename = new HashMap<>();
        final List<Var> stacked, tapes;
        /** The reads of taped and recomputed values, which start the reversed body. */
        List<Stmt> prologue;
        /** The forward loop as it is in the program once its tape is added. */
        Stmt.Loop now;
        /** Whether the reversed body recomputes values that `with checkpoint` marked (part of each step runs again). */
        boolean checkpointed;

        Recorder(Stmt.Loop fwd, Var index, Set<Var> inner, Map<Var, Eqn> made) {
            this.fwd = fwd;
            this.index = index;
            this.inner = inner;
            this.made = made;
            this.stacked = new ArrayList<>(fwd.stacked());
            this.tapes = new ArrayList<>(fwd.tapes());
            rename.put(fwd.index(), index);
        }

        /** The value of a forward variable of the body, in the reversed body. */
        Var read(Var v) {
            Var done = rename.get(v);
            if (done != null) return done;
            boolean sized = tx.runtime.tensor.Shapes.symbolic(v.shapeRef()); // a tape's rows have one static shape: made again instead
            boolean again = !invariant(v) && !rowOfOutside(v) && (graph.checkpointed(v) || sized) && recomputable(v);
            checkpointed |= again;
            Var r = again || invariant(v) || rowOfOutside(v) ? recompute(v) : taped(v);
            rename.put(v, r);
            return r;
        }

        private boolean invariant(Var v) {
            Eqn e = made.get(v);
            if (e == null || e.prim() == Prim.LOAD) return false;
            for (Var x : e.in()) if (inner.contains(x) && !invariant(x)) return false;
            return true;
        }

        /** x[i] of a tensor from outside the loop, at the loop's index: read again at the reversed index rather than taped. */
        private boolean rowOfOutside(Var v) {
            Eqn e = made.get(v);
            if (e == null || e.prim() != Prim.TAKE || !e.in().get(1).equals(fwd.index())) return false;
            Var x = e.in().get(0);
            return !inner.contains(x) || invariant(x);
        }

        private boolean recomputable(Var v) {
            Eqn e = made.get(v);
            if (e == null || e.prim() == Prim.LOAD) return false;
            for (Var x : e.in()) {
                if (inner.contains(x) && !x.equals(fwd.index()) && !fwd.params().contains(x) && !recomputable(x)) return false;
            }
            return true;
        }

        private Var recompute(Var v) {
            Eqn e = made.get(v);
            Var[] in = new Var[e.in().size()];
            for (int i = 0; i < in.length; i++) in[i] = inner.contains(e.in().get(i)) ? read(e.in().get(i)) : e.in().get(i);
            b.named(v.name());
            Var again = b.emit(e.prim(), e.attr(), in);
            b.step(again); // NOTE: the forward loop made this value, and --detect-anomaly checked it there if it is one of the program's
            return again;
        }

        private Var taped(Var v) {
            int at = stacked.indexOf(v);
            if (at < 0 && tx.runtime.tensor.Shapes.symbolic(v.shapeRef())) {
                throw new Blocked(v, "the reversal of the loop at line " + fwd.origin().line() + ", which would record " + v
                        + ", a value whose size is known only at run time (a boolean mask's selection), on its tape: not yet");
            }
            if (at < 0) {
                stacked.add(v);
                Var t = b.newVar(tx.runtime.tensor.Shapes.concat(new int[] {fwd.count()}, v.shapeRef()), v.name(), v.dtype());
                if (createGraph && !graph.noGrad()) graph.setRequiresGrad(t, graph.requiresGrad(v)); // its rows carry gradients back, for a second pass
                tapes.add(t);
                at = stacked.size() - 1;
            }
            b.named(v.name());
            Var row = b.take(tapes.get(at), index, 0);
            b.step(row); // a forward value read back, as in recompute
            return row;
        }
    }

    /**
     * The adjoint of a branch is a branch on the same condition: each side is the adjoint of the
     * forward side, and gives the adjoints of the tensors that side reads from outside (zeros for
     * those it does not touch). Forward values of a side that its adjoint reads are handed out of
     * the forward branch as extra outputs (None from the other side, which never reads them).
     */
    private void cond(Stmt.Cond fwd) {
        List<Var> dOut = adjointsOf(fwd.outs());
        if (dOut == null || fwd.cond() == null) return; // no condition: it failed to check, and the error is reported
        b.at(fwd.origin().asAdjoint());
        List<Var> free = new ArrayList<>();
        for (Var v : Blocks.free(fwd)) if (!v.equals(fwd.cond()) && graph.requiresGrad(v)) free.add(v);
        BranchExports exports = new BranchExports(b, graph, createGraph, fwd);
        List<List<Stmt>> sides = new ArrayList<>();
        List<List<Var>> sideResults = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            List<Var> grads = new ArrayList<>();
            List<Stmt> block = reversedSide(side == 0 ? fwd.then() : fwd.otherwise(), side == 0 ? fwd.thenResults() : fwd.elseResults(), dOut, free, grads);
            Map<Var, Var> rename = exports.export(side, block, grads);
            sides.add(Blocks.rename(block, rename));
            List<Var> renamed = new ArrayList<>();
            for (Var g : grads) renamed.add(rename.getOrDefault(g, g));
            sideResults.add(renamed);
        }
        if (!exports.install()) throw new Blocked(fwd.cond(), NOT_BUILT); // after an error, the loop around it was not built (Loops.emitLoop)
        List<Var> outs = new ArrayList<>();
        for (Var v : free) outs.add(b.newVar(v.shapeRef(), adjointName(v)));
        Stmt.Cond back = new Stmt.Cond(fwd.cond(), sides.get(0), sideResults.get(0), sides.get(1), sideResults.get(1), outs, fwd.origin().asAdjoint());
        b.add(back);
        differentiable(back);
        for (int j = 0; j < free.size(); j++) accumulate(free.get(j), outs.get(j), null);
    }

    /** The adjoint of one side of a branch (a child pass); {@code grads} receives the outside values' adjoints, zeros where untouched. */
    private List<Stmt> reversedSide(List<Stmt> stmts, List<Var> res, List<Var> dOut, List<Var> free, List<Var> grads) {
        b.openBlock();
        Reverse child = new Reverse(b, graph, createGraph);
        for (int k = 0; k < res.size(); k++) {
            if (dOut.get(k) != null && res.get(k) != null && graph.requiresGrad(res.get(k))) child.accumulate(res.get(k), dOut.get(k), null);
        }
        child.reverseBlock(stmts);
        for (Var v : free) {
            Var d = child.adjoint.get(v);
            b.named(adjointName(v));
            grads.add(d != null ? b.unbroadcast(d, v.shapeRef()) : b.fill(v.shapeRef(), 0.0));
        }
        List<Stmt> block = b.closeBlock();
        prune(block, grads);
        return block;
    }

    /**
     * A derivative transform records its adjoints for an outer transform: the reversed loop is a
     * loop like any other, whose carried adjoints and outputs require grad, so that a second pass
     * reverses it in turn (its reads of the forward loop's tapes send their adjoints back into the
     * forward loop: see {@link #reversedBody}).
     */
    private void differentiable(Stmt.Loop back) {
        if (!createGraph || graph.noGrad()) return;
        for (Var p : back.params()) graph.setRequiresGrad(p, true);
        for (Var o : back.outs()) graph.setRequiresGrad(o, true);
        for (Var t : back.tapes()) graph.setRequiresGrad(t, true); // the adjoints of a run-time tape's rows (see TapeRows)
        graph.structure(back);
    }

    /** As for a loop: the reversed branch is a branch like any other (its reads of the forward branch's exports send adjoints back). */
    private void differentiable(Stmt.Cond back) {
        if (!createGraph || graph.noGrad()) return;
        for (Var o : back.outs()) graph.setRequiresGrad(o, true);
        graph.structure(back);
    }

    /**
     * The mask for an operand that where (or an elementwise op) broadcast: one of its elements is
     * off only if every copy of it was off, so that a branch built from a smaller tensor (say
     * sqrt(x) of a vector, selected row by row) still contributes exactly 0 where it was never taken.
     */
    private Mask reduce(Mask m, Var c, int[] shape) {
        if (!tx.runtime.tensor.Shapes.broadcastsTo(m.cond().shapeRef(), c.shapeRef())) return null;
        Var zero = b.scalar(0);
        Var on = m.polarity() ? b.ne(m.cond(), zero) : b.eq(m.cond(), zero);
        Var anyOn = b.gt(b.unbroadcast(b.expand(on, c.shapeRef()), shape), zero);
        return new Mask(anyOn, true);
    }

    /**
     * NOTE: masking is what keeps the untaken branch of a where exactly zero: a contribution that
     * flows from a masked adjoint through an elementwise rule (say 0 * inf from sqrt at 0) is
     * replaced by 0 wherever the mask is off, before any reduction could spread a nan.
     */
    private Var apply(Mask m, Var c) {
        if (!tx.runtime.tensor.Shapes.broadcastsTo(m.cond().shapeRef(), c.shapeRef())) return c;
        Var zero = b.scalar(0);
        return m.polarity() ? b.where(m.cond(), c, zero) : b.where(m.cond(), zero, c);
    }

    private void accumulate(Var x, Var c, Mask mask) {
        Var old = adjoint.get(x);
        if (old == null) {
            adjoint.put(x, c);
            if (mask != null) masks.put(x, mask);
            return;
        }
        adjoint.put(x, b.add(old, c));
        Mask m = masks.get(x);
        if (m == null || !m.equals(mask)) masks.remove(x);
    }

    /** Sums the adjoints of every version of each leaf; a leaf reached only structurally gets zeros. */
    private Map<Integer, Var> collect(Map<Var, Integer> leaves) {
        Map<Integer, Var> out = new LinkedHashMap<>();
        for (Map.Entry<Var, Integer> en : leaves.entrySet()) {
            Var v = en.getKey();
            b.named(adjointName(v));
            Var d = adjoint.get(v);
            if (d == null) d = b.fill(v.shapeRef(), 0.0);
            out.merge(en.getValue(), d, b::add);
        }
        out.replaceAll(graph::hookedLeaf); // a leaf's hooks see its whole gradient before .grad does
        return out;
    }

    /**
     * Removes the adjoint equations nothing needs: a VJP rule builds a contribution for every
     * operand, and those for operands that do not require grad (say the log of a constant
     * exponent's base) are dropped here rather than computed and discarded at run time.
     */
    private static void prune(List<tx.runtime.ir.Stmt> emitted, java.util.Collection<Var> roots) {
        Set<Var> live = new HashSet<>(roots);
        boolean[] keep = new boolean[emitted.size()];
        for (int i = emitted.size() - 1; i >= 0; i--) {
            if (emitted.get(i) instanceof Eqn e) {
                if (!live.contains(e.out())) continue;
                keep[i] = true;
                live.addAll(e.in());
            } else if (emitted.get(i) instanceof Stmt.Call c) { // a call has no effects
                if (c.outs().stream().noneMatch(live::contains)) continue;
                keep[i] = true;
                live.addAll(c.in());
            } else { // a reversed loop or branch: kept whole (it carries the adjoints that matter)
                keep[i] = true;
                live.addAll(Blocks.free(emitted.get(i)));
            }
        }
        List<tx.runtime.ir.Stmt> kept = new ArrayList<>();
        for (int i = 0; i < keep.length; i++) if (keep[i]) kept.add(emitted.get(i));
        emitted.clear();
        emitted.addAll(kept);
    }

    /**
     * The name for the equations a VJP rule builds: they make the adjoints of the operands, so they
     * are named after the operand that requires grad (d_x), or after the output when the operands
     * that require grad have different names.
     */
    private String contributionName(Eqn e) {
        String name = null;
        for (Var x : e.in()) {
            if (!graph.requiresGrad(x)) continue;
            if (name != null && !name.equals(x.name())) return adjointName(e.out());
            name = x.name();
        }
        return name == null ? adjointName(e.out()) : "d_" + name;
    }

    static String adjointName(Var v) {
        return v.name() == null ? null : "d_" + v.name();
    }
}
