package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.tensor.Shapes;

/** Indexing a tensor some of whose sizes are known only at run time (a selection {@code x[mask]}): whole numbers, slices, {@code ...} and one int64 index tensor. */
final class RunTimeIndexing {
    private RunTimeIndexing() {}

    /**
     * {@code x[0]}, {@code x[-1]}, {@code x[i, 1]}, {@code x[:, j]}, {@code x[1:]}, {@code x[:k]},
     * {@code x[..., 0]}, {@code x[idx]} of a tensor with sizes known only at run time: each whole
     * number (known now, or a Python int known when it runs) takes its axis, read when the program
     * runs (an index outside the axis is E0507 then; negative ones count from the end, as in
     * PyTorch); each slice is a window clipped as PyTorch clips it, its length a new size known only
     * at run time where the axis's is (see {@link Windows#runTime}); {@code ...} is as many {@code :}
     * as the axes left; one int64 index tensor gathers along its axis after the others, as PyTorch
     * applies it ({@link #gathered}). Null, before evaluating anything, for other subscripts.
     */
    static Val index(Lowerer l, T x, Ast.Index ix) {
        List<Ast.Sub> subs = withoutEllipsis(ix.subs(), x.shape().length);
        if (subs == null || subs.size() > x.shape().length) return null;
        java.util.Map<Ast.Sub, Val> tensors = new java.util.HashMap<>();
        for (Ast.Sub sub : subs) {
            if (!(sub instanceof Ast.At at)) continue;
            Val v = l.exprs.expr(at.index());
            if (v instanceof T t && !t.item() && t.shape().length > 0) tensors.put(sub, v);
            else if (v instanceof T t && !t.item() && t.dtype() == tx.runtime.tensor.DType.INT64) tensors.put(sub, T.scalar(t.var(), Val.PyType.INT)); // a 0-dimensional index is a number
            else tensors.put(sub, v);
        }
        Ast.Sub gather = null;
        for (Ast.Sub sub : subs) if (tensors.get(sub) instanceof T t && !t.item()) {
            if (gather != null) return RunTimeSizes.refused(l, sub.span(), "indexing by more than one index tensor");
            gather = sub;
        }
        tx.runtime.ir.Var v = x.var();
        String gradFn = null;
        int taken = 0; // whole numbers before the index tensor, whose axes go before it does
        for (int axis = subs.size() - 1; axis >= 0; axis--) { // the last first, so the others keep their positions
            Ast.Sub sub = subs.get(axis);
            if (sub == gather) continue;
            if (sub instanceof Ast.At at) {
                tx.runtime.ir.Var index = wholeNumber(l, tensors.get(sub), at.span());
                if (index == null) return new Val.Bad();
                v = l.b.take(v, index, axis);
                gradFn = gradFn != null ? gradFn : "SelectBackward0"; // PyTorch's last step is the last subscript that is not `:`
                if (gather != null && axis < subs.indexOf(gather)) taken++;
            } else if (sub instanceof Ast.Range r && (r.lo() != null || r.hi() != null || r.step() != null)) {
                v = window(l, v, axis, r);
                if (v == null) return new Val.Bad();
                gradFn = gradFn != null ? gradFn : "SliceBackward0";
            }
        }
        if (gather != null) {
            v = gathered(l, v, subs.indexOf(gather) - taken, (T) tensors.get(gather), ix.span());
            return v == null ? new Val.Bad() : l.exprs.result(v, "IndexBackward0"); // PyTorch indexes by tensors after the rest
        }
        if (gradFn == null && ix.subs().stream().anyMatch(s -> s instanceof Ast.Ellipsis)) return l.exprs.result(l.b.copy(v), "AliasBackward0"); // x[...], x[..., :]
        return gradFn == null ? RunTimeSizes.refused(l, ix.span(), "`x[:]`") : l.exprs.result(v, gradFn);
    }

    /** The subscripts with a {@code ...} written as the whole slices it stands for; null for two of them. */
    private static List<Ast.Sub> withoutEllipsis(List<Ast.Sub> subs, int rank) {
        long dots = subs.stream().filter(s -> s instanceof Ast.Ellipsis).count();
        if (dots == 0) return subs;
        if (dots > 1) return null;
        List<Ast.Sub> out = new java.util.ArrayList<>();
        for (Ast.Sub s : subs) {
            if (!(s instanceof Ast.Ellipsis e)) out.add(s);
            else for (int k = 0; k < rank - (subs.size() - 1); k++) out.add(new Ast.Range(null, null, null, e.span()));
        }
        return out;
    }

