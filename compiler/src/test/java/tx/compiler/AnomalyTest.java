package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tx run --detect-anomaly} stops where a value the program computes is nan or inf: the
 * result of an expression of the source, or a gradient that reaches one. The steps inside a
 * built-in written from primitives (softmax's max-subtraction, softplus's overflowing branch that
 * a where discards) and inside a derivative rule (0 · inf before a where masks it) are not values
 * of the program, and PyTorch's anomaly mode passes these programs.
 */
class AnomalyTest {
    @TempDir
    Path dir;

    /** Runs the program with and without --detect-anomaly: both must print the same and exit 0. */
    private void passes(String name, String program) throws IOException {
        Path file = dir.resolve(name + ".tx");
        Files.writeString(file, program, StandardCharsets.UTF_8);
        TxRunner.Outcome plain = TxRunner.run("run", file.toString());
        assertEquals(0, plain.status(), name + " without the check: " + plain.err());
        TxRunner.Outcome checked = TxRunner.run("run", file.toString(), "--detect-anomaly");
        assertEquals("", checked.err(), name + " with --detect-anomaly");
        assertEquals(0, checked.status(), name);
        assertEquals(plain.out(), checked.out(), name);
        assertTrue(!plain.out().contains("nan") && !plain.out().contains("inf"), name + " prints finite values: " + plain.out());
    }

    /** Runs the program with --detect-anomaly: it must stop with E0502 at {@code line}. */
    private String stops(String name, String program, int line) throws IOException {
        Path file = dir.resolve(name + ".tx");
        Files.writeString(file, program, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", file.toString(), "--detect-anomaly");
        assertEquals(3, r.status(), name + ": " + r.err());
        assertTrue(r.err().startsWith("error[E0502]: "), name + ": " + r.err());
        assertTrue(r.err().contains(" --> " + name + ".tx:" + line + ":"), name + " stops at line " + line + ": " + r.err());
        return r.err();
    }

    @Test
    void softmaxOfRandomData() throws IOException {
        passes("softmax", """
                x = randn(3, 4, seed=0, requires_grad=true)
                y = softmax(x, dim=1)
                loss = sum(y * y)
                loss.backward()
                print(y, x.grad)
                """);
    }

    @Test
    void logSoftmaxOfRandomData() throws IOException {
        passes("log_softmax", """
                x = randn(3, 4, seed=0, requires_grad=true)
                y = log_softmax(x, dim=1)
                loss = sum(y * y)
                loss.backward()
                print(y, x.grad)
                """);
    }

    @Test
    void logsumexpOfRandomData() throws IOException {
        passes("logsumexp", """
                x = randn(5, seed=0, requires_grad=true)
                y = logsumexp(x, dim=0)
                y.backward()
                print(y, x.grad)
                """);
    }

    @Test
    void crossEntropyOfDataFromAFile() throws IOException {
        Files.copy(TxRunner.root().resolve("compiler/src/test/resources/npy/f8_2d.npy"), dir.resolve("logits.npy"), StandardCopyOption.REPLACE_EXISTING);
        passes("cross_entropy", """
                x = load("logits.npy").requires_grad_()
                loss = cross_entropy(x, tensor([2, 0])) + cross_entropy(x, softmax(randn(2, 3, seed=1), dim=1))
                loss.backward()
                print(loss, x.grad)
                """);
    }

    @Test
    void softplusOfALargeNumber() throws IOException {
        passes("softplus", """
                x = tensor([1000.0, -2.0, 0.5], requires_grad=true)
                y = softplus(x)
                s = sum(y)
                s.backward()
                print(y, x.grad)
                """);
    }

    @Test
    void normOfZerosBackward() throws IOException {
        passes("norm", """
                x = zeros(2, requires_grad=true)
                n = norm(x)
                n.backward()
                print(n, x.grad)
                """);
    }

    @Test
    void powerZeroAtZero() throws IOException {
        passes("pow0", """
                x = tensor([0.0, 2.0], requires_grad=true)
                y = sum(x ** 0)
                y.backward()
                print(y, x.grad)
                """);
    }

    /** The reversal of a loop makes forward values again (a step of softplus here): they are steps still. */
    @Test
    void compositesInALoopAndABranchBackward() throws IOException {
        passes("loop", """
                w = randn(4, seed=0, requires_grad=true)
                h = zeros(4)
                for i in range(3) {
                    h = softmax(h + w, dim=0) + softplus(w * 1000)
                }
                loss = sum(h * h)
                loss.backward()
                print(w.grad)
                """);
        passes("branch", """
                x = randn(4, seed=0, requires_grad=true)
                if sum(x) > -100 {
                    y = log_softmax(x, dim=0) + softplus(x * 1000)
                } else {
                    y = x
                }
                loss = sum(y * y)
                loss.backward()
                print(x.grad)
                """);
    }

    @Test
    void logOfZeroInUserCodeStops() throws IOException {
        String err = stops("log0", """
                x = tensor([1.0, 0.0])
                y = log(x)
                print(y)
                """, 2);
        assertTrue(err.contains("`log` produced -inf in the forward pass"), err);
    }

    @Test
    void zeroOverZeroStops() throws IOException {
        String err = stops("div0", """
                a = zeros(3)
                b = a * 2
                c = b / a
                print(c)
                """, 3);
        assertTrue(err.contains("`div` produced nan in the forward pass"), err);
    }

    @Test
    void anInfiniteGradientReachingALeafStops() throws IOException {
        String err = stops("sqrt0", """
                x = tensor([4.0, 0.0, 1.0], requires_grad=true)
                y = sqrt(x)
                s = sum(y * 2)
                s.backward()
                """, 2);
        assertTrue(err.contains("produced inf in the backward pass"), err);
    }

    @Test
    void anOverflowInTheResultOfACompositeStops() throws IOException {
        String err = stops("mse_inf", """
                a = tensor([1e200, 0.0])
                b = -a
                loss = mse_loss(a, b)
                print(loss)
                """, 3);
        assertTrue(err.contains("produced inf in the forward pass"), err);
    }

    @Test
    void anOverflowInUserCodeStops() throws IOException {
        String err = stops("mul_inf", """
                x = tensor([1e308, 1.0])
                y = x * 10
                print(y)
                """, 2);
        assertTrue(err.contains("`mul` produced inf in the forward pass"), err);
    }
}
