package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;

/** The grammar accepts the whole language of LANGUAGE.md, including §7–§8, whose meaning comes later. */
class GrammarTest {
    private static Ast.Program parse(String src) {
        Diagnostics d = new Diagnostics("t.tx", src);
        Ast.Program p = Parse.program(src, d);
        assertFalse(d.hasErrors(), () -> d.render());
        assertNotNull(p);
        return p;
    }

    @Test
    void functionsAndTransformsOfSection7Parse() {
        Ast.Program p = parse("""
                fn loss(w: [3, 2], b: [2], x: [n, 3], y: [n, 2]) -> [] {
                    h = tanh(x @ w + b)
                    return mean((h - y) ** 2)
                }
                fn moments(v: [n]) -> ([], []) { return mean(v), sum(v) }
                dloss = grad(loss, wrt=[w, b])
                gw, gb = dloss(w0, b0, X, Y)
                val, gw2 = value_and_grad(loss, wrt=w)(w0, b0, X, Y)
                d2 = grad(grad(cube))
                """);
        Ast.FnDef f = (Ast.FnDef) p.body().get(0);
        assertEquals("loss", f.name());
        assertEquals(4, f.params().size());
        assertEquals("n", f.params().get(2).shape().get(0).name());
        assertEquals(List.of(), f.returns().get(0));
        assertEquals(2, ((Ast.FnDef) p.body().get(1)).returns().size());
        assertEquals(2, ((Ast.Assign) p.body().get(3)).targets().size());
    }

    @Test
    void tuplesAndSeveralRightHandSidesParse() {
        Ast.Program p = parse("""
                t = (a, b)
                u = (a,)
                a, b = b, a
                v = a, b
                w = (x)
                h, = state
                """);
        Ast.Assign one = (Ast.Assign) p.body().get(5);
        assertTrue(one.unpack() && one.targets().size() == 1 && one.value() instanceof Ast.Name);
        assertFalse(((Ast.Assign) p.body().get(4)).unpack());
        assertTrue(((Ast.Assign) p.body().get(0)).value() instanceof Ast.TupleLit t && t.items().size() == 2);
        assertTrue(((Ast.Assign) p.body().get(1)).value() instanceof Ast.TupleLit t && t.items().size() == 1);
        Ast.Assign swap = (Ast.Assign) p.body().get(2);
        assertEquals(2, swap.targets().size());
        assertTrue(swap.value() instanceof Ast.TupleLit t && t.items().get(0) instanceof Ast.Name n && n.name().equals("b"));
        assertTrue(((Ast.Assign) p.body().get(3)).value() instanceof Ast.TupleLit);
        assertTrue(((Ast.Assign) p.body().get(4)).value() instanceof Ast.Name, "parentheses around one expression make no tuple");
    }

    @Test
    void forOverCollectionsParses() {
        Ast.Program p = parse("""
                for v in x { print(v) }
                for i, v in enumerate(xs) { print(i) }
                for a, b in zip(xs, [1, 2]) { print(a) }
                for k in range(3) { print(k) }
                """);
        Ast.ForEach plain = (Ast.ForEach) p.body().get(0);
        assertEquals(List.of("v"), plain.vars());
        assertTrue(plain.iterable() instanceof Ast.Name);
        assertEquals(List.of("i", "v"), ((Ast.ForEach) p.body().get(1)).vars());
        assertTrue(((Ast.ForEach) p.body().get(2)).iterable() instanceof Ast.Call c && c.args().size() == 2);
        assertTrue(p.body().get(3) instanceof Ast.For, "`range` keeps its own loop");
    }

    @Test
    void parametersWithTypesAndDefaultsParse() {
        Ast.FnDef f = (Ast.FnDef) parse("""
                fn sgd(params: list, lr: float = 0.1, x: [n, 3], act: Callable = relu) { print(lr) }
                """).body().get(0);
        assertEquals("list", f.params().get(0).kind());
        assertEquals(null, f.params().get(0).dflt());
        assertEquals("float", f.params().get(1).kind());
        assertTrue(f.params().get(1).dflt() instanceof Ast.Num n && n.value() == 0.1);
        assertEquals(null, f.params().get(2).kind());
        assertEquals(2, f.params().get(2).shape().size());
        assertTrue(f.params().get(3).dflt() instanceof Ast.Name n && n.name().equals("relu"));
        assertTrue(f.returns().isEmpty());
    }

