package tx.runtime.ir;

import static tx.runtime.ir.PrimSupport.broadcastOrFail;
import static tx.runtime.ir.PrimSupport.fail;
import static tx.runtime.ir.PrimSupport.in;
import static tx.runtime.ir.PrimSupport.shown;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;

/**
 * The rules of {@link Prim#MATMUL}: op(a) op(b), where op transposes the last two dimensions of an
 * operand whose flag is set (so no transpose is copied before a product), the batch dimensions
 * broadcasting as NumPy's.
 */
final class MatmulRules {
    private MatmulRules() {}

    static int[] shape(List<int[]> in, Attrs.Matmul t) {
        int[] a = in.get(0), b = in.get(1);
        if (a.length < 2 || b.length < 2) fail("matmul needs rank >= 2 operands");
        int n = a[a.length - (t.transA() ? 1 : 2)], k = a[a.length - (t.transA() ? 2 : 1)];
        int kb = b[b.length - (t.transB() ? 1 : 2)], m = b[b.length - (t.transB() ? 2 : 1)];
        if (k != kb) fail("matmul of " + shown(a, t.transA()) + " and " + shown(b, t.transB()));
        int[] batch = broadcastOrFail(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        return Shapes.concat(batch, new int[] {n, m});
    }

    /** da = g op(b)^T and db = op(a)^T g, each written with flags, as op(a) and op(b) read their operands. */
    static List<Var> vjp(Builder b, Eqn e, Var g) {
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        Var x = in(e, 0), y = in(e, 1);
        Var dx = t.transA() ? b.matmul(y, t.transB(), g, true) : b.matmul(g, false, y, !t.transB());
        Var dy = t.transB() ? b.matmul(g, true, x, t.transA()) : b.matmul(x, !t.transA(), g, false);
        return List.of(dx, dy);
    }

    /** d(op(a) op(b)) = op(da) op(b) + op(a) op(db): the product rule, with the same flags. */
    static Var jvp(Builder b, Eqn e, List<Var> t) {
        Attrs.Matmul f = Attrs.Matmul.flags(e.attr());
        Var da = t.get(0) == null ? null : b.matmul(t.get(0), f.transA(), in(e, 1), f.transB());
        Var db = t.get(1) == null ? null : b.matmul(in(e, 0), f.transA(), t.get(1), f.transB());
        return da == null ? db : db == null ? da : b.add(da, db);
    }
}
