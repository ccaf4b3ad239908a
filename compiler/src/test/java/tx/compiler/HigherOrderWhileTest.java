package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * Reverse over reverse through {@code while} loops: the gradient of a function that takes a
 * gradient through a while (its reversal, a counted loop over the while's tape, differentiated
 * again) agrees with central finite differences of that function, for whiles with break and
 * continue, a while nested in a while (ragged tapes), a while in a for loop, and a for loop in a while.
 */
class HigherOrderWhileTest {
    private static final String SOURCE = WhileEmitTest.GROW_AND_LOOPY + """
            fn nested(x: [3]) -> [] {
                h = x
                i = 0
                while i < 3 {
                    j = 0
                    while j < i + 1 {
                        h = h * 0.9 + sin(h * x)
                        j += 1
                    }
                    i += 1
                }
                return sum(h * h)
            }
            fn inFor(x: [3]) -> [] {
                h = x
                for t in range(3) {
                    while sum(h * h) < 2 + t {
                        h = h * 1.1 + cos(h * x) * 0.2
                    }
                    h = tanh(h) * x
                }
                return sum(h * h * h)
            }
            fn forIn(x: [3]) -> [] {
                h = x
                while sum(h) < 4 {
                    for i in range(2) {
                        h = h + 0.3 * exp(h * x[i] * 0.5)
                    }
                }
                return sum(sin(h) * x)
            }
            fn d_grow(x: [3]) -> [] { return sum(grad(grow)(x) * tensor([1.0, -0.5, 2.0])) }
            fn d_loopy(x: [3]) -> [] { return sum(grad(loopy)(x) * tensor([1.0, -0.5, 2.0])) }
            fn d_nested(x: [3]) -> [] { return sum(grad(nested)(x) * tensor([1.0, -0.5, 2.0])) }
            fn d_inFor(x: [3]) -> [] { return sum(grad(inFor)(x) * tensor([1.0, -0.5, 2.0])) }
            fn d_forIn(x: [3]) -> [] { return sum(grad(forIn)(x) * tensor([1.0, -0.5, 2.0])) }
            fn dd_grow(x: [3]) -> [] { return sum(grad(d_grow)(x) * tensor([0.5, 1.0, -1.0])) }
            """;

    @Test
    void secondDerivativesThroughWhilesAgreeWithFiniteDifferences() {
        Tx.Module m = Tx.compile("higher.tx", SOURCE);
        java.util.Random rng = new java.util.Random(5);
        for (String f : List.of("d_grow", "d_loopy", "d_nested", "d_inFor", "d_forIn", "dd_grow")) {
            for (int trial = 0; trial < 3; trial++) {
                double[] x = new double[3];
                for (int k = 0; k < x.length; k++) x[k] = rng.nextDouble() * 1.2 - 0.4;
                Tensor g = m.grad(f).call(Tensor.of(new int[] {3}, x.clone())).get(0);
                for (int k = 0; k < x.length; k++) {
                    double h = 1e-5, keep = x[k];
                    x[k] = keep + h;
                    double up = m.function(f).call(Tensor.of(new int[] {3}, x.clone())).get(0).item();
                    x[k] = keep - h;
                    double down = m.function(f).call(Tensor.of(new int[] {3}, x.clone())).get(0).item();
                    x[k] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, g.get(k), 1e-5 * (1 + Math.abs(fd)), f + " element " + k + " trial " + trial + " at " + java.util.Arrays.toString(x));
                }
            }
        }
    }
}
