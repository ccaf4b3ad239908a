package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Loops and branches. A name assigned in a loop body and defined before it is carried: the body
 * sees a parameter whose static facts (requires_grad, leaf, grad state) are the join over all
 * iterations, found by re-checking the body with diagnostics muted until nothing changes. The
 * body's shapes must not change across iterations, and both branches of an if must agree.
 */
final class Loops {
    private static final int MAX_ROUNDS = 8;
    private final Lowerer l;

    Loops(Lowerer l) {
        this.l = l;
        this.gradCarries = new CarriedGrads(l);
    }

    // ---- for -------------------------------------------------------------------------------------------

    /** The iteration space of {@code range(...)}: count, start and step, all compile-time integers. */
    private record Range(int count, double start, double step) {}

    void forLoop(Ast.For f) {
        Range r = whileLoop != null ? new Range(-1, 0, 1) : range(f); // a while's count is -1 here: known at run time
        loop(f, r == null ? new Range(0, 0, 1) : r, false);
    }

    /**
     * The most iterations at the end of a loop that are lowered one by one, as straight-line code,
     * because a slice with a run-time bound would be clipped in them (see {@link #peel}).
     */
    static final int MAX_PEELED = 16;

    /** The most iterations of a loop that indexes a list with its counter ({@code params[i]}) that are unrolled. */
    static final int MAX_UNROLLED = 256;

    /** Whether the body indexes a list or tuple made before the loop with an index that reads the loop's counter. */
    private boolean indexesList(Ast.For f, State before) {
        boolean[] found = {false};
        BodyReads.indexes(f.body(), ix -> found[0] |= ix.target() instanceof Ast.Name n && Sequences.items(before.names.get(n.name())) != null
                && ix.subs().stream().anyMatch(s -> BodyReads.reads(s, f.var(), l.builtins::has)));
        return found[0];
    }

    /** Lowers a loop over {@code r}; {@code peeled}: its last iterations are already split off, so none is split again. */
    private void loop(Ast.For f, Range r, boolean peeled) {
        if (r.count() > 0 && whileLoop == null && l.state.names.containsKey(f.var())) { // Python rebinds the counter: what the name held is not carried
            l.state = l.state.copy();
            l.state.names.remove(f.var());
        }
        State before = l.state;
        if (!peeled && whileLoop == null && r.count() > 0 && r.count() <= MAX_UNROLLED && indexesList(f, before)) {
            range = r;
            peel(f, 0); // params[i]: unrolled, as a loop over the list is, so that each item is itself (a leaf stays a leaf)
            return;
        }
        Set<String> assigned = l.assignedNames(f.body());
        assigned.add(f.var());
        List<String> items = new ArrayList<>(carryListItems(before, assigned, l.inPlaceNames(f.body())));
        if (whileLoop == null && r.count() > 0) { // lists the body reads as it appends to them (see ListHistory)
            List<String> histories = l.growing.history.prepare(f, before, r.count(), () -> probe(f, r, before));
            assigned.addAll(histories);
            items.addAll(histories);
        }
        try {
            loop(f, r, peeled, before, assigned);
        } finally {
            for (String n : items) {
                l.state.names.remove(n);
                before.names.remove(n);
            }
        }
    }

    /** Lowers the loop once with diagnostics off and its IR and state thrown away: what its body appends is then known. */
    private void probe(Ast.For f, Range r, State before) {
        State saved = l.state;
        l.state = before.copy();
        l.diags.mute();
        l.b.openBlock();
        try {
            new Loops(l).loop(f, r, true);
        } finally {
            l.b.closeBlock();
            l.diags.unmute();
            l.state = saved;
        }
    }

