package tx.runtime.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tx.runtime.tensor.Shapes;

/**
 * Checks a program's IR after a pass, as JAX's typecheck_jaxpr does: every variable is defined
 * once, before it is used, in a block that encloses the use; every equation's output has the
 * shape its primitive's shape rule gives; loops and branches carry values of matching shapes.
 * A failure is a compiler bug, reported as an IllegalStateException naming the statement.
 */
public final class Verifier {
    private final Set<Var> defined = new HashSet<>();
    private final List<Set<Var>> scopes = new ArrayList<>();

    private Verifier() {}

    public static void verify(Program p) {
        new Verifier().block(p.body());
        for (Func f : Blocks.functions(p.body())) verify(f);
    }

    /** A function's body reads its parameters only, and its results are defined in it or are parameters. */
    static void verify(Func f) {
        Verifier v = new Verifier();
        v.scopes.add(new HashSet<>());
        for (Var p : f.params()) {
            if (!v.defined.add(p)) throw new IllegalStateException("IR verification failed in " + f.name() + ": parameter " + p + " is given twice");
        }
        try {
            for (Stmt s : f.body()) v.stmt(s);
        } catch (IllegalStateException x) {
            throw new IllegalStateException(x.getMessage() + " (in function " + f.name() + ")", x);
        }
        for (Var r : f.results()) {
            if (!v.defined.contains(r)) throw new IllegalStateException("IR verification failed in " + f.name() + ": result " + r + " is not defined");
        }
    }

    private void block(List<Stmt> body) {
        scopes.add(new HashSet<>());
        for (Stmt s : body) stmt(s);
        for (Var v : scopes.remove(scopes.size() - 1)) defined.remove(v);
    }

    private void stmt(Stmt s) {
        if (s instanceof Stmt.Eqn e) eqn(e);
        else if (s instanceof Stmt.Fused f) fused(f);
        else if (s instanceof Stmt.Loop l) loop(l);
        else if (s instanceof Stmt.Cond c) cond(c);
        else if (s instanceof Stmt.Call c) call(c);
        else if (s instanceof Stmt.Print p) {
            for (Stmt.PrintItem item : p.items()) {
                if (item instanceof Stmt.PrintItem.TensorValue t) {
                    use(t.var(), s);
                    if (t.firstIndex() != null) use(t.firstIndex(), s);
                }
                if (item instanceof Stmt.PrintItem.FloatValue f) use(f.var(), s);
                if (item instanceof Stmt.PrintItem.Formatted || item instanceof Stmt.PrintItem.Joined) for (Var x : item.vars()) use(x, s);
            }
        } else if (s instanceof Stmt.CheckReport c) {
            for (Stmt.CheckEntry e : c.entries()) {
                use(e.generated(), s);
                if (e.handWritten() != null) use(e.handWritten(), s);
                use(e.finiteDifferences(), s);
            }
        } else if (s instanceof Stmt.AssertClose a) {
            use(a.a(), s);
            use(a.b(), s);
        } else if (s instanceof Stmt.Fail f) {
            for (Stmt.PrintItem item : f.message()) for (Var x : item.vars()) use(x, s);
        } else if (s instanceof Stmt.GradSet g) {
            if (g.value() != null) use(g.value(), s);
        } else if (s instanceof Stmt.GradAccum g) {
            use(g.delta(), s);
        } else if (s instanceof Stmt.Save sv) {
            use(sv.value(), s);
        } else if (s instanceof Stmt.GradRead g) {
            define(g.out(), s);
        }
    }

    private void eqn(Stmt.Eqn e) {
        List<int[]> shapes = new ArrayList<>();
        for (Var v : e.in()) {
            use(v, e);
            shapes.add(v.shapeRef());
        }
        int[] want;
        try {
            want = e.prim().shape(shapes, e.attr());
        } catch (IllegalArgumentException ex) {
            throw fail(e, ex.getMessage());
        }
        if (!Arrays.equals(want, e.out().shapeRef())) {
            throw fail(e, "output has shape " + Shapes.show(e.out().shapeRef()) + " but the rule gives " + Shapes.show(want));
        }
        define(e.out(), e);
    }

    /**
     * A fused run: its equations can run tile by tile over its shape (elementwise, each making a
     * tensor of that shape from operands that fit it; a slice, pad or spread number reads a value
     * from before the run), each sum adds up all of one of its values (or folds it over trailing axes), once; its values are its
     * own, but its outputs, each of which it makes, and which it defines once.
     */
    private void fused(Stmt.Fused f) {
        if (f.eqns().isEmpty()) throw fail(f, "a fused run without equations");
        scopes.add(new HashSet<>());
        Set<Var> made = new HashSet<>();
        for (Stmt.Eqn e : f.eqns()) {
            if (!FusionPass.elementwise(e)) throw fail(e, e.prim().text() + " cannot run in a fused run");
            if (!Arrays.equals(e.out().shapeRef(), f.shape())) {
                throw fail(e, e.out() + " has shape " + Shapes.show(e.out().shapeRef()) + " in a fused run of shape " + Shapes.show(f.shape()));
            }
            if (!FusionPass.fits(e, f.shape())) throw fail(e, "an operand of " + e.out() + " does not fit the fused run's shape " + Shapes.show(f.shape()));
            if (FusionPass.readsBefore(e) && made.contains(e.in().get(0))) throw fail(e, e.out() + " reads whole " + e.in().get(0) + ", which its run makes tile by tile");
            eqn(e);
            made.add(e.out());
        }
        Set<Var> summed = new HashSet<>();
        for (Stmt.Eqn s : f.sums()) {
            if (!FusionPass.reduction(s) || !made.contains(s.in().get(0)) || !summed.add(s.in().get(0))) {
                throw fail(s, s.out() + " is not the one full sum, or sum or maximum over trailing axes, of a value of its fused run");
            }
            eqn(s);
        }
        Set<Var> own = scopes.remove(scopes.size() - 1);
        for (Var v : own) defined.remove(v);
        for (Var o : f.outs()) {
            if (!own.contains(o)) throw fail(f, "output " + o + " is not made by the fused run");
            define(o, f);
        }
    }

