package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Tensor;

/**
 * Nested call trees: random programs of functions that call deeper functions (chains up to 24 deep,
 * trees that call a callee two or three times, and shared callees, so that the call graph is a DAG
 * and not a tree), each checked in two ways: compiling and differentiating finishes within a time
 * bound, and the gradient of the top function, and of a weighted sum of that gradient (a second
 * derivative), agree with central finite differences, and forward mode's tangent along a direction
 * is reverse mode's gradient dotted with it (for the second derivative too: forward over reverse).
 *
 * <p>Calls of bodies past the inlining size are calls of IR functions, whose adjoints are split
 * into forward and backward halves once per function (the suite runs this test again with
 * {@code -Dtx.inline=never}, where every call is one). The trees are kept to a few thousand calls,
 * since running one still takes a step per call; {@code -Dtx.fuzz.calls=N} sets the number of programs.
 */
class CallTreeFuzzTest {
    private static final int CASES = Integer.getInteger("tx.fuzz.calls", 150);
    private static final double STEP = 1e-6, RTOL = 1e-5, ATOL = 1e-6;
    /** Smooth, bounded elementwise steps a function applies to what it gets back from a callee. */
    private static final String[] WRAP = {"tanh(%s)", "sin(%s) * 0.9", "%s * 0.5 + 0.1", "sigmoid(%s)", "exp(-(%s) ** 2)", "(%s) * (%s)"};

    /** A program and the size of its call tree once inlined. */
    record Program(String source, long inlinedCalls, int depth) {}

    static Program generate(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean chain = r.nextInt(3) == 0;
        int depth = chain ? 4 + r.nextInt(21) : 2 + r.nextInt(5);
        StringBuilder src = new StringBuilder();
        long[] calls = new long[depth + 1];
        calls[depth] = 1;
        src.append("fn f").append(depth).append("(x: [3]) -> [3] { return sin(x) * 0.5 + x * 0.25 }\n");
        for (int i = depth - 1; i >= 0; i--) {
            int fanOut = chain ? 1 : 1 + r.nextInt(3);
            List<String> terms = new ArrayList<>();
            calls[i] = 1;
            for (int k = 0; k < fanOut; k++) {
                int callee = i + 1 + (chain ? 0 : r.nextInt(Math.min(2, depth - i)));
                String arg = k == 0 ? "x" : "x * " + (0.3 + 0.2 * k);
                String call = "f" + callee + "(" + arg + ")";
                int w = r.nextInt(WRAP.length);
                terms.add(String.format(Locale.ROOT, WRAP[w], call, call));
                calls[i] += (w == WRAP.length - 1 ? 2 : 1) * calls[callee]; // the last wrap calls twice
            }
            src.append("fn f").append(i).append("(x: [3]) -> [3] { return ").append(String.join(" + ", terms)).append(" }\n");
        }
        src.append("fn loss(x: [3]) -> [] { return sum(f0(x) * tensor([1.0, -0.5, 0.25])) }\n");
        src.append("fn gl(x: [3]) -> [] { return sum(grad(loss)(x) * tensor([0.7, -0.2, 0.4])) }\n"); // a second derivative
        return new Program(src.toString(), calls[0], depth);
    }

    @Test
    void nestedCallsCompileInBoundedTimeAndDifferentiateCorrectly() throws Exception {
        SplittableRandom seeds = new SplittableRandom(0xCA11L);
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "call-tree-fuzz", 1L << 28);
            t.setDaemon(true);
            return t;
        });
        int checked = 0, maxDepth = 0;
        try {
            for (int c = 0; c < CASES && failures.size() < 5; c++) {
                long seed = seeds.nextLong();
                Program p = generate(seed);
                if (p.inlinedCalls() > 5_000) continue; // a run takes a step per call: the exponential case belongs to the limits tests
                Future<String> f = pool.submit(() -> check(p));
                String problem;
                try {
                    problem = f.get(20, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    problem = "no answer after 20 s (" + p.inlinedCalls() + " calls once inlined)";
                }
                if (problem != null) failures.add("case " + ProgramGenerator.hex(seed) + ": " + problem + "\n" + p.source());
                checked++;
                maxDepth = Math.max(maxDepth, p.depth());
            }
        } finally {
            pool.shutdownNow();
        }
        if (!failures.isEmpty()) fail(String.join("\n\n", failures));
        assertTrue(checked >= CASES * 9 / 10 && maxDepth >= 20, "deep and wide trees were generated: " + checked + " cases, depth up to " + maxDepth);
    }

    /**
     * Null if the gradients of {@code loss} and of {@code gl} (a weighted sum of loss's gradient, so
     * its gradient is a second derivative) agree with central differences at a seeded point, else why not.
     */
    private static String check(Program p) {
        Tx.Module m = Tx.compile("calls.tx", p.source());
        String first = check(m, "loss");
        if (first == null) first = check(m, "gl");
        if (first == null) first = forward(m, "loss");
        return first != null ? first : forward(m, "gl");
    }

    /** Null if forward mode's tangent along t is reverse mode's gradient dotted with t (two passes that share no rule code but the VJPs). */
    private static String forward(Tx.Module m, String fn) {
        double[] x0 = {0.3, -0.7, 1.1}, t = {0.6, 1.3, -0.4};
        double[] g = m.grad(fn, "x").call(Tensor.of(new int[] {3}, x0.clone())).get(0).data();
        double dot = 0, size = 0;
        for (int i = 0; i < 3; i++) {
            dot += g[i] * t[i];
            size += Math.abs(g[i] * t[i]);
        }
        double tangent = m.jvp(fn, "x").call(Tensor.of(new int[] {3}, x0.clone()), Tensor.of(new int[] {3}, t.clone())).get(1).item();
        if (Math.abs(tangent - dot) <= 1e-12 * size + 1e-300) return null;
        return String.format(Locale.ROOT, "jvp(%s) along t gives %s, <grad(%s), t> gives %s", fn, tangent, fn, dot);
    }

    private static String check(Tx.Module m, String fn) {
        double[] x0 = {0.3, -0.7, 1.1};
        double[] g = m.grad(fn, "x").call(Tensor.of(new int[] {3}, x0.clone())).get(0).data();
        Tx.Function loss = m.function(fn);
        for (int i = 0; i < 3; i++) {
            double[] up = x0.clone(), down = x0.clone();
            up[i] += STEP;
            down[i] -= STEP;
            double fd = (loss.call(Tensor.of(new int[] {3}, up)).get(0).item() - loss.call(Tensor.of(new int[] {3}, down)).get(0).item()) / (2 * STEP);
            if (!(Math.abs(fd - g[i]) <= ATOL + RTOL * Math.abs(fd))) {
                return String.format(Locale.ROOT, "d %s / d x[%d]: autodiff %s, central difference %s", fn, i, g[i], fd);
            }
        }
        return null;
    }
}
