package tx.compiler.emit;

import tx.runtime.ir.Attrs;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.PyFloat;

/** How {@link TxEmitter} spells things in tx source: numbers, masks, dtype conversions, sizes. */
final class TxText {
    private TxText() {}

    /** A mask of rank {@code rank} that is true at position {@code index} along {@code axis} of size n. */
    static String oneHot(String n, String index, int rank, int axis) {
        if (rank == 1) return "arange(" + n + ") == " + index;
        String[] dims = new String[rank];
        for (int i = 0; i < rank; i++) dims[i] = i == axis ? n : "1";
        return "reshape(arange(" + n + "), [" + String.join(", ", dims) + "]) == " + index;
    }

    /**
     * A draw from a generator seeded with {@code seed} (null: from one that drew before, which tx
     * cannot write), as the call that makes it with tx's {@code seed=}: rand, randn, randint, randperm.
     */
    static String[] draw(tx.runtime.ir.Attrs.Draw d, String shape, String seed) {
        if (seed == null) throw Derivation.drawsAgain();
        if (d.a() != 0 || d.b() != 1) throw new Derivation.Unexpressible("a draw with a mean and a deviation (`normal`) cannot be written yet");
        String s = "seed=" + seed;
        return switch (d.kind()) {
            case UNIFORM -> new String[] {"rand", shape, s};
            case NORMAL -> new String[] {"randn", shape, s};
            case RANDINT -> new String[] {"randint", number(d.a()), number(d.b()), shape, s};
            case RANDPERM -> new String[] {"randperm", Integer.toString(d.shape()[0]), s};
        };
    }

    static String number(double v) {
        // NOTE: tx has no literal for these (Python neither); its constants are named, as Python's math module names them
        if (Double.isNaN(v)) return "math.nan";
        if (Double.isInfinite(v)) return v > 0 ? "math.inf" : "(-math.inf)";
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        return PyFloat.repr(v);
    }

    /** A float64 full's value: a whole number gets a point, {@code full([2], 1.0)}, since {@code full([2], 1)} is int64. */
    static String floating(Eqn e, String value) {
        return e.out().dtype().isFloat() && value.matches("-?\\d+") ? value + ".0" : value;
    }

    /** The method that converts to a dtype: {@code .long()}, {@code .bool()}, {@code .double()}. */
    static String converter(tx.runtime.tensor.DType d) {
        return switch (d) {
            case INT64 -> ".long()";
            case BOOL -> ".bool()";
            case FLOAT64 -> ".double()";
        };
    }

    /** How far a pad's input reaches along an axis: (m - 1) * step + 1, or 0 when empty. */
    static int extentAlong(Eqn q, int axis) {
        int m = q.in().get(0).shapeRef()[axis], step = ((Attrs.Pad) q.attr()).step()[axis];
        return m == 0 ? 0 : (m - 1) * step + 1;
    }

    static Sizes.Lin[] insert(Sizes.Lin[] s, int at, Sizes.Lin v) {
        Sizes.Lin[] out = new Sizes.Lin[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == at ? v : s[j++];
        return out;
    }

    static Sizes.Lin[] replace(Sizes.Lin[] s, int at, Sizes.Lin v) {
        Sizes.Lin[] out = s.clone();
        out[at] = v;
        return out;
    }

    /** A geometry's entries as written: a list of two for 2-D, the width's alone for 1-D. */
    static String pair(int[] v, int rank) {
        return rank == 4 ? "[" + v[0] + ", " + v[1] + "]" : Integer.toString(v[1]);
    }

    /**
     * solve's B as tx source for the primitive solve(A, B) of B [..., n, k]: as it is, unless
     * torch.linalg.solve would read it as a batch of vectors (B has one dimension fewer than A and
     * A's shape without its last), where it gains a leading dimension of one (the same columns).
     */
    static String solveColumns(Eqn e, String b) {
        int[] as = e.in().get(0).shapeRef(), bs = e.in().get(1).shapeRef();
        boolean vectors = bs.length == as.length - 1 && java.util.Arrays.equals(bs, java.util.Arrays.copyOf(as, as.length - 1));
        return vectors ? "unsqueeze(" + b + ", 0)" : b;
    }
}
