package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx grad} writes the functions a derivative calls as functions (issue 11, item 2; LANGUAGE.md
 * §7 and §9): the adjoint of a called function is a {@code NAME_grad_*} helper written once however
 * many times it is called, so the output is linear in the source, and a custom rule's function is
 * written into the output, which stands alone. The expected gradients are worked out by hand or
 * taken from {@code grad} in process; the emitted code is run (tx) or compiled and run (Java).
 */
class FunctionsEmitTest {
    private static final Pattern TRANSFORM_CALL = Pattern.compile("\\b(grad|vjp|value_and_grad|backward|custom_vjp)\\s*\\(");

    /** f0 = sin; f_k(x) = f_{k-1}(x) + f_{k-1}(x / 2), so f_k(x) = sum_j C(k, j) sin(x / 2^j); top = sum(f_levels(x)). */
    static String doublingTree(int levels) {
        return doublingTree(levels, "2");
    }

    /** As above, with x of shape [size]: a number, or a named dimension. */
    static String doublingTree(int levels, String size) {
        StringBuilder sb = new StringBuilder("fn f0(x: [2]) -> [2] { return sin(x) }\n");
        for (int i = 1; i <= levels; i++) sb.append("fn f" + i + "(x: [2]) -> [2] { return f" + (i - 1) + "(x) + f" + (i - 1) + "(x * 0.5) }\n");
        return sb.append("fn top(x: [2]) -> [] { return sum(f" + levels + "(x)) }\n").toString().replace("[2]", "[" + size + "]");
    }

    /** d top / d x_i = sum_j C(k, j) 2^-j cos(x_i / 2^j). */
    static double[] treeGradient(int levels, double[] x) {
        double[] g = new double[x.length];
        double c = 1;
        for (int j = 0; j <= levels; j++) {
            double s = Math.pow(0.5, j);
            for (int i = 0; i < x.length; i++) g[i] += c * s * Math.cos(s * x[i]);
            c = c * (levels - j) / (j + 1);
        }
        return g;
    }

