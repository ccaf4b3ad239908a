package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Var;

/**
 * einsum written from primitives, step for step as PyTorch 1.13's {@code at::native::einsum}
 * contracts without opt_einsum, so that its values, its grad_fn and the IR that {@code tx grad}
 * writes follow PyTorch's:
 * <ol>
 *   <li>every operand is aligned to one shape, the output's dimensions first (in the output's order,
 *       or for an implicit output the ellipsis and then the letters seen once, sorted: A-Z before a-z),
 *       then the summed ones (the ellipsis if it is not in the output, then the other letters, sorted):
 *       a repeated letter in one operand takes its diagonal, a missing one is a dimension of 1;</li>
 *   <li>the operands are contracted two at a time, left to right: a dimension that only one of the
 *       pair still holds (and no later operand) is summed first; the product of the pair sums the
 *       dimensions that no later operand holds, as one matrix product ({@link #sumProduct});</li>
 *   <li>the summed dimensions, of size 1 by then, are dropped (PyTorch's view), or, for one
 *       operand, summed.</li>
 * </ol>
 * Sizes of 1 broadcast against any size, as in PyTorch. The equation is checked first ({@link EinsumRules}).
 */
final class Einsum {
    private Einsum() {}

    /** The number of letters (A-Z, then a-z), and the label of "...". */
    static final int LETTERS = 52, ELLIPSIS = 52;

    /** An equation read: each operand's labels (ELLIPSIS for "..."), and the output's, or null for an implicit output. */
    record Equation(List<int[]> inputs, int[] output) {}

    /**
     * The aligned shape: where each letter goes ({@code at[label]}, -1 for a letter no operand has),
     * where the ellipsis' {@code ellDims} dimensions start, how many dimensions the output has
     * ({@code outDims}) and how many there are in all ({@code dims}).
     */
    record Layout(int[] at, int ellAt, int ellDims, int outDims, int dims) {
        /** Whether some dimension is summed out. */
        boolean contracts() {
            return dims > outDims;
        }
    }

    /** The label of a letter: A-Z are 0-25, a-z 26-51 (PyTorch's order, which sorts the implicit output). */
    static int label(char c) {
        return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26;
    }

    static char letter(int label) {
        return (char) (label < 26 ? 'A' + label : 'a' + label - 26);
    }

    static boolean isLetter(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    /** How many operands hold each label. */
    static int[] counts(Equation eq) {
        int[] count = new int[LETTERS];
        for (int[] labels : eq.inputs()) for (int s : labels) if (s != ELLIPSIS) count[s]++;
        return count;
    }

    /** The dimensions the ellipsis covers: the most that any operand's "..." stands for. */
    static int ellipsisDims(Equation eq, int[] ranks) {
        int dims = 0;
        for (int i = 0; i < ranks.length; i++) {
            int[] labels = eq.inputs().get(i);
            for (int s : labels) if (s == ELLIPSIS) dims = Math.max(dims, ranks[i] - (labels.length - 1));
        }
        return dims;
    }

    /** The aligned shape of an equation whose operands have these ranks (already checked). */
    static Layout layout(Equation eq, int[] ranks) {
        int[] count = counts(eq), at = new int[LETTERS];
        Arrays.fill(at, -1);
        int ellDims = ellipsisDims(eq, ranks), next = 0, ellAt = 0;
        boolean ellOut = false;
        if (eq.output() == null) { // the ellipsis, then the letters seen once, sorted
            next = ellDims;
            ellOut = true;
            for (int s = 0; s < LETTERS; s++) if (count[s] == 1) at[s] = next++;
        } else {
            for (int s : eq.output()) {
                if (s == ELLIPSIS) {
                    ellAt = next;
                    next += ellDims;
                    ellOut = true;
                } else {
                    at[s] = next++;
                }
            }
        }
        int outDims = next;
        if (!ellOut) {
            ellAt = next;
            next += ellDims;
        }
        for (int s = 0; s < LETTERS; s++) if (count[s] > 0 && at[s] == -1) at[s] = next++;
        return new Layout(at, ellAt, ellDims, outDims, next);
    }

    /** PyTorch's grad_fn of the result: of the last step of {@link #lower}. */
    static String gradFn(Layout lay, int operands) {
        if (operands == 1) return lay.contracts() ? "SumBackward1" : "PermuteBackward0";
        return lay.contracts() ? "ViewBackward0" : "MulBackward0";
    }

    /** The einsum of the operands (checked: ranks, sizes and labels fit the equation). */
    static Var lower(Builder b, Equation eq, List<Var> xs) {
        int[] ranks = new int[xs.size()];
        for (int i = 0; i < ranks.length; i++) ranks[i] = xs.get(i).rank();
        Layout lay = layout(eq, ranks);
        int[] held = new int[lay.dims()]; // how many operands hold each aligned dimension with a size other than 1
        List<Var> ops = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) ops.add(align(b, xs.get(i), eq.inputs().get(i), lay, held));
        while (ops.size() > 1) ops.add(0, contractPair(b, ops.remove(0), ops.remove(0), lay, held));
        Var r = ops.get(0);
        if (!lay.contracts()) return r;
        if (xs.size() > 1) return b.reshape(r, Arrays.copyOf(r.shapeRef(), lay.outDims())); // those dimensions are 1 by now
        return b.sum(r, range(lay.outDims(), lay.dims()), false);
    }

