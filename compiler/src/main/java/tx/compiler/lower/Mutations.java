package tx.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Var;

/**
 * What the file's functions change in place (LANGUAGE.md §7, v2: d2l's {@code sgd(params, lr,
 * batch_size)}): their arguments and the script's names, found from their text, so that a loop
 * calling one carries what it changes; and how a caller sees those changes when a call returns.
 */
final class Mutations {
    private final Lowerer l;
    private final Functions functions;

    Mutations(Lowerer l, Functions functions) {
        this.l = l;
        this.functions = functions;
    }

    private Ast.FnDef def(String name) {
        return functions.base(new Val.UserFn(name));
    }

    /**
     * Whether a function can be a function of the IR: it takes tensors only, returns something, and
     * changes nothing in place (those are inlined, so that their caller sees the change).
     */
    boolean callable(Ast.FnDef f) {
        if (!Parameters.allTensors(f) || f.body().isEmpty() || !(f.body().get(f.body().size() - 1) instanceof Ast.Return)) return false;
        if (functions.closures.makesClosures(f)) return false; // its closures read its names as it runs

        return changedParams(f.name()).isEmpty() && changedGlobals(f.name()).isEmpty();
    }

    private final Map<String, Set<Integer>> changed = new HashMap<>();

    /**
     * The parameters a function changes in place, by position: by `op=`, `zero_()` and the like in
     * its body, through a `for` over a list it takes, or by passing them to a function that does.
     * A function being analysed counts as changing nothing (recursion is refused elsewhere).
     */
    Set<Integer> changedParams(String name) {
        Set<Integer> known = changed.get(name);
        if (known != null) return known;
        Ast.FnDef f = def(name);
        changed.put(name, Set.of());
        Set<String> names = l.effects.inPlaceNames(f.body());
        Set<Integer> out = new java.util.TreeSet<>();
        for (int i = 0; i < f.params().size(); i++) if (names.contains(f.params().get(i).name())) out.add(i);
        changed.put(name, out);
        return out;
    }

    private final Map<String, Set<String>> changedScriptNames = new HashMap<>();

    /** The script-level names a function changes in place (not its parameters or locals), itself or through the functions it calls. */
    Set<String> changedGlobals(String name) {
        Set<String> known = changedScriptNames.get(name);
        if (known != null) return known;
        Ast.FnDef f = def(name);
        changedScriptNames.put(name, Set.of()); // while it is being analysed (recursion is refused elsewhere)
        Set<String> out = new LinkedHashSet<>(l.effects.inPlaceNames(f.body()));
        for (Ast.Param p : f.params()) out.remove(p.name());
        out.removeAll(functions.scopes.localsOf(f)); // Python's rule: what it binds (`=`, `op=`, loop names) but its `global` names
        out.removeAll(Nonlocals.declared(f.body())); // its maker's names, handed back when it returns (Closures)
        out.addAll(functions.scopes.assignedOf(f)); // `global t; t += 1`: assigned, not changed in place, but a loop that calls it carries t alike
        changedScriptNames.put(name, out);
        return out;
    }

    /**
     * {@link #changedGlobals} but for the names some function of the file declares nonlocal: a call
     * through a function value may reach a closure that assigns its maker's variable of that name,
     * which is no script name (its `global` assignments stay). NOTE: an in-place change of a script
     * name spelt as such a nonlocal is left out too.
     */
    Set<String> changedScriptNames(String name) {
        Set<String> out = new LinkedHashSet<>(changedGlobals(name));
        out.removeAll(functions.closures.nonlocals.anywhere());
        out.addAll(functions.scopes.assignedOf(def(name)));
        return out;
    }

    /** Forgets what was found: a function was redefined, and the functions that call it by name may now change other things. */
    void forget() {
        changed.clear();
        changedScriptNames.clear();
    }

    /** Applies to a caller's names the in-place changes made since {@code mark} (a function's, to its arguments and globals). */
    static void seeChanges(Lowerer l, State caller, int mark) {
        for (int k = mark; k < l.inPlaceLog.size(); k++) {
            l.dictChanges.seeChange(caller, k); // a dict the call changed (`d[k] = v`, `update`)
            Map<Var, T> moved = l.inPlaceLog.get(k);
            for (Map.Entry<String, Val> e : new ArrayList<>(caller.names.entrySet())) {
                if (e.getValue() instanceof T t && moved.containsKey(t.var())) caller.names.put(e.getKey(), moved.get(t.var()));
            }
            Sequences.replaceInSequences(caller, moved);
        }
    }
}
