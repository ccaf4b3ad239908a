package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Values bound to names no program can spell ({@code $...}) for a call that the lowering builds
 * as source (a transform applied at once, a hook called on a gradient), and unbound when it is
 * lowered: {@code try (HiddenNames h = new HiddenNames(l, "hook")) { ... h.bind(v, at) ... }}.
 */
final class HiddenNames implements AutoCloseable {
    private final Lowerer l;
    private final String prefix;
    private final List<String> bound = new ArrayList<>();

    HiddenNames(Lowerer l, String prefix) {
        this.l = l;
        this.prefix = prefix;
    }

    /** A name for v, located at {@code at}. */
    Ast.Name bind(Val v, Span at) {
        String name = "$" + prefix + bound.size() + "_" + at.line() + "_" + at.col();
        bound.add(name);
        l.state.bind(name, v);
        return new Ast.Name(name, at);
    }

    @Override
    public void close() {
        for (String n : bound) l.state.names.remove(n);
        bound.clear();
    }
}
