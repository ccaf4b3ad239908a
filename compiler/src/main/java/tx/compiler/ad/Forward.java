package tx.compiler.ad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * Forward mode, the source transformation behind {@code jvp(f, wrt=)}: from the equations between
 * the seeded inputs and the outputs, build the tangent equations into the current block, one
 * primitive at a time by its JVP rule ({@link tx.runtime.ir.Prim#jvp}), in program order. A
 * tangent that is a structural zero is never materialised, as an adjoint in {@link Reverse}. The
 * tangent equations are ordinary IR, recorded like any others, so reverse mode can differentiate
 * them (reverse-over-forward) and they can be emitted.
 *
 * <p>Not yet: loops, branches and calls that are not inlined (a function with a custom_vjp rule)
 * between the inputs and the outputs stop the pass, and the caller reports E0306.
 */
public final class Forward {
    private Forward() {}

    /** The outputs' tangents (zeros where structurally zero), or the statement that stopped the pass. */
    public record Result(List<Var> tangents, Stmt blockedAt) {}

    /**
     * The tangents of {@code outs} given the tangents of {@code seeds}; variables made before
     * {@code from} (an id) are constants to this pass, as are those that do not depend on a seed.
     */
    public static Result jvp(Builder b, Graph graph, List<Var> outs, Map<Var, Var> seeds, int from) {
        List<Eqn> active = new ArrayList<>();
        Deque<Var> todo = new ArrayDeque<>(outs);
        Set<Var> seen = new HashSet<>(outs);
        while (!todo.isEmpty()) {
            Var v = todo.pop();
            if (seeds.containsKey(v) || v.id() < from) continue;
            Eqn e = graph.definition(v);
            if (e == null) {
                Stmt st = graph.structureOf(v);
                if (st != null) return new Result(List.of(), st);
                continue; // a value with no definition in reach: a constant to this pass
            }
            active.add(e);
            for (Var x : e.in()) if (seen.add(x)) todo.push(x);
        }
        active.sort(Comparator.comparingInt(e -> e.out().id()));
        Map<Var, Var> tangent = new HashMap<>(seeds);
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        try {
            for (Eqn e : active) {
                List<Var> t = new ArrayList<>();
                boolean any = false;
                for (Var x : e.in()) {
                    Var tx = tangent.get(x);
                    t.add(tx);
                    any |= tx != null;
                }
                if (!any) continue;
                b.at(e.origin().asAdjoint());
                b.named(e.out().name() == null ? null : "t_" + e.out().name());
                Var to = e.prim().jvp(b, e, t);
                if (to != null) tangent.put(e.out(), to);
            }
            List<Var> result = new ArrayList<>();
            for (Var o : outs) {
                Var to = tangent.get(o);
                result.add(to != null ? to : b.fill(o.shapeRef(), 0.0));
            }
            return new Result(result, null);
        } finally {
            b.named(oldName);
            b.at(oldOrigin);
        }
    }
}
