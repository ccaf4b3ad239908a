package tx.compiler.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import tx.compiler.Compiler;
import tx.compiler.syntax.Diagnostic;
import tx.compiler.syntax.Span;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;
import tx.runtime.exec.TxRuntimeException;
import tx.runtime.io.ControlChars;
import tx.runtime.ir.IrPrinter;
import tx.runtime.kernels.Limits;

/**
 * The {@code tx} command. Exit statuses: 0 success, 1 compile error, 2 usage error, 3 run-time
 * error or failed check. Nothing reaches the user as a Java stack trace.
 */
public final class Main {
    public static final int OK = 0, COMPILE_ERROR = 1, USAGE = 2, RUNTIME_ERROR = 3;

    private static final String USAGE_TEXT = """
            usage: tx <command> ...

            commands:
              run FILE.tx [options]  compile the script, then run it
                  --detect-anomaly   stop at the first operation, forward or backward, that makes a nan or inf
                  --timeout SECONDS  stop compiling and running after this long (exit 3)
                  --max-memory SIZE  refuse to hold more tensor data than this at once, e.g. 512M or 2G, or to
                                     compile an IR estimated larger (exit 3)
                  --threads N        threads for large products and elementwise operations (default: the
                                     processors; the results are the same bits for every N)
              check FILE.tx [--timeout SECONDS] [--max-memory SIZE] [--threads N]
                                     run every `check` in the file, and check the gradient of every function
                                     with a scalar result against finite differences (exit 3 on a failure)
              grad FILE.tx --fn NAME [--wrt a,b] [--mode reverse|forward] [--emit tx|java|dot] [-o OUT] [--timeout SECONDS] [--max-memory SIZE]
                                     write the gradient of function NAME (with respect to its first parameter,
                                     or the --wrt ones) as tx source (NAME_grad), a Java class, or a Graphviz graph;
                                     --mode forward writes its tangent NAME_jvp (the arguments and their tangents in,
                                     the value and its tangent out)
              bench FILE.tx --fn NAME [--wrt a,b] [--dims n=100] [--json] [--threads N]
                                     time the function and its value and gradient on seeded random inputs
                                     (named dimensions are 100 unless --dims says otherwise)
              ir FILE.tx [--fused] [--timeout SECONDS] [--max-memory SIZE]
                                     compile the script and print its IR, adjoint equations included
                                     (--fused: as a run executes it, its elementwise runs fused)
              plan FILE.tx [--max-memory SIZE] [--timeout SECONDS]
                                     for each backward and transform: the tape, the peak memory of its reversal,
                                     the recompute factor and each loop's checkpoint schedule, decided at compile
                                     time without running anything (--max-memory: the schedules that fit; exit 1
                                     if none does)
              explain CODE           explain an error code, e.g. `tx explain E0301`
              help                   show this message

            exit status: 0 ok, 1 compile error, 2 usage error, 3 run-time error, failed check, or a limit
            (--timeout, --max-memory, or the memory Java may use) hit while compiling or running
            """;

    private final PrintStream out, err;

