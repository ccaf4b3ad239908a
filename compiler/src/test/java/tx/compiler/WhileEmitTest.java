package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx grad --emit tx|java} of functions with {@code while} loops: the emitted tx (a while on
 * its condition, tapes as lists stacked after it, the reversal a while counting down from the trip
 * count) and the emitted Java (a counter, tapes that grow) run and give the gradient that
 * {@code grad(f)} gives in process, at random inputs, some of which run the loop no times. A while
 * inside another loop is written out when that loop tapes none of the while's values (its trip
 * count, a number an iteration, and values of fixed shape only): {@code nested}, {@code twice}; and
 * where the loop's reversal reads the while's values, each of its iterations runs the while again
 * from what the loop taped (see RecomputedWhiles): {@code ragged}, {@code raggedNamed}.
 */
class WhileEmitTest {
    /** Two functions with a while, one with break and continue: also HigherOrderWhileTest's. */
    static final String GROW_AND_LOOPY = """
            fn grow(x: [3]) -> [] {
                v = x
                while sum(v * v) < 50 {
                    v = v * 1.3 + sin(v) * x
                }
                return sum(v * x)
            }
            fn loopy(x: [3]) -> [] {
                h = x
                k = 0
                while k < 6 {
                    k += 1
                    if k % 2 == 0 {
                        continue
                    }
                    h = sin(h) * x + h * 0.5
                    if sum(h * h) > 30 {
                        break
                    }
                }
                return sum(h * h)
            }
            """;

    static final String SOURCE = GROW_AND_LOOPY + """
            fn inner(x: [3]) -> [] {
                h = x
                k = 0
                while sum(h) < 3 + k {
                    for i in range(2) {
                        h = h + 0.3 * exp(h * x[i] * 0.5)
                    }
                    k += 1
                }
                return sum(sin(h) * x)
            }
            fn nested(x: [3], w: [3, 3]) -> [] {
                h = x
                for i in range(3) {
                    while sum(h * h) < 4 + i {
                        h = h * 1.2 + 0.5 + 0.1 * tanh(x)
                    }
                    h = 0.5 * tanh(w @ h) + h
                }
                return sum(h * h)
            }
            fn twice(x: [2]) -> [] {
                y = x
                k = 0
                while k < 3 {
                    while sum(y) < 5 * (k + 1) {
                        y = y * 1.1 + 0.2 + 0.1 * sin(x)
                    }
                    y = 0.3 * sin(y) + y
                    k += 1
                }
                return sum(y * x)
            }
            fn ragged(x: [3], w: [3, 3]) -> [] {
                h = x
                for i in range(3) {
                    while sum(h * h) < 4 + i {
                        h = tanh(w @ h) * 0.3 + h * 1.2 + 0.5
                    }
                    h = h * 0.9
                }
                return sum(h * x)
            }
            fn raggedNamed(x: [n], w: [n, n]) -> [] {
                h = x
                for i in range(2) {
                    while sum(h * h) < n + i {
                        h = tanh(w @ h) * 0.3 + h * 1.2 + 0.5
                    }
                    h = sin(h) + h
                }
                return sum(h * x)
            }
            fn named(x: [n], w: [n, n]) -> [] {
                h = x
                while sum(h * h) < 2 * n {
                    h = tanh(w @ h) + h * 1.1 + 0.05
                }
                return sum(h * x)
            }
            """;

    private record Fn(String name, List<int[]> shapes) {}

    private static final List<Fn> FNS = List.of(new Fn("grow", List.of(new int[] {3})), new Fn("loopy", List.of(new int[] {3})),
            new Fn("inner", List.of(new int[] {3})), new Fn("nested", List.of(new int[] {3}, new int[] {3, 3})), new Fn("twice", List.of(new int[] {2})),
            new Fn("ragged", List.of(new int[] {3}, new int[] {3, 3})), new Fn("raggedNamed", List.of(new int[] {4}, new int[] {4, 4})),
            new Fn("raggedNamed", List.of(new int[] {2}, new int[] {2, 2})), new Fn("named", List.of(new int[] {4}, new int[] {4, 4})),
            new Fn("named", List.of(new int[] {2}, new int[] {2, 2})));

