package tx.compiler.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/**
 * Sizes that depend on a function's named dimensions. The IR has concrete shapes, so a function
 * with {@code x: [n, 3]} is lowered several times, with n bound to a different sample size each
 * time; a size or a constant that differs between the samples is recovered as a formula in the
 * named dimensions. Integers have the form {@code k * m + c}, where m is a product of up to three
 * named dimensions; real constants the form {@code k * base ** e} with e = ±1 or ±2 and base an
 * integer form (so mean's {@code 1 / (3 * n)} is recovered). Two samples determine a formula and
 * a third must agree with it, or the value is reported as one tx cannot express.
 */
public final class Sizes {
    /** The sample sizes: SAMPLES[s][d] is named dimension d in sample s; distinct primes, none at most 64 (see Simplify.FOLD_LIMIT). */
    private static final long[][] SAMPLES = {{67, 71, 73, 79}, {83, 89, 97, 101}, {103, 107, 109, 113}};
    static final int COUNT = SAMPLES.length;
    static final int MAX_DIMS = SAMPLES[0].length;

    private final List<String> dims;

    Sizes(List<String> dims) {
        if (dims.size() > MAX_DIMS) throw new IllegalArgumentException("too many named dimensions");
        this.dims = List.copyOf(dims);
    }

    List<String> dims() {
        return dims;
    }

    /**
     * These sizes with each named dimension written under a name none of {@code avoid} (an
     * emitter's own names) and no other dimension has: its own, or {@code <name>_size} (then
     * {@code _size2}, ...) where its own is taken, as n is by the parameter in {@code fn f(n: [n])}.
     */
    Sizes writtenAvoiding(java.util.Set<String> avoid) {
        java.util.Set<String> used = new java.util.HashSet<>(avoid);
        used.addAll(dims);
        List<String> written = new ArrayList<>();
        for (String dim : dims) {
            String w = dim;
            if (avoid.contains(dim)) {
                w = dim + "_size";
                for (int k = 2; used.contains(w); k++) w = dim + "_size" + k;
                used.add(w);
            }
            written.add(w);
        }
        return new Sizes(written);
    }

    /** The name this dimension is written under in {@code written}, a {@link #writtenAvoiding} of these sizes. */
    String written(Sizes written, String dim) {
        int i = dims.indexOf(dim);
        if (i < 0) throw new IllegalArgumentException("no named dimension " + dim);
        return written.dims.get(i);
    }

    /** The size named dimension d takes in sample s. */
    static int sample(int s, int d) {
        return (int) SAMPLES[s][d];
    }

    /** An integer {@code k * (product of mono's dimensions) + c}; k = 0 is the constant c. */
    public record Lin(long k, List<Integer> mono, long c) {
        public boolean constant() {
            return k == 0;
        }

        /** The named dimension this formula is alone ({@code n}, not {@code n - 1} or {@code 2 * n}), or -1. */
        public int dimension() {
            return k == 1 && c == 0 && mono.size() == 1 ? mono.get(0) : -1;
        }

        long at(int s) {
            long p = 1;
            for (int d : mono) p *= SAMPLES[s][d];
            return k * p + c;
        }
    }

    /**
     * A real {@code k * base ** exp}, or with {@code root} {@code k * base ** (exp / 2)} (exp ±1: an
     * attention's {@code 1 / sqrt(d)}); base null: the constant k.
     */
    public record Real(double k, Lin base, int exp, boolean root) {
        public Real(double k, Lin base, int exp) {
            this(k, base, exp, false);
        }

        double power(int s) {
            return Math.pow(base.at(s), root ? exp * 0.5 : exp);
        }
    }

    /** The formula for an integer that takes {@code value.applyAsLong(s)} in sample s; null if there is none. */
    Lin solve(IntToLongFunction value) {
        long v0 = value.applyAsLong(0), v1 = value.applyAsLong(1), v2 = value.applyAsLong(2);
        if (v0 == v1 && v1 == v2) return new Lin(0, List.of(), v0);
        for (List<Integer> mono : monomials()) {
            long p0 = product(mono, 0), p1 = product(mono, 1);
            if (p0 == p1 || (v0 - v1) % (p0 - p1) != 0) continue;
            long k = (v0 - v1) / (p0 - p1);
            Lin f = new Lin(k, mono, v0 - k * p0);
            if (f.at(2) == v2) return f;
        }
        return null;
    }

