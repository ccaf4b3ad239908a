package tx.runtime.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.tensor.Shapes;

/**
 * Fusion of elementwise chains, as a pass from IR to IR: each block (the top level, loop and
 * branch bodies, the bodies of IR functions) has its runs of consecutive elementwise equations
 * that make tensors of one shape replaced by {@link Stmt.Fused} statements, which the interpreter
 * evaluates a tile at a time, so that an intermediate only its run reads is never made whole.
 *
 * <p>A run may take in an equation of another kind that the rest of the run does not read (a sum
 * of one of its values, say) by moving it after the run, and one that reads nothing of the run (a
 * constant) by moving it before; a full sum of one of its values that nothing else reads is added
 * up tile by tile, inside the run. Every other statement stays where it is, in its order.
 *
 * <p>Before that, products of one matrix with a few columns each are stacked into one product
 * ({@link StackedProducts}), which may add variables: the program's variable count grows.
 *
 * <p>NOTE: the pass runs when a program starts to run (the interpreter's choice), not in the
 * compile pipeline: the options that must see every operation on its own ({@code --detect-anomaly},
 * {@code --max-memory}) are options of the run, and then the pass is not run at all. {@code tx ir
 * --fused} prints what it makes.
 */
public final class FusionPass {
    /** Tensors smaller than this are not worth fusing (the bookkeeping would cost more than the memory traffic saved). */
    public static final int MIN_ELEMENTS = Integer.getInteger("tx.fusion.min", 4096);
    // NOTE: the property exists for testing (with tx.fusion.tile, read by the kernel): -Dtx.fusion.min=1 fuses even tiny tensors

    /** At most this many equations of other kinds are moved before or after one run. */
    private static final int MOVED = 16;

    /** How many times each variable is read (a function's results and the program's outputs count once). */
    private final Map<Var, Integer> uses;
    private final Map<Func, Func> done = new IdentityHashMap<>();

    /** Where the variables of stacked products are numbered from ({@link StackedProducts}). */
    private final StackedProducts.Ids ids;

    private FusionPass(Map<Var, Integer> uses, StackedProducts.Ids ids) {
        this.uses = uses;
        this.ids = ids;
    }

    /**
     * The program with its elementwise runs fused; {@code live}: the variables read after it ends
     * (an embedding call's results), which a run must hand out whole.
     */
    public static Program run(Program p, Collection<Var> live) {
        List<Var> key = List.copyOf(live);
        synchronized (RECENT) {
            for (Recent r : RECENT) {
                Program out = r.out.get();
                if (r.in.get() == p && out != null && r.live.equals(key)) return out;
            }
        }
        Program out = fuse(p, key);
        synchronized (RECENT) {
            RECENT.removeIf(r -> r.in.get() == null || r.out.get() == null);
            if (RECENT.size() >= 8) RECENT.remove(0);
            RECENT.add(new Recent(new java.lang.ref.WeakReference<>(p), key, new java.lang.ref.SoftReference<>(out)));
        }
        return out;
    }

    /**
     * The programs fused lately, by the identity of the program (a program runs again and again:
     * `tx bench`, an embedding's calls, and the pass took 3% of a small program's run). NOTE: weak
     * and soft references, so a cached program never keeps a large one alive.
     */
    private record Recent(java.lang.ref.WeakReference<Program> in, List<Var> live, java.lang.ref.SoftReference<Program> out) {}

    private static final List<Recent> RECENT = new ArrayList<>();

    private static Program fuse(Program p, Collection<Var> live) {
        Map<Var, Integer> uses = new HashMap<>();
        countUses(p.body(), uses);
        for (Func f : Blocks.functions(p.body())) {
            countUses(f.body(), uses);
            for (Var v : f.results()) uses.merge(v, 1, Integer::sum);
        }
        for (Var v : live) uses.merge(v, 1, Integer::sum);
        FusionPass pass = new FusionPass(uses, new StackedProducts.Ids(p.varCount()));
        List<Stmt> body = pass.block(p.body());
        return new Program(body, pass.ids.next, p.leafNames(), p.internal());
    }

