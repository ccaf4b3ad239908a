package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.ad.Forward;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The transforms beyond reverse mode (LANGUAGE.md §7): forward mode ({@code jvp}, and {@code hvp}
 * as forward over reverse), Jacobians and Hessians (loops of the IR over the elements, whose tapes
 * hold the rows), and {@code vmap} (a loop over the mapped axis). Each is applied through
 * {@link Functions}, which applies the function values they wrap.
 */
final class MappedTransforms {
    private final Lowerer l;
    private final Functions f;

    MappedTransforms(Lowerer l, Functions f) {
        this.l = l;
        this.f = f;
    }

    /**
     * {@code vmap(f, in_dims=...)}: f mapped over one axis of its arguments. {@code in_dims} is an
     * axis for every argument, or a list with one per argument, None for an argument passed whole
     * (the default: 0 for all). Kept in the transform's list as -1 for None.
     */
    Val vmap(Ast.Call c) {
        if (c.args().isEmpty() || c.args().get(0).name() != null) {
            l.diags.error("E0104", c.span(), "`vmap` takes a function, e.g. `vmap(f)` or `vmap(f, in_dims=[None, 0])`", null);
            return new Val.Bad();
        }
        Val value = l.exprs.expr(c.args().get(0).value());
        if (value instanceof Val.Bad) return value;
        if (!(value instanceof Val.Fn fn)) {
            l.diags.error("E0401", c.args().get(0).span(), "`vmap` takes a function, found " + value.describe(), null);
            return new Val.Bad();
        }
        fn = f.closures.transformable(fn, c.args().get(0).span());
        int n = f.parameters(fn.ref()).size();
        List<Integer> dims = new ArrayList<>(java.util.Collections.nCopies(n, 0));
        List<Integer> outDims = List.of();
        for (int i = 1; i < c.args().size(); i++) {
            Ast.Arg a = c.args().get(i);
            if ("out_dims".equals(a.name())) {
                outDims = outDims(a);
                if (outDims == null) return new Val.Bad();
                continue;
            }
            if (!"in_dims".equals(a.name())) {
                l.diags.error("E0104", a.span(), "`vmap` takes one function, `in_dims=` and `out_dims=`", null);
                return new Val.Bad();
            }
            Val v = l.exprs.expr(a.value());
            List<Val> items = v instanceof Val.ListV list ? list.items() : java.util.Collections.nCopies(n, v);
            if (items.size() != n) {
                l.diags.error("E0104", a.span(), "`in_dims` has " + items.size() + " entries; `" + fn.ref().show() + "` takes " + n + " arguments", null);
                return new Val.Bad();
            }
            for (int k = 0; k < n; k++) {
                Val d = items.get(k);
                if (d instanceof Val.None) dims.set(k, -1);
                else if (d instanceof Val.Num num && num.isWhole() && num.value() >= 0) dims.set(k, (int) num.value());
                else {
                    l.diags.error("E0401", a.span(), "an entry of `in_dims` is an axis (0, 1, ...) or None, found " + d.describe(), null);
                    return new Val.Bad();
                }
            }
        }
        dims.addAll(outDims);
        return new Val.Fn(new Val.Transform("vmap", fn.ref(), dims));
    }

    /**
     * Marks the end of {@code out_dims} given as a tuple or list, one axis per result, in a vmap's
     * list of axes: the list is {@code in_dims} (one per parameter), then nothing (the mapped axis
     * first in every result), one axis (in every result), or the axes of the results and this.
     */
    private static final int OUT_DIMS_TUPLE = Integer.MIN_VALUE;

