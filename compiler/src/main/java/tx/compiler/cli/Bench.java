package tx.compiler.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Var;
import tx.runtime.ir.Verifier;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx bench FILE --fn NAME [--wrt a,b] [--dims n=100] [--json]}: times a function and its
 * value-and-gradient on seeded random inputs of the declared shapes. Each is compiled once (lowered
 * and simplified), then run until its median settles: a warm-up of at least half a second and
 * until the JIT has compiled nothing for a quarter of a second, then rounds of runs until two
 * consecutive rounds' medians agree within 2% (at most 20 seconds each): the medians of those two rounds. The peak is the most tensor data held at once during one value-and-gradient run,
 * with every value dropped after its last use. Beside each wall-clock median it reports the median
 * CPU time of the calling thread over the same runs, which other processes on a shared machine
 * inflate far less than wall time (with {@code --threads 1} every kernel runs on that thread).
 */
final class Bench {
    /** The size a named dimension gets unless --dims says otherwise. */
    static final int DEFAULT_DIM = 100;

    private final PrintStream out, err;

    Bench(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Medians of one run, in milliseconds: wall-clock, and CPU time of the calling thread. */
    private record Timing(double wallMs, double cpuMs) {}

    /** A program ready to run: its inputs and outputs. */
    private record Compiled(Program program, List<Var> params, List<Var> results) {}

    int run(String fileName, String source, java.nio.file.Path baseDir, String fn, List<String> wrt, Map<String, Integer> dims, boolean json) {
        Diagnostics diags = new Diagnostics(fileName, source);
        Ast.Program ast = Parse.program(source, diags);
        Ast.FnDef def = null;
        if (ast != null) for (Ast.Stmt s : ast.body()) if (s instanceof Ast.FnDef f && f.name().equals(fn)) def = f;
        List<int[]> shapes = def == null ? List.of() : shapes(def, dims);
        Compiled function = ast == null || diags.hasErrors() ? null : compile(ast, diags, source, fn, null, wrt, shapes, baseDir);
        Compiled gradient = function == null ? null : compile(ast, diags, source, fn, "value_and_grad", wrt, shapes, baseDir);
        err.print(diags.render());
        if (gradient == null || diags.hasErrors()) return Main.COMPILE_ERROR;
        List<tx.runtime.ir.Stmt.Save> saves = new ArrayList<>(tx.runtime.ir.Blocks.saves(function.program().body()));
        saves.addAll(tx.runtime.ir.Blocks.saves(gradient.program().body()));
        Main.notWritten(err, "bench", fileName, saves);

        Map<Var, Tensor> fIn = new HashMap<>(), gIn = new HashMap<>();
        Random rng = new Random(20261127L);
        List<String> described = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            double[] data = new double[Math.toIntExact(tx.runtime.tensor.Shapes.numelExact(shapes.get(i)))];
            for (int k = 0; k < data.length; k++) data[k] = rng.nextGaussian();
            Tensor t = Tensor.of(shapes.get(i), data);
            fIn.put(function.params().get(i), t);
            gIn.put(gradient.params().get(i), t);
            described.add(def.params().get(i).name() + " " + tx.runtime.tensor.Shapes.show(shapes.get(i)));
        }
        warmUp(function, fIn); // both warmed before either is timed: the value-and-gradient runs the function's kernels too,
        warmUp(gradient, gIn); // and a function timed before they were compiled measured above its own gradient (CommandLineTest)
        warmUp(function, fIn);
        Interpreter.resetProfile(); // TX_PROFILE=1 counts the timed runs only
        Timing fT = time(function, fIn), gT = time(gradient, gIn);
        double fMs = fT.wallMs(), gMs = gT.wallMs();
        Interpreter.Stats[] stats = new Interpreter.Stats[1];
        Interpreter.evaluate(gradient.program(), gIn, gradient.results(), stats, RunOptions.NO_WRITES);
        long peak = stats[0].peakBytes();
        double ratio = gMs / fMs;

        List<String> wrtNames = new ArrayList<>();
        for (String w : wrt.isEmpty() ? List.of(def.params().get(0).name()) : wrt) wrtNames.add(w);
        out.println("tx bench: " + fn + " in " + fileName + ", gradient with respect to " + String.join(", ", wrtNames));
        out.println("  inputs:             " + String.join(", ", described) + " (seeded standard normal)");
        out.println("  function:           " + ms(fMs) + " (median; CPU " + ms(fT.cpuMs()) + ")");
        out.println("  value and gradient: " + ms(gMs) + " (median; CPU " + ms(gT.cpuMs()) + ")");
        out.println("  ratio:              " + String.format(Locale.ROOT, "%.2f", ratio));
        out.println("  peak tensor data:   " + tx.runtime.exec.RunOptions.bytes(peak) + " (value and gradient)");
        out.println("  runtime:            the tx interpreter, elementwise chains fused; " + (tx.runtime.kernels.Elementwise.vectorApi()
                ? "Vector API on (SIMD matmul, exp/log/sin/cos/tanh)" : "Vector API off (add --add-modules jdk.incubator.vector: the tx launcher does)")
                + (tx.runtime.kernels.LinAlg.nativeBlas() ? "; native BLAS for products (TX_BLAS=native)" : "; no BLAS"));
        out.println("  matmul:             " + tx.runtime.kernels.LinAlg.describe());
        out.println("  threads:            " + tx.runtime.kernels.Parallel.threads() + " (--threads N; the same bits for every N)");
        if (json) {
            out.println(String.format(Locale.ROOT, "{\"function_ms\": %.6f, \"gradient_ms\": %.6f, \"ratio\": %.4f, \"peak_bytes\": %d, "
                    + "\"function_cpu_ms\": %.6f, \"gradient_cpu_ms\": %.6f}", fMs, gMs, ratio, peak, fT.cpuMs(), gT.cpuMs()));
        }
        return Main.OK;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v < 1 ? "%.4f ms" : "%.2f ms", v);
    }

    private static List<int[]> shapes(Ast.FnDef def, Map<String, Integer> dims) {
        List<int[]> out = new ArrayList<>();
        for (Ast.Param p : def.params()) {
            int[] s = new int[p.shape().size()];
            for (int i = 0; i < s.length; i++) {
                Ast.Dim d = p.shape().get(i);
                s[i] = d.name() == null ? d.size() : dims.getOrDefault(d.name(), DEFAULT_DIM);
            }
            out.add(s);
        }
        return out;
    }

    private static Compiled compile(Ast.Program ast, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                    List<int[]> shapes, java.nio.file.Path baseDir) {
        Lowerer.Derived d = Lowerer.lowerApplied(ast, diags, source, fn, kind, wrt, shapes, baseDir);
        if (d == null) return null;
        Simplify.Rooted r = Simplify.run(d.program().body(), d.results());
        Program p = new Program(r.body(), Math.max(r.varCount(), d.program().varCount()), d.program().leafNames());
        Verifier.verify(p);
        // TX_DEBUG_IR=1: the program as a run executes it, its elementwise runs fused
        if (System.getenv("TX_DEBUG_IR") != null)
            System.err.print(tx.runtime.ir.IrPrinter.print(tx.runtime.ir.FusionPass.run(p, r.results())));
        return new Compiled(p, d.params(), r.results());
    }

    /**
     * The median time of one run, in milliseconds, and the median CPU time of this thread over the
     * same runs: those of the first two consecutive rounds whose wall-clock medians agree within 2%
     * (or of the last two rounds, at the deadline). NOTE: each round's median is its own; the
     * samples of all rounds pooled kept the runs before the JIT had compiled the kernels (on a
     * loaded machine a compile can outlast the warm-up's quiet quarter second): ADBench's GMM
     * measured 8.7 ms of CPU where its rounds settled at 6.5.
     */
    private static Timing time(Compiled c, Map<Var, Tensor> inputs) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Double> samples = new ArrayList<>(), cpuSamples = new ArrayList<>(), before = List.of(), cpuBefore = List.of();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            long roundEnd = System.nanoTime() + 200_000_000L;
            while (samples.size() < 5 || System.nanoTime() < roundEnd) {
                long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                Interpreter.evaluate(c.program(), inputs, c.results(), null, RunOptions.NO_WRITES);
                samples.add((System.nanoTime() - t0) / 1e6);
                cpuSamples.add((cpu.getCurrentThreadCpuTime() - c0) / 1e6);
            }
            double median = median(samples), previous = before.isEmpty() ? Double.NaN : median(before);
            if (Math.abs(median - previous) <= 0.02 * median || System.nanoTime() > deadline) {
                samples.addAll(before);
                cpuSamples.addAll(cpuBefore);
                return new Timing(median(samples), median(cpuSamples));
            }
            before = samples;
            cpuBefore = cpuSamples;
            samples = new ArrayList<>();
            cpuSamples = new ArrayList<>();
        }
    }

    /**
     * Runs the program for at least half a second and five runs, and then until the JIT has compiled
     * nothing for a quarter of a second and is compiling none of tx's methods nor the Vector API's
     * (at most 20 seconds in all). NOTE: on a loaded machine the
     * JIT can take seconds to compile a kernel; a median taken before then is steady but is the
     * interpreted code's (an exp over 25,000 elements measured 6 ms instead of 0.08 ms).
     */
    private static void warmUp(Compiled c, Map<Var, Tensor> inputs) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), quietSince = start, deadline = start + 20_000_000_000L;
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        for (int warm = 0; ; warm++) {
            long now = System.nanoTime();
            if (timed && jit.getTotalCompilationTime() != compiled) {
                compiled = jit.getTotalCompilationTime();
                quietSince = now;
            }
            boolean settled = now - start >= 500_000_000L && warm >= 5 && (!timed || now - quietSince >= 250_000_000L) && !compilingKernels();
            if (settled || now > deadline) return;
            Interpreter.evaluate(c.program(), inputs, c.results(), null, RunOptions.NO_WRITES);
        }
    }

    /**
     * Whether HotSpot is compiling, or has queued, a method of tx or of the Vector API (its
     * {@code Compiler.queue} diagnostic command; false where the JVM has none). NOTE: the quiet
     * quarter second alone ended warm-ups while C2 spent seconds of a loaded machine on exp's lanes
     * (attention's softmax ran on the unintrinsified Vector API for 12 s of a 22 s measurement).
     */
    private static boolean compilingKernels() {
        try {
            Object queue = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            String q = String.valueOf(queue);
            return q.contains(" tx.") || q.contains("jdk.incubator.vector");
        } catch (Exception | LinkageError e) { // no such command in this JVM: the quiet quarter second decides
            return false;
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** {@code n=100,m=5} as a map (insertion order). */
    static Map<String, Integer> parseDims(String v) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String part : v.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2 || !kv[0].trim().matches("[A-Za-z_][A-Za-z0-9_]*")) return null;
            try {
                int n = Integer.parseInt(kv[1].trim());
                if (n < 0) return null;
                out.put(kv[0].trim(), n);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }
}