    private void loop(Stmt.Loop l) {
        if (l.init().size() != l.params().size() || l.results().size() != l.params().size() || l.outs().size() != l.params().size()) {
            throw fail(l, "loop carries of different lengths");
        }
        for (Var v : l.init()) if (v != null) use(v, l);
        scopes.add(new HashSet<>());
        define(l.index(), l);
        for (Var p : l.params()) define(p, l);
        runTime(l);
        for (Stmt x : l.body()) stmt(x); // in the parameters' scope: results and stacked values must be visible at the end
        for (Var r : l.results()) if (r != null) use(r, l);
        if (l.stacked().size() != l.tapes().size()) throw fail(l, "a tape for each stacked value");
        for (int k = 0; k < l.stacked().size(); k++) {
            use(l.stacked().get(k), l);
            int[] want = Shapes.concat(new int[] {l.count()}, l.stacked().get(k).shapeRef());
            if (!Arrays.equals(want, l.tapes().get(k).shapeRef())) throw fail(l, l.tapes().get(k) + " should have shape " + Shapes.show(want));
        }
        for (Var v : scopes.remove(scopes.size() - 1)) defined.remove(v);
        for (int k = 0; k < l.params().size(); k++) {
            sameShape(l, l.params().get(k), l.outs().get(k));
            if (l.init().get(k) != null) sameShape(l, l.init().get(k), l.params().get(k));
        }
        for (Var o : l.outs()) define(o, l);
        for (Var t : l.tapes()) define(t, l);
        if (l.runTime() != null && l.runTime().trips() != null) define(l.runTime().trips(), l);
    }

    /**
     * A loop whose trip count is known only at run time has a static count of 0 (so its tapes have
     * 0 rows statically); a while's head makes its scalar condition from the carried values, in the
     * loop's scope, before the body; a counted loop reads a scalar count.
     */
    private void runTime(Stmt.Loop l) {
        Stmt.RunTime rt = l.runTime();
        if (rt == null) return;
        if (l.count() != 0) throw fail(l, "a loop with a run-time trip count has a static count of 0");
        if ((rt.cond() == null) == (rt.count() == null)) throw fail(l, "a run-time loop has either a condition or a count");
        for (Stmt x : rt.head()) stmt(x); // its values stay visible to the body (the scope is the loop's)
        for (Var v : java.util.Arrays.asList(rt.cond(), rt.count())) {
            if (v == null) continue;
            use(v, l);
            if (Shapes.numel(v.shapeRef()) != 1) throw fail(l, v + " should hold one number");
        }
        if (rt.trips() != null && rt.trips().rank() != 0) throw fail(l, rt.trips() + " should be a scalar");
    }

    /** A call passes one argument per parameter and binds one output per result, of the same shapes. */
    private void call(Stmt.Call c) {
        Func f = c.fn();
        if (c.in().size() != f.params().size() || c.outs().size() != f.results().size()) {
            throw fail(c, "call of " + f.name() + " with " + c.in().size() + " arguments and " + c.outs().size() + " outputs; it has "
                    + f.params().size() + " parameters and " + f.results().size() + " results");
        }
        for (int k = 0; k < c.in().size(); k++) {
            use(c.in().get(k), c);
            sameShape(c, c.in().get(k), f.params().get(k));
        }
        for (int k = 0; k < c.outs().size(); k++) {
            sameShape(c, f.results().get(k), c.outs().get(k));
            define(c.outs().get(k), c);
        }
    }

    private void cond(Stmt.Cond c) {
        use(c.cond(), c);
        branch(c, c.then(), c.thenResults());
        branch(c, c.otherwise(), c.elseResults());
        for (int k = 0; k < c.outs().size(); k++) {
            Var t = c.thenResults().get(k), e = c.elseResults().get(k);
            if (t != null) sameShape(c, t, c.outs().get(k));
            if (e != null) sameShape(c, e, c.outs().get(k));
        }
        for (Var o : c.outs()) define(o, c);
    }

    /** A branch's results must be visible at its end (defined in it or before it). */
    private void branch(Stmt s, List<Stmt> body, List<Var> results) {
        scopes.add(new HashSet<>());
        for (Stmt x : body) stmt(x);
        for (Var r : results) if (r != null) use(r, s);
        for (Var v : scopes.remove(scopes.size() - 1)) defined.remove(v);
    }

    private void use(Var v, Stmt s) {
        if (!defined.contains(v)) throw fail(s, v + " is used where it is not defined");
    }

    private void define(Var v, Stmt s) {
        if (!defined.add(v)) throw fail(s, v + " is defined twice");
        scopes.get(scopes.size() - 1).add(v);
    }

    private static void sameShape(Stmt s, Var a, Var b) {
        if (!Arrays.equals(a.shapeRef(), b.shapeRef())) throw fail(s, a + " and " + b + " should have the same shape");
    }

    private static IllegalStateException fail(Stmt s, String why) {
        return new IllegalStateException("IR verification failed at line " + s.origin().line() + ": " + why);
    }
}
