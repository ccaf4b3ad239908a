package tx.runtime.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.kernels.Elementwise;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Fusion of elementwise chains. A run of consecutive elementwise equations that make tensors of
 * one shape (each operand of that shape or a single number) is evaluated a tile of {@link #TILE}
 * elements at a time: every equation runs over the tile before the next tile starts, so an
 * intermediate that only the run reads lives in a small buffer that stays in cache, and is never
 * made as a whole tensor. Every element is computed by the same operation as unfused, so the
 * results are identical (the Vector API is chosen by the tensor's size, as unfused).
 */
final class Fusion {
    /** Elements per tile: a multiple of every vector length, small enough for the L1 or L2 cache. */
    static final int TILE = Integer.getInteger("tx.fusion.tile", 1024);
    /** Tensors smaller than this are not worth fusing (the bookkeeping would cost more than the memory traffic saved). */
    static final int MIN_ELEMENTS = Integer.getInteger("tx.fusion.min", 4096);
    // NOTE: the two properties exist for testing: -Dtx.fusion.min=1 -Dtx.fusion.tile=8 fuses even tiny tensors in odd tiles

    private Fusion() {}

    /** A run of equations evaluated together; {@code keep[k]}: equation k's result is read outside the run. */
    record Run(List<Stmt.Eqn> eqns, boolean[] keep, int[] shape, Stmt.Eqn[] sums) implements Step {}

    /** A statement as it is, or a fused run. */
    sealed interface Step permits Run, Single {}

    record Single(Stmt stmt) implements Step {}

    static boolean fusable(Stmt s) {
        return s instanceof Stmt.Eqn e && (e.prim().unaryFunction() != null || e.prim().binaryFunction() != null || contiguous(e) || block(e)
                || spread(e)) && Shapes.numel(e.out().shapeRef()) >= MIN_ELEMENTS;
    }

    /** One number broadcast to a shape (a gradient seed spread over a sum's input): in a run it stays one number. */
    static boolean spread(Stmt.Eqn e) {
        return e.prim() == Prim.EXPAND && Shapes.numel(e.in().get(0).shapeRef()) == 1;
    }

    /**
     * A slice that is one contiguous block of its input (a range of the first axis, everything of
     * the others): in a run it is read in place, at an offset, rather than copied.
     */
    static boolean contiguous(Stmt.Eqn e) {
        if (e.prim() != Prim.SLICE) return false;
        tx.runtime.ir.Attrs.Slice sl = (tx.runtime.ir.Attrs.Slice) e.attr();
        int[] in = e.in().get(0).shapeRef();
        if (in.length == 0 || sl.step()[0] != 1) return false;
        for (int d = 1; d < in.length; d++) if (sl.start()[d] != 0 || sl.stop()[d] != in[d] || sl.step()[d] != 1) return false;
        return true;
    }

    /** A pad that puts its input in one contiguous block of zeros (the adjoint of a contiguous slice): written tile by tile. */
    static boolean block(Stmt.Eqn e) {
        if (e.prim() != Prim.PAD) return false;
        tx.runtime.ir.Attrs.Pad p = (tx.runtime.ir.Attrs.Pad) e.attr();
        int[] in = e.in().get(0).shapeRef(), out = p.shape();
        if (in.length == 0 || p.step()[0] != 1) return false;
        for (int d = 1; d < in.length; d++) if (p.start()[d] != 0 || p.step()[d] != 1 || in[d] != out[d]) return false;
        return true;
    }

    /** Where a pad's block starts in its output's data. */
    private static int padBase(Stmt.Eqn e) {
        int[] out = ((tx.runtime.ir.Attrs.Pad) e.attr()).shape();
        int row = 1;
        for (int d = 1; d < out.length; d++) row *= out[d];
        return ((tx.runtime.ir.Attrs.Pad) e.attr()).start()[0] * row;
    }

    /** Where a contiguous slice starts in its input's data. */
    private static int base(Stmt.Eqn e) {
        int[] in = e.in().get(0).shapeRef();
        int row = 1;
        for (int d = 1; d < in.length; d++) row *= in[d];
        return ((tx.runtime.ir.Attrs.Slice) e.attr()).start()[0] * row;
    }

    /** The block as steps: fused runs of two or more equations, and single statements. */
    static List<Step> plan(List<Stmt> body, Map<Var, Integer> uses) {
        List<Step> steps = new ArrayList<>();
        java.util.Set<Stmt> absorbed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()); // sums a run took in
        int i = 0;
        while (i < body.size()) {
            Stmt s = body.get(i);
            if (absorbed.contains(s)) {
                i++;
                continue;
            }
            if (!fusable(s) || !fits((Stmt.Eqn) s, ((Stmt.Eqn) s).out().shapeRef())) {
                steps.add(new Single(s));
                i++;
                continue;
            }
            int[] shape = ((Stmt.Eqn) s).out().shapeRef();
            List<Stmt.Eqn> run = new ArrayList<>(List.of((Stmt.Eqn) s));
            // equations of other kinds (a sum of the run's values, say) that the rest of the run does not
            // read wait until after it, so that one run can cover what they would split
            List<Stmt> deferred = new ArrayList<>(), hoisted = new ArrayList<>();
            java.util.Set<Var> waiting = new java.util.HashSet<>();
            int j = i + 1, end = j;
            while (j < body.size()) {
                Stmt t = body.get(j);
                if (absorbed.contains(t)) { // an earlier run already computes it
                    j++;
                    continue;
                }
                if (fusable(t) && Arrays.equals(((Stmt.Eqn) t).out().shapeRef(), shape) && fits((Stmt.Eqn) t, shape)) {
                    boolean blocked = false;
                    for (Var x : ((Stmt.Eqn) t).in()) blocked |= waiting.contains(x);
                    if (contiguous((Stmt.Eqn) t) || block((Stmt.Eqn) t)) for (Stmt.Eqn e : run) blocked |= e.out().equals(((Stmt.Eqn) t).in().get(0));
                    if (blocked) break;
                    run.add((Stmt.Eqn) t);
                    end = ++j;
                } else if (t instanceof Stmt.Eqn d && deferred.size() + hoisted.size() < 16) {
                    boolean readsRun = false;
                    for (Var x : d.in()) {
                        readsRun |= waiting.contains(x);
                        for (Stmt.Eqn e : run) readsRun |= e.out().equals(x);
                    }
                    if (readsRun) { // after the run, which makes what it reads
                        deferred.add(d);
                        waiting.add(d.out());
                    } else { // independent of the run (a constant, say): before it
                        hoisted.add(d);
                    }
                    j++;
                } else {
                    break;
                }
            }
            int last = end;
            // a sum right after the run may be absorbed into it (below); the others after the run's last equation stay where they are
            List<Stmt> after = new ArrayList<>();
            for (Stmt d : deferred) if (body.indexOf(d) >= last) after.add(d);
            if (end < body.size() && body.get(end) instanceof Stmt.Eqn e && e.prim() == Prim.SUM && !after.contains(e)) after.add(e);
            deferred.removeIf(d -> body.indexOf(d) >= last);
            hoisted.removeIf(d -> body.indexOf(d) >= last);
            j = end;
            if (run.size() < 2) {
                steps.add(new Single(s));
                j = i + 1;
            } else {
                Map<Var, Integer> inside = new HashMap<>();
                for (Stmt.Eqn e : run) for (Var x : e.in()) inside.merge(x, 1, Integer::sum);
                // a sum of all of a run's result that nothing else reads is added up tile by tile, in the
                // same order as the sum kernel, instead of after the result is made whole
                Stmt.Eqn[] sums = new Stmt.Eqn[run.size()];
                List<Stmt> candidates = new ArrayList<>(deferred);
                candidates.addAll(after);
                for (Stmt d : candidates) {
                    if (!(d instanceof Stmt.Eqn e) || e.prim() != Prim.SUM || ((tx.runtime.ir.Attrs.Reduce) e.attr()).keepdim()) continue;
                    if (((tx.runtime.ir.Attrs.Reduce) e.attr()).axes().length != shape.length) continue;
                    for (int k = 0; k < run.size(); k++) {
                        if (run.get(k).out().equals(e.in().get(0)) && sums[k] == null && uses.getOrDefault(e.in().get(0), 0) == 1) {
                            sums[k] = e;
                            deferred.remove(d);
                            absorbed.add(d);
                        }
                    }
                }
                boolean[] keep = new boolean[run.size()];
                for (int k = 0; k < run.size(); k++) {
                    Var out = run.get(k).out();
                    keep[k] = uses.getOrDefault(out, 0) > inside.getOrDefault(out, 0);
                }
                keep[run.size() - 1] = sums[run.size() - 1] == null; // the run's last result is what it is for (or its sum)
                for (Stmt d : hoisted) steps.add(new Single(d));
                steps.add(new Run(run, keep, shape, sums));
                for (Stmt d : deferred) steps.add(new Single(d));
            }
            i = j;
        }
        return steps;
    }

    /** Every operand has the result's shape or is a single number. */
    private static boolean fits(Stmt.Eqn e, int[] shape) {
        if (contiguous(e) || block(e) || spread(e)) return true; // its input is read at an offset, or is one number
        for (Var x : e.in()) if (Shapes.numel(x.shapeRef()) != 1 && !Arrays.equals(x.shapeRef(), shape)) return false;
        return true;
    }

    /**
     * Evaluates a run; {@code get} reads the values of variables made before it, and the results
     * read outside the run are returned by equation (null where not kept).
     */
    static Tensor[] run(Run r, java.util.function.Function<Var, Tensor> get) {
        List<Stmt.Eqn> eqns = r.eqns();
        int g = eqns.size(), n = Shapes.numel(r.shape());
        Map<Var, Integer> index = new HashMap<>();
        for (int k = 0; k < g; k++) index.put(eqns.get(k).out(), k);
        double[][] full = new double[g][], tile = new double[g][], view = new double[g][];
        int[] viewBase = new int[g], padAt = new int[g];
        double[][] padded = new double[g][], number = new double[g][];
        boolean[] fillTile = new boolean[g];
        for (int k = 0; k < g; k++) {
            Stmt.Eqn e = eqns.get(k);
            if (block(e)) { // its input comes from before the run
                padded[k] = get.apply(e.in().get(0)).data();
                padAt[k] = padBase(e);
            }
            if (spread(e)) {
                number[k] = get.apply(e.in().get(0)).data();
                // read by a unary operation, it is filled into a tile: the operation's kernel then sees the
                // same elements as unfused (a SIMD function and its scalar tail do not agree to the bit)
                for (Stmt.Eqn c : eqns) if (c.prim().unaryFunction() != null && c.in().get(0).equals(e.out())) fillTile[k] = true;
            }
            if (contiguous(e)) { // read in place (its input comes from before the run)
                view[k] = get.apply(e.in().get(0)).data();
                viewBase[k] = base(e);
            }
            if (r.keep()[k]) full[k] = new double[n];
            else if (view[k] == null && (number[k] == null || fillTile[k])) tile[k] = new double[TILE];
        }
        // each operand: an earlier result of the run, or an outside tensor (whole, or a single number)
        int[][] from = new int[g][];
        double[][][] outside = new double[g][][];
        for (int k = 0; k < g; k++) {
            List<Var> in = eqns.get(k).in();
            from[k] = new int[in.size()];
            outside[k] = new double[in.size()][];
            for (int q = 0; q < in.size(); q++) {
                Integer at = index.get(in.get(q));
                from[k][q] = at == null ? -1 : at;
                if (at == null) outside[k][q] = get.apply(in.get(q)).data();
            }
        }
        // per equation, once: where each operand is read from, and whether it moves with the tile
        double[][][] arr = new double[g][][];
        boolean[][] moves = new boolean[g][], one = new boolean[g][];
        int[][] shift = new int[g][];
        for (int k = 0; k < g; k++) {
            int m = eqns.get(k).in().size();
            arr[k] = new double[m][];
            moves[k] = new boolean[m];
            one[k] = new boolean[m];
            shift[k] = new int[m];
            for (int q = 0; q < m; q++) {
                int f = from[k][q];
                if (f >= 0 && number[f] != null && full[f] == null && !fillTile[f]) { // one number, broadcast
                    arr[k][q] = number[f];
                    one[k][q] = true;
                } else if (f >= 0 && view[f] != null) { // a slice read in place
                    arr[k][q] = view[f];
                    moves[k][q] = true;
                    shift[k][q] = viewBase[f];
                } else if (f >= 0) {
                    arr[k][q] = full[f] != null ? full[f] : tile[f];
                    moves[k][q] = full[f] != null;
                } else {
                    arr[k][q] = outside[k][q];
                    one[k][q] = arr[k][q].length == 1;
                    moves[k][q] = !one[k][q];
                }
            }
        }
        int[] off = new int[3];
        double[] total = new double[g];
        for (int lo = 0; lo < n; lo += TILE) {
            if ((lo / TILE & 63) == 63) tx.runtime.kernels.Limits.checkTime(); // a long run stops at its --timeout, every 64 tiles
            int len = Math.min(TILE, n - lo);
            for (int k = 0; k < g; k++) {
                // where equation k's values for this tile are read from: an array and an offset (or one number)
                double[] src;
                int so;
                if (padded[k] != null) { // zeros, and the block's part that falls in this tile
                    double[] o = full[k] != null ? full[k] : tile[k];
                    int oo = full[k] != null ? lo : 0, first = Math.max(lo, padAt[k]), end = Math.min(lo + len, padAt[k] + padded[k].length);
                    java.util.Arrays.fill(o, oo, oo + len, 0.0);
                    if (first < end) System.arraycopy(padded[k], first - padAt[k], o, oo + (first - lo), end - first);
                    src = o;
                    so = oo;
                } else if (number[k] != null) { // one number: filled in only where it is read whole
                    if (full[k] != null) java.util.Arrays.fill(full[k], lo, lo + len, number[k][0]);
                    else if (fillTile[k]) java.util.Arrays.fill(tile[k], 0, len, number[k][0]);
                    src = null;
                    so = 0;
                } else if (view[k] != null) { // a slice: copied only if it is read outside the run
                    if (full[k] != null) System.arraycopy(view[k], viewBase[k] + lo, full[k], lo, len);
                    src = view[k];
                    so = viewBase[k] + lo;
                } else {
                    double[] o = full[k] != null ? full[k] : tile[k];
                    int oo = full[k] != null ? lo : 0;
                    for (int q = 0; q < arr[k].length; q++) off[q] = moves[k][q] ? lo + shift[k][q] : 0;
                    apply(eqns.get(k).prim(), arr[k], off, one[k], o, oo, len, n);
                    src = o;
                    so = oo;
                }
                if (r.sums()[k] != null) { // element by element, in order, as the sum kernel adds them
                    double acc = total[k];
                    if (src == null) for (int i = 0; i < len; i++) acc += number[k][0];
                    else for (int i = 0; i < len; i++) acc += src[so + i];
                    total[k] = acc;
                }
            }
        }
        Tensor[] out = new Tensor[2 * g]; // the kept results, then the sums
        for (int k = 0; k < g; k++) {
            if (full[k] != null) out[k] = Tensor.of(eqns.get(k).out().shapeRef(), full[k]);
            if (r.sums()[k] != null) out[g + k] = Tensor.of(r.sums()[k].out().shapeRef(), new double[] {total[k]});
        }
        return out;
    }

    /** One equation over one tile: its own loop where it has one, else its function element by element. */
    private static void apply(Prim p, double[][] a, int[] off, boolean[] one, double[] o, int oo, int len, int total) {
        Elementwise.Op op = p.fastOp();
        if (p.unaryFunction() != null) {
            if (op != null && Elementwise.mapRange(op, a[0], off[0], o, oo, len, total)) return;
            java.util.function.DoubleUnaryOperator f = p.unaryFunction();
            for (int i = 0; i < len; i++) o[oo + i] = f.applyAsDouble(a[0][off[0] + (one[0] ? 0 : i)]);
            return;
        }
        if (op != null && Elementwise.zipRange(op, a[0], off[0], one[0], a[1], off[1], one[1], o, oo, len)) return;
        java.util.function.DoubleBinaryOperator f = p.binaryFunction();
        for (int i = 0; i < len; i++) o[oo + i] = f.applyAsDouble(a[0][off[0] + (one[0] ? 0 : i)], a[1][off[1] + (one[1] ? 0 : i)]);
    }
}
