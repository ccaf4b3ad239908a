package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * {@code check grad(f) == df [within tol]} (LANGUAGE.md §8). At three seeded random inputs of the
 * parameters' declared shapes (a named dimension is given the size 3), it evaluates the generated
 * gradient, the hand-written function, and central finite differences of f, element by element,
 * all as IR; the run prints one report per check and fails (exit 3) past the tolerances: {@code tol}
 * (default 1e-6) between the generated and hand-written gradients, 1e-5 against finite
 * differences, both relative to the larger of 1 and the reference's largest magnitude.
 */
final class Checks {
    static final int INPUTS = 3, NAMED_SIZE = 3;
    static final double FD_TOL = 1e-5;

    private final Lowerer l;

    Checks(Lowerer l) {
        this.l = l;
    }

    void check(Ast.Check c) {
        if (!(c.claim() instanceof Ast.Binary eq) || !eq.op().equals("==")) {
            l.diags.error("E0110", c.span(), "`check` compares a derivative with a function: `check grad(f) == df`", null);
            return;
        }
        Val lhs = l.exprs.expr(eq.left()), rhs = l.exprs.expr(eq.right());
        double tol = tolerance(c);
        if (lhs instanceof Val.Bad || rhs instanceof Val.Bad || Double.isNaN(tol)) return;
        if (!(lhs instanceof Val.Fn g) || !(g.ref() instanceof Val.Transform t) || !t.kind().equals("grad")
                || !(rhs instanceof Val.Fn h) || h.ref() instanceof Val.BuiltinFn) { // a built-in has no parameters to match f's
            l.diags.error("E0110", c.span(), "`check` compares `grad(f, wrt=...)` with a function of the same parameters, found "
                    + lhs.describe() + " and " + rhs.describe(), rhs instanceof Val.Fn b && b.ref() instanceof Val.BuiltinFn bi
                            ? "a built-in does not take f's parameters: write the derivative as a function, e.g. `fn df(x: [3]) -> [3] { return "
                                    + bi.name() + "(x) }`, and `check grad(f) == df`"
                            : "e.g. `check grad(f) == df`, where `df` is written by hand");
            return;
        }
        Ast.FnDef f = l.functions.base(t);
        List<int[]> shapes = shapes(f);
        Ast.Call site = new Ast.Call(eq.left(), List.of(), c.span());
        List<Stmt.CheckEntry> entries = new ArrayList<>();
        for (int k = 0; k < INPUTS; k++) {
            List<T> args = inputs(shapes, k);
            List<T> gen = values(l.functions.applyTo(t, args, site)), hand = values(l.functions.applyTo(h.ref(), args, site));
            if (gen == null || hand == null || !agree(c, gen, hand)) return;
            for (int i = 0; i < t.wrt().size(); i++) {
                int w = t.wrt().get(i);
                T fd = finiteDifference(t.of(), args, w, site);
                entries.add(new Stmt.CheckEntry(k, f.params().get(w).name(), gen.get(i).var(), hand.get(i).var(), fd.var()));
            }
        }
        String text = l.text(c.span()) == null ? "check" : l.text(c.span()).replaceFirst("^check\\s+", "");
        l.b.add(new Stmt.CheckReport(text, entries, tol, FD_TOL, INPUTS, c.span().origin()));
    }

