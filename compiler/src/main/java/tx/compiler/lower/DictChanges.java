package tx.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Changes to a dict (and to a set: {@code add}, {@code update}, {@code discard}, {@code remove}), seen as Python's objects are seen (LANGUAGE.md §4, v2): {@code d[k] = v},
 * {@code update}, {@code pop}, {@code setdefault} and {@code clear} change the dict itself, so every
 * name and every list or dict that holds it sees the change ({@code alias = d} then {@code d['lr'] = 0.1}
 * gives {@code alias['lr']} 0.1), and a caller sees what a function did to a dict it passed or that
 * the function read from the script. A dict is a value of the compiler ({@link Val.DictV}); a change
 * makes a new value with the same identity, which replaces the old one in the state, and is logged
 * with the in-place changes to tensors so that a caller applies it when the call returns.
 */
final class DictChanges {
    private final Lowerer l;

    /** The dict each change made, by its place in {@link Lowerer#inPlaceLog} (which gets an empty entry for it). */
    private final Map<Integer, Val> logged = new HashMap<>();

    DictChanges(Lowerer l) {
        this.l = l;
    }

    /**
     * {@code d} changed into {@code keys, values}: the new value everywhere the state holds d;
     * null, after E0124, when d was made before a loop that tx does not unroll (each iteration
     * would change it again, and a dict of the compiler holds one value).
     */
    Val.DictV change(Val.DictV d, List<Val> keys, List<Val> values, String what, Span at) {
        return (Val.DictV) changed(d, d.id(), d.with(keys, values), what, at);
    }

    /** A set changed into {@code items} ({@code s.add(x)}), seen as a dict's change is; null after E0124 or E0126. */
    Val.SetV change(Val.SetV s, List<Val> items, String what, Span at) {
        return (Val.SetV) changed(s, s.id(), s.with(items), what, at);
    }

    private Val changed(Val old, int id, Val now, String what, Span at) {
        String kind = old instanceof Val.SetV ? "set" : "dict";
        if (l.growing.madeBeforeLoop(old) || l.loopDepth > madeAt.getOrDefault(id, 0)) {
            l.diags.error("E0124", at, what + " changes a " + kind + " inside a loop that tx does not unroll",
                    "a " + kind + "'s " + (kind.equals("set") ? "items are" : "keys and values are") + " known at compile time: change it outside the loop, or keep the value in a name of its own");
            return null;
        }
        String closure = l.functions.closures.changesDistantMaker(s -> holds(s, id));
        if (closure != null) {
            l.diags.error("E0126", at, what + " changes a " + kind + " of the function that made `" + closure + "`, which is not the function calling `" + closure + "` here",
                    "tx follows a maker's " + kind + " into a closure that the maker calls itself: call `" + closure + "` there, or return the new value");
            return null;
        }
        rebind(l.state, now);
        logged.put(l.inPlaceLog.size(), now);
        l.inPlaceLog.add(Map.of());
        return now;
    }

    /** How many loops of the IR were being lowered where each dict was made, by identity: a change in a deeper one is E0124. */
    private final Map<Integer, Integer> madeAt = new HashMap<>();

    /** A new dict. */
    Val.DictV made(Val.DictV d) {
        if (l.loopDepth > 0) madeAt.put(d.id(), l.loopDepth);
        return d;
    }

    /** A new set. */
    Val.SetV made(Val.SetV s) {
        if (l.loopDepth > 0) madeAt.put(s.id(), l.loopDepth);
        return s;
    }

    /** The identity of a dict or a set; -1 for any other value. */
    private static int id(Val v) {
        return v instanceof Val.DictV d ? d.id() : v instanceof Val.SetV s ? s.id() : -1;
    }

    private static boolean holds(State s, int id) {
        for (Val v : s.names.values()) if (holds(v, id)) return true;
        return false;
    }

    private static boolean holds(Val v, int id) {
        if (id(v) == id) return true;
        List<Val> items = v instanceof Val.DictV d ? d.values() : v instanceof Val.ListV list ? list.items() : List.of();
        for (Val x : items) if (holds(x, id)) return true;
        return false;
    }

    /** Applies the change logged at {@code k}, if it is a dict's, to a caller's names. */
    void seeChange(State caller, int k) {
        Val d = logged.get(k);
        if (d != null) rebind(caller, d);
    }

    private static void rebind(State s, Val now) {
        for (Map.Entry<String, Val> e : new ArrayList<>(s.names.entrySet())) {
            Val v = replaced(e.getValue(), now);
            if (v != e.getValue()) s.names.put(e.getKey(), v);
        }
    }

    /** v with the dict (or set) of {@code now}'s identity replaced by {@code now}, inside lists and dicts too; v itself if it holds none. */
    private static Val replaced(Val v, Val now) {
        if (id(v) == id(now)) return now;
        List<Val> items = v instanceof Val.DictV d ? d.values() : v instanceof Val.ListV list ? list.items() : null;
        if (items == null) return v;
        List<Val> out = new ArrayList<>();
        boolean changed = false;
        for (Val x : items) {
            Val y = replaced(x, now);
            changed |= y != x;
            out.add(y);
        }
        if (!changed) return v;
        return v instanceof Val.DictV d ? d.with(d.keys(), out) : ((Val.ListV) v).with(out);
    }

