package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.FusionPass;
import tx.runtime.ir.Program;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.ir.Verifier;
import tx.runtime.tensor.Tensor;

/**
 * Fused evaluation (runs of elementwise equations, tile by tile) gives exactly the numbers of
 * unfused evaluation. --detect-anomaly turns fusion off, so the same program is run both ways and
 * the gradients compared bit for bit, on tensors large enough to be fused (and to use the Vector
 * API), with lengths that are not multiples of the tile or of the vector. Fusion is a pass from IR
 * to IR ({@link FusionPass}): its output must verify, and {@code tx ir --fused} shows it.
 */
class FusionTest {
    private static final String[] PROGRAMS = {
        // a chain with transcendental functions, scalars and a sum between the primal and the adjoint
        """
        x = randn(10007, seed=1, requires_grad=true)
        loss = sum(sin(x) * exp(-x * x) + tanh(x) / 3 - cos(x) ** 2)
        loss.backward()
        """,
        // slices read in place (Rosenbrock), and a value read both inside and outside a run
        """
        x = randn(20001, seed=2, requires_grad=true)
        r = x[1:] - x[:-1] ** 2
        loss = sum(100 * r ** 2 + (1 - x[:-1]) ** 2) + sum(r)
        loss.backward()
        """,
        // 2-D with broadcasting from a single number only, maximum and where (not fused: mixed shapes)
        """
        a = randn(70, 90, seed=3, requires_grad=true)
        b = randn(70, 90, seed=4, requires_grad=true)
        h = maximum(a * b, 0.1) + where(a > 0, sqrt(abs(b) + 1), log1p(abs(a)))
        loss = sum(h * h - a / (1 + b * b))
        loss.backward()
        """,
        // operands broadcast along the leading axes ([97, 1], a softmax's maximum and sum) and the trailing ones
        // (a bias of [131]), on either side; sums and maxima over trailing axes folded as the run goes (rows of 131
        // and of 35 x 41 cross the tiles' edges)
        """
        x = randn(97, 131, seed=6, requires_grad=true)
        b = randn(131, seed=7, requires_grad=true)
        c = randn(97, 1, seed=8, requires_grad=true)
        y = randn(6, 35, 41, seed=9, requires_grad=true)
        h = softmax(x * 0.7 + b, dim=1)
        g = c - log(softmax(x, dim=1) + 1) / c
        s = sum(y * y, dim=(1, 2), keepdim=true)
        loss = sum(h * h) + sum(g * x) + sum(amax(h - x, dim=1) * c) + sum(softmax(y, dim=2) * y) + sum(y / s)
        loss.backward()
        """,
        // sums and maxima over leading axes folded as the run goes (the gradients of m and b, broadcast along the
        // leading axes, are such sums; 29 x 31 results, so each tile ends inside a row of results)
        """
        x = randn(37, 29, 31, seed=17, requires_grad=true)
        m = randn(29, 31, seed=18, requires_grad=true)
        b = randn(31, seed=19, requires_grad=true)
        h = x - m
        g = tanh(h) * b
        loss = sum(g * g) + sum(amax(h * 2, dim=0) * m) + sum(sum(exp(-h * h), dim=(0, 1), keepdim=true) * b)
        loss.backward()
        """,
    };

    @Test
    void fusedAndUnfusedGradientsAreIdentical() {
        for (String program : PROGRAMS) assertSameBits(Compiler.compile("fusion.tx", program), program);
    }

    /** Runs a program fused and unfused (--detect-anomaly turns fusion off) and compares its leaves' gradients bit for bit. */
    private static void assertSameBits(Compiler.Result r, String program) {
        assertNotNull(r.program(), r.diagnostics().render());
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Tensor[] fused = Interpreter.run(r.program(), quiet, RunOptions.DEFAULT);
        Tensor[] unfused = Interpreter.run(r.program(), quiet, new RunOptions(true, 0, 0));
        assertEquals(unfused.length, fused.length);
        for (int i = 0; i < fused.length; i++) assertArrayEquals(bits(unfused[i]), bits(fused[i]), "leaf " + i + " of:\n" + program);
    }

