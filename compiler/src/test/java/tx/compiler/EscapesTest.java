package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.compiler.emit.Escapes;
import tx.compiler.syntax.Printable;
import tx.runtime.exec.Interpreter;
import tx.runtime.tensor.Tensor;

/** The escaping layer of the emitters ({@link Escapes}, {@link Printable}): each form read back by its language. */
class EscapesTest {
    private static final String U = "\\" + "u"; // a backslash-u, spelt so that javac does not expand it in this file

    /** Texts a string literal must carry unchanged. */
    private static final List<String> TEXTS = List.of("", "plain", "q\"uo\"te", "back\\slash\\", "\\" + U + "0022", U + "002a" + U + "002f",
            "\\\\" + U + "000a", "line\nfeed\r\n", "tab\tbs\bff\fnul\u0000esc\u001bdel\u007f", "c1\u0085\u009b", "caf\u00e9 \ud83d\ude00 \u202e",
            "lone\ud800", "*/ /* //");

    @Test
    void aJavaStringLiteralCompilesToTheSameText() throws Exception {
        StringBuilder src = new StringBuilder("package escapes;\npublic final class Texts {\n    public static final String[] ALL = {\n");
        for (String t : TEXTS) {
            String lit = Escapes.javaString(t);
            for (int i = 0; i < lit.length(); i++) assertTrue(lit.charAt(i) >= 0x20 && lit.charAt(i) < 0x7f, "printable ASCII: " + lit);
            src.append("        ").append(lit).append(",\n");
        }
        src.append("    };\n    private Texts() {}\n}\n");
        ClassLoader loader = InMemoryJavac.compile(Map.of("escapes.Texts", src.toString()));
        String[] all = (String[]) loader.loadClass("escapes.Texts").getField("ALL").get(null);
        assertArrayEquals(TEXTS.toArray(), all, src.toString());
    }

    @Test
    void aJavaCommentIsPrintableAsciiWithNoBackslashAndNoEnd() {
        for (String t : TEXTS) {
            String c = Escapes.javaComment(t);
            for (int i = 0; i < c.length(); i++) assertTrue(c.charAt(i) >= 0x20 && c.charAt(i) < 0x7f && c.charAt(i) != '\\', c);
            assertFalse(c.contains("*/"), c);
        }
        assertEquals("a?b?c* /", Escapes.javaComment("a\nb\\c*/"));
    }

    @Test
    void aTxStringLiteralPrintsTheSameText() {
        for (String t : List.of("plain", "q\"uo\"te", "back\\slash\\", "line\nfeed", "tab\there", "caf\u00e9 \ud83d\ude00", "*/ # //")) {
            String src = "print(" + Escapes.txString(t) + ")\n";
            EmittedText.onlyVisible("the literal", src);
            Compiler.Result r = Compiler.compile("s.tx", src);
            assertNotNull(r.program(), r.diagnostics().render());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8)) {
                Interpreter.run(r.program(), out);
            }
            assertEquals(t + "\n", bytes.toString(StandardCharsets.UTF_8), src);
        }
    }

    @Test
    void controlCharactersAreShownNotWritten() {
        assertEquals("a\u240ab\u240dc\u2409d\u241be\u2421f\ufffdg\ufffdh\ufffdi", Printable.line("a\nb\rc\td\u001be\u007ff\u0085g\u2028h\u202ei"));
        assertEquals("caf\u00e9 \ud83d\ude00 \ud83d\udc69\u200d\ud83d\udcbb", Printable.line("caf\u00e9 \ud83d\ude00 \ud83d\udc69\u200d\ud83d\udcbb"));
        assertEquals("half \ufffd", Printable.line("half \udc00"));
        assertEquals("q\\\"\\\\N \u240a", Escapes.dotText("q\"\\N \u240a"));
        assertEquals("a b\u241b", Escapes.dotText("a\nb\u001b"));
    }

    /** A path in load() is written back as a tx string that loads the same file; one tx cannot spell is refused (E0601). */
    @Test
    void aLoadPathInTheEmittedTxLoadsTheSameFile() throws IOException {
        Path dir = Files.createTempDirectory("tx-escapes");
        List<Path> made = new ArrayList<>();
        try {
            String name = "w \"q\" \\" + U + "002a\tcaf\u00e9.npy";
            made.add(npy(dir.resolve(name), new double[] {1.5, -2.0, 0.25}));
            String source = "fn f(x: [3]) -> [] {\n    w = load(" + Escapes.txString(name) + ")\n    return sum(x * x * w)\n}\n";
            Compiler.Emitted r = Compiler.grad("l.tx", source, "f", List.of(), Compiler.Emit.TX, dir);
            assertNotNull(r.text(), r.diagnostics().render());
            EmittedText.onlyVisible("the emitted .tx", r.text());
            Tensor x = Tensor.of(new int[] {3}, new double[] {1, 2, 3});
            assertArrayEquals(new double[] {3, -8, 1.5}, Tx.compile("l.tx", source, dir).grad("f").call(x).get(0).data(), 1e-12);
            assertArrayEquals(new double[] {3, -8, 1.5}, Tx.compile("l_grad.tx", r.text(), dir).function("f_grad").call(x).get(0).data(), 1e-12,
                    r.text());

            String bad = "esc\u001b[2J.npy";
            made.add(npy(dir.resolve(bad), new double[] {1, 1, 1}));
            String escSource = "fn g(x: [3]) -> [] {\n    return sum(x * load(\"" + bad + "\"))\n}\n";
            Compiler.Emitted refused = Compiler.grad("l.tx", escSource, "g", List.of(), Compiler.Emit.TX, dir);
            assertNull(refused.text(), refused.text());
            String diag = refused.diagnostics().render();
            assertTrue(diag.contains("E0601") && diag.contains("control character"), diag);
        } finally {
            for (Path p : made) Files.deleteIfExists(p);
            Files.delete(dir);
        }
    }

    /** A float64 vector as a .npy file. */
    private static Path npy(Path file, double[] values) throws IOException {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : values) b.putDouble(v);
        Files.write(file, b.array());
        return file;
    }
}
