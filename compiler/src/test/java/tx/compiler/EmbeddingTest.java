package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/** The Java embedding API, and the README's example of it, compiled and run as it is written there. */
class EmbeddingTest {
    @TempDir
    Path dir;

    @Test
    void functionsAndGradientsCanBeCalledFromJava() {
        Tx.Module m = Tx.compile("m.tx", """
                fn f(x: [n], w: [n]) -> [] {
                    return sum(sin(x) * w)
                }
                print("the script around the functions is not run")
                """);
        Tensor x = Tensor.of(new int[] {2}, new double[] {0.5, 1.5}), w = Tensor.of(new int[] {2}, new double[] {2, -1});
        assertEquals(2 * Math.sin(0.5) - Math.sin(1.5), m.function("f").call(x, w).get(0).item(), 1e-15);
        List<Tensor> g = m.grad("f", "x", "w").call(x, w);
        assertArrayEquals(new double[] {2 * Math.cos(0.5), -Math.cos(1.5)}, g.get(0).data(), 1e-15); // d/dx = w cos x
        assertArrayEquals(new double[] {Math.sin(0.5), Math.sin(1.5)}, g.get(1).data(), 1e-15);      // d/dw = sin x
        List<Tensor> vg = m.valueAndGrad("f").call(x, w);
        assertEquals(2, vg.size());
        Tensor longer = Tensor.of(new int[] {3}, new double[] {0, 0, 0});
        assertEquals(0.0, m.function("f").call(longer, longer).get(0).item()); // n binds per call
    }

    /** One program serves every call with the same shapes: the arguments' values are not baked into it. */
    @Test
    void callsWithTheSameShapesGetTheirOwnValues() {
        Tx.Module m = Tx.compile("m.tx", "fn f(x: [n], w: [n]) -> [] { return sum(exp(x) * w) }\n");
        Tx.Function grad = m.grad("f", "x", "w");
        for (double[] x : new double[][] {{0.0, 1.0}, {2.0, -1.0}, {0.5, 0.25}}) {
            double[] w = {3.0, -2.0};
            List<Tensor> g = grad.call(Tensor.of(new int[] {2}, x.clone()), Tensor.of(new int[] {2}, w.clone()));
            assertArrayEquals(new double[] {Math.exp(x[0]) * w[0], Math.exp(x[1]) * w[1]}, g.get(0).data(), 1e-15);
            assertArrayEquals(new double[] {Math.exp(x[0]), Math.exp(x[1])}, g.get(1).data(), 1e-15);
            assertEquals(Math.exp(x[0]) * w[0] + Math.exp(x[1]) * w[1], m.function("f").call(Tensor.of(new int[] {2}, x), Tensor.of(new int[] {2}, w)).get(0).item(), 1e-15);
        }
        List<Tensor> three = grad.call(Tensor.of(new int[] {3}, new double[] {0, 0, 0}), Tensor.of(new int[] {3}, new double[] {1, 2, 3}));
        assertArrayEquals(new double[] {1, 2, 3}, three.get(0).data()); // another size: compiled again, for it
    }

    @Test
    void aBadCallIsADiagnosticNotACrash() {
        Tx.Module m = Tx.compile("m.tx", "fn f(x: [2]) -> [] { return sum(x) }\n");
        Tensor three = Tensor.of(new int[] {3}, new double[] {1, 2, 3});
        Tx.TxException e = assertThrows(Tx.TxException.class, () -> m.function("f").call(three));
        assertTrue(e.getMessage().contains("error[E0209]: argument `x` of `f` has shape [3], but the signature says [2]"), e.getMessage());
        assertThrows(Tx.TxException.class, () -> m.function("g").call(three));
        assertThrows(Tx.TxException.class, () -> Tx.compile("bad.tx", "x = (1 +\n"));
    }

