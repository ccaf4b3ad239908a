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
 * {@code while} loops with a data-dependent condition, and {@code break}/{@code continue}: the
 * gradient program is one reversed loop whatever the trip count (its tape grows as the forward loop
 * runs), and gradients through them agree with central finite differences.
 */
class WhileLoopTest {
    /** Doubling until a norm passes {@code bound}: the trip count grows with the bound, the program must not. */
    private static String doubling(double bound) {
        return """
                w = tensor([0.3, -0.4, 0.5], requires_grad=true)
                v = w
                k = 0
                while norm(v) < %s {
                    v = v * 2 + sin(w)
                    k += 1
                }
                sum(v * v).backward()
                print(k, w.grad)
                """.formatted(bound);
    }

    private static Program compile(String source) {
        Compiler.Result r = Compiler.compile("t.tx", source);
        assertNotNull(r.program(), r.diagnostics().render());
        return r.program();
    }

    @Test
    void theGradientProgramDoesNotDependOnTheTripCount() {
        int small = Simplify.countEqns(compile(doubling(10)).body());
        int large = Simplify.countEqns(compile(doubling(1e100)).body());
        assertEquals(small, large, "equations for a few iterations and for hundreds");
        TxRunner.Outcome few = TxRunner.run("run", write(doubling(10))), many = TxRunner.run("run", write(doubling(1e100)));
        assertEquals(0, few.status(), few.err());
        assertEquals(0, many.status(), many.err());
        assertTrue(few.out().startsWith(trips(10) + " tensor(["), few.out());
        assertTrue(many.out().startsWith(trips(1e100) + " tensor(["), many.out());
        assertTrue(trips(1e100) > 300, "hundreds of iterations");
    }

    /** The trip count of {@link #doubling}'s loop, computed here in plain Java. */
    private static int trips(double bound) {
        double[] w = {0.3, -0.4, 0.5}, v = w.clone();
        int k = 0;
        while (Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) < bound) {
            for (int i = 0; i < 3; i++) v[i] = v[i] * 2 + Math.sin(w[i]);
            k++;
        }
        return k;
    }

    @Test
    void aWhileIsOneLoopWithAGrowingTapeAndItsReversalACountedLoop() {
        Program p = compile(doubling(10));
        List<Stmt.Loop> loops = p.body().stream().filter(s -> s instanceof Stmt.Loop).map(s -> (Stmt.Loop) s).toList();
        assertEquals(2, loops.size(), "the while and its reversal");
        Stmt.Loop forward = loops.get(0), backward = loops.get(1);
        assertTrue(forward.isWhile() && !forward.reverse());
        assertTrue(backward.reverse() && backward.runTime() != null && backward.runTime().count().equals(forward.runTime().trips()),
                "the reversal runs as many iterations as the while did");
        assertTrue(forward.tapes().isEmpty(), "v * 2 + sin(w) needs no forward value in its reversal: " + forward.stacked());
    }

    @Test
    void aLongWhileRunsAndItsTapeGrows() {
        TxRunner.Outcome r = TxRunner.run("run", write("""
                x = tensor([1.0, 2.0], requires_grad=true)
                h = x
                n = 0
                while n < 100000 {
                    h = h * 0.99999 + sin(h) * 1e-5
                    n += 1
                }
                sum(h * h).backward()
                print(n, x.grad)
                """));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("100000 tensor(["), r.out());
    }

    @Test
    void aRunawayTapeStopsAtTheMemoryLimitWithADiagnostic() {
        TxRunner.Outcome r = TxRunner.run("run", "--max-memory", "2M", write("""
                x = tensor([1.0, 2.0, 3.0, 4.0], requires_grad=true)
                h = x
                while sum(h) > 0 {
                    h = sin(h) + 1
                }
                sum(h).backward()
                """));
        assertEquals(3, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("E0503") && r.err().contains("tape"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }

    @Test
    void forwardModeThroughAWhile() {
        Tx.Module m = Tx.compile("w.tx", FUNCTIONS);
        Tensor x = Tensor.of(new int[] {3}, new double[] {0.2, -0.5, 0.7}), t = Tensor.of(new int[] {3}, new double[] {1, 0, 0});
        List<Tensor> out = m.jvp("grow").call(x, t);
        Tensor g = m.grad("grow").call(x).get(0);
        assertEquals(g.get(0), out.get(1).item(), 1e-9 * (1 + Math.abs(g.get(0))), "the tangent along e0 is the gradient's first element");
    }

    private static String write(String source) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("while", ".tx");
            java.nio.file.Files.writeString(f, source);
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- gradients against finite differences ----------------------------------------------------------

    private static final String FUNCTIONS = """
            fn grow(x: [3]) -> [] {
                v = x
                while sum(v * v) < 50 {
                    v = v * 1.3 + sin(v)
                }
                return sum(v * x)
            }
            fn jumps(x: [3]) -> [] {
                s = x
                for i in range(8) {
                    if i == 2 {
                        continue
                    }
                    s = tanh(s) * x + s
                    if sum(s) > 4 {
                        break
                    }
                }
                return sum(s * s)
            }
            fn loopy(x: [2]) -> [] {
                h = x
                k = 0
                while k < 6 {
                    k += 1
                    if k % 2 == 0 {
                        continue
                    }
                    h = sin(h) * x + h * 0.5
                    if sum(h * h) > 30 {
                        break
                    }
                }
                return sum(h)
            }
            fn nested(x: [2]) -> [] {
                h = x
                i = 0
                while i < 3 {
                    j = 0
                    while j < i + 1 {
                        h = h * 0.9 + sin(h * x)
                        j += 1
                    }
                    i += 1
                }
                return sum(h * h)
            }
            fn forever(x: [2]) -> [] {
                h = x
                while True {
                    h = h * 1.5 + x * x
                    if sum(abs(h)) > 10 {
                        break
                    }
                }
                return sum(h * x)
            }
            """;

    @Test
    void gradientsThroughWhileBreakAndContinueAgreeWithFiniteDifferences() {
        Tx.Module m = Tx.compile("while.tx", FUNCTIONS);
        java.util.Random rng = new java.util.Random(11);
        record Fn(String name, int size) {}
        for (Fn f : List.of(new Fn("grow", 3), new Fn("jumps", 3), new Fn("loopy", 2), new Fn("nested", 2), new Fn("forever", 2))) {
            for (int trial = 0; trial < 4; trial++) {
                double[] x = new double[f.size()];
                for (int k = 0; k < x.length; k++) x[k] = rng.nextDouble() * 1.6 - 0.6;
                Tensor g = m.grad(f.name()).call(Tensor.of(new int[] {f.size()}, x.clone())).get(0);
                for (int k = 0; k < x.length; k++) {
                    double h = 1e-6, keep = x[k];
                    x[k] = keep + h;
                    double up = m.function(f.name()).call(Tensor.of(new int[] {f.size()}, x.clone())).get(0).item();
                    x[k] = keep - h;
                    double down = m.function(f.name()).call(Tensor.of(new int[] {f.size()}, x.clone())).get(0).item();
                    x[k] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, g.get(k), 1e-5 * (1 + Math.abs(fd)), f.name() + " element " + k + " trial " + trial);
                }
            }
        }
    }
}