    /** The number of equations a block runs fused, nested blocks and functions not counted. */
    public static int fusedEquations(List<Stmt> body) {
        int n = 0;
        for (Stmt s : body) if (s instanceof Stmt.Fused f) n += f.eqns().size();
        return n;
    }

    // --- what may be fused --------------------------------------------------------------------

    /** An elementwise equation large enough to be worth fusing. */
    static boolean fusable(Stmt s) {
        return s instanceof Stmt.Eqn e && elementwise(e) && Shapes.numel(e.out().shapeRef()) >= MIN_ELEMENTS;
    }

    /** An equation a fused run can evaluate tile by tile: a unary or binary function, a contiguous slice or pad, a spread number. */
    public static boolean elementwise(Stmt.Eqn e) {
        if (Shapes.symbolic(e.out().shapeRef())) return false; // a run's tiles are laid out when it is planned, before such a size is known
        for (Var x : e.in()) if (Shapes.symbolic(x.shapeRef())) return false;
        return e.prim().unaryFunction() != null || e.prim().binaryFunction() != null || contiguous(e) || block(e) || spread(e);
    }

    /** One number broadcast to a shape (a gradient seed spread over a sum's input): in a run it stays one number. */
    public static boolean spread(Stmt.Eqn e) {
        return e.prim() == Prim.EXPAND && !Shapes.symbolic(e.out().shapeRef()) && Shapes.numel(e.in().get(0).shapeRef()) == 1;
    }

    /**
     * A slice that is one contiguous block of its input (a range of the first axis, everything of
     * the others): in a run it is read in place, at an offset, rather than copied.
     */
    public static boolean contiguous(Stmt.Eqn e) {
        if (e.prim() != Prim.SLICE) return false;
        Attrs.Slice sl = (Attrs.Slice) e.attr();
        int[] in = e.in().get(0).shapeRef();
        if (in.length == 0 || sl.step()[0] != 1) return false;
        for (int d = 1; d < in.length; d++) if (sl.start()[d] != 0 || sl.stop()[d] != in[d] || sl.step()[d] != 1) return false;
        return true;
    }

    /** A pad that puts its input in one contiguous block of zeros (the adjoint of a contiguous slice): written tile by tile. */
    public static boolean block(Stmt.Eqn e) {
        if (e.prim() != Prim.PAD) return false;
        Attrs.Pad p = (Attrs.Pad) e.attr();
        int[] in = e.in().get(0).shapeRef(), out = p.shape();
        if (in.length == 0 || p.step()[0] != 1) return false;
        for (int d = 1; d < in.length; d++) if (p.start()[d] != 0 || p.step()[d] != 1 || in[d] != out[d]) return false;
        return true;
    }

    /** Whether a run reads the equation's operand whole, from before the run (a slice or pad in place, a spread number). */
    public static boolean readsBefore(Stmt.Eqn e) {
        return contiguous(e) || block(e) || spread(e);
    }

    /**
     * Every operand has the result's shape or is a single number (or is read in place, or is one
     * number spread), but at most one, which is broadcast along the leading or the trailing axes
     * ({@link #rows}, {@link #columns}: {@code [n, m] op [n, 1]}, {@code [n, m] op [m]}).
     */
    public static boolean fits(Stmt.Eqn e, int[] shape) {
        if (readsBefore(e)) return true;
        int partial = 0;
        for (Var x : e.in()) {
            int[] s = x.shapeRef();
            if (Shapes.symbolic(s)) return false; // see elementwise
            if (Shapes.numel(s) == 1 || Arrays.equals(s, shape)) continue;
            if (rows(s, shape) == 0 && columns(s, shape) == 0) return false;
            partial++;
        }
        return partial <= 1;
    }

    /**
     * d when an operand of shape s, broadcast to shape, has one element for each run of d
     * consecutive elements of the result (s is shape's leading axes, then ones: {@code [n, 1]}
     * against {@code [n, m]}, d = m); else 0. Element i of the result reads element i / d.
     */
    public static int rows(int[] s, int[] shape) {
        int[] p = padded(s, shape.length);
        if (p == null) return 0;
        int last = shape.length; // the axes from here on are ones in p
        while (last > 0 && p[last - 1] == 1) last--;
        int d = 1;
        for (int i = 0; i < shape.length; i++) {
            if (i < last && p[i] != shape[i]) return 0;
            if (i >= last) d *= shape[i];
        }
        return last == 0 || d == 1 ? 0 : d;
    }

