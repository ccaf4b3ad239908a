package tx.runtime.kernels;

/**
 * PyTorch's CPU generator, as PyTorch 1.13 draws float64 and int64 tensors from it: the same
 * numbers for the same seed and the same sequence of calls. The kernels follow {@link Standalone}'s
 * rules (whose Javadoc gives them) in a file of their own, read after it by the Java emitter; the
 * interpreter calls them too ({@link Random}), so both give the same bits.
 *
 * <p>A generator's state is a value of the program, a {@code double[]} of {@link #genWords}
 * whole numbers, never changed in place: a draw reads one state and gives the numbers
 * ({@link #genDraw}) and the state after them ({@link #genNext}). Its layout: the 624 words of
 * MT19937 (Matsumoto and Nishimura, 1998), the index of the next word (624: twist first), whether
 * a normal number is kept for the next call, and that number's bits as two 32-bit halves.
 *
 * <p>What each draw takes from the generator, as PyTorch's kernels take it:
 * <ul>
 *   <li>a uniform float64 takes two words, {@code (w1 << 32 | w2)}, and keeps the low 53 bits
 *       ({@code (v & (2^53 - 1)) * 2^-53 * (to - from) + from});</li>
 *   <li>{@code randn} of 16 or more elements draws every element uniform, then turns each block of
 *       16 into normals by Box and Muller (element j with element j + 8), the last block being the
 *       last 16 elements drawn again; below 16, each element is a Box-Muller pair's cosine, or the
 *       sine the generator kept from the pair before (kept across calls, as PyTorch's is);</li>
 *   <li>{@code randint} takes a word modulo the range (two words when the range is 2^32 or more);</li>
 *   <li>{@code randperm(n)} swaps as Fisher and Yates from the front, a word modulo n - i each.</li>
 * </ul>
 * A number's scale and shift ({@code u (to - from) + from}, {@code z std + mean}) is one fused
 * multiply-add, as PyTorch's kernels compiled for AVX2 compute it (which matters only where they
 * are not 0 and 1). NOTE: log, cos and sin are {@code Math}'s, which on HotSpot give glibc's bits
 * for all but about one normal number in 260; PyTorch calls glibc's. A number may then differ from
 * PyTorch's in its last bit.
 */
final class StandaloneRandom {
    private StandaloneRandom() {}

    // kernel: genWords
    /** The length of a generator's state: 624 words, the next index, a kept normal's flag and its two halves. */
    static int genWords() {
        return 628;
    }

    // kernel: Mt19937 needs genWords
    /** MT19937 with PyTorch's kept normal, read from a state and written back to a new one. */
    static final class Mt19937 {
        private final int[] words = new int[624];
        private int next;
        private boolean kept;
        private double keptNormal;

        /** PyTorch's seeding: the low 32 bits of the seed, then Knuth's recurrence; no normal kept. */
        Mt19937(long seed) {
            words[0] = (int) seed;
            for (int i = 1; i < 624; i++) words[i] = 1812433253 * (words[i - 1] ^ (words[i - 1] >>> 30)) + i;
            next = 624;
        }

        Mt19937(double[] state) {
            for (int i = 0; i < 624; i++) words[i] = (int) (long) state[i];
            next = (int) state[624];
            kept = state[625] != 0;
            keptNormal = Double.longBitsToDouble(((long) state[626] << 32) | (long) state[627]);
        }

        double[] state() {
            double[] s = new double[genWords()];
            for (int i = 0; i < 624; i++) s[i] = words[i] & 0xffffffffL;
            s[624] = next;
            s[625] = kept ? 1 : 0;
            long bits = kept ? Double.doubleToRawLongBits(keptNormal) : 0;
            s[626] = bits >>> 32;
            s[627] = bits & 0xffffffffL;
            return s;
        }

