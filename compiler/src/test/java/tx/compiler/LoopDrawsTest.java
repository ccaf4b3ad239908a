package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random draws in loops and calls (LANGUAGE.md §5) have PyTorch's structure (and its numbers:
 * conformance/cases/torch_generator.tx): each iteration of a loop, each pair of iterations of nested loops and
 * each call of a function draws new numbers; {@code manual_seed(k)} in a body makes every iteration
 * draw the same; {@code manual_seed(k)} before two equal loops repeats them; a backward through a
 * loop uses each iteration's own draws. What is compared is the printed numbers, with each other.
 * The {@code calls} execution of surefire runs this class again with every call an IR function.
 */
class LoopDrawsTest {
    @TempDir Path dir;

    private List<String> lines(String source) {
        TxRunner.Outcome o = TxRunner.runSource(dir, source);
        assertEquals(0, o.status(), o.err());
        return o.out().strip().lines().toList();
    }

    private static void allDiffer(List<String> lines) {
        assertEquals(lines.size(), new HashSet<>(lines).size(), "lines repeat: " + lines);
    }

    @Test
    void eachIterationDrawsNewNumbersFromEveryKindOfRandomCall() {
        // 20 elements: two of PyTorch's dropout masks of 6 were equal here (a chance of 1 in 64 a pair)
        for (String call : List.of("rand(20)", "randn(20)", "randint(0, 1000000, (20,))", "rand_like(x)", "randn_like(x)", "dropout(x, p=0.5)",
                "torch.nn.functional.dropout(x, p=0.5)", "torch.rand(20)", "torch.randperm(20)")) {
            String program = "x = ones(20)\nfor i in range(4) {\n    print(" + call + ".tolist())\n}\n"; // a line each
            List<String> out = lines(program);
            assertEquals(4, out.size(), call);
            allDiffer(out);
            List<String> seeded = lines("manual_seed(3)\n" + program); // also after manual_seed
            allDiffer(seeded);
            assertNotEquals(out, seeded, call);
        }
    }

    @Test
    void nestedLoopsDrawNewNumbersForEachPairOfIterations() {
        List<String> out = lines("""
                manual_seed(0)
                for i in range(3) {
                    for j in range(3) { print(rand(4)) }
                    print(randn(4))
                }
                """);
        assertEquals(12, out.size());
        allDiffer(out);
    }

    @Test
    void aWhileAndALoopOverAListDrawNewNumbersEachIteration() {
        List<String> out = lines("""
                k = 0
                while k < 3 {
                    print(rand(4))
                    k += 1
                }
                for t in [1.0, 2.0, 3.0] { print(rand(4)) }
                for t in range(2, 12, 5) { print(rand(4)) }
                """);
        assertEquals(8, out.size());
        allDiffer(out);
    }

    @Test
    void manualSeedInTheBodyRepeatsTheDrawsAsAFreshSeedDoes() {
        List<String> out = lines("""
                x = ones(6)
                for i in range(3) {
                    manual_seed(5)
                    print(rand(4), dropout(x))
                    for j in range(2) { print(randn(2)) }
                }
                manual_seed(5)
                print(rand(4), dropout(x))
                """);
        assertEquals(10, out.size());
        for (int i = 1; i < 3; i++) {
            assertEquals(out.subList(0, 3), out.subList(3 * i, 3 * i + 3), "iteration " + i);
        }
        assertEquals(out.get(0), out.get(9)); // the first draws of the stream 5, as outside the loop
        assertNotEquals(out.get(1), out.get(2)); // the inner loop's iterations still differ
    }

    @Test
    void manualSeedBeforeTwoEqualLoopsRepeatsTheWholeSequence() {
        List<String> out = lines("""
                manual_seed(1)
                for i in range(3) { print(rand(4), randint(0, 1000, (2,))) }
                a = rand(4)
                print(a)
                manual_seed(1)
                for i in range(3) { print(rand(4), randint(0, 1000, (2,))) }
                print(rand(4))
                for i in range(3) { print(rand(4), randint(0, 1000, (2,))) }
                """);
        assertEquals(11, out.size());
        assertEquals(out.subList(0, 4), out.subList(4, 8));
        allDiffer(out.subList(4, 11)); // a second loop after the first goes on with the stream
    }

    @Test
    void aCallWithItsOwnSeedDrawsTheSameNumbersInEveryIteration() {
        List<String> out = lines("""
                print(rand(4, seed=9))
                for i in range(3) { print(rand(4, seed=9)) }
                """);
        assertEquals(1, new HashSet<>(out).size(), out.toString());
    }

    @Test
    void eachCallOfAFunctionDrawsNewNumbers() {
        List<String> out = lines("""
                fn noisy(x: [6]) -> [6] { return dropout(x, p=0.5) + rand(6) }
                fn twice(x: [6]) -> [6] { return noisy(x) - noisy(x) }
                x = ones(6)
                print(noisy(x))
                print(noisy(x))
                for i in range(3) { print(noisy(x)) }
                print(twice(x))
                manual_seed(4)
                print(noisy(x))
                print(noisy(x))
                """);
        assertEquals(8, out.size());
        allDiffer(out);
        assertTrue(Arrays.stream(numbers(out.get(5))).anyMatch(v -> v != 0), out.get(5)); // noisy(x) - noisy(x): two calls, two draws
    }

