package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * f-strings and Python booleans print exactly what PyTorch and CPython print, character for
 * character. ConformanceTest lets a number differ by one unit in its last printed digit (a tensor
 * element near a rounding boundary); a format spec must not, so these two cases are compared
 * exactly with their twins' output (conformance/cases/*.expected, written by conformance/regen.sh).
 */
class FStringTest {
    @Test
    void fStringsFormatExactlyAsPython() throws IOException {
        assertPrintsExactly("fstrings");
    }

    @Test
    void pythonBooleansPrintAsTrueAndFalse() throws IOException {
        assertPrintsExactly("python_bools");
    }

    private static void assertPrintsExactly(String name) throws IOException {
        Path tx = ConformanceTest.CASES.resolve(name + ".tx");
        String expected = Files.readString(ConformanceTest.CASES.resolve(name + ".expected"), StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(expected, r.out());
    }
}
