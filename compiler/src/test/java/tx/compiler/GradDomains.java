package tx.compiler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The input domains of the gradient table ({@link BuiltinGradTest}): where each case draws its
 * inputs, away from the kinks where a central difference would straddle two pieces.
 */
abstract class GradDomains {

    interface Domain {
        double[] sample(Random rng, int n);
    }

    static Domain uniform(double lo, double hi) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
            return d;
        };
    }

    /** |x| uniform in [lo, hi], either sign. */
    static Domain signed(double lo, double hi) {
        return (rng, n) -> {
            double[] d = uniform(lo, hi).sample(rng, n);
            for (int i = 0; i < n; i++) if (rng.nextBoolean()) d[i] = -d[i];
            return d;
        };
    }

    /** Values in [2k + parity + 0.1, 2k + parity + 0.9], k in {-1, 0, 1}: inputs of different parity are >= 0.2 apart. */
    static Domain band(int parity) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = 2 * (rng.nextInt(3) - 1) + parity + 0.1 + 0.8 * rng.nextDouble();
            return d;
        };
    }

    /** A shuffled grid with jitter: all values at least 0.4 apart, so a max or min has one winner. */
    static Domain distinct() {
        return (rng, n) -> {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) order.add(i);
            Collections.shuffle(order, rng);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = (order.get(i) - n / 2.0) * 0.7 + 0.3 * rng.nextDouble();
            return d;
        };
    }

    /** Uniform in [lo, hi] but at least margin away from each of the points (clamp bounds, switch points). */
    static Domain avoiding(double lo, double hi, double margin, double... points) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                boolean ok;
                do {
                    d[i] = lo + (hi - lo) * rng.nextDouble();
                    ok = true;
                    for (double p : points) ok &= Math.abs(d[i] - p) >= margin;
                } while (!ok);
            }
            return d;
        };
    }

    static Domain choice(double... vs) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = vs[rng.nextInt(vs.length)];
            return d;
        };
    }

    /** Class indices in [0, classes). */
    static Domain classes(int classes) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = rng.nextInt(classes);
            return d;
        };
    }

    /** Rows (last axis, of length c) of positive probabilities that sum to 1. */
    static Domain probabilities(int c) {
        return (rng, n) -> {
            double[] d = uniform(0.1, 1).sample(rng, n);
            for (int r = 0; r < n; r += c) {
                double s = 0;
                for (int i = r; i < r + c; i++) s += d[i];
                for (int i = r; i < r + c; i++) d[i] /= s;
            }
            return d;
        };
    }

    static final Domain ANY = uniform(-2, 2), POS = uniform(0.5, 3);
}
