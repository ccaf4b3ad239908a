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
import tx.runtime.ir.Builder;
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
    private final Map<Var, Var> adjoint = new HashMap<>();
    private final Map<Var, Mask> masks = new HashMap<>();

    private Reverse(Builder b, Graph graph) {
        this.b = b;
        this.graph = graph;
    }

    /** Differentiates {@code out} seeded with {@code seed} (same shape) with respect to every leaf it reaches. */
    public static Result backward(Builder b, Graph graph, Var out, Var seed) {
        return new Reverse(b, graph).run(out, seed, false, null);
    }

    /**
     * For the derivative transforms: the adjoint equations are recorded like any others (PyTorch's
     * create_graph), so that an outer transform can differentiate them again, and only the leaves
     * in {@code wanted} are returned.
     */
    public static Result transform(Builder b, Graph graph, Var out, Var seed, java.util.Set<Integer> wanted) {
        return new Reverse(b, graph).run(out, seed, true, wanted);
    }

    private Result run(Var out, Var seed, boolean createGraph, java.util.Set<Integer> wanted) {
        Map<Var, Integer> leaves = new LinkedHashMap<>();
        List<Eqn> active = new ArrayList<>();
        Var blocked = slice(out, leaves, active);
        if (blocked != null) return new Result(Map.of(), blocked, graph.barrierReason(blocked));
        if (wanted != null) leaves.values().removeIf(id -> !wanted.contains(id));
        // a backward's adjoints do not themselves require grad (no create_graph); a transform's may
        boolean wasNoGrad = createGraph ? graph.noGrad() : graph.setNoGrad(true);
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        List<tx.runtime.ir.Stmt> block = b.currentBlock();
        int start = block.size();
        try {
            adjoint.put(out, seed);
            active.sort(Comparator.comparingInt((Eqn e) -> e.out().id()).reversed());
            for (Eqn e : active) propagate(e);
            Map<Integer, Var> result = collect(leaves);
            prune(block.subList(start, block.size()), result.values());
            return new Result(result, null, null);
        } finally {
            if (!createGraph) graph.setNoGrad(wasNoGrad);
            b.named(oldName);
            b.at(oldOrigin);
        }
    }

    /**
     * Activity analysis: the equations between the leaves and {@code out} through variables that
     * require grad. Returns the first variable that requires grad but has no equation in reach
     * (a barrier), or null.
     */
    private Var slice(Var out, Map<Var, Integer> leaves, List<Eqn> active) {
        Deque<Var> todo = new ArrayDeque<>();
        Set<Var> seen = new HashSet<>();
        todo.push(out);
        seen.add(out);
        while (!todo.isEmpty()) {
            Var v = todo.pop();
            int leaf = graph.leafOf(v);
            if (leaf >= 0) {
                leaves.put(v, leaf);
                continue;
            }
            Eqn e = graph.definition(v);
            if (e == null) return v;
            active.add(e);
            for (Var in : e.in()) {
                if (graph.requiresGrad(in) && seen.add(in)) todo.push(in);
            }
        }
        return null;
    }

    /** Applies one equation's VJP rule and adds the contributions to its operands' adjoints. */
    private void propagate(Eqn e) {
        Var g = adjoint.get(e.out());
        if (g == null) return;
        b.at(e.origin().asAdjoint());
        b.named(contributionName(e));
        List<Var> contributions = e.prim().vjp(b, e, g);
        Mask inherited = e.prim().elementwise() ? masks.get(e.out()) : null;
        for (int i = 0; i < e.in().size(); i++) {
            Var x = e.in().get(i), c = contributions.get(i);
            if (c == null || !graph.requiresGrad(x)) continue;
            b.named(adjointName(x));
            Mask own = e.prim() == Prim.WHERE ? new Mask(e.in().get(0), i == 1) : null;
            if (inherited != null) c = apply(inherited, c); // where's own rule already masks its operands
            boolean sameShape = java.util.Arrays.equals(c.shapeRef(), x.shapeRef());
            Mask mask = own != null ? own : inherited;
            if (!sameShape && mask != null) mask = reduce(mask, c, x.shapeRef());
            c = b.unbroadcast(c, x.shapeRef());
            accumulate(x, c, mask);
        }
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
            if (emitted.get(i) instanceof Eqn e && live.contains(e.out())) {
                keep[i] = true;
                live.addAll(e.in());
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

    private static String adjointName(Var v) {
        return v.name() == null ? null : "d_" + v.name();
    }
}