    private static long[] bits(Tensor t) {
        double[] d = t.data();
        long[] b = new long[d.length];
        for (int k = 0; k < d.length; k++) b[k] = Double.doubleToRawLongBits(d[k]);
        return b;
    }

    @Test
    void theChainsAreReallyFused() {
        // guards against a fusion that is silently off: each program's elementwise chain runs fused
        int[] atLeast = {15, 8, 20, 30, 8};
        for (int i = 0; i < PROGRAMS.length; i++) {
            Compiler.Result r = Compiler.compile("fusion.tx", PROGRAMS[i]);
            int fused = Interpreter.fusedEquations(r.program());
            org.junit.jupiter.api.Assertions.assertTrue(fused >= atLeast[i], "program " + i + ": " + fused + " equations fused");
        }
    }

    @Test
    void broadcastOperandsAndTrailingReductionsJoinTheirRuns() {
        Compiler.Result r = Compiler.compile("fusion.tx", PROGRAMS[3]);
        assertNotNull(r.program(), r.diagnostics().render());
        boolean rows = false, columns = false, sum = false, max = false;
        for (Stmt s : FusionPass.run(r.program(), List.of()).body()) {
            if (!(s instanceof Stmt.Fused f)) continue;
            for (Stmt.Eqn e : f.eqns()) {
                for (Var v : e.in()) {
                    rows |= FusionPass.rows(v.shapeRef(), f.shape()) > 0;
                    columns |= FusionPass.columns(v.shapeRef(), f.shape()) > 0;
                }
            }
            for (Stmt.Eqn e : f.sums()) {
                sum |= e.prim() == tx.runtime.ir.Prim.SUM && FusionPass.groupReduction(e);
                max |= e.prim() == tx.runtime.ir.Prim.MAX && FusionPass.groupReduction(e);
            }
        }
        assertTrue(rows && columns && sum && max, "rows " + rows + ", columns " + columns + ", sums over rows " + sum + ", maxima " + max);
    }

    @Test
    void leadingReductionsJoinTheirRuns() {
        Compiler.Result r = Compiler.compile("fusion.tx", PROGRAMS[4]);
        assertNotNull(r.program(), r.diagnostics().render());
        int sums = 0, maxima = 0;
        for (Stmt s : FusionPass.run(r.program(), List.of()).body()) {
            if (!(s instanceof Stmt.Fused f)) continue;
            for (Stmt.Eqn e : f.sums()) {
                if (!FusionPass.leadingReduction(e)) continue;
                if (e.prim() == tx.runtime.ir.Prim.SUM) sums++;
                else maxima++;
            }
        }
        // the gradients of m (over axis 0) and of b (over axes 0 and 1), the sum over axes 0 and 1, the maximum over axis 0
        assertTrue(sums >= 3 && maxima >= 1, "sums over leading axes " + sums + ", maxima " + maxima);
    }

    /** A matrix times a vector and times its tangent (jvp), read in place and transposed: each pair one product. */
    private static final String STACKED = """
            fn g(x: [100], A: [100, 100]) -> [100] { return tanh(A @ x) * x }
            fn h(x: [50], B: [50, 100]) -> [100] { return sin(B.T @ x) }
            A = randn(100, 100, seed=10)
            B = randn(50, 100, seed=13)
            x = randn(100, seed=11)
            v = randn(100, seed=12)
            u = randn(50, seed=14)
            z = randn(50, seed=15)
            y, t = jvp(g)(x, A, v)
            y2, t2 = jvp(h)(u, B, z)
            w = randn(100, seed=16, requires_grad=true)
            loss = sum(w * t) + sum(w * t2 * 3)
            loss.backward()
            """;