    /** The formula for a real that takes {@code value.applyAsDouble(s)} in sample s; null if there is none. */
    Real solveReal(IntToDoubleFunction value) {
        double v0 = value.applyAsDouble(0), v1 = value.applyAsDouble(1), v2 = value.applyAsDouble(2);
        if (Double.compare(v0, v1) == 0 && Double.compare(v1, v2) == 0) return new Real(v0, null, 0);
        for (int form = 0; form < 6; form++) { // base ** -1, 1, -2, 2, then the square roots ** -1/2, 1/2
            int exp = new int[] {-1, 1, -2, 2, -1, 1}[form];
            for (long c = 0; c <= 4; c = c <= 0 ? 1 - c : -c) { // 0, 1, -1, 2, -2, ...
                for (List<Integer> mono : monomials()) {
                    Real unit = new Real(1, new Lin(1, mono, c), exp, form >= 4);
                    if (unit.root() && unit.base().at(0) <= 0) continue; // no real root of a size formula that is not positive
                    double k = v0 / unit.power(0);
                    if (close(k * unit.power(1), v1) && close(k * unit.power(2), v2)) return new Real(k, unit.base(), exp, unit.root());
                }
            }
        }
        return null;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    }

    private static long product(List<Integer> mono, int s) {
        long p = 1;
        for (int d : mono) p *= SAMPLES[s][d];
        return p;
    }

    /** Products of one to three named dimensions (with repeats), lowest degree first. */
    private List<List<Integer>> monomials() {
        List<List<Integer>> out = new ArrayList<>();
        int n = dims.size();
        for (int a = 0; a < n; a++) out.add(List.of(a));
        for (int a = 0; a < n; a++) for (int b = a; b < n; b++) out.add(List.of(a, b));
        for (int a = 0; a < n; a++) for (int b = a; b < n; b++) for (int c = b; c < n; c++) out.add(List.of(a, b, c));
        return out;
    }

    // ---- rendering (tx and Java share the integer syntax) ----------------------------------------------

    /** An integer formula as source text: {@code n}, {@code n - 1}, {@code 3 * n * m}. */
    String show(Lin f) {
        if (f.constant()) return Long.toString(f.c());
        StringBuilder s = new StringBuilder();
        if (f.k() == -1) s.append("-");
        else if (f.k() != 1) s.append(f.k()).append(" * ");
        for (int i = 0; i < f.mono().size(); i++) s.append(i > 0 ? " * " : "").append(dims.get(f.mono().get(i)));
        if (f.c() > 0) s.append(" + ").append(f.c());
        if (f.c() < 0) s.append(" - ").append(-f.c());
        return s.toString();
    }

    /** Whether {@link #show} gives a sum or a difference, which needs brackets inside a product. */
    static boolean compound(Lin f) {
        return !f.constant() && f.c() != 0;
    }

    /**
     * A real formula as source text, given how to write a number literal: {@code 1 / (3 * n)},
     * {@code 0.5 * n}. {@code literal} must give a real (Java: {@code 1.0}, not {@code 1}).
     */
    String show(Real r, java.util.function.DoubleFunction<String> literal) {
        return show(r, literal, base -> base + " ** 0.5");
    }

    /** As {@link #show(Real, java.util.function.DoubleFunction)}, with {@code sqrt} writing the square root of a (bracketed) base: {@code n ** 0.5}, {@code Math.sqrt(n)}. */
    String show(Real r, java.util.function.DoubleFunction<String> literal, java.util.function.UnaryOperator<String> sqrt) {
        if (r.base() == null) return literal.apply(r.k());
        String base = show(r.base());
        boolean bracket = compound(r.base()) || r.base().mono().size() > 1 || r.base().k() != 1;
        String power = r.root() ? sqrt.apply(bracket ? "(" + base + ")" : base)
                : Math.abs(r.exp()) == 1 ? base : (bracket ? "(" + base + ")" : base) + " * " + (bracket ? "(" + base + ")" : base);
        boolean powerBracket = bracket || Math.abs(r.exp()) == 2 || r.root();
        if (r.exp() > 0) {
            if (r.k() == 1) return power;
            return literal.apply(r.k()) + " * " + (powerBracket ? "(" + power + ")" : power);
        }
        if (r.k() < 0) return "-" + show(new Real(-r.k(), r.base(), r.exp(), r.root()), literal, sqrt);
        double q = 1 / r.k();
        double qr = Math.rint(q);
        if (qr != 0 && Math.abs(qr) < 1e15 && Math.abs(q - qr) <= 1e-12 * Math.abs(qr)) { // k = 1/q: 1 / (q * n)
            long qi = (long) qr;
            String den = qi == 1 ? power : qi + " * " + (powerBracket ? "(" + power + ")" : power);
            boolean denBracket = qi != 1 || powerBracket;
            return literal.apply(1.0) + " / " + (denBracket ? "(" + den + ")" : den);
        }
        return literal.apply(r.k()) + " / " + (powerBracket ? "(" + power + ")" : power);
    }
}
