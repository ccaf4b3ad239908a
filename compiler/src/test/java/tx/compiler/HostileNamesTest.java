package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.compiler.api.Tx;
import tx.runtime.exec.Interpreter;
import tx.runtime.tensor.Tensor;

/**
 * A source file's name reaches what tx writes: the header comments of {@code tx grad}'s .tx, Java
 * and DOT, the DOT labels and tooltips, and the {@code -->} line of a diagnostic. Names made to
 * break out of those (a line break then code, {@code *}{@code /}, Java's {@code \}{@code u} escapes,
 * quotes, backslashes, control characters, non-ASCII) must leave the code as it is for a plain
 * name: the .tx runs and prints only its gradient, the Java compiles and runs, the DOT reads back.
 */
class HostileNamesTest {
    private static final String U = "\\" + "u"; // a backslash-u, spelt so that javac does not expand it in this file

    /** Names meant to escape a comment, a string or a line, with what each tries. */
    static final List<String> NAMES = List.of(
            "a\nprint(\"INJECTED\")\n#.tx",                                            // a tx statement after the header comment
            "a\rprint(\"INJECTED\")\r#.tx",                                            // the same after carriage returns (tx ends a comment at \r)
            "a\r\nprint(\"INJECTED\")\u2028\u0085#.tx",                                // CRLF, a line separator, a next-line
            "x*/ static { System.out.println(\"INJECTED\"); } /*.tx",                // the end of the Javadoc
            "x" + U + "002a" + U + "002f static { System.out.println(\"INJECTED\"); } /" + U + "002a.tx", // the same as Java escapes
            "x" + U + "000a static { System.out.println(\"INJECTED\"); } //.tx",     // a line feed as a Java escape, in a // comment
            "x\n static { System.out.println(\"INJECTED\"); } //.tx",                  // a real line feed in a // comment
            "lone" + U + ".tx",                                                        // a backslash-u that is no escape: javac refuses it
            "\\" + U + "002a\\\\" + U + "0041\\\\\\" + U + "0042.tx",                  // backslash runs before u
            "q\"uo'te\"\", \"x\" -> \"y\"; \".tx",                                     // quotes, and a DOT edge inside them
            "back\\slash\\N\\G\\n\\.tx",                                               // backslashes and Graphviz escapes
            "tab\there\u000bvt\u000cff.tx",                                            // tabs, a vertical tab, a form feed
            "esc\u001b[31mred\u001b[0m\u0007\u0000\u007f\u009b.tx",                    // terminal control: ESC, BEL, NUL, DEL, CSI
            "caf\u00e9 \ud83d\ude00 \u202eevil\u202c.tx",                              // non-ASCII, an emoji, a bidi override
            "lone\ud800surrogate.tx",                                                  // half a surrogate pair
            "}\n}\nfn evil() {\nprint(\"INJECTED\")\n#.tx",                            // close the function, open another
            "<b>html</b> &amp; {@code x} @param.tx");                                  // HTML and Javadoc tags

    private static final String SOURCE = """
            fn f(x: [n], w: [3]) -> [] {
                y = tanh(x) * mean(w)
                return sum(y * y) / x.shape[0]
            }
            """;
    private static final String PLAIN = "plain.tx";
    private static final Tensor X = Tensor.of(new int[] {4}, new double[] {0.5, -1.0, 2.0, 0.25});
    private static final Tensor W = Tensor.of(new int[] {3}, new double[] {1.5, -0.5, 0.75});

    private static String emit(String name, Compiler.Emit emit) {
        Compiler.Emitted r = Compiler.grad(name, SOURCE, "f", List.of("x", "w"), emit);
        assertNotNull(r.text(), r.diagnostics().render());
        return r.text();
    }

    private static List<Tensor> expected() {
        return Tx.compile(PLAIN, SOURCE).grad("f", "x", "w").call(X, W);
    }

    @TestFactory
    Stream<DynamicTest> theEmittedTxRunsAndPrintsOnlyTheGradient() {
        String plain = EmittedText.txCode(emit(PLAIN, Compiler.Emit.TX));
        String call = "\ngx, gw = f_grad(tensor([0.5, -1.0, 2.0, 0.25]), tensor([1.5, -0.5, 0.75]))\nprint(gx)\nprint(gw)\n";
        String printed = run(emit(PLAIN, Compiler.Emit.TX) + call);
        assertEquals(2, printed.lines().count(), printed);
        List<Tensor> expected = expected();
        return NAMES.stream().map(name -> DynamicTest.dynamicTest(printable(name), () -> {
            String text = emit(name, Compiler.Emit.TX);
            EmittedText.onlyVisible("the emitted .tx", text);
            EmittedText.sameCode(printable(name), plain, EmittedText.txCode(text));
            assertEquals(printed, run(text + call), "what the emitted file prints");
            List<Tensor> got = Tx.compile("emitted.tx", text).function("f_grad").call(X, W);
            for (int j = 0; j < 2; j++) assertArrayEquals(expected.get(j).data(), got.get(j).data(), 1e-12, "gradient " + j);
        }));
    }

