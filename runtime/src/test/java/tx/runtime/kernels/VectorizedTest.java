package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tx.runtime.kernels.Inputs.Fn;

/** The lane kernels give the scalar kernels' bits on every lane, the loop's tail and odd offsets included. */
class VectorizedTest {
    @Test
    void theTestsRunWithTheVectorApi() {
        assertTrue(Vectorized.AVAILABLE, "the surefire argLine adds jdk.incubator.vector");
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void lanesEqualTheScalarKernelBitForBit(Fn fn) {
        double[] specials = Inputs.specials(), random = Inputs.random(1_000_000, 7 + fn.ordinal());
        double[] xs = Arrays.copyOf(specials, specials.length + random.length);
        System.arraycopy(random, 0, xs, specials.length, random.length);
        double[] out = new double[xs.length];
        assertTrue(Vectorized.mapRange(fn.op(), xs, 0, out, 0, xs.length));
        for (int i = 0; i < xs.length; i++) assertSame(fn, xs[i], out[i]);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void everyOffsetAndLengthGivesTheSameBits(Fn fn) {
        double[] xs = Inputs.specials();
        for (int from = 0; from < 9; from++) {
            for (int len = 0; len <= 40; len++) {
                double[] out = new double[len + 3];
                Arrays.fill(out, 12345);
                assertTrue(Vectorized.mapRange(fn.op(), xs, from, out, 3, len));
                for (int i = 0; i < 3; i++) assertTrue(out[i] == 12345, "wrote before its range");
                for (int i = 0; i < len; i++) assertSame(fn, xs[from + i], out[3 + i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void inPlaceGivesTheSameBits(Fn fn) {
        double[] xs = Inputs.specials(), copy = xs.clone();
        assertTrue(Vectorized.mapRange(fn.op(), xs, 0, xs, 0, xs.length));
        for (int i = 0; i < xs.length; i++) assertSame(fn, copy[i], xs[i]);
    }

    private static void assertSame(Fn fn, double x, double got) {
        double want = fn.scalar(x);
        if (Double.doubleToRawLongBits(got) != Double.doubleToRawLongBits(want)) {
            fail(fn + "(" + x + " = 0x" + Long.toHexString(Double.doubleToRawLongBits(x)) + "): lanes " + got + " 0x" + Long.toHexString(Double.doubleToRawLongBits(got)) + ", scalar " + want + " 0x" + Long.toHexString(Double.doubleToRawLongBits(want)));
        }
    }
}
