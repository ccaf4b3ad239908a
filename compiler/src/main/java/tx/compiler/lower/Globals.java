package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's scopes in a function (LANGUAGE.md §7, v2): a name the function assigns is its local,
 * unless a {@code global} statement names it, and then the function reads and assigns the script's
 * name (d2l's {@code exponential_lr} counting steps in {@code t}). A local read before it is
 * assigned is Python's UnboundLocalError, here E0121 before anything runs.
 *
 * <p>A function that assigns a script name is inlined at every call (never compiled once: each
 * call's assignment has to reach the caller), and a loop that calls it carries the name, as it
 * carries what a function changes in place ({@link Mutations#changedGlobals}). When a call
 * returns, the names it assigned, itself or through the functions it called, are the caller's, up
 * to the script.
 */
final class Globals {
    private final Lowerer l;

    /** For each call being inlined, innermost first: the script names it has assigned so far (its callees' included). */
    private final Deque<Set<String>> written = new ArrayDeque<>();

    /** The functions whose `global` statements were checked (E0120 once per definition, not per call). */
    private final Set<Ast.FnDef> checked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    Globals(Lowerer l) {
        this.l = l;
    }

    /** What each function binds and assigns, and each body's `global` names, found once (a call tree inlines them many times). */
    private final Map<Ast.FnDef, Set<String>> localsOf = new IdentityHashMap<>(), assignedOf = new IdentityHashMap<>();
    private final Map<List<Ast.Stmt>, Set<String>> declaredIn = new IdentityHashMap<>();

    /** {@link #locals(Ast.FnDef)}, once per function. */
    Set<String> localsOf(Ast.FnDef f) {
        return localsOf.computeIfAbsent(f, Globals::locals);
    }

    /** {@link #assigned(Ast.FnDef)}, once per function. */
    Set<String> assignedOf(Ast.FnDef f) {
        return assignedOf.computeIfAbsent(f, Globals::assigned);
    }

    /** {@link #declared(List)}, once per body. */
    Set<String> declaredIn(List<Ast.Stmt> body) {
        return declaredIn.computeIfAbsent(body, Globals::declared);
    }

    /** The names a body's `global` statements name, nested blocks included (Python reads them for the whole function). */
    static Set<String> declared(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Global g : statements(body)) out.addAll(g.names());
        return out;
    }

    private static List<Ast.Global> statements(List<Ast.Stmt> body) {
        List<Ast.Global> out = new java.util.ArrayList<>();
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.Global g) out.add(g);
        });
        return out;
    }

    /** The names a body binds: targets of `=` and `op=`, loop names (Python's rule for what is local to a function). */
    static Set<String> bound(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.Assign a) {
                for (Ast.Target t : a.targets()) if (t.attr() == null) out.add(t.name());
            } else if (s instanceof Ast.AugAssign a && a.target().attr() == null) {
                out.add(a.target().name());
            } else if (s instanceof Ast.For f) {
                out.add(f.var());
            } else if (s instanceof Ast.ForEach f) {
                out.addAll(f.vars());
            } else if (s instanceof Ast.FnDef f) {
                out.add(f.name());
            }
        });
        return out;
    }

    /** The script names a function assigns through its `global` statements. */
    static Set<String> assigned(Ast.FnDef f) {
        Set<String> out = bound(f.body());
        out.retainAll(declared(f.body()));
        return out;
    }

    /** The function's locals: what it binds, but for its `global` and `nonlocal` names; its parameters included. */
    static Set<String> locals(Ast.FnDef f) {
        Set<String> out = bound(f.body());
        out.removeAll(declared(f.body()));
        out.removeAll(Nonlocals.declared(f.body()));
        for (Ast.Param p : f.params()) out.add(p.name());
        return out;
    }

    /**
     * A call starts: the body's state holds the script's names; those the function binds as its
     * own locals are taken out (read before assigned: E0121). Checks the `global` statements once.
     */
    void enter(Ast.FnDef f, String shownName, State body) {
        if (checked.add(f)) check(f);
        for (String n : localsOf(f)) { // a parameter among them is bound again after this
            if (body.names.remove(n) != null) body.unboundLocals.put(n, shownName);
        }
        Set<String> assigned = assignedOf(f);
        written.push(assigned.isEmpty() ? new LinkedHashSet<>(2) : new LinkedHashSet<>(assigned));
    }

    /**
     * A call returns: the script names it assigned (itself or through its callees) go to the
     * caller's state, and, when the caller is itself a function, into what the caller assigned and
     * into the script's names its later calls read ({@code seen}, null for the script itself). A
     * tensor assigned to a script name inside a transform (`grad(f)`) would leave the transform's
     * graph: E0122 at the call.
     */
    void leave(State body, State caller, State seen, boolean callerIsFunction, String shownName, Span at) {
        Set<String> names = written.pop();
        for (String n : names) {
            Val v = body.names.get(n);
            if (v == null || body.maybeUnassigned.containsKey(n)) continue;
            if (l.functions.transformDepth > 0 && !(v instanceof Val.Num || v instanceof Val.Str || v instanceof Val.Bool || v instanceof Val.None)) {
                l.diags.error("E0122", at, "`" + shownName + "` assigns the script's `" + n + "` " + v.describe() + " inside a derivative transform",
                        "a transform's values stay inside it: return the value from the function instead, or assign a Python number");
                continue;
            }
            caller.names.put(n, v);
            caller.maybeUnassigned.remove(n);
            caller.unboundLocals.remove(n);
            if (callerIsFunction) {
                written.peek().add(n);
                if (seen != null) seen.names.put(n, v);
            }
        }
    }

    /** The script names the call being inlined now has assigned so far (its callees' included), for the calls it makes next. */
    Set<String> writtenNow() {
        return written.isEmpty() ? Set.of() : written.peek();
    }

    /** E0121: a local read before the function assigns it. */
    static Val unboundLocal(Lowerer l, String name, Span span) {
        String fn = l.state.unboundLocals.get(name);
        l.diags.error("E0121", span, "`" + name + "` is read here before `" + fn + "` assigns it: a name a function assigns is its local "
                + "throughout the function (Python's UnboundLocalError)",
                l.functions.isScriptName(name)
                        ? "to read and assign the script's `" + name + "`, write `global " + name + "` first in `" + fn + "`; else give the local another name"
                        : "to assign the maker's `" + name + "`, write `nonlocal " + name + "` first in `" + fn + "`; else give the local another name");
        l.state.unboundLocals.remove(name);
        l.state.names.put(name, new Val.Bad()); // reported once: later reads say nothing more
        return new Val.Bad();
    }

    /**
     * Python's SyntaxErrors about `global` (E0120): a parameter named global, and a name used in
     * the function before the `global` statement that names it.
     */
    private void check(Ast.FnDef f) {
        Map<String, Span> firstUse = new java.util.HashMap<>();
        for (Ast.Global g : statements(f.body())) {
            for (int i = 0; i < g.names().size(); i++) {
                String n = g.names().get(i);
                Span at = g.spans().get(i);
                if (f.params().stream().anyMatch(p -> p.name().equals(n))) {
                    l.diags.error("E0120", at, "`" + n + "` is a parameter of `" + Definitions.shown(f.name()) + "` and cannot also be global",
                            "rename the parameter, or drop it and read the script's `" + n + "`");
                    continue;
                }
                Span used = firstUse.computeIfAbsent(n, k -> firstUse(f.body(), k));
                if (used != null && before(used, g.span())) {
                    l.diags.error("E0120", at, "`" + n + "` is used in `" + Definitions.shown(f.name()) + "` at line " + used.line() + ", before this `global` statement",
                            "put `global " + n + "` first in the function, as Python requires");
                }
            }
        }
    }

    /** Where a body first names {@code name} (as a read or as a target), or null. */
    private static Span firstUse(List<Ast.Stmt> body, String name) {
        Span[] first = {null};
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.Global) return;
            Span hit = BodyReads.firstName(s, name);
            if (hit != null && (first[0] == null || before(hit, first[0]))) first[0] = hit;
        });
        return first[0];
    }

    private static boolean before(Span a, Span b) {
        return a.line() < b.line() || a.line() == b.line() && a.col() < b.col();
    }
}
