package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run-time checks ({@code assert}, and the checks the compiler places where PyTorch refuses a value
 * when it runs) through {@code tx grad --emit tx|java|dot}: the output against golden files in
 * {@code golden/checks/} (regenerate with {@code -Dtx.regen=true} and review the diff); the emitted
 * {@code .tx} run again and the emitted Java compiled and run, each at an input that passes (the
 * gradient {@code tx run} prints) and at one that fails (the message {@code tx run} prints for the
 * original program).
 */
class CheckEmitTest {
    private static final Path DIR = TxRunner.root().resolve("compiler/src/test/resources/golden/checks");

    /**
     * A function of checks.tx, an input each check passes and one some check fails (as tx source,
     * and as Java arguments of the given shapes); {@code compilers}: the check that fails is the
     * compiler's, not an assert.
     */
    record Case(String fn, String passing, String failing, int[][] shapes, double[][] javaPassing, double[][] javaFailing, boolean compilers) {
        Case(String fn, String passing, String failing, double[][] javaPassing, double[][] javaFailing) {
            this(fn, passing, failing, Arrays.stream(javaPassing).map(x -> new int[] {x.length}).toArray(int[][]::new), javaPassing, javaFailing, false);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("positive", "tensor([1.0, 2.0, 3.0])", "tensor([-1.0, -2.0, 1.0])", new double[][] {{1, 2, 3}}, new double[][] {{-1, -2, 1}}),
            new Case("bounded", "tensor([1.0, 2.0, 3.0])", "tensor([-1.0, -2.0, 3.0])", new double[][] {{1, 2, 3}}, new double[][] {{-1, -2, 3}}),
            new Case("named", "tensor([1.0, 2.0, 3.0, 4.0])", "tensor([1.0, 2.0, -3.0, 4.0])", new double[][] {{1, 2, 3, 4}},
                    new double[][] {{1, 2, -3, 4}}),
            new Case("called", "tensor([1.0, 2.0, 3.0]), tensor([0.5, -1.0, 2.0])", "tensor([1.0, 2.0, 3.0]), tensor([0.0, 0.0, 0.0])",
                    new double[][] {{1, 2, 3}, {0.5, -1, 2}}, new double[][] {{1, 2, 3}, {0, 0, 0}}),
            new Case("classify", "tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]]), tensor([2.0, 0.0])", "tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]]), tensor([1.0, 5.0])",
                    new int[][] {{2, 3}, {2}}, new double[][] {{1, 2, 0.5, 0.1, 0.2, 0.3}, {2, 0}}, new double[][] {{1, 2, 0.5, 0.1, 0.2, 0.3}, {1, 5}}, true),
            new Case("bce", "tensor([0.5, 1.0, 1.5]), tensor([0.0, 1.0, 1.0])", "tensor([0.5, 2.5, 1.5]), tensor([0.0, 1.0, 1.0])",
                    new int[][] {{3}, {3}}, new double[][] {{0.5, 1, 1.5}, {0, 1, 1}}, new double[][] {{0.5, 2.5, 1.5}, {0, 1, 1}}, true));

    @TempDir Path tmp;

    private static String source() throws IOException {
        return Files.readString(DIR.resolve("checks.tx"), StandardCharsets.UTF_8);
    }

    private static String emit(String fn, Compiler.Emit emit) throws IOException {
        return emit(fn, emit, "checks.tx", source());
    }

    private static String emit(String fn, Compiler.Emit emit, String file, String source) {
        Compiler.Emitted r = Compiler.grad(file, source, fn, List.of(), emit);
        assertNotNull(r.text(), () -> "tx grad failed:\n" + r.diagnostics().render());
        return r.text();
    }

