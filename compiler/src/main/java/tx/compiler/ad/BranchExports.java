package tx.compiler.ad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * The forward values of a branch's sides that their adjoints read: each leaves the forward
 * branch as an extra output (None from the other side, which never reads it), but for a
 * constant, which the adjoint makes again (in a loop, an output would be taped every iteration).
 */
final class BranchExports {
    private final Builder b;
    private final Graph graph;
    private final boolean createGraph;
    final Stmt.Cond fwd;
    final List<Var> thenRes, elseRes, outs;

    BranchExports(Builder b, Graph graph, boolean createGraph, Stmt.Cond fwd) {
        this.b = b;
        this.graph = graph;
        this.createGraph = createGraph;
        this.fwd = fwd;
        thenRes = new ArrayList<>(fwd.thenResults());
        elseRes = new ArrayList<>(fwd.elseResults());
        outs = new ArrayList<>(fwd.outs());
    }

    /** Exports what a side's adjoint block reads of that side; returns the renaming to the exported outputs. */
    Map<Var, Var> export(int side, List<Stmt> block, List<Var> grads) {
        List<Stmt> stmts = side == 0 ? fwd.then() : fwd.otherwise();
        Set<Var> local = Blocks.defined(stmts);
        Set<Var> needed = Blocks.free(block);
        needed.addAll(grads);
        Map<Var, Var> rename = new HashMap<>();
        List<Stmt> again = new ArrayList<>(); // constants of the side, made again rather than handed out
        for (Var v : needed) {
            if (!local.contains(v)) continue;
            Eqn source = null;
            for (Stmt st : stmts) if (st instanceof Eqn e && e.out().equals(v) && e.in().isEmpty() && e.prim() != Prim.LOAD) source = e;
            if (source != null) {
                Var copy = b.newVarLike(v, v.name());
                b.step(copy); // a constant the forward side made, as in recompute
                again.add(new Eqn(source.prim(), List.of(), copy, source.attr(), source.origin()));
                rename.put(v, copy);
                continue;
            }
            Var out = b.newVarLike(v, v.name());
            if (createGraph && !graph.noGrad()) graph.setRequiresGrad(out, graph.requiresGrad(v)); // read by the reversal: for a second pass
            thenRes.add(side == 0 ? v : null);
            elseRes.add(side == 0 ? null : v);
            outs.add(out);
            rename.put(v, out);
        }
        block.addAll(0, again);
        return rename;
    }

    /** Replaces the forward branch by one with the extra outputs, if there are any; false if the branch is nowhere in the program being built. */
    boolean install() {
        if (outs.size() == fwd.outs().size()) return true;
        Stmt.Cond exported = new Stmt.Cond(fwd.cond(), fwd.then(), thenRes, fwd.otherwise(), elseRes, outs, fwd.origin());
        if (!b.replace(fwd, exported)) return false; // NOTE: see Reverse.cond, which refuses the derivative then
        graph.structure(exported);
        return true;
    }
}
