package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tx.runtime.kernels.Inputs.Fn;

/** The scalar kernels: StrictMath's results bit for bit, and so within an ulp of Math's. */
class TranscendentalsTest {
    @ParameterizedTest
    @EnumSource(Fn.class)
    void specialValuesAndRangeEdgesGiveStrictMathsBits(Fn fn) {
        for (double x : Inputs.specials()) assertSame(fn, x);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void randomArgumentsGiveStrictMathsBits(Fn fn) {
        double[] xs = Inputs.random(2_000_000, 11 + fn.ordinal());
        for (double x : xs) assertSame(fn, x);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void withinOneUlpOfMath(Fn fn) {
        // NOTE: Math's own results may differ from the exact ones by up to one ulp, ours by less than one:
        // so the two are at most 2 ulps apart, and in practice at most 1
        double worst = 0;
        for (double x : Inputs.random(500_000, 99 + fn.ordinal())) worst = Math.max(worst, Inputs.ulps(fn.scalar(x), fn.math.applyAsDouble(x)));
        for (double x : Inputs.specials()) worst = Math.max(worst, Inputs.ulps(fn.scalar(x), fn.math.applyAsDouble(x)));
        assertTrue(worst <= 1, fn + ": " + worst + " ulps from Math");
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void signsOfZeroAndLimits(Fn fn) {
        switch (fn) {
            case EXP -> {
                assertEquals(1.0, Transcendentals.exp(-0.0));
                assertEquals(0.0, Transcendentals.exp(Double.NEGATIVE_INFINITY));
                assertEquals(Double.POSITIVE_INFINITY, Transcendentals.exp(710));
                assertEquals(Double.MIN_VALUE, Transcendentals.exp(-745.1));
            }
            case LOG -> {
                assertEquals(Double.NEGATIVE_INFINITY, Transcendentals.log(-0.0));
                assertTrue(Double.isNaN(Transcendentals.log(-1)));
                assertEquals(+0.0, Transcendentals.log(1.0));
                assertEquals(-744.4400719213812, Transcendentals.log(Double.MIN_VALUE));
            }
            case SIN -> {
                assertEquals(-0.0, Transcendentals.sin(-0.0));
                assertTrue(Double.isNaN(Transcendentals.sin(Double.POSITIVE_INFINITY)));
            }
            case COS -> assertEquals(1.0, Transcendentals.cos(-0.0));
            case TANH -> {
                assertEquals(-0.0, Transcendentals.tanh(-0.0));
                assertEquals(-1.0, Transcendentals.tanh(Double.NEGATIVE_INFINITY));
                assertEquals(1.0, Transcendentals.tanh(30));
                assertEquals(-1e-300, Transcendentals.tanh(-1e-300));
            }
        }
    }

    private static void assertSame(Fn fn, double x) {
        double got = fn.scalar(x), want = fn.strict.applyAsDouble(x);
        if (Double.doubleToLongBits(got) != Double.doubleToLongBits(want)) {
            fail(fn + "(" + x + " = 0x" + Long.toHexString(Double.doubleToRawLongBits(x)) + "): " + got + ", StrictMath " + want);
        }
    }
}
