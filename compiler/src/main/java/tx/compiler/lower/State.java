package tx.compiler.lower;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.syntax.Span;

/**
 * The checker's knowledge at one program point: what each name holds, which names are assigned on
 * some paths only (with the span of the block that may skip them), and the state of each leaf's
 * {@code .grad}. Blocks do not open scopes, as in Python.
 */
final class State {
    final Map<String, Val> names = new LinkedHashMap<>();
    final Map<String, Span> maybeUnassigned = new HashMap<>();
    /**
     * Names that a loop body bound to a tensor whose size is known only at run time (a mask's
     * selection), which the loop does not hand out: the marker each name holds after the loop, by
     * identity, so that reading it is E0105 until the name is bound again.
     */
    final Map<String, Val.Bad> sizedAfterLoop = new HashMap<>();
    final Map<Integer, GradState> grads = new HashMap<>();
    /**
     * The {@code .grad} registers that hold a differentiable value, made by
     * {@code backward(create_graph=True)}: the value as the graph knows it, or null where paths or
     * loop iterations disagree on it (see {@link GraphGrads}). A register absent here holds a
     * plain value, read with {@code Stmt.GradRead}.
     */
    final Map<Integer, Val.T> graphGrads = new HashMap<>();
    /**
     * The parts of the graph whose saved values a backward without retain_graph has freed (an
     * equation, loop, branch or call, by identity), with that backward for messages ("the backward at line 4").
     */
    final Map<Object, String> freed = new java.util.IdentityHashMap<>();
    /** Names holding a slice taken from a tensor before that tensor changed in place: why, for warning W0402 when read. */
    final Map<String, String> staleViews = new HashMap<>();

    /**
     * In a function's body, the script's names that the function assigns without `global`: its
     * locals, unbound until assigned (Python's UnboundLocalError, E0121, if read before), with the function's name.
     */
    final Map<String, String> unboundLocals = new HashMap<>();

    State copy() {
        State s = new State();
        s.unboundLocals.putAll(unboundLocals);
        s.names.putAll(names);
        s.maybeUnassigned.putAll(maybeUnassigned);
        s.sizedAfterLoop.putAll(sizedAfterLoop);
        s.grads.putAll(grads);
        s.graphGrads.putAll(graphGrads);
        s.freed.putAll(freed);
        s.staleViews.putAll(staleViews);
        return s;
    }

    GradState grad(int leaf) {
        return grads.getOrDefault(leaf, GradState.NONE);
    }

    void bind(String name, Val v) {
        names.put(name, v);
        maybeUnassigned.remove(name);
        staleViews.remove(name);
    }

    /** Joins the grad states of two paths into this one; a part of the graph freed on either path counts as freed. */
    void joinGrads(State a, State b) {
        Map<Integer, GradState> joined = join(a.grads, b.grads);
        grads.clear();
        grads.putAll(joined);
        Map<Integer, Val.T> graph = GraphGrads.join(a.graphGrads, b.graphGrads);
        graphGrads.clear();
        graphGrads.putAll(graph);
        freed.putAll(a.freed);
        freed.putAll(b.freed);
        staleViews.putAll(a.staleViews);
        staleViews.putAll(b.staleViews);
    }

    /** The grad states after two paths meet: a leaf absent from one path is None there. */
    static Map<Integer, GradState> join(Map<Integer, GradState> a, Map<Integer, GradState> b) {
        Map<Integer, GradState> out = new HashMap<>();
        java.util.Set<Integer> leaves = new java.util.TreeSet<>(a.keySet());
        leaves.addAll(b.keySet());
        for (int leaf : leaves) {
            out.put(leaf, a.getOrDefault(leaf, GradState.NONE).join(b.getOrDefault(leaf, GradState.NONE)));
        }
        return out;
    }
}
