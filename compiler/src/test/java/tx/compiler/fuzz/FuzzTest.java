package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import tx.compiler.TxRunner;
import tx.compiler.syntax.Diagnostic;

/**
 * The robustness fuzzer (docs/fuzzing.md). Each case is one seed: {@link ProgramGenerator} makes a
 * program from it, and {@link Mutator} makes three mutants, two of that program and one of an
 * example or conformance program. Every input is compiled and, if it compiles, run, and must keep
 * the promises of {@link Sandbox#violations}: no exception, no hang, diagnostics inside the file.
 * Generated programs must also do what their generator meant (run, or be rejected with the
 * expected error code), and the gradients of gradient programs must match finite differences
 * ({@link GradientCheck}).
 *
 * <p>System properties (give them to mvn): {@code tx.fuzz} the number of inputs (default 20,000);
 * {@code tx.fuzz.seed} the base seed; {@code tx.fuzz.case} one case seed to replay, as printed in a
 * failure; {@code tx.fuzz.timeout} seconds before an input counts as a hang (default 10);
 * {@code tx.fuzz.threads}.
 */
class FuzzTest {
    private static final int INPUTS = Integer.getInteger("tx.fuzz", 20_000);
    private static final long SEED = parseSeed(System.getProperty("tx.fuzz.seed", "20261127"));
    private static final String CASE = System.getProperty("tx.fuzz.case");
    private static final double TIMEOUT_S = Double.parseDouble(System.getProperty("tx.fuzz.timeout", "10"));
    private static final int THREADS = Integer.getInteger("tx.fuzz.threads", Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    /** Mutants per generated program: a case is 1 + MUTANTS inputs. */
    private static final int MUTANTS = 3;
    /** Failures shown in full in the assertion message (all are written to target/fuzz-failures/). */
    private static final int SHOWN = 5;

    private final Stats stats = new Stats();
    private final List<Failure> failures = new ArrayList<>();
    private final List<String[]> examples = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean stop;
    private long[] cases;

    record Failure(long seed, String input, String problem, String source) {}

    /** Counters, for the report and for the checks that the fuzzer did test something. */
    static final class Stats {
        final LongAdder inputs = new LongAdder(), gradient = new LongAdder(), scripts = new LongAdder(), mistakes = new LongAdder();
        final LongAdder compiled = new LongAdder(), ran = new LongAdder(), asserted = new LongAdder(), caught = new LongAdder();
        final LongAdder gradChecked = new LongAdder(), derivatives = new LongAdder(), kinks = new LongAdder(), nonFinite = new LongAdder();
        final LongAdder mutants = new LongAdder(), mutantsRejected = new LongAdder(), mutantsRan = new LongAdder(), mutantsAsserted = new LongAdder();
        final LongAdder fdPrograms = new LongAdder();
        double closest;
        String closestText = "";
    }

    /** Where every failing input is written, with its problem in a comment (emptied at the start of each run). */
    private static final Path FAILURES = Path.of("target", "fuzz-failures");

    @Test
    void generatedAndMutatedProgramsNeverCrashHangOrMisplaceDiagnostics() throws Exception {
        clearFailures();
        loadExamples();
        cases = CASE != null ? new long[] {parseSeed(CASE)} : caseSeeds(SEED, (INPUTS + MUTANTS) / (1 + MUTANTS));
        long t0 = System.nanoTime();
        runWorkers();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String report = report(seconds);
        System.out.println(report);
        if (!failures.isEmpty()) fail(failureMessage() + "\n" + report);
        if (CASE == null) checkItTestedSomething();
    }

    /** A seed as printed ({@code 0x} and 16 hex digits, all 64 bits) or in decimal. */
    static long parseSeed(String s) {
        String t = s.trim();
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** Case seeds: SplitMix64 of the base seed, so that every case is independent and reproducible alone. */
    static long[] caseSeeds(long base, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long z = base + (i + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out[i] = z ^ (z >>> 31);
        }
        return out;
    }

    private static void clearFailures() throws IOException {
        if (!Files.isDirectory(FAILURES)) return;
        try (var old = Files.list(FAILURES)) {
            for (Path p : (Iterable<Path>) old::iterator) if (p.toString().endsWith(".tx")) Files.delete(p);
        }
    }

    private void loadExamples() throws IOException {
        Path root = TxRunner.root();
        for (String dir : new String[] {"examples", "conformance/cases"}) {
            for (Path p : TxRunner.files(root.resolve(dir), ".tx")) {
                examples.add(new String[] {root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8)});
            }
        }
    }

    // ---- workers and the hang detector --------------------------------------------------------------

    /** A thread that fuzzes cases; what it is running, and since when, is visible to the hang detector. */
    private final class Worker extends Thread {
        volatile long since, seed;
        volatile String input, source;

        Worker(int k) {
            super(null, null, "tx-fuzz-" + k, 1L << 28); // a big stack, as the tx command has
            setDaemon(true); // a hung worker cannot be stopped: it must not keep the JVM alive
        }

        @Override public void run() {
            for (int i = next.getAndIncrement(); i < cases.length && !stop; i = next.getAndIncrement()) fuzzCase(this, cases[i]);
        }

        Sandbox.Outcome compileAndRun(String label, String src) {
            input = label;
            source = src;
            since = System.nanoTime();
            try {
                return Sandbox.compileAndRun("fuzz.tx", src);
            } finally {
                since = 0;
            }
        }
    }

    private void runWorkers() throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        for (int k = 0; k < Math.min(THREADS, cases.length); k++) workers.add(new Worker(k));
        workers.forEach(Thread::start);
        long limit = (long) (TIMEOUT_S * 1e9);
        while (workers.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(20);
            for (Worker w : workers) {
                long since = w.since;
                if (since != 0 && System.nanoTime() - since > limit && !stop) {
                    stop = true;
                    record(w.seed, w.input, "no answer after " + TIMEOUT_S + " s: a hang (the thread is left behind; the run stops here)", w.source);
                    for (Worker other : workers) if (other != w) other.join(60_000);
                    return;
                }
            }
        }
    }

