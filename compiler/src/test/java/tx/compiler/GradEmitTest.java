package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx grad --emit tx}, for every example function with a scalar result:
 * <ul>
 *   <li>the emitted source is the golden file {@code golden/grad/<file>/<fn>.tx} under the test
 *       resources, and the emitted Java {@code <fn>.java} beside it (regenerate both with
 *       {@code mvn test -Dtest=GradEmitTest -Dtx.regen=true} and review the diff);</li>
 *   <li>round trip: running the emitted {@code fn_grad} gives the in-process gradient
 *       ({@code grad(fn)} through the embedding API) at random inputs, for two sizes of each named
 *       dimension, for the default {@code wrt} and for every parameter;</li>
 *   <li>the emitted file differentiates again: {@code tx grad} of a scalar function of
 *       {@code fn_grad} gives the second derivative that {@code grad} of {@code grad(fn)} gives;</li>
 *   <li>no emitted file calls grad, vjp, value_and_grad or backward.</li>
 * </ul>
 */
class GradEmitTest {
    static final Path GOLDEN = TxRunner.root().resolve("compiler/src/test/resources/golden/grad");
    private static final Pattern TRANSFORM_CALL = Pattern.compile("\\b(grad|vjp|value_and_grad|backward)\\s*\\(");
    private static final double TOL = 1e-9;

    /** An example function with a scalar result. */
    record Case(Path file, String source, Ast.FnDef fn) {
        String stem() {
            String name = file.getFileName().toString();
            return name.substring(0, name.length() - ".tx".length());
        }

        @Override public String toString() {
            return TxRunner.root().relativize(file) + " " + fn.name();
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (Path file : TxRunner.files(TxRunner.root().resolve("examples"), ".tx")) {
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Ast.Program ast = Parse.program(source, new Diagnostics("t.tx", source));
            assertNotNull(ast, file.toString());
            for (Ast.Stmt s : ast.body()) {
                if (s instanceof Ast.FnDef f && f.returns().size() == 1 && f.returns().get(0).isEmpty()) out.add(new Case(file, source, f));
            }
        }
        return out;
    }

    static String emit(String fileName, String source, String fn, List<String> wrt) {
        Compiler.Emitted r = Compiler.grad(fileName, source, fn, wrt, Compiler.Emit.TX);
        assertNotNull(r.text(), () -> "tx grad failed:\n" + r.diagnostics().render());
        return r.text();
    }

    @Test
    void everyExampleDirectoryHasScalarFunctions() throws IOException {
        List<Case> all = cases();
        assertTrue(all.size() >= 20, "found only " + all.size() + " scalar example functions");
        assertTrue(all.stream().anyMatch(c -> c.file().toString().contains("handwritten")));
    }