    /**
     * {@code out_dims=} (functorch's): where each result's mapped axis goes, an axis for all or a
     * tuple with one per result; negative axes count from the end. None is refused, as functorch refuses it.
     */
    private List<Integer> outDims(Ast.Arg a) {
        Val v = l.exprs.expr(a.value());
        if (v instanceof Val.Bad) return null;
        if (v instanceof Val.ListV list && !list.tuple()) { // functorch: "out_dims is not compatible with the structure of `outputs`"
            l.diags.error("E0104", a.span(), "`out_dims` is a list, but a function's results are a tuple", "write a tuple: `out_dims=(1, 0)`");
            return null;
        }
        List<Val> items = v instanceof Val.ListV list ? list.items() : List.of(v);
        List<Integer> out = new ArrayList<>();
        for (Val d : items) {
            if (!(d instanceof Val.Num num) || !num.isWhole()) {
                l.diags.error("E0401", a.span(), "an entry of `out_dims` is an axis (0, 1, ..., or -1 for the last), found " + d.describe(),
                        "every result of a vmap is stacked along an axis of its own");
                return null;
            }
            out.add((int) num.value());
        }
        if (v instanceof Val.ListV) out.add(OUT_DIMS_TUPLE); // a tuple, even of one axis, gives one per result
        return out;
    }

    /** The stacked results of a vmap with their mapped axes moved where {@code out_dims} says; null after an error. */
    private List<Var> movedOut(Val.Transform t, int n, List<Var> stacked, Args a) {
        List<Integer> out = t.wrt().subList(n, t.wrt().size());
        boolean tuple = !out.isEmpty() && out.get(out.size() - 1) == OUT_DIMS_TUPLE;
        if (tuple) out = out.subList(0, out.size() - 1);
        if (tuple && out.size() != stacked.size()) {
            l.diags.error("E0104", a.span(), "`out_dims` has " + out.size() + (out.size() == 1 ? " entry" : " entries") + "; `" + t.of().show() + "` returns " + stacked.size()
                    + (stacked.size() == 1 ? " value" : " values"), "give one axis for every result, or one number for all");
            return null;
        }
        List<Var> moved = new ArrayList<>();
        for (int j = 0; j < stacked.size(); j++) {
            Var v = stacked.get(j);
            int rank = v.shapeRef().length, d = out.isEmpty() ? 0 : out.get(tuple ? j : 0);
            if (d < -rank || d >= rank) {
                l.diags.error("E0202", a.span(), "`out_dims` puts the mapped axis at " + d + " of a result of shape " + Shapes.show(v.shapeRef())
                        + " (the mapped axis of " + v.shapeRef()[0] + " included)", "an axis from " + -rank + " to " + (rank - 1));
                return null;
            }
            d = d < 0 ? d + rank : d;
            int[] perm = new int[rank];
            for (int k = 0, from = 1; k < rank; k++) perm[k] = k == d ? 0 : from++;
            moved.add(d == 0 ? v : l.b.transpose(v, perm));
        }
        return moved;
    }

