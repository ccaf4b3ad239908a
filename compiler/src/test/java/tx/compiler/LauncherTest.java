package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tx} launcher script's filter on standard error, which drops the one line Java prints
 * about the incubator module. The script is run from a copy of the repository's layout whose jars
 * are present and newer than every source (so it builds nothing), with a stand-in {@code java} first
 * on the PATH that writes known bytes to standard error.
 */
class LauncherTest {
    @TempDir
    Path root;

    @Test
    void theFilterPassesEveryByteButTheIncubatorWarning() throws IOException, InterruptedException {
        Path launcher = Files.copy(TxRunner.root().resolve("tx"), root.resolve("tx"));
        Files.createDirectories(root.resolve("compiler/target/lib"));
        Files.writeString(root.resolve("compiler/target/tx-compiler-0.1.0-SNAPSHOT.jar"), "");
        Path bin = Files.createDirectories(root.resolve("bin"));
        // a NUL made grep print "binary file matches" instead of standard error itself
        byte[] kept = ("error: dtype '<f\0\u001b' here\n"
                + "WARNING: Using incubator modules: jdk.incubator.vector, and more\n"
                + "  WARNING: Using incubator modules: jdk.incubator.vector\n"
                + "last\n").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(bin.resolve("kept.bin"), kept);
        Path java = Files.writeString(bin.resolve("java"), "#!/usr/bin/env bash\n"
                + "printf 'WARNING: Using incubator modules: jdk.incubator.vector\\n' >&2\n"
                + "cat \"$(dirname \"$0\")/kept.bin\" >&2\n"
                + "printf 'out\\n'\n"
                + "exit 3\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "run", "x.tx");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.redirectOutput(root.resolve("out").toFile()).redirectError(root.resolve("err").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not finish");
        assertEquals(3, p.exitValue(), "the launcher passes on java's exit status");
        assertEquals("out\n", Files.readString(root.resolve("out"), StandardCharsets.UTF_8));
        byte[] err = waitForAll(root.resolve("err"), kept.length);
        assertArrayEquals(kept, err, new String(err, StandardCharsets.ISO_8859_1));
    }

    /** The filter runs beside the launcher and may finish writing a moment after it exits. */
    private static byte[] waitForAll(Path file, int length) throws IOException, InterruptedException {
        for (int i = 0; i < 50 && Files.size(file) < length; i++) Thread.sleep(100);
        Thread.sleep(100);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(Files.readAllBytes(file));
        return b.toByteArray();
    }
}