        /** The next 32-bit word, tempered, as an unsigned number. */
        long next32() {
            if (next >= 624) twist();
            int y = words[next++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            y ^= y >>> 18;
            return y & 0xffffffffL;
        }

        /** The next 624 words: word k from words k, k + 1 and k + 397 (mod 624), in three runs without the modulo. */
        private void twist() {
            int k = 0;
            for (; k < 227; k++) words[k] = mix(words[k], words[k + 1], words[k + 397]);
            for (; k < 623; k++) words[k] = mix(words[k], words[k + 1], words[k - 227]);
            words[623] = mix(words[623], words[0], words[396]);
            next = 0;
        }

        private static int mix(int upper, int lower, int far) {
            int y = (upper & 0x80000000) | (lower & 0x7fffffff);
            return far ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        }

        /** Two words as one 64-bit number, the first high. */
        long next64() {
            long hi = next32();
            return (hi << 32) | next32();
        }

        /** A float64 uniform in [0, 1): the low 53 bits of {@link #next64}. */
        double unit() {
            return (next64() & ((1L << 53) - 1)) * 0x1.0p-53;
        }

        /** One standard normal number: the kept sine, else a new pair's cosine (its sine kept). */
        double gaussian() {
            if (kept) {
                kept = false;
                return keptNormal;
            }
            double u1 = unit(), u2 = unit();
            double r = Math.sqrt(-2.0 * Math.log(1.0 - u2)), theta = 2.0 * Math.PI * u1;
            kept = true;
            keptNormal = r * Math.sin(theta);
            return r * Math.cos(theta);
        }
    }

    // kernel: genSeed needs Mt19937
    /** manual_seed(seed): a new generator's state. */
    static double[] genSeed(long seed) {
        return new Mt19937(seed).state();
    }

    // kernel: genRun needs Mt19937, boxMuller16
    /**
     * A draw of count numbers of a kind (0 uniform in [a, b), 1 normal of mean a and deviation b,
     * 2 whole numbers in [a, b), 3 a permutation of 0 to count - 1) from a generator's state; the
     * state after it goes to {@code after[0]} if {@code after} is not null.
     */
    static double[] genRun(double[] state, int kind, int count, double a, double b, double[][] after) {
        Mt19937 g = new Mt19937(state);
        double[] out = new double[count];
        if (kind == 0) {
            for (int i = 0; i < count; i++) out[i] = Math.fma(g.unit(), b - a, a);
        } else if (kind == 1 && count >= 16) {
            for (int i = 0; i < count; i++) out[i] = g.unit();
            for (int i = 0; i + 16 <= count; i += 16) boxMuller16(out, i, a, b);
            if (count % 16 != 0) {
                for (int i = count - 16; i < count; i++) out[i] = g.unit();
                boxMuller16(out, count - 16, a, b);
            }
        } else if (kind == 1) {
            for (int i = 0; i < count; i++) out[i] = Math.fma(g.gaussian(), b, a);
        } else if (kind == 2) {
            long low = (long) a, range = (long) b - low;
            for (int i = 0; i < count; i++) out[i] = (range >= (1L << 32) ? Long.remainderUnsigned(g.next64(), range) : g.next32() % range) + low;
        } else {
            for (int i = 0; i < count; i++) out[i] = i;
            for (int i = 0; i < count - 1; i++) {
                int z = (int) (g.next32() % (count - i));
                double t = out[i];
                out[i] = out[z + i];
                out[z + i] = t;
            }
        }
        if (after != null) after[0] = g.state();
        return out;
    }

    // kernel: boxMuller16
    /** PyTorch's normal_fill_16: sixteen uniforms from at into eight pairs of normals of mean m and deviation s. */
    static void boxMuller16(double[] d, int at, double m, double s) {
        for (int j = at; j < at + 8; j++) {
            double u1 = 1 - d[j], u2 = d[j + 8];
            double r = Math.sqrt(-2 * Math.log(u1)), theta = 2.0 * Math.PI * u2;
            d[j] = Math.fma(r * Math.cos(theta), s, m);
            d[j + 8] = Math.fma(r * Math.sin(theta), s, m);
        }
    }

    // kernel: genDraw needs genRun
    /** The numbers of a draw (see {@link #genRun}) from a state. */
    static double[] genDraw(double[] state, int kind, int count, double a, double b) {
        return genRun(state, kind, count, a, b, null);
    }

    // kernel: genNext needs genRun
    /** The state after a draw (see {@link #genRun}). */
    static double[] genNext(double[] state, int kind, int count, double a, double b) {
        double[][] after = new double[1][];
        genRun(state, kind, count, a, b, after);
        return after[0];
    }
}