    /**
     * Applies {@code jvp(f, wrt=...)}: f's arguments, then one tangent per {@code wrt} parameter;
     * returns the value and its tangent, by forward mode ({@link Forward}). {@code hvp(f, wrt=...)}
     * is forward over reverse: the tangent of f's gradient along v, {@code H v}, without forming H;
     * it returns the value, then one {@code H v} per {@code wrt} parameter. The {@code wrt}
     * arguments are copied into fresh variables, the seeds; f is applied, and the statements of
     * the application are rebuilt with their tangents (a call calls the function's tangent
     * function); what was made before is a constant to the pass.
     */
    Val jvp(Val.Transform t, List<T> args, Args a) {
        int n = args.size() - t.wrt().size();
        List<T> params = new ArrayList<>(args.subList(0, n));
        Map<Var, Var> seeds = new LinkedHashMap<>();
        for (int j = 0; j < t.wrt().size(); j++) {
            int k = t.wrt().get(j);
            T x = params.get(k), tangent = args.get(n + j);
            if (!Arrays.equals(tangent.shape(), x.shape())) {
                l.diags.error("E0201", a.span(), "the tangent of `" + f.parameters(t).get(k) + "` has shape " + Shapes.show(tangent.shape())
                        + " but the argument has shape " + Shapes.show(x.shape()), "a tangent has the shape of its argument");
                return new Val.Bad();
            }
            String oldName = l.b.named(f.parameters(t).get(k));
            Var copy = l.b.copy(x.var()); // a fresh variable to seed, named as the parameter
            l.b.named(oldName);
            seeds.put(copy, tangent.var());
            params.set(k, x.withVar(copy));
        }
        int start = l.b.currentBlock().size(); // f's application: the statements forward mode rebuilds with tangents
        f.transformDepth++;
        try {
            boolean hvp = t.kind().equals("hvp"); // forward over reverse: the tangent of the gradient along v is H v
            Val out = f.applyTo(hvp ? new Val.Transform("value_and_grad", t.of(), t.wrt()) : t.of(), params, a.call);
            if (out instanceof Val.Bad) return out;
            List<Val> items = out instanceof Val.Tuple tuple ? tuple.items() : List.of(out);
            if (!hvp && items.size() != 1) return f.notOneOutput(t, a);
            List<Var> moving = new ArrayList<>();
            for (Val v : hvp ? items.subList(1, items.size()) : items) {
                if (!(v instanceof T out1)) { // jvp(print): a function whose result is no tensor has no tangent
                    l.diags.error("E0401", a.span(), "`" + t.kind() + "` needs a function that returns a tensor; this one returns " + v.describe(), null);
                    return new Val.Bad();
                }
                moving.add(out1.var());
            }
            Forward.Result r = Forward.jvp(l.b, l.graph, moving, seeds, start);
            if (r.blockedAt() instanceof tx.runtime.ir.Stmt.Eqn e) {
                l.diags.error("E0306", a.span(), "this forward-mode derivative would have to go through " + l.graph.barrierReason(e.out()), l.graph.barrierHelp(e.out()));
                return new Val.Bad();
            }
            if (r.blockedAt() != null) {
                String what = r.blockedAt() instanceof tx.runtime.ir.Stmt.Call ? "a function with a `custom_vjp` rule"
                        : r.blockedAt() instanceof tx.runtime.ir.Stmt.Loop ? "the loop at line " + r.blockedAt().origin().line()
                        : "the `if` at line " + r.blockedAt().origin().line();
                l.diags.error("E0306", a.span(), "this forward-mode derivative would have to go through " + what,
                        "a `custom_vjp` rule gives no tangent: use reverse mode (grad, vjp) there, or give the function a `custom_jvp` rule instead");
                return new Val.Bad();
            }
            List<Val> results = new ArrayList<>(List.of(f.finish((T) items.get(0))));
            for (Var tv : r.tangents()) results.add(f.finish(l.exprs.result(tv, "MulBackward0")));
            return new Val.Tuple(results);
        } finally {
            f.transformDepth--;
        }
    }

    static final Set<String> JACOBIANS = Set.of("jacobian", "jacrev", "jacfwd", "hessian");

