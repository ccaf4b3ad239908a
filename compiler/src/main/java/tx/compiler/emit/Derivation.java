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
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Func;
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

    /**
     * A draw from a generator that drew before (a second random call, or one in a loop): tx writes a
     * draw as a call with its own {@code seed=}, which names a fresh generator, so such a
     * derivative is not written out as tx yet (Java writes the state as a variable).
     */
    static Unexpressible drawsAgain() {
        return new Unexpressible("a second draw from PyTorch's generator (a second random call, or one in a loop) cannot be written yet: "
                + "tx writes a draw as a call with its own `seed=`; give each random call its own `seed=`, or take the gradient in the program with `grad(f)`");
    }

    public final Ast.FnDef fn;
    /** The parameters' indices to differentiate with respect to, in the order the gradients are returned. */
    public final List<Integer> wrt;
    public final Sizes sizes;
    /** Forward mode: the program is the tangent (NAME_jvp), not the gradient (NAME_grad). */
    public final boolean forward;
    private final List<Lowered> samples;

    /**
     * One lowering: the simplified body (equations, loops and branches), every statement in it in
     * pre-order (nested ones included), the parameters, the value and the gradients, the equation
     * defining each variable, each statement's place in the pre-order, and the variables by id.
     */
    private record Lowered(List<Stmt> body, List<Stmt> all, List<Var> params, List<Var> results, Map<Var, Stmt.Eqn> defs,
                           Map<Stmt, Integer> place, Map<Integer, Var> vars, List<Func> functions) {}

    private Derivation(Ast.FnDef fn, List<Integer> wrt, Sizes sizes, List<Lowered> samples, boolean forward) {
        this.fn = fn;
        this.forward = forward;
        this.wrt = wrt;
        this.sizes = sizes;
        this.samples = samples;
    }

    /** The program: equations, and loops and branches with their own blocks. */
    public List<Stmt> body() {
        return samples.get(0).body();
    }

    /**
     * The functions the program calls (callees before callers), each to be written once as a
     * helper (see {@link Helpers}); with named dimensions, those whose signature a tx function can
     * declare (the others are written into their callers, see {@link #writtenInPlace}).
     */
    public List<Func> functions() {
        return samples.get(0).functions();
    }

    /** Each function's name in the output, {@code NAME_grad_<function>} ({@code NAME_jvp_<function>} in forward mode). */
    public Map<Func, String> helperNames() {
        if (helperNames == null) helperNames = Helpers.names(name() + "_", functions());
        return helperNames;
    }

    private Map<Func, String> helperNames;

    /** Whether the program has loops or branches (emitters that write straight-line code only refuse it). */
    public boolean hasControlFlow() {
        for (Stmt st : body()) if (st instanceof Stmt.Loop || st instanceof Stmt.Cond) return true;
        return false;
    }

    /** The equations of a straight-line program, in order (see {@link #hasControlFlow}). */
    public List<Stmt.Eqn> eqns() {
        List<Stmt.Eqn> out = new ArrayList<>();
        for (Stmt st : body()) if (st instanceof Stmt.Eqn e) out.add(e);
        return out;
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

    /** The name of the function written: {@code NAME_grad}, or {@code NAME_jvp} in forward mode. */
    public String name() {
        return fn.name() + (forward ? "_jvp" : "_grad");
    }

    /** The parameters of the function written: fn's, then in forward mode one tangent per {@code wrt} parameter ({@code tangent_x}). */
    public List<String> paramNames() {
        List<String> out = new ArrayList<>();
        for (Ast.Param p : fn.params()) out.add(p.name());
        if (forward) for (int k : wrt) out.add("tangent_" + fn.params().get(k).name());
        return out;
    }

    /** The declared shapes of {@link #paramNames} (a tangent's is its parameter's). */
    public List<List<Ast.Dim>> paramShapes() {
        List<List<Ast.Dim>> out = new ArrayList<>();
        for (Ast.Param p : fn.params()) out.add(p.shape());
        if (forward) for (int k : wrt) out.add(fn.params().get(k).shape());
        return out;
    }

    /** What the function written returns: the gradients in {@code wrt} order, or in forward mode the value and its tangent. */
    public List<Var> outputs() {
        return forward ? samples.get(0).results() : grads();
    }

    /** The names of {@link #outputs}: {@code d_<param>}, or {@code value} and {@code tangent}. */
    public List<String> outputNames() {
        if (forward) return List.of("value", "tangent");
        List<String> out = new ArrayList<>();
        for (int k : wrt) out.add("d_" + fn.params().get(k).name());
        return out;
    }

    /** The equation that defines a variable of sample 0, or null for a parameter or a loop's or branch's variable. */
    public Stmt.Eqn definition(Var v) {
        return samples.get(0).defs().get(v);
    }

    /** The equation of sample s at the same place as {@code e} of sample 0. */
    public Stmt.Eqn inSample(Stmt.Eqn e, int s) {
        return (Stmt.Eqn) inSample((Stmt) e, s);
    }

    /** The statement of sample s at the same place as {@code st} of sample 0. */
    public Stmt inSample(Stmt st, int s) {
        if (s == 0 || s >= samples.size()) return st; // no named dimensions: one lowering
        return samples.get(s).all().get(samples.get(0).place().get(st));
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

    /** The variable of sample s that corresponds to {@code v} of sample 0 (the lowerings number them alike). */
    public Var variable(Var v, int s) {
        if (s == 0 || s >= samples.size()) return v;
        Var w = samples.get(s).vars().get(v.id());
        if (w == null) throw new IllegalStateException(v + " has no counterpart in sample " + s);
        return w;
    }

    /** The operations the function's value needs: equations, less literals (constants and scalar fills). */
    public int functionOps() {
        return ops(List.of(value()));
    }

    /** The operations the gradients need (what NAME_grad computes), counted as {@link #functionOps}. */
    public int gradientOps() {
        return ops(grads());
    }

    /** Equations the roots need, walking back; a loop or branch that is needed counts every equation in it once. */
    private int ops(List<Var> roots) {
        Set<Var> live = new java.util.HashSet<>(roots);
        int n = 0;
        List<Stmt> body = body();
        for (int i = body.size() - 1; i >= 0; i--) {
            Stmt st = body.get(i);
            if (st instanceof Stmt.Eqn e) {
                if (!live.contains(e.out())) continue;
                live.addAll(e.in());
                if (!literal(e)) n++;
            } else {
                Set<Var> made = tx.runtime.ir.Blocks.defined(List.of(st));
                made.retainAll(live);
                if (made.isEmpty()) continue;
                live.addAll(tx.runtime.ir.Blocks.free(st));
                n += count(List.of(st));
            }
        }
        return n;
    }

    private static boolean literal(Stmt.Eqn e) {
        return e.prim() == Prim.CONST || e.prim() == Prim.FILL && e.out().rank() == 0;
    }

    /**
     * The first loop whose trip count is known only at run time that {@code tx grad} cannot write
     * out, nested blocks included, or null: a while, and its reversal (a counted loop that runs
     * backwards), are written, also inside another loop, but not inside a loop that tapes a value
     * of run-time length (the while's own tape: its rows would differ in length), nor a counted
     * loop that runs forwards (a checkpoint schedule's). {@code ragged}: an enclosing loop does;
     * {@code checkRagged}: whether to look for such tapes (after the calls are written in place).
     */
    private static Stmt.Loop runTimeLoop(List<Stmt> body, boolean ragged, boolean checkRagged) {
        for (Stmt st : body) {
            if (st instanceof Stmt.Loop l && l.runTime() != null && (ragged || !l.isWhile() && !l.reverse() || readsHead(l))) return l;
            Stmt.Loop inner = st instanceof Stmt.Loop l ? runTimeLoop(l.body(), ragged || checkRagged && tapesRunTimeLength(l), checkRagged)
                    : st instanceof Stmt.Cond c ? runTimeLoop(c.then(), ragged, checkRagged) : null;
            if (inner == null && st instanceof Stmt.Cond c) inner = runTimeLoop(c.otherwise(), ragged, checkRagged);
            if (inner != null) return inner;
        }
        return null;
    }

    /** Whether a loop's tape holds a value whose length is known only at run time (a while's tape, nested in it). */
    private static boolean tapesRunTimeLength(Stmt.Loop l) {
        for (Var v : l.stacked()) {
            int[] s = v.shapeRef();
            if (tx.runtime.tensor.Shapes.symbolic(s) || s.length > 0 && tx.runtime.tensor.Shapes.numel(s) == 0) return true; // a run-time length is 0 in the static shape
        }
        return false;
    }

    /** Whether a while's body reads a value its head made (the emitters write the head twice, under different names). */
    private static boolean readsHead(Stmt.Loop l) {
        return l.isWhile() && !java.util.Collections.disjoint(Blocks.free(l.body()), Blocks.defined(l.runTime().head()));
    }

    private static int count(List<Stmt> body) {
        int n = 0;
        for (Stmt st : body) {
            if (st instanceof Stmt.Eqn e && !literal(e)) n++;
            if (st instanceof Stmt.Loop l) n += count(l.body());
            if (st instanceof Stmt.Cond c) n += count(c.then()) + count(c.otherwise());
        }
        return n;
    }

    /** Whether the equation belongs to the derivative (the adjoint program) rather than to the function itself. */
    public static boolean adjoint(Stmt e) {
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
        return derive(ast, diags, source, fnName, wrt, baseDir, false);
    }

    /**
     * As above; {@code forward}: the tangent instead (forward mode, {@code jvp(fn, wrt)}), whose
     * program takes fn's parameters and then one tangent per {@code wrt} parameter, and gives the
     * value and its tangent. Its result need not be a scalar.
     */
    public static Derivation derive(Ast.Program ast, Diagnostics diags, String source, String fnName, List<String> wrt, java.nio.file.Path baseDir,
                                    boolean forward) {
        Ast.FnDef fn = null;
        for (Ast.Stmt s : ast.body()) if (s instanceof Ast.FnDef f && f.name().equals(fnName)) fn = f;
        if (fn == null) { // the lowerer reports the unknown function, with its standard message
            Lowerer.lowerDerivative(ast, diags, source, fnName, wrt, List.of(), baseDir);
            return null;
        }
        if (!forward && !scalarResult(fn, diags)) return null;
        for (Ast.Param p : fn.params()) {
            if ("Tensor".equals(p.kind())) { // its shape is each call's: no one derivative to write
                diags.error("E0601", p.span(), "`tx grad` writes a function for declared shapes; `" + p.name() + ": Tensor` takes any shape",
                        "declare the shape it is differentiated at, e.g. `" + p.name() + ": [n, 3]`");
                return null;
            }
        }
        List<Ast.Param> directions = new ArrayList<>(); // forward mode: the parameters with a tangent, in order
        for (String w : wrt.isEmpty() ? List.of(fn.params().get(0).name()) : wrt) {
            for (Ast.Param p : fn.params()) if (forward && p.name().equals(w)) directions.add(p);
        }
        List<String> dims = new ArrayList<>();
        for (Ast.Param p : fn.params()) for (Ast.Dim d : p.shape()) if (d.name() != null && !dims.contains(d.name())) dims.add(d.name());
        if (dims.size() > Sizes.MAX_DIMS) {
            diags.error("E0601", head(fn), "`tx grad` can write out functions with up to " + Sizes.MAX_DIMS + " named dimensions; `"
                    + fnName + "` has " + dims.size(), "give some of them fixed sizes");
            return null;
        }
        int count = dims.isEmpty() ? 1 : Sizes.COUNT;
        List<Lowerer.Derived> lowered = new ArrayList<>();
        List<Simplify.Rooted> simplified = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<int[]> shapes = new ArrayList<>();
            List<Ast.Param> all = new ArrayList<>(fn.params());
            all.addAll(directions);
            for (Ast.Param p : all) {
                int[] shape = new int[p.shape().size()];
                for (int i = 0; i < shape.length; i++) {
                    Ast.Dim d = p.shape().get(i);
                    shape[i] = d.name() == null ? d.size() : Sizes.sample(s, dims.indexOf(d.name()));
                }
                shapes.add(shape);
            }
            // only the first lowering reports: the others differ in their sizes alone
            Diagnostics d = s == 0 ? diags : new Diagnostics(diags.fileName(), source);
            Lowerer.Derived l = forward ? Lowerer.lowerTangent(ast, d, source, fnName, wrt, shapes, baseDir, false)
                    : Lowerer.lowerDerivative(ast, d, source, fnName, wrt, shapes, baseDir, false);
            if (l == null) {
                if (s > 0 && !diags.hasErrors()) {
                    diags.error("E0601", head(fn), "`" + fnName + "` checks at some sizes of " + String.join(", ", dims) + " and not at others, so tx cannot write its derivative for every size",
                            "give the named dimensions fixed sizes");
                }
                return null;
            }
            Verifier.verify(l.program());
            Simplify.Rooted r = simplified(l, diags);
            if (r == null) return null;
            lowered.add(l);
            simplified.add(r);
        }
        Sizes sizes = new Sizes(dims);
        List<Set<Func>> inPlace = writtenInPlace(simplified, sizes);
        List<Lowered> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            samples.add(straighten(lowered.get(s), simplified.get(s), diags, fn, inPlace.get(s)));
            if (samples.get(s) == null) return null;
        }
        List<Integer> wrtIdx = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Ast.Param p : fn.params()) names.add(p.name());
        for (String w : wrt.isEmpty() ? List.of(names.get(0)) : wrt) wrtIdx.add(names.indexOf(w));
        Derivation d = new Derivation(fn, wrtIdx, sizes, samples, forward);
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

    /** The first equation, in a block or nested in it, with a size known only at run time; null if none has one. */
    private static Stmt.Eqn symbolic(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Eqn e && tx.runtime.tensor.Shapes.symbolic(e.out().shapeRef())) return e;
            Stmt.Eqn found = null;
            if (s instanceof Stmt.Loop l) found = symbolic(l.body());
            else if (s instanceof Stmt.Cond c) found = symbolic(c.then()) != null ? symbolic(c.then()) : symbolic(c.otherwise());
            if (found != null) return found;
        }
        return null;
    }

    /**
     * The program simplified for its results; null after E0601 where it holds a loop or a size
     * known only at run time that the emitters cannot write.
     */
    private static Simplify.Rooted simplified(Lowerer.Derived l, Diagnostics diags) {
        Simplify.Rooted r = Simplify.run(l.program().body(), l.results());
        // NOTE: before the helpers are written in place, whose copies of loops keep only static trip counts;
        // a loop's tape of a while's (rows of different lengths) is looked for after (see RecomputedWhiles)
        Stmt.Loop runTime = runTimeLoop(r.body(), false, false);
        for (Func f : Blocks.functions(r.body())) if (runTime == null) runTime = runTimeLoop(f.body(), false, false);
        if (runTime != null) {
            refuse(diags, runTime);
            return null;
        }
        Stmt.Eqn sized = symbolic(r.body());
        for (Func f : Blocks.functions(r.body())) if (sized == null) sized = symbolic(f.body());
        if (sized != null) {
            var o = sized.origin();
            diags.error("E0601", new tx.compiler.syntax.Span(o.line(), o.col(), o.line(), o.col() + 1),
                    "`tx grad` cannot yet write out a derivative through a size known only at run time (here "
                            + (sized.out().name() == null ? "" : "`" + sized.out().name() + "`, ") + "a boolean mask's selection)",
                    "the function and its gradient work in a script (`grad(f)`, `tx run`) and in `tx check`; only the written-out form is missing");
            return null;
        }
        return r;
    }

    /**
     * The functions of each sample that are written into their callers although they have several
     * calls: with named dimensions, those whose signature a tx function cannot declare. A helper
     * declares each parameter's and result's shape, so each of their sizes must be a number or one
     * named dimension ({@code [n, 3]}, not {@code [n - 1]} or {@code [2 * n]}); from those the
     * helper binds the dimensions its body needs. Where the samples do not have the same functions
     * (they will not align), every function is written in place.
     */
    private static List<Set<Func>> writtenInPlace(List<Simplify.Rooted> samples, Sizes sizes) {
        List<List<Func>> functions = new ArrayList<>();
        for (Simplify.Rooted r : samples) functions.add(Blocks.functions(r.body()));
        List<Set<Func>> out = new ArrayList<>();
        for (int s = 0; s < samples.size(); s++) out.add(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        if (samples.size() == 1) return out;
        boolean same = true;
        for (List<Func> fs : functions) same &= fs.size() == functions.get(0).size();
        for (int i = 0; i < functions.get(0).size(); i++) {
            int k = i;
            if (same && declarable(s -> functions.get(s).get(k), sizes)) continue;
            for (int s = 0; s < samples.size(); s++) if (k < functions.get(s).size()) out.get(s).add(functions.get(s).get(k));
        }
        return out;
    }

    /** Whether every size of a function's parameters and results, across the samples, is a number or one named dimension. */
    private static boolean declarable(java.util.function.IntFunction<Func> inSample, Sizes sizes) {
        List<List<Var>> signature = new ArrayList<>();
        for (int s = 0; s < Sizes.COUNT; s++) {
            List<Var> vs = new ArrayList<>(inSample.apply(s).params());
            vs.addAll(inSample.apply(s).results());
            signature.add(vs);
        }
        List<Var> first = signature.get(0);
        for (List<Var> vs : signature) {
            if (vs.size() != first.size()) return false;
            for (int v = 0; v < first.size(); v++) if (vs.get(v).rank() != first.get(v).rank()) return false;
        }
        for (int v = 0; v < first.size(); v++) {
            for (int axis = 0; axis < first.get(v).rank(); axis++) {
                int vi = v, a = axis;
                Sizes.Lin f = sizes.solve(s -> signature.get(s).get(vi).shapeRef()[a]);
                if (f == null || !f.constant() && f.dimension() < 0) return false;
            }
        }
        return true;
    }

    /** Writes in place the functions called once and those {@code inPlace} names, simplifies again, and indexes what is left. */
    private static Lowered straighten(Lowerer.Derived l, Simplify.Rooted r, Diagnostics diags, Ast.FnDef fn, Set<Func> inPlace) {
        Helpers.Inlined once = Helpers.inline(r.body(), r.results(), r.varCount(), inPlace::contains);
        // simplified again: what the functions written into their callers hid from each other (a seed of 1, a transpose a product reads)
        Simplify.Rooted again = Simplify.run(once.body(), once.results());
        // a while whose values a loop around it tapes runs again in that loop's reversal (rows of one length)
        List<Stmt> rewritten = RecomputedWhiles.of(again.body(), l.params());
        Helpers.Inlined h = new Helpers.Inlined(rewritten, again.results(), Blocks.functions(rewritten));
        Stmt.Loop ragged = runTimeLoop(h.body(), false, true);
        for (Func f : h.functions()) if (ragged == null) ragged = runTimeLoop(f.body(), false, true);
        if (ragged != null) return refuse(diags, ragged);
        Set<Var> params = new LinkedHashSet<>(l.params());
        List<Stmt> body = new ArrayList<>();
        for (Stmt st : h.body()) {
            if (st instanceof Stmt.Eqn e && params.contains(e.out())) continue; // a parameter: its value is the caller's
            body.add(st);
        }
        List<Stmt> all = new ArrayList<>();
        if (!index(body, all)) {
            diags.error("E0601", head(fn), "`tx grad` cannot write out a function that prints or saves",
                    "the function and its gradient work in a script (`grad(f)`, `tx run`); only the written-out form is missing");
            return null;
        }
        Map<Var, Stmt.Eqn> defs = new HashMap<>();
        Map<Stmt, Integer> place = new java.util.IdentityHashMap<>();
        Map<Integer, Var> vars = new HashMap<>();
        for (Var p : l.params()) vars.put(p.id(), p);
        for (Var v : tx.runtime.ir.Blocks.defined(body)) vars.put(v.id(), v);
        for (Func f : h.functions()) { // their statements after the body's, in the order the functions come
            if (!index(f.body(), all)) throw new IllegalStateException("function " + f + " has effects");
            for (Var v : f.params()) vars.put(v.id(), v);
            for (Var v : tx.runtime.ir.Blocks.defined(f.body())) vars.put(v.id(), v);
        }
        for (int i = 0; i < all.size(); i++) {
            Stmt st = all.get(i);
            place.put(st, i);
            if (st instanceof Stmt.Eqn e) defs.put(e.out(), e);
        }
        return new Lowered(body, all, l.params(), h.results(), defs, place, vars, h.functions());
    }

    /** E0601 at a loop of run-time trip count that tx grad cannot write out (see {@link #runTimeLoop}); null. */
    private static Lowered refuse(Diagnostics diags, Stmt.Loop runTime) {
        var o = runTime.origin();
        diags.error("E0601", new tx.compiler.syntax.Span(o.line(), o.col(), o.line(), o.col() + "while".length()), // the keyword
                readsHead(runTime) ? "`tx grad` cannot yet write out a derivative through a `while` whose body reads a value its condition computed"
                : runTime.isWhile() || runTime.reverse() ? "`tx grad` cannot yet write out a derivative through a `while` loop inside another loop that "
                        + "tapes its values (the loop's tape would hold rows of different lengths)"
                        : "`tx grad` cannot yet write out a derivative through a loop whose trip count is known only at run time and that "
                        + "runs forwards (a loop on Revolve's schedule, `checkpoint(snapshots=)`, or a while's reversal differentiated again)",
                "the function and its gradient work in a script (`grad(f)`, `tx run`) and in `tx check`; only the written-out form is missing");
        return null;
    }

    /** Lists a block's statements in pre-order; false if one is not an equation, a call, a loop, a branch or a check's failure. */
    private static boolean index(List<Stmt> body, List<Stmt> all) {
        for (Stmt st : body) {
            all.add(st);
            if (st instanceof Stmt.Loop l) {
                if (l.runTime() != null && !index(l.runTime().head(), all)) return false; // a while's head, before its body
                if (!index(l.body(), all)) return false;
            } else if (st instanceof Stmt.Cond c) {
                if (!index(c.then(), all) || !index(c.otherwise(), all)) return false;
            } else if (!(st instanceof Stmt.Eqn) && !(st instanceof Stmt.Call) && !(st instanceof Stmt.Fail)) { // a call's function is indexed on its own
                return false;
            }
        }
        return true;
    }

    /** Whether every sample has sample 0's statements: the same primitives, loops and branches on the same variables. */
    private boolean aligned() {
        Lowered first = samples.get(0);
        for (Lowered other : samples.subList(1, samples.size())) {
            if (other.all().size() != first.all().size() || !ids(other.results()).equals(ids(first.results()))) return false;
            if (!ids(other.params()).equals(ids(first.params()))) return false;
            for (int i = 0; i < first.all().size(); i++) if (!same(first.all().get(i), other.all().get(i))) return false;
        }
        return true;
    }

    private static boolean same(Stmt x, Stmt y) {
        if (x instanceof Stmt.Eqn a && y instanceof Stmt.Eqn b) {
            if (a.prim() != b.prim() || a.out().id() != b.out().id() || !ids(a.in()).equals(ids(b.in()))) return false;
            if (a.out().rank() != b.out().rank()) return false;
            if (a.prim() == Prim.MATMUL && !java.util.Objects.equals(a.attr(), b.attr())) return false; // which operands are read transposed
            return !(a.prim() == Prim.CONST && a.out().rank() > 0 && !Arrays.equals(a.out().shapeRef(), b.out().shapeRef()));
        }
        if (x instanceof Stmt.Loop a && y instanceof Stmt.Loop b) {
            return a.reverse() == b.reverse() && (a.runTime() == null) == (b.runTime() == null) && a.index().id() == b.index().id() && ids(a.params()).equals(ids(b.params()))
                    && ids(a.outs()).equals(ids(b.outs())) && ids(a.tapes()).equals(ids(b.tapes())) && ids(a.stacked()).equals(ids(b.stacked()))
                    && ids(a.init()).equals(ids(b.init())) && ids(a.results()).equals(ids(b.results())) && a.body().size() == b.body().size();
        }
        if (x instanceof Stmt.Cond a && y instanceof Stmt.Cond b) {
            return a.cond().id() == b.cond().id() && ids(a.outs()).equals(ids(b.outs())) && ids(a.thenResults()).equals(ids(b.thenResults()))
                    && ids(a.elseResults()).equals(ids(b.elseResults())) && a.then().size() == b.then().size();
        }
        if (x instanceof Stmt.Call a && y instanceof Stmt.Call b) { // the functions' own statements are compared where they are indexed
            return a.fn().name().equals(b.fn().name()) && ids(a.in()).equals(ids(b.in())) && ids(a.outs()).equals(ids(b.outs()));
        }
        if (x instanceof Stmt.Fail a && y instanceof Stmt.Fail b) { // a message that differs with the sizes cannot be written once
            return a.assertion() == b.assertion() && ids(Checks.reads(a)).equals(ids(Checks.reads(b))) && texts(a).equals(texts(b));
        }
        return false;
    }

    private static List<String> texts(Stmt.Fail f) {
        List<String> out = new ArrayList<>();
        for (Stmt.PrintItem item : f.message()) out.add(item instanceof Stmt.PrintItem.Text t ? t.text() : item.getClass().getSimpleName());
        return out;
    }

    private static List<Integer> ids(List<Var> vs) {
        List<Integer> out = new ArrayList<>();
        for (Var v : vs) out.add(v == null ? -1 : v.id());
        return out;
    }

    /** Where a message about the whole function points: its name. */
    public static Span head(Ast.FnDef fn) {
        return Lowerer.head(fn);
    }
}