    /**
     * The tensors of a list that the body changes in place ({@code sgd(params, lr)} in a training
     * loop) and that no name holds (d2l's {@code params = get_params(...)}) are carried under hidden
     * names, as named ones are, so that each iteration sees the change the previous one made; the
     * list holds the loop's results afterwards, and the hidden names go. Returns those names.
     */
    private List<String> carryListItems(State before, Set<String> assigned, Set<String> inPlace) {
        List<String> hidden = new ArrayList<>();
        Set<Var> named = new java.util.HashSet<>();
        for (Val v : before.names.values()) if (v instanceof T t) named.add(t.var());
        for (String n : new ArrayList<>(assigned)) {
            if (!inPlace.contains(n) || !(before.names.get(n) instanceof Val.ListV list)) continue;
            Sequences.mapTensors(list, t -> {
                if (named.add(t.var())) {
                    String name = "$item" + (l.hiddenNames++);
                    before.names.put(name, t);
                    assigned.add(name);
                    hidden.add(name);
                }
                return t;
            });
        }
        return hidden;
    }

    private void loop(Ast.For f, Range r, boolean peeled, State before, Set<String> assigned) {
        range = r;
        List<String> carried = carriedNames(before, assigned, l.inPlaceNames(f.body()), l.autograd);
        if (range.count() > 0) { // nothing to carry
            Predicate<Ast.For> runs = inner -> runsAtLeastOnce(inner, assigned);
            carried.removeIf(n -> BodyReads.writtenFirst(f.body(), n, l.builtins::has, runs));
        }
        Map<String, T> entry = promote(before, carried, f);
        if (whileLoop == null && r.count() > 0) {
            CarriedGrads.DryRun dry = (grads, graph) -> dryRun(f, before, carried, entry, new Grads(grads, graph));
            if (!peeled && gradCarries.firstIterationNeeded(before, dry)) { // the first iteration as straight-line code, then a loop
                l.state.bind(f.var(), new Val.Num(r.start(), Val.PyType.INT));
                l.block(f.body());
                new Loops(l).loop(f, new Range(r.count() - 1, r.start() + r.step(), r.step()), true);
                return;
            }
            gradCarries.carry(before, carried, entry, dry);
        }
        try {
            fixpoint(f, peeled, before, carried, entry, assigned);
        } finally {
            gradCarries.forget(l.state, before);
        }
    }