    @Test
    void checksOfSection8Parse() {
        Ast.Program p = parse("""
                fn f(x: [3]) -> [] { return sum(sin(x) * x) }
                fn df(x: [3]) -> [3] { return cos(x) * x + sin(x) }    # written by hand
                check grad(f) == df
                check grad(loss, wrt=b) == my_dloss_db within 1e-6
                """);
        Ast.Check c = (Ast.Check) p.body().get(3);
        assertTrue(c.claim() instanceof Ast.Binary b && b.op().equals("=="));
        assertTrue(c.tol() instanceof Ast.Num n && n.value() == 1e-6);
    }

    @Test
    void lineBreaksInsideBracketsDoNotEndAStatement() {
        Ast.Program p = parse("x = tensor([[1, 2],\n           [3, 4]],\n           requires_grad=true); y = x * 2\n\nprint(\n  y\n)\n");
        assertEquals(3, p.body().size());
    }

    @Test
    void precedenceFollowsTheContract() {
        // -x ** 2 is -(x ** 2); ** is right-associative; @ binds like *; comparisons bind loosest
        Ast.Program p = parse("a = -x ** 2\nb = 2 ** 3 ** 2\nc = x @ w + b * 2 < 1\n");
        Ast.Expr a = ((Ast.Assign) p.body().get(0)).value();
        assertTrue(a instanceof Ast.Neg n && n.operand() instanceof Ast.Binary bin && bin.op().equals("**"));
        Ast.Expr b = ((Ast.Assign) p.body().get(1)).value();
        assertTrue(b instanceof Ast.Binary bin && bin.right() instanceof Ast.Binary r && r.op().equals("**"));
        Ast.Expr c = ((Ast.Assign) p.body().get(2)).value();
        assertTrue(c instanceof Ast.Binary cmp && cmp.op().equals("<") && cmp.left() instanceof Ast.Binary add && add.op().equals("+"));
    }

    @Test
    void floorDivisionAndRemainderBindLikeMultiplication() {
        // x // 2 * 3 % 4 + 1 is ((x // 2) * 3) % 4 + 1, as in Python
        Ast.Expr e = ((Ast.Assign) parse("a = x // 2 * 3 % 4 + 1\n").body().get(0)).value();
        assertTrue(e instanceof Ast.Binary add && add.op().equals("+") && add.left() instanceof Ast.Binary mod && mod.op().equals("%")
                && mod.left() instanceof Ast.Binary mul && mul.op().equals("*") && mul.left() instanceof Ast.Binary div && div.op().equals("//"));
    }

    @Test
    void comparisonsChainAsInPython() {
        // a < b <= c is one chain of three operands (a < b and b <= c); parentheses break the chain
        Ast.Program p = parse("a = 0 < x + 1 <= 2\nb = (0 < x) < 2\nc = x < 1\n");
        Ast.Expr a = ((Ast.Assign) p.body().get(0)).value();
        assertTrue(a instanceof Ast.Chain ch && ch.operands().size() == 3 && ch.ops().equals(java.util.List.of("<", "<="))
                && ch.operands().get(1) instanceof Ast.Binary add && add.op().equals("+"));
        Ast.Expr b = ((Ast.Assign) p.body().get(1)).value();
        assertTrue(b instanceof Ast.Binary cmp && cmp.op().equals("<") && cmp.left() instanceof Ast.Binary);
        assertTrue(((Ast.Assign) p.body().get(2)).value() instanceof Ast.Binary);
    }

