package tx.compiler.emit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Simplify;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.ir.Verifier;

/**
 * The gradient program of one function, ready to be written out by an emitter: {@code
 * value_and_grad(fn, wrt)} lowered on parameters of unknown value, simplified, and cut down to
 * what the value and the gradients need. It is straight-line code over the primitives.
 *
 * <p>With named dimensions the function is lowered once per sample size (see {@link Sizes}); the
 * lowerings must have the same structure, equation for equation, and {@link #size} and
 * {@link #real} recover the formula behind a number that differs between them. Sample 0 is the
 * program the emitters walk.
 */
public final class Derivation {
    /** The derivative cannot be written as code; the message says why, for an E0601. */
    public static final class Unexpressible extends RuntimeException {
        public Unexpressible(String message) {
            super(message);
        }
    }

    public final Ast.FnDef fn;
    /** The parameters' indices to differentiate with respect to, in the order the gradients are returned. */
    public final List<Integer> wrt;
    public final Sizes sizes;
    private final List<Lowered> samples;

    /** One lowering: the simplified equations, the parameters, the value and the gradients, and an index by output. */
    private record Lowered(List<Stmt.Eqn> eqns, List<Var> params, List<Var> results, Map<Var, Stmt.Eqn> defs) {}

    private Derivation(Ast.FnDef fn, List<Integer> wrt, Sizes sizes, List<Lowered> samples) {
        this.fn = fn;
        this.wrt = wrt;
        this.sizes = sizes;
        this.samples = samples;
    }

    public String name() {
        return fn.name();
    }

    public List<Stmt.Eqn> eqns() {
        return samples.get(0).eqns();
    }

    /** The parameters' variables (each defined by no equation of {@link #eqns}), in declaration order. */
    public List<Var> params() {
        return samples.get(0).params();
    }

    public Var value() {
        return samples.get(0).results().get(0);
    }

    public List<Var> grads() {
        List<Var> r = samples.get(0).results();
        return r.subList(1, r.size());
    }

    /** The equation that defines a variable of sample 0, or null for a parameter. */
    public Stmt.Eqn definition(Var v) {
        return samples.get(0).defs().get(v);
    }

    /** The equation of sample s at the same place as {@code e} of sample 0. */
    public Stmt.Eqn inSample(Stmt.Eqn e, int s) {
        if (s >= samples.size()) return e; // no named dimensions: one lowering
        int i = samples.get(0).eqns().indexOf(e);
        return samples.get(s).eqns().get(i);
    }

    /** The formula of an integer that takes {@code value(s)} in sample s. */
    public Sizes.Lin size(IntToLongFunction value, String what) {
        Sizes.Lin f = sizes.solve(value);
        if (f == null) throw new Unexpressible(what + " depends on " + String.join(", ", sizes.dims()) + " in a way tx cannot write as a formula");
        return f;
    }

    /** The formula of each axis of a variable's shape. */
    public Sizes.Lin[] shape(Var v) {
        Sizes.Lin[] out = new Sizes.Lin[v.rank()];
        for (int i = 0; i < out.length; i++) {
            int axis = i;
            out[i] = size(s -> variable(v, s).shapeRef()[axis], "the size of a result");
        }
        return out;
    }

    /** The formula of a real that takes {@code value(s)} in sample s. */
    public Sizes.Real real(IntToDoubleFunction value, String what) {
        Sizes.Real r = sizes.solveReal(value);
        if (r == null) throw new Unexpressible(what + " depends on " + String.join(", ", sizes.dims()) + " in a way tx cannot write as a formula");
        return r;
    }

    /** The variable of sample s that corresponds to {@code v} of sample 0. */
    public Var variable(Var v, int s) {
        if (s == 0 || s >= samples.size()) return v;
        int p = samples.get(0).params().indexOf(v);
        if (p >= 0) return samples.get(s).params().get(p);
        Stmt.Eqn e = inSample(definition(v), s);
        return e.out();
    }

