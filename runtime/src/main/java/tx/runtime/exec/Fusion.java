package tx.runtime.exec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.FusionPass;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.kernels.Elementwise;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The fused kernel: evaluates a {@link Stmt.Fused} run (made by {@link FusionPass}) a tile of
 * {@link #TILE} elements at a time: every equation runs over the tile before the next tile starts,
 * so an intermediate that only the run reads lives in a small buffer that stays in cache, and is
 * never made as a whole tensor. Every element is computed by the same operation as unfused, so the
 * results are identical (the Vector API is chosen by the tensor's size, as unfused).
 */
final class Fusion {
    /** Elements per tile: a multiple of every vector length, small enough for the L1 or L2 cache. */
    static final int TILE = Integer.getInteger("tx.fusion.tile", 1024);
    // NOTE: the property exists for testing: -Dtx.fusion.min=1 -Dtx.fusion.tile=8 fuses even tiny tensors in odd tiles

    private Fusion() {}

    /** Where a pad's block starts in its output's data. */
    private static int padBase(Stmt.Eqn e) {
        int[] out = ((Attrs.Pad) e.attr()).shape();
        int row = 1;
        for (int d = 1; d < out.length; d++) row *= out[d];
        return ((Attrs.Pad) e.attr()).start()[0] * row;
    }

    /** Where a contiguous slice starts in its input's data. */
    private static int base(Stmt.Eqn e) {
        int[] in = e.in().get(0).shapeRef();
        int row = 1;
        for (int d = 1; d < in.length; d++) row *= in[d];
        return ((Attrs.Slice) e.attr()).start()[0] * row;
    }

    /**
     * Evaluates a fused run; {@code get} reads the values of variables made before it. Returns the
     * values of the run's outputs, in the order of {@link Stmt.Fused#outs}.
     */
    static Tensor[] run(Stmt.Fused r, java.util.function.Function<Var, Tensor> get) {
        List<Stmt.Eqn> eqns = r.eqns();
        int g = eqns.size(), n = Shapes.numel(r.shape());
        Map<Var, Integer> index = new HashMap<>();
        for (int k = 0; k < g; k++) index.put(eqns.get(k).out(), k);
        boolean[] keep = kept(r); // equation k's result is read outside the run
        Stmt.Eqn[] sums = sums(r, index); // the sum of equation k's result, added up as it is made
        double[][] full = new double[g][], tile = new double[g][], view = new double[g][];
        int[] viewBase = new int[g], padAt = new int[g];
        double[][] padded = new double[g][], number = new double[g][];
        boolean[] fillTile = new boolean[g];
        for (int k = 0; k < g; k++) {
            Stmt.Eqn e = eqns.get(k);
            if (FusionPass.block(e)) { // its input comes from before the run
                padded[k] = get.apply(e.in().get(0)).data();
                padAt[k] = padBase(e);
            }
            if (FusionPass.spread(e)) number[k] = get.apply(e.in().get(0)).data();
            else number[k] = folded(e, index, number, get);
            if (number[k] != null) {
                // read by a unary operation, it is filled into a tile: the operation's kernel then sees the
                // same elements as unfused (a SIMD function and its scalar tail do not agree to the bit)
                for (Stmt.Eqn c : eqns) if (c.prim().unaryFunction() != null && c.in().get(0).equals(e.out())) fillTile[k] = true;
            }
            if (FusionPass.contiguous(e)) { // read in place (its input comes from before the run)
                view[k] = get.apply(e.in().get(0)).data();
                viewBase[k] = base(e);
            }
            if (keep[k]) full[k] = tx.runtime.kernels.Buffers.take(n); // every element is written, tile by tile
            else if (view[k] == null && (number[k] == null || fillTile[k])) tile[k] = new double[TILE];
        }
        // each operand: an earlier result of the run, or an outside tensor (whole, a single number, or broadcast
        // along the leading or trailing axes: then the one operand of its equation read a segment at a time)
        int[][] from = new int[g][];
        double[][][] outside = new double[g][][];
        int[] partial = new int[g], rowsOf = new int[g], columnsOf = new int[g];
        for (int k = 0; k < g; k++) {
            List<Var> in = eqns.get(k).in();
            from[k] = new int[in.size()];
            outside[k] = new double[in.size()][];
            partial[k] = -1;
            for (int q = 0; q < in.size(); q++) {
                Integer at = index.get(in.get(q));
                from[k][q] = at == null ? -1 : at;
                if (at == null) outside[k][q] = get.apply(in.get(q)).data();
                int[] s = in.get(q).shapeRef();
                if (at == null && !FusionPass.readsBefore(eqns.get(k)) && outside[k][q].length != 1 && !java.util.Arrays.equals(s, r.shape())) {
                    partial[k] = q;
                    rowsOf[k] = FusionPass.rows(s, r.shape());
                    columnsOf[k] = FusionPass.columns(s, r.shape());
                }
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
                    moves[k][q] = !one[k][q] && partial[k] != q;
                }
            }
        }
        int[] off = new int[3];
        double[] total = new double[g];
        Groups[] folds = new Groups[g];
        for (int k = 0; k < g; k++) if (sums[k] != null && !FusionPass.fullSum(sums[k])) folds[k] = new Groups(sums[k]);
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
                    if (partial[k] < 0) apply(eqns.get(k).prim(), arr[k], off, one[k], o, oo, len, n);
                    else segments(eqns.get(k).prim(), arr[k], off, one[k], partial[k], rowsOf[k], columnsOf[k], o, oo, lo, len, n);
                    src = o;
                    so = oo;
                }
                if (folds[k] != null) {
                    folds[k].fold(src, so, number[k], lo, len);
                } else if (sums[k] != null) { // element by element, in order, as the sum kernel adds them
                    double acc = total[k];
                    if (src == null) for (int i = 0; i < len; i++) acc += number[k][0];
                    else for (int i = 0; i < len; i++) acc += src[so + i];
                    total[k] = acc;
                }
            }
        }
        return outputs(r, full, sums, total, folds);
    }

    /**
     * One equation over one tile whose operand q is broadcast ({@code rows}: element i reads
     * element i / rows of it; {@code columns}: i mod columns): the tile cut where that operand's
     * index jumps, and each piece computed with q as one number or as a contiguous run, by the
     * same loops as {@link #apply} (so as the broadcasting kernel computes each element).
     */
    private static void segments(Prim p, double[][] a, int[] off, boolean[] one, int q, int rows, int columns,
                                 double[] o, int oo, int lo, int len, int total) {
        int unit = rows > 0 ? rows : columns;
        int[] at = new int[a.length];
        boolean[] single = one.clone();
        single[q] = rows > 0;
        for (int u = 0; u < len; ) {
            int i = lo + u, piece = Math.min(len - u, unit - i % unit);
            for (int x = 0; x < a.length; x++) at[x] = one[x] ? 0 : off[x] + u;
            at[q] = rows > 0 ? i / rows : i % columns;
            apply(p, a, at, single, o, oo + u, piece, total);
            u += piece;
        }
    }

    /**
     * A sum or maximum over trailing axes (each group a run of {@link #size} consecutive elements)
     * or over leading axes (element i into result i mod {@link #size}) that a run folds as it makes
     * the operand: each result, in order.
     */
    private static final class Groups {
        final boolean max, leading;
        final int size;
        final double[] acc;

        Groups(Stmt.Eqn e) {
            max = e.prim() == Prim.MAX;
            leading = FusionPass.leadingReduction(e);
            int[] in = e.in().get(0).shapeRef();
            int[] axes = ((Attrs.Reduce) e.attr()).axes();
            int reduced = 1, results = 1;
            for (int d = 0, a = 0; d < in.length; d++) {
                if (a < axes.length && axes[a] == d) {
                    reduced *= in[d];
                    a++;
                } else {
                    results *= in[d];
                }
            }
            size = leading ? results : reduced;
            acc = new double[results];
            java.util.Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : 0.0);
        }

        /** Elements lo .. lo + len of the operand (src[so..], or the one number where src is null) into their results. */
        void fold(double[] src, int so, double[] number, int lo, int len) {
            if (src == null) {
                src = new double[len];
                java.util.Arrays.fill(src, number[0]);
                so = 0;
            }
            if (leading) tx.runtime.kernels.Reductions.acrossInto(src, so, lo, len, size, acc, max);
            else if (max) tx.runtime.kernels.Reductions.maxInto(src, so, lo, len, size, acc);
            else tx.runtime.kernels.Reductions.sumInto(src, so, lo, len, size, acc);
        }
    }

    /**
     * The one number an arithmetic equation makes when its operands are all single numbers (a spread
     * gradient seed times a constant, say: {@code full(1) * 100}), computed once instead of once per
     * element; null for any other equation. NOTE: only +, -, ·, / and negation, whose kernels apply
     * the operator itself to every element, so the number is each element's bits; a transcendental
     * function is not folded (its kernel on a large tensor is not Math's).
     */
    private static double[] folded(Stmt.Eqn e, Map<Var, Integer> index, double[][] number, java.util.function.Function<Var, Tensor> get) {
        Elementwise.Op op = e.prim().fastOp();
        if (op != Elementwise.Op.ADD && op != Elementwise.Op.SUB && op != Elementwise.Op.MUL && op != Elementwise.Op.DIV && op != Elementwise.Op.NEG) return null;
        double[] x = new double[e.in().size()];
        for (int q = 0; q < x.length; q++) {
            Integer at = index.get(e.in().get(q));
            double[] v = at != null ? number[at] : get.apply(e.in().get(q)).data();
            if (v == null || v.length != 1) return null;
            x[q] = v[0];
        }
        double r = switch (op) {
            case NEG -> -x[0];
            case ADD -> x[0] + x[1];
            case SUB -> x[0] - x[1];
            case MUL -> x[0] * x[1];
            default -> x[0] / x[1];
        };
        return new double[] {r};
    }

    /** Whether each equation's result is read after the run (made whole), by equation. */
    private static boolean[] kept(Stmt.Fused r) {
        Set<Var> outs = new HashSet<>(r.outs());
        boolean[] keep = new boolean[r.eqns().size()];
        for (int k = 0; k < keep.length; k++) keep[k] = outs.contains(r.eqns().get(k).out());
        return keep;
    }

    /** The sum that adds up each equation's result as it is made, by equation (null: none). */
    private static Stmt.Eqn[] sums(Stmt.Fused r, Map<Var, Integer> index) {
        Stmt.Eqn[] sums = new Stmt.Eqn[r.eqns().size()];
        for (Stmt.Eqn s : r.sums()) sums[index.get(s.in().get(0))] = s;
        return sums;
    }

    /** The run's outputs, in the order of {@link Stmt.Fused#outs}: whole results and sums. */
    private static Tensor[] outputs(Stmt.Fused r, double[][] full, Stmt.Eqn[] sums, double[] total, Groups[] folds) {
        Map<Var, Tensor> made = new HashMap<>();
        for (int k = 0; k < full.length; k++) {
            Var v = r.eqns().get(k).out();
            if (full[k] != null) made.put(v, Tensor.of(v.shapeRef(), full[k]));
            if (sums[k] != null) made.put(sums[k].out(), Tensor.of(sums[k].out().shapeRef(), folds[k] != null ? folds[k].acc : new double[] {total[k]}));
        }
        Tensor[] out = new Tensor[r.outs().size()];
        for (int q = 0; q < out.length; q++) out[q] = made.get(r.outs().get(q));
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
