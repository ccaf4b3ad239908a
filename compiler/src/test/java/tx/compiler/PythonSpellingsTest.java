package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spellings that PyTorch programs use everywhere and that a port should not have to rewrite:
 * single-quoted strings and f-strings (Python's 'none' and f'loss {l:.4f}'), and the context
 * manager written as Python writes it, `with torch.no_grad() { ... }`. The expected outputs are
 * what CPython and PyTorch print for the same lines.
 */
class PythonSpellingsTest {
    @TempDir Path dir;

    @Test
    void singleQuotedStringsAndFStringsAreStrings() throws IOException {
        assertPrints("""
                print('it\\'s', 'say "hi"')
                t = 99
                print(f'step {t}: {t / 8:.3f}', f'{t:>5}')
                l = cross_entropy(tensor([[1.0, 2.0]]), tensor([1]), reduction='sum')
                print(f'{l.item():.4f}')
                """, "it's say \"hi\"\nstep 99: 12.375    99\n0.3133\n");
    }

    @Test
    void adjacentStringLiteralsAreJoinedAsInPython() throws IOException {
        // d2l's print(f'epoch {e}, train loss {a:.6f}, '
        //             f'test loss {b:.6f}') continues a string on the next line
        assertPrints("""
                x = 3
                print('a' "b", f'{x}' ' {x} ' f"{x + 1:>3}", ('multi '
                      'line'))
                s = ('one '
                     "two")
                print(s)
                print(f'{x}' f'{{}}' '{}')
                """, "ab 3 {x}   4 multi line\none two\n3{}{}\n");
    }

    @Test
    void withTorchNoGradCallIsNoGrad() throws IOException {
        assertPrints("""
                w = tensor([1.0, 2.0], requires_grad=True)
                (w * w).sum().backward()
                with torch.no_grad() {
                    w -= 0.5 * w.grad
                    z = w * 2
                }
                with no_grad() {
                    print(z.requires_grad, (w * 3).requires_grad)
                }
                print(w, (w * 2).requires_grad)
                """, "False False\ntensor([0., 0.], requires_grad=True) True\n");
    }

    @Test
    void linspaceTakesADtypeAsTheOtherConstructorsDo() throws IOException {
        // the tutorial's dtype = torch.float; x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
        assertPrints("""
                dtype = torch.float64
                print(torch.linspace(-1, 1, 5, dtype=dtype), torch.linspace(0, 5, 3, dtype=torch.int64))
                print(torch.tensor(0.25, dtype=dtype, requires_grad=True))
                """, "tensor([-1.0000, -0.5000,  0.0000,  0.5000,  1.0000]) tensor([0, 2, 5])\n"
                + "tensor(0.2500, requires_grad=True)\n");
    }

    @Test
    void axisAndKeepdimsAreNumPysNamesOfDimAndKeepdimAndTypeConverts() throws IOException {
        // d2l's accuracy: y_hat.argmax(axis=1), cmp.type(y.dtype); PyTorch takes NumPy's axis= and keepdims=
        assertPrints("""
                x = torch.arange(6.0).reshape(2, 3)
                print(x.argmax(axis=1), x.sum(axis=0), torch.mean(x, axis=1, keepdims=True))
                print(x.type(torch.int64), (x > 2).type(torch.int64).sum())
                """, "tensor([2, 2]) tensor([3., 5., 7.]) tensor([[1.],\n        [4.]])\n"
                + "tensor([[0, 1, 2],\n        [3, 4, 5]]) tensor(3)\n");
    }

    @Test
    void floatOfAOneElementTensorIsItsPythonNumber() throws IOException {
        // d2l's accuracy returns float(cmp.type(y.dtype).sum()); its Accumulator adds float(b)
        assertPrints("""
                x = torch.tensor([2.5, 1.0], requires_grad=True)
                print(float(x.sum()), float(torch.tensor(3)), float((x > 2).sum()))
                for i in range(2) {
                    print(float(i) / 4)
                }
                """, "3.5 3.0 1.0\n0.0\n0.25\n");
    }

    @Test
    void aFunctionReturningAPythonNumberReturnsAPythonNumber() throws IOException {
        // d2l's accuracy(y_hat, y) / len(y): a float, not a tensor; an int64 item is an int
        assertPrints("""
                fn g(x: [n]) {
                    return x.sum().item()
                }
                fn c(y: [n]) {
                    return (y > 0).sum().item()
                }
                x = torch.tensor([1.0, 2.0])
                print(g(x), g(x) / 2, c(x), c(x) // 2)
                """, "3.0 1.5 2 1\n");
    }

    private void assertPrints(String program, String expected) throws IOException {
        Path tx = dir.resolve("spellings.tx");
        Files.writeString(tx, program, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(expected, r.out(), r.err());
        assertEquals(0, r.status(), r.err());
    }
}
