package tx.compiler.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.tensor.Tensor;

/**
 * A function of the Java API compiled once for every size of its named dimensions (issue 11: "the
 * Java API compiles a function once and runs it at any size"). The values are checked against
 * formulas worked out by hand, and, for every function of the examples and conformance cases that
 * compiles once, against the program compiled for the call's own shapes, which the PyTorch twins
 * check: at sizes of their own, the two must give the same bits.
 */
class AnySizeTest {
    private static final String VARIANCE = """
            fn var1(x: [n]) -> [] {
                return sum((x - mean(x)) ** 2) / (x.shape[0] - 1)
            }
            fn scaled(x: [n, m], w: [m]) -> [n] {
                return tanh(x @ w) * n / m
            }
            fn counted(x: [n]) -> [] {
                s = 0.0
                for i in range(n) {
                    s = s + x[i] * i
                }
                return s
            }
            fn diagonal(x: [n, n]) -> [] {
                return sum(x * eye(n))
            }
            """;

    private static Tensor vector(double... v) {
        return Tensor.of(new int[] {v.length}, v);
    }

    /** The sample variance and its gradient 2 (x - mean) / (n - 1), at sizes no sample lowering would choose. */
    @Test
    void aSampleVarianceIsOneProgramForEverySize() {
        Tx.Module m = Tx.compile("v.tx", VARIANCE);
        Tx.Function f = m.function("var1"), g = m.grad("var1");
        assertTrue(f.compilesOnce());
        assertTrue(g.compilesOnce());
        for (int n : new int[] {2, 3, 7, 64, 1001}) {
            double[] x = new double[n];
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i] = Math.sin(3.0 * i) + i % 5;
            mean /= n;
            double ss = 0;
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                ss += (x[i] - mean) * (x[i] - mean);
                want[i] = 2 * (x[i] - mean) / (n - 1);
            }
            assertEquals(ss / (n - 1), f.call(vector(x)).get(0).item(), 1e-12 * Math.max(1, ss));
            assertArrayEquals(want, g.call(vector(x)).get(0).data(), 1e-12);
        }
        assertTrue(Double.isNaN(f.call(vector(4.0)).get(0).item())); // n = 1: 0 / 0, as PyTorch's x.var() of one element
    }

    /** A named dimension read as a number in the body is the call's size; two parameters share one. */
    @Test
    void namedDimensionsAreTheCallsSizes() {
        Tx.Function f = Tx.compile("v.tx", VARIANCE).function("scaled");
        assertTrue(f.compilesOnce());
        double[] x = {0.1, 0.2, 0.3, -0.4, 0.5, 0.6};
        double[] w = {1.0, -2.0, 0.5};
        Tensor r = f.call(Tensor.of(new int[] {2, 3}, x), vector(w)).get(0);
        assertArrayEquals(new int[] {2}, r.shape());
        for (int i = 0; i < 2; i++) {
            double dot = x[3 * i] * w[0] + x[3 * i + 1] * w[1] + x[3 * i + 2] * w[2];
            assertEquals(Math.tanh(dot) * 2 / 3, r.data()[i], 1e-15);
        }
        Tensor r2 = f.call(Tensor.of(new int[] {3, 2}, x), vector(1.0, 1.0)).get(0); // m = 2 now
        assertEquals(Math.tanh(0.3) * 3 / 2, r2.data()[0], 1e-15);
    }

    /** A loop over {@code range(n)} runs n times, n decided by each call (a while of the IR), and its gradient is the counter. */
    @Test
    void aLoopOverANamedDimensionIsOneProgram() {
        Tx.Module m = Tx.compile("v.tx", VARIANCE);
        assertTrue(m.function("counted").compilesOnce());
        assertTrue(m.grad("counted").compilesOnce());
        assertEquals(0 * 1 + 1 * 2 + 2 * 3, m.function("counted").call(vector(1, 2, 3)).get(0).item());
        assertEquals(0 * 1 + 1 * 2 + 2 * 3 + 3 * 4 + 4 * 5, m.function("counted").call(vector(1, 2, 3, 4, 5)).get(0).item());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6}, m.grad("counted").call(vector(new double[7])).get(0).data());
    }

    /** A size that a constructor needs when it is compiled ({@code eye(n)}): each shape gets its own program, with the same answers. */
    @Test
    void aFunctionThatNeedsItsSizesIsCompiledPerShape() {
        Tx.Function f = Tx.compile("v.tx", VARIANCE).function("diagonal");
        assertFalse(f.compilesOnce());
        assertEquals(1.0 + 4.0, f.call(Tensor.of(new int[] {2, 2}, new double[] {1, 2, 3, 4})).get(0).item());
        assertEquals(1.0 + 5.0 + 9.0, f.call(Tensor.of(new int[] {3, 3}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9})).get(0).item());
    }

    /**
     * A named size of 1 broadcasts against another size, as in PyTorch, where the program for every
     * size would check that the two agree: such a call takes the program for its shapes.
     */
    @Test
    void aSizeOfOneBroadcasts() {
        Tx.Function f = Tx.compile("b.tx", "fn f(x: [n], y: [3]) -> [3] { return x * y }\n").function("f");
        assertTrue(f.compilesOnce());
        assertArrayEquals(new double[] {2, 4, 6}, f.call(vector(2), vector(1, 2, 3)).get(0).data());
        assertArrayEquals(new double[] {1, 4, 9}, f.call(vector(1, 2, 3), vector(1, 2, 3)).get(0).data());
    }

    /**
     * A size made at run time that is 1 (a view's -1 of a named size) broadcasts too: the program
     * for every size stops at its check that the sizes agree, and the call takes the program for
     * its shapes, which broadcasts as PyTorch does (found by AnySizeFuzzTest).
     */
    @Test
    void aSizeOfOneMadeAtRunTimeBroadcasts() {
        Tx.Function f = Tx.compile("b.tx", "fn f(w: [n, 1]) -> [] { return sum(tensor([[[0.5], [1.0], [2.0]]]) * w.view(2, -1, 1)) }\n")
                .function("f");
        assertTrue(f.compilesOnce());
        assertEquals((3.0 - 1.0) * 3.5, f.call(Tensor.of(new int[] {2, 1}, new double[] {3, -1})).get(0).item()); // [2, 1, 1] * [1, 3, 1]
        Tensor four = Tensor.of(new int[] {6, 1}, new double[] {1, 2, 3, 4, 5, 6}); // a view of [2, 3, 1]: w * c elementwise
        assertEquals((1 + 4) * 0.5 + (2 + 5) * 1.0 + (3 + 6) * 2.0, f.call(four).get(0).item());
    }

    /** Arguments that do not fit the signature are reported as before, by the program for their shapes. */
    @Test
    void arguments() {
        Tx.Function f = Tx.compile("v.tx", VARIANCE).function("scaled");
        Tx.TxException e = assertThrows(Tx.TxException.class, () -> f.call(Tensor.of(new int[] {2, 3}, new double[6]), vector(1, 2)));
        assertTrue(e.getMessage().contains("error[E0209]"), e.getMessage());
        assertTrue(e.getMessage().contains("(with n = 2, m = 3)"), e.getMessage());
    }

    /**
     * Every function with named dimensions in the examples, the conformance cases and this test's
     * corpus (the built-ins that take sizes known only at run time) that compiles once
     * gives, at two sizes of its own for each named dimension, the bits of the program compiled for
     * those shapes (its value, its gradient with respect to every parameter, and its tangent).
     */
    @Test
    void theExamplesGiveTheBitsOfTheirProgramsPerShape() throws IOException {
        int compared = 0;
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"../examples", "../conformance/cases"}) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".tx")).sorted().forEach(files::add);
            }
        }
        Path corpus = Path.of("src/test/resources/anysize/functions.tx"); // each of its functions must compile once
        files.add(corpus);
        for (Path file : files) {
            String source = Files.readString(file);
            Ast.Program ast = Parse.program(source, new Diagnostics(file.toString(), source));
            Tx.Module m;
            try {
                m = Tx.compile(file);
            } catch (Tx.TxException notParsed) {
                continue; // a diagnostics case
            }
            for (Ast.Stmt s : ast.body()) {
                if (!(s instanceof Ast.FnDef fn) || !named(fn)) continue;
                assertTrue(!file.equals(corpus) || m.function(fn.name()).compilesOnce(), fn.name() + " of the corpus is compiled per shape");
                String[] all = fn.params().stream().map(Ast.Param::name).toArray(String[]::new);
                List<Tx.Function> transforms = List.of(m.function(fn.name()), m.grad(fn.name(), all), m.jvp(fn.name()));
                for (int t = 0; t < transforms.size(); t++) {
                    Tx.Function f = transforms.get(t);
                    if (!f.compilesOnce()) continue;
                    for (int size : new int[] {2, 5}) {
                        Tensor[] args = arguments(fn, size, t == 2);
                        String what = file + " " + fn.name() + " (" + t + ") at size " + size;
                        List<Tensor> once = outcome(f, args, false), perShape = outcome(f, args, true);
                        assertEquals(perShape == null, once == null, what + ": one stopped and the other did not");
                        if (once == null) continue;
                        assertEquals(perShape.size(), once.size());
                        for (int k = 0; k < once.size(); k++) {
                            assertArrayEquals(perShape.get(k).shape(), once.get(k).shape(), what);
                            assertArrayEquals(perShape.get(k).data(), once.get(k).data(), 0.0, what);
                        }
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared >= 150, "only " + compared + " comparisons");
    }

    /** The results of a call, or null if it stopped at run time (a failed check, an index out of range). */
    private static List<Tensor> outcome(Tx.Function f, Tensor[] args, boolean perShape) {
        try {
            return perShape ? f.callPerShape(args) : f.call(args);
        } catch (tx.runtime.exec.TxRuntimeException stopped) {
            return null;
        }
    }

    private static boolean named(Ast.FnDef fn) {
        boolean any = false;
        for (Ast.Param p : fn.params()) {
            if (p.kind() != null) return false;
            for (Ast.Dim d : p.shape()) any |= d.name() != null;
        }
        return any;
    }

    /** Arguments of the signature with each named dimension at {@code size} (the k-th one at size + k), values drawn from a fixed stream; a jvp's tangents after them. */
    private static Tensor[] arguments(Ast.FnDef fn, int size, boolean tangents) {
        Map<String, Integer> dims = new HashMap<>();
        List<Tensor> out = new ArrayList<>();
        java.util.Random r = new java.util.Random(size);
        for (Ast.Param p : fn.params()) {
            int[] shape = new int[p.shape().size()];
            for (int i = 0; i < shape.length; i++) {
                Ast.Dim d = p.shape().get(i);
                shape[i] = d.name() == null ? d.size() : dims.computeIfAbsent(d.name(), k -> size + dims.size());
            }
            double[] v = new double[tx.runtime.tensor.Shapes.numel(shape)];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(7) * 0.25 - 0.5; // whole quarters: class labels and indices among them
            out.add(Tensor.of(shape, v));
        }
        if (tangents) out.add(Tensor.of(out.get(0).shape(), out.get(0).data().clone()));
        return out.toArray(new Tensor[0]);
    }
}
