package tx.runtime.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Arguments for the transcendental kernel tests: special values, the boundaries of each kernel's
 * reduction ranges and their neighbours, and random doubles of every magnitude and of the usual ones.
 */
final class Inputs {
    private Inputs() {}

    /** The five functions, by name, with StrictMath's version of each (the fdlibm reference). */
    enum Fn {
        EXP(StrictMath::exp, Math::exp), LOG(StrictMath::log, Math::log), SIN(StrictMath::sin, Math::sin),
        COS(StrictMath::cos, Math::cos), TANH(StrictMath::tanh, Math::tanh);

        final DoubleUnaryOperator strict, math;

        Fn(DoubleUnaryOperator strict, DoubleUnaryOperator math) {
            this.strict = strict;
            this.math = math;
        }

        double scalar(double x) {
            return switch (this) {
                case EXP -> Transcendentals.exp(x);
                case LOG -> Transcendentals.log(x);
                case SIN -> Transcendentals.sin(x);
                case COS -> Transcendentals.cos(x);
                case TANH -> Transcendentals.tanh(x);
            };
        }

        Elementwise.Op op() {
            return Elementwise.Op.valueOf(name());
        }
    }

    /** Special values and the edges of the ranges the kernels treat apart, each with its neighbours. */
    static double[] specials() {
        double[] edges = {
            0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-1074 * 3, 0x0.fffffffffffffp-1022, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NaN, 1.0, 2.0, 0.5, 0.25, 0.3, 0.78125, Math.E, 10, 22, 44, 100,
            Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4, Math.PI, 3 * Math.PI / 2, 2 * Math.PI, 50 * Math.PI, 1e5 * Math.PI / 2,
            0x1p19 * Math.PI / 2, 0x1p20 * Math.PI / 2, 1e22, 0x1p-27, 0x1p-28, 0x1p-54, 0x1p-55, 0x1p-20, 0x1p-1021, 0x1p-1022,
            Math.log(2) / 2, 1.5 * Math.log(2), Math.log(2), 56 * Math.log(2), 709.782712893384, 709.7822265625, 708.4, 745.1332191019412,
            707.7, 708.39641853226408, Math.sqrt(2), Math.sqrt(2) / 2, 1.38, 1.42,
            hi(0x3fd62e42), hi(0x3FF0A2B2), hi(0x40862E42), hi(0x3e300000), hi(0x3fe921fb), hi(0x4002d97c), hi(0x413921fb),
            hi(0x3ff921fb), hi(0x3FD33333), hi(0x3fe90000), hi(0x3e400000), hi(0x3c800000), hi(0x3ff00000), hi(0x40360000),
            hi(0x3c900000), hi(0x4043687A),
        };
        double[] out = new double[edges.length * 2 * 9];
        int n = 0;
        for (double e : edges) {
            for (int d = -4; d <= 4; d++) {
                double v = d == 0 ? e : Double.isFinite(e) ? Double.longBitsToDouble(Double.doubleToRawLongBits(e) + d) : e;
                out[n++] = v;
                out[n++] = -v;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The smallest double whose high word is h (and its predecessor comes from the neighbours). */
    private static double hi(int h) {
        return Double.longBitsToDouble((long) h << 32);
    }

    /** n random arguments: a quarter of any bit pattern, the rest spread over the magnitudes the kernels reduce. */
    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (i % 8) {
                case 0, 1 -> Double.longBitsToDouble(r.nextLong());
                case 2 -> r.nextGaussian();
                case 3 -> r.nextDouble(-50, 50);
                case 4 -> Math.scalb(r.nextDouble(-1, 1), r.nextInt(-60, 12)); // magnitudes from 2^-60 to 2^11
                case 5 -> r.nextDouble(-1e6, 1e6);
                case 6 -> i % 16 == 6 // near n pi/2, and the doubles nearest to it (cancelling 50 bits and more)
                        ? Math.rint(r.nextDouble(-1e5, 1e5)) * (Math.PI / 2) * (1 + r.nextDouble(-1e-12, 1e-12))
                        : Math.nextAfter(Math.rint(r.nextDouble(-6e5, 6e5)) * (Math.PI / 2), r.nextBoolean() ? 0 : 1e7);
                default -> Math.exp(r.nextDouble(-745, 710)); // positive, for log
            };
        }
        return out;
    }

    /** The distance from a to b in units in the last place of b (the reference); 0 for equal, both NaN, or equal infinities. */
    static double ulps(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) return Double.isNaN(a) && Double.isNaN(b) ? 0 : Double.POSITIVE_INFINITY;
        if (a == b) return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b) ? 0 : Double.POSITIVE_INFINITY; // -0 vs +0
        if (Double.isInfinite(a) || Double.isInfinite(b)) return Double.POSITIVE_INFINITY;
        return Math.abs(a - b) / Math.ulp(b);
    }
}
