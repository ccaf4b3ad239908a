package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.ad.Reverse;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Functions (LANGUAGE.md §7) and the derivative transforms. A call is checked against the
 * signature (named dimensions bind at each call and must agree) and then <b>inlined</b>: the body
 * is lowered with the parameters bound to the arguments, so autograd flows through calls, and a
 * function is specialised to the shapes of each call. A transform such as {@code grad(f, wrt=x)}
 * is a function value; applying it inlines f on copies of the {@code wrt} arguments, made leaves
 * for the occasion, and runs the reverse-mode pass on the result. Its adjoint equations are
 * recorded, so that a transform of a transform differentiates them again.
 */
final class Functions {
    private static final Set<String> TRANSFORMS = Set.of("grad", "value_and_grad", "vjp", "jvp", "hvp", "vhp", "jacobian", "jacrev", "jacfwd", "hessian",
            "custom_vjp", "custom_jvp", "vmap");

    private final Lowerer l;
    final Map<String, Ast.FnDef> defs = new LinkedHashMap<>();
    final Deque<String> calling = new ArrayDeque<>();
    /** How many transforms are being applied (their results stay differentiable inside another). */
    int transformDepth;
    private int nextLeaf = 1 << 24; // leaf ids for transform parameters, apart from the script's leaves

    /** jvp, hvp, the Jacobians and vmap. */
    private final MappedTransforms mapped;

    /** custom_vjp and custom_jvp. */
    private final CustomRules customs;

    /** What the file's functions change in place. */
    final Mutations mutations;

    Functions(Lowerer l) {
        this.l = l;
        this.mapped = new MappedTransforms(l, this);
        this.customs = new CustomRules(l, this);
        this.mutations = new Mutations(l, this);
        this.scopes = new Globals(l);
        this.closures = new Closures(l, this);
    }

    static boolean isTransform(String name) {
        return TRANSFORMS.contains(name);
    }

    /**
     * Registers the file's functions before anything is checked, so that they may be called in any
     * order; a name defined more than once has one function per definition ({@link Definitions}).
     */
    void collect(List<Ast.Stmt> program) {
        Map<String, Integer> count = new HashMap<>();
        for (Ast.Stmt s : program) if (s instanceof Ast.FnDef f) count.merge(f.name(), 1, Integer::sum);
        Map<String, Integer> seen = new HashMap<>();
        for (Ast.Stmt s : program) {
            if (!(s instanceof Ast.FnDef f)) continue;
            int k = seen.merge(f.name(), 1, Integer::sum);
            if (isTransform(f.name())) {
                l.diags.error("E0106", l.headSpan(f.span()), "`" + f.name() + "` is a derivative transform; a function cannot take its name", null);
            } else {
                if (l.builtins.has(f.name())) {
                    l.diags.warning("W0106", l.headSpan(f.span()), "function `" + f.name() + "` hides the built-in `" + f.name() + "` in this file",
                            "calls of `" + f.name() + "(...)` call this function; the built-in is still `torch." + f.name() + "(...)` and `x." + f.name() + "()`");
                }
                Ast.FnDef def = definitions.register(f, k, count.get(f.name()));
                defs.put(def.name(), def);
                Parameters.checkKinds(l, f);
            }
        }
        scriptNames.addAll(l.assignedNames(program));
    }

    /** Python's scopes: a function's locals, and the script names its `global` statements name. */
    final Globals scopes;

    /** Lambdas and functions defined inside functions. */
    final Closures closures;

    /** Which of several definitions each name stands for. */
    final Definitions definitions = new Definitions(this::forgetCalls);

    /** A name changed definition: a function's body calls by name, so what was lowered or analysed before may call the old one. */
    private void forgetCalls() {
        lowered.clear();
        mutations.forget();
    }

    /** The names the script assigns at its top level (a function may read them once they are assigned: Python's globals). */
    private final Set<String> scriptNames = new LinkedHashSet<>();

    boolean isScriptName(String name) {
        return scriptNames.contains(name);
    }

    /** The script's state at the outermost call being inlined: the names a function body reads as globals. */
    private State globals;

    /**
     * E0111, true: inside a function, a script-level name read before the script assigns it (Python
     * raises NameError when the function is called).
     */
    boolean globalBeforeAssignment(String name, Span span) {
        if (calling.isEmpty() || !scriptNames.contains(name) || l.diags.isMuted()) return false;
        l.diags.error("E0111", span, "`" + name + "` is a script-level name, but it is not assigned yet when `" + Definitions.shown(calling.peek()) + "` is called"
                + (callSites.isEmpty() ? "" : " at line " + callSites.peekLast().line()),
                "a function reads the script's names as they are when it is called: assign `" + name + "` before that call");
        return true;
    }

    /** Where the outermost call being inlined is (for E0111). */
    private final Deque<Span> callSites = new ArrayDeque<>();

