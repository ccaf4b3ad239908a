package tx.runtime.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Simplification of the structured IR, IR to IR (the old program is not changed):
 * <ul>
 *   <li>constant folding: an equation whose operands are all constants becomes a constant (up to
 *       {@link #FOLD_LIMIT} elements, or the size of its largest operand),
 *       computed by the same kernel, so the value is identical (unless it holds a nan or an inf,
 *       which is left for run time, where --detect-anomaly can name the operation);</li>
 *   <li>algebraic identities that hold for every float64, nan, inf and -0.0 included:
 *       {@code x * 1 = x}, {@code x / 1 = x}, {@code x ** 1 = x}, {@code x - 0 = x}, {@code -(-x) = x}, a slice of the
 *       whole tensor or a pad to its own shape is the tensor, and a reshape of a reshape is one reshape;</li>
 *   <li>broadcasts: an elementwise operation takes an expanded operand unexpanded when its result
 *       keeps its shape (it broadcasts by itself); a sum that keeps its axes, reshaped to drop
 *       them, is a sum that drops them;</li>
 *   <li>pads: {@code pad(a) ± pad(b)} with both at the same place is {@code pad(a ± b)} (0 ± 0 is 0
 *       outside, the same numbers inside), a rewrite that adds a variable. NOTE: {@code x + 0 = x} is not used (it would turn 0 + -0.0, which
 *       is 0.0, into -0.0), nor {@code x * 0 = 0} (it would turn nan * 0, which is nan, into 0);</li>
 *   <li>products with ones: {@code ones @ y} and {@code x @ ones} are y's sums over its rows and x's
 *       along its rows, spread (see {@link #productWithOnes}), the other rewrite that adds a variable;</li>
 *   <li>transposes: a transpose of a transpose is one permutation, and none when they cancel
 *       ({@code (xᵀ)ᵀ = x}); at the end, {@link TransposeFold} lets products read their transposed
 *       operands in place, and turns a transpose of a product into the product of the transposes;</li>
 *   <li>common subexpressions: the same primitive on the same operands with the same attributes,
 *       where the first one is visible, is computed once;</li>
 *   <li>dead code: equations nothing uses are removed (statements with effects, and everything loops
 *       and branches carry, are kept).</li>
 * </ul>
 */
public final class Simplify {
    /**
     * Constants up to this many elements are folded, or up to the size of the largest constant
     * operand (an index made from {@code arange(1200) % 21}, bundle adjustment's), at most
     * {@link #FOLD_MAX}: larger ones would bloat the program.
     */
    static final int FOLD_LIMIT = 64;
    /** The most elements a folded constant has, whatever its operands (a folded arange(10^8) + 1 would hold 800 MB at compile time). */
    static final int FOLD_MAX = 1 << 16;

    private final Map<Var, Var> replaced = new HashMap<>();
    private final Map<Var, Tensor> constants = new HashMap<>();
    private final List<Map<Object, Var>> seen = new ArrayList<>();

    /** The id the next new variable gets (a rewrite that needs one, such as a pad of a sum). */
    private int nextId;
    /** Statements simplified so far (the deadline is checked every 1024). */
    private int visited;
    /** Equations a rewrite adds before the one being simplified. */
    private final List<Stmt> pending = new ArrayList<>();

    /** The steps of composites and derivative rules (see {@link Program#internal}), kept up to date through replacements. */
    private final java.util.BitSet internal;

    /** The functions simplified so far, shared by the simplifiers of their bodies: each is simplified once. */
    private final Map<Func, Func> functions;

    private Simplify(int nextId, java.util.BitSet internal) {
        this(nextId, internal, new java.util.IdentityHashMap<>());
    }

    private Simplify(int nextId, java.util.BitSet internal, Map<Func, Func> functions) {
        this.nextId = nextId;
        this.internal = internal;
        this.functions = functions;
    }

    /**
     * A called function, simplified once however many calls it has, by a simplifier of its own: a
     * body sees its parameters only, so nothing is folded or shared across the call (the
     * arguments of one call are not the function's), and its roots are its results.
     */
    private Func function(Func f) {
        Func done = functions.get(f);
        if (done != null) return done;
        Simplify inner = new Simplify(nextId, internal, functions);
        List<Stmt> body = inner.block(f.body());
        List<Var> results = inner.vs(f.results());
        Set<Var> live = new HashSet<>(results);
        Dce.markUses(body, live);
        nextId = inner.nextId;
        Func g = f.withBody(Dce.sweep(body, live), results);
        functions.put(f, g);
        return g;
    }

    public static Program run(Program p) {
        Simplify s = new Simplify(p.varCount(), (java.util.BitSet) p.internal().clone());
        List<Stmt> body = TransposeFold.run(Dce.prune(s.block(p.body())), List.of(), s.internal);
        return new Program(body, s.nextId, p.leafNames(), s.internal); // new variables (a rewrite's) are numbered after the old ones
    }

    /** A body simplified for the sake of some results: the new body, and the variables that now hold those results. */
    public record Rooted(List<Stmt> body, List<Var> results, int varCount) {}

    /** Simplifies a body whose only roots are its effects and the given results (a derived function for emission). */
    public static Rooted run(List<Stmt> body, List<Var> results) {
        int next = 0;
        for (Var v : Blocks.defined(body)) next = Math.max(next, v.id() + 1);
        for (Var v : Blocks.free(body)) next = Math.max(next, v.id() + 1);
        for (Var v : results) next = Math.max(next, v.id() + 1);
        Simplify s = new Simplify(next, new java.util.BitSet());
        List<Stmt> simplified = s.block(body);
        List<Var> roots = s.vs(results);
        Set<Var> live = new HashSet<>(roots);
        Dce.markUses(simplified, live);
        return new Rooted(TransposeFold.run(Dce.sweep(simplified, live), roots, s.internal), roots, s.nextId);
    }

    /** The number of equations in a program, loops and branches included (each body counted once). */
    public static int countEqns(List<Stmt> body) {
        int n = 0;
        for (Stmt st : body) {
            if (st instanceof Eqn) n++;
            else if (st instanceof Stmt.Call) n++;
            else if (st instanceof Stmt.Loop l) n += countEqns(l.body()) + (l.runTime() == null ? 0 : countEqns(l.runTime().head()));
            else if (st instanceof Stmt.Cond c) n += countEqns(c.then()) + countEqns(c.otherwise());
        }
        return n;
    }

    private List<Stmt> block(List<Stmt> body) {
        seen.add(new HashMap<>());
        List<Stmt> out = new ArrayList<>();
        for (Stmt st : body) {
            if ((++visited & 1023) == 0) CompileLimit.checkTime(st.origin()); // --timeout bounds compiling too
            Stmt r = stmt(st);
            out.addAll(pending);
            pending.clear();
            if (r != null) out.add(r);
        }
        seen.remove(seen.size() - 1);
        return out;
    }

    private Var v(Var x) {
        if (x == null) return null;
        Var r = replaced.get(x);
        return r == null ? x : r;
    }

    private List<Var> vs(List<Var> xs) {
        List<Var> out = new ArrayList<>(xs.size());
        for (Var x : xs) out.add(v(x));
        return out;
    }

    private Stmt stmt(Stmt st) {
        if (st instanceof Eqn e) return eqn(e);
        if (st instanceof Stmt.Call c) return new Stmt.Call(function(c.fn()), vs(c.in()), c.outs(), c.origin());
        if (st instanceof Stmt.Loop l) {
            Stmt.RunTime rt = l.runTime() == null ? null : l.runTime().withHead(block(l.runTime().head()), v(l.runTime().cond()), v(l.runTime().count()));
            List<Stmt> body = block(l.body());
            return new Stmt.Loop(l.count(), l.index(), vs(l.init()), l.params(), body, vs(l.results()), l.outs(), vs(l.stacked()), l.tapes(),
                    l.reverse(), l.origin(), rt);
        }
        if (st instanceof Stmt.Cond c) {
            List<Stmt> then = block(c.then()), otherwise = block(c.otherwise());
            return new Stmt.Cond(v(c.cond()), then, vs(c.thenResults()), otherwise, vs(c.elseResults()), c.outs(), c.origin());
        }
        if (st instanceof Stmt.Print p) {
            List<Stmt.PrintItem> items = new ArrayList<>();
            for (Stmt.PrintItem item : p.items()) {
                if (item instanceof Stmt.PrintItem.TensorValue t) items.add(new Stmt.PrintItem.TensorValue(v(t.var()), t.suffix(), t.firstIndex(), t.firstSuffix()));
                else if (item instanceof Stmt.PrintItem.FloatValue f) items.add(new Stmt.PrintItem.FloatValue(v(f.var())));
                else items.add(item.map(this::v));
            }
            return new Stmt.Print(items, p.sep(), p.end(), p.origin());
        }
        if (st instanceof Stmt.AssertClose a) return new Stmt.AssertClose(v(a.a()), v(a.b()), a.rtol(), a.atol(), a.text(), a.origin());
        if (st instanceof Stmt.Fail f) return new Stmt.Fail(f.message().stream().map(item -> item.map(this::v)).toList(), f.origin(), f.assertion());
        if (st instanceof Stmt.GradSet g) return new Stmt.GradSet(g.leaf(), v(g.value()), g.origin());
        if (st instanceof Stmt.Save sv) return new Stmt.Save(v(sv.value()), sv.path(), sv.file(), sv.origin());
        if (st instanceof Stmt.GradAccum g) return new Stmt.GradAccum(g.leaf(), v(g.delta()), g.origin());
        if (st instanceof Stmt.CheckReport c) {
            List<Stmt.CheckEntry> entries = new ArrayList<>();
            for (Stmt.CheckEntry e : c.entries()) {
                entries.add(new Stmt.CheckEntry(e.input(), e.param(), v(e.generated()), v(e.handWritten()), v(e.finiteDifferences())));
            }
            return new Stmt.CheckReport(c.text(), entries, c.tol(), c.fdTol(), c.inputs(), c.origin());
        }
        return st; // GradRead
    }

    /** One equation: rewritten operands, then an identity, a folded constant, or an earlier equal equation. */
    private Stmt eqn(Eqn e0) {
        Eqn e = new Eqn(e0.prim(), vs(e0.in()), e0.out(), e0.attr(), e0.origin());
        if (sized(e)) return shared(e); // NOTE: the rewrites below reason about sizes as numbers
        if (e.prim().elementwise() && e.in().size() > 1) e = unexpand(e);
        e = transposeOfTranspose(e);
        e = whereOfWhere(e);
        Var same = identity(e);
        if (same != null && same.dtype() == e.out().dtype()) { // NOTE: int64 x * 1.0 is x's value, but a float64
            replace(e.out(), same);
            return null;
        }
        Eqn folded = fold(e);
        if (folded != null) e = folded;
        e = padOfSum(e);
        e = productWithOnes(e);
        return shared(e);
    }

    /** Whether an equation reads or makes a value with a size known only at run time (see {@link Shapes#symbol}). */
    private static boolean sized(Eqn e) {
        if (Shapes.symbolic(e.out().shapeRef())) return true;
        for (Var x : e.in()) if (Shapes.symbolic(x.shapeRef())) return true;
        return false;
    }

    /** The equation, or null when an earlier equal one (common subexpression) replaces its output. */
    private Eqn shared(Eqn e) {
        // NOTE: two loads of one file are two reads: a save between them may have changed it
        Object key = e.prim() == Prim.LOAD ? new Object() : key(e);
        for (int i = seen.size() - 1; i >= 0; i--) {
            Var earlier = seen.get(i).get(key);
            if (earlier != null) {
                replace(e.out(), earlier);
                return null;
            }
        }
        seen.get(seen.size() - 1).put(key, e.out());
        if (e.prim() == Prim.CONST) constants.put(e.out(), ((Attrs.Const) e.attr()).value());
        if (e.prim() == Prim.FILL && e.out().rank() == 0) constants.put(e.out(), Tensor.full(new int[0], ((Attrs.Fill) e.attr()).value()));
        return e;
    }

    /**
     * From now on {@code v} is read as {@code by}, which holds the same value. NOTE: if {@code v} is a
     * value of the program and {@code by} only a step (a user's {@code max(x)} equal to softmax's),
     * {@code by} becomes a value of the program, so that --detect-anomaly still checks it.
     */
    private void replace(Var v, Var by) {
        replaced.put(v, by);
        if (!internal.get(v.id())) internal.clear(by.id());
    }

    /** The operand an equation equals exactly, if an identity applies (only when shapes agree). */
    private Var identity(Eqn e) {
        List<Var> in = e.in();
        switch (e.prim()) {
            case MUL:
                if (isScalar(in.get(1), 1) && sameShape(in.get(0), e.out())) return in.get(0);
                if (isScalar(in.get(0), 1) && sameShape(in.get(1), e.out())) return in.get(1);
                return null;
            case DIV:
            case POW: // Math.pow(x, 1.0) is x for every x, nan, inf and -0.0 included
                return isScalar(in.get(1), 1) && sameShape(in.get(0), e.out()) ? in.get(0) : null;
            case SUB:
                return isScalar(in.get(1), 0) && sameShape(in.get(0), e.out()) ? in.get(0) : null;
            case NEG:
                return negated.get(in.get(0));
            case RESHAPE:
                return sameShape(in.get(0), e.out()) ? in.get(0) : null;
            case TRANSPOSE:
                return identityPerm(((Attrs.Perm) e.attr()).perm()) ? in.get(0) : null;
            case SLICE: // the whole tensor
            case PAD: // into zeros of its own shape
                return sameShape(in.get(0), e.out()) ? in.get(0) : null;
            default:
                return null;
        }
    }

    private final Map<Var, Var> negated = new HashMap<>();

    private static boolean identityPerm(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /**
     * A transpose of a transpose is one: {@code out[i] = y[p[i]]} with {@code y[j] = x[q[j]]} is
     * {@code x[q[p[i]]]}, the identity when the two cancel (then {@link #identity} drops it).
     */
    private Eqn transposeOfTranspose(Eqn e) {
        if (e.prim() != Prim.TRANSPOSE) return e;
        Eqn def = definitions.get(e.in().get(0));
        if (def == null || def.prim() != Prim.TRANSPOSE) return e;
        int[] p = ((Attrs.Perm) e.attr()).perm(), q = ((Attrs.Perm) def.attr()).perm(), r = new int[p.length];
        for (int i = 0; i < p.length; i++) r[i] = q[p[i]];
        return new Eqn(Prim.TRANSPOSE, def.in(), e.out(), new Attrs.Perm(r), e.origin());
    }

    /** Folds an equation of small constants into a constant; records negations for -(-x). */
    private Eqn fold(Eqn e) {
        if (e.prim() == Prim.NEG) negated.put(e.out(), e.in().get(0));
        if (e.prim() == Prim.RESHAPE && e.in().size() == 1) {
            Eqn def = definitions.get(e.in().get(0));
            if (def != null && def.prim() == Prim.RESHAPE) e = new Eqn(Prim.RESHAPE, def.in(), e.out(), e.attr(), e.origin());
            // a sum that keeps its axes, then a reshape that drops them, is the sum that drops them
            if (def != null && def.prim() == Prim.SUM && ((Attrs.Reduce) def.attr()).keepdim()) {
                int[] axes = ((Attrs.Reduce) def.attr()).axes();
                if (sameShape(e.out(), Shapes.reduced(def.in().get(0).shapeRef(), axes, false))) {
                    e = new Eqn(Prim.SUM, def.in(), e.out(), new Attrs.Reduce(axes, false), e.origin());
                }
            }
        }

        definitions.put(e.out(), e);
        if (e.in().isEmpty() || e.prim() == Prim.RANDOM || e.prim() == Prim.LOAD || e.prim() == Prim.FIRST_MAX || tx.runtime.kernels.Random.generator(e.prim())) return e;
        List<Tensor> values = new ArrayList<>();
        long limit = FOLD_LIMIT;
        for (Var x : e.in()) {
            Tensor t = constants.get(x);
            if (t == null) return e;
            values.add(t);
            limit = Math.max(limit, Math.min(t.size(), FOLD_MAX));
        }
        if (Shapes.numelExact(e.out().shapeRef()) > limit) return e;
        Tensor value;
        try {
            value = e.prim().eval(values, e.attr());
        } catch (tx.runtime.kernels.Shaping.IndexError x) { // a run-time index out of range: left to run time, which reports it (E0507)
            return e;
        } catch (tx.runtime.kernels.Factorizations.LinalgError x) { // a singular constant matrix: left to run time too (E0508)
            return e;
        }
        // NOTE: a nan or an inf is left to be computed at run time, where --detect-anomaly can name its operation
        for (double d : value.data()) if (!Double.isFinite(d)) return e;
        return new Eqn(Prim.CONST, List.of(), e.out(), new Attrs.Const(value, e.out().dtype()), e.origin());
    }

    private final Map<Var, Eqn> definitions = new HashMap<>();

    /**
     * {@code where(c, where(c, a, _), b)} is {@code where(c, a, b)}, and {@code where(c, a, where(c, _, b))}
     * too: the inner where is read only where it takes the same branch as the outer one. A derivative
     * through nested pieces (relu's, a clamp's) is full of them. NOTE: only where the branches kept
     * still broadcast to the result's shape and promote to its dtype, so the result is the same tensor.
     */
    private Eqn whereOfWhere(Eqn e) {
        if (e.prim() != Prim.WHERE) return e;
        Var c = e.in().get(0), a = kept(c, e.in().get(1), 1), b = kept(c, e.in().get(2), 2);
        if (a == e.in().get(1) && b == e.in().get(2)) return e;
        // the branches kept must still broadcast to the result's shape and promote to its dtype
        int[] shape = Shapes.broadcast(c.shapeRef(), Shapes.broadcast(a.shapeRef(), b.shapeRef()));
        if (!sameShape(e.out(), shape) || tx.runtime.tensor.DType.promote(a.dtype(), b.dtype()) != e.out().dtype()) return e;
        return new Eqn(Prim.WHERE, List.of(c, a, b), e.out(), e.attr(), e.origin());
    }

    /** The branch {@code slot} (1: taken where c holds, 2: where it does not) of x if x is a where on c, else x. */
    private Var kept(Var c, Var x, int slot) {
        Eqn inner = definitions.get(x);
        return inner != null && inner.prim() == Prim.WHERE && inner.in().get(0) == c ? inner.in().get(slot) : x;
    }

    /**
     * {@code pad(a) + pad(b) = pad(a + b)} (and the same for -) when both pads put their inputs at
     * the same place: outside it 0 + 0 is 0, inside it the same numbers are added, so the result is
     * identical; the sum is then one of the smaller tensors (say the adjoints of two uses of one
     * slice), and one pad is left to make.
     */
    private Eqn padOfSum(Eqn e) {
        if (e.prim() != Prim.ADD && e.prim() != Prim.SUB) return e;
        Eqn a = definitions.get(e.in().get(0)), b = definitions.get(e.in().get(1));
        if (a == null || b == null || a.prim() != Prim.PAD || b.prim() != Prim.PAD) return e;
        Attrs.Pad pa = (Attrs.Pad) a.attr(), pb = (Attrs.Pad) b.attr();
        if (!java.util.Arrays.equals(pa.shape(), pb.shape()) || !java.util.Arrays.equals(pa.start(), pb.start())
                || !java.util.Arrays.equals(pa.step(), pb.step()) || !sameShape(a.in().get(0), b.in().get(0).shapeRef())
                || !sameShape(e.out(), pa.shape())) {
            return e;
        }
        Var inner = new Var(nextId++, a.in().get(0).shapeRef(), e.out().name(), e.out().dtype());
        if (internal.get(e.out().id())) internal.set(inner.id()); // a step, as the sum it rewrites
        Eqn sum = new Eqn(e.prim(), List.of(a.in().get(0), b.in().get(0)), inner, null, e.origin());
        pending.add(sum);
        definitions.put(inner, sum);
        return new Eqn(Prim.PAD, List.of(inner), e.out(), a.attr(), e.origin());
    }

    /**
     * {@code ones @ y} is y's sums over its rows, the same in every row of the result, and
     * {@code x @ ones} x's sums along its rows, the same in every column: {@code expand(sum(y,
     * dim=-2, keepdim))} and {@code expand(sum(x, dim=-1, keepdim))}, one pass over the operand
     * instead of a product (the gradient of {@code sum(a @ b)} with respect to a is {@code ones @ bᵀ}).
     * An operand read transposed (its flag, or a swap) is summed along its other axis and reshaped.
     * NOTE: exact in both GEMM modes: a product sums {@code 1·y[p,j]} in order over p from 0, and
     * {@code 1·y} is y (nan, inf and -0.0 included), fused or not; {@code Reductions.sum} sums
     * in the same order from the same 0.
     */
    private Eqn productWithOnes(Eqn e) {
        if (e.prim() != Prim.MATMUL) return e;
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        Var x = e.in().get(0), y = e.in().get(1), other;
        boolean swapped;
        int axis; // of op(other), the operand as the product reads it
        if (isOnes(x)) {
            other = y;
            swapped = t.transB();
            axis = y.rank() - 2;
        } else if (isOnes(y)) {
            other = x;
            swapped = t.transA();
            axis = x.rank() - 1;
        } else {
            return e;
        }
        Eqn transposed = definitions.get(other);
        if (transposed != null && transposed.prim() == Prim.TRANSPOSE && swapsLastTwo(((Attrs.Perm) transposed.attr()).perm())) {
            other = transposed.in().get(0); // NOTE: the sums of a swap's columns are its input's row sums, in the same order: the swap is never made
            swapped = !swapped;
        }
        int r = other.rank();
        int[] kept = other.shape();
        if (swapped) {
            kept[r - 2] = other.shapeRef()[r - 1];
            kept[r - 1] = other.shapeRef()[r - 2];
        }
        kept[axis] = 1;
        Var sums = step(kept, e);
        if (swapped) {
            int sourceAxis = axis == r - 2 ? r - 1 : r - 2;
            int[] sourceKept = other.shape();
            sourceKept[sourceAxis] = 1;
            Var inner = step(sourceKept, e);
            add(new Eqn(Prim.SUM, List.of(other), inner, new Attrs.Reduce(new int[] {sourceAxis}, true), e.origin()));
            add(new Eqn(Prim.RESHAPE, List.of(inner), sums, new Attrs.ShapeAttr(kept), e.origin()));
        } else {
            add(new Eqn(Prim.SUM, List.of(other), sums, new Attrs.Reduce(new int[] {axis}, true), e.origin()));
        }
        Eqn spread = new Eqn(Prim.EXPAND, List.of(sums), e.out(), new Attrs.ShapeAttr(e.out().shape()), e.origin());
        definitions.put(e.out(), spread);
        return spread;
    }

    /** A new variable for a step of a rewrite of e (a step of the program if e is one). */
    private Var step(int[] shape, Eqn e) {
        Var v = new Var(nextId++, shape, e.out().name(), e.out().dtype());
        if (internal.get(e.out().id())) internal.set(v.id());
        return v;
    }

    /** An equation a rewrite adds before the one being simplified. */
    private void add(Eqn e) {
        pending.add(e);
        definitions.put(e.out(), e);
    }

    /** Whether a permutation swaps the last two axes and keeps the others (x.mT). */
    static boolean swapsLastTwo(int[] perm) {
        int r = perm.length;
        for (int i = 0; i < r - 2; i++) if (perm[i] != i) return false;
        return r >= 2 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2;
    }

    /** Whether x is ones: a fill of 1, or an expand of a one-element constant 1. */
    private boolean isOnes(Var x) {
        Eqn def = definitions.get(x);
        if (def == null) return false;
        if (def.prim() == Prim.FILL) return Double.doubleToRawLongBits(((Attrs.Fill) def.attr()).value()) == Double.doubleToRawLongBits(1.0);
        return def.prim() == Prim.EXPAND && isScalar(def.in().get(0), 1);
    }

    /**
     * An elementwise operation broadcasts its operands itself, so an operand made by EXPAND can be
     * the expand's input wherever the output keeps its shape: the values are the same.
     */
    private Eqn unexpand(Eqn e) {
        List<Var> in = new ArrayList<>(e.in());
        boolean changed = false;
        for (int i = 0; i < in.size(); i++) {
            Eqn def = definitions.get(in.get(i));
            if (def == null || def.prim() != Prim.EXPAND) continue;
            Var before = in.get(i);
            in.set(i, def.in().get(0));
            int[] shape = Shapes.SCALAR;
            for (Var x : in) shape = shape == null ? null : Shapes.broadcast(shape, x.shapeRef());
            if (shape != null && sameShape(e.out(), shape)) changed = true;
            else in.set(i, before);
        }
        return changed ? new Eqn(e.prim(), in, e.out(), e.attr(), e.origin()) : e;
    }

    private boolean isScalar(Var x, double value) {
        Tensor t = constants.get(x);
        return t != null && t.size() == 1 && t.data()[0] == value && Double.doubleToRawLongBits(t.data()[0]) == Double.doubleToRawLongBits(value);
    }

    private static boolean sameShape(Var a, Var b) {
        return sameShape(a, b.shapeRef());
    }

    private static boolean sameShape(Var a, int[] shape) {
        return java.util.Arrays.equals(a.shapeRef(), shape);
    }

    /** Equal keys mean equal results: the primitive, the operands, and the attributes by value. */
    private static Object key(Eqn e) {
        Object attr = e.attr() instanceof Attrs.Const c ? c.value() : e.attr() == null ? null : e.attr().toString();
        return List.of(e.prim(), e.in(), Objects.requireNonNullElse(attr, ""), e.out().dtype());
    }

    /** Dead-code elimination over blocks, from the end; effects and what loops and branches carry stay. */
    static final class Dce {
        private Dce() {}

        static List<Stmt> prune(List<Stmt> body) {
            Set<Var> live = new HashSet<>();
            markUses(body, live);
            return sweep(body, live);
        }

        /** Every variable an effect, a loop or a branch uses, in all blocks (a conservative root set). */
        private static void markUses(List<Stmt> body, Set<Var> live) {
            for (Stmt st : body) {
                if (st instanceof Stmt.Loop l) {
                    for (Var x : l.init()) if (x != null) live.add(x);
                    for (Var x : l.results()) if (x != null) live.add(x);
                    live.addAll(l.stacked());
                    if (l.runTime() != null) {
                        if (l.runTime().cond() != null) live.add(l.runTime().cond());
                        if (l.runTime().count() != null) live.add(l.runTime().count());
                        markUses(l.runTime().head(), live);
                    }
                    markUses(l.body(), live);
                } else if (st instanceof Stmt.Cond c) {
                    live.add(c.cond());
                    for (Var x : c.thenResults()) if (x != null) live.add(x);
                    for (Var x : c.elseResults()) if (x != null) live.add(x);
                    markUses(c.then(), live);
                    markUses(c.otherwise(), live);
                } else if (st instanceof Stmt.Print p) {
                    for (Stmt.PrintItem item : p.items()) {
                        if (item instanceof Stmt.PrintItem.TensorValue t) {
                            live.add(t.var());
                            if (t.firstIndex() != null) live.add(t.firstIndex());
                        }
                        if (item instanceof Stmt.PrintItem.FloatValue f) live.add(f.var());
                        if (item instanceof Stmt.PrintItem.Formatted || item instanceof Stmt.PrintItem.Joined) live.addAll(item.vars());
                    }
                } else if (st instanceof Stmt.AssertClose a) {
                    live.add(a.a());
                    live.add(a.b());
                } else if (st instanceof Stmt.Fail f) {
                    for (Stmt.PrintItem item : f.message()) live.addAll(item.vars());
                } else if (st instanceof Stmt.GradSet g && g.value() != null) {
                    live.add(g.value());
                } else if (st instanceof Stmt.GradAccum g) {
                    live.add(g.delta());
                } else if (st instanceof Stmt.Save sv) {
                    live.add(sv.value());
                } else if (st instanceof Stmt.CheckReport c) {
                    for (Stmt.CheckEntry e : c.entries()) {
                        live.add(e.generated());
                        if (e.handWritten() != null) live.add(e.handWritten());
                        live.add(e.finiteDifferences());
                    }
                }
            }
        }

        /** Removes equations whose output is not live, walking each block backwards so that uses propagate. */
        private static List<Stmt> sweep(List<Stmt> body, Set<Var> live) {
            boolean changed = true;
            List<Stmt> current = body;
            while (changed) {
                changed = false;
                List<Stmt> kept = new ArrayList<>(); // built backwards, reversed below
                for (int i = current.size() - 1; i >= 0; i--) {
                    Stmt st = current.get(i);
                    if (st instanceof Eqn e) {
                        if (!live.contains(e.out())) {
                            changed = true;
                            continue;
                        }
                        live.addAll(e.in());
                    } else if (st instanceof Stmt.Call c) {
                        if (c.outs().stream().noneMatch(live::contains)) { // a call has no effects
                            changed = true;
                            continue;
                        }
                        live.addAll(c.in());
                    } else if (st instanceof Stmt.Loop l) {
                        List<Stmt> swept = sweep(l.body(), live);
                        Stmt.RunTime rt = l.runTime() == null ? null : l.runTime().withHead(sweep(l.runTime().head(), live), l.runTime().cond(), l.runTime().count());
                        st = new Stmt.Loop(l.count(), l.index(), l.init(), l.params(), swept, l.results(), l.outs(),
                                l.stacked(), l.tapes(), l.reverse(), l.origin(), rt);
                    } else if (st instanceof Stmt.Cond c) {
                        st = new Stmt.Cond(c.cond(), sweep(c.then(), live), c.thenResults(), sweep(c.otherwise(), live), c.elseResults(),
                                c.outs(), c.origin());
                    }
                    kept.add(st);
                }
                java.util.Collections.reverse(kept);
                current = kept;
            }
            return current;
        }
    }
}
