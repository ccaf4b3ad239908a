package tx.compiler.ad;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Func;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * Functions of the IR, for the reverse pass: which arguments of a call can carry a gradient, and
 * the split of a function into the forward half that hands out its residuals and the backward
 * half that takes them (or, where residuals would pile up, its joint adjoint). {@link Reverse}
 * reverses a call by calling the backward half; each split is derived once per function and
 * activity pattern, however many calls there are.
 */
final class Splits {
    private Splits() {}

    /** The arguments of a call whose parameters reach one of the function's results (the others cannot carry a gradient). */
    static List<Var> reaching(Graph graph, Stmt.Call c) {
        if (graph.customBwd(c.fn()) != null) return c.in(); // a custom rule may send a gradient to any of them
        List<Var> out = new ArrayList<>();
        Set<Var> live = reached(graph, c.fn());
        for (int k = 0; k < c.in().size(); k++) if (live.contains(c.fn().params().get(k))) out.add(c.in().get(k));
        return out;
    }

    /** The variables of a function's body (its parameters included) that its results depend on, worked out once. */
    @SuppressWarnings("unchecked")
    private static Set<Var> reached(Graph graph, Func f) {
        List<Object> key = List.of("reached", f);
        Object done = graph.adjoint(key);
        if (done != null) return (Set<Var>) done;
        Set<Var> live = new HashSet<>(f.results());
        for (int i = f.body().size() - 1; i >= 0; i--) {
            Stmt s = f.body().get(i);
            if (s instanceof Eqn e) {
                if (live.contains(e.out())) live.addAll(e.in());
            } else if (s instanceof Stmt.Call call) {
                if (call.outs().stream().anyMatch(live::contains)) live.addAll(reaching(graph, call));
            } else {
                live.addAll(Blocks.free(s)); // a loop or branch: whatever it reads, conservatively
            }
        }
        graph.adjoint(key, live);
        return live;
    }

    /**
     * A function's two halves; or (fwd null) its joint adjoint, which computes the function again
     * before its reverse sweep; or (both null) the barrier that stopped its derivation.
     */
    record Split(Func fwd, Func bwd, List<Integer> gives, int residuals, Var blockedAt, String blockedWhy) {}

    /**
     * Residuals a forward half may hand out beyond one per equation of its own body. NOTE: a
     * function's residuals include those of the calls in its body, so in a call tree they add up:
     * 40 levels of functions that each call the next twice would hand out 2^40. Past this bound the
     * function is reversed in joint mode instead (Tapenade's default for procedures): its adjoint
     * recomputes its body, residuals included, and hands none out, so that each level of the tree
     * adds a bounded number of residuals, and the program stays linear in the source.
     */
    static final int EXTRA_RESIDUALS = 64;

    /**
     * Splits {@code f} for the parameters and results flagged active. The reverse pass runs over a
     * copy of f's body, seeded with the active results' adjoints, with the active parameters as
     * leaves; what it builds is the backward half, and what of the body that reads, the residuals.
     * The forward half is the body returning the results, then the residuals. The backward half
     * takes f's parameters, the active results' adjoints and the residuals, and returns the active
     * parameters' adjoints, for those that reach an active result ({@code gives}: the others have a
     * structural zero, so that activity analysis sees through the call, W0111 included). Grad mode is on
     * while they are built, and the adjoints' inputs require grad, so that both halves can be
     * differentiated again whatever pass split the function first.
     */
    static Split split(Builder b, Graph graph, Func f, List<Boolean> in, List<Boolean> out) {
        Func custom = graph.customBwd(f);
        if (custom != null) { // custom_vjp: the given derivative, in joint mode, giving every parameter's adjoint
            List<Integer> every = new ArrayList<>();
            for (int k = 0; k < f.params().size(); k++) every.add(k);
            return new Split(null, custom, every, 0, null, null);
        }
        List<Object> key = List.of(f, List.copyOf(in), List.copyOf(out));
        Object done = graph.adjoint(key);
        if (done != null) return (Split) done;
        Graph.Scope scope = graph.enter(f, false); // a tangent function's statements, as its derivation left them
        Split split = null;
        try {
            split = derive(b, graph, f, in, out);
        } finally {
            graph.leave(scope, split == null ? null : split.fwd(), split == null ? null : split.bwd());
        }
        graph.adjoint(key, split);
        return split;
    }

