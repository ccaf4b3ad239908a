package tx.compiler.ad;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Func;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Whether a side of a branch may run for examples that do not take it ({@link Batching}'s select
 * of a branch on each example's own condition runs both sides for the whole batch). It may if
 * nothing in it can stop the run or show itself: no assert or print, no {@code while} (which need
 * not end), no factorisation that refuses a singular matrix, no index known only at run time that
 * could fall outside its axis (a gather, a window, a {@code take} at an index other than a loop's
 * counter within the axis), no load of a file, no max over an empty axis. Values that are nan or
 * infinite are no reason: the select leaves them out, and the adjoints are selected too.
 */
final class Speculation {
    /** The trip count of each loop whose counter the block may read (the loops around it, and those met inside). */
    private final Map<Var, Integer> counts;
    private final Set<Func> seen = new HashSet<>();
    /** Why the block may not run for every example (for {@code -Dtx.batching.debug}), or null. */
    private String refusal;

    private Speculation(Map<Var, Integer> counts) {
        this.counts = new HashMap<>(counts);
    }

    /** Null if {@code blocks} may run for every example, else why not; {@code counts}: the trip counts of the loops around them. */
    static String refusal(Map<Var, Integer> counts, List<List<Stmt>> blocks) {
        Speculation s = new Speculation(counts);
        for (List<Stmt> block : blocks) if (!s.block(block)) return s.refusal;
        return null;
    }

    private boolean block(List<Stmt> body) {
        for (Stmt s : body) if (!statement(s)) return false;
        return true;
    }

    private boolean statement(Stmt s) {
        if (s instanceof Stmt.Eqn e) return equation(e);
        if (s instanceof Stmt.Call c) return seen.contains(c.fn()) || seen.add(c.fn()) && block(c.fn().body());
        if (s instanceof Stmt.Cond c) return block(c.then()) && block(c.otherwise());
        if (s instanceof Stmt.Loop l) {
            if (l.runTime() != null) return refuse("a loop whose trip count is known only at run time (line " + l.origin().line() + ")");
            counts.put(l.index(), l.count());
            return block(l.body());
        }
        return refuse(s.getClass().getSimpleName().toLowerCase() + " at line " + s.origin().line());
    }

    private boolean equation(Stmt.Eqn e) {
        return switch (e.prim()) {
            case INVERSE, SOLVE, CHOLESKY -> refuse(e.prim() + ", which refuses a singular matrix");
            case GATHER, SCATTER_ADD, SCATTER, DYNAMIC_SLICE, DYNAMIC_PAD -> refuse(e.prim() + ", whose index may fall outside its axis");
            case LOAD -> refuse("a load of a file");
            case TAKE -> counted(e.in().get(1), e.in().get(0).shapeRef()[((Attrs.Axis) e.attr()).axis()]) || refuse("take at an index known only at run time");
            case PUT -> {
                Attrs.Put put = (Attrs.Put) e.attr();
                yield counted(e.in().get(1), put.shape()[put.axis()]) || refuse("put at an index known only at run time");
            }
            case MAX, FIRST_MAX, ARGMAX -> Shapes.numel(e.in().get(0).shapeRef()) > 0 || refuse(e.prim() + " of an empty tensor");
            default -> true;
        };
    }

    /** Whether {@code i} is the counter of a loop of at most {@code n} iterations: an index inside an axis of n. */
    private boolean counted(Var i, int n) {
        Integer count = counts.get(i);
        return count != null && count <= n;
    }

    private boolean refuse(String why) {
        refusal = why;
        return false;
    }
}