    /**
     * Applies {@code vmap(f, in_dims=...)}: a loop of the IR over the mapped axis, whose body takes
     * each mapped argument's slice at the loop's index and applies f; the loop records each result
     * on a tape, which is the stacked result (the mapped axis first, as out_dims=0). NOTE: a loop,
     * not batching rules per primitive yet, so it costs a pass per example; its results are not
     * differentiable again (E0306 if a backward reaches them).
     */
    Val vmap(Val.Transform t, List<T> args, Args a) {
        int batch = -1;
        for (int k = 0; k < args.size(); k++) {
            int d = t.wrt().get(k);
            if (d < 0) continue;
            int[] s = args.get(k).shape();
            if (d >= s.length) {
                l.diags.error("E0202", a.span(), "`in_dims` maps axis " + d + " of argument " + (k + 1) + ", which has shape " + Shapes.show(s), null);
                return new Val.Bad();
            }
            if (batch >= 0 && s[d] != batch) {
                l.diags.error("E0201", a.span(), "`vmap` maps axes of different sizes: " + batch + " and " + s[d] + " (argument " + (k + 1) + ")",
                        "every mapped axis must have the same size");
                return new Val.Bad();
            }
            batch = s[d];
        }
        if (batch < 0) {
            l.diags.error("E0104", a.span(), "`vmap` needs at least one argument to map over (an `in_dims` entry that is not None)", null);
            return new Val.Bad();
        }
        Var index = l.b.newVar(new int[0], "i");
        Object generator = l.random.mark(); // a draw in the rows stays in them (the generator after the map is the one before it)
        l.b.openBlock();
        List<T> slices = new ArrayList<>();
        for (int k = 0; k < args.size(); k++) {
            T x = args.get(k);
            int d = t.wrt().get(k);
            slices.add(d < 0 ? x : new T(l.b.take(x.var(), index, d), x.rg(), -1, x.rg() ? "SelectBackward0" : null, false, false));
        }
        Val out = f.applyTo(t.of(), slices, a.call); // a transform inside (vmap(grad(f))) finishes its rows as it would outside the map
        List<tx.runtime.ir.Stmt> body = l.b.closeBlock();
        l.random.reset(generator);
        if (out instanceof Val.Bad) return out;
        List<Var> rows = new ArrayList<>();
        for (Val v : out instanceof Val.Tuple tuple ? tuple.items() : List.of(out)) rows.add(((T) v).var());
        List<Var> moved = movedOut(t, args.size(), rowsStacked(body, index, batch, rows, "vmapped", a), a);
        return moved == null ? new Val.Bad() : stackedResults(moved);
    }

    /**
     * The rows that {@code body} computes for each value of {@code index} below {@code count} (a
     * vmap's, or a Jacobian's or Hessian's seeded with the one-hot vector at the index), stacked along a new
     * first axis: batched into one program where every statement has a rule ({@code Batching}),
     * else a loop of the IR that records each row on a tape.
     */
    private List<Var> rowsStacked(List<tx.runtime.ir.Stmt> body, Var index, int count, List<Var> rows, String name, Args a) {
        List<Var> stacked = BATCHING ? tx.compiler.ad.Batching.batch(l.b, l.graph, body, index, count, rows) : null;
        if (stacked != null) return stacked;
        List<Var> tapes = new ArrayList<>();
        for (Var r : rows) tapes.add(l.b.newVar(Shapes.concat(new int[] {count}, r.shapeRef()), name, r.dtype()));
        tx.runtime.ir.Stmt.Loop loop = new tx.runtime.ir.Stmt.Loop(count, index, List.of(), List.of(), body, List.of(), List.of(), rows, tapes, false,
                a.span().origin());
        l.b.add(loop);
        l.graph.structure(loop); // a derivative reaches the rows through the tape
        for (int j = 0; j < tapes.size(); j++) l.graph.setRequiresGrad(tapes.get(j), l.graph.requiresGrad(rows.get(j)) && !l.graph.noGrad());
        return tapes;
    }

    /** Whether vmap uses batching rules where it can (the default); {@code -Dtx.vmap=loop} keeps every vmap a loop, to compare the two. */
    private static final boolean BATCHING = !"loop".equals(System.getProperty("tx.vmap"));

    /** A vmap's results, batched or a loop's tapes: a map, not a derivative, as differentiable as f's results. */
    private Val stackedResults(List<Var> stacked) {
        List<Val> results = new ArrayList<>();
        for (Var v : stacked) {
            boolean rg = l.graph.requiresGrad(v) && !l.graph.noGrad();
            results.add(new T(v, rg, -1, rg ? "StackBackward0" : null, false, false));
        }
        return results.size() == 1 ? results.get(0) : new Val.Tuple(results);
    }

