package tx.compiler;

import java.util.List;
import tx.compiler.emit.Derivation;
import tx.compiler.emit.DotEmitter;
import tx.compiler.emit.JavaEmitter;
import tx.compiler.emit.TxEmitter;
import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.CompileLimit;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Verifier;
import tx.runtime.kernels.Limits;

/** The front of the pipeline: source text to checked IR, with every diagnostic collected. */
public final class Compiler {
    private Compiler() {}

    /**
     * The outcome: the program (null if there were errors) and the diagnostics; {@code limited}
     * if compiling was stopped by --timeout or --max-memory (or the JVM's heap), a run-time
     * failure (exit 3) rather than an error in the program.
     */
    public record Result(Program program, Diagnostics diagnostics, boolean limited) {
        public Result(Program program, Diagnostics diagnostics) {
            this(program, diagnostics, false);
        }
    }

    /** Compiles a script: checked, lowered, simplified, and verified before and after simplification. */
    public static Result compile(String fileName, String source) {
        return compile(fileName, source, (java.nio.file.Path) null);
    }

    /** As {@link #compile(String, String)}; {@code load} and {@code save} paths are relative to {@code baseDir} (null: the working directory). */
    public static Result compile(String fileName, String source, java.nio.file.Path baseDir) {
        return compile(fileName, source, baseDir, null);
    }

    /** As above, for the file {@code sourceFile} (null: none): its `save` calls may not overwrite it. */
    public static Result compile(String fileName, String source, java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        return compile(fileName, source, (ast, diags, src) -> Lowerer.lower(ast, diags, src, baseDir, sourceFile), true);
    }

    /** For `tx check`: the file's checks, and a finite-difference check of every scalar function. */
    public static Result compileChecks(String fileName, String source) {
        return compileChecks(fileName, source, null);
    }

    /** As {@link #compileChecks(String, String)}, with the folder that file paths are relative to. */
    public static Result compileChecks(String fileName, String source, java.nio.file.Path baseDir) {
        return compileChecks(fileName, source, baseDir, null);
    }

    /** As above, for the file {@code sourceFile} (null: none): its `save` calls may not overwrite it. */
    public static Result compileChecks(String fileName, String source, java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        return compile(fileName, source, (ast, diags, src) -> Lowerer.lowerChecks(ast, diags, src, baseDir, sourceFile), false);
    }

    /** What `tx grad` writes: the text (null if there were errors) and the diagnostics; {@code limited} as in {@link Result}. */
    public record Emitted(String text, Diagnostics diagnostics, boolean limited) {
        public Emitted(String text, Diagnostics diagnostics) {
            this(text, diagnostics, false);
        }
    }

    /** The ways `tx grad` can write a derivative. */
    public enum Emit { TX, JAVA, DOT }

    /** What `tx grad` writes: the gradient (reverse mode, NAME_grad) or the tangent (forward mode, NAME_jvp). */
    public enum Mode { REVERSE, FORWARD }

    /**
     * {@code tx grad}: the gradient of {@code fn} with respect to {@code wrt} (default: its first
     * parameter), written as tx source, as a Java class, or as a Graphviz graph.
     */
    public static Emitted grad(String fileName, String source, String fn, List<String> wrt, Emit emit) {
        return grad(fileName, source, fn, wrt, emit, null);
    }

    /** As above; `load` paths in the function are relative to {@code baseDir} (null: the working directory). */
    public static Emitted grad(String fileName, String source, String fn, List<String> wrt, Emit emit, java.nio.file.Path baseDir) {
        return grad(fileName, source, fn, wrt, emit, baseDir, Mode.REVERSE);
    }

    /** As above, in reverse mode (NAME_grad) or forward mode (NAME_jvp: the arguments and their tangents in, the value and its tangent out). */
    public static Emitted grad(String fileName, String source, String fn, List<String> wrt, Emit emit, java.nio.file.Path baseDir, Mode mode) {
        Diagnostics diags = new Diagnostics(fileName, source);
        Ast.Program ast = Parse.program(source, diags);
        if (ast == null || diags.hasErrors()) return new Emitted(null, diags);
        Derivation d;
        try {
            d = Derivation.derive(ast, diags, source, fn, wrt, baseDir, mode == Mode.FORWARD);
        } catch (CompileLimit | Limits.Exceeded x) {
            Limited.report(x, diags);
            return new Emitted(null, diags, true);
        }
        if (d == null || diags.hasErrors()) return new Emitted(null, diags);
        try {
            String text = switch (emit) {
                case TX -> TxEmitter.emit(d, fileName);
                case JAVA -> JavaEmitter.emit(d, fileName);
                case DOT -> DotEmitter.emit(d, fileName);
            };
            return new Emitted(text, diags);
        } catch (Derivation.Unexpressible e) {
            diags.error("E0601", Derivation.head(d.fn), "tx cannot write the derivative of `" + fn + "` as code: " + e.getMessage(), null);
            return new Emitted(null, diags);
        }
    }

    private interface Lowering {
        Program lower(Ast.Program ast, Diagnostics diags, String source);
    }

    private static Result compile(String fileName, String source, Lowering lowering, boolean simplify) {
        Diagnostics diags = new Diagnostics(fileName, source);
        Ast.Program ast = Parse.program(source, diags);
        if (ast == null) return new Result(null, diags); // syntax errors: the tree has holes
        // a number too large (E0002) leaves a whole tree, so checking goes on to find the other errors
        try {
            Program p = lowering.lower(ast, diags, source);
            if (p != null) {
                Lowerer.refuseHugeTapes(p.body(), diags);
                for (tx.runtime.ir.Func f : tx.runtime.ir.Blocks.functions(p.body())) Lowerer.refuseHugeTapes(f.body(), diags);
            }
            if (p != null) {
                if (System.getenv("TX_DEBUG_IR") != null) System.err.print(tx.runtime.ir.IrPrinter.print(p));
                Verifier.verify(p); // a failure here is a compiler bug, reported as an internal error
                if (simplify) {
                    p = Simplify.run(p);
                    Verifier.verify(p);
                }
            }
            return new Result(diags.hasErrors() ? null : p, diags);
        } catch (CompileLimit | Limits.Exceeded x) {
            Limited.report(x, diags);
            return new Result(null, diags, true);
        }
    }
}
