package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Operands that broadcast once their sizes known only at run time are known (LANGUAGE.md §3, v2:
 * "an agreement it cannot decide is checked at run time, with a located error"). {@code a[m1] -
 * b[m2]} with two masks computed when the program runs has shapes {@code [?1]} and {@code [?2]}:
 * the sizes may agree, and PyTorch decides when it runs. So does tx: a check placed before the
 * operation compares the two sizes and stops the run (E0509, exit 3) with PyTorch's message when
 * they differ, and the operand is then relabelled (a reshape to the other's symbol, or to a fixed
 * size it must equal), so that the rest of the compiler sees one size. Sizes that differ whatever
 * the run gives (3 and 2) are E0201 at compile time, as before.
 *
 * <p>NOTE: PyTorch also broadcasts a size that turns out to be 1 at run time (a selection of one
 * element against three); tx fixed each operation's broadcasting when it compiled the program, so
 * such a size must equal the other (docs/language.md, "Sizes known only at run time").
 */
final class SizeAgreement {
    private SizeAgreement() {}

    /**
     * The operands, relabelled where a size known only at run time must equal another, so that their
     * shapes broadcast; the checks are emitted first. Null, with nothing emitted, when two fixed sizes
     * differ (the caller reports E0201).
     */
    static T[] agree(Lowerer l, Span span, T... ts) {
        int[][] shapes = new int[ts.length][];
        for (int k = 0; k < ts.length; k++) shapes[k] = ts[k].shape();
        int[] target = target(shapes);
        if (target == null) return null;
        int rank = target.length;
        T[] out = ts.clone();
        for (int k = 0; k < ts.length; k++) {
            int[] shape = ts[k].shape().clone();
            boolean relabel = false;
            for (int i = 0; i < rank; i++) {
                int d = dim(ts[k], i, rank);
                if (d == 1 || d == target[i]) continue;
                check(l, span, ts, k, i, rank, target[i]);
                shape[i - (rank - shape.length)] = target[i];
                relabel = true;
            }
            if (relabel) out[k] = ts[k].withVar(l.b.reshape(ts[k].var(), shape));
        }
        return out;
    }

    /**
     * Two operands of one rank that PyTorch requires to have the same size (binary_cross_entropy's
     * input x and target y), where a size known only at run time meets another size: checked equal
     * when the program runs, with PyTorch's {@code message} ({0} x's shape, {1} y's, each printed
     * {@code torch.Size([3])}), and relabelled to one shape (a fixed size before a symbol). Null,
     * with nothing emitted, where no such sizes meet (the caller checks broadcasting as before).
     */
    static T[] sameShape(Lowerer l, Span span, T x, T y, String message) {
        int[] s = x.shape(), t = y.shape();
        if (s.length != t.length || !Shapes.symbolic(s) && !Shapes.symbolic(t)) return null;
        int[] target = s.clone();
        List<Var> equal = new java.util.ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == t[i] || !Shapes.isSymbol(s[i]) && !Shapes.isSymbol(t[i])) continue;
            equal.add(l.b.emit(Prim.EQ, null, RunTimeChecks.size(l, s[i]), RunTimeChecks.size(l, t[i])));
            if (Shapes.isSymbol(s[i])) target[i] = t[i];
        }
        if (equal.isEmpty()) return null;
        Var holds = equal.get(0);
        for (Var e : equal.subList(1, equal.size())) holds = l.b.emit(Prim.BITWISE_AND, null, holds, e);
        List<tx.runtime.ir.Stmt.PrintItem> items = new java.util.ArrayList<>();
        String[] parts = message.split("\\{|\\}", -1); // text, digit, text, digit, text
        for (int k = 0; k < parts.length; k++) {
            if (k % 2 == 0) items.add(RunTimeChecks.text(parts[k]));
            else items.add(RunTimeSizes.shapeItem(l, parts[k].equals("0") ? s : t));
        }
        RunTimeChecks.require(l, span, holds, items);
        int[] yt = t.clone();
        for (int i = 0; i < t.length; i++) if (Shapes.isSymbol(s[i]) || Shapes.isSymbol(t[i])) yt[i] = target[i];
        T xo = java.util.Arrays.equals(s, target) ? x : x.withVar(l.b.reshape(x.var(), target));
        T yo = java.util.Arrays.equals(t, yt) ? y : y.withVar(l.b.reshape(y.var(), yt));
        return new T[] {xo, yo};
    }

    /** The shape the operands broadcast to if each size known only at run time equals what it meets (a fixed size before a symbol); null if two fixed sizes differ. */
    private static int[] target(int[][] shapes) {
        int rank = 0;
        for (int[] s : shapes) rank = Math.max(rank, s.length);
        int[] target = new int[rank];
        for (int i = 0; i < rank; i++) {
            target[i] = 1;
            for (int[] s : shapes) {
                int d = i - (rank - s.length) < 0 ? 1 : s[i - (rank - s.length)];
                if (d == 1 || d == target[i]) continue;
                if (!Shapes.isSymbol(d) && !Shapes.isSymbol(target[i]) && target[i] != 1) return null; // 3 and 2
                if (target[i] == 1 || Shapes.isSymbol(target[i]) && !Shapes.isSymbol(d)) target[i] = d; // a fixed size wins over a symbol
            }
        }
        return target;
    }

    /** Whether the shapes broadcast only after a check of sizes known only at run time. */
    static boolean needsCheck(int[]... shapes) {
        int[] s = Shapes.SCALAR;
        boolean symbolic = false;
        for (int[] shape : shapes) {
            symbolic |= Shapes.symbolic(shape);
            if (s != null) s = Shapes.broadcast(s, shape);
        }
        return s == null && symbolic;
    }

    /** Size of t's axis i of a broadcast of the given rank (1 where t has fewer axes). */
    private static int dim(T t, int i, int rank) {
        int[] s = t.shape();
        int j = i - (rank - s.length);
        return j < 0 ? 1 : s[j];
    }

    /** Stops the run unless operand k's size on axis i equals {@code want}: PyTorch's message, naming the operands a and b. */
    private static void check(Lowerer l, Span span, T[] ts, int k, int i, int rank, int want) {
        Var have = RunTimeChecks.size(l, dim(ts[k], i, rank)), other = RunTimeChecks.size(l, want);
        int a = k == 0 ? 0 : owner(ts, i, rank, want), b = k == 0 ? owner(ts, i, rank, want) : k; // a comes first, as in PyTorch's message
        RunTimeChecks.require(l, span, l.b.emit(Prim.EQ, null, have, other), List.of(
                RunTimeChecks.text("The size of tensor a ("), RunTimeChecks.shown(l, a == k ? have : other),
                RunTimeChecks.text(") must match the size of tensor b ("), RunTimeChecks.shown(l, b == k ? have : other),
                RunTimeChecks.text(") at non-singleton dimension " + i)));
    }

    /** The first operand whose size on axis i is {@code want}. */
    private static int owner(T[] ts, int i, int rank, int want) {
        for (int k = 0; k < ts.length; k++) if (dim(ts[k], i, rank) == want) return k;
        throw new IllegalStateException("no operand has the size of the broadcast");
    }
}
