package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.compiler.api.Tx;
import tx.compiler.syntax.Diagnostic;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.TxRuntimeException;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Tensor;

/**
 * load and save, end to end: NumPy's own files (compiler/src/test/resources/npy, made by
 * make_fixtures.py there) are loaded and compared with the values that script put in, written out
 * again here; the files tx cannot read give located diagnostics; what save writes is NumPy's format
 * byte for byte, and loads back; a file that changes between compile time and run time is E0506.
 */
class NpyTest {
    static final Path FIXTURES = TxRunner.root().resolve("compiler/src/test/resources/npy");

    @TempDir
    Path dir;

    /** The tensor `load(fixture)` gives, with the shape the compiler gave it checked against the value's. */
    static Tensor loaded(String fixture) {
        Compiler.Result r = Compiler.compile("t.tx", "x = load(\"" + fixture + "\")\nprint(x)\n", FIXTURES);
        assertNotNull(r.program(), r.diagnostics().render());
        Var x = r.program().body().stream().filter(s -> s instanceof Stmt.Eqn e && e.prim() == Prim.LOAD)
                .map(s -> ((Stmt.Eqn) s).out()).findFirst().orElseThrow();
        Tensor t = Interpreter.evaluate(r.program(), new PrintStream(new ByteArrayOutputStream()), List.of(x)).get(0);
        assertArrayEquals(x.shapeRef(), t.shapeRef(), "the shape read at compile time and the data read at run time");
        return t;
    }

