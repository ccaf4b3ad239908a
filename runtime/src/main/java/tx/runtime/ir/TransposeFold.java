package tx.runtime.ir;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Stmt.Eqn;

/**
 * The last step of {@link Simplify}: products read their transposed operands in place instead of
 * a transposed copy (issue 15). IR to IR, over a program with no dead code, making no variables:
 * <ul>
 *   <li>{@code t = xᵀ} (a swap of the last two axes) that only products read: each reads x with
 *       its flag flipped ({@link Attrs.Matmul}), and t is not made ({@code k.T} in {@code q @ k.T}
 *       is read by that product and by the adjoint {@code d_q = g @ (k.T)ᵀ});</li>
 *   <li>{@code t = pᵀ} where {@code p = op(a) @ op(b)} is read by t only, in the same block:
 *       {@code t = op(b)ᵀ @ op(a)ᵀ}, one product with flags, and p is not made (the adjoint of
 *       {@code k.T} in {@code q @ k.T} is the swap of a product).</li>
 * </ul>
 * Both give the same bits: the GEMM sums each element in order over k whichever operand it reads
 * transposed, and {@code (op(a) op(b))ᵀ[i,j]} and {@code (op(b)ᵀ op(a)ᵀ)[i,j]} sum the same
 * products in the same order ({@code x·y = y·x} exactly, and so is {@code fma(x, y, c)}).
 *
 * <p>NOTE: "only products", because a swap that another equation reads is made anyway; "only t",
 * because a product that something else reads would be made twice. "In the same block", because moving a product
 * from before a loop into its body would run it on every iteration (reading a swap's input in
 * place from a loop's body costs nothing, so the first rewrite crosses blocks).
 */
final class TransposeFold {
    /** How many times each variable is read: by equations, loops, branches, effects, and the roots. */
    private final Map<Var, Integer> reads = new HashMap<>();
    /** How many of those reads are operands of products. */
    private final Map<Var, Integer> productReads = new HashMap<>();
    /** The equation defining each variable so far, as rewritten. */
    private final Map<Var, Eqn> defs = new HashMap<>();
    /** The block (by identity) each equation's output is defined in. */
    private final Map<Var, List<Stmt>> blockOf = new HashMap<>();
    /** Outputs of equations no longer read after a rewrite: removed at the end. */
    private final Set<Var> dropped = new HashSet<>();
    private final BitSet internal;

    private TransposeFold(BitSet internal) {
        this.internal = internal;
    }

    /**
     * Folds the body's transposes into its products; {@code roots} are read after it (a derived
     * function's results), and {@code internal} (see {@link Program#internal}) is kept up to date.
     */
    static List<Stmt> run(List<Stmt> body, Collection<Var> roots, BitSet internal) {
        TransposeFold f = new TransposeFold(internal);
        f.count(body);
        for (Var v : roots) f.read(v);
        List<Stmt> out = f.block(body);
        return f.dropped.isEmpty() ? out : f.sweep(out);
    }

    private void read(Var v) {
        if (v != null) reads.merge(v, 1, Integer::sum);
    }

    private int reads(Var v) {
        return reads.getOrDefault(v, 0);
    }

