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

    /** {@code o[i] = op(x[i])}; false if {@code op} has no vector form here. */
    static boolean map(Elementwise.Op op, double[] x, double[] o) {
        return Lanes.map(op, x, o);
    }

    /** Kept apart so that merely checking {@link #AVAILABLE} never loads the incubator classes. */
    private static final class Lanes {
        static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

        static boolean map(Elementwise.Op op, double[] x, double[] o) {
            // NOTE: one loop per operation: the JIT makes SIMD code only for a constant operator
            int n = x.length, i = 0, bound = S.loopBound(n), step = S.length();
            switch (op) {
                case EXP -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(o, i); }
                case LOG -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.LOG).intoArray(o, i); }
                case SIN -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.SIN).intoArray(o, i); }
                case COS -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.COS).intoArray(o, i); }
                case TANH -> { for (; i < bound; i += step) DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(o, i); }
                default -> { return false; }
            }
            for (; i < n; i++) o[i] = scalar(op, x[i]); // the tail, exactly as the scalar kernel
            return true;
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
