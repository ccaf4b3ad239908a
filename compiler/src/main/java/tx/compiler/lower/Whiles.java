package tx.compiler.lower;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * {@code while cond { body }}: checked and lowered as a {@code for} loop (see {@link Loops}: the
 * names it carries, their types joined over iterations by the same fixpoint) whose trip count is
 * decided at run time. Before each iteration the loop's head computes the condition from the
 * carried values; the loop stops when it is false. The IR is a {@link Stmt.Loop} with a
 * {@link Stmt.RunTime}: one loop, whatever the trip count, which the AD pass reverses as it
 * reverses a for loop (its tapes grow by a row per iteration, and the reversed loop runs as many
 * iterations as the forward one did).
 */
final class Whiles {
    private final Lowerer l;
    private final Loops loops;
    private final Ast.While w;
    /** The flag a {@code break} clears (see {@link Jumps}), or null. */
    private final String running;
    private List<Stmt> head;
    private Var cond;

    private Whiles(Lowerer l, Loops loops, Ast.While w, String running) {
        this.l = l;
        this.loops = loops;
        this.w = w;
        this.running = running;
    }

    /**
     * Lowers a while statement. Its body, with its jumps rewritten, is lowered as the body of a for
     * loop over a hidden counter; the rewriting is made once per statement, so that a loop nested in
     * another is re-checked from the same nodes (the checker remembers bodies by identity).
     */
    static void lower(Lowerer l, Ast.While w, Map<Ast.Stmt, Object> rewritten) {
        Object[] made = (Object[]) rewritten.computeIfAbsent(w, k -> {
            Jumps.Rewritten r = Jumps.rewrite(w.body(), w.span());
            String counter = "__loop" + w.span().line() + "_" + w.span().col() + "_iteration";
            return new Object[] {r, new Ast.For(counter, w.span(), List.of(), r.body(), w.span())};
        });
        Jumps.Rewritten r = (Jumps.Rewritten) made[0];
        l.block(r.setup());
        Loops loops = new Loops(l);
        loops.whileLoop(new Whiles(l, loops, w, r.running()), (Ast.For) made[1]);
    }

    /** New map for {@link #lower}'s memo. */
    static Map<Ast.Stmt, Object> memo() {
        return new IdentityHashMap<>();
    }

    /** Lowers the condition into the head, in the state the body starts from (the carried values bound). */
    void head(State s) {
        l.b.openBlock();
        Val flag = running == null ? null : s.names.get(running);
        if (flag instanceof T t) {
            cond = guarded(t.var());
        } else if (flag instanceof Val.Num n && n.value() == 0) {
            cond = l.b.scalar(0);
        } else {
            cond = condition();
        }
        head = l.b.closeBlock();
    }

    /** The condition as a scalar (1 or 0 when it is known statically; null if it is wrong, and reported). */
    private Var condition() {
        Val c = l.exprs.expr(w.cond());
        if (c instanceof Val.Bool bv) return l.b.scalar(bv.value() ? 1 : 0);
        if (c instanceof Val.Num n) return l.b.scalar(n.value() != 0 ? 1 : 0);
        return loops.condition(c, w.cond().span(), "while");
    }

    /** {@code running and cond}, with cond computed only while running (as Python's {@code and}). */
    private Var guarded(Var run) {
        Var flag = l.b.reshape(run, Shapes.SCALAR);
        l.b.openBlock();
        Var c = condition();
        List<Stmt> then = l.b.closeBlock();
        l.b.openBlock();
        Var no = l.b.scalar(0);
        List<Stmt> otherwise = l.b.closeBlock();
        if (c == null) return null;
        Var out = l.b.newVar(Shapes.SCALAR, null);
        l.b.add(new Stmt.Cond(flag, then, List.of(c), otherwise, List.of(no), List.of(out), w.span().origin()));
        return out;
    }

    private Var trips;

    /** The variable that receives the number of iterations run (made once per while). */
    Var trips() {
        if (trips == null) trips = l.b.newVar(Shapes.SCALAR, "trips");
        return trips;
    }

    /**
     * A name after the loop prints as it did before the loop when no iteration ran (say a leaf's
     * {@code requires_grad=True} rather than {@code grad_fn=<MulBackward0>}), and as the body left
     * it otherwise (say with no suffix, made under no_grad): the trip count decides. Its static
     * facts join both, as the gradient needs.
     */
    T shown(T after, T ended, Val before) {
        String was = before instanceof T b ? b.printSuffix() : ended.printSuffix(), is = ended.printSuffix();
        if (java.util.Objects.equals(was, after.printSuffix()) && java.util.Objects.equals(is, after.printSuffix())) return after;
        return after.withFirst(new Val.FirstIteration(trips(), was, is));
    }

    /** The loop statement: a count of 0 and the run-time part (the head, the condition and the trip count it gives). */
    Stmt.Loop loop(Var index, List<Var> init, List<Var> params, List<Stmt> body, List<Var> results, List<Var> outs,
                   List<Var> stacked, List<Var> tapes) {
        Var trips = trips();
        return new Stmt.Loop(0, index, init, params, body, results, outs, stacked, tapes, false, w.span().origin(),
                Stmt.RunTime.whileLoop(head, cond, trips));
    }

    /**
     * What a carried name holds after the loop: the value of its last iteration, or the one from
     * before when no iteration ran, so the static facts of both (the fixpoint's entry already
     * joins every iteration's with the initial one).
     */
    T after(T end, T entry) {
        return new T(end.var(), end.rg() || entry.rg(), end.leaf() == entry.leaf() ? end.leaf() : -1,
                end.rg() ? end.gradFn() : entry.gradFn(), end.item() && entry.item(), end.maybeNone() || entry.maybeNone(), null, end.py());
    }
}