    private static String emit(String fn, Compiler.Emit how) {
        Compiler.Emitted r = Compiler.grad("w.tx", SOURCE, fn, List.of(), how);
        assertNotNull(r.text(), () -> "tx grad failed:\n" + r.diagnostics().render());
        return r.text();
    }

    /** Inputs for each case: random ones, and one so large that the while runs no iteration. */
    private static List<Tensor[]> inputs(Fn f) {
        Random rng = new Random(f.name().hashCode() + f.shapes().get(0)[0]);
        List<Tensor[]> out = new java.util.ArrayList<>();
        for (int trial = 0; trial < 4; trial++) {
            Tensor[] args = new Tensor[f.shapes().size()];
            for (int a = 0; a < args.length; a++) {
                int[] shape = f.shapes().get(a);
                double[] v = new double[tx.runtime.tensor.Shapes.numel(shape)];
                for (int k = 0; k < v.length; k++) v[k] = trial == 3 && a == 0 ? 9 + k : rng.nextDouble() * 1.2 - 0.4;
                args[a] = Tensor.of(shape, v);
            }
            out.add(args);
        }
        return out;
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-9 * Math.max(1, Math.abs(want[i])), what + ": element " + i + " want " + want[i] + ", got " + got[i]);
        }
    }

    @Test
    void theEmittedTxRunsAndGivesTheGradient() {
        Tx.Module m = Tx.compile("w.tx", SOURCE);
        for (Fn f : FNS) {
            String text = emit(f.name(), Compiler.Emit.TX);
            assertTrue(text.contains("while "), text);
            if (!f.name().equals("nested")) assertTrue(text.contains(".append(") && text.contains("stack("), text); // nested's for loop tapes in place
            Tx.Function emitted = Tx.compile(f.name() + "_grad.tx", text).function(f.name() + "_grad");
            for (Tensor[] args : inputs(f)) {
                Tensor want = m.grad(f.name()).call(args).get(0);
                assertClose(want.data(), emitted.call(args).get(0).data(), f.name() + " at " + java.util.Arrays.toString(args[0].data()) + ":\n" + text);
            }
        }
    }

    @Test
    void theEmittedJavaCompilesAndGivesTheGradient() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String fn : List.of("grow", "loopy", "inner", "nested", "twice", "ragged", "raggedNamed", "named")) {
            String cls = "emittedwhile." + Character.toUpperCase(fn.charAt(0)) + fn.substring(1) + "Grad";
            sources.put(cls, "package emittedwhile;\n\n" + emit(fn, Compiler.Emit.JAVA));
        }
        ClassLoader loader = InMemoryJavac.compile(sources);
        Tx.Module m = Tx.compile("w.tx", SOURCE);
        for (Fn f : FNS) {
            Class<?> k = loader.loadClass("emittedwhile." + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1) + "Grad");
            Class<?>[] types = new Class<?>[f.shapes().size()];
            java.util.Arrays.fill(types, double[].class);
            Method grad = k.getMethod(f.name() + "_grad", types), value = k.getMethod(f.name(), types);
            for (Tensor[] args : inputs(f)) {
                Object[] raw = new Object[args.length];
                for (int a = 0; a < args.length; a++) raw[a] = args[a].data().clone();
                double[][] got = (double[][]) grad.invoke(null, raw);
                assertClose(m.grad(f.name()).call(args).get(0).data(), got[0], f.name() + " (Java gradient)");
                assertClose(m.function(f.name()).call(args).get(0).data(), (double[]) value.invoke(null, raw), f.name() + " (Java value)");
            }
        }
    }
}
