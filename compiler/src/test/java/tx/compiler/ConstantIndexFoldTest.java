package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.ir.IrPrinter;
import tx.runtime.ir.Program;
import tx.runtime.kernels.Random;
import tx.runtime.tensor.Tensor;

/**
 * An index made from constants alone ({@code arange(1200) % 300}, bundle adjustment's) is folded
 * at compile time by the same kernels, even where it has more elements than the simplifier's
 * limit for new constants: it is no larger than the constant it is made from.
 */
class ConstantIndexFoldTest {
    private static final String SOURCE = """
            fn f(X: [300, 3]) -> [] {
                pts = X[arange(1200) % X.shape[0]]
                return sum(pts ** 2)
            }
            """;

    @Test
    void theIndexIsAConstantInTheCompiledProgram() {
        Compiler.Result r = Compiler.compile("t.tx", SOURCE + """
                X = randn([300, 3], seed=1, requires_grad=True)
                f(X).backward()
                print(X.grad[0])
                """);
        assertNotNull(r.program(), r.diagnostics().render());
        Program p = r.program();
        String ir = IrPrinter.print(p);
        assertFalse(ir.contains("remainder("), ir);
        assertFalse(ir.contains("= where("), ir);
    }

    @Test
    void theGradientAddsEachOfThePointsFourUses() {
        Tensor x = Random.normal(new int[] {300, 3}, 5);
        List<Tensor> g = Tx.compile("t.tx", SOURCE).grad("f", "X").call(x);
        double[] expected = new double[900];
        for (int i = 0; i < 900; i++) {
            double d = 0; // each point's four uses, in order, each 2x
            for (int use = 0; use < 4; use++) d += 2 * x.data()[i];
            expected[i] = d;
        }
        assertArrayEquals(expected, g.get(0).data());
    }
}
