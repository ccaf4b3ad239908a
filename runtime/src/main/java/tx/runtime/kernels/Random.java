package tx.runtime.kernels;

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

    /**
     * The seed a random equation draws with: its own, mixed with the counters of the loops around it
     * that it reads as operands (int64 scalars, outermost first), if any ({@link Standalone#salted}).
     */
    public static long seed(long seed, java.util.List<Tensor> counters) {
        if (counters.isEmpty()) return seed;
        long[] c = new long[counters.size()];
        for (int i = 0; i < c.length; i++) c[i] = (long) counters.get(i).item();
        return Standalone.salted(seed, c);
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
