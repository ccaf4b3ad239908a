package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every entry of docs/errors.md shows a program (its first code block) and what tx prints: running
 * that program must really produce the entry's code. Entries about run-time options are run with
 * the option they describe; E0601 (about `tx grad`) with `tx grad` on the example's function; E0506
 * (a file that changed since compile time) beside a copy of the file its program loads.
 */
class CatalogueTest {
    private static final Pattern ENTRY = Pattern.compile("^## ([EW]\\d{4}):.*?(?=^## |\\z)", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern BLOCK = Pattern.compile("```\\n(.*?)```", Pattern.DOTALL);
    private static final Map<String, String[]> FLAGS = Map.of(
            "E0502", new String[] {"--detect-anomaly"},
            "E0503", new String[] {"--max-memory", "10M"},
            "E0312", new String[] {"--max-memory", "12K"},
            "E0504", new String[] {"--timeout", "0.2"});
    /** Files an example reads, copied beside it from compiler/src/test/resources/npy: E0506's program overwrites the file it loads. */
    private static final Map<String, String[]> FILES = Map.of("E0506", new String[] {"weights.npy"});
    /** The encoding an example is saved in: UTF-8, but E0004's example is a file saved as Latin-1, as older editors save it. */
    private static final Map<String, java.nio.charset.Charset> ENCODINGS = Map.of("E0004", StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyExampleProducesItsCode() throws IOException {
        String catalogue = Files.readString(TxRunner.root().resolve("docs/errors.md"), StandardCharsets.UTF_8);
        List<DynamicTest> tests = new ArrayList<>();
        Matcher m = ENTRY.matcher(catalogue);
        while (m.find()) {
            String code = m.group(1), entry = m.group();
            Matcher block = BLOCK.matcher(entry);
            assertTrue(block.find(), code + " shows no program");
            String program = block.group(1);
            tests.add(DynamicTest.dynamicTest(code, () -> check(code, program)));
        }
        assertTrue(tests.size() >= 25, "entries: " + tests.size());
        return tests.stream();
    }

    private void check(String code, String program) throws IOException {
        Path file = dir.resolve(code + ".tx");
        Files.writeString(file, program, ENCODINGS.getOrDefault(code, StandardCharsets.UTF_8));
        for (String f : FILES.getOrDefault(code, new String[0])) {
            Files.copy(TxRunner.root().resolve("compiler/src/test/resources/npy").resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> args = new ArrayList<>(List.of("run", file.toString()));
        args.addAll(List.of(FLAGS.getOrDefault(code, new String[0])));
        Matcher fn = Pattern.compile("^fn (\\w+)", Pattern.MULTILINE).matcher(program);
        if (code.equals("E0601") && fn.find()) args = List.of("grad", file.toString(), "--fn", fn.group(1));
        TxRunner.Outcome r = TxRunner.run(args.toArray(new String[0]));
        String kind = code.startsWith("W") ? "warning[" : "error[";
        assertTrue(r.err().contains(kind + code + "]"), code + "'s example printed:\n" + r.err() + "\nfor:\n" + program);
    }
}
