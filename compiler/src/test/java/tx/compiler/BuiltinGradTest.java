package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.runtime.exec.Interpreter;
import tx.runtime.ir.Program;
import tx.runtime.tensor.Tensor;

/**
 * The gradient check of every differentiable built-in of LANGUAGE.md §5, end to end: parse, check,
 * lower, reverse-mode AD, interpreter. Each case is an expression over named inputs with seeded random
 * data. The test writes the script
 * <pre>
 *   x = tensor([...], requires_grad=true)      # one line per input; constants without requires_grad
 *   w = tensor([...])                          # random weights, so that the loss is not symmetric
 *   s = sum((EXPR) * w)
 *   s.backward()
 * </pre>
 * runs it, and compares each input's {@code .grad} with central finite differences of {@code s}. The
 * differences come from a second script that, for every element of every input that requires grad,
 * redeclares the inputs at {@code x ± h e_j}, recomputes {@code s} without backward and prints
 * {@code s.item()} (Python's repr, which round-trips exactly); literals are written with
 * {@link Double#toString}, which round-trips too. So each case costs two compilations, and the expected
 * values never come from the code under test.
 *
 * <p>Step and tolerance: as in {@code PrimGradTest}, {@code h = cbrt(eps)·max(1, |x_j|) ≈ 6e-6·max(1, |x_j|)}
 * balances truncation ({@code h²|s'''|/6}) against rounding ({@code ~n·eps·Σ|w f|/h} for the n-term loss);
 * with at most 12 elements an input and values of order 1 both are below ~1e-9, so the check
 * {@code |grad - fd| <= 1e-6·|fd| + 1e-8} has wide headroom. A nan or inf gradient always fails.
 * Inputs are drawn away from kinks (relu and abs at 0, ties of max/min/maximum/minimum, clamp's bounds,
 * where's switch points), where a finite difference would straddle two pieces.
 */
class BuiltinGradTest extends GradDomains {
    static final double H = Math.cbrt(Math.ulp(1.0));
    static final double RTOL = 1e-6, ATOL = 1e-8;

    // ---- the table ---------------------------------------------------------------------------------

    /** A named input of the expression; constants (grad = false) are written without requires_grad. */
    record Input(String name, int[] shape, Domain domain, boolean grad) {}

    record Case(String expr, int[] out, List<Input> inputs) {
        @Override public String toString() {
            StringBuilder sb = new StringBuilder(expr).append("  with ");
            for (int i = 0; i < inputs.size(); i++) {
                Input in = inputs.get(i);
                sb.append(i == 0 ? "" : ", ").append(in.name()).append(Arrays.toString(in.shape()));
            }
            return sb.toString();
        }
    }

    static int[] s(int... dims) {
        return dims;
    }

    static Input x(int[] shape, Domain d) {
        return new Input("x", shape, d, true);
    }

    static Input y(int[] shape, Domain d) {
        return new Input("y", shape, d, true);
    }

    static Input in(String name, int[] shape, Domain d) {
        return new Input(name, shape, d, true);
    }

    static Input constant(String name, int[] shape, Domain d) {
        return new Input(name, shape, d, false);
    }

    /** Operand shapes for the binary operators: equal, trailing, both stretched, scalar, and leading. */
    static final int[][][] BROADCAST_PAIRS = {{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{}, {4}}, {{3}, {2, 3}}};

