package tx.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.syntax.Ast;

/**
 * What a body of statements does to names, read from its syntax before it is lowered: the names it
 * assigns, the names it changes in place (op=, indexed assignment, requires_grad_, zero_, and the
 * script-level tensors and arguments that the functions it calls change), and its locals. The loop
 * lowering decides what a loop carries from these; {@link Mutations} what a function changes.
 */
final class NameEffects {
    private final Lowerer l;

    NameEffects(Lowerer l) {
        this.l = l;
    }

    /** Names assigned in each body already scanned (by identity), so that nested loops are scanned once. */
    private final Map<List<Ast.Stmt>, Set<String>> assigned = new IdentityHashMap<>();

    /**
     * Names assigned anywhere in a body, nested blocks included (targets of =, op=, for,
     * requires_grad_). Memoized per body: a loop nested 100,000 deep is scanned once, not once per level.
     */
    Set<String> assignedNames(List<Ast.Stmt> body) {
        Set<String> known = assigned.get(body);
        if (known != null) return new LinkedHashSet<>(known);
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Stmt s : body) collectAssigned(s, out);
        assigned.put(body, out);
        return new LinkedHashSet<>(out);
    }

    private final Map<List<Ast.Stmt>, Set<String>> inPlace = new IdentityHashMap<>();

    /** Names a body updates in place (op=, requires_grad_), nested blocks included; memoized per body. */
    Set<String> inPlaceNames(List<Ast.Stmt> body) {
        Set<String> known = inPlace.get(body);
        if (known != null) return known;
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Stmt s : body) {
            BodyReads.calls(s, c -> collectFunctionCalls(c, out)); // a call anywhere, print(train(X, y)) too, changes what its function changes
            BatchNormRules.statement(s, out); // batch_norm(..., training=True) updates its running statistics
            l.random.statement(s, out); // a random call changes the generator (a loop carries it)
            if (s instanceof Ast.AugAssign a && (a.target().attr() == null || a.target().attr().equals("data"))) out.add(a.target().name());
            else if (s instanceof Ast.IndexAssign a && changedName(a) != null) out.add(changedName(a));
            else if (s instanceof Ast.Assign a) {
                for (Ast.Target t : a.targets()) if (t.attr() != null && REBINDING_ATTRIBUTES.contains(t.attr())) out.add(t.name());
                collectFunctionCalls(a.value(), out);
            } else if (s instanceof Ast.Return r) {
                for (Ast.Expr e : r.values()) collectFunctionCalls(e, out);
            } else if (s instanceof Ast.ExprStmt e) collectInPlaceCalls(e.expr(), out);
            else if (s instanceof Ast.For f) out.addAll(inPlaceNames(f.body()));
            else if (s instanceof Ast.While w) out.addAll(inPlaceNames(w.body()));
            else if (s instanceof Ast.ForEach f) {
                out.addAll(inPlaceNames(f.body()));
                out.addAll(Iteration.changedThrough(f, inPlaceNames(f.body())));
            }
            else if (s instanceof Ast.If i) {
                out.addAll(inPlaceNames(i.then()));
                out.addAll(inPlaceNames(i.otherwise()));
            } else if (s instanceof Ast.With w) out.addAll(inPlaceNames(w.body()));
        }
        // a loop's name outlives the loop, still the list's last item: `for p in params {}` then `p -= ...`
        // changes the list too (conservatively, even if p was bound again before the change)
        for (Ast.Stmt s : body) if (s instanceof Ast.ForEach f) out.addAll(Iteration.changedThrough(f, out));
        inPlace.put(body, out);
        return out;
    }

    /** The name whose tensor {@code x[...] = v} changes ({@code x}), or null if the target is not an indexed name. */
    static String changedName(Ast.IndexAssign a) {
        Ast.Expr e = a.target();
        while (e instanceof Ast.Index ix) e = ix.target();
        return a.target() instanceof Ast.Index && e instanceof Ast.Name n ? n.name() : null;
    }

    /** {@code x.requires_grad = ...} and {@code x.data = ...} change the tensor x is bound to, in place. */
    private static final Set<String> REBINDING_ATTRIBUTES = Set.of("requires_grad", "data");
    /** The in-place methods that give a tensor new values: `x.zero_()`, `x.uniform_()`, `x.normal_()` (also through `.data`). */
    private static final Set<String> IN_PLACE_FILLS = Set.of("zero_", "uniform_", "normal_");

    private void collectAssigned(Ast.Stmt s, Set<String> out) {
        BodyReads.calls(s, c -> collectFunctionCalls(c, out)); // a call anywhere changes what its function changes
        BatchNormRules.statement(s, out);
        l.random.statement(s, out); // a random call assigns the generator's state
        if (s instanceof Ast.Assign a) {
            for (Ast.Target t : a.targets()) if (t.attr() == null || REBINDING_ATTRIBUTES.contains(t.attr())) out.add(t.name());
            collectFunctionCalls(a.value(), out);
        } else if (s instanceof Ast.AugAssign a && (a.target().attr() == null || a.target().attr().equals("data"))) {
            out.add(a.target().name());
        } else if (s instanceof Ast.IndexAssign a && changedName(a) != null) {
            out.add(changedName(a));
        } else if (s instanceof Ast.For f) {
            out.add(f.var());
            out.addAll(assignedNames(f.body()));
        } else if (s instanceof Ast.While w) {
            out.addAll(assignedNames(w.body()));
        } else if (s instanceof Ast.ForEach f) {
            out.addAll(f.vars());
            out.addAll(assignedNames(f.body()));
            out.addAll(Iteration.changedThrough(f, inPlaceNames(f.body())));
        } else if (s instanceof Ast.If i) {
            out.addAll(assignedNames(i.then()));
            out.addAll(assignedNames(i.otherwise()));
        } else if (s instanceof Ast.With w) {
            out.addAll(assignedNames(w.body()));
        } else if (s instanceof Ast.ExprStmt e) {
            collectInPlaceCalls(e.expr(), out);
        }
    }

    /**
     * A call of one of the file's functions, {@code sgd(params, lr, batch_size)}, changes in place the
     * arguments its function changes and the script's names the function changes (d2l's updater).
     */
    private void collectFunctionCalls(Ast.Expr e, Set<String> out) {
        if (!(e instanceof Ast.Call c)) return;
        Ast.Name f = c.callee() instanceof Ast.Name n ? n : transformed(c.callee());
        boolean value = f != null && l.state.names.get(f.name()) instanceof tx.compiler.check.Val.Fn; // a name bound to a function: a closure named `add` too
        if (f != null && (value || !l.functions.has(f.name()) && !l.builtins.has(f.name()))) {
            // a call through a function value (d2l's updater(batch_size), a Callable parameter): it may be any
            // of the file's functions, so it may change what any of them changes in the script
            for (String g : new ArrayList<>(l.functions.defs.keySet())) if (!g.startsWith("$")) out.addAll(l.functions.mutations.changedGlobals(g));
            out.addAll(l.functions.closures.nonlocals.anywhere()); // a closure may assign its maker's names (`nonlocal`)
            return;
        }
        if (f == null && !(c.callee() instanceof Ast.Attr)) out.addAll(l.functions.closures.nonlocals.anywhere()); // `handlers[0]()`: a closure too
        if (f == null || !l.functions.has(f.name())) return;
        String key = l.functions.definitions.resolve(f.name());
        Set<Integer> changed = l.functions.mutations.changedParams(key);
        for (int i = 0; i < c.args().size(); i++) {
            if (c.args().get(i).name() == null && changed.contains(i)) out.addAll(Iteration.namesIn(c.args().get(i).value()));
        }
        out.addAll(l.functions.mutations.changedGlobals(key));
    }

    /** {@code f} in {@code grad(f)(...)} (any transform): its derived function takes f's arguments, and changes what f changes. */
    private static Ast.Name transformed(Ast.Expr callee) {
        return callee instanceof Ast.Call t && t.callee() instanceof Ast.Name tf && Functions.isTransform(tf.name()) && !t.args().isEmpty()
                && t.args().get(0).value() instanceof Ast.Name f ? f : null;
    }

    /** Names a body binds itself (targets of `=`, loop names), nested blocks included: a function's locals. */
    Set<String> localNames(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.Assign a) {
                for (Ast.Target t : a.targets()) if (t.attr() == null) out.add(t.name());
            } else if (s instanceof Ast.For f) {
                out.add(f.var());
                out.addAll(localNames(f.body()));
            } else if (s instanceof Ast.ForEach f) {
                out.addAll(f.vars());
                out.addAll(localNames(f.body()));
            } else if (s instanceof Ast.If i) {
                out.addAll(localNames(i.then()));
                out.addAll(localNames(i.otherwise()));
            } else if (s instanceof Ast.With w) out.addAll(localNames(w.body()));
        }
        return out;
    }

    /** {@code x}, {@code x.data}, {@code x.data.data}: the expression whose storage an in-place method changes. */
    private static Ast.Expr dataOf(Ast.Expr e) {
        while (e instanceof Ast.Attr a && a.name().equals("data")) e = a.target();
        return e;
    }

    /** {@code requires_grad_(x)}, {@code x.requires_grad_()} and {@code x.zero_()} rebind x in place. */
    private void collectInPlaceCalls(Ast.Expr e, Set<String> out) {
        if (!(e instanceof Ast.Call c)) return;
        collectFunctionCalls(c, out);
        if (c.callee() instanceof Ast.Attr at && at.name().equals("requires_grad_") && at.target() instanceof Ast.Name n) {
            out.add(n.name());
        } else if (c.callee() instanceof Ast.Attr at && IN_PLACE_FILLS.contains(at.name()) && dataOf(at.target()) instanceof Ast.Name n) {
            out.add(n.name());
        } else if (c.callee() instanceof Ast.Name f && f.name().equals("requires_grad_") && !c.args().isEmpty()
                && c.args().get(0).value() instanceof Ast.Name n) {
            out.add(n.name());
        }
    }
}
