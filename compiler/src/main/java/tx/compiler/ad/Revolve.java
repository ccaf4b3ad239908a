package tx.compiler.ad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The optimal binomial checkpointing schedule of Griewank and Walther ("Algorithm 799: revolve",
 * ACM TOMS 26(1), 2000) for reversing {@code steps} steps of a loop with {@code snaps} stored
 * states, decided before anything runs.
 *
 * <p>The schedule is a sequence of actions, as in the paper: {@code TAKESHOT} stores the current
 * state in a slot, {@code ADVANCE} runs the loop's body forwards (without recording) up to a step,
 * {@code RESTORE} makes a stored state current again, {@code FIRSTURN} and {@code YOUTURN} run one
 * step's reversal from the current state (the first one, then the others, from the last step down
 * to step 0).
 *
 * <p>With β(s, r) = C(s + r, s) and r the least integer with β(s, r) ≥ l, reversing l steps with s
 * stored states (the one holding step 0 included) takes at least t(l, s) = r·l − β(s + 1, r − 1)
 * forward steps (Proposition 1 of the paper: no step is advanced more than r times), and this
 * schedule takes exactly that many. It splits the steps recursively: advance m steps, store the
 * state, reverse the last l − m steps with one slot fewer, restore, reverse the first m. A split
 * is optimal when β(s, r − 2) ≤ m ≤ β(s, r − 1) and β(s − 1, r − 1) ≤ l − m ≤ β(s − 1, r) (the
 * first m steps are then advanced r − 1 times more at most, the others r times at most, and each
 * part fills its own band); Pascal's rule, β(s, r) = β(s, r − 1) + β(s − 1, r), makes the range
 * non-empty, and this schedule takes its least m.
 * The stored states behave as a stack: a state is stored above the one it was advanced from, and
 * is dropped once its steps are reversed, so slot numbers are stack depths.
 */
public final class Revolve {
    /** The actions of the schedule, with the paper's names. */
    public enum Kind { TAKESHOT, ADVANCE, RESTORE, FIRSTURN, YOUTURN }

    /**
     * One action: {@code step} is the step the current state is at after it (the step reached by
     * an advance, the step stored or restored, the step reversed by a turn); {@code slot} the
     * stored state it writes or reads (-1 for an advance or a turn).
     */
    public record Action(Kind kind, int step, int slot) {
        @Override public String toString() {
            return kind.name().toLowerCase() + "(" + step + (slot >= 0 ? ", slot " + slot : "") + ")";
        }
    }

    private final int steps, snaps;
    private final List<Action> actions = new ArrayList<>();
    private boolean turned;

    private Revolve(int steps, int snaps) {
        this.steps = steps;
        this.snaps = snaps;
    }

    /** The schedule reversing {@code steps} steps (at least 1) with {@code snaps} stored states (at least 1). */
    public static Revolve of(int steps, int snaps) {
        if (steps < 1 || snaps < 1) throw new IllegalArgumentException("revolve needs a step and a snapshot, got " + steps + " and " + snaps);
        Revolve r = new Revolve(steps, snaps);
        r.build();
        return r;
    }

    public List<Action> actions() {
        return actions;
    }

    public int steps() {
        return steps;
    }

    public int snaps() {
        return snaps;
    }

    /** A part of the reversal still to do: reverse steps [from, to) with the state {@code from} current and in {@code slot}, or restore it. */
    private record Task(int from, int to, int free, int slot, boolean restore) {}

    private void build() {
        actions.add(new Action(Kind.TAKESHOT, 0, 0));
        Deque<Task> todo = new ArrayDeque<>();
        todo.push(new Task(0, steps, snaps, 0, false));
        while (!todo.isEmpty()) {
            Task t = todo.pop();
            if (t.restore) {
                actions.add(new Action(Kind.RESTORE, t.from, t.slot));
                continue;
            }
            int length = t.to - t.from;
            if (length == 1) {
                turn(t.from);
                continue;
            }
            int mid = t.from + (int) split(length, t.free);
            actions.add(new Action(Kind.ADVANCE, mid, -1));
            // the reversal of [from, mid) runs last: it needs the state `from` again
            todo.push(new Task(t.from, mid, t.free, t.slot, false));
            todo.push(new Task(t.from, mid, t.free, t.slot, true));
            if (t.to - mid == 1) {
                turn(mid); // NOTE: the state is current and reversed at once: storing it would cost a slot for nothing
            } else {
                actions.add(new Action(Kind.TAKESHOT, mid, t.slot + 1));
                todo.push(new Task(mid, t.to, t.free - 1, t.slot + 1, false));
            }
        }
    }

    private void turn(int step) {
        actions.add(new Action(turned ? Kind.YOUTURN : Kind.FIRSTURN, step, -1));
        turned = true;
    }

    /**
     * How many steps to advance before storing a state, for l ≥ 2 steps and s stored states: the
     * least m with β(s, r − 2) ≤ m that leaves at most β(s − 1, r) steps (one when s is 1).
     */
    static long split(long l, int s) {
        long r = repetitions(l, s);
        return Math.max(1, Math.max(beta(s, r - 2), l - beta(s - 1, r)));
    }

    /** β(s, r) = C(s + r, s), the most steps s stored states reverse advancing no step more than r times; saturates at Long.MAX_VALUE. */
    public static long beta(long s, long r) {
        if (r < 0 || s < 0) return 0;
        long b = 1;
        for (long i = 1; i <= Math.min(s, r); i++) { // C(s + r, i) step by step, exact at each step
            long n = Math.max(s, r) + i;
            if (b > Long.MAX_VALUE / n) return Long.MAX_VALUE;
            b = b * n / i;
        }
        return b;
    }

    /** r: the least number of times a step must be advanced, for l steps and s stored states (β(s, r − 1) < l ≤ β(s, r)). */
    public static long repetitions(long l, int s) {
        if (l <= 1) return 0;
        if (s == 1) return l - 1;
        long r = 1;
        while (beta(s, r) < l) r++;
        return r;
    }

    /** t(l, s) = r·l − β(s + 1, r − 1): the forward steps of an optimal reversal of l steps with s stored states, the first sweep included. */
    public static long forwardSteps(long l, int s) {
        if (l <= 1) return 0;
        long r = repetitions(l, s);
        return r * l - beta(s + 1, r - 1);
    }

    /** The forward steps of this schedule, counted from its actions. */
    public long advanced() {
        long n = 0;
        int at = 0;
        for (Action a : actions) {
            if (a.kind == Kind.ADVANCE) n += a.step - at;
            at = a.step;
        }
        return n;
    }
}