    /**
     * m when an operand of shape s, broadcast to shape, repeats every m elements of the result (s
     * is ones, then shape's trailing axes: {@code [m]} or {@code [1, m]} against {@code [n, m]});
     * else 0. Element i of the result reads element i mod m.
     */
    public static int columns(int[] s, int[] shape) {
        int[] p = padded(s, shape.length);
        if (p == null) return 0;
        int first = 0; // the axes before it are ones in p
        while (first < shape.length && p[first] == 1) first++;
        int m = 1;
        for (int i = first; i < shape.length; i++) {
            if (p[i] != shape[i]) return 0;
            m *= shape[i];
        }
        return first == shape.length || m == Shapes.numel(shape) ? 0 : m;
    }

    /** s with ones in front to the given rank, or null if it has more axes. */
    private static int[] padded(int[] s, int rank) {
        if (s.length > rank) return null;
        int[] p = new int[rank];
        Arrays.fill(p, 1);
        System.arraycopy(s, 0, p, rank - s.length, s.length);
        return p;
    }

    /** A sum of all of a tensor to one number (no kept dimensions): what a run can add up tile by tile. */
    public static boolean fullSum(Stmt.Eqn e) {
        return e.prim() == Prim.SUM && !((Attrs.Reduce) e.attr()).keepdim()
                && ((Attrs.Reduce) e.attr()).axes().length == e.in().get(0).shapeRef().length;
    }

    /**
     * A sum or maximum over the trailing axes of its operand, some of them (kept or not): each
     * group is a run of consecutive elements, which a run folds into its group's result, in order,
     * as its tiles pass ({@code sum(x, dim=1)} of a softmax).
     */
    public static boolean groupReduction(Stmt.Eqn e) {
        if (e.prim() != Prim.SUM && e.prim() != Prim.MAX) return false;
        int[] axes = ((Attrs.Reduce) e.attr()).axes();
        int rank = e.in().get(0).shapeRef().length;
        if (axes.length == 0 || axes.length == rank) return false;
        for (int i = 0; i < axes.length; i++) if (axes[i] != rank - axes.length + i) return false;
        return true;
    }

    /**
     * A sum or maximum over the leading axes of its operand, some of them (kept or not): element i
     * of the operand goes into result i mod (the number of results), and the results are folded in
     * the order of the elements, as the reduction kernel's walk folds them ({@code sum(g, dim=0)},
     * a bias's or a broadcast operand's gradient).
     */
    public static boolean leadingReduction(Stmt.Eqn e) {
        if (e.prim() != Prim.SUM && e.prim() != Prim.MAX) return false;
        int[] axes = ((Attrs.Reduce) e.attr()).axes();
        int rank = e.in().get(0).shapeRef().length;
        if (axes.length == 0 || axes.length == rank) return false;
        for (int i = 0; i < axes.length; i++) if (axes[i] != i) return false;
        return true;
    }

    /** What a run can fold as it makes its operand: a full sum, or a sum or maximum over trailing or leading axes. */
    public static boolean reduction(Stmt.Eqn e) {
        return fullSum(e) || groupReduction(e) || leadingReduction(e);
    }

    // --- the rewrite --------------------------------------------------------------------------

    /** A block with its nested blocks and called functions rewritten, then its own runs fused. */
    private List<Stmt> block(List<Stmt> body) {
        List<Stmt> nested = new ArrayList<>(body.size());
        for (Stmt s : body) nested.add(nested(s));
        return plan(StackedProducts.run(nested, ids, uses));
    }

    private Stmt nested(Stmt s) {
        if (s instanceof Stmt.Loop l) {
            return l.with(block(l.body()), l.stacked(), l.tapes()); // a while's head is left unfused: it makes one scalar
        }
        if (s instanceof Stmt.Cond c) {
            return new Stmt.Cond(c.cond(), block(c.then()), c.thenResults(), block(c.otherwise()), c.elseResults(), c.outs(), c.origin());
        }
        if (s instanceof Stmt.Call c) return new Stmt.Call(function(c.fn()), c.in(), c.outs(), c.origin());
        return s;
    }

