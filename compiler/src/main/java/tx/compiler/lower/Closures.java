package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Lambdas and functions defined inside functions (LANGUAGE.md §7, v2): d2l's
 * {@code net = lambda X: linreg(X, w, b)} written in {@code train}, reading train's w and b. Such a
 * function is a function of the file under a key no program spells ({@code <lambda>#3:11},
 * {@code inner#5:5}), and its value remembers the activation that made it: the script (0) or a
 * call being inlined. As Python's closures capture variables, not values, a call reads that
 * activation's names as they are at the call: its current state while it runs (a training loop
 * that updated w in place gives the new w), the state it was in when it made the call under way
 * otherwise, and, once it has returned, the state it returned in.
 *
 * <p>A lambda made by the script reads the script's names, as a file's function does. A closure
 * is inlined at every call, and a function that makes one is never compiled once.
 */
final class Closures {
    private final Lowerer l;
    private final Functions functions;

    /** The activation running now (0: the script). */
    private int current;
    private int next = 1;

    /**
     * An activation's names as another one may read or assign them: its state, and how many IR
     * blocks were open while that state was its own (a loop body or a branch opened since runs
     * on copies of the state, which a write into this one would bypass).
     */
    private record Live(State state, int depth) {}

    /**
     * The activations under way below the current one, innermost first: each one's id, its state
     * when it made the call, and the call's closure (its body and maker's names; null otherwise).
     */
    private final Deque<Object[]> callers = new ArrayDeque<>();

    /** The activations that made a closure, and the state each returned in, once it has. */
    private final Set<Integer> makers = new HashSet<>();
    private final Map<Integer, Live> returned = new HashMap<>();

    /** Python's `nonlocal`, checked for the file. */
    final Nonlocals nonlocals;

    Closures(Lowerer l, Functions functions) {
        this.l = l;
        this.functions = functions;
        this.nonlocals = new Nonlocals(l);
    }

    /**
     * A call of {@code f} is inlined, made from {@code caller} (the current activation's state);
     * {@code scope}: for a closure, its maker's names (null otherwise). Returns its activation's id.
     */
    int enter(State caller, Ast.FnDef f, State scope) {
        callers.push(new Object[] {current, new Live(caller, l.b.depth()), scope == null ? null : new Object[] {f, scope}});
        current = next++;
        return current;
    }

    /**
     * The call's activation returns in {@code state}: a closure's `nonlocal` names go back to its
     * maker's names, as Python's cells would hold them.
     */
    void leave(int frame, State state, Span at) {
        if (makers.contains(frame)) returned.put(frame, new Live(state, l.b.depth()));
        Object[] call = callers.pop();
        current = (Integer) call[0];
        if (call[2] instanceof Object[] closure) handBack((Ast.FnDef) closure[0], state, (State) closure[1], (Live) call[1], at);
    }

    /** A closure's assignments to its maker's names (`nonlocal`), into the maker's state; E0126 where tx cannot follow them. */
    private void handBack(Ast.FnDef f, State body, State maker, Live caller, Span at) {
        Set<String> names = nonlocalsOf(f);
        if (names.isEmpty()) return;
        Live live = maker == caller.state() ? null : liveOf(maker);
        for (String n : names) {
            Val v = body.names.get(n);
            if (v == null || body.maybeUnassigned.containsKey(n) || v == maker.names.get(n)) continue;
            if (live != null && l.b.depth() > live.depth()) {
                l.diags.error("E0126", at, "`" + Definitions.shown(f.name()) + "` assigns `" + n + "` of the function that made it (`nonlocal`), here in a loop "
                        + "or a branch outside that function", "tx follows a maker's names through the maker's own loops and branches only: call `"
                        + Definitions.shown(f.name()) + "` there, or have it return the new value and assign that here");
                return;
            }
            if (functions.transformDepth > 0 && !(v instanceof Val.Num || v instanceof Val.Str || v instanceof Val.Bool || v instanceof Val.None)) {
                l.diags.error("E0122", at, "`" + Definitions.shown(f.name()) + "` assigns its maker's `" + n + "` " + v.describe() + " inside a derivative transform",
                        "a transform's values stay inside it: return the value from the function instead, or assign a Python number");
                maker.bind(n, new Val.Bad()); // reported: its reads say nothing more
                continue;
            }
            maker.bind(n, v);
            maker.unboundLocals.remove(n);
        }
    }

    /**
     * The closure being inlined, innermost first, whose maker is not the activation that called
     * it (the maker has returned, or called a function that calls the closure) and whose maker's
     * names hold {@code held}: a change to it would reach the maker's names only through the
     * calls in between, which tx does not follow (E0126); null when there is none.
     */
    String changesDistantMaker(java.util.function.Predicate<State> held) {
        for (Object[] c : callers) {
            if (c[2] instanceof Object[] closure && closure[1] != ((Live) c[1]).state() && held.test((State) closure[1])) {
                return Definitions.shown(((Ast.FnDef) closure[0]).name());
            }
        }
        return null;
    }

    /** Where a maker's state was its own: an activation under way, or one that has returned. */
    private Live liveOf(State maker) {
        for (Object[] c : callers) if (((Live) c[1]).state() == maker) return (Live) c[1];
        for (Live r : returned.values()) if (r.state() == maker) return r;
        return new Live(maker, Integer.MAX_VALUE);
    }

    private final Map<List<Ast.Stmt>, Set<String>> nonlocalNames = new java.util.IdentityHashMap<>();

    private Set<String> nonlocalsOf(Ast.FnDef f) {
        return nonlocalNames.computeIfAbsent(f.body(), Nonlocals::declared);
    }

    /** How many lambdas with defaults were made: each gets a function of its own, holding its defaults' values. */
    private int made;

    /** The defaults of the lambdas made so far, by the expression their parameter holds for it (by identity). */
    private final Map<Ast.Expr, Val> held = new java.util.IdentityHashMap<>();

    /**
     * {@code lambda x, k=2, *args: body}: a function value over the current activation's names.
     * As in Python, the defaults are evaluated here, where the lambda is made ({@code lambda x, k=k:}
     * keeps this k), so a lambda with defaults is a function of its own each time it is made.
     */
    Val lambda(Ast.Lambda lam) {
        if (!LambdaParams.fit(l, lam)) return new Val.Bad();
        boolean defaults = lam.defaults().stream().anyMatch(java.util.Objects::nonNull);
        String key = "<lambda>#" + lam.span().line() + ":" + lam.span().col() + (defaults ? "@" + made++ : "");
        if (!functions.has(key)) {
            List<Ast.Param> params = new ArrayList<>();
            for (int i = 0; i < lam.params().size(); i++) {
                Ast.Expr d = lam.defaults().get(i);
                Ast.Expr hold = null;
                if (d != null) {
                    Val v = l.exprs.expr(d);
                    if (v instanceof Val.Bad) return v;
                    hold = new Ast.Name("$default", d.span());
                    held.put(hold, v);
                }
                String kind = i == lam.star() ? Parameters.STAR : i == lam.kwargs() ? Parameters.KWARGS : Parameters.ANY;
                params.add(new Ast.Param(lam.params().get(i), List.of(), kind, hold, lam.paramSpans().get(i)));
            }
            Ast.Stmt ret = new Ast.Return(List.of(lam.body()), lam.body().span());
            functions.defs.put(key, new Ast.FnDef(key, params, List.of(), List.of(ret), lam.span()));
        }
        makers.add(current);
        return new Val.Fn(new Val.UserFn(key, current));
    }

    /** A lambda's default, as it was when the lambda was made; null for any other default (evaluated at the call). */
    Val held(Ast.Expr dflt) {
        return held.get(dflt);
    }

    /**
     * A function value a transform can take: a built-in ({@code grad(tanh)}) becomes the function
     * {@code fn tanh(input) { return torch.tanh(input) }} of one tensor of any shape (made once per
     * built-in, under a name a program cannot spell, always inlined); any other function is itself.
     */
    Val.Fn transformable(Val.Fn fn, Span where) {
        if (!(fn.ref() instanceof Val.BuiltinFn bi)) return fn;
        String name = "$" + bi.name();
        functions.defs.computeIfAbsent(name, k -> {
            Span at = where; // where the built-in was named: a misuse (`grad(dot)`: dot takes two tensors) is reported there
            Ast.Expr call = new Ast.Call(new Ast.Attr(new Ast.Name("torch", at), bi.name(), at, at),
                    List.of(new Ast.Arg(null, new Ast.Name("input", at), at)), at);
            return new Ast.FnDef(name, List.of(new Ast.Param("input", List.of(), Parameters.ANY_TENSOR, null, at)), List.of(),
                    List.of(new Ast.Return(List.of(call), at)), at);
        });
        return new Val.Fn(new Val.UserFn(name));
    }

    /**
     * A `fn` statement of the script is reached: as in Python, its defaults that are Python values
     * (a number, a string, a bool, None) are evaluated now, not at each call, so
     * {@code fn f(k: float = y)} keeps y as it was here. A default of another kind (a tensor, which
     * a function of the IR could not read from the script) is still evaluated at the call.
     */
    void holdDefaults(Ast.FnDef f) {
        for (Ast.Param p : f.params()) {
            if (p.dflt() == null || p.dflt() instanceof Ast.Num || p.dflt() instanceof Ast.Str) continue;
            int mark = l.diags.mark();
            l.diags.mute();
            Val v;
            try {
                v = l.exprs.expr(p.dflt());
            } finally {
                l.diags.unmute();
            }
            l.diags.dropSince(mark);
            if (v instanceof Val.Num || v instanceof Val.Str || v instanceof Val.Bool || v instanceof Val.None) held.put(p.dflt(), v);
        }
    }

    /**
     * The arguments of a call of a function with {@code *args}: the positional ones beyond the
     * parameters before it, as a tuple under its name (empty when there are none), as Python packs them;
     * null after E0104 for a positional argument given to a bare {@code *}.
     */
    Args packStar(Val.FnRef ref, List<String> params, Args a) {
        Ast.FnDef f = ref instanceof Val.UserFn u ? functions.defs.get(u.name()) : null;
        int star = f == null ? -1 : LambdaParams.star(f);
        if (f == null && !(ref instanceof Val.BuiltinFn) && (LambdaParams.star(functions.base(ref)) >= 0 || LambdaParams.kwargs(functions.base(ref)) >= 0)) { // grad(f) of `fn f(*xs)`
            l.diags.error("E0104", a.span(), "`" + ref.show() + "`: a transform takes a function of named tensors, not one with `*args`, `*` or `**kwargs`",
                    "give the function a parameter for each tensor, or a list parameter (`xs: list`) and differentiate a function of its items");
            Args bad = new Args(l, a.fn, a.call);
            for (Span s : a.posSpans) {
                bad.pos.add(new Val.Bad());
                bad.posSpans.add(s);
            }
            return bad;
        }
        if (star < 0) return a;
        if (params.get(star).equals(Ast.Param.BARE) && a.pos.size() > star) { // `fn f(x: [3], *, k: float)`: Python's TypeError
            l.diags.error("E0104", a.posSpans.get(star), "`" + ref.show() + "` takes " + star + " positional argument" + (star == 1 ? "" : "s") + ", got " + a.pos.size(),
                    "the parameters after its bare `*` are keyword-only: give them by name" + (star + 1 < params.size() ? ", `" + params.get(star + 1) + "=...`" : ""));
            return null;
        }
        Args out = new Args(l, a.fn, a.call);
        List<Val> rest = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < a.pos.size(); i++) {
            if (i < star) {
                out.pos.add(a.pos.get(i));
                out.posSpans.add(a.posSpans.get(i));
            } else {
                rest.add(a.pos.get(i));
                spans.add(a.posSpans.get(i));
            }
        }
        out.kw.putAll(a.kw);
        out.kwSpans.putAll(a.kwSpans);
        if (!out.kw.containsKey(params.get(star))) { // given by name: E0104 at the call, as Python's TypeError
            out.kw.put(params.get(star), new Val.ListV(rest, spans, true));
            out.kwSpans.put(params.get(star), a.span());
        } else {
            l.diags.error("E0104", a.kwSpans.get(params.get(star)), "`" + ref.show() + "` collects its positional arguments in `*" + params.get(star)
                    + "`, which takes no keyword argument", null);
            out.kw.put(params.get(star), new Val.Bad());
        }
        return out;
    }

    /**
     * {@code fn inner(...) { ... }} inside a function: binds the local name to a closure. As in
     * Python, its defaults are evaluated here, where the statement runs, so a function with
     * defaults is a function of its own each time its statement runs (see {@link #lambda}).
     */
    void define(Ast.FnDef f) {
        boolean defaults = f.params().stream().anyMatch(p -> p.dflt() != null);
        String key = f.name() + "#" + f.span().line() + ":" + f.span().col() + (defaults ? "@" + made++ : "");
        if (!functions.has(key)) {
            if (kindsChecked.add(f)) Parameters.checkKinds(l, f);
            List<Ast.Param> params = new ArrayList<>();
            for (Ast.Param p : f.params()) {
                if (p.dflt() == null) {
                    params.add(p);
                    continue;
                }
                Val v = l.exprs.expr(p.dflt());
                Ast.Expr hold = new Ast.Name("$default", p.dflt().span());
                held.put(hold, v);
                params.add(new Ast.Param(p.name(), p.shape(), p.kind(), hold, p.span()));
            }
            functions.defs.put(key, new Ast.FnDef(key, params, f.returns(), f.body(), f.span()));
        }
        makers.add(current);
        l.state.bind(f.name(), new Val.Fn(new Val.UserFn(key, current)));
    }

    /** The nested functions whose parameter types were checked (once, however often their statement runs). */
    private final Set<Ast.FnDef> kindsChecked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** The names a closure reads: its maker's, as they are now. */
    State scope(Val.UserFn u) {
        if (u.frame() == current) return l.state;
        for (Object[] c : callers) if ((Integer) c[0] == u.frame()) return ((Live) c[1]).state();
        return returned.get(u.frame()).state();
    }

    private final Map<Ast.FnDef, Boolean> makes = new java.util.IdentityHashMap<>();

    /** Whether a body makes closures (a lambda, a nested `fn`): such a function is inlined at each call, never compiled once. Found once per function. */
    boolean makesClosures(Ast.FnDef f) {
        return makes.computeIfAbsent(f, k -> BodyReads.makesClosures(k.body()));
    }
}
