package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Tensor;

/**
 * Kernels on {@link Parallel}'s threads give the same bits for 1 and 2 threads (and 3, which splits
 * unevenly): products in both GEMM modes and all four transpose forms, on shapes whose rows are
 * shared out (the attention and MLP cases' among them, and a short k's columns), and elementwise operations long enough
 * to be cut into chunks, with a tail that is not a whole chunk.
 */
class ThreadsTest {
    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextDouble(-2, 2);
        return Tensor.of(shape, x);
    }

    private static long[] bits(Tensor t) {
        long[] b = new long[t.size()];
        for (int i = 0; i < b.length; i++) b[i] = Double.doubleToRawLongBits(t.data()[i]);
        return b;
    }

    @Test
    void productsHaveTheSameBitsOnOneTwoAndThreeThreads() {
        int[][] nkm = {{128, 64, 128}, {64, 784, 128}, {784, 64, 128}, {513, 300, 1100}, {100, 7, 33}, {12, 16, 1500}}; // the last: a short k, its columns shared
        for (int[] s : nkm) {
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                Tensor a = random(s[0] * 31L + form, ta ? s[1] : s[0], ta ? s[0] : s[1]);
                Tensor b = random(s[2] * 17L + form, tb ? s[2] : s[1], tb ? s[1] : s[2]);
                for (boolean fused : new boolean[] {true, false}) {
                    Parallel.setThreads(1);
                    long[] one = bits(LinAlg.matmul(a, ta, b, tb, fused));
                    for (int t : new int[] {2, 3}) {
                        Parallel.setThreads(t);
                        assertArrayEquals(one, bits(LinAlg.matmul(a, ta, b, tb, fused)), s[0] + "x" + s[1] + "x" + s[2] + " form " + form + " fused " + fused + " threads " + t);
                    }
                }
            }
        }
    }

    @Test
    void elementwiseOperationsHaveTheSameBitsOnOneAndTwoThreads() {
        int n = 5 * Elementwise.CHUNK + 4093;
        Tensor x = random(1, n), y = random(2, n), s = Tensor.scalar(0.75);
        for (Elementwise.Op op : Elementwise.Op.values()) {
            Parallel.setThreads(1);
            Tensor one = op.unary() ? Elementwise.map(x, op) : Elementwise.zip(x, op == Elementwise.Op.POW ? Tensor.scalar(2) : y, op);
            Tensor left = op.unary() || op == Elementwise.Op.POW ? null : Elementwise.zip(s, y, op);
            Parallel.setThreads(2);
            Tensor two = op.unary() ? Elementwise.map(x, op) : Elementwise.zip(x, op == Elementwise.Op.POW ? Tensor.scalar(2) : y, op);
            assertArrayEquals(bits(one), bits(two), op.toString());
            if (left != null) assertArrayEquals(bits(left), bits(Elementwise.zip(s, y, op)), op + " with a number on the left");
        }
    }

    @Test
    void everyTaskRunsOnceAndAFailureReachesTheCaller() {
        Parallel.setThreads(2);
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        int[] count = new int[1];
        Parallel.run(1000, i -> {
            seen.add(i);
            synchronized (count) {
                count[0]++;
            }
        });
        assertEquals(1000, seen.size());
        assertEquals(1000, count[0]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.run(50, i -> {
            if (i == 37) throw new IllegalStateException("task 37");
        }));
        assertEquals("task 37", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
