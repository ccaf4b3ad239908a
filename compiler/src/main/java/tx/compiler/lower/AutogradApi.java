package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.ad.Reverse;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * PyTorch's spellings of the autograd API that are attributes and in-place methods rather than
 * built-in calls (LANGUAGE.md §4 and §6): {@code x.requires_grad = ...}, {@code x.grad.zero_()},
 * {@code x.data}, {@code x.retain_grad()}, {@code x.grad_fn}. Each is decided at compile time, as
 * the rest of the autograd model is.
 */
final class AutogradApi {
    private final Lowerer l;
    /** A detached view ({@code x.data}, {@code detach(x)}) to the variable of the tensor whose storage it shares. */
    private final Map<Var, Var> storage = new HashMap<>();
    /** A loop's parameter to the parameter of another name bound to the same tensor before the loop. */
    private final Map<Var, Var> same = new HashMap<>();
    /** A retained tensor's grad register, to the variable that the backward continues from (see {@link #retainGrad}). */
    private final Map<Integer, Var> retainedFrom = new HashMap<>();
    /** A retained tensor's variable, to its grad register. */
    private final Map<Var, Integer> retained = new HashMap<>();
    /** A tensor retained after it was used (see {@link #retainGrad}): its grad register, to its own variable. */
    private final Map<Integer, Var> retainedLate = new LinkedHashMap<>();
    /** The inputs of the {@code grad(outputs, inputs)} being lowered that are neither leaves nor retained: a fresh leaf id, to the variable. */
    private final Map<Integer, Var> gradInputs = new LinkedHashMap<>();

    AutogradApi(Lowerer l) {
        this.l = l;
    }

    /** The calls this class spells (in-place methods on {@code .grad} and {@code .data}, ...), or null for an ordinary call. */
    Val call(Ast.Call c) {
        if (c.callee() instanceof Ast.Name n && n.name().equals("grad") && tensorForm(c)) return tensorGrad(c);
        if (!(c.callee() instanceof Ast.Attr at)) return null;
        if (at.name().equals("zero_") && withoutData(at.target()) instanceof Ast.Attr g && g.name().equals("grad")) {
            return zeroGrad(g, c);
        }
        if (at.name().equals("zero_")) return noArguments(c, "zero_") ? inPlace(at, c, x -> l.b.fill(x.shape(), 0.0)) : new Val.Bad();
        if (at.name().equals("uniform_") || at.name().equals("normal_")) return inPlace(at, c, x -> l.random.sampleInPlace(x, at.name(), c));
        if (at.name().equals("retain_grad")) return retainGrad(at, c);
        if (at.name().equals("register_hook")) return new Hooks(l).register(at, c);
        return null;
    }

    /** {@code x.data.data}... is x itself, for the in-place methods that change x's storage. */
    private static Ast.Expr withoutData(Ast.Expr e) {
        while (e instanceof Ast.Attr a && a.name().equals("data")) e = a.target();
        return e;
    }

    /** An in-place method takes no arguments here ({@code zero_()}); false after reporting E0104. */
    private boolean noArguments(Ast.Call c, String method) {
        if (c.args().isEmpty()) return true;
        l.diags.error("E0104", c.args().get(0).span(), "`" + method + "` takes no arguments", null);
        return false;
    }

    // ---- .grad.zero_() ---------------------------------------------------------------------------------

    /**
     * {@code x.grad.zero_()} (also {@code x.grad.data.zero_()}): x's gradient becomes zeros of its
     * shape, in place. It must be set: where PyTorch raises at run time ({@code 'NoneType' object has
     * no attribute 'zero_'}), a grad that is or may be None here is E0303 at compile time.
     * NOTE: a tensor read from {@code x.grad} before, and held in a name, keeps its values here; in
     * PyTorch it is the same tensor and reads as zeros (docs/language.md lists this difference).
     */
    private Val zeroGrad(Ast.Attr g, Ast.Call c) {
        Val target = l.exprs.expr(g.target());
        if (target instanceof Val.Bad || !noArguments(c, "zero_")) return new Val.Bad();
        if (!(target instanceof T x)) {
            l.diags.error("E0401", g.nameSpan(), target.describe() + " has no attribute `grad`", null);
            return new Val.Bad();
        }
        String who = "`" + (l.text(g.span()) == null ? "x.grad" : l.text(g.span())) + "`";
        int register = x.leaf() >= 0 ? x.leaf() : retainedRegister(x.var());
        if (register < 0) {
            l.diags.error("E0303", c.span(), who + " is None, so it cannot be zeroed in place (PyTorch raises: 'NoneType' object has no attribute 'zero_')",
                    x.rg() ? "only leaves (made with requires_grad=true) get gradients" : "this tensor does not require grad, so no backward gives it a gradient");
            return new Val.Bad();
        }
        GradState s = l.state.grad(register);
        String name = l.text(g.target().span()) == null ? "x" : l.text(g.target().span());
        if (s != GradState.SET) {
            if (l.backwardFailed) return new Val.Bad();
            l.diags.error("E0303", c.span(), who + (s == GradState.NONE ? " is None here" : " may be None here")
                    + ", so it cannot be zeroed in place (PyTorch raises: 'NoneType' object has no attribute 'zero_')",
                    s == GradState.NONE ? "no backward has reached it since it was created or reset; `zero_grad(" + name + ")` or `" + name + ".grad = None` resets it either way"
                            : "a `.grad` is None until a `backward` reaches its leaf; make sure a backward runs on every path before this line,\n"
                            + "or reset it with `zero_grad(" + name + ")` or `" + name + ".grad = None`, which work whether it is set or not");
            return new Val.Bad();
        }
        Var zeros = l.b.fill(x.shape(), 0.0);
        l.b.add(new Stmt.GradSet(register, zeros, l.b.origin()));
        l.gradValues.forget(register);
        return new T(zeros, false, -1, null, false, false);
    }