    @Test
    void theEmittedJavaCompilesAndRunsAsForAPlainName() throws Exception {
        String plain = EmittedText.javaCode(emit(PLAIN, Compiler.Emit.JAVA));
        Map<String, String> sources = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            String text = emit(NAMES.get(i), Compiler.Emit.JAVA);
            EmittedText.sameCode(printable(NAMES.get(i)), plain, EmittedText.javaCode(text));
            sources.put("hostile" + i + ".FGrad", "package hostile" + i + ";\n" + text);
        }
        ClassLoader loader = InMemoryJavac.compile(sources);
        List<Tensor> expected = expected();
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            for (int i = 0; i < NAMES.size(); i++) {
                Class<?> k = loader.loadClass("hostile" + i + ".FGrad");
                Method grad = k.getMethod("f_grad", double[].class, double[].class);
                double[][] g = (double[][]) grad.invoke(null, X.data().clone(), W.data().clone());
                for (int j = 0; j < 2; j++) assertArrayEquals(expected.get(j).data(), g[j], 1e-12, printable(NAMES.get(i)) + " gradient " + j);
            }
        } finally {
            System.setOut(stdout);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "the classes printed something");
    }

    @TestFactory
    Stream<DynamicTest> theEmittedDotHasTheStructureOfAPlainName() {
        String plain = EmittedText.dotStructure(emit(PLAIN, Compiler.Emit.DOT));
        return NAMES.stream().map(name -> DynamicTest.dynamicTest(printable(name), () -> {
            String text = emit(name, Compiler.Emit.DOT);
            EmittedText.onlyVisible("the emitted DOT", text);
            assertEquals(plain, EmittedText.dotStructure(text));
            String shown = tx.compiler.syntax.Printable.line(name);
            assertTrue(EmittedText.dotTexts(text).stream().anyMatch(t -> t.contains(shown)), "the graph names " + shown + ":\n" + text);
        }));
    }

    /** The command line: the name of a real file, as `tx grad` reads it, through every emitter. */
    @Test
    void theCommandLineEscapesTheNameOfARealFile() throws Exception {
        Path dir = Files.createTempDirectory("tx-hostile");
        Path file = dir.resolve("a\nprint(\"INJECTED\")\n" + U + "002a" + U + "002f\u001b[2J.tx");
        Files.writeString(file, SOURCE, StandardCharsets.UTF_8);
        try {
            for (String emit : List.of("tx", "java", "dot")) {
                TxRunner.Outcome r = TxRunner.run("grad", file.toString(), "--fn", "f", "--emit", emit);
                assertEquals(0, r.status(), r.err());
                assertFalse(r.out().contains("\u001b") || r.out().contains("\nprint("), r.out());
                if (emit.equals("java")) assertFalse(r.out().contains(U), r.out());
            }
        } finally {
            Files.delete(file);
            Files.delete(dir);
        }
    }

    /** A diagnostic's {@code -->} line: one line, whatever the name, with its control characters shown. */
    @Test
    void aDiagnosticShowsTheNameOnOneLine() {
        String source = "x = 1\ny = z\n";
        String plain = render("plain.tx", source);
        for (String name : NAMES) {
            String text = render(name, source);
            EmittedText.onlyVisible("the diagnostic", text);
            assertEquals(plain.split("\n", -1).length, text.split("\n", -1).length, "a line was added:\n" + text);
            assertTrue(text.contains(" --> " + tx.compiler.syntax.Printable.line(name) + ":2:5\n"), text);
        }
        assertTrue(render("a\nb\u001b.tx", source).contains(" --> a\u240ab\u241b.tx:2:5\n"), "control pictures for a line feed and an escape");
    }

    private static String render(String name, String source) {
        Compiler.Result r = Compiler.compile(name, source);
        assertTrue(r.diagnostics().hasErrors(), "z is unknown");
        return r.diagnostics().render();
    }

    /** Runs a tx program in process and returns what it prints. */
    private static String run(String source) {
        Compiler.Result r = Compiler.compile("emitted.tx", source);
        assertNotNull(r.program(), () -> r.diagnostics().render() + "\n" + source);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8)) {
            Interpreter.run(r.program(), out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A test's display name: the name with its control characters escaped. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(c -> sb.append(c < 0x20 || c == 0x7f || c >= 0x80 ? String.format("<%X>", c) : Character.toString(c)));
        return sb.toString();
    }
}