    private void count(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Eqn e) {
                for (Var v : e.in()) read(v);
                if (e.prim() == Prim.MATMUL) for (Var v : e.in()) productReads.merge(v, 1, Integer::sum);
            } else if (s instanceof Stmt.Loop l) {
                for (Var v : l.init()) read(v);
                if (l.runTime() != null) { // a while's head, and a counted loop's count, read values too
                    count(l.runTime().head());
                    for (Var v : java.util.Arrays.asList(l.runTime().cond(), l.runTime().count())) if (v != null) read(v);
                }
                count(l.body());
                for (Var v : l.results()) read(v);
                for (Var v : l.stacked()) read(v);
            } else if (s instanceof Stmt.Cond c) {
                read(c.cond());
                count(c.then());
                count(c.otherwise());
                for (Var v : c.thenResults()) read(v);
                for (Var v : c.elseResults()) read(v);
            } else {
                for (Var v : Blocks.free(s)) read(v);
            }
        }
    }

    private List<Stmt> block(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>(body.size());
        for (Stmt s : body) out.add(stmt(s, body));
        return out;
    }

    private Stmt stmt(Stmt s, List<Stmt> body) {
        if (s instanceof Eqn e) {
            Eqn r = e.prim() == Prim.MATMUL ? readInPlace(e) : e.prim() == Prim.TRANSPOSE && swapsLastTwo(e) ? swappedProduct(e, body) : e;
            defs.put(r.out(), r);
            blockOf.put(r.out(), body);
            return r;
        }
        if (s instanceof Stmt.Loop l) {
            return l.with(block(l.body()), l.stacked(), l.tapes());
        }
        if (s instanceof Stmt.Cond c) {
            return new Stmt.Cond(c.cond(), block(c.then()), c.thenResults(), block(c.otherwise()), c.elseResults(), c.outs(), c.origin());
        }
        return s;
    }

    /** {@code op(a) @ op(b)} with an operand that is a swap only products read: the swap's input, the flag flipped. */
    private Eqn readInPlace(Eqn e) {
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        boolean[] flag = {t.transA(), t.transB()};
        List<Var> in = new ArrayList<>(e.in());
        boolean changed = false;
        for (int i = 0; i < 2; i++) {
            Var x = in.get(i);
            Eqn swap = defs.get(x);
            if (swap == null || swap.prim() != Prim.TRANSPOSE || !swapsLastTwo(swap) || reads(x) != productReads.getOrDefault(x, 0)) continue;
            Var source = swap.in().get(0);
            in.set(i, source);
            flag[i] = !flag[i];
            moveRead(x, source);
            if (reads(x) == 0) dropped.add(x); // NOTE: not before: a product visited earlier, when something else read x too, still reads it
            changed = true;
        }
        return changed ? new Eqn(Prim.MATMUL, in, e.out(), Attrs.Matmul.of(flag[0], flag[1]), e.origin()) : e;
    }

    /** A product's read of the swap x becomes a read of its input; once nothing reads x, its own read of the input goes too. */
    private void moveRead(Var x, Var source) {
        reads.merge(x, -1, Integer::sum);
        productReads.merge(x, -1, Integer::sum);
        reads.merge(source, 1, Integer::sum);
        productReads.merge(source, 1, Integer::sum);
        if (reads(x) == 0) reads.merge(source, -1, Integer::sum);
    }

    /**
     * {@code t = pᵀ} for a product p that only t reads, in t's block: {@code op(b)ᵀ @ op(a)ᵀ}. NOTE:
     * the new equation keeps the product's origin (it is a product, and --detect-anomaly names
     * the primitive and points at its source), and is a value of the program if p was one.
     */
    private Eqn swappedProduct(Eqn e, List<Stmt> body) {
        Var p = e.in().get(0);
        Eqn product = defs.get(p);
        if (product == null || product.prim() != Prim.MATMUL || reads(p) != 1 || blockOf.get(p) != body) return e;
        Attrs.Matmul t = Attrs.Matmul.flags(product.attr());
        reads.put(p, 0); // its operands are read by t instead
        dropped.add(p);
        if (!internal.get(p.id())) internal.clear(e.out().id());
        return new Eqn(Prim.MATMUL, List.of(product.in().get(1), product.in().get(0)), e.out(), Attrs.Matmul.of(!t.transB(), !t.transA()),
                product.origin());
    }

    /** The equations whose outputs a rewrite left unread, removed (their operands are read by the rewrites instead). */
    private List<Stmt> sweep(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>(body.size());
        for (Stmt s : body) {
            if (s instanceof Eqn e && dropped.contains(e.out())) continue;
            if (s instanceof Stmt.Loop l) {
                s = l.with(sweep(l.body()), l.stacked(), l.tapes());
            } else if (s instanceof Stmt.Cond c) {
                s = new Stmt.Cond(c.cond(), sweep(c.then()), c.thenResults(), sweep(c.otherwise()), c.elseResults(), c.outs(), c.origin());
            }
            out.add(s);
        }
        return out;
    }

    /** Whether a transpose swaps the last two axes and keeps the others (x.mT). */
    private static boolean swapsLastTwo(Eqn transpose) {
        return Simplify.swapsLastTwo(((Attrs.Perm) transpose.attr()).perm());
    }
}
