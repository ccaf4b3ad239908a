package tx.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the Vector API: the JIT turns {@code SIN}, {@code EXP}, {@code TANH}
 * and the others into SIMD code (about ten times faster than a loop of {@code Math} calls on a
 * million doubles here). The transcendental lanes are accurate to about one ulp but are not
 * bit-identical to {@code Math}, so {@link Elementwise} uses them only for large tensors, where
 * speed matters; small tensors (and so every printed example) keep {@code Math}'s exact results.
 * This class is loaded only when the module is present ({@link #AVAILABLE}).
 */
final class Vectorized {
    private Vectorized() {}

    /** Whether the Vector API module was added to this JVM (the tx launcher and the tests add it). */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The element count from which the vectorised transcendental functions are used. */
    static final int THRESHOLD = 4096;

    /**
     * {@code c[n×m] = a[n×k] · b[k×m]} (c zero on entry), four rows of c and one vector of columns at
     * a time, for m of at least one vector; false if m is too narrow. Each element is summed in
     * the same order, with the same roundings (a multiply, then an add: no fused multiply-add), as
     * the scalar loop, so the results are identical.
     */
    static boolean multiply(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int n, int k, int m) {
        return Lanes.multiply(a, aOff, b, bOff, c, cOff, n, k, m);
    }

    /** {@code o[oo + i] = op(x[xo + i])} for i below len: whole vectors, then the tail in scalar code (len a multiple of the lanes, but for the last). */
    static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
        return Lanes.mapRange(op, x, xo, o, oo, len);
    }

    /** Kept apart so that merely checking {@link #AVAILABLE} never loads the incubator classes. */
    private static final class Lanes {
        static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

        static boolean mapRange(Elementwise.Op op, double[] x, int xo, double[] o, int oo, int len) {
            int i = 0, bound = S.loopBound(len), step = S.length();
            switch (op) {
                case EXP -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, xo + i).lanewise(VectorOperators.EXP).intoArray(o, oo + i); }
                case LOG -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, xo + i).lanewise(VectorOperators.LOG).intoArray(o, oo + i); }
                case SIN -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, xo + i).lanewise(VectorOperators.SIN).intoArray(o, oo + i); }
                case COS -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, xo + i).lanewise(VectorOperators.COS).intoArray(o, oo + i); }
                case TANH -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, xo + i).lanewise(VectorOperators.TANH).intoArray(o, oo + i); }
                default -> { return false; }
            }
            for (; i < len; i++) o[oo + i] = scalar(op, x[xo + i]);
            return true;
        }

        static boolean multiply(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int n, int k, int m) {
            int w = S.length();
            if (m < w) return false;
            int bound = S.loopBound(m);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                int a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
                for (int j = 0; j < bound; j += w) {
                    DoubleVector c0 = DoubleVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                    for (int p = 0; p < k; p++) {
                        DoubleVector bv = DoubleVector.fromArray(S, b, bOff + p * m + j);
                        c0 = c0.add(bv.mul(a[a0 + p]));
                        c1 = c1.add(bv.mul(a[a1 + p]));
                        c2 = c2.add(bv.mul(a[a2 + p]));
                        c3 = c3.add(bv.mul(a[a3 + p]));
                    }
                    int o = cOff + i * m + j;
                    c0.intoArray(c, o);
                    c1.intoArray(c, o + m);
                    c2.intoArray(c, o + 2 * m);
                    c3.intoArray(c, o + 3 * m);
                }
                for (int r = i; r < i + 4; r++) tail(a, aOff, b, bOff, c, cOff, r, k, m, bound);
            }
            for (; i < n; i++) {
                int a0 = aOff + i * k;
                for (int j = 0; j < bound; j += w) {
                    DoubleVector c0 = DoubleVector.zero(S);
                    for (int p = 0; p < k; p++) c0 = c0.add(DoubleVector.fromArray(S, b, bOff + p * m + j).mul(a[a0 + p]));
                    c0.intoArray(c, cOff + i * m + j);
                }
                tail(a, aOff, b, bOff, c, cOff, i, k, m, bound);
            }
            return true;
        }

        /** The columns past the last whole vector, in the scalar order. */
        private static void tail(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int i, int k, int m, int from) {
            for (int j = from; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += a[aOff + i * k + p] * b[bOff + p * m + j];
                c[cOff + i * m + j] = sum;
            }
        }

        private static double scalar(Elementwise.Op op, double v) {
            return switch (op) {
                case EXP -> Math.exp(v);
                case LOG -> Math.log(v);
                case SIN -> Math.sin(v);
                case COS -> Math.cos(v);
                default -> Math.tanh(v);
            };
        }
    }
}