    /**
     * Applies {@code jacobian}/{@code jacrev} (reverse mode: one vjp per output element),
     * {@code jacfwd} (forward mode: one jvp per input element) or {@code hessian} (jacfwd of grad:
     * forward over reverse) of f with respect to each {@code wrt} parameter: a Jacobian of shape
     * {@code out.shape + in.shape}. Each is a loop of the IR over the elements, whose body is the
     * vjp or jvp with a one-hot vector made from the loop's index; the loop records each
     * iteration's row on a tape, which is the Jacobian (transposed for jacfwd). So the program does
     * not grow with the number of elements.
     */
    Val jacobian(Val.Transform t, List<T> args, Args a) {
        f.transformDepth++; // as for grad: inside another transform, the Jacobian stays differentiable
        try {
            return jacobians(t, args, a);
        } finally {
            f.transformDepth--;
        }
    }

    private Val jacobians(Val.Transform t, List<T> args, Args a) {
        boolean forward = t.kind().equals("jacfwd") || t.kind().equals("hessian");
        Val.FnRef of = t.kind().equals("hessian") ? new Val.Transform("grad", t.of(), t.wrt()) : t.of();
        if (t.kind().equals("hessian") && t.wrt().size() != 1) return hessianBlocks(t, args, a);
        int[] outShape = outputShape(of, args, a);
        if (outShape == null) return new Val.Bad();
        List<Val> jacobians = new ArrayList<>();
        for (int k : forward ? t.wrt() : List.of(-1)) {
            int n = Shapes.numel(forward ? args.get(k).shape() : outShape);
            Var index = l.b.newVar(new int[0], "i");
            Object generator = l.random.mark(); // a draw in the rows stays in them
            l.b.openBlock();
            Var oneHot = l.b.put(l.b.scalar(1), index, new int[] {n}, 0);
            List<Var> rows = new ArrayList<>();
            List<T> inner = new ArrayList<>(args); // f's arguments, then the one-hot tangent or cotangent
            inner.add(new T(l.b.reshape(oneHot, forward ? args.get(k).shape() : outShape), false, -1, null, false, false));
            Val out;
            if (forward) {
                out = f.applyTo(new Val.Transform("jvp", of, List.of(k)), inner, a.call);
                if (out instanceof Val.Tuple tuple) rows.add(((T) tuple.items().get(1)).var());
            } else {
                out = f.applyTo(new Val.Transform("vjp", of, t.wrt()), inner, a.call);
                for (Val v : out instanceof Val.Tuple tuple ? tuple.items() : List.of(out)) if (v instanceof T r) rows.add(r.var());
            }
            List<tx.runtime.ir.Stmt> body = l.b.closeBlock();
            l.random.reset(generator);
            if (out instanceof Val.Bad) return out;
            List<Var> tapes = rowsStacked(body, index, n, rows, "jacobian", a);
            for (int j = 0; j < tapes.size(); j++) {
                Var tape = tapes.get(j), jac;
                if (forward) { // rows are d out / d x_i: move the input's axis last, then spread it into x's shape
                    int r = outShape.length;
                    int[] perm = new int[r + 1];
                    for (int q = 0; q < r; q++) perm[q] = q + 1;
                    jac = l.b.reshape(l.b.transpose(tape, perm), Shapes.concat(outShape, args.get(k).shape()));
                } else { // rows are d out_i / d x: the output's elements lead, in its shape
                    jac = l.b.reshape(tape, Shapes.concat(outShape, args.get(t.wrt().get(j)).shape()));
                }
                jacobians.add(f.finish(l.exprs.result(jac, "ViewBackward0")));
            }
        }
        return jacobians.size() == 1 ? jacobians.get(0) : new Val.Tuple(jacobians);
    }