    /**
     * v gathered along an axis at the positions of an int64 index tensor (its shape in the axis's
     * place), negative ones counted from the end; a position outside the axis stops the run
     * (E0509) with PyTorch's "index 7 is out of bounds for dimension 0 with size 3", naming the
     * first such index as written. Null after reporting.
     */
    private static tx.runtime.ir.Var gathered(Lowerer l, tx.runtime.ir.Var v, int axis, T idx, Span span) {
        tx.runtime.ir.Builder b = l.b;
        if (idx.dtype() != tx.runtime.tensor.DType.INT64) {
            RunTimeSizes.refuse(l, span, "indexing by a mask or a float tensor (an int64 index tensor works)");
            return null;
        }
        int[] at = idx.shape();
        tx.runtime.ir.Var n = RunTimeChecks.size(l, v.shapeRef()[axis]), i = b.reshape(idx.var(), RunTimeSizes.flat(b, at));
        tx.runtime.ir.Var zero = b.scalar(0, tx.runtime.tensor.DType.INT64);
        tx.runtime.ir.Var outside = b.emit(tx.runtime.ir.Prim.BITWISE_OR, null, b.lt(i, b.emit(tx.runtime.ir.Prim.NEG, null, n)), b.ge(i, n));
        tx.runtime.ir.Var inside = b.emit(tx.runtime.ir.Prim.EQ, null, b.sum(b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.INT64, outside), new int[] {0}, false), zero);
        RunTimeChecks.require(l, span, inside, () -> {
            tx.runtime.ir.Var first = b.emit(tx.runtime.ir.Prim.ARGMAX, new tx.runtime.ir.Attrs.Axis(0), b.emit(tx.runtime.ir.Prim.CAST, tx.runtime.tensor.DType.FLOAT64, outside));
            return List.of(RunTimeChecks.text("index "), RunTimeChecks.shown(l, b.take(i, first, 0)),
                    RunTimeChecks.text(" is out of bounds for dimension 0 with size "), RunTimeChecks.shown(l, n));
        });
        tx.runtime.ir.Var positions = b.where(b.lt(i, zero), b.add(i, n), i);
        tx.runtime.ir.Var picked = l.builtins.selection.selectAlong(v, axis, positions);
        int[] s = v.shapeRef();
        return b.reshape(picked, Shapes.concat(Shapes.concat(java.util.Arrays.copyOf(s, axis), at), java.util.Arrays.copyOfRange(s, axis + 1, s.length)));
    }

    /** A whole number as an int64 scalar of the program: known now, or a Python int known at run time; null after reporting. */
    private static tx.runtime.ir.Var wholeNumber(Lowerer l, Val i, Span span) {
        if (i instanceof Val.Num n && n.isWhole() && n.py() != Val.PyType.FLOAT) return l.b.scalar(n.value(), tx.runtime.tensor.DType.INT64);
        if (i instanceof T t && t.item() && t.py() == Val.PyType.INT) return t.var();
        if (!(i instanceof Val.Bad)) RunTimeSizes.refuse(l, span, "indexing by other than whole numbers, slices, `...` and one int64 index tensor (a float, a mask)");
        return null;
    }

    /** {@code lo:hi:step} along an axis of v, as PyTorch clips it; null after reporting. */
    private static tx.runtime.ir.Var window(Lowerer l, tx.runtime.ir.Var v, int axis, Ast.Range r) {
        Val lo = r.lo() == null ? null : l.exprs.expr(r.lo()), hi = r.hi() == null ? null : l.exprs.expr(r.hi());
        Val st = r.step() == null ? new Val.Num(1, Val.PyType.INT) : l.exprs.expr(r.step());
        if (!(st instanceof Val.Num s && s.isWhole() && s.value() > 0)) {
            if (!(st instanceof Val.Bad)) RunTimeSizes.refuse(l, r.span(), "a slice with a step other than a positive whole number known now");
            return null;
        }
        for (Val bound : java.util.Arrays.asList(lo, hi)) if (bound != null && wholeNumber(l, bound, r.span()) == null) return null;
        int size = v.shapeRef()[axis], step = (int) s.value();
        if (!Shapes.isSymbol(size) && !(lo instanceof T) && !(hi instanceof T)) { // a fixed axis, fixed bounds: the window is known now
            long a = clip(lo == null ? 0 : (long) ((Val.Num) lo).value(), size), z = clip(hi == null ? size : (long) ((Val.Num) hi).value(), size);
            int length = (int) Math.max(0, (z - a + step - 1) / step);
            return l.b.dynamicSlice(v, l.b.scalar(a, tx.runtime.tensor.DType.INT64), axis, length, step);
        }
        Windows.Window w = l.windows.runTime(lo, hi, step, size);
        return l.b.dynamicSlice(v, w.start(), axis, w.length(), step);
    }

    /** A slice bound as PyTorch reads it: a negative one from the end, then clipped to [0, size]. */
    private static long clip(long bound, int size) {
        return bound < 0 ? Math.max(bound + size, 0) : Math.min(bound, size);
    }
}
