package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code manual_seed(k)} (LANGUAGE.md §5): the random calls after it without {@code seed=} draw from
 * one stream it seeds. What is checked here is the stream's behaviour, each property by {@code equal}
 * in the program itself; the numbers are PyTorch's (conformance/cases/torch_generator.tx).
 */
class ManualSeedTest {
    @TempDir Path dir;

    private String run(String source) {
        TxRunner.Outcome o = TxRunner.runSource(dir, source);
        assertEquals(0, o.status(), o.err());
        return o.out().strip();
    }

    @Test
    void theSameSeedGivesTheSameDrawsAndConsecutiveDrawsDiffer() {
        assertEquals("True True False False", run("""
                torch.manual_seed(3)
                a = randn(3)
                b = randn(3)
                torch.manual_seed(3)
                c = randn(3)
                d = randn(3)
                torch.manual_seed(4)
                e = randn(3)
                print(equal(a, c), equal(b, d), equal(a, b), equal(a, e))
                """));
    }

    @Test
    void aCallWithItsOwnSeedTakesNothingFromTheStream() {
        assertEquals("True True", run("""
                manual_seed(7)
                a = rand(4)
                b = rand(4)
                manual_seed(7)
                c = rand(4)
                own = rand(4, seed=11)
                d = rand(4)
                print(equal(a, c), equal(b, d))
                """));
    }

    @Test
    void everyKindOfRandomCallDrawsFromIt() {
        assertEquals("True True True", run("""
                x = ones(6)
                manual_seed(1)
                a = randint(0, 100, (5,))
                b = dropout(x, p=0.5)
                c = randn_like(x)
                manual_seed(1)
                print(equal(a, randint(0, 100, (5,))), equal(b, dropout(x, p=0.5)), equal(c, randn_like(x)))
                """));
    }
}
