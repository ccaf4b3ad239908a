package tx.compiler.emit;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * What an emitted function computes: the variables its results need, walking its body backwards,
 * through loops, branches and calls. The emitters of code write a statement only where
 * {@link #needed} says so, so that each function computes only what it returns.
 */
final class Liveness {
    private Liveness() {}

    /**
     * The variables that {@code results} need, transitively. A loop's carried value that is needed
     * (its output, or its parameter inside the body) has its output in the set, a tape that is
     * needed its tape; a branch's output that is needed is in the set; a call that is needed
     * (any of its outputs) needs all its arguments. A run-time check is a root wherever it is: it
     * needs its condition and what its message shows, and a loop that holds one runs.
     */
    static Set<Var> of(List<Stmt> body, List<Var> results) {
        Set<Var> live = new HashSet<>(results);
        live(body, live);
        return live;
    }

    /** Whether a statement computes something in {@code live}, or is or holds a run-time check ({@link Checks}: never dead). */
    static boolean needed(Stmt st, Set<Var> live) {
        if (st instanceof Eqn e) return live.contains(e.out());
        if (Checks.holds(st)) return true;
        if (st instanceof Stmt.Loop l) {
            for (Var o : l.outs()) if (live.contains(o)) return true;
            for (Var t : l.tapes()) if (live.contains(t)) return true;
            return l.runTime() != null && l.runTime().trips() != null && live.contains(l.runTime().trips());
        }
        if (st instanceof Stmt.Cond c) {
            for (Var o : c.outs()) if (live.contains(o)) return true;
        }
        if (st instanceof Stmt.Call c) {
            for (Var o : c.outs()) if (live.contains(o)) return true;
        }
        return false;
    }

    private static void live(List<Stmt> stmts, Set<Var> live) {
        for (int i = stmts.size() - 1; i >= 0; i--) {
            Stmt st = stmts.get(i);
            if (st instanceof Eqn e) {
                if (live.contains(e.out())) live.addAll(e.in());
            } else if (st instanceof Stmt.Call c) {
                if (needed(c, live)) live.addAll(c.in());
            } else if (st instanceof Stmt.Loop l) {
                loop(l, live);
            } else if (st instanceof Stmt.Fail f) {
                live.addAll(Checks.reads(f));
            } else if (st instanceof Stmt.Cond c) {
                boolean any = Checks.holds(c); // a check reads its condition, and its side that fails what the message shows
                for (int k = 0; k < c.outs().size(); k++) {
                    if (!live.contains(c.outs().get(k))) continue;
                    any = true;
                    if (c.thenResults().get(k) != null) live.add(c.thenResults().get(k));
                    if (c.elseResults().get(k) != null) live.add(c.elseResults().get(k));
                }
                if (!any) continue;
                live.add(c.cond());
                live(c.then(), live);
                live(c.otherwise(), live);
            }
        }
    }

    private static void loop(Stmt.Loop l, Set<Var> live) {
        if (l.runTime() != null && needed(l, live)) { // a while's condition, read before every iteration, or a counted loop's count
            if (l.runTime().cond() != null) live.add(l.runTime().cond());
            if (l.runTime().count() != null) live.add(l.runTime().count());
        }
        for (int j = 0; j < l.tapes().size(); j++) if (live.contains(l.tapes().get(j))) live.add(l.stacked().get(j));
        int before;
        do { // a carried value the body reads is needed by the iterations after: until nothing more is needed
            before = live.size();
            for (int k = 0; k < l.params().size(); k++) if (live.contains(l.params().get(k))) live.add(l.outs().get(k));
            for (int k = 0; k < l.params().size(); k++) if (live.contains(l.outs().get(k))) live.add(l.results().get(k));
            live(l.body(), live);
            if (l.runTime() != null && l.runTime().cond() != null && live.contains(l.runTime().cond())) live(l.runTime().head(), live);
        } while (live.size() != before);
        for (int k = 0; k < l.params().size(); k++) {
            if (live.contains(l.outs().get(k)) && l.init().get(k) != null) live.add(l.init().get(k));
        }
    }
}
