package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static tx.runtime.kernels.Reference.s;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tx.runtime.tensor.Tensor;

/**
 * The blocked GEMM against the textbook loop: the exact mode bit for bit with a multiply then an
 * add per step, the fused steps bit for bit with {@link Math#fma} per step, and the two within a
 * bound of the rounding error of a sum of k terms; on the edges of every block and micro-kernel
 * (sizes 1, 3, 10, 17, 64, 65, 127, 513), empty dimensions, batches and all four transpose forms.
 */
class GemmTest {
    private static final int[] SIZES = {1, 3, 10, 17, 64, 65, 127, 513};

    /** Every size as n, as k and as m, the other two drawn from the list (seeded); and some empty ones. */
    static Stream<Arguments> shapes() {
        SplittableRandom r = new SplittableRandom(15);
        List<Arguments> out = new ArrayList<>();
        for (int axis = 0; axis < 3; axis++) {
            for (int size : SIZES) {
                int[] nkm = {SIZES[r.nextInt(SIZES.length - 1)], SIZES[r.nextInt(SIZES.length - 1)], SIZES[r.nextInt(SIZES.length - 1)]};
                nkm[axis] = size;
                out.add(Arguments.of(nkm[0], nkm[1], nkm[2]));
            }
        }
        out.add(Arguments.of(513, 300, 1100)); // more than one block of k (256) and of columns (1024)
        out.add(Arguments.of(5, 65, 17));       // fewer rows than a panel: four together, then one
        out.add(Arguments.of(7, 513, 10));
        out.add(Arguments.of(4, 3, 127));
        out.add(Arguments.of(100, 100, 1));     // a matrix times a vector, or two, or seven: rows in the lanes
        out.add(Arguments.of(100, 100, 2));
        out.add(Arguments.of(131, 300, 7));
        out.add(Arguments.of(9, 40, 15));       // a panel and a row, eight columns and seven
        out.add(Arguments.of(2001, 300, 3));    // narrow, and large enough to share among threads
        out.add(Arguments.of(10, 10, 1000));    // a short k (SmallGemm.shortK): ADBench's GMM, 4 + 4 + 2 rows, 31 groups of 4 vectors and 1
        out.add(Arguments.of(15, 16, 21));      // the longest short k, the most rows: 4 + 4 + 4 + 2 + 1; 2 vectors and 5 columns in scalars
        out.add(Arguments.of(8, 1, 8));         // one step, one vector
        out.add(Arguments.of(10, 1000, 10));    // a long k with few rows and columns (SmallGemm.longK): the GMM's gradient
        out.add(Arguments.of(32, 300, 16));     // its most rows, two whole vectors
        out.add(Arguments.of(9, 17, 9));        // its shortest k, 4 + 4 + 1 rows, a vector and one column
        out.add(Arguments.of(0, 17, 65));
        out.add(Arguments.of(65, 0, 17));
        out.add(Arguments.of(17, 65, 0));
        return out.stream();
    }

    @ParameterizedTest(name = "n={0} k={1} m={2}")
    @MethodSource("shapes")
    void allFourFormsMatchTheTextbookLoopBitForBit(int n, int k, int m) {
        Tensor a = Random.normal(s(n, k), n * 31 + k), b = Random.normal(s(k, m), m * 17 + k + 1);
        double[] exact = loop(a.data(), b.data(), n, k, m, false), fusedRef = loop(a.data(), b.data(), n, k, m, true);
        Tensor at = transpose(a), bt = transpose(b);
        for (int form = 0; form < 4; form++) {
            boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
            Tensor x = ta ? at : a, y = tb ? bt : b;
            String what = "n=" + n + " k=" + k + " m=" + m + (ta ? " a transposed" : "") + (tb ? " b transposed" : "");
            assertArrayEquals(exact, LinAlg.matmul(x, ta, y, tb, false).data(), "exact mode, " + what);
            assertArrayEquals(fusedRef, LinAlg.matmul(x, ta, y, tb, true).data(), "fused, " + what);
        }
        assertWithinSumError(exact, fusedRef, a.data(), b.data(), n, k, m);
        assertArrayEquals(LinAlg.matmul(a, b).data(), LinAlg.matmul(a, false, b, false, LinAlg.MODE == LinAlg.Mode.FAST && LinAlg.HAS_FMA).data());
    }

    @Test
    void batchedAndBroadcastProductsTakeEachMatrixInPlace() {
        int n = 65, k = 17, m = 127;
        Tensor a = Random.normal(s(3, n, k), 5), b = Random.normal(s(k, m), 6);
        for (boolean fused : new boolean[] {false, true}) {
            double[] got = LinAlg.matmul(a, false, b, false, fused).data();
            for (int i = 0; i < 3; i++) {
                double[] one = new double[n * k];
                System.arraycopy(a.data(), i * n * k, one, 0, n * k);
                double[] expected = loop(one, b.data(), n, k, m, fused), slice = new double[n * m];
                System.arraycopy(got, i * n * m, slice, 0, n * m);
                assertArrayEquals(expected, slice, "batch " + i + (fused ? " fused" : " exact"));
            }
        }
    }

