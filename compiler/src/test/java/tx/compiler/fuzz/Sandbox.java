package tx.compiler.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tx.compiler.Compiler;
import tx.compiler.syntax.Diagnostic;
import tx.runtime.exec.Interpreter;
import tx.runtime.exec.RunOptions;
import tx.runtime.exec.TxRuntimeException;
import tx.runtime.ir.Origin;
import tx.runtime.tensor.Tensor;

/**
 * Compiles a source text and, if it compiles, runs it, as {@code tx run} does, in process. Any
 * exception other than a {@link TxRuntimeException} escapes to the caller: it is a bug.
 */
final class Sandbox {
    private Sandbox() {}

    /** What happened: the compiler's result; if it ran, what it printed, the leaves' grads, and the run-time failure if any. */
    record Outcome(Compiler.Result result, String output, Tensor[] grads, TxRuntimeException failure) {
        boolean compiled() {
            return result.program() != null;
        }

        boolean ran() {
            return compiled() && failure == null;
        }
    }

    /**
     * NOTE: the program runs in a fresh, empty folder, deleted afterwards: a mutant may well call
     * {@code save("loss", x)}, which must not write into the repository, and with nothing to
     * load there, no program depends on what another one saved.
     */
    static Outcome compileAndRun(String fileName, String source) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("tx-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return compileAndRun(fileName, source, scratch);
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            } catch (IOException e) {
                // a scratch file left in the temporary folder is harmless
            }
        }
    }

    /**
     * A program with a {@code while} runs with a --timeout and a --max-memory: a mutant may well
     * have lost the line that made its loop end ({@code k += 1}), and then runs for ever, as Python
     * would, its tape growing. The limits stop it (E0504 or E0503, which {@link #violations}
     * accepts for such a program only); the hang detector still catches any other program that
     * does not finish, and the compiler.
     */
    private static RunOptions options(String source) {
        return source.contains("while") ? new RunOptions(false, WHILE_TIMEOUT_MS, WHILE_MAX_BYTES) : RunOptions.DEFAULT;
    }

    private static final long WHILE_TIMEOUT_MS = 3000, WHILE_MAX_BYTES = 64L << 20;

    private static Outcome compileAndRun(String fileName, String source, Path scratch) {
        Compiler.Result r = Compiler.compile(fileName, source, scratch);
        r.diagnostics().render(); // tx run renders every diagnostic: that must not fail either
        if (r.program() == null) return new Outcome(r, "", null, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tensor[] grads = null;
        TxRuntimeException failure = null;
        try (PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8)) {
            try {
                grads = Interpreter.run(r.program(), out, options(source));
            } catch (TxRuntimeException e) {
                failure = e;
            }
        }
        return new Outcome(r, bytes.toString(StandardCharsets.UTF_8), grads, failure);
    }

    /**
     * The promises every input must keep, whatever it is: rejected only with at least one error;
     * every diagnostic located inside the file (line and column of a real character, or just past
     * the end of a line); a run-time failure only from a failed assert_close or check (a mangled
     * derivative fails its check, as it should), from a run-time index out of range (E0507) or
     * from a singular matrix (E0508: a mutant can zero a matrix that `solve` then takes), also
     * located inside the file.
     */
    static List<String> violations(String source, Outcome o) {
        List<String> bad = new ArrayList<>();
        String[] lines = source.split("\r?\n", -1);
        if (!o.compiled() && !o.result().diagnostics().hasErrors()) bad.add("no program, but no error either");
        if (o.compiled() && o.result().diagnostics().hasErrors()) bad.add("a program despite errors");
        for (Diagnostic d : o.result().diagnostics().all()) {
            var s = d.span();
            String where = where(lines, s.line(), s.col(), s.endLine(), s.endCol());
            if (where != null) bad.add("diagnostic " + d.code() + " (" + d.message() + ") " + where);
        }
        if (o.failure() != null) {
            TxRuntimeException e = o.failure();
            // an index known only at run time (x[t] in a loop, or a mangled x[total]) may fall outside its axis: E0507
            boolean expected = e.kind() == tx.runtime.exec.TxRuntimeException.Kind.ASSERTION
                    || e.kind() == tx.runtime.exec.TxRuntimeException.Kind.CHECK
                    || e.kind() == tx.runtime.exec.TxRuntimeException.Kind.INDEX
                    || e.kind() == tx.runtime.exec.TxRuntimeException.Kind.LINALG
                    || e.kind() == tx.runtime.exec.TxRuntimeException.Kind.SIZE // two masks' selections of different counts meet, as PyTorch would refuse
                    || (e.kind() == tx.runtime.exec.TxRuntimeException.Kind.TIMEOUT || e.kind() == tx.runtime.exec.TxRuntimeException.Kind.MEMORY)
                    && source.contains("while"); // see options()
            if (!expected) bad.add("a run-time error that is not a failed assert_close or check, an index out of range or a singular matrix: " + e.getMessage());
            Origin at = e.origin();
            String where = at == null ? "has no location" : where(lines, at.line(), at.col(), at.line(), at.endCol());
            if (where != null) bad.add("run-time error " + where);
        }
        return bad;
    }

    /** Null if the span lies inside the file, else a description of where it points. */
    private static String where(String[] lines, int line, int col, int endLine, int endCol) {
        String at = "at " + line + ":" + col + "-" + endLine + ":" + endCol + ", in a file of " + lines.length + " lines";
        if (line < 1 || line > lines.length) return "is outside the file: " + at;
        if (col < 1 || col > lines[line - 1].length() + 1) return "has a column outside its line: " + at;
        if (endLine < line || endLine > lines.length) return "ends outside the file: " + at;
        if (endLine == line && endCol < col) return "ends before it starts: " + at;
        // a span may end just after the line break or the end of the file it points at (an unexpected line break, or EOF)
        if (endCol < 1 || endCol > lines[endLine - 1].length() + 2) return "ends at a column outside its line: " + at;
        return null;
    }
}