    @Test
    void productsOfAMatrixWithAVectorAndItsTangentAreOneProductWithTheSameBits() {
        Compiler.Result r = Compiler.compile("stacked.tx", STACKED);
        assertNotNull(r.program(), r.diagnostics().render());
        Program fused = FusionPass.run(r.program(), List.of());
        Verifier.verify(fused);
        assertEquals(0, count(r.program().body(), tx.runtime.ir.Prim.CAT), "the compiled program has no concatenation");
        assertEquals(2, count(fused.body(), tx.runtime.ir.Prim.CAT), "one stacked product per pair");
        assertEquals(count(r.program().body(), tx.runtime.ir.Prim.MATMUL) - 2, count(fused.body(), tx.runtime.ir.Prim.MATMUL));
        assertTrue(fused.varCount() > r.program().varCount(), "the stacked operands and products are new variables");
        assertSameBits(r, STACKED); // w.grad is t + 3 t2, the two tangents
    }

    /** The equations of a primitive in a body and in the functions it calls (compiled as calls under -Dtx.inline=never). */
    private static long count(List<Stmt> body, tx.runtime.ir.Prim p) {
        long n = body.stream().filter(s -> s instanceof Stmt.Eqn e && e.prim() == p).count();
        for (tx.runtime.ir.Func f : Blocks.functions(body)) n += f.body().stream().filter(s -> s instanceof Stmt.Eqn e && e.prim() == p).count();
        return n;
    }

    @Test
    void whatBroadcastsAlongLeadingOrTrailingAxes() {
        int[] shape = {4, 5, 6};
        assertEquals(30, FusionPass.rows(new int[] {4, 1, 1}, shape));
        assertEquals(6, FusionPass.rows(new int[] {4, 5, 1}, shape));
        assertEquals(0, FusionPass.rows(new int[] {1, 5, 1}, shape));
        assertEquals(0, FusionPass.rows(new int[] {4, 5, 6}, shape));
        assertEquals(6, FusionPass.columns(new int[] {6}, shape));
        assertEquals(30, FusionPass.columns(new int[] {1, 5, 6}, shape));
        assertEquals(0, FusionPass.columns(new int[] {4, 1, 6}, shape));
        assertEquals(0, FusionPass.columns(new int[] {1, 1, 1}, shape));
        assertEquals(0, FusionPass.columns(new int[] {5, 1}, shape));
    }

    /**
     * Chains in every kind of block: a function's body (compiled as a call: -Dtx.inline=never), the
     * body of a loop and its reversal, both branches of an `if` and of its adjoint, the top level.
     */
    private static final String NESTED = """
            fn f(x: [10007]) -> [10007] {
                return tanh(x) * 0.5 + sin(x) * exp(-x * x)
            }
            x = randn(10007, seed=5, requires_grad=true)
            total = sum(x * 0)
            for k in range(3) {
                total = total + sum(f(x) * (k + 1) - cos(x) ** 2)
            }
            if total > 0 {
                y = sqrt(abs(x) + 1) * x - x / 3
            } else {
                y = log1p(abs(x)) * x + x / 3
            }
            loss = total + sum(y * y)
            loss.backward()
            print(loss)
            """;

    private static Compiler.Result compileWithCalls(String program) {
        String old = System.getProperty("tx.inline");
        System.setProperty("tx.inline", "never");
        try {
            return Compiler.compile("nested.tx", program);
        } finally {
            if (old == null) System.clearProperty("tx.inline");
            else System.setProperty("tx.inline", old);
        }
    }

    @Test
    void thePassFusesEveryKindOfBlockAndItsOutputVerifies() {
        Compiler.Result r = compileWithCalls(NESTED);
        assertNotNull(r.program(), r.diagnostics().render());
        Program fused = FusionPass.run(r.program(), List.of());
        Verifier.verify(fused);
        List<String> where = new ArrayList<>();
        collect(fused.body(), "top", where);
        for (tx.runtime.ir.Func f : Blocks.functions(fused.body())) collect(f.body(), "function", where);
        for (String kind : new String[] {"top", "loop", "reversed loop", "then", "else", "function"}) {
            assertTrue(where.contains(kind), "no fused run in a " + kind + " block: " + where);
        }
        assertTrue(Blocks.functions(fused.body()).size() >= 2, "f's forward and backward halves are calls");
        assertSameBits(r, NESTED);
    }