    /**
     * {@code hessian(f, wrt=[a_1, ..., a_n])}: the blocks {@code H[i][j] = ∂²f / ∂a_i ∂a_j}, of shape
     * {@code a_i.shape + a_j.shape}, as a tuple of rows (torch.autograd.functional.hessian's nesting
     * for a tuple of inputs). Column block j is a loop over the elements of a_j, whose body is
     * {@code hvp(f, wrt)} along the one-hot vector of that element in a_j and zeros in the others:
     * forward over reverse, each iteration giving one element's column of every block H[i][j].
     */
    private Val hessianBlocks(Val.Transform t, List<T> args, Args a) {
        int[] outShape = outputShape(t.of(), args, a);
        if (outShape == null) return new Val.Bad();
        if (Shapes.numel(outShape) != 1) {
            l.diags.error("E0301", a.span(), "`hessian` needs a function with a scalar result; `" + t.of().show() + "` returns shape " + Shapes.show(outShape),
                    "reduce its result to a scalar (sum, mean)");
            return new Val.Bad();
        }
        int n = t.wrt().size();
        if (new java.util.HashSet<>(t.wrt()).size() != n) {
            l.diags.error("E0104", a.span(), "`hessian` names a parameter twice in `wrt=`", "name each parameter once: its blocks with the others come with it");
            return new Val.Bad();
        }
        Var[][] blocks = new Var[n][n];
        for (int j = 0; j < n; j++) {
            int[] shapeJ = args.get(t.wrt().get(j)).shape();
            int count = Shapes.numel(shapeJ);
            Var index = l.b.newVar(new int[0], "i");
            Object generator = l.random.mark(); // a draw in the rows stays in them
            l.b.openBlock();
            List<T> inner = new ArrayList<>(args); // f's arguments, then one direction per wrt parameter
            for (int i = 0; i < n; i++) {
                int[] shapeI = args.get(t.wrt().get(i)).shape();
                Var v = i == j ? l.b.reshape(l.b.put(l.b.scalar(1), index, new int[] {count}, 0), shapeI) : l.b.fill(shapeI, 0.0);
                inner.add(new T(v, false, -1, null, false, false));
            }
            Val out = f.applyTo(new Val.Transform("hvp", t.of(), t.wrt()), inner, a.call);
            List<tx.runtime.ir.Stmt> body = l.b.closeBlock();
            l.random.reset(generator);
            if (out instanceof Val.Bad) return out;
            List<Val> items = ((Val.Tuple) out).items(); // the value, then H v for each wrt parameter
            List<Var> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) rows.add(((T) items.get(i + 1)).var());
            List<Var> tapes = rowsStacked(body, index, count, rows, "hessian", a);
            for (int i = 0; i < n; i++) {
                Var tape = tapes.get(i);
                int[] shapeI = args.get(t.wrt().get(i)).shape();
                int r = shapeI.length; // rows are H[i][j] e_k: move a_j's axis last, then spread it into a_j's shape
                int[] perm = new int[r + 1];
                for (int q = 0; q < r; q++) perm[q] = q + 1;
                blocks[i][j] = l.b.reshape(l.b.transpose(tape, perm), Shapes.concat(shapeI, shapeJ));
            }
        }
        List<Val> rowsOfBlocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Val> row = new ArrayList<>();
            for (int j = 0; j < n; j++) row.add(f.finish(l.exprs.result(blocks[i][j], "ViewBackward0")));
            rowsOfBlocks.add(new Val.Tuple(row));
        }
        return new Val.Tuple(rowsOfBlocks);
    }

    /** The shape of f's single output, from a lowering that is thrown away; null after an error. */
    private int[] outputShape(Val.FnRef of, List<T> args, Args a) {
        int mark = l.diags.mark();
        Object generator = l.random.mark();
        l.b.openBlock();
        Val out;
        try {
            out = f.applyTo(of, args, a.call);
        } finally {
            l.b.closeBlock();
            l.random.reset(generator);
        }
        if (out instanceof Val.Bad) return null;
        if (!(out instanceof T y)) {
            l.diags.error("E0301", a.span(), "a Jacobian needs a function with one output; `" + of.show() + "` returns several", null);
            return null;
        }
        l.diags.dropWarningsSince(mark); // the lowering that counts comes next, and warns again
        return y.shape();
    }
}
