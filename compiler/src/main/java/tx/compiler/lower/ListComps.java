package tx.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * List comprehensions and generator expressions (LANGUAGE.md §4, v2): {@code [p.grad for p in
 * params]}, {@code [x * y for x in xs for y in ys if x != y]}, {@code sum(w.pow(2).sum() for w in
 * ws)}. Each is the loop it stands for, over a list, a tuple, a dict, a range, {@code enumerate} or
 * {@code zip} (unrolled, as a {@code for} over them is), appending to a new list; as in Python 3, its
 * names are its own. A generator expression is taken where Python's consumer gives what it gives
 * for a list ({@code sum}, {@code any}, {@code all}, {@code max}, {@code min}, {@code list},
 * {@code tuple}; {@code sorted} and {@code str.join} pass it on as a list too); elsewhere it is E0130. Where the run would decide
 * the list's items (a loop over a tensor's rows, a condition on a tensor) it is E0129.
 */
final class ListComps {
    /** The consumers that take a generator as they take a list. */
    private static final Set<String> CONSUMERS = Set.of("sum", "any", "all", "max", "min", "list", "sorted", "tuple");

    private final Lowerer l;

    /** The comprehensions being lowered, by hidden name: whether E0129 was reported for it. */
    private final Map<String, Boolean> active = new HashMap<>();

    /** Each call with a generator argument, as the call with a list in its place (the same node each time it is lowered). */
    private final Map<Ast.Call, Ast.Call> listed = new IdentityHashMap<>();

    ListComps(Lowerer l) {
        this.l = l;
    }

    /** {@code [f(x) for x in xs]}: the list; a generator expression outside a call that takes it is E0130. */
    Val expr(Ast.ListComp c) {
        if (c.generator()) {
            l.diags.error("E0130", c.span(), "tx takes a generator expression only as the argument of `sum`, `any`, `all`, `max`, `min`, `list` "
                    + "or `tuple`", "write a list comprehension, `[... for ... in ...]`, which tx builds as a list");
            return new Val.Bad();
        }
        return lower(c);
    }

    /** Whether a call has a generator expression among its arguments. */
    static boolean applies(Ast.Call c) {
        for (Ast.Arg a : c.args()) if (a.value() instanceof Ast.ListComp g && g.generator()) return true;
        return false;
    }

    /**
     * {@code sum(f(x) for x in xs)}: the call with the list in the generator's place, where the
     * consumer gives for a list what it gives for a generator; {@code torch.stack(x for x in xs)} is
     * PyTorch's TypeError, other callees E0130.
     */
    Val call(Ast.Call original, Ast.Call c) {
        for (Ast.Arg a : c.args()) {
            if (c.args().size() > 1 && a.value() instanceof Ast.ListComp g && g.hidden().startsWith(Ast.ListComp.BARE)) {
                l.diags.error("E0001", a.span(), "syntax error: Generator expression must be parenthesized (Python's SyntaxError)",
                        "a generator expression without brackets of its own is a call's only argument: `f((x for x in xs), y)`");
                return new Val.Bad();
            }
        }
        String name = c.callee() instanceof Ast.Name n ? n.name() : null;
        boolean builtin = name != null && (l.builtins.prefixed(c) || !l.state.names.containsKey(name) && !l.functions.has(name));
        boolean join = c.callee() instanceof Ast.Attr a && a.name().equals("join");
        if (builtin && (CONSUMERS.contains(name) || name.equals("stack") || name.equals("cat")) || join) {
            if (builtin && (name.equals("stack") || name.equals("cat"))) {
                Ast.Arg g = c.args().stream().filter(a -> a.value() instanceof Ast.ListComp x && x.generator()).findFirst().orElseThrow();
                l.diags.error("E0130", g.span(), name + "(): argument 'tensors' (position 1) must be tuple of Tensors, not generator (PyTorch's TypeError)",
                        "write a list comprehension: `torch." + name + "([... for ... in ...])`");
                return new Val.Bad();
            }
            return l.exprs.expr(listed.computeIfAbsent(original, ListComps::withLists));
        }
        for (Ast.Arg a : c.args()) {
            if (a.value() instanceof Ast.ListComp g && g.generator()) {
                l.diags.error("E0130", a.span(), "tx takes a generator expression only as the argument of `sum`, `any`, `all`, `max`, `min`, `list` "
                        + "or `tuple`" + (name == null ? "" : ", not of `" + name + "`"),
                        "pass a list comprehension, `[... for ... in ...]`, which tx builds as a list");
            }
        }
        return new Val.Bad();
    }

