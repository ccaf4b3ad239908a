package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.tensor.Shapes;

/** Indexing a tensor some of whose sizes are known only at run time (a selection {@code x[mask]}): whole numbers and slices. */
final class RunTimeIndexing {
    private RunTimeIndexing() {}

    /**
     * {@code x[0]}, {@code x[-1]}, {@code x[i, 1]}, {@code x[:, j]}, {@code x[1:]}, {@code x[:k]} of a
     * tensor with sizes known only at run time: each whole number (known now, or a Python int known
     * when it runs) takes its axis, read when the program runs (an index outside the axis is E0507
     * then; negative ones count from the end, as in PyTorch); each slice is a window clipped as
     * PyTorch clips it, its length a new size known only at run time where the axis's is (see
     * {@link Windows#runTime}). Null, before evaluating anything, for other subscripts.
     */
    static Val index(Lowerer l, T x, Ast.Index ix) {
        List<Ast.Sub> subs = ix.subs();
        if (subs.size() > x.shape().length || subs.stream().anyMatch(s -> s instanceof Ast.Ellipsis)) return null;
        tx.runtime.ir.Var v = x.var();
        String gradFn = null;
        for (int axis = subs.size() - 1; axis >= 0; axis--) { // the last first, so the others keep their positions
            Ast.Sub sub = subs.get(axis);
            if (sub instanceof Ast.At at) {
                tx.runtime.ir.Var index = wholeNumber(l, l.exprs.expr(at.index()), at.span());
                if (index == null) return new Val.Bad();
                v = l.b.take(v, index, axis);
                gradFn = gradFn != null ? gradFn : "SelectBackward0"; // PyTorch's last step is the last subscript that is not `:`
            } else if (sub instanceof Ast.Range r && (r.lo() != null || r.hi() != null || r.step() != null)) {
                v = window(l, v, axis, r);
                if (v == null) return new Val.Bad();
                gradFn = gradFn != null ? gradFn : "SliceBackward0";
            }
        }
        return gradFn == null ? RunTimeSizes.refused(l, ix.span(), "`x[:]`") : l.exprs.result(v, gradFn);
    }

    /** A whole number as an int64 scalar of the program: known now, or a Python int known at run time; null after reporting. */
    private static tx.runtime.ir.Var wholeNumber(Lowerer l, Val i, Span span) {
        if (i instanceof Val.Num n && n.isWhole() && n.py() != Val.PyType.FLOAT) return l.b.scalar(n.value(), tx.runtime.tensor.DType.INT64);
        if (i instanceof T t && t.item() && t.py() == Val.PyType.INT) return t.var();
        if (!(i instanceof Val.Bad)) RunTimeSizes.refuse(l, span, "indexing by other than whole numbers and slices (an index tensor, a float)");
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
