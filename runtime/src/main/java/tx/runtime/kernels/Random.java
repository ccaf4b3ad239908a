package tx.runtime.kernels;

import tx.runtime.ir.Attrs;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Deterministic random tensors: the same shape and seed give the same numbers on every machine
 * and JVM. The generator is SplitMix64 (Steele, Lea and Flood, 2014), written out (in {@link Standalone}) rather than
 * borrowed from the JDK so that the sequence is fixed by this file; it produces the same sequence
 * as {@code new java.util.SplittableRandom(seed)}. Elements are drawn in row-major order. The
 * generator and both samplers are {@link Standalone}'s, which emitted Java copies.
 */
public final class Random {
    private Random() {}

    /** A RANDOM equation's numbers: uniform or normal, as its attributes say. */
    public static Tensor of(Attrs.Random r) {
        return r.normal() ? normal(r.shape(), r.seed()) : uniform(r.shape(), r.seed());
    }

    /**
     * Whether a primitive is one of PyTorch's generator (GEN_SEED, GEN_DRAW, GEN_NEXT): its numbers
     * are made when the program runs, never folded into a constant, and a written reversal that runs
     * code again must carry the generator's state to run them.
     */
    public static boolean generator(tx.runtime.ir.Prim p) {
        return p == tx.runtime.ir.Prim.GEN_SEED || p == tx.runtime.ir.Prim.GEN_DRAW || p == tx.runtime.ir.Prim.GEN_NEXT;
    }

    /** The length of a state of PyTorch's generator ({@link StandaloneRandom}). */
    public static final int WORDS = StandaloneRandom.genWords();

    /** A state of PyTorch's generator seeded with seed (manual_seed). */
    public static Tensor seeded(long seed) {
        return Tensor.of(new int[] {WORDS}, StandaloneRandom.genSeed(seed));
    }

    /** The numbers of a draw from a state of PyTorch's generator. */
    public static Tensor draw(Tensor state, Attrs.Draw d) {
        return run(state, d)[0];
    }

    /** The state after a draw. */
    public static Tensor next(Tensor state, Attrs.Draw d) {
        return run(state, d)[1];
    }

    /** The last draw run on this thread: a draw's numbers and its next state are asked for one after the other, and made once. */
    private static final ThreadLocal<Object[]> LAST = new ThreadLocal<>();

    private static Tensor[] run(Tensor state, Attrs.Draw d) {
        Object[] last = LAST.get();
        if (last != null && last[0] == state && last[1].equals(d)) return (Tensor[]) last[2];
        double[][] after = new double[1][];
        double[] v = StandaloneRandom.genRun(state.data(), d.kind().ordinal(), Shapes.numel(d.shape()), d.a(), d.b(), after);
        Tensor[] out = {Tensor.of(d.shape(), v), Tensor.of(new int[] {WORDS}, after[0])};
        LAST.set(new Object[] {state, d, out});
        return out;
    }

    /** Independent samples from the uniform distribution on [0, 1). */
    public static Tensor uniform(int[] shape, long seed) {
        return Tensor.of(shape, Standalone.uniform(Shapes.numel(shape), seed));
    }

    /**
     * Independent standard normal samples, by Marsaglia's polar method: draw (u, v) uniformly in the
     * unit disc, then u·f and v·f with f = √(−2 ln s / s), s = u² + v², are two normal samples.
     * NOTE: StrictMath.log, not Math.log, because only StrictMath is bit-identical across platforms.
     */
    public static Tensor normal(int[] shape, long seed) {
        return Tensor.of(shape, Standalone.normal(Shapes.numel(shape), seed));
    }
}
