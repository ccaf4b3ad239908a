package tx.compiler.lower;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * {@code .grad} registers that hold a differentiable value: what {@code backward(create_graph=True)}
 * writes. PyTorch's AccumulateGrad stores such a gradient as a copy of the adjoint (printed
 * {@code grad_fn=<CopyBackwards>}) or, onto a gradient already there, as the out-of-place sum
 * {@code old + new} ({@code AddBackward0}); a later backward without {@code create_graph} adds in
 * place under no-grad mode, so the gradient keeps its {@code grad_fn} and the added part counts as
 * a constant. tx does the same at compile time: the register's value is a variable of the graph
 * (the adjoint equations are recorded, as {@code grad(..., create_graph=True)} records them), kept
 * in {@link State#graphGrads} and read from there, while a {@code Stmt.GradSet} keeps the run-time
 * register in step for printing and for the code that reads it as a plain value.
 *
 * <p>NOTE: where two paths of an {@code if}, or two iterations of a loop, leave different graph
 * values in one register, the state holds null there: reading it is E0306, since a derivative
 * through it would have to follow a graph that differs from run to run. Resetting the gradient
 * ({@code x.grad = None}, {@code zero_grad}) before the join, as training loops do, keeps it exact.
 */
final class GraphGrads {
    private final Lowerer l;
    /** The grad_fn names of the gradients that {@code grad(y, [x], create_graph=True)} returns. */
    final AdjointNames names;

    /**
     * How many times a {@code backward(create_graph=True)} found its {@code .grad} maybe None (E0303),
     * and the end states of the loop bodies' dry runs in which it did: a loop whose first iteration
     * makes the gradient that later ones add to is then lowered with that iteration on its own.
     */
    int addedToMaybe;
    final Set<State> addsToMaybe = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    GraphGrads(Lowerer l) {
        this.l = l;
        this.names = new AdjointNames(l.graph);
    }

    /**
     * Adds a backward's adjoint for one register: with {@code createGraph} as a value of the graph;
     * without, in place onto a graph value already there (which keeps its {@code grad_fn}) or as a
     * plain accumulation. Returns false after reporting.
     */
    boolean accumulate(int register, Var delta, boolean createGraph, Span at, String who) {
        GradState s = l.state.grad(register);
        boolean tracked = l.state.graphGrads.containsKey(register);
        T old = l.state.graphGrads.get(register);
        if (!createGraph && !tracked) {
            l.b.add(new Stmt.GradAccum(register, delta, l.b.origin()));
        } else if (!createGraph && old == null) { // a value whose graph is lost: it stays lost
            l.b.add(new Stmt.GradAccum(register, delta, l.b.origin()));
        } else if (!createGraph) { // PyTorch adds in place under no-grad mode: the graph value goes on, the added part is a constant
            boolean off = l.graph.setNoGrad(false);
            Var sum = l.b.add(old.var(), delta);
            l.graph.setNoGrad(off);
            set(register, sum, old.gradFn());
        } else if (s == GradState.MAYBE) {
            addedToMaybe++;
            l.diags.error("E0303", at, "`backward(create_graph=True)` adds to " + who + ", which may be None here",
                    "tx must know whether a gradient is there to keep the sum differentiable;\n" + (l.loopDepth > 0
                            ? "in this loop it is None in some iterations and the previous one's gradient in others (tx adds each\n"
                            + "iteration's to the last through a `for` loop that always makes one, not a `while` or an `if`):\n"
                            + "reset it in the loop before this backward, with `.grad = None` or `zero_grad(...)`"
                            : "reset it before this backward on every path, with `.grad = None` or `zero_grad(...)`"));
            return false;
        } else if (s == GradState.NONE) {
            set(register, delta, "CopyBackwards");
        } else if (tracked && old == null) {
            l.b.add(new Stmt.GradAccum(register, delta, l.b.origin())); // the sum of a lost graph value is lost too
        } else {
            Var before = old != null ? old.var() : read(register, delta);
            set(register, l.b.add(before, delta), "AddBackward0");
        }
        l.state.grads.put(register, GradState.SET);
        return true;
    }

    /** The register's plain value, read now, as a graph value that does not require grad (what a loop carries and adds to). */
    T plain(int register, Var like) {
        return new T(read(register, like), false, -1, null, false, false);
    }

    private Var read(int register, Var like) {
        Var v = l.b.newVarLike(like, null);
        l.b.add(new Stmt.GradRead(register, v, l.b.origin()));
        return v;
    }

    private void set(int register, Var value, String gradFn) {
        l.b.add(new Stmt.GradSet(register, value, l.b.origin()));
        boolean rg = l.graph.requiresGrad(value);
        l.state.graphGrads.put(register, new T(value, rg, -1, rg ? gradFn : null, false, false));
    }

    /** The register's value if it holds a graph value (E0306 and Bad if its graph is lost); null if it holds a plain one. */
    Val read(int register, Span at, String who) {
        if (!l.state.graphGrads.containsKey(register)) return null;
        T t = l.state.graphGrads.get(register);
        if (t != null) return t;
        if (l.backwardFailed) return new Val.Bad(); // a follow-on of the backward that failed
        l.diags.error("E0306", at, who + " was made by `backward(create_graph=True)` differently on two paths of an `if`"
                        + " or in two iterations of a loop, so tx cannot differentiate through it here",
                "read it where the backward that made it is (in the same branch or iteration),\n"
                        + "or reset it with `.grad = None` before the paths meet or the iteration ends");
        return new Val.Bad();
    }

    /** The register now holds a plain value or None ({@code .grad = ...}, {@code zero_grad}, {@code zero_()}). */
    void forget(int register) {
        l.state.graphGrads.remove(register);
    }

    /** The graph values after two paths meet (or a loop's entry and the end of its body): kept where both hold the same one. */
    static Map<Integer, T> join(Map<Integer, T> a, Map<Integer, T> b) {
        Map<Integer, T> out = new HashMap<>();
        TreeSet<Integer> registers = new TreeSet<>(a.keySet());
        registers.addAll(b.keySet());
        for (int r : registers) {
            T x = a.get(r), y = b.get(r);
            out.put(r, x != null && y != null && x.var().equals(y.var()) ? x : null);
        }
        return out;
    }

    /** A stable description for the loop checker's cache key: each register's variable, or "lost". */
    static String signature(Map<Integer, T> graph) {
        StringBuilder sb = new StringBuilder();
        for (int r : new TreeSet<>(graph.keySet())) {
            T t = graph.get(r);
            sb.append(r).append('=').append(t == null ? "lost" : t.var().id() + (t.rg() ? "rg" : "")).append(',');
        }
        return sb.toString();
    }
}
