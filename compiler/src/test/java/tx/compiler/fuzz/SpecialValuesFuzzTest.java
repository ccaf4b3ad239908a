package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.compiler.TxRunner;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * Values and gradients at nan, inf, 0 and ties against PyTorch's conventions (LANGUAGE.md §5, last
 * paragraph). Each case is a random chain of elementwise built-ins applied to a vector drawn from
 * special values, reduced by {@code sum} or {@code max}; tx's value and gradient are compared with
 * a reference that evaluates the same chain with the backward formulas of PyTorch's
 * {@code derivatives.yaml} (1.13), written out below one per operation, walked in reverse as
 * autograd walks them. The reference shares no code with tx.
 *
 * <p>One deliberate difference is allowed (LANGUAGE.md §5, docs/language.md): tx's {@code where}
 * never lets the branch it did not take poison a gradient, and the built-ins tx writes with a
 * {@code where} inherit that. Where such an operation gives an element no gradient (relu at
 * {@code x <= 0}, clamp outside its bounds or at nan, {@code x ** 0}, {@code 0 ** e} for
 * {@code e >= 0}: those operations carry a {@link Mask}), PyTorch goes on multiplying that 0 by the
 * local derivatives before it and may reach nan ({@code relu(sqrt(x))} at 0: 0 / 0), where tx's
 * gradient may stay exactly 0. So an element behind such a block may be 0 in tx where PyTorch's is
 * nan; every other disagreement is a failure.
 *
 * <p>Non-finite results must agree exactly (nan, +inf or -inf), finite ones within 1e-6 relative
 * and 1e-12 absolute: the formulas may round differently (tx builds sigmoid from primitives, and
 * its gradient near 1 is the more accurate one: PyTorch's {@code (1 - y) y} cancels). A second
 * check runs the case as a script, with the vector written as a literal leaf, and requires
 * {@code x.grad} after {@code backward} to print exactly as {@code grad(f)(x)} does: the two paths
 * once disagreed at {@code 0 ** e} (issue 10).
 *
 * <p>{@code -Dtx.fuzz.special=N} sets the number of cases (default 1,500).
 */
class SpecialValuesFuzzTest {
    private static final int CASES = Integer.getInteger("tx.fuzz.special", 1_500);
    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    /** The inputs: non-finite values, signed zeros, ties with the constants below, and overflow edges. */
    private static final double[] SPECIAL = {NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 20.0, 21.0, -20.0, 1e-300, 1e300, 710.0, -745.5};

    /** A backward formula: the adjoint of the input from the input x, the output y and the output's adjoint g. */
    interface Backward {
        double apply(double x, double y, double g);
    }

    interface Forward {
        double apply(double x);
    }

    /** Where a where-built operation passes no gradient to its operand (see the class comment). */
    interface Mask {
        boolean blocks(double x);
    }

    /** One elementwise operation, as tx writes it (with {@code X} for the operand) and as PyTorch computes it. */
    record Op(String tx, Forward f, Backward df, Mask mask) {
        Op(String tx, Forward f, Backward df) {
            this(tx, f, df, null);
        }
    }

    private static double sgn(double x) {
        return x > 0 ? 1 : x < 0 ? -1 : 0; // torch.sign: 0 at 0 and at nan
    }

    static final List<Op> OPS = List.of(
            new Op("-X", x -> -x, (x, y, g) -> -g),
            new Op("exp(X)", Math::exp, (x, y, g) -> g * y),                              // grad * result
            new Op("log(X)", Math::log, (x, y, g) -> g / x),                              // grad.div(self)
            new Op("sin(X)", Math::sin, (x, y, g) -> g * Math.cos(x)),
            new Op("cos(X)", Math::cos, (x, y, g) -> g * -Math.sin(x)),
            new Op("tanh(X)", Math::tanh, (x, y, g) -> g * (1 - y * y)),                  // tanh_backward
            new Op("sqrt(X)", Math::sqrt, (x, y, g) -> g / (2 * y)),                      // grad / (2 * result)
            new Op("abs(X)", Math::abs, (x, y, g) -> g * sgn(x)),                         // grad * self.sgn()
            new Op("relu(X)", x -> x <= 0 ? 0 : x, (x, y, g) -> y <= 0 ? 0 : g, x -> x <= 0), // threshold_backward(grad, result, 0)
            // NOTE: below -709.78, where exp(-x) overflows, PyTorch's 1 / (1 + exp(-x)) is 0 and tx's
            // stable form is the true subnormal value (docs/language.md); this is the stable form.
            new Op("sigmoid(X)", x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
                    (x, y, g) -> g * (1 - y) * y),                                        // sigmoid_backward
            new Op("softplus(X)", x -> x > 20 ? x : Math.log1p(Math.exp(x)),
                    (x, y, g) -> x > 20 ? g : g * Math.exp(x) / (Math.exp(x) + 1)),      // softplus_backward, threshold 20
            new Op("X * 3", x -> x * 3, (x, y, g) -> g * 3),
            new Op("X + 1", x -> x + 1, (x, y, g) -> g),
            new Op("X / 4", x -> x / 4, (x, y, g) -> g / 4),
            new Op("X ** 2", x -> Math.pow(x, 2), (x, y, g) -> g * 2 * Math.pow(x, 1)),  // pow_backward: exponent * self^(exponent-1)
            // PyTorch's pow kernels compute x ** 0.5 as sqrt and x ** -0.5 as 1 / sqrt: nan at -inf and -0.0 at -0.0, not Math.pow's inf and 0.0
            new Op("X ** 0.5", Math::sqrt, (x, y, g) -> g * 0.5 * (1 / Math.sqrt(x))),
            new Op("X ** 0", x -> Math.pow(x, 0), (x, y, g) -> 0.0, x -> true),           // pow_backward: 0 where the exponent is 0
            new Op("clamp(X, min=-1, max=1)", x -> x < -1 ? -1 : x > 1 ? 1 : x,
                    (x, y, g) -> x >= -1 && x <= 1 ? g : 0, x -> !(x >= -1 && x <= 1)),    // clamp_backward: grad where min <= self <= max
            new Op("clamp(X, min=0.5)", x -> x < 0.5 ? 0.5 : x, (x, y, g) -> x >= 0.5 ? g : 0, x -> !(x >= 0.5)),
            new Op("maximum(X, tensor(0.5))", x -> Double.isNaN(x) ? x : Math.max(x, 0.5),
                    (x, y, g) -> x == 0.5 ? g / 2 : x < 0.5 ? 0 : g),                    // at a tie grad / 2; masked where self < other
            new Op("minimum(X, tensor(1.0))", x -> Double.isNaN(x) ? x : Math.min(x, 1.0),
                    (x, y, g) -> x == 1.0 ? g / 2 : x > 1.0 ? 0 : g),
            new Op("0.0 ** relu(X)", x -> Math.pow(0.0, x <= 0 ? 0 : x), null, x -> !Double.isNaN(x)), // see powOfZero
            new Op("asin(X)", Math::asin, (x, y, g) -> g * (1 / Math.sqrt(-x * x + 1))),   // grad * (-self * self + 1).rsqrt()
            new Op("acos(X)", Math::acos, (x, y, g) -> g * -(1 / Math.sqrt(-x * x + 1))),  // grad * -((-self * self + 1).rsqrt())
            new Op("atan(X)", Math::atan, (x, y, g) -> g / (x * x + 1)),                   // grad / (self * self + 1)
            new Op("atan2(X, tensor(2.0))", x -> Math.atan2(x, 2.0),
                    (x, y, g) -> g * 2.0 * (1 / (x * x + 2.0 * 2.0))),                      // grad * other * (self² + other²).reciprocal()
            // ceil, round, trunc: PyTorch's zeros_like(grad), which later factors may turn into nan (0 / 0);
            // in tx they are structural zeros, blocks as where's (see the class comment)
            new Op("ceil(X)", Math::ceil, (x, y, g) -> 0.0, x -> true),
            new Op("round(X)", Math::rint, (x, y, g) -> 0.0, x -> true),                   // nearbyint: ties to even
            new Op("trunc(X)", x -> x < 0 ? -Math.floor(-x) : Math.floor(x), (x, y, g) -> 0.0, x -> true),
            new Op("frac(X)", x -> x - (x < 0 ? -Math.floor(-x) : Math.floor(x)), (x, y, g) -> g), // self - self.trunc(); grad
            new Op("fmod(X, 1.5)", x -> x % 1.5, (x, y, g) -> g),                          // C fmod, the sign of x; grad
            new Op("remainder(X, -1.5)", x -> { double r = x % -1.5; return r != 0 && r > 0 ? r - 1.5 : r; }, (x, y, g) -> g));

    /** A generated case: the inputs, the chain (innermost first) and the reduction. */
    record Case(long seed, double[] x, List<Op> chain, boolean max) {
        String expr() {
            String e = "x";
            for (Op op : chain) e = op.tx().replace("X", op.tx().startsWith("X") || op.tx().startsWith("-") ? "(" + e + ")" : e);
            return e;
        }

        String source() {
            return "fn ys(x: [" + x.length + "]) -> [" + x.length + "] { return " + expr() + " }\n"
                    + "fn s(x: [" + x.length + "]) -> [] { return " + (max ? "max" : "sum") + "(ys(x)) }\n";
        }
    }

    static Case generate(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[1 + r.nextInt(4)];
        for (int i = 0; i < x.length; i++) x[i] = SPECIAL[r.nextInt(SPECIAL.length)];
        List<Op> chain = new ArrayList<>();
        int depth = 1 + r.nextInt(3);
        for (int i = 0; i < depth; i++) chain.add(OPS.get(r.nextInt(OPS.size())));
        return new Case(seed, x, chain, r.nextInt(3) == 0);
    }

    /** The reference: the chain's values, then its adjoints walked backwards, as PyTorch's autograd does. */
    static double[][] reference(Case c) {
        int n = c.x().length, k = c.chain().size();
        double[][] v = new double[k + 1][];
        v[0] = c.x().clone();
        for (int j = 0; j < k; j++) {
            v[j + 1] = new double[n];
            for (int i = 0; i < n; i++) v[j + 1][i] = forward(c.chain().get(j), v[j][i]);
        }
        double[] g = reductionAdjoint(v[k], c.max());
        boolean[] masked = new boolean[n];
        for (int j = k - 1; j >= 0; j--) {
            Op op = c.chain().get(j);
            for (int i = 0; i < n; i++) {
                masked[i] |= op.mask() != null && op.mask().blocks(v[j][i]);
                g[i] = backward(op, v[j][i], v[j + 1][i], g[i]);
            }
        }
        double[] blocked = new double[n];
        for (int i = 0; i < n; i++) blocked[i] = masked[i] ? 1 : 0;
        return new double[][] {v[k], g, blocked};
    }

    private static double forward(Op op, double x) {
        return op.f().apply(x);
    }

    private static double backward(Op op, double x, double y, double g) {
        if (op.df() != null) return op.df().apply(x, y, g);
        return powOfZero(x, g);
    }

    /**
     * {@code 0.0 ** relu(x)}: relu's threshold_backward after pow's exponent rule, which is 0 where the
     * base is 0 and the exponent is at least 0 (PyTorch masks it: {@code where(self == 0 & exponent >= 0, 0, ...)}).
     */
    private static double powOfZero(double x, double g) {
        double e = x <= 0 ? 0 : x;
        double de = e >= 0 ? 0 : g * Math.pow(0.0, e) * Math.log(0.0);
        return e <= 0 ? 0 : de;
    }

    /** sum: ones. max over all elements (evenly_distribute_backward): the elements equal to the max, or the nans when it is nan. */
    private static double[] reductionAdjoint(double[] y, boolean max) {
        double[] g = new double[y.length];
        if (!max) {
            java.util.Arrays.fill(g, 1.0);
            return g;
        }
        double m = Double.NEGATIVE_INFINITY;
        boolean anyNan = false;
        for (double v : y) {
            anyNan |= Double.isNaN(v);
            m = Math.max(m, v);
        }
        int count = 0;
        for (double v : y) if (anyNan ? Double.isNaN(v) : v == m) count++;
        for (int i = 0; i < y.length; i++) g[i] = (anyNan ? Double.isNaN(y[i]) : y[i] == m) ? 1.0 / count : 0.0;
        return g;
    }

    static boolean agree(double got, double want) {
        if (Double.isNaN(want) || Double.isNaN(got) || Double.isInfinite(want) || Double.isInfinite(got)) {
            return Double.compare(got, want) == 0 || (Double.isNaN(got) && Double.isNaN(want));
        }
        return Math.abs(got - want) <= 1e-6 * Math.max(Math.abs(got), Math.abs(want)) + 1e-12;
    }

    @Test
    void valuesAndGradientsAtSpecialPointsArePyTorchs() {
        List<String> failures = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(0x5EC1A1L);
        int checked = 0, nonFinite = 0;
        for (int t = 0; t < CASES && failures.size() < 10; t++) {
            Case c = generate(seeds.nextLong());
            double[][] want = reference(c);
            Tx.Module m;
            try {
                m = Tx.compile("special.tx", c.source());
            } catch (Tx.TxException e) {
                failures.add(describe(c, "did not compile: " + e.getMessage()));
                continue;
            }
            Tensor x = Tensor.of(new int[] {c.x().length}, c.x().clone());
            double[] y = m.function("ys").call(x).get(0).data();
            double[] g = m.grad("s", "x").call(x).get(0).data();
            for (int i = 0; i < y.length; i++) {
                checked++;
                if (!Double.isFinite(want[0][i]) || !Double.isFinite(want[1][i])) nonFinite++;
                boolean whereKeptZero = want[2][i] == 1 && Double.isNaN(want[1][i]) && g[i] == 0;
                if (!agree(y[i], want[0][i]) || !(agree(g[i], want[1][i]) || whereKeptZero)) {
                    failures.add(describe(c, String.format(Locale.ROOT, "element %d: tx value %s, gradient %s; PyTorch's value %s, gradient %s",
                            i, y[i], g[i], want[0][i], want[1][i])));
                    break;
                }
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " case(s) differ from PyTorch's conventions:\n" + String.join("\n\n", failures));
        assertTrue(nonFinite > checked / 10, "the special values are exercised: " + nonFinite + " of " + checked + " elements non-finite");
    }

    @Test
    void backwardOnALiteralLeafAgreesWithGradOfTheFunction() {
        SplittableRandom seeds = new SplittableRandom(0x11FEAFL);
        StringBuilder script = new StringBuilder();
        int cases = Math.max(1, CASES / 15);
        for (int t = 0; t < cases; t++) {
            Case c = generate(seeds.nextLong());
            String name = "c" + t;
            script.append("fn ").append(name).append("(x: [").append(c.x().length).append("]) -> [] { return ")
                    .append(c.max() ? "max" : "sum").append("(").append(c.expr()).append(") }\n");
            script.append("x = tensor([").append(literals(c.x())).append("], requires_grad=true)\n");
            script.append(name).append("(x).backward()\n");
            script.append("print(\"").append(name).append("\", x.grad)\n");
            script.append("print(\"").append(name).append("\", grad(").append(name).append(")(detach(x)))\n");
        }
        java.nio.file.Path file;
        try {
            file = java.nio.file.Files.createTempFile("special", ".tx");
            java.nio.file.Files.writeString(file, script);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TxRunner.Outcome o = TxRunner.run("run", file.toString());
        assertTrue(o.status() == 0, "the script ran: " + o.err());
        String[] lines = o.out().split("\n");
        assertTrue(lines.length == 2 * cases, "two lines per case");
        for (int i = 0; i < lines.length; i += 2) {
            if (!lines[i].equals(lines[i + 1])) fail("backward and grad(f) disagree:\n  " + lines[i] + "\n  " + lines[i + 1] + "\nin\n" + script);
        }
    }

    private static String literals(double[] x) {
        StringBuilder sb = new StringBuilder();
        for (double v : x) {
            if (sb.length() > 0) sb.append(", ");
            if (Double.isNaN(v)) sb.append("nan");
            else if (Double.isInfinite(v)) sb.append(v > 0 ? "inf" : "-inf");
            else sb.append(v == 0 && 1 / v < 0 ? "-0.0" : Double.toString(v).replace("E", "e"));
        }
        return sb.toString();
    }

    private static String describe(Case c, String what) {
        return "case " + ProgramGenerator.hex(c.seed()) + ": x = " + java.util.Arrays.toString(c.x()) + ", " + (c.max() ? "max" : "sum")
                + "(" + c.expr() + ")\n  " + what;
    }
}
