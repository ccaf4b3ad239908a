package tx.compiler.lower;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * A comprehension's names are its own, as in Python 3: the loop's names and what its body binds
 * are put back, after the loop it stands for, as they were around it (or unbound).
 */
final class ComprehensionScope {
    private final Lowerer l;
    private final Set<String> own;
    private final Map<String, Val> kept = new HashMap<>();
    private final Map<String, Span> maybe = new HashMap<>();

    private ComprehensionScope(Lowerer l, Ast.ForEach loop) {
        this.l = l;
        own = Globals.bound(loop.body());
        own.addAll(loop.vars());
        for (String n : own) {
            if (l.state.names.containsKey(n)) kept.put(n, l.state.names.get(n));
            if (l.state.maybeUnassigned.containsKey(n)) maybe.put(n, l.state.maybeUnassigned.get(n));
        }
    }

    /** Notes the names around the comprehension's loop, before it runs. */
    static ComprehensionScope enter(Lowerer l, Ast.ForEach loop) {
        return new ComprehensionScope(l, loop);
    }

    /** Puts the names back as they were. */
    void leave() {
        for (String n : own) {
            l.state.names.remove(n);
            l.state.maybeUnassigned.remove(n);
            if (kept.containsKey(n)) l.state.names.put(n, kept.get(n));
            if (maybe.containsKey(n)) l.state.maybeUnassigned.put(n, maybe.get(n));
        }
    }
}
