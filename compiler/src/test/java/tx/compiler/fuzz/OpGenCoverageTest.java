package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer must keep drawing the operators of {@link OpGen}: a change to the generator that
 * stopped writing one of them would leave {@link FuzzTest} green while testing nothing of it. Counts
 * the programs (of 3,000 generated, which takes well under a second) that use each construct.
 */
class OpGenCoverageTest {
    private static final Map<String, Pattern> CONSTRUCTS = new LinkedHashMap<>();

    static {
        CONSTRUCTS.put("& | ^ of masks", Pattern.compile("\\) [&|^] \\("));
        CONSTRUCTS.put("~ of a mask", Pattern.compile("\\(~"));
        CONSTRUCTS.put("isnan/isinf/isfinite", Pattern.compile("is(nan|inf|finite)\\("));
        CONSTRUCTS.put("any/all", Pattern.compile("\\b(any|all)\\("));
        CONSTRUCTS.put("masked_fill", Pattern.compile("masked_fill\\("));
        CONSTRUCTS.put("selection by a run-time mask", Pattern.compile("\\)\\[\\(?[^\\]]*[<>]"));
        CONSTRUCTS.put("det", Pattern.compile("\\bdet\\(|\\.det\\(\\)"));
        CONSTRUCTS.put("inverse", Pattern.compile("\\binverse\\("));
        CONSTRUCTS.put("solve", Pattern.compile("\\bsolve\\("));
        CONSTRUCTS.put("cholesky", Pattern.compile("cholesky\\("));
        CONSTRUCTS.put("einsum", Pattern.compile("einsum\\(\""));
        CONSTRUCTS.put("x[idx]", Pattern.compile("\\[tensor\\(\\[?\\[?-?\\d+[],)]"));
        CONSTRUCTS.put("x[rows, cols]", Pattern.compile("\\[tensor\\([-\\d\\[\\], ]*\\), tensor\\("));
        CONSTRUCTS.put("x[:, idx]", Pattern.compile("\\[:, tensor\\("));
        CONSTRUCTS.put("a negative position", Pattern.compile("\\[tensor\\([\\[\\d, ]*-\\d"));
        CONSTRUCTS.put("x[i:i + k]", Pattern.compile("\\[(i\\d+):\\1 \\+ \\d+]"));
        CONSTRUCTS.put("x[i:min(i + k, m)]", Pattern.compile("\\[(i\\d+):min\\(\\1 \\+ \\d+, \\d+\\)]"));
        CONSTRUCTS.put("a clipped window", Pattern.compile("# the window is clipped shorter"));
        CONSTRUCTS.put("slogdet", Pattern.compile("slogdet\\("));
        CONSTRUCTS.put("qr's Q", Pattern.compile("qr\\(.*(\\.Q\\b|\\)\\[0])"));
        CONSTRUCTS.put("qr's R", Pattern.compile("qr\\(.*(\\.R\\b|\\)\\[1])"));
        CONSTRUCTS.put("pad reflect", Pattern.compile("mode=\"reflect\""));
        CONSTRUCTS.put("pad replicate", Pattern.compile("mode=\"replicate\""));
        CONSTRUCTS.put("pad circular", Pattern.compile("mode=\"circular\""));
        CONSTRUCTS.put("cross_entropy weight=", Pattern.compile("cross_entropy\\([^\n]*weight="));
        CONSTRUCTS.put("nll_loss weight=", Pattern.compile("nll_loss\\([^\n]*weight="));
        CONSTRUCTS.put("label_smoothing=", Pattern.compile("label_smoothing="));
        CONSTRUCTS.put("solve_triangular", Pattern.compile("solve_triangular\\("));
        CONSTRUCTS.put("class indices [N, d]", Pattern.compile("(cross_entropy|nll_loss)\\([^\n]*, tensor\\(\\[\\[\\d"));
        CONSTRUCTS.put("pos_weight=", Pattern.compile("binary_cross_entropy_with_logits\\([^\n]*pos_weight="));
        CONSTRUCTS.put("conv_transpose1d", Pattern.compile("conv_transpose1d\\("));
        CONSTRUCTS.put("eigh/eigvalsh", Pattern.compile("linalg\\.eig(h|valsh)\\("));
        CONSTRUCTS.put("svd/svdvals", Pattern.compile("linalg\\.svd(vals)?\\("));
    }

    /** The later Python syntax of {@link ScriptSyntax}, in the scripts (which are run, not gradient-checked). */
    private static final Map<String, Pattern> SCRIPT_CONSTRUCTS = new LinkedHashMap<>();

    static {
        SCRIPT_CONSTRUCTS.put("assert cond, message", Pattern.compile("(?m)^\\s*assert [^\\n]*, \""));
        SCRIPT_CONSTRUCTS.put("xs.append in a loop", Pattern.compile("(xs\\d+) = \\[]\\n[^\\n]*\\{\\n(.*\\n)+?\\s*\\1\\.append\\(loss\\d+\\.item\\(\\)\\)\\n\\}\\nprint\\(\\1\\)"));
        SCRIPT_CONSTRUCTS.put("range as a value", Pattern.compile("(r\\d+) = range\\([^\\n]*\\n[^\\n]*len\\(\\1\\)"));
        SCRIPT_CONSTRUCTS.put("a string value", Pattern.compile("(name\\d+) = \"[^\\n]*\\n[^\\n]*\\n\\s*print\\(f\"\\{\\1"));
        SCRIPT_CONSTRUCTS.put("create_graph, then a backward through x.grad",
                Pattern.compile("backward\\([^\\n]*create_graph=True\\)\\n(g\\d+) = (\\w+)\\.grad\\n\\2\\.grad = None\\n[^\\n]*\\1[^\\n]*\\.backward\\("));
    }

    @Test
    void everyNewScriptSyntaxIsDrawnOften() {
        Map<String, Integer> scripts = new LinkedHashMap<>();
        for (long seed : FuzzTest.caseSeeds(0x5C41L, 3000)) {
            ProgramGenerator.Program p = ProgramGenerator.generate(seed);
            if (p.kind() != ProgramGenerator.Kind.SCRIPT) continue;
            for (Map.Entry<String, Pattern> c : SCRIPT_CONSTRUCTS.entrySet()) {
                if (c.getValue().matcher(p.source()).find()) scripts.merge(c.getKey(), 1, Integer::sum);
            }
        }
        for (String c : SCRIPT_CONSTRUCTS.keySet()) {
            int n = scripts.getOrDefault(c, 0);
            assertTrue(n >= 15, c + " in only " + n + " of the scripts: " + scripts);
        }
    }

    @Test
    void everyNewConstructIsDrawnOften() {
        int programs = 3000;
        Map<String, Integer> gradient = new LinkedHashMap<>(), any = new LinkedHashMap<>();
        for (long seed : FuzzTest.caseSeeds(0x0F6E4L, programs)) {
            ProgramGenerator.Program p = ProgramGenerator.generate(seed);
            for (Map.Entry<String, Pattern> c : CONSTRUCTS.entrySet()) {
                if (!c.getValue().matcher(p.source()).find()) continue;
                any.merge(c.getKey(), 1, Integer::sum);
                if (p.kind() == ProgramGenerator.Kind.GRADIENT) gradient.merge(c.getKey(), 1, Integer::sum);
            }
        }
        for (String c : CONSTRUCTS.keySet()) {
            int g = gradient.getOrDefault(c, 0), a = any.getOrDefault(c, 0);
            assertTrue(g >= 15, c + " in only " + g + " of the gradient programs (" + a + " of all): " + any);
        }
    }
}