    @Test
    void logicBindsAsInPython() {
        // not binds looser than comparisons, and looser than not, or looser than and; `a if c else b` loosest, to the right
        Ast.Program p = parse("a = not x < 1\nb = x or y and not z\nc = 1 if x else 2 if y else 3\nd = x + 1 if x > 0 or y else -x\n");
        Ast.Expr a = ((Ast.Assign) p.body().get(0)).value();
        assertTrue(a instanceof Ast.Not n && n.operand() instanceof Ast.Binary cmp && cmp.op().equals("<"), a.toString());
        Ast.Expr b = ((Ast.Assign) p.body().get(1)).value();
        assertTrue(b instanceof Ast.Logic or && or.op().equals("or") && or.right() instanceof Ast.Logic and && and.op().equals("and")
                && and.right() instanceof Ast.Not, b.toString());
        Ast.Expr c = ((Ast.Assign) p.body().get(2)).value();
        assertTrue(c instanceof Ast.IfExpr outer && outer.then() instanceof Ast.Num && outer.otherwise() instanceof Ast.IfExpr, c.toString());
        Ast.Expr d = ((Ast.Assign) p.body().get(3)).value();
        assertTrue(d instanceof Ast.IfExpr ie && ie.then() instanceof Ast.Binary add && add.op().equals("+") && ie.cond() instanceof Ast.Logic
                && ie.otherwise() instanceof Ast.Neg, d.toString());
    }

