package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lists read inside the loop that appends to them, and lists whose length is known only at run
 * time (LANGUAGE.md §3, v2): the early stopping of a training loop. The numbers are those plain
 * Python gives for the same arithmetic (w = [1, -2], loss = sum((w - 0.5)^2), w -= 0.3 * grad),
 * and the tensors are printed as PyTorch prints them (four decimals, aligned).
 */
class RunTimeListsTest {
    @TempDir Path dir;

    private TxRunner.Outcome run(String source) {
        return TxRunner.runSource(dir, source);
    }

    private void expect(String source, String out) {
        TxRunner.expectOutput(dir, source, out);
    }

    private static final String STEP = """
                loss.backward()
                with no_grad {
                    w -= 0.3 * w.grad
                    w.grad.zero_()
                }
            """;

    @Test
    void aListIsReadInsideTheLoopThatAppendsToIt() throws IOException {
        expect("""
                w = tensor([1.0, -2.0], requires_grad=true)
                losses = []
                for epoch in range(6) {
                    loss = ((w - 0.5) ** 2).sum()
                    losses.append(loss.item())
                    if len(losses) > 1 and losses[-1] > losses[-2] - 1 {
                        print("slow at", epoch, len(losses), losses[-2], losses[0])
                    }
                """ + STEP + """
                }
                print(losses[3])
                """, """
                slow at 2 3 1.04 6.5
                slow at 3 4 0.16640000000000002 6.5
                slow at 4 5 0.026624000000000012 6.5
                slow at 5 6 0.004259840000000001 6.5
                0.026624000000000012
                """);
    }

    private static final String EARLY_STOPPING = """
            w = tensor([1.0, -2.0], requires_grad=true)
            losses = []
            for epoch in range(100) {
                loss = ((w - 0.5) ** 2).sum() + 0.01
                if len(losses) > 0 and losses[-1] - loss.item() < 0.01 {
                    print("stop at", epoch, len(losses))
                    break
                }
                losses.append(loss.item())
            """ + STEP + """
            }
            """;

    @Test
    void aLoopThatBreaksLeavesAListWhoseLengthIsKnownAtRunTime() throws IOException {
        expect(EARLY_STOPPING + """
                print(losses)
                print(len(losses), losses[-1], losses[0])
                t = torch.tensor(losses)
                print(t)
                print(t.mean(), t.max(), t.sum())
                print(sum(losses) / len(losses), max(losses), min(losses))
                print(f"{len(losses)} losses: {losses}")
                """, """
                stop at 5 5
                [6.51, 1.05, 0.17640000000000003, 0.03662400000000001, 0.014259840000000001]
                5 0.014259840000000001 6.51
                tensor([6.5100, 1.0500, 0.1764, 0.0366, 0.0143])
                tensor(1.5575) tensor(6.5100) tensor(7.7873)
                1.557456768 6.51 0.014259840000000001
                5 losses: [6.51, 1.05, 0.17640000000000003, 0.03662400000000001, 0.014259840000000001]
                """);
    }

    @Test
    void appendsInABranchGiveAListOfTheItemsAppended() throws IOException {
        expect("""
                kept = [tensor([9.0, 9.0])]
                for i in range(6) {
                    if i % 2 == 0 {
                        kept.append(tensor([i * 1.0, 2.0]))
                    }
                }
                print(kept, len(kept))
                s = torch.stack(kept)
                print(s, s.sum())
                print(kept[1], kept[-1])
                print(sum(kept))
                odd = []
                for i in range(5) {
                    if i % 2 == 1 { odd.append(i) } else { odd.append(-i) }
                    if len(odd) == 3 { print("third", odd[-1], odd[0]) }
                }
                print(odd, max(odd), min(odd), sum(odd))
                """, """
                [tensor([9., 9.]), tensor([0., 2.]), tensor([2., 2.]), tensor([4., 2.])] 4
                tensor([[9., 9.],
                        [0., 2.],
                        [2., 2.],
                        [4., 2.]]) tensor(30.)
                tensor([0., 2.]) tensor([4., 2.])
                tensor([15., 15.])
                third -2 0
                [0, 1, -2, 3, -4] 3 -4 -2
                """);
    }

    @Test
    void anIndexOutsideARunTimeListStopsTheRun() throws IOException {
        TxRunner.Outcome r = run(EARLY_STOPPING + "print(losses[4])\nprint(losses[5])\n");
        assertEquals(3, r.status(), r.out() + r.err());
        assertEquals("stop at 5 5\n0.014259840000000001\n", r.out());
        assertTrue(r.err().contains("t.tx:" + (EARLY_STOPPING.split("\n").length + 2)), r.err());
    }

    @Test
    void whatARunTimeListCannotDoIsALocatedError() throws IOException {
        TxRunner.Outcome r = run(EARLY_STOPPING + "y = losses[1:3]\nz = torch.tensor(losses) + 1\n");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: a slice of a list whose length is known only at run time"), r.err());
        assertTrue(r.err().contains("error[E0401]: `+` needs a tensor, found a tensor whose length is known only at run time"), r.err());
        TxRunner.Outcome inside = run("""
                losses = []
                for epoch in range(3) {
                    losses.append(epoch * 0.5)
                    print(losses)
                }
                """);
        assertEquals(1, inside.status(), inside.err());
        assertTrue(inside.err().contains("error[E0401]: `losses` is read inside the loop that appends to it"), inside.err());
    }

