package tx.compiler.ad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * Forward mode, the source transformation behind {@code jvp(f, wrt=)}: the statements of f's
 * application are rebuilt with each one followed by its tangent equations, built by its
 * primitive's JVP rule ({@link tx.runtime.ir.Prim#jvp}). A tangent that is a structural zero is
 * never materialised, as an adjoint in {@link Reverse}.
 *
 * <p>A loop carries its values' tangents beside them: it becomes a loop with one more parameter
 * per carried value that has a tangent (found by a fixpoint: a value whose start has none may get
 * one from the body), whose body is rebuilt the same way. No tape and no second sweep: forward
 * mode goes with the loop. A branch gives its results' tangents from the side taken. The tangent
 * program is ordinary IR, recorded like any other, so reverse mode can differentiate it (reverse
 * over forward) and it can be emitted.
 *
 * <p>A call with a moving argument calls the function's tangent function, derived once per function
 * and pattern of moving arguments. A function with a custom_jvp rule calls its rule instead. Not
 * yet: a function with a custom_vjp rule stops the pass (the rule gives no forward-mode
 * derivative); the caller reports E0306.
 */
public final class Forward {
    /** The outputs' tangents (zeros where structurally zero), or the statement that stopped the pass. */
    public record Result(List<Var> tangents, Stmt blockedAt) {}

    private final Builder b;
    private final Graph graph;
    private final Map<Var, Var> tangent;

    private Forward(Builder b, Graph graph, Map<Var, Var> tangent) {
        this.b = b;
        this.graph = graph;
        this.tangent = tangent;
    }

    /** A call on the way: the pass cannot follow it (yet). */
    private static final class Blocked extends RuntimeException {
        final Stmt at;

        Blocked(Stmt at) {
            super(null, null, false, false);
            this.at = at;
        }
    }

    /**
     * The tangents of {@code outs} given the tangents of {@code seeds}, where the statements that
     * make {@code outs} from the seeds are those of the current block from {@code start} on: they
     * are rebuilt in place with their tangent equations. What they read from before is a constant.
     */
    public static Result jvp(Builder b, Graph graph, List<Var> outs, Map<Var, Var> seeds, int start) {
        List<Stmt> segment = b.currentBlock().subList(start, b.currentBlock().size());
        List<Stmt> original = new ArrayList<>(segment);
        Forward f = new Forward(b, graph, new HashMap<>(seeds));
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        try {
            List<Stmt> rebuilt = f.block(original);
            segment.clear();
            segment.addAll(rebuilt);
            List<Var> result = new ArrayList<>();
            for (Var o : outs) result.add(f.orZeros(o));
            return new Result(result, null);
        } catch (Blocked x) {
            return new Result(List.of(), x.at);
        } finally {
            b.named(oldName);
            b.at(oldOrigin);
        }
    }

    private Var orZeros(Var v) {
        Var t = tangent.get(v);
        return t != null ? t : b.fill(v.shapeRef(), 0.0);
    }

    /** The statements again, each followed by what makes its tangents, as a new block. */
    private List<Stmt> block(List<Stmt> stmts) {
        b.openBlock();
        try {
            for (Stmt st : stmts) statement(st);
        } catch (RuntimeException x) {
            b.closeBlock();
            throw x;
        }
        return b.closeBlock();
    }

    private void statement(Stmt st) {
        if (st instanceof Eqn e) {
            b.add(e);
            eqn(e);
        } else if (st instanceof Stmt.Loop l) {
            loop(l);
        } else if (st instanceof Stmt.Cond c) {
            cond(c);
        } else if (st instanceof Stmt.Call c) {
            call(c);
        } else {
            b.add(st);
        }
    }

    /**
     * A call with moving arguments becomes a call of the function's tangent function, which takes
     * the arguments and the moving ones' tangents and returns the results, then their tangents. It
     * is derived once per function and pattern of moving arguments (its body is the function's,
     * rebuilt the same way), so forward mode goes through calls without copying bodies. A function
     * with a custom_jvp rule calls its rule; one with a custom_vjp rule stops the pass: that rule
     * gives no forward-mode derivative.
     */
    private void call(Stmt.Call c) {
        List<Boolean> moving = new ArrayList<>();
        List<Var> args = new ArrayList<>(c.in());
        for (Var x : c.in()) {
            moving.add(tangent.containsKey(x));
            if (tangent.containsKey(x)) args.add(tangent.get(x));
        }
        if (!moving.contains(true)) {
            b.add(c);
            return;
        }
        if (graph.customJvp(c.fn()) != null) {
            customCall(c, graph.customJvp(c.fn()));
            return;
        }
        if (graph.customBwd(c.fn()) != null) throw new Blocked(c);
        tx.runtime.ir.Func tf = tangentFunction(c.fn(), moving);
        List<Var> outs = new ArrayList<>(c.outs());
        for (int k = c.outs().size(); k < tf.results().size(); k++) {
            Var o = c.outs().get(k - c.outs().size());
            outs.add(b.newVar(o.shapeRef(), tangentName(o)));
        }
        Stmt.Call with = new Stmt.Call(tf, args, outs, c.origin());
        b.add(with);
        List<Boolean> rg = new ArrayList<>();
        for (Var o : c.outs()) rg.add(graph.requiresGrad(o));
        for (int k = c.outs().size(); k < outs.size(); k++) rg.add(!graph.noGrad());
        graph.called(with, rg);
        for (int k = 0; k < c.outs().size(); k++) tangent.put(c.outs().get(k), outs.get(c.outs().size() + k));
    }