    public Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int[] status = {0};
        // A big stack for deeply nested input; a StackOverflowError is still caught below.
        Thread t = new Thread(null, () -> {
            try {
                status[0] = new Main(System.out, System.err).run(args);
            } catch (Throwable e) { // the last line of defence: one line, never a stack trace
                System.out.flush();
                System.err.println("error: internal error in tx: " + ControlChars.escape(String.valueOf(e)));
                status[0] = RUNTIME_ERROR;
            }
        }, "tx", 1L << 29);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status[0] = RUNTIME_ERROR;
        }
        System.out.flush();
        System.exit(status[0]);
    }

    /** A usage error: the message, and exit status 2. */
    private static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    public int run(String[] args) {
        try {
            return dispatch(args);
        } catch (UsageError e) {
            err.println("tx: " + ControlChars.escape(e.getMessage()));
            err.println("run `tx help` for the commands and options");
            return USAGE;
        }
    }

    private int dispatch(String[] args) throws UsageError {
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        String cmd = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        if (List.of("run", "check", "bench").contains(cmd)) rest = threadsOption(rest);
        switch (cmd) {
            case "run":
                return runCommand(rest);
            case "ir": {
                boolean fused = rest.contains("--fused");
                List<String> others = rest.stream().filter(a -> !a.equals("--fused")).toList();
                return withLimits("ir", others, (file, limits) -> printIr(file, fused));
            }
            case "explain":
                if (rest.size() != 1) throw new UsageError("`tx explain` takes one error code, e.g. `tx explain E0301`");
                return explain(rest.get(0));
            case "check":
                return withLimits("check", rest, (file, limits) -> checkCommand(file, limits));
            case "plan":
                return withLimits("plan", rest, (file, limits) -> planCommand(file, limits));
            case "grad":
                return gradCommand(rest);
            case "bench":
                return benchCommand(rest);
            default:
                throw new UsageError("unknown command `" + cmd + "`");
        }
    }

    /**
     * {@code tx check FILE}: every `check` in the file, and the gradient of every function with a
     * scalar result against finite differences, one table row each; exit 3 if any fails.
     */
    private int checkCommand(Path file, Limits limits) {
        Compiled c = compileFile(file, true);
        if (c.result() == null) return c.status();
        if (c.result().program().body().stream().noneMatch(s -> s instanceof tx.runtime.ir.Stmt.CheckReport)) {
            out.println("tx check: " + file.getFileName() + " has no `check` and no function with a scalar result");
            return OK;
        }
        notWritten(err, "check", displayName(file), tx.runtime.ir.Blocks.saves(c.result().program().body()));
        return execute(c.result(), file, new RunOptions(false, limits.timeoutMillis(), limits.maxBytes(), true, false)); // tx check never writes
    }

    /** {@code tx plan FILE}: what each backward and transform will store and recompute, from compiling alone. */
    private int planCommand(Path file, Limits limits) {
        Compiled[] c = new Compiled[1];
        List<tx.compiler.ad.Plan.Entry> entries = tx.compiler.ad.Plan.collect(() -> c[0] = compileFile(file, false));
        if (c[0].result() == null) return c[0].status();
        out.print(PlanReport.render(displayName(file), entries, limits.maxBytes()));
        return OK;
    }

    /**
     * A command that takes one FILE.tx and the limits {@code --timeout SECONDS} and {@code --max-memory
     * SIZE}, which bound compiling as well as running: the command runs under them (see {@link Limits}).
     */
    private int withLimits(String cmd, List<String> args, java.util.function.BiFunction<Path, Limits, Integer> body) throws UsageError {
        String file = null;
        long[] limits = new long[2];
        for (int i = 0; i < args.size(); i++) {
            if (!limitOption(args, i, limits)) file = fileArgument(cmd, "--", file, args.get(i));
            else i++;
        }
        if (file == null) throw new UsageError("`tx " + cmd + "` takes one FILE.tx");
        Path path = Path.of(file);
        Limits l = Limits.of(limits[0], limits[1]);
        return l.apply(() -> body.apply(path, l));
    }

    /** Reads {@code --timeout S} or {@code --max-memory SIZE} at {@code args[i]} into {@code limits} (ms, bytes); false if it is neither. */
    private static boolean limitOption(List<String> args, int i, long[] limits) throws UsageError {
        switch (args.get(i)) {
            case "--timeout" -> limits[0] = seconds(value(args, i + 1, "--timeout"));
            case "--max-memory" -> limits[1] = size(value(args, i + 1, "--max-memory"));
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * `tx check` and `tx bench` run a file's functions but never write a file (a save there would
     * replace the user's data with a test input): each save they skip is named, once.
     */
    static void notWritten(PrintStream err, String command, String fileName, List<tx.runtime.ir.Stmt.Save> saves) {
        java.util.Set<String> said = new java.util.HashSet<>();
        for (tx.runtime.ir.Stmt.Save s : saves) {
            String line = "note: tx " + command + " does not write `" + ControlChars.escape(s.path()) + "` (the save at " + ControlChars.escape(fileName) + ":" + s.origin().line()
                    + ":" + s.origin().col() + "): it never writes a file";
            if (said.add(line)) err.println(line);
        }
    }

    /** {@code tx bench FILE --fn NAME [--wrt a,b] [--dims n=100] [--json]}. */
    private int benchCommand(List<String> args) throws UsageError {
        String file = null, fn = null;
        List<String> wrt = List.of();
        java.util.Map<String, Integer> dims = java.util.Map.of();
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--fn" -> fn = value(args, ++i, a);
                case "--wrt" -> wrt = names(value(args, ++i, a));
                case "--dims" -> {
                    String v = value(args, ++i, a);
                    dims = Bench.parseDims(v);
                    if (dims == null) throw new UsageError("`--dims` takes sizes of named dimensions, e.g. `--dims n=1000,m=3`, got `" + v + "`");
                }
                case "--json" -> json = true;
                default -> file = fileArgument("bench", "-", file, a);
            }
        }
        if (file == null) throw new UsageError("`tx bench` needs a FILE.tx");
        if (fn == null) throw new UsageError("`tx bench` needs `--fn NAME`, the function to time");
        Path path = Path.of(file);
        Read read = read(path);
        if (read.text() == null) return read.status();
        String source = read.text(), name = displayName(path);
        try {
            return new Bench(out, err).run(name, source, path.toAbsolutePath().getParent(), fn, wrt, dims, json);
        } catch (tx.runtime.exec.TxRuntimeException e) {
            err.println("error: " + shown(file) + ": running `" + ControlChars.escape(fn) + "` failed: " + ControlChars.escape(e.getMessage()));
            return RUNTIME_ERROR;
        } catch (tx.runtime.ir.CompileLimit e) { // without --max-memory: half the JVM's heap
            err.println("error[E0503]: " + shown(file) + ": compiling `" + ControlChars.escape(fn) + "` stopped: " + ControlChars.escape(e.getMessage()) + " (TX_JAVA_OPTS=-Xmx... gives Java more)");
            return RUNTIME_ERROR;
        } catch (OutOfMemoryError e) {
            err.println("error: " + shown(file) + ": ran out of memory (TX_JAVA_OPTS=-Xmx... gives Java more)");
            return RUNTIME_ERROR;
        } catch (RuntimeException | StackOverflowError e) {
            err.println("error: internal error while timing `" + ControlChars.escape(fn) + "` in " + shown(file) + ": " + ControlChars.escape(String.valueOf(e)));
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return RUNTIME_ERROR;
        }
    }

    /** The one FILE.tx argument of a command: refuses an unknown option (what starts with {@code optionPrefix}) or a second file. */
    private static String fileArgument(String cmd, String optionPrefix, String file, String a) throws UsageError {
        if (a.startsWith(optionPrefix)) throw new UsageError("unknown option `" + a + "`");
        if (file != null) throw new UsageError("`tx " + cmd + "` takes one FILE.tx, got `" + file + "` and `" + a + "`");
        return a;
    }

    /** A file's name as diagnostics show it. */
    private static String displayName(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /** {@code a,b} as parameter names. */
    private static List<String> names(String v) throws UsageError {
        List<String> out = List.of(v.split(",", -1)).stream().map(String::trim).toList();
        for (String w : out) if (!w.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new UsageError("`--wrt` takes parameter names separated by commas, e.g. `--wrt w,b`");
        return out;
    }

    /** {@code tx grad FILE --fn NAME [--wrt a,b] [--emit tx|java|dot] [-o OUT]}. */
    private int gradCommand(List<String> args) throws UsageError {
        String file = null, fn = null, output = null;
        List<String> wrt = List.of();
        Compiler.Emit emit = Compiler.Emit.TX;
        Compiler.Mode mode = Compiler.Mode.REVERSE;
        long[] limits = new long[2];
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (limitOption(args, i, limits)) {
                i++;
                continue;
            }
            switch (a) {
                case "--fn" -> fn = value(args, ++i, a);
                case "--wrt" -> wrt = names(value(args, ++i, a));
                case "--emit" -> {
                    String v = value(args, ++i, a);
                    emit = switch (v) {
                        case "tx" -> Compiler.Emit.TX;
                        case "java" -> Compiler.Emit.JAVA;
                        case "dot" -> Compiler.Emit.DOT;
                        default -> throw new UsageError("`--emit` takes tx, java or dot, got `" + v + "`");
                    };
                }
                case "--mode" -> {
                    String v = value(args, ++i, a);
                    mode = switch (v) {
                        case "reverse" -> Compiler.Mode.REVERSE;
                        case "forward" -> Compiler.Mode.FORWARD;
                        default -> throw new UsageError("`--mode` takes reverse or forward, got `" + ControlChars.escape(v) + "`");
                    };
                }
                case "-o", "--output" -> output = value(args, ++i, a);
                default -> file = fileArgument("grad", "-", file, a);
            }
        }
        if (file == null) throw new UsageError("`tx grad` needs a FILE.tx");
        if (fn == null) throw new UsageError("`tx grad` needs `--fn NAME`, the function to differentiate");
        Path path = Path.of(file);
        if (output != null && tx.runtime.io.FilePaths.sameFile(Path.of(output), path)) {
            throw new UsageError("`-o " + ControlChars.escape(output) + "` is the input file " + ControlChars.escape(file) + "; tx grad never overwrites its input");
        }
        Read read = read(path);
        if (read.text() == null) return read.status();
        String source = read.text(), name = displayName(path);
        Compiler.Emitted r;
        try {
            String f = fn;
            List<String> w = wrt;
            Compiler.Emit how = emit;
            Compiler.Mode m = mode;
            r = Limits.of(limits[0], limits[1]).apply(() -> Compiler.grad(name, source, f, w, how, path.toAbsolutePath().getParent(), m));
        } catch (StackOverflowError e) {
            err.println("error: " + shown(file) + ": the program is nested too deeply for tx to compile");
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return COMPILE_ERROR;
        } catch (RuntimeException e) {
            err.println("error: internal compiler error while differentiating `" + ControlChars.escape(fn) + "` in " + shown(file) + ": " + ControlChars.escape(String.valueOf(e)));
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return COMPILE_ERROR;
        }
        err.print(r.diagnostics().render());
        if (r.text() == null) return r.limited() ? RUNTIME_ERROR : COMPILE_ERROR;
        if (output == null) {
            out.print(r.text());
            return OK;
        }
        try {
            String text = r.text();
            tx.runtime.io.AtomicFile.write(Path.of(output), o -> o.write(text.getBytes(StandardCharsets.UTF_8))); // as save: never a cut file
        } catch (IOException | RuntimeException e) {
            err.println("tx: cannot write " + ControlChars.escape(output) + ": " + ControlChars.escape(e.getMessage()));
            return USAGE;
        }
        return OK;
    }

    /** {@code tx run FILE [--detect-anomaly] [--timeout S] [--max-memory SIZE]}, options before or after the file. */
    private int runCommand(List<String> args) throws UsageError {
        String file = null;
        boolean anomaly = false;
        long timeout = 0, memory = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--detect-anomaly" -> anomaly = true;
                case "--timeout" -> timeout = seconds(value(args, ++i, a));
                case "--max-memory" -> memory = size(value(args, ++i, a));
                default -> file = fileArgument("run", "--", file, a);
            }
        }
        if (file == null) throw new UsageError("`tx run` needs a FILE.tx");
        RunOptions options = new RunOptions(anomaly, timeout, memory);
        Path path = Path.of(file);
        return Limits.of(timeout, memory).apply(() -> compileAndRun(path, options)); // compiling counts against them too
    }

    /**
     * Takes {@code --threads N} out of a command's arguments, setting how many threads the kernels
     * use ({@link tx.runtime.kernels.Parallel}; the results do not depend on it); the rest is returned.
     */
    private static List<String> threadsOption(List<String> args) throws UsageError {
        List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).equals("--threads")) {
                rest.add(args.get(i));
                continue;
            }
            String v = value(args, ++i, "--threads");
            int n;
            try {
                n = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > 1024) throw new UsageError("`--threads` takes a number of threads from 1 to 1024, got `" + v + "`");
            tx.runtime.kernels.Parallel.setThreads(n);
        }
        return rest;
    }

    private static String value(List<String> args, int i, String option) throws UsageError {
        if (i >= args.size()) throw new UsageError("`" + option + "` needs a value");
        return args.get(i);
    }

    private static long seconds(String v) throws UsageError {
        try {
            double s = Double.parseDouble(v);
            if (s > 0 && s < 1e9) return Math.max(1, (long) (s * 1000));
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageError("`--timeout` takes a positive number of seconds, got `" + v + "`");
    }

    /** 1024, 512K, 64M, 2G (powers of 1024). */
    private static long size(String v) throws UsageError {
        String s = v.trim().toUpperCase();
        long unit = 1;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        if (last == 'K' || last == 'M' || last == 'G' || last == 'T') {
            unit = 1L << (10 * ("KMGT".indexOf(last) + 1));
            s = s.substring(0, s.length() - 1);
        }
        try {
            double n = Double.parseDouble(s);
            if (n > 0 && n * unit < 9e18) return (long) (n * unit);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageError("`--max-memory` takes a size such as 512M or 2G, got `" + v + "`");
    }

    /** Prints the catalogue entry of an error code (docs/errors.md, bundled in the jar). */
    private int explain(String code) throws UsageError {
        String catalogue;
        try (var in = Main.class.getResourceAsStream("/tx/docs/errors.md")) {
            if (in == null) throw new UsageError("the error catalogue is missing from this build");
            catalogue = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageError("cannot read the error catalogue: " + e.getMessage());
        }
        String entry = Explain.entry(catalogue, code.trim().toUpperCase());
        if (entry == null) throw new UsageError("no error code `" + code + "`; docs/errors.md lists them all");
        out.print(entry);
        return OK;
    }

    private int compileAndRun(Path file, RunOptions options) {
        Compiled c = compileFile(file, false);
        if (c.result() == null) return c.status();
        return execute(c.result(), file, options);
    }

    /**
     * {@code tx ir FILE}: the compiled program's IR; with {@code --fused}, after the fusion pass a
     * run applies (see {@link tx.runtime.ir.FusionPass}), verified as every pass's output is.
     */
    private int printIr(Path file, boolean fused) {
        Compiled c = compileFile(file, false);
        if (c.result() == null) return c.status();
        tx.runtime.ir.Program p = c.result().program();
        if (fused) {
            p = tx.runtime.ir.FusionPass.run(p, List.of());
            tx.runtime.ir.Verifier.verify(p);
        }
        out.print(IrPrinter.print(p));
        return OK;
    }

    /** A compiled file ready to run, or (result null) the exit status of why it is not. */
    private record Compiled(Compiler.Result result, int status) {}

    /** Reads and compiles a file (as a script, or for `tx check`), printing its diagnostics. */
    private Compiled compileFile(Path file, boolean checks) {
        Read read = read(file);
        if (read.text() == null) return new Compiled(null, read.status());
        String source = read.text(), name = displayName(file);
        Compiler.Result r;
        try {
            Path dir = file.toAbsolutePath().getParent(); // load and save paths are relative to the file's folder
            r = checks ? Compiler.compileChecks(name, source, dir, file) : Compiler.compile(name, source, dir, file);
        } catch (StackOverflowError e) {
            err.println("error: " + shown(file) + ": the program is nested too deeply for tx to compile");
            return new Compiled(null, COMPILE_ERROR);
        } catch (OutOfMemoryError e) {
            err.println("error: " + shown(file) + ": compiling it ran out of memory (the JVM may use "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");
            return new Compiled(null, COMPILE_ERROR);
        } catch (RuntimeException e) {
            err.println("error: internal compiler error while compiling " + shown(file) + ": " + ControlChars.escape(String.valueOf(e)));
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return new Compiled(null, COMPILE_ERROR);
        }
        err.print(r.diagnostics().render());
        return r.program() == null ? new Compiled(null, r.limited() ? RUNTIME_ERROR : COMPILE_ERROR) : new Compiled(r, OK);
    }

    /** The error code of each kind of run-time failure (docs/errors.md). */
    private static String code(TxRuntimeException.Kind kind) {
        return switch (kind) {
            case ASSERTION -> "E0501";
            case ANOMALY -> "E0502";
            case MEMORY -> "E0503";
            case TIMEOUT -> "E0504";
            case CHECK -> "E0505";
            case FILE -> "E0506";
            case INDEX -> "E0507";
            case LINALG -> "E0508";
            case SIZE -> "E0509";
        };
    }

    private int execute(Compiler.Result r, Path file, RunOptions options) {
        try {
            Interpreter.run(r.program(), out, options);
            return OK;
        } catch (TxRuntimeException e) {
            out.flush();
            var o = e.origin();
            Span span = new Span(o.line(), o.col(), o.line(), o.endCol());
            err.print(r.diagnostics().render(new Diagnostic(Diagnostic.Severity.ERROR, code(e.kind()), e.getMessage(), span, null, e.detail())));
            return RUNTIME_ERROR;
        } catch (OutOfMemoryError e) {
            out.flush();
            err.println("error: " + shown(file) + ": ran out of memory (the JVM may use " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB; TX_JAVA_OPTS=-Xmx... gives it more)");
            return RUNTIME_ERROR;
        } catch (StackOverflowError | RuntimeException e) {
            out.flush();
            err.println("error: internal error while running " + shown(file) + ": " + ControlChars.escape(String.valueOf(e)));
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return RUNTIME_ERROR;
        }
    }

    /** A path as messages show it: control characters escaped (see {@link ControlChars}). */
    private static String shown(Path file) {
        return ControlChars.escape(file.toString());
    }

    private static String shown(String file) {
        return ControlChars.escape(file);
    }

    /** A source file's text, or (text null) the exit status after saying why there is none. */
    private record Read(String text, int status) {}

    /** The file as UTF-8 text; a file that is not UTF-8 is a compile error located at its first bad byte (E0004). */
    private Read read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            err.println("tx: no such file: " + shown(file));
            return new Read(null, USAGE);
        } catch (IOException | SecurityException e) {
            err.println("tx: cannot read " + shown(file) + ": " + ControlChars.escape(e.getMessage()));
            return new Read(null, USAGE);
        }
        tx.compiler.syntax.SourceText source = tx.compiler.syntax.SourceText.decode(bytes);
        tx.compiler.syntax.Diagnostics diags = new tx.compiler.syntax.Diagnostics(displayName(file), source.text());
        if (source.report(diags)) {
            err.print(diags.render());
            return new Read(null, COMPILE_ERROR);
        }
        return new Read(source.text(), OK);
    }
}
