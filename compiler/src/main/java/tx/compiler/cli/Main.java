package tx.compiler.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import tx.compiler.Compiler;
import tx.compiler.syntax.Diagnostic;
import tx.compiler.syntax.Span;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.TxRuntimeException;
import tx.runtime.ir.IrPrinter;

/**
 * The {@code tx} command. Exit statuses: 0 success, 1 compile error, 2 usage error, 3 run-time
 * error or failed check. Nothing reaches the user as a Java stack trace.
 */
public final class Main {
    public static final int OK = 0, COMPILE_ERROR = 1, USAGE = 2, RUNTIME_ERROR = 3;

    private static final String USAGE_TEXT = """
            usage: tx <command> FILE.tx [options]

            commands:
              run FILE.tx     compile the script, then run it
              ir FILE.tx      compile the script and print its IR, adjoint equations included
              help            show this message

            exit status: 0 ok, 1 compile error, 2 usage error, 3 run-time error or failed check
            (grad, check and bench arrive with functions; see the README)
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
                System.err.println("error: internal error in tx: " + e);
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

    public int run(String[] args) {
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        String cmd = args[0];
        if (List.of("grad", "check", "bench").contains(cmd)) {
            err.println("tx " + cmd + ": not available in this version of tx yet (it comes with functions)");
            return USAGE;
        }
        if (!cmd.equals("run") && !cmd.equals("ir")) {
            err.println("tx: unknown command `" + cmd + "`\n" + USAGE_TEXT);
            return USAGE;
        }
        if (args.length != 2) {
            err.println("tx " + cmd + ": expected exactly one FILE.tx\n" + USAGE_TEXT);
            return USAGE;
        }
        return compileAndRun(Path.of(args[1]), cmd.equals("ir"));
    }

    private int compileAndRun(Path file, boolean irOnly) {
        String source = read(file);
        if (source == null) return USAGE;
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        Compiler.Result r;
        try {
            r = Compiler.compile(name, source);
        } catch (StackOverflowError e) {
            err.println("error: " + file + ": the program is nested too deeply for tx to compile");
            return COMPILE_ERROR;
        } catch (OutOfMemoryError e) {
            err.println("error: " + file + ": compiling it ran out of memory (the JVM may use "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");
            return COMPILE_ERROR;
        } catch (RuntimeException e) {
            err.println("error: internal compiler error while compiling " + file + ": " + e);
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return COMPILE_ERROR;
        }
        err.print(r.diagnostics().render());
        if (r.program() == null) return COMPILE_ERROR;
        if (irOnly) {
            out.print(IrPrinter.print(r.program()));
            return OK;
        }
        return execute(r, file, name);
    }

    private int execute(Compiler.Result r, Path file, String name) {
        try {
            Interpreter.run(r.program(), out);
            return OK;
        } catch (TxRuntimeException e) {
            out.flush();
            var o = e.origin();
            Span span = new Span(o.line(), o.col(), o.line(), o.endCol());
            err.print(r.diagnostics().render(new Diagnostic(Diagnostic.Severity.ERROR, "E0501", e.getMessage(), span, null, e.detail())));
            return RUNTIME_ERROR;
        } catch (OutOfMemoryError e) {
            out.flush();
            err.println("error: " + file + ": ran out of memory (the JVM may use " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");
            return RUNTIME_ERROR;
        } catch (StackOverflowError | RuntimeException e) {
            out.flush();
            err.println("error: internal error while running " + file + ": " + e);
            if (System.getenv("TX_DEBUG") != null) e.printStackTrace(err);
            return RUNTIME_ERROR;
        }
    }

    /** The file as UTF-8 text, or null after saying why it cannot be read. */
    private String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            err.println("tx: no such file: " + file);
            return null;
        } catch (IOException | SecurityException e) {
            err.println("tx: cannot read " + file + ": " + e.getMessage());
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            err.println("tx: " + file + " is not valid UTF-8 text");
            return null;
        }
    }
}
