package tx.compiler;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tx.compiler.cli.Main;

/** Runs the tx command in-process, capturing what it prints, for the tests. */
public final class TxRunner {
    private TxRunner() {}

    public record Outcome(int status, String out, String err) {}

    public static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = new Main(o, e).run(args);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code tx run} of a program written to {@code t.tx} in {@code dir}. */
    public static Outcome runSource(Path dir, String source) {
        try {
            return run("run", Files.writeString(dir.resolve("t.tx"), source).toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a program (as {@link #runSource}) and checks that it succeeds and prints exactly {@code out}. */
    public static void expectOutput(Path dir, String source, String out) {
        Outcome r = runSource(dir, source);
        org.junit.jupiter.api.Assertions.assertEquals(0, r.status(), r.err());
        org.junit.jupiter.api.Assertions.assertEquals(out, r.out());
    }

    /** The repository's root (set by Maven as tx.root; the working directory's parent otherwise). */
    public static Path root() {
        String r = System.getProperty("tx.root");
        return r != null ? Path.of(r).toAbsolutePath().normalize() : Path.of("..").toAbsolutePath().normalize();
    }

    /** Every file under dir (recursively) whose name ends with suffix, sorted. */
    public static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