    /**
     * One operand in the aligned shape: its diagonal for a letter it repeats (moved to where the
     * letter first stood), a dimension of 1 for each label it lacks, permuted into place.
     */
    private static Var align(Builder b, Var x, int[] labels, Layout lay, int[] held) {
        int[] perm = new int[lay.dims()];
        Arrays.fill(perm, -1);
        Var op = x;
        int dim = 0;
        for (int s : labels) {
            if (s == ELLIPSIS) {
                int covered = x.rank() - (labels.length - 1);
                for (int j = lay.ellDims() - covered; j < lay.ellDims(); j++) {
                    if (op.shapeRef()[dim] != 1) held[lay.ellAt() + j]++;
                    perm[lay.ellAt() + j] = dim++;
                }
            } else if (perm[lay.at()[s]] == -1) {
                if (op.shapeRef()[dim] != 1) held[lay.at()[s]]++;
                perm[lay.at()[s]] = dim++;
            } else { // a repeated letter: PyTorch's op.diagonal(0, prev, dim).movedim(-1, prev)
                int prev = perm[lay.at()[s]];
                op = lastTo(b, Composites.diagonal(b, op, 0, prev, dim), prev);
            }
        }
        int missing = 0;
        for (int k = 0; k < perm.length; k++) if (perm[k] == -1) perm[k] = dim + missing++;
        if (missing > 0) {
            int[] shape = Arrays.copyOf(op.shapeRef(), dim + missing);
            Arrays.fill(shape, dim, shape.length, 1);
            op = b.reshape(op, shape);
        }
        return permute(b, op, perm);
    }

    /**
     * x permuted (out.shape[i] = x.shape[perm[i]]); a reshape where only dimensions of 1 move, which
     * keeps every element where it is (PyTorch's permute is a view either way).
     */
    static Var permute(Builder b, Var x, int[] perm) {
        int last = -1;
        boolean inOrder = true;
        for (int p : perm) {
            if (x.shapeRef()[p] == 1) continue;
            inOrder &= p > last;
            last = p;
        }
        if (!inOrder) return b.transpose(x, perm);
        int[] shape = new int[perm.length];
        for (int i = 0; i < perm.length; i++) shape[i] = x.shapeRef()[perm[i]];
        return b.reshape(x, shape);
    }

    /** x with its last dimension moved to position {@code to} (movedim(-1, to)). */
    private static Var lastTo(Builder b, Var x, int to) {
        int r = x.rank();
        int[] perm = new int[r];
        for (int i = 0, k = 0; i < r; i++) perm[i] = i == to ? r - 1 : k++;
        return permute(b, x, perm);
    }