    // ---- requires_grad ---------------------------------------------------------------------------------

    /**
     * {@code requires_grad_(x, on)}, also spelt {@code x.requires_grad = on}: a plain tensor becomes
     * a leaf (the leaf's id belongs to {@code node}, the AST node that makes it, so that re-checking
     * a loop body finds the same leaf), a leaf stops requiring grad; a computed tensor that
     * requires grad is E0307, as PyTorch refuses it. Every name bound to x sees the change.
     */
    T requiresGrad(T x, boolean on, Span span, Span targetSpan, Object node) {
        if (x.rg() && x.leaf() < 0) {
            String name = l.text(targetSpan);
            String detached = "detach(" + (name == null ? "x" : name) + ")";
            if (on) {
                l.diags.error("E0307", span, "only leaves can be made to require grad; this tensor is computed from one that does",
                        "to start a new leaf from it, use `" + detached + ".requires_grad_()`");
            } else {
                l.diags.error("E0307", span, "only leaves can be made to stop requiring grad; this tensor is computed from one that does",
                        "for a copy of its value that does not require grad, use `" + detached + "`");
            }
            return null;
        }
        if (!on) return x.rg() ? stopRequiringGrad(x) : x;
        if (x.leaf() >= 0) return x;
        if (!l.floatForGrad(x.dtype(), span)) return null;
        T leaf = l.leaf(l.b.stopGrad(x.var()), node);
        l.rebindAliases(x.var(), leaf);
        return leaf;
    }

    /**
     * {@code requires_grad_(x, False)} on a leaf: from here on x is a plain tensor with the same
     * value, which no backward reaches. NOTE: PyTorch keeps the leaf's last {@code .grad}; here it
     * reads as None afterwards (docs/language.md lists this difference).
     */
    private T stopRequiringGrad(T x) {
        T plain = new T(l.b.stopGrad(x.var()), false, -1, null, false, false);
        l.rebindAliases(x.var(), plain);
        return plain;
    }

    /** {@code x.requires_grad = v}: {@code v} must be a bool known at compile time. */
    void assignRequiresGrad(T x, String name, Val v, Span targetSpan, Span valueSpan, Span span, Object node) {
        Boolean on = v instanceof Val.Bool bv ? Boolean.valueOf(bv.value())
                : v instanceof Val.Num n && n.py() == Val.PyType.BOOL ? Boolean.valueOf(n.value() != 0) : null;
        if (on == null) {
            if (!(v instanceof Val.Bad)) {
                l.diags.error("E0401", valueSpan, "`requires_grad` is set to True or False, found " + v.describe(),
                        "tx decides which tensors require grad at compile time, so the value must be a constant");
            }
            return;
        }
        requiresGrad(x, on, span, new Span(targetSpan.line(), targetSpan.col(), targetSpan.line(), targetSpan.col() + name.length()), node);
    }

    // ---- grad_fn ---------------------------------------------------------------------------------------

    /**
     * {@code y.grad_fn}: None for a leaf and for a tensor that does not require grad; else the
     * operation that made y, printed as LANGUAGE.md §4 says, {@code <MulBackward0 object>} (PyTorch
     * adds the object's address, which no two runs share). A loop-carried value whose maker differs
     * between the first iteration and the others is refused (E0401): it is not one string.
     */
    Val gradFn(T x, Span span) {
        if (x.first() != null) {
            l.diags.error("E0401", span, "`grad_fn` here differs between the loop's first iteration and the others",
                    "print the tensor itself: its suffix shows the grad_fn of each iteration");
            return new Val.Bad();
        }
        String suffix = x.printSuffix();
        if (suffix == null || !suffix.startsWith("grad_fn=<")) return new Val.None("`grad_fn` of a leaf, or of a tensor that does not require grad, is None");
        return new Val.Str("<" + suffix.substring("grad_fn=<".length(), suffix.length() - 1) + " object>");
    }

    // ---- .data and storage shared by views -------------------------------------------------------------

