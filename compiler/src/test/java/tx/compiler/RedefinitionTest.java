package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * A function defined twice (a notebook's {@code f_2d} per section): the script calls each
 * definition from where it stands on, as Python does; from outside the script (the Java API,
 * `tx grad --fn`) a name is its last definition, the one Python's module holds once it has run.
 */
class RedefinitionTest {
    private static final String SOURCE = """
            fn f(x: [2]) -> [] {
                return sum(x * x)
            }
            fn twice(x: [2]) -> [] {
                return 2 * f(x)
            }
            print(twice(tensor([1.0, 2.0])))
            fn f(x: [2]) -> [] {
                return sum(x ** 3)
            }
            print(twice(tensor([1.0, 2.0])))
            """;

    @Test
    void fromJavaANameIsItsLastDefinitionAndSoAreTheNamesItsBodyCalls() {
        Tx.Module m = Tx.compile("m.tx", SOURCE);
        Tensor x = Tensor.of(new int[] {2}, new double[] {1.0, 2.0});
        assertEquals(9.0, m.function("f").call(x).get(0).item(), 0.0); // 1 + 8, not 1 + 4
        assertEquals(18.0, m.function("twice").call(x).get(0).item(), 0.0);
        List<Tensor> g = m.grad("twice", "x").call(x);
        assertEquals(6.0, g.get(0).data()[0], 0.0); // 2 * 3x^2
        assertEquals(24.0, g.get(0).data()[1], 0.0);
    }

    @Test
    void tgradWritesTheLastDefinition() {
        Compiler.Emitted r = Compiler.grad("m.tx", SOURCE, "twice", List.of(), Compiler.Emit.TX);
        assertNotNull(r.text(), () -> r.diagnostics().render());
        assertTrue(r.text().contains("x ** 2"), r.text()); // the derivative of x ** 3, not of x * x
        assertTrue(r.text().contains("line 9"), r.text());
    }
}
