package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every program under examples/ runs and prints exactly its expected output: NAME.out (exit 0,
 * produced by the program's PyTorch twin NAME.py) or NAME.err (a compile error, exit 1, with
 * nothing on standard output: the program is rejected before any statement runs).
 * examples/handwritten/ is the exception: its programs `check` hand-written derivatives, and a
 * check's report shows error magnitudes whose last digits depend on the platform's libm, so
 * HandwrittenTest asserts that every check passes instead.
 */
class ExamplesTest {
    static final Path EXAMPLES = TxRunner.root().resolve("examples");
    static final Path HANDWRITTEN = EXAMPLES.resolve("handwritten");

    static java.util.List<Path> programs() {
        return TxRunner.files(EXAMPLES, ".tx").stream().filter(p -> !p.startsWith(HANDWRITTEN)).toList();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleMatchesItsExpectedOutput() {
        return programs().stream().map(tx -> DynamicTest.dynamicTest(EXAMPLES.relativize(tx).toString(), () -> check(tx)));
    }

    @Test
    void everyExampleHasAnExpectedOutput() {
        List<Path> programs = programs();
        assertTrue(programs.size() >= 15, "at least the seed programs and ten more: " + programs.size());
        for (Path tx : programs) {
            assertTrue(Files.exists(sibling(tx, ".out")) || Files.exists(sibling(tx, ".err")), "no .out or .err beside " + tx);
        }
    }

    private static void check(Path tx) throws IOException {
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        Path out = sibling(tx, ".out"), err = sibling(tx, ".err");
        if (Files.exists(err)) {
            assertEquals(Files.readString(err, StandardCharsets.UTF_8), r.err(), "diagnostics of " + tx);
            assertEquals("", r.out(), "a rejected program must not run at all");
            assertEquals(1, r.status(), "exit status of " + tx);
        } else {
            assertEquals(Files.readString(out, StandardCharsets.UTF_8), r.out(), "output of " + tx + "\nstderr:\n" + r.err());
            assertFalse(r.err().contains("error"), "unexpected diagnostics: " + r.err());
            assertEquals(0, r.status(), "exit status of " + tx);
        }
    }

    static Path sibling(Path tx, String ext) {
        String n = tx.getFileName().toString();
        return tx.resolveSibling(n.substring(0, n.length() - 3) + ext);
    }
}
