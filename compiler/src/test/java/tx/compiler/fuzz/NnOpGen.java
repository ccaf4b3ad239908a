package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The productions of {@link OpGen} for the operators added later, with PyTorch-valid arguments:
 * <ul>
 *   <li>{@code slogdet(A).logabsdet} of a well-conditioned A (single or batched): for
 *       {@code T Tᵀ + k I}, log|det| lies in [n log k, n log(m + k)];</li>
 *   <li>{@code qr(A).Q} and {@code .R} of a square well-conditioned A, or of a tall one
 *       {@code cat([A, tanh(B)], dim=0)} (its singular values are at least A's, so R's diagonal
 *       stays away from 0 and Q, R are smooth); |Q| ≤ 1 and |R_ij| ≤ the norm of column j;</li>
 *   <li>{@code pad(x, p, mode="reflect"|"replicate"|"circular")} with amounts smaller than the size
 *       (circular on the batched rank only, as PyTorch requires);</li>
 *   <li>{@code cross_entropy} and {@code nll_loss} (over [N, C], [C] or [N, C, d]) with a constant {@code weight=} of C positive
 *       numbers and {@code label_smoothing=}, {@code binary_cross_entropy_with_logits} with
 *       {@code pos_weight=} (and now and then {@code weight=});</li>
 *   <li>{@code conv_transpose1d} with stride, padding, output_padding, dilation, groups and bias;</li>
 *   <li>{@code torch.linalg.eigvalsh}, {@code eigh}'s eigenvectors (squared or not), {@code svdvals},
 *       {@code svd}'s U or Vh and {@code matrix_norm} of matrices whose eigenvalues (singular values)
 *       are 1, 3, 5 moved by at most 0.3 ({@link #spectral}, drawn by {@link OpGen}'s factorisations), so
 *       they stay apart and the vectors smooth.</li>
 * </ul>
 * Each returns null when it cannot make shape s.
 */
final class NnOpGen {
    private final SplittableRandom rnd;
    private final ExprGen gen;
    private final OpGen ops;

    NnOpGen(SplittableRandom rnd, ExprGen gen, OpGen ops) {
        this.rnd = rnd;
        this.gen = gen;
        this.ops = ops;
    }

    /** One of the productions below, of shape s. */
    Ex draw(int[] s, int depth) {
        return switch (rnd.nextInt(8)) {
            case 0 -> slogdet(s, depth);
            case 1 -> qr(s, depth);
            case 2, 7 -> pad(s, depth); // twice: pad often cannot make s, and each of its three modes must be drawn often
            case 3, 4 -> classLoss(s, depth);
            case 5 -> bceLogits(s, depth);
            default -> convTranspose(s, depth);
        };
    }

    // ---- slogdet, qr ------------------------------------------------------------------------------------

    /** {@code slogdet(A).logabsdet} of one n×n matrix (s scalar) or of a batch (s = [b]). */
    private Ex slogdet(int[] s, int depth) {
        if (s.length > 1) return null;
        int n = 1 + rnd.nextInt(3);
        if (Shape.numel(s) * n * n > ExprGen.MAX_NUMEL || Shape.numel(s) == 0) return null;
        OpGen.Matrix a = ops.matrix(s, n, rnd.nextBoolean(), depth);
        // |det| in [k^n, (m + k)^n] (spd, m <= 3), or in [(k - n/2)^n, (k + n/2)^n] (Gershgorin)
        double lo = n * Math.log(a.spd() ? a.k() : a.k() - n * 0.5), hi = n * Math.log(a.spd() ? 3 + a.k() : a.k() + n * 0.5);
        String m = a.m().text();
        String t = switch (rnd.nextInt(4)) {
            case 0 -> "torch.linalg.slogdet(" + m + ").logabsdet";
            case 1 -> "slogdet(" + m + ").logabsdet";
            case 2 -> a.m().recv() + ".slogdet().logabsdet";
            default -> "slogdet(" + m + ")[1]";
        };
        return Ex.from(t, s, lo, hi, a.m());
    }

    /**
     * {@code qr(A).Q} ([m, n], m ≥ n) or {@code qr(A).R} ([n, n]) of shape s, or one of them summed
     * (s scalar). A tall A is a well-conditioned square one with rows appended.
     */
    private Ex qr(int[] s, int depth) {
        boolean wantQ;
        int m, n;
        if (s.length == 0) {
            n = 1 + rnd.nextInt(3);
            m = n + rnd.nextInt(3);
            wantQ = rnd.nextBoolean();
        } else if (s.length == 2 && s[1] >= 1 && s[1] <= 3 && s[0] >= s[1] && s[0] <= 6) {
            m = s[0];
            n = s[1];
            wantQ = m > n || rnd.nextBoolean();
        } else {
            return null;
        }
        if (m * n > ExprGen.MAX_NUMEL) return null;
        OpGen.Matrix sq = ops.matrix(new int[0], n, rnd.nextBoolean(), depth);
        Ex a = sq.m();
        double colMag = sq.spd() ? 3 + sq.k() : sq.k() + 0.5;
        if (m > n) {
            Ex extra = gen.gen(new int[] {m - n, n}, depth - 1);
            a = Ex.from("cat([" + a.text() + ", tanh(" + extra.text() + ")], dim=0)", new int[] {m, n}, -colMag, colMag, a, extra);
        }
        double rBound = Math.sqrt(m) * colMag;
        String part = wantQ ? "Q" : "R";
        String t = switch (rnd.nextInt(4)) {
            case 0 -> "torch.linalg.qr(" + a.text() + ")." + part;
            case 1 -> "qr(" + a.text() + ")." + part;
            case 2 -> a.recv() + ".qr()." + part;
            default -> "torch.linalg.qr(" + a.text() + ")[" + (wantQ ? 0 : 1) + "]";
        };
        int[] shape = wantQ ? new int[] {m, n} : new int[] {n, n};
        double b = wantQ ? 1 : rBound;
        Ex x = Ex.from(t, shape, -b, b, a);
        if (s.length > 0) return x;
        return Ex.from("(" + t + ").sum()", s, -b * m * n, b * m * n, a);
    }

    // ---- eigh, svd ---------------------------------------------------------------------------------------

    /**
     * One of eigvalsh ([n]), eigh's V or V ** 2 ([n, n]), svdvals ([k]), svd's U ([m, k]) or Vh
     * ([k, n]), or matrix_norm (a scalar) of shape s (or summed to a scalar), of D + 0.1 tanh(T + Tᵀ)
     * (symmetric, D = diag(1, 3, 5)[:n]: each eigenvalue within 0.1 + 0.2 (n - 1) of D's by
     * Gershgorin) or of P + 0.1 tanh(T) (P the first min(m, n) of those on its diagonal: the
     * singular values move by at most 0.1 sqrt(m n) < 0.35, Weyl).
     */
    Ex spectral(int[] s, int depth) {
        if (s.length > 2) return null;
        int m = s.length > 0 ? s[0] : 1 + rnd.nextInt(3), n = s.length == 2 ? s[1] : s.length == 1 ? m : 1 + rnd.nextInt(3);
        if (m < 1 || n < 1 || m > 3 || n > 3) return null;
        boolean sym = m == n && rnd.nextInt(4) > 0;
        int k = Math.min(m, n);
        Ex t = gen.gen(new int[] {m, n}, depth - 1);
        if (sym && t.text().contains("rand")) return null; // T is written twice, so it must be the same value twice
        String d = "torch.diag(tensor(" + java.util.Arrays.toString(java.util.Arrays.copyOf(new double[] {1, 3, 5}, k)) + "))";
        if (m != k || n != k) d = m > n ? "cat([" + d + ", zeros(" + (m - n) + ", " + n + ")])" : "cat([" + d + ", zeros(" + m + ", " + (n - m) + ")], dim=1)";
        String a = sym ? "(" + d + " + 0.1 * tanh(" + t.text() + " + " + t.recv() + ".T))" : "(" + d + " + 0.1 * tanh(" + t.text() + "))";
        String text;
        int[] shape;
        double lo = -1, hi = 1;
        int pick = s.length == 1 ? 0 : rnd.nextInt(3); // a vector: the eigenvalues or the singular values
        if (sym && pick == 0) {
            text = "torch.linalg.eigvalsh(" + a + ")";
            shape = new int[] {n};
            lo = 0.7;
            hi = 5.3;
        } else if (sym) {
            text = pick == 1 ? "torch.linalg.eigh(" + a + ").eigenvectors" : "(torch.linalg.eigh(" + a + ")[1] ** 2)"; // parenthesised: Ex.from is atomic, so a method may follow it
            shape = new int[] {n, n};
        } else if (pick == 0) {
            text = rnd.nextBoolean() ? "torch.linalg.svdvals(" + a + ")" : "torch.linalg.svd(" + a + ", full_matrices=False).S";
            shape = new int[] {k};
            lo = 0.6;
            hi = 5.4;
        } else if (pick == 1) {
            text = rnd.nextBoolean() ? "torch.linalg.svd(" + a + ", full_matrices=False).U" : "torch.linalg.svd(" + a + ", full_matrices=False)[2]";
            shape = text.endsWith("U") ? new int[] {m, k} : new int[] {k, n};
        } else {
            String ord = new String[] {"", ", ord=\"nuc\"", ", ord=2", ", ord=-2", ", ord=1", ", ord=-inf"}[rnd.nextInt(6)];
            text = "torch.linalg.matrix_norm(" + a + ord + ")";
            shape = new int[0];
            lo = 0;
            hi = 6 * k;
        }
        Ex x = Ex.from(text, shape, lo, hi, t);
        if (java.util.Arrays.equals(shape, s)) return x;
        if (s.length > 0) return null;
        double big = Math.max(Math.abs(lo), Math.abs(hi)) * Shape.numel(shape);
        return Ex.from("(" + text + ").sum()", s, -big, big, t);
    }

    // ---- pad --------------------------------------------------------------------------------------------

    /**
     * {@code pad(x, [a, b], mode=...)} along the last dim (or {@code [a, b, c, d]} along the last
     * two) with amounts below the input's size; circular only on the batched rank (3 for two
     * amounts, 4 for four), reflect and replicate on either (2-3, 3-4). A result of lower rank than
     * the mode needs is padded with leading dims of size 1 and indexed back ({@code pad(...)[0]}).
     */
    private Ex pad(int[] s, int depth) {
        if (s.length < 1 || s.length > 4 || Shape.numel(s) == 0) return null;
        int dims = s.length == 4 || (s.length == 3 && rnd.nextBoolean()) ? 2 : 1;
        String mode = switch (rnd.nextInt(3)) {
            case 0 -> "circular";
            case 1 -> "reflect";
            default -> "replicate";
        };
        int rank = mode.equals("circular") ? dims + 2 : Math.max(s.length, dims + 1);
        if (rank > 4 || s.length > rank) return null;
        int lift = rank - s.length;
        int[] padded = Shape.concat(new int[lift], s);
        for (int j = 0; j < lift; j++) padded[j] = 1;
        int[] src = padded.clone();
        List<Integer> amounts = new ArrayList<>();
        for (int j = 0; j < dims; j++) {
            int d = rank - 1 - j, out = padded[d];
            int min = Math.max(1, (out + 2 + 2) / 3); // out - in <= 2 (in - 1)
            int in = min + rnd.nextInt(out - min + 1);
            int total = out - in, before = Math.min(in - 1, rnd.nextInt(total + 1));
            int after = total - before;
            if (after > in - 1) return null;
            src[d] = in;
            amounts.add(before);
            amounts.add(after);
        }
        Ex x = gen.gen(src, depth - 1);
        if (x.number()) return null;
        String p = amounts.toString();
        if (rnd.nextBoolean()) p = "(" + p.substring(1, p.length() - 1) + ")";
        String t = "pad(" + x.text() + ", " + p + ", mode=\"" + mode + "\")";
        if (lift > 0) t += "[" + String.join(", ", java.util.Collections.nCopies(lift, "0")) + "]";
        return Ex.from(t, s, x.lo(), x.hi(), x);
    }

    // ---- losses -----------------------------------------------------------------------------------------

    /** A constant float vector of c class weights in [0.5, 2]. */
    private double[] weights(int c) {
        double[] w = new double[c];
        for (int i = 0; i < c; i++) w[i] = new double[] {0.5, 1, 1.5, 2}[rnd.nextInt(4)];
        return w;
    }

    private static String vector(double[] w) {
        StringBuilder t = new StringBuilder("tensor([");
        for (int i = 0; i < w.length; i++) t.append(i == 0 ? "" : ", ").append(Shape.fnum(w[i]));
        return t.append("])").toString();
    }

    /**
     * {@code cross_entropy(logits, target, weight=w, label_smoothing=e)} (class indices or
     * probabilities) or {@code nll_loss(log_softmax(logits, dim=-1), target, weight=w)}. The mean
     * divides by the weights of the targets, so the loss is at most (max w / min w + max w) times
     * the unweighted bound.
     */
    private Ex classLoss(int[] s, int depth) {
        if (s.length != 0) return null;
        int c = 2 + rnd.nextInt(3), n = 1 + rnd.nextInt(4);
        boolean batch = rnd.nextBoolean();
        int d = batch && rnd.nextBoolean() ? 1 + rnd.nextInt(3) : 0; // [N, C, d] with targets [N, d] (segmentation)
        int[] ls = d > 0 ? new int[] {n, c, d} : batch ? new int[] {n, c} : new int[] {c};
        Ex logits = gen.gen(ls, depth - 1);
        if (logits.number()) return null;
        boolean nll = rnd.nextBoolean();
        Ex target;
        if (!nll && rnd.nextInt(3) == 0) {
            Ex p = gen.gen(ls, depth - 2);
            target = Ex.from("softmax(" + p.text() + ", dim=" + (ls.length == 1 ? 0 : 1) + ")", ls, 0, 1, p);
        } else if (d > 0) {
            StringBuilder t = new StringBuilder("tensor([");
            for (int i = 0; i < n; i++) {
                t.append(i == 0 ? "[" : ", [");
                for (int j = 0; j < d; j++) t.append(j == 0 ? "" : ", ").append(rnd.nextInt(c));
                t.append(']');
            }
            target = Ex.constant(t.append("])").toString(), new int[] {n, d}, 0, c - 1);
        } else {
            StringBuilder t = new StringBuilder(batch ? "tensor([" : "tensor(");
            for (int i = 0; i < (batch ? n : 1); i++) t.append(i == 0 ? "" : ", ").append(rnd.nextInt(c));
            target = Ex.constant(t.append(batch ? "])" : ")").toString(), batch ? new int[] {n} : Shape.SCALAR, 0, c - 1);
        }
        double[] w = weights(c);
        double wmax = 0, wmin = 2;
        for (double v : w) {
            wmax = Math.max(wmax, v);
            wmin = Math.min(wmin, v);
        }
        List<String> opts = new ArrayList<>();
        boolean weighted = rnd.nextInt(4) > 0;
        if (weighted) opts.add("weight=" + vector(w));
        if (!nll && (!weighted || rnd.nextInt(3) > 0)) opts.add("label_smoothing=" + new String[] {"0.05", "0.1", "0.25", "0.5"}[rnd.nextInt(4)]);
        if (rnd.nextBoolean()) java.util.Collections.reverse(opts);
        String kw = opts.isEmpty() ? "" : ", " + String.join(", ", opts);
        double bound = (wmax / wmin + wmax) * (logits.hi() - logits.lo() + Math.log(c));
        String t = nll ? "nll_loss(log_softmax(" + logits.text() + ", dim=" + (d > 0 ? "1" : "-1") + "), " + target.text() + kw + ")"
                : "cross_entropy(" + logits.text() + ", " + target.text() + kw + ")";
        return Ex.from(t, s, 0, bound, logits, target);
    }

    /**
     * {@code binary_cross_entropy_with_logits(z, y, pos_weight=p)}, y in [0, 1] (a sigmoid, or a
     * constant of 0s and 1s), p a constant of one positive number per class (the last dim), now and
     * then with a constant {@code weight=} too. Each element is at most (1 + p) softplus(|z|) + |z|.
     */
    private Ex bceLogits(int[] s, int depth) {
        if (s.length != 0) return null;
        int c = 1 + rnd.nextInt(3), n = 1 + rnd.nextInt(3);
        int[] zs = rnd.nextBoolean() ? new int[] {n, c} : new int[] {c};
        Ex z = gen.gen(zs, depth - 1);
        if (z.number()) return null;
        Ex y;
        if (rnd.nextBoolean()) {
            Ex u = gen.gen(zs, depth - 2);
            y = Ex.from("sigmoid(" + u.text() + ")", zs, 0, 1, u);
        } else {
            double[] v = new double[Shape.numel(zs)];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(2) + 0.0;
            y = Ex.constant("tensor(" + Shape.literal(zs, v) + ")", zs, 0, 1);
        }
        double[] pw = weights(c);
        String kw = ", pos_weight=" + vector(pw);
        double wb = 1;
        if (rnd.nextInt(4) == 0) {
            kw = rnd.nextBoolean() ? kw + ", weight=" + vector(weights(c)) : ", weight=" + vector(weights(c)) + kw;
            wb = 2;
        }
        double zm = Math.min(z.mag(), 700);
        double bound = wb * ((1 + 2) * (zm + Math.log(2)) + zm);
        return Ex.from("binary_cross_entropy_with_logits(" + z.text() + ", " + y.text() + kw + ")", s, 0, bound, z, y);
    }

    // ---- conv_transpose1d -------------------------------------------------------------------------------

    /**
     * {@code conv_transpose1d(x, w, ...)} with x [N, Cin, L] and w [Cin, Cout / g, k]: s = [N, Cout,
     * Lout] with Lout = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1, or its
     * sum (s scalar). Each output element sums at most Cin / g · k products, plus the bias.
     */
    private Ex convTranspose(int[] s, int depth) {
        int nb, cout, lout;
        if (s.length == 0) {
            nb = 1 + rnd.nextInt(2);
            cout = 1 + rnd.nextInt(3);
            lout = 0; // any
        } else if (s.length == 3 && Shape.numel(s) > 0) {
            nb = s[0];
            cout = s[1];
            lout = s[2];
        } else {
            return null;
        }
        int cin = 1 + rnd.nextInt(3), stride = 1 + rnd.nextInt(2), dil = 1 + rnd.nextInt(2), k = 1 + rnd.nextInt(3);
        int groups = cin % 2 == 0 && cout % 2 == 0 && rnd.nextBoolean() ? 2 : 1;
        int pad = rnd.nextInt(2), outPad = rnd.nextInt(stride);
        int l;
        if (lout == 0) {
            l = 1 + rnd.nextInt(4);
            lout = (l - 1) * stride - 2 * pad + dil * (k - 1) + outPad + 1;
            if (lout < 1) return null;
        } else {
            int rest = lout + 2 * pad - dil * (k - 1) - outPad - 1;
            if (rest < 0 || rest % stride != 0) return null;
            l = rest / stride + 1;
        }
        int[] xs = {nb, cin, l}, ws = {cin, cout / groups, k};
        if (Shape.numel(xs) > ExprGen.MAX_NUMEL || Shape.numel(ws) > ExprGen.MAX_NUMEL || nb * cout * lout > ExprGen.MAX_NUMEL) return null;
        Ex x = gen.gen(xs, depth - 1), w = gen.gen(ws, depth - 1);
        if (x.number() || w.number()) return null;
        StringBuilder t = new StringBuilder("conv_transpose1d(" + x.text() + ", " + w.text());
        double bias = 0;
        List<Ex> parts = new ArrayList<>(List.of(x, w));
        if (rnd.nextBoolean()) {
            Ex b = gen.gen(new int[] {cout}, depth - 1);
            if (!b.number()) {
                t.append(rnd.nextBoolean() ? ", bias=" : ", ").append(b.text());
                bias = b.mag();
                parts.add(b);
            }
        }
        if (stride > 1) t.append(", stride=").append(stride);
        if (pad > 0) t.append(", padding=").append(pad);
        if (outPad > 0) t.append(", output_padding=").append(outPad);
        if (groups > 1) t.append(", groups=").append(groups);
        if (dil > 1) t.append(", dilation=").append(dil);
        t.append(")");
        double bound = (double) cin / groups * k * x.mag() * w.mag() + bias;
        int[] shape = {nb, cout, lout};
        if (s.length == 3) return Ex.from(t.toString(), shape, -bound, bound, parts.toArray(new Ex[0]));
        double total = bound * nb * cout * lout;
        return Ex.from(t + ".sum()", s, -total, total, parts.toArray(new Ex[0]));
    }
}