    @Test
    void theReadmeExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(TxRunner.root().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has no Java example");
        Path src = dir.resolve("Embed.java");
        Files.writeString(src, m.group(1), StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, null, errors, "-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), src.toString());
        assertEquals(0, status, errors.toString(StandardCharsets.UTF_8));
        String out = runMain(dir);
        // loss of one sample: mean((tanh(x @ w + b) - y)^2), worked out here independently
        double h0 = Math.tanh(1.0 * 0.1 + 2.0 * -0.5 + 0.05), h1 = Math.tanh(1.0 * -0.2 + 2.0 * 0.6 - 0.05);
        double loss = ((h0 - 0.5) * (h0 - 0.5) + (h1 + 0.5) * (h1 + 0.5)) / 2;
        String[] parts = out.trim().split(" ");
        assertEquals(loss, Double.parseDouble(parts[0]), 1e-15);
        assertEquals("2 2", parts[1] + " " + parts[2]);
    }

    /** Runs Embed.main in a new JVM whose working directory is the repository, as a user would; returns its output. */
    private static String runMain(Path classes) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classes + java.io.File.pathSeparator + System.getProperty("java.class.path");
        Process p = new ProcessBuilder(javaBin, "-cp", cp, "Embed").directory(TxRunner.root().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void aFileThatIsNotUtf8IsATxExceptionAtItsFirstBadByte() throws IOException {
        Path f = Files.write(dir.resolve("latin1.tx"), "fn f(x: [2]) -> [] {\n    return sum(x) # \u00e9t\u00e9\n}\n".getBytes(StandardCharsets.ISO_8859_1));
        Tx.TxException e = assertThrows(Tx.TxException.class, () -> Tx.compile(f));
        assertTrue(e.getMessage().startsWith("error[E0004]: this file is not valid UTF-8: the byte 0xe9 here is not part of a UTF-8 character\n"
                + " --> latin1.tx:2:21\n"), e.getMessage());
    }

    /** Every misuse of the API is an exception that says what is wrong, never a bare NullPointerException. */
    @Test
    void nullArgumentsAreNamed() {
        Tx.Module m = Tx.compile("m.tx", "fn f(x: [2], y: [2]) -> [] { return sum(x * y) }\n");
        Tensor x = Tensor.of(new int[] {2}, new double[] {1, 2});
        assertEquals("Tx.compile: file is null", assertThrows(NullPointerException.class, () -> Tx.compile((Path) null)).getMessage());
        assertEquals("Tx.compile: name is null", assertThrows(NullPointerException.class, () -> Tx.compile(null, "x = 1\n")).getMessage());
        assertEquals("Tx.compile: source is null", assertThrows(NullPointerException.class, () -> Tx.compile("m.tx", null)).getMessage());
        assertEquals("Module.function: fn is null", assertThrows(NullPointerException.class, () -> m.function(null)).getMessage());
        assertEquals("Module.grad: fn is null", assertThrows(NullPointerException.class, () -> m.grad(null)).getMessage());
        assertEquals("Module.grad: wrt[1] is null", assertThrows(NullPointerException.class, () -> m.grad("f", "x", null)).getMessage());
        assertEquals("Module.grad: wrt is null", assertThrows(NullPointerException.class, () -> m.grad("f", (String[]) null)).getMessage());
        assertEquals("Module.valueAndGrad: fn is null", assertThrows(NullPointerException.class, () -> m.valueAndGrad(null, "x")).getMessage());
        assertEquals("Function.call: args is null", assertThrows(NullPointerException.class, () -> m.function("f").call((Tensor[]) null)).getMessage());
        assertEquals("Function.call: argument 2 of `f` (y) is null",
                assertThrows(NullPointerException.class, () -> m.function("f").call(x, null)).getMessage());
        assertEquals("Function.call: argument 1 of `f` (x) is null",
                assertThrows(NullPointerException.class, () -> m.grad("f").call(null, x)).getMessage());
        assertEquals("Function.call: argument 3 of `f` is null", // f has two parameters
                assertThrows(NullPointerException.class, () -> m.function("f").call(x, x, null)).getMessage());
    }

    @Test
    void theWrongNumberOfArgumentsIsADiagnostic() {
        Tx.Module m = Tx.compile("m.tx", "fn f(x: [2]) -> [] { return sum(x) }\n");
        Tensor x = Tensor.of(new int[] {2}, new double[] {1, 2});
        assertTrue(assertThrows(Tx.TxException.class, () -> m.function("f").call()).getMessage().startsWith("error[E0104]: `f` is missing its argument `x`"));
        assertTrue(assertThrows(Tx.TxException.class, () -> m.function("f").call(x, x)).getMessage().startsWith("error[E0104]: `f` takes 1 arguments, got 2"));
    }

    /** A gradient of a function without parameters, and a function that returns a list, are diagnostics; both were internal errors. */
    @Test
    void whatCannotBeCalledFromJavaIsADiagnostic() {
        Tx.Module m = Tx.compile("m.tx", "fn none() -> [] { return sum(ones(2)) }\nfn both(x: [2]) { return [x, x] }\n");
        assertTrue(assertThrows(Tx.TxException.class, () -> m.grad("none").call()).getMessage()
                .startsWith("error[E0104]: `none` has no parameters to differentiate with respect to"));
        Tensor x = Tensor.of(new int[] {2}, new double[] {1, 2});
        String e = assertThrows(Tx.TxException.class, () -> m.function("both").call(x)).getMessage();
        assertTrue(e.startsWith("error[E0401]: `both` returns a list"), e);
    }
}
