package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Stmt;
import tx.runtime.tensor.Tensor;

/**
 * Reverse mode through loops and branches: the program does not grow with the trip count, the
 * reversed loop keeps a tape of only what its body reads, and gradients through loops, nested
 * loops and branches agree with central finite differences of the same program (also through a
 * value first assigned inside a loop, which has no value before it).
 */
class LoopReversalTest {
    private static String recurrence(int steps) {
        return """
                W = tensor([[0.5, -0.3], [0.2, 0.4]], requires_grad=true)
                b = tensor([0.1, -0.2], requires_grad=true)
                h = tensor([1.0, 0.5])
                for t in range(%d) {
                    h = tanh(W @ h + b)
                }
                loss = sum(h ** 2)
                loss.backward()
                print(W.grad, b.grad)
                """.formatted(steps);
    }

    private static Program compile(String source) {
        Compiler.Result r = Compiler.compile("t.tx", source);
        assertNotNull(r.program(), r.diagnostics().render());
        return r.program();
    }

    @Test
    void theProgramDoesNotGrowWithTheTripCount() {
        int small = Simplify.countEqns(compile(recurrence(10)).body());
        int large = Simplify.countEqns(compile(recurrence(10_000)).body());
        assertEquals(small, large, "equations for 10 steps and for 10,000 steps");
        assertTrue(small < 60, "the reversed recurrence has " + small + " equations");
    }

    @Test
    void theTapeHoldsWhatTheReversedBodyReads() {
        Program p = compile(recurrence(7));
        List<Stmt.Loop> loops = p.body().stream().filter(s -> s instanceof Stmt.Loop).map(s -> (Stmt.Loop) s).toList();
        assertEquals(2, loops.size(), "the forward loop and its reversal");
        Stmt.Loop forward = loops.get(0), backward = loops.get(1);
        assertTrue(!forward.reverse() && backward.reverse());
        // tanh's adjoint reads its output, and the matmul's adjoint for W reads h from the start of the iteration
        assertEquals(2, forward.tapes().size(), "tapes: " + forward.stacked());
        for (Stmt.Loop l : loops) assertEquals(7, l.count());
        for (var t : forward.tapes()) assertEquals(7, t.shapeRef()[0]);
        assertTrue(backward.tapes().isEmpty());
    }

    @Test
    void aBranchInALoopTapesItsConditionAndWhatItsAdjointReadsButNotItsConstants() {
        Program p = compile("""
                b = tensor([0.3, -0.7, 1.2], requires_grad=true)
                s = tensor(0.0)
                for k in range(3) {
                    if b[k] > 0 {
                        s = s + b[k] ** 3
                    } else {
                        s = s - 2 * b[k]
                    }
                }
                s.backward()
                print(b.grad)
                """);
        Stmt.Loop forward = (Stmt.Loop) p.body().stream().filter(s -> s instanceof Stmt.Loop l && !l.reverse()).findFirst().orElseThrow();
        // the condition (which side each iteration took) and b[k] for the cube's derivative; the constants 3 and 2 are made again
        assertEquals(2, forward.tapes().size(), "tapes: " + forward.stacked());
    }

