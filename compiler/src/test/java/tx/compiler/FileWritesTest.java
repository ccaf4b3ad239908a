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
}
