package tx.runtime.tensor;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's float formatting, reproduced exactly: {@code repr(x)}, {@code "{:.Nf}".format(x)} and
 * {@code "{:.Ne}".format(x)}.
 *
 * <p>CPython formats the exact binary value of a double and rounds ties to even (David Gay's
 * correctly rounded {@code dtoa}). Java's {@code String.format} instead rounds the shortest decimal
 * string half-up, and Java 17's {@link Double#toString} is not always the shortest string that reads
 * back as the same double (fixed only in JDK 19). So everything here goes through {@link BigDecimal},
 * which holds the double's exact value, and through {@link Double#parseDouble}, which is correctly
 * rounded.
 */
public final class PyFloat {
    /** A double has at most 17 significant digits that matter for round-tripping. */
    private static final int MAX_REPR_DIGITS = 17;

    /** Offsets (in units of the last digit) from the correctly rounded candidate, best first. */
    private static final int[] CANDIDATE_STEPS = {0, -1, 1};

    /** {@code repr} switches to scientific notation below this decimal exponent ... */
    private static final int REPR_SCI_BELOW = -4;

    /** ... and at or above this one: {@code 1e+16} but {@code 1000000000000000.0}. */
    private static final int REPR_SCI_FROM = 16;

    private PyFloat() {}

    /**
     * Python's {@code repr(v)}: the shortest decimal string that reads back as {@code v}, written as
     * {@code 2.0}, {@code 0.1}, {@code 123456789.0}, or in scientific notation when the decimal exponent
     * is below -4 or at least 16 ({@code 1e-05}, {@code 1.5e+20}); {@code inf}, {@code -inf}, {@code nan},
     * {@code -0.0}.
     */
    public static String repr(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String sign = isNegative(v) ? "-" : "";
        if (v == 0.0) return sign + "0.0";
        BigDecimal shortest = shortestDigits(Math.abs(v));
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        if (exponent < REPR_SCI_BELOW || exponent >= REPR_SCI_FROM) {
            return sign + scientific(digits, exponent);
        }
        return sign + positional(digits, exponent);
    }

    /**
     * Python's {@code "{:.Nf}".format(v)}: exactly {@code decimals} digits after the point (none and no
     * point when {@code decimals} is 0), the exact binary value rounded half-to-even. The sign comes from
     * the sign bit, so {@code -0.0} and {@code -0.00001} print as {@code -0.0000}.
     */
    public static String formatFixed(double v, int decimals) {
        if (!Double.isFinite(v)) return nonFinite(v);
        BigDecimal rounded = new BigDecimal(Math.abs(v)).setScale(decimals, RoundingMode.HALF_EVEN);
        return (isNegative(v) ? "-" : "") + rounded.toPlainString();
    }

    /**
     * Python's {@code "{:.Ne}".format(v)}: one digit, a point and {@code decimals} digits (no point when
     * {@code decimals} is 0), then {@code e}, a sign and at least two exponent digits, e.g.
     * {@code 1.0000e-05}, {@code 4.9407e-324}. The exact binary value is rounded half-to-even.
     */
    public static String formatSci(double v, int decimals) {
        if (!Double.isFinite(v)) return nonFinite(v);
        String sign = isNegative(v) ? "-" : "";
        if (v == 0.0) return sign + mantissa("0", decimals) + exponentSuffix(0);
        BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(decimals + 1, RoundingMode.HALF_EVEN));
        String digits = rounded.unscaledValue().toString();
        int exponent = digits.length() - 1 - rounded.scale();
        return sign + mantissa(digits, decimals) + exponentSuffix(exponent);
    }

    /**
     * The shortest decimal (as a {@link BigDecimal} without trailing zeros) that parses back to the
     * positive finite {@code v}. For each length it tries the correctly rounded candidate and its two
     * neighbours, because next to a power of two the rounding interval is lopsided and the nearest
     * candidate may miss while a farther one hits; among hits it keeps the one closest to {@code v}, as
     * Python does. NOTE: the correctly rounded candidate is tried first so that it wins an exact tie
     * ({@code 1234567890123456.75} has the shortest forms {@code .7} and {@code .8}; Python picks the
     * half-to-even {@code .8}).
     */
    static BigDecimal shortestDigits(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int precision = 1; precision <= MAX_REPR_DIGITS; precision++) {
            BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            BigDecimal best = null;
            for (int step : CANDIDATE_STEPS) {
                BigDecimal candidate = new BigDecimal(nearest.unscaledValue().add(BigInteger.valueOf(step)), nearest.scale());
                if (candidate.signum() > 0 && Double.parseDouble(candidate.toString()) == v
                        && (best == null || closer(candidate, best, exact))) {
                    best = candidate;
                }
            }
            if (best != null) return best.stripTrailingZeros();
        }
        throw new AssertionError("17 digits always round-trip: " + v);
    }

    private static boolean closer(BigDecimal a, BigDecimal b, BigDecimal target) {
        return a.subtract(target).abs().compareTo(b.subtract(target).abs()) < 0;
    }

    /** {@code repr}'s scientific layout: {@code 1e-05}, {@code 1.5e+20} (no {@code .0} on one digit). */
    private static String scientific(String digits, int exponent) {
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + exponentSuffix(exponent);
    }

    /** {@code repr}'s positional layout, which always shows a fractional part: {@code 2.0}, {@code 0.001}. */
    private static String positional(String digits, int exponent) {
        if (exponent < 0) return "0." + "0".repeat(-exponent - 1) + digits;
        int intDigits = exponent + 1;
        if (digits.length() <= intDigits) return digits + "0".repeat(intDigits - digits.length()) + ".0";
        return digits.substring(0, intDigits) + "." + digits.substring(intDigits);
    }

    /** {@code d.ddd} with exactly {@code decimals} digits after the point, padding with zeros. */
    private static String mantissa(String digits, int decimals) {
        String padded = digits + "0".repeat(Math.max(0, decimals + 1 - digits.length()));
        return decimals == 0 ? padded.substring(0, 1) : padded.charAt(0) + "." + padded.substring(1, decimals + 1);
    }

    /** Python writes exponents with a sign and at least two digits: {@code e+00}, {@code e-05}, {@code e+300}. */
    private static String exponentSuffix(int exponent) {
        String magnitude = Integer.toString(Math.abs(exponent));
        return "e" + (exponent < 0 ? "-" : "+") + (magnitude.length() < 2 ? "0" : "") + magnitude;
    }

    private static String nonFinite(double v) {
        if (Double.isNaN(v)) return "nan";
        return v > 0 ? "inf" : "-inf";
    }

    /** True for negative numbers and for {@code -0.0}. */
    private static boolean isNegative(double v) {
        return Double.doubleToRawLongBits(v) < 0;
    }
}