    @Test
    void aTenThousandStepRecurrenceRuns() {
        TxRunner.Outcome r = TxRunner.run("run", write(recurrence(10_000)));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("tensor([["), r.out());
    }

    private static String write(String source) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("loop", ".tx");
            java.nio.file.Files.writeString(f, source);
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- gradients against finite differences ----------------------------------------------------------

    /** Functions with loops and branches; each is differentiated with respect to its first parameter. */
    private static final String FUNCTIONS = """
            fn rnn(W: [3, 3], xs: [5, 3], h0: [3]) -> [] {
                h = h0
                for t in range(5) {
                    h = tanh(W @ h + xs[t])
                }
                return sum(h * h)
            }
            fn inputs(xs: [5, 3], W: [3, 3], h0: [3]) -> [] {
                h = h0
                for t in range(5) {
                    h = tanh(W @ h + xs[t] * xs[t])
                }
                return sum(h)
            }
            fn nested(x: [2]) -> [] {
                h = x
                for i in range(3) {
                    for j in range(2) {
                        h = sin(h) * x + 0.5 * h
                    }
                    h = h / (1 + sum(h * h))
                }
                return sum(h)
            }
            fn piecewise(x: [4]) -> [] {
                s = tensor(0.0)
                for k in range(4) {
                    if x[k] > 0.2 {
                        s = s + x[k] ** 3
                    } else {
                        s = s - exp(x[k]) * s
                    }
                }
                return s * s
            }
            fn branch(x: [3]) -> [] {
                if sum(x) > 0 {
                    y = x * x
                } else {
                    y = sin(x)
                }
                return sum(y * x)
            }
            fn euler(k: [2], y0: [2]) -> [] {
                y = y0
                for t in range(20) {
                    y = y + 0.05 * (-k * y + sin(y))
                }
                return sum(y ** 2)
            }
            fn firstin(x: [3]) -> [] {
                acc = 0.0
                for i in range(2) {
                    for t in range(3) {
                        z = x * t + acc
                    }
                    acc = sum(z * z)
                }
                return acc
            }
            """;

    @Test
    void gradientsThroughLoopsAndBranchesAgreeWithFiniteDifferences() {
        Tx.Module m = Tx.compile("loops.tx", FUNCTIONS);
        java.util.Random rng = new java.util.Random(7);
        record Fn(String name, int[][] shapes) {}
        List<Fn> fns = List.of(
                new Fn("rnn", new int[][] {{3, 3}, {5, 3}, {3}}), new Fn("inputs", new int[][] {{5, 3}, {3, 3}, {3}}),
                new Fn("nested", new int[][] {{2}}), new Fn("piecewise", new int[][] {{4}}), new Fn("branch", new int[][] {{3}}),
                new Fn("euler", new int[][] {{2}, {2}}), new Fn("firstin", new int[][] {{3}})); // z: first assigned in the loop
        for (Fn f : fns) {
            for (int trial = 0; trial < 3; trial++) {
                Tensor[] args = new Tensor[f.shapes().length];
                for (int i = 0; i < args.length; i++) {
                    double[] d = new double[Math.max(1, java.util.Arrays.stream(f.shapes()[i]).reduce(1, (a, c) -> a * c))];
                    for (int k = 0; k < d.length; k++) d[k] = rng.nextDouble() * 1.6 - 0.6;
                    args[i] = Tensor.of(f.shapes()[i], d);
                }
                Tensor g = m.grad(f.name()).call(args).get(0);
                double[] x = args[0].data().clone();
                for (int k = 0; k < x.length; k++) {
                    double h = 1e-6, keep = x[k];
                    x[k] = keep + h;
                    double up = value(m, f.name(), args, x);
                    x[k] = keep - h;
                    double down = value(m, f.name(), args, x);
                    x[k] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, g.get(k), 1e-6 * (1 + Math.abs(fd)), f.name() + " element " + k + " trial " + trial);
                }
            }
        }
    }

    private static double value(Tx.Module m, String fn, Tensor[] args, double[] first) {
        Tensor[] a = args.clone();
        a[0] = Tensor.of(args[0].shape(), first.clone());
        return m.function(fn).call(a).get(0).item();
    }

    // ---- checkpointing ---------------------------------------------------------------------------------

    private static String layers(int steps, boolean checkpoint) {
        String body = """
                        a = tanh(W1 @ h)
                        b = tanh(W2 @ a)
                        c = tanh(W3 @ b)
                """;
        return """
                W1 = randn(16, 16, seed=1) * 0.3
                W2 = randn(16, 16, seed=2) * 0.3
                W3 = randn(16, 16, seed=3) * 0.3
                W1.requires_grad_()
                h = randn(16, seed=4)
                for t in range(%d) {
                %s    h = h + 0.1 * (c - h)
                }
                loss = sum(h * h)
                loss.backward()
                print(loss, W1.grad)
                """.formatted(steps, checkpoint ? "    with checkpoint {\n" + body.indent(4) + "    }\n" : body);
    }

    @Test
    void checkpointingTapesOnlyTheCarriedState() {
        Stmt.Loop plain = (Stmt.Loop) compile(layers(10, false)).body().stream().filter(s -> s instanceof Stmt.Loop).findFirst().orElseThrow();
        Stmt.Loop cp = (Stmt.Loop) compile(layers(10, true)).body().stream().filter(s -> s instanceof Stmt.Loop).findFirst().orElseThrow();
        assertEquals(4, plain.tapes().size(), "without checkpointing: " + plain.stacked());
        assertEquals(1, cp.tapes().size(), "with checkpointing: " + cp.stacked());
        assertEquals(cp.params().get(0), cp.stacked().get(0), "the tape holds the carried state");
    }

    @Test
    void checkpointingGivesTheSameNumbersAndFitsWhereTheTapeDoesNot() {
        TxRunner.Outcome plain = TxRunner.run("run", write(layers(2000, false)));
        TxRunner.Outcome cp = TxRunner.run("run", write(layers(2000, true)));
        assertEquals(0, plain.status(), plain.err());
        assertEquals(plain.out(), cp.out());
        // the tapes: 4 x 2000 x 16 float64s = 1,024,000 bytes without, 256,000 with checkpointing
        TxRunner.Outcome tight = TxRunner.run("run", write(layers(2000, false)), "--max-memory", "600K");
        assertEquals(3, tight.status(), tight.err());
        assertTrue(tight.err().contains("error[E0503]: this loop's tape needs 1024000 bytes"), tight.err());
        TxRunner.Outcome fits = TxRunner.run("run", write(layers(2000, true)), "--max-memory", "600K");
        assertEquals(0, fits.status(), fits.err());
        assertEquals(plain.out(), fits.out());
    }
}