    /**
     * {@code x.data}: x's value, detached, sharing x's storage (LANGUAGE.md §6). Values in tx are
     * immutable IR variables, so sharing is kept by the compiler: a view remembers whose storage it
     * shares, and an in-place change of either (see {@link #changedInPlace}) rebinds every name that
     * shares it to the new value. A tensor that does not require grad is its own {@code .data}.
     */
    Val data(T x) {
        if (!x.rg()) return x;
        return view(x.var());
    }

    /** A detached view of the storage that {@code v} holds: {@code detach(x)}, {@code x.data}. */
    T view(Var v) {
        Var d = l.b.stopGrad(v);
        storage.put(d, root(v));
        return new T(d, false, -1, null, false, false);
    }

    /** The variable of the tensor whose storage v shares (v itself if it is no view). */
    private Var root(Var v) {
        Var r = storage.getOrDefault(canonical(v), canonical(v));
        return canonical(r);
    }

    private Var canonical(Var v) {
        return same.getOrDefault(v, v);
    }

    /** Whether names bound to a and b see each other's in-place changes. */
    boolean sharesStorage(Var a, Var b) {
        return root(a).equals(root(b));
    }

    /**
     * Inside a loop body, each carried name has a parameter of its own: names bound to one tensor
     * before the loop (or to a tensor and a view of it) are related again, so that an in-place
     * change through one is seen through the others. {@code before} and {@code params} are parallel.
     */
    void carried(List<Var> before, List<Var> params) {
        Map<Var, Integer> head = new HashMap<>(); // a storage's root, to the index of the name that stands for it in the loop
        for (int i = 0; i < before.size(); i++) {
            Var b = before.get(i);
            if (b == null) continue;
            Integer h = head.get(root(b));
            if (h == null || (root(b).equals(b) && !root(before.get(h)).equals(before.get(h)))) head.put(root(b), i);
        }
        for (int i = 0; i < before.size(); i++) {
            Var b = before.get(i);
            if (b == null || head.get(root(b)) == i) continue;
            int h = head.get(root(b));
            for (int j = 0; j < i; j++) { // the same tensor as an earlier name: the same parameter for in-place changes
                if (before.get(j) != null && canonical(b).equals(canonical(before.get(j)))) {
                    same.put(params.get(i), canonical(params.get(j)));
                    break;
                }
            }
            if (!same.containsKey(params.get(i))) {
                if (canonical(b).equals(canonical(before.get(h)))) same.put(params.get(i), params.get(h));
                else storage.put(params.get(i), params.get(h));
            }
        }
    }

    /**
     * x was changed in place and now is {@code updated}: every name bound to x becomes
     * {@code updated}; the tensor whose storage x shares (when x is a view) takes the new value
     * (a leaf stays the same leaf, see {@link Lowerer#keepLeaf}); every other view of that storage
     * becomes a fresh detached view of it. E0304 guards leaves that require grad before this is called.
     */
    void changedInPlace(T x, T updated, Span span) {
        Var root = root(x.var());
        T owner = null;
        if (!canonical(x.var()).equals(root)) {
            for (Val v : l.state.names.values()) if (v instanceof T t && canonical(t.var()).equals(root)) owner = t;
        }
        T newOwner = owner == null ? null : owned(owner, updated.var(), span);
        if (owner != null && newOwner == null) return;
        Var newRoot = newOwner != null ? newOwner.var() : updated.var();
        T fresh = null;
        Map<Var, T> moved = new java.util.LinkedHashMap<>(); // each tensor that changed, to its new value
        List<T> held = new ArrayList<>();
        for (Val v : l.state.names.values()) { // names, and the items of lists and tuples
            if (v instanceof T t) held.add(t);
            else if (v instanceof Val.ListV) Sequences.mapTensors(v, t -> { held.add(t); return t; });
        }
        for (T t : held) {
            Var c = canonical(t.var());
            if (c.equals(canonical(x.var()))) moved.put(t.var(), updated);
            else if (owner != null && c.equals(root)) moved.put(t.var(), newOwner);
            else if (root(t.var()).equals(root)) {
                if (fresh == null) fresh = view(newRoot);
                moved.put(t.var(), fresh);
            }
        }
        for (Map.Entry<String, Val> e : new ArrayList<>(l.state.names.entrySet())) {
            if (e.getValue() instanceof T t && moved.containsKey(t.var())) l.state.bind(e.getKey(), moved.get(t.var()));
        }
        Sequences.replaceInSequences(l.state, moved);
        l.inPlaceLog.add(moved); // a caller sees the change when the function that made it returns
        if (newRoot != null && !updated.var().equals(newRoot)) storage.put(updated.var(), newRoot);
    }

    /**
     * The tensor whose storage a view shares, holding the view's new value {@code v}: a leaf stays
     * the same leaf, a plain tensor is plain. NOTE: the storage of a computed tensor that requires
     * grad is not changed through a view (E0308): PyTorch allows it, but the gradients of what was
     * computed from it would then disagree with its values.
     */
    private T owned(T owner, Var v, Span span) {
        if (owner.leaf() >= 0) return l.keepLeaf(owner, l.b.stopGrad(v));
        if (!owner.rg()) return new T(v, false, -1, null, false, false);
        l.diags.error("E0308", span, "the storage of a computed tensor that requires grad is changed in place, through `.data` or a detached view of it",
                "tx changes `.data` in place only for leaves and tensors that do not require grad;\n"
                        + "compute a new tensor instead, or change the leaves it was computed from");
        return null;
    }

