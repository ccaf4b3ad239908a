package tx.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tx.compiler.InMemoryJavac;
import tx.runtime.ir.Prim;

/**
 * The kernels the Java emitter reads from the runtime's {@code Standalone.java}: each is the
 * compiled method, declared private, and compiles with just the kernels it names after
 * {@code needs}; a source that breaks the rules (a call not named, a need not called or unknown,
 * a marker that does not match its method) is refused with the file and line.
 */
class JavaKernelsTest {
    private static final String SOURCE = JavaKernels.read();

    @Test
    void everyKernelCompilesWithTheKernelsItNeedsAndNoOthers() {
        Map<String, String> classes = new LinkedHashMap<>();
        for (int i = 0; i < JavaKernels.ALL.length; i++) {
            TreeSet<Integer> needed = new TreeSet<>();
            need(i, needed);
            StringBuilder sb = new StringBuilder("import java.util.function.DoubleBinaryOperator;\nimport java.util.function.DoubleUnaryOperator;\n\n");
            sb.append("final class K").append(i).append(" {\n");
            for (int k : needed) sb.append('\n').append(JavaKernels.ALL[k].text());
            classes.put("K" + i, sb.append("}\n").toString());
        }
        InMemoryJavac.compile(classes); // fails on any error or warning, naming the class (K + the kernel's index)
    }

    private static void need(int i, TreeSet<Integer> needed) {
        if (!needed.add(i)) return;
        for (String dep : JavaKernels.ALL[i].deps()) need(JavaKernels.index(dep), needed);
    }

    @Test
    void everyKernelIsPrintableAscii() {
        // emitted Java holds only printable ASCII (EmitterNamesFuzzTest): a kernel's comments are copied with it
        for (JavaKernels.Helper k : JavaKernels.ALL) {
            String text = k.text();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                assertTrue(c == '\n' || c >= 0x20 && c < 0x7f, "kernel " + k.id() + " holds U+" + String.format("%04X", (int) c) + " at " + i);
            }
        }
    }

    @Test
    void eachKernelIsTheMethodOfStandaloneDeclaredPrivate() {
        int fromSource = 0;
        for (JavaKernels.Helper h : JavaKernels.ALL) {
            assertFalse(h.text().contains("// kernel"), h.id() + " carries a marker");
            assertTrue(h.text().lines().anyMatch(l -> l.startsWith("    private static ")), h.id() + " is not declared private static");
            if (SOURCE.contains(h.text().replaceFirst("(?m)^    private static ", "    static "))) fromSource++;
        }
        long markers = SOURCE.lines().filter(l -> l.startsWith("    // kernel: ")).count();
        assertEquals(markers, fromSource, "every marked kernel, as Standalone.java has it");
        int primitives = 0;
        for (Prim p : Prim.values()) if (p.javaFunction() != null) primitives += p.arity(); // a binary one has a variant with shapes
        assertEquals(JavaKernels.ALL.length, markers + primitives, "the marked kernels and the elementwise primitives'");
    }

    @Test
    void theElementwisePrimitivesComeWhereTheSourceMarksThem() {
        int add = JavaKernels.index("add"), zip = JavaKernels.index("zip/shapes"), where = JavaKernels.index("where");
        assertTrue(zip < add && add < where, "add at " + add + ", not between zip/shapes (" + zip + ") and where (" + where + ")");
        assertEquals("    private static double[] exp(double[] x) {\n        return map(x, Math::exp);\n    }\n", JavaKernels.ALL[JavaKernels.index("exp")].text());
        assertEquals(List.of("zip/shapes"), JavaKernels.ALL[JavaKernels.index("add/shapes")].deps());
        String without = SOURCE.replaceAll("(?m)^    // kernels: .*\n", "");
        assertRefused(without, "no line `// kernels:`");
    }

    @Test
    void aCallOfAKernelNotNamedAfterNeedsIsRefused() {
        String source = replaceOnce(SOURCE, "// kernel: take needs position\n", "// kernel: take\n");
        int line = lineOf(source, "// kernel: take\n");
        assertRefused(source, "Standalone.java:" + line + ": kernel take calls position but does not name it after `needs`");
        // an overload's need counts by name: zip/shapes without broadcastStrides is refused too
        assertRefused(replaceOnce(SOURCE, "zip/shapes needs broadcast, broadcastStrides, numel", "zip/shapes needs broadcast, numel"),
                "kernel zip/shapes calls broadcastStrides but does not name it after `needs`");
        assertRefused(replaceOnce(SOURCE, "uniform needs SplitMix64", "uniform"), "kernel uniform calls SplitMix64");
    }

    @Test
    void aNeedThatIsNotCalledOrNotAKernelIsRefused() {
        assertRefused(replaceOnce(SOURCE, "// kernel: cat\n", "// kernel: cat needs numel\n"), "kernel cat needs numel but does not call it");
        assertRefused(replaceOnce(SOURCE, "take needs position", "take needs positon"), "kernel take needs positon, which is not a kernel");
    }

    @Test
    void aMarkerThatDoesNotMatchItsMethodIsRefused() {
        assertRefused(replaceOnce(SOURCE, "// kernel: cat\n", "// kernel: concat\n"), "kernel concat must be declared `static` under the name concat");
        assertRefused(replaceOnce(SOURCE, "    static double[] cat(", "    public static double[] cat("), "kernel cat must be declared `static`");
        String cut = SOURCE.substring(0, SOURCE.indexOf("// kernel: normal") + 60);
        assertRefused(cut, "kernel normal has no line `    }` that ends it");
        int fill = SOURCE.indexOf("    // kernel: fill"), end = SOURCE.indexOf("    }\n", fill) + 6;
        String twice = SOURCE.substring(0, end) + "\n" + SOURCE.substring(fill, end) + SOURCE.substring(end);
        assertRefused(twice, "a second kernel fill");
    }

    @Test
    void theSourceItselfIsAccepted() {
        assertEquals(JavaKernels.ALL.length, JavaKernels.parse(SOURCE, "Standalone.java").size());
        assertTrue(JavaKernels.NAMES.contains("sum") && !JavaKernels.NAMES.contains("SplitMix64"), "NAMES are the methods' names");
    }

    private static void assertRefused(String source, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JavaKernels.parse(source, "Standalone.java"));
        assertTrue(e.getMessage().contains(message), "refused with `" + e.getMessage() + "`, not `" + message + "`");
    }

    private static String replaceOnce(String source, String what, String with) {
        int at = source.indexOf(what);
        assertTrue(at >= 0 && source.indexOf(what, at + 1) < 0, "`" + what + "` is not in Standalone.java once");
        return source.substring(0, at) + with + source.substring(at + what.length());
    }

    private static int lineOf(String source, String what) {
        return (int) source.substring(0, source.indexOf(what)).chars().filter(c -> c == '\n').count() + 1;
    }
}
