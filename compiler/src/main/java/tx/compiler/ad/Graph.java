package tx.compiler.ad;

import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * The autograd facts the AD pass needs about IR variables, recorded as the lowering builds them:
 * which equation defines each variable, which variables require grad (PyTorch's rule: an input
 * does and we are not under no_grad), which are leaves, and why a variable with no defining
 * equation in reach (a loop-carried value, an if's result) stops a backward.
 */
public final class Graph {
    private final Map<Var, Eqn> defs = new HashMap<>();
    private final Set<Var> requiresGrad = new HashSet<>();
    private final Map<Var, Integer> leafOf = new HashMap<>();
    private final Map<Var, String> barrier = new HashMap<>(), barrierHelp = new HashMap<>();
    private final Map<Var, tx.runtime.ir.Stmt> structured = new HashMap<>();
    private boolean noGrad;
    private final Set<Var> checkpointed = new HashSet<>();
    private int checkpointing;

    /** Records a new equation; its output requires grad iff an input does, the primitive passes gradients, and grad mode is on. */
    public void defined(Eqn e) {
        defs.put(e.out(), e);
        if (checkpointing > 0) checkpointed.add(e.out());
        if (noGrad) {
            for (Var v : e.in()) if (requiresGrad.contains(v) || cutByNoGrad.contains(v)) cutByNoGrad.add(e.out());
            return;
        }
        if (!passesGradient(e.prim()) || !e.out().dtype().isFloat()) return; // only float64 tensors require grad (LANGUAGE.md §3)
        for (Var v : e.in()) {
            if (requiresGrad.contains(v)) {
                requiresGrad.add(e.out());
                return;
            }
        }
        for (Var v : e.in()) if (cutByNoGrad.contains(v)) cutByNoGrad.add(e.out());
    }

    /** Values computed, under no_grad, from values that require grad (or from such values): for E0302's help. */
    private final Set<Var> cutByNoGrad = new HashSet<>();

    /** Whether v would require grad but for a {@code with no_grad} it was computed in (or from something that was). */
    public boolean cutByNoGrad(Var v) {
        return cutByNoGrad.contains(v);
    }

    /** Comparisons and stop_grad make values that do not require grad (PyTorch: bool results, detach). */
    public static boolean passesGradient(Prim p) {
        return switch (p) {
            case LT, LE, GT, GE, EQ, NE, STOP_GRAD, FIRST_MAX, CONST, FILL, RANDOM, LOAD, GEN_SEED, GEN_DRAW, GEN_NEXT -> false;
            default -> true;
        };
    }

    /** Entering (+1) or leaving (-1) a `with checkpoint` block: what is made inside is recomputed by a loop's reversal rather than taped. */
    public void checkpoint(int delta) {
        checkpointing += delta;
    }

    /** The snapshots of a loop's schedule when a plain `with checkpoint` around it leaves them to be chosen. */
    public static final int AUTO = -2;
    /** The loops reversed on Revolve's schedule: loop index to the number of stored states. */
    private final Map<Var, Integer> snapshots = new HashMap<>();

    /** Puts the loop with this index on Revolve's schedule with {@code k} stored states. */
    public void schedule(Var loopIndex, int k) {
        snapshots.put(loopIndex, k);
    }

    /** The stored states of the loop's schedule, or 0: the loop is taped (or checkpointed) step by step. */
    public int snapshots(Var loopIndex) {
        return snapshots.getOrDefault(loopIndex, 0);
    }

    private final Set<Var> revolved = new HashSet<>();

    /** Records that the loop with this index is being reversed on its schedule; false if it already was. */
    public boolean revolve(Var loopIndex) {
        return revolved.add(loopIndex);
    }

    public boolean checkpointed(Var v) {
        return checkpointed.contains(v);
    }

    public boolean noGrad() {
        return noGrad;
    }

    /** Sets grad mode off (true) or on; returns the old setting. */
    public boolean setNoGrad(boolean off) {
        boolean old = noGrad;
        noGrad = off;
        return old;
    }

    public Eqn definition(Var v) {
        return defs.get(v);
    }

    /**
     * The products and quotients a program writes itself ({@code x * 2}, {@code x / n}, {@code
     * torch.mul}), whose PyTorch nodes save their operands even where one is a constant, unlike the
     * scalings inside a built-in written from primitives (mean's division saves nothing).
     */
    private final Set<Var> written = new HashSet<>();

    /**
     * The hooks registered on values ({@code y.register_hook(fn)}) and on leaves (by leaf id), in
     * the order they were registered: each takes the value's whole gradient in a backward and gives
     * the one that goes on (see {@code Reverse}).
     */
    private final Map<Var, List<java.util.function.UnaryOperator<Var>>> hooks = new HashMap<>();
    private final Map<Integer, List<java.util.function.UnaryOperator<Var>>> leafHooks = new HashMap<>();

    public void hook(Var v, java.util.function.UnaryOperator<Var> h) {
        hooks.computeIfAbsent(v, k -> new java.util.ArrayList<>()).add(h);
    }

    public void hookLeaf(int leaf, java.util.function.UnaryOperator<Var> h) {
        leafHooks.computeIfAbsent(leaf, k -> new java.util.ArrayList<>()).add(h);
    }

    /** v's gradient g after v's hooks, in order (g itself without any). */
    public Var hooked(Var v, Var g) {
        for (java.util.function.UnaryOperator<Var> h : hooks.getOrDefault(v, List.of())) g = h.apply(g);
        return g;
    }

    /** A leaf's gradient after its hooks, before it goes into {@code .grad}. */
    public Var hookedLeaf(int leaf, Var g) {
        for (java.util.function.UnaryOperator<Var> h : leafHooks.getOrDefault(leaf, List.of())) g = h.apply(g);
        return g;
    }

    /** Notes that v is a product or quotient the program writes itself (see {@link #written}). */
    public void writtenArithmetic(Var v) {
        written.add(v);
    }

    public boolean isWrittenArithmetic(Var v) {
        return written.contains(v);
    }

    public boolean requiresGrad(Var v) {
        return requiresGrad.contains(v);
    }

    public void setRequiresGrad(Var v, boolean rg) {
        if (rg) requiresGrad.add(v);
        else requiresGrad.remove(v);
    }

    public void markLeaf(Var v, int leaf) {
        leafOf.put(v, leaf);
        requiresGrad.add(v);
    }

    /** Stops treating v as a leaf (the parameters a transform differentiated with respect to). */
    public void unmarkLeaf(Var v) {
        leafOf.remove(v);
    }

    /** The leaf id if v is (a version of) a leaf that requires grad, else -1. */
    public int leafOf(Var v) {
        return leafOf.getOrDefault(v, -1);
    }

    /** Records a loop or a branch as the definition of its outputs (the AD pass reverses it as a whole). */
    public void structure(tx.runtime.ir.Stmt s) {
        if (s instanceof tx.runtime.ir.Stmt.Loop l) {
            for (Var o : l.outs()) structured.put(o, s);
            for (Var t : l.tapes()) structured.put(t, s); // a tape, read by the loop's reversal, is an output too
        }
        if (s instanceof tx.runtime.ir.Stmt.Cond c) for (Var o : c.outs()) structured.put(o, s);
        if (s instanceof tx.runtime.ir.Stmt.Call c) for (Var o : c.outs()) structured.put(o, s);
    }

    /**
     * Records a call as the definition of its outputs; output k requires grad if {@code rg.get(k)}
     * (the function's result does, for arguments that require grad as these do) and grad mode is on.
     */
    public void called(tx.runtime.ir.Stmt.Call c, java.util.List<Boolean> rg) {
        structure(c);
        if (noGrad) return;
        for (int k = 0; k < c.outs().size(); k++) if (rg.get(k)) requiresGrad.add(c.outs().get(k));
    }

    /** Whether a `with checkpoint` block is open: what is made now is recomputed, not taped, by a loop's reversal. */
    public boolean checkpointing() {
        return checkpointing > 0;
    }

    private int nextLeaf = 1 << 28; // leaf ids for a function's parameters while its adjoint is derived
    private final Map<Object, Object> adjoints = new HashMap<>();

    private final Map<tx.runtime.ir.Func, tx.runtime.ir.Func> primals = new java.util.IdentityHashMap<>();

    /** Records that {@code fwd} is the forward half of {@code primal} (a call of either is reversed as a call of the primal). */
    public void primal(tx.runtime.ir.Func fwd, tx.runtime.ir.Func primal) {
        primals.put(fwd, primal);
    }

    /** The function a forward half was split from, or f itself. */
    public tx.runtime.ir.Func primalOf(tx.runtime.ir.Func f) {
        return primals.getOrDefault(f, f);
    }

    private final Map<tx.runtime.ir.Func, tx.runtime.ir.Func> customs = new java.util.IdentityHashMap<>();

    /** Records {@code bwd} as the reverse-mode derivative of {@code f} (custom_vjp): f's parameters and the output's adjoint to one adjoint per parameter. */
    public void custom(tx.runtime.ir.Func f, tx.runtime.ir.Func bwd) {
        customs.put(f, bwd);
    }

    /** The custom derivative of f, or null. */
    public tx.runtime.ir.Func customBwd(tx.runtime.ir.Func f) {
        return customs.get(f);
    }

    private final Map<tx.runtime.ir.Func, tx.runtime.ir.Func> customJvps = new java.util.IdentityHashMap<>();

    /**
     * Records {@code rule} as the forward-mode derivative of {@code f} (custom_jvp): f's parameters
     * and one tangent per parameter to the output's tangent, or to the output and its tangent.
     */
    public void customJvp(tx.runtime.ir.Func f, tx.runtime.ir.Func rule) {
        customJvps.put(f, rule);
    }

    /** The custom forward-mode derivative of f, or null. */
    public tx.runtime.ir.Func customJvp(tx.runtime.ir.Func f) {
        return customJvps.get(f);
    }

    /** A leaf id no script leaf and no transform parameter has. */
    public int freshLeaf() {
        return nextLeaf++;
    }

    /** The adjoint derived for a key (a function and its active parameters and results), or null: each is derived once. */
    public Object adjoint(Object key) {
        return adjoints.get(key);
    }

    public void adjoint(Object key, Object derived) {
        adjoints.put(key, derived);
    }

    /**
     * A function's own view of its statements, for a function whose statements share variables
     * with another's but are not versions of them: a tangent function's calls, loops and branches
     * make f's values and their tangents, from arguments f does not have. Recorded globally, they
     * would replace f's own statements as the definitions of f's values, and a later split of f (a
     * {@code jacrev(grad(f))} after a {@code hessian(f)}) would copy them into f's halves, reading
     * tangents that are not there.
     */
    private final Map<tx.runtime.ir.Func, Map<Var, tx.runtime.ir.Stmt>> views = new java.util.IdentityHashMap<>();

    /** What {@link #enter} saved: the definitions of a body's values before a pass over it. */
    public record Scope(Map<Var, tx.runtime.ir.Stmt> saved, boolean isolated) {}

    /**
     * Enters a pass over f's body (a split, a tangent function): f's own view of its statements, if
     * it has one, becomes the graph's. The pass is isolated (what it records about f's values is
     * taken back by {@link #leave}) where f has a view or {@code tangent} says the pass derives a
     * tangent function; otherwise what it records stays, the latest version of each statement.
     */
    public Scope enter(tx.runtime.ir.Func f, boolean tangent) {
        Map<Var, tx.runtime.ir.Stmt> view = views.get(f);
        if (view == null && !tangent) return new Scope(Map.of(), false);
        Map<Var, tx.runtime.ir.Stmt> saved = new HashMap<>();
        for (Var v : tx.runtime.ir.Blocks.defined(f.body())) saved.put(v, structured.get(v));
        if (view != null) {
            for (Var v : view.keySet()) saved.putIfAbsent(v, structured.get(v));
            structured.putAll(view);
        }
        return new Scope(saved, true);
    }

    /** Leaves a pass entered by {@link #enter}: an isolated one gives the derived functions its view of the body, then puts the graph back. */
    public void leave(Scope scope, tx.runtime.ir.Func... derived) {
        if (!scope.isolated()) return;
        Map<Var, tx.runtime.ir.Stmt> view = new HashMap<>();
        for (Var v : scope.saved().keySet()) {
            tx.runtime.ir.Stmt now = structured.get(v);
            if (now != null) view.put(v, now);
        }
        for (tx.runtime.ir.Func d : derived) if (d != null) views.put(d, view);
        for (Map.Entry<Var, tx.runtime.ir.Stmt> e : scope.saved().entrySet()) {
            if (e.getValue() == null) structured.remove(e.getKey());
            else structured.put(e.getKey(), e.getValue());
        }
    }

    /** The loop, branch or call that defines v, or null. */
    public tx.runtime.ir.Stmt structureOf(Var v) {
        return structured.get(v);
    }

    /** Marks v as a value that a backward cannot see through yet, saying why. */
    public void markBarrier(Var v, String why) {
        barrier.put(v, why);
    }

    /**
     * v was made by code left unbuilt after an earlier error (a loop's result): the program will
     * not run, so a derivative through v is not reported again; it stops there quietly.
     */
    public void markAfterError(Var v) {
        afterError.add(v);
    }

    public boolean afterError(Var v) {
        return afterError.contains(v);
    }

    private final java.util.Set<Var> afterError = new java.util.HashSet<>();

    /** The help a diagnostic gives when a pass stops at v (without making v a barrier for other passes). */
    public void help(Var v, String help) {
        barrierHelp.put(v, help);
    }

    /** As {@link #markBarrier(Var, String)}, with the help the diagnostic gives. */
    public void markBarrier(Var v, String why, String help) {
        barrier.put(v, why);
        barrierHelp.put(v, help);
    }

    public String barrierReason(Var v) {
        return barrier.get(v);
    }

    /** The help for a barrier that has its own, or null (a loop's or a branch's reversal). */
    public String barrierHelp(Var v) {
        return barrierHelp.get(v);
    }
}