    /** {@code x.data op= e}: x changes in place, outside the graph even when grad mode is on (as in PyTorch). */
    void augAssignData(Ast.AugAssign a) {
        Ast.Target t = a.target();
        Val before = l.exprs.lookup(t.name(), t.span());
        if (!(before instanceof T x)) {
            if (!(before instanceof Val.Bad)) l.diags.error("E0401", t.span(), before.describe() + " has no attribute `data`", null);
            l.exprs.expr(a.value());
            return;
        }
        boolean old = l.graph.setNoGrad(true);
        try {
            String oldName = l.b.named(t.name());
            Val result = l.exprs.binary(a.op().substring(0, a.op().length() - 1), data(x), l.exprs.expr(a.value()), t.span(), a.value().span(), a.span());
            l.b.named(oldName);
            if (!(result instanceof T r)) return;
            if (!Arrays.equals(r.shape(), x.shape())) {
                l.diags.error("E0201", a.span(), "in-place `" + a.op() + "` would change the shape of `" + t.name() + "` from "
                        + Shapes.show(x.shape()) + " to " + Shapes.show(r.shape()), "in-place operations keep the shape of their target");
                return;
            }
            store(x, r.var(), a.span());
        } finally {
            l.graph.setNoGrad(old);
        }
    }

    /**
     * {@code x.data = v}: x now holds v's values (detached), in new storage: views taken of x before
     * keep the old values, as in PyTorch. NOTE: PyTorch also lets v have another shape; tx keeps x's
     * shape fixed (E0201), as every name has one shape.
     */
    void assignData(Ast.Target t, T x, Val v, Span valueSpan, Span span) {
        T g = l.exprs.tensor(v, valueSpan, "`.data`");
        if (g == null) return;
        if (!Arrays.equals(g.shape(), x.shape())) {
            l.diags.error("E0201", valueSpan, "a tensor of shape " + Shapes.show(g.shape()) + " cannot be assigned to `" + t.name()
                    + ".data`, which has shape " + Shapes.show(x.shape()), "tx keeps the shape of a name fixed");
            return;
        }
        Var value = l.b.stopGrad(g.var());
        T updated = x.leaf() >= 0 ? l.keepLeaf(x, value) : x.rg() ? null : new T(value, false, -1, null, false, false);
        if (updated == null) {
            owned(x, value, span);
            return;
        }
        for (Map.Entry<String, Val> e : new ArrayList<>(l.state.names.entrySet())) {
            if (e.getValue() instanceof T u && canonical(u.var()).equals(canonical(x.var()))) l.state.bind(e.getKey(), updated);
        }
    }

    /** x's storage (x itself, or the tensor x is a view of) now holds {@code v}, which does not require grad. */
    private void store(T x, Var v, Span span) {
        if (x.leaf() >= 0) changedInPlace(x, l.keepLeaf(x, v), span);
        else if (!x.rg()) changedInPlace(x, new T(v, false, -1, null, false, false), span);
        else owned(x, v, span);
    }

    /**
     * {@code x.zero_()} and {@code x.data.zero_()}: x's storage becomes zeros. On a leaf that requires
     * grad, {@code x.zero_()} is allowed only under no_grad (E0304), as any in-place change; through
     * {@code .data} always.
     */
    /**
     * {@code x.zero_()}, {@code x.uniform_(a, b)}, {@code x.normal_(m, s)}: x (or {@code x.data}) holds
     * the values {@code made} gives from x from now on, where PyTorch allows the change: not on a
     * leaf that requires grad outside no_grad (E0304) nor on a computed tensor that requires grad
     * (E0308, tx's limit). null from {@code made}: reported there.
     */
    private Val inPlace(Ast.Attr at, Ast.Call c, java.util.function.Function<T, Var> made) {
        boolean viaData = at.target() instanceof Ast.Attr d && d.name().equals("data");
        Ast.Expr base = withoutData(at.target());
        Val target = l.exprs.expr(base);
        if (target instanceof Val.Bad) return new Val.Bad();
        String method = at.name();
        T x = l.exprs.tensor(target, base.span(), "`" + method + "`");
        if (x == null) return new Val.Bad();
        if (!viaData && x.rg() && !l.graph.noGrad()) {
            String name = l.text(base.span()) == null ? "x" : l.text(base.span());
            if (x.leaf() >= 0) {
                l.diags.error("E0304", c.span(), "a leaf tensor that requires grad is changed in place: `" + name + "." + method + "()`",
                        "PyTorch forbids this too: do it inside `with no_grad { ... }`, or write `" + name + ".data." + method + "()`");
            } else {
                l.diags.error("E0308", c.span(), "`" + method + "()` of a computed tensor that requires grad is not supported",
                        "use a new tensor instead: `zeros_like(" + name + ")`, or `" + name + " * 0` to keep it in the graph");
            }
            return new Val.Bad();
        }
        Var v = made.apply(x);
        if (v == null) return new Val.Bad();
        store(x, v, c.span());
        return new T(v, false, -1, null, false, false);
    }

