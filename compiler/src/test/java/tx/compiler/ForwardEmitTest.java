package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.compiler.api.Tx;
import tx.compiler.syntax.Ast;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx grad --mode forward} (LANGUAGE.md §9, issue 14 item 1), for every example function
 * with a scalar result, as {@link GradEmitTest} does for reverse mode:
 * <ul>
 *   <li>the emitted {@code NAME_jvp} is the golden file {@code golden/jvp/<file>/<fn>.tx}
 *       (regenerate with {@code -Dtx.regen=true} and review the diff);</li>
 *   <li>round trip: running it gives what {@code jvp(fn)} gives in process (the value and the
 *       tangent) at random inputs and tangents, for two sizes of each named dimension, along the
 *       first parameter and along all of them;</li>
 *   <li>it calls no transform; the Java class's {@code NAME_jvp} agrees too, and the graph is valid.</li>
 * </ul>
 */
class ForwardEmitTest {
    static final Path GOLDEN = TxRunner.root().resolve("compiler/src/test/resources/golden/jvp");
    private static final Pattern TRANSFORM_CALL = Pattern.compile("\\b(grad|vjp|jvp|value_and_grad|backward)\\s*\\(");

    private static Compiler.Emitted emit(String file, String source, String fn, List<String> wrt, Compiler.Emit how) {
        return Compiler.grad(file, source, fn, wrt, how, null, Compiler.Mode.FORWARD);
    }

    private static String text(String file, String source, String fn, List<String> wrt, Compiler.Emit how) {
        Compiler.Emitted r = emit(file, source, fn, wrt, how);
        assertNotNull(r.text(), () -> "tx grad --mode forward failed:\n" + r.diagnostics().render());
        return r.text();
    }

