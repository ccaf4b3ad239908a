package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check grad(f) == df` (LANGUAGE.md §8): right derivatives pass, with finite differences that agree
 * to far better than their tolerance; wrong ones fail the run with exit status 3.
 */
class ChecksTest {
    @TempDir
    Path dir;

    private TxRunner.Outcome run(String program) throws IOException {
        Path f = dir.resolve("check.tx");
        Files.writeString(f, program, StandardCharsets.UTF_8);
        return TxRunner.run("run", f.toString());
    }

    @Test
    void rightDerivativesPass() throws IOException {
        TxRunner.Outcome r = run("""
                fn f(x: [3]) -> [] { return sum(sin(x) * x) }
                fn df(x: [3]) -> [3] { return cos(x) * x + sin(x) }
                check grad(f) == df
                fn loss(w: [3, 2], b: [2], x: [n, 3], y: [n, 2]) -> [] {
                    h = tanh(x @ w + b)
                    return mean((h - y) ** 2)
                }
                fn dloss_db(w: [3, 2], b: [2], x: [n, 3], y: [n, 2]) -> [2] {
                    h = tanh(x @ w + b)
                    return sum(2 * (h - y) * (1 - h ** 2), dim=0) / (x.shape[0] * 2)
                }
                fn dloss_dwb(w: [3, 2], b: [2], x: [n, 3], y: [n, 2]) -> ([3, 2], [2]) {
                    h = tanh(x @ w + b)
                    d = 2 * (h - y) * (1 - h ** 2) / (x.shape[0] * 2)
                    return x.T @ d, sum(d, dim=0)
                }
                check grad(loss, wrt=b) == dloss_db within 1e-6
                check grad(loss, wrt=[w, b]) == dloss_dwb
                fn cube(x: []) -> [] { return x ** 3 }
                fn d2cube(x: []) -> [] { return 6 * x }
                check grad(grad(cube)) == d2cube
                print("done")
                """);
        assertEquals(0, r.status(), r.err());
        assertEquals(4, count(r.out(), ": PASS \\(3 random inputs\\)"), r.out());
        assertTrue(r.out().endsWith("done\n"), r.out());
        Matcher m = Pattern.compile("generated vs finite differences: +max abs error (\\S+), relative (\\S+)").matcher(r.out());
        int n = 0;
        while (m.find()) {
            assertTrue(Double.parseDouble(m.group(1)) < 1e-7, "finite differences far off: " + m.group());
            n++;
        }
        assertEquals(4, n);
    }

    @Test
    void aWrongDerivativeFailsTheRun() throws IOException {
        TxRunner.Outcome r = run("""
                fn f(x: [2, 2]) -> [] { return sum(exp(x)) }
                fn df(x: [2, 2]) -> [2, 2] { return exp(x) + 0.001 }
                check grad(f) == df within 1e-4
                print("not reached")
                """);
        assertEquals(3, r.status());
        assertTrue(r.out().startsWith("check grad(f) == df within 1e-4: FAIL"), r.out());
        assertTrue(!r.out().contains("not reached"));
        assertTrue(r.err().startsWith("error[E0505]: check failed: the generated gradient and the hand-written one differ by 1.000e-03"), r.err());
    }

    @Test
    void aToleranceWideEnoughPasses() throws IOException {
        TxRunner.Outcome r = run("""
                fn f(x: [2, 2]) -> [] { return sum(exp(x)) }
                fn df(x: [2, 2]) -> [2, 2] { return exp(x) + 0.001 }
                check grad(f) == df within 1e-2
                """);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("check grad(f) == df within 1e-2: PASS"), r.out());
    }

    @Test
    void txCheckRunsEveryCheckAndChecksEveryScalarFunction() throws IOException {
        Path f = dir.resolve("file.tx");
        Files.writeString(f, """
                fn f(x: [3], unused: [2]) -> [] { return sum(x * x) }
                fn df(x: [3], unused: [2]) -> [3] { return 3 * x }
                fn g(x: [2]) -> [] { return sum(exp(x)) }
                fn dg(x: [2]) -> [2] { return exp(x) }
                check grad(f) == df
                check grad(g) == dg
                print("the script is not run by tx check")
                """, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("check", f.toString());
        assertEquals(3, r.status(), r.err());
        assertEquals(4, r.out().split("\n").length, r.out()); // grad(f), grad(g) against finite differences, and the two checks
        assertEquals(1, count(r.out(), "(?m)^FAIL  grad\\(f\\) == df "), r.out());
        assertEquals(3, count(r.out(), "(?m)^PASS  "), r.out());
        assertTrue(!r.out().contains("not run"), r.out());
        assertTrue(r.err().contains("warning[W0111]: `unused` never affects the result of `grad(f)`"), r.err());
        assertTrue(r.err().contains("error[E0505]: 1 of 4 checks failed"), r.err());
    }

    @Test
    void txCheckPassesTheHandWrittenExamples() {
        for (Path p : TxRunner.files(TxRunner.root().resolve("examples/handwritten"), ".tx")) {
            TxRunner.Outcome r = TxRunner.run("check", p.toString());
            assertEquals(0, r.status(), p + "\n" + r.out() + r.err());
            assertEquals(0, count(r.out(), "(?m)^FAIL"), r.out());
        }
    }

    @Test
    void txCheckAcceptsALeafThatIsNeverNamed() throws IOException {
        Path f = dir.resolve("unnamed.tx");
        Files.writeString(f, "fn f(x: [2]) -> [] {\n    return sum(x * tensor([1.0, 2.0], requires_grad=true))\n}\n", StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("check", f.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("PASS  grad(f) against finite differences"), r.out());
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
