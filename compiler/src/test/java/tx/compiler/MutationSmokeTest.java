package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.compiler.syntax.Diagnostic;

/**
 * Mangles the example programs (deleting, duplicating and swapping lines, tokens and characters)
 * and compiles each mutant: the compiler must either accept it or report diagnostics located
 * inside the file, and never throw. A fixed seed keeps the run reproducible; the robustness issue
 * grows this into a full fuzzer that also runs what compiles.
 */
class MutationSmokeTest {
    private static final int MUTANTS = Integer.getInteger("tx.mutants", 3000); // a longer run: -Dtx.mutants=100000

    @Test
    void mangledProgramsGetDiagnosticsNotExceptions() throws IOException {
        List<String> sources = new ArrayList<>();
        for (Path p : TxRunner.files(TxRunner.root().resolve("examples"), ".tx")) sources.add(Files.readString(p, StandardCharsets.UTF_8));
        for (Path p : TxRunner.files(TxRunner.root().resolve("conformance/cases"), ".tx")) sources.add(Files.readString(p, StandardCharsets.UTF_8));
        SplittableRandom rnd = new SplittableRandom(20261127);
        int rejected = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String src = mutate(sources.get(rnd.nextInt(sources.size())), rnd);
            Compiler.Result r;
            try {
                r = Compiler.compile("mutant.tx", src);
            } catch (RuntimeException | StackOverflowError e) {
                fail("the compiler threw " + e + " on:\n" + src);
                return;
            }
            int lines = src.split("\n", -1).length;
            for (Diagnostic d : r.diagnostics().all()) {
                if (d.span().line() < 1 || d.span().line() > lines) fail("diagnostic outside the file: " + d + "\n" + src);
            }
            if (r.program() == null) rejected++;
        }
        assertTrue(rejected > MUTANTS / 4, "most mutants should be rejected; only " + rejected + " were");
    }

    private static String mutate(String src, SplittableRandom rnd) {
        String s = src;
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && !s.isEmpty(); e++) {
            int a = rnd.nextInt(s.length()), len = 1 + rnd.nextInt(Math.min(12, s.length() - a));
            int b = rnd.nextInt(s.length());
            s = switch (rnd.nextInt(5)) {
                case 0 -> s.substring(0, a) + s.substring(a + len);                           // delete
                case 1 -> s.substring(0, b) + s.substring(a, a + len) + s.substring(b);        // duplicate elsewhere
                case 2 -> s.substring(0, a) + TOKENS[rnd.nextInt(TOKENS.length)] + s.substring(a); // insert a token
                case 3 -> swapLines(s, rnd);
                default -> s.substring(0, a) + (char) (32 + rnd.nextInt(95)) + s.substring(a + 1); // replace a character
            };
        }
        return s;
    }

    private static final String[] TOKENS = {"(", ")", "[", "]", "{", "}", ",", ":", "=", "-=", "@", "**", "-", ".", "\n",
            "x", "backward()", ".grad", "with no_grad {", "for i in range(2) {", "if x {", "else", "0", "-1", "1e-3", "\"s\"",
            "None", "true", "sum(", "dim=", "requires_grad=true", "tensor([[1, 2], [3]])", "zeros(0)", "x[5]"};

    private static String swapLines(String s, SplittableRandom rnd) {
        String[] lines = s.split("\n", -1);
        int i = rnd.nextInt(lines.length), j = rnd.nextInt(lines.length);
        String t = lines[i];
        lines[i] = lines[j];
        lines[j] = t;
        return String.join("\n", lines);
    }
}
