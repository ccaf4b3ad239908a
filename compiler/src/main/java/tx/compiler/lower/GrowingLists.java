package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Lists that grow (LANGUAGE.md §3, §6, v2): {@code xs = []}, then {@code xs.append(v)},
 * {@code xs.extend([a, b])} or {@code xs += [v]}. A list is a value of the compiler whose length
 * is known when the program is compiled, so:
 * <ul>
 *   <li>in straight-line code (and in a loop over a list, which is unrolled) an append makes the
 *       list one item longer, and every name bound to that list sees it, as Python's lists are
 *       shared;</li>
 *   <li>in the body of a {@code for} loop over a range known when compiling (a loop of the IR, not
 *       unrolled), the body appends the same number of items in each iteration, each of one shape:
 *       each appended value is stacked by the loop onto a tape (row i for iteration i, the IR's
 *       {@code Loop.stacked}/{@code tapes}, as {@code vmap} stacks its results), and after the loop
 *       the list holds its items from before and then the rows of the tapes, in the order Python
 *       appended them. The rows are read from the tapes, so a {@code backward} through
 *       {@code torch.stack(outs)} reaches each iteration's value through the loop's reversal. A loop
 *       nested in such a loop hands its rows on to the enclosing loop, which stacks them again.</li>
 * </ul>
 * Inside the loop that appends to it, the list is a {@link Val.Growing}: reading it there (its
 * length, an item, printing it) is an error, since it differs from one iteration to the next. So is
 * appending in a {@code while} (a run-time trip count), in a branch of an {@code if} inside such a
 * loop, or anything but tensors and numbers (E0401).
 */
final class GrowingLists {
    /** The most items a list grown by loops may hold: each is a value of the compiler. */
    static final int MAX_ITEMS = 100_000;

    private final Lowerer l;

    /** {@code for v in xs} over lists whose length is known only at run time, as the {@code while} each is lowered as (see {@link RunLists#forEach}). */
    final Map<Ast.ForEach, Ast.Stmt> runLoops = new IdentityHashMap<>();

    /** The state at the entry of each loop body being checked, innermost first (see {@link #madeBeforeLoop}). */
    final java.util.ArrayDeque<State> entries = new java.util.ArrayDeque<>();

    /** Lists read inside the loop that appends to them. */
    final ListHistory history;

    GrowingLists(Lowerer l) {
        this.l = l;
        this.history = new ListHistory(l);
    }

    /**
     * The loop a body belongs to: its trip count (-1: known only at run time), how deep in branches
     * its body starts, its counter (0, 1, ...), its body, and the histories it carries (see {@link ListHistory}).
     */
    static final class Frame {
        final int count;
        final int mayNotRun;
        final Var index;
        final List<Ast.Stmt> body;
        final Map<Val, ListHistory.Spec> history;

        Frame(int count, int mayNotRun, Var index, List<Ast.Stmt> body, Map<Val, ListHistory.Spec> history) {
            this.count = count;
            this.mayNotRun = mayNotRun;
            this.index = index;
            this.body = body;
            this.history = history;
        }
    }

    // ---- appending -------------------------------------------------------------------------------------

    /** Whether the call is {@code NAME.append(...)} or {@code NAME.extend(...)} on a name that holds a list. */
    boolean applies(Ast.Call c) {
        if (!(c.callee() instanceof Ast.Attr a) || !(a.name().equals("append") || a.name().equals("extend") || a.name().equals("pop"))) return false;
        if (!(a.target() instanceof Ast.Name n)) return false;
        Val v = l.state.names.get(n.name());
        return v instanceof Val.ListV || v instanceof Val.Growing || v instanceof Val.RunList r && !r.tensor();
    }

    /** {@code xs.append(v)}, {@code xs.extend(ys)}: None, after the list grew. */
    Val call(Ast.Call c) {
        Ast.Attr a = (Ast.Attr) c.callee();
        String name = ((Ast.Name) a.target()).name();
        if (a.name().equals("pop")) return pop(c, name);
        if (c.args().size() != 1 || c.args().get(0).name() != null) {
            for (Ast.Arg arg : c.args()) l.exprs.expr(arg.value());
            l.diags.error("E0104", c.span(), "`" + a.name() + "` takes one positional argument, got " + c.args().size()
                    + (c.args().stream().anyMatch(x -> x.name() != null) ? " (with a keyword)" : ""), null);
            return new Val.Bad();
        }
        Ast.Expr arg = c.args().get(0).value();
        Val v = l.exprs.expr(arg);
        if (v instanceof Val.Bad) {
            rebind(l.state.names.get(name), v); // its items are no longer known: later uses are not reported again
            return v;
        }
        if (a.name().equals("append")) {
            grow(name, List.of(v), List.of(arg.span()), c.span());
        } else {
            List<Val> items = Sequences.items(v);
            if (items == null) {
                l.diags.error("E0401", arg.span(), "`extend` takes a list or a tuple, found " + v.describe(), "append one item with `append`");
                return new Val.Bad();
            }
            grow(name, items, Collections.nCopies(items.size(), arg.span()), c.span());
        }
        return new Val.None("`" + a.name() + "` returns None");
    }

