package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;

/**
 * The operators as PyTorch's functions and methods: {@code torch.add(x, y, alpha=2)},
 * {@code x.sub(y)}, {@code torch.mul(x, 2)}, {@code x.div(y)}. Each is the operator itself
 * ({@code x + alpha * y}, ...), so values, dtypes, broadcasting, grad_fn names and derivatives are
 * the operator's; the first argument is made a tensor, as PyTorch makes {@code input} one.
 */
final class ArithmeticRules extends RuleFamily {
    ArithmeticRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("add", a -> operator(a, "+", true));
        rules.put("sub", a -> operator(a, "-", true));
        rules.put("subtract", a -> operator(a, "-", true));
        rules.put("mul", a -> operator(a, "*", false));
        rules.put("multiply", a -> operator(a, "*", false));
        rules.put("div", a -> operator(a, "/", false));
        rules.put("divide", a -> operator(a, "/", false));
        rules.put("true_divide", a -> operator(a, "/", false));
    }

    private Val operator(Args a, String op, boolean alpha) {
        if (!(alpha ? a.shape(2, 2, "alpha") : a.shape(2, 2))) return null;
        Val.T x = a.tensor(0); // torch.add(2, 3) is tensor(5)
        if (x == null) return null;
        Val other = a.get(1, null), scale = a.get(-1, "alpha");
        if (scale != null) other = l.exprs.binary("*", other, scale, a.spanOf(1, null), a.spanOf(-1, "alpha"), a.span());
        return l.exprs.binary(op, x, other, a.spanOf(0, null), a.spanOf(1, null), a.span());
    }
}