    @Test
    void nanAndInfinityPropagateThroughTheBlockedKernel() {
        int n = 40, k = 40, m = 40;
        Tensor a = Random.normal(s(n, k), 1), b = Random.normal(s(k, m), 2);
        a.data()[3 * k + 5] = 0;           // A(3,5) = 0 times B(5,7) = inf: NaN, not skipped
        b.data()[5 * m + 7] = Double.POSITIVE_INFINITY;
        b.data()[9 * m + 39] = Double.NaN; // the last column, in the scalar edge when m % lanes != 0
        for (boolean fused : new boolean[] {false, true}) {
            double[] c = LinAlg.matmul(a, false, b, false, fused).data();
            assertTrue(Double.isNaN(c[3 * m + 7]), "0 · inf");
            for (int i = 0; i < n; i++) assertTrue(Double.isNaN(c[i * m + 39]), "row " + i + " meets the NaN");
            assertArrayEquals(loop(a.data(), b.data(), n, k, m, fused), c);
        }
    }

    @Test
    void nanInfinityAndSignedZerosOnTheShortAndLongPaths() {
        for (int[] nkm : new int[][] {{10, 10, 1000}, {10, 1000, 10}, {17, 5, 19}, {11, 40, 13}}) {
            int n = nkm[0], k = nkm[1], m = nkm[2];
            Tensor a = Random.normal(s(n, k), n + k), b = Random.normal(s(k, m), k + m);
            a.data()[2 * k + 1] = 0;                        // 0 · inf: NaN in (2, 3)
            b.data()[m + 3] = Double.POSITIVE_INFINITY;     // inf times row i's A(i, 1): ±inf in column 3
            b.data()[(k - 1) * m + m - 1] = Double.NaN;     // the last column (a scalar one where m is no multiple of the lanes)
            for (int p = 0; p < k; p++) a.data()[5 * k + p] = -0.0; // row 5: -0 times finite numbers, summed from +0
            for (int p = 0; p < k; p++) b.data()[p * m] = p == 2 ? Double.NEGATIVE_INFINITY : b.data()[p * m];
            for (boolean fused : new boolean[] {false, true}) {
                double[] c = LinAlg.matmul(a, false, b, false, fused).data(), ct = LinAlg.matmul(transpose(a), true, transpose(b), true, fused).data();
                String what = n + "x" + k + "x" + m + (fused ? " fused" : " exact");
                assertTrue(Double.isNaN(c[2 * m + 3]), "0 · inf, " + what);
                for (int i = 0; i < n; i++) assertTrue(Double.isNaN(c[i * m + m - 1]), "row " + i + " meets the NaN, " + what);
                assertArrayEquals(loop(a.data(), b.data(), n, k, m, fused), c, what);
                assertArrayEquals(c, ct, "both transposed, " + what);
            }
        }
    }

    @Test
    void warmRunsGiveTheFirstRunsBits() {
        Tensor a = Random.normal(s(70, 90), 7), b = Random.normal(s(90, 33), 8);
        double[] first = LinAlg.matmul(a, b).data();
        for (int i = 0; i < 300; i++) assertArrayEquals(first, LinAlg.matmul(a, b).data(), "run " + i);
    }

    @Test
    void theModeIsFastOrExact() {
        assertEquals(LinAlg.Mode.FAST, LinAlg.mode(null));
        assertEquals(LinAlg.Mode.FAST, LinAlg.mode("fast"));
        assertEquals(LinAlg.Mode.EXACT, LinAlg.mode("exact"));
        assertEquals(LinAlg.Mode.EXACT, LinAlg.mode("EXACT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinAlg.mode("fastest"));
        assertTrue(e.getMessage().contains("fastest") && e.getMessage().contains("exact"), e.getMessage());
    }

    /** The textbook loop: j outside p, each element summed from 0 in order over p. */
    private static double[] loop(double[] a, double[] b, int n, int k, int m, boolean fused) {
        double[] c = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) acc = fused ? Math.fma(a[i * k + p], b[p * m + j], acc) : acc + a[i * k + p] * b[p * m + j];
                c[i * m + j] = acc;
            }
        }
        return c;
    }

    /**
     * Two in-order sums of the same k products differ by at most about 2k roundings of the sum of
     * their magnitudes; checked as {@code k · 1e-15 · Σ|a·b|} (about 4.5k units in the last place).
     */
    private static void assertWithinSumError(double[] x, double[] y, double[] a, double[] b, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double mag = 0;
                for (int p = 0; p < k; p++) mag += Math.abs(a[i * k + p] * b[p * m + j]);
                double d = Math.abs(x[i * m + j] - y[i * m + j]);
                if (d > k * 1e-15 * mag) fail("(" + i + "," + j + "): " + x[i * m + j] + " vs " + y[i * m + j]);
            }
        }
    }

    private static Tensor transpose(Tensor x) {
        int r = x.shapeRef()[0], c = x.shapeRef()[1];
        double[] t = new double[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = x.data()[i * c + j];
        return Tensor.of(s(c, r), t);
    }
}