    /**
     * {@code xs.pop()}, {@code xs.pop(k)}: the item, after the list lost it (every name bound to it
     * sees that). Only where the list's length stays known when compiling: not in a loop that tx does
     * not unroll (E0401), not on an empty list or past its end (E0204, Python's IndexError).
     */
    private Val pop(Ast.Call c, String name) {
        Val list = l.state.names.get(name);
        Val at = c.args().isEmpty() ? new Val.Num(-1, Val.PyType.INT) : l.exprs.expr(c.args().get(0).value());
        Span where = c.args().isEmpty() ? c.span() : c.args().get(0).value().span();
        if (c.args().size() > 1 || c.args().stream().anyMatch(x -> x.name() != null)) {
            l.diags.error("E0104", c.span(), "`pop` takes at most one positional argument, the index", null);
            return new Val.Bad();
        }
        if (list instanceof Val.RunList) {
            l.diags.error("E0401", c.span(), "`" + name + ".pop()` of " + list.describe() + " is not supported", "read the item with `" + name + "[-1]`");
            return new Val.Bad();
        }
        if (!(list instanceof Val.ListV lv) || lv.tuple() || l.growing.madeBeforeLoop(lv)) {
            l.diags.error("E0401", c.span(), list instanceof Val.ListV lv && lv.tuple() ? "a tuple has no `pop` (Python: 'tuple' object has no attribute 'pop')"
                    : "`" + name + ".pop()` inside a loop that tx does not unroll: the list's length would change from one iteration to the next",
                    list instanceof Val.ListV lv2 && lv2.tuple() ? null : "pop after the loop, or loop over a list (`for v in xs`), which tx unrolls");
            return new Val.Bad();
        }
        if (!ownList(name, c.span(), "change")) return new Val.Bad();
        Integer i = at instanceof T ? null : l.exprs.integer(at, where, "an index");
        int n = lv.items().size();
        if (at instanceof T) l.diags.error("E0105", where, "`pop` takes an index known when compiling, found one known only when the program runs", null);
        if (i == null) return new Val.Bad();
        int k = i < 0 ? i + n : i;
        if (k < 0 || k >= n) {
            l.diags.error("E0204", where, n == 0 ? "pop from an empty list (Python: IndexError)" : "pop index " + i + " is out of range for a list of " + n
                    + (n == 1 ? " item" : " items"), n == 0 ? null : "valid indices are " + -n + " to " + (n - 1));
            return new Val.Bad();
        }
        List<Val> items = new ArrayList<>(lv.items());
        List<Span> spans = new ArrayList<>(lv.spans());
        Val out = items.remove(k);
        spans.remove(k);
        rebind(lv, new Val.ListV(items, spans, false));
        return out;
    }

    /** {@code xs += [a, b]}: Python's in-place extend (every name bound to the list sees it). */
    void extend(Ast.AugAssign a, Val value) {
        if (value instanceof Val.Bad) {
            rebind(l.state.names.get(a.target().name()), value);
            return;
        }
        List<Val> items = Sequences.items(value);
        if (!a.op().equals("+=") || items == null) {
            l.diags.error("E0401", a.span(), "a list takes `+=` of a list or a tuple only, found `" + a.op() + "` of " + value.describe(),
                    "append one item with `" + a.target().name() + ".append(v)`");
            return;
        }
        grow(a.target().name(), items, Collections.nCopies(items.size(), a.value().span()), a.span());
    }