    // ---- retain_grad -----------------------------------------------------------------------------------

    /**
     * {@code y.retain_grad()}: later backwards that reach y add their gradient with respect to y into
     * {@code y.grad}. y is rebound to {@code y' = stop_grad(y)}, which the AD pass sees as a leaf
     * with a grad register of its own, so a backward stops there with y's adjoint; {@link #reverse}
     * then goes on from y itself with that adjoint as the seed. y' prints and behaves as y
     * (not a leaf, the same grad_fn). On a leaf it does nothing, as in PyTorch.
     */
    private Val retainGrad(Ast.Attr at, Ast.Call c) {
        Val target = l.exprs.expr(at.target());
        if (target instanceof Val.Bad || !noArguments(c, "retain_grad")) return new Val.Bad();
        T y = l.exprs.tensor(target, at.target().span(), "`retain_grad`");
        if (y == null) return new Val.Bad();
        if (!y.rg()) {
            l.diags.error("E0302", c.span(), "`retain_grad` of a tensor that does not require grad: no backward reaches it",
                    "PyTorch: \"can't retain_grad on Tensor that has requires_grad=False\"");
            return new Val.Bad();
        }
        if (y.leaf() >= 0 || retained.containsKey(y.var())) return new Val.None("`retain_grad` returns None");
        if (usedDifferentiably(y.var())) { // NOTE: the copy below would collect the gradient of later uses only
            int id = l.register(c, l.text(at.target().span()));
            retained.put(y.var(), id);
            retainedLate.put(id, y.var());
            return new Val.None("`retain_grad` returns None");
        }
        Var kept = l.b.stopGrad(y.var());
        int id = l.register(c, l.text(at.target().span()));
        l.graph.markLeaf(kept, id);
        retained.put(kept, id);
        retainedFrom.put(id, y.var());
        l.rebindAliases(y.var(), new T(kept, true, -1, y.gradFn(), false, false, y.first(), y.py()));
        return new Val.None("`retain_grad` returns None");
    }

    /** Whether something built so far reads v in a computation that requires grad (an equation, a call, a loop's initial value). */
    private boolean usedDifferentiably(Var v) {
        for (List<Stmt> block : l.b.openBlocks()) if (reads(block, v)) return true;
        return false;
    }