    /** The masks a program prints as rows of 0. and 2. (p=0.5), one row per line. */
    private static double[][] masks(List<String> rows) {
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) m[i] = numbers(rows.get(i));
        return m;
    }

    private static double[] numbers(String printed) {
        String inner = printed.substring(printed.indexOf('[') + 1, printed.lastIndexOf(']'));
        return Arrays.stream(inner.split(",")).mapToDouble(s -> Double.parseDouble(s.strip())).toArray();
    }

    /**
     * The loss Σ_i sum(dropout(x) · x) over four iterations is Σ_i Σ_j m_ij x_j², with m_ij the
     * printed mask (0 or 2), so its gradient is 2 x_j Σ_i m_ij: each iteration's own mask, counted
     * from the printed masks; in a checkpoint, whose reversal draws the masks again, as well.
     */
    @Test
    void aBackwardThroughALoopUsesEachIterationsOwnMask() {
        for (String body : List.of("y = dropout(x, p=0.5)", "with checkpoint { y = dropout(x, p=0.5) }")) {
            List<String> out = lines("""
                    x = tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], requires_grad=true)
                    total = tensor(0.0)
                    for i in range(4) {
                        BODY
                        print(y.detach() / x.detach())
                        total = total + (y * x).sum()
                    }
                    total.backward()
                    print(x.grad)
                    """.replace("BODY", body));
            assertEquals(5, out.size(), body);
            double[][] m = masks(out.subList(0, 4));
            allDiffer(out.subList(0, 4));
            double[] grad = numbers(out.get(4));
            for (int j = 0; j < 8; j++) {
                double count = 0;
                for (double[] row : m) count += row[j];
                assertEquals(2 * (j + 1) * count, grad[j], 1e-12, body + ": element " + j);
            }
        }
    }

    /** A loop reversed on Revolve's schedule, or with each step checkpointed, recomputes its steps: with each step's own masks. */
    @Test
    void aRecomputedReversalDrawsEachIterationsMasksAgain() {
        String plain = """
                x = tensor([1.0, 2.0, 3.0, 4.0], requires_grad=true)
                manual_seed(4)
                h = x
                OPEN for t in range(2, 42, 2) { STEP } CLOSE
                h.sum().backward()
                print(x.grad)
                """;
        String step = "h = tanh(h * dropout(x, p=0.3) + 0.1)";
        List<String> a = lines(plain.replace("OPEN", "").replace("CLOSE", "").replace("STEP", step));
        List<String> b = lines(plain.replace("OPEN", "with checkpoint(snapshots=3) {").replace("CLOSE", "}").replace("STEP", step));
        List<String> c = lines(plain.replace("OPEN", "").replace("CLOSE", "").replace("STEP", "with checkpoint { " + step + " }"));
        assertEquals(a, b);
        assertEquals(a, c);
        assertTrue(Arrays.stream(numbers(a.get(0))).anyMatch(v -> v != 0), a.toString());
    }

    /** grad(f) of a function whose loop draws: the same masks as f's own run after the same seed. */
    @Test
    void gradOfAFunctionWithALoopUsesTheMasksItsRunDraws() {
        List<String> out = lines("""
                fn f(x: [5]) -> [5] {
                    s = zeros(5)
                    for i in range(3) { s = s + dropout(ones(5), p=0.5) }
                    return s
                }
                fn g(x: [5]) -> [] {
                    s = tensor(0.0)
                    for i in range(3) { s = s + (dropout(ones(5), p=0.5) * x * x).sum() }
                    return s
                }
                x = tensor([1.0, 2.0, 3.0, 4.0, 5.0])
                manual_seed(2)
                print(f(x))
                manual_seed(2)
                print(grad(g)(x))
                """);
        double[] count = numbers(out.get(0)); // Σ_i m_i
        double[] grad = numbers(out.get(1));
        for (int j = 0; j < 5; j++) assertEquals(2 * (j + 1) * count[j], grad[j], 1e-12, "element " + j);
    }

    /** Java writes the generator's state as a variable, so a draw in a loop too; tx writes a draw as a call with its own seed=, so one. */
    @Test
    void txGradWritesADrawInALoopAsJavaAndRefusesItAsTx() throws Exception {
        Path file = Files.writeString(dir.resolve("d.tx"), """
                fn f(x: [5]) -> [] {
                    s = tensor(0.0)
                    for i in range(3) { s = s + (dropout(x, p=0.5) * x).sum() }
                    return s
                }
                fn h(x: [5]) -> [] { return (dropout(x, p=0.5) * x).sum() }
                """);
        TxRunner.Outcome o = TxRunner.run("grad", file.toString(), "--fn", "f", "--emit", "tx");
        assertEquals(1, o.status());
        assertTrue(o.err().contains("error[E0601]") && o.err().contains("a second draw from PyTorch's generator"), o.err());
        TxRunner.Outcome java = TxRunner.run("grad", file.toString(), "--fn", "f", "--emit", "java");
        assertEquals(0, java.status(), java.err());
        assertTrue(java.out().contains("genNext("), java.out());
        TxRunner.Outcome h = TxRunner.run("grad", file.toString(), "--fn", "h"); // outside a loop: written, with its seed
        assertEquals(0, h.status(), h.err());
        assertTrue(h.out().contains("rand([5], seed="), h.out());
    }

    /**
     * A while that draws, in a for loop, would run again in the written reversal from the for loop's
     * tape, which holds no generator state: Java refuses it (E0601) rather than writing a gradient
     * that draws other numbers (it did, before this test).
     */
    @Test
    void aWhileThatDrawsInsideALoopIsNotWrittenToRunAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("w.tx"), """
                fn f(x: [3]) -> [] {
                    s = 0.0
                    for i in range(2) {
                        y = x
                        while sum(y) < 10.0 { y = y * (1.5 + rand(3)) }
                        s = s + sum(y * x)
                    }
                    return s
                }
                """);
        TxRunner.Outcome java = TxRunner.run("grad", file.toString(), "--fn", "f", "--emit", "java");
        assertEquals(1, java.status(), java.out());
        assertTrue(java.err().contains("error[E0601]") && java.err().contains("`while` loop inside another loop"), java.err());
    }
}
