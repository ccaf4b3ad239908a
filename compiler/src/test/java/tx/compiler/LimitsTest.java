package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.compiler.TxRunner.Outcome;

/**
 * {@code --timeout} and {@code --max-memory} bound compiling as well as running (LANGUAGE.md §9),
 * and a long kernel stops at the deadline. The program that blows up is 40 levels of functions that
 * each call the next twice, the innermost of which prints: a body with an effect is inlined (only
 * pure functions become functions of the IR), so this one would be 2^40 copies of the innermost
 * body. Without the print the tree compiles at once (see CallsTest), and it is the run that takes
 * 2^40 steps.
 */
class LimitsTest {
    @TempDir
    Path dir;

    /** f0 .. f40, each calling the one before twice, f0 printing, and a call of f40 on line 42. */
    static String doubling(int levels) {
        StringBuilder sb = new StringBuilder("fn f0(x: [2]) -> [2] { print(\"f0\"); return sin(x) }\n");
        for (int i = 1; i <= levels; i++) sb.append("fn f" + i + "(x: [2]) -> [2] { return f" + (i - 1) + "(x) + f" + (i - 1) + "(x * 0.5) }\n");
        return sb.append("print(f" + levels + "(tensor([1.0, 2.0])))\n").toString();
    }

    private Path doublingFile() throws IOException {
        return Files.writeString(dir.resolve("deep.tx"), doubling(40), StandardCharsets.UTF_8);
    }

    /** tx ARGS in a thread with the command's stack, timed: the outcome and the seconds it took. */
    private static Outcome timed(double[] seconds, String... args) {
        long t0 = System.nanoTime();
        Outcome r = TxLauncher.inBigStack(args);
        seconds[0] = (System.nanoTime() - t0) / 1e9;
        return r;
    }

