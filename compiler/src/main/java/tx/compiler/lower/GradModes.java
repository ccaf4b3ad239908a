package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * PyTorch's grad mode, as its context managers and functions set it: {@code no_grad()},
 * {@code enable_grad()} (gradients recorded again inside a {@code no_grad}), {@code
 * set_grad_enabled(b)} (as a context manager, or called alone from then on), {@code
 * inference_mode(mode=True)} (no_grad for tx: PyTorch's inference tensors also refuse to be saved
 * for a later backward, which tx does not model) and {@code is_grad_enabled()}. The mode is known
 * when the program is compiled, so the flag must be a bool known then.
 */
final class GradModes {
    private GradModes() {}

    /** Whether a `with` block turns recording off (true) or on (false); null after reporting a bad argument. */
    static Boolean off(Lowerer l, Ast.With w) {
        return switch (w.kind()) {
            case "no_grad", "enable_grad" -> noArguments(l, w) ? w.kind().equals("no_grad") : null;
            case "set_grad_enabled" -> {
                Boolean on = flag(l, w.args(), null, w.span(), "set_grad_enabled");
                yield on == null ? null : !on;
            }
            default -> { // inference_mode(mode=True)
                Boolean on = flag(l, w.args(), true, w.span(), "inference_mode");
                yield on == null ? null : on || l.graph.noGrad();
            }
        };
    }

    /**
     * {@code torch.set_grad_enabled(b)} called as a statement: the mode from here on. Only at the
     * script's level outside loops and branches, where "from here on" is the program's order.
     */
    static Val set(Lowerer l, Args a) {
        Boolean on = flag(l, a.call.args(), null, a.span(), "set_grad_enabled");
        if (on == null) return new Val.Bad();
        if (l.b.depth() > 1 || l.mayNotRun > 0 || !l.functions.calling.isEmpty()) { // the script's block is the one open
            l.diags.error("E0104", a.span(), "`torch.set_grad_enabled(...)` called alone sets the mode for the rest of the script, so tx takes it only "
                    + "at the script's level, outside loops, branches and functions", "use it as a block here: `with torch.set_grad_enabled(False) { ... }`");
            return new Val.Bad();
        }
        l.graph.setNoGrad(!on);
        return new Val.None("`set_grad_enabled(...)`");
    }

    /** {@code torch.is_grad_enabled()}: a bool known when the program is compiled. */
    static Val enabled(Lowerer l) {
        return new Val.Bool(!l.graph.noGrad());
    }

    private static boolean noArguments(Lowerer l, Ast.With w) {
        if (w.args().isEmpty()) return true;
        l.diags.error("E0104", w.args().get(0).span(), "`" + w.kind() + "` takes no arguments", "write `with torch." + w.kind() + "() { ... }`");
        return false;
    }

    /** The bool argument {@code mode} (positional or by name), or {@code dflt} where it is left out (null: it may not be); null after reporting. */
    private static Boolean flag(Lowerer l, List<Ast.Arg> args, Boolean dflt, Span at, String fn) {
        if (args.isEmpty() && dflt != null) return dflt;
        if (args.size() != 1 || args.get(0).name() != null && !args.get(0).name().equals("mode")) {
            l.diags.error("E0104", args.isEmpty() ? at : args.get(0).span(), "`" + fn + "` takes one bool, `mode`", "e.g. `" + fn + "(False)`");
            return null;
        }
        Val v = l.exprs.expr(args.get(0).value());
        if (v instanceof Val.Bool b) return b.value();
        if (!(v instanceof Val.Bad)) {
            l.diags.error("E0104", args.get(0).span(), "`" + fn + "` takes a bool known when the program is compiled, found " + v.describe(),
                    "tx decides at compile time what records gradients; for a flag known only at run time, write both paths in an `if`");
        }
        return null;
    }
}