    /** The dict comprehensions being lowered, by hidden name: whether E0128 was reported for it. */
    final Map<String, Boolean> comprehensions = new HashMap<>();

    /**
     * E0128, true: a dict comprehension sets a key where only the run decides it: in a loop of the
     * IR (over a tensor's rows), or under a condition known only at run time.
     */
    boolean outsideComprehension(String name, Val.DictV d, Span at) {
        Boolean reported = comprehensions.get(name);
        if (reported == null || !l.growing.madeBeforeLoop(d) && !(l.state.names.get(name + "_if") instanceof Val.T)) return false;
        if (reported || l.diags.isMuted()) return true; // reported already, or a loop's dry run (the real lowering reports it)
        l.diags.error("E0128", at, "this dict comprehension sets its keys where only the run decides them: in a loop over a tensor's rows, or under a condition "
                + "known only when the program runs", "tx's dicts have keys known at compile time: go over a list, a tuple, a dict, a range, `enumerate` or "
                + "`zip` of those, with a condition known then (a tensor's rows: `for` over `range(len(x))`, or keep the values in a tensor)");
        comprehensions.put(name, true);
        return true;
    }

    // ---- the methods that change a dict -------------------------------------------------------------

    /** Whether {@code name} is a method that changes a dict. */
    static boolean changes(String name) {
        return name.equals("update") || name.equals("pop") || name.equals("setdefault") || name.equals("clear");
    }

    /**
     * {@code d.update(other, k=v)}, {@code d.pop(k)}, {@code d.pop(k, default)},
     * {@code d.setdefault(k, default=None)}, {@code d.clear()}, as Python's.
     */
    Val method(Dicts dicts, Val.DictV d, String name, Ast.Call c, List<Val> args, Map<String, Val> kw) {
        if (!name.equals("update") && !kw.isEmpty()) {
            l.diags.error("E0104", c.span(), "`" + name + "` of a dict takes no keyword arguments", null);
            return new Val.Bad();
        }
        int most = name.equals("clear") ? 0 : name.equals("update") ? 1 : 2, least = name.equals("pop") || name.equals("setdefault") ? 1 : 0;
        if (args.size() < least || args.size() > most) {
            l.diags.error("E0104", c.span(), "`" + name + "` of a dict takes " + (most == 0 ? "no arguments" : name.equals("update") ? "one dict and keyword arguments"
                    : "a key and, optionally, a default") + ", got " + args.size(), null);
            return new Val.Bad();
        }
        List<Val> keys = new ArrayList<>(d.keys()), values = new ArrayList<>(d.values());
        String what = "`" + name + "`";
        switch (name) {
            case "clear" -> {
                keys.clear();
                values.clear();
            }
            case "update" -> {
                if (!args.isEmpty() && !(args.get(0) instanceof Val.DictV)) {
                    if (!(args.get(0) instanceof Val.Bad)) l.diags.error("E0401", c.args().get(0).span(), "`update` takes a dict here, found " + args.get(0).describe(),
                            "pass a dict, `d.update({'lr': 0.1})`, or keywords, `d.update(lr=0.1)`");
                    return new Val.Bad();
                }
                if (!args.isEmpty()) {
                    Val.DictV other = (Val.DictV) args.get(0);
                    for (int i = 0; i < other.keys().size(); i++) Dicts.put(keys, values, other.keys().get(i), other.values().get(i));
                }
                for (Map.Entry<String, Val> e : kw.entrySet()) Dicts.put(keys, values, new Val.Str(e.getKey()), e.getValue());
            }
            default -> { // pop, setdefault
                Val k = dicts.key(args.get(0), c.args().get(0).span());
                if (k == null) return new Val.Bad();
                int i = Dicts.find(keys, k);
                if (name.equals("setdefault")) {
                    if (i >= 0) return values.get(i);
                    Val dflt = args.size() > 1 ? args.get(1) : new Val.None("`setdefault` without a default stores None");
                    Dicts.put(keys, values, k, dflt);
                    return change(d, keys, values, what, c.span()) == null ? new Val.Bad() : dflt;
                }
                if (i < 0 && args.size() < 2) {
                    l.diags.error("E0123", c.args().get(0).span(), "the dict has no key " + Dicts.repr(k) + " to pop (Python's KeyError)", "its keys are " + Dicts.keysShown(d)
                            + "; `pop(k, default)` gives the default for a missing key");
                    return new Val.Bad();
                }
                if (i < 0) return args.get(1);
                Val out = values.remove(i);
                keys.remove(i);
                return change(d, keys, values, what, c.span()) == null ? new Val.Bad() : out;
            }
        }
        return change(d, keys, values, what, c.span()) == null ? new Val.Bad() : new Val.None("`" + name + "` returns None");
    }
}
