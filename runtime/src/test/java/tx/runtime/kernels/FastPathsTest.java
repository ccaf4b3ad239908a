package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Tensor;

/**
 * The elementwise kernels' shortcuts give the bits of the plain operation: a division by a power
 * of two is a multiplication by its reciprocal, and a row against one number ({@code [n, m] op
 * [n, 1]}) runs the scalar loop; each is compared with {@code /} and the operator element by
 * element, on values that include nan, infinities, signed zeros, subnormals and the extremes.
 */
class FastPathsTest {
    private static final double[] SPECIAL = {0.0, -0.0, 1.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 0x1.fffffffffffffp-1023, Double.MAX_VALUE, -Double.MAX_VALUE, 3.0, 1e-300, 1e300};

    private static double[] values(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < SPECIAL.length ? SPECIAL[i] : switch (i % 3) {
                case 0 -> r.nextGaussian();
                case 1 -> Double.longBitsToDouble(r.nextLong()); // any bit pattern: subnormals, huge, tiny
                default -> r.nextGaussian() * Math.scalb(1.0, r.nextInt(2000) - 1000);
            };
        }
        return x;
    }

    @Test
    void divisionByAPowerOfTwoHasTheBitsOfDivision() {
        double[] x = values(5000, 1);
        double[] divisors = {8, 0.125, -2, 1, Math.scalb(1.0, 1022), Math.scalb(1.0, 1023), Math.scalb(1.0, -1022), Double.MIN_VALUE,
                Math.scalb(1.0, -1060), 3, 0.1, 0, -0.0, Double.POSITIVE_INFINITY, Double.NaN};
        for (double y : divisors) {
            Tensor q = Elementwise.zip(Tensor.of(new int[] {x.length}, x), Tensor.scalar(y), Elementwise.Op.DIV);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToRawLongBits(x[i] / y), Double.doubleToRawLongBits(q.data()[i]), x[i] + " / " + y);
            }
        }
    }

    @Test
    void aRowAgainstOneNumberHasTheBitsOfTheOperator() {
        int n = 37, m = 129;
        double[] a = values(n * m, 2), b = values(n, 3);
        for (Elementwise.Op op : new Elementwise.Op[] {Elementwise.Op.ADD, Elementwise.Op.SUB, Elementwise.Op.MUL, Elementwise.Op.DIV}) {
            Tensor left = Elementwise.zip(Tensor.of(new int[] {n, m}, a), Tensor.of(new int[] {n, 1}, b), op);
            Tensor right = Elementwise.zip(Tensor.of(new int[] {n, 1}, b), Tensor.of(new int[] {n, m}, a), op);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double x = a[i * m + j], y = b[i];
                    assertEquals(Double.doubleToRawLongBits(apply(op, x, y)), Double.doubleToRawLongBits(left.data()[i * m + j]), op + " " + x + ", " + y);
                    assertEquals(Double.doubleToRawLongBits(apply(op, y, x)), Double.doubleToRawLongBits(right.data()[i * m + j]), op + " " + y + ", " + x);
                }
            }
        }
    }

    private static double apply(Elementwise.Op op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            default -> x / y;
        };
    }
}