    @TestFactory
    Stream<DynamicTest> goldenFiles() throws IOException {
        boolean regen = Boolean.getBoolean("tx.regen");
        return GradEmitTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            String text = text(c.file().getFileName().toString(), c.source(), c.fn().name(), List.of(), Compiler.Emit.TX);
            Path golden = GOLDEN.resolve(c.stem()).resolve(c.fn().name() + ".tx");
            if (regen) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, text, StandardCharsets.UTF_8);
            }
            assertTrue(Files.exists(golden), golden + " is missing: run with -Dtx.regen=true");
            assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text, "emitted source differs from " + golden);
            assertFalse(TRANSFORM_CALL.matcher(text).find(), "the emitted tangent calls a transform:\n" + text);
        }));
    }

    @TestFactory
    Stream<DynamicTest> roundTrip() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradEmitTest.Case c : GradEmitTest.cases()) {
            List<String> all = new ArrayList<>();
            for (Ast.Param p : c.fn().params()) all.add(p.name());
            tests.add(DynamicTest.dynamicTest(c + " (first parameter)", () -> roundTrip(c, List.of())));
            if (all.size() > 1) tests.add(DynamicTest.dynamicTest(c + " (every parameter)", () -> roundTrip(c, all)));
        }
        return tests.stream();
    }

    private static void roundTrip(GradEmitTest.Case c, List<String> wrt) {
        String name = c.fn().name();
        String text = text(c.file().getFileName().toString(), c.source(), name, wrt, Compiler.Emit.TX);
        Tx.Module emitted = Tx.compile(name + "_jvp.tx", text);
        Tx.Module original = Tx.compile(c.file().getFileName().toString(), c.source());
        for (int size : new int[] {4, 7}) {
            Tensor[] args = withTangents(c.fn(), wrt, GradEmitTest.inputs(c.fn(), size, 1234L + size), 99L + size);
            List<Tensor> expected = original.jvp(name, wrt.toArray(String[]::new)).call(args);
            List<Tensor> actual = emitted.function(name + "_jvp").call(args);
            GradEmitTest.assertClose(expected, actual, c + " along " + wrt + " at size " + size + ":\n" + text);
        }
    }

    /** The arguments, then a seeded tangent of each {@code wrt} parameter's shape (default: the first). */
    static Tensor[] withTangents(Ast.FnDef fn, List<String> wrt, Tensor[] args, long seed) {
        Random r = new Random(seed);
        List<Tensor> out = new ArrayList<>(Arrays.asList(args));
        for (String w : wrt.isEmpty() ? List.of(fn.params().get(0).name()) : wrt) {
            int k = 0;
            while (!fn.params().get(k).name().equals(w)) k++;
            double[] t = new double[args[k].size()];
            for (int i = 0; i < t.length; i++) t[i] = r.nextDouble() - 0.5;
            out.add(Tensor.of(args[k].shape(), t));
        }
        return out.toArray(Tensor[]::new);
    }

    @TestFactory
    Stream<DynamicTest> javaAgrees() throws IOException {
        return GradEmitTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            String name = c.fn().name();
            String text = text(c.file().getFileName().toString(), c.source(), name, List.of(), Compiler.Emit.JAVA);
            java.util.regex.Matcher m = Pattern.compile("public final class (\\w+)").matcher(text);
            assertTrue(m.find(), text);
            String cls = "emittedjvp." + m.group(1);
            Class<?> k = InMemoryJavac.compile(Map.of(cls, "package emittedjvp;\n\n" + text)).loadClass(cls);
            boolean dimArgs = Arrays.stream(k.getFields()).anyMatch(f -> f.getName().equals("DIM_ARGS"));
            if (dimArgs) return; // a named dimension that is an argument: JavaEmitTest covers those
            Tensor[] args = withTangents(c.fn(), List.of(), GradEmitTest.inputs(c.fn(), 4, 7L), 8L);
            List<Tensor> expected = Tx.compile(c.file().getFileName().toString(), c.source()).jvp(name).call(args);
            Object[] arrays = new Object[args.length];
            Class<?>[] types = new Class<?>[args.length];
            for (int i = 0; i < args.length; i++) {
                arrays[i] = args[i].data().clone();
                types[i] = double[].class;
            }
            Method jvp = k.getMethod(name + "_jvp", types);
            double[][] got = (double[][]) jvp.invoke(null, arrays);
            assertEquals(2, got.length);
            for (int r = 0; r < 2; r++) {
                double[] want = expected.get(r).data();
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Double.compare(want[i], got[r][i]) == 0 || Math.abs(want[i] - got[r][i]) <= 1e-9 * (1 + Math.abs(want[i])),
                            c + " result " + r + " element " + i + ": " + want[i] + " vs " + got[r][i]);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> graphsAreValid() throws IOException {
        return GradEmitTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            DotEmitTest.Graph g = DotEmitTest.Graph.parse(text(c.file().getFileName().toString(), c.source(), c.fn().name(), List.of(), Compiler.Emit.DOT));
            assertTrue(g.nodes.containsKey("tangent"), "the tangent is a result: " + g.nodes.keySet());
            assertTrue(g.nodes.containsKey("value"), "the value is a result: " + g.nodes.keySet());
        }));
    }

    /** Forward mode through a call tree: the tangent functions are helpers, and the tangent is the gradient dotted with the direction. */
    @Test
    void aCallTreeInForwardModeIsWrittenAsFunctions() {
        String text = text("tree.tx", FunctionsEmitTest.doublingTree(12), "top", List.of(), Compiler.Emit.TX);
        assertTrue(text.contains("fn top_jvp_f11_jvp("), "the tangent functions are helpers:\n" + text);
        assertFalse(TRANSFORM_CALL.matcher(text.replaceAll("\\w+_jvp\\(", "(")).find(), text);
        double[] x = {0.7, -1.3}, v = {0.25, -2.0};
        List<Tensor> got = Tx.compile("top_jvp.tx", text).function("top_jvp").call(Tensor.of(new int[] {2}, x.clone()), Tensor.of(new int[] {2}, v.clone()));
        double[] g = FunctionsEmitTest.treeGradient(12, x);
        double want = g[0] * v[0] + g[1] * v[1];
        assertTrue(Math.abs(want - got.get(1).item()) <= 1e-9 * Math.max(1, Math.abs(want)), "tangent " + got.get(1).item() + ", want " + want);
        assertTrue(emit("tree.tx", FunctionsEmitTest.doublingTree(40), "top", List.of(), Compiler.Emit.TX).text().lines().count() < 60 * 40);
    }

    @Test
    void theCommandLineTakesTheMode() throws IOException {
        Path file = Files.createTempFile("cube", ".tx");
        Files.writeString(file, "fn cube(x: []) -> [] { return x ** 3 }\n");
        TxRunner.Outcome r = TxRunner.run("grad", file.toString(), "--fn", "cube", "--mode", "forward");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("fn cube_jvp(x: [], tangent_x: []) -> ([], [])"), r.out());
        TxRunner.Outcome bad = TxRunner.run("grad", file.toString(), "--fn", "cube", "--mode", "sideways");
        assertEquals(2, bad.status(), bad.err());
        assertTrue(bad.err().contains("`--mode` takes reverse or forward"), bad.err());
        Files.delete(file);
    }
}
