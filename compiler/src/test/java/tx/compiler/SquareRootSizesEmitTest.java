package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A constant that is a square root of named dimensions (an attention's {@code 1 / sqrt(d)}) is
 * written as a formula by {@code tx grad --emit tx} (LANGUAGE.md §9: named dimensions stay symbols),
 * where it was E0601; the emitted gradient runs and agrees with {@code grad} at sizes no sample used.
 */
class SquareRootSizesEmitTest {
    @TempDir Path dir;

    private static final String SOURCE = """
            fn scaled(x: [n, d]) -> [] {
                s = x @ x.T / (x.shape[1] ** 0.5)
                return softmax(s, dim=1).sum() * x.shape[0] ** 0.5 + sum(x) / (x.shape[0] * x.shape[1] - 1) ** 0.5
            }
            """;

    @Test
    void theEmittedGradientWritesTheRootsAndAgreesAtEverySize() {
        Compiler.Emitted r = Compiler.grad("scaled.tx", SOURCE, "scaled", List.of(), Compiler.Emit.TX);
        assertNotNull(r.text(), r.diagnostics().render());
        assertTrue(r.text().contains("d ** 0.5") && r.text().contains("n ** 0.5") && r.text().contains("(n * d - 1) ** 0.5"), r.text());
        String check = SOURCE + r.text().replaceAll("(?m)^#.*\n", "") + """
                for x in [randn(2, 5, seed=1), randn(5, 4, seed=2), randn(9, 3, seed=3)] {
                    assert_close(scaled_grad(x), grad(scaled)(x))
                }
                print("agree")
                """;
        TxRunner.Outcome o = TxRunner.runSource(dir, check);
        assertEquals(0, o.status(), o.err());
        assertEquals("agree", o.out().strip());
    }
}
