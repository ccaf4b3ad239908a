package tx.compiler.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tx.compiler.Compiler;
import tx.compiler.emit.Derivation;
import tx.compiler.emit.TxEmitter;
import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;

/**
 * How compile time grows with program size (bench/compile_scaling.sh runs it): scripts of N
 * statements {@code h = tanh(h * 0.5 + 0.1) + x} ending in a backward, and the same chain as a
 * function written out by {@code tx grad}. Each phase is timed on a warm JVM (the median of five
 * runs after two warm-up runs); the exponent k of time ~ N^k is fitted between the smallest and the
 * largest N. Usage: {@code CompileScaling N...}.
 */
public final class CompileScaling {
    private CompileScaling() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--calls")) {
            callTrees(args);
            return;
        }
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) sizes.add(Integer.parseInt(a));
        if (sizes.isEmpty()) sizes = List.of(1000, 10000, 100000);
        System.out.println("| statements | parse ms | check + lower + AD ms | simplify ms | tx grad (emit .tx) ms | whole compile ms | IR equations |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        double[][] rows = new double[sizes.size()][];
        for (int i = 0; i < sizes.size(); i++) {
            rows[i] = measure(sizes.get(i));
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |%n", sizes.get(i), rows[i][0], rows[i][1], rows[i][2], rows[i][3],
                    rows[i][4], rows[i][5]);
        }
        if (sizes.size() > 1) {
            int a = 0, b = sizes.size() - 1;
            double span = Math.log((double) sizes.get(b) / sizes.get(a));
            String[] names = {"parse", "check + lower + AD", "simplify", "tx grad", "whole compile", "IR equations"};
            StringBuilder sb = new StringBuilder("exponents (time ~ N^k, from N = " + sizes.get(a) + " to " + sizes.get(b) + "):");
            for (int p = 0; p < names.length; p++) sb.append(String.format(Locale.ROOT, " %s %.2f;", names[p], Math.log(rows[b][p] / rows[a][p]) / span));
            System.out.println(sb);
        }
    }

    static String script(int n) {
        StringBuilder sb = new StringBuilder("x = randn(4, seed=1, requires_grad=true)\nh = x\n");
        for (int i = 0; i < n; i++) sb.append("h = tanh(h * 0.5 + 0.1) + x\n");
        return sb.append("loss = sum(h)\nloss.backward()\nprint(x.grad)\n").toString();
    }

    /**
     * Call trees: L + 1 functions, each calling the one below twice (2^L calls if inlined), then a
     * backward through the top one. Prints the compile time (check, lower, AD, simplify, verify)
     * and the program's size: equations and calls, each function's body counted once.
     */
    private static void callTrees(String[] args) {
        List<Integer> levels = new ArrayList<>();
        for (int i = 1; i < args.length; i++) levels.add(Integer.parseInt(args[i]));
        if (levels.isEmpty()) levels = List.of(10, 20, 40, 80);
        System.out.println("| levels | functions in the source | calls in the source | whole compile ms | IR functions | IR equations and calls | tx grad over x: [n] ms | lines written |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int l : levels) {
            String script = callTree(l);
            double[] ms = new double[5];
            Program p = null;
            for (int r = -2; r < 5; r++) {
                long t0 = System.nanoTime();
                Compiler.Result whole = Compiler.compile("tree.tx", script);
                long t1 = System.nanoTime();
                if (whole.program() == null) throw new IllegalStateException(whole.diagnostics().render());
                p = whole.program();
                if (r >= 0) ms[r] = (t1 - t0) / 1e6;
            }
            java.util.Arrays.sort(ms);
            List<tx.runtime.ir.Func> fns = tx.runtime.ir.Blocks.functions(p.body());
            long size = Simplify.countEqns(p.body());
            for (tx.runtime.ir.Func f : fns) size += Simplify.countEqns(f.body());
            String named = namedTree(l);
            double[] grad = new double[5];
            String text = null;
            for (int r = -2; r < 5; r++) {
                long t0 = System.nanoTime();
                Compiler.Emitted e = Compiler.grad("tree.tx", named, "top", List.of(), Compiler.Emit.TX);
                long t1 = System.nanoTime();
                if (e.text() == null) throw new IllegalStateException(e.diagnostics().render());
                text = e.text();
                if (r >= 0) grad[r] = (t1 - t0) / 1e6;
            }
            java.util.Arrays.sort(grad);
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %d | %d | %.1f | %d |%n", l, l + 1, 2 * l + 1, ms[2], fns.size(), size, grad[2], text.lines().count());
        }
    }

    static String callTree(int levels) {
        StringBuilder sb = new StringBuilder("fn f0(x: [4]) -> [4] { return sin(x) }\n");
        for (int i = 1; i <= levels; i++) sb.append("fn f" + i + "(x: [4]) -> [4] { return f" + (i - 1) + "(x) + f" + (i - 1) + "(x * 0.5) }\n");
        return sb.append("x = randn(4, seed=1, requires_grad=true)\ny = sum(f" + levels + "(x))\ny.backward()\nprint(x.grad)\n").toString();
    }

    /** The same tree over x: [n], differentiated by `tx grad` (its three sample lowerings included). */
    static String namedTree(int levels) {
        StringBuilder sb = new StringBuilder("fn f0(x: [n]) -> [n] { return sin(x) }\n");
        for (int i = 1; i <= levels; i++) sb.append("fn f" + i + "(x: [n]) -> [n] { return f" + (i - 1) + "(x) + f" + (i - 1) + "(x * 0.5) }\n");
        return sb.append("fn top(x: [n]) -> [] { return sum(f" + levels + "(x)) }\n").toString();
    }

    static String function(int n) {
        StringBuilder sb = new StringBuilder("fn f(x: [4]) -> [] {\n    h = x\n");
        for (int i = 0; i < n; i++) sb.append("    h = tanh(h * 0.5 + 0.1) + x\n");
        return sb.append("    return sum(h)\n}\n").toString();
    }

    /** parse, lower, simplify, emit, whole compile (ms), and the simplified program's equation count. */
    private static double[] measure(int n) {
        String script = script(n), fn = function(n);
        double[][] runs = new double[5][];
        for (int r = -2; r < 5; r++) {
            double[] t = new double[6];
            long t0 = System.nanoTime();
            Diagnostics d = new Diagnostics("s.tx", script);
            Ast.Program ast = Parse.program(script, d);
            long t1 = System.nanoTime();
            Program p = Lowerer.lower(ast, d, script);
            long t2 = System.nanoTime();
            Program s = Simplify.run(p);
            long t3 = System.nanoTime();
            Diagnostics fd = new Diagnostics("f.tx", fn);
            Derivation der = Derivation.derive(Parse.program(fn, fd), fd, fn, "f", List.of());
            String text = TxEmitter.emit(der, "f.tx");
            long t4 = System.nanoTime();
            Compiler.Result whole = Compiler.compile("s.tx", script);
            long t5 = System.nanoTime();
            if (whole.program() == null || text.isEmpty()) throw new IllegalStateException(whole.diagnostics().render());
            t[0] = (t1 - t0) / 1e6;
            t[1] = (t2 - t1) / 1e6;
            t[2] = (t3 - t2) / 1e6;
            t[3] = (t4 - t3) / 1e6;
            t[4] = (t5 - t4) / 1e6;
            t[5] = Simplify.countEqns(s.body());
            if (r >= 0) runs[r] = t;
        }
        double[] median = new double[6];
        for (int p = 0; p < 6; p++) {
            double[] v = new double[5];
            for (int r = 0; r < 5; r++) v[r] = runs[r][p];
            java.util.Arrays.sort(v);
            median[p] = v[2];
        }
        return median;
    }
}
