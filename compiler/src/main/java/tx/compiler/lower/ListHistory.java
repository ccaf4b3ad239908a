package tx.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * A list read inside the {@code for} loop that appends to it (LANGUAGE.md §3, v2): the early
 * stopping check {@code if len(losses) > 1 and losses[-1] > losses[-2] { break }}. The loop is a
 * loop of the IR, so the list's length differs from one iteration to the next:
 * <ul>
 *   <li>{@code len(xs)} is a Python int known at run time: the items before the loop, plus the
 *       loop's counter times the items one iteration appends, plus those this iteration appended
 *       so far;</li>
 *   <li>{@code xs[k]} is the item itself where it is known when compiling (an item from before the
 *       loop, one this iteration appended); otherwise it is read from the list's <em>history</em>: a
 *       tensor of every item the list will hold, carried by the loop under a hidden name, into
 *       which each append writes its item at the list's length. Its shape, [items] + the item's,
 *       comes from a first, silent lowering of the loop (a probe) that finds what the body
 *       appends. An index outside the list stops the run (Python's IndexError).</li>
 * </ul>
 * The history holds items that do not require grad (Python scalars such as {@code loss.item()},
 * tensors made under no_grad), of one shape and dtype; reading a list of other items inside the
 * loop stays E0401.
 */
final class ListHistory {
    private final Lowerer l;

    /** For each loop body (by identity), how many items one iteration appends to each list it grows, found when its body was last checked. */
    private final Map<List<Ast.Stmt>, Map<String, List<Val.Piece>>> appended = new IdentityHashMap<>();

    /** For each loop body being lowered, the histories it carries: the list before the loop (by identity) to its spec. */
    private final Map<List<Ast.Stmt>, Map<Val, Spec>> histories = new IdentityHashMap<>();

    /** Bodies whose probe is running: a loop lowered inside its own probe does not probe again. */
    private final Set<List<Ast.Stmt>> probing = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    ListHistory(Lowerer l) {
        this.l = l;
    }

    /**
     * A list's history in a loop: the hidden name that holds it, what one item is (its var aside),
     * and for a list whose length is known only at run time (appended to in a branch), the hidden
     * name of its length, carried too (else null: the length follows from the counter).
     */
    record Spec(String hidden, String count, T item) {}

    /** For each loop body, the items each append of each list made when it was last checked, by the append's place. */
    private final Map<List<Ast.Stmt>, Map<String, Map<String, T>>> seen = new IdentityHashMap<>();

    // ---- before the loop ---------------------------------------------------------------------------

    /**
     * Before a {@code for} loop over {@code count} iterations: for each list the body both appends
     * to and reads by subscript, a history carried under a hidden name bound in {@code before}.
     * {@code probe} lowers the loop silently, so that {@link #record} learns what the body appends.
     * Returns the hidden names (the loop carries them; the caller removes them afterwards).
     */
    List<String> prepare(Ast.For f, State before, int count, Runnable probe) {
        Set<String> branched = inBranches(f.body(), before);
        Set<String> names = readAndGrown(f.body(), before);
        names.addAll(branched);
        names.removeAll(inNestedLoops(f.body()));
        if (names.isEmpty() || probing.contains(f.body())) return List.of();
        seen.remove(f.body());
        probing.add(f.body());
        try {
            probe.run();
        } finally {
            probing.remove(f.body());
        }
        Map<String, List<Val.Piece>> found = appended.getOrDefault(f.body(), Map.of());
        Map<Val, Spec> specs = new IdentityHashMap<>();
        List<String> hidden = new ArrayList<>();
        for (String n : names) {
            Val.ListV base = (Val.ListV) before.names.get(n);
            if (specs.containsKey(base)) continue;
            Map<String, T> sites = seen.getOrDefault(f.body(), Map.of()).get(n);
            naming = f.body();
            Spec spec = branched.contains(n) ? counted(n, base, sites, count, before) : history(n, base, found.get(n), count, before);
            if (spec == null) continue;
            specs.put(base, spec);
            hidden.add(spec.hidden());
            if (spec.count() != null) hidden.add(spec.count());
        }
        histories.put(f.body(), specs);
        return hidden;
    }

    /** The loop's histories, for the frame of its body (empty when none). */
    Map<Val, Spec> specs(List<Ast.Stmt> body) {
        return histories.getOrDefault(body, Map.of());
    }

    /** Names of lists made before the loop that its body appends to and reads by subscript. */
    private static Set<String> readAndGrown(List<Ast.Stmt> body, State before) {
        Set<String> read = new LinkedHashSet<>();
        BodyReads.indexes(body, ix -> {
            if (ix.target() instanceof Ast.Name n && before.names.get(n.name()) instanceof Val.ListV lv && !lv.tuple()) read.add(n.name());
        });
        read.retainAll(GrowingLists.appendedNames(body));
        return read;
    }

    /** The history of a list whose iterations append {@code pieces}: null when its items differ in kind, shape or dtype, or require grad. */
    private Spec history(String name, Val.ListV base, List<Val.Piece> pieces, int count, State before) {
        if (pieces == null || pieces.isEmpty()) return null;
        for (Val.Piece p : pieces) if (p.rows() >= 0) return null;
        List<T> items = new ArrayList<>();
        for (Val.Piece p : pieces) items.add(p.item());
        String hidden = buffer(name, base, items, count, before);
        return hidden == null ? null : new Spec(hidden, null, items.get(0));
    }

    /** The history and the carried length of a list appended to in branches, at the places {@code sites} (each at most once an iteration). */
    private Spec counted(String name, Val.ListV base, Map<String, T> sites, int count, State before) {
        if (sites == null || sites.isEmpty()) return null;
        List<T> items = new ArrayList<>(sites.values());
        String hidden = buffer(name, base, items, count, before);
        if (hidden == null) return null;
        String length = fresh(name + "_length", before);
        before.names.put(length, T.scalar(l.b.scalar(base.items().size(), DType.INT64), Val.PyType.INT));
        return new Spec(hidden, length, items.get(0));
    }

    /**
     * A tensor of room for every item: the list's items before the loop, then zeros for {@code count}
     * iterations of {@code items}, bound in {@code before} under a new hidden name, which it returns;
     * null when the items differ in kind, shape or dtype, or require grad.
     */
    private String buffer(String name, Val.ListV base, List<T> items, int count, State before) {
        T item = items.get(0);
        for (T t : items) if (!same(item, t)) return null;
        long cap = base.items().size() + (long) count * items.size();
        if (cap > GrowingLists.MAX_ITEMS) return null;
        List<Var> parts = new ArrayList<>();
        for (Val v : base.items()) {
            Var x = v instanceof Val.Num n && item.item() ? l.b.scalar(n.value(), item.dtype()) : v instanceof T t && same(item, t) ? t.var() : null;
            if (x == null) return null;
            parts.add(l.b.reshape(x, Shapes.concat(new int[] {1}, item.shape())));
        }
        int rest = (int) cap - base.items().size();
        if (rest > 0) parts.add(l.b.fill(Shapes.concat(new int[] {rest}, item.shape()), 0, item.dtype()));
        Var buffer = parts.size() == 1 ? parts.get(0) : l.b.emit(Prim.CAT, new Attrs.Axis(0), parts.toArray(Var[]::new));
        String hidden = fresh(name + "_history", before);
        before.names.put(hidden, new T(buffer, false, -1, null, false, false));
        return hidden;
    }

    /** The body of the loop whose histories are being made (their names must not be the program's). */
    private List<Ast.Stmt> naming;

    /**
     * A name for a hidden value the loop carries: {@code losses_history}, {@code losses_length}
     * (valid names, since {@code tx grad} writes them out), numbered where the program uses one.
     */
    private String fresh(String base, State before) {
        Set<String> used = new java.util.HashSet<>(before.names.keySet());
        used.addAll(l.assignedNames(naming));
        String name = base;
        for (int k = 2; used.contains(name) || l.functions.has(name) || l.builtins.known(name); k++) name = base + k;
        return name;
    }

    /** Lists made before the loop that its body appends to inside an {@code if} (after a {@code break}, all of the rest of the body is one). */
    private static Set<String> inBranches(List<Ast.Stmt> body, State before) {
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.If i) {
                out.addAll(GrowingLists.appendedNames(i.then()));
                out.addAll(GrowingLists.appendedNames(i.otherwise()));
            } else if (s instanceof Ast.With w) {
                out.addAll(inBranches(w.body(), before));
            }
        }
        out.removeIf(n -> !(before.names.get(n) instanceof Val.ListV lv) || lv.tuple());
        return out;
    }

    /** Lists that a loop nested in the body appends to (their rows are handed on, see GrowingLists; no history then). */
    private static Set<String> inNestedLoops(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.For f) out.addAll(GrowingLists.appendedNames(f.body()));
            else if (s instanceof Ast.While w) out.addAll(GrowingLists.appendedNames(w.body()));
            else if (s instanceof Ast.ForEach f) out.addAll(GrowingLists.appendedNames(f.body()));
            else if (s instanceof Ast.With w) out.addAll(inNestedLoops(w.body()));
            else if (s instanceof Ast.If i) {
                out.addAll(inNestedLoops(i.then()));
                out.addAll(inNestedLoops(i.otherwise()));
            }
        }
        return out;
    }

    /** An append at {@code site} (its place, and which of its items) of {@code item} to the list named {@code name} in the loop of {@code body}. */
    void saw(List<Ast.Stmt> body, String name, String site, T item) {
        seen.computeIfAbsent(body, k -> new HashMap<>()).computeIfAbsent(name, k -> new java.util.LinkedHashMap<>()).put(site, item);
    }

    /** Whether the list, growing in this loop, has a length known only at run time (carried: see {@link Spec}). */
    boolean counted(Val.Growing g) {
        Spec spec = specOf(g);
        return spec != null && spec.count() != null && l.state.names.get(spec.count()) instanceof T;
    }

    private Spec specOf(Val.Growing g) {
        return g.base() instanceof Val.ListV ? ((GrowingLists.Frame) g.frame()).history.get(g.base()) : null;
    }

    /** After the loop, a list whose length is known only at run time: its history's rows and its length, as the loop left them. */
    Val runList(Val.Growing g, State after) {
        Spec spec = specOf(g);
        if (!(after.names.get(spec.hidden()) instanceof T rows) || !(after.names.get(spec.count()) instanceof T count)) return new Val.Bad();
        return new Val.RunList(rows, count, spec.item(), false);
    }

    /** Whether two items are alike enough to share a history: both Python scalars of one type, or tensors of one shape and dtype, neither requiring grad. */
    static boolean same(T a, T b) {
        return a.item() == b.item() && (!a.item() || a.py() == b.py()) && a.dtype() == b.dtype() && java.util.Arrays.equals(a.shape(), b.shape())
                && !a.rg() && !b.rg() && !a.maybeNone() && !b.maybeNone();
    }

    /** After a loop body was checked: what one iteration appended to each list it grew (the names bound to it). */
    void record(List<Ast.Stmt> body, String name, List<Val.Piece> pieces) {
        appended.computeIfAbsent(body, k -> new HashMap<>()).put(name, pieces);
    }

    // ---- inside the loop ---------------------------------------------------------------------------

    /** Whether the call is {@code len(NAME)} of a list the loop being checked appends to. */
    boolean appliesLen(Ast.Call c) {
        return c.callee() instanceof Ast.Name f && f.name().equals("len") && c.args().size() == 1 && c.args().get(0).name() == null
                && c.args().get(0).value() instanceof Ast.Name n && l.state.names.get(n.name()) instanceof Val.Growing;
    }

    /** {@code len(xs)} inside the loop that appends to xs: a Python int known at run time. */
    Val len(Ast.Call c) {
        String name = ((Ast.Name) c.args().get(0).value()).name();
        return T.scalar(length(name, (Val.Growing) l.state.names.get(name)), Val.PyType.INT);
    }

    /** The list's length now, as an int64 scalar: the items before the loop, the earlier iterations' and this one's so far. */
    Var length(String name, Val.Growing g) {
        GrowingLists.Frame frame = (GrowingLists.Frame) g.frame();
        if (counted(g)) return ((T) l.state.names.get(specOf(g).count())).var();
        Var before = g.base() instanceof Val.Growing outer ? length(name, outer) : l.b.scalar(((Val.ListV) g.base()).items().size(), DType.INT64);
        List<Val.Piece> each = appended.getOrDefault(frame.body, Map.of()).getOrDefault(name, g.pieces()); // the first check of a body guesses: its IR is thrown away
        Var earlier = l.b.mul(frame.index, l.b.scalar(rows(each), DType.INT64));
        return l.b.add(l.b.add(before, earlier), l.b.scalar(rows(g.pieces()), DType.INT64));
    }

    private static int rows(List<Val.Piece> pieces) {
        int n = 0;
        for (Val.Piece p : pieces) n += Math.max(1, p.rows());
        return n;
    }

    /**
     * {@code xs[k]} inside the loop that appends to xs: an item from before the loop or from this
     * iteration as it is, any other from the list's history; E0401 where there is none.
     */
    Val item(String name, Val.Growing g, Ast.Index ix) {
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) return GrowingLists.readInside(l, name, ix.span());
        Val k = l.exprs.expr(at.index());
        if (k instanceof Val.Bad) return k;
        Val known = knownItem(g, k);
        if (known != null) return known;
        GrowingLists.Frame frame = (GrowingLists.Frame) g.frame();
        Spec spec = g.base() instanceof Val.ListV ? frame.history.get(g.base()) : null;
        if (spec == null || !(l.state.names.get(spec.hidden()) instanceof T buffer)) return GrowingLists.readInside(l, name, ix.span());
        Var index = RunLists.index(l, k, at.span());
        if (index == null) return new Val.Bad();
        Var v = l.b.take(buffer.var(), position(name, g, index), 0);
        return spec.item().item() ? T.scalar(v, spec.item().py()) : new T(v, false, -1, null, false, false);
    }

    /** Where {@code xs[k]} is in the history (see {@link RunLists#position}). */
    private Var position(String name, Val.Growing g, Var k) {
        return RunLists.position(l, k, length(name, g));
    }

    /** An item known when compiling: {@code xs[k]} for k before the loop's items end, or -k within this iteration's appends. */
    private static Val knownItem(Val.Growing g, Val k) {
        if (!(k instanceof Val.Num n) || !n.isWhole()) return null;
        int i = (int) n.value();
        if (i >= 0 && g.base() instanceof Val.ListV base && i < base.items().size()) return base.items().get(i);
        if (i >= 0) return null;
        List<Val> now = new ArrayList<>();
        for (Val.Piece p : g.pieces()) {
            if (p.rows() >= 0) return null;
            now.add(p.item().withVar(p.var()));
        }
        return -i <= now.size() ? now.get(now.size() + i) : null;
    }

    // ---- appending -----------------------------------------------------------------------------------

    /** An append of {@code item} to a list with a history in this loop: written at the list's length before it. */
    void appended(String name, Val.Growing g, T item, Span at) {
        GrowingLists.Frame frame = (GrowingLists.Frame) g.frame();
        Spec spec = g.base() instanceof Val.ListV ? frame.history.get(g.base()) : null;
        if (spec == null || !(l.state.names.get(spec.hidden()) instanceof T buffer)) return;
        if (!same(spec.item(), item)) {
            l.state.names.put(spec.hidden(), new Val.Bad()); // the probe saw other items: reads say so
            return;
        }
        Var p = length(name, g);
        l.state.names.put(spec.hidden(), buffer.withVar(RunLists.write(l, buffer.var(), p, item)));
        if (spec.count() != null) l.state.names.put(spec.count(), T.scalar(l.b.add(p, l.b.scalar(1, DType.INT64)), Val.PyType.INT));
    }
}