    /** The file's functions, in order of definition. */
    List<String> names() {
        return new ArrayList<>(defs.keySet().stream().filter(n -> !n.startsWith("$") && !n.contains("#")).toList());
    }

    boolean has(String name) {
        return defs.containsKey(name);
    }

    /** A `fn` statement: functions are defined at the top level only. */
    void definition(Ast.FnDef f, boolean topLevel) {
        if (topLevel) {
            definitions.reached(f);
            closures.holdDefaults(f);
        }
        if (!topLevel && !calling.isEmpty()) {
            closures.define(f); // a function's own function: a local name, a closure over the function's names
        } else if (!topLevel) {
            l.diags.error("E0106", l.headSpan(f.span()), "functions are defined at the top level of a file, not inside a block",
                    "move `fn " + f.name() + "` out of the block");
        }
    }

    /** From now on an outermost transform's results stay differentiable, as inside another transform (for `tx grad`). */
    void keepResultsDifferentiable() {
        transformDepth++;
    }

    // ---- transforms --------------------------------------------------------------------------------

    /** {@code grad(f, wrt=...)} and the others: a function value. {@code wrt} names parameters, so it is read, not evaluated. */
    Val transform(String kind, Ast.Call c) {
        if (kind.startsWith("custom_")) return customs.rule(kind, c);
        if (kind.equals("vmap")) return mapped.vmap(c);
        if (FunctionalCalls.applies(kind, c)) return new FunctionalCalls(l).call(kind, c); // torch.autograd.functional.jacobian(f, x)
        if (kind.equals("vhp")) return FunctionalCalls.onlyCalled(l, c);
        if (c.args().isEmpty() || c.args().get(0).name() != null) {
            l.diags.error("E0104", c.span(), "`" + kind + "` takes a function, e.g. `" + kind + "(f)` or `" + kind + "(f, wrt=[w, b])`", null);
            return new Val.Bad();
        }
        Val f = l.exprs.expr(c.args().get(0).value());
        if (f instanceof Val.Bad) return f;
        if (!(f instanceof Val.Fn fn)) {
            l.diags.error("E0401", c.args().get(0).span(), "`" + kind + "` takes a function, found " + f.describe(), null);
            return new Val.Bad();
        }
        fn = closures.transformable(fn, c.args().get(0).span());
        List<String> params = parameters(fn.ref());
        List<Integer> wrt = new ArrayList<>();
        for (int i = 1; i < c.args().size(); i++) {
            Ast.Arg a = c.args().get(i);
            if ("argnums".equals(a.name())) { // JAX's and functorch's spelling: positions, not names
                if (!Parameters.argnums(l, a, params, wrt)) return new Val.Bad();
                continue;
            }
            if (!"wrt".equals(a.name())) {
                l.diags.error("E0104", a.span(), "`" + kind + "` takes one function and `wrt=` (or `argnums=`)", null);
                return new Val.Bad();
            }
            List<Ast.Expr> names = a.value() instanceof Ast.ListLit list ? list.items() : List.of(a.value());
            for (Ast.Expr e : names) {
                int k = e instanceof Ast.Name n ? params.indexOf(n.name()) : -1;
                if (k < 0) {
                    l.diags.error("E0101", e.span(), "`wrt=` names a parameter of `" + fn.ref().show() + "`, and it has none called `"
                            + (l.text(e.span()) == null ? "?" : l.text(e.span())) + "`", "its parameters are " + String.join(", ", params));
                    return new Val.Bad();
                }
                wrt.add(k);
            }
        }
        if (params.isEmpty()) {
            l.diags.error("E0104", c.span(), "`" + kind + "(" + fn.ref().show() + ")`: `" + fn.ref().show() + "` takes no parameters to differentiate with respect to",
                    "give it the tensor as a parameter, e.g. `fn f(x: [3]) -> [] { ... }`");
            return new Val.Bad();
        }
        if (wrt.isEmpty()) wrt.add(0); // the first parameter, as JAX's grad
        return new Val.Fn(new Val.Transform(kind, fn.ref(), wrt));
    }

    /** The parameter names of a function value (a transform keeps its function's; vjp adds the cotangent). */
    List<String> parameters(Val.FnRef ref) {
        if (ref instanceof Val.Custom cu) return parameters(cu.of());
        if (ref instanceof Val.UserFn u) {
            List<String> out = new ArrayList<>();
            for (Ast.Param p : defs.get(u.name()).params()) out.add(p.name());
            return out;
        }
        Val.Transform t = (Val.Transform) ref;
        List<String> out = parameters(t.of());
        if (t.kind().equals("vjp")) out.add("cotangent");
        if (t.kind().equals("jvp")) for (int k : t.wrt()) out.add("tangent_" + out.get(k));
        if (t.kind().equals("hvp")) for (int k : t.wrt()) out.add("v_" + out.get(k));
        return out;
    }

