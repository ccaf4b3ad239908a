package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Advanced indexing where the conformance case cannot look: assignment through repeated positions,
 * whose gradient tx takes as the true derivative (PyTorch leaves which write wins undefined, and
 * gives a write that lost its position's gradient anyway), at compile time and at run time; and
 * the same derivative against finite differences through {@code tx check}.
 */
class AdvancedIndexingTest {
    @TempDir Path dir;

    private TxRunner.Outcome run(String command, String source) throws IOException {
        Path f = Files.writeString(dir.resolve("t.tx"), source);
        return TxRunner.run(command, f.toString());
    }

    /**
     * z[1] is written by v[0] and then by v[2], z[3] by v[1]: z = [0, v2, 0, v1]. With weights
     * 1, 10, 100, 1000 the loss is 10 v2 + 1000 v1, so dv = [0, 1000, 10].
     */
    private static final String REPEATED = """
            v = tensor([1.0, 2.0, 3.0], requires_grad=true)
            z = zeros(4)
            z[POSITIONS] = v
            print(z)
            sum(z * tensor([1.0, 10.0, 100.0, 1000.0])).backward()
            print(v.grad)
            """;

    @Test
    void theLastWriteWinsAndOnlyItGetsTheGradientWithConstantPositions() throws IOException {
        TxRunner.Outcome r = run("run", REPEATED.replace("POSITIONS", "tensor([1, 3, 1])"));
        assertEquals(0, r.status(), r.err());
        assertEquals("tensor([0., 3., 0., 2.], grad_fn=<IndexPutBackward0>)\ntensor([   0., 1000.,   10.])\n", r.out());
    }

    @Test
    void theLastWriteWinsAndOnlyItGetsTheGradientWithRunTimePositions() throws IOException {
        // argmax of each row: 1, 3, 1, known only when the program runs
        String positions = "argmax(tensor([[0.0, 5.0, 1.0, 2.0], [0.0, 1.0, 2.0, 9.0], [3.0, 4.0, 0.0, 0.0]]), dim=1)";
        TxRunner.Outcome r = run("run", REPEATED.replace("POSITIONS", positions));
        assertEquals(0, r.status(), r.err());
        assertEquals("tensor([0., 3., 0., 2.], grad_fn=<IndexPutBackward0>)\ntensor([   0., 1000.,   10.])\n", r.out());
    }

    @Test
    void anInPlaceOperatorThroughRepeatedPositionsDoesNotAccumulate() throws IOException {
        // z[i] += v is z[i] = z[i] + v: position 0 ends as 1 + 30 (the last write), not 1 + 10 + 30
        TxRunner.Outcome r = run("run", "z = ones(3)\nz[argmax(tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]]), dim=1)] += tensor([10.0, 20.0, 30.0])\nprint(z)\n");
        assertEquals(0, r.status(), r.err());
        assertEquals("tensor([31., 21.,  1.])\n", r.out());
    }

    @Test
    void anEmptyIndexWritesNothing() throws IOException {
        TxRunner.Outcome r = run("run", "x = ones(3, 2)\nx[tensor([], dtype=int64)] = 5.0\nx[[]] += 1.0\nprint(x)\n");
        assertEquals(0, r.status(), r.err());
        assertEquals("tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])\n", r.out());
    }

    @Test
    void aListWithAFloatIsAFloatIndexWhichIsRefused() throws IOException {
        TxRunner.Outcome r = run("run", "x = ones(3, 2)\nprint(x[[0, 1.0]])\n");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith("error[E0220]: tensors used as indices must be int64"), r.err());
    }

    @Test
    void gradientsThroughReadsAndWritesAgreeWithFiniteDifferences() throws IOException {
        TxRunner.Outcome r = run("check", """
                fn f(w: [3, 4]) -> [] {
                    idx = argmax(w, dim=1)
                    r = zeros(5) + sum(w)
                    r[idx] = w[:, 0] * w[:, 1]
                    r[idx - 1] += w[range(3), idx] * w[:, 2]
                    r[r > 3] *= 0.5
                    q = w[tensor([[2], [0]]), 1:3, None][..., 0] * w[[1, 1], -1][0]
                    return sum(r * r) + sum(q * q * q)
                }
                """);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("PASS"), r.out());
    }
}
