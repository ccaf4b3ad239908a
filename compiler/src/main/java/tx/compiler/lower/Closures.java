package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;

/**
 * Lambdas and functions defined inside functions (LANGUAGE.md §7, v2): d2l's
 * {@code net = lambda X: linreg(X, w, b)} written in {@code train}, reading train's w and b. Such a
 * function is a function of the file under a key no program spells ({@code <lambda>#3:11},
 * {@code inner#5:5}), and its value remembers the activation that made it: the script (0) or a
 * call being inlined. As Python's closures capture variables, not values, a call reads that
 * activation's names as they are at the call: its current state while it runs (a training loop
 * that updated w in place gives the new w), the state it was in when it made the call under way
 * otherwise, and, once it has returned, the state it returned in.
 *
 * <p>A lambda made by the script reads the script's names, as a file's function does. A closure
 * is inlined at every call, and a function that makes one is never compiled once.
 */
final class Closures {
    private final Lowerer l;
    private final Functions functions;

    /** The activation running now (0: the script). */
    private int current;
    private int next = 1;

    /** The activations under way below the current one, innermost first: each one's id and its state when it made the call. */
    private final Deque<Object[]> callers = new ArrayDeque<>();

    /** The activations that made a closure, and the state each returned in, once it has. */
    private final Set<Integer> makers = new HashSet<>();
    private final Map<Integer, State> returned = new HashMap<>();

    Closures(Lowerer l, Functions functions) {
        this.l = l;
        this.functions = functions;
    }

    /** A call is inlined, made from {@code caller} (the current activation's state): its activation's id. */
    int enter(State caller) {
        callers.push(new Object[] {current, caller});
        current = next++;
        return current;
    }

    /** The call's activation returns in {@code state}. */
    void leave(int frame, State state) {
        if (makers.contains(frame)) returned.put(frame, state);
        current = (Integer) callers.pop()[0];
    }

    /** {@code lambda x, y: body}: a function value over the current activation's names. */
    Val lambda(Ast.Lambda lam) {
        String key = "<lambda>#" + lam.span().line() + ":" + lam.span().col();
        if (!functions.has(key)) {
            List<Ast.Param> params = new ArrayList<>();
            for (int i = 0; i < lam.params().size(); i++) {
                params.add(new Ast.Param(lam.params().get(i), List.of(), Parameters.ANY, null, lam.paramSpans().get(i)));
            }
            Ast.Stmt ret = new Ast.Return(List.of(lam.body()), lam.body().span());
            functions.defs.put(key, new Ast.FnDef(key, params, List.of(), List.of(ret), lam.span()));
        }
        makers.add(current);
        return new Val.Fn(new Val.UserFn(key, current));
    }

    /** {@code fn inner(...) { ... }} inside a function: binds the local name to a closure. */
    void define(Ast.FnDef f) {
        String key = f.name() + "#" + f.span().line() + ":" + f.span().col();
        if (!functions.has(key)) {
            Parameters.checkKinds(l, f);
            functions.defs.put(key, new Ast.FnDef(key, f.params(), f.returns(), f.body(), f.span()));
        }
        makers.add(current);
        l.state.bind(f.name(), new Val.Fn(new Val.UserFn(key, current)));
    }

    /** The names a closure reads: its maker's, as they are now. */
    State scope(Val.UserFn u) {
        if (u.frame() == current) return l.state;
        for (Object[] c : callers) if ((Integer) c[0] == u.frame()) return (State) c[1];
        return returned.get(u.frame());
    }

    private final Map<Ast.FnDef, Boolean> makes = new java.util.IdentityHashMap<>();

    /** Whether a body makes closures (a lambda, a nested `fn`): such a function is inlined at each call, never compiled once. Found once per function. */
    boolean makesClosures(Ast.FnDef f) {
        return makes.computeIfAbsent(f, k -> BodyReads.makesClosures(k.body()));
    }
}