    /**
     * The product of two aligned operands: a summed dimension that only one of them holds, and no
     * later operand, is summed in that one first; one that both hold, and no later operand, is
     * summed by the product. NOTE: {@code held} counts down as PyTorch's dim_counts, so that a
     * dimension is summed as soon as no operand left holds it.
     */
    private static Var contractPair(Builder b, Var x, Var y, Layout lay, int[] held) {
        List<Integer> both = new ArrayList<>(), onlyX = new ArrayList<>(), onlyY = new ArrayList<>();
        for (int d = lay.outDims(); d < lay.dims(); d++) {
            boolean inX = x.shapeRef()[d] != 1, inY = y.shapeRef()[d] != 1;
            if (inX && inY) {
                if (--held[d] == 1) {
                    both.add(d);
                    held[d] = 0;
                }
            } else if (held[d] == 1 && (inX || inY)) {
                (inX ? onlyX : onlyY).add(d);
                held[d] = 0;
            }
        }
        if (!onlyX.isEmpty()) x = b.sum(x, ints(onlyX), true);
        if (!onlyY.isEmpty()) y = b.sum(y, ints(onlyY), true);
        return sumProduct(b, x, y, ints(both));
    }

    /**
     * {@code sum(x * y, dims, keepdim=True)} of two operands of one rank (sizes equal or 1), as
     * PyTorch's sumproduct_pair: without dims, the product; else a matrix product of x permuted to
     * [kept in both, kept in x only, summed] and y to [kept in both, summed, kept in y only], each
     * flattened to three (or, with nothing kept in both, two) dimensions, then reshaped and
     * permuted back, the summed dimensions left as 1.
     */
    static Var sumProduct(Builder b, Var x, Var y, int[] dims) {
        if (dims.length == 0) return b.mul(x, y);
        int rank = x.rank();
        boolean[] summed = new boolean[rank];
        for (int d : dims) summed[d] = true;
        List<Integer> both = new ArrayList<>(), onlyX = new ArrayList<>(), onlyY = new ArrayList<>();
        long bothSize = 1, xSize = 1, ySize = 1, sumSize = 1;
        for (int i = 0; i < rank; i++) {
            int sx = x.shapeRef()[i], sy = y.shapeRef()[i];
            if (summed[i]) {
                if (sx != 1 && sy != 1) sumSize *= sx;
                else if (sx != 1) x = b.sum(x, new int[] {i}, true);
                else if (sy != 1) y = b.sum(y, new int[] {i}, true);
            } else if (sx != 1 && sy != 1) {
                both.add(i);
                bothSize *= sx;
            } else if (sx != 1) {
                onlyX.add(i);
                xSize *= sx;
            } else {
                onlyY.add(i);
                ySize *= sy;
            }
        }
        int[] kept = ints(both), inX = ints(onlyX), inY = ints(onlyY);
        int[] order = cat(kept, inX, dims, inY), outShape = new int[rank], outPerm = new int[rank];
        for (int i = 0; i < rank; i++) {
            int d = order[i];
            outShape[i] = summed[d] ? 1 : x.shapeRef()[d] != 1 ? x.shapeRef()[d] : y.shapeRef()[d];
            outPerm[d] = i;
        }
        boolean batched = kept.length > 0;
        Var left = b.reshape(permute(b, x, order), batched ? sizes(bothSize, xSize, sumSize) : sizes(xSize, sumSize));
        Var right = b.reshape(permute(b, y, cat(kept, dims, inY, inX)), batched ? sizes(bothSize, sumSize, ySize) : sizes(sumSize, ySize));
        return permute(b, b.reshape(b.matmul(left, right), outShape), outPerm);
    }

    private static int[] sizes(long... n) {
        int[] out = new int[n.length];
        for (int i = 0; i < n.length; i++) out[i] = (int) n[i];
        return out;
    }

    private static int[] cat(int[]... parts) {
        int[] out = new int[0];
        for (int[] p : parts) out = tx.runtime.tensor.Shapes.concat(out, p);
        return out;
    }

    private static int[] ints(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) out[i] = from + i;
        return out;
    }
}
