package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;
import tx.runtime.tensor.Tensor;

/**
 * Fused evaluation (runs of elementwise equations, tile by tile) gives exactly the numbers of
 * unfused evaluation. --detect-anomaly turns fusion off, so the same program is run both ways and
 * the gradients compared bit for bit, on tensors large enough to be fused (and to use the Vector
 * API), with lengths that are not multiples of the tile or of the vector.
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
    };

    @Test
    void fusedAndUnfusedGradientsAreIdentical() {
        for (String program : PROGRAMS) {
            Compiler.Result r = Compiler.compile("fusion.tx", program);
            assertNotNull(r.program(), r.diagnostics().render());
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            Tensor[] fused = Interpreter.run(r.program(), quiet, RunOptions.DEFAULT);
            Tensor[] unfused = Interpreter.run(r.program(), quiet, new RunOptions(true, 0, 0));
            assertEquals(unfused.length, fused.length);
            for (int i = 0; i < fused.length; i++) {
                double[] f = fused[i].data(), u = unfused[i].data();
                long[] fb = new long[f.length], ub = new long[u.length];
                for (int k = 0; k < f.length; k++) {
                    fb[k] = Double.doubleToRawLongBits(f[k]);
                    ub[k] = Double.doubleToRawLongBits(u[k]);
                }
                assertArrayEquals(ub, fb, "leaf " + i + " of:\n" + program);
            }
        }
    }

    @Test
    void theChainsAreReallyFused() {
        // guards against a fusion that is silently off: each program's elementwise chain runs fused
        int[] atLeast = {15, 8, 20};
        for (int i = 0; i < PROGRAMS.length; i++) {
            Compiler.Result r = Compiler.compile("fusion.tx", PROGRAMS[i]);
            int fused = Interpreter.fusedEquations(r.program());
            org.junit.jupiter.api.Assertions.assertTrue(fused >= atLeast[i], "program " + i + ": " + fused + " equations fused");
        }
    }
}
