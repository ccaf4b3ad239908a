package tx.runtime.ir;

import java.util.List;
import java.util.stream.Collectors;
import tx.runtime.tensor.Shapes;

/**
 * Prints the structured IR, one statement a line, with each variable's user name (adjoints are
 * d_name) and shape, and the source line each statement came from:
 * <pre>  d_x%12[3] = mul(d_y%11[3], c%4[])        # line 3</pre>
 */
public final class IrPrinter {
    private final StringBuilder sb = new StringBuilder();

    private IrPrinter() {}

    public static String print(Program p) {
        IrPrinter pr = new IrPrinter();
        for (Func f : Blocks.functions(p.body())) pr.function(f);
        pr.block(p.body(), "");
        return pr.sb.toString();
    }

    /** {@code fn name(params) { body } -> (results)}, before the statements that call it. */
    private void function(Func f) {
        sb.append("fn ").append(label(f)).append(names(f.params())).append(" {\n");
        block(f.body(), "    ");
        sb.append("} -> ").append(names(f.results())).append("\n\n");
    }

    /** A function's name made unique by its identity (one tx function may become several, one per signature). */
    private final java.util.Map<Func, String> labels = new java.util.IdentityHashMap<>();

    private String label(Func f) {
        return labels.computeIfAbsent(f, g -> g.name() + "#" + (labels.size() + 1));
    }

    private void block(List<Stmt> body, String indent) {
        for (Stmt s : body) stmt(s, indent);
    }

    /** A while (its head, then `while cond`) or a counted loop (`for i in range(count)`, the count a variable). */
    private void runTimeLoop(Stmt.Loop l, Stmt s, String in) {
        Stmt.RunTime rt = l.runTime();
        if (rt.cond() != null) {
            line(in, "while " + name(l.index()) + " = 0, 1, ... carry " + names(l.params()) + " <- " + names(l.init()) + " {", s);
            block(rt.head(), in + "    ");
            line(in + "    ", "if not " + name(rt.cond()) + ": stop", s);
        } else {
            String range = "range(" + name(rt.count()) + ")";
            line(in, "for " + name(l.index()) + " in " + (l.reverse() ? "reversed(" + range + ")" : range) + " carry " + names(l.params())
                    + " <- " + names(l.init()) + " {", s);
        }
        block(l.body(), in + "    ");
        line(in, "} next " + names(l.results()) + " -> " + names(l.outs()) + (rt.trips() == null ? "" : "; trips -> " + name(rt.trips()))
                + (l.tapes().isEmpty() ? "" : "; tape " + names(l.stacked()) + " -> " + names(l.tapes()) + " (grows)"), s);
    }

    private void stmt(Stmt s, String in) {
        if (s instanceof Stmt.Eqn e) {
            String args = e.in().stream().map(IrPrinter::name).collect(Collectors.joining(", "));
            String attr = e.attr() == null ? "" : (args.isEmpty() ? "" : "; ") + e.attr();
            line(in, name(e.out()) + Shapes.show(e.out().shapeRef()) + " = " + e.prim().text() + "(" + args + attr + ")", s);
        } else if (s instanceof Stmt.Fused f) {
            line(in, "fused " + Shapes.show(f.shape()) + " {", s);
            block(Blocks.fusedBody(f), in + "    ");
            line(in, "} -> " + names(f.outs()), s);
        } else if (s instanceof Stmt.Loop l && l.runTime() != null) {
            runTimeLoop(l, s, in);
        } else if (s instanceof Stmt.Loop l) {
            line(in, "for " + name(l.index()) + " in " + (l.reverse() ? "reversed(range(" + l.count() + "))" : "range(" + l.count() + ")")
                    + " carry " + names(l.params()) + " <- " + names(l.init()) + " {", s);
            block(l.body(), in + "    ");
            line(in, "} next " + names(l.results()) + " -> " + names(l.outs())
                    + (l.tapes().isEmpty() ? "" : "; tape " + names(l.stacked()) + " -> " + names(l.tapes())), s);
        } else if (s instanceof Stmt.Cond c) {
            line(in, "if " + name(c.cond()) + " {", s);
            block(c.then(), in + "    ");
            sb.append(in).append("} else {\n");
            block(c.otherwise(), in + "    ");
            line(in, "} -> " + names(c.outs()) + " from " + names(c.thenResults()) + " | " + names(c.elseResults()), s);
        } else if (s instanceof Stmt.Call c) {
            line(in, names(c.outs()) + " = call " + label(c.fn()) + names(c.in()), s);
        } else if (s instanceof Stmt.Print p) {
            line(in, "print(" + p.items().size() + " items)", s);
        } else if (s instanceof Stmt.CheckReport c) {
            line(in, "check " + c.text() + " (" + c.entries().size() + " gradients compared)", s);
        } else if (s instanceof Stmt.Fail f) {
            line(in, "fail " + (f.assertion() ? "AssertionError" : "SizeError") + "(" + f.message().size() + " items)", s);
        } else if (s instanceof Stmt.AssertClose a) {
            line(in, "assert_close(" + name(a.a()) + ", " + name(a.b()) + ")", s);
        } else if (s instanceof Stmt.GradSet g) {
            line(in, "grad[" + g.leaf() + "] = " + (g.value() == null ? "None" : name(g.value())), s);
        } else if (s instanceof Stmt.GradAccum g) {
            line(in, "grad[" + g.leaf() + "] += " + name(g.delta()), s);
        } else if (s instanceof Stmt.Save sv) {
            line(in, "save(\"" + sv.path() + "\", " + name(sv.value()) + ")", s);
        } else if (s instanceof Stmt.GradRead g) {
            line(in, name(g.out()) + " = grad[" + g.leaf() + "]", s);
        }
    }

    private void line(String indent, String text, Stmt s) {
        sb.append(indent).append(text);
        if (s.origin().line() > 0) sb.append("    # line ").append(s.origin().line());
        sb.append('\n');
    }

    private static String names(List<Var> vs) {
        return "(" + vs.stream().map(IrPrinter::name).collect(Collectors.joining(", ")) + ")";
    }

    private static String name(Var v) {
        return v == null ? "None" : (v.name() == null ? "t" : v.name()) + "%" + v.id();
    }
}
