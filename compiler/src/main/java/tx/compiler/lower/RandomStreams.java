package tx.compiler.lower;

import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

/**
 * PyTorch's global generator as a value of the program (LANGUAGE.md §5): its state is a hidden
 * name, {@link #NAME}, that every random call without {@code seed=} reads and assigns, the way a
 * program would thread JAX's keys by hand. A draw is two equations of that state, its numbers
 * ({@code GEN_DRAW}) and the state after them ({@code GEN_NEXT}), so the numbers are PyTorch's for
 * the same seed and the same calls in the same order, and every pass (simplification, the
 * reversal of a loop, a recomputation under {@code checkpoint}) keeps them, being pure.
 *
 * <p>The state is an ordinary name to the lowering: a loop whose body draws carries it, both
 * branches of an {@code if} give theirs and the {@code if} picks one, a function inlined at its
 * call takes the caller's and gives back its own. {@link #statement} tells the name analyses which
 * statements assign it. Before any {@code manual_seed}, the state is PyTorch's default generator's
 * (seed 67280421310721). {@code seed=k}, tx's own keyword, draws from a fresh generator seeded
 * with k and leaves the global one alone, as {@code generator=torch.Generator().manual_seed(k)}.
 * A {@code torch.Generator()} is a value ({@link Val.Gen}) whose state is a hidden name of its own,
 * threaded as the global one's; {@code generator=g} draws from it.
 */
final class RandomStreams {
    /** The hidden name that holds the state. */
    static final String NAME = "$generator";

    /** PyTorch's default CPU generator's seed (c10's default_rng_seed_val). */
    static final long DEFAULT_SEED = 67280421310721L;

    /** The calls that take numbers from the global generator (or reseed it), by their last name: `torch.randn`, `F.dropout`. */
    private static final Set<String> DRAWING = Set.of("rand", "randn", "randint", "randperm", "rand_like", "randn_like", "dropout", "manual_seed", "multinomial", "normal", "uniform_", "normal_");

    private final Lowerer l;
    /** Draws and reseedings so far: a body that takes any cannot be a function of the IR (see {@link #mark}). */
    private long taken;

    RandomStreams(Lowerer l) {
        this.l = l;
    }

    /**
     * Adds to {@code out} the generators' states the statement assigns: {@link #NAME} for a call that
     * draws from the global generator; {@link #EVERY} for {@code generator=g} or {@code g.manual_seed(k)}.
     */
    void statement(Ast.Stmt s, Set<String> out) {
        BodyReads.calls(s, c -> {
            String name = c.callee() instanceof Ast.Name n ? n.name() : c.callee() instanceof Ast.Attr a ? a.name() : null;
            if (name == null) return;
            if (c.callee() instanceof Ast.Attr a && name.equals("manual_seed") && !(a.target() instanceof Ast.Name t && t.name().equals("torch"))) {
                out.add(EVERY);
                return;
            }
            if (!DRAWING.contains(name)) return;
            for (Ast.Arg arg : c.args()) {
                if ("seed".equals(arg.name())) return;
                if ("generator".equals(arg.name())) {
                    out.add(EVERY);
                    return;
                }
            }
            out.add(NAME);
        });
    }

    /**
     * Stands for every Generator's state in what a body assigns: a call with {@code generator=g} or
     * {@code g.manual_seed(k)} may change any of them (g may be a parameter), and the name analyses
     * remember a body's names from before its Generators were made, so {@link #expand} reads it
     * when they are asked.
     */
    static final String EVERY = NAME + "#*";

    /** The names with {@link #EVERY} replaced by the hidden names of the Generators that exist now. */
    Set<String> expand(Set<String> names) {
        if (!names.contains(EVERY)) return names;
        Set<String> out = new java.util.LinkedHashSet<>(names);
        out.remove(EVERY);
        for (String n : l.state.names.keySet()) if (n.startsWith(NAME + "#")) out.add(n);
        return out;
    }

    /** The Generators made so far. */
    private int made;

