package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programs of examples/handwritten (LANGUAGE.md §8): each checks generated gradients against
 * derivatives written by hand, and every check must pass. The errors they print depend in their last
 * digits on the platform's libm, so this test asserts PASS/FAIL, not the exact output. A derivative
 * with one term dropped must make the run fail, so the checks are shown to catch a real mistake.
 */
class HandwrittenTest {
    private static final Path DIR = TxRunner.root().resolve("examples").resolve("handwritten");

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyCheckPasses() {
        List<Path> files = TxRunner.files(DIR, ".tx");
        assertTrue(files.size() >= 8, "expected at least eight programs in " + DIR + ", found " + files.size());
        return files.stream().map(f -> DynamicTest.dynamicTest(DIR.relativize(f).toString(), () -> {
            String source = Files.readString(f, StandardCharsets.UTF_8);
            long checks = source.lines().filter(l -> l.startsWith("check ")).count();
            assertTrue(checks > 0, f + " has no check");
            TxRunner.Outcome r = TxRunner.run("run", f.toString());
            assertEquals(0, r.status(), () -> f + " exited " + r.status() + "\n" + r.out() + r.err());
            assertEquals(checks, count(r.out(), "(?m)^check .*: PASS"), r.out());
            assertFalse(r.out().contains("FAIL"), r.out());
            assertFalse(r.err().contains("error["), r.err());
        }));
    }

    @Test
    void aWrongLayerNormDerivativeFails() throws IOException {
        String source = Files.readString(DIR.resolve("layer_norm.tx"), StandardCharsets.UTF_8);
        // Drop the variance term of the layer-norm backward: what remains is right only when
        // mean(dy * y) happens to be zero.
        String term = " - y * mean(dy * y, dim=1, keepdim=true)";
        assertTrue(source.contains(term), "layer_norm.tx no longer contains the term this test drops");
        String wrong = source.replace(term, "");
        Path f = tmp.resolve("layer_norm_wrong.tx");
        Files.writeString(f, wrong, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("run", f.toString());
        assertEquals(3, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("error[E0505]"), r.err());
        assertTrue(r.out().startsWith("check grad(ln) == dln: FAIL"), r.out());
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
