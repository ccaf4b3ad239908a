package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tx.runtime.kernels.Reference.s;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Tensor;

class RandomTest {
    private static final int N = 100_000;

    @Test
    void sameSeedSameNumbers() {
        assertEquals(Random.uniform(s(3, 7), 42), Random.uniform(s(3, 7), 42));
        assertEquals(Random.normal(s(3, 7), 42), Random.normal(s(3, 7), 42));
    }

    @Test
    void differentSeedsDifferentNumbers() {
        assertFalse(Arrays.equals(Random.uniform(s(16), 1).data(), Random.uniform(s(16), 2).data()));
        assertFalse(Arrays.equals(Random.normal(s(16), 1).data(), Random.normal(s(16), 2).data()));
    }

    @Test
    void uniformIsTheSplitMix64SequenceOfTheJdk() {
        // java.util.SplittableRandom implements the same SplitMix64; it serves as an independent reference.
        SplittableRandom jdk = new SplittableRandom(-7);
        double[] expected = new double[1000];
        for (int i = 0; i < expected.length; i++) expected[i] = jdk.nextDouble();
        assertArrayEquals(expected, Random.uniform(s(10, 100), -7).data(), 0.0);
    }

    @Test
    void uniformIsInTheUnitIntervalWithTheRightMoments() {
        double[] x = Random.uniform(s(N), 123).data();
        for (double v : x) assertTrue(v >= 0 && v < 1, "out of [0, 1): " + v);
        assertEquals(0.5, mean(x), 0.01);
        assertEquals(1.0 / 12, variance(x), 0.005);
    }

    @Test
    void normalHasMeanZeroAndVarianceOne() {
        double[] x = Random.normal(s(N), 123).data();
        assertEquals(0.0, mean(x), 0.02);
        assertEquals(1.0, variance(x), 0.03);
        long beyondTwoSigma = Arrays.stream(x).filter(v -> Math.abs(v) > 2).count();
        assertEquals(0.0455, beyondTwoSigma / (double) N, 0.005);
    }

    @Test
    void neighbouringSamplesAreUncorrelated() {
        // the polar method makes samples in pairs; the two halves of a pair must be independent too
        for (double[] x : new double[][] {Random.uniform(s(N), 5).data(), Random.normal(s(N), 5).data()}) {
            double[] even = new double[N / 2], odd = new double[N / 2];
            for (int i = 0; i < N / 2; i++) {
                even[i] = x[2 * i];
                odd[i] = x[2 * i + 1];
            }
            assertEquals(0.0, correlation(even, odd), 0.03);
            assertEquals(0.0, correlation(Arrays.copyOfRange(odd, 0, N / 2 - 1), Arrays.copyOfRange(even, 1, N / 2)), 0.03);
        }
    }

    @Test
    void oddSizesAndEmptyShapes() {
        Tensor odd = Random.normal(s(3), 9);
        assertEquals(3, odd.size());
        for (double v : odd.data()) assertTrue(Double.isFinite(v));
        assertEquals(0, Random.normal(s(0, 4), 9).size());
        assertEquals(1, Random.uniform(s(), 9).size());
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).sum() / x.length;
    }

    private static double correlation(double[] x, double[] y) {
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double variance(double[] x) {
        double m = mean(x);
        return Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1);
    }
}