    /**
     * A call of a function with a custom_jvp rule: a call of the rule, with the arguments and every
     * one's tangent (zeros for those that do not move). A rule that returns the value and its
     * tangent replaces the call, as JAX takes the value from the rule; one that returns the tangent
     * alone is called after it.
     */
    private void customCall(Stmt.Call c, tx.runtime.ir.Func rule) {
        List<Var> args = new ArrayList<>(c.in());
        for (Var x : c.in()) args.add(tangent.containsKey(x) ? tangent.get(x) : b.fill(x.shapeRef(), 0.0));
        boolean withValue = rule.results().size() == 2;
        if (!withValue) b.add(c);
        Var o = c.outs().get(0), to = b.newVar(o.shapeRef(), tangentName(o));
        List<Var> outs = withValue ? List.of(o, to) : List.of(to);
        Stmt.Call with = new Stmt.Call(rule, args, outs, c.origin());
        b.add(with);
        List<Boolean> rg = new ArrayList<>();
        if (withValue) rg.add(graph.requiresGrad(o));
        rg.add(!graph.noGrad());
        graph.called(with, rg);
        tangent.put(o, to);
    }

    /** f's tangent function for the moving parameters, made once: f's parameters, their tangents; f's results, their tangents. */
    private tx.runtime.ir.Func tangentFunction(tx.runtime.ir.Func f, List<Boolean> moving) {
        List<Object> key = List.of("tangent", f, List.copyOf(moving));
        Object done = graph.adjoint(key);
        if (done != null) return (tx.runtime.ir.Func) done;
        Graph.Scope scope = graph.enter(f, true); // the tangent function's statements are its own, not versions of f's
        tx.runtime.ir.Func tf = null;
        try {
            tf = tangentOf(f, moving);
        } finally {
            graph.leave(scope, tf);
        }
        graph.adjoint(key, tf);
        return tf;
    }

    private tx.runtime.ir.Func tangentOf(tx.runtime.ir.Func f, List<Boolean> moving) {
        Forward child = new Forward(b, graph, new HashMap<>());
        List<Var> params = new ArrayList<>(f.params());
        for (int k = 0; k < f.params().size(); k++) {
            if (!moving.get(k)) continue;
            Var p = f.params().get(k), tp = b.newVar(p.shapeRef(), tangentName(p));
            graph.setRequiresGrad(tp, true);
            params.add(tp);
            child.tangent.put(p, tp);
        }
        b.openBlock();
        List<Var> results = new ArrayList<>(f.results());
        try {
            for (Stmt st : f.body()) child.statement(st);
            for (Var r : f.results()) results.add(child.orZeros(r));
        } catch (RuntimeException x) {
            b.closeBlock();
            throw x;
        }
        return new tx.runtime.ir.Func(f.name() + "_jvp", params, b.closeBlock(), results);
    }

    private void eqn(Eqn e) {
        List<Var> t = new ArrayList<>();
        boolean any = false;
        for (Var x : e.in()) {
            Var tx = tangent.get(x);
            t.add(tx);
            any |= tx != null;
        }
        if (!any) return;
        if (graph.barrierReason(e.out()) != null) throw new Blocked(e); // no derivative (PyTorch's floor division, qr's mode="r")
        b.at(e.origin().asAdjoint());
        b.named(e.out().name() == null ? null : "t_" + e.out().name());
        Var to = e.prim().jvp(b, e, t);
        if (to != null) tangent.put(e.out(), to);
    }