    // ---- one case ------------------------------------------------------------------------------------

    private void fuzzCase(Worker w, long seed) {
        w.seed = seed;
        ProgramGenerator.Program p;
        try {
            p = ProgramGenerator.generate(seed);
        } catch (Throwable e) {
            record(seed, "the generator", "the generator itself threw " + trace(e), "");
            return;
        }
        generated(w, p);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        for (int m = 0; m < MUTANTS && !stop; m++) {
            String[] base = m < MUTANTS - 1 || examples.isEmpty() ? new String[] {"the generated program", p.source()} : examples.get(rnd.nextInt(examples.size()));
            mutant(w, seed, "mutant " + m + " (of " + base[0] + ")", Mutator.mutate(base[1], rnd));
        }
    }

    /** Compiles and runs one input; checks the promises every input must keep. Null if it threw. */
    private Sandbox.Outcome input(Worker w, long seed, String label, String src) {
        stats.inputs.increment();
        Sandbox.Outcome o;
        try {
            o = w.compileAndRun(label, src);
        } catch (Throwable e) {
            record(seed, label, "tx threw " + trace(e), src);
            return null;
        }
        for (String v : Sandbox.violations(src, o)) record(seed, label, v, src);
        return o;
    }

    private void generated(Worker w, ProgramGenerator.Program p) {
        (switch (p.kind()) { case GRADIENT -> stats.gradient; case SCRIPT -> stats.scripts; case MISTAKE -> stats.mistakes; }).increment();
        String label = "the generated " + p.kind().name().toLowerCase(Locale.ROOT) + " program";
        Sandbox.Outcome o = input(w, p.seed(), label, p.source());
        if (o == null) return;
        if (o.compiled()) stats.compiled.increment();
        if (o.ran()) stats.ran.increment();
        String unmet = unmet(p.expect(), o);
        if (unmet != null) {
            record(p.seed(), label, unmet, p.source());
            return;
        }
        if (o.failure() != null) stats.asserted.increment();
        if (p.kind() == ProgramGenerator.Kind.MISTAKE && !o.compiled()) stats.caught.increment();
        if (p.kind() == ProgramGenerator.Kind.GRADIENT && o.ran()) gradientCheck(w, p, o);
    }

    /** Null if the outcome is what the generator meant, else what went differently. */
    private static String unmet(ProgramGenerator.Expect e, Sandbox.Outcome o) {
        String diags = o.result().diagnostics().render();
        if (!o.compiled()) {
            boolean expected = o.result().diagnostics().all().stream().filter(Diagnostic::isError).anyMatch(d -> e.codes().contains(d.code()));
            if (e.mayBeRejected() && expected) return null;
            return (e.mayBeRejected() ? "expected one of the errors " + e.codes() + " (" + e.what() + "), but got other diagnostics"
                    : "the generator meant this program to compile and run (" + e.what() + "), but it was rejected") + ":\n" + diags;
        }
        if (e.assertFails()) return o.failure() != null ? null : "expected a failing assert_close at run time, but the program ran to the end";
        if (o.failure() != null) return "the program failed at run time: " + o.failure().getMessage();
        return e.mayRun() ? null : "expected one of the errors " + e.codes() + " (" + e.what() + "), but the program compiled and ran";
    }

    private void gradientCheck(Worker w, ProgramGenerator.Program p, Sandbox.Outcome o) {
        GradientCheck.Result r;
        try {
            r = GradientCheck.check(p, o, (label, src) -> {
                stats.fdPrograms.increment();
                return w.compileAndRun("finite differences of the gradient program", src);
            });
        } catch (Throwable e) {
            record(p.seed(), "finite differences of the gradient program", "tx threw " + trace(e), w.source);
            return;
        }
        if (r.failure() != null) {
            record(p.seed(), "the generated gradient program", "wrong gradient: " + r.failure(), p.source());
            return;
        }
        if (r.checked() > 0) stats.gradChecked.increment();
        stats.derivatives.add(r.checked());
        stats.kinks.add(r.nonSmooth());
        stats.nonFinite.add(r.nonFinite());
        synchronized (stats) {
            if (r.closest() > stats.closest) {
                stats.closest = r.closest();
                stats.closestText = "case " + ProgramGenerator.hex(p.seed()) + ", " + r.closestText();
            }
        }
    }

