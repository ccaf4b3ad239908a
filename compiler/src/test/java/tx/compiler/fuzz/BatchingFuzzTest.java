package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Shapes;

/**
 * vmap by batching rules against the loop it replaces, on random functions: each gradient program
 * of {@link ProgramGenerator} becomes a function of its leaves, mapped over three examples of its
 * first leaf, and the batched values of the function and of its gradient must equal, to the last
 * bit, those of a loop over the examples that the test writes itself ({@code allclose} with no
 * tolerance, a nan where the loop has a nan). A function
 * the compiler refuses as a function (its body was written as a script) is left out, and at least
 * a third of the programs must be checked, and a third of those batched (not left a loop; about half are).
 * Every other program is put on one side of a branch on each example's own condition (the first
 * example goes one way, another the other), which is batched by running both sides and selecting
 * where neither side can fail at run time; a quarter of those must be batched (about half are).
 * {@code -Dtx.fuzz.batching=N} sets the number of programs.
 */
class BatchingFuzzTest {
    private static final int CASES = Integer.getInteger("tx.fuzz.batching", 150);
    private static final long SEED = FuzzTest.parseSeed(System.getProperty("tx.fuzz.seed", "20261127")) ^ 0x564D4150L;
    private static final int EXAMPLES = 3;

    @Test
    void batchedValuesAndGradientsEqualTheLoopOverTheExamples() {
        List<String> failures = new ArrayList<>();
        int gradientPrograms = 0, checked = 0, batched = 0, branched = 0, branchedBatched = 0;
        for (int i = 0; i < CASES * 4 && gradientPrograms < CASES; i++) {
            ProgramGenerator.Program p = ProgramGenerator.generate(SEED + i);
            if (p.kind() != ProgramGenerator.Kind.GRADIENT || p.gradient() == null) continue;
            gradientPrograms++;
            String source = mapped(p.gradient(), i % 2 == 1);
            Sandbox.Outcome o;
            try {
                o = Sandbox.compileAndRun("batched.tx", source);
            } catch (RuntimeException e) {
                failures.add("seed " + (SEED + i) + ": tx threw " + e + "\n" + source);
                continue;
            }
            if (!o.compiled()) continue; // the body is a script's, not a function's
            checked++;
            long loops = o.result().program().body().stream().filter(s -> s instanceof tx.runtime.ir.Stmt.Loop l && l.count() == EXAMPLES).count();
            if (loops == 1) batched++; // only the test's own loop: both vmaps were batched
            if (i % 2 == 1) branched++;
            if (i % 2 == 1 && loops == 1) branchedBatched++;
            if (!o.ran() || !o.output().equals("True True\n")) {
                failures.add("seed " + (SEED + i) + ": printed " + o.output().strip()
                        + (o.failure() == null ? "" : ", failed: " + o.failure().getMessage()) + "\n" + source);
            }
        }
        System.out.println("tx batching fuzz: " + checked + " of " + gradientPrograms + " gradient programs checked as functions, "
                + batched + " of them batched (the others stayed loops; " + branchedBatched + " of the " + branched
                + " inside a branch on each example's own condition), " + failures.size() + " differ");
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " programs differ:\n" + String.join("\n\n", failures));
        assertTrue(checked * 3 >= gradientPrograms, "only " + checked + " of " + gradientPrograms + " programs compiled as functions");
        assertTrue(batched * 3 >= checked, "only " + batched + " of " + checked + " functions were batched: the comparison would be of a loop with a loop");
        assertTrue(branchedBatched * 4 >= branched, "only " + branchedBatched + " of " + branched + " functions with a branch on each example's own condition were batched");
    }

    /**
     * The number half way between the sum of the first example of the first leaf (n elements an
     * example) and the nearest sum of another example: the branch sends the first example one way
     * and that one the other (the sums of 0.4 sin(0.7 j + 0.2), as {@link #mapped} makes the examples).
     */
    private static String threshold(int n) {
        double[] sums = new double[EXAMPLES];
        for (int e = 0; e < EXAMPLES; e++) for (int j = e * n; j < (e + 1) * n; j++) sums[e] += 0.4 * Math.sin(j * 0.7 + 0.2);
        double nearest = sums[1];
        for (int e = 2; e < EXAMPLES; e++) if (Math.abs(sums[e] - sums[0]) < Math.abs(nearest - sums[0])) nearest = sums[e];
        return java.math.BigDecimal.valueOf((sums[0] + nearest) / 2).toPlainString();
    }

    /**
     * The program's leaves as parameters of {@code f}, its body and output as f's; three examples of
     * the first leaf (its value, then two others), the others passed whole; the batched value and
     * gradient compared with a loop.
     */
    static String mapped(ProgramGenerator.GradientSpec g, boolean branch) {
        StringBuilder sb = new StringBuilder("fn f(");
        for (int k = 0; k < g.leaves().size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(g.leaves().get(k)).append(": ").append(Shapes.show(g.shapes().get(k)));
        }
        sb.append(") -> [] {\n");
        if (branch) { // the program on one side of a branch on each example's own condition: the first example takes the other
            String first = g.leaves().get(0);
            sb.append("    if sum(").append(first).append(") > ").append(threshold(Math.max(1, Shapes.numel(g.shapes().get(0))))).append(" {\n");
            for (String line : g.body()) sb.append("        ").append(line).append('\n');
            sb.append("        r = ").append(g.output()).append("\n    } else {\n");
            sb.append("        r = sum(tanh(").append(first).append(") * ").append(first).append(")\n    }\n    return r\n}\n");
        } else {
            for (String line : g.body()) sb.append("    ").append(line).append('\n');
            sb.append("    return ").append(g.output()).append("\n}\n");
        }
        List<String> args = new ArrayList<>();
        for (int k = 0; k < g.leaves().size(); k++) {
            int[] s = g.shapes().get(k);
            int n = Math.max(1, Shapes.numel(s));
            String value = "0.4 * sin(arange(" + n + ".0) * " + (0.7 + 0.3 * k) + " + 0.2)";
            if (k == 0) {
                sb.append("a0 = reshape(").append("0.4 * sin(arange(").append(EXAMPLES * n).append(".0) * 0.7 + 0.2)")
                        .append(", ").append(Shapes.show(Shapes.concat(new int[] {EXAMPLES}, s))).append(")\n");
            } else {
                sb.append("a").append(k).append(" = reshape(").append(value).append(", ").append(Shapes.show(s)).append(")\n");
            }
            args.add("a" + k);
        }
        String all = String.join(", ", args);
        StringBuilder dims = new StringBuilder("(0");
        for (int k = 1; k < args.size(); k++) dims.append(", None");
        dims.append(args.size() == 1 ? ",)" : ")");
        sb.append("v = vmap(f, in_dims=").append(dims).append(")(").append(all).append(")\n");
        sb.append("g = vmap(grad(f), in_dims=").append(dims).append(")(").append(all).append(")\n");
        sb.append("rv = zeros(").append(EXAMPLES).append(")\n");
        sb.append("rg = zeros(").append(Shapes.show(Shapes.concat(new int[] {EXAMPLES}, g.shapes().get(0)))).append(")\n");
        String one = all.replaceFirst("a0", "a0[i]");
        sb.append("for i in range(").append(EXAMPLES).append(") {\n");
        sb.append("    rv[i] = f(").append(one).append(")\n");
        sb.append("    rg[i] = grad(f)(").append(one).append(")\n}\n");
        // the same values, a nan where the loop has one (equal() is False at a nan)
        sb.append("print(allclose(v, rv, rtol=0.0, atol=0.0, equal_nan=True), allclose(g, rg, rtol=0.0, atol=0.0, equal_nan=True))\n");
        return sb.toString();
    }
}