    /** The operations the function's value needs: equations, less literals (constants and scalar fills). */
    public int functionOps() {
        return ops(List.of(value()));
    }

    /** The operations the gradients need (what NAME_grad computes), counted as {@link #functionOps}. */
    public int gradientOps() {
        return ops(grads());
    }

    private int ops(List<Var> roots) {
        Set<Var> live = new java.util.HashSet<>(roots);
        int n = 0;
        List<Stmt.Eqn> eqns = eqns();
        for (int i = eqns.size() - 1; i >= 0; i--) {
            Stmt.Eqn e = eqns.get(i);
            if (!live.contains(e.out())) continue;
            live.addAll(e.in());
            boolean literal = e.prim() == Prim.CONST || e.prim() == Prim.FILL && e.out().rank() == 0;
            if (!literal) n++;
        }
        return n;
    }

    /** Whether the equation belongs to the derivative (the adjoint program) rather than to the function itself. */
    public static boolean adjoint(Stmt.Eqn e) {
        return e.origin().adjoint();
    }

    // ---- deriving ------------------------------------------------------------------------------------

    /**
     * Derives {@code fn}'s gradient with respect to {@code wrt} (default: its first parameter).
     * Returns null after reporting errors in diags.
     */
    public static Derivation derive(Ast.Program ast, Diagnostics diags, String source, String fnName, List<String> wrt) {
        return derive(ast, diags, source, fnName, wrt, null);
    }