    /** The user function underneath a function value (a transform keeps its function's parameters). */
    Ast.FnDef base(Val.FnRef ref) {
        if (ref instanceof Val.Custom cu) return base(cu.of());
        return ref instanceof Val.UserFn u ? defs.get(u.name()) : base(((Val.Transform) ref).of());
    }

    /** Applies a function value to tensors already in hand (used by `check`). */
    Val applyTo(Val.FnRef ref, List<T> args, Ast.Call site) {
        Args a = new Args(l, ref.show(), site);
        for (T t : args) {
            a.pos.add(t);
            a.posSpans.add(site.span());
        }
        return apply(ref, a);
    }

    // ---- calls -----------------------------------------------------------------------------------------

    /** Applies a function value to a call's arguments. */
    Val apply(Val.FnRef ref, Args a) {
        List<String> params = parameters(ref);
        List<Val> vals = arguments(ref, params, a);
        if (vals == null) return new Val.Bad();
        if (ref instanceof Val.UserFn u && u.frame() > 0) return inline(u.name(), vals, a.span(), closures.scope(u)); // a closure: its maker's names
        if (ref instanceof Val.UserFn u) return call(u.name(), vals, a.span());
        List<T> args = Parameters.tensors(l, ref.show(), vals, a.span());
        if (args == null) return new Val.Bad();
        if (ref instanceof Val.Custom cu) return customs.apply(cu, args, a.span());
        return applyTransform((Val.Transform) ref, args, a);
    }

