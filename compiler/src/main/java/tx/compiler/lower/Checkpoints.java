package tx.compiler.lower;

import java.util.List;
import tx.compiler.ad.Graph;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * {@code with checkpoint { }} and {@code with checkpoint(snapshots=k) { for ... }}: what is made
 * inside is recomputed by a loop's reversal rather than taped, and a {@code for} loop directly in
 * a {@code snapshots=} block is reversed on Revolve's binomial schedule with k stored states
 * ({@link tx.compiler.ad.Revolve}). Under {@code --max-memory}, a loop directly in a plain
 * {@code with checkpoint} block is given the schedule with the fewest recomputations whose stored
 * states fit, decided here, before anything runs; if none fits it is an error (E0312).
 */
final class Checkpoints {
    private final Lowerer l;
    /** The k of the innermost open {@code with checkpoint} around loops (0: none; {@link Graph#AUTO}: no snapshots= given). */
    private int snapshots;
    /** The loop depth of that block: only loops directly in it are scheduled, not the loops in their bodies. */
    private int depth = -1;
    private Span span;

    Checkpoints(Lowerer l) {
        this.l = l;
    }

    /** Lowers {@code with checkpoint(...) { body }}. */
    void with(Ast.With w) {
        int k = w.args().isEmpty() ? Graph.AUTO : snapshots(w);
        if (k > 0) refuseOtherLoops(w);
        int oldSnapshots = snapshots, oldDepth = depth;
        Span oldSpan = span;
        snapshots = k;
        depth = l.loopDepth;
        span = w.span();
        // NOTE: checkpointing changes memory use only, never values: a loop's reversal recomputes
        // what is made here from the iteration's carried values instead of taping it
        l.graph.checkpoint(1);
        try {
            l.block(w.body());
        } finally {
            l.graph.checkpoint(-1);
            snapshots = oldSnapshots;
            depth = oldDepth;
            span = oldSpan;
        }
    }

    /** {@code snapshots=k}: a whole number of at least 1 known at compile time; -1 after an error. */
    private int snapshots(Ast.With w) {
        int k = -1;
        for (Ast.Arg a : w.args()) {
            if (!"snapshots".equals(a.name())) {
                l.diags.error("E0311", a.span(), "`checkpoint` takes one argument, `snapshots=`" + (a.name() == null ? "" : ", not `" + a.name() + "=`"),
                        "write `with checkpoint(snapshots=20) { for ... }` for at most 20 stored states, or `with checkpoint { ... }`");
                return -1;
            }
            Val v = l.exprs.expr(a.value());
            if (v instanceof Val.Bad) return -1;
            if (!(v instanceof Val.Num n) || !n.isWhole() || n.value() < 1 || n.value() > Integer.MAX_VALUE) {
                boolean few = v instanceof Val.Num n && n.isWhole() && n.value() < 1;
                l.diags.error("E0311", a.value().span(), "`snapshots=` needs a whole number of at least 1 known at compile time, got " + describe(v),
                        few ? "a schedule stores at least the state the loop starts from: `snapshots=1` recomputes the most, each snapshot more recomputes less"
                                : "the schedule is decided before the program runs: write a number, e.g. `snapshots=20`");
                return -1;
            }
            k = (int) n.value();
        }
        return k;
    }

    private static String describe(Val v) {
        if (v instanceof Val.Num n) return n.isWhole() ? Long.toString((long) n.value()) : tx.runtime.tensor.PyFloat.repr(n.value());
        if (v instanceof Val.T) return "a tensor";
        return "a value that is not a number";
    }

    /** A {@code snapshots=} block holds the loop it schedules: a {@code for} over {@code range}, not a {@code while} or a loop over items. */
    private void refuseOtherLoops(Ast.With with) {
        List<Ast.Stmt> body = with.body();
        boolean any = false;
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.For) any = true;
            else if (s instanceof Ast.While w) {
                l.diags.error("E0311", w.span(), "`checkpoint(snapshots=)` needs a loop whose trip count is known at compile time, not a `while`",
                        "Revolve's schedule is decided before the program runs; write the loop as `for t in range(N)`, or use `with checkpoint { ... }` in its body");
                any = true;
            } else if (s instanceof Ast.ForEach f) {
                l.diags.error("E0311", f.span(), "`checkpoint(snapshots=)` schedules a `for ... in range(...)` loop, not a loop over items",
                        "loop over the indices, `for t in range(len(xs))`, and read `xs[t]` in the body");
                any = true;
            }
        }
        if (!any) {
            l.diags.error("E0311", with.span(), "`checkpoint(snapshots=)` needs a `for` loop directly in its block",
                    "write `with checkpoint(snapshots=20) { for t in range(N) { ... } }`");
        }
    }

    /**
     * Called with each loop as it is built: a loop directly in a {@code snapshots=} block is put on
     * Revolve's schedule; one directly in a plain block, under {@code --max-memory}, on the
     * schedule that fits.
     */
    void built(Ast.For f, Stmt.Loop loop) {
        if (snapshots == 0 || snapshots == -1 || l.loopDepth != depth) return;
        if (loop.runTime() != null) {
            if (snapshots > 0) {
                l.diags.error("E0311", f.span(), "`checkpoint(snapshots=)` needs a loop whose trip count is known at compile time",
                        "Revolve's schedule is decided before the program runs: give `range` numbers known now");
            }
            return;
        }
        if (snapshots > 0) {
            l.graph.schedule(loop.index(), snapshots);
            return;
        }
        long budget = tx.runtime.kernels.Limits.current().maxBytes();
        if (budget > 0 && reversible(loop)) fit(f, loop, budget);
    }

    /** Whether a backward could reverse the loop: a value it carries requires grad. */
    private boolean reversible(Stmt.Loop loop) {
        for (Var p : loop.params()) if (l.graph.requiresGrad(p)) return true;
        return false;
    }

    /**
     * Under {@code --max-memory}: the tape of one state per step if it fits (no extra recomputation),
     * else the most snapshots whose states fit (the fewest recomputations), else E0312. NOTE: the
     * stored states may take a quarter of the budget, and are held twice while one is written;
     * the other half is left to the program's other values, which the run counts as it goes (E0503).
     */
    private void fit(Ast.For f, Stmt.Loop loop, long budget) {
        long state = stateBytes(loop), n = loop.count(), room = budget / 4;
        if (state == 0 || n * state <= room) return;
        long k = room / state - 1; // k snapshots and the state the reversal starts from
        if (k >= 1) {
            l.graph.schedule(loop.index(), (int) Math.min(k, n));
            return;
        }
        String each = tx.runtime.exec.RunOptions.bytes(state), two = tx.runtime.exec.RunOptions.bytes(2 * state);
        l.diags.error("E0312", span.to(f.span()), "no checkpoint schedule of this loop fits in the --max-memory of " + tx.runtime.exec.RunOptions.bytes(budget)
                + ": the smallest, with one snapshot, stores 2 states of " + each + " (" + two + ", which may take a quarter of it) and recomputes "
                + tx.compiler.ad.Revolve.forwardSteps(n, 1) + " steps", "give it at least `--max-memory " + ((8 * state + 1023) / 1024) + "K`, or carry less through the loop");
    }

    /** The bytes of the state a step starts from: the carried values its body reads. */
    static long stateBytes(Stmt.Loop loop) {
        java.util.Set<Var> read = tx.runtime.ir.Blocks.free(loop.body());
        long bytes = 0;
        for (Var p : loop.params()) if (read.contains(p)) bytes += 8L * Shapes.numel(p.shapeRef());
        return bytes;
    }
}