    private static Ast.Call withLists(Ast.Call c) {
        List<Ast.Arg> args = new ArrayList<>();
        for (Ast.Arg a : c.args()) {
            Ast.Expr v = a.value() instanceof Ast.ListComp g && g.generator() ? new Ast.ListComp(g.hidden(), g.loop(), false, g.span()) : a.value();
            args.add(new Ast.Arg(a.name(), v, a.span()));
        }
        return new Ast.Call(c.callee(), args, c.span());
    }

    /** Whether the call is {@code tuple(xs)}, where the program did not bind the name. */
    boolean isTuple(Ast.Call c) {
        return c.callee() instanceof Ast.Name n && n.name().equals("tuple") && (l.builtins.prefixed(c) || !l.state.names.containsKey("tuple") && !l.functions.has("tuple"));
    }

    /** {@code tuple(xs)}: a tuple of a list's or a tuple's items; {@code tuple()} the empty one. */
    Val tuple(Ast.Call c) {
        if (c.args().isEmpty()) return new Val.ListV(new ArrayList<>(), new ArrayList<>(), true);
        Val v = l.exprs.expr(c.args().get(0).value());
        if (v instanceof Val.Bad) return v;
        Span at = c.args().get(0).span();
        Val items = Ranges.listed(Dicts.iterated(Sequences.named(v, at), at), at);
        if (c.args().size() != 1 || c.args().get(0).name() != null || !(items instanceof Val.ListV list)) {
            l.diags.error("E0130", c.span(), "tx's `tuple` takes one list, tuple, dict or comprehension, got " + (c.args().size() != 1 ? c.args().size()
                    + " arguments" : c.args().get(0).name() != null ? "a keyword argument" : v.describe()), v instanceof Val.T
                    ? "a tensor's rows as a tuple: `tuple(x[i] for i in range(len(x)))`, or `x.unbind(0)`" : null);
            return new Val.Bad();
        }
        return new Val.ListV(list.items(), list.spans(), true);
    }

    /** The loop the comprehension stands for, on a new list; the names around it are as they were. */
    private Val lower(Ast.ListComp c) {
        ComprehensionScope scope = ComprehensionScope.enter(l, c.loop());
        l.state.bind(c.hidden(), new Val.ListV(new ArrayList<>(), new ArrayList<>()));
        active.put(c.hidden(), false);
        new Iteration(l).forEach(c.loop());
        boolean refused = active.remove(c.hidden());
        Val out = l.state.names.remove(c.hidden());
        scope.leave();
        return out == null || refused ? new Val.Bad() : out;
    }

    /**
     * {@code hidden.append(item)} of a comprehension: the list with the item, where the item is known
     * to be taken; where only the run decides it (in a loop of the IR, over a tensor's rows, or under
     * a condition known only at run time) E0129, once. None; null for any other call.
     */
    Val append(Ast.Call c) {
        if (!(c.callee() instanceof Ast.Attr a) || !(a.target() instanceof Ast.Name n) || !active.containsKey(n.name())) return null;
        String hidden = n.name();
        boolean runTimeCondition = l.state.names.entrySet().stream().anyMatch(e -> e.getKey().startsWith(hidden + "_if") && e.getValue() instanceof Val.T);
        Val list = l.state.names.get(hidden);
        if (l.state.names.entrySet().stream().anyMatch(e -> e.getKey().startsWith(hidden + "_if") && e.getValue() instanceof Val.Bad)) {
            active.put(hidden, true); // a condition with an error, reported where it is: the list is not made
        } else if (runTimeCondition || list != null && l.growing.madeBeforeLoop(list)) {
            refuse(hidden, runTimeCondition, c.span());
        } else if (list instanceof Val.ListV lv) {
            Ast.Expr item = c.args().get(0).value();
            List<Val> items = new ArrayList<>(lv.items());
            List<Span> spans = new ArrayList<>(lv.spans());
            items.add(l.exprs.expr(item));
            spans.add(item.span());
            l.state.names.put(hidden, new Val.ListV(items, spans));
        }
        return new Val.None("None");
    }

    private void refuse(String hidden, boolean runTimeCondition, Span at) {
        if (active.get(hidden) || l.diags.isMuted()) return; // reported already, or a loop's dry run (the real lowering reports it)
        l.diags.error("E0129", at, "this " + (hidden.startsWith("$gen") ? "generator expression" : "list comprehension")
                + " takes its items where only the run decides them: " + (runTimeCondition ? "under a condition known only when the program runs"
                : "in a loop over a tensor's rows, which tx does not unroll"), runTimeCondition
                ? "tx's lists have lengths known at compile time: keep all the values and select with a tensor operation (`x[x > 0]`, `torch.where`)"
                : "go over `range(len(x))` and index, `[x[i] for i in range(len(x))]`, which tx unrolls; or write the whole-tensor operation");
        active.put(hidden, true);
    }
}
