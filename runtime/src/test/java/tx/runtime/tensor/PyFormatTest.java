package tx.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.runtime.tensor.PyFormat.FormatException;
import tx.runtime.tensor.PyFormat.Spec;

/**
 * {@link PyFormat} against CPython's {@code format()}. The fixture {@code print/format_cases.txt}
 * (6500 cases: floats with ties, -0.0, nan, inf, subnormals; ints; bools; strings; and the specs
 * Python refuses) is written by {@code conformance/print/gen_format_cases.py}, which runs CPython;
 * regenerate it there, never by hand.
 */
class PyFormatTest {
    /**
     * Python accepts these, tx refuses them (LANGUAGE.md §2 lists d f e g %, width, precision,
     * alignment, `,`): the locale's {@code n}, the {@code z} option, and an int's b c o x X.
     */
    private static boolean unsupportedInTx(String kind, String spec) {
        boolean integral = kind.equals("i") || kind.equals("b");
        return spec.endsWith("n") || spec.startsWith("z") || (integral && !spec.isEmpty() && "bcoxX".indexOf(spec.charAt(spec.length() - 1)) >= 0);
    }

    @TestFactory
    Stream<DynamicTest> formatsLikeCPython() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c[0] + " " + c[1] + " '" + c[2] + "'", () -> {
            String expected = c[3];
            if (expected.equals("!") || unsupportedInTx(c[0], c[2])) {
                assertThrows(FormatException.class, () -> format(c[0], c[1], c[2]), () -> "tx accepted '" + c[2] + "' for " + c[1]);
            } else {
                assertEquals(expected, format(c[0], c[1], c[2]));
            }
        }));
    }

    /** Formats as an f-string field does: parse the spec, check it against the type, apply it. */
    private static String format(String kind, String value, String specText) {
        Spec spec = Spec.parse(specText);
        switch (kind) {
            case "f" -> {
                spec.checkFloat("float");
                return PyFormat.formatFloat(Double.longBitsToDouble(Long.parseUnsignedLong(value, 16)), spec);
            }
            case "i" -> {
                spec.checkInt("int");
                return PyFormat.formatInt(Long.parseLong(value), spec);
            }
            case "b" -> {
                spec.checkInt("bool");
                return PyFormat.formatBool(value.equals("True"), spec);
            }
            default -> {
                spec.checkString();
                return PyFormat.formatString(value, spec);
            }
        }
    }

    @Test
    void fixtureIsLargeEnough() throws IOException {
        assertTrue(cases().size() > 5000);
    }

    /** The cases the brief names, with CPython's answers (written here by running python3 3.11 once). */
    @Test
    void tiesRoundHalfToEvenOnTheExactBinaryValue() {
        assertEquals("0.12", f(0.125, ".2f"));      // an exact tie: to even
        assertEquals("0.38", f(0.375, ".2f"));      // an exact tie: to even, upwards
        assertEquals("2.67", f(2.675, ".2f"));      // 2.67499999999999982236431605997495353221893310546875
        assertEquals("2", f(2.5, ".0f"));
        assertEquals("4", f(3.5, ".0f"));
        assertEquals("1e+16", f(1e16, "g"));
        assertEquals("1e+16", f(1e16, ""));
        assertEquals("-0.0", f(-0.0, ".1f"));
        assertEquals("-0", f(-0.0, "g"));
        assertEquals("-0.0", f(-0.001, ".1f"));     // rounds to zero, keeps its sign
        assertEquals("nan", f(Double.NaN, ".4f"));
        assertEquals("-inf", f(Double.NEGATIVE_INFINITY, ".3e"));
        assertEquals("INF", f(Double.POSITIVE_INFINITY, "E"));
        assertEquals("1.2346e-05", f(1.23456e-5, ".4e"));
        assertEquals("0.1235", f(0.12345, ".4f"));  // 0.123450000000000004174438572590588591992855072021484375
        assertEquals("0,001,234", PyFormat.formatInt(1234, Spec.parse("08,d")));
        assertEquals("      1", PyFormat.formatBool(true, Spec.parse(">7"))); // a bool with a spec formats as the int
        assertEquals("True", PyFormat.formatBool(true, Spec.EMPTY));
        assertEquals("\uD83D\uDE42\uD83D\uDE42\uD83D\uDE421", PyFormat.formatInt(1, Spec.parse("\uD83D\uDE42>4"))); // a fill outside the BMP
        assertEquals("\uD83D\uDE422.50\uD83D\uDE42\uD83D\uDE42", f(2.5, "\uD83D\uDE42^7.2f"));
    }

    @Test
    void badSpecsSayWhatPythonSays() {
        assertEquals("Format specifier missing precision", assertThrows(FormatException.class, () -> Spec.parse(".f")).getMessage());
        assertEquals("Invalid format specifier '1.2.3'", assertThrows(FormatException.class, () -> Spec.parse("1.2.3")).getMessage());
        assertEquals("Unknown format code 'd' for object of type 'float'",
                assertThrows(FormatException.class, () -> Spec.parse("d").checkFloat("float")).getMessage());
        assertEquals("Precision not allowed in integer format specifier",
                assertThrows(FormatException.class, () -> Spec.parse(".2d").checkInt("int")).getMessage());
        assertThrows(FormatException.class, () -> Spec.parse("99999999f"));
    }

    private static String f(double v, String spec) {
        Spec s = Spec.parse(spec);
        s.checkFloat("float");
        return PyFormat.formatFloat(v, s);
    }

    private static List<String[]> cases() throws IOException {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = PyFormatTest.class.getResourceAsStream("/print/format_cases.txt")) {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#")) out.add(line.split("\t", -1));
            }
        }
        return out;
    }
}