    @TestFactory
    Stream<DynamicTest> goldenFiles() throws IOException {
        boolean regen = Boolean.getBoolean("tx.regen");
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            String text = emit(c.file().getFileName().toString(), c.source(), c.fn().name(), List.of());
            Path golden = GOLDEN.resolve(c.stem()).resolve(c.fn().name() + ".tx");
            if (regen) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, text, StandardCharsets.UTF_8);
            }
            assertTrue(Files.exists(golden), golden + " is missing: run with -Dtx.regen=true");
            assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text, "emitted source differs from " + golden);
            assertFalse(TRANSFORM_CALL.matcher(text).find(), "the emitted derivative calls a transform:\n" + text);
        }));
    }

    /** The emitted Java of every example function is a golden file too (JavaEmitTest compiles and runs it). */
    @TestFactory
    Stream<DynamicTest> javaGoldenFiles() throws IOException {
        boolean regen = Boolean.getBoolean("tx.regen");
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Compiler.Emitted r = Compiler.grad(c.file().getFileName().toString(), c.source(), c.fn().name(), List.of(), Compiler.Emit.JAVA);
            assertNotNull(r.text(), () -> "tx grad --emit java failed:\n" + r.diagnostics().render());
            Path golden = GOLDEN.resolve(c.stem()).resolve(c.fn().name() + ".java");
            if (regen) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, r.text(), StandardCharsets.UTF_8);
            }
            assertTrue(Files.exists(golden), golden + " is missing: run with -Dtx.regen=true");
            assertEquals(Files.readString(golden, StandardCharsets.UTF_8), r.text(), "emitted Java differs from " + golden);
        }));
    }

    @TestFactory
    Stream<DynamicTest> roundTrip() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            List<String> all = new ArrayList<>();
            for (Ast.Param p : c.fn().params()) all.add(p.name());
            tests.add(DynamicTest.dynamicTest(c + " (first parameter)", () -> roundTrip(c, List.of())));
            if (all.size() > 1) tests.add(DynamicTest.dynamicTest(c + " (every parameter)", () -> roundTrip(c, all)));
        }
        return tests.stream();
    }

    private static void roundTrip(Case c, List<String> wrt) {
        String name = c.fn().name();
        String text = emit(c.file().getFileName().toString(), c.source(), name, wrt);
        Tx.Module emitted = Tx.compile(name + "_grad.tx", text);
        Tx.Module original = Tx.compile(c.file().getFileName().toString(), c.source());
        for (int size : new int[] {4, 7}) {
            Tensor[] args = inputs(c.fn(), size, 1234L + size);
            List<Tensor> expected = original.grad(name, wrt.toArray(String[]::new)).call(args);
            List<Tensor> actual = emitted.function(name + "_grad").call(args);
            assertClose(expected, actual, c + " wrt " + wrt + " at size " + size + ":\n" + text);
        }
    }

    @TestFactory
    Stream<DynamicTest> emittedCodeDifferentiatesAgain() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            String name = c.fn().name();
            List<String> params = new ArrayList<>();
            List<String> decls = new ArrayList<>();
            for (Ast.Param p : c.fn().params()) {
                params.add(p.name());
                List<String> dims = new ArrayList<>();
                for (Ast.Dim d : p.shape()) dims.add(d.name() != null ? d.name() : Integer.toString(d.size()));
                decls.add(p.name() + ": [" + String.join(", ", dims) + "]");
            }
            String signature = "(" + String.join(", ", decls) + ") -> []";
            String args = String.join(", ", params);
            // the emitted gradient, reduced to a scalar, then differentiated by tx grad
            String once = emit(c.file().getFileName().toString(), c.source(), name, List.of());
            String wrapper = once + "\nfn total" + signature + " {\n    return sum(" + name + "_grad(" + args + ") * " + name + "_grad(" + args + "))\n}\n";
            String twice = emit("twice.tx", wrapper, "total", List.of());
            assertFalse(TRANSFORM_CALL.matcher(twice).find(), "the second derivative calls a transform:\n" + twice);
            Tx.Module actual = Tx.compile("twice.tx", twice);
            Tensor[] inputs = inputs(c.fn(), 5, 99L);
            List<Tensor> got = actual.function("total_grad").call(inputs);
            // the same thing in process: grad of a function of grad(fn), through loops and branches too
            String inProcess = c.source() + "\nfn total" + signature + " {\n    g = grad(" + name + ")(" + args + ")\n    return sum(g * g)\n}\n";
            assertClose(Tx.compile("in_process.tx", inProcess).grad("total").call(inputs), got, c + ":\n" + twice);
        }));
    }

    /** Seeded inputs of a function's declared shapes, each named dimension of the given size. */
    static Tensor[] inputs(Ast.FnDef fn, int size, long seed) {
        Random r = new Random(seed);
        Map<String, Integer> dims = new HashMap<>();
        Tensor[] out = new Tensor[fn.params().size()];
        for (int i = 0; i < out.length; i++) {
            List<Ast.Dim> shape = fn.params().get(i).shape();
            int[] s = new int[shape.size()];
            for (int k = 0; k < s.length; k++) {
                Ast.Dim d = shape.get(k);
                s[k] = d.name() == null ? d.size() : dims.computeIfAbsent(d.name(), n -> size + dims.size());
            }
            int n = 1;
            for (int k : s) n *= k;
            double[] data = new double[n];
            for (int k = 0; k < n; k++) data[k] = 0.25 + r.nextDouble(); // positive, away from 0: logs and square roots stay defined
            out[i] = Tensor.of(s, data);
        }
        return out;
    }

    static void assertClose(List<Tensor> expected, List<Tensor> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            Tensor e = expected.get(i), a = actual.get(i);
            assertEquals(java.util.Arrays.toString(e.shape()), java.util.Arrays.toString(a.shape()), what);
            for (int k = 0; k < e.size(); k++) {
                double x = e.get(k), y = a.get(k);
                boolean ok = Double.compare(x, y) == 0 || Math.abs(x - y) <= TOL * (1 + Math.abs(x));
                assertTrue(ok, "result " + i + " element " + k + ": expected " + x + ", got " + y + " (" + what + ")");
            }
        }
    }
}
