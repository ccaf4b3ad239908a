package tx.runtime.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tx.runtime.ir.Stmt.Eqn;

/**
 * Products of one matrix with a few columns each, {@code op(A) @ B1}, {@code op(A) @ B2}, ... (a
 * matrix times a vector and times its tangent, in a jvp), made as one product of A with the Bi
 * side by side, then cut apart: one pass over A instead of one per product. A step of
 * {@link FusionPass}, so the interpreter's choice at run time, shown by {@code tx ir --fused}, and
 * not taken where every operation must be seen on its own ({@code --detect-anomaly}, {@code
 * --max-memory}), nor in what {@code tx grad} writes:
 * <pre>
 *   s = cat(B1, B2; axis=1)     p = matmul(A, s)     y1 = slice(p; columns of B1)     y2 = slice(p; columns of B2)
 * </pre>
 * The same bits: the GEMM sums every element of a product in order over k from 0, with the same
 * step, whatever columns are beside it and however it blocks them (see {@code kernels/Gemm}).
 *
 * <p>NOTE: the stacked product goes where the first of them was, so each later one joins only if
 * its Bi is made before that (outside the block, or earlier in it); A and each Bi are matrices (no
 * batch axes); at most {@link #COLUMNS} columns in all, which the GEMM runs with rows in its lanes
 * in one pass over the packed A; and A at least {@link #ELEMENTS} elements, below which copying the
 * Bi costs about what a second pass over A does.
 */
final class StackedProducts {
    private StackedProducts() {}

    /** The most columns a stacked product takes (a vector of 8 lanes). */
    static final int COLUMNS = 8;
    /** The fewest elements of A worth a stacked product. */
    static final int ELEMENTS = 4096;

    /** Where new variables are numbered from, shared by every block of a program. */
    static final class Ids {
        int next;

        Ids(int next) {
            this.next = next;
        }
    }

    /** The block with its products of a shared matrix stacked (nested blocks are the caller's); {@code uses} counts the reads of the new variables. */
    static List<Stmt> run(List<Stmt> body, Ids ids, Map<Var, Integer> uses) {
        Map<Var, Integer> madeAt = new HashMap<>();
        for (int i = 0; i < body.size(); i++) for (Var v : Blocks.defined(List.of(body.get(i)))) madeAt.put(v, i);
        Map<Key, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < body.size(); i++) {
            if (body.get(i) instanceof Eqn e && candidate(e)) groups.computeIfAbsent(Key.of(e), k -> new ArrayList<>()).add(i);
        }
        Map<Integer, List<Stmt>> replacement = new HashMap<>();
        for (List<Integer> members : groups.values()) {
            if (members.size() < 2) continue;
            int first = members.get(0), columns = columns((Eqn) body.get(first));
            List<Eqn> joined = new ArrayList<>(List.of((Eqn) body.get(first)));
            for (int m : members.subList(1, members.size())) {
                Eqn e = (Eqn) body.get(m);
                Integer made = madeAt.get(e.in().get(1));
                if ((made == null || made < first) && columns + columns(e) <= COLUMNS) {
                    joined.add(e);
                    columns += columns(e);
                    replacement.put(m, List.of());
                }
            }
            if (joined.size() > 1) replacement.put(first, stacked(joined, ids, uses));
        }
        if (replacement.isEmpty()) return body;
        List<Stmt> out = new ArrayList<>(body.size() + 2 * replacement.size());
        for (int i = 0; i < body.size(); i++) {
            List<Stmt> r = replacement.get(i);
            if (r == null) out.add(body.get(i));
            else out.addAll(r);
        }
        return out;
    }

    /** A product of a matrix of {@link #ELEMENTS} or more with a matrix of at most {@link #COLUMNS} columns. */
    private static boolean candidate(Eqn e) {
        if (e.prim() != Prim.MATMUL) return false;
        int[] a = e.in().get(0).shapeRef(), b = e.in().get(1).shapeRef();
        if (tx.runtime.tensor.Shapes.symbolic(a) || tx.runtime.tensor.Shapes.symbolic(b)) return false; // a size known only at run time: not stacked
        return a.length == 2 && b.length == 2 && a[0] * a[1] >= ELEMENTS && columns(e) <= COLUMNS / 2;
    }

    /** The columns of op(B). */
    private static int columns(Eqn e) {
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        int[] b = e.in().get(1).shapeRef();
        return t.transB() ? b[0] : b[1];
    }

    /** Products that may be stacked: the same A, read the same way, and B read the same way. */
    private record Key(Var a, boolean transA, boolean transB) {
        static Key of(Eqn e) {
            Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
            return new Key(e.in().get(0), t.transA(), t.transB());
        }
    }

    /** The concatenation, the one product, and a slice of it for each product, which keeps that product's variable. */
    private static List<Stmt> stacked(List<Eqn> products, Ids ids, Map<Var, Integer> uses) {
        Eqn first = products.get(0);
        Attrs.Matmul t = Attrs.Matmul.flags(first.attr());
        int axis = t.transB() ? 0 : 1, columns = 0;
        List<Var> parts = new ArrayList<>();
        for (Eqn e : products) {
            parts.add(e.in().get(1));
            columns += columns(e);
        }
        int[] b = first.in().get(1).shape();
        b[axis] = columns;
        Var s = new Var(ids.next++, b, "t", first.out().dtype());
        int[] out = first.out().shape();
        out[1] = columns;
        Var p = new Var(ids.next++, out, "t", first.out().dtype());
        List<Stmt> made = new ArrayList<>();
        made.add(new Eqn(Prim.CAT, parts, s, new Attrs.Axis(axis), first.origin()));
        made.add(new Eqn(Prim.MATMUL, List.of(first.in().get(0), s), p, first.attr(), first.origin()));
        uses.merge(s, 1, Integer::sum);
        int at = 0;
        for (Eqn e : products) {
            int n = e.out().shapeRef()[0], m = columns(e);
            made.add(new Eqn(Prim.SLICE, List.of(p), e.out(), new Attrs.Slice(new int[] {0, at}, new int[] {n, at + m}, new int[] {1, 1}), e.origin()));
            uses.merge(p, 1, Integer::sum);
            at += m;
        }
        return made;
    }
}