    private boolean reads(List<Stmt> body, Var v) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Eqn e && e.in().contains(v) && l.graph.requiresGrad(e.out())) return true;
            if (s instanceof Stmt.Call call && call.in().contains(v)) return true;
            if (s instanceof Stmt.Loop loop && (loop.init().contains(v) || reads(loop.body(), v))) return true;
            if (s instanceof Stmt.Cond cond && (reads(cond.then(), v) || reads(cond.otherwise(), v))) return true;
        }
        return false;
    }

    /**
     * {@code backward(inputs=[h])} of an h computed from the leaves: h gets a {@code .grad}, as
     * PyTorch gives it one, which this backward accumulates into (a pass in which h is the leaf, as
     * for {@link #gradInputs}); later backwards do not, unless h is retained. Returns h's grad register.
     */
    int backwardInput(T x, Object node, String name) {
        int id = retainedRegister(x.var());
        if (id >= 0 && (retainedLate.containsKey(id) || l.graph.leafOf(x.var()) >= 0)) return id; // retained: every backward reaches it already
        if (id < 0) {
            id = l.register(node, name);
            retained.put(x.var(), id);
        }
        gradInputs.put(id, x.var());
        return id;
    }

    /** Ends a backward: the inputs of {@link #backwardInput} are no longer leaves of the next pass. */
    void endBackward() {
        gradInputs.clear();
    }

    /** The grad register of a retained tensor (see {@link #retainGrad}), or -1. */
    int retainedRegister(Var v) {
        return retained.getOrDefault(v, -1);
    }

    /**
     * A backward from {@code out} seeded with {@code seed}: the adjoint of every leaf and retained
     * tensor it reaches. At a retained tensor the pass stops (it is a leaf to the AD pass) and goes
     * on from the tensor's own variable, seeded with its adjoint. NOTE: retained tensors are gone
     * through latest first, so that all the adjoint of one has arrived before the pass goes on from it.
     */
    Reverse.Result reverse(Var out, Var seed) {
        return reverse(out, seed, false);
    }

    /** As {@link #reverse(Var, Var)}; with {@code createGraph} the adjoints are recorded so that they can be differentiated again. */
    Reverse.Result reverse(Var out, Var seed, boolean createGraph) {
        Reverse.Result r = throughRetained(out, seed, createGraph);
        Map<Integer, Var> extra = new LinkedHashMap<>(retainedLate);
        extra.putAll(gradInputs);
        if (r.blockedAt() != null || extra.isEmpty()) return r;
        Map<Integer, Var> sums = new LinkedHashMap<>(r.leafAdjoints());
        for (Map.Entry<Integer, Var> late : extra.entrySet()) {
            l.graph.markLeaf(late.getValue(), late.getKey());
            try {
                Reverse.Result more = throughRetained(out, seed, createGraph);
                if (more.blockedAt() != null) return more;
                Var adjoint = more.leafAdjoints().get(late.getKey());
                if (adjoint != null) sums.put(late.getKey(), adjoint);
            } finally {
                l.graph.unmarkLeaf(late.getValue());
            }
        }
        return new Reverse.Result(sums, null, null);
    }

    /**
     * {@link #reverse} but for the tensors retained after they were used, and a {@code grad}'s inputs
     * that are not leaves. Each of those takes a pass of its own, in which it is a leaf: every use of
     * it has read its variable, so the pass stops there with the adjoint of all of them (PyTorch's
     * .grad), and the main pass goes through.
     * NOTE: such a pass repeats the main one's work from out down to the tensor.
     */
    private Reverse.Result throughRetained(Var out, Var seed, boolean createGraph) {
        Reverse.Result r = pass(out, seed, createGraph);
        if (r.blockedAt() != null || retainedFrom.isEmpty()) return r;
        Map<Integer, Var> sums = new LinkedHashMap<>(r.leafAdjoints());
        Set<Integer> done = new HashSet<>();
        while (true) {
            Integer next = null;
            for (int id : sums.keySet()) {
                if (retainedFrom.containsKey(id) && !done.contains(id)
                        && (next == null || retainedFrom.get(id).id() > retainedFrom.get(next).id())) next = id;
            }
            if (next == null) return new Reverse.Result(sums, null, null);
            done.add(next);
            Reverse.Result more = pass(retainedFrom.get(next), sums.get(next), createGraph);
            if (more.blockedAt() != null) return more;
            boolean old = createGraph ? l.graph.noGrad() : l.graph.setNoGrad(true);
            for (Map.Entry<Integer, Var> e : more.leafAdjoints().entrySet()) sums.merge(e.getKey(), e.getValue(), l.b::add);
            l.graph.setNoGrad(old);
        }
    }

    private Reverse.Result pass(Var out, Var seed, boolean createGraph) {
        return createGraph ? Reverse.transform(l.b, l.graph, out, seed, null) : Reverse.backward(l.b, l.graph, out, seed);
    }

    // ---- grad(outputs, inputs): torch.autograd.grad ------------------------------------------------------

    /**
     * {@code grad(...)} is the tensor form (PyTorch's torch.autograd.grad) unless its first argument
     * is a function: a function's name, a name bound to a function value, or a transform's call
     * ({@code grad(grad(f))}), which are the transform of LANGUAGE.md §7.
     */
    private boolean tensorForm(Ast.Call c) {
        if (l.state.names.get("grad") != null && !l.builtins.prefixed(c) || c.args().isEmpty()) return false; // `for grad in grads` hides only `grad(...)`
        if ("outputs".equals(c.args().get(0).name())) return true; // torch.autograd.grad(outputs=loss, inputs=params)
        if (c.args().get(0).name() != null) return false;
        Ast.Expr first = c.args().get(0).value();
        if (first instanceof Ast.Lambda) return false; // grad(lambda x: ...)
        if (first instanceof Ast.Name n) {
            Val v = l.state.names.get(n.name());
            return v != null ? !(v instanceof Val.Fn) : !l.functions.has(n.name()) && !l.builtins.known(n.name()); // grad(tanh): the transform
        }
        if (first instanceof Ast.Attr at && l.builtins.prefix(at.target()) != null) return !l.builtins.known(at.name()); // grad(torch.sin)
        return !(first instanceof Ast.Call inner && inner.callee() instanceof Ast.Name f && Functions.isTransform(f.name()));
    }

    /**
     * {@code grad(outputs, inputs, grad_outputs=, retain_graph=, create_graph=, allow_unused=)}: the
     * gradients of the outputs with respect to the inputs, as a tuple, one per input, without
     * touching any {@code .grad}. With {@code create_graph=True} they require grad and can be
     * differentiated again (the adjoint equations are recorded as any others).
     */
    private Val tensorGrad(Ast.Call c) {
        Args a = Args.evaluated(l, "grad", c);
        if (!a.shape(0, 5, "outputs", "inputs", "grad_outputs", "retain_graph", "create_graph", "allow_unused")) return new Val.Bad();
        if (a.get(0, "outputs") == null || a.get(1, "inputs") == null) {
            l.diags.error("E0104", c.span(), "`grad` takes the outputs and the inputs, `grad(outputs, inputs)`", null);
            return new Val.Bad();
        }
        boolean createGraph = a.bool(4, "create_graph", false);
        boolean retainGraph = a.bool(3, "retain_graph", createGraph);
        boolean allowUnused = a.bool("allow_unused", false);
        List<T> outs = tensors(a, 0, "outputs"), ins = tensors(a, 1, "inputs");
        List<T> seeds = a.get(2, "grad_outputs") == null ? null : tensors(a, 2, "grad_outputs");
        if (a.failed || outs == null || ins == null || (a.get(2, "grad_outputs") != null && seeds == null)) return new Val.Bad();
        for (T y : outs) if (!notFreed(y.var(), a.span())) return new Val.Bad();
        Map<T, Integer> computed = new IdentityHashMap<>(); // inputs computed from others, as PyTorch takes them too
        for (T x : ins) {
            if (x.leaf() < 0 && retainedRegister(x.var()) < 0 && x.rg() && !computed.containsKey(x)) {
                int id = l.graph.freshLeaf();
                computed.put(x, id);
                gradInputs.put(id, x.var());
            }
        }
        Map<Integer, Var> sums;
        try {
            sums = gradients(a, outs, seeds, createGraph);
        } finally {
            gradInputs.clear();
        }
        if (sums == null) return new Val.Bad();
        if (!retainGraph) for (T y : outs) free(y.var(), "`grad`", a.span());
        List<Val> items = new ArrayList<>();
        List<Var> outVars = new ArrayList<>();
        for (T y : outs) outVars.add(y.var());
        for (int i = 0; i < ins.size(); i++) {
            T x = ins.get(i);
            int register = x.leaf() >= 0 ? x.leaf() : computed.getOrDefault(x, retainedRegister(x.var()));
            Span at = a.get(1, "inputs") instanceof Val.ListV list ? list.spans().get(i) : a.spanOf(1, "inputs");
            if (register < 0) {
                l.diags.error("E0305", at, "`grad` of an input that does not require grad",
                        "PyTorch: \"One of the differentiated Tensors does not require grad\"; make it a leaf with `requires_grad=true`");
                return new Val.Bad();
            }
            Var d = sums.get(register);
            if (d == null && !allowUnused) {
                l.diags.error("E0309", at, "the outputs do not depend on this input, so it has no gradient",
                        "PyTorch raises: \"One of the differentiated Tensors appears to not have been used in the graph\";\n"
                                + "pass `allow_unused=True` to get None for it");
                return new Val.Bad();
            }
            boolean rg = d != null && l.graph.requiresGrad(d);
            items.add(d == null ? new Val.None("`grad` gives None for an input the outputs do not depend on (allow_unused=True)")
                    : new T(d, rg, -1, rg ? l.gradValues.names.of(x.var(), outVars) : null, false, false));
        }
        return new Val.Tuple(items);
    }

    /** A tensor, or a list of tensors, at position i or the keyword; null after reporting. */
    private List<T> tensors(Args a, int i, String keyword) {
        Val v = a.get(i, keyword);
        if (v == null) {
            l.diags.error("E0104", a.span(), "`grad` of a tensor needs `" + keyword + "`", "e.g. `grad(loss, [w, b])`");
            a.failed = true;
            return null;
        }
        List<T> out = new ArrayList<>();
        if (v instanceof Val.ListV list) {
            for (int k = 0; k < list.items().size(); k++) {
                T t = l.exprs.tensor(list.items().get(k), list.spans().get(k), "`grad`");
                if (t == null) return null;
                out.add(t);
            }
            return out;
        }
        T t = l.exprs.tensor(v, a.spanOf(i, keyword), "`grad`");
        if (t == null) return null;
        out.add(t);
        return out;
    }

    /** The adjoint of every leaf and retained tensor that the outputs reach, summed over the outputs; null after reporting. */
    private Map<Integer, Var> gradients(Args a, List<T> outs, List<T> seeds, boolean createGraph) {
        if (seeds != null && seeds.size() != outs.size()) {
            l.diags.error("E0104", a.spanOf(2, "grad_outputs"), "`grad_outputs` has " + seeds.size() + " tensors for "
                    + outs.size() + " outputs", "give one output gradient per output");
            return null;
        }
        Map<Integer, Var> sums = new LinkedHashMap<>();
        for (int k = 0; k < outs.size(); k++) {
            T y = outs.get(k);
            Span at = a.get(0, "outputs") instanceof Val.ListV list ? list.spans().get(k) : a.spanOf(0, "outputs");
            if (!y.rg()) {
                l.diags.error("E0302", at, "this output does not require grad, so there is nothing to differentiate",
                        "PyTorch: \"element 0 of tensors does not require grad and does not have a grad_fn\"");
                return null;
            }
            Var seed;
            if (seeds != null) {
                if (!Arrays.equals(seeds.get(k).shape(), y.shape())) {
                    l.diags.error("E0201", a.spanOf(2, "grad_outputs"), "the output gradient has shape " + Shapes.show(seeds.get(k).shape())
                            + " but the output has shape " + Shapes.show(y.shape()), "they must have the same shape");
                    return null;
                }
                seed = createGraph ? seeds.get(k).var() : l.b.stopGrad(seeds.get(k).var());
            } else if (Shapes.numel(y.shape()) != 1) {
                l.diags.error("E0301", at, "grad can be implicitly created only for scalar outputs: the output has shape " + Shapes.show(y.shape()),
                        "reduce it to a scalar first, or pass `grad_outputs=` with one tensor of its shape");
                return null;
            } else {
                seed = l.b.fill(y.shape(), 1.0); // d y / d y = 1
            }
            Reverse.Result r = reverse(y.var(), seed, createGraph);
            if (r.blockedAt() != null) {
                String help = l.graph.barrierHelp(r.blockedAt());
                l.diags.error("E0306", a.span(), "this gradient would have to differentiate through " + r.blockedWhy(), help);
                return null;
            }
            boolean old = createGraph ? l.graph.noGrad() : l.graph.setNoGrad(true);
            for (Map.Entry<Integer, Var> e : r.leafAdjoints().entrySet()) sums.merge(e.getKey(), e.getValue(), l.b::add);
            l.graph.setNoGrad(old);
        }
        return sums;
    }

    // ---- retain_graph: a second backward through a freed graph ---------------------------------------

    /**
     * The primitives whose PyTorch backward nodes save tensors (inputs or results) that a backward
     * frees. NOTE: the linear ones (add, sum, reshape, slice, ...) save none, and PyTorch lets a second
     * backward through them pass; so does tx. A product or a quotient saves a tensor, even of a
     * constant factor, where the program writes it ({@code x * 2}: MulBackward0 saves the 2); one
     * inside a built-in written from primitives saves one only where neither factor is a constant
     * (mean's division by n saves nothing, as MeanBackward0 saves only sizes).
     */
    private static final Set<Prim> SAVES = EnumSet.of(
            Prim.EXP, Prim.LOG, Prim.SIN, Prim.COS, Prim.TAN,
            Prim.TANH, Prim.SQRT, Prim.ABS, Prim.ASIN, Prim.ACOS,
            Prim.ATAN, Prim.LOG1P, Prim.EXPM1, Prim.POW, Prim.MAXIMUM,
            Prim.MINIMUM, Prim.REMAINDER, Prim.FMOD, Prim.ATAN2,
            Prim.WHERE, Prim.MAX, Prim.PROD, Prim.PROD_OTHERS,
            Prim.MATMUL);

    /**
     * The parts of the graph between {@code out} and the leaves that a backward from it goes
     * through and whose saved values it frees (a retained tensor is gone through, as the pass is).
     */
    private Set<Object> saving(Var out) {
        Set<Object> parts = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Var> seen = new HashSet<>();
        Deque<Var> todo = new ArrayDeque<>(List.of(out));
        seen.add(out);
        while (!todo.isEmpty()) {
            Var v = todo.pop();
            Collection<Var> inputs;
            int leaf = l.graph.leafOf(v);
            if (leaf >= 0) {
                if (!retainedFrom.containsKey(leaf)) continue;
                inputs = List.of(retainedFrom.get(leaf));
            } else if (l.graph.definition(v) != null) {
                Stmt.Eqn e = l.graph.definition(v);
                if (saves(e)) parts.add(e);
                inputs = e.in();
            } else if (l.graph.structureOf(v) != null) {
                Stmt st = l.graph.structureOf(v);
                parts.add(st); // a loop, a branch or a call keeps what its reversal reads
                inputs = st instanceof Stmt.Call call ? call.in() : Blocks.free(st);
            } else {
                continue;
            }
            for (Var in : inputs) if (l.graph.requiresGrad(in) && seen.add(in)) todo.push(in);
        }
        return parts;
    }

    private boolean saves(Stmt.Eqn e) {
        if (e.prim() == Prim.MUL) return l.graph.isWrittenArithmetic(e.out()) || !constant(e.in().get(0)) && !constant(e.in().get(1));
        if (e.prim() == Prim.DIV) return l.graph.isWrittenArithmetic(e.out()) || !constant(e.in().get(1));
        return SAVES.contains(e.prim());
    }

    /** A number or a filled tensor written in the program (a leaf made from one requires grad, and is none). */
    private boolean constant(Var v) {
        if (l.graph.requiresGrad(v)) return false;
        Stmt.Eqn d = l.graph.definition(v);
        return d != null && (d.prim() == Prim.CONST || d.prim() == Prim.FILL);
    }

    /**
     * Before a backward (or a tensor-form grad) from {@code out}: false, after reporting E0310, when it
     * would go through a part of the graph that an earlier backward without {@code retain_graph=True}
     * freed, where PyTorch raises at run time ("Trying to backward through the graph a second time").
     */
    boolean notFreed(Var out, Span span) {
        for (Object part : saving(out)) {
            String first = l.state.freed.get(part);
            if (first == null) continue;
            l.diags.error("E0310", span, "this goes through the graph a second time, and " + first
                            + " freed it (PyTorch: \"Trying to backward through the graph a second time\")",
                    "pass `retain_graph=True` to " + first + ", or compute the output again before this line");
            return false;
        }
        return true;
    }

    /** After a backward from {@code out} without {@code retain_graph=True}: the saved values it went through are freed. */
    void free(Var out, String what, Span span) {
        for (Object part : saving(out)) l.state.freed.putIfAbsent(part, "the " + what + " at line " + span.line());
    }
}
