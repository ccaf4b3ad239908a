package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Predicate;

/**
 * Generates well-typed tx expressions of a requested shape over the names in scope. Every
 * production knows its shape rule (so operands are built with shapes that fit: broadcasting pairs,
 * matmul inner sizes, reduced and inserted dimensions, cat splits, slices) and its interval rule
 * (so log, sqrt, division and fractional powers only see values bounded away from their poles,
 * and exp never overflows). This is what lets the gradients of generated programs be checked
 * against finite differences: the functions are finite, and smooth except at the kinks of relu,
 * abs, max, clamp, where and sign, which the checker detects.
 */
final class ExprGen {
    /** Intermediate tensors stay this small, so that every program runs in microseconds. */
    static final int MAX_NUMEL = 24;
    /** Values are kept within this magnitude (by scaling) so that nothing overflows. */
    static final double MAX_MAG = 30;

    private final SplittableRandom rnd;
    private final Map<String, Binding> env;
    /** The output is checked against finite differences: no detach or item, and every random tensor seeded. */
    boolean gradientMode;
    /** Inside {@code with no_grad}: nothing computed requires grad. */
    boolean noGrad;
    /**
     * Shapes may have a dimension of size 0. The values then stop being bounded (the mean of nothing
     * is nan), so such programs make no assert_close.
     */
    boolean allowEmpty;
    /** Every rand/randn gets a seed= (an unseeded one differs at each place it is written). */
    boolean seededOnly;
    private int seeds;
    /** The productions of the newer operators (masks, factorisations, advanced indexing). */
    private final OpGen ops;

    ExprGen(SplittableRandom rnd, Map<String, Binding> env) {
        this.rnd = rnd;
        this.env = env;
        this.ops = new OpGen(rnd, this);
    }

    OpGen ops() {
        return ops;
    }

    // ---- entry points ------------------------------------------------------------------------------

    /** An expression of exactly shape s, at most depth operations deep. */
    Ex gen(int[] s, int depth) {
        Ex e = depth <= 0 || rnd.nextInt(6) == 0 ? atom(s) : compound(s, depth);
        e = tame(e);
        return noGrad ? e.noGrad() : e;
    }

    /** Like {@link #gen}, but never a bare name (so that assigning it never makes an alias). */
    Ex genFresh(int[] s, int depth) {
        for (int attempt = 0; attempt < 4; attempt++) {
            Ex e = gen(s, Math.max(1, depth));
            if (!e.alias()) return e;
        }
        Ex e = atom(s);
        Ex out = Ex.arith("(" + e.text() + " * 1)", s, e.lo(), e.hi(), e);
        return noGrad ? out.noGrad() : out;
    }

    private Ex compound(int[] s, int depth) {
        for (int attempt = 0; attempt < 4; attempt++) {
            Ex e = switch (rnd.nextInt(28)) {
                case 0, 1, 2, 3 -> unary(s, depth);
                case 4, 5, 6, 7, 8 -> binary(s, depth);
                case 9, 10 -> select(s, depth);
                case 11, 12 -> reduce(s, depth);
                case 13, 14 -> matmul(s, depth);
                case 15 -> normalize(s, depth);
                case 16 -> join(s, depth);
                case 17, 18 -> reshape(s, depth);
                case 19 -> index(s, depth);
                case 20 -> loss(s, depth);
                case 21 -> rearrange(s, depth);
                case 22 -> stopGrad(s, depth);
                default -> ops.draw(s, depth);
            };
            if (e != null) return e;
        }
        return atom(s);
    }

    // ---- atoms: names in scope and constants ---------------------------------------------------------

    Ex atom(int[] s) {
        List<Binding> exact = usable(b -> Arrays.equals(b.shape, s));
        if (!exact.isEmpty() && rnd.nextInt(5) != 0) return pick(exact).ref();
        if (s.length > 0 && rnd.nextInt(3) == 0) {
            List<Binding> same = usable(b -> b.shape.length > 0 && Shape.numel(b.shape) == Shape.numel(s));
            if (!same.isEmpty()) return reshapeText(pick(same).ref(), s);
        }
        return constant(s);
    }

    /** The names in scope that expressions may use. */
    List<Binding> usableNames() {
        return usable(b -> true);
    }

    private List<Binding> usable(Predicate<Binding> p) {
        List<Binding> out = new ArrayList<>();
        for (Binding b : env.values()) if (!b.printOnly && p.test(b)) out.add(b);
        return out;
    }