    /** As above; `load` paths in the function are relative to {@code baseDir} (null: the working directory). */
    public static Derivation derive(Ast.Program ast, Diagnostics diags, String source, String fnName, List<String> wrt, java.nio.file.Path baseDir) {
        Ast.FnDef fn = null;
        for (Ast.Stmt s : ast.body()) if (s instanceof Ast.FnDef f && f.name().equals(fnName)) fn = f;
        if (fn == null) { // the lowerer reports the unknown function, with its standard message
            Lowerer.lowerDerivative(ast, diags, source, fnName, wrt, List.of(), baseDir);
            return null;
        }
        if (!scalarResult(fn, diags)) return null;
        List<String> dims = new ArrayList<>();
        for (Ast.Param p : fn.params()) for (Ast.Dim d : p.shape()) if (d.name() != null && !dims.contains(d.name())) dims.add(d.name());
        if (dims.size() > Sizes.MAX_DIMS) {
            diags.error("E0601", head(fn), "`tx grad` can write out functions with up to " + Sizes.MAX_DIMS + " named dimensions; `"
                    + fnName + "` has " + dims.size(), "give some of them fixed sizes");
            return null;
        }
        int count = dims.isEmpty() ? 1 : Sizes.COUNT;
        List<Lowered> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<int[]> shapes = new ArrayList<>();
            for (Ast.Param p : fn.params()) {
                int[] shape = new int[p.shape().size()];
                for (int i = 0; i < shape.length; i++) {
                    Ast.Dim d = p.shape().get(i);
                    shape[i] = d.name() == null ? d.size() : Sizes.sample(s, dims.indexOf(d.name()));
                }
                shapes.add(shape);
            }
            // only the first lowering reports: the others differ in their sizes alone
            Diagnostics d = s == 0 ? diags : new Diagnostics(diags.fileName(), source);
            Lowerer.Derived l = Lowerer.lowerDerivative(ast, d, source, fnName, wrt, shapes, baseDir);
            if (l == null) {
                if (s > 0 && !diags.hasErrors()) {
                    diags.error("E0601", head(fn), "`" + fnName + "` checks at some sizes of " + String.join(", ", dims) + " and not at others, so tx cannot write its derivative for every size",
                            "give the named dimensions fixed sizes");
                }
                return null;
            }
            Verifier.verify(l.program());
            samples.add(straighten(l, diags, fn));
            if (samples.get(s) == null) return null;
        }
        List<Integer> wrtIdx = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Ast.Param p : fn.params()) names.add(p.name());
        for (String w : wrt.isEmpty() ? List.of(names.get(0)) : wrt) wrtIdx.add(names.indexOf(w));
        Derivation d = new Derivation(fn, wrtIdx, new Sizes(dims), samples);
        if (!d.aligned()) {
            diags.error("E0601", head(fn), "the derivative of `" + fnName + "` has a different structure at different sizes of "
                    + String.join(", ", dims) + ", so tx cannot write it once for every size", "give the named dimensions fixed sizes");
            return null;
        }
        return d;
    }

    /** A declared result must be one scalar (E0301, as for `grad`), said in the signature's own terms. */
    private static boolean scalarResult(Ast.FnDef fn, Diagnostics diags) {
        if (fn.returns() == null || fn.returns().isEmpty()) return true; // undeclared: the lowering checks the inferred shape
        if (fn.returns().size() > 1) {
            diags.error("E0301", head(fn), "`tx grad` needs a function with one output; `" + fn.name() + "` returns " + fn.returns().size(),
                    "write a function that combines them into one scalar, and differentiate that");
            return false;
        }
        List<String> dims = new ArrayList<>();
        boolean scalar = true;
        for (Ast.Dim d : fn.returns().get(0)) {
            dims.add(d.name() != null ? d.name() : Integer.toString(d.size()));
            scalar &= d.name() == null && d.size() == 1;
        }
        if (scalar) return true;
        diags.error("E0301", head(fn), "grad can be implicitly created only for scalar outputs: `" + fn.name() + "` returns shape ["
                + String.join(", ", dims) + "]", "`tx grad` differentiates functions with a scalar result; reduce it (sum, mean) in a wrapper function");
        return false;
    }

    /** Simplifies for the results and checks that what is left is straight-line code. */
    private static Lowered straighten(Lowerer.Derived l, Diagnostics diags, Ast.FnDef fn) {
        Simplify.Rooted r = Simplify.run(l.program().body(), l.results());
        Set<Var> params = new LinkedHashSet<>(l.params());
        List<Stmt.Eqn> eqns = new ArrayList<>();
        Map<Var, Stmt.Eqn> defs = new HashMap<>();
        for (Stmt st : r.body()) {
            if (!(st instanceof Stmt.Eqn e)) {
                diags.error("E0601", head(fn), "`tx grad` cannot yet write out a function with a `for` loop, an `if` or a print",
                        "the function and its gradient work in a script (`grad(f)`, `tx run`); only the written-out form is missing");
                return null;
            }
            if (params.contains(e.out())) continue; // a parameter: its value is the caller's
            eqns.add(e);
            defs.put(e.out(), e);
        }
        return new Lowered(eqns, l.params(), r.results(), defs);
    }

    /** Whether every sample has sample 0's equations: the same primitives on the same variables. */
    private boolean aligned() {
        Lowered first = samples.get(0);
        for (Lowered other : samples.subList(1, samples.size())) {
            if (other.eqns().size() != first.eqns().size() || !ids(other.results()).equals(ids(first.results()))) return false;
            if (!ids(other.params()).equals(ids(first.params()))) return false;
            for (int i = 0; i < first.eqns().size(); i++) {
                Stmt.Eqn a = first.eqns().get(i), b = other.eqns().get(i);
                if (a.prim() != b.prim() || a.out().id() != b.out().id() || !ids(a.in()).equals(ids(b.in()))) return false;
                if (a.out().rank() != b.out().rank()) return false;
                if (a.prim() == Prim.CONST && a.out().rank() > 0 && !Arrays.equals(a.out().shapeRef(), b.out().shapeRef())) return false;
            }
        }
        return true;
    }

    private static List<Integer> ids(List<Var> vs) {
        List<Integer> out = new ArrayList<>();
        for (Var v : vs) out.add(v.id());
        return out;
    }

    /** Where a message about the whole function points: its name. */
    public static Span head(Ast.FnDef fn) {
        Span s = fn.span();
        return new Span(s.line(), s.col(), s.line(), s.col() + 3 + fn.name().length()); // `fn name`
    }
}
