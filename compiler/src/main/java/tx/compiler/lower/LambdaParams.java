package tx.compiler.lower;

import java.util.HashSet;
import java.util.Set;
import tx.compiler.syntax.Ast;

/**
 * A lambda's parameter list as Python's compiler checks it (E0127, Python's SyntaxErrors): a name
 * twice, a parameter without a default after one with a default (before {@code *}: keyword-only
 * parameters may lack defaults in any order), a default for {@code *args},
 * and a bare {@code *} with no keyword-only parameter after it. (A second {@code *} or
 * {@code **}, and a parameter after {@code **kwargs}, the AstBuilder refuses.)
 */
final class LambdaParams {
    private LambdaParams() {}

    /** Whether the parameters are ones Python takes; reports the first that is not. */
    static boolean fit(Lowerer l, Ast.Lambda lam) {
        Set<String> seen = new HashSet<>();
        boolean defaulted = false;
        for (int i = 0; i < lam.params().size(); i++) {
            String n = lam.params().get(i);
            boolean starred = i == lam.star() || i == lam.kwargs();
            String shown = i == lam.kwargs() ? "**" + n : i == lam.star() && !n.equals(Ast.Param.BARE) ? "*" + n : n;
            if (!n.equals(Ast.Param.BARE) && !seen.add(n)) return refuse(l, lam, i, "the lambda names `" + n + "` twice", "Python's SyntaxError, \"duplicate argument\": give each parameter its own name");
            if (starred && lam.defaults().get(i) != null) {
                return refuse(l, lam, i, "`" + shown + "` cannot have a default", "Python's SyntaxError, \"var-positional argument cannot have default value\": without arguments for it, it is an empty tuple");
            }
            if (n.equals(Ast.Param.BARE) && (i + 1 >= lam.params().size() || i + 1 == lam.kwargs())) {
                return refuse(l, lam, i, "a bare `*` must be followed by a keyword-only parameter", "Python's SyntaxError, \"named arguments must follow bare *\"");
            }
            if (!starred && (lam.star() < 0 || i < lam.star()) && lam.defaults().get(i) == null && defaulted) {
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

    /** The position of a function's {@code *args} parameter (or bare {@code *}), or -1. */
    static int star(Ast.FnDef f) {
        for (int i = 0; i < f.params().size(); i++) if (Parameters.STAR.equals(f.params().get(i).kind())) return i;
        return -1;
    }

    /** The position of a function's {@code **kwargs} parameter, or -1. */
    static int kwargs(Ast.FnDef f) {
        for (int i = 0; i < f.params().size(); i++) if (Parameters.KWARGS.equals(f.params().get(i).kind())) return i;
        return -1;
    }
}
