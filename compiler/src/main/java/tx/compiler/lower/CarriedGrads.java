package tx.compiler.lower;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tx.compiler.check.GradState;
import tx.compiler.check.Val.T;

/**
 * The {@code .grad} registers a {@code for} loop carries because its body adds a graph value to
 * them: {@code backward(create_graph=True)} onto the previous iteration's gradient, which PyTorch's
 * AccumulateGrad makes {@code old + new}, keeping old's graph (a gradient penalty accumulated over
 * minibatches, then differentiated). Each such register is carried as a value of the loop under a
 * hidden name, as a named tensor is, so that the sum stays differentiable through the iterations;
 * without it the register would hold a different graph value in each iteration, which tx refuses
 * to read (see {@link GraphGrads}). A register that is None before the loop gets its first value
 * from the first iteration, which the loop then lowers on its own ({@link #firstIterationNeeded}).
 */
final class CarriedGrads {
    /** Checks the loop's body once, entered with these gradient states and graph values; returns the state at its end. */
    interface DryRun {
        State run(Map<Integer, GradState> grads, Map<Integer, T> graph);
    }

    private final Lowerer l;
    /** Hidden name to register. */
    private final Map<String, Integer> registers = new LinkedHashMap<>();

    CarriedGrads(Lowerer l) {
        this.l = l;
    }

    /**
     * Whether the first iteration must be lowered on its own: it finds a {@code .grad} None to which
     * a {@code backward(create_graph=True)} gives a graph value, and the iterations after it would add
     * to that register while it is maybe None (E0303). After the first, the register holds a graph
     * value, which the rest of the loop carries.
     */
    boolean firstIterationNeeded(State before, DryRun dry) {
        State first = dry.run(before.grads, before.graphGrads);
        Map<Integer, GradState> grads = State.join(before.grads, first.grads);
        boolean made = false;
        for (int r : first.graphGrads.keySet()) {
            made |= before.grad(r) == GradState.NONE && !before.graphGrads.containsKey(r) && first.graphGrads.get(r) != null
                    && grads.get(r) == GradState.MAYBE;
        }
        if (!made) return false;
        State next = dry.run(grads, GraphGrads.join(before.graphGrads, first.graphGrads));
        return l.gradValues.addsToMaybe.contains(next);
    }

    /**
     * Finds the registers that hold a graph value before the loop (or a plain one, read now) to which
     * the body adds another, and carries each: a hidden name bound before the loop, added to
     * {@code carried} and {@code entry}.
     */
    void carry(State before, List<String> carried, Map<String, T> entry, DryRun dry) {
        State first = dry.run(before.grads, before.graphGrads);
        for (Map.Entry<Integer, T> e : first.graphGrads.entrySet()) { // a plain gradient there before: the first iteration adds to it
            int r = e.getKey();
            if (e.getValue() != null && before.grad(r) == GradState.SET && !before.graphGrads.containsKey(r)) {
                before.graphGrads.put(r, l.gradValues.plain(r, e.getValue().var()));
                first = null;
            }
        }
        if (first == null) first = dry.run(before.grads, before.graphGrads);
        for (Map.Entry<Integer, T> e : new TreeMap<>(before.graphGrads).entrySet()) {
            T was = e.getValue(), now = first.graphGrads.get(e.getKey());
            if (was == null || now == null || now.var().equals(was.var()) || !Arrays.equals(now.shape(), was.shape())) continue;
            String name = "$grad" + e.getKey() + "_" + l.loopDepth; // a loop nested in this one carries it under a name of its own
            before.names.put(name, was);
            carried.add(name);
            entry.put(name, was);
            registers.put(name, e.getKey());
        }
    }

    /** A carried register's value in the body: the loop's parameter at its start; at its end, what the body left there. */
    void bind(State s, boolean atEnd) {
        for (Map.Entry<String, Integer> g : registers.entrySet()) {
            if (!atEnd) {
                s.graphGrads.put(g.getValue(), (T) s.names.get(g.getKey()));
                continue;
            }
            T now = s.graphGrads.get(g.getValue());
            // a body that resets it carries the value on unchanged: the register's graph value is lost after the loop
            if (now != null && s.names.get(g.getKey()) instanceof T p && Arrays.equals(now.shape(), p.shape())) s.names.put(g.getKey(), now);
        }
    }

    /** After the loop, a carried register holds the loop's result (the value its last iteration left there). */
    void handOut(State end, State after) {
        for (Map.Entry<String, Integer> g : registers.entrySet()) {
            if (end.graphGrads.get(g.getValue()) != null && after.names.get(g.getKey()) instanceof T t) after.graphGrads.put(g.getValue(), t);
        }
    }

    /** The hidden names go once the loop is lowered. */
    void forget(State... states) {
        for (State s : states) for (String n : registers.keySet()) s.names.remove(n);
    }
}