    /**
     * The arguments in parameter order (positional, then by name, then the defaults), each as its
     * parameter takes it (see {@link Parameters#accept}); a transform's are tensors.
     */
    private List<Val> arguments(Val.FnRef ref, List<String> params, Args a) {
        a = Keywords.pack(l, ref, params, a); // `**kwargs`, `*args`
        if (a == null) return null;
        Val[] byParam = new Val[params.size()];
        Span[] spans = new Span[params.size()];
        if (a.pos.size() > params.size()) {
            l.diags.error("E0104", a.span(), "`" + ref.show() + "` takes " + params.size() + " arguments, got " + a.pos.size(), null);
            return null;
        }
        for (int i = 0; i < a.pos.size(); i++) {
            byParam[i] = a.pos.get(i);
            spans[i] = a.posSpans.get(i);
        }
        for (Map.Entry<String, Val> e : a.kw.entrySet()) {
            int k = params.indexOf(e.getKey());
            if (k < 0 || byParam[k] != null) {
                l.diags.error("E0104", a.kwSpans.get(e.getKey()), k < 0 ? "`" + ref.show() + "` has no parameter `" + e.getKey() + "`"
                        : "parameter `" + e.getKey() + "` is given twice", null);
                return null;
            }
            byParam[k] = e.getValue();
            spans[k] = a.kwSpans.get(e.getKey());
        }
        Ast.FnDef def = ref instanceof Val.UserFn u ? defs.get(u.name()) : null;
        List<Val> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Ast.Param p = def == null ? null : def.params().get(i);
            if (byParam[i] == null && p != null && p.dflt() != null) {
                byParam[i] = Parameters.dflt(l, p);
                spans[i] = p.dflt().span();
            }
            if (byParam[i] == null) {
                l.diags.error("E0104", a.span(), "`" + ref.show() + "` is missing its argument `" + params.get(i) + "`", null);
                return null;
            }
            Val v = p != null ? Parameters.accept(l, ref.show(), p, byParam[i], spans[i])
                    : l.exprs.tensor(byParam[i], spans[i], "an argument of `" + ref.show() + "`");
            if (v == null) return null;
            out.add(v);
        }
        return out;
    }

    /**
     * Lowers a user function's body in place, with its parameters bound to the arguments, over the
     * script's names as they are at this call (Python's globals, read when called). The in-place
     * changes the body makes reach the caller's names when it returns.
     */
    Val inline(String name, List<? extends Val> args, Span at) {
        return inline(name, args, at, null);
    }

    /** As above; {@code scope}: for a closure, the names of the activation that made it, which its body reads (null: the script's). */
    Val inline(String name, List<? extends Val> args, Span at, State scope) {
        Ast.FnDef f = defs.get(name);
        if (calling.contains(name)) {
            l.diags.error("E0107", at, "`" + Definitions.shown(name) + "` calls itself" + (calling.peek().equals(name) ? "" : " (through " + String.join(", ", calling) + ")"),
                    "tx needs every loop's trip count at compile time; write the recursion as a `for` loop");
            return new Val.Bad();
        }
        Map<String, Integer> dims = bind(f, args, at);
        if (dims == null) return new Val.Bad();
        State caller = l.state;
        if (!calling.isEmpty() && scope == null && shadowsChangedGlobal(name, at)) return new Val.Bad(); // a closure changes its maker's names
        State script = scope != null ? scope : calling.isEmpty() ? caller : globalsSeenBy(caller);
        State body = new State();
        body.grads.putAll(caller.grads);
        body.graphGrads.putAll(caller.graphGrads);
        for (Map.Entry<String, Val> g : script.names.entrySet()) {
            if (!script.maybeUnassigned.containsKey(g.getKey())) body.names.put(g.getKey(), g.getValue());
        }
        scopes.enter(f, Definitions.shown(name), body);
        // a named dimension is a number inside the body (LANGUAGE §3), unless a parameter has its name
        for (Map.Entry<String, Integer> d : dims.entrySet()) {
            boolean sized = Shapes.isSymbol(d.getValue()); // a size known only at run time: a Python int known then
            body.bind(d.getKey(), sized ? RunTimeSizes.count(l, new int[] {d.getValue()}) : new Val.Num(d.getValue()));
        }
        for (int i = 0; i < args.size(); i++) body.bind(f.params().get(i).name(), args.get(i));
        RandomStreams.pass(caller, body); // the body draws on from the caller's generator
        l.state = body;
        State oldGlobals = globals;
        if (scope == null || calling.isEmpty()) globals = script; // a closure's calls read the script's names as its maker's calls do
        int frame = closures.enter(caller, f, scope);
        if (calling.isEmpty()) callSites.addLast(at);
        calling.push(name);
        l.inlinedCalls.add(at);
        String oldName = l.b.named(null);
        int changes = l.inPlaceLog.size();
        try {
            Val result = lowerBody(f);
            return checkReturn(f, result, dims, at);
        } catch (tx.runtime.ir.CompileLimit x) { // the error names the calls that were being inlined
            x.inlining(name, at.origin());
            throw x;
        } finally {
            calling.pop();
            l.inlinedCalls.remove(l.inlinedCalls.size() - 1);
            if (calling.isEmpty()) callSites.removeLast();
            globals = oldGlobals;
            scopes.leave(l.state, caller, calling.isEmpty() ? null : globals, !calling.isEmpty(), Definitions.shown(name), at);
            closures.leave(frame, l.state, at);
            l.b.named(oldName);
            caller.grads.clear();
            caller.grads.putAll(l.state.grads);
            caller.graphGrads.clear();
            caller.graphGrads.putAll(l.state.graphGrads);
            RandomStreams.pass(l.state, caller); // and the caller on from the body's
            l.state = caller;
            Mutations.seeChanges(l, caller, changes);
        }
    }

    /**
     * The script's names as a function called from another function's body sees them: the
     * script's, but where the caller holds a newer tensor for a global name (one its body changed
     * in place, or a loop of its body carries, as d2l's training loop carries the W that its
     * {@code updater} changes), that one. NOTE: a name the caller binds itself (a parameter, an
     * assignment) is the caller's local and does not shadow the callee's global.
     */
    private State globalsSeenBy(State caller) {
        Set<String> locals = callerLocals();
        State seen = globals.copy();
        for (String n : globals.names.keySet()) {
            if (!locals.contains(n) && caller.names.get(n) instanceof T t) seen.names.put(n, t);
        }
        for (String n : scopes.writtenNow()) { // what the caller assigned through `global` (or its callees did)
            if (caller.names.containsKey(n) && !caller.maybeUnassigned.containsKey(n)) seen.names.put(n, caller.names.get(n));
        }
        return seen;
    }

    /**
     * Whether {@code name}, called from another function's body, changes in place a script-level
     * name that the calling function binds as its own local: Python keeps the two apart (the
     * callee changes the global), tx's names do not, so it is refused (E0401) rather than
     * changing the wrong one. Reports it.
     */
    private boolean shadowsChangedGlobal(String name, Span at) {
        Ast.FnDef outer = defs.get(calling.peek());
        Set<String> locals = callerLocals();
        for (String g : mutations.changedScriptNames(name)) {
            if (!locals.contains(g)) continue;
            l.diags.error("E0401", at, "`" + Definitions.shown(name) + "` changes the script's `" + g + "` in place, but `" + Definitions.shown(outer.name()) + "` has a local `" + g
                    + "` of its own", "rename `" + Definitions.shown(outer.name()) + "`'s local (tx cannot keep a local and a global of one name apart here)");
            return true;
        }
        return false;
    }

    /** The names the function being inlined now binds itself: its parameters and what its body assigns. */
    private Set<String> callerLocals() {
        Ast.FnDef outer = defs.get(calling.peek());
        Set<String> locals = new java.util.HashSet<>(l.localNames(outer.body()));
        locals.removeAll(scopes.declaredIn(outer.body())); // its `global` names are the script's
        for (Ast.Param p : outer.params()) locals.add(p.name());
        return locals;
    }

    /** The named dimensions the arguments bind, in binding order (for messages); null after an E0209 if they do not fit the signature. */
    Map<String, Integer> bind(Ast.FnDef f, List<? extends Val> args, Span at) {
        Map<String, Integer> dims = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            if (f.params().get(i).kind() != null || !(args.get(i) instanceof T arg)) continue; // a scalar, list or function parameter
            if (!Signatures.matches(f.params().get(i).shape(), arg.shape(), dims)) {
                l.diags.error("E0209", at, "argument `" + f.params().get(i).name() + "` of `" + Definitions.shown(f.name()) + "` has shape " + Shapes.show(arg.shape())
                        + ", but the signature says " + Signatures.show(f.params().get(i).shape()) + Signatures.bindings(dims), null);
                return null;
            }
        }
        return dims;
    }

    // ---- functions of the IR ------------------------------------------------------------------------

    /** How calls are compiled: the default, or (for tests, {@code -Dtx.inline=always|never}) one way for every call. */
    enum Inlining { AUTO, ALWAYS, NEVER }

    private Inlining inlining = Inlining.valueOf(System.getProperty("tx.inline", "auto").toUpperCase(java.util.Locale.ROOT));

    /**
     * A body whose inlined size (equations, counting what its calls would inline) is at most this
     * is copied into its callers: a call would cost more than it saves, and the simplifier then
     * sees across it. NOTE: the size counts each call at its callee's inlined size, so a deep call
     * tree whose leaves are small still becomes calls above the level where copies would add up.
     */
    static final int INLINE_SIZE = 48;

    /** Every call copies its function's body: the emitters, which write straight-line code, ask for this. */
    void inlineAll() {
        inlining = Inlining.ALWAYS;
    }

    /**
     * A function lowered once for one signature of its calls: the IR function, what its results are
     * (requires grad, grad_fn), and its inlined size; or (fn null) a function that has to be inlined.
     */
    record Lowered(tx.runtime.ir.Func fn, List<T> results, long size) {}

    static final Lowered INLINE_ONLY = new Lowered(null, List.of(), 0);

    final Map<List<Object>, Lowered> lowered = new HashMap<>();
    private final Map<tx.runtime.ir.Func, Long> sizes = new java.util.IdentityHashMap<>();

    /**
     * A call of a user function: a call of its IR function, lowered once per signature, or its body
     * inlined where that pays (a small body), where it must (a body with effects: printing, a
     * backward, a {@code .grad}; one that returns an argument or makes a leaf), or where the
     * lowering is exploring (a loop's fixpoint, with diagnostics muted; a checkpoint block).
     */
    private Val call(String name, List<Val> vals, Span at) {
        Ast.FnDef f = defs.get(name);
        // NOTE: an argument whose size is known only at run time is always inlined: a function of
        // the IR is lowered for its parameters' shapes, and such a size is a value of the caller.
        // So is every call made after an error: a body lowered then is not whole (a loop is not
        // built once the program cannot run), and the error may yet be dropped (an enclosing
        // function that reads a script name is lowered again, inlined), so it must not be cached.
        if (vals.stream().anyMatch(RunTimeSizes::sized) || inlining == Inlining.ALWAYS || calling.contains(name) || l.diags.isMuted()
                || l.diags.hasErrors() || l.graph.checkpointing() || !mutations.callable(f)) {
            return inline(name, vals, at);
        }
        List<T> args = new ArrayList<>();
        for (Val v : vals) args.add((T) v);
        if (bind(f, args, at) == null) return new Val.Bad();
        List<Object> key = signature(name, args);
        Lowered fn = lowered.get(key);
        if (fn == null) {
            fn = lowerFunction(f, args, at);
            lowered.put(key, fn);
        }
        if (fn.fn() == null || inlining == Inlining.AUTO && fn.size() <= INLINE_SIZE) return inline(name, args, at);
        return emitCall(fn, args);
    }

    /** The call of a lowered function, and its results as the caller sees them. */
    Val emitCall(Lowered fn, List<T> args) {
        List<Var> in = new ArrayList<>();
        for (T t : args) in.add(t.var());
        tx.runtime.ir.Stmt.Call c = l.b.call(fn.fn(), in); // its outputs are named as the caller names the value
        List<Boolean> rg = new ArrayList<>();
        List<Val> results = new ArrayList<>();
        for (int k = 0; k < c.outs().size(); k++) {
            T r = fn.results().get(k);
            rg.add(r.rg());
            results.add(r.item() ? T.scalar(c.outs().get(k), r.py()) : new T(c.outs().get(k), r.rg(), -1, r.gradFn(), false, false));
        }
        l.graph.called(c, rg);
        return results.size() == 1 ? results.get(0) : new Val.Tuple(results);
    }

    /** What a body's lowering depends on: the function, each argument's shape and autograd facts, and the grad mode. */
    List<Object> signature(String name, List<T> args) {
        List<Object> key = new ArrayList<>();
        key.add(name);
        for (T t : args) key.add(Arrays.toString(t.shape()) + " " + t.dtype().text() + (t.rg() ? " rg" : "") + " leaf " + t.leaf() + (t.item() ? " item" : ""));
        key.add(l.graph.noGrad());
        key.add(transformDepth > 0);
        return key;
    }

    /**
     * Lowers a function's body once, on parameters of the arguments' shapes and autograd facts,
     * into a block of its own. If the body turns out to have effects, return an argument, make a
     * leaf, or fail to check (say it needs a number that only an inlined argument would give), the
     * block and its diagnostics are dropped and the calls inline it instead.
     */
    private Lowered lowerFunction(Ast.FnDef f, List<T> args, Span at) {
        return lowerFunction(f, args, at, false);
    }

    /**
     * As above; {@code derivative}: a custom derivative, which may hand an argument back as it is
     * (a pass-through rule returns the output's adjoint), since nothing reads it as the caller's tensor.
     */
    Lowered lowerFunction(Ast.FnDef f, List<T> args, Span at, boolean derivative) {
        int mark = l.diags.mark(), errors = l.diags.errorCount();
        boolean backwardFailed = l.backwardFailed; // a backward that fails in a body whose diagnostics are dropped silences nothing after
        Object streams = l.random.mark();
        State caller = l.state;
        State body = new State();
        body.grads.putAll(caller.grads);
        Map<String, Integer> dims = bind(f, args, at);
        for (Map.Entry<String, Integer> d : dims.entrySet()) body.bind(d.getKey(), new Val.Num(d.getValue()));
        List<Var> params = new ArrayList<>();
        l.b.openBlock();
        String oldName = l.b.named(null);
        calling.push(f.name());
        State oldGlobals = globals;
        globals = new State(); // a function of the IR reads no script names: one that does is inlined
        Val result;
        try {
            for (int i = 0; i < args.size(); i++) {
                T a = args.get(i);
                Var p = l.b.newVar(a.shape(), f.params().get(i).name(), a.dtype());
                l.graph.setRequiresGrad(p, a.rg());
                params.add(p);
                body.bind(f.params().get(i).name(), new T(p, a.rg(), a.leaf(), a.gradFn(), a.item(), false));
            }
            l.state = body;
            result = checkReturn(f, lowerBody(f), dims, at);
        } catch (tx.runtime.ir.CompileLimit x) {
            x.inlining(f.name(), at.origin());
            throw x;
        } finally {
            calling.pop();
            globals = oldGlobals;
            l.b.named(oldName);
            l.state = caller;
        }
        boolean draws = l.random.drewSince(streams); // a call draws anew (PyTorch's generator moves on): inlined at each call
        l.random.reset(streams);
        List<tx.runtime.ir.Stmt> stmts = l.b.closeBlock();
        List<T> results = new ArrayList<>();
        for (Val v : result instanceof Val.Tuple t ? t.items() : List.of(result)) if (v instanceof T r) results.add(r);
        boolean tensors = results.size() == (result instanceof Val.Tuple t ? t.items().size() : 1);
        if (l.diags.errorCount() != errors || results.isEmpty() || !tensors || draws || !pure(stmts, derivative ? List.of() : params, results)) {
            l.diags.dropSince(mark);
            l.backwardFailed = backwardFailed;
            return INLINE_ONLY;
        }
        List<Var> out = new ArrayList<>();
        for (T r : results) out.add(r.var());
        tx.runtime.ir.Func fn = new tx.runtime.ir.Func(f.name(), params, stmts, out);
        long size = size(stmts);
        sizes.put(fn, size);
        return new Lowered(fn, results, size);
    }

    /** Whether a lowered body can be a function: no effects, no leaves made in it, no argument handed back as a result. */
    private boolean pure(List<tx.runtime.ir.Stmt> stmts, List<Var> params, List<T> results) {
        if (tx.runtime.ir.Blocks.hasEffects(stmts)) return false;
        for (T r : results) if (params.contains(r.var()) || r.leaf() >= 0) return false;
        for (Var v : tx.runtime.ir.Blocks.defined(stmts)) if (l.graph.leafOf(v) >= 0) return false;
        return true;
    }

    /**
     * The equations a block would have with every call in it inlined. NOTE: saturated at
     * Long.MAX_VALUE, since a call tree of 63 levels that double would overflow a long, and a
     * wrapped size would look small enough to inline.
     */
    private long size(List<tx.runtime.ir.Stmt> stmts) {
        long n = 0;
        for (tx.runtime.ir.Stmt s : stmts) {
            long k = 1;
            if (s instanceof tx.runtime.ir.Stmt.Call c) k = sizes.getOrDefault(c.fn(), 1L);
            else if (s instanceof tx.runtime.ir.Stmt.Loop lp) k = size(lp.body());
            else if (s instanceof tx.runtime.ir.Stmt.Cond c) k = saturated(size(c.then()), size(c.otherwise()));
            else if (!(s instanceof tx.runtime.ir.Stmt.Eqn)) k = 0;
            n = saturated(n, k);
        }
        return n;
    }

    private static long saturated(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** Every statement but a final `return`, then the returned value(s). */
    private Val lowerBody(Ast.FnDef f) {
        List<Ast.Stmt> body = f.body();
        Ast.Stmt last = body.isEmpty() ? null : body.get(body.size() - 1);
        if (!(last instanceof Ast.Return) && f.returns().isEmpty()) { // Python: a function without `return` returns None
            l.block(body);
            return new Val.None("`" + Definitions.shown(f.name()) + "` returns None");
        }
        if (!(last instanceof Ast.Return ret)) {
            l.diags.error("E0108", l.headSpan(f.span()), "function `" + Definitions.shown(f.name()) + "` does not end with `return`",
                    "its signature declares a result, so its last statement must be `return value` (or `return a, b`)");
            return new Val.Bad();
        }
        l.block(body.subList(0, body.size() - 1));
        List<Val> values = new ArrayList<>();
        for (Ast.Expr e : ret.values()) values.add(l.exprs.expr(e));
        if (values.isEmpty()) {
            l.diags.error("E0108", ret.span(), "`return` needs a value: functions return tensors", null);
            return new Val.Bad();
        }
        if (values.size() == 1 && values.get(0) instanceof Val.ListV t && t.tuple()) return new Val.Tuple(t.items()); // `return (a, b)`
        return values.size() == 1 ? values.get(0) : new Val.Tuple(values);
    }

    /** The returned values must be tensors, of the declared shapes where they are written. */
    private Val checkReturn(Ast.FnDef f, Val result, Map<String, Integer> dims, Span at) {
        if (result instanceof Val.Bad || result instanceof Val.None) return result;
        List<Val> values = result instanceof Val.Tuple t ? t.items() : List.of(result);
        List<Val> checked = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            Val v = values.get(i);
            if (f.returns().isEmpty() && (v instanceof Val.Num || v instanceof Val.Str || v instanceof Val.Bool || v instanceof Val.None || v instanceof Val.ListV
                    || v instanceof Val.Fn || v instanceof Val.DictV || v instanceof Val.SetV)) { // a Python value, inlined
                checked.add(v);
                continue;
            }
            T t = l.exprs.tensor(v, at, "a value returned by `" + Definitions.shown(f.name()) + "`");
            if (t == null) return new Val.Bad();
            if (!f.returns().isEmpty()) {
                if (f.returns().size() != values.size()) {
                    l.diags.error("E0209", l.headSpan(f.span()), "`" + Definitions.shown(f.name()) + "` returns " + values.size() + " values, but its signature declares "
                            + f.returns().size(), null);
                    return new Val.Bad();
                }
                if (!Signatures.matches(f.returns().get(i), t.shape(), dims)) {
                    l.diags.error("E0209", l.headSpan(f.span()), "`" + Definitions.shown(f.name()) + "` returns shape " + Shapes.show(t.shape()) + " where its signature says "
                            + Signatures.show(f.returns().get(i)) + Signatures.bindings(dims), null);
                    return new Val.Bad();
                }
            }
            // a Python number stays one (PyTorch's `return l.sum().item()`), of its Python type
            checked.add(t.item() ? T.scalar(t.var(), t.py()) : t);
        }
        return checked.size() == 1 ? checked.get(0) : new Val.Tuple(checked);
    }

    // ---- transforms, applied ----------------------------------------------------------------------------

    /**
     * Applies grad, value_and_grad or vjp. The {@code wrt} arguments are copied into fresh
     * variables that are leaves for this differentiation only; the function is applied to them;
     * the reverse pass returns their adjoints. Outside any other transform the results do not
     * require grad (as torch.autograd.grad without create_graph).
     */
    private Val applyTransform(Val.Transform t, List<T> args, Args a) {
        if (t.kind().equals("jvp") || t.kind().equals("hvp")) return mapped.jvp(t, args, a);
        if (MappedTransforms.JACOBIANS.contains(t.kind())) return mapped.jacobian(t, args, a);
        if (t.kind().equals("vmap")) return mapped.vmap(t, args, a);
        boolean vjp = t.kind().equals("vjp");
        List<T> inputs = vjp ? args.subList(0, args.size() - 1) : args;
        List<T> params = new ArrayList<>(inputs);
        Map<Integer, Var> leafOfParam = new LinkedHashMap<>();
        Set<Integer> wanted = new LinkedHashSet<>();
        for (int k : t.wrt()) {
            if (leafOfParam.containsKey(k)) continue;
            T x = inputs.get(k);
            String oldName = l.b.named(parameters(t).get(k));
            Var copy = l.b.copy(x.var()); // a differentiable copy, named as the parameter
            l.b.named(oldName);
            int id = nextLeaf++;
            l.graph.markLeaf(copy, id);
            leafOfParam.put(k, copy);
            wanted.add(id);
            // a leaf for the AD pass only: to the script it is a computed tensor, with no .grad of its own
            params.set(k, new T(copy, true, -1, "CloneBackward0", false, false));
        }
        transformDepth++;
        try {
            Args inner = new Args(l, t.of().show(), a.call);
            for (T p : params) {
                inner.pos.add(p);
                inner.posSpans.add(a.span());
            }
            Val out = apply(t.of(), inner);
            if (!(out instanceof T y)) return out instanceof Val.Bad ? out : notOneOutput(t, a);
            Var seed = seed(t, y, vjp ? args.get(args.size() - 1) : null, a);
            if (seed == null) return new Val.Bad();
            List<Val> grads = differentiate(t, y, seed, leafOfParam, wanted, a);
            if (grads == null) return new Val.Bad();
            List<Val> results = new ArrayList<>();
            if (t.kind().equals("value_and_grad")) results.add(finish(y));
            for (Val g : grads) results.add(finish((T) g));
            return results.size() == 1 ? results.get(0) : new Val.Tuple(results);
        } finally {
            transformDepth--;
            for (Var p : leafOfParam.values()) l.graph.unmarkLeaf(p);
        }
    }

    /** The output's gradient: 1 for grad (which needs a scalar: E0301), the given cotangent for vjp. */
    private Var seed(Val.Transform t, T y, T cotangent, Args a) {
        if (cotangent != null) {
            if (!Arrays.equals(cotangent.shape(), y.shape())) {
                l.diags.error("E0201", a.span(), "the cotangent has shape " + Shapes.show(cotangent.shape()) + " but `" + t.of().show() + "` returns shape "
                        + Shapes.show(y.shape()), "they must have the same shape");
                return null;
            }
            return cotangent.var();
        }
        if (Shapes.symbolic(y.shape()) || Shapes.numel(y.shape()) != 1) { // a size known only at run time: not known to be one element
            l.diags.error("E0301", a.span(), "grad can be implicitly created only for scalar outputs: `" + t.of().show() + "` returns shape "
                    + Shapes.show(y.shape()), "reduce its result to a scalar, or use `vjp(" + t.of().show() + ")` with an output gradient");
            return null;
        }
        return l.b.fill(y.shape(), 1.0);
    }

    private List<Val> differentiate(Val.Transform t, T y, Var seed, Map<Integer, Var> leafOfParam, Set<Integer> wanted, Args a) {
        Map<Integer, Var> byLeaf = Map.of();
        if (y.rg()) {
            Reverse.Result r = Reverse.transform(l.b, l.graph, y.var(), seed, wanted);
            if (r.blockedAt() != null && Reverse.NOT_BUILT.equals(r.blockedWhy()) && l.diags.hasErrors()) return null; // reported already
            if (r.blockedAt() != null) {
                String help = l.graph.barrierHelp(r.blockedAt());
                l.diags.error("E0306", a.span(), "this derivative would have to differentiate through " + r.blockedWhy(), help != null ? help
                        : "tx cannot differentiate this again yet");
                return null;
            }
            byLeaf = r.leafAdjoints();
        }
        List<Val> out = new ArrayList<>();
        for (int k : t.wrt()) {
            Var p = leafOfParam.get(k);
            Var g = byLeaf.get(l.graph.leafOf(p));
            if (g == null) { // activity analysis found no path from this parameter to the output
                g = l.b.fill(p.shapeRef(), 0.0);
                unused(t, k, a.span());
            }
            out.add(l.exprs.result(g, "MulBackward0"));
        }
        return out;
    }

    /** W0111: a gradient that is structurally zero, because the parameter never reaches the output. */
    private void unused(Val.Transform t, int k, Span at) {
        String name = parameters(t).get(k);
        l.diags.warning("W0111", at, "`" + name + "` never affects the result of `" + t.show() + "`: its gradient is zero everywhere",
                "activity analysis found no path from it to the output; is it meant to be used?");
    }

    /** At the outermost transform, results are plain values; inside another transform they stay differentiable. */
    T finish(T v) {
        if (transformDepth > 1) return v;
        return new T(l.b.stopGrad(v.var()), false, -1, null, false, false);
    }

    Val notOneOutput(Val.Transform t, Args a) {
        l.diags.error("E0301", a.span(), "`" + t.kind() + "` needs a function with one output; `" + t.of().show() + "` returns several", null);
        return new Val.Bad();
    }
}