    /** Each function once (a function called from several places stays one unit). */
    private Func function(Func f) {
        Func g = done.get(f);
        if (g == null) { // NOTE: not computeIfAbsent: rewriting the body rewrites the functions it calls, into the same map
            g = f.withBody(block(f.body()), f.results());
            done.put(f, g);
        }
        return g;
    }

    /** The block's statements with each run of two or more fusable equations replaced by a fused statement. */
    private List<Stmt> plan(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>();
        Set<Stmt> absorbed = Collections.newSetFromMap(new IdentityHashMap<>()); // sums a run took in
        int i = 0;
        while (i < body.size()) {
            Stmt s = body.get(i);
            if (absorbed.contains(s)) {
                i++;
            } else if (fusable(s) && fits((Stmt.Eqn) s, ((Stmt.Eqn) s).out().shapeRef())) {
                i = new Gather(body, i, absorbed).into(out);
            } else {
                out.add(s);
                i++;
            }
        }
        return out;
    }

    /**
     * The run that starts at {@code body[start]}: its equations, and the equations of other kinds
     * met on the way, moved before it (they read nothing of it) or after it.
     */
    private final class Gather {
        final List<Stmt> body;
        final int start;
        final Set<Stmt> absorbed;
        final int[] shape;
        final List<Stmt.Eqn> run = new ArrayList<>();
        final List<Stmt> deferred = new ArrayList<>(), hoisted = new ArrayList<>();
        /** The outputs of the deferred equations: a later equation that reads one ends the run. */
        final Set<Var> waiting = new HashSet<>();
        /** One past the run's last equation. */
        int end;

        Gather(List<Stmt> body, int start, Set<Stmt> absorbed) {
            this.body = body;
            this.start = start;
            this.absorbed = absorbed;
            Stmt.Eqn first = (Stmt.Eqn) body.get(start);
            this.shape = first.out().shapeRef();
            run.add(first);
            end = start + 1;
        }

        /** Appends the run (or its first equation alone) to {@code out}; returns where the next statement to plan is. */
        int into(List<Stmt> out) {
            scan();
            List<Stmt> after = new ArrayList<>(); // a sum right after the run may be absorbed into it; the others stay where they are
            for (Stmt d : deferred) if (body.indexOf(d) >= end) after.add(d);
            if (end < body.size() && body.get(end) instanceof Stmt.Eqn e && reduction(e) && !after.contains(e)) after.add(e);
            deferred.removeIf(d -> body.indexOf(d) >= end);
            hoisted.removeIf(d -> body.indexOf(d) >= end);
            Stmt.Eqn[] sums = run.size() < 2 && !anyReduction(after) ? new Stmt.Eqn[1] : absorbSums(after);
            if (run.size() < 2 && sums[0] == null) { // one equation alone gains nothing, unless it also folds a reduction
                out.add(run.get(0));
                return start + 1;
            }
            out.addAll(hoisted);
            out.add(fused(sums));
            out.addAll(deferred);
            return end;
        }

        /** Walks on from the run's first equation while equations join it or can be moved out of its way. */
        private void scan() {
            int j = start + 1;
            while (j < body.size()) {
                Stmt t = body.get(j);
                if (absorbed.contains(t)) { // an earlier run already computes it
                    j++;
                } else if (fusable(t) && Arrays.equals(((Stmt.Eqn) t).out().shapeRef(), shape) && fits((Stmt.Eqn) t, shape)) {
                    if (blocked((Stmt.Eqn) t)) return;
                    run.add((Stmt.Eqn) t);
                    end = ++j;
                } else if (t instanceof Stmt.Eqn d && deferred.size() + hoisted.size() < MOVED) {
                    move(d);
                    j++;
                } else {
                    return;
                }
            }
        }

        /** Whether an equation cannot join the run: it reads a deferred value, or reads whole a value the run makes tile by tile. */
        private boolean blocked(Stmt.Eqn t) {
            for (Var x : t.in()) if (waiting.contains(x)) return true;
            if (readsBefore(t)) for (Stmt.Eqn e : run) if (e.out().equals(t.in().get(0))) return true;
            return false;
        }

