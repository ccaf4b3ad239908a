package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Tensor;

/**
 * Differential testing of the reverse-mode pass: the gradient a generated program computes with
 * {@code backward} is compared with central finite differences of its output, evaluated by tx
 * itself: one generated program re-declares the leaves as literals at every perturbed point and
 * prints the output with {@code .item()}, whose Python repr reads back exactly.
 *
 * <p>Each comparison is a directional derivative, along one coordinate of a leaf (up to
 * {@link #COORDINATES} of them, chosen at random) or along a random direction through all leaves:
 * autodiff's {@code ad = g . v} against {@code cd = (f(x + h v) - f(x - h v)) / 2h}, with
 * {@code h = 1e-6} relative to each coordinate ({@code max(1, |x_i|)}), the perturbed points
 * rounded to float64 first and the actual steps used. They agree when
 * <pre>  |ad - cd| <= 1e-5 max(|ad|, |cd|) + 1e-7 + 1e3 eps max|f| / h  </pre>
 * In float64 the truncation error of a central difference is about h^2 |f'''| / 6, near 1e-12 of
 * the derivative here, and its rounding error about eps |f| cond / h (eps = 2.2e-16), which the
 * last term allows for a condition number up to 1e3. A wrong derivative rule (a missing factor, a
 * sign, a transposed axis) is off by O(1): five orders of magnitude above the tolerance.
 *
 * <p>Programs with relu, abs, max, min, clamp, maximum, where, sign or norm are not differentiable
 * everywhere. A comparison that fails is repeated with a step 100 times smaller; it is skipped (as
 * non-smooth, counted) if there the one-sided differences disagree (a kink) or the central
 * difference has moved from its value at the larger step (a jump, or a kink between the two steps);
 * a smooth function does neither. What is still unexplained may be a tie (two arguments of max
 * exactly equal, where autodiff splits the gradient and no finite difference along one coordinate
 * sees it): the whole check is then repeated at a nearby generic point (every leaf moved by 1e-3
 * relative, the gradient recomputed by a new program), where ties do not happen. Only a mismatch
 * that persists there is a failure; so a wrong rule cannot hide, but a point exactly at a kink is
 * not held against autodiff.
 */
final class GradientCheck {
    static final double STEP = 1e-6, RTOL = 1e-5, ATOL = 1e-7, NOISE = 1e3 * Math.ulp(1.0), SMALLER = 1e-2, JITTER = 1e-3;
    static final int COORDINATES = 6;
    /** Outputs beyond this magnitude are not compared. */
    static final double MAX_OUTPUT = 1e8;

    /** Runs a source text (under the fuzzer's watchdog). */
    interface Runner {
        Sandbox.Outcome run(String label, String source);
    }

    /**
     * How it went: derivatives that agreed, points skipped as non-smooth or non-finite, the
     * closest call (the largest error as a fraction of its tolerance), or the failure.
     */
    record Result(int checked, int nonSmooth, int nonFinite, double closest, String closestText, String failure) {}

    /** The leaves' values, autodiff's gradient there, and the output f there. */
    private record At(String where, Map<String, double[]> x, Map<String, double[]> grad, double f0) {}

    /** A direction to differentiate along (per leaf), named for messages. */
    private record Probe(String what, Map<String, double[]> v) {}

    /** One comparison at one step size. */
    private record Compared(double ad, double cd, double err, double tol, boolean kink, String text) {
        boolean ok() {
            return err <= tol;
        }
    }

    private final ProgramGenerator.Program program;
    private final ProgramGenerator.GradientSpec spec;
    private final Runner runner;
    private final SplittableRandom rnd;
    private int checked, nonSmooth, nonFinite;
    private double closest;
    private String closestText = "";

    private GradientCheck(ProgramGenerator.Program program, Runner runner) {
        this.program = program;
        this.spec = program.gradient();
        this.runner = runner;
        this.rnd = new SplittableRandom(program.seed() ^ 0x5DEECE66DL);
    }

