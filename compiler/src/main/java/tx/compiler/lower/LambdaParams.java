package tx.compiler.lower;

import java.util.HashSet;
import java.util.Set;
import tx.compiler.syntax.Ast;

/**
 * A lambda's parameter list as Python's compiler checks it (E0127, Python's SyntaxErrors): a name
 * twice, a parameter without a default after one with a default, and anything after
 * {@code *args} (Python's keyword-only parameters, which tx does not have).
 */
final class LambdaParams {
    private LambdaParams() {}

    /** Whether the parameters are ones Python takes (and tx has); reports the first that is not. */
    static boolean fit(Lowerer l, Ast.Lambda lam) {
        Set<String> seen = new HashSet<>();
        boolean defaulted = false;
        for (int i = 0; i < lam.params().size(); i++) {
            String n = lam.params().get(i);
            if (!seen.add(n)) return refuse(l, lam, i, "the lambda names `" + n + "` twice", "Python's SyntaxError, \"duplicate argument\": give each parameter its own name");
            if (lam.star() >= 0 && i > lam.star()) {
                return refuse(l, lam, i, "`" + n + "` follows `*" + lam.params().get(lam.star()) + "`",
                        "`*" + lam.params().get(lam.star()) + "` takes the remaining positional arguments, so it goes last (tx has no keyword-only parameters)");
            }
            if (i == lam.star() && lam.defaults().get(i) != null) {
                return refuse(l, lam, i, "`*" + n + "` cannot have a default", "Python's SyntaxError, \"var-positional argument cannot have default value\": without arguments for it, it is an empty tuple");
            }
            if (i != lam.star() && lam.defaults().get(i) == null && defaulted) {
                return refuse(l, lam, i, "`" + n + "` has no default but follows a parameter that has one",
                        "Python's SyntaxError, \"non-default argument follows default argument\": give it a default, or move it before them");
            }
            defaulted |= lam.defaults().get(i) != null;
        }
        return true;
    }

    private static boolean refuse(Lowerer l, Ast.Lambda lam, int i, String what, String help) {
        l.diags.error("E0127", lam.paramSpans().get(i), what, help);
        return false;
    }

    /** The position of a function's {@code *args} parameter, or -1. */
    static int star(Ast.FnDef f) {
        for (int i = 0; i < f.params().size(); i++) if (Parameters.STAR.equals(f.params().get(i).kind())) return i;
        return -1;
    }
}
