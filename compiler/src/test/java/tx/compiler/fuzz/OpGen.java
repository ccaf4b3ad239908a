package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The productions of {@link ExprGen} for the operators of issue 13 and the slices of issue 12, with
 * PyTorch-valid arguments and shapes:
 * <ul>
 *   <li>bool masks: comparisons combined with {@code & | ^ ~}, and the predicates {@code isnan},
 *       {@code isinf}, {@code isfinite} (also of {@code sqrt(e)} and {@code exp(50 e)}, whose nan and
 *       inf are masks {@code e < 0} and {@code e > 14.2} in disguise), used as a {@code where}
 *       condition, as {@code x * mask} or in {@code masked_fill}; {@code any}/{@code all} of one as a
 *       {@code where} condition;</li>
 *   <li>the factorisations {@code det}, {@code inverse}, {@code solve} and {@code cholesky} of
 *       matrices that are well conditioned whatever the values: {@code T Tᵀ + k I} with
 *       {@code T = tanh(...)} (symmetric positive definite, eigenvalues in [k, m + k]) or
 *       {@code k I + tanh(...) / 2} with k the size (strictly diagonally dominant), so that E0508
 *       never happens and finite differences are stable;</li>
 *   <li>{@code einsum} with one to three operands, summed letters and diagonals ({@link #einsum});</li>
 *   <li>advanced indexing {@code x[idx]} with a constant int64 tensor of in-range positions, some
 *       negative, some repeated;</li>
 *   <li>loops over windows {@code x[i:i + k]} whose start is the loop's counter ({@link #windowLoop}):
 *       ranges where every window fits, and ranges whose last iterations clip the window shorter
 *       (which tx lowers one by one, {@code Loops.peel}), also as {@code x[i:min(i + k, m)]}.</li>
 * </ul>
 * Each returns null when it cannot make shape s; {@link ExprGen} then tries another production.
 */
final class OpGen {
    private final SplittableRandom rnd;
    private final ExprGen gen;
    /** The productions of the operators added later (slogdet, qr, pad modes, weighted losses, conv_transpose1d). */
    private final NnOpGen nn;

    OpGen(SplittableRandom rnd, ExprGen gen) {
        this.rnd = rnd;
        this.gen = gen;
        this.nn = new NnOpGen(rnd, gen, this);
    }

    /** One of the productions below, of shape s. */
    Ex draw(int[] s, int depth) {
        return switch (rnd.nextInt(13)) {
            case 9, 10, 11, 12 -> nn.draw(s, depth);
            case 0 -> masked(s, depth);
            case 1 -> rnd.nextBoolean() ? selection(s, depth) : masked(s, depth);
            case 2 -> anyAll(s, depth);
            case 3, 4 -> factorisation(s, depth);
            case 5, 6 -> einsum(s, depth);
            default -> gather(s, depth);
        };
    }

    // ---- bool masks -------------------------------------------------------------------------------------

    /** {@code where(m, a, b)}, {@code a * m} or {@code masked_fill(a, m, v)} with m a bool mask that broadcasts to s. */
    private Ex masked(int[] s, int depth) {
        switch (rnd.nextInt(4)) {
            case 0, 1: {
                int[][] p = gen.broadcastPair(s);
                Ex m = mask(rnd.nextBoolean() ? s : p[0], depth - 1);
                Ex a = gen.gen(p[0], depth - 1), b = gen.gen(p[1], depth - 1);
                return where(m, a, b, s);
            }
            case 2: {
                Ex a = gen.gen(s, depth - 1);
                Ex m = mask(a.number() ? s : gen.broadcastPair(s)[0], depth - 1);
                String t = rnd.nextBoolean() ? "(" + a.text() + " * " + m.text() + ")" : "(" + m.text() + " * " + a.text() + ")";
                return Ex.from(t, s, Math.min(a.lo(), 0), Math.max(a.hi(), 0), a).withWeak(m.weak());
            }
            default: {
                Ex a = tensor(gen.gen(s, depth - 1));
                Ex m = mask(gen.broadcastPair(s)[0], depth - 1);
                double v = Shape.niceValue(rnd);
                String t = rnd.nextBoolean() ? "masked_fill(" + a.text() + ", " + m.text() + ", " + Shape.fnum(v) + ")"
                        : a.recv() + ".masked_fill(" + m.text() + ", " + Shape.fnum(v) + ")";
                return Ex.from(t, s, Math.min(a.lo(), v), Math.max(a.hi(), v), a).withWeak(m.weak());
            }
        }
    }

    /**
     * {@code sum(a[m])}, {@code (a[m] ** 2).sum()}, {@code a[m].sum()}: a selection by a mask
     * computed at run time (its length a size known only at run time), summed to shape [].
     */
    private Ex selection(int[] s, int depth) {
        if (s.length != 0) return null;
        int[] src = gen.sourceShape();
        Ex a = tensor(gen.gen(src, depth - 1));
        Ex m = mask(src, depth - 1);
        String sel = "(" + a.text() + ")[" + m.text() + "]";
        long n = Shape.numel(src);
        double big = Math.max(Math.abs(a.lo()), Math.abs(a.hi()));
        double lo = n * Math.min(a.lo(), 0), hi = n * Math.max(a.hi(), 0);
        return switch (rnd.nextInt(8)) {
            case 0 -> Ex.from("sum(" + sel + ")", s, lo, hi, a, m).withWeak(m.weak());
            case 1 -> Ex.from("(" + sel + " ** 2).sum()", s, 0, n * big * big, a, m).withWeak(m.weak()); // one selection: a mask of rand() differs each time
            // sizes known only at run time through views, orders and scans (the symbol carried or made)
            case 2 -> Ex.from(sel + ".view(-1).flip(0).cumsum(0).sum()", s, n * lo, n * hi, a, m).withWeak(m.weak());
            case 3 -> Ex.from(sel + ".sort(descending=True).values.unsqueeze(0).T.sum()", s, lo, hi, a, m).withWeak(m.weak());
            // a selection indexed and sliced (its first element: a mask of ones and any other selects at least one)
            case 4 -> Ex.from("(" + a.text() + ")[(" + m.text() + ") | (ones(" + java.util.Arrays.toString(src).replace("[", "").replace("]", "") + ") > 0)][1:].sum()", s, lo, hi, a, m).withWeak(m.weak());
            case 5 -> Ex.from("cat([" + sel + ", " + sel + " * 2]).sum()", s, 3 * lo, 3 * hi, a, m).withWeak(m.weak()); // a joined size known only at run time
            default -> Ex.from(sel + ".sum()", s, lo, hi, a, m).withWeak(m.weak());
        };
    }

    private static Ex where(Ex m, Ex a, Ex b, int[] s) {
        String text = "where(" + m.text() + ", " + a.text() + ", " + b.text() + ")";
        return Ex.from(text, s, Math.min(a.lo(), b.lo()), Math.max(a.hi(), b.hi()), a, b).withWeak(m.weak());
    }

    /** A bool tensor of shape s: one to three comparisons or predicates joined by {@code & | ^}, each perhaps negated with {@code ~}. */
    Ex mask(int[] s, int depth) {
        Ex m = maybeNot(maskAtom(s, depth));
        for (int k = rnd.nextInt(3); k > 0; k--) {
            Ex b = maybeNot(maskAtom(gen.broadcastPair(s)[0], depth));
            String op = new String[] {" & ", " | ", " ^ "}[rnd.nextInt(3)];
            String t = rnd.nextBoolean() ? "(" + m.text() + op + b.text() + ")" : "(" + b.text() + op + m.text() + ")";
            m = Ex.from("", s, 0, 1, m, b).weakened(t, s, 0, 1);
        }
        return m;
    }

    private Ex maybeNot(Ex m) {
        if (rnd.nextInt(4) > 0) return m;
        return m.weakened("(~" + m.recv() + ")", m.shape(), 0, 1);
    }

    /** A comparison of two tensors (never of two Python numbers: that is a Python bool), or a predicate. */
    private Ex maskAtom(int[] s, int depth) {
        if (rnd.nextInt(3) > 0) {
            int[][] q = gen.broadcastPair(s);
            Ex a = gen.gen(q[0], depth - 1), b = gen.gen(q[1], depth - 1);
            return gen.compare(tensor(a), b);
        }
        Ex e = tensor(gen.gen(s, depth - 1));
        String f = new String[] {"isnan", "isinf", "isfinite"}[rnd.nextInt(3)];
        String arg = switch (rnd.nextInt(3)) {
            case 0 -> "sqrt(" + e.text() + ")"; // nan where e < 0
            case 1 -> "exp(" + e.recv() + " * 50.0)"; // inf where e > 14.2
            default -> e.text();
        };
        return e.weakened(rnd.nextInt(4) == 0 ? "(" + arg + ")." + f + "()" : f + "(" + arg + ")", s, 0, 1);
    }

    /** {@code where(any(m), a, b)}, {@code where(all(m, dim=d), a, b)}: a reduced mask as the condition. */
    private Ex anyAll(int[] s, int depth) {
        String f = rnd.nextBoolean() ? "any" : "all";
        Ex m;
        String cond;
        if (s.length > 0 && rnd.nextBoolean()) { // along one dim: the condition has shape s
            int d = rnd.nextInt(s.length + 1);
            int[] src = Shape.insert(s, d, 1 + rnd.nextInt(3));
            if (Shape.numel(src) > ExprGen.MAX_NUMEL) return null;
            m = mask(src, depth - 1);
            cond = rnd.nextBoolean() ? f + "(" + m.text() + ", dim=" + d + ")" : m.recv() + "." + f + "(" + (d - src.length) + ")";
        } else {
            m = mask(gen.sourceShape(), depth - 1);
            cond = rnd.nextBoolean() ? f + "(" + m.text() + ")" : m.recv() + "." + f + "()";
        }
        int[][] p = gen.broadcastPair(s);
        Ex a = gen.gen(p[0], depth - 1), b = gen.gen(p[1], depth - 1);
        if (a.number() && b.number() && s.length == 0) a = tensor(a);
        return where(m.weakened(cond, s, 0, 1), a, b, s);
    }

    // ---- factorisations -----------------------------------------------------------------------------

    /**
     * det (scalar, or a batch of them), inverse, cholesky (matrices, or a batch) and solve (a vector,
     * a matrix of right-hand sides, or a batch), of shape s. The bounds of the values follow from
     * the matrices' construction: for {@code T Tᵀ + k I} the eigenvalues lie in [k, m + k]; for the
     * diagonally dominant {@code k I + tanh(...) / 2} with k = n, each row's margin is at least n/2.
     */
    private Ex factorisation(int[] s, int depth) {
        Ex spectral = rnd.nextInt(3) == 0 ? nn.spectral(s, depth) : null; // eigh, svd, matrix_norm (NnOpGen)
        if (spectral != null) return spectral;
        int r = s.length;
        if (r == 0) return rnd.nextBoolean() ? det(s, depth) : reduced(s, 1 + rnd.nextInt(3), depth);
        if (r == 1 && s[0] <= 3) {
            return switch (rnd.nextInt(3)) {
                case 0 -> det(s, depth);
                case 1 -> solve(s, depth);
                default -> reduced(s, s[0], depth);
            };
        }
        if (r == 1) return null;
        int n = s[r - 1];
        if (n > 3 || n == 0 || s[r - 2] > 3 || s[r - 2] == 0) return null;
        if (s[r - 2] != n) return solve(s, depth);
        return switch (rnd.nextInt(3)) {
            case 0 -> inverse(s, depth);
            case 1 -> cholesky(s, depth);
            default -> solve(s, depth);
        };
    }

    /**
     * The inverse or Cholesky factor of an n×n matrix, reduced to shape s: summed to a scalar, or
     * (s = [n]) its diagonal or its column sums.
     */
    private Ex reduced(int[] s, int n, int depth) {
        int[] sq = {n, n};
        Ex x = rnd.nextBoolean() ? inverse(sq, depth) : cholesky(sq, depth);
        double b = Math.max(Math.abs(x.lo()), Math.abs(x.hi()));
        if (s.length == 0) return Ex.from(x.recv() + ".sum()", s, -n * n * b, n * n * b, x);
        return rnd.nextBoolean() ? Ex.from("diagonal(" + x.text() + ")", s, x.lo(), x.hi(), x) : Ex.from(x.recv() + ".sum(0)", s, -n * b, n * b, x);
    }

    /** A well-conditioned matrix (or batch) of shape batch + [n, n]; spd: symmetric positive definite. */
    record Matrix(Ex m, boolean spd, double k, double inverseBound) {}

    Matrix matrix(int[] batch, int n, boolean spd, int depth) {
        if (spd) {
            int m = 1 + rnd.nextInt(3);
            Ex t = gen.gen(Shape.concat(batch, new int[] {n, m}), depth - 1);
            double k = new double[] {0.5, 1, 2}[rnd.nextInt(3)];
            String tt = "tanh(" + t.text() + ")";
            // NOTE: T is written twice, so it must be the same value twice: an unseeded rand would not be
            if (t.text().contains("rand")) return matrix(batch, n, false, depth);
            String tr = batch.length == 0 && rnd.nextBoolean() ? tt + ".T" : tt + ".transpose(-2, -1)";
            String text = "(" + tt + " @ " + tr + " + " + Shape.fnum(k) + " * eye(" + n + "))";
            return new Matrix(Ex.from(text, Shape.concat(batch, new int[] {n, n}), -m, m + k, t), true, k, 1 / k);
        }
        Ex t = gen.gen(Shape.concat(batch, new int[] {n, n}), depth - 1);
        double k = n + rnd.nextInt(2);
        String text = rnd.nextBoolean() ? "(" + Shape.fnum(k) + " * eye(" + n + ") + tanh(" + t.text() + ") * 0.5)"
                : "(tanh(" + t.text() + ") / 2 + eye(" + n + ") * " + Shape.fnum(k) + ")";
        return new Matrix(Ex.from(text, Shape.concat(batch, new int[] {n, n}), -0.5, k + 0.5, t), false, k, 1 / (k - n * 0.5));
    }

    /** det of an n×n matrix (s scalar) or of a batch of them (s = [b]). */
    private Ex det(int[] s, int depth) {
        int n = 1 + rnd.nextInt(3);
        if (Shape.numel(s) * n * n > ExprGen.MAX_NUMEL) return null;
        Matrix a = matrix(s, n, rnd.nextBoolean(), depth);
        double bound = Math.pow(a.spd ? 3 + a.k : a.k + n * 0.5, n); // Hadamard / Gershgorin
        String t = rnd.nextBoolean() ? "det(" + a.m.text() + ")" : a.m.recv() + ".det()";
        return Ex.from(t, s, a.spd ? Math.pow(a.k, n) : -bound, bound, a.m);
    }

    private Ex inverse(int[] s, int depth) {
        int n = s[s.length - 1];
        Matrix a = matrix(Arrays.copyOf(s, s.length - 2), n, rnd.nextBoolean(), depth);
        String t = rnd.nextBoolean() ? "inverse(" + a.m.text() + ")" : a.m.recv() + ".inverse()";
        return Ex.from(t, s, -a.inverseBound, a.inverseBound, a.m);
    }

    /** cholesky(M) or its upper factor; the entries of L are at most sqrt(max M_ii) = sqrt(m + k) in size. */
    private Ex cholesky(int[] s, int depth) {
        int n = s[s.length - 1];
        Matrix a = matrix(Arrays.copyOf(s, s.length - 2), n, true, depth);
        if (!a.spd) return inverse(s, depth);
        String upper = switch (rnd.nextInt(4)) {
            case 0 -> ", upper=true";
            case 1 -> ", upper=False";
            default -> "";
        };
        String t = rnd.nextBoolean() ? "cholesky(" + a.m.text() + upper + ")" : a.m.recv() + ".cholesky(" + (upper.isEmpty() ? "" : upper.substring(2)) + ")";
        double b = Math.sqrt(3 + a.k);
        return Ex.from(t, s, -b, b, a.m);
    }

    /**
     * solve(A, B) with B of shape s: a vector [n], a matrix [n, m], or a batch [b, n, m] (then A is
     * a batch [b, n, n] or one matrix). |x| is at most ||A⁻¹||_∞ |B|_max, times sqrt(n) for the
     * symmetric case (whose bound is on the 2-norm).
     */
    private Ex solve(int[] s, int depth) {
        int n = s.length == 1 ? s[0] : s[s.length - 2];
        if (n == 0 || n > 3) return null;
        int[] batch = s.length == 3 && rnd.nextBoolean() ? new int[] {s[0]} : new int[0];
        Matrix a = matrix(batch, n, rnd.nextBoolean(), depth);
        Ex b = gen.gen(s, depth - 1);
        if (b.number()) return null;
        double bound = a.inverseBound * b.mag() * (a.spd ? Math.sqrt(n) : 1);
        if (!a.spd && s.length >= 2 && rnd.nextInt(3) == 0) {
            // a triangle of a diagonally dominant A is too (the same bound); a unit one's inverse has rows summing to at most 1.5^(n-1) <= 2.25
            String kw = rnd.nextBoolean() ? "upper=True" : "upper=False" + (rnd.nextBoolean() ? ", unitriangular=True" : "");
            double tri = kw.contains("unit") ? 2.25 * b.mag() : bound;
            return Ex.from("torch.linalg.solve_triangular(" + a.m.text() + ", " + b.text() + ", " + kw + ")", s, -tri, tri, a.m, b);
        }
        return Ex.from("solve(" + a.m.text() + ", " + b.text() + ")", s, -bound, bound, a.m, b);
    }

    // ---- advanced indexing ------------------------------------------------------------------------------

    /** Negative positions in an index tensor (which count from the end, as in PyTorch). */
    private static final boolean NEGATIVE_POSITIONS = true;
    /** Several index tensors, or one after a slice (the advidx branch). */
    private static final boolean SEVERAL_INDICES = true;

    /** {@code x[idx]}, and (with several index tensors) {@code x[rows, cols]} or {@code x[:, idx]}. */
    private Ex gather(int[] s, int depth) {
        if (!SEVERAL_INDICES || s.length == 0) return gather1(s, depth);
        return switch (rnd.nextInt(3)) {
            case 0 -> gather1(s, depth);
            case 1 -> gather2(s, depth);
            default -> gatherAfterSlice(s, depth);
        };
    }

    /** A constant int64 tensor of the given shape of positions in [-m, m), maybe repeated. */
    private String positions(int[] shape, int m) {
        double[] pos = new double[Shape.numel(shape)];
        for (int i = 0; i < pos.length; i++) pos[i] = rnd.nextInt(m) - (NEGATIVE_POSITIONS && rnd.nextInt(3) == 0 ? m : 0);
        return "tensor(" + Shape.literal(shape, pos).replace(".0", "") + ")"; // whole numbers: an int64 tensor
    }

    /**
     * {@code x[rows, cols]}: two index tensors that broadcast to B (the same shape, or a column
     * [a, 1] and a row [b]); s = B + x's shape after its first two dims.
     */
    private Ex gather2(int[] s, int depth) {
        int j = s.length >= 2 && rnd.nextBoolean() ? 2 : 1;
        int[] b = Arrays.copyOf(s, j), rest = Arrays.copyOfRange(s, j, s.length);
        if (Shape.numel(b) == 0) return null;
        int m1 = 1 + rnd.nextInt(3), m2 = 1 + rnd.nextInt(3);
        int[] src = Shape.concat(new int[] {m1, m2}, rest);
        if (Shape.numel(src) > ExprGen.MAX_NUMEL) return null;
        boolean outer = j == 2 && rnd.nextBoolean();
        String rows = positions(outer ? new int[] {b[0], 1} : b, m1), cols = positions(outer ? new int[] {b[1]} : b, m2);
        Ex x = gen.gen(src, depth - 1);
        return Ex.from(x.recv() + "[" + rows + ", " + cols + "]", s, x.lo(), x.hi(), x);
    }

    /** {@code x[:, idx]}: s = [x's first size] + idx's shape + x's shape after its second dim. */
    private Ex gatherAfterSlice(int[] s, int depth) {
        if (s.length < 2 || s[1] == 0) return null;
        int m = 1 + rnd.nextInt(4);
        int[] src = Shape.concat(new int[] {s[0], m}, Arrays.copyOfRange(s, 2, s.length));
        if (Shape.numel(src) > ExprGen.MAX_NUMEL) return null;
        Ex x = gen.gen(src, depth - 1);
        return Ex.from(x.recv() + "[:, " + positions(new int[] {s[1]}, m) + "]", s, x.lo(), x.hi(), x);
    }

    /** {@code x[idx]}: idx a constant int64 tensor of positions in [-m, m), maybe repeated; s = idx's shape + x's shape after its first dim. */
    private Ex gather1(int[] s, int depth) {
        if (s.length == 0) return null;
        int j = s.length >= 2 && rnd.nextBoolean() ? 2 : 1;
        int[] is = Arrays.copyOf(s, j), rest = Arrays.copyOfRange(s, j, s.length);
        if (Shape.numel(is) == 0) return null;
        int m = 1 + rnd.nextInt(4);
        int[] src = Shape.concat(new int[] {m}, rest);
        if (Shape.numel(src) > ExprGen.MAX_NUMEL) return null;
        String idx = positions(is, m);
        Ex x = gen.gen(src, depth - 1);
        if (x.number()) return null;
        return Ex.from(x.recv() + "[" + idx + "]", s, x.lo(), x.hi(), x);
    }

    // ---- einsum -----------------------------------------------------------------------------------------

    /**
     * {@code einsum("ik,kj->ij", a, b)} and the like, of shape s: one to three operands, each with
     * some of the output's letters and of zero to two summed ones (sizes 1 to 3), in any order, now
     * and then a letter repeated in one operand (a diagonal, {@code "ii->i"}); every letter is in
     * some operand. The explicit output only ({@code ->}), with spaces now and then, and the list form.
     * A value is a sum of (product of the summed sizes) products of one element of each operand.
     */
    private Ex einsum(int[] s, int depth) {
        if (s.length > 3) return null;
        String letters = shuffled("ijklmnpqrsabcdAB");
        int summed = rnd.nextInt(3);
        int[] size = new int[s.length + summed];
        for (int d = 0; d < size.length; d++) size[d] = d < s.length ? s[d] : 1 + rnd.nextInt(3);
        int ops = 1 + rnd.nextInt(3);
        List<List<Integer>> operands = new ArrayList<>();
        for (int o = 0; o < ops; o++) operands.add(new ArrayList<>());
        for (int d = 0; d < size.length; d++) {
            operands.get(rnd.nextInt(ops)).add(d);
            for (List<Integer> op : operands) if (!op.contains(d) && rnd.nextInt(3) == 0) op.add(d);
        }
        List<Ex> parts = new ArrayList<>();
        List<String> subs = new ArrayList<>();
        double mag = 1;
        for (List<Integer> op : operands) {
            if (op.isEmpty()) op.add(size.length == 0 ? -1 : rnd.nextInt(size.length));
            if (op.get(0) < 0) return null; // a scalar equation with nothing to sum: einsum("->") is not worth drawing
            java.util.Collections.shuffle(op, new java.util.Random(rnd.nextLong()));
            if (rnd.nextInt(6) == 0) op.add(rnd.nextInt(op.size() + 1), op.get(rnd.nextInt(op.size()))); // a diagonal
            int[] shape = new int[op.size()];
            StringBuilder sub = new StringBuilder();
            for (int i = 0; i < op.size(); i++) {
                shape[i] = size[op.get(i)];
                sub.append(letters.charAt(op.get(i)));
            }
            if (Shape.numel(shape) > ExprGen.MAX_NUMEL) return null;
            Ex x = gen.gen(shape, depth - 1);
            parts.add(x);
            subs.add(sub.toString());
            mag *= x.mag();
        }
        StringBuilder out = new StringBuilder();
        for (int d = 0; d < s.length; d++) out.append(letters.charAt(d));
        int terms = 1;
        for (int d = s.length; d < size.length; d++) terms *= size[d];
        String sep = rnd.nextInt(4) == 0 ? ", " : ",", arrow = rnd.nextInt(4) == 0 ? " -> " : "->";
        String eq = "\"" + String.join(sep, subs) + arrow + out + "\"";
        StringBuilder args = new StringBuilder();
        for (Ex x : parts) args.append(args.length() == 0 ? "" : ", ").append(x.text());
        String text = rnd.nextInt(4) == 0 ? "einsum(" + eq + ", [" + args + "])" : "einsum(" + eq + ", " + args + ")";
        double bound = terms * mag;
        return Ex.from(text, s, -bound, bound, parts.toArray(new Ex[0]));
    }

    private String shuffled(String s) {
        char[] c = s.toCharArray();
        for (int i = c.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            char t = c[i];
            c[i] = c[j];
            c[j] = t;
        }
        return new String(c);
    }

    // ---- loops over windows -------------------------------------------------------------------------------

    /** A loop's statements, and the value it leaves in its accumulator (named {@code name}). */
    record Loop(List<String> lines, String name, Ex value) {}

    /**
     * {@code h} accumulated over the windows {@code x[i:i + k]} of a value x in scope (or of a new
     * expression), along its first dim of size m. Three kinds: a range whose windows all fit (the
     * body may then multiply by a tensor of the window's shape); a range whose last iterations clip
     * the window shorter (tx lowers those one by one, as PyTorch clips them); and minibatches
     * {@code x[i:min(i + k, m)]}. The body of the last two uses the window only through elementwise
     * functions, a factor that broadcasts against any length, and reductions over the window's dim.
     * Now and then the body is an {@code if} on {@code any} or {@code all} of the window.
     */
    Loop windowLoop(String h, String i) {
        List<Binding> named = new ArrayList<>();
        for (Binding b : gen.usableNames()) if (!b.number && b.shape.length > 0 && b.shape[0] >= 2 && b.rg()) named.add(b);
        Ex x;
        if (!named.isEmpty() && rnd.nextInt(4) > 0) {
            x = gen.pick(named).ref();
        } else {
            int[] rest = Shape.random(rnd, 1, 4);
            x = gen.genFresh(Shape.concat(new int[] {2 + rnd.nextInt(5)}, rest), 2);
            if (x.number()) return null;
        }
        int m = x.shape()[0];
        int[] rest = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        int k = 1 + rnd.nextInt(Math.min(m, 4));
        int kind = rnd.nextInt(3), step = 1 + rnd.nextInt(2);
        int start = kind == 0 ? rnd.nextInt(m - k + 1) : rnd.nextInt(m);
        String range = switch (kind) {
            case 0 -> "range(" + start + ", " + (m - k + 1) + (step > 1 ? ", " + step : "") + ")";
            case 1 -> "range(" + start + ", " + m + (step > 1 ? ", " + step : "") + ")";
            default -> "range(0, " + m + ", " + k + ")";
        };
        int trips = kind == 2 ? (m + k - 1) / k : (kind == 0 ? (m - k + 1 - start + step - 1) / step : (m - start + step - 1) / step);
        String window = x.recv() + "[" + i + ":" + (kind == 2 ? "min(" + i + " + " + k + ", " + m + ")" : i + " + " + k) + "]";
        String u = h + "w";
        Ex uEx = Ex.from(u, Shape.concat(new int[] {k}, rest), x.lo(), x.hi(), x);
        Ex term = windowTerm(uEx, rest, kind == 0);
        int clipped = clippedTrips(kind, start, step, m, k);
        List<String> lines = new ArrayList<>();
        if (clipped > 0) lines.add("# the window is clipped shorter in the last " + clipped + " iteration(s)");
        lines.add(h + " = " + (rest.length == 0 ? "0.0" : "zeros(" + Shape.list(rest) + ")"));
        lines.add("for " + i + " in " + range + " {");
        lines.add("    " + u + " = " + window);
        boolean half = rnd.nextBoolean();
        String update = "    " + h + " = " + h + (half ? " * 0.5 + " : " + ") + term.text();
        if (rnd.nextInt(4) == 0) {
            String f = rnd.nextBoolean() ? "any" : "all";
            lines.add("    if " + f + "(" + u + " > " + Shape.fnum(Shape.niceValue(rnd)) + ") {");
            lines.add("    " + update);
            lines.add("    } else {");
            lines.add("        " + h + " = " + h + " - " + term.recv() + " * 0.5");
            lines.add("    }");
        } else {
            lines.add(update);
        }
        lines.add("}");
        double bound = Math.max(1, trips) * term.mag();
        return new Loop(lines, h, Ex.from(h, rest, -bound, bound, term));
    }

    /** How many of the loop's last iterations see a window shorter than k. */
    private static int clippedTrips(int kind, int start, int step, int m, int k) {
        if (kind == 0) return 0;
        int n = 0;
        for (int i = kind == 2 ? 0 : start; i < m; i += kind == 2 ? k : step) if (i + k > m) n++;
        return n;
    }

    /** A value of shape rest from the window u: {@code sum(F(u) * g, dim=0)} or the like, g broadcasting against u. */
    private Ex windowTerm(Ex u, int[] rest, boolean fixedLength) {
        int k = u.shape()[0];
        String ut = u.text();
        double mag;
        String f;
        switch (rnd.nextInt(6)) {
            case 0 -> { f = ut; mag = u.mag(); }
            case 1 -> { f = "tanh(" + ut + ")"; mag = 1; }
            case 2 -> { f = "sin(" + ut + ")"; mag = 1; }
            case 3 -> { f = "(" + ut + " * " + ut + ")"; mag = u.mag() * u.mag(); }
            case 4 -> { f = "softmax(" + ut + ", dim=0)"; mag = 1; }
            default -> { f = "sigmoid(" + ut + ")"; mag = 1; }
        }
        int[] gs = fixedLength && rnd.nextBoolean() ? u.shape() : rnd.nextBoolean() ? Shape.concat(new int[] {1}, rest) : rest;
        Ex g = gen.gen(gs, 1);
        String prod = "(" + f + " * " + g.text() + ")";
        String text = switch (rnd.nextInt(3)) {
            case 0 -> prod + ".sum(0)";
            case 1 -> "sum(" + prod + ", dim=0)";
            default -> rnd.nextBoolean() && rest.length == 0 ? prod + ".max()" : "mean(" + prod + ", 0) * " + k;
        };
        double bound = k * mag * g.mag();
        return Ex.from(text, rest, -bound, bound, u, g);
    }

    /**
     * e as a tensor: a scalar may be a Python number (a literal, or a loop's counter as {@code (i * 1.0)}),
     * and a comparison of two numbers is a Python bool, on which {@code ~} is an int's (~True is -2).
     */
    private static Ex tensor(Ex e) {
        if (e.shape().length > 0) return e;
        return Ex.from("(" + e.text() + " + tensor(0.0))", e.shape(), e.lo(), e.hi(), e);
    }
}