    static Result check(ProgramGenerator.Program program, Sandbox.Outcome base, Runner runner) {
        GradientCheck g = new GradientCheck(program, runner);
        String failure;
        try {
            At at = g.read(base, "the program's point");
            failure = g.checkAt(at, true);
        } catch (Problem p) {
            failure = p.getMessage();
        }
        return new Result(g.checked, g.nonSmooth, g.nonFinite, g.closest, g.closestText, failure);
    }

    /** A failure found while reading or running, with its explanation. */
    private static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }

    // ---- the comparisons ----------------------------------------------------------------------------

    /** Null if every comparison at this point agrees or is explained by non-smoothness; else why not. */
    private String checkAt(At at, boolean mayJitter) {
        if (!Double.isFinite(at.f0()) || Math.abs(at.f0()) > MAX_OUTPUT) {
            nonFinite++;
            return null;
        }
        List<Probe> probes = choose(at);
        double[] f = evaluate(at, probes, 1);
        List<Probe> again = new ArrayList<>();
        List<Compared> first = new ArrayList<>();
        for (int k = 0; k < probes.size(); k++) {
            Compared c = compare(at, probes.get(k), 1, f[2 * k + 1], f[2 * k + 2]);
            if (c == null) continue;
            if (c.ok()) pass(c);
            else {
                again.add(probes.get(k));
                first.add(c);
            }
        }
        if (again.isEmpty()) return null;
        double[] g = evaluate(at, again, SMALLER);
        List<String> unexplained = new ArrayList<>();
        for (int k = 0; k < again.size(); k++) {
            Compared c = compare(at, again.get(k), SMALLER, g[2 * k + 1], g[2 * k + 2]);
            if (c == null) continue;
            Compared big = first.get(k);
            if (c.ok()) pass(c);
            else if (c.kink() || Math.abs(c.cd() - big.cd()) > c.tol() + big.tol()) nonSmooth++;
            else unexplained.add(c.text() + "\n  (with a 100 times larger step: central difference " + repr(big.cd()) + ")");
        }
        if (unexplained.isEmpty()) return null;
        String here = "at " + at.where() + ": " + String.join("\n", unexplained) + "\n  leaves: " + show(at.x()) + "\n  grads: " + show(at.grad());
        if (!mayJitter) return here;
        String near = checkAt(jittered(at), false);
        if (near == null) {
            nonSmooth += unexplained.size(); // a tie: gone at a generic point nearby
            return null;
        }
        return here + "\nand " + near;
    }

    private void pass(Compared c) {
        checked++;
        if (c.err() / c.tol() > closest) {
            closest = c.err() / c.tol();
            closestText = c.text() + String.format(Locale.ROOT, ", tolerance %s", repr(c.tol()));
        }
    }

    /**
     * ad against cd along p, from f at x + s h p.v and x - s h p.v (f0 at x); null if not comparable
     * (a non-finite or huge value).
     */
    private Compared compare(At at, Probe p, double s, double fp, double fm) {
        if (!Double.isFinite(fp) || !Double.isFinite(fm) || Math.abs(fp) > MAX_OUTPUT || Math.abs(fm) > MAX_OUTPUT) {
            nonFinite++;
            return null;
        }
        Map<String, double[]> plus = shifted(at, p, s), minus = shifted(at, p, -s);
        double up = 0, down = 0, span = 0, scale = 0;
        for (Map.Entry<String, double[]> e : at.x().entrySet()) {
            double[] x = e.getValue(), g = at.grad().get(e.getKey()), xp = plus.get(e.getKey()), xm = minus.get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                if (xp[i] == x[i] && xm[i] == x[i]) continue;
                span += g[i] * (xp[i] - xm[i]); // the actual steps, after rounding to float64
                scale += Math.abs(g[i] * (xp[i] - xm[i]));
                up += Math.abs(xp[i] - x[i]);
                down += Math.abs(x[i] - xm[i]);
            }
        }
        double n = up + down, ad = span / n, cd = (fp - fm) / n;
        double big = Math.max(Math.abs(at.f0()), Math.max(Math.abs(fp), Math.abs(fm)));
        double tol = RTOL * Math.max(scale / n, Math.abs(cd)) + ATOL + NOISE * big / Math.min(up, down);
        double err = Double.isFinite(ad) ? Math.abs(ad - cd) : Double.POSITIVE_INFINITY;
        double right = (fp - at.f0()) / up, left = (at.f0() - fm) / down; // one-sided differences
        boolean kink = Math.abs(right - left) >= err && Math.abs(right - left) > 2 * tol;
        String text = String.format(Locale.ROOT, "along %s: autodiff %s, central difference %s (f = %s, f(x+h) = %s, f(x-h) = %s, step %s)",
                p.what(), repr(ad), repr(cd), repr(at.f0()), repr(fp), repr(fm), repr(Math.min(up, down)));
        return new Compared(ad, cd, err, tol, kink, text);
    }

    /** Up to COORDINATES single coordinates (scaled by max(1, |x_i|)), and one random direction through every leaf. */
    private List<Probe> choose(At at) {
        List<Probe> all = new ArrayList<>();
        for (Map.Entry<String, double[]> e : at.x().entrySet()) {
            for (int i = 0; i < e.getValue().length; i++) {
                Map<String, double[]> v = zeros(at);
                v.get(e.getKey())[i] = Math.max(1, Math.abs(e.getValue()[i]));
                all.add(new Probe(e.getKey() + "[" + i + "] (flat index)", v));
            }
        }
        List<Probe> out = new ArrayList<>();
        while (out.size() < COORDINATES && !all.isEmpty()) out.add(all.remove(rnd.nextInt(all.size())));
        Map<String, double[]> v = zeros(at);
        for (Map.Entry<String, double[]> e : v.entrySet()) {
            double[] x = at.x().get(e.getKey());
            for (int i = 0; i < x.length; i++) e.getValue()[i] = rnd.nextDouble(-1, 1) * Math.max(1, Math.abs(x[i]));
        }
        out.add(new Probe("a random direction", v));
        return out;
    }

    private static Map<String, double[]> zeros(At at) {
        Map<String, double[]> d = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : at.x().entrySet()) d.put(e.getKey(), new double[e.getValue().length]);
        return d;
    }

    private static Map<String, double[]> shifted(At at, Probe p, double s) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : at.x().entrySet()) {
            double[] x = e.getValue().clone(), v = p.v().get(e.getKey());
            for (int i = 0; i < x.length; i++) x[i] += s * STEP * v[i];
            out.put(e.getKey(), x);
        }
        return out;
    }

    // ---- the programs ----------------------------------------------------------------------------------

    /**
     * f at x and at x +- s h v for every probe, from one tx program: index 0 is f(x), which must
     * equal what the gradient program printed, bit for bit.
     */
    private double[] evaluate(At at, List<Probe> probes, double s) {
        StringBuilder src = new StringBuilder("# finite differences for the gradient program of seed " + ProgramGenerator.hex(program.seed()) + "\n");
        List<Map<String, double[]>> points = new ArrayList<>();
        points.add(at.x());
        for (Probe p : probes) {
            points.add(shifted(at, p, s));
            points.add(shifted(at, p, -s));
        }
        for (Map<String, double[]> pt : points) {
            declare(src, pt);
            src.append("print(").append(spec.output()).append(".item())\n");
        }
        Sandbox.Outcome o = run("finite differences", src.toString());
        String[] lines = o.output().split("\n");
        if (lines.length != points.size()) throw new Problem("the finite-difference program printed " + lines.length + " lines for " + points.size() + " points:\n" + src);
        double[] f = new double[lines.length];
        for (int i = 0; i < f.length; i++) f[i] = parse(lines[i]);
        if (Double.doubleToLongBits(f[0]) != Double.doubleToLongBits(at.f0())) {
            throw new Problem("the output recomputed from the leaves' values is " + repr(f[0]) + ", not " + repr(at.f0()) + " as " + at.where()
                    + " gave: the same expression, evaluated twice, should give the same bits\n" + src);
        }
        return f;
    }

    /** The leaves as literals, then the statements that compute the output. */
    private void declare(StringBuilder src, Map<String, double[]> x) {
        for (int k = 0; k < spec.leaves().size(); k++) {
            String leaf = spec.leaves().get(k);
            src.append(leaf).append(" = tensor(").append(Shape.literal(spec.shapes().get(k), x.get(leaf))).append(", requires_grad=true)\n");
        }
        for (String line : spec.body()) src.append(line).append('\n');
    }

    /** A generic point near at: each leaf moved by up to JITTER relative, and autodiff's gradient there (one backward of the output). */
    private At jittered(At at) {
        Map<String, double[]> x = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : at.x().entrySet()) {
            double[] v = e.getValue().clone();
            for (int i = 0; i < v.length; i++) v[i] += JITTER * Math.max(1, Math.abs(v[i])) * rnd.nextDouble(-1, 1);
            x.put(e.getKey(), v);
        }
        StringBuilder src = new StringBuilder("# the gradient program of seed " + ProgramGenerator.hex(program.seed()) + ", at a nearby point\n");
        declare(src, x);
        src.append("fuzz_out = ").append(spec.output()).append("\nfuzz_out.backward()\nprint(fuzz_out.item())\n");
        Sandbox.Outcome o = run("the gradient at a nearby point", src.toString());
        return new At("a nearby point (every leaf moved by up to 1e-3, the gradient recomputed with one backward of the output)",
                x, grads(o, src.toString()), parse(o.output().trim()));
    }

    private Sandbox.Outcome run(String what, String src) {
        Sandbox.Outcome o = runner.run(what, src);
        if (!o.ran()) {
            throw new Problem("the " + what + " program " + (o.compiled() ? "failed at run time: " + o.failure().getMessage()
                    : "was rejected:\n" + o.result().diagnostics().render()) + "\n" + src);
        }
        return o;
    }

    /** The output, the leaves' values (the base program's last lines) and autodiff's gradient. */
    private At read(Sandbox.Outcome base, String where) {
        String[] out = base.output().split("\n");
        int n = spec.leaves().size();
        if (out.length < n + 1) throw new Problem("the gradient program printed " + out.length + " lines, expected at least " + (n + 1));
        Map<String, double[]> x = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            String[] words = out[out.length - n + k].trim().split(" ");
            double[] v = new double[words.length];
            for (int i = 0; i < v.length; i++) v[i] = parse(words[i]);
            if (v.length != Shape.numel(spec.shapes().get(k))) throw new Problem("leaf " + spec.leaves().get(k) + " printed " + v.length + " values");
            x.put(spec.leaves().get(k), v);
        }
        return new At(where, x, grads(base, "the gradient program"), parse(out[out.length - n - 1]));
    }

    /** Each leaf's .grad after the run; None (the output does not reach the leaf) is zeros. */
    private Map<String, double[]> grads(Sandbox.Outcome o, String what) {
        List<String> names = o.result().program().leafNames();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int k = 0; k < spec.leaves().size(); k++) {
            String leaf = spec.leaves().get(k);
            int numel = Shape.numel(spec.shapes().get(k)), id = names.lastIndexOf(leaf);
            if (id < 0) throw new Problem("no leaf named " + leaf + " in " + what + ", among " + names);
            Tensor g = o.grads()[id];
            if (g != null && g.size() != numel) throw new Problem("the grad of " + leaf + " has " + g.size() + " elements, the leaf " + numel);
            out.put(leaf, g == null ? new double[numel] : g.data().clone());
        }
        return out;
    }

    /** Python's float repr, as tx prints {@code x.item()}: {@code 0.25}, {@code 1e-05}, {@code inf}, {@code nan}. */
    static double parse(String s) {
        return switch (s.trim()) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s.trim());
        };
    }

    private static String repr(double v) {
        return PyFloat.repr(v);
    }

    private static String show(Map<String, double[]> m) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, double[]> e : m.entrySet()) sb.append(e.getKey()).append('=').append(Arrays.toString(e.getValue())).append(' ');
        return sb.toString().trim();
    }
}