    @Test
    void aWhileLoopAppendsOneItemAnIterationAndItsConditionSeesTheLength() throws IOException {
        expect("""
                w = tensor([1.0, -2.0], requires_grad=true)
                losses = []
                while len(losses) < 5 {
                    loss = ((w - 0.5) ** 2).sum()
                    losses.append(loss.item())
                    if len(losses) == 2 { print("second", losses[-1], len(losses)) }
                """ + STEP + """
                }
                print(losses)
                print(len(losses), losses[-1], losses[0], losses[2])
                t = torch.tensor(losses)
                print(t.max(), t.min())
                print(max(losses), min(losses))
                empty = []
                k = 0
                while k < 0 {
                    empty.append(k)
                    k += 1
                }
                print(empty, len(empty), torch.tensor(empty), sum(empty))
                """, """
                second 1.04 2
                [6.5, 1.04, 0.16640000000000002, 0.026624000000000012, 0.004259840000000001]
                5 0.004259840000000001 6.5 0.16640000000000002
                tensor(6.5000) tensor(0.0043)
                6.5 0.004259840000000001
                [] 0 tensor([], dtype=torch.int64) 0
                """);
    }

    @Test
    void aWhileThatGrowsAListStillDifferentiates() throws IOException {
        // h = 2 * 1.5^3, dh/dx = 1.5^3 = 3.375
        expect("""
                x = tensor(2.0, requires_grad=true)
                h = x
                vals = []
                while len(vals) < 3 {
                    h = h * 1.5
                    vals.append(h.item())
                }
                h.backward()
                print(vals, x.grad)
                """, """
                [3.0, 4.5, 6.75] tensor(3.3750)
                """);
        TxRunner.Outcome r = run("""
                x = tensor(2.0, requires_grad=true)
                ys = []
                while len(ys) < 2 {
                    ys.append(x * 2)
                }
                """);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `ys` cannot grow in this `while` loop: the item requires grad"), r.err());
    }

    @Test
    void aRunTimeListTakesAppendsAfterItsLoop() throws IOException {
        expect("""
                kept = []
                for i in range(4) {
                    if i > 1 {
                        kept.append(i * 0.5)
                    }
                }
                kept.append(9.0)
                kept.extend([2.5, 0.25])
                print(kept, len(kept), max(kept), kept[-1])
                """, """
                [1.0, 1.5, 9.0, 2.5, 0.25] 5 9.0 0.25
                """);
        String grown = """
                kept = []
                for i in range(4) {
                    if i > 1 {
                        kept.append(i * 0.5)
                    }
                }
                """;
        TxRunner.Outcome r = run(grown + "kept.append(1)\n");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `kept` (a list whose length is known only at run time) cannot take this item: its items are Python floats, and this is"), r.err());
        r = run(grown + "for j in range(2) {\n    kept.append(0.5)\n}\n");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `kept` (a list whose length is known only at run time) cannot grow in a later loop"), r.err());
    }

    @Test
    void aValueThatRequiresGradDoesNotGrowAListInABranch() throws IOException {
        TxRunner.Outcome r = run("""
                w = tensor([1.0, 2.0], requires_grad=true)
                outs = []
                for i in range(3) {
                    if i > 0 {
                        outs.append(w * i)
                    }
                }
                """);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `outs` cannot grow inside a branch in a loop: its length would be known only when the program runs, "
                + "and such a list holds values that do not require grad (tx does not differentiate through it)\n --> t.tx:5:9"), r.err());
        expect("""
                w = tensor([1.0, 2.0], requires_grad=true)
                outs = []
                for i in range(3) {
                    if i > 0 {
                        outs.append((w * i).detach())
                    }
                }
                print(outs)
                """, """
                [tensor([1., 2.]), tensor([2., 4.])]
                """);
    }

    @Test
    void aForOverARunTimeListIsAWhileOverItsLength() throws IOException {
        expect("""
                kept = []
                for i in range(6) {
                    if i % 2 == 0 {
                        kept.append(i * 0.5)
                    }
                }
                total = 0.0
                for v in kept {
                    if v == 1.0 { continue }
                    print("item", v)
                    total = total + v
                }
                print(total)
                for x in torch.tensor(kept) {
                    print(x)
                }
                """, """
                item 0.0
                item 2.0
                2.0
                tensor(0.)
                tensor(1.)
                tensor(2.)
                """);
        TxRunner.Outcome r = run("""
                kept = []
                for i in range(3) {
                    if i > 0 { kept.append(i) }
                }
                for a, b in enumerate(kept) { print(a) }
                """);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error[E0401]: `enumerate` and `zip` of a list whose length is known only at run time are not supported"), r.err());
    }

    @Test
    void aHistoryThatTxGradWritesOutHasAValidName() throws IOException {
        Path f = Files.writeString(dir.resolve("h.tx"), """
                fn loss(w: [2]) -> [] {
                    vals = []
                    total = tensor(0.0)
                    for i in range(3) {
                        y = (w * i).sum()
                        vals.append(y.item())
                        if len(vals) > 1 {
                            total = total + y * vals[-2]
                        }
                    }
                    return total
                }
                print(grad(loss)(tensor([1.0, 2.0])))
                """);
        // d/dw_j of sum over i >= 1 of i (w0 + w1) * (i - 1) * 3, at w = [1, 2]: (1 * 0 + 2 * 1) * 3
        TxRunner.Outcome r = TxRunner.run("run", f.toString());
        assertEquals("tensor([6., 6.])\n", r.out(), r.err());
        TxRunner.Outcome g = TxRunner.run("grad", f.toString(), "--fn", "loss", "--wrt", "w");
        assertEquals(0, g.status(), g.err());
        assertTrue(g.out().contains("vals_history = ") && !g.out().contains("$"), g.out());
    }
}
