package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * A while inside a loop whose reversal reads the while's tape: the loop tapes that tape, one row
 * an iteration, and the rows differ in length (each as long as that iteration's while ran), which
 * neither a tx tensor nor a Java array of rows of one length can hold. For the written-out
 * derivative the loop tapes instead what the while starts from (values of fixed shape), and its
 * reversal runs the while again from them at each iteration, before reversing it: the same values
 * (a while is deterministic), once more computed, with tapes of one iteration's length only.
 * NOTE: for the emitters only; a run in process keeps the ragged tape, which the interpreter holds.
 */
final class RecomputedWhiles {
    private RecomputedWhiles() {}

    /** The block with each such loop and reversal rewritten where the pattern is plain (see {@link #rewrite}); others as they were. */
    static List<Stmt> of(List<Stmt> body, List<Var> params) {
        List<Stmt> out = new ArrayList<>(body);
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int i = 0; i < out.size() && !changed; i++) {
                if (out.get(i) instanceof Stmt.Loop l && l.runTime() == null && !l.reverse()) changed = rewrite(out, i, l, params);
            }
        }
        return out;
    }

    /**
     * Rewrites loop {@code fwd} (at {@code at} in {@code body}) and its reversal if fwd tapes the
     * tape of a while at the top of its body, and one later loop of the block reads that tape once,
     * a row at its index, at the top of its body; returns whether it did.
     */
    private static boolean rewrite(List<Stmt> body, int at, Stmt.Loop fwd, List<Var> params) {
        for (Stmt st : fwd.body()) {
            if (!(st instanceof Stmt.Loop w) || !w.isWhile() || !plain(w)) continue;
            for (int k = 0; k < fwd.stacked().size(); k++) {
                if (!w.tapes().contains(fwd.stacked().get(k))) continue;
                Var tape = fwd.tapes().get(k);
                int r = reader(body, at, tape);
                if (r < 0) return false;
                Stmt.Loop back = (Stmt.Loop) body.get(r);
                Stmt.Eqn row = rowRead(back, tape);
                if (row == null) return false;
                Map<Var, Var> starts = new java.util.LinkedHashMap<>(); // what the while reads from fwd's iteration, to its tape in fwd
                List<Var> stacked = new ArrayList<>(fwd.stacked()), tapes = new ArrayList<>(fwd.tapes());
                stacked.remove(k);
                tapes.remove(k);
                int next = Helpers.nextId(body, params);
                for (tx.runtime.ir.Func f : Blocks.functions(body)) next = Math.max(next, Helpers.nextId(f.body(), f.params()));
                Builder vars = new Builder(next + 1);
                Set<Var> inner = Blocks.defined(fwd.body());
                inner.addAll(fwd.params());
                for (Var v : Blocks.free(List.of(w))) {
                    if (!inner.contains(v) || v.equals(fwd.index())) continue;
                    if (Shapes.symbolic(v.shapeRef())) return false;
                    int j = stacked.indexOf(v);
                    if (j < 0) {
                        stacked.add(v);
                        tapes.add(vars.newVar(Shapes.concat(new int[] {fwd.count()}, v.shapeRef()), v.name(), v.dtype()));
                        j = stacked.size() - 1;
                    }
                    starts.put(v, tapes.get(j));
                }
                List<Stmt> prologue = new ArrayList<>();
                Map<Var, Var> renamed = new HashMap<>();
                renamed.put(fwd.index(), back.index());
                for (Map.Entry<Var, Var> e : starts.entrySet()) {
                    Var v = vars.newVarLike(e.getKey(), e.getKey().name());
                    prologue.add(new Stmt.Eqn(Prim.TAKE, List.of(e.getValue(), back.index()), v, new Attrs.Axis(0), row.origin()));
                    renamed.put(e.getKey(), v);
                }
                prologue.addAll(Helpers.copied(List.of(w), renamed, vars.varCount()));
                Var again = renamed.get(fwd.stacked().get(k)); // the while's tape, made again
                List<Stmt> reversed = new ArrayList<>();
                for (Stmt s : back.body()) {
                    if (s == row) reversed.addAll(prologue);
                    else reversed.add(s);
                }
                reversed = Blocks.rename(reversed, Map.of(row.out(), again));
                body.set(at, fwd.with(fwd.body(), stacked, tapes));
                body.set(r, back.with(reversed, back.stacked(), back.tapes()));
                return true;
            }
        }
        return false;
    }

    /** Whether a while can run again with the same results: no random numbers, loads, calls or effects in it. */
    private static boolean plain(Stmt.Loop w) {
        return plainBlock(w.runTime().head()) && plainBlock(w.body());
    }

    private static boolean plainLoop(Stmt.Loop l) {
        return (l.runTime() == null || plainBlock(l.runTime().head())) && plainBlock(l.body());
    }

    private static boolean plainBlock(List<Stmt> block) {
        for (Stmt s : block) {
            if (s instanceof Stmt.Eqn e && (e.prim() == Prim.RANDOM || e.prim() == Prim.LOAD || tx.runtime.kernels.Random.generator(e.prim()))) return false;
            if (s instanceof Stmt.Loop l && !plainLoop(l)) return false;
            if (s instanceof Stmt.Cond c && (!plainBlock(c.then()) || !plainBlock(c.otherwise()))) return false;
            if (!(s instanceof Stmt.Eqn) && !(s instanceof Stmt.Loop) && !(s instanceof Stmt.Cond)) return false;
        }
        return true;
    }

    /** The one statement after {@code at} that reads the tape, if it is a reversed counted loop and the only one; else -1. */
    private static int reader(List<Stmt> body, int at, Var tape) {
        int found = -1;
        for (int i = at + 1; i < body.size(); i++) {
            if (!Blocks.free(List.of(body.get(i))).contains(tape)) continue;
            if (found >= 0 || !(body.get(i) instanceof Stmt.Loop l) || !l.reverse() || l.runTime() != null) return -1;
            found = i;
        }
        return found;
    }

    /** The reversal's one read of the tape: {@code take(tape, index, 0)} at the top of its body, read nowhere else. */
    private static Stmt.Eqn rowRead(Stmt.Loop back, Var tape) {
        Stmt.Eqn read = null;
        List<Stmt> rest = new ArrayList<>();
        for (Stmt s : back.body()) {
            if (read == null && s instanceof Stmt.Eqn e && e.prim() == Prim.TAKE && e.in().get(0).equals(tape) && e.in().get(1).equals(back.index())
                    && e.attr() instanceof Attrs.Axis a && a.axis() == 0) {
                read = e;
            } else {
                rest.add(s);
            }
        }
        if (read == null || Blocks.free(rest).contains(tape) || back.results().contains(tape)) return null;
        return read;
    }
}