    private void mutant(Worker w, long seed, String label, String src) {
        stats.mutants.increment();
        Sandbox.Outcome o = input(w, seed, label, src);
        if (o == null) return;
        if (!o.compiled()) stats.mutantsRejected.increment();
        else if (o.failure() != null) stats.mutantsAsserted.increment();
        else stats.mutantsRan.increment();
    }

    // ---- reporting ---------------------------------------------------------------------------------------

    private void record(long seed, String input, String problem, String source) {
        synchronized (failures) {
            failures.add(new Failure(seed, input, problem, source));
        }
    }

    private static String trace(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(12, st.length); i++) sb.append("\n        at ").append(st[i]);
        return sb.toString();
    }

    private String failureMessage() throws IOException {
        Path dir = FAILURES;
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder(failures.size() + " fuzzing failure(s). Reproduce one with -Dtx.fuzz.case=SEED"
                + " (see docs/fuzzing.md); every failing input is in " + dir.toAbsolutePath() + "\n");
        synchronized (failures) {
            java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
            for (Failure f : failures) kinds.merge(kind(f.problem()), 1, Integer::sum);
            kinds.forEach((k, n) -> sb.append(String.format(Locale.ROOT, "%6d  %s%n", n, k)));
            for (int i = 0; i < failures.size(); i++) {
                Failure f = failures.get(i);
                String name = ProgramGenerator.hex(f.seed()) + "-" + i + ".tx";
                Files.writeString(dir.resolve(name), "# " + f.input() + ": " + f.problem().replace("\n", "\n# ") + "\n" + f.source(), StandardCharsets.UTF_8);
                if (i < SHOWN) {
                    sb.append("\n---- case ").append(ProgramGenerator.hex(f.seed())).append(", ").append(f.input()).append(" (").append(name).append(")\n")
                            .append(f.problem()).append("\n---- the input:\n").append(f.source());
                }
            }
        }
        return sb.toString();
    }

    /** A failure's first line with the numbers taken out (and, for a rejection, the first error): to count failures by kind. */
    private static String kind(String problem) {
        String[] lines = problem.split("\n");
        String k = lines[0];
        for (int i = 1; i < lines.length && k.endsWith(":"); i++) if (lines[i].startsWith("error[")) k += " " + lines[i];
        return k.replaceAll("(?<![EW0-9])[0-9]+", "N");
    }

    private String report(double seconds) {
        Stats s = stats;
        long generated = s.gradient.sum() + s.scripts.sum() + s.mistakes.sum();
        return String.format(Locale.ROOT, """
                tx fuzz: %d inputs in %.1f s on %d threads (base seed %s, %d cases)
                  generated: %d (%d gradient programs, %d scripts, %d with a deliberate mistake); %d compiled, %d ran, \
                %d failed an assert_close as meant, %d mistakes reported with the expected code
                  gradients: %d programs checked against finite differences, %d derivatives compared (closest call: \
                an error of %.2f of the tolerance), %d skipped as non-smooth, %d at non-finite values; %d finite-difference programs
                    the closest call: %s
                  mutants: %d; %d rejected with diagnostics, %d compiled and ran, %d failed an assert_close
                  failures: %d""",
                s.inputs.sum(), seconds, THREADS, ProgramGenerator.hex(SEED), cases.length,
                generated, s.gradient.sum(), s.scripts.sum(), s.mistakes.sum(), s.compiled.sum(), s.ran.sum(), s.asserted.sum(), s.caught.sum(),
                s.gradChecked.sum(), s.derivatives.sum(), s.closest, s.kinks.sum(), s.nonFinite.sum(), s.fdPrograms.sum(), s.closestText,
                s.mutants.sum(), s.mutantsRejected.sum(), s.mutantsRan.sum(), s.mutantsAsserted.sum(), failures.size());
    }

    /** The fuzzer must not pass by testing nothing: each part must have done a fair share of its work. */
    private void checkItTestedSomething() {
        Stats s = stats;
        long generated = s.gradient.sum() + s.scripts.sum() + s.mistakes.sum();
        assertTrue(s.inputs.sum() >= (long) cases.length * (1 + MUTANTS), "every input was tried");
        assertTrue(s.compiled.sum() >= generated / 2, "at least half the generated programs compile");
        assertTrue(s.ran.sum() >= generated / 2, "at least half the generated programs run");
        assertTrue(s.gradChecked.sum() >= s.gradient.sum() / 2, "at least half the gradient programs are checked against finite differences");
        assertTrue(s.derivatives.sum() >= 3 * s.gradChecked.sum(), "several derivatives are compared per gradient program");
        assertTrue(s.caught.sum() >= s.mistakes.sum() / 2, "most deliberate mistakes are reported");
        assertTrue(s.mutantsRejected.sum() >= s.mutants.sum() / 4, "many mutants are rejected");
        assertTrue(s.mutantsRan.sum() >= s.mutants.sum() / 50, "some mutants compile and run");
    }
}
