package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lists in real training loops (LANGUAGE.md §3, v2): {@code torch.tensor(losses)} and Python's
 * {@code sum}, {@code max} and {@code min} of values known only at run time, {@code xs + ys},
 * {@code xs[k] = v}, {@code xs.pop()}, {@code params[i]} with a loop's counter. The expected
 * outputs are what Python and PyTorch print for these values (whole numbers and halves, whose
 * printed forms are exact).
 */
class ListOpsTest {
    @TempDir Path dir;

    private TxRunner.Outcome run(String source) {
        return TxRunner.runSource(dir, source);
    }

    private void expect(String source, String out) {
        TxRunner.expectOutput(dir, source, out);
    }

    @Test
    void lossesCollectedInATrainingLoopBecomeATensorAndPythonNumbers() throws IOException {
        expect("""
                w = tensor([1.0, 2.0], requires_grad=true)
                losses = []
                for epoch in range(4) {
                    loss = (w * epoch).sum()
                    losses.append(loss.item())
                }
                print(torch.tensor(losses))
                print(sum(losses) / len(losses), sum(losses))
                print(max(losses), min(losses))
                print(torch.tensor([losses, losses]).shape)
                print(torch.tensor(losses, dtype=torch.int64))
                print(torch.tensor([epoch, 2]), torch.tensor([2.5, epoch]))
                print(sum([w, w * 2]))
                print(sum([]), max([3, 1.5]))
                """, """
                tensor([0., 3., 6., 9.])
                4.5 18.0
                9.0 0.0
                torch.Size([2, 4])
                tensor([0, 3, 6, 9])
                tensor([3, 2]) tensor([2.5000, 3.0000])
                tensor([3., 6.], grad_fn=<AddBackward0>)
                0 3
                """);
    }

    @Test
    void aTensorOfRunTimeValuesDoesNotRequireGrad() throws IOException {
        expect("""
                w = tensor([1.0, 2.0], requires_grad=true)
                t = torch.tensor([w.sum().item(), w[0].item()])
                print(t, t.requires_grad)
                """, """
                tensor([3., 1.]) False
                """);
    }

    @Test
    void listsJoinRepeatAndChangeByIndexAsPythonsDo() throws IOException {
        expect("""
                xs = [1, 2]
                ys = xs + [3.5]
                print(ys, xs, (1, 2) + (3,))
                print([0.0] * 3, 2 * [1])
                alias = xs
                xs[0] = 5
                print(alias)
                last = xs.pop()
                print(last, xs, alias)
                xs[-1] += 1
                print(xs)
                a = tensor([1.0, 2.0])
                ts = [a, a * 2]
                ts[0] += 1
                print(a, ts[0])
                zs = [1, 2, 3]
                first = zs.pop(0)
                print(first, zs)
                """, """
                [1, 2, 3.5] [1, 2] (1, 2, 3)
                [0.0, 0.0, 0.0] [1, 1]
                [5, 2]
                2 [5] [5]
                [6]
                tensor([2., 3.]) tensor([2., 3.])
                1 [2, 3]
                """);
    }

    @Test
    void aListIndexedWithALoopCounterIsUnrolledSoItsItemsStayThemselves() throws IOException {
        expect("""
                w = tensor([1.0, 2.0], requires_grad=true)
                b = tensor(0.5, requires_grad=true)
                params = [w, b]
                loss = (w * 3).sum() + b * 2
                loss.backward()
                with no_grad {
                    for i in range(len(params)) {
                        params[i] -= 0.5 * params[i].grad
                    }
                }
                print(w, b)
                scales = [1, 10, 100]
                total = 0
                for i in range(3) {
                    total = total + scales[i] * (i + 1)
                }
                print(total, i)
                """, """
                tensor([-0.5000,  0.5000], requires_grad=True) tensor(-0.5000, requires_grad=True)
                321 2
                """);
    }

    @Test
    void aListMadeInsideALoopOrAFunctionChangesThereButOneFromOutsideIsRefused() throws IOException {
        // fill(i) is [0.0, 2i]; total = sum over i of 1 + 2i = 3 + 2 * (0 + 1 + 2)
        expect("""
                fn fill(n: int) {
                    xs = [0.0, 0.0]
                    xs[1] = n * 2.0
                    last = xs.pop()
                    return xs + [last]
                }
                total = 0.0
                for i in range(3) {
                    ys = fill(i)
                    ys[0] = 1.0
                    total = total + ys[0] + ys[1]
                }
                print(total)
                """, """
                9.0
                """);
        TxRunner.Outcome r = run("""
                zs = [1.0, 2.0]
                for i in range(3) {
                    zs[0] = zs[0] * 2
                    x = zs.pop()
                }
                fn f(xs: list) {
                    xs[0] = 3
                }
                f(zs)
                """);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `zs[...] = ...` changes an item of a list inside a loop that tx does not unroll\n --> t.tx:3:5"), r.err());
        assertTrue(r.err().contains("error[E0401]: `zs.pop()` inside a loop that tx does not unroll"), r.err());
        assertTrue(r.err().contains("error[E0401]: a function cannot change a list it is given or reads from the script (`xs`)"), r.err());
    }
}