    private static String emit(String file, String source, String fn, Compiler.Emit how) {
        Compiler.Emitted r = Compiler.grad(file, source, fn, List.of(), how);
        assertNotNull(r.text(), () -> "tx grad failed:\n" + r.diagnostics().render());
        return r.text();
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-9 * Math.max(1, Math.abs(want[i])), what + ": element " + i + " want " + want[i] + ", got " + got[i]);
        }
    }

    /**
     * Forty levels are written out (2^40 copies if inlined) and the file compiles; running it would
     * take 2^40 calls, so the gradient is checked on twelve levels, written out the same way.
     */
    @Test
    void aFortyLevelCallTreeIsWrittenAsFunctionsThatCompile() {
        String text = emit("tree.tx", doublingTree(40), "top", Compiler.Emit.TX);
        assertFalse(TRANSFORM_CALL.matcher(text).find(), text);
        assertTrue(text.lines().count() < 60 * 40, "at most 60 lines a level: " + text.lines().count());
        // each helper is defined once
        Matcher m = Pattern.compile("(?m)^fn (\\w+)\\(").matcher(text);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (m.find()) assertTrue(seen.add(m.group(1)), "defined twice: " + m.group(1));
        assertTrue(seen.contains("top_grad"), text);
        assertTrue(seen.stream().filter(n -> n.startsWith("top_grad_")).count() >= 40, "a helper per level at least: " + seen);
        assertNotNull(Tx.compile("top_grad.tx", text).function("top_grad"));
    }

    @Test
    void aTwelveLevelCallTreeWrittenAsFunctionsRunsAndGivesTheGradient() {
        String text = emit("tree.tx", doublingTree(12), "top", Compiler.Emit.TX);
        assertTrue(text.contains("fn top_grad_f11_bwd("), "the adjoints are helpers:\n" + text);
        double[] x = {0.7, -1.3};
        List<Tensor> got = Tx.compile("top_grad.tx", text).function("top_grad").call(Tensor.of(new int[] {2}, x.clone()));
        assertClose(treeGradient(12, x), got.get(0).data(), "the emitted gradient of the 12-level tree:\n" + text);
    }

    /**
     * A list the loop appends to that the gradient never reads: its tape is not written (it used to
     * be, from a value the derivative no longer computes: an internal error, "no expression for").
     */
    @Test
    void aListTheGradientDoesNotReadIsNotTaped() {
        String text = emit("lists.tx", """
                fn f(x: [3]) -> [] {
                    vals = []
                    total = sum(x)
                    for i in range(3) {
                        y = x * i
                        vals.append(y.sum().item())
                        if i > 0 {
                            total = total + y.sum()
                        }
                    }
                    return total
                }
                """, "f", Compiler.Emit.TX);
        List<Tensor> got = Tx.compile("f_grad.tx", text).function("f_grad").call(Tensor.of(new int[] {3}, new double[] {1, 2, 3}));
        assertClose(new double[] {4, 4, 4}, got.get(0).data(), "d/dx of sum(x) + sum(x) + 2 sum(x):\n" + text); // 1 + 1 + 2
    }

    @Test
    void theWrittenTreeGrowsLinearlyWithItsLevels() {
        long[] lines = new long[3];
        int[] levels = {10, 20, 40};
        for (int i = 0; i < 3; i++) lines[i] = emit("tree.tx", doublingTree(levels[i]), "top", Compiler.Emit.TX).lines().count();
        long first = lines[1] - lines[0], second = lines[2] - lines[1]; // 10 levels, then 20 more
        assertTrue(second <= 2 * first + 2 * 60 && second >= first, "linear growth: " + java.util.Arrays.toString(lines));
    }

    /** Forty levels compile as Java (linear in the levels); twelve run and give the value and the gradient. */
    @Test
    void theTreeInJavaCompilesAndGivesTheGradient() throws Exception {
        String text = emit("tree.tx", doublingTree(40), "top", Compiler.Emit.JAVA);
        assertTrue(text.lines().count() < 80 * 40, "at most 80 lines a level: " + text.lines().count());
        InMemoryJavac.compile(Map.of("emittedtree.TopGrad", "package emittedtree;\n\n" + text)).loadClass("emittedtree.TopGrad");
        text = emit("tree.tx", doublingTree(12), "top", Compiler.Emit.JAVA);
        Class<?> k = InMemoryJavac.compile(Map.of("emittedtree12.TopGrad", "package emittedtree12;\n\n" + text)).loadClass("emittedtree12.TopGrad");
        double[] x = {0.7, -1.3};
        Method grad = k.getMethod("top_grad", double[].class);
        double[][] got = (double[][]) grad.invoke(null, (Object) x.clone());
        assertClose(treeGradient(12, x), got[0], "the emitted Java gradient of the 12-level tree");
        Method value = k.getMethod("top", double[].class);
        double want = 0, c = 1;
        for (int j = 0; j <= 12; j++) {
            for (double xi : x) want += c * Math.sin(Math.pow(0.5, j) * xi);
            c = c * (12 - j) / (j + 1);
        }
        assertClose(new double[] {want}, (double[]) value.invoke(null, (Object) x.clone()), "the emitted Java value");
    }

    @Test
    void theFortyLevelTreeAsAGraphIsValidAndLinear() {
        String text = emit("tree.tx", doublingTree(40), "top", Compiler.Emit.DOT);
        DotEmitTest.Graph g = DotEmitTest.Graph.parse(text);
        assertTrue(g.nodes.size() < 80 * 40, "at most 80 nodes a level: " + g.nodes.size());
        assertTrue(g.labels().stream().anyMatch(l -> l != null && l.startsWith("call top_grad_")), "calls are nodes: " + g.labels());
        assertTrue(g.clusterLabels.values().stream().filter(l -> l.startsWith("fn top_grad_")).count() >= 40, "a cluster per helper: " + g.clusterLabels.values());
    }

    /**
     * With a named dimension, the tree is written as functions too (it used to be inlined: 2^40
     * copies, E0503 after a minute): each helper declares {@code x: [n]}, and the Java methods take
     * n. Twelve levels run, in tx and in Java, at sizes no sample of the derivation used.
     */
    @Test
    void aTreeWithANamedDimensionIsWrittenAsFunctions() throws Exception {
        String text = emit("tree.tx", doublingTree(40, "n"), "top", Compiler.Emit.TX);
        assertTrue(text.lines().count() < 60 * 40, "at most 60 lines a level: " + text.lines().count());
        assertTrue(text.contains("fn top_grad_f39_bwd(x: [n], "), "a helper declares the named dimension:\n" + text);
        assertNotNull(Tx.compile("top_grad.tx", text).function("top_grad"));
        String twelve = emit("tree.tx", doublingTree(12, "n"), "top", Compiler.Emit.TX);
        String java = emit("tree.tx", doublingTree(12, "n"), "top", Compiler.Emit.JAVA);
        Class<?> k = InMemoryJavac.compile(Map.of("emittedtreen.TopGrad", "package emittedtreen;\n\n" + java)).loadClass("emittedtreen.TopGrad");
        for (double[] x : new double[][] {{0.7}, {0.7, -1.3, 2.9, 0.1, -0.4}}) {
            List<Tensor> got = Tx.compile("top_grad.tx", twelve).function("top_grad").call(Tensor.of(new int[] {x.length}, x.clone()));
            assertClose(treeGradient(12, x), got.get(0).data(), "the emitted gradient at n = " + x.length + ":\n" + twelve);
            double[][] inJava = (double[][]) k.getMethod("top_grad", double[].class).invoke(null, (Object) x.clone());
            assertClose(treeGradient(12, x), inJava[0], "the emitted Java gradient at n = " + x.length);
        }
        DotEmitTest.Graph g = DotEmitTest.Graph.parse(emit("tree.tx", doublingTree(12, "n"), "top", Compiler.Emit.DOT));
        assertTrue(g.clusterLabels.values().stream().filter(l -> l.startsWith("fn top_grad_")).count() >= 12, "a cluster per helper: " + g.clusterLabels.values());
    }

    /**
     * A helper whose body needs n (a mean, a reshape to [n, 1]) binds it from its parameter's
     * shape; a function called with a shape a signature cannot declare ([n - 1, 3]) is written
     * into its caller. The emitted gradient equals the one in process at sizes 2, 4 and 7.
     */
    @Test
    void helpersBindTheirSizesAndUndeclarableCallsAreInlined() throws Exception {
        StringBuilder src = new StringBuilder("fn g0(x: [n, 3]) -> [n, 3] {\n    return tanh(x) * mean(x) + reshape(sum(x * x, dim=1), [n, 1]) * 0.1\n}\n");
        for (int i = 1; i <= 4; i++) src.append("fn g" + i + "(x: [n, 3]) -> [n, 3] {\n    return g" + (i - 1) + "(g" + (i - 1) + "(x) * 0.5)\n}\n");
        src.append("fn top(x: [n, 3]) -> [] {\n    return sum(g4(x)) + sum(g4(x[1:]) ** 2)\n}\n");
        String text = emit("mid.tx", src.toString(), "top", Compiler.Emit.TX);
        Compiler.Emitted fwd = Compiler.grad("mid.tx", src.toString(), "top", List.of(), Compiler.Emit.TX, null, Compiler.Mode.FORWARD);
        assertNotNull(fwd.text(), () -> fwd.diagnostics().render());
        String java = emit("mid.tx", src.toString(), "top", Compiler.Emit.JAVA);
        Class<?> k = InMemoryJavac.compile(Map.of("emittedmid.TopGrad", "package emittedmid;\n\n" + java)).loadClass("emittedmid.TopGrad");
        assertTrue(text.matches("(?s).*fn top_grad_g\\d\\w*\\(x: \\[n, 3\\].*"), "helpers declare [n, 3]:\n" + text);
        assertTrue(text.matches("(?s).*\\n    n = x\\.shape\\[0\\]\\n.*fn top_grad\\(.*"), "a helper binds n:\n" + text);
        Tx.Module emitted = Tx.compile("top_grad.tx", text), original = Tx.compile("mid.tx", src.toString());
        for (int n : new int[] {2, 4, 7}) {
            double[] x = new double[3 * n];
            for (int i = 0; i < x.length; i++) x[i] = Math.sin(1.7 * i + 0.3);
            Tensor in = Tensor.of(new int[] {n, 3}, x);
            double[] want = original.grad("top").call(in).get(0).data();
            assertClose(want, emitted.function("top_grad").call(in).get(0).data(), "n = " + n + ":\n" + text);
            assertClose(want, ((double[][]) k.getMethod("top_grad", double[].class).invoke(null, (Object) x.clone()))[0], "Java, n = " + n);
            double[] v = new double[x.length];
            double along = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.cos(0.9 * i);
                along += want[i] * v[i];
            }
            List<Tensor> tangent = Tx.compile("top_jvp.tx", fwd.text()).function("top_jvp").call(in, Tensor.of(new int[] {n, 3}, v));
            assertClose(new double[] {along}, tangent.get(1).data(), "forward mode, n = " + n + ":\n" + fwd.text());
        }
    }

    private static final String CUSTOM = """
            fn softplus_naive(x: [3]) -> [3] { return log(1 + exp(x)) }
            fn softplus_bwd(x: [3], g: [3]) -> [3] { return g * sigmoid(x) }
            fn loss(x: [3]) -> [] { return sum(custom_vjp(softplus_naive, softplus_bwd)(x) * tensor([1.0, 2.0, 3.0])) }
            """;

    /** The naive softplus's own derivative is nan at 800; the rule's is 1: the emitted file must use the rule, and stand alone. */
    @Test
    void aCustomRuleIsWrittenIntoTheOutput() {
        String text = emit("custom.tx", CUSTOM, "loss", Compiler.Emit.TX);
        assertFalse(TRANSFORM_CALL.matcher(text).find(), text);
        assertTrue(text.contains("sigmoid("), "the rule's body is written out:\n" + text);
        Tensor x = Tensor.of(new int[] {3}, new double[] {-800.0, 0.5, 800.0});
        List<Tensor> got = Tx.compile("loss_grad.tx", text).function("loss_grad").call(x);
        List<Tensor> want = Tx.compile("custom.tx", CUSTOM).grad("loss").call(x);
        assertClose(want.get(0).data(), got.get(0).data(), "the emitted gradient with a custom rule:\n" + text);
        assertClose(new double[] {0.0, 2 / (1 + Math.exp(-0.5)), 3.0}, got.get(0).data(), "the rule's gradient");
    }

    @Test
    void aCustomRuleIsWrittenIntoTheJavaClass() throws Exception {
        String text = emit("custom.tx", CUSTOM, "loss", Compiler.Emit.JAVA);
        Class<?> k = InMemoryJavac.compile(Map.of("emittedcustom.LossGrad", "package emittedcustom;\n\n" + text)).loadClass("emittedcustom.LossGrad");
        double[][] got = (double[][]) k.getMethod("loss_grad", double[].class).invoke(null, (Object) new double[] {-800.0, 0.5, 800.0});
        assertClose(new double[] {0.0, 2 / (1 + Math.exp(-0.5)), 3.0}, got[0], "the rule's gradient in Java");
    }

    @Test
    void aCustomRuleIsAGraphToo() {
        DotEmitTest.Graph g = DotEmitTest.Graph.parse(emit("custom.tx", CUSTOM, "loss", Compiler.Emit.DOT));
        assertTrue(g.labels().stream().anyMatch(l -> l != null && l.startsWith("sigmoid")), "the rule's body is in the graph: " + g.labels());
    }
}
