package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Var;

/** A family of built-in rules (constructors, shapes, autograd, ...) registered into the one table of {@link Builtins}. */
abstract class RuleFamily {
    final Lowerer l;
    final Builder b;
    final Builtins host;
    final Map<String, Builtins.Rule> rules;

    RuleFamily(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        this.l = l;
        this.b = l.b;
        this.host = host;
        this.rules = rules;
    }

    T out(Var v, String gradFn) {
        return host.out(v, gradFn);
    }
}
