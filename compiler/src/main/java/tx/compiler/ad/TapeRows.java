package tx.compiler.ad;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The tapes of run-time length that a loop reads a row of per iteration. The reversal of a
 * {@code while} is a counted loop that reads the while's tape, row i at iteration i; when that
 * reversal is differentiated again, the adjoint of such a tape cannot be summed in a tensor of the
 * tape's shape (its length is known only at run time), but row i of it is exactly what iteration i
 * of the new reversal gives the row it read. So the new reversal, which runs as many iterations as
 * the while did, records those row adjoints on a tape of its own, one row per iteration, and that
 * tape is the adjoint of the while's tape. A loop that tapes a while nested in it (ragged rows,
 * each as long as that iteration's while ran) is read the same way.
 */
final class TapeRows {
    private TapeRows() {}

    /**
     * Each value from outside the loop with a length known only at run time (the while's tape, or
     * a loop's tape of rows that are such tapes, ragged) that the body reads only as
     * {@code take(v, index, 0)} at the top level, mapped to that read. Such values are removed
     * from {@code free}.
     */
    static Map<Var, Eqn> of(Stmt.Loop loop, List<Var> free) {
        Map<Var, Eqn> rows = new LinkedHashMap<>();
        for (Var v : free) {
            // a tape's run-time length is 0 in its static shape; a selection's size is a symbol, and no tape
            if (v.shapeRef().length == 0 || Shapes.symbolic(v.shapeRef()) || Shapes.numel(v.shapeRef()) != 0) continue;
            Eqn read = onlyRowRead(loop, v);
            if (read != null) rows.put(v, read);
        }
        free.removeAll(rows.keySet());
        return rows;
    }

    /** The one read {@code take(v, index, 0)} of the body, if the body (and the loop's head and results) read v nowhere else. */
    private static Eqn onlyRowRead(Stmt.Loop loop, Var v) {
        Eqn read = null;
        List<Stmt> rest = new ArrayList<>();
        for (Stmt s : loop.body()) {
            if (read == null && s instanceof Eqn e && e.prim() == Prim.TAKE && e.in().get(0).equals(v) && e.in().get(1).equals(loop.index())
                    && e.attr() instanceof Attrs.Axis a && a.axis() == 0) {
                read = e;
            } else {
                rest.add(s);
            }
        }
        if (read == null) return null;
        Set<Var> others = Blocks.free(rest);
        boolean inHead = loop.runTime() != null && Blocks.free(loop.runTime().head()).contains(v);
        if (others.contains(v) || loop.results().contains(v) || inHead) return null;
        return read;
    }
}
