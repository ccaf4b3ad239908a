package tx.runtime.kernels;

import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Deterministic random tensors: the same shape and seed give the same numbers on every machine
 * and JVM. The generator is SplitMix64 (Steele, Lea and Flood, 2014), written out below rather than
 * borrowed from the JDK so that the sequence is fixed by this file; it produces the same sequence
 * as {@code new java.util.SplittableRandom(seed)}. Elements are drawn in row-major order.
 */
public final class Random {
    private Random() {}

    /** Independent samples from the uniform distribution on [0, 1). */
    public static Tensor uniform(int[] shape, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] out = new double[Shapes.numel(shape)];
        for (int i = 0; i < out.length; i++) out[i] = rng.nextDouble();
        return Tensor.of(shape, out);
    }

    /**
     * Independent standard normal samples, by Marsaglia's polar method: draw (u, v) uniformly in the
     * unit disc, then u·f and v·f with f = √(−2 ln s / s), s = u² + v², are two normal samples.
     * NOTE: StrictMath.log, not Math.log, because only StrictMath is bit-identical across platforms.
     */
    public static Tensor normal(int[] shape, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] out = new double[Shapes.numel(shape)];
        for (int i = 0; i < out.length; i += 2) {
            double u, v, s;
            do {
                u = 2.0 * rng.nextDouble() - 1.0;
                v = 2.0 * rng.nextDouble() - 1.0;
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double f = Math.sqrt(-2.0 * StrictMath.log(s) / s);
            out[i] = u * f;
            if (i + 1 < out.length) out[i + 1] = v * f;
        }
        return Tensor.of(shape, out);
    }

    /** SplitMix64: a 64-bit counter stepped by the golden gamma, then scrambled by a fixed mix. */
    private static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        long nextLong() {
            long z = (state += 0x9e3779b97f4a7c15L);
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        /** The top 53 bits as a double in [0, 1). */
        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }
    }
}