    /** The global generator's state now, made (PyTorch's default) if nothing has drawn yet. */
    Var state() {
        return state(NAME);
    }

    private Var state(String name) {
        if (l.state.names.get(name) instanceof T t) return t.var();
        Var v = l.b.emit(Prim.GEN_SEED, DEFAULT_SEED);
        l.state.names.put(name, generator(v));
        return v;
    }

    /** {@code torch.Generator(device="cpu")}: a new generator, seeded as PyTorch seeds one (67280421310721). */
    Val newGenerator(Args a) {
        if (!a.shape(0, 1, "device")) return null;
        Val device = a.get(0, "device");
        if (device != null && !(device instanceof Val.Str d && d.value().equals("cpu"))) {
            l.diags.error("E0104", a.spanOf(0, "device"), "tx's generators are CPU generators: `device` must be \"cpu\"", null);
            return null;
        }
        String name = NAME + "#" + made++;
        l.state.names.put(name, generator(l.b.emit(Prim.GEN_SEED, DEFAULT_SEED)));
        return new Val.Gen(name);
    }

    /** A Generator's method: {@code g.manual_seed(k)} reseeds it and returns it, as PyTorch's. */
    Val method(Val.Gen g, String name, Ast.Call c) {
        Args a = Args.evaluated(l, name, c);
        if (!name.equals("manual_seed")) {
            l.diags.error("E0103", c.span(), "a torch.Generator has no method `" + name + "` in tx", "tx's generators take `manual_seed(k)`");
            return new Val.Bad();
        }
        Val seeded = seed(a);
        if (seeded instanceof Val.Bad) return seeded;
        taken++;
        l.state.names.put(g.name(), seeded);
        return g;
    }

    /**
     * {@code manual_seed(k)}'s new state, a whole number k or a Python int known only at run time;
     * E0104 for another value.
     */
    Val seed(Args a) {
        if (!a.shape(1, 1, "seed")) return new Val.Bad();
        if (a.get(0, "seed") instanceof T t && t.item() && t.dtype() == DType.INT64 && t.shape().length == 0) {
            return generator(l.b.emit(Prim.GEN_SEED, null, t.var())); // a loop's counter
        }
        double k = a.number(0, "seed", 0);
        if (a.failed) return new Val.Bad();
        if (k != Math.rint(k) || Math.abs(k) > 0x1p63) {
            l.diags.error("E0104", a.spanOf(0, "seed"), "`manual_seed` takes a whole number, found " + tx.runtime.tensor.PyFloat.repr(k), null);
            return new Val.Bad();
        }
        return generator(l.b.emit(Prim.GEN_SEED, (long) k));
    }

    /** Makes the state exist before a statement that may assign it (a loop carries it, an `if` picks one). */
    void before(Ast.Stmt s) {
        if (!l.state.names.containsKey(NAME) && l.assignedNames(List.of(s)).contains(NAME)) state();
    }

    /** The generators' states go from one scope to another (a call and its caller), those that exist. */
    static void pass(State from, State to) {
        for (java.util.Map.Entry<String, Val> e : from.names.entrySet()) if (e.getKey().startsWith(NAME)) to.names.put(e.getKey(), e.getValue());
    }

    private static T generator(Var v) {
        return new T(v, false, -1, null, false, false);
    }

    /** {@code manual_seed(k)} (torch's): the global generator starts again from k. */
    Val manualSeed(Args a) {
        Val seeded = seed(a);
        if (seeded instanceof Val.Bad) return null;
        taken++;
        l.state.names.put(NAME, seeded);
        return new Val.None("manual_seed's generator");
    }

    /**
     * Where a random call draws from: a fresh generator seeded with {@code seed} (tx's {@code seed=}),
     * or the generator whose state is the hidden name {@code name} (the global one, or {@code generator=g}'s).
     */
    record Source(Long seed, String name) {}

