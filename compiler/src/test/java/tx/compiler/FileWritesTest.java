package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tx command writes, and what it refuses to: `tx check` and `tx bench` never write a file
 * (they run a file's functions, whose `save` calls would replace the user's data); no command
 * overwrites the .tx file it reads.
 */
class FileWritesTest {
    @TempDir
    Path dir;

    /** A function that saves what it is given, over a data file and to a new one. */
    static final String SAVING = """
            fn f(x: [3]) -> [] {
                save("data.npy", x)
                save("new.npy", x * 2)
                return sum(x * x)
            }
            """;

    private Path data() throws IOException {
        Path data = dir.resolve("data.npy");
        tx.runtime.io.Npy.write(data, tx.runtime.tensor.Tensor.of(new int[] {2}, new double[] {7, 8}));
        Files.setLastModifiedTime(data, FileTime.fromMillis(1_000_000_000_000L));
        return data;
    }

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void checkNeverWritesAFile() throws IOException {
        Path data = data();
        byte[] before = Files.readAllBytes(data);
        Path tx = Files.writeString(dir.resolve("c.tx"), SAVING, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("check", tx.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("PASS"), r.out());
        assertArrayEquals(before, Files.readAllBytes(data), "tx check replaced the user's data");
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(data), "tx check wrote the file");
        assertEquals(List.of(tx, data), listing(), "tx check made a file");
        assertTrue(r.err().contains("tx check does not write `data.npy` (the save at c.tx:2:5)"), r.err());
        assertTrue(r.err().contains("tx check does not write `new.npy` (the save at c.tx:3:5)"), r.err());
    }

    @Test
    void benchNeverWritesAFile() throws IOException {
        Path data = data();
        byte[] before = Files.readAllBytes(data);
        Path tx = Files.writeString(dir.resolve("b.tx"), SAVING, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("bench", tx.toString(), "--fn", "f");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(before, Files.readAllBytes(data), "tx bench replaced the user's data");
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(data), "tx bench wrote the file");
        assertEquals(List.of(tx, data), listing(), "tx bench made a file");
        assertTrue(r.err().contains("tx bench does not write `data.npy` (the save at b.tx:2:5)"), r.err());
    }

    /** A program that saves over itself, under the spelling given. */
    private static String savingOver(String spelling) {
        return "w = tensor([1.0, 2.0])\nsave(\"" + spelling + "\", w)\n";
    }

    @Test
    void saveNeverOverwritesTheProgramItRuns() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Path f = dir.resolve("F.tx");
        Files.createSymbolicLink(dir.resolve("link.tx"), f);
        Files.createLink(dir.resolve("hard.tx"), Files.writeString(f, "", StandardCharsets.UTF_8));
        for (String spelling : List.of("F.tx", "./F.tx", "sub/../F.tx", "link.tx", "hard.tx", f.toString(), dir + "//F.tx")) {
            String program = savingOver(spelling);
            Files.writeString(f, program, StandardCharsets.UTF_8);
            for (String cmd : List.of("run", "ir")) { // tx check: below, since it runs only functions
                TxRunner.Outcome r = TxRunner.run(cmd, f.toString());
                assertEquals(1, r.status(), spelling + ", tx " + cmd + ": " + r.err());
                assertEquals(program, Files.readString(f, StandardCharsets.UTF_8), spelling + ", tx " + cmd + " overwrote the program");
                assertEquals("error[E0702]: cannot save `" + spelling + "`: it is this program's own source file, F.tx\n"
                        + " --> F.tx:2:1\n  |\n2 | save(\"" + spelling + "\", w)\n  | " + "^".repeat(spelling.length() + 11) + "\n"
                        + "  = help: save the tensor to a .npy file of its own, e.g. `save(\"w.npy\", w)`\n", r.err());
            }
        }
        String fn = "fn f(x: [2]) -> [] {\n    save(\"./F.tx\", x)\n    return sum(x)\n}\n";
        Files.writeString(f, fn, StandardCharsets.UTF_8);
        TxRunner.Outcome checked = TxRunner.run("check", f.toString());
        assertEquals(1, checked.status(), checked.err());
        assertTrue(checked.err().startsWith("error[E0702]: cannot save `./F.tx`: it is this program's own source file, F.tx\n --> F.tx:2:5\n"), checked.err());
        assertEquals(fn, Files.readString(f, StandardCharsets.UTF_8));
        // another .tx file is the user's business, as any other file
        Files.writeString(f, savingOver("other.tx"), StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", f.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.size(dir.resolve("other.tx")) > 0);
    }

    @Test
    void theEmbeddingApiNeverSavesOverTheModulesSource() throws IOException {
        Path f = dir.resolve("m.tx");
        String program = "fn f(x: [2]) -> [] {\n    save(\"./m.tx\", x)\n    return sum(x)\n}\n";
        Files.writeString(f, program, StandardCharsets.UTF_8);
        tx.compiler.api.Tx.Module m = tx.compiler.api.Tx.compile(f);
        tx.compiler.api.Tx.TxException e = org.junit.jupiter.api.Assertions.assertThrows(tx.compiler.api.Tx.TxException.class,
                () -> m.function("f").call(tx.runtime.tensor.Tensor.of(new int[] {2}, new double[] {1, 2})));
        assertTrue(e.getMessage().contains("cannot save `./m.tx`: it is this program's own source file, m.tx"), e.getMessage());
        assertEquals(program, Files.readString(f, StandardCharsets.UTF_8));
    }

    @Test
    void gradNeverWritesOverItsInput() throws IOException {
        Path f = dir.resolve("g.tx");
        String program = "fn f(x: [3]) -> [] {\n    return sum(x * x)\n}\n";
        Files.writeString(f, program, StandardCharsets.UTF_8);
        Files.createSymbolicLink(dir.resolve("link.tx"), f);
        for (String out : List.of(f.toString(), dir + "/./g.tx", dir.resolve("link.tx").toString())) {
            TxRunner.Outcome r = TxRunner.run("grad", f.toString(), "--fn", "f", "-o", out);
            assertEquals(2, r.status(), out + ": " + r.err());
            assertTrue(r.err().startsWith("tx: `-o " + out + "` is the input file " + f + "; tx grad never overwrites its input\n"), r.err());
            assertEquals(program, Files.readString(f, StandardCharsets.UTF_8), out);
        }
        Files.writeString(dir.resolve("g_grad.tx"), "an older gradient\n", StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("grad", f.toString(), "--fn", "f", "-o", dir.resolve("g_grad.tx").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.readString(dir.resolve("g_grad.tx"), StandardCharsets.UTF_8).contains("fn f_grad("));
        try (var left = Files.list(dir)) { // written as save writes: a temporary file renamed over the old one
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temporary file was left behind");
        }
        TxRunner.Outcome nowhere = TxRunner.run("grad", f.toString(), "--fn", "f", "-o", dir.resolve("no/such/folder/g.tx").toString());
        assertEquals(2, nowhere.status(), nowhere.err());
        assertTrue(nowhere.err().startsWith("tx: cannot write "), nowhere.err());
    }
}