    static final List<Case> CASES = cases();

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        int[] m = s(2, 3);
        elementwise(c, m);
        operators(c);
        reductions(c);
        linearAlgebra(c);
        shapes(c);
        arranging(c);
        matrices(c);
        indexing(c);
        neural(c);
        activations(c);
        inverseTrigAndRounding(c);
        losses(c);
        // compositions, inputs used twice (adjoints accumulate), and three inputs
        c.add(new Case("sin(x) * x", m, List.of(x(m, ANY))));
        c.add(new Case("x * x + exp(-x)", m, List.of(x(m, ANY))));
        c.add(new Case("tanh(x @ y + b)", s(2, 2), List.of(x(m, ANY), y(s(3, 2), ANY), in("b", s(2), ANY))));
        c.add(new Case("mean((sigmoid(x @ y) - t) ** 2)", s(), List.of(x(s(4, 3), ANY), y(s(3), ANY), constant("t", s(4), uniform(0, 1)))));
        c.add(new Case("log_softmax(x @ y, dim=1)[:, 0] * norm(y, dim=0)", s(2), List.of(x(m, ANY), y(s(3, 2), ANY))));
        return c;
    }

    static void elementwise(List<Case> c, int[] m) {
        String[][] unary = {
            {"neg(x)", "any"}, {"-x", "any"}, {"exp(x)", "any"}, {"log(x)", "pos"}, {"sqrt(x)", "pos"}, {"sin(x)", "any"},
            {"cos(x)", "any"}, {"tanh(x)", "any"}, {"sigmoid(x)", "wide"}, {"log1p(x)", "log1p"}, {"expm1(x)", "any"},
            {"softplus(x)", "wide"}, {"softplus(x)", "threshold"}, {"tan(x)", "tan"}, {"relu(x)", "kinked"}, {"abs(x)", "kinked"},
            {"x.exp()", "any"}, {"x.sigmoid()", "wide"}, {"x.abs().sqrt()", "kinked"},
        };
        for (String[] u : unary) {
            Domain d = switch (u[1]) {
                case "pos" -> POS;
                case "wide" -> uniform(-5, 5);
                case "log1p" -> uniform(-0.5, 2);
                case "threshold" -> avoiding(15, 25, 0.5, 20); // softplus switches to x above 20, as PyTorch
                case "tan" -> uniform(-1.2, 1.2);
                case "kinked" -> signed(0.1, 2);
                default -> ANY;
            };
            c.add(new Case(u[0], m, List.of(x(m, d))));
            if (u[1].equals("any")) c.add(new Case(u[0], s(), List.of(x(s(), d)))); // scalars too
        }
        // beta scales x inside and divides outside; the threshold compares beta x, so 2.5 here, away from it
        c.add(new Case("softplus(x, beta=2, threshold=5)", m, List.of(x(m, avoiding(-4, 5, 0.3, 2.5)))));
        c.add(new Case("softplus(x, 0.5)", m, List.of(x(m, uniform(-6, 6)))));
        Domain off = avoiding(-2, 2, 0.1, -0.5, 0.5);
        c.add(new Case("clamp(x, min=-0.5)", m, List.of(x(m, off))));
        c.add(new Case("clamp(x, max=0.5)", m, List.of(x(m, off))));
        c.add(new Case("clamp(x, min=-0.5, max=0.5)", m, List.of(x(m, off))));
        c.add(new Case("x.clamp(min=-0.5, max=0.5)", s(4), List.of(x(s(4), off))));
        c.add(new Case("clamp(x, min=y)", m, List.of(x(m, band(0)), y(s(3), band(1)))));
        c.add(new Case("clamp(x, min=y, max=z)", m, List.of(x(m, avoiding(-3, 3, 0.2, -2, 2)), y(s(3), uniform(-2.1, -1.9)), in("z", s(2, 1), uniform(1.9, 2.1)))));
        c.add(new Case("maximum(x, y)", m, List.of(x(m, band(0)), y(m, band(1)))));
        c.add(new Case("maximum(x, y)", m, List.of(x(m, band(0)), y(s(3), band(1)))));
        c.add(new Case("minimum(x, y)", m, List.of(x(s(2, 1), band(0)), y(s(1, 3), band(1)))));
        c.add(new Case("minimum(x, y)", s(4), List.of(x(s(), band(0)), y(s(4), band(1)))));
        c.add(new Case("maximum(x, 0.5)", m, List.of(x(m, avoiding(-2, 2, 0.1, 0.5)))));
        c.add(new Case("where(k > 0, x, y)", m, List.of(constant("k", m, choice(0, 1)), x(m, ANY), y(s(3), ANY))));
        c.add(new Case("where(k > 0, x, y)", m, List.of(constant("k", s(2, 1), choice(0, 1)), x(s(1, 3), ANY), y(s(), ANY))));
        c.add(new Case("where(x > y, x * y, y - x)", m, List.of(x(m, band(0)), y(s(3), band(1)))));
        // LANGUAGE §5: the untaken branch never poisons a gradient (sqrt'(x) is nan for x < 0)
        c.add(new Case("where(x > 0, sqrt(x), 0)", m, List.of(x(m, signed(0.2, 2)))));
        c.add(new Case("where(x > 0, log(x) * y, y)", m, List.of(x(m, signed(0.2, 2)), y(m, ANY))));
        c.add(new Case("where(x < 0, 0, x ** 0.5)", s(4), List.of(x(s(4), choice(-1, -2.5, 0.5, 1.7)))));
    }

    static void operators(List<Case> c) {
        for (int[][] p : BROADCAST_PAIRS) {
            int[] out = tx.runtime.tensor.Shapes.broadcast(p[0], p[1]);
            c.add(new Case("x + y", out, List.of(x(p[0], ANY), y(p[1], ANY))));
            c.add(new Case("x - y", out, List.of(x(p[0], ANY), y(p[1], ANY))));
            c.add(new Case("x * y", out, List.of(x(p[0], ANY), y(p[1], ANY))));
            c.add(new Case("x / y", out, List.of(x(p[0], ANY), y(p[1], signed(0.5, 2)))));
            c.add(new Case("x ** y", out, List.of(x(p[0], uniform(0.5, 2)), y(p[1], ANY))));
        }
        int[] m = s(2, 3);
        c.add(new Case("x * 2", m, List.of(x(m, ANY))));
        c.add(new Case("3 - x", m, List.of(x(m, ANY))));
        c.add(new Case("1 / x", m, List.of(x(m, signed(0.5, 2)))));
        c.add(new Case("x / 4 + 1", m, List.of(x(m, ANY))));
        c.add(new Case("x ** 2", m, List.of(x(m, ANY))));
        c.add(new Case("x ** 3", m, List.of(x(m, ANY))));
        c.add(new Case("x ** 0.5", m, List.of(x(m, POS))));
        c.add(new Case("x ** (-1.5)", m, List.of(x(m, POS))));
        c.add(new Case("2 ** x", m, List.of(x(m, ANY))));
        c.add(new Case("-x ** 2", m, List.of(x(m, ANY))));
        c.add(new Case("x ** y ** 2", m, List.of(x(m, uniform(0.5, 1.5)), y(s(3), uniform(-1, 1)))));
        c.add(new Case("(x - y) * (x + y) / y", m, List.of(x(m, ANY), y(s(3), signed(0.5, 2)))));
        c.add(new Case("pow(x, y)", m, List.of(x(m, uniform(0.5, 2)), y(s(3), ANY))));
        c.add(new Case("x.pow(y)", s(4), List.of(x(s(), uniform(0.5, 2)), y(s(4), ANY))));
        c.add(new Case("pow(x, 3) + pow(x, exponent=-1.5)", m, List.of(x(m, POS))));
        c.add(new Case("pow(2, x) + pow(x, 2)", m, List.of(x(m, ANY))));
    }

    static void reductions(List<Case> c) {
        String[] names = {"sum", "mean", "prod", "max", "min", "logsumexp", "norm"};
        for (String f : names) {
            Domain d = switch (f) {
                case "prod" -> signed(0.5, 1.5);
                case "max", "min" -> distinct();
                default -> ANY;
            };
            int[] m = s(2, 3);
            c.add(new Case(f + "(x)", s(), List.of(x(m, d))));
            c.add(new Case(f + "(x)", s(), List.of(x(s(5), d))));
            c.add(new Case(f + "(x, dim=0)", s(3), List.of(x(m, d))));
            c.add(new Case(f + "(x, dim=1, keepdim=true)", s(2, 1), List.of(x(m, d))));
            c.add(new Case(f + "(x, dim=-1)", s(2), List.of(x(m, d))));
            c.add(new Case(f + "(x, dim=[0, 1])", s(), List.of(x(m, d))));
            c.add(new Case("x." + f + "(dim=0, keepdim=true)", s(1, 3), List.of(x(m, d))));
            c.add(new Case(f + "(x, dim=[0, 2])", s(3), List.of(x(s(2, 3, 2), d))));
            // a positional dim, as torch.sum(x, 1); not for max/min/norm, whose second positional argument
            // means something else in PyTorch (max(x, 1) returns indices too, norm(x, 1) is the 1-norm)
            if (!f.equals("max") && !f.equals("min") && !f.equals("norm")) c.add(new Case(f + "(x, 1)", s(2, 2), List.of(x(s(2, 3, 2), d))));
        }
    }

    static void linearAlgebra(List<Case> c) {
        int[][][] mm = {
            {{3}, {3}, {}}, {{2, 3}, {3}, {2}}, {{3}, {3, 2}, {2}}, {{2, 3}, {3, 2}, {2, 2}}, {{2, 2, 3}, {3, 2}, {2, 2, 2}},
            {{2, 2, 3}, {2, 3, 2}, {2, 2, 2}}, {{1, 2, 3}, {2, 3, 2}, {2, 2, 2}}, {{2, 3}, {2, 3, 2}, {2, 2, 2}},
            {{3}, {2, 3, 2}, {2, 2}}, {{2, 2, 3}, {3}, {2, 2}},
        };
        for (int[][] p : mm) c.add(new Case("x @ y", p[2], List.of(x(p[0], ANY), y(p[1], ANY))));
        c.add(new Case("matmul(x, y)", s(2, 2), List.of(x(s(2, 3), ANY), y(s(3, 2), ANY))));
        c.add(new Case("x.matmul(y)", s(2), List.of(x(s(2, 3), ANY), y(s(3), ANY))));
        c.add(new Case("dot(x, y)", s(), List.of(x(s(4), ANY), y(s(4), ANY))));
        c.add(new Case("outer(x, y)", s(3, 2), List.of(x(s(3), ANY), y(s(2), ANY))));
        c.add(new Case("x @ x", s(), List.of(x(s(4), ANY))));
        c.add(new Case("x @ x.T", s(2, 2), List.of(x(s(2, 3), ANY))));
        c.add(new Case("transpose(x, 0, 1)", s(3, 2), List.of(x(s(2, 3), ANY))));
        c.add(new Case("transpose(x, -1, 0)", s(3, 2), List.of(x(s(2, 3), ANY))));
        c.add(new Case("transpose(x, 0, 2)", s(2, 3, 2), List.of(x(s(2, 3, 2), ANY))));
        c.add(new Case("x.T", s(3, 2), List.of(x(s(2, 3), ANY))));
        c.add(new Case("x.T", s(4, 3, 2), List.of(x(s(2, 3, 4), ANY)))); // every axis reversed, as PyTorch
        c.add(new Case("x.mT", s(2, 2, 3), List.of(x(s(2, 3, 2), ANY))));
    }

    static void shapes(List<Case> c) {
        int[] m = s(2, 3);
        c.add(new Case("reshape(x, 3, 2)", s(3, 2), List.of(x(m, ANY))));
        c.add(new Case("reshape(x, [6])", s(6), List.of(x(m, ANY))));
        c.add(new Case("x.reshape(-1, 2)", s(3, 2), List.of(x(m, ANY))));
        c.add(new Case("reshape(x, 1, 2, 1, 3)", s(1, 2, 1, 3), List.of(x(m, ANY))));
        c.add(new Case("flatten(x)", s(6), List.of(x(m, ANY))));
        c.add(new Case("flatten(x, start_dim=1)", s(2, 6), List.of(x(s(2, 3, 2), ANY))));
        c.add(new Case("squeeze(x)", s(2, 3), List.of(x(s(2, 1, 3), ANY))));
        c.add(new Case("squeeze(x, dim=1)", s(1, 3), List.of(x(s(1, 1, 3), ANY))));
        c.add(new Case("unsqueeze(x, 0)", s(1, 2, 3), List.of(x(m, ANY))));
        c.add(new Case("x.unsqueeze(-1)", s(2, 3, 1), List.of(x(m, ANY))));
        c.add(new Case("expand(x, 2, 3)", m, List.of(x(s(3), ANY))));
        c.add(new Case("expand(x, -1, 4)", s(2, 4), List.of(x(s(2, 1), ANY))));
        c.add(new Case("x.expand(2, 2, 3)", s(2, 2, 3), List.of(x(s(1, 3), ANY))));
        c.add(new Case("broadcast_to(x, [2, 3])", m, List.of(x(s(3), ANY))));
        c.add(new Case("broadcast_to(x, [3, 2])", s(3, 2), List.of(x(s(), ANY))));
        c.add(new Case("cat([x, y])", s(3, 3), List.of(x(m, ANY), y(s(1, 3), ANY))));
        c.add(new Case("cat([x, y], dim=1)", s(2, 4), List.of(x(m, ANY), y(s(2, 1), ANY))));
        c.add(new Case("cat([x, y, x], dim=-1)", s(7), List.of(x(s(3), ANY), y(s(1), ANY))));
        c.add(new Case("stack([x, y])", s(2, 2, 3), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("stack([x, y], dim=1)", s(2, 2, 3), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("stack([x, y * x], dim=-1)", s(2, 3, 2), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("stack([x, y])", s(2), List.of(x(s(), ANY), y(s(), ANY))));
    }

    /** The (v2) built-ins that rearrange elements (split, chunk and unbind give several values: conformance/cases/arrange.tx). */
    static void arranging(List<Case> c) {
        int[] m = s(2, 3), t = s(2, 3, 2);
        c.add(new Case("permute(x, [2, 0, 1])", s(2, 2, 3), List.of(x(t, ANY))));
        c.add(new Case("x.permute(1, 0)", s(3, 2), List.of(x(m, ANY))));
        c.add(new Case("movedim(x, 0, 2)", s(3, 2, 2), List.of(x(t, ANY))));
        c.add(new Case("movedim(x, [0, 2], [1, 0])", s(2, 2, 3), List.of(x(t, ANY))));
        c.add(new Case("swapaxes(x, 0, 2)", s(2, 3, 2), List.of(x(t, ANY))));
        c.add(new Case("flip(x, [0])", m, List.of(x(m, ANY))));
        c.add(new Case("flip(x, [2, 0]) * x", t, List.of(x(t, ANY))));
        c.add(new Case("roll(x, 1, 1)", m, List.of(x(m, ANY))));
        c.add(new Case("roll(x, [-1, 4], [0, 1]) * x", m, List.of(x(m, ANY))));
        c.add(new Case("roll(x, 2)", m, List.of(x(m, ANY))));
        c.add(new Case("x.repeat(2, 1, 2)", s(2, 2, 6), List.of(x(m, ANY))));
        c.add(new Case("tile(x, [2])", s(2, 6), List.of(x(m, ANY))));
        c.add(new Case("narrow(x, 1, 1, 2)", s(2, 2), List.of(x(m, ANY))));
        c.add(new Case("pad(x, [1, 2])", s(2, 6), List.of(x(m, ANY))));
        c.add(new Case("pad(x, [-1, 1, 1, 0], value=2.5) * pad(x, [0, 0, 0, 1])", s(3, 3), List.of(x(m, ANY))));
        c.add(new Case("pad(x, [2, 1], mode=\"reflect\") + pad(x, [1, 2], mode=\"replicate\") + pad(x, [3, 0], mode=\"circular\")", s(1, 2, 9),
                List.of(x(s(1, 2, 6), ANY))));
        c.add(new Case("pad(x, [1, 2, 2, 1], mode=\"reflect\") * pad(x, [-1, 4, 1, 2], mode=\"replicate\") - pad(x, [2, 1, 3, 0], mode=\"circular\")",
                s(1, 2, 6, 7), List.of(x(s(1, 2, 3, 4), ANY))));
        c.add(new Case("pad(x, [1, 0, 0, 1, 1, 1], mode=\"reflect\") + pad(x, [1, 0, 0, 1, 1, 1], mode=\"circular\")", s(1, 1, 4, 3, 3),
                List.of(x(s(1, 1, 2, 2, 2), ANY))));
        c.add(new Case("masked_fill(x, k > 0, 0.5)", m, List.of(x(m, ANY), constant("k", s(3), choice(0, 1)))));
        c.add(new Case("masked_fill(x, x > 0, y)", m, List.of(x(m, signed(0.1, 2)), y(s(), ANY))));
        c.add(new Case("clone(x) * x", m, List.of(x(m, ANY))));
    }

    /** The (v2) matrix and running built-ins. */
    static void matrices(List<Case> c) {
        int[] m = s(3, 4);
        c.add(new Case("tril(x)", m, List.of(x(m, ANY))));
        c.add(new Case("triu(x, 1)", m, List.of(x(m, ANY))));
        c.add(new Case("tril(x, diagonal=-1)", s(2, 3, 3), List.of(x(s(2, 3, 3), ANY))));
        c.add(new Case("diag(x)", s(3, 3), List.of(x(s(3), ANY))));
        c.add(new Case("diag(x, -1)", s(4, 4), List.of(x(s(3), ANY))));
        c.add(new Case("diag(x, 1)", s(3), List.of(x(m, ANY))));
        c.add(new Case("diagonal(x, 0, 2, 0)", s(3, 2), List.of(x(s(2, 3, 3), ANY))));
        c.add(new Case("diagonal(x, offset=-1)", s(2), List.of(x(m, ANY))));
        c.add(new Case("trace(x)", s(), List.of(x(m, ANY))));
        c.add(new Case("mm(x, y)", s(3, 2), List.of(x(m, ANY), y(s(4, 2), ANY))));
        c.add(new Case("bmm(x, y)", s(2, 3, 2), List.of(x(s(2, 3, 4), ANY), y(s(2, 4, 2), ANY))));
        c.add(new Case("mv(x, y)", s(3), List.of(x(m, ANY), y(s(4), ANY))));
        c.add(new Case("kron(x, y)", s(4, 6), List.of(x(s(2, 3), ANY), y(s(2, 2), ANY))));
        c.add(new Case("kron(x, y)", s(2, 6), List.of(x(s(3), ANY), y(s(2, 2), ANY))));
        c.add(new Case("cross(x, y)", s(3, 2), List.of(x(s(3, 2), ANY), y(s(3, 2), ANY))));
        c.add(new Case("cross(x, y, dim=1)", s(2, 3), List.of(x(s(2, 3), ANY), y(s(2, 3), ANY))));
        c.add(new Case("cumsum(x, dim=1)", m, List.of(x(m, ANY))));
        c.add(new Case("cumsum(x, 0) * x", m, List.of(x(m, ANY))));
        c.add(new Case("cumprod(x, dim=1)", m, List.of(x(m, signed(0.5, 1.5)))));
        c.add(new Case("cumprod(x, dim=0)", s(4, 2), List.of(x(s(4, 2), choice(0, 0.5, -1.5, 2)))));
        c.add(new Case("cumprod(x, -1)", s(), List.of(x(s(), ANY))));
        // the factorisations, on matrices kept far from singular (x + 5 I); cholesky of the SPD x xᵀ + I, which is symmetric in x
        c.add(new Case("det(x)", s(), List.of(x(s(3, 3), ANY))));
        c.add(new Case("det(x + 5 * eye(3))", s(2), List.of(x(s(2, 3, 3), ANY))));
        c.add(new Case("inverse(x + 5 * eye(3))", s(3, 3), List.of(x(s(3, 3), ANY))));
        c.add(new Case("inverse(x + 5 * eye(2))", s(3, 2, 2), List.of(x(s(3, 2, 2), ANY))));
        c.add(new Case("solve(x + 5 * eye(3), y)", s(3), List.of(x(s(3, 3), ANY), y(s(3), ANY))));
        c.add(new Case("solve(x + 5 * eye(3), y)", s(2, 3, 2), List.of(x(s(3, 3), ANY), y(s(2, 3, 2), ANY))));
        c.add(new Case("solve(x + 5 * eye(2), y)", s(2, 2, 3), List.of(x(s(2, 2, 2), ANY), y(s(2, 3), ANY))));
        c.add(new Case("cholesky(x @ x.T + eye(3))", s(3, 3), List.of(x(s(3, 3), ANY))));
        c.add(new Case("cholesky(x @ x.mT + eye(2), upper=true)", s(2, 2, 2), List.of(x(s(2, 2, 2), ANY))));
        c.add(new Case("sum(log(diagonal(cholesky(x @ x.T + eye(3)))))", s(), List.of(x(s(3, 3), ANY))));
        // torch.linalg's spellings, solve's left=False, and slogdet (its logabsdet; the sign passes zeros), det < 0 too
        c.add(new Case("torch.linalg.inv(x + 5 * eye(3)) + torch.linalg.det(x + 5 * eye(3))", s(3, 3), List.of(x(s(3, 3), ANY))));
        c.add(new Case("torch.linalg.cholesky(x @ x.T + eye(3), upper=true)", s(3, 3), List.of(x(s(3, 3), ANY))));
        c.add(new Case("torch.linalg.solve(x + 5 * eye(3), y, left=false)", s(2, 2, 3), List.of(x(s(3, 3), ANY), y(s(2, 2, 3), ANY))));
        c.add(new Case("torch.linalg.qr(x + 4 * eye(4)[:, :3]).Q * y + torch.linalg.qr(x + 4 * eye(4)[:, :3])[1][:1]", s(4, 3),
                List.of(x(s(4, 3), ANY), y(s(4, 3), ANY))));
        c.add(new Case("qr(x + 3 * eye(2))[1]", s(3, 2, 2), List.of(x(s(3, 2, 2), ANY))));
        c.add(new Case("torch.linalg.qr(x + 4 * eye(4)[:3]).R + torch.linalg.qr(x + 4 * eye(4)[:3])[0][:, :1]", s(3, 4), List.of(x(s(3, 4), ANY))));
        String sym = "(0.1 * (x + x.T) + torch.diag(tensor([1.0, 4.0, 7.0])))", tall = "(0.1 * x + cat([torch.diag(tensor([1.0, 4.0, 7.0])), ones(1, 3)]))";
        c.add(new Case("torch.linalg.eigh(" + sym + ")[1] * y + torch.linalg.eigvalsh(" + sym + ", UPLO=\"U\")", s(3, 3), List.of(x(s(3, 3), ANY), y(s(3, 3), ANY))));
        c.add(new Case("torch.linalg.svd(" + tall + ", full_matrices=false).U * y + torch.linalg.svd(" + tall + ", full_matrices=false)[2][:1]", s(4, 3),
                List.of(x(s(4, 3), ANY), y(s(4, 3), ANY))));
        c.add(new Case("torch.linalg.svd(" + tall + ".T, full_matrices=false).Vh * y + torch.linalg.svdvals(x.T + 4).unsqueeze(1)", s(3, 4), List.of(x(s(4, 3), ANY), y(s(3, 4), ANY))));
        c.add(new Case("torch.linalg.pinv(" + tall + ") * y + torch.linalg.pinv(x.T @ x + eye(3))[:, :1]", s(3, 4), List.of(x(s(4, 3), ANY), y(s(3, 4), ANY))));
        c.add(new Case("torch.linalg.matrix_norm(x, ord=\"nuc\") + torch.linalg.matrix_norm(x) + torch.linalg.matrix_norm(x, ord=-2) * torch.linalg.matrix_norm(x, ord=-inf)",
                s(2), List.of(x(s(2, 3, 4), ANY))));
        // torch.linalg.lu (partial pivoting: pivots kept clear of ties), square with a row swap at each step, tall and wide
        String piv = "(0.1 * x + tensor([[1.0, 2.0, 0.5], [3.0, 4.0, -1.0], [-5.0, 1.0, 2.0]]))";
        c.add(new Case("torch.linalg.lu(" + piv + ").L * y + torch.linalg.lu(" + piv + ")[2]", s(3, 3), List.of(x(s(3, 3), ANY), y(s(3, 3), ANY))));
        c.add(new Case("torch.linalg.lu(0.02 * x + tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).L + torch.linalg.lu(0.02 * x.T + tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).U.T",
                s(3, 2), List.of(x(s(3, 2), ANY))));
        // vector norms of any ord (away from 0, where |x|^p has a kink): fractional, negative, above 2, -inf, and torch.norm's p
        c.add(new Case("torch.linalg.vector_norm(x, 0.5, dim=1) + torch.linalg.vector_norm(x, ord=-1.5, dim=1) + torch.linalg.norm(x, 3, dim=1) * norm(x, p=1.5, dim=1)",
                s(2), List.of(x(s(2, 4), signed(0.2, 2)))));
        c.add(new Case("torch.linalg.vector_norm(x, -inf, dim=0, keepdim=true) + torch.linalg.vector_norm(x, -0.5) + normalize(x, p=2.5)", s(3, 4), List.of(x(s(3, 4), signed(0.2, 2)))));
        c.add(new Case("torch.linalg.slogdet(x + 5 * eye(3)).logabsdet + slogdet(x - 5 * eye(3))[1] * slogdet(x - 5 * eye(3))[0]", s(2),
                List.of(x(s(2, 3, 3), ANY))));
        c.add(new Case("conv2d(x, y, b, stride=[1, 2], padding=1, dilation=[2, 1])", s(2, 3, 5, 3),
                List.of(x(s(2, 2, 5, 4), ANY), y(s(3, 2, 2, 2), ANY), in("b", s(3), ANY))));
        c.add(new Case("conv_transpose2d(x, y, tensor([0.5, -1.0, 2.0, 0.25]), stride=2, padding=1, output_padding=1, groups=2, dilation=[1, 2])", s(1, 4, 5, 6),
                List.of(x(s(1, 4, 3, 3), ANY), y(s(4, 2, 2, 2), ANY))));
        c.add(new Case("conv_transpose1d(x, y, stride=3, padding=1, output_padding=2)", s(2, 3, 11), List.of(x(s(2, 2, 4), ANY), y(s(2, 3, 2), ANY))));
        c.add(new Case("conv2d(x, y, groups=2, padding=\"same\")", s(1, 4, 4, 4), List.of(x(s(1, 4, 4, 4), ANY), y(s(4, 2, 2, 3), ANY))));
        c.add(new Case("conv2d(x, y)", s(2, 3, 3), List.of(x(s(2, 4, 4), ANY), y(s(2, 2, 2, 2), ANY)))); // unbatched
        c.add(new Case("conv1d(x, y, b, 2, 1, 2)", s(2, 3, 3), List.of(x(s(2, 2, 7), ANY), y(s(3, 2, 3), ANY), in("b", s(3), ANY))));
        c.add(new Case("max_pool2d(x, 2)", s(2, 2, 2, 2), List.of(x(s(2, 2, 5, 4), distinct()))));
        c.add(new Case("max_pool2d(x, [2, 3], stride=1, padding=1, ceil_mode=true)", s(1, 2, 5, 5), List.of(x(s(1, 2, 4, 5), distinct()))));
        c.add(new Case("max_pool1d(x, 3, 2, 1, 2)", s(2, 2, 3), List.of(x(s(2, 2, 7), distinct()))));
        // triangular solves (Giles's adjoints on the triangle), batches broadcasting
        c.add(new Case("torch.linalg.solve_triangular(x + 3 * eye(3), y, upper=true)", s(2, 3, 2), List.of(x(s(2, 3, 3), ANY), y(s(3, 2), ANY))));
        c.add(new Case("torch.linalg.solve_triangular(x + 3 * eye(3), y, upper=false, left=false, unitriangular=true)", s(2, 3), List.of(x(s(3, 3), ANY), y(s(2, 3), ANY))));
        c.add(new Case("torch.triangular_solve(y, x + 3 * eye(3), transpose=true).solution + torch.triangular_solve(y, x, upper=false)[1].sum()", s(3, 2),
                List.of(x(s(3, 3), ANY), y(s(3, 2), ANY))));
        // return_indices: the values, and the indices gathering from the flattened planes (the same picks)
        c.add(new Case("max_pool2d(x, [2, 3], stride=1, padding=1, return_indices=true)[0]", s(1, 2, 4, 4), List.of(x(s(1, 2, 3, 4), distinct()))));
        c.add(new Case("gather(flatten(x, 1), 1, flatten(max_pool1d_with_indices(x, 2, dilation=2)[1], 1))", s(2, 2), List.of(x(s(2, 5), distinct()))));
        // max_unpool at max_pool's indices (no repeats, where PyTorch's rule is the derivative), and scatter
        c.add(new Case("max_unpool2d(x, max_pool2d(k, 2, return_indices=true)[1], 2, output_size=[5, 5])", s(1, 2, 5, 5), List.of(x(s(1, 2, 2, 2), ANY), constant("k", s(1, 2, 4, 5), distinct()))));
        c.add(new Case("max_unpool1d(x, max_pool1d(k, 2, padding=1, return_indices=true)[1], 2, padding=1, output_size=[7])", s(2, 2, 7), List.of(x(s(2, 2, 4), ANY), constant("k", s(2, 2, 7), distinct()))));
        c.add(new Case("leaky_relu(x, k.sum().item()) + elu(x, alpha=k.sum().item()) * full_like(x, k.sum().item())", s(2, 3), List.of(x(s(2, 3), ANY), constant("k", s(2), uniform(0.1, 0.6)))));
        c.add(new Case("F.pad(hardtanh(x, -k.sum().item(), 1.0), [1, 1], value=k.sum().item())", s(2, 5), List.of(x(s(2, 3), ANY), constant("k", s(2), uniform(0.1, 0.6)))));
        c.add(new Case("scatter(x, 1, argsort(k, dim=1)[:, :2], y)", s(3, 4), List.of(x(s(3, 4), ANY), y(s(3, 2), ANY), constant("k", s(3, 4), distinct()))));
        c.add(new Case("avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=false)", s(1, 2, 3, 2), List.of(x(s(1, 2, 5, 4), ANY))));
        c.add(new Case("avg_pool2d(x, 2, ceil_mode=true, divisor_override=3)", s(2, 3, 2), List.of(x(s(2, 5, 4), ANY))));
        c.add(new Case("avg_pool1d(x, 2)", s(2, 2, 3), List.of(x(s(2, 2, 7), ANY))));
        c.add(new Case("layer_norm(x, [4], y, b)", s(2, 3, 4), List.of(x(s(2, 3, 4), ANY), y(s(4), ANY), in("b", s(4), ANY))));
        c.add(new Case("layer_norm(x, [3, 4], eps=0.1)", s(2, 3, 4), List.of(x(s(2, 3, 4), ANY))));
        c.add(new Case("dropout(x, 0.3, seed=5)", s(4, 5), List.of(x(s(4, 5), ANY)))); // a fixed mask: g · mask / 0.7
        einsum(c);
        adaptivePools(c);
        batchNorm(c);
    }

    /** batch_norm training (the batch's statistics; the running ones updated beside) and evaluating (the running ones). */
    static void batchNorm(List<Case> c) {
        Input mean = constant("r", s(3), ANY), var = constant("q", s(3), uniform(0.5, 2));
        c.add(new Case("batch_norm(x, r, q, y, b, training=True)", s(4, 3, 2), List.of(x(s(4, 3, 2), ANY), y(s(3), ANY), in("b", s(3), ANY), mean, var)));
        c.add(new Case("batch_norm(x, r, q, y, b)", s(4, 3, 2), List.of(x(s(4, 3, 2), ANY), y(s(3), ANY), in("b", s(3), ANY), mean, var)));
        c.add(new Case("batch_norm(x, None, None, training=True, eps=0.1)", s(5, 2), List.of(x(s(5, 2), ANY))));
    }

    /** Adaptive pooling: windows of different sizes that overlap, a size kept (None), 1 x 1 (a mean), unbatched 1-d. */
    static void adaptivePools(List<Case> c) {
        c.add(new Case("adaptive_avg_pool2d(x, [2, 3])", s(2, 2, 2, 3), List.of(x(s(2, 2, 5, 4), ANY))));
        c.add(new Case("adaptive_avg_pool2d(x, 1)", s(2, 2, 1, 1), List.of(x(s(2, 2, 3, 3), ANY))));
        c.add(new Case("adaptive_avg_pool1d(x, 3)", s(2, 3), List.of(x(s(2, 7), ANY))));
        c.add(new Case("adaptive_max_pool2d(x, [3, None])", s(1, 2, 3, 4), List.of(x(s(1, 2, 5, 4), distinct()))));
        c.add(new Case("adaptive_max_pool1d(x, 4)", s(2, 2, 4), List.of(x(s(2, 2, 7), distinct()))));
    }

    /** einsum: a product, a diagonal, a batch, three operands contracted pairwise, `...` with a letter summed inside one operand. */
    static void einsum(List<Case> c) {
        c.add(new Case("einsum(\"ij,jk->ik\", x, y)", s(2, 4), List.of(x(s(2, 3), ANY), y(s(3, 4), ANY))));
        c.add(new Case("einsum(\"ii->i\", x)", s(3), List.of(x(s(3, 3), ANY))));
        c.add(new Case("einsum(\"bij,bjk\", x, y)", s(2, 2, 2), List.of(x(s(2, 2, 3), ANY), y(s(2, 3, 2), ANY))));
        c.add(new Case("einsum(\"i,ij,j\", x, y, b)", s(), List.of(x(s(3), ANY), y(s(3, 2), ANY), in("b", s(2), ANY))));
        c.add(new Case("einsum(\"...ij,jk->...k\", x, y)", s(2, 2), List.of(x(s(2, 2, 3), ANY), y(s(3, 2), ANY))));
    }

    static void indexing(List<Case> c) {
        int[] m = s(4, 3);
        String[][] ix = {
            {"x[0]", "3"}, {"x[1:]", "3,3"}, {"x[:-1]", "3,3"}, {"x[:, 0]", "4"}, {"x[1:3, ::2]", "2,2"}, {"x[-1]", "3"},
            {"x[0, 2]", ""}, {"x[::2]", "2,3"}, {"x[:, -2:]", "4,2"}, {"x[-3:-1, 1]", "2"}, {"x[2][1:]", "2"},
        };
        for (String[] e : ix) {
            int[] out = e[1].isEmpty() ? s() : Arrays.stream(e[1].split(",")).mapToInt(Integer::parseInt).toArray();
            c.add(new Case(e[0], out, List.of(x(m, ANY))));
        }
        c.add(new Case("x[1:4] * x[0:3]", s(3), List.of(x(s(5), ANY))));
    }

    static void neural(List<Case> c) {
        int[] m = s(2, 3);
        c.add(new Case("softmax(x, dim=1)", m, List.of(x(m, ANY))));
        c.add(new Case("softmax(x, dim=0)", m, List.of(x(m, ANY))));
        c.add(new Case("softmax(x, dim=-1)", s(5), List.of(x(s(5), ANY))));
        c.add(new Case("x.softmax(dim=1)", s(2, 2, 3), List.of(x(s(2, 2, 3), ANY))));
        c.add(new Case("log_softmax(x, dim=1)", m, List.of(x(m, ANY))));
        c.add(new Case("log_softmax(x, dim=0)", m, List.of(x(m, ANY))));
        c.add(new Case("log_softmax(x, dim=0)", s(4), List.of(x(s(4), ANY))));
        c.add(new Case("cross_entropy(x, t)", s(), List.of(x(s(3, 4), ANY), constant("t", s(3), classes(4)))));
        c.add(new Case("cross_entropy(x, t)", s(), List.of(x(s(4), ANY), constant("t", s(), classes(4)))));
        c.add(new Case("cross_entropy(x, p)", s(), List.of(x(s(3, 4), ANY), constant("p", s(3, 4), probabilities(4)))));
        // [N, C, d1, ...] with class indices [N, d1, ...] (segmentation), and class probabilities along axis 1
        c.add(new Case("cross_entropy(x, tensor([[0, 2], [-100, 3]]), weight=tensor([0.5, 1.0, 2.0, 3.0]), label_smoothing=0.2)", s(), List.of(x(s(2, 4, 2), ANY))));
        c.add(new Case("nll_loss(x, tensor([[[1], [0]], [[3], [2]]]), reduction=\"none\")", s(2, 2, 1), List.of(x(s(2, 4, 2, 1), ANY))));
        c.add(new Case("cross_entropy(x, softmax(p, dim=1), weight=tensor([0.5, 1.0, 2.0]))", s(), List.of(x(s(2, 3, 2), ANY), constant("p", s(2, 3, 2), ANY))));
        // the deprecated size_average= and reduce= (PyTorch's mapping to a reduction)
        c.add(new Case("mse_loss(x, y, size_average=False) + cross_entropy(x, tensor([2, 0]), reduce=False)", s(2), List.of(x(s(2, 3), ANY), y(s(2, 3), ANY))));
        c.add(new Case("kl_div(log_softmax(x, dim=1), y, reduce=False, reduction=\"batchmean\")", s(2, 3), List.of(x(s(2, 3), ANY), constant("y", s(2, 3), probabilities(3)))));
        // the loss options: weight=, ignore_index=, label_smoothing=, nll_loss, and (below) the binary losses' weight= and pos_weight=
        c.add(new Case("cross_entropy(x, t, weight=tensor([0.5, 1.0, 2.0, 3.0]), label_smoothing=0.2)", s(), List.of(x(s(3, 4), ANY), constant("t", s(3), classes(4)))));
        c.add(new Case("cross_entropy(x, tensor([1, -100, 3]), weight=tensor([0.5, 1.0, 2.0, 3.0]), reduction=\"none\")", s(3), List.of(x(s(3, 4), ANY))));
        c.add(new Case("cross_entropy(x, tensor([1, 2, 3]), ignore_index=2, label_smoothing=0.3, reduction=\"sum\")", s(), List.of(x(s(3, 4), ANY))));
        c.add(new Case("nll_loss(log_softmax(x, dim=1), t, weight=tensor([0.5, 1.0, 2.0, 3.0]), ignore_index=2)", s(), List.of(x(s(3, 4), ANY), constant("t", s(3), classes(4)))));
        c.add(new Case("cross_entropy(x, p, weight=tensor([0.5, 1.0, 2.0, 3.0]), label_smoothing=0.3)", s(), List.of(x(s(3, 4), ANY), constant("p", s(3, 4), probabilities(4)))));
        c.add(new Case("cross_entropy(x, y, weight=tensor([0.5, 1.0, 2.0]))", s(), List.of(x(s(2, 3), ANY), y(s(2, 3), probabilities(3)))));
        c.add(new Case("binary_cross_entropy(x, y, weight=tensor([0.5, 2.0, 1.0]))", s(), List.of(x(s(2, 3), uniform(0.05, 0.95)), y(s(2, 3), uniform(0, 1)))));
        c.add(new Case("binary_cross_entropy_with_logits(x, y, weight=tensor([0.5, 2.0, 1.0]), pos_weight=tensor([3.0, 0.5, 1.0]), reduction=\"sum\")", s(),
                List.of(x(s(2, 3), uniform(-5, 5)), y(s(2, 3), uniform(0, 1)))));
        c.add(new Case("cross_entropy(x, y)", s(), List.of(x(s(2, 3), ANY), y(s(2, 3), probabilities(3)))));
        c.add(new Case("cross_entropy(x, y)", s(), List.of(x(s(4), ANY), y(s(4), probabilities(4)))));
        c.add(new Case("mse_loss(x, y)", s(), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("mse_loss(x, y)", s(), List.of(x(m, ANY), y(s(3), ANY))));
        c.add(new Case("mse_loss(x, t)", s(), List.of(x(s(4), ANY), constant("t", s(4), ANY))));
    }

    /** The (v2) activations and elementwise functions written from primitives, away from their kinks. */
    static void activations(List<Case> c) {
        int[] m = s(2, 3);
        String[][] unary = {
            {"leaky_relu(x)", "kinked"}, {"leaky_relu(x, negative_slope=0.2)", "kinked"}, {"leaky_relu(x, 0.3)", "kinked"},
            {"elu(x)", "kinked"}, {"elu(x, alpha=0.5)", "kinked"}, {"silu(x)", "wide"}, {"x.silu()", "wide"}, {"mish(x)", "wide"},
            {"mish(x)", "threshold"}, {"gelu(x, approximate=\"tanh\")", "wide"}, {"softsign(x)", "kinked"}, {"logsigmoid(x)", "wide"},
            {"logsigmoid(x)", "far"}, {"square(x)", "any"}, {"rsqrt(x)", "pos"}, {"reciprocal(x)", "kinked"}, {"exp2(x)", "any"},
            {"log2(x)", "pos"}, {"log10(x)", "pos"}, {"sinh(x)", "any"}, {"cosh(x)", "any"}, {"asinh(x)", "wide"}, {"asinh(x)", "tiny"},
            {"acosh(x)", "acosh"}, {"atanh(x)", "atanh"}, {"hardtanh(x)", "hardtanh"}, {"hardtanh(x, min_val=-0.5, max_val=0.5)", "half"},
            {"relu6(x)", "relu6"}, {"gelu(x)", "wide"}, {"gelu(x, approximate=\"none\")", "any"}, {"erf(x)", "erf"}, {"erfc(x)", "erf"},
            {"erf(x)", "erfTail"}, {"x.erfc()", "erfTail"},
        };
        for (String[] u : unary) {
            Domain d = switch (u[1]) {
                case "pos" -> POS;
                case "wide" -> uniform(-5, 5);
                case "far" -> signed(20, 30); // logsigmoid's tails, where log(1 + e^-|x|) is tiny
                case "tiny" -> signed(1e-3, 1e-2);
                case "threshold" -> avoiding(15, 25, 0.5, 20);
                case "kinked" -> signed(0.1, 2);
                case "acosh" -> uniform(1.1, 5);
                case "atanh" -> uniform(-0.9, 0.9);
                case "hardtanh" -> avoiding(-2, 2, 0.1, -1, 1);
                case "half" -> avoiding(-2, 2, 0.1, -0.5, 0.5);
                case "relu6" -> avoiding(-2, 8, 0.1, 0, 6);
                case "erf" -> avoiding(-4.5, 4.5, 0.05, -4, -0.46875, 0.46875, 4); // within each of Cody's intervals
                case "erfTail" -> signed(4.1, 6);
                default -> ANY;
            };
            c.add(new Case(u[0], m, List.of(x(m, d))));
        }
        Domain w = avoiding(-1, 2, 0.1, -0.5, 0.5); // lerp switches form at |w| = 0.5
        c.add(new Case("lerp(x, y, z)", m, List.of(x(m, ANY), y(m, ANY), in("z", m, w))));
        c.add(new Case("lerp(x, y, z)", m, List.of(x(s(3), ANY), y(m, ANY), in("z", s(2, 1), w))));
        c.add(new Case("lerp(x, y, 0.3)", m, List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("lerp(x, y, 0.8)", m, List.of(x(m, ANY), y(s(3), ANY))));
        c.add(new Case("hypot(x, y)", m, List.of(x(m, signed(0.1, 2)), y(m, signed(0.1, 2)))));
        c.add(new Case("hypot(x, y)", m, List.of(x(s(3), signed(0.1, 2)), y(s(2, 1), signed(0.1, 2)))));
    }

    /**
     * asin acos atan atan2 fmod remainder frac, and ceil round trunc (whose zero gradient shows as the
     * product rule's one term: d(ceil(x) x)/dx = ceil(x)), away from the jumps of the rounding functions.
     */
    static void inverseTrigAndRounding(List<Case> c) {
        int[] m = s(2, 3);
        Domain unit = uniform(-0.9, 0.9), offHalves = avoiding(-2.9, 2.9, 0.05, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5);
        c.add(new Case("asin(x)", m, List.of(x(m, unit))));
        c.add(new Case("acos(x)", m, List.of(x(m, unit))));
        c.add(new Case("x.asin() + x.acos()", s(4), List.of(x(s(4), unit))));
        c.add(new Case("atan(x)", m, List.of(x(m, uniform(-4, 4)))));
        c.add(new Case("atan(x)", s(), List.of(x(s(), ANY))));
        for (int[][] p : BROADCAST_PAIRS) {
            int[] out = tx.runtime.tensor.Shapes.broadcast(p[0], p[1]);
            c.add(new Case("atan2(x, y)", out, List.of(x(p[0], signed(0.2, 2)), y(p[1], ANY)))); // y off the jump along x < 0
            c.add(new Case("fmod(x, y)", out, List.of(x(p[0], signed(3.2, 3.8)), y(p[1], signed(1.3, 1.5))))); // |x / y| in (2.13, 2.92)
            c.add(new Case("remainder(x, y)", out, List.of(x(p[0], signed(3.2, 3.8)), y(p[1], signed(1.3, 1.5)))));
        }
        c.add(new Case("x.atan2(y)", m, List.of(x(m, ANY), y(m, signed(0.2, 2)))));
        c.add(new Case("fmod(x, 1.5)", m, List.of(x(m, signed(3.2, 4.4)))));
        c.add(new Case("x.fmod(-1.5) * x", m, List.of(x(m, signed(3.2, 4.4)))));
        c.add(new Case("remainder(x, 1.5)", m, List.of(x(m, signed(3.2, 4.4)))));
        c.add(new Case("frac(x)", m, List.of(x(m, offHalves))));
        c.add(new Case("frac(x) * x", m, List.of(x(m, offHalves))));
        for (String f : new String[] {"ceil", "round", "trunc"}) {
            c.add(new Case(f + "(x) * x", m, List.of(x(m, offHalves))));
            c.add(new Case("x." + f + "() * exp(x)", s(4), List.of(x(s(4), offHalves))));
        }
        c.add(new Case("round(x, decimals=1) * x", s(5), List.of(x(s(5), choice(0.31, -0.72, 1.13, -1.58, 0.07)))));
        c.add(new Case("round(x, decimals=-1) * x", s(3), List.of(x(s(3), choice(13.0, -27.0, 4.0)))));
    }

    /** The (v2) losses with each reduction, var/std and linear; differences kept away from the losses' kinks. */
    static void losses(List<Case> c) {
        int[] m = s(2, 3);
        Input near0 = constant("t", m, uniform(-0.02, 0.02));
        Input nearY = y(m, uniform(-0.02, 0.02)); // with x at least 0.1 from every kink, x - y stays 0.08 away
        Domain off = avoiding(-3, 3, 0.1, -1, 0, 1), offHalf = avoiding(-3, 3, 0.1, -0.5, 0, 0.5);
        for (String r : new String[] {"", ", reduction=\"sum\"", ", reduction=\"none\"", ", reduction=\"mean\""}) {
            int[] out = r.contains("none") ? m : s();
            c.add(new Case("l1_loss(x, y" + r + ")", out, List.of(x(m, off), nearY)));
            c.add(new Case("smooth_l1_loss(x, y" + r + ")", out, List.of(x(m, off), nearY)));
            c.add(new Case("huber_loss(x, y" + r + ", delta=0.5)", out, List.of(x(m, offHalf), nearY)));
            c.add(new Case("mse_loss(x, y" + r + ")", out, List.of(x(m, ANY), y(m, ANY))));
            c.add(new Case("binary_cross_entropy(x, y" + r + ")", out, List.of(x(m, uniform(0.05, 0.95)), y(m, uniform(0, 1)))));
            c.add(new Case("binary_cross_entropy_with_logits(x, y" + r + ")", out, List.of(x(m, uniform(-5, 5)), y(m, uniform(0, 1)))));
            c.add(new Case("kl_div(x, y" + r + ")", out, List.of(x(m, ANY), y(m, POS))));
            c.add(new Case("kl_div(x, y" + r + ", log_target=true)", out, List.of(x(m, ANY), y(m, ANY))));
            c.add(new Case("cross_entropy(x, t" + r + ")", r.contains("none") ? s(3) : s(), List.of(x(s(3, 4), ANY), constant("t", s(3), classes(4)))));
            c.add(new Case("cross_entropy(x, y" + r + ")", r.contains("none") ? s(3) : s(), List.of(x(s(3, 4), ANY), y(s(3, 4), probabilities(4)))));
        }
        c.add(new Case("smooth_l1_loss(x, t, beta=0.5)", s(), List.of(x(m, offHalf), near0)));
        c.add(new Case("smooth_l1_loss(x, t, beta=0.0)", s(), List.of(x(m, signed(0.1, 2)), near0)));
        c.add(new Case("l1_loss(x, t)", s(), List.of(x(s(3), signed(0.1, 2)), constant("t", s(), uniform(-0.02, 0.02)))));
        c.add(new Case("kl_div(x, y, reduction=\"batchmean\")", s(), List.of(x(m, ANY), y(m, POS))));
        c.add(new Case("cosine_similarity(x, y)", s(2), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("cosine_similarity(x, y, dim=0)", s(3), List.of(x(m, ANY), y(m, ANY))));
        c.add(new Case("cosine_similarity(x, y, dim=-1)", s(2), List.of(x(m, ANY), y(s(3), ANY))));
        c.add(new Case("var(x)", s(), List.of(x(m, ANY))));
        c.add(new Case("var(x, dim=1)", s(2), List.of(x(m, ANY))));
        c.add(new Case("var(x, 0, correction=0, keepdim=true)", s(1, 3), List.of(x(m, ANY))));
        c.add(new Case("std(x)", s(), List.of(x(m, ANY))));
        c.add(new Case("std(x, dim=[0, 1], unbiased=false)", s(), List.of(x(m, ANY))));
        c.add(new Case("x.std(dim=1)", s(2), List.of(x(s(2, 4), distinct()))));
        c.add(new Case("linear(x, y)", s(2, 4), List.of(x(m, ANY), y(s(4, 3), ANY))));
        c.add(new Case("linear(x, y, b)", s(2, 4), List.of(x(m, ANY), y(s(4, 3), ANY), in("b", s(4), ANY))));
        c.add(new Case("linear(x, y, bias=b)", s(4), List.of(x(s(3), ANY), y(s(4, 3), ANY), in("b", s(4), ANY))));
        selections(c);
    }

    /** Gathers, scatters and orders with int64 indices (SelectionRules); masks used as numbers. */
    static void selections(List<Case> c) {
        int[] m = s(2, 3);
        c.add(new Case("gather(x, 1, tensor([[0, 2, 2], [1, 0, 0]]))", m, List.of(x(m, ANY))));
        c.add(new Case("x.gather(0, tensor([[1, 0, 1]]))", s(1, 3), List.of(x(m, ANY))));
        c.add(new Case("take_along_dim(x, tensor([[2], [0]]), dim=1)", s(2, 1), List.of(x(m, ANY))));
        c.add(new Case("take_along_dim(x, tensor([4, 0, 4]))", s(3), List.of(x(m, ANY))));
        c.add(new Case("index_select(x, 1, tensor([2, 0, 2]))", m, List.of(x(m, ANY))));
        c.add(new Case("embedding(tensor([[1, 0], [1, 1]]), x)", s(2, 2, 3), List.of(x(m, ANY))));
        c.add(new Case("normalize(x)", m, List.of(x(m, ANY))));
        c.add(new Case("normalize(x, p=1, dim=0)", m, List.of(x(m, ANY))));
        c.add(new Case("scatter_add(x, 1, tensor([[0, 0], [2, 1]]), y)", m, List.of(x(m, ANY), y(s(2, 2), ANY))));
        c.add(new Case("sort(x, dim=1, descending=true).values", m, List.of(x(m, distinct()))));
        c.add(new Case("sort(x, dim=0)[0] * y", m, List.of(x(m, distinct()), y(m, ANY))));
        c.add(new Case("topk(x, 2).values", s(2, 2), List.of(x(m, distinct()))));
        c.add(new Case("max(x, dim=1).values + min(x, dim=1)[0]", s(2), List.of(x(m, distinct()))));
        c.add(new Case("x * (x > 0) + x * argmax(x, dim=1, keepdim=true)", m, List.of(x(m, signed(0.2, 2)))));
    }

    // ---- the tests --------------------------------------------------------------------------------

    /** Every differentiable built-in and operator of §5 appears in some case. */
    @Test
    void everyDifferentiableBuiltinIsCovered() {
        String[] functions = {
            "neg", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "log1p", "expm1", "softplus",
            "maximum", "minimum", "clamp", "where", "sum", "mean", "prod", "max", "min", "logsumexp", "norm", "matmul", "dot",
            "outer", "transpose", "reshape", "flatten", "squeeze", "unsqueeze", "expand", "broadcast_to", "cat", "stack",
            "softmax", "log_softmax", "cross_entropy", "mse_loss",
            "leaky_relu", "elu", "silu", "mish", "gelu", "hardtanh", "relu6", "softsign", "logsigmoid", "square", "rsqrt",
            "reciprocal", "exp2", "log2", "log10", "sinh", "cosh", "asinh", "acosh", "atanh", "lerp", "hypot", "erf", "erfc",
            "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
            "cosine_similarity", "var", "std", "linear",
            "permute", "movedim", "swapaxes", "flip", "roll", "tile", "narrow", "pad", "masked_fill", "clone", "tril", "triu", "diag",
            "diagonal", "trace", "mm", "bmm", "mv", "kron", "cross", "cumsum", "cumprod",
            "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "layer_norm", "dropout",
            "einsum", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
            "batch_norm",
            "gather", "take_along_dim", "index_select", "embedding", "normalize", "scatter_add", "sort", "topk",
            "slogdet", "det", "solve", "cholesky", "inverse", "nll_loss", "qr", "conv_transpose1d", "conv_transpose2d",
        };
        List<String> missing = new ArrayList<>();
        for (String f : functions) {
            Pattern call = Pattern.compile("(^|[^A-Za-z0-9_.])" + f + "\\(");
            if (CASES.stream().noneMatch(k -> call.matcher(k.expr()).find())) missing.add(f);
        }
        for (String op : new String[] {" + ", " - ", " * ", " / ", " ** ", " @ ", ".T", "[", "-x"}) {
            if (CASES.stream().noneMatch(k -> k.expr().contains(op))) missing.add(op.trim());
        }
        assertTrue(missing.isEmpty(), "built-ins with no gradient case: " + missing);
        assertTrue(CASES.stream().anyMatch(k -> k.inputs().stream().filter(Input::grad).count() >= 2), "a case of two differentiable inputs");
    }

    @TestFactory
    Stream<DynamicTest> everyBuiltinMatchesFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            Case k = CASES.get(i);
            long seed = 7919L * i + k.expr().hashCode();
            tests.add(DynamicTest.dynamicTest(i + ": " + k, () -> check(k, new Random(seed))));
        }
        return tests.stream();
    }

    /**
     * At kinks a finite difference is one-sided or meaningless, so the conventions are checked against
     * hand-written values: PyTorch's choices (relu'(0) = 0, |x|'(0) = 0, clamp passes the gradient at its
     * bounds, ties of maximum and of a full max split it evenly, the 2-norm's gradient at 0 is 0, sqrt'(0)
     * = inf, prod's gradient is exact with zeros) and tx's own where rule (LANGUAGE §5: the untaken
     * branch gives exactly 0, where PyTorch gives nan).
     */
    @Test
    void gradientsAtKinksFollowTheDocumentedConventions() {
        Object[][] table = {
            {"relu(x)", new double[] {0, -1, 2}, new double[] {0, 0, 1}},
            {"abs(x)", new double[] {0, -1, 2}, new double[] {0, -1, 1}},
            {"sign(x)", new double[] {0, 2}, new double[] {0, 0}},
            {"clamp(x, min=-0.5, max=0.5)", new double[] {-0.5, 0.5, 0, 1}, new double[] {1, 1, 1, 0}},
            {"clamp(x, min=-0.5)", new double[] {-0.5, -1}, new double[] {1, 0}},
            {"maximum(x, tensor([1.0, 0.0]))", new double[] {1, 2}, new double[] {0.5, 1}},
            {"minimum(x, tensor([1.0, 3.0]))", new double[] {1, 2}, new double[] {0.5, 1}},
            {"max(x)", new double[] {3, 1, 3, 3}, new double[] {1.0 / 3, 0, 1.0 / 3, 1.0 / 3}},
            {"min(x)", new double[] {3, 1, 1, 3}, new double[] {0, 0.5, 0.5, 0}},
            {"norm(x)", new double[] {0, 0}, new double[] {0, 0}},
            {"sqrt(x)", new double[] {0, 4}, new double[] {Double.POSITIVE_INFINITY, 0.25}},
            {"x ** 0", new double[] {0, 2}, new double[] {0, 0}},
            {"x ** 2", new double[] {0, -3}, new double[] {0, -6}},
            {"prod(x)", new double[] {0, 2, 3}, new double[] {6, 0, 0}},
            {"prod(x)", new double[] {0, 2, 0}, new double[] {0, 0, 0}},
            {"where(x > 0, sqrt(x), 0)", new double[] {-1, 0, 4}, new double[] {0, 0, 0.25}},
            {"where(x > 0, log(x), 0) * 3", new double[] {-1, 0, 2}, new double[] {0, 0, 1.5}},
            {"sigmoid(x)", new double[] {0}, new double[] {0.25}},
            {"softplus(x)", new double[] {0}, new double[] {0.5}},
        };
        for (Object[] row : table) {
            String expr = (String) row[0];
            double[] at = (double[]) row[1], want = (double[]) row[2];
            Case k = new Case(expr, null, List.of());
            String src = "x = " + literal(new int[] {at.length}, at).replaceFirst("\\)$", ", requires_grad=true)") + "\n"
                    + "s = sum(" + expr + ")\ns.backward()\n";
            Run r = run(src, k, 0);
            Tensor g = r.grads[r.program.leafNames().indexOf("x")];
            assertNotNull(g, expr + ": x.grad is None");
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], g.data()[j], 1e-15 * Math.abs(want[j]), expr + " at x = " + Arrays.toString(at) + ", element " + j);
            }
        }
    }

    // ---- one check ---------------------------------------------------------------------------------

    static void check(Case k, Random rng) {
        List<double[]> values = new ArrayList<>();
        for (Input in : k.inputs()) values.add(in.domain().sample(rng, numel(in.shape())));
        double[] w = uniform(-1, 1).sample(rng, numel(k.out()));
        String loss = "s = sum((" + k.expr() + ") * w)\n";

        StringBuilder gradScript = new StringBuilder();
        for (int i = 0; i < values.size(); i++) gradScript.append(declare(k.inputs().get(i), values.get(i), true));
        gradScript.append("w = ").append(literal(k.out(), w)).append('\n').append(loss).append("s.backward()\n");
        Run grads = run(gradScript.toString(), k, 0);

        StringBuilder fdScript = new StringBuilder("w = " + literal(k.out(), w) + "\n");
        for (int i = 0; i < values.size(); i++) if (!k.inputs().get(i).grad()) fdScript.append(declare(k.inputs().get(i), values.get(i), false));
        List<double[]> steps = new ArrayList<>(); // {input, element, x+h, x-h}
        for (int i = 0; i < values.size(); i++) {
            if (!k.inputs().get(i).grad()) continue;
            for (int j = 0; j < values.get(i).length; j++) {
                double xj = values.get(i)[j], h = H * Math.max(1, Math.abs(xj));
                steps.add(new double[] {i, j, xj + h, xj - h});
                for (double v : new double[] {xj + h, xj - h}) {
                    for (int q = 0; q < values.size(); q++) {
                        if (!k.inputs().get(q).grad()) continue;
                        double[] d = values.get(q).clone();
                        if (q == i) d[j] = v;
                        fdScript.append(declare(k.inputs().get(q), d, false));
                    }
                    fdScript.append(loss).append("print(s.item())\n");
                }
            }
        }
        Run fd = run(fdScript.toString(), k, 2 * steps.size());

        for (int n = 0; n < steps.size(); n++) {
            int i = (int) steps.get(n)[0], j = (int) steps.get(n)[1];
            Input in = k.inputs().get(i);
            double expected = (fd.printed[2 * n] - fd.printed[2 * n + 1]) / (steps.get(n)[2] - steps.get(n)[3]);
            int leaf = grads.program.leafNames().indexOf(in.name());
            assertTrue(leaf >= 0, k + ": no leaf named " + in.name() + " in " + grads.program.leafNames());
            Tensor g = grads.grads[leaf];
            assertNotNull(g, k + ": " + in.name() + ".grad is None after backward");
            assertEquals(Arrays.toString(in.shape()), Arrays.toString(g.shapeRef()), k + ": " + in.name() + ".grad has the wrong shape");
            double got = g.data()[j], err = Math.abs(got - expected), tol = RTOL * Math.abs(expected) + ATOL;
            if (!(err <= tol)) {
                fail(String.format("%s: d s / d %s[%d] = %s by backward, %s by central differences (error %.3g > %.3g)%n"
                        + "--- script ---%n%s", k, in.name(), j, got, expected, err, tol, gradScript));
            }
        }
    }

    record Run(Program program, Tensor[] grads, double[] printed) {}

    /** Compiles and runs a script; expects {@code lines} printed numbers. */
    static Run run(String source, Case k, int lines) {
        Compiler.Result r = Compiler.compile("grad_check.tx", source);
        if (r.program() == null) fail(k + ": the script does not compile:\n" + r.diagnostics().render() + "\n--- script ---\n" + source);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tensor[] grads;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            grads = Interpreter.run(r.program(), out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8).strip();
        String[] parts = text.isEmpty() ? new String[0] : text.split("\\R");
        assertEquals(lines, parts.length, k + ": printed lines");
        double[] printed = new double[parts.length];
        for (int i = 0; i < parts.length; i++) printed[i] = pyFloat(parts[i].strip());
        return new Run(r.program(), grads, printed);
    }

    static double pyFloat(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    static String declare(Input in, double[] data, boolean withGrad) {
        return in.name() + " = " + literal(in.shape(), data).replaceFirst("\\)$", withGrad && in.grad() ? ", requires_grad=true)" : ")") + "\n";
    }

    /** tensor([[...], ...]) with every element printed by Double.toString, which round-trips. */
    static String literal(int[] shape, double[] data) {
        StringBuilder sb = new StringBuilder("tensor(");
        nested(sb, shape, 0, data, 0);
        return sb.append(')').toString();
    }

    private static int nested(StringBuilder sb, int[] shape, int axis, double[] data, int pos) {
        if (axis == shape.length) {
            sb.append(Double.toString(data[pos]));
            return pos + 1;
        }
        sb.append('[');
        for (int i = 0; i < shape[axis]; i++) {
            if (i > 0) sb.append(", ");
            pos = nested(sb, shape, axis + 1, data, pos);
        }
        sb.append(']');
        return pos;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
