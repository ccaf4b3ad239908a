package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The compiler's diagnostics, character for character, and the error catalogue docs/errors.md.
 *
 * <p>Every {@code NAME.tx} under {@code compiler/src/test/resources/diagnostics/} is a small program
 * with a mistake a PyTorch user would make. Its <b>first line</b> states the exit status that
 * {@code tx run} must give, and what the case is about:
 * <pre>
 * # exit 1: backward on a loss that was never reduced to a scalar
 * </pre>
 * An optional second line gives options for {@code tx run}: {@code # flags: --detect-anomaly}, or
 * another command to run instead: {@code # command: grad --fn f} (the file goes after the command's name),
 * or files the program changes as it runs: {@code # files: ../npy/weights.npy} (paths relative to the
 * case), which run it from a scratch folder that holds a copy of the case and of those files.
 * 1 is a compile error (standard output must then be empty: nothing runs), 3 a run-time failure
 * (a failed {@code assert_close}), 0 a program that only draws warnings. Beside it:
 * <ul>
 *   <li>{@code NAME.err}: the exact standard error, written by hand from LANGUAGE.md §1 (one
 *       blank line between two diagnostics, none after the last);</li>
 *   <li>{@code NAME.out}, optional: the exact standard output; without it, standard output must be
 *       empty.</li>
 * </ul>
 *
 * <p>The catalogue checks: every code with a heading in docs/errors.md ({@code ## E0301 ...}) is
 * produced by at least one case above, and every code the compiler can emit (a {@code "E0..."} or
 * {@code "W0..."} string literal in compiler/src/main/java) has a heading in docs/errors.md.
 */
class DiagnosticsTest {
    static final Path ROOT = TxRunner.root();
    static final Path CASES = ROOT.resolve("compiler/src/test/resources/diagnostics");
    static final Path CATALOGUE = ROOT.resolve("docs/errors.md");
    static final Path COMPILER_SOURCES = ROOT.resolve("compiler/src/main/java");

    private static final Pattern HEADER = Pattern.compile("^# exit ([013])\\b.*");
    private static final Pattern REPORTED = Pattern.compile("^(?:error|warning)\\[([EW]\\d{4})\\]", Pattern.MULTILINE);
    private static final Pattern HEADING = Pattern.compile("^#{2,3} +`?([EW]\\d{4})\\b", Pattern.MULTILINE);
    private static final Pattern LITERAL = Pattern.compile("\"([EW]0\\d{3})\\b");

    @TestFactory
    Stream<DynamicTest> everyCasePrintsExactlyItsExpectedDiagnostics() {
        return cases().stream().map(tx -> DynamicTest.dynamicTest(CASES.relativize(tx).toString(), () -> {
            String mismatch = mismatch(tx);
            if (mismatch != null) fail(mismatch);
        }));
    }

    @Test
    void everyCaseStatesItsExitStatusAndHasExpectedDiagnostics() throws IOException {
        List<Path> all = TxRunner.files(CASES, ".tx");
        assertTrue(cases().size() >= 30, "at least one case for each code: " + cases().size());
        for (Path tx : all) {
            assertTrue(expectedStatus(tx) >= 0, tx + ": the first line must be `# exit N: what this case shows`");
            assertTrue(Files.exists(sibling(tx, ".err")), "no .err beside " + tx);
        }
    }

    @Test
    void everyDocumentedCodeHasACase() throws IOException {
        Set<String> documented = documentedCodes();
        Set<String> covered = new TreeSet<>();
        for (Path tx : cases()) covered.addAll(codesIn(Files.readString(sibling(tx, ".err"), StandardCharsets.UTF_8), REPORTED));
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "codes in docs/errors.md without a case in " + CASES + ": " + missing);
    }

    @Test
    void everyCodeTheCompilerEmitsIsDocumented() throws IOException {
        Set<String> emitted = emittedCodes();
        assertFalse(emitted.isEmpty(), "no diagnostic codes found under " + COMPILER_SOURCES);
        Set<String> missing = new TreeSet<>(emitted);
        missing.removeAll(documentedCodes());
        assertTrue(missing.isEmpty(), "codes the compiler emits without a heading in docs/errors.md: " + missing);
    }

    @Test
    void everyDocumentedCodeIsStillEmitted() throws IOException {
        Set<String> stale = new TreeSet<>(documentedCodes());
        stale.removeAll(emittedCodes());
        assertTrue(stale.isEmpty(), "docs/errors.md documents codes the compiler no longer emits: " + stale);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** Null if tx prints exactly what the case expects, else what differs. */
    private static String mismatch(Path tx) throws IOException {
        int status = expectedStatus(tx);
        if (status < 0) return tx + ": the first line must be `# exit N: what this case shows`";
        List<String> args = new java.util.ArrayList<>(command(tx));
        args.add(1, scratch(tx).toString());
        TxRunner.Outcome r = TxRunner.run(args.toArray(new String[0]));
        String err = Files.readString(sibling(tx, ".err"), StandardCharsets.UTF_8);
        Path outFile = sibling(tx, ".out");
        String out = Files.exists(outFile) ? Files.readString(outFile, StandardCharsets.UTF_8) : "";
        StringBuilder why = new StringBuilder();
        if (!err.equals(r.err())) why.append("standard error differs\n--- expected\n").append(err).append("--- actual\n").append(r.err());
        if (!out.equals(r.out())) why.append("standard output differs\n--- expected\n").append(out).append("--- actual\n").append(r.out());
        if (status != r.status()) why.append("exit status: expected ").append(status).append(", actual ").append(r.status()).append('\n');
        return why.length() == 0 ? null : tx.getFileName() + ": " + why;
    }

    /**
     * The command to run the case with, the file left out: {@code run} with the options of an
     * optional second line {@code # flags: --detect-anomaly}, or another command and its options
     * from {@code # command: grad --fn f}.
     */
    private static List<String> command(Path tx) throws IOException {
        String second = text(tx).lines().skip(1).findFirst().orElse("");
        List<String> args = new java.util.ArrayList<>(List.of("run"));
        if (second.startsWith("# flags:")) args.addAll(List.of(second.substring("# flags:".length()).trim().split("\\s+")));
        if (second.startsWith("# command:")) args = List.of(second.substring("# command:".length()).trim().split("\\s+"));
        return args;
    }

    /** The case itself, or, after {@code # files: a b}, a copy of it in a scratch folder beside copies of a and b. */
    private static Path scratch(Path tx) throws IOException {
        String second = text(tx).lines().skip(1).findFirst().orElse("");
        if (!second.startsWith("# files:")) return tx;
        Path dir = Files.createTempDirectory("tx-case");
        dir.toFile().deleteOnExit();
        for (String f : second.substring("# files:".length()).trim().split("\\s+")) {
            Path copy = Files.copy(tx.resolveSibling(f), dir.resolve(Path.of(f).getFileName()));
            copy.toFile().deleteOnExit();
        }
        Path copy = Files.copy(tx, dir.resolve(tx.getFileName()));
        copy.toFile().deleteOnExit();
        return copy;
    }

    /** A case's text; a case may hold bytes that are not UTF-8 on purpose (E0004), shown here as U+FFFD. */
    private static String text(Path tx) throws IOException {
        return new String(Files.readAllBytes(tx), StandardCharsets.UTF_8);
    }

    private static List<Path> cases() {
        return TxRunner.files(CASES, ".tx");
    }

    /** The status on the first line ({@code # exit 1: ...}), or -1 if it is missing. */
    private static int expectedStatus(Path tx) throws IOException {
        String first = text(tx).lines().findFirst().orElse("");
        Matcher m = HEADER.matcher(first);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static Set<String> documentedCodes() throws IOException {
        assertTrue(Files.exists(CATALOGUE), "missing " + CATALOGUE);
        Set<String> codes = codesIn(Files.readString(CATALOGUE, StandardCharsets.UTF_8), HEADING);
        assertFalse(codes.isEmpty(), "no `## E0...` headings in " + CATALOGUE);
        return codes;
    }

    private static Set<String> emittedCodes() throws IOException {
        Set<String> codes = new TreeSet<>();
        for (Path java : TxRunner.files(COMPILER_SOURCES, ".java")) codes.addAll(codesIn(Files.readString(java, StandardCharsets.UTF_8), LITERAL));
        return codes;
    }

    private static Set<String> codesIn(String text, Pattern p) {
        Set<String> codes = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) codes.add(m.group(1));
        return codes;
    }

    private static Path sibling(Path tx, String ext) {
        String n = tx.getFileName().toString();
        return tx.resolveSibling(n.substring(0, n.length() - 3) + ext);
    }
}
