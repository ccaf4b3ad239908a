package tx.compiler.lower;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.function.Predicate;
import tx.compiler.syntax.Ast;

/**
 * Which names a loop body reads before it writes them. A name the body overwrites before any read
 * carries nothing from one iteration to the next (LANGUAGE.md §3): {@code h = x * 2} in a body
 * does not make {@code h} a loop-carried value, so {@code h} may change its shape across the loop
 * (it was {@code zeros(3)} before, it is {@code [2]} after) without E0208.
 *
 * <p>The walk is conservative: a read anywhere inside a nested block, or a call of a function that
 * is not a built-in (which may read the script's names), counts as a read first. Expressions are
 * walked through their record components, so a new kind of node is covered without a case here.
 */
final class BodyReads {
    private BodyReads() {}

    /** Whether {@code body} certainly assigns {@code name} (as a plain name) before anything in it may read it. */
    static boolean writtenFirst(List<Ast.Stmt> body, String name, Predicate<String> builtin) {
        return writtenFirst(body, name, builtin, f -> false);
    }

    /**
     * As {@link #writtenFirst(List, String, Predicate)}, where a nested {@code for} loop that
     * {@code runs} says certainly runs at least once counts as its body: a minibatch loop inside an
     * epoch loop assigns {@code xb = x[i:i + bs]} first, so {@code xb} is not carried by the epoch
     * loop, and may leave it with the last batch's shape.
     */
    static boolean writtenFirst(List<Ast.Stmt> body, String name, Predicate<String> builtin, Predicate<Ast.For> runs) {
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.For f && !reads(f.range(), name, builtin) && runs.test(f) && writtenFirst(f.body(), name, builtin, runs)) {
                return !f.var().equals(name);
            }
            if (s instanceof Ast.Assign a) {
                if (reads(a.value(), name, builtin)) return false;
                for (Ast.Target t : a.targets()) {
                    if (t.name().equals(name)) return t.attr() == null;
                }
                continue;
            }
            if (s instanceof Ast.AugAssign a && a.target().name().equals(name)) return false;
            if (reads(s, name, builtin)) return false;
        }
        return false;
    }

    /** Every statement of a body, nested blocks included (not function definitions' bodies), in source order. */
    static void statements(List<Ast.Stmt> body, java.util.function.Consumer<Ast.Stmt> each) {
        for (Ast.Stmt s : body) {
            each.accept(s);
            if (s instanceof Ast.For f) statements(f.body(), each);
            else if (s instanceof Ast.ForEach f) statements(f.body(), each);
            else if (s instanceof Ast.While w) statements(w.body(), each);
            else if (s instanceof Ast.With w) statements(w.body(), each);
            else if (s instanceof Ast.If i) {
                statements(i.then(), each);
                statements(i.otherwise(), each);
            }
        }
    }

    /** Every call inside the node (a statement or an expression, nested blocks included), outermost first. */
    static void calls(Object node, java.util.function.Consumer<Ast.Call> each) {
        found(node, x -> {
            if (x instanceof Ast.Call c) each.accept(c);
            return false;
        }, x -> x instanceof Ast.FnDef);
    }

    /** Every subscript inside the node ({@code xs[i]}, also as an assignment's target), nested blocks included. */
    static void indexes(Object node, java.util.function.Consumer<Ast.Index> each) {
        found(node, x -> {
            if (x instanceof Ast.Index i) each.accept(i);
            return false;
        }, x -> x instanceof Ast.FnDef);
    }

    /** Where the node first names {@code name}, as a read or as an assignment's target; null if nowhere. */
    static tx.compiler.syntax.Span firstName(Object node, String name) {
        tx.compiler.syntax.Span[] first = {null};
        found(node, x -> {
            tx.compiler.syntax.Span at = x instanceof Ast.Name n && n.name().equals(name) ? n.span()
                    : x instanceof Ast.Target t && t.name().equals(name) ? t.span() : null;
            if (at != null && (first[0] == null || at.line() < first[0].line() || at.line() == first[0].line() && at.col() < first[0].col())) first[0] = at;
            return false;
        }, x -> x instanceof Ast.FnDef);
        return first[0];
    }

    /** How many nodes inside the node (itself included, nested blocks and functions too) {@code hit} holds for. */
    static int count(Object node, Predicate<Object> hit) {
        int[] n = {0};
        found(node, x -> {
            if (hit.test(x)) n[0]++;
            return false;
        }, x -> false);
        return n[0];
    }

    /** Whether the node holds a {@code lambda} or a {@code fn} statement. */
    static boolean makesClosures(Object node) {
        return found(node, x -> x instanceof Ast.Lambda || x instanceof Ast.FnDef, x -> false);
    }

    /** Whether evaluating the node may read {@code name}: an {@code Ast.Name} of it, or a call of a user function. */
    static boolean reads(Object node, String name, Predicate<String> builtin) {
        return found(node, x -> x instanceof Ast.Name n && n.name().equals(name)
                || x instanceof Ast.Call c && c.callee() instanceof Ast.Name f && !builtin.test(f.name())
                || x instanceof Ast.AugAssign a && a.target().name().equals(name), x -> false);
    }

    /**
     * Whether {@code hit} holds for the node or a node inside it, walking lists and the AST's
     * records through their components (so a new kind of node is covered without a case here),
     * but not into the nodes {@code prune} names.
     */
    private static boolean found(Object node, Predicate<Object> hit, Predicate<Object> prune) {
        if (node == null || prune.test(node)) return false;
        if (hit.test(node)) return true;
        if (node instanceof List<?> list) {
            for (Object x : list) if (found(x, hit, prune)) return true;
            return false;
        }
        if (!(node instanceof Record r) || !r.getClass().getName().startsWith(Ast.class.getName())) return false;
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                return true; // cannot look inside: assume it holds (reads are conservative)
            }
            if (found(v, hit, prune)) return true;
        }
        return false;
    }
}
