package tx.compiler.ad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What each backward and each derivative transform will store and recompute, recorded by the AD
 * pass as it builds them (for {@code tx plan}): everything is known at compile time, since shapes
 * and trip counts are. A reversal is planned while compiling, so nothing here runs the program.
 */
public final class Plan {
    private Plan() {}

    /**
     * One loop a reversal runs backwards: its tape (the rows of values it stores per step, all
     * steps), the states a checkpoint schedule stores, and the steps the reversal runs forwards
     * again ({@code steps} when {@code with checkpoint} recomputes part of each step's body, plus the
     * schedule's advances). {@code steps} is -1 for a while (known only as it runs), whose tape
     * then grows by {@code rowBytes} a step.
     */
    public record LoopPlan(int line, int steps, long tapeBytes, long rowBytes, int snapshots, long stateBytes, long recomputed) {
        /** The stored states of the schedule: the snapshots and the state of the last step. */
        public long snapshotBytes() {
            return snapshots > 0 ? (snapshots + 1L) * stateBytes : 0;
        }

        /** What the reversal holds for this loop at its peak: the tape, and the states, twice while one is written. */
        public long peakBytes() {
            return tapeBytes + 2 * snapshotBytes();
        }
    }

    /** A backward (or transform) at a line, and the loops it reverses. */
    public record Entry(int line, int col, String what, List<LoopPlan> loops) {
        public long tapeBytes() {
            long b = 0;
            for (LoopPlan l : loops) b += l.tapeBytes() + l.snapshotBytes();
            return b;
        }

        public long peakBytes() {
            long b = 0;
            for (LoopPlan l : loops) b += l.peakBytes();
            return b;
        }

        /** Forward steps run again over forward steps run, over the loops with a static trip count (0 with none). */
        public double recomputeFactor() {
            long steps = 0, again = 0;
            for (LoopPlan l : loops) {
                if (l.steps() <= 0) continue;
                steps += l.steps();
                again += l.recomputed();
            }
            return steps == 0 ? 0 : (double) again / steps;
        }
    }

    private static final ThreadLocal<Map<String, Entry>> LOG = new ThreadLocal<>();
    private static final ThreadLocal<Deque<List<LoopPlan>>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    /** Runs {@code body} (a compilation) and gives what its reversals plan, one entry per backward or transform, in source order. */
    public static <T> List<Entry> collect(Supplier<T> body) {
        Map<String, Entry> log = new LinkedHashMap<>();
        LOG.set(log);
        try {
            body.get();
        } finally {
            LOG.remove();
            OPEN.remove();
        }
        List<Entry> out = new ArrayList<>(log.values());
        out.sort(java.util.Comparator.comparingInt(Entry::line).thenComparingInt(Entry::col));
        return out;
    }

    static void begin() {
        OPEN.get().push(new ArrayList<>());
    }

    /** The bytes of a float64 tensor of this shape, saturating (a tape too large to hold is refused elsewhere, E0205). */
    private static long bytes(int[] shape) {
        long n = 8;
        for (int d : shape) n = d == 0 ? 0 : n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
        return n;
    }

    private static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    /**
     * Records what the reversal of {@code fwd} (as it is once taped) stores and recomputes:
     * {@code checkpointed}, it recomputes values `with checkpoint` marked, part of each step;
     * {@code revolve}, it follows that schedule.
     */
    static void loop(tx.runtime.ir.Stmt.Loop fwd, boolean checkpointed, RevolveLoop revolve) {
        if (OPEN.get().isEmpty()) return;
        int steps = fwd.runTime() != null ? -1 : fwd.count();
        long tapeBytes = 0, rowBytes = 0, state = 0, again = checkpointed && steps > 0 ? steps : 0;
        for (tx.runtime.ir.Var t : fwd.tapes()) tapeBytes = plus(tapeBytes, bytes(t.shapeRef()));
        for (tx.runtime.ir.Var v : fwd.stacked()) rowBytes = plus(rowBytes, bytes(v.shapeRef()));
        int k = 0;
        if (revolve != null) {
            k = revolve.schedule.snaps();
            for (int j : revolve.state) state = plus(state, bytes(fwd.params().get(j).shapeRef()));
            again = steps + revolve.schedule.advanced() - (steps - 1); // the first sweep's advances are the forward loop's own steps
        }
        OPEN.get().peek().add(new LoopPlan(fwd.origin().line(), steps, tapeBytes, rowBytes, k, state, again));
    }

    /**
     * Ends a reversal begun at {@code line:col}. NOTE: a backward inside a loop body is reversed
     * again each time the checker re-runs that body; the entries agree, and the last one is kept.
     */
    static void end(int line, int col, String what) {
        List<LoopPlan> loops = OPEN.get().pop();
        Map<String, Entry> log = LOG.get();
        if (log == null) return;
        if (!OPEN.get().isEmpty()) { // a transform inside another's reversal (a called function's): counted in the outer one
            OPEN.get().peek().addAll(loops);
            return;
        }
        log.put(line + ":" + col + ":" + what, new Entry(line, col, what, loops));
    }
}
