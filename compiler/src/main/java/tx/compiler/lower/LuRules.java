package tx.compiler.lower;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * torch.linalg.lu(A, *, pivot=True): PyTorch's named tuple (P, L, U) with A = P L U for A
 * [..., m, n], k = min(m, n): P [..., m, m] a permutation, L [..., m, k] unit lower trapezoidal, U
 * [..., k, n] upper trapezoidal. A composite of LAPACK's dgetf2, unrolled over the k columns: the
 * pivot is the first row of largest magnitude at or below the diagonal (idamax), the rows swap,
 * the multipliers are the column times the pivot's reciprocal (dscal; a zero pivot leaves its
 * column, as LAPACK does), and the rows below lose multiplier times the pivot row (dger). Its
 * derivative is the LU's own (PyTorch's linalg_lu_backward for a nonsingular A); L and U print
 * LinalgLuBackward0, P (piecewise constant) has none.
 */
final class LuRules extends RuleFamily {
    LuRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("linalg.lu", this::lu);
    }

    private Val lu(Args a) {
        if (!a.shape(1, 1, "A", "pivot")) return null;
        T x = a.tensor(0, "A");
        boolean pivot = a.bool(-1, "pivot", true);
        if (x == null || a.failed) return null;
        int[] s = x.shape();
        if (s.length < 2) {
            l.diags.error("E0202", a.spanOf(0, "A"), "`linalg.lu` takes matrices [..., m, n], found shape " + Shapes.show(s), "PyTorch's linalg.lu needs a batch of matrices");
            return null;
        }
        if (!x.dtype().isFloat()) {
            l.diags.error("E0220", a.spanOf(0, "A"), "`linalg.lu` of " + x.describeDtype() + ": PyTorch factorises floats only", "convert first: `torch.linalg.lu(A.double())`");
            return null;
        }
        if (!pivot) {
            l.diags.error("E0104", a.spanOf(-1, "pivot"), "`linalg.lu` with pivot=False: PyTorch: \"LU without pivoting is not implemented on the CPU\"", "drop `pivot=False`");
            return null;
        }
        Var[] plu = new Var[3];
        b.composite(() -> {
            factor(x.var(), plu);
            return plu[2];
        });
        b.shown(plu[0]);
        b.shown(plu[1]);
        T p = out(plu[0], null), lower = out(plu[1], "LinalgLuBackward0"), upper = out(plu[2], "LinalgLuBackward0");
        Val.Tuple t = new Val.Tuple(List.of(p, lower, upper));
        l.namedPairs.put(t, "linalg_lu");
        return t;
    }

    /** P, L, U of x into plu, by dgetf2's steps (see the class comment). */
    private void factor(Var x, Var[] plu) {
        int[] s = x.shapeRef();
        int r = s.length, m = s[r - 2], n = s[r - 1], k = Math.min(m, n);
        int[] batch = Arrays.copyOf(s, r - 2);
        Var u = x, lower = b.fill(Shapes.concat(batch, new int[] {m, k}), 0.0), perm = b.constant(eye(m, m));
        perm = b.expand(perm, Shapes.concat(batch, new int[] {m, m}));
        for (int j = 0; j < k; j++) {
            final int c = j;
            Var col = column(u, c);
            Var candidates = b.where(mask(m, 1, (i, q) -> i >= c), b.emit(Prim.ABS, null, col), b.scalar(-1));
            Var e = b.emit(Prim.FIRST_MAX, new Attrs.Axis(r - 2), candidates); // NOTE: the first of the largest magnitudes, as idamax
            u = swap(u, e, c);
            lower = swap(lower, e, c);
            perm = swap(perm, e, c);
            Var pivotRow = row(u, c), pivot = column(pivotRow, c), zero = b.eq(pivot, b.scalar(0));
            Var scaled = b.mul(column(u, c), b.div(b.scalar(1), b.where(zero, b.scalar(1), pivot)));
            Var mult = b.where(mask(m, 1, (i, q) -> i > c), b.where(zero, column(u, c), scaled), b.scalar(0));
            lower = b.where(mask(1, k, (i, q) -> q == c), mult, lower);
            u = b.where(mask(m, n, (i, q) -> i > c && q > c), b.sub(u, b.mul(mult, pivotRow)), u);
            u = b.where(mask(m, n, (i, q) -> i > c && q == c), b.scalar(0), u);
        }
        plu[0] = b.mT(perm); // perm A = L U, so A = permᵀ L U
        plu[1] = b.add(lower, b.constant(eye(m, k)));
        plu[2] = k == m ? u : rows(u, 0, k);
    }

    /** x with rows c and p swapped, where e marks row p ([..., m, 1]): selections, so an inf elsewhere makes no nan. */
    private Var swap(Var x, Var e, int c) {
        int m = x.shapeRef()[x.rank() - 2];
        Var rowP = b.sum(b.where(e, x, b.scalar(0)), new int[] {x.rank() - 2}, true);
        return b.where(mask(m, 1, (i, q) -> i == c), rowP, b.where(e, row(x, c), x));
    }

    private Var column(Var x, int c) {
        int[] s = x.shapeRef(), start = new int[s.length], stop = s.clone(), step = new int[s.length];
        Arrays.fill(step, 1);
        start[s.length - 1] = c;
        stop[s.length - 1] = c + 1;
        return b.slice(x, start, stop, step);
    }

    private Var row(Var x, int c) {
        return rows(x, c, c + 1);
    }

    private Var rows(Var x, int from, int to) {
        int[] s = x.shapeRef(), start = new int[s.length], stop = s.clone(), step = new int[s.length];
        Arrays.fill(step, 1);
        start[s.length - 2] = from;
        stop[s.length - 2] = to;
        return b.slice(x, start, stop, step);
    }

    /** A constant bool [rows, cols] true where at(i, j). */
    private Var mask(int rows, int cols, BiPredicate<Integer, Integer> at) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) d[i * cols + j] = at.test(i, j) ? 1 : 0;
        return b.constant(Tensor.of(new int[] {rows, cols}, d), DType.BOOL);
    }

    private static Tensor eye(int rows, int cols) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < Math.min(rows, cols); i++) d[i * cols + i] = 1;
        return Tensor.of(new int[] {rows, cols}, d);
    }
}
