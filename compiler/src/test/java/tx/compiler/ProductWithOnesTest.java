package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.kernels.Random;
import tx.runtime.tensor.Tensor;

/**
 * The simplifier's {@code ones @ y} and {@code x @ ones} (Simplify.productWithOnes): the gradient
 * of {@code sum(a @ b)} needs no product, and its values are the in-order sums bit for bit, which
 * is what the product computes in either GEMM mode.
 */
class ProductWithOnesTest {
    private static final String SOURCE = """
            fn f(a: [n, k], b: [k, m]) -> [] {
                return sum(a @ b)
            }
            """;

    @Test
    void theGradientOfASumOfAProductIsRowAndColumnSums() {
        int n = 7, k = 33, m = 19;
        Tensor a = Random.normal(new int[] {n, k}, 1), b = Random.normal(new int[] {k, m}, 2);
        a.data()[3] = -0.0; // 1 · -0.0 is -0.0; summed from 0 it is 0.0 either way
        b.data()[5] = Double.POSITIVE_INFINITY;
        List<Tensor> g = Tx.compile("m.tx", SOURCE).grad("f", "a", "b").call(a, b);
        double[] da = new double[n * k], db = new double[k * m];
        for (int p = 0; p < k; p++) {
            double s = 0; // d a[i, p] = sum over j of b[p, j], in order
            for (int j = 0; j < m; j++) s += b.data()[p * m + j];
            for (int i = 0; i < n; i++) da[i * k + p] = s;
        }
        for (int p = 0; p < k; p++) {
            double s = 0; // d b[p, j] = sum over i of a[i, p], in order
            for (int i = 0; i < n; i++) s += a.data()[i * k + p];
            for (int j = 0; j < m; j++) db[p * m + j] = s;
        }
        assertArrayEquals(da, g.get(0).data());
        assertArrayEquals(db, g.get(1).data());
    }

    @Test
    void aBatchedProductSumsEachMatrixThenTheBatch() {
        int t = 3, n = 5, k = 4, m = 6;
        Tensor a = Random.normal(new int[] {t, n, k}, 3), b = Random.normal(new int[] {k, m}, 4);
        List<Tensor> g = Tx.compile("m.tx", """
                fn f(a: [t, n, k], b: [k, m]) -> [] {
                    return sum(a @ b)
                }
                """).grad("f", "a", "b").call(a, b);
        double[] da = new double[t * n * k], db = new double[k * m];
        for (int p = 0; p < k; p++) {
            double s = 0;
            for (int j = 0; j < m; j++) s += b.data()[p * m + j];
            for (int i = 0; i < t * n; i++) da[i * k + p] = s;
            double total = 0; // each matrix's column sum in order, then those sums over the batch in order
            for (int u = 0; u < t; u++) {
                double su = 0;
                for (int i = 0; i < n; i++) su += a.data()[(u * n + i) * k + p];
                total += su;
            }
            for (int j = 0; j < m; j++) db[p * m + j] = total;
        }
        assertArrayEquals(da, g.get(0).data());
        assertArrayEquals(db, g.get(1).data());
    }

    /** The same through the IR: no product and no transpose (the sums of bᵀ's columns are b's row sums). */
    @Test
    void theEmittedGradientHasNoProduct() {
        Compiler.Emitted e = Compiler.grad("m.tx", SOURCE, "f", List.of("a", "b"), Compiler.Emit.TX);
        assertNotNull(e.text(), e.diagnostics().render());
        assertFalse(e.text().contains("@") || e.text().contains("matmul"), e.text());
        assertFalse(e.text().contains("transpose") || e.text().contains(".T"), e.text()); // sums of a swap's columns are its rows'

        assertTrue(e.text().contains("sum("), e.text());
    }
}
