package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

/**
 * Where each random call without {@code seed=} ({@code rand}, {@code randn}, {@code randint}, the
 * {@code *_like}, {@code dropout}) takes its numbers from, with PyTorch's structure (LANGUAGE.md §5)
 * though not its generator. A call's seed is decided when it is compiled, from a stream:
 * <ul>
 *   <li>before any {@code manual_seed}, the call's position in the file, mixed with the positions of
 *       the calls of the functions being inlined (a function called twice draws twice);</li>
 *   <li>after {@code manual_seed(k)}, the next draw of the stream k, in the order the program is
 *       written, so {@code manual_seed(k)} again repeats the draws after it.</li>
 * </ul>
 * A loop's body draws from a stream of its own, seeded from the stream around it (one draw) and
 * restarted at each iteration, with the loop's counter an operand of each random equation that
 * the kernel mixes into the seed when it runs ({@code Standalone.salted}): each iteration (each pair
 * of iterations of two nested loops) draws its own numbers, and a reversal or a recomputation of an
 * iteration draws that iteration's again. A {@code manual_seed(k)} in the body starts the stream k
 * afresh, with no counter, so every iteration draws the same numbers, as PyTorch's do; the stream
 * after such a loop goes on from the body's, else from the draw the loop took.
 * NOTE: a body is lowered several times (its fixpoint, dry runs), so each lowering restarts its
 * stream; a branch's draws are taken in the order the branches are written, both of them.
 */
final class RandomStreams {
    /** A counter mixed into the seeds: a variable of the program, or a number known now (an iteration lowered on its own). */
    private record Counter(Var var, long value) {}

    /** A stream: manual_seed's k or a loop's draw (null: none yet, seeds come from positions), the draws taken, the counters mixed in. */
    private record Stream(Long base, long draws, List<Counter> counters) {}

    /** A loop being lowered: its body's seed, the counters around it, the stream before it, and the draws taken before it. */
    private record Loop(long seed, List<Counter> around, Stream before, long taken) {}

    /** A random call's seed and the counters its equation reads (outermost first). */
    record Seed(long seed, Var[] counters) {
        /** {@code seed=k}: the stream k alone, the same numbers wherever the call is (it names its stream). */
        static Seed given(double k) {
            return new Seed((long) k, new Var[0]);
        }
    }

    /** The seed of a random call: its {@code seed=} if it has one (which takes nothing from the stream), else the stream's next. */
    Seed of(Args a) {
        return a.kw.containsKey("seed") ? Seed.given(a.number(-1, "seed", 0)) : next(a.span());
    }

    private final Lowerer l;
    private Stream now = new Stream(null, 0, List.of());
    private final Deque<Loop> loops = new ArrayDeque<>();
    /** Every draw taken, seeded or by position: a body that draws cannot be a function of the IR (see {@link #mark}). */
    private long taken;

    RandomStreams(Lowerer l) {
        this.l = l;
    }

    /** {@code manual_seed(k)}: the calls after it draw from the stream k, with no counter. */
    void manualSeed(long k) {
        now = new Stream(k, 0, List.of());
        taken++;
    }

    /** The seed of a random call at {@code at} without {@code seed=}, and its counters, emitted as int64 scalars where they are numbers. */
    Seed next(Span at) {
        taken++;
        long seed;
        if (now.base() == null) {
            seed = inlined(position(at));
        } else {
            now = new Stream(now.base(), now.draws() + 1, now.counters());
            seed = mix(now.base(), now.draws());
        }
        Var[] counters = new Var[now.counters().size()];
        for (int i = 0; i < counters.length; i++) {
            Counter c = now.counters().get(i);
            counters[i] = c.var() != null ? c.var() : l.b.scalar(c.value(), DType.INT64);
        }
        return new Seed(seed, counters);
    }

    /** A seed mixed with the positions of the calls being inlined: the same line in two calls of a function differs. */
    private long inlined(long seed) {
        for (Span call : l.inlinedCalls) seed = mix(seed, position(call));
        return seed;
    }

    /** A call's position as its seed: line * 1000 + column (tx's seeds before this change, kept for calls outside loops). */
    private static long position(Span at) {
        return at.line() * 1000L + at.col();
    }

    /** SplitMix64's step and finaliser on a + n · golden. */
    private static long mix(long a, long n) {
        long z = a + n * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- loops -------------------------------------------------------------------------------------------

    /** Lowers a loop at {@code at} (see {@link #enterLoop}, {@link #exitLoop}). */
    void loop(Span at, Runnable lower) {
        enterLoop(at);
        try {
            lower.run();
        } finally {
            exitLoop();
        }
    }

    /**
     * A loop at {@code at} starts. After manual_seed, its body's stream is seeded by the stream's
     * next draw, which the loop takes if its body draws anything (so {@code manual_seed(k)} before
     * two equal loops repeats them, and a loop that draws nothing changes nothing after it); before
     * any, by the loop's position.
     */
    private void enterLoop(Span at) {
        long seed = now.base() == null ? inlined(position(at)) : mix(now.base(), now.draws() + 1);
        loops.push(new Loop(seed, now.counters(), now, taken));
    }

    /** An iteration of the innermost loop is lowered, with its counter a variable of the program. */
    void iteration(Var counter) {
        start(new Counter(counter, 0));
    }

    /** An iteration of the innermost loop is lowered on its own, with its counter a number known now. */
    void iteration(long counter) {
        start(new Counter(null, counter));
    }

    private void start(Counter c) {
        Loop loop = loops.peek();
        List<Counter> counters = new ArrayList<>(loop.around());
        counters.add(c);
        now = new Stream(loop.seed(), 0, List.copyOf(counters));
    }

    /**
     * The innermost loop ends. If its body's stream still reads its counter, the stream goes on from
     * before the loop; if a manual_seed in the body restarted it, from there, as in PyTorch.
     */
    private void exitLoop() {
        Loop loop = loops.pop();
        if (now.counters().size() <= loop.around().size()) return;
        Stream b = loop.before();
        now = taken == loop.taken() || b.base() == null ? b : new Stream(b.base(), b.draws() + 1, b.counters());
    }

    // ---- functions ---------------------------------------------------------------------------------------

    /** The state now, to be restored by {@link #reset} (a body lowered to see whether it can be a function). */
    Object mark() {
        return List.of(now, taken);
    }

    void reset(Object mark) {
        List<?> m = (List<?>) mark;
        now = (Stream) m.get(0);
        taken = (Long) m.get(1);
    }

    /** Whether anything was drawn, or a stream started, since the mark: such a body is inlined at each call, to draw anew. */
    boolean drewSince(Object mark) {
        return taken != (Long) ((List<?>) mark).get(1);
    }
}