    @TestFactory
    Stream<DynamicTest> goldenFiles() {
        boolean regen = Boolean.getBoolean("tx.regen");
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : CASES) {
            for (Compiler.Emit e : Compiler.Emit.values()) {
                String ext = e.name().toLowerCase(java.util.Locale.ROOT);
                tests.add(DynamicTest.dynamicTest(c.fn() + "." + ext, () -> {
                    String text = emit(c.fn(), e);
                    Path golden = DIR.resolve(c.fn() + "." + ext);
                    if (regen) Files.writeString(golden, text, StandardCharsets.UTF_8);
                    assertTrue(Files.exists(golden), golden + " is missing: run with -Dtx.regen=true");
                    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text, "emitted text differs from " + golden);
                }));
            }
        }
        return tests.stream();
    }

    /** The emitted .tx prints the gradient at the passing input, and at the failing one stops as the original does. */
    @TestFactory
    Stream<DynamicTest> emittedTxRunsAgain() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.fn(), () -> {
            String emitted = emit(c.fn(), Compiler.Emit.TX);
            String original = source();
            TxRunner.Outcome want = TxRunner.runSource(tmp, original + "\nprint(grad(" + c.fn() + ")(" + c.passing() + "))\n");
            TxRunner.Outcome got = TxRunner.runSource(tmp, emitted + "\nprint(" + c.fn() + "_grad(" + c.passing() + "))\n");
            assertEquals(0, want.status(), want.err());
            assertEquals(0, got.status(), got.err());
            assertEquals(want.out(), got.out());
            want = TxRunner.runSource(tmp, original + "\nprint(grad(" + c.fn() + ")(" + c.failing() + "))\n");
            got = TxRunner.runSource(tmp, emitted + "\nprint(" + c.fn() + "_grad(" + c.failing() + "))\n");
            assertEquals(3, want.status(), want.err());
            assertEquals(3, got.status(), got.err());
            // a compiler's check is written as an assert: PyTorch's words after `AssertionError: ` (tx has no other error to raise)
            String message = firstLine(want.err());
            if (c.compilers()) message = message.replaceFirst("^error\\[E0509\\]: ", "error[E0501]: AssertionError: ");
            assertEquals(message, firstLine(got.err()), got.err());
            assertEquals("", got.out());
        }));
    }

    /** The emitted Java gives the interpreter's gradient at the passing input, and throws tx run's message at the failing one. */
    @TestFactory
    Stream<DynamicTest> emittedJavaRuns() throws IOException {
        Map<String, String> sources = new java.util.LinkedHashMap<>();
        for (Case c : CASES) sources.put("checks." + className(c.fn()), "package checks;\n\n" + emit(c.fn(), Compiler.Emit.JAVA));
        ClassLoader loader = InMemoryJavac.compile(sources);
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.fn(), () -> {
            Class<?> k = loader.loadClass("checks." + className(c.fn()));
            Class<?>[] types = new Class<?>[c.javaPassing().length];
            Arrays.fill(types, double[].class);
            Method value = k.getMethod(c.fn(), types), grad = k.getMethod(c.fn() + "_grad", types);
            double[][] g = (double[][]) grad.invoke(null, (Object[]) copy(c.javaPassing()));
            tx.runtime.tensor.Tensor[] args = new tx.runtime.tensor.Tensor[c.javaPassing().length];
            for (int i = 0; i < args.length; i++) args[i] = tx.runtime.tensor.Tensor.of(c.shapes()[i], c.javaPassing()[i].clone());
            double[] want = tx.compiler.api.Tx.compile("checks.tx", source()).grad(c.fn()).call(args).get(0).data();
            assertEquals(want.length, g[0].length);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], g[0][i], 1e-12 * (1 + Math.abs(want[i])), c.fn() + " element " + i);
            assertEquals(1, ((double[]) value.invoke(null, (Object[]) copy(c.javaPassing()))).length);
            String message = firstLine(TxRunner.runSource(tmp, source() + "\nprint(grad(" + c.fn() + ")(" + c.failing() + "))\n").err())
                    .replaceFirst("^error\\[E05\\d\\d\\]: ", "");
            for (Method m : List.of(value, grad)) {
                InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> m.invoke(null, (Object[]) copy(c.javaFailing())));
                assertInstanceOf(IllegalArgumentException.class, e.getCause());
                assertEquals(message, e.getCause().getMessage());
            }
        }));
    }

    /** DOT: each check is an octagon with its message, reached from its condition. */
    @Test
    void dotShowsEachCheck() throws IOException {
        String dot = emit("bounded", Compiler.Emit.DOT);
        assertTrue(dot.contains("[label=\"assert fails\\nAssertionError: only {...} of {3} \\\"positive\\\"\\nline 12\""), dot);
        assertTrue(dot.contains("[label=\"assert fails\\nAssertionError: too big\\nline 16\""), dot);
        assertEquals(2, dot.split("-> \"check\\d\" \\[label=\"if false\"\\]", -1).length - 1, dot);
        assertTrue(dot.contains("-> \"check1\" [label=\"shown\"]"), dot);
    }

    /** A message is the user's text: escaped, never pasted (the Java stays printable ASCII and says exactly what tx run says). */
    @Test
    void hostileMessagesAreEscaped() throws Exception {
        String src = "fn f(x: [2]) -> [] {\n    assert x.sum() > 0, \"d\u00e9j\u00e0 \\\"q\\\" */ \\\\u0041 {x}\\n\\tnext\"\n    return x.sum()\n}\n";
        Compiler.Emitted java = Compiler.grad("h.tx", src, "f", List.of(), Compiler.Emit.JAVA);
        assertNotNull(java.text(), java.diagnostics().render());
        for (char ch : java.text().toCharArray()) assertTrue(ch == '\n' || ch >= 0x20 && ch < 0x7f, "not printable ASCII: " + (int) ch);
        Method grad = InMemoryJavac.compile(Map.of("FGrad", java.text())).loadClass("FGrad").getMethod("f_grad", double[].class);
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> grad.invoke(null, (Object) new double[] {-1, -1}));
        TxRunner.Outcome run = TxRunner.runSource(tmp, src + "print(grad(f)(tensor([-1.0, -1.0])))\n");
        assertEquals(3, run.status(), run.err());
        String said = run.err().substring("error[E0501]: ".length(), run.err().indexOf("\n --> "));
        // the exception carries the text itself; tx run shows its line breaks and tabs as visible symbols
        assertEquals("AssertionError: d\u00e9j\u00e0 \"q\" */ \\u0041 {x}\n\tnext", e.getCause().getMessage());
        assertEquals(tx.compiler.syntax.Printable.line(e.getCause().getMessage()), said);
        String tx = emit("f", Compiler.Emit.TX, "h.tx", src);
        TxRunner.Outcome again = TxRunner.runSource(tmp, tx + "print(f_grad(tensor([-1.0, -1.0])))\n");
        assertEquals(3, again.status(), again.err());
        assertTrue(again.err().startsWith("error[E0501]: " + said + "\n"), again.err());
    }

    /** A print or a save is still refused; an assert alone is not. */
    @Test
    void printsAndSavesStayRefused() {
        String printing = "fn f(x: [3]) -> [] {\n    print(x)\n    return x.sum()\n}\n";
        Compiler.Emitted r = Compiler.grad("p.tx", printing, "f", List.of(), Compiler.Emit.TX);
        assertEquals(null, r.text());
        assertTrue(r.diagnostics().render().contains("error[E0601]: `tx grad` cannot write out a function that prints or saves"), r.diagnostics().render());
    }

    /** A message that shows a float computed at run time is not written yet: E0601, not a wrong message. */
    @Test
    void floatInAMessageIsRefused() {
        String src = "fn f(x: [3]) -> [] {\n    s = x.sum()\n    assert s > 0, f\"sum {s.item()}\"\n    return s\n}\n";
        Compiler.Emitted r = Compiler.grad("p.tx", src, "f", List.of(), Compiler.Emit.TX);
        assertEquals(null, r.text());
        assertTrue(r.diagnostics().render().contains("shows a float or a tensor computed at run time"), r.diagnostics().render());
    }

    /**
     * A function whose body checks is inlined at each call, never a call of its own: a call whose
     * result nothing reads still checks, and fails at the assert's line, inside the function.
     */
    @Test
    void aFunctionThatChecksIsInlinedAndKeepsItsCheck() {
        String src = "fn h(x: [3]) -> [] {\n    assert x.sum() > 0, \"positive\"\n    return (x * x).sum()\n}\n"
                + "a = tensor([1.0, 2.0, 3.0], requires_grad=true)\nunused = h(a)\nb = h(a * 2)\nb.backward()\nprint(a.grad)\n"
                + "c = h(-a)\nprint(\"not reached\")\n";
        TxRunner.Outcome r = TxRunner.runSource(tmp, src);
        assertEquals(3, r.status(), r.err());
        assertEquals("tensor([ 8., 16., 24.])\n", r.out());
        assertTrue(r.err().startsWith("error[E0501]: AssertionError: positive\n --> t.tx:2:5\n"), r.err());
        TxRunner.Outcome ir = TxRunner.run("ir", tmp.resolve("t.tx").toString());
        assertEquals(0, ir.status(), ir.err());
        assertTrue(!ir.out().contains("fn h#") && !ir.out().contains("call h#"), ir.out());
        assertEquals(3, ir.out().split("fail AssertionError", -1).length - 1, ir.out());
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    private static double[][] copy(double[][] xs) {
        double[][] out = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) out[i] = xs[i].clone();
        return out;
    }

    private static String className(String fn) {
        return Character.toUpperCase(fn.charAt(0)) + fn.substring(1) + "Grad";
    }
}
