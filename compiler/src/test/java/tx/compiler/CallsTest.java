package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions of the IR (issue 11): a pure function is lowered once per signature of its calls and
 * called; a backward through a call calls the function's backward half, derived once. Inlining
 * every call (the old way, {@code -Dtx.inline=always}), compiling every pure call as a call
 * ({@code never}) and the default (small bodies inlined) must print the same thing, bit for bit,
 * on programs that put calls in loops, loops and branches in functions, return several values,
 * differentiate twice, and backward twice through one call. The expected gradients of the deep
 * call tree are worked out by hand.
 */
class CallsTest {
    private static final Path PROGRAMS = TxRunner.root().resolve("compiler/src/test/resources/calls");

    @TempDir
    Path dir;

    /** Runs tx with calls compiled the given way ({@code always}, {@code never} or {@code auto}). */
    static TxRunner.Outcome run(String inline, String... args) {
        String old = System.getProperty("tx.inline");
        System.setProperty("tx.inline", inline);
        try {
            return TxRunner.run(args);
        } finally {
            if (old == null) System.clearProperty("tx.inline");
            else System.setProperty("tx.inline", old);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyProgramPrintsTheSameWhetherItsCallsAreInlinedOrNot() {
        return TxRunner.files(PROGRAMS, ".tx").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            TxRunner.Outcome inlined = run("always", "run", p.toString());
            assertEquals(0, inlined.status(), inlined.err());
            assertFalse(inlined.out().isEmpty());
            for (String mode : new String[] {"never", "auto"}) {
                TxRunner.Outcome r = run(mode, "run", p.toString());
                assertEquals(inlined.out(), r.out(), "-Dtx.inline=" + mode + ":\n" + r.err());
                assertEquals(0, r.status(), r.err());
                assertEquals("", r.err());
            }
            assertFalse(run("always", "ir", p.toString()).out().contains("\nfn "), "inlined: no functions in the IR");
            String ir = run("never", "ir", p.toString()).out();
            assertTrue(ir.startsWith("fn ") && ir.contains(" = call "), "the IR has functions and calls:\n" + ir);
        }));
    }

    /** f0 = sin; f_k(x) = f_{k-1}(x) + f_{k-1}(x / 2), so f_k(x) = sum_j C(k, j) sin(x / 2^j). */
    private static String doublingTree(int levels, String body) {
        StringBuilder sb = new StringBuilder("fn f0(x: [2]) -> [2] { return sin(x) }\n");
        for (int i = 1; i <= levels; i++) sb.append("fn f" + i + "(x: [2]) -> [2] { return f" + (i - 1) + "(x) + f" + (i - 1) + "(x * 0.5) }\n");
        return sb.append(body.replace("TOP", "f" + levels)).toString();
    }

    private static final String BACKWARD = """
            x = tensor([0.7, -1.3], requires_grad=true)
            y = sum(TOP(x))
            y.backward()
            print(y.item(), x.grad[0].item(), x.grad[1].item())
            """;

    @Test
    void aCallTreeOfTwelveLevelsHasTheGradientWorkedOutByHand() throws IOException {
        int k = 12;
        double[] x = {0.7, -1.3};
        double value = 0;
        double[] grad = new double[2];
        for (int j = 0; j <= k; j++) {
            double c = binomial(k, j), s = Math.pow(0.5, j);
            for (int i = 0; i < 2; i++) {
                value += c * Math.sin(s * x[i]);
                grad[i] += c * s * Math.cos(s * x[i]);
            }
        }
        Path file = Files.writeString(dir.resolve("tree.tx"), doublingTree(k, BACKWARD), StandardCharsets.UTF_8);
        for (String mode : new String[] {"always", "never", "auto"}) {
            TxRunner.Outcome r = run(mode, "run", file.toString());
            assertEquals(0, r.status(), r.err());
            String[] printed = r.out().trim().split(" ");
            assertEquals(3, printed.length, r.out());
            assertClose(value, Double.parseDouble(printed[0]), mode + ": the value");
            assertClose(grad[0], Double.parseDouble(printed[1]), mode + ": d/dx0");
            assertClose(grad[1], Double.parseDouble(printed[2]), mode + ": d/dx1");
        }
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }

    private static void assertClose(double want, double got, String what) {
        assertTrue(Math.abs(want - got) <= 1e-12 * Math.max(1, Math.abs(want)), what + ": want " + want + ", got " + got);
    }

    /**
     * Forty levels, each calling the next twice (2^40 calls if inlined), compile to a program that
     * grows linearly with the levels, backward included: each function and each of its halves once.
     */
    @Test
    void aDeepCallTreeCompilesToAProgramLinearInItsLevels() throws IOException {
        int[] levels = {10, 20, 40};
        long[] lines = new long[levels.length];
        for (int i = 0; i < levels.length; i++) {
            Path file = Files.writeString(dir.resolve("deep" + levels[i] + ".tx"), doublingTree(levels[i], BACKWARD), StandardCharsets.UTF_8);
            TxRunner.Outcome r = TxRunner.run("ir", file.toString());
            assertEquals(0, r.status(), r.err());
            lines[i] = r.out().lines().count();
        }
        assertTrue(lines[2] < 60L * levels[2], "at most 60 IR lines a level: " + lines[2] + " for " + levels[2]);
        long first = lines[1] - lines[0], second = lines[2] - lines[1]; // 10 levels, then 20 more
        assertTrue(second <= 2 * first + 2 * 60 && second >= first, "linear growth: " + java.util.Arrays.toString(lines));
    }

    @Test
    void aFunctionThatPrintsIsInlinedAndPrintsAtEachCall() throws IOException {
        String big = "tanh(V) * 0.5 + sin(V) * 0.25 + exp(-V * V) + log(1 + V * V) + sqrt(abs(V) + 1) + cos(V) * 0.1 + V ** 3 * 0.01";
        Path file = Files.writeString(dir.resolve("noisy.tx"), "fn f(x: [2]) -> [2] {\n    y = " + big.replace("V", "x") + "\n    z = " + big.replace("V", "y")
                + "\n    print(\"in f\")\n    return z\n}\nprint(sum(f(tensor([1.0, 2.0])) + f(tensor([3.0, 4.0]))))\n", StandardCharsets.UTF_8);
        for (String mode : new String[] {"never", "auto"}) {
            TxRunner.Outcome r = run(mode, "run", file.toString());
            assertEquals(0, r.status(), r.err());
            assertEquals(2, r.out().lines().filter("in f"::equals).count(), r.out());
            assertFalse(run(mode, "ir", file.toString()).out().contains("fn "), "a body with an effect is inlined");
        }
    }

    @Test
    void aSmallBodyIsInlinedByDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("small.tx"), "fn sq(x: [2]) -> [] { return sum(x * x) }\nx = tensor([1.0, 2.0], requires_grad=true)\n"
                + "y = sq(x) + sq(x * 2)\ny.backward()\nprint(y, x.grad)\n", StandardCharsets.UTF_8);
        assertFalse(run("auto", "ir", file.toString()).out().contains("fn "));
        assertTrue(run("never", "ir", file.toString()).out().startsWith("fn sq"));
        assertEquals("tensor(25., grad_fn=<AddBackward0>) tensor([10., 20.])\n", run("never", "run", file.toString()).out());
        assertEquals("tensor(25., grad_fn=<AddBackward0>) tensor([10., 20.])\n", run("auto", "run", file.toString()).out());
    }

    /** A floor division in a function stops a backward through a call of it with the diagnostic an inlined body gives. */
    @Test
    void aBarrierInAFunctionStopsTheBackwardAsInlined() throws IOException {
        Path file = Files.writeString(dir.resolve("floor.tx"), "fn f(x: [2]) -> [] {\n    y = tanh(x) * sin(x) + exp(-x * x) + log(1 + x * x) + cos(x) + x ** 3\n"
                + "    return sum(y // 0.5 + y * 2)\n}\nx = tensor([1.0, 2.0], requires_grad=true)\nl = f(x) * 3\nl.backward()\nprint(x.grad)\n",
                StandardCharsets.UTF_8);
        TxRunner.Outcome inlined = run("always", "run", file.toString());
        assertEquals(1, inlined.status(), inlined.err());
        assertTrue(inlined.err().startsWith("error[E0306]"), inlined.err());
        TxRunner.Outcome called = run("never", "run", file.toString());
        assertEquals(inlined.err(), called.err());
        assertEquals(1, called.status());
    }
}