    /** A constant of shape s, built with one of the constructors of LANGUAGE.md section 5. */
    Ex constant(int[] s) {
        int n = Shape.numel(s);
        if (s.length == 0) {
            double v = Shape.niceValue(rnd);
            return rnd.nextInt(3) > 0 ? Ex.floatNumber(v) : Ex.constant("tensor(" + Shape.element(v) + ")", s, v, v);
        }
        switch (rnd.nextInt(9)) {
            case 0: {
                boolean one = rnd.nextBoolean();
                String f = one ? "ones" : "zeros";
                return Ex.constant(rnd.nextBoolean() ? f + "(" + Shape.args(s) + ")" : f + "(" + Shape.list(s) + ")", s, one ? 1 : 0, one ? 1 : 0);
            }
            case 1: {
                double v = Shape.niceValue(rnd);
                return Ex.constant("full(" + Shape.list(s) + ", " + Shape.fnum(v) + ")", s, v, v);
            }
            case 2: {
                String a = "arange(" + n + ".0)";
                return Ex.constant(s.length == 1 ? a : a + ".reshape(" + Shape.args(s) + ")", s, 0, n - 1);
            }
            case 3: {
                double a = Shape.niceValue(rnd), b = Shape.niceValue(rnd);
                String l = "linspace(" + Shape.num(a) + ", " + Shape.num(b) + ", " + n + ")";
                return Ex.constant(s.length == 1 ? l : l + ".reshape(" + Shape.args(s) + ")", s, Math.min(a, b), Math.max(a, b));
            }
            case 4: {
                boolean normal = rnd.nextBoolean();
                String seed = gradientMode || seededOnly || rnd.nextBoolean() ? ", seed=" + (++seeds + rnd.nextInt(1000)) : "";
                return Ex.constant((normal ? "randn(" : "rand(") + Shape.args(s) + seed + ")", s, normal ? -6 : 0, normal ? 6 : 1);
            }
            case 5:
                if (s.length == 2) return Ex.constant(s[0] == s[1] && rnd.nextBoolean() ? "eye(" + s[0] + ")" : "eye(" + s[0] + ", " + s[1] + ")", s, 0, 1);
                return literal(s);
            case 6: {
                List<Binding> like = usable(b -> !b.number && Arrays.equals(b.shape, s));
                if (!like.isEmpty()) return Ex.constant((rnd.nextBoolean() ? "ones(" : "zeros(") + pick(like).name + ".shape)", s, 0, 1);
                if (s.length != 1) return literal(s);
                double st = (1 + rnd.nextInt(4)) / 4.0;
                return Ex.constant("arange(0, " + Shape.fnum(s[0] * st) + ", step=" + Shape.fnum(st) + ")", s, 0, (s[0] - 1) * st);
            }
            case 7: {
                Ex lit = literal(s);
                return Ex.constant(lit.text().substring(0, lit.text().length() - 1) + ", requires_grad=false)", s, lit.lo(), lit.hi());
            }
            default:
                return literal(s);
        }
    }