    /** A loop, again, carrying the tangents of the values that move (or as it was, if none does). */
    private void loop(Stmt.Loop fwd) {
        int n = fwd.params().size();
        boolean[] carried = new boolean[n];
        for (int k = 0; k < n; k++) carried[k] = fwd.init().get(k) != null && tangent.containsKey(fwd.init().get(k));
        for (boolean changed = true; changed; ) {
            changed = false;
            Set<Var> moving = new HashSet<>(tangent.keySet());
            for (int k = 0; k < n; k++) if (carried[k]) moving.add(fwd.params().get(k));
            mark(fwd.body(), moving);
            for (int k = 0; k < n; k++) {
                Var r = fwd.results().get(k);
                if (!carried[k] && r != null && moving.contains(r)) carried[k] = changed = true;
            }
        }
        List<Integer> ks = new ArrayList<>();
        for (int k = 0; k < n; k++) if (carried[k]) ks.add(k);
        boolean reads = false;
        for (Var x : Blocks.free(fwd.body())) reads |= tangent.containsKey(x);
        if (ks.isEmpty() && !reads) {
            b.add(fwd);
            return;
        }
        b.at(fwd.origin().asAdjoint());
        List<Var> init = new ArrayList<>(fwd.init()), params = new ArrayList<>(fwd.params()), outs = new ArrayList<>(fwd.outs());
        Forward child = new Forward(b, graph, new HashMap<>(tangent));
        for (int k : ks) {
            Var p = fwd.params().get(k), start = fwd.init().get(k);
            b.named(tangentName(p));
            init.add(start == null ? null : orZeros(start)); // none: first assigned in the body, never read before
            Var tp = b.newVar(p.shapeRef(), tangentName(p));
            graph.setRequiresGrad(tp, !graph.noGrad());
            params.add(tp);
            child.tangent.put(p, tp);
        }
        List<Var> results = new ArrayList<>(fwd.results());
        b.openBlock();
        for (Stmt st : fwd.body()) child.statement(st);
        for (int k : ks) results.add(fwd.results().get(k) == null ? null : child.orZeros(fwd.results().get(k)));
        // a loop the reverse pass gave a tape records its values' tangents on tapes of their own (forward over reverse)
        List<Var> stacked = new ArrayList<>(fwd.stacked()), tapes = new ArrayList<>(fwd.tapes());
        for (int k = 0; k < fwd.stacked().size(); k++) {
            Var ts = child.tangent.get(fwd.stacked().get(k));
            if (ts == null) continue;
            Var tape = fwd.tapes().get(k), tt = b.newVar(tape.shapeRef(), tangentName(tape));
            graph.setRequiresGrad(tt, !graph.noGrad());
            stacked.add(ts);
            tapes.add(tt);
            tangent.put(tape, tt);
        }
        List<Stmt> body = b.closeBlock();
        for (int k : ks) {
            Var o = fwd.outs().get(k), to = b.newVar(o.shapeRef(), tangentName(o));
            graph.setRequiresGrad(to, !graph.noGrad());
            outs.add(to);
            tangent.put(o, to);
        }
        // a while keeps its head: the condition reads the carried values, never their tangents
        Stmt.Loop with = new Stmt.Loop(fwd.count(), fwd.index(), init, params, body, results, outs, stacked, tapes, fwd.reverse(), fwd.origin(),
                fwd.runTime());
        b.add(with);
        graph.structure(with);
    }

    /** A branch, again, each side giving the tangents of its results (zeros where it has none). */
    private void cond(Stmt.Cond fwd) {
        Set<Var> moving = new HashSet<>(tangent.keySet());
        mark(fwd.then(), moving);
        mark(fwd.otherwise(), moving);
        List<Integer> ks = new ArrayList<>();
        for (int k = 0; k < fwd.outs().size(); k++) {
            Var a = fwd.thenResults().get(k), c = fwd.elseResults().get(k);
            if (a != null && moving.contains(a) || c != null && moving.contains(c)) ks.add(k);
        }
        if (ks.isEmpty()) {
            b.add(fwd);
            return;
        }
        b.at(fwd.origin().asAdjoint());
        List<List<Stmt>> blocks = new ArrayList<>();
        List<List<Var>> sides = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            List<Stmt> stmts = side == 0 ? fwd.then() : fwd.otherwise();
            List<Var> res = side == 0 ? fwd.thenResults() : fwd.elseResults();
            Forward child = new Forward(b, graph, new HashMap<>(tangent));
            b.openBlock();
            for (Stmt st : stmts) child.statement(st);
            List<Var> ts = new ArrayList<>(res);
            for (int k : ks) ts.add(res.get(k) == null ? null : child.orZeros(res.get(k)));
            blocks.add(b.closeBlock());
            sides.add(ts);
        }
        List<Var> outs = new ArrayList<>(fwd.outs());
        for (int k : ks) {
            Var o = fwd.outs().get(k), to = b.newVar(o.shapeRef(), tangentName(o));
            graph.setRequiresGrad(to, !graph.noGrad());
            outs.add(to);
            tangent.put(o, to);
        }
        Stmt.Cond with = new Stmt.Cond(fwd.cond(), blocks.get(0), sides.get(0), blocks.get(1), sides.get(1), outs, fwd.origin());
        b.add(with);
        graph.structure(with);
    }

    private static String tangentName(Var v) {
        return v.name() == null ? null : "t_" + v.name();
    }

    /** Adds to {@code moving} what a block makes from it (conservatively: anything with a moving operand). */
    private static void mark(List<Stmt> body, Set<Var> moving) {
        for (Stmt st : body) {
            if (st instanceof Eqn e) {
                for (Var x : e.in()) if (moving.contains(x)) moving.add(e.out());
            } else if (st instanceof Stmt.Loop || st instanceof Stmt.Cond || st instanceof Stmt.Call) {
                boolean any = false;
                for (Var x : Blocks.free(st)) any |= moving.contains(x);
                if (any) moving.addAll(Blocks.defined(List.of(st)));
            }
        }
    }
}