    static void assertLoads(String fixture, int[] shape, double... values) {
        Tensor t = loaded(fixture);
        assertArrayEquals(shape, t.shapeRef(), fixture);
        assertEquals(values.length, t.size(), fixture);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(t.data()[i]), fixture + " element " + i);
        }
    }

    @Test
    void numpysFilesLoadWithTheirValues() {
        assertLoads("f8_2d.npy", new int[] {2, 3}, 1.5, -2.0, 3.25, 0.0, 1e-3, -7.0);
        assertLoads("f8_special.npy", new int[] {4}, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -0.0);
        assertLoads("f4_1d.npy", new int[] {4}, 0.5, -1.25, 3.0, (double) 0.1f);
        assertLoads("i4_2d.npy", new int[] {3, 2}, -3, 0, 7, 2147483647, -2147483648, 1);
        assertLoads("i8_1d.npy", new int[] {3}, -5, 0, 9007199254740992.0); // 2^53 + 1 rounds to 2^53
        assertLoads("scalar.npy", new int[0], 2.5);
        assertLoads("empty.npy", new int[] {0});
        assertLoads("empty_2x0.npy", new int[] {2, 0});
        assertLoads("v2.npy", new int[] {3}, 1, 2, 3);
        assertLoads("v3.npy", new int[] {2, 1}, 4, 5);
        assertLoads("trailing_bytes.npy", new int[] {2}, 1, 2);
    }

    @Test
    void fortranOrderIsReadAsNumPyShowsIt() {
        assertLoads("fortran_2d.npy", new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
        double[] c = new double[24];
        for (int i = 0; i < 24; i++) c[i] = i;
        assertLoads("fortran_3d.npy", new int[] {2, 3, 4}, c);
    }

    /** Compiles a one-line load of a fixture and returns its one error. */
    static Diagnostic refused(String fixture) {
        String src = "x = load(\"" + fixture + "\")\nprint(x)\n";
        Compiler.Result r = Compiler.compile("t.tx", src, FIXTURES);
        assertNull(r.program(), fixture + " should be refused");
        List<Diagnostic> errors = r.diagnostics().all().stream().filter(Diagnostic::isError).toList();
        assertEquals(1, errors.size(), r.diagnostics().render());
        Diagnostic d = errors.get(0);
        assertEquals("E0701", d.code());
        assertEquals(1, d.span().line());
        assertEquals(5, d.span().col(), "the diagnostic points at the call");
        assertTrue(d.message().startsWith("cannot load `" + fixture + "`: "), d.message());
        return d;
    }

    @Test
    void filesTxCannotReadAreCompileErrorsThatSayWhy() {
        assertTrue(refused("big_endian.npy").message().contains("big-endian float64 values (dtype '>f8')"));
        assertTrue(refused("complex.npy").message().contains("complex128 values (dtype '<c16')"));
        assertTrue(refused("str.npy").message().contains("str values (dtype '<U2')"));
        assertTrue(refused("uint8.npy").message().contains("uint8 values (dtype '|u1')"));
        assertTrue(refused("truncated.npy").message().contains("its header promises 6 float64 values (48 bytes), but only 20 bytes follow"));
        assertTrue(refused("truncated_header.npy").message().contains("ends in the middle of its header"));
        assertTrue(refused("not_npy.npy").message().contains("not a .npy file"));
        assertTrue(refused("bad_version.npy").message().contains("version 4.0"));
        assertTrue(refused("wrong_keys.npy").message().contains("its keys are ['descr', 'shape']"));
        assertTrue(refused("bad_shape.npy").message().contains("its 'shape' is (2, 'x')"));
        assertTrue(refused("not_a_dict.npy").message().contains("not a Python dictionary"));
        assertTrue(refused("missing.npy").message().contains("there is no such file"));
    }

    /** The text a program prints, run from the fixtures' folder. */
    static String printed(String src) {
        Compiler.Result r = Compiler.compile("t.tx", src, FIXTURES);
        assertNotNull(r.program(), r.diagnostics().render());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Interpreter.run(r.program(), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void intsAndBoolsLoadAsInt64AndBoolTensors() {
        // the expected text is what torch.from_numpy(np.load(f)) prints (PyTorch 1.13), and its dtype
        assertEquals("tensor([[ 1, -2],\n        [30,  4]])\ntorch.int64\n", printed("x = load(\"i8_2d.npy\")\nprint(x)\nprint(x.dtype)\n"));
        assertEquals("tensor([[ True, False, False],\n        [False,  True,  True]])\ntorch.bool\n",
                printed("b = load(\"b1_2d.npy\")\nprint(b)\nprint(b.dtype)\n"));
        assertEquals("tensor([ True, False])\n", printed("print(load(\"bool.npy\"))\n"));
        // int32 has no tensor dtype in tx: it widens to int64 (PyTorch keeps int32)
        assertEquals("torch.int64\n", printed("print(load(\"i4_2d.npy\").dtype)\n"));
        Compiler.Result r = Compiler.compile("t.tx", "w = load(\"i8_2d.npy\", requires_grad=true)\n", FIXTURES);
        assertNull(r.program());
        assertEquals("E0320", r.diagnostics().all().get(0).code(), r.diagnostics().render());
    }

    @Test
    void int64AndBoolTensorsSaveAsNumPySavesThem() throws IOException {
        Path tx = Files.writeString(dir.resolve("s.tx"), """
                save("i.npy", tensor([[1, -2], [30, 4]]))
                save("b.npy", tensor([[True, False, False], [False, True, True]]))
                save("f.npy", tensor([[1, -2], [30, 4]]).double() / 2)
                """);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(Files.readAllBytes(FIXTURES.resolve("i8_2d.npy")), Files.readAllBytes(dir.resolve("i.npy")));
        assertArrayEquals(Files.readAllBytes(FIXTURES.resolve("b1_2d.npy")), Files.readAllBytes(dir.resolve("b.npy")));
        assertTrue(new String(Files.readAllBytes(dir.resolve("f.npy")), StandardCharsets.ISO_8859_1).contains("'descr': '<f8'"));
    }

    @Test
    void loadGivesAConstantOrALeaf() {
        Compiler.Result r = Compiler.compile("t.tx", """
                a = load("f8_2d.npy")
                print(a.requires_grad)
                w = load("f8_2d.npy", requires_grad=true)
                loss = sum(w * a)
                loss.backward()
                print(w.grad)
                """, FIXTURES);
        assertNotNull(r.program(), r.diagnostics().render());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Tensor[] grads = Interpreter.run(r.program(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("False\n"));
        assertArrayEquals(new double[] {1.5, -2.0, 3.25, 0.0, 1e-3, -7.0}, grads[0].data()); // d sum(w * a) / dw = a
    }

    @Test
    void saveWritesNumPysBytesAndLoadsBack() throws IOException {
        Files.copy(FIXTURES.resolve("f8_2d.npy"), dir.resolve("in.npy"));
        Path tx = Files.writeString(dir.resolve("s.tx"), """
                x = load("in.npy")
                save("same.npy", x)
                save("double.npy", 2 * x)
                save("scalar.npy", tensor(2.5))
                """);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(0, r.status(), r.err());
        // np.save of the same array: the very bytes NumPy wrote (version 1.0, '<f8', C order, header padded to 64)
        assertArrayEquals(Files.readAllBytes(FIXTURES.resolve("f8_2d.npy")), Files.readAllBytes(dir.resolve("same.npy")));
        assertArrayEquals(Files.readAllBytes(FIXTURES.resolve("scalar.npy")), Files.readAllBytes(dir.resolve("scalar.npy")));
        Compiler.Result back = Compiler.compile("b.tx", "y = load(\"double.npy\")\nassert_close(y, tensor([[3.0, -4.0, 6.5], [0.0, 0.002, -14.0]]), rtol=0, atol=0)\n", dir);
        assertNotNull(back.program(), back.diagnostics().render());
        Interpreter.run(back.program(), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void saveIsAnEffectThatRunsWhereItStands() throws IOException {
        Files.copy(FIXTURES.resolve("weights.npy"), dir.resolve("w.npy"));
        Path tx = Files.writeString(dir.resolve("e.tx"), """
                a = load("w.npy")
                save("w.npy", a * 2)
                b = load("w.npy")
                print(b)
                for i in range(3) {
                    save("last.npy", a + i)
                }
                """);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("tensor([ 1., -2.,  4.])\n", r.out(), "the second load reads what the save wrote, not the first load again");
        Compiler.Result back = Compiler.compile("b.tx", "y = load(\"last.npy\")\nassert_close(y, tensor([2.5, 1.0, 4.0]), rtol=0, atol=0)\n", dir);
        assertNotNull(back.program(), back.diagnostics().render());
        Interpreter.run(back.program(), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void aFileThatChangesBeforeItIsReadIsARunTimeError() throws IOException {
        Files.copy(FIXTURES.resolve("weights.npy"), dir.resolve("w.npy"));
        Path tx = Files.writeString(dir.resolve("c.tx"), """
                w = load("w.npy")
                print(w)
                save("w.npy", stack([w, w]))
                w2 = load("w.npy")
                print(w2)
                """);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(3, r.status());
        assertEquals("tensor([ 0.5000, -1.0000,  2.0000])\n", r.out());
        assertTrue(r.err().startsWith("error[E0506]: cannot load `w.npy`: it has shape [2, 3] now, but it had shape [3] when the program was compiled\n"
                + " --> c.tx:4:6\n"), r.err());

        // the file goes away, or is cut short, after compile time
        Files.copy(FIXTURES.resolve("f8_2d.npy"), dir.resolve("g.npy"));
        Compiler.Result c = Compiler.compile("g.tx", "x = load(\"g.npy\")\nprint(x)\n", dir);
        assertNotNull(c.program(), c.diagnostics().render());
        Files.write(dir.resolve("g.npy"), java.util.Arrays.copyOf(Files.readAllBytes(FIXTURES.resolve("f8_2d.npy")), 140));
        TxRuntimeException e = assertThrows(TxRuntimeException.class, () -> Interpreter.run(c.program(), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(TxRuntimeException.Kind.FILE, e.kind());
        assertTrue(e.getMessage().startsWith("cannot load `g.npy`: the file is truncated"), e.getMessage());
        Files.delete(dir.resolve("g.npy"));
        e = assertThrows(TxRuntimeException.class, () -> Interpreter.run(c.program(), new PrintStream(new ByteArrayOutputStream())));
        assertEquals("cannot load `g.npy`: there is no such file", e.getMessage());
        assertEquals(1, e.origin().line());
    }

    @Test
    void pathsAreRelativeToTheTxFilesFolder() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.copy(FIXTURES.resolve("weights.npy"), sub.resolve("w.npy"));
        Path tx = Files.writeString(sub.resolve("p.tx"), """
                w = load("w.npy")
                save("../out.npy", w)
                """);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString()); // the working directory is elsewhere
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(dir.resolve("out.npy")));
        assertTrue(TxRunner.run("ir", tx.toString()).out().contains("load(path=\"w.npy\", shape=[3])"));
        assertTrue(TxRunner.run("ir", tx.toString()).out().contains("save(\"../out.npy\", w%"));
    }

    @Test
    void theEmbeddingApiResolvesPathsFromTheFilesFolder() throws IOException {
        Files.copy(FIXTURES.resolve("weights.npy"), dir.resolve("w.npy"));
        Path tx = Files.writeString(dir.resolve("m.tx"), """
                fn score(x: [3]) -> [] {
                    w = load("w.npy")
                    return sum(w * x * x)
                }
                """);
        Tx.Module m = Tx.compile(tx);
        Tensor x = Tensor.of(new int[] {3}, new double[] {1, 2, 3});
        assertEquals(0.5 - 4 + 18, m.function("score").call(x).get(0).item());
        assertArrayEquals(new double[] {1, -4, 12}, m.grad("score").call(x).get(0).data()); // 2 w x
    }

    @Test
    void txGradWritesALoadAsTheSourceDid() throws IOException {
        Files.copy(FIXTURES.resolve("weights.npy"), dir.resolve("w.npy"));
        String src = "fn f(x: [3]) -> [] {\n    w = load(\"w.npy\")\n    return sum(w * x)\n}\n";
        Compiler.Emitted r = Compiler.grad("g.tx", src, "f", List.of(), Compiler.Emit.TX, dir);
        assertNotNull(r.text(), r.diagnostics().render());
        assertTrue(r.text().contains("d_x = load(\"w.npy\")"), r.text());
    }

    @Test
    void saveChecksItsTargetAtCompileTime() throws IOException {
        Compiler.Result r = Compiler.compile("t.tx", "x = ones(2)\nsave(\"nowhere/x.npy\", x)\nsave(\".\", x)\nx.save(\"y.npy\")\n", dir);
        assertNull(r.program());
        List<String> got = r.diagnostics().all().stream().map(d -> d.code() + " " + d.span().line() + " " + d.message()).toList();
        assertEquals(List.of("E0702 2 cannot save `nowhere/x.npy`: the folder `nowhere` does not exist",
                "E0702 3 cannot save `.`: it is a folder",
                "E0401 4 `save` takes the file's name first, as a string, found a tensor of shape [2]"), got);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing was written");
        }
    }

    @Test
    void aNamedPipeIsRefusedAtCompileTimeWithoutWaitingForAWriter() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("pipe.npy").toString()).inheritIO().start().waitFor(), "mkfifo");
        Path tx = Files.writeString(dir.resolve("p.tx"), "x = load(\"pipe.npy\")\nprint(x)\n", StandardCharsets.UTF_8);
        for (String cmd : List.of("run", "ir")) {
            TxRunner.Outcome r = TxLauncher.inBigStack(cmd, tx.toString()); // fails the test if tx waits on the pipe
            assertEquals(1, r.status(), cmd + ": " + r.err());
            assertEquals("error[E0701]: cannot load `pipe.npy`: it is not a regular file (a named pipe, a device or a socket)\n"
                    + " --> p.tx:1:5\n  |\n1 | x = load(\"pipe.npy\")\n  |     ^^^^^^^^^^^^^^^^\n"
                    + "  = help: save the array to a file with NumPy's `np.save`\n", r.err(), cmd);
        }
        Compiler.Result r = Compiler.compile("s.tx", "save(\"pipe.npy\", ones(2))\n", dir);
        assertNull(r.program());
        assertEquals("cannot save `pipe.npy`: it is not a regular file (a named pipe, a device or a socket)",
                r.diagnostics().all().get(0).message());
        assertTrue(Files.exists(dir.resolve("pipe.npy")) && !Files.isRegularFile(dir.resolve("pipe.npy")));
    }

    /** The first line of standard error: the diagnostic's message, which must hold no raw control character. */
    static String firstLine(String err) {
        String line = err.lines().findFirst().orElse("");
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x7f), "a raw control character: " + line);
        return line;
    }

    @Test
    void controlCharactersOfAPathAreEscapedInMessages() throws IOException {
        // a raw escape character in the string, and a line break written as \n
        Path tx = Files.writeString(dir.resolve("c.tx"), "x = load(\"a\u001b[2J\\n.npy\")\n", StandardCharsets.UTF_8);
        assertEquals("error[E0701]: cannot load `a\\x1b[2J\\n.npy`: there is no such file", firstLine(TxRunner.run("run", tx.toString()).err()));
        Files.writeString(tx, "save(\"no\u0007dir/x.npy\", ones(2))\n", StandardCharsets.UTF_8);
        assertEquals("error[E0702]: cannot save `no\\x07dir/x.npy`: the folder `no\\x07dir` does not exist",
                firstLine(TxRunner.run("run", tx.toString()).err()));
        // at run time: a file whose shape the program itself changes
        Files.copy(FIXTURES.resolve("weights.npy"), dir.resolve("w\u001b.npy"));
        Files.writeString(tx, "w = load(\"w\u001b.npy\")\nsave(\"w\u001b.npy\", stack([w, w]))\nprint(load(\"w\u001b.npy\"))\n", StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", tx.toString());
        assertEquals(3, r.status(), r.err());
        assertTrue(firstLine(r.err()).startsWith("error[E0506]: cannot load `w\\x1b.npy`: it has shape [2, 3] now"), r.err());
        // the command line's own messages
        TxRunner.Outcome missing = TxRunner.run("run", dir.resolve("no\u001b[31m.tx").toString());
        assertEquals(2, missing.status());
        assertEquals("tx: no such file: " + dir + "/no\\x1b[31m.tx", firstLine(missing.err()));
    }
}