    /**
     * For `tx check`: the gradient of a scalar function with respect to all its parameters,
     * against central finite differences only (not of one with {@code *args}, a bare {@code *} or
     * {@code **kwargs}, which no transform takes).
     */
    void selfCheck(Ast.FnDef f) {
        if (f.params().isEmpty() || f.returns().size() != 1 || !f.returns().get(0).isEmpty()) return;
        if (LambdaParams.star(f) >= 0 || LambdaParams.kwargs(f) >= 0) return; // `*args`, `*`, `**kwargs`: no transform takes it (E0104 where one is asked for)
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < f.params().size(); i++) all.add(i);
        String key = l.functions.definitions.keyOf(f); // one of several definitions of the name: this one
        Val.Transform t = new Val.Transform("grad", new Val.UserFn(key), all);
        Ast.Call site = new Ast.Call(new Ast.Name(f.name(), f.span()), List.of(), l.headSpan(f.span()));
        List<int[]> shapes = shapes(f);
        List<Stmt.CheckEntry> entries = new ArrayList<>();
        for (int k = 0; k < INPUTS; k++) {
            int mark = l.diags.mark(); // report an unused parameter once, not for every input
            try {
                List<T> args = inputs(shapes, k);
                List<T> gen = values(l.functions.applyTo(t, args, site));
                if (gen == null) return;
                for (int i = 0; i < all.size(); i++) {
                    T fd = finiteDifference(t.of(), args, i, site);
                    entries.add(new Stmt.CheckEntry(k, f.params().get(i).name(), gen.get(i).var(), null, fd.var()));
                }
            } finally {
                if (k > 0) l.diags.dropWarningsSince(mark);
            }
        }
        String which = key.equals(f.name()) ? "" : " (its definition at line " + f.span().line() + ")";
        l.b.add(new Stmt.CheckReport("grad(" + f.name() + ") against finite differences" + which, entries, 1e-6, FD_TOL, INPUTS, site.span().origin()));
    }

    private double tolerance(Ast.Check c) {
        if (c.tol() == null) return 1e-6;
        Val v = l.exprs.expr(c.tol());
        if (v instanceof Val.Num n && n.value() > 0) return n.value();
        if (!(v instanceof Val.Bad)) l.diags.error("E0110", c.tol().span(), "`within` takes a positive number, e.g. `within 1e-6`", null);
        return Double.NaN;
    }

    /** The parameters' declared shapes; a named dimension gets the size NAMED_SIZE (consistently). */
    private static List<int[]> shapes(Ast.FnDef f) {
        List<int[]> out = new ArrayList<>();
        for (Ast.Param p : f.params()) {
            int[] s = new int[p.shape().size()];
            for (int i = 0; i < s.length; i++) s[i] = p.shape().get(i).name() != null ? NAMED_SIZE : p.shape().get(i).size();
            out.add(s);
        }
        return out;
    }

    /** Seeded standard-normal inputs, the same for every run. */
    private List<T> inputs(List<int[]> shapes, int trial) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            Var v = l.b.emit(Prim.RANDOM, new Attrs.Random(shapes.get(i), 7919L * (trial + 1) + i, true));
            out.add(new T(v, false, -1, null, false, false));
        }
        return out;
    }

    private static List<T> values(Val v) {
        if (v instanceof T t) return List.of(t);
        if (v instanceof Val.Tuple tuple) {
            List<T> out = new ArrayList<>();
            for (Val x : tuple.items()) {
                if (!(x instanceof T t)) return null;
                out.add(t);
            }
            return out;
        }
        return null;
    }

    private boolean agree(Ast.Check c, List<T> gen, List<T> hand) {
        boolean ok = gen.size() == hand.size();
        for (int i = 0; ok && i < gen.size(); i++) ok = java.util.Arrays.equals(gen.get(i).shape(), hand.get(i).shape());
        if (!ok) {
            l.diags.error("E0110", c.span(), "the hand-written function gives " + describe(hand) + " where the gradient gives " + describe(gen),
                    "it must return one value of each wrt parameter's shape, in wrt order");
        }
        return ok;
    }

    private static String describe(List<T> vs) {
        List<String> s = new ArrayList<>();
        for (T t : vs) s.add(Shapes.show(t.shape()));
        return String.join(", ", s);
    }

    /**
     * Central differences of f with respect to one argument, element by element, as a loop over
     * the elements (the IR does not grow with their number): step h = 1e-6 max(1, |x_j|).
     */
    private T finiteDifference(Val.FnRef f, List<T> args, int w, Ast.Call site) {
        T x = args.get(w);
        int n = Shapes.numel(x.shape());
        double[] ids = new double[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        var b = l.b;
        Var flat = b.constant(Tensor.of(x.shape(), ids));
        Var init = b.fill(x.shape(), 0.0);
        b.openBlock();
        Var j = b.newVar(Shapes.SCALAR, "j");
        Var acc = b.newVar(x.shape(), "fd");
        Var e = b.eq(flat, j);
        Var xj = b.sum(b.mul(x.var(), e), Composites.allAxes(x.shape().length), false);
        Var h = b.mul(b.scalar(1e-6), b.emit(Prim.MAXIMUM, null, b.scalar(1), b.emit(Prim.ABS, null, xj)));
        Var step = b.mul(e, h);
        Object generator = l.random.mark(); // both sides draw the same numbers, and the loop's draws stay in it
        Var fp = scalar(l.functions.applyTo(f, with(args, w, b.add(x.var(), step)), site));
        l.random.reset(generator);
        Var fm = scalar(l.functions.applyTo(f, with(args, w, b.sub(x.var(), step)), site));
        l.random.reset(generator);
        Var next = fp == null || fm == null ? acc : b.add(acc, b.mul(e, b.div(b.sub(fp, fm), b.mul(b.scalar(2), h))));
        List<Stmt> body = b.closeBlock();
        Var out = b.newVar(x.shape(), "fd");
        b.add(new Stmt.Loop(n, j, List.of(init), List.of(acc), body, List.of(next), List.of(out), site.span().origin()));
        return new T(out, false, -1, null, false, false);
    }

    private static List<T> with(List<T> args, int w, Var v) {
        List<T> out = new ArrayList<>(args);
        out.set(w, new T(v, false, -1, null, false, false));
        return out;
    }

    private static Var scalar(Val v) {
        return v instanceof T t && Shapes.numel(t.shape()) == 1 ? t.var() : null;
    }
}
