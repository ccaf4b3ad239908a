package tx.compiler;

import java.util.List;
import tx.compiler.syntax.Diagnostic;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Span;
import tx.runtime.exec.RunOptions;
import tx.runtime.ir.CompileLimit;
import tx.runtime.ir.Origin;
import tx.runtime.kernels.Limits;

/**
 * Compiling stopped by a limit, as one error: E0504 for --timeout, E0503 for --max-memory or (without
 * it) the JVM's heap, located at the outermost call being inlined when it stopped (the call that
 * blows up), else at what was being compiled.
 */
final class Limited {
    private Limited() {}

    /** A limit reached while compiling: the compiler's own check, or the deadline inside a kernel that folds a constant. */
    static void report(RuntimeException x, Diagnostics diags) {
        report(x instanceof CompileLimit c ? c : new CompileLimit(CompileLimit.Kind.TIME, 0, 0, 0, tx.runtime.ir.Origin.NONE), diags);
    }

    static void report(CompileLimit x, Diagnostics diags) {
        while (diags.isMuted()) diags.unmute(); // the limit may stop the checker while it explores a loop body
        diags.report(new Diagnostic(Diagnostic.Severity.ERROR, x.kind() == CompileLimit.Kind.TIME ? "E0504" : "E0503", message(x),
                span(x), help(x), note(x)));
    }

    private static String message(CompileLimit x) {
        String what = x.equations() + " equations, about " + RunOptions.bytes(x.bytes());
        return switch (x.kind()) {
            case TIME -> "compiling took longer than the --timeout of " + Limits.current().timeoutMillis() / 1000.0
                    + " s; it was stopped while compiling this";
            case MEMORY -> "compiling this needs more than the --max-memory of " + RunOptions.bytes(x.bound()) + ": its IR grew to " + what;
            case SIZE -> "compiling this needs more memory than the JVM may use: its IR grew to " + what + ", past half of the "
                    + RunOptions.bytes(Runtime.getRuntime().maxMemory()) + " heap";
        };
    }

    private static Span span(CompileLimit x) {
        Origin o = x.outermostCall() != null ? x.outermostCall() : x.where();
        return o == null || o.line() < 1 ? Span.NONE : new Span(o.line(), o.col(), o.line(), o.endCol());
    }

    /** The calls that were being inlined, outermost first, shortened in the middle. */
    private static String note(CompileLimit x) {
        List<String> calls = x.calls();
        if (calls.isEmpty()) return null;
        StringBuilder sb = new StringBuilder("it was inlining ");
        for (int i = 0; i < calls.size(); i++) {
            if (calls.size() > 6 && i >= 3 && i < calls.size() - 2) {
                if (i == 3) sb.append(" -> ...");
                continue;
            }
            sb.append(i == 0 ? "" : " -> ").append('`').append(calls.get(i)).append('`');
        }
        return sb.append(calls.size() > 6 ? " (" + calls.size() + " calls deep)" : "").toString();
    }

    private static String help(CompileLimit x) {
        String calls = x.calls().isEmpty() ? "" : "each call of a function is compiled as a copy of its body, so functions that call "
                + "others more than once multiply the copies at each level; ";
        return calls + switch (x.kind()) {
            case TIME -> "give it more time with a larger --timeout";
            case MEMORY -> "raise --max-memory";
            case SIZE -> "give Java more memory: TX_JAVA_OPTS=-Xmx16g ./tx run ...";
        };
    }
}
