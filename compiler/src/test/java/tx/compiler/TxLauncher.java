package tx.compiler;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import tx.compiler.TxRunner.Outcome;

/**
 * Runs the tx command the way the {@code ./tx} launcher does, for tests whose inputs are large or
 * deeply nested.
 *
 * <p>{@code ./tx} starts a JVM ({@code -XX:+UseSerialGC}) whose
 * {@code Main.main} runs the command on a thread with a 512 MiB stack. A test that calls
 * {@code new Main(out, err).run(...)} on its own thread has the default stack instead (a few MiB), so
 * nesting that the real command handles would overflow there, and the test would report a failure
 * the user never sees. Hence two ways to run tx here:
 * <ul>
 *   <li>{@link #inBigStack}: in this JVM (fast: the JIT is warm), on a thread with the same
 *       512 MiB stack as {@code Main.main};</li>
 *   <li>{@link #inChildJvm}: {@code java ... tx.compiler.cli.Main} in a new JVM, started with the
 *       launcher's flags. This is the real entry point, so it also shows what {@code Main.main}
 *       prints when something escapes ({@code Exception in thread ...}) and the status it exits
 *       with; a child that hangs is killed, where a thread in this JVM would keep burning a core for
 *       the rest of the test run; and JVM options such as {@code -Xmx1g} fix the memory limit.</li>
 * </ul>
 */
final class TxLauncher {
    private TxLauncher() {}

    /** The stack {@code Main.main} gives the command (1L << 29 bytes). */
    static final long MAIN_STACK_BYTES = 512L << 20;

    /** A hang guard, not a speed test: tx's speed is measured by the benchmarks. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);

    /** {@code tx ARGS} in this JVM, on a 512 MiB stack; anything thrown out of Main.run fails the test. */
    static Outcome inBigStack(String... args) {
        AtomicReference<Outcome> result = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(TxRunner.run(args));
            } catch (Throwable e) { // Main.main would print "internal error in tx: " + e and exit 3
                thrown.set(e);
            }
        }, "tx-big-stack", MAIN_STACK_BYTES);
        t.setDaemon(true); // if it hangs, the hang guard fails the test and the JVM may still exit
        t.start();
        try {
            t.join(HANG_GUARD.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while tx ran");
        }
        if (t.isAlive()) fail("tx " + String.join(" ", args) + " did not finish within " + HANG_GUARD.toSeconds() + " s");
        if (thrown.get() != null) fail("tx threw out of Main.run (the user would see an internal error): " + thrown.get(), thrown.get());
        return result.get();
    }

    /**
     * {@code java LAUNCHER_FLAGS JVM_OPTIONS -cp TEST_CLASSPATH tx.compiler.cli.Main ARGS}, its
     * standard output and error kept in files under {@code scratch} (they may be large). A child still
     * running after {@link #HANG_GUARD} is killed and the test fails.
     */
    static Outcome inChildJvm(Path scratch, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", testClassPath(), "tx.compiler.cli.Main"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(scratch, "child", ".out"), err = Files.createTempFile(scratch, "child", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                fail("tx " + String.join(" ", args) + " did not finish within " + HANG_GUARD.toSeconds() + " s (killed)");
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the child JVM ran", e);
        }
    }

    /** The class path of the tests, which holds the compiler, the runtime and ANTLR's runtime. */
    private static String testClassPath() {
        // Surefire may run the tests from a manifest-only jar; it names the real class path here.
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