    /** {@code tensor([[...]])} with nice random values. */
    Ex literal(int[] s) {
        if (Shape.numel(s) == 0 && (s.length != 1 || rnd.nextBoolean())) return Ex.constant("zeros(" + Shape.list(s) + ")", s, 0, 0);
        double[] d = new double[Shape.numel(s)];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < d.length; i++) {
            d[i] = Shape.niceValue(rnd);
            lo = Math.min(lo, d[i]);
            hi = Math.max(hi, d[i]);
        }
        if (d.length == 0) lo = hi = 0;
        return Ex.constant("tensor(" + Shape.literal(s, d) + ")", s, lo, hi);
    }

    // ---- elementwise ----------------------------------------------------------------------------------

    private Ex unary(int[] s, int depth) {
        Ex e = gen(s, depth - 1);
        return switch (rnd.nextInt(24)) {
            case 0 -> rnd.nextBoolean() ? Ex.arith("(-" + e.text() + ")", s, -e.hi(), -e.lo(), e) : call1("neg", e, -e.hi(), -e.lo());
            case 1 -> call1("sin", e, -1, 1);
            case 2 -> call1("cos", e, -1, 1);
            case 3 -> mono("tanh", e, Math::tanh);
            case 4 -> mono("sigmoid", e, ExprGen::sigmoid);
            case 5 -> call1("relu", e, Math.max(0, e.lo()), Math.max(0, e.hi()));
            case 6 -> call1("abs", e, absLo(e), e.mag());
            case 7 -> mono("softplus", e, ExprGen::softplus);
            case 8 -> mono("exp", expArg(e), Math::exp);
            case 9 -> mono("expm1", expArg(e), Math::expm1);
            case 10 -> mono("log", positive(e), Math::log);
            case 11 -> mono("sqrt", positive(e), Math::sqrt);
            case 12 -> e.lo() > -0.9 ? mono("log1p", e, Math::log1p) : mono("log1p", positive(e), Math::log1p);
            case 13 -> mono("tan", e.mag() < 1.2 ? e : mono("tanh", e, Math::tanh), Math::tan);
            case 14 -> intPower(e);
            case 15 -> realPower(positive(e));
            case 16 -> masked(e);
            case 17 -> e.weakened(rnd.nextBoolean() ? "sign(" + e.text() + ")" : e.recv() + ".sign()", s, -1, 1);
            case 18 -> scalarBase(e);
            case 19 -> mono("atan", e, Math::atan);
            case 20 -> mono("asin", unitArg(e), Math::asin);
            case 21 -> {
                Ex u = unitArg(e);
                yield call1("acos", u, Math.acos(u.hi()), Math.acos(u.lo())); // decreasing
            }
            default -> Ex.arith("(" + e.text() + " * " + e.text() + ")", s, sq(e)[0], sq(e)[1], e);
        };
    }

    private Ex call1(String f, Ex e, double lo, double hi) {
        String text = rnd.nextInt(3) == 0 ? e.recv() + "." + f + "()" : f + "(" + e.text() + ")";
        return Ex.from(text, e.shape(), lo, hi, e);
    }

    /** An increasing function applied to e: the interval maps through it. */
    private Ex mono(String f, Ex e, DoubleUnaryOperator fn) {
        return call1(f, e, fn.applyAsDouble(e.lo()), fn.applyAsDouble(e.hi()));
    }

    /** e itself where it stays within [-0.9, 0.9] (away from asin's and acos's infinite slopes at ±1), else 0.9 tanh(e). */
    private Ex unitArg(Ex e) {
        return e.mag() <= 0.9 ? e : Ex.from("(tanh(" + e.text() + ") * 0.9)", e.shape(), 0.9 * Math.tanh(e.lo()), 0.9 * Math.tanh(e.hi()), e);
    }

    private Ex expArg(Ex e) {
        return e.hi() <= 4 ? e : mono("tanh", e, Math::tanh);
    }

    /** An expression of e's shape whose elements are all at least 0.1, built smoothly from e where possible. */
    Ex positive(Ex e) {
        if (e.lo() > 0.1) return e;
        String t = e.text();
        return switch (rnd.nextInt(5)) {
            case 0 -> Ex.from("(softplus(" + t + ") + 0.5)", e.shape(), softplus(e.lo()) + 0.5, softplus(e.hi()) + 0.5, e);
            case 1 -> Ex.arith("(" + e.recv() + " ** 2 + 1)", e.shape(), sq(e)[0] + 1, sq(e)[1] + 1, e);
            case 2 -> Ex.from("(abs(" + t + ") + 0.5)", e.shape(), absLo(e) + 0.5, e.mag() + 0.5, e);
            case 3 -> Ex.from("exp(tanh(" + t + "))", e.shape(), Math.exp(Math.tanh(e.lo())), Math.exp(Math.tanh(e.hi())), e);
            default -> Ex.from("(sigmoid(" + t + ") + 0.1)", e.shape(), sigmoid(e.lo()) + 0.1, sigmoid(e.hi()) + 0.1, e);
        };
    }

    private Ex intPower(Ex e) {
        if (rnd.nextBoolean()) return Ex.arith("(" + e.recv() + " ** 2)", e.shape(), sq(e)[0], sq(e)[1], e);
        return Ex.arith("(" + e.recv() + " ** 3)", e.shape(), Math.pow(e.lo(), 3), Math.pow(e.hi(), 3), e);
    }

    /** p in {0.5, 1.5, 2.5, -1, -0.5} of a positive base. */
    private Ex realPower(Ex e) {
        double p = new double[] {0.5, 1.5, 2.5, -1, -0.5}[rnd.nextInt(5)];
        double a = Math.pow(e.lo(), p), b = Math.pow(e.hi(), p);
        String exponent = p < 0 && rnd.nextBoolean() ? "-" + Shape.num(-p) : Shape.num(p);
        return Ex.arith("(" + e.recv() + " ** " + exponent + ")", e.shape(), Math.min(a, b), Math.max(a, b), e);
    }

    /** {@code 2 ** e}: a number raised to a tensor. */
    private Ex scalarBase(Ex e) {
        Ex x = e.mag() <= 5 ? e : mono("tanh", e, Math::tanh);
        double base = rnd.nextBoolean() ? 2 : 0.5;
        double a = Math.pow(base, x.lo()), b = Math.pow(base, x.hi());
        return Ex.arith("(" + Shape.num(base) + " ** " + x.recv() + ")", e.shape(), Math.min(a, b), Math.max(a, b), x);
    }

    /**
     * {@code where(e > 0.1, log(e), e)}: the branch not taken is undefined (log of a negative), and by
     * contract (LANGUAGE.md section 5) it must not poison the gradient.
     */
    private Ex masked(Ex e) {
        String t = e.text();
        boolean useLog = rnd.nextBoolean();
        double top = Math.max(e.hi(), 0.1);
        double lo1 = useLog ? Math.log(0.1) : Math.sqrt(0.1), hi1 = useLog ? Math.log(top) : Math.sqrt(top);
        boolean otherIsZero = rnd.nextBoolean();
        double lo2 = otherIsZero ? 0 : e.lo(), hi2 = otherIsZero ? 0 : Math.min(e.hi(), 0.1);
        String text = "where(" + e.recv() + " > 0.1, " + (useLog ? "log(" : "sqrt(") + t + "), " + (otherIsZero ? "0" : t) + ")";
        return Ex.from(text, e.shape(), Math.min(lo1, lo2), Math.max(hi1, hi2), e).withWeak(e.leaves());
    }

    private Ex binary(int[] s, int depth) {
        int[][] p = broadcastPair(s);
        Ex a = gen(p[0], depth - 1), b = gen(p[1], depth - 1);
        switch (rnd.nextInt(10)) {
            case 0, 1, 2:
                return Ex.arith("(" + a.text() + " + " + b.text() + ")", s, a.lo() + b.lo(), a.hi() + b.hi(), a, b);
            case 3, 4:
                return Ex.arith("(" + a.text() + " - " + b.text() + ")", s, a.lo() - b.hi(), a.hi() - b.lo(), a, b);
            case 5, 6, 7: {
                double[] m = product(a, b);
                return Ex.arith("(" + a.text() + " * " + b.text() + ")", s, m[0], m[1], a, b);
            }
            case 8: {
                Ex d = b.lo() > 0.1 || b.hi() < -0.1 ? b : positive(b);
                double[] m = product(a.lo(), a.hi(), 1 / d.hi(), 1 / d.lo());
                return Ex.arith("(" + a.text() + " / " + d.text() + ")", s, m[0], m[1], a, d);
            }
            default: {
                Ex base = positive(a), x = b.mag() <= 3 ? b : mono("tanh", b, Math::tanh);
                double la = Math.log(base.lo()), lb = Math.log(base.hi());
                double[] m = product(la, lb, x.lo(), x.hi());
                return Ex.arith("(" + base.recv() + " ** " + x.recv() + ")", s, Math.exp(m[0]), Math.exp(m[1]), base, x);
            }
        }
    }

    /** Two shapes that broadcast to exactly s (equal, scalar, suffix, or with some dimensions 1). */
    int[][] broadcastPair(int[] s) {
        int[] a = s, b;
        switch (rnd.nextInt(5)) {
            case 0 -> b = s;
            case 1 -> b = Shape.SCALAR;
            case 2 -> b = Arrays.copyOfRange(s, rnd.nextInt(s.length + 1), s.length);
            default -> {
                a = s.clone();
                b = s.clone();
                for (int i = 0; i < s.length; i++) {
                    int r = rnd.nextInt(3);
                    if (r == 1) a[i] = 1;
                    if (r == 2) b[i] = 1;
                }
                int droppable = 0; // b may lose leading dimensions where a has the full size
                while (droppable < s.length && a[droppable] == s[droppable]) droppable++;
                if (rnd.nextBoolean()) b = Arrays.copyOfRange(b, rnd.nextInt(droppable + 1), b.length);
            }
        }
        return rnd.nextBoolean() ? new int[][] {a, b} : new int[][] {b, a};
    }

    // ---- selection: maximum, minimum, where, clamp -----------------------------------------------------

    private Ex select(int[] s, int depth) {
        switch (rnd.nextInt(5)) {
            case 0, 1: {
                int[][] p = broadcastPair(s);
                Ex a = gen(p[0], depth - 1), b = gen(p[1], depth - 1);
                boolean max = rnd.nextBoolean();
                String text = (max ? "maximum(" : "minimum(") + a.text() + ", " + b.text() + ")";
                return max ? Ex.from(text, s, Math.max(a.lo(), b.lo()), Math.max(a.hi(), b.hi()), a, b)
                        : Ex.from(text, s, Math.min(a.lo(), b.lo()), Math.min(a.hi(), b.hi()), a, b);
            }
            case 2: {
                int[][] p = broadcastPair(s), q = broadcastPair(rnd.nextBoolean() ? s : p[0]);
                Ex c = compare(gen(q[0], depth - 2), gen(q[1], depth - 2));
                Ex a = gen(p[0], depth - 1), b = gen(p[1], depth - 1);
                String text = "where(" + c.text() + ", " + a.text() + ", " + b.text() + ")";
                return Ex.from(text, s, Math.min(a.lo(), b.lo()), Math.max(a.hi(), b.hi()), a, b).withWeak(c.weak());
            }
            case 3: {
                Ex e = gen(s, depth - 1);
                return Ex.from("where(" + e.recv() + " > 0, " + e.text() + ", " + e.recv() + " * 0.1)", s,
                        Math.min(e.lo() * 0.1, e.lo()), Math.max(e.hi(), e.hi() * 0.1), e).withWeak(e.leaves());
            }
            default:
                return clamp(gen(s, depth - 1));
        }
    }

    Ex compare(Ex a, Ex b) {
        String op = new String[] {"<", "<=", ">", ">=", "==", "!="}[rnd.nextInt(6)];
        int[] s = Shape.broadcast(a.shape(), b.shape());
        Ex both = Ex.from("", s, 0, 1, a, b);
        return both.weakened("(" + a.text() + " " + op + " " + b.text() + ")", s, 0, 1);
    }

    private Ex clamp(Ex e) {
        double m1 = Shape.niceValue(rnd), m2 = Shape.niceValue(rnd);
        double lo = Math.min(m1, m2), hi = Math.max(m1, m2) + 0.25;
        return switch (rnd.nextInt(4)) {
            case 0 -> Ex.from("clamp(" + e.text() + ", min=" + Shape.num(lo) + (rnd.nextBoolean() ? ", max=None)" : ")"), e.shape(), Math.max(e.lo(), lo), Math.max(e.hi(), lo), e);
            case 1 -> Ex.from(e.recv() + ".clamp(max=" + Shape.num(hi) + ")", e.shape(), Math.min(e.lo(), hi), Math.min(e.hi(), hi), e);
            case 2 -> Ex.from("clamp(" + e.text() + ", " + Shape.num(lo) + ", " + Shape.num(hi) + ")", e.shape(),
                    clampTo(e.lo(), lo, hi), clampTo(e.hi(), lo, hi), e);
            default -> Ex.from("clamp(" + e.text() + ", min=" + Shape.num(lo) + ", max=" + Shape.num(hi) + ")", e.shape(),
                    clampTo(e.lo(), lo, hi), clampTo(e.hi(), lo, hi), e);
        };
    }

    // ---- reductions -----------------------------------------------------------------------------------

    private static final String[] REDUCTIONS = {"sum", "sum", "mean", "mean", "max", "min", "prod", "logsumexp", "norm", "amax", "amin"};

    private Ex reduce(int[] s, int depth) {
        String op = REDUCTIONS[rnd.nextInt(REDUCTIONS.length)];
        int[] src;
        String dims;
        boolean keep;
        if (s.length == 0 && rnd.nextInt(3) > 0) {
            src = sourceShape();
            dims = null;
            keep = false;
        } else if (s.length > 0 && allOnes(s) && rnd.nextInt(3) == 0) {
            src = new int[s.length];
            for (int i = 0; i < s.length; i++) src[i] = 1 + rnd.nextInt(3);
            dims = null;
            keep = true;
        } else if (hasOne(s) && rnd.nextBoolean()) {
            int d = oneAt(s);
            src = Shape.with(s, d, 2 + rnd.nextInt(3));
            dims = dimText(d, src.length);
            keep = true;
        } else if (s.length <= 1 && rnd.nextInt(3) == 0) {
            int d1 = rnd.nextInt(s.length + 1);
            src = Shape.insert(Shape.insert(s, d1, 2 + rnd.nextInt(2)), d1 + 1 + rnd.nextInt(s.length + 1 - d1), 2 + rnd.nextInt(2));
            int[] ds = insertedPositions(src, s);
            dims = "[" + dimText(ds[0], src.length) + ", " + dimText(ds[1], src.length) + "]";
            keep = false;
        } else {
            int d = rnd.nextInt(s.length + 1);
            src = Shape.insert(s, d, 2 + rnd.nextInt(3));
            dims = dimText(d, src.length);
            keep = false;
        }
        if (Shape.numel(src) > MAX_NUMEL) return null;
        int reduced = Shape.numel(src) / Math.max(1, Shape.numel(s));
        if (op.equals("prod") && reduced > 6) op = "sum";
        if (reduced == 0 && Shape.numel(src) == 0 && op.matches("max|min|amax|amin")) op = "sum"; // E0205: no value
        Ex x = gen(src, depth - 1);
        if (op.equals("prod") && x.mag() > 1.5) x = mono("tanh", x, Math::tanh);
        double[] iv = reducedInterval(op, x, reduced);
        String text = reductionText(op, x, dims, keep);
        return Ex.from(text, s, iv[0], iv[1], x);
    }

    private String reductionText(String op, Ex x, String dims, boolean keep) {
        List<String> args = new ArrayList<>();
        if (op.equals("norm") && rnd.nextInt(3) == 0) args.add(rnd.nextBoolean() ? "p=1" : "1");
        if (dims != null) args.add(rnd.nextInt(4) == 0 && !op.equals("norm") && args.isEmpty() ? dims : "dim=" + dims);
        if (keep) args.add("keepdim=" + (rnd.nextBoolean() ? "true" : "True"));
        else if (dims != null && rnd.nextInt(6) == 0) args.add("keepdim=false");
        String rest = String.join(", ", args);
        // NOTE: max and min along one dim give PyTorch's (values, indices), whose [0] is the values: .values is the tensor
        String values = op.matches("max|min") && dims != null && !dims.startsWith("[") ? ".values" : "";
        if (rnd.nextBoolean()) return x.recv() + "." + op + "(" + rest + ")" + values;
        return op + "(" + x.text() + (rest.isEmpty() ? "" : ", " + rest) + ")" + values;
    }

    private double[] reducedInterval(String op, Ex x, int n) {
        double lo = x.lo(), hi = x.hi(), m = x.mag();
        return switch (op) {
            case "sum" -> new double[] {n * lo, n * hi};
            case "mean", "max", "min", "amax", "amin" -> new double[] {lo, hi};
            case "logsumexp" -> new double[] {lo, hi + Math.log(n)};
            case "norm" -> new double[] {0, m * n};
            case "prod" -> lo >= 0 ? new double[] {Math.pow(lo, n), Math.pow(hi, n)} : new double[] {-Math.pow(m, n), Math.pow(m, n)};
            default -> throw new IllegalStateException(op);
        };
    }

    private static int[] insertedPositions(int[] src, int[] s) {
        // s is src with two positions removed; find a pair (i < j) whose removal gives s
        for (int i = 0; i < src.length; i++) {
            for (int j = i + 1; j < src.length; j++) {
                if (Arrays.equals(Shape.remove(Shape.remove(src, j), i), s)) return new int[] {i, j};
            }
        }
        throw new IllegalStateException("no inserted positions");
    }

    private String dimText(int d, int rank) {
        return Integer.toString(rnd.nextInt(3) == 0 ? d - rank : d);
    }

    /** A shape for the operand of a full reduction: usually that of a name in scope, so it gets used. */
    int[] sourceShape() {
        List<Binding> named = usable(b -> b.shape.length > 0);
        if (!named.isEmpty() && rnd.nextInt(10) < 7) return pick(named).shape;
        int[] s = randomShape(3, 12);
        return s.length == 0 ? new int[] {1 + rnd.nextInt(4)} : s;
    }

    /** A random shape for a new value (empty now and then, if allowed). */
    int[] randomShape(int maxRank, int maxNumel) {
        return allowEmpty ? Shape.randomMaybeEmpty(rnd, maxRank, maxNumel) : Shape.random(rnd, maxRank, maxNumel);
    }

    // ---- linear algebra -------------------------------------------------------------------------------

    private Ex matmul(int[] s, int depth) {
        int k = 1 + rnd.nextInt(4);
        switch (s.length) {
            case 0: {
                Ex a = gen(new int[] {k}, depth - 1), b = gen(new int[] {k}, depth - 1);
                String t = switch (rnd.nextInt(3)) {
                    case 0 -> "dot(" + a.text() + ", " + b.text() + ")";
                    case 1 -> "(" + a.text() + " @ " + b.text() + ")";
                    default -> a.recv() + ".dot(" + b.text() + ")";
                };
                return mm(t, s, k, a, b);
            }
            case 1: {
                if (rnd.nextBoolean()) {
                    Ex m = gen(new int[] {s[0], k}, depth - 1), v = gen(new int[] {k}, depth - 1);
                    return mm("(" + m.text() + " @ " + v.text() + ")", s, k, m, v);
                }
                Ex v = gen(new int[] {k}, depth - 1), m = gen(new int[] {k, s[0]}, depth - 1);
                return mm("matmul(" + v.text() + ", " + m.text() + ")", s, k, v, m);
            }
            case 2: {
                int r = rnd.nextInt(4);
                if (r == 0) {
                    Ex a = gen(new int[] {s[0]}, depth - 1), b = gen(new int[] {s[1]}, depth - 1);
                    return mm("outer(" + a.text() + ", " + b.text() + ")", s, 1, a, b);
                }
                if (r == 1) {
                    Ex b = gen(new int[] {s[1], k}, depth - 1), a = gen(new int[] {k, s[0]}, depth - 1);
                    return mm("(" + b.text() + " @ " + a.text() + ").T", s, k, a, b);
                }
                Ex a = gen(new int[] {s[0], k}, depth - 1), b = gen(new int[] {k, s[1]}, depth - 1);
                return mm("(" + a.text() + " @ " + b.text() + ")", s, k, a, b);
            }
            case 3: {
                int[] as = new int[] {s[0], s[1], k}, bs = new int[] {s[0], k, s[2]};
                switch (rnd.nextInt(4)) {
                    case 0 -> as = new int[] {s[1], k};
                    case 1 -> bs = new int[] {k, s[2]};
                    case 2 -> as = new int[] {1, s[1], k};
                    default -> { }
                }
                if (Shape.numel(as) > MAX_NUMEL || Shape.numel(bs) > MAX_NUMEL) return null;
                Ex a = gen(as, depth - 1), b = gen(bs, depth - 1);
                return mm("(" + a.text() + " @ " + b.text() + ")", s, k, a, b);
            }
            default:
                return null;
        }
    }

    private Ex mm(String text, int[] s, int k, Ex a, Ex b) {
        double[] m = product(a, b);
        return Ex.from(text, s, k * m[0], k * m[1], a, b); // a sum of k products
    }

    // ---- neural network functions -----------------------------------------------------------------------

    private Ex normalize(int[] s, int depth) {
        if (s.length == 0) return null;
        int d = rnd.nextInt(s.length);
        Ex x = gen(s, depth - 1);
        double spread = Math.min(x.hi() - x.lo(), 700), ln = Math.log(Math.max(1, s[d]));
        boolean soft = rnd.nextBoolean();
        String f = soft ? "softmax" : "log_softmax", dim = "dim=" + dimText(d, s.length);
        String text = rnd.nextBoolean() ? f + "(" + x.text() + ", " + dim + ")" : x.recv() + "." + f + "(" + dim + ")";
        return soft ? Ex.from(text, s, Math.exp(-spread) / Math.max(1, s[d]), 1, x) : Ex.from(text, s, -spread - ln, 0, x);
    }

    private Ex loss(int[] s, int depth) {
        if (s.length != 0) return null;
        switch (rnd.nextInt(4)) {
            case 0, 1: {
                int[] t = sourceShape();
                int[][] p = rnd.nextInt(3) == 0 ? broadcastPair(t) : new int[][] {t, t};
                Ex a = gen(p[0], depth - 1), b = gen(p[1], depth - 1);
                double diff = Math.max(Math.abs(a.lo() - b.hi()), Math.abs(a.hi() - b.lo()));
                return Ex.from("mse_loss(" + a.text() + ", " + b.text() + ")", s, 0, diff * diff, a, b);
            }
            default: {
                int c = 2 + rnd.nextInt(3), n = 1 + rnd.nextInt(4);
                boolean batch = rnd.nextBoolean();
                int[] ls = batch ? new int[] {n, c} : new int[] {c};
                Ex logits = gen(ls, depth - 1);
                Ex target;
                if (rnd.nextInt(3) == 0) {
                    target = normalizeTo(gen(ls, depth - 2), ls.length - 1);
                } else {
                    StringBuilder t = new StringBuilder(batch ? "tensor([" : "tensor(");
                    for (int i = 0; i < (batch ? n : 1); i++) t.append(i == 0 ? "" : ", ").append(rnd.nextInt(c));
                    target = Ex.constant(t.append(batch ? "])" : ")").toString(), batch ? new int[] {n} : Shape.SCALAR, 0, c - 1);
                }
                double spread = logits.hi() - logits.lo();
                return Ex.from("cross_entropy(" + logits.text() + ", " + target.text() + ")", s, 0, spread + Math.log(c), logits, target);
            }
        }
    }

    private Ex normalizeTo(Ex x, int d) {
        return Ex.from("softmax(" + x.text() + ", dim=" + d + ")", x.shape(), 0, 1, x);
    }

    // ---- shapes: cat, stack, reshape, transpose, squeeze, expand, indexing ------------------------------

    private Ex join(int[] s, int depth) {
        if (s.length == 0) return null;
        List<Integer> catDims = new ArrayList<>(), stackDims = new ArrayList<>();
        for (int d = 0; d < s.length; d++) {
            if (s[d] >= 2) catDims.add(d);
            if (s[d] >= 2 && s[d] <= 3) stackDims.add(d);
        }
        boolean stack = !stackDims.isEmpty() && (catDims.isEmpty() || rnd.nextBoolean());
        if (!stack && catDims.isEmpty()) return null;
        int d = stack ? pick(stackDims) : pick(catDims);
        List<Ex> parts = new ArrayList<>();
        if (stack) {
            for (int i = 0; i < s[d]; i++) parts.add(gen(Shape.remove(s, d), depth - 1));
        } else {
            int first = 1 + rnd.nextInt(s[d] - 1);
            parts.add(gen(Shape.with(s, d, first), depth - 1));
            int rest = s[d] - first;
            if (rest >= 2 && rnd.nextBoolean()) {
                int second = 1 + rnd.nextInt(rest - 1);
                parts.add(gen(Shape.with(s, d, second), depth - 1));
                rest -= second;
            }
            parts.add(gen(Shape.with(s, d, rest), depth - 1));
        }
        StringBuilder t = new StringBuilder(stack ? "stack([" : "cat([");
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < parts.size(); i++) {
            t.append(i == 0 ? "" : ", ").append(parts.get(i).text());
            lo = Math.min(lo, parts.get(i).lo());
            hi = Math.max(hi, parts.get(i).hi());
        }
        t.append(']');
        if (d != 0 || rnd.nextBoolean()) t.append(", dim=").append(dimText(d, s.length));
        return Ex.from(t.append(')').toString(), s, lo, hi, parts.toArray(new Ex[0]));
    }

    private Ex reshape(int[] s, int depth) {
        return switch (rnd.nextInt(7)) {
            case 0 -> reshapeTo(s, depth);
            case 1 -> flattenTo(s, depth);
            case 2 -> transposeTo(s, depth);
            case 3 -> unsqueezeTo(s, depth);
            case 4 -> squeezeTo(s, depth);
            default -> expandTo(s, depth);
        };
    }

    /** {@code x.reshape(...)} from another shape with as many elements ({@code reshape([])} for a scalar). */
    private Ex reshapeTo(int[] s, int depth) {
        if (s.length == 0) {
            Ex x = gen(rnd.nextBoolean() ? new int[] {1} : new int[] {1, 1}, depth - 1);
            return Ex.view(x.recv() + ".reshape([])", s, x);
        }
        return reshapeText(gen(Shape.withNumel(rnd, Shape.numel(s), s), depth - 1), s);
    }

    /** {@code flatten(x)} to a vector, or {@code flatten(x, start_dim=1)}: [a, b, c] to [a, b c]. */
    private Ex flattenTo(int[] s, int depth) {
        if (s.length == 2 && s[1] % 2 == 0 && rnd.nextBoolean()) {
            Ex x = gen(new int[] {s[0], 2, s[1] / 2}, depth - 1);
            return Ex.view(rnd.nextBoolean() ? "flatten(" + x.text() + ", start_dim=1)" : x.recv() + ".flatten(1)", s, x);
        }
        if (s.length != 1) return null;
        int[] src = rnd.nextInt(5) == 0 && s[0] == 1 ? Shape.SCALAR : Shape.withNumel(rnd, s[0], null);
        Ex x = gen(src, depth - 1);
        return Ex.view(rnd.nextBoolean() ? "flatten(" + x.text() + ")" : x.recv() + ".flatten()", s, x);
    }

    /** {@code transpose(x, d0, d1)}, or {@code x.T} of a matrix, {@code x.mT} of a batch (x.T leaves a vector as it is). */
    private Ex transposeTo(int[] s, int depth) {
        if (s.length < 2) {
            if (s.length == 0 || rnd.nextInt(4) > 0) return null;
            Ex x = gen(s, depth - 1);
            return Ex.view(x.recv() + ".T", s, x);
        }
        int d0 = rnd.nextInt(s.length), d1 = rnd.nextInt(s.length);
        int[] src = s.clone();
        src[d0] = s[d1];
        src[d1] = s[d0];
        Ex x = gen(src, depth - 1);
        boolean lastTwo = Math.min(d0, d1) == s.length - 2 && Math.max(d0, d1) == s.length - 1;
        String t = lastTwo && rnd.nextBoolean() ? x.recv() + (s.length == 2 ? ".T" : ".mT") // x.T reverses every axis"
                : rnd.nextBoolean() ? "transpose(" + x.text() + ", " + d0 + ", " + d1 + ")" : x.recv() + ".transpose(" + dimText(d0, s.length) + ", " + d1 + ")";
        return Ex.view(t, s, x);
    }

    private Ex unsqueezeTo(int[] s, int depth) {
        if (!hasOne(s)) return null;
        int d = oneAt(s);
        Ex x = gen(Shape.remove(s, d), depth - 1);
        String dim = dimText(d, s.length);
        return Ex.from(rnd.nextBoolean() ? "unsqueeze(" + x.text() + ", " + dim + ")" : x.recv() + ".unsqueeze(" + dim + ")", s, x.lo(), x.hi(), x);
    }

    private Ex squeezeTo(int[] s, int depth) {
        int d = rnd.nextInt(s.length + 1);
        int[] src = Shape.insert(s, d, 1);
        Ex x = gen(src, depth - 1);
        String t = !hasOne(s) && rnd.nextBoolean() ? x.recv() + ".squeeze()" : "squeeze(" + x.text() + ", " + dimText(d, src.length) + ")";
        return Ex.view(t, s, x);
    }

    /** {@code x.expand(...)} or {@code broadcast_to(x, [...])} from a shape with 1s and fewer leading dimensions ({@code -1} keeps a size). */
    private Ex expandTo(int[] s, int depth) {
        if (s.length == 0) return null;
        int[] src = s.clone();
        for (int i = 0; i < s.length; i++) if (rnd.nextBoolean()) src[i] = 1;
        int drop = rnd.nextInt(s.length + 1), lead = 0;
        while (lead < drop && src[lead] == 1) lead++;
        src = Arrays.copyOfRange(src, lead, src.length);
        Ex x = gen(src, depth - 1);
        StringBuilder sizes = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            boolean keep = i >= lead && src[i - lead] == s[i] && rnd.nextInt(3) == 0;
            sizes.append(i == 0 ? "" : ", ").append(keep ? -1 : s[i]);
        }
        String t = rnd.nextBoolean() ? x.recv() + ".expand(" + sizes + ")" : "broadcast_to(" + x.text() + ", " + Shape.list(s) + ")";
        return Ex.view(t, s, x);
    }

    /** x reshaped to s, written one of several equivalent ways. */
    private Ex reshapeText(Ex x, int[] s) {
        if (Arrays.equals(x.shape(), s) && rnd.nextBoolean()) return x;
        String args = Shape.args(s);
        if (rnd.nextInt(3) == 0 && s.length > 0 && Shape.numel(s) > 0) { // one size left for tx to infer
            int free = rnd.nextInt(s.length);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : ", ").append(i == free ? "-1" : Integer.toString(s[i]));
            args = b.toString();
        }
        String t = switch (rnd.nextInt(4)) {
            case 0 -> "reshape(" + x.text() + ", [" + args + "])";
            case 1 -> x.recv() + ".view(" + args + ")";
            default -> x.recv() + ".reshape(" + args + ")";
        };
        return Ex.view(t, s, x);
    }

    private Ex index(int[] s, int depth) {
        if (rnd.nextBoolean() || s.length == 0) {
            int d = rnd.nextInt(s.length + 1), k = 1 + rnd.nextInt(4);
            int[] src = Shape.insert(s, d, k);
            if (Shape.numel(src) > MAX_NUMEL) return null;
            Ex x = gen(src, depth - 1);
            int i = rnd.nextInt(k) - (rnd.nextBoolean() ? k : 0);
            return sliceOf(x, x.recv() + "[" + ":, ".repeat(d) + i + "]", s);
        }
        int d = rnd.nextInt(s.length), step = 1 + rnd.nextInt(2);
        if (s[d] == 0) { // an empty slice a:a
            int m = rnd.nextInt(4), a = rnd.nextInt(m + 1);
            int[] src = Shape.with(s, d, m);
            if (Shape.numel(src) > MAX_NUMEL) return null;
            Ex x = gen(src, depth - 1);
            return sliceOf(x, x.recv() + "[" + ":, ".repeat(d) + a + ":" + a + "]", s);
        }
        int need = (s[d] - 1) * step + 1, m = need + rnd.nextInt(3);
        int[] src = Shape.with(s, d, m);
        if (Shape.numel(src) > MAX_NUMEL) return null;
        int start = rnd.nextInt(m - need + 1), stop = start + need;
        String a = start == 0 && rnd.nextBoolean() ? "" : Integer.toString(rnd.nextBoolean() || start == 0 ? start : start - m);
        String b = stop == m ? (countOf(start, m, step) == s[d] && rnd.nextBoolean() ? "" : Integer.toString(m))
                : Integer.toString(rnd.nextBoolean() ? stop : stop - m);
        String slice = a + ":" + b + (step == 1 ? (rnd.nextInt(4) == 0 ? ":" : "") : ":" + step);
        Ex x = gen(src, depth - 1);
        return sliceOf(x, x.recv() + "[" + ":, ".repeat(d) + slice + "]", s);
    }

    /**
     * A slice or an int index of x: a view of x's storage. NOTE: of a name (or a view of one), it is
     * marked as a view, as a reshape is: a name bound to {@code w[:]} and then changed in place
     * would change w (E0304 for a leaf, as PyTorch's "a view of a leaf Variable ... in-place").
     */
    private static Ex sliceOf(Ex x, String text, int[] s) {
        return x.alias() ? Ex.view(text, s, x) : Ex.from(text, s, x.lo(), x.hi(), x);
    }

    private static int countOf(int start, int stop, int step) {
        return Math.max(0, (stop - start + step - 1) / step);
    }

    /** detach or item: scripts only (a gradient check would see through them, autograd does not). */
    /**
     * A (v2) built-in that keeps the elements' range: flip, roll, cumsum (whose range grows with the
     * length of the line), tril/triu (which add zeros), or permute (from the permuted shape).
     */
    private Ex rearrange(int[] s, int depth) {
        if (s.length == 0) return null;
        int d = rnd.nextInt(s.length);
        String dim = dimText(d, s.length);
        switch (rnd.nextInt(5)) {
            case 0: {
                Ex x = gen(s, depth - 1);
                return Ex.from(rnd.nextBoolean() ? "flip(" + x.text() + ", [" + dim + "])" : x.recv() + ".flip(" + dim + ")", s, x.lo(), x.hi(), x);
            }
            case 1: {
                Ex x = gen(s, depth - 1);
                int k = rnd.nextInt(7) - 3;
                return Ex.from(rnd.nextBoolean() ? "roll(" + x.text() + ", " + k + ", " + dim + ")" : "roll(" + x.text() + ", " + k + ")", s, x.lo(), x.hi(), x);
            }
            case 2: {
                Ex x = gen(s, depth - 1);
                int n = Math.max(1, s[d]);
                return Ex.from("cumsum(" + x.text() + ", dim=" + dim + ")", s, Math.min(x.lo(), n * x.lo()), Math.max(x.hi(), n * x.hi()), x);
            }
            case 3: {
                if (s.length < 2) return null;
                Ex x = gen(s, depth - 1);
                int k = rnd.nextInt(3) - 1;
                return Ex.from((rnd.nextBoolean() ? "tril(" : "triu(") + x.text() + ", " + k + ")", s, Math.min(x.lo(), 0), Math.max(x.hi(), 0), x);
            }
            default: {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < s.length; i++) order.add(i);
                for (int i = order.size() - 1; i > 0; i--) java.util.Collections.swap(order, i, rnd.nextInt(i + 1));
                int[] src = new int[s.length];
                for (int i = 0; i < s.length; i++) src[order.get(i)] = s[i];
                Ex x = gen(src, depth - 1);
                return Ex.view("permute(" + x.text() + ", " + order + ")", s, x);
            }
        }
    }

    private Ex stopGrad(int[] s, int depth) {
        if (gradientMode) return null;
        Ex x = gen(s, depth - 1);
        if (s.length == 0 && rnd.nextBoolean()) return x.weakened(x.recv() + ".item()", s, x.lo(), x.hi());
        return x.weakened(rnd.nextBoolean() ? "detach(" + x.text() + ")" : x.recv() + ".detach()", s, x.lo(), x.hi());
    }

    // ---- keeping values in range ---------------------------------------------------------------------------

    /** Keeps every value within {@link #MAX_MAG}: scales large ones down (tanh when the interval is useless). */
    Ex tame(Ex e) {
        if (!(e.mag() <= 1e9)) return Ex.from("tanh(" + e.text() + ")", e.shape(), -1, 1, e);
        if (e.mag() <= MAX_MAG) return e;
        double f = Math.pow(10, -Math.ceil(Math.log10(e.mag() / 10)));
        return Ex.arith("(" + e.text() + " * " + Shape.num(f) + ")", e.shape(), e.lo() * f, e.hi() * f, e);
    }

    // ---- small helpers ---------------------------------------------------------------------------------------

    <T> T pick(List<T> xs) {
        return xs.get(rnd.nextInt(xs.size()));
    }

    private static boolean hasOne(int[] s) {
        for (int d : s) if (d == 1) return true;
        return false;
    }

    private int oneAt(int[] s) {
        List<Integer> ones = new ArrayList<>();
        for (int i = 0; i < s.length; i++) if (s[i] == 1) ones.add(i);
        return pick(ones);
    }

    private static boolean allOnes(int[] s) {
        for (int d : s) if (d != 1) return false;
        return true;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double softplus(double x) {
        return x > 30 ? x : Math.log1p(Math.exp(x));
    }

    static double absLo(Ex e) {
        return e.lo() >= 0 ? e.lo() : e.hi() <= 0 ? -e.hi() : 0;
    }

    static double[] sq(Ex e) {
        double a = e.lo() * e.lo(), b = e.hi() * e.hi();
        return new double[] {e.lo() <= 0 && e.hi() >= 0 ? 0 : Math.min(a, b), Math.max(a, b)};
    }

    static double clampTo(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static double[] product(Ex a, Ex b) {
        return product(a.lo(), a.hi(), b.lo(), b.hi());
    }

    static double[] product(double a0, double a1, double b0, double b1) {
        double[] p = {a0 * b0, a0 * b1, a1 * b0, a1 * b1};
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : p) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return new double[] {lo, hi};
    }
}
