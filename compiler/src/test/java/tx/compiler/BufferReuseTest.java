package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;

/**
 * A dead tensor's array is reused for a later one ({@code tx.runtime.kernels.Buffers}): what a
 * program prints must be what it prints with no reuse (--detect-anomaly turns reuse off), on
 * tensors large enough to be reused, where an array still held somewhere would show as changed
 * numbers if it were handed out again.
 */
class BufferReuseTest {
    private static final String[] PROGRAMS = {
        // a loop whose parameters take each other's old values, and tensors made after it
        """
        a = randn(300, seed=1) * 1.5
        b = randn(300, seed=2) * 1.5
        for i in range(6) {
            c = b
            b = a
            a = c * 1.25
            u = exp(b) * 3.0
            print(sum(u))
        }
        z = exp(a) * 2.0
        w = sin(b) * 2.0 + 1.0
        print(sum(c), sum(z), sum(w))
        """,
        // the same through a while loop, whose trip count is decided as it runs
        """
        a = randn(300, seed=1) * 1.5
        b = randn(300, seed=2) * 1.5
        n = 0
        c = a
        while n < 6 {
            c = b
            b = a
            a = c * 1.25
            u = exp(b) * 3.0
            print(sum(u))
            n = n + 1
        }
        z = exp(a) * 2.0
        w = sin(b) * 2.0 + 1.0
        print(sum(c), sum(z), sum(w))
        """,
        // a function whose result is one of its parameters, and gradients accumulated into .grad
        """
        fn pick(x: [20, 20], y: [20, 20]) -> [20, 20] {
            z = x * 2.0
            return y
        }
        w = randn(20, 20, seed=3, requires_grad=true)
        for i in range(3) {
            v = pick(w * 1.0, exp(w) * 0.5)
            loss = sum(v * w)
            loss.backward()
            q = w * 7.0
            print(sum(q), sum(w.grad))
        }
        """,
    };

    @Test
    void reuseChangesNothingThatIsPrinted() {
        for (String program : PROGRAMS) {
            Compiler.Result r = Compiler.compile("reuse.tx", program);
            assertNotNull(r.program(), r.diagnostics().render());
            assertEquals(run(r, new RunOptions(true, 0, 0)), run(r, RunOptions.DEFAULT), program);
        }
    }

    private static String run(Compiler.Result r, RunOptions options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Interpreter.run(r.program(), out, options);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
