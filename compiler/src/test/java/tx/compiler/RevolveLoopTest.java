package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Stmt;
import tx.runtime.tensor.Tensor;

/**
 * Loops reversed on Revolve's schedule ({@code with checkpoint(snapshots=k)}): the gradients are
 * those of the loop reversed from a full tape, bit for bit, for every number of snapshots from
 * one to more than the steps; the forward loop tapes nothing per step; the program does not grow
 * with the trip count.
 */
class RevolveLoopTest {
    /** A recurrence that reads its counter, carries two values that swap roles, and runs over range(start, stop, step). */
    private static String recurrence(int steps, String with) {
        String loop = """
                for t in range(3, %d, 2) {
                    u = tanh(W @ h + b * t) + 0.5 * g
                    g = h
                    h = u
                }
                """.formatted(3 + 2 * steps);
        String wrapped = with == null ? loop : "with " + with + " {\n" + loop.indent(4) + "}\n";
        return """
                fn f(W: [3, 3], b: [3], h0: [3]) -> [] {
                    h = h0
                    g = h0 * 0.5
                %s    return sum(h * h) + sum(g)
                }
                """.formatted(wrapped.indent(4));
    }

    private static List<Tensor> gradient(String source, int seed) {
        Tx.Module m = Tx.compile("r.tx", source);
        java.util.Random r = new java.util.Random(seed);
        Tensor w = Tensor.of(new int[] {3, 3}, r.doubles(9, -0.6, 0.6).toArray());
        Tensor b = Tensor.of(new int[] {3}, r.doubles(3, -0.3, 0.3).toArray());
        Tensor h = Tensor.of(new int[] {3}, r.doubles(3, -1, 1).toArray());
        return m.grad("f", "W", "b", "h0").call(w, b, h);
    }

    @Test
    void theGradientIsThePlainOneBitForBit() {
        int steps = 23;
        List<Tensor> plain = gradient(recurrence(steps, null), 7);
        for (int k : new int[] {1, 2, 3, 4, 6, 22, 23, 50}) {
            List<Tensor> revolve = gradient(recurrence(steps, "checkpoint(snapshots=" + k + ")"), 7);
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(plain.get(i).data(), revolve.get(i).data(), "snapshots=" + k + ", gradient " + i);
            }
        }
        List<Tensor> perStep = gradient(recurrence(steps, "checkpoint"), 7);
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i).data(), perStep.get(i).data());
    }

    @Test
    void oneStep() {
        List<Tensor> plain = gradient(recurrence(1, null), 3), revolve = gradient(recurrence(1, "checkpoint(snapshots=1)"), 3);
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i).data(), revolve.get(i).data());
    }

    private static String script(int steps, int snapshots) {
        return """
                W = randn(4, 4, seed=1) * 0.4
                W.requires_grad_()
                V = W.detach().clone()
                V.requires_grad_()
                h = randn(4, seed=2)
                for t in range(%1$d) {
                    h = tanh(W @ h) + 0.01 * t
                }
                sum(h * h).backward()
                h = randn(4, seed=2)
                with checkpoint(snapshots=%2$d) {
                    for t in range(%1$d) {
                        h = tanh(V @ h) + 0.01 * t
                    }
                }
                sum(h * h).backward()
                print(equal(W.grad, V.grad))
                """.formatted(steps, snapshots);
    }

    @Test
    void aBackwardInAScriptGivesThePlainGradient() {
        for (int[] c : new int[][] {{200, 5}, {57, 1}, {64, 64}, {10, 3}}) {
            TxRunner.Outcome o = TxRunner.run("run", write(script(c[0], c[1])));
            assertEquals(0, o.status(), o.err());
            assertEquals("True\n", o.out(), "steps=" + c[0] + " snapshots=" + c[1]);
        }
    }

    private static Program compile(String source) {
        Compiler.Result r = Compiler.compile("t.tx", source);
        assertNotNull(r.program(), r.diagnostics().render());
        return r.program();
    }

    private static List<Stmt.Loop> loops(Program p) {
        List<Stmt.Loop> out = new ArrayList<>();
        for (Stmt s : p.body()) if (s instanceof Stmt.Loop l && !l.reverse()) out.add(l); // the forward loops
        return out;
    }

    @Test
    void theForwardLoopStoresSnapshotsNotATape() {
        Program p = compile(script(300, 6));
        Stmt.Loop revolved = loops(p).get(1);
        assertTrue(revolved.tapes().isEmpty(), "tapes: " + revolved.stacked());
        // the state h, carried in 6 + 1 rows: the snapshots and the state of the last step
        Stmt.Loop plain = loops(p).get(0);
        assertTrue(!plain.tapes().isEmpty());
        boolean rows = revolved.outs().stream().anyMatch(v -> java.util.Arrays.equals(v.shapeRef(), new int[] {7, 4}));
        assertTrue(rows, "outs: " + revolved.outs());
    }

    @Test
    void theProgramDoesNotGrowWithTheTripCount() {
        assertEquals(Simplify.countEqns(compile(script(10, 3)).body()), Simplify.countEqns(compile(script(10_000, 3)).body()));
    }

    /** A loop whose state is 1024 float64s (8 KiB), in a plain `with checkpoint` around it or not. */
    private static String wide(int steps, boolean checkpoint) {
        String loop = """
                for t in range(%d) {
                    h = tanh(h * w + 0.1)
                }
                """.formatted(steps);
        return """
                w = full([1024], 0.5, requires_grad=True)
                h = linspace(-1, 1, 1024)
                %s
                sum(h).backward()
                print(sum(w.grad).item(), w.grad[0].item(), w.grad[1023].item())
                """.formatted(checkpoint ? "with checkpoint {\n" + loop.indent(4) + "}" : loop);
    }

    @Test
    void maxMemoryPicksTheScheduleThatFits() {
        // 400 steps: a tape of 400 x 8 KiB = 3.2 MB does not fit in 1M; 1 + 61 states of 8 KiB fit in its half (Revolve's schedule)
        TxRunner.Outcome plain = TxRunner.run("run", write(wide(400, false)));
        assertEquals(0, plain.status(), plain.err());
        TxRunner.Outcome taped = TxRunner.run("run", write(wide(400, false)), "--max-memory", "1M");
        assertEquals(3, taped.status(), "the plain loop's tape does not fit: " + taped.err());
        TxRunner.Outcome fits = TxRunner.run("run", write(wide(400, true)), "--max-memory", "1M");
        assertEquals(0, fits.status(), fits.err());
        assertEquals(plain.out(), fits.out());
        TxRunner.Outcome tight = TxRunner.run("run", write(wide(400, true)), "--max-memory", "20K");
        assertEquals(1, tight.status(), tight.err());
        assertTrue(tight.err().contains("error[E0312]"), tight.err());
        assertTrue(tight.out().isEmpty(), "nothing runs: " + tight.out());
    }

    private static String write(String source) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("revolve", ".tx");
            java.nio.file.Files.writeString(f, source);
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