    @Test
    void bitwiseOperatorsBindAsInPython() {
        // | below ^ below &, all three between the comparisons and + -; ~ binds as unary -, looser than **
        Ast.Program p = parse("""
                a = 1 | 2 ^ 3 & 4 + 5 < 6
                b = ~x ** 2 * y
                c = -~x & ~-y
                d = x > 0 & x < 2
                e = a & b & c | d ^ e
                f = not x & y == z
                """);
        List<String> want = List.of("((1 | (2 ^ (3 & (4 + 5)))) < 6)", "((~(x ** 2)) * y)", "((-(~x)) & (~(-y)))", "(x > (0 & x) < 2)",
                "(((a & b) & c) | (d ^ e))", "(not ((x & y) == z))");
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), show(((Ast.Assign) p.body().get(i)).value()));
    }

    @Test
    void bitwiseAugmentedAssignmentsParse() {
        Ast.Program p = parse("m &= k\nn |= 1\nq ^= True\nx[0] &= 3\nx[1:] |= y\nx[..., 0] ^= z\n");
        List<String> ops = List.of("&=", "|=", "^=", "&=", "|=", "^=");
        for (int i = 0; i < 6; i++) {
            Ast.Stmt s = p.body().get(i);
            assertEquals(ops.get(i), i < 3 ? ((Ast.AugAssign) s).op() : ((Ast.IndexAssign) s).op());
        }
    }

    /** An expression with every operator application in parentheses: how the parser grouped it. */
    private static String show(Ast.Expr e) {
        if (e instanceof Ast.Num n) return n.text();
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.Bool b) return b.value() ? "True" : "False";
        if (e instanceof Ast.Neg n) return "(-" + show(n.operand()) + ")";
        if (e instanceof Ast.Invert n) return "(~" + show(n.operand()) + ")";
        if (e instanceof Ast.Not n) return "(not " + show(n.operand()) + ")";
        if (e instanceof Ast.Binary b) return "(" + show(b.left()) + " " + b.op() + " " + show(b.right()) + ")";
        if (e instanceof Ast.Chain c) {
            StringBuilder sb = new StringBuilder("(").append(show(c.operands().get(0)));
            for (int i = 0; i < c.ops().size(); i++) sb.append(' ').append(c.ops().get(i)).append(' ').append(show(c.operands().get(i + 1)));
            return sb.append(')').toString();
        }
        return e.toString();
    }

    @Test
    void indexedTargetsAndElif() {
        Ast.Program p = parse("x[0][1, :] //= 2\nif a { } elif b { } else { y = 1 }\nz[...] = 0\n");
        Ast.Stmt s = p.body().get(0);
        assertTrue(s instanceof Ast.IndexAssign ia && ia.op().equals("//=") && ia.target() instanceof Ast.Index outer
                && outer.subs().size() == 2 && outer.subs().get(1) instanceof Ast.Range && outer.target() instanceof Ast.Index inner
                && inner.target() instanceof Ast.Name n && n.name().equals("x"), s.toString());
        Ast.Stmt i = p.body().get(1);
        assertTrue(i instanceof Ast.If top && top.otherwise().size() == 1 && top.otherwise().get(0) instanceof Ast.If elif
                && elif.otherwise().size() == 1 && elif.otherwise().get(0) instanceof Ast.Assign, i.toString());
        assertTrue(p.body().get(2) instanceof Ast.IndexAssign e && ((Ast.Index) e.target()).subs().get(0) instanceof Ast.Ellipsis);
    }

    @Test
    void numbersInEveryForm() {
        Ast.Program p = parse("a = [2, 2.0, .5, 1e-3, 2.5E+4, 3.]\n");
        Ast.ListLit l = (Ast.ListLit) ((Ast.Assign) p.body().get(0)).value();
        double[] want = {2, 2, 0.5, 1e-3, 2.5e4, 3};
        for (int i = 0; i < want.length; i++) assertEquals(want[i], ((Ast.Num) l.items().get(i)).value());
    }

    @Test
    void fStringsSplitIntoTextAndFields() {
        // Python's rules: {{ and }} are braces; a field is {expr[=][!conversion][:spec]}
        Ast.Expr e = ((Ast.ExprStmt) parse("print(f\"a {x:.2f} b {{c}} {y!r:>5}{z=}\\t\")\n").body().get(0)).expr();
        Ast.FString f = (Ast.FString) ((Ast.Call) e).args().get(0).value();
        assertTrue(f.ok());
        List<Ast.FPart> parts = f.parts();
        assertEquals(new Ast.FText("a "), parts.get(0));
        assertTrue(parts.get(1) instanceof Ast.Field x && x.expr() instanceof Ast.Name n && n.name().equals("x")
                && x.spec().equals(".2f") && x.conversion() == 0);
        assertEquals(new Ast.FText(" b {c} "), parts.get(2));
        assertTrue(parts.get(3) instanceof Ast.Field y && y.conversion() == 'r' && y.spec().equals(">5"));
        assertEquals(new Ast.FText("z="), parts.get(4)); // {z=} shows its text, then repr(z)
        assertTrue(parts.get(5) instanceof Ast.Field z && z.conversion() == 'r' && z.spec().isEmpty());
        assertEquals(new Ast.FText("\t"), parts.get(6));
        assertEquals(7, parts.size());
    }

    @Test
    void anFStringFieldEndsOutsideBracketsAndNotAtInequality() {
        Ast.Expr e = ((Ast.Assign) parse("s = F\"{x[1:3, ::2]} {f(a, b=c):>9} {a != b} {(a < b):d}\"\n").body().get(0)).value();
        List<Ast.FPart> parts = ((Ast.FString) e).parts();
        assertTrue(parts.get(0) instanceof Ast.Field f && f.expr() instanceof Ast.Index && f.spec().isEmpty());
        assertTrue(parts.get(2) instanceof Ast.Field f && f.expr() instanceof Ast.Call && f.spec().equals(">9"));
        assertTrue(parts.get(4) instanceof Ast.Field f && f.expr() instanceof Ast.Binary b && b.op().equals("!=") && f.conversion() == 0);
        assertTrue(parts.get(6) instanceof Ast.Field f && f.expr() instanceof Ast.Binary b && b.op().equals("<") && f.spec().equals("d"));
    }

    @Test
    void anFStringFieldKeepsItsPlaceInTheFile() {
        // the expression is parsed where it stands, so its spans (and its errors) point into the string
        Ast.Program p = parse("y = 1\nprint(f\"ab {x + 1:>3}\")\n");
        Ast.Field f = (Ast.Field) ((Ast.FString) ((Ast.Call) ((Ast.ExprStmt) p.body().get(1)).expr()).args().get(0).value()).parts().get(1);
        assertEquals(new tx.compiler.syntax.Span(2, 13, 2, 18), f.expr().span());
        assertEquals(new tx.compiler.syntax.Span(2, 19, 2, 21), f.specSpan());
        Diagnostics d = new Diagnostics("t.tx", "print(f\"{a +}\")\n");
        Parse.program("print(f\"{a +}\")\n", d);
        assertEquals(1, d.all().size());
        assertEquals(new tx.compiler.syntax.Span(1, 13, 1, 14), d.all().get(0).span());
    }
}