        /** An equation of another kind: after the run if it reads the run (or what waits for it), else before it. */
        private void move(Stmt.Eqn d) {
            boolean readsRun = false;
            for (Var x : d.in()) {
                readsRun |= waiting.contains(x);
                for (Stmt.Eqn e : run) readsRun |= e.out().equals(x);
            }
            if (readsRun) {
                deferred.add(d);
                waiting.add(d.out());
            } else {
                hoisted.add(d);
            }
        }

        /**
         * The full sums of the run's results that nothing else reads, by equation: added up tile by
         * tile, in the order of the sum kernel, instead of after the result is made whole.
         */
        private Stmt.Eqn[] absorbSums(List<Stmt> after) {
            Stmt.Eqn[] sums = new Stmt.Eqn[run.size()];
            List<Stmt> candidates = new ArrayList<>(deferred);
            candidates.addAll(after);
            for (Stmt d : candidates) {
                if (!(d instanceof Stmt.Eqn e) || !reduction(e)) continue;
                for (int k = 0; k < run.size(); k++) {
                    // a full sum only of a value nothing else reads (a tile's values are added as they come, one pass
                    // either way); a group's or leading axes' fold whatever else reads the value, which is then kept as well
                    if (run.get(k).out().equals(e.in().get(0)) && sums[k] == null && (!fullSum(e) || uses.getOrDefault(e.in().get(0), 0) == 1)) {
                        sums[k] = e;
                        deferred.remove(d);
                        absorbed.add(d);
                    }
                }
            }
            return sums;
        }

        private boolean anyReduction(List<Stmt> after) {
            for (Stmt d : after) if (d instanceof Stmt.Eqn e && reduction(e) && e.in().get(0).equals(run.get(0).out())) return true;
            return false;
        }

        /** The fused statement: its outputs are the results read outside the run, and the sums. */
        private Stmt.Fused fused(Stmt.Eqn[] sums) {
            Map<Var, Integer> inside = new HashMap<>();
            for (Stmt.Eqn e : run) for (Var x : e.in()) inside.merge(x, 1, Integer::sum);
            List<Var> outs = new ArrayList<>();
            List<Stmt.Eqn> sumList = new ArrayList<>();
            for (int k = 0; k < run.size(); k++) {
                Var out = run.get(k).out();
                boolean last = k == run.size() - 1; // the run's last result is what it is for (or its sum is)
                int within = inside.getOrDefault(out, 0) + (sums[k] == null ? 0 : 1); // a sum taken in reads it inside the run
                if (last && sums[k] == null || uses.getOrDefault(out, 0) > within) outs.add(out);
                if (sums[k] != null) {
                    sumList.add(sums[k]);
                    outs.add(sums[k].out());
                }
            }
            return new Stmt.Fused(shape, List.copyOf(run), sumList, outs, run.get(0).origin());
        }
    }

    // --- uses ---------------------------------------------------------------------------------

    /** Counts the reads of each variable in a block; a loop or branch also counts once each value it reads from outside. */
    private static void countUses(List<Stmt> body, Map<Var, Integer> uses) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Eqn e) {
                for (Var v : e.in()) uses.merge(v, 1, Integer::sum);
            } else if (s instanceof Stmt.Loop l) {
                countUses(l.body(), uses);
                for (Var v : Blocks.free(s)) uses.merge(v, 1, Integer::sum);
                for (Var v : l.results()) if (v != null) uses.merge(v, 1, Integer::sum);
                for (Var v : l.stacked()) uses.merge(v, 1, Integer::sum);
            } else if (s instanceof Stmt.Cond c) {
                countUses(c.then(), uses);
                countUses(c.otherwise(), uses);
                for (Var v : Blocks.free(s)) uses.merge(v, 1, Integer::sum);
                for (Var v : c.thenResults()) if (v != null) uses.merge(v, 1, Integer::sum);
                for (Var v : c.elseResults()) if (v != null) uses.merge(v, 1, Integer::sum);
            } else {
                for (Var v : Blocks.free(s)) uses.merge(v, 1, Integer::sum);
            }
        }
    }
}