    private void grow(String name, List<Val> items, List<Span> spans, Span at) {
        Val list = l.state.names.get(name);
        if (!ownList(name, at)) {
            rebind(list, new Val.Bad());
            return;
        }
        if (list instanceof Val.RunList r) { // after the loop that made it: one row more
            if (madeBeforeLoop(r)) {
                l.diags.error("E0401", at, "`" + name + "` (" + r.describe() + ") cannot grow in a later loop",
                        "collect the later loop's values in a list of their own");
                rebind(r, new Val.Bad());
                return;
            }
            rebind(r, new RunLists(l).append(r, items, spans, name));
            return;
        }
        if (list instanceof Val.ListV lv) {
            if (lv.tuple()) {
                l.diags.error("E0401", at, "a tuple cannot grow (Python: 'tuple' object has no attribute 'append')", "make it a list: `[a, b]`");
                return;
            }
            List<Val> all = new ArrayList<>(lv.items());
            all.addAll(items);
            List<Span> allSpans = new ArrayList<>(lv.spans());
            allSpans.addAll(spans);
            rebind(lv, new Val.ListV(all, allSpans, false));
            return;
        }
        Val.Growing g = (Val.Growing) list;
        Frame frame = (Frame) g.frame();
        int width = onlyAppended(frame.body, name) ? tupleWidth(g, frame, items) : -1; // read in the loop: its items are one value each
        if (width > 0) { // `results.append((x1, x2))`: its items, one tape each, put back together after the loop
            spans = java.util.Collections.nCopies(width, spans.get(0));
            items = ((Val.ListV) items.get(0)).items();
        }
        List<T> made = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            T t = itemOf(items.get(k), spans.get(k));
            if (t == null) {
                rebind(g, new Val.Bad());
                return;
            }
            made.add(t);
            history.saw(frame.body, name, at + "#" + k, t);
        }
        if (history.counted(g)) { // its length is carried: it may grow in a branch (see ListHistory)
            for (T t : made) history.appended(name, g, t, at);
            return;
        }
        if (!appendable(frame, g, made, name, at)) {
            rebind(g, new Val.Bad());
            return;
        }
        List<Val.Piece> pieces = new ArrayList<>(g.pieces());
        for (T t : made) {
            history.appended(name, new Val.Growing(frame, g.base(), pieces, g.at()), t, at); // written at the length before it
            pieces.add(new Val.Piece(t.var(), -1, t));
            if (width > 0 && t == made.get(0)) tupleStarts.put(pieces.get(pieces.size() - 1), width);
        }
        rebind(g, new Val.Growing(frame, g.base(), pieces, g.at() == null ? at : g.at()));
    }

    /** The appended pieces that start a tuple (by identity), and its width: the items after the loop are put back together so. */
    private final Map<Val.Piece, Integer> tupleStarts = new IdentityHashMap<>();

    /**
     * How many values a tuple appended in a {@code for} loop with a trip count known now holds
     * (each a tensor or a number, appended as items of their own and grouped again after the
     * loop), or -1: any other append.
     */
    private int tupleWidth(Val.Growing g, Frame frame, List<Val> items) {
        if (items.size() != 1 || !(items.get(0) instanceof Val.ListV t) || !t.tuple() || t.items().isEmpty()) return -1;
        if (frame.count < 0 || g.base() instanceof Val.Growing || history.counted(g)) return -1; // a while's tape, a nested loop's rows, a list read in its loop: one value an item
        for (Val v : t.items()) if (!(v instanceof T || v instanceof Val.Num || v instanceof Val.Bool)) return -1;
        return t.items().size();
    }

    /** Whether a body names the list only to append to it ({@code name.append(...)}), never reading it. */
    private static boolean onlyAppended(List<Ast.Stmt> body, String name) {
        int named = BodyReads.count(body, x -> x instanceof Ast.Name n && n.name().equals(name));
        int appends = BodyReads.count(body, x -> x instanceof Ast.Attr a && a.name().equals("append") && a.target() instanceof Ast.Name n && n.name().equals(name));
        return named == appends;
    }

    /** Whether a loop may append to a list made before it here; E0401 otherwise. */
    private boolean appendable(Frame frame, Val.Growing g, List<T> items, String name, Span at) {
        if (frame.count < 0) return whileAppendable(frame, g, items, name, at);
        if (l.mayNotRun > frame.mayNotRun) { // a branch where the list's length is not carried (see ListHistory): its items differ or require grad
            boolean rg = items.stream().anyMatch(T::rg);
            l.diags.error("E0401", at, "`" + name + "` cannot grow inside a branch in a loop" + (rg
                            ? ": its length would be known only when the program runs, and such a list holds values that do not require grad (tx does not differentiate through it)"
                            : ": how many items it gets would be known only when the program runs, and its items differ in kind, shape or dtype"),
                    "append in every iteration (choose the value with `where(...)` or `a if c else b`), or append after the loop"
                            + (rg ? ", or append `v.detach()` or `v.item()`" : ""));
            return false;
        }
        return true;
    }

    /**
     * A {@code while} loop may append one item an iteration, in every iteration, to a list that is
     * empty before it, an item that does not require grad: after the loop the list is the loop's
     * tape of them, of a length known only at run time ({@link Val.RunList}). E0401 otherwise.
     */
    private boolean whileAppendable(Frame frame, Val.Growing g, List<T> items, String name, Span at) {
        String why = !(g.base() instanceof Val.ListV base) || !base.items().isEmpty() ? "it must be empty before the loop (`" + name + " = []`)"
                : l.mayNotRun > frame.mayNotRun ? "it grows in a branch of the loop's body"
                : g.pieces().size() + items.size() > 1 ? "the loop appends more than one item an iteration"
                : items.get(0).rg() ? "the item requires grad (tx does not differentiate through such a list)" : null;
        if (why == null) return true;
        l.diags.error("E0401", at, "`" + name + "` cannot grow in this `while` loop: " + why,
                "a `while` appends one item an iteration to an empty list; for more, use a `for` loop over a `range` known when compiling,\n"
                        + "or write the values into a tensor by index (`buf[k] = v`)");
        return false;
    }

    /**
     * Whether a list was made before the loop of the IR whose body is being checked (it is bound,
     * the same value, at the body's entry): a change to it there ({@code xs[k] = v}, {@code pop})
     * would differ from one iteration to the next, which a list of the compiler cannot hold.
     */
    boolean madeBeforeLoop(Val list) {
        State entry = entries.peek();
        if (entry == null) return false;
        for (Val v : entry.names.values()) if (v == list) return true;
        return false;
    }

    /**
     * A function may append to a list it made itself, not to one it was given or reads from the
     * script: tx's lists are values of the compiler, and the caller would not see the change.
     */
    boolean ownList(String name, Span at) {
        return ownList(name, at, "append to");
    }

    /** As above, for a change {@code verb} names ("append to", "change"). */
    boolean ownList(String name, Span at, String verb) {
        if (l.functions.calling.isEmpty()) return true;
        Ast.FnDef f = l.functions.defs.get(l.functions.calling.peek());
        if (f == null || l.localNames(f.body()).contains(name)) return true;
        l.diags.error("E0401", at, "a function cannot " + verb + " a list it is given or reads from the script (`" + name + "`)",
                "return the new items and append them where the list was made, or build the list inside the function");
        return false;
    }

    /** An item appended in a loop: a tensor, or a number (a Python scalar of its type); null after E0401. */
    private T itemOf(Val v, Span span) {
        if (v instanceof Val.Num n) {
            DType d = n.py() == Val.PyType.INT ? DType.INT64 : n.py() == Val.PyType.BOOL ? DType.BOOL : DType.FLOAT64;
            return T.scalar(l.b.scalar(n.value(), d), n.py());
        }
        if (v instanceof Val.Bool bv) return T.scalar(l.b.scalar(bv.value() ? 1 : 0, DType.BOOL), Val.PyType.BOOL);
        if (v instanceof T t && !t.maybeNone() && t.leaf() < 0) return t.withFirst(null);
        boolean leaf = v instanceof T t && t.leaf() >= 0, tuple = v instanceof Val.ListV lv && lv.tuple();
        l.diags.error("E0401", span, "in a loop, a list grows by tensors and numbers only; this is "
                        + (leaf ? "a leaf tensor that requires grad (the list would hold copies, not the leaf)" : v.describe())
                        + (tuple ? " (a tuple of tensors and numbers is taken in a `for` loop that does not read the list, and not in a nested loop)" : ""),
                leaf ? "loop over a list instead, which is unrolled (`for k in [0, 1] { ... }`), or write the list out"
                        : "append it outside the loop, or collect the values and build the list after the loop");
        return null;
    }

    /** E0401: a list read inside the loop that appends to it, where its length and items change from one iteration to the next. */
    static Val readInside(Lowerer l, String name, Span span) {
        l.diags.error("E0401", span, "`" + name + "` is read inside the loop that appends to it; tx reads such a list only after the loop",
                "its length and items change from one iteration to the next; keep what the loop needs in a name of its own\n"
                        + "(`last = loss.item()`, `count += 1`), or append in a loop over a list, which is unrolled");
        return new Val.Bad();
    }

    /** Every name bound to {@code old} (by identity: Python's lists are shared) is bound to {@code now}. */
    private void rebind(Val old, Val now) {
        for (Map.Entry<String, Val> e : l.state.names.entrySet()) if (e.getValue() == old) e.setValue(now);
    }

    // ---- loops -----------------------------------------------------------------------------------------

    /**
     * At the start of a loop body: each list the body appends to (found from its syntax) becomes a
     * {@link Val.Growing} of this loop, for every name bound to it. {@code count}: the trip count,
     * -1 when known only at run time.
     */
    void enter(List<Ast.Stmt> body, State s, int count, Var index) {
        Set<String> names = appendedNames(body);
        if (names.isEmpty()) return;
        Frame frame = new Frame(count, l.mayNotRun, index, body, history.specs(body));
        Map<Val, Val.Growing> made = new IdentityHashMap<>();
        for (String n : names) {
            Val v = s.names.get(n);
            if (v instanceof Val.ListV lv && !lv.tuple() || v instanceof Val.Growing) made.computeIfAbsent(v, base -> new Val.Growing(frame, base, List.of(), null));
        }
        for (Map.Entry<String, Val> e : s.names.entrySet()) {
            Val.Growing g = made.get(e.getValue());
            if (g != null) e.setValue(g);
        }
    }

    /** Names a body appends to, nested blocks included: {@code n.append(...)}, {@code n.extend(...)}, {@code n += ...}. */
    static Set<String> appendedNames(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        BodyReads.calls(body, c -> {
            if (c.callee() instanceof Ast.Attr a && (a.name().equals("append") || a.name().equals("extend")) && a.target() instanceof Ast.Name n) {
                out.add(n.name());
            }
        });
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.AugAssign a && a.op().equals("+=") && a.target().attr() == null) out.add(a.target().name());
        });
        return out;
    }


    /**
     * The lists a loop's body grew: what the loop stacks (each appended value) onto which tapes,
     * and, once the loop is built, {@link #finish} binds the lists after it.
     */
    final class Growth {
        final List<Var> stacked = new ArrayList<>();
        final List<Var> tapes = new ArrayList<>();
        /** A {@code while}'s trip count, set before {@link #finish} (the length of a list it grew). */
        Var trips;
        private final List<Val.Growing> grown = new ArrayList<>();
        private final List<List<Var>> tapesOf = new ArrayList<>();
        private final int count;

        private Growth(int count) {
            this.count = count;
        }

        /** After the loop (its statement added): each grown list, in the state after the loop, holds its items. */
        void finish(State after) {
            for (int k = 0; k < grown.size(); k++) {
                Val.Growing g = grown.get(k);
                Val now = history.counted(g) ? history.runList(g, after) // a length known only at run time
                        : count < 0 ? whileList(g, tapesOf.get(k)) : count == 0 ? g.base() : g.base() instanceof Val.Growing outer ? handOn(g, outer, tapesOf.get(k)) : rows(g, tapesOf.get(k));
                for (Map.Entry<String, Val> e : after.names.entrySet()) if (e.getValue() == g) e.setValue(now);
            }
        }

        /** After a while: its tape of the items, one an iteration (see {@link #whileAppendable}). */
        private Val whileList(Val.Growing g, List<Var> tapes) {
            if (g.pieces().size() != 1 || trips == null) return g.pieces().isEmpty() ? g.base() : new Val.Bad();
            T item = g.pieces().get(0).item();
            T rows = new T(tapes.get(0), false, -1, null, false, false);
            return new Val.RunList(rows, T.scalar(l.b.emit(tx.runtime.ir.Prim.CAST, DType.INT64, trips), Val.PyType.INT), item, false);
        }

        /** The list before the loop and then, iteration by iteration, the appended items read from the tapes. */
        private Val rows(Val.Growing g, List<Var> tapes) {
            Val.ListV base = (Val.ListV) g.base();
            long total = base.items().size();
            for (Val.Piece p : g.pieces()) total += (long) count * Math.max(1, p.rows());
            if (total > MAX_ITEMS) {
                l.diags.error("E0205", g.at(), "this list would hold " + total + " items, more than tx keeps as a list (" + MAX_ITEMS + ")",
                        "collect the values in a tensor instead, e.g. `buf = zeros(n)` and `buf[i] = v` in the loop");
                return new Val.Bad();
            }
            List<Val> items = new ArrayList<>(base.items());
            List<Span> spans = new ArrayList<>(base.spans());
            for (int i = 0; i < count; i++) {
                List<Val> tuple = null;
                int left = 0;
                for (int k = 0; k < g.pieces().size(); k++) {
                    Val.Piece p = g.pieces().get(k);
                    if (tupleStarts.containsKey(p)) {
                        tuple = new ArrayList<>();
                        left = tupleStarts.get(p);
                    }
                    for (int j = 0; j < Math.max(1, p.rows()); j++) {
                        Var row = row(tapes.get(k), p.rows() < 0 ? new int[] {i} : new int[] {i, j}, p.item().shape());
                        Val item = p.item().withVar(row);
                        if (tuple == null) {
                            items.add(item);
                            spans.add(g.at());
                        } else {
                            tuple.add(item);
                        }
                    }
                    if (tuple != null && --left == 0) { // the tuple's last value: the tuple is the item
                        items.add(new Val.ListV(tuple, java.util.Collections.nCopies(tuple.size(), g.at()), true));
                        spans.add(g.at());
                        tuple = null;
                    }
                }
            }
            return new Val.ListV(items, spans, false);
        }

        /** A loop nested in the loop that grows the list: its rows become one piece of the enclosing loop's iteration. */
        private Val handOn(Val.Growing g, Val.Growing outer, List<Var> tapes) {
            List<Val.Piece> pieces = new ArrayList<>(outer.pieces());
            for (int k = 0; k < g.pieces().size(); k++) {
                Val.Piece p = g.pieces().get(k);
                if (g.pieces().size() > 1) {
                    l.diags.error("E0401", g.at(), "a loop nested in the loop that grows this list appends to it in more than one place",
                            "append once per iteration of the inner loop (a tuple or a tensor of the values, say)");
                    return new Val.Bad();
                }
                int rows = count * Math.max(1, p.rows());
                Var block = l.b.reshape(tapes.get(k), Shapes.concat(new int[] {rows}, p.item().shape()));
                pieces.add(new Val.Piece(block, rows, p.item()));
            }
            return new Val.Growing(outer.frame(), outer.base(), pieces, outer.at() == null ? g.at() : outer.at());
        }

        /** Item {@code at} (the leading indices) of a tape, of the item's shape. */
        private Var row(Var tape, int[] at, int[] itemShape) {
            int rank = tape.rank();
            int[] start = new int[rank], stop = tape.shapeRef().clone(), step = new int[rank];
            java.util.Arrays.fill(step, 1);
            for (int d = 0; d < at.length; d++) {
                start[d] = at[d];
                stop[d] = at[d] + 1;
            }
            return l.b.reshape(l.b.slice(tape, start, stop, step), itemShape);
        }
    }

    /** After a check of a loop's body: what it appended to each list it grows (see {@link ListHistory#record}). */
    void noteAppends(List<Ast.Stmt> body, State end) {
        for (Map.Entry<String, Val> e : end.names.entrySet()) {
            if (e.getValue() instanceof Val.Growing g && ((Frame) g.frame()).body == body) history.record(body, e.getKey(), g.pieces());
        }
    }

    /**
     * The lists the body of the loop just checked grew ({@code end}: the state at the end of its
     * body, {@code before}: at its entry): one tape per appended value, of shape [count] + its shape.
     */
    Growth collect(State before, State end, int count) {
        Growth out = new Growth(count);
        Set<Val.Growing> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Val> e : end.names.entrySet()) {
            if (!(e.getValue() instanceof Val.Growing g) || !seen.add(g)) continue;
            Val was = before.names.get(e.getKey());
            if (was instanceof Val.Growing w && w.frame() == g.frame()) continue; // an enclosing loop's, handed on by its own finish
            List<Var> tapes = new ArrayList<>();
            for (Val.Piece p : g.pieces()) {
                Var tape = l.b.newVar(Shapes.concat(new int[] {Math.max(count, 0)}, p.var().shapeRef()), e.getKey(), p.var().dtype());
                l.graph.setRequiresGrad(tape, p.item().rg());
                out.stacked.add(p.var());
                out.tapes.add(tape);
                tapes.add(tape);
            }
            out.grown.add(g);
            out.tapesOf.add(tapes);
            for (Map.Entry<String, Val> n : end.names.entrySet()) if (n.getValue() == g) history.record(((Frame) g.frame()).body, n.getKey(), g.pieces());
        }
        return out;
    }
}
