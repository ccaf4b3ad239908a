package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * {@code custom_jvp(f, f_jvp)} (LANGUAGE.md §7) beyond the conformance case: `tx check` compares
 * the rule (through its transpose) with finite differences, `tx grad --mode forward` and `tx grad`
 * write the rule into their output, and the transposed rule is the adjoint of the rule by the
 * dot-product test {@code <J v, w> = <v, Jᵀ w>}.
 */
class CustomJvpTest {
    @TempDir
    Path dir;

    private static final Pattern TRANSFORM_CALL = Pattern.compile("\\b(grad|vjp|jvp|value_and_grad|backward|custom_jvp)\\s*\\(");

    /** softplus written naively: its own derivative is nan at 800 (inf / inf); the rule's is sigmoid, 1 there. */
    private static final String SOFTPLUS = """
            fn softplus_naive(x: [3]) -> [3] { return log(1 + exp(x)) }
            fn softplus_jvp(x: [3], t: [3]) -> ([3], [3]) { return softplus_naive(x), sigmoid(x) * t }
            fn loss(x: [3], w: [3]) -> [] { return sum(custom_jvp(softplus_naive, softplus_jvp)(x * w) * tensor([1.0, 2.0, 3.0])) }
            """;

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void txCheckComparesTheRuleWithFiniteDifferences() throws IOException {
        Path f = dir.resolve("rules.tx");
        Files.writeString(f, SOFTPLUS + """
                fn twice_jvp(x: [3], t: [3]) -> [3] { return 2 * sigmoid(x) * t }
                fn loss_wrong(x: [3]) -> [] { return sum(custom_jvp(softplus_naive, twice_jvp)(x)) }
                """, StandardCharsets.UTF_8);
        TxRunner.Outcome r = TxRunner.run("check", f.toString());
        assertEquals(3, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PASS  grad(loss) against finite differences"), r.out());
        assertTrue(r.out().contains("FAIL  grad(loss_wrong) against finite differences"), r.out());
    }

    @Test
    void forwardModeWritesTheRule() {
        Compiler.Emitted e = Compiler.grad("sp.tx", SOFTPLUS, "loss", List.of("x", "w"), Compiler.Emit.TX, null, Compiler.Mode.FORWARD);
        assertNotNull(e.text(), () -> e.diagnostics().render());
        String text = e.text();
        assertFalse(TRANSFORM_CALL.matcher(text.replace("loss_jvp(", "(")).find(), text);
        assertTrue(text.contains("sigmoid("), "the rule is written out:\n" + text);
        Tensor x = Tensor.of(new int[] {3}, new double[] {-800.0, 0.5, 800.0}), w = Tensor.of(new int[] {3}, new double[] {1.0, 2.0, 1.0});
        Tensor tx = Tensor.of(new int[] {3}, new double[] {1.0, -1.0, 2.0}), tw = Tensor.of(new int[] {3}, new double[] {0.5, 0.25, 0.0});
        List<Tensor> got = Tx.compile("loss_jvp.tx", text).function("loss_jvp").call(x, w, tx, tw);
        double want = 0;
        double[] xs = x.data(), ws = w.data(), txs = tx.data(), tws = tw.data(), c = {1, 2, 3};
        for (int i = 0; i < 3; i++) want += c[i] * sigmoid(xs[i] * ws[i]) * (txs[i] * ws[i] + xs[i] * tws[i]);
        assertEquals(want, got.get(1).item(), 1e-12, "the tangent by the rule:\n" + text);
    }

    @Test
    void reverseModeWritesTheTransposedRule() {
        Compiler.Emitted e = Compiler.grad("sp.tx", SOFTPLUS, "loss", List.of("x"), Compiler.Emit.TX, null, Compiler.Mode.REVERSE);
        assertNotNull(e.text(), () -> e.diagnostics().render());
        assertFalse(TRANSFORM_CALL.matcher(e.text().replace("loss_grad(", "(")).find(), e.text());
        Tensor x = Tensor.of(new int[] {3}, new double[] {-800.0, 0.5, 800.0}), w = Tensor.of(new int[] {3}, new double[] {1.0, 2.0, 1.0});
        List<Tensor> got = Tx.compile("loss_grad.tx", e.text()).function("loss_grad").call(x, w);
        double[] want = {0.0, 2 * 2 * sigmoid(1.0), 3.0};
        for (int i = 0; i < 3; i++) assertEquals(want[i], got.get(0).data()[i], 1e-12, "element " + i + " of:\n" + e.text());
    }

    /** A rule of two parameters with matmuls and a broadcast: its transpose is its adjoint, <J v, g> = <v, Jᵀ g>. */
    @Test
    void theTransposeIsTheAdjointOfTheRule() {
        String src = """
                fn f(x: [3], w: [2, 3], b: [2]) -> [2] { return tanh(w @ x + b) }
                fn f_jvp(x: [3], w: [2, 3], b: [2], tx: [3], tw: [2, 3], tb: [2]) -> [2] {
                    y = tanh(w @ x + b)
                    return (1 - y * y) * (w @ tx + tw @ x + tb) * 0.5 + exp(x[0]) * tb
                }
                fn g(x: [3], w: [2, 3], b: [2]) -> [2] { return custom_jvp(f, f_jvp)(x, w, b) }
                fn h(x: [3], w: [2, 3], b: [2], c: [2]) -> [] { return sum(g(x, w, b) * c) }
                """;
        Tx.Module m = Tx.compile("t.tx", src);
        Random r = new Random(17);
        Tensor[] args = {rand(r, 3), rand(r, 2, 3), rand(r, 2)};
        Tensor[] v = {rand(r, 3), rand(r, 2, 3), rand(r, 2)};
        Tensor g = rand(r, 2);
        List<Tensor> jv = m.jvp("g", "x", "w", "b").call(args[0], args[1], args[2], v[0], v[1], v[2]);
        List<Tensor> jtg = m.grad("h", "x", "w", "b").call(args[0], args[1], args[2], g); // Jᵀ g, by reverse mode
        double left = dot(jv.get(1), g), right = 0;
        for (int k = 0; k < 3; k++) right += dot(v[k], jtg.get(k));
        assertTrue(Math.abs(left) > 1e-3, "a test that could fail: " + left);
        assertEquals(left, right, 1e-12 * Math.max(1, Math.abs(left)));
    }

    /** W0307 for a rule that is not linear in its tangents, at the operation that breaks it; none for linear ones, however written. */
    @Test
    void aRuleThatIsNotLinearInItsTangentsIsWarnedAbout() {
        String[] linear = {
            "cos(x) * t",
            "where(x > 0, t, 0.0) * cos(x) + t * 0",
            "(t.flip(0) * 2 - t).reshape(3) / exp(x)",
            "zeros(3)",
            "tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]]) @ t + cumsum(t, dim=0)[0]",
            "-sum(t * x) * x + t[1]",
        };
        String[] nonlinear = {"cos(x) * t * t", "cos(x) * t + x", "exp(t)", "where(t > 0, t, 0.0)", "t / x / t", "cos(x)", "maximum(t, 0)"};
        for (String rule : linear) assertEquals(List.of(), w0307(rule), rule);
        for (String rule : nonlinear) assertEquals(1, w0307(rule).size(), rule);
        assertTrue(w0307("cos(x) * t + x").get(0).contains("`add` here"), w0307("cos(x) * t + x").toString());
    }

    private static List<String> w0307(String rule) {
        String src = "fn f(x: [3]) -> [3] { return sin(x) }\nfn f_jvp(x: [3], t: [3]) -> [3] { return " + rule + " }\n"
                + "x = tensor([0.1, 0.2, 0.3], requires_grad=true)\nsum(custom_jvp(f, f_jvp)(x)).backward()\nprint(x.grad)\n";
        Compiler.Result r = Compiler.compile("rule.tx", src);
        assertNotNull(r.program(), () -> r.diagnostics().render());
        return r.diagnostics().all().stream().filter(d -> d.code().equals("W0307")).map(d -> r.diagnostics().render(d)).toList();
    }

    private static Tensor rand(Random r, int... shape) {
        double[] d = new double[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble() * 2 - 1;
        return Tensor.of(shape, d);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.data().length; i++) s += a.data()[i] * b.data()[i];
        return s;
    }
}