    private static void assertStoppedAtTheCall(Outcome r, String code, String what) {
        assertEquals(3, r.status(), what + ": " + r.err());
        assertTrue(r.err().startsWith("error[" + code + "]: "), what + ": " + r.err());
        assertTrue(r.err().contains(" --> deep.tx:42:7\n"), what + " is located at the call of f40: " + r.err());
        assertTrue(r.err().contains("it was inlining `f40` -> `f39`"), what + " names the calls: " + r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error")).count(), what + ": one error: " + r.err());
    }

    @Test
    void aTimeoutStopsCompilingWithinSeconds() throws IOException {
        String file = doublingFile().toString();
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"run", file, "--timeout", "1"});
        commands.add(new String[] {"ir", file, "--timeout", "1"});
        for (String[] args : commands) {
            double[] s = {0};
            Outcome r = timed(s, args);
            assertStoppedAtTheCall(r, "E0504", String.join(" ", args));
            assertTrue(r.err().contains("compiling took longer than the --timeout of 1.0 s"), r.err());
            assertTrue(s[0] < 6, String.join(" ", args) + " took " + s[0] + " s");
            assertEquals("", r.out());
        }
    }

    /** Pure, the tree compiles at once, and the run stops at the deadline, inside the innermost function. */
    @Test
    void aTimeoutStopsTheRunOfAPureCallTree() throws IOException {
        String file = Files.writeString(dir.resolve("deep.tx"), doubling(40).replace("print(\"f0\"); ", ""), StandardCharsets.UTF_8).toString();
        double[] s = {0};
        Outcome r = timed(s, "run", file, "--timeout", "1");
        assertEquals(3, r.status(), r.err());
        // the call it stops in depends on the machine's speed: any line, whose width sets the gutter
        assertTrue(r.err().matches("(?s)error\\[E0504\\]: the program ran longer than the --timeout of 1\\.0 s; it was stopped here\n +--> deep\\.tx:\\d+:\\d+\n.*"), r.err());
        assertTrue(s[0] < 6, "took " + s[0] + " s");
        assertEquals("", r.out());
    }

    /** `tx grad` and `tx check` of {@code loss(x) = sum(f40(x))}: both compile f40's gradient. */
    @Test
    void aTimeoutStopsTxGradAndTxCheckCompiling() throws IOException {
        String source = doubling(40).replace("print(f40(tensor([1.0, 2.0])))\n", "fn loss(x: [2]) -> [] { return sum(f40(x)) }\n");
        String file = Files.writeString(dir.resolve("deep.tx"), source, StandardCharsets.UTF_8).toString();
        for (String[] args : new String[][] {{"grad", file, "--fn", "loss", "--timeout", "1"}, {"check", "--timeout", "1", file}}) {
            double[] s = {0};
            Outcome r = timed(s, args);
            assertEquals(3, r.status(), r.err());
            assertTrue(r.err().startsWith("error[E0504]: compiling took longer than the --timeout of 1.0 s"), r.err());
            assertTrue(r.err().contains(" --> deep.tx:42:1\n"), "located at `fn loss`, the call of the command: " + r.err());
            assertTrue(r.err().contains("it was inlining `loss` -> `f40` -> `f39`"), r.err());
            assertTrue(s[0] < 6, String.join(" ", args) + " took " + s[0] + " s");
            assertEquals("", r.out());
        }
    }

    @Test
    void aMemoryBoundStopsCompiling() throws IOException {
        String file = doublingFile().toString();
        for (String cmd : new String[] {"run", "ir"}) {
            double[] s = {0};
            Outcome r = timed(s, cmd, file, "--max-memory", "64M");
            assertStoppedAtTheCall(r, "E0503", cmd);
            assertTrue(r.err().contains("compiling this needs more than the --max-memory of 64.0 MiB"), r.err());
            assertTrue(s[0] < 10, cmd + " took " + s[0] + " s");
        }
    }

    /** Without any flag, compiling stops where it would exhaust the heap: in a JVM of 256 MiB, soon. */
    @Test
    void withoutFlagsCompilingStopsBeforeTheHeapRunsOut() throws IOException {
        Path file = doublingFile();
        Outcome r = TxLauncher.inChildJvm(dir, List.of("-Xmx256m"), "run", file.toString());
        assertStoppedAtTheCall(r, "E0503", "tx run without flags");
        assertTrue(r.err().contains("compiling this needs more memory than the JVM may use"), r.err());
        assertTrue(r.err().contains("-Xmx"), "the help says how to give Java more memory: " + r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void aProgramWithinItsLimitsIsNotStopped() throws IOException {
        Path file = Files.writeString(dir.resolve("small.tx"), doubling(8), StandardCharsets.UTF_8);
        Outcome plain = TxRunner.run("run", file.toString());
        assertEquals(0, plain.status(), plain.err());
        Outcome bounded = TxRunner.run("run", file.toString(), "--timeout", "60", "--max-memory", "64M");
        assertEquals(0, bounded.status(), bounded.err());
        assertEquals(plain.out(), bounded.out());
    }

    @Test
    void theLimitsOfIrCheckAndGradAreCheckedLikeRun() {
        String file = TxRunner.root().resolve("examples/functions.tx").toString();
        for (String[] args : new String[][] {{"ir", file, "--timeout", "soon"}, {"check", file, "--max-memory", "lots"},
                {"grad", file, "--fn", "loss", "--timeout"}, {"ir", "--timeout", "1"}, {"check", file, "--frobnicate"}}) {
            Outcome r = TxRunner.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("tx: "), r.err());
        }
        Outcome ir = TxRunner.run("ir", "--timeout", "30", file, "--max-memory", "1G");
        assertEquals(0, ir.status(), ir.err());
        assertEquals(TxRunner.run("ir", file).out(), ir.out());
        Outcome grad = TxRunner.run("grad", file, "--fn", "loss", "--timeout", "30", "--max-memory", "1G");
        assertEquals(0, grad.status(), grad.err());
        assertEquals(TxRunner.run("grad", file, "--fn", "loss").out(), grad.out());
    }

    /**
     * Forty products of 2000 x 2000 matrices take far longer than two seconds here (about 0.3 s each
     * with tx's GEMM at 50 GFLOP/s, 13 s in all; the operand is not a plain fill, which Simplify would
     * turn into sums); the run stops inside one. In a JVM of its own, as the launcher starts it (this
     * JVM's heap and JIT are busy with the other tests), timed from outside, start-up included. The
     * operand is small and made cheaply (not by randn), so that on a loaded machine the deadline
     * still falls in the products: a 6000 x 6000 operand took the whole two seconds to make at a
     * load average of 8, and the run stopped on the line that made it.
     */
    @Test
    void aTimeoutStopsALongMatrixProduct() throws IOException {
        Path file = Files.writeString(dir.resolve("matmul.tx"), """
                a = ones(2000, 2000) * 0.0005
                b = a
                for i in range(40) {
                    b = b @ a
                }
                print(sum(b))
                """, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Outcome r = TxLauncher.inChildJvm(dir, List.of("--add-modules", "jdk.incubator.vector"), "run", file.toString(), "--timeout", "2");
        double[] s = {(System.nanoTime() - t0) / 1e9};
        assertEquals(3, r.status(), r.err());
        assertTrue(r.err().contains("error[E0504]: the program ran longer than the --timeout of 2.0 s; it was stopped here\n --> matmul.tx:4:9\n"),
                r.err());
        assertTrue(s[0] < 5, "took " + s[0] + " s"); // the products alone would take about 13 s
    }
}
