package tx.compiler;

import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Verifier;

/** The front of the pipeline: source text to checked IR, with every diagnostic collected. */
public final class Compiler {
    private Compiler() {}

    /** The outcome: the program (null if there were errors) and the diagnostics. */
    public record Result(Program program, Diagnostics diagnostics) {}

    /** Compiles a script: checked, lowered, simplified, and verified before and after simplification. */
    public static Result compile(String fileName, String source) {
        return compile(fileName, source, Lowerer::lower, true);
    }

    /** For `tx check`: the file's checks, and a finite-difference check of every scalar function. */
    public static Result compileChecks(String fileName, String source) {
        return compile(fileName, source, Lowerer::lowerChecks, false);
    }

    private interface Lowering {
        Program lower(Ast.Program ast, Diagnostics diags, String source);
    }

    private static Result compile(String fileName, String source, Lowering lowering, boolean simplify) {
        Diagnostics diags = new Diagnostics(fileName, source);
        Ast.Program ast = Parse.program(source, diags);
        if (ast == null) return new Result(null, diags); // syntax errors: the tree has holes
        // a number too large (E0002) leaves a whole tree, so checking goes on to find the other errors
        Program p = lowering.lower(ast, diags, source);
        if (p != null) {
            Verifier.verify(p); // a failure here is a compiler bug, reported as an internal error
            if (simplify) {
                p = Simplify.run(p);
                Verifier.verify(p);
            }
        }
        return new Result(diags.hasErrors() ? null : p, diags);
    }
}