    private void fixpoint(Ast.For f, boolean peeled, State before, List<String> carried, Map<String, T> entry, Set<String> assigned) {
        Map<Integer, GradState> entryGrads = new java.util.HashMap<>(before.grads);
        Map<Integer, T> entryGraph = new java.util.HashMap<>(before.graphGrads);
        State end = null;
        long clip = Long.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            end = dryRun(f, before, carried, entry, new Grads(entryGrads, entryGraph));
            clip = Math.min(clip, lastClip);
            Map<String, T> joined = join(entry, end, carried);
            Map<Integer, GradState> grads = State.join(entryGrads, end.grads);
            Map<Integer, T> graph = GraphGrads.join(entryGraph, end.graphGrads);
            if (joined.equals(entry) && grads.equals(entryGrads) && graph.equals(entryGraph)) break;
            entry = joined;
            entryGrads = grads;
            entryGraph = graph;
        }
        if (!peeled && whileLoop == null && clip < range.count() && range.count() - clip <= MAX_PEELED) {
            peel(f, (int) clip);
            return;
        }
        if (l.diags.isMuted()) {
            // Inside an outer loop's re-check, whose IR is thrown away: the last re-check of this
            // body already gives the state after it, so the body is not lowered once more. This
            // keeps nested loops linear in their depth rather than exponential.
            bindOutputs(f, range, before, carried, entry, end, assigned);
            finishGrowth(lastGrowth);
            return;
        }
        emitLoop(f, range, before, carried, entry, new Grads(entryGrads, entryGraph), assigned);
    }

    /** The {@code .grad} registers this loop carries (see {@link CarriedGrads}). */
    private final CarriedGrads gradCarries;

    /**
     * Whether a loop nested in this one's body certainly runs at least once: its {@code range}'s
     * arguments read none of the names this body assigns and are numbers now, giving a count of one
     * or more. They are evaluated with diagnostics off, and what that builds is dropped.
     */
    private boolean runsAtLeastOnce(Ast.For inner, Set<String> assignedHere) {
        for (String n : assignedHere) if (BodyReads.reads(inner.range(), n, l.builtins::has)) return false;
        l.diags.mute();
        l.b.openBlock();
        try {
            Range r = range(inner);
            return r != null && r.count() > 0;
        } finally {
            l.b.closeBlock();
            l.diags.unmute();
        }
    }

    /**
     * A loop whose iterations from {@code first} on would clip a slice with a run-time bound
     * ({@code x[i:i + bs]} past the end of its axis, as a last, shorter minibatch): the iterations
     * before it stay a loop, and each of the others is lowered as straight-line code with its
     * counter a number known now, where the slice has its clipped length, as in PyTorch.
     */
    private void peel(Ast.For f, int first) {
        Range all = range;
        if (first > 0) new Loops(l).loop(f, new Range(first, all.start(), all.step()), true);
        for (int k = first; k < all.count(); k++) {
            l.state.bind(f.var(), new Val.Num(all.start() + all.step() * k, Val.PyType.INT));
            l.block(f.body());
        }
    }

    private Range range(Ast.For f) {
        List<Double> v = new ArrayList<>();
        for (Ast.Arg a : f.range()) {
            Val x = l.exprs.expr(a.value());
            if (a.name() != null || !(x instanceof Val.Num n) || !n.isWhole()) {
                if (!(x instanceof Val.Bad)) {
                    l.diags.error("E0105", a.span(), "`range` needs whole numbers known at compile time",
                            "the number of iterations must be fixed when the program is compiled, e.g. `range(100)`");
                }
                return null;
            }
            v.add(n.value());
        }
        if (v.isEmpty() || v.size() > 3) {
            l.diags.error("E0104", f.span(), "`range` takes 1 to 3 arguments, got " + v.size(), null);
            return null;
        }
        double start = v.size() == 1 ? 0 : v.get(0), stop = v.size() == 1 ? v.get(0) : v.get(1), step = v.size() == 3 ? v.get(2) : 1;
        if (step == 0) {
            l.diags.error("E0105", f.range().get(2).span(), "`range` step must not be zero", null);
            return null;
        }
        double count = Math.max(0, Math.ceil((stop - start) / step));
        if (count > Integer.MAX_VALUE) {
            // NOTE: refused rather than cut short: at a billion iterations a second such a loop runs for
            // hours, and its tape could not be held; the count is a double, so 1e300 is refused too.
            l.diags.error("E0105", f.range().get(0).span().to(f.range().get(f.range().size() - 1).span()),
                    "`range` of " + (count < 1e15 ? Long.toString((long) count) : PyFloat.repr(count)) + " iterations is more than tx runs in one loop (at most "
                    + Integer.MAX_VALUE + ")", "split the work into nested loops, or make the count smaller");
            return null;
        }
        if (Math.abs(start) > 1L << 53 || Math.abs(start + step * count) > 1L << 53) {
            l.diags.error("E0105", f.range().get(0).span().to(f.range().get(f.range().size() - 1).span()),
                    "`range` bounds beyond 2^53 cannot be counted exactly in float64", null);
            return null;
        }
        return new Range((int) count, start, step);
    }

    /**
     * Names the body assigns that hold tensors (or numbers) before the loop, and the aliases of the
     * names it updates in place (an in-place update changes every name bound to that tensor; a plain
     * assignment rebinds one name only).
     */
    private static List<String> carriedNames(State before, Set<String> assigned, Set<String> inPlace, AutogradApi storage) {
        Set<String> out = new LinkedHashSet<>();
        Set<Var> touched = new java.util.HashSet<>();
        for (String n : assigned) {
            Val v = before.names.get(n);
            if (v instanceof T t && inPlace.contains(n)) touched.add(t.var());
            if (v instanceof Val.ListV && inPlace.contains(n)) touched.addAll(Sequences.tensorVars(v)); // `for p in params { p -= ... }`
            if (v instanceof T || v instanceof Val.Num) out.add(n);
        }
        for (Map.Entry<String, Val> e : before.names.entrySet()) { // names that share a changed tensor's storage change with it
            if (!(e.getValue() instanceof T t)) continue;
            for (Var v : touched) if (storage.sharesStorage(t.var(), v)) out.add(e.getKey());
        }
        return new ArrayList<>(out);
    }

    /** A number carried through a loop becomes a scalar tensor (e.g. {@code total = 0} then {@code total = total + x}). */
    private Map<String, T> promote(State before, List<String> carried, Ast.For f) {
        Map<String, T> entry = new java.util.LinkedHashMap<>();
        for (String n : carried) {
            Val v = before.names.get(n);
            if (v instanceof Val.Num num) {
                String old = l.b.named(n);
                // a Python scalar stays one (a counter prints as 11, not tensor(11.)) while the body keeps it one
                T t = new T(l.b.scalar(num.value()), false, -1, null, true, false, null, num.py());
                l.b.named(old);
                before.names.put(n, t);
                v = t;
            }
            entry.put(n, (T) v);
        }
        return entry;
    }

    /**
     * Checks the body once with diagnostics muted and its IR thrown away; returns the state at its
     * end. The same body entered with the same static facts gives the same end state, so it is
     * remembered (a loop nested in a loop is re-checked for each round of the outer fixpoint).
     */
    /**
     * What a loop body starts from about each {@code .grad}: its state, and the graph values that
     * registers hold (see {@link GraphGrads}), joined over the iterations.
     */
    private record Grads(Map<Integer, GradState> states, Map<Integer, T> graph) {}

    private State dryRun(Ast.For f, State before, List<String> carried, Map<String, T> entry, Grads grads) {
        String key = signature(before, entry, grads);
        Map<String, State> seen = l.dryRuns.computeIfAbsent(f, k -> new java.util.HashMap<>());
        State cached = seen.get(key);
        if (cached != null) {
            lastClip = l.dryRunClips.get(cached);
            if (l.gradValues.addsToMaybe.contains(cached)) l.gradValues.addedToMaybe++; // as the body did when it was checked: an enclosing loop's check counts it
            return cached;
        }
        l.windows.clearClip(f);
        int added = l.gradValues.addedToMaybe;
        State end = dryRunUncached(f, before, carried, entry, grads);
        lastClip = l.windows.clip(f);
        seen.put(key, end);
        l.dryRunClips.put(end, lastClip);
        if (l.gradValues.addedToMaybe != added) l.gradValues.addsToMaybe.add(end);
        return end;
    }

    /** The first iteration in which the last dry run's body would clip a slice with a run-time bound (see {@link Windows}); Long.MAX_VALUE if none. */
    private long lastClip = Long.MAX_VALUE;

    /** Everything about the entry state that checking a body can depend on, as a string. */
    private String signature(State before, Map<String, T> entry, Grads grads) {
        StringBuilder sb = new StringBuilder();
        sb.append(l.graph.noGrad()).append(l.backwardFailed).append(l.loopDepth).append(grads.states()).append(GraphGrads.signature(grads.graph())).append(before.maybeUnassigned.keySet());
        sb.append(range.count()); // the counter's values decide whether a slice with run-time bounds fits (see Windows)
        for (Map.Entry<String, Val> e : new java.util.TreeMap<>(before.names).entrySet()) {
            Val v = entry.containsKey(e.getKey()) ? entry.get(e.getKey()) : e.getValue();
            sb.append(';').append(e.getKey()).append('=');
            if (v instanceof T t) {
                sb.append(Arrays.toString(t.shape())).append(t.rg()).append(t.leaf()).append(t.gradFn()).append(t.item())
                  .append(t.maybeNone()).append(t.first() != null).append(l.graph.leafOf(t.var()));
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }

    private State dryRunUncached(Ast.For f, State before, List<String> carried, Map<String, T> entry, Grads grads) {
        l.diags.mute();
        l.b.openBlock();
        boolean noGrad = l.graph.noGrad();
        try {
            enterBody(f, before, carried, entry, grads);
            l.growing.noteAppends(f.body(), l.state); // how many items an iteration appends: len(xs) in the next check of the body needs it
            return l.state;
        } finally {
            l.b.closeBlock();
            l.graph.setNoGrad(noGrad);
            l.loopDepth--;
            l.state = before;
            l.diags.unmute();
        }
    }

    /** Binds the loop parameters and the index, then checks and lowers the body into the open block. */
    private List<Var> enterBody(Ast.For f, State before, List<String> carried, Map<String, T> entry,
                                Grads grads) {
        State s = before.copy();
        s.grads.clear();
        s.grads.putAll(grads.states());
        s.graphGrads.clear();
        s.graphGrads.putAll(grads.graph());
        List<Var> params = new ArrayList<>();
        index = l.b.newVar(Shapes.SCALAR, f.var(), DType.INT64);
        if (whileLoop == null) l.windows.counter(index, range.count(), f);
        for (String n : carried) {
            T e = entry.get(n);
            Var p = l.b.newVar(e.shape(), n, e.dtype());
            params.add(p);
            register(p, e, "a value carried from the previous iteration of the loop at line " + f.span().line());
            T param = e.withVar(p).withFirst(null); // how it prints in this loop is this loop's to say
            String firstSuffix = before.names.get(n) instanceof T bt ? bt.printSuffix() : null;
            if (!java.util.Objects.equals(firstSuffix, param.printSuffix())) param = param.withFirst(new Val.FirstIteration(index, firstSuffix));
            s.names.put(n, param);
        }
        gradCarries.bind(s, false);
        List<Var> outer = new ArrayList<>();
        for (String n : carried) outer.add(before.names.get(n) instanceof T bt ? bt.var() : null);
        l.autograd.carried(outer, params);
        Map<Var, T> inside = new java.util.HashMap<>(); // lists and tuples hold the loop's own values of the carried tensors
        for (int k = 0; k < carried.size(); k++) if (outer.get(k) != null) inside.putIfAbsent(outer.get(k), (T) s.names.get(carried.get(k)));
        Sequences.replaceInSequences(s, inside);
        l.state = s;
        Var user = index;
        if (range.start() != 0 || range.step() != 1) {
            String old = l.b.named(f.var());
            user = l.b.add(l.b.scalar(range.start(), DType.INT64), l.b.mul(l.b.scalar(range.step(), DType.INT64), index));
            l.b.named(old);
        }
        s.bind(f.var(), T.scalar(user, Val.PyType.INT)); // a Python int (LANGUAGE.md §3)
        l.loopDepth++;
        boolean maySkip = whileLoop != null || range.count() <= 0;
        if (maySkip) l.mayNotRun++;
        l.growing.enter(f.body(), s, whileLoop != null ? -1 : range.count(), index);
        if (whileLoop != null) whileLoop.head(s); // after the lists it grows are marked: `while len(losses) < n` reads this iteration's length
        l.growing.entries.push(s.copy());
        try {
            l.block(f.body());
            gradCarries.bind(l.state, true);
            numbersCarried(carried, entry);
        } finally {
            l.growing.entries.pop();
            if (maySkip) l.mayNotRun--;
        }
        return params;
    }

    /**
     * A carried Python scalar that the body sets to a number known now (d2l's gd_2d returns
     * {@code (x1 - eta * g1, ..., 0, 0)} for its state) hands that number on as the scalar it
     * carries, as {@link #promote} made it before the loop.
     */
    private void numbersCarried(List<String> carried, Map<String, T> entry) {
        for (String n : carried) {
            if (l.state.names.get(n) instanceof Val.Num num && entry.get(n).item() && entry.get(n).shape().length == 0) {
                String old = l.b.named(n);
                l.state.names.put(n, new T(l.b.scalar(num.value()), false, -1, null, true, false, null, num.py()));
                l.b.named(old);
            }
        }
    }

    private void register(Var v, T meta, String why) {
        register(l, v, meta, why);
    }

    /** A loop's or a branch's output takes its value's autograd facts: a leaf, or requires grad behind a barrier. */
    static void register(Lowerer l, Var v, T meta, String why) {
        if (meta.leaf() >= 0) l.graph.markLeaf(v, meta.leaf());
        else l.graph.setRequiresGrad(v, meta.rg());
        if (meta.rg() && meta.leaf() < 0) l.graph.markBarrier(v, why);
    }

    private static Map<String, T> join(Map<String, T> entry, State end, List<String> carried) {
        Map<String, T> out = new java.util.LinkedHashMap<>();
        for (String n : carried) {
            T a = entry.get(n);
            Val v = end.names.get(n);
            if (!(v instanceof T b) || !Arrays.equals(a.shape(), b.shape())) {
                out.put(n, a);
                continue;
            }
            out.put(n, new T(a.var(), a.rg() || b.rg(), a.leaf() == b.leaf() ? a.leaf() : -1,
                    b.rg() ? b.gradFn() : a.gradFn(), a.item() && b.item(), a.maybeNone() || b.maybeNone(), null,
                    a.py() == b.py() ? a.py() : Val.PyType.FLOAT));
        }
        return out;
    }

    /** The real pass: checks the body with diagnostics on, and emits the Loop statement. */
    private void emitLoop(Ast.For f, Range r, State before, List<String> carried, Map<String, T> entry,
                          Grads grads, Set<String> assigned) {
        int symbolsBefore = l.b.symbolCount();
        l.b.openBlock();
        boolean noGrad = l.graph.noGrad();
        List<Var> params = enterBody(f, before, carried, entry, grads);
        l.loopDepth--;
        l.graph.setNoGrad(noGrad);
        State end = l.state;
        List<Stmt> body = l.b.closeBlock();
        Outputs o = bindOutputs(f, r, before, carried, entry, end, assigned);
        GrowingLists.Growth grown = lastGrowth;
        for (int k = 0; k < o.results().size(); k++) {
            Var init = o.init().get(k);
            if (!Shapes.symbolic(o.results().get(k).shapeRef()) && (init == null || !Shapes.symbolic(init.shapeRef()))) continue;
            if (init != null && RunTimeSizes.carriable(init.shapeRef(), o.results().get(k).shapeRef(), symbolsBefore)) continue;
            RunTimeSizes.refuse(l, f.span(), "`" + o.names().get(k) + "`, carried from one iteration to the next,");
            break;
        }
        for (Var v : lastGrowth.stacked) {
            if (!Shapes.symbolic(v.shapeRef())) continue;
            RunTimeSizes.refuse(l, f.span(), "appending to a list in this loop"); // each item a row of one tape, of one shape
            break;
        }
        if (r.count() != 0 && l.diags.hasErrors()) { // the program will not run: its loop is not built, and a backward through it is no new error
            for (Var out : o.outs()) l.graph.markAfterError(out);
        }
        if (r.count() == 0 || l.diags.hasErrors()) {
            finishGrowth(grown);
            return;
        }
        List<Var> loopParams = new ArrayList<>(params);
        for (int k = params.size(); k < o.results().size(); k++) { // a name first assigned in the body: carried like the others
            Var p = l.b.newVarLike(o.results().get(k), o.names().get(k));
            l.graph.setRequiresGrad(p, l.graph.requiresGrad(o.results().get(k))); // as its result, so that a reversal carries its adjoint
            loopParams.add(p);
        }
        Stmt.Loop loop = whileLoop != null ? whileLoop.loop(index, o.init(), loopParams, body, o.results(), o.outs(), grown.stacked, grown.tapes)
                : new Stmt.Loop(r.count(), index, o.init(), loopParams, body, o.results(), o.outs(), grown.stacked, grown.tapes, false,
                f.span().origin()); // grown lists: each appended value stacked on a tape (see GrowingLists)
        l.b.add(loop);
        l.graph.structure(loop);
        finishGrowth(grown);
        l.checkpoints.built(f, loop);
    }

    /** The values a loop hands on: their names, initial values, last-iteration results and outputs. */
    private record Outputs(List<String> names, List<Var> init, List<Var> results, List<Var> outs) {}

    /**
     * A list, tuple or dict assigned in the body ({@code train_metrics = train_epoch(...)}, {@code r = (l.item(), acc)}):
     * the tensors and Python numbers it holds at the end of the last iteration leave the loop as
     * results too (named {@code r_0}, {@code r_1}, ...), so that after the loop it holds them, not
     * the body's own variables.
     */
    private void sequenceItemsOut(Ast.For f, Set<String> assigned, List<String> outNames, State end, Map<Var, Var> shared,
                                  Map<Var, T> afterwards, Outputs o) {
        for (String n : assigned) {
            if (outNames.contains(n) || !(end.names.get(n) instanceof Val.ListV || end.names.get(n) instanceof Val.DictV)) continue;
            List<T> items = new ArrayList<>();
            Sequences.mapTensors(end.names.get(n), t -> {
                items.add(t);
                return t;
            });
            for (T t : items) {
                if (shared.containsKey(t.var())) continue;
                Var out = handedOut(t.var(), n, o);
                register(out, t, "the result of the loop at line " + f.span().line());
                shared.put(t.var(), out);
                afterwards.put(t.var(), t.withVar(out).withFirst(null));
            }
        }
    }

    /** A new result of the loop, its last iteration's {@code x}, named after {@code n} ({@code n_3}): its output variable. */
    private Var handedOut(Var x, String n, Outputs o) {
        Var out = l.b.newVarLike(x, n);
        o.init().add(null);
        o.names().add(n + "_" + o.names().size());
        o.results().add(x);
        o.outs().add(out);
        return out;
    }

    /**
     * An f-string assigned in the body ({@code msg = f"epoch {epoch}: {loss.item()}"}): the values it
     * shows leave the loop as results, so that after the loop it shows the last iteration's. After a
     * {@code while}, which may run no iteration, it may be unassigned.
     */
    private void formattedOut(Ast.For f, Set<String> assigned, State before, State end, State after, Map<Var, Var> shared, Outputs o) {
        for (String n : assigned) {
            if (!(end.names.get(n) instanceof Val.Formatted text) || text == before.names.get(n)) continue;
            if (whileLoop != null) {
                after.names.remove(n);
                if (before.names.get(n) != null) after.names.put(n, before.names.get(n));
                after.maybeUnassigned.put(n, f.span());
                continue;
            }
            List<tx.runtime.ir.Stmt.PrintItem> parts = new ArrayList<>();
            for (tx.runtime.ir.Stmt.PrintItem p : text.parts()) parts.add(p.map(v -> shared.computeIfAbsent(v, x -> handedOut(x, n, o))));
            after.names.put(n, new Val.Formatted(parts));
        }
    }

    /**
     * A tensor the body changes in place (d2l's {@code sgd} updating a script-level {@code W} from
     * inside a function's training loop) holds the loop's result afterwards: logged as an in-place
     * change, so that the function's caller sees it when the function returns (Mutations.seeChanges).
     */
    private void logInPlace(Ast.For f, State before, State after, List<String> names) {
        Set<String> inPlace = l.inPlaceNames(f.body());
        for (String n : names) {
            if (inPlace.contains(n) && before.names.get(n) instanceof T bt && after.names.get(n) instanceof T at && !bt.var().equals(at.var())) {
                l.inPlaceLog.add(Map.of(bt.var(), at));
            }
        }
    }

    /** Makes the state after the loop from the state at the end of its body; returns what the Loop carries. */
    private Outputs bindOutputs(Ast.For f, Range r, State before, List<String> carried, Map<String, T> entry, State end,
                                Set<String> assigned) {
        List<String> outNames = new ArrayList<>(carried);
        for (String n : assigned) {
            boolean whileCounter = whileLoop != null && n.equals(f.var()); // a while's hidden counter: its index, not a value it hands on
            if (!outNames.contains(n) && end.names.get(n) instanceof T && !whileCounter) outNames.add(n);
        }
        List<Var> init = new ArrayList<>(), results = new ArrayList<>(), outs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        State after = end.copy();
        Map<Var, Var> shared = new java.util.HashMap<>(); // names bound to one tensor at the end stay bound to one after
        for (int k = 0; k < outNames.size(); k++) {
            String n = outNames.get(k);
            Val v = end.names.get(n);
            if (!(v instanceof T t) || (k < carried.size() && !Arrays.equals(t.shape(), entry.get(n).shape()))) {
                shapeChange(f, n, entry.get(n), v);
                continue;
            }
            if (k >= carried.size() && Shapes.symbolic(t.shape())) { // made in the body and not read by the next iteration: not handed out
                Val.Bad unreadable = new Val.Bad();
                after.names.put(n, unreadable);
                after.sizedAfterLoop.put(n, unreadable);
                continue;
            }
            T ended = t;
            if (whileLoop != null && k < carried.size()) t = whileLoop.after(t, entry.get(n)); // it may not run at all
            else if (whileLoop != null) after.maybeUnassigned.put(n, f.span());
            init.add(k < carried.size() ? before.names.get(n) instanceof T bt ? bt.var() : null : null);
            names.add(n);
            results.add(t.var());
            Var out = l.b.newVar(t.shape(), n, t.dtype());
            register(out, t, "the result of the loop at line " + f.span().line());
            outs.add(out);
            T shown = t.withVar(shared.computeIfAbsent(t.var(), same -> out)).withFirst(null);
            after.names.put(n, whileLoop == null ? shown : whileLoop.shown(shown, ended, before.names.get(n)));
        }
        if (whileLoop != null) after.grads.putAll(entryGradsOf(end, before));
        Map<Integer, T> graph = GraphGrads.join(before.graphGrads, end.graphGrads); // a graph value made in the body differs by iteration
        after.graphGrads.clear();
        after.graphGrads.putAll(graph);
        gradCarries.handOut(end, after);
        Map<Var, T> afterwards = new java.util.HashMap<>(); // lists and tuples hold the loop's results
        if (whileLoop == null) sequenceItemsOut(f, assigned, outNames, end, shared, afterwards, new Outputs(names, init, results, outs));
        formattedOut(f, assigned, before, end, after, shared, new Outputs(names, init, results, outs));
        for (String n : names) if (after.names.get(n) instanceof T t && end.names.get(n) instanceof T e) afterwards.putIfAbsent(e.var(), t);
        Sequences.replaceInSequences(after, afterwards);
        lastAfterwards = afterwards;
        lastGrowth = l.growing.collect(before, end, r.count());
        if (whileLoop != null) lastGrowth.trips = whileLoop.trips(); // a list a while grew is as long as its trip count
        l.state = r.count() == 0 ? before : after; // a loop that never runs changes nothing
        if (r.count() != 0 && !l.diags.isMuted()) logInPlace(f, before, after, names); // not a dry run's, whose IR is thrown away
        return new Outputs(names, init, results, outs);
    }

    /** The loop's results for the body's values, which the lists it grew hold after it too (a carried item they held before). */
    private Map<Var, T> lastAfterwards = Map.of();

    private void finishGrowth(GrowingLists.Growth grown) {
        grown.finish(l.state);
        Sequences.replaceInSequences(l.state, lastAfterwards);
    }

    /** The lists the last body checked grew (see {@link GrowingLists}): bound after the loop once its statement is built. */
    private GrowingLists.Growth lastGrowth;

    /** The current loop's iteration space, and its counter 0, 1, ... (for a start or step, the user's variable is computed from it). */
    private Range range;
    private Var index;

    /** Set when the loop is a {@code while}: its condition, lowered into the loop's head (see {@link Whiles}). */
    private Whiles whileLoop;

    /** Lowers a while loop: as a for loop whose iterations are decided at run time by its condition. */
    void whileLoop(Whiles w, Ast.For asFor) {
        whileLoop = w;
        forLoop(asFor);
    }

    /** After a while, which may run no iteration: each leaf's grad state joins the one before it. */
    private static Map<Integer, GradState> entryGradsOf(State end, State before) {
        return State.join(before.grads, end.grads);
    }

    private void shapeChange(Ast.For f, String n, T before, Val now) {
        if (now instanceof Val.Bad) return; // the error that made it is already reported
        String was = before == null ? "" : " from " + Shapes.show(before.shape());
        String is = now instanceof T t ? " to " + Shapes.show(t.shape()) : " to " + now.describe();
        l.diags.error("E0208", l.headSpan(f.span()), "`" + n + "` changes" + was + is + " in each iteration of this loop",
                "a value carried from one iteration to the next must keep its shape");
    }

    /** The scalar that decides an `if` or a `while` (null: known statically, or already reported). */
    Var condition(Val c, Span span, String keyword) {
        return Branches.condition(l, c, span, keyword);
    }
}