    /** The kinds of blocks that hold a fused statement, nested blocks included. */
    private static void collect(List<Stmt> body, String kind, List<String> where) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Fused) where.add(kind);
            else if (s instanceof Stmt.Loop l) collect(l.body(), l.reverse() ? "reversed loop" : "loop", where);
            else if (s instanceof Stmt.Cond c) {
                collect(c.then(), "then", where);
                collect(c.otherwise(), "else", where);
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void txIrShowsTheFusedRunsOnlyWhenAsked() throws IOException {
        Path file = Files.writeString(dir.resolve("chain.tx"), PROGRAMS[0] + "print(loss)\n", StandardCharsets.UTF_8);
        TxRunner.Outcome plain = TxRunner.run("ir", file.toString()), fused = TxRunner.run("ir", "--fused", file.toString());
        assertEquals(0, plain.status(), plain.err());
        assertEquals(0, fused.status(), fused.err());
        assertFalse(plain.out().contains("fused"), plain.out());
        List<String> lines = fused.out().lines().toList();
        int open = lines.indexOf(lines.stream().filter(l -> l.startsWith("fused [10007] {")).findFirst().orElse(null));
        assertTrue(open >= 0, fused.out());
        int close = open + 1;
        while (close < lines.size() && !lines.get(close).startsWith("} -> (")) close++;
        assertTrue(close < lines.size(), fused.out());
        List<String> inside = lines.subList(open + 1, close);
        assertTrue(inside.size() >= 10 && inside.stream().allMatch(l -> l.startsWith("    ")), "the run's equations, indented:\n" + fused.out());
        assertTrue(inside.stream().anyMatch(l -> l.contains(" = sin(")) && inside.stream().anyMatch(l -> l.contains(" = sum(")),
                "the chain and the loss's sum are in the run:\n" + fused.out());
        // the same statements, fused or not: every line of the plain IR is in the fused one
        for (String l : plain.out().lines().toList()) assertTrue(fused.out().contains(l.strip()), l + " is missing from:\n" + fused.out());
    }

    @Test
    void aValueReadAfterTheProgramIsHandedOutByItsRun() {
        Compiler.Result r = Compiler.compile("fusion.tx", PROGRAMS[0]);
        assertNotNull(r.program(), r.diagnostics().render());
        Stmt.Fused run = (Stmt.Fused) FusionPass.run(r.program(), List.of()).body().stream().filter(s -> s instanceof Stmt.Fused).findFirst().orElseThrow();
        Var inner = run.eqns().stream().map(Stmt.Eqn::out).filter(v -> !run.outs().contains(v)).findFirst().orElseThrow();
        Tensor fused = Interpreter.evaluate(r.program(), new PrintStream(OutputStream.nullOutputStream()), List.of(inner)).get(0);
        Tensor unfused = Interpreter.evaluate(r.program(), Map.of(), List.of(inner), null, new RunOptions(true, 0, 0)).get(0);
        assertNotNull(fused, inner + " is kept to its run unless it is read after the program");
        assertArrayEquals(bits(unfused), bits(fused));
    }

    @Test
    void aFusedRunHandsOutOnlyWhatIsReadAfterIt() {
        // a value whose only reader is a sum the run took in is added up tile by tile, never made whole
        for (String chain : PROGRAMS) {
            String program = chain + "print(loss)\n"; // the loss is read: its sum stays
            Compiler.Result r = Compiler.compile("fusion.tx", program);
            assertNotNull(r.program(), r.diagnostics().render());
            List<Stmt> body = FusionPass.run(r.program(), List.of()).body();
            for (int i = 0; i < body.size(); i++) {
                if (!(body.get(i) instanceof Stmt.Fused f)) continue;
                java.util.Set<Var> readAfter = Blocks.free(body.subList(i + 1, body.size()));
                for (Var out : f.outs()) assertTrue(readAfter.contains(out), out + " is handed out by its run but never read:\n" + program);
            }
        }
    }
}