    /** The source of a random call's numbers: its {@code seed=}, its {@code generator=}, or the global generator (E0104 for a generator= that is none). */
    Source sourceOf(Args a) {
        if (a.kw.containsKey("seed")) return new Source((long) a.number(-1, "seed", 0), null);
        Val g = a.kw.get("generator");
        if (g == null || g instanceof Val.None) return new Source(null, NAME);
        if (g instanceof Val.Gen gen) return new Source(null, gen.name());
        if (!(g instanceof Val.Bad)) l.diags.error("E0104", a.kwSpans.get("generator"), "`generator=` takes a torch.Generator, found " + g.describe(), null);
        a.failed = true;
        return null;
    }

    /**
     * {@code x.uniform_(from=0, to=1, generator=)} and {@code x.normal_(mean=0, std=1, generator=)}:
     * PyTorch's draws of x's shape (of floats: E0220 otherwise), which x then holds; null after an error.
     */
    Var sampleInPlace(T x, String method, Ast.Call c) {
        boolean normal = method.equals("normal_");
        Args a = Args.evaluated(l, method, c);
        String[] names = normal ? new String[] {"mean", "std"} : new String[] {"from", "to"};
        if (!a.shape(0, 2, names[0], names[1], "generator")) return null;
        double lo = a.number(0, names[0], 0), hi = a.number(1, names[1], 1);
        Source from = sourceOf(a);
        if (a.failed) return null;
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", c.span(), "`" + method + "` fills float tensors only, found " + x.describeDtype(), "convert first: `x.double()`");
            return null;
        }
        if (normal ? !(hi >= 0) : !(lo <= hi)) {
            l.diags.error("E0104", c.span(), normal ? "normal expects std >= 0.0, but found std " + tx.runtime.tensor.PyFloat.repr(hi)
                    : "uniform_ expects to return a [from, to) range, but found from=" + tx.runtime.tensor.PyFloat.repr(lo) + " > to=" + tx.runtime.tensor.PyFloat.repr(hi), null);
            return null;
        }
        return draw(new Attrs.Draw(normal ? Attrs.Draw.Kind.NORMAL : Attrs.Draw.Kind.UNIFORM, x.shape(), lo, hi), from);
    }

    /** A draw from the source, which moves on past it (a fresh generator of seed= is dropped after). */
    Var draw(Attrs.Draw d, Source from) {
        if (from.seed() != null) return l.b.emit(Prim.GEN_DRAW, d, l.b.emit(Prim.GEN_SEED, from.seed()));
        Var s = state(from.name());
        taken++;
        Var v = l.b.emit(Prim.GEN_DRAW, d, s);
        l.state.names.put(from.name(), generator(l.b.emit(Prim.GEN_NEXT, d, s)));
        return v;
    }

    /** A draw that happens only where {@code happens} (a bool scalar) holds: the numbers are made, the generator moves on only there. */
    Var drawIf(Attrs.Draw d, Source from, Var happens) {
        if (from.seed() != null) return draw(d, from);
        Var s = state(from.name());
        Var v = draw(d, from);
        Var after = ((T) l.state.names.get(from.name())).var();
        l.state.names.put(from.name(), generator(l.b.where(happens, after, s)));
        return v;
    }

    // ---- blocks of their own -------------------------------------------------------------------------

    /**
     * The state now, to be put back by {@link #reset}: a body lowered into a block of its own that
     * does not flow on (a function tried as a function of the IR, a vmap's or a Jacobian's rows)
     * must not leave a state defined inside it.
     */
    Object mark() {
        State states = new State();
        pass(l.state, states);
        return new Object[] {states, taken};
    }

    void reset(Object mark) {
        l.state.names.keySet().removeIf(n -> n.startsWith(NAME));
        pass((State) ((Object[]) mark)[0], l.state);
    }

    /** Whether anything was drawn, or a generator seeded, since the mark: such a body is inlined at each call, to draw anew. */
    boolean drewSince(Object mark) {
        return taken != (Long) ((Object[]) mark)[1];
    }
}
