package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The (v2) matrix and running built-ins of LANGUAGE.md §5: tril, triu, diag, diagonal, trace, mm,
 * bmm, mv, kron, cross (composites of slices, pads, wheres and products: {@link Composites}), and
 * cumsum, cumprod (primitives with kernels of their own). grad_fn names are PyTorch 1.13's.
 */
final class MatrixRules extends RuleFamily {
    MatrixRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("tril", a -> triangle(a, true));
        rules.put("triu", a -> triangle(a, false));
        rules.put("diag", this::diag);
        rules.put("diagonal", this::diagonal);
        rules.put("trace", this::trace);
        rules.put("mm", a -> product(a, 2, 2, "MmBackward0"));
        rules.put("bmm", a -> product(a, 3, 3, "BmmBackward0"));
        rules.put("mv", a -> product(a, 2, 1, "MvBackward0"));
        rules.put("kron", this::kron);
        rules.put("cross", this::cross);
        rules.put("cumsum", a -> scan(a, Prim.CUMSUM, "CumsumBackward0"));
        rules.put("cumprod", a -> scan(a, Prim.CUMPROD, "CumprodBackward0"));
    }

    /** A tensor of at least `rank` dimensions, or null after E0202. */
    private T atLeast(Args a, int i, int rank) {
        T x = a.tensor(i);
        if (x == null) return null;
        if (x.shape().length < rank) {
            l.diags.error("E0202", a.spanOf(i, null), "`" + a.fn + "` needs a tensor of at least " + rank + " dimensions, found shape "
                    + Shapes.show(x.shape()), null);
            return null;
        }
        return x;
    }

    /** tril(x, diagonal=0) / triu: the elements on and below (above) diagonal k of the last two dimensions, zeros elsewhere. */
    private Val triangle(Args a, boolean lower) {
        if (!a.shape(1, 2, "diagonal")) return null;
        T x = atLeast(a, 0, 2);
        Integer k = a.get(1, "diagonal") == null ? Integer.valueOf(0) : a.integer(1, "diagonal");
        if (x == null || k == null) return null;
        return out(b.composite(() -> Composites.triangle(b, x.var(), k, lower)), lower ? "TrilBackward0" : "TriuBackward0");
    }

    /** diag(v, diagonal=0): a matrix with the vector on diagonal k, or the diagonal k of a matrix as a vector. */
    private Val diag(Args a) {
        if (!a.shape(1, 2, "diagonal")) return null;
        T x = a.tensor(0);
        Integer k = a.get(1, "diagonal") == null ? Integer.valueOf(0) : a.integer(1, "diagonal");
        if (x == null || k == null) return null;
        int rank = x.shape().length;
        if (rank != 1 && rank != 2) {
            l.diags.error("E0202", a.spanOf(0, null), "`diag` takes a vector or a matrix, found shape " + Shapes.show(x.shape()),
                    rank > 2 ? "for the diagonals of a batch use `diagonal(x, offset, dim1, dim2)`" : null);
            return null;
        }
        if (rank == 1) {
            int size = x.shape()[0] + Math.abs(k);
            if (!a.fits(new int[] {size, size}, a.span())) return null;
            return out(b.composite(() -> Composites.diagMatrix(b, x.var(), k)), "DiagBackward0");
        }
        return out(b.composite(() -> Composites.diagonal(b, x.var(), k, 0, 1)), "DiagBackward0");
    }

    /** diagonal(x, offset=0, dim1=0, dim2=1): the diagonal of dimensions dim1 and dim2, as the last dimension. */
    private Val diagonal(Args a) {
        if (!a.shape(1, 4, "offset", "dim1", "dim2")) return null;
        T x = atLeast(a, 0, 2);
        if (x == null) return null;
        int rank = x.shape().length;
        Integer k = a.get(1, "offset") == null ? Integer.valueOf(0) : a.integer(1, "offset");
        Integer d1 = a.get(2, "dim1") == null ? Integer.valueOf(0) : a.dim(2, "dim1", rank);
        Integer d2 = a.get(3, "dim2") == null ? Integer.valueOf(1) : a.dim(3, "dim2", rank);
        if (k == null || d1 == null || d2 == null) return null;
        if (d1.equals(d2)) {
            l.diags.error("E0203", a.spanOf(3, "dim2"), "`diagonal` needs two different dimensions, found " + d1 + " twice", null);
            return null;
        }
        return out(b.composite(() -> Composites.diagonal(b, x.var(), k, d1, d2)), "DiagonalBackward0");
    }

    /** trace(x): the sum of a matrix's diagonal. */
    private Val trace(Args a) {
        if (!a.shape(1, 1)) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (x.shape().length != 2) {
            l.diags.error("E0202", a.spanOf(0, null), "`trace` takes a matrix, found shape " + Shapes.show(x.shape()), null);
            return null;
        }
        return out(b.composite(() -> b.sum(Composites.diagonal(b, x.var(), 0, 0, 1), new int[] {0}, false)), "TraceBackward0");
    }

    /**
     * mm (matrix @ matrix), bmm (batches of the same size, not broadcast) and mv (matrix @ vector):
     * matmul with PyTorch's stricter ranks (E0202), and its grad_fn.
     */
    private Val product(Args a, int rankA, int rankB, String gradFn) {
        if (!a.shape(2, 2)) return null;
        T x = a.tensor(0), y = a.tensor(1);
        if (x == null || y == null) return null;
        int[] xs = x.shape(), ys = y.shape();
        if (xs.length != rankA || ys.length != rankB || rankA == 3 && xs[0] != ys[0]) {
            String want = rankA == 3 ? "two batches of matrices [b, n, k] and [b, k, m] of the same b" : rankB == 1 ? "a matrix and a vector" : "two matrices";
            l.diags.error("E0202", a.span(), "`" + a.fn + "` takes " + want + ", found " + Shapes.show(xs) + " and " + Shapes.show(ys),
                    "`@` (matmul) takes other ranks and broadcasts");
            return null;
        }
        Val r = host.matmul(x, y, a.spanOf(0, null), a.spanOf(1, null), a.span());
        return r instanceof T t ? out(t.var(), gradFn) : r;
    }

    /** kron(a, b): the Kronecker product, of shape [a0 b0, a1 b1, ...] (the shorter shape padded with leading ones). */
    private Val kron(Args a) {
        if (!a.shape(2, 2)) return null;
        T x = a.tensor(0), y = a.tensor(1);
        if (x == null || y == null) return null;
        int r = Math.max(x.shape().length, y.shape().length);
        int[] shape = new int[r];
        for (int i = 0; i < r; i++) {
            long n = (long) dimFromEnd(x.shape(), r - i) * dimFromEnd(y.shape(), r - i);
            shape[i] = (int) Math.min(n, Integer.MAX_VALUE);
        }
        if (!a.fits(shape, a.span())) return null;
        return out(b.composite(() -> Composites.kron(b, x.var(), y.var())), "UnsafeViewBackward0");
    }

    private static int dimFromEnd(int[] s, int k) {
        return k <= s.length ? s[s.length - k] : 1;
    }

    /**
     * cross(a, b, dim=None): the cross product along a dimension of size 3 (without dim, the first such,
     * as torch.cross); the other sizes broadcast, the ranks must agree (PyTorch's linalg.cross).
     */
    private Val cross(Args a) {
        if (!a.shape(2, 3, "dim")) return null;
        T x0 = a.tensor(0), y0 = a.tensor(1);
        if (x0 == null || y0 == null) return null;
        T[] xy = x0.shape().length == y0.shape().length ? host.agreed(a, x0, y0) : new T[] {x0, y0};
        if (xy == null) return null;
        T x = xy[0], y = xy[1];
        int[] s = x.shape(), t = y.shape();
        if (s.length != t.length) {
            l.diags.error("E0202", a.span(), "`cross` takes two tensors of the same number of dimensions, found " + Shapes.show(s) + " and "
                    + Shapes.show(t), "PyTorch's linalg.cross broadcasts sizes, not ranks: add the dimensions with `unsqueeze`");
            return null;
        }
        Integer d;
        if (a.get(2, "dim") == null || a.get(2, "dim") instanceof Val.None) {
            d = null;
            for (int i = 0; i < s.length && d == null; i++) if (s[i] == 3 && t[i] == 3) d = i;
            if (d == null) {
                l.diags.error("E0202", a.span(), "`cross` needs a dimension of size 3, and shape " + Shapes.show(s) + " has none", null);
                return null;
            }
        } else {
            d = a.dim(2, "dim", s.length);
            if (d == null) return null;
            if (s.length == 0 || s[d] != 3 || t[d] != 3) {
                l.diags.error("E0202", a.spanOf(2, "dim"), "`cross` is taken along a dimension of size 3, but dimension " + d + " of "
                        + Shapes.show(s) + " and " + Shapes.show(t) + " is not", null);
                return null;
            }
        }
        int axis = d;
        return out(b.composite(() -> Composites.cross(b, x.var(), y.var(), axis)), "LinalgCrossBackward0");
    }

    /** cumsum(x, dim) / cumprod: running sums or products along dim (which PyTorch requires); a scalar is its own. */
    private Val scan(Args a, Prim p, String gradFn) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (a.get(1, "dim") == null) {
            l.diags.error("E0104", a.span(), "`" + a.fn + "` needs `dim=`", "say which dimension to run along, e.g. `" + a.fn + "(x, dim=0)`");
            return null;
        }
        Integer d = a.dim(1, "dim", x.shape().length);
        if (d == null) return null;
        if (x.shape().length == 0) {
            return out(b.composite(() -> b.reshape(b.emit(p, new Attrs.Axis(0), b.reshape(x.var(), new int[] {1})), Shapes.SCALAR)), gradFn);
        }
        Var v = b.emit(p, new Attrs.Axis(d), x.var());
        return out(v, gradFn);
    }
}