    /** The split of f, derived (see {@link #split}). */
    private static Split derive(Builder b, Graph graph, Func f, List<Boolean> in, List<Boolean> out) {
        boolean wasNoGrad = graph.setNoGrad(false);
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        b.openBlock();
        try {
            List<Var> outs = new ArrayList<>(), seeds = new ArrayList<>();
            for (int k = 0; k < f.results().size(); k++) {
                if (!out.get(k)) continue;
                Var r = f.results().get(k);
                Var seed = b.newVar(r.shapeRef(), Reverse.adjointName(r));
                graph.setRequiresGrad(seed, true);
                outs.add(r);
                seeds.add(seed);
            }
            for (Stmt s : f.body()) b.add(current(graph, s));
            int forward = b.currentBlock().size(), inserted = b.inserted(b.currentBlock());
            // the active parameters are this pass's leaves; the others are constants to it, whatever
            // they were when the body was built (an adjoint's seed may or may not require grad)
            Map<Integer, Integer> leafOf = new LinkedHashMap<>();
            List<Var> inactive = new ArrayList<>();
            for (int k = 0; k < f.params().size(); k++) {
                Var p = f.params().get(k);
                if (!in.get(k)) {
                    if (graph.requiresGrad(p)) inactive.add(p);
                    graph.setRequiresGrad(p, false);
                    continue;
                }
                int id = graph.freshLeaf();
                graph.markLeaf(p, id);
                leafOf.put(k, id);
            }
            Reverse.Result r;
            try {
                r = Reverse.transform(b, graph, outs, seeds, new HashSet<>(leafOf.values()));
            } finally {
                for (int k : leafOf.keySet()) graph.unmarkLeaf(f.params().get(k));
                for (Var p : inactive) graph.setRequiresGrad(p, true);
            }
            if (r.blockedAt() != null) {
                b.closeBlock();
                return new Split(null, null, List.of(), 0, r.blockedAt(), r.blockedWhy());
            }
            // a parameter the pass did not reach gets no adjoint: a structural zero, as for an equation
            List<Var> grads = new ArrayList<>();
            List<Integer> gives = new ArrayList<>();
            for (Map.Entry<Integer, Integer> e : leafOf.entrySet()) {
                Var d = r.leafAdjoints().get(e.getValue());
                if (d == null) continue;
                grads.add(d);
                gives.add(e.getKey());
            }
            forward += b.inserted(b.currentBlock()) - inserted; // a loop on Revolve's schedule gets its snapshots made before it
            List<Stmt> all = b.closeBlock();
            List<Stmt> body = new ArrayList<>(all.subList(0, forward)), backward = new ArrayList<>(all.subList(forward, all.size()));
            Set<Var> made = Blocks.defined(body), read = Blocks.free(backward);
            read.addAll(grads);
            List<Var> residuals = new ArrayList<>();
            List<Stmt> again = new ArrayList<>(); // constants of the body: made again by the backward half, not handed out
            for (Stmt st : body) {
                if (st instanceof Eqn e && e.in().isEmpty() && e.prim() != Prim.LOAD && e.prim() != Prim.RANDOM && read.contains(e.out())) again.add(e);
            }
            for (Stmt st : again) read.remove(((Eqn) st).out());
            backward.addAll(0, again);
            for (Var v : read) if (made.contains(v)) residuals.add(v);
            List<Var> fwdResults = new ArrayList<>(f.results()), bwdParams = new ArrayList<>(f.params());
            for (Var v : residuals) if (!fwdResults.contains(v)) fwdResults.add(v); // a result that is also a residual is handed out once
            bwdParams.addAll(seeds);
            bwdParams.addAll(residuals);
            Split split;
            if (residuals.size() > EXTRA_RESIDUALS + tx.runtime.ir.Simplify.countEqns(f.body())) {
                List<Var> jointParams = new ArrayList<>(f.params());
                jointParams.addAll(seeds);
                split = new Split(null, new Func(f.name() + "_vjp", jointParams, all, grads), gives, 0, null, null);
            } else {
                Func fwd = new Func(f.name() + "_fwd", f.params(), body, fwdResults);
                split = new Split(fwd, new Func(f.name() + "_bwd", bwdParams, backward, grads), gives, residuals.size(), null, null);
                graph.primal(fwd, f);
            }
            return split;
        } finally {
            graph.setNoGrad(wasNoGrad);
            b.named(oldName);
            b.at(oldOrigin);
        }
    }

    /**
     * A statement of a function's body as the AD pass last left it: a loop it gave a tape, a branch
     * it gave exports, a call it made hand out residuals (the graph records the latest version, and
     * a pass that reaches the statement through the graph must find that version in the block).
     */
    private static Stmt current(Graph graph, Stmt s) {
        List<Var> outs = s instanceof Stmt.Loop l ? l.outs() : s instanceof Stmt.Cond c ? c.outs() : s instanceof Stmt.Call c ? c.outs() : List.of();
        if (outs.isEmpty()) return s;
        Stmt now = graph.structureOf(outs.get(0));
        return now != null ? now : s;
    }
}
