package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Tensor;

/**
 * The optional native BLAS (TX_BLAS=native): where a system BLAS loads, its products in all four
 * transpose forms agree with tx's GEMM to the rounding error of a sum of k terms (its order is its
 * own, so not bit for bit); where none loads, the load says why and products stay tx's. TX_BLAS's
 * words: unset and `tx` ask for nothing, anything but `native` is refused with a reason.
 */
class NativeBlasTest {
    @Test
    void aNativeProductAgreesWithTxsOrTheLoadSaysWhyNot() {
        NativeBlas.Loaded loaded = NativeBlas.load();
        if (loaded.blas() == null) {
            assertTrue(loaded.why().startsWith("TX_BLAS=native, but no native BLAS loaded"), loaded.why());
            return;
        }
        SplittableRandom r = new SplittableRandom(2);
        int[][] nkm = {{64, 784, 128}, {128, 64, 128}, {10, 3, 17}, {1, 5, 1}};
        for (int[] s : nkm) {
            int n = s[0], k = s[1], m = s[2];
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                Tensor a = random(r, ta ? k : n, ta ? n : k), b = random(r, tb ? m : k, tb ? k : m);
                double[] c = new double[n * m + 3];
                java.util.Arrays.fill(c, 7.0); // the routine must overwrite its block (beta 0), and nothing past it
                NativeBlas.multiply(loaded.blas(), a.data(), 0, ta, b.data(), 0, tb, c, 3, n, k, m);
                Tensor ours = LinAlg.matmul(a, ta, b, tb, false);
                for (int i = 0; i < 3; i++) assertEquals(7.0, c[i]);
                for (int i = 0; i < n * m; i++) {
                    double bound = 4 * k * Math.ulp(1.0) * 4 * k + 1e-300; // |A||B| <= 4k: entries below 2 in magnitude
                    assertEquals(ours.data()[i], c[3 + i], bound, n + "x" + k + "x" + m + " form " + form + " at " + i);
                }
            }
        }
    }

    @Test
    void txBlasTakesNativeOrTx() {
        assertNull(NativeBlas.choose(null).why());
        assertNull(NativeBlas.choose("tx").blas());
        assertNull(NativeBlas.choose("tx").why());
        NativeBlas.Loaded odd = NativeBlas.choose("openblas");
        assertNull(odd.blas());
        assertEquals("TX_BLAS=openblas is not `native` or `tx`", odd.why());
    }

    private static Tensor random(SplittableRandom r, int rows, int cols) {
        double[] x = new double[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble(-2, 2);
        return Tensor.of(new int[] {rows, cols}, x);
    }
}
