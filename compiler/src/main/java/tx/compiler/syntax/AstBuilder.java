package tx.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import tx.compiler.syntax.Ast.*;
import tx.compiler.syntax.gen.TxParser;
import tx.compiler.syntax.gen.TxParser.*;

/** Turns ANTLR's parse tree into tx's own AST at once, giving every node its span (Trino's AstBuilder). */
final class AstBuilder {
    private final Diagnostics diags;

    AstBuilder(Diagnostics diags) {
        this.diags = diags;
    }

    Program program(ProgramContext ctx) {
        return new Program(statements(ctx.statement()), span(ctx));
    }

    /** The program made of these statements only (the ones that parsed, after a syntax error elsewhere). */
    Program program(ProgramContext ctx, List<StatementContext> clean) {
        return new Program(statements(clean), span(ctx));
    }

    private List<Stmt> statements(List<StatementContext> ctxs) {
        List<Stmt> out = new ArrayList<>();
        for (StatementContext c : ctxs) {
            Stmt s = statement(c);
            if (s != null) out.add(s);
            out.addAll(spliced);
            spliced.clear();
        }
        return out;
    }

    /** Statements one statement of the source stands for, in its place (see {@link #multiAssign}). */
    private final List<Stmt> spliced = new ArrayList<>();

    /**
     * {@code s[0], s[1] = f(x)}, targets of which some are indexed: as Python, the right-hand side
     * first, into a hidden name, then each target from its item, left to right.
     */
    private void multiAssign(MultiAssignContext c, Span sp) {
        String hidden = "$targets" + sp.line() + "_" + sp.col();
        List<Expr> values = exprs(c.expr());
        Expr value = values.size() == 1 && c.getChild(c.getChildCount() - 1) instanceof ExprContext ? values.get(0)
                : new TupleLit(values, span(c.expr(0)).to(span(c.expr(c.expr().size() - 1))));
        spliced.add(new Assign(List.of(new Target(hidden, null, sp)), value, sp));
        for (int k = 0; k < c.anyTarget().size(); k++) {
            AnyTargetContext t = c.anyTarget(k);
            Span ts = span(t);
            Expr item = new Index(new Name(hidden, ts), List.of(new At(new Num(k, Integer.toString(k), ts), ts)), ts);
            spliced.add(t.indexTarget() != null ? new IndexAssign(indexTarget(t.indexTarget()), "=", item, ts)
                    : new Assign(List.of(target(t.target())), item, ts));
        }
    }

    private List<Stmt> block(BlockContext ctx) {
        return ctx == null ? List.of() : statements(ctx.statement());
    }

    private Stmt statement(StatementContext ctx) {
        Span sp = span(ctx);
        if (ctx instanceof AssignContext c) {
            List<Target> ts = new ArrayList<>();
            for (TargetContext t : c.target()) ts.add(target(t));
            List<Expr> values = exprs(c.expr());
            boolean unpack = c.unpack != null;
            if (values.size() == 1 && c.getChild(c.getChildCount() - 1) instanceof ExprContext) return new Assign(ts, values.get(0), unpack, sp);
            Span vs = span(c.expr(0)).to(span(c.expr(c.expr().size() - 1)));
            return new Assign(ts, new TupleLit(values, vs), unpack, sp); // `a, b = b, a`: both sides evaluated first

        }
        if (ctx instanceof BracketAssignContext c) { // `(gx,) = grad(...)`, `[a, b] = xs`: as Python, in brackets too
            List<Target> ts = new ArrayList<>();
            for (TargetContext t : c.target()) ts.add(target(t));
            List<Expr> values = exprs(c.expr());
            boolean unpack = c.unpack != null || c.open.getText().equals("["); // `(a) = v` is a plain assignment, `[a] = v` unpacks
            if (values.size() == 1 && c.getChild(c.getChildCount() - 1) instanceof ExprContext) return new Assign(ts, values.get(0), unpack, sp);
            Span vs = span(c.expr(0)).to(span(c.expr(c.expr().size() - 1)));
            return new Assign(ts, new TupleLit(values, vs), unpack, sp);
        }
        if (ctx instanceof AugAssignContext c) return new AugAssign(target(c.target()), c.op.getText(), expr(c.expr()), sp);
        if (ctx instanceof MultiAssignContext c) {
            multiAssign(c, sp);
            return null;
        }
        if (ctx instanceof IndexAssignContext c) return new IndexAssign(indexTarget(c.indexTarget()), c.op.getText(), expr(c.expr()), sp);
        if (ctx instanceof ExprStmtContext c) return new ExprStmt(expr(c.expr()), sp);
        if (ctx instanceof WithStmtContext c) return with(c, sp);
        if (ctx instanceof ForStmtContext c) {
            return new For(c.NAME().getText(), span(c.NAME().getSymbol()), args(c.arg()), block(c.block()), sp);
        }
        if (ctx instanceof WhileStmtContext c) return new While(expr(c.expr()), block(c.block()), sp);
        if (ctx instanceof BreakStmtContext) return new Break(sp);
        if (ctx instanceof ContinueStmtContext) return new Continue(sp);
        if (ctx instanceof ForEachStmtContext c) {
            List<Stmt> unpacks = new ArrayList<>();
            LoopNames names = loopNames(c.forTarget(), unpacks);
            Expr iterable = expr(c.expr());
            if (names.vars().size() == 1 && unpacks.isEmpty() && c.expr() instanceof RangeCallContext r) { // `for i in range(n)`: the counted loop, however the parser split it
                return new For(names.vars().get(0), names.spans().get(0), args(r.arg()), block(c.block()), sp);
            }
            List<Stmt> body = new ArrayList<>(unpacks);
            body.addAll(block(c.block()));
            return new ForEach(names.vars(), names.spans(), iterable, body, sp);
        }
        if (ctx instanceof IfStmtContext c) return ifChain(c.ifChain());
        if (ctx instanceof FnDefContext c) return fnDef(c);
        if (ctx instanceof ReturnStmtContext c) return new Return(exprs(c.expr()), sp);
        if (ctx instanceof CheckStmtContext c) return new Check(expr(c.lhs), c.tol == null ? null : expr(c.tol), sp);
        if (ctx instanceof GlobalStmtContext c) return new Global(texts(c.NAME()), spans(c.NAME()), sp);
        if (ctx instanceof NonlocalStmtContext c) return new Nonlocal(texts(c.NAME()), spans(c.NAME()), sp);
        if (ctx instanceof AssertStmtContext c) return new Assert(expr(c.cond), c.msg == null ? null : expr(c.msg), sp);
        return null; // a subtree the parser already reported as broken
    }

    /** {@code {k: v for targets in iterable if cond}}: the loop it stands for, setting a hidden dict's keys (see {@link DictComp}). */
    private Expr dictComp(DictCompContext c, Span sp) {
        String hidden = "$dict" + sp.line() + "_" + sp.col();
        List<Stmt> body = new ArrayList<>();
        LoopNames names = loopNames(c.forTarget(), body);
        Span entry = span(c.dictEntry());
        Stmt set = new IndexAssign(new Index(new Name(hidden, entry), List.of(new At(expr(c.dictEntry().key), span(c.dictEntry().key))), entry), "=",
                expr(c.dictEntry().value), entry);
        if (c.cond != null) { // the condition in a name of its own, which tells a condition known only at run time
            Span cs = span(c.cond);
            body.add(new Assign(List.of(new Target(hidden + "_if", null, cs)), expr(c.cond), cs));
            set = new If(new Name(hidden + "_if", cs), List.of(set), List.of(), cs);
        }
        body.add(set);
        return new DictComp(hidden, new ForEach(names.vars(), names.spans(), expr(c.iter), body, sp), sp);
    }

    /** {@code [item for ... in ... if ...]} and {@code (item for ...)}: the loops they stand for (see {@link ListComp}). */
    private Expr listComp(ExprContext item, List<CompForContext> clauses, boolean generator, Span sp) {
        return listComp(item, clauses, generator, sp, generator ? "$gen" : "$list");
    }

    private Expr listComp(ExprContext item, List<CompForContext> clauses, boolean generator, Span sp, String kind) {
        String hidden = kind + sp.line() + "_" + sp.col();
        Span is = span(item);
        Expr append = new Call(new Attr(new Name(hidden, is), "append", is, is), List.of(new Arg(null, expr(item), is)), is);
        List<Stmt> inner = List.of(new ExprStmt(append, is));
        for (int i = clauses.size() - 1; i >= 0; i--) {
            CompForContext c = clauses.get(i);
            for (int j = c.conds.size() - 1; j >= 0; j--) { // each condition in a name of its own, which tells one known only at run time
                Span cs = span(c.conds.get(j));
                String name = hidden + "_if" + i + "_" + j;
                inner = List.of(new Assign(List.of(new Target(name, null, cs)), expr(c.conds.get(j)), cs), new If(new Name(name, cs), inner, List.of(), cs));
            }
            List<Stmt> body = new ArrayList<>();
            LoopNames names = loopNames(c.forTarget(), body);
            body.addAll(inner);
            inner = List.of(new ForEach(names.vars(), names.spans(), expr(c.iter), body, span(c)));
        }
        return new ListComp(hidden, (ForEach) inner.get(0), generator, sp);
    }

    private If ifChain(IfChainContext c) {
        return new If(expr(c.expr()), block(c.block()), elseTail(c.elseTail()), span(c));
    }

    /** What follows an if's block: an elif is an if nested in the else, as in Python. */
    private List<Stmt> elseTail(ElseTailContext t) {
        if (t == null) return List.of();
        if (t instanceof ElifTailContext c) return List.of(new If(expr(c.expr()), block(c.block()), elseTail(c.elseTail()), span(c)));
        ElseBranchContext c = (ElseBranchContext) t;
        return c.ifChain() != null ? List.of(ifChain(c.ifChain())) : block(c.block());
    }

    private FnDef fnDef(FnDefContext c) {
        List<Param> params = new ArrayList<>();
        for (ParamContext p : c.param()) {
            if (p.bare != null) {
                params.add(new Param(Param.BARE, List.of(), Param.STAR, null, span(p)));
                continue;
            }
            String kind = p.star != null ? Param.STAR : p.kwargs != null ? Param.KWARGS : p.kind == null ? null : p.kind.getText();
            params.add(new Param(p.NAME(0).getText(), dims(p.shapeType()), kind, p.dflt == null ? null : expr(p.dflt), span(p)));
        }
        List<List<Dim>> returns = new ArrayList<>();
        if (c.returnType() != null) for (ShapeTypeContext s : c.returnType().shapeType()) returns.add(dims(s));
        return new FnDef(c.NAME().getText(), params, returns, block(c.block()), span(c));
    }

    private List<Dim> dims(ShapeTypeContext s) {
        List<Dim> out = new ArrayList<>();
        if (s == null) return out;
        for (DimContext d : s.dim()) {
            if (d.NAME() != null) {
                out.add(new Dim(null, d.NAME().getText(), span(d)));
            } else {
                double v = number(d.NUMBER().getSymbol());
                out.add(new Dim(v == Math.rint(v) && v >= 0 && v < Integer.MAX_VALUE ? (int) v : -1, null, span(d)));
            }
        }
        return out;
    }

    /** {@code x[a][b, c]}: Index(Index(Name x, [a]), [b, c]), each spanning from x to its closing bracket. */
    private Expr indexTarget(IndexTargetContext t) {
        Span start = span(t.NAME().getSymbol());
        Expr e = new Name(t.NAME().getText(), start);
        List<SubscriptContext> subs = new ArrayList<>();
        for (int c = 1; c < t.getChildCount(); c++) {
            var child = t.getChild(c);
            if (child instanceof SubscriptContext sc) subs.add(sc);
            else if (child instanceof org.antlr.v4.runtime.tree.TerminalNode tn && tn.getText().equals("]")) {
                e = new Index(e, subs(subs), start.to(span(tn.getSymbol())));
                subs = new ArrayList<>();
            }
        }
        return e;
    }

    private Target target(TargetContext t) {
        return new Target(t.NAME(0).getText(), t.NAME().size() > 1 ? t.NAME(1).getText() : null, span(t));
    }

    private List<Arg> args(List<ArgContext> ctxs) {
        List<Arg> out = new ArrayList<>();
        for (ArgContext a : ctxs) {
            Expr value = a.gen != null ? listComp(a.gen, a.compFor(), true, span(a), ListComp.BARE) : expr(a.expr());
            out.add(new Arg(a.star != null ? Arg.STAR : a.kwargs != null ? Arg.KWARGS : a.NAME() == null ? null : a.NAME().getText(), value, span(a)));
        }
        return out;
    }

    private List<Expr> exprs(List<ExprContext> ctxs) {
        List<Expr> out = new ArrayList<>();
        for (ExprContext e : ctxs) out.add(expr(e));
        return out;
    }

    /**
     * {@code lambda x, k=2, *args, **kw: body}; a second {@code *} or {@code **}, or a parameter
     * after {@code **kw}, is Python's SyntaxError, E0127 (the parameters before it are kept).
     */
    private Lambda lambda(LambdaContext c, Span sp) {
        List<String> params = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        int star = -1, kwargs = -1;
        for (LambdaParamContext p : c.lambdaParam()) {
            String starred = p.kwargs != null ? "**" : p.star != null || p.bare != null ? "*" : null;
            if (kwargs >= 0 || starred != null && (starred.equals("*") ? star : kwargs) >= 0) { // Python's SyntaxErrors
                String shown = p.NAME() == null ? "*" : (starred == null ? "" : starred) + p.NAME().getText();
                diags.error("E0127", span(p), kwargs >= 0 ? "`" + shown + "` follows `**" + params.get(kwargs) + "`" : "`" + starred + "` may appear only once",
                        kwargs >= 0 ? "`**" + params.get(kwargs) + "` takes the remaining keyword arguments, so it goes last"
                                : "one `*args` (or bare `*`) and one `**kwargs` at most; the parameters after `*` are keyword-only");
                break;
            }
            if (starred != null && starred.equals("*")) star = params.size();
            if (p.kwargs != null) kwargs = params.size();
            params.add(p.bare != null ? Param.BARE : p.NAME().getText());
            spans.add(span(p));
            defaults.add(p.dflt == null ? null : expr(p.dflt));
        }
        return new Lambda(params, spans, expr(c.expr()), sp, defaults, star, kwargs);
    }

    Expr expr(ExprContext ctx) {
        Span sp = span(ctx);
        if (ctx == null) return new NoneLit(Span.NONE);
        if (ctx instanceof NumberContext c) return new Num(number(c.NUMBER().getSymbol()), c.getText(), sp);
        if (ctx instanceof StringContext c) return strings(c.strings, sp);
        if (ctx instanceof BooleanContext c) return new Bool(c.kw.getText().equalsIgnoreCase("true"), sp);
        if (ctx instanceof NoneContext) return new NoneLit(sp);
        if (ctx instanceof NameContext c) return new Name(c.getText(), sp);
        if (ctx instanceof RangeCallContext c) return new Call(new Name("range", span(c.getStart())), args(c.arg()), sp); // `r = range(5)`
        if (ctx instanceof ParenContext c) return expr(c.expr());
        if (ctx instanceof ListContext c) return new ListLit(exprs(c.expr()), sp);
        if (ctx instanceof TupleContext c) return new TupleLit(exprs(c.expr()), sp);
        if (ctx instanceof UnaryContext c) return c.op.getText().equals("~") ? new Invert(expr(c.expr()), sp) : new Neg(expr(c.expr()), sp);
        if (ctx instanceof PowerContext c) return new Binary("**", expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof MultiplicativeContext c) return new Binary(c.op.getText(), expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof AdditiveContext c) return new Binary(c.op.getText(), expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof BitwiseContext c) return new Binary(c.op.getText(), expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof ComparisonContext c) return comparison(c, sp);
        if (ctx instanceof NotContext c) return new Not(expr(c.expr()), sp);
        if (ctx instanceof IsTestContext c) return new Is(expr(c.expr(0)), c.neg != null, expr(c.expr(1)), sp);
        if (ctx instanceof AndContext c) return new Logic("and", expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof OrContext c) return new Logic("or", expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof DictContext c) {
            List<Expr> keys = new ArrayList<>(), values = new ArrayList<>();
            for (DictEntryContext d : c.dictEntry()) {
                keys.add(expr(d.key));
                values.add(expr(d.value));
            }
            return new DictLit(keys, values, sp);
        }
        if (ctx instanceof DictCompContext c) return dictComp(c, sp);
        if (ctx instanceof ListCompContext c) return listComp(c.elem, c.compFor(), false, sp);
        if (ctx instanceof GenExprContext c) return listComp(c.elem, c.compFor(), true, sp);
        if (ctx instanceof MembershipContext c) return new Binary(c.neg != null ? "not in" : "in", expr(c.expr(0)), expr(c.expr(1)), sp);
        if (ctx instanceof LambdaContext c) return lambda(c, sp);
        if (ctx instanceof ConditionalContext c) return new IfExpr(expr(c.expr(0)), expr(c.expr(1)), expr(c.expr(2)), sp);
        if (ctx instanceof CallContext c) return new Call(expr(c.expr()), args(c.arg()), sp);
        if (ctx instanceof AttributeContext c) return new Attr(expr(c.expr()), c.NAME().getText(), span(c.NAME().getSymbol()), sp);
        if (ctx instanceof IndexContext c) return new Index(expr(c.expr()), subs(c.subscript()), sp);
        return new NoneLit(sp);
    }

    /**
     * {@code a < b} is a Binary; {@code a < b < c} (the grammar's left-nested comparisons, with no
     * parentheses between them) is one Chain, as Python reads it.
     */
    private Expr comparison(ComparisonContext c, Span sp) {
        if (!(c.expr(0) instanceof ComparisonContext)) return new Binary(c.op.getText(), expr(c.expr(0)), expr(c.expr(1)), sp);
        List<ExprContext> operands = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        ExprContext at = c;
        while (at instanceof ComparisonContext cmp) {
            operands.add(0, cmp.expr(1));
            ops.add(0, cmp.op.getText());
            at = cmp.expr(0);
        }
        operands.add(0, at);
        return new Chain(exprs(operands), ops, sp);
    }

    private List<Sub> subs(List<SubscriptContext> ctxs) {
        List<Sub> out = new ArrayList<>();
        for (SubscriptContext s : ctxs) {
            if (s instanceof SingleContext c) {
                out.add(new At(expr(c.expr()), span(c)));
            } else if (s instanceof SliceContext c) {
                out.add(new Range(c.lo == null ? null : expr(c.lo), c.hi == null ? null : expr(c.hi),
                        c.step == null ? null : expr(c.step), span(c)));
            } else if (s instanceof EllipsisContext c) {
                out.add(new Ellipsis(span(c)));
            } else if (s instanceof RangeIndexContext c) { // x[range(n), y]: a call of `range`, which only a subscript can make
                out.add(new At(new Call(new Name("range", span(c.getStart())), args(c.arg()), span(c)), span(c)));
            } else if (s instanceof ListRangeIndexContext c) { // x[list(range(n)), y] (d2l's cross_entropy) indexes as x[range(n), y]
                Ast.Expr range = new Call(new Name("range", span(c)), args(c.arg()), span(c));
                out.add(new At(c.fn.getText().equals("list") ? range : new Call(new Name(c.fn.getText(), span(c.fn)), List.of(new Arg(null, range, span(c))), span(c)), span(c)));
            }
        }
        return out;
    }

    private double number(Token t) {
        double v = Double.parseDouble(t.getText());
        if (Double.isInfinite(v)) {
            diags.error("E0002", span(t), "number `" + t.getText() + "` is too large for a float64",
                    "the largest float64 is about 1.8e308");
        }
        return v;
    }

    /**
     * {@code with no_grad { }}, also as Python writes it, {@code with torch.no_grad() { }}; the only
     * namespace a context manager may carry is {@code torch.}, and only before {@code no_grad}.
     */
    /** The names of a `global` or `nonlocal` statement, as written. */
    private static List<String> texts(List<org.antlr.v4.runtime.tree.TerminalNode> names) {
        List<String> out = new ArrayList<>();
        for (var n : names) out.add(n.getText());
        return out;
    }

    private List<Span> spans(List<org.antlr.v4.runtime.tree.TerminalNode> names) {
        List<Span> out = new ArrayList<>();
        for (var n : names) out.add(span(n.getSymbol()));
        return out;
    }

    /** PyTorch's grad-mode context managers, besides `no_grad`: written `with torch.NAME(...)`. */
    private static final java.util.Set<String> GRAD_MODES = java.util.Set.of("enable_grad", "set_grad_enabled", "inference_mode");

    private Stmt with(WithStmtContext c, Span sp) {
        String kind = c.kind.getText();
        boolean torch = c.ns != null && c.ns.getText().equals("torch");
        boolean known = kind.equals("checkpoint") ? c.ns == null : kind.equals("no_grad") ? c.ns == null || torch : GRAD_MODES.contains(kind) && torch;
        if (!known) {
            Span at = c.ns == null ? span(c.kind) : span(c.ns).to(span(c.kind));
            diags.error("E0001", at, "syntax error: unexpected `" + (c.ns == null ? "" : c.ns.getText() + ".") + kind + "`",
                    "write `with no_grad { ... }` (also `with torch.no_grad() { ... }`, `torch.enable_grad()`, `torch.set_grad_enabled(b)`, "
                            + "`torch.inference_mode()`) or `with checkpoint { ... }`");
        }
        return new With(kind, block(c.block()), sp, args(c.arg()));
    }

    /** A loop's names and where each is written. */
    private record LoopNames(List<String> vars, List<Span> spans) {}

    /** The names of a `for` (statement or comprehension clause); the unpacking of names in parentheses goes into {@code unpacks}. */
    private LoopNames loopNames(List<ForTargetContext> targets, List<Stmt> unpacks) {
        List<String> vars = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (ForTargetContext t : targets) {
            vars.add(forTarget(t, unpacks));
            spans.add(span(t));
        }
        return new LoopNames(vars, spans);
    }

    /**
     * A loop's name; names in parentheses, {@code (x, y)}, become one name spelled as written (no
     * program can assign it) that the body unpacks first, {@code x, y = (x, y)}, as Python does.
     */
    private String forTarget(ForTargetContext t, List<Stmt> unpacks) {
        if (t.NAME() != null) return t.NAME().getText();
        List<Target> names = new ArrayList<>();
        for (ForTargetContext inner : t.forTarget()) names.add(new Target(forTarget(inner, unpacks), null, span(inner)));
        String item = t.getText().replace(",", ", ");
        unpacks.add(0, new Assign(names, new Name(item, span(t)), true, span(t)));
        return item;
    }

    /**
     * Adjacent string literals, joined as Python joins them ({@code 'a' f'{b}'}): a string when none
     * is an f-string, else one f-string of every piece's parts in order.
     */
    private Expr strings(List<Token> tokens, Span sp) {
        if (tokens.size() == 1 && tokens.get(0).getType() == TxParser.FSTRING) return FStrings.build(diags, this, tokens.get(0));
        List<FPart> parts = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        boolean ok = true, formatted = false;
        for (Token t : tokens) {
            if (t.getType() == TxParser.FSTRING) {
                FString f = FStrings.build(diags, this, t);
                parts.addAll(f.parts());
                ok &= f.ok();
                formatted = true;
            } else {
                parts.add(new FText(unquote(t.getText())));
                plain.append(unquote(t.getText()));
            }
        }
        return formatted ? new FString(parts, ok, sp) : new Str(plain.toString(), sp);
    }

    /**
     * A literal's text without its quotes (one on each side, or three: {@code """a docstring"""}),
     * escapes resolved; as in Python, a line break in a triple-quoted string is {@code \n} however
     * the file ends its lines, and a backslash before one joins the lines.
     */
    private static String unquote(String text) {
        int q = text.length() >= 6 && (text.startsWith("\"\"\"") || text.startsWith("\'\'\'")) ? 3 : 1;
        text = q == 3 ? text.replace("\r\n", "\n") : text;
        StringBuilder sb = new StringBuilder();
        for (int i = q; i < text.length() - q; i++) {
            char ch = text.charAt(i);
            if (ch == '\\' && i + 1 < text.length() - q) {
                char n = text.charAt(++i);
                if (n != '\n') sb.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    static Span span(ParserRuleContext ctx) {
        if (ctx == null || ctx.getStart() == null) return Span.NONE;
        Token a = ctx.getStart(), b = ctx.getStop() == null ? a : ctx.getStop();
        if (b.getTokenIndex() < a.getTokenIndex()) b = a;
        Span end = span(b);
        return new Span(a.getLine(), a.getCharPositionInLine() + 1, end.endLine(), end.endCol());
    }

    static Span span(Token t) {
        String text = t.getType() == Token.EOF || t.getText() == null ? "" : t.getText();
        int nl = text.lastIndexOf('\n');
        if (nl >= 0) return new Span(t.getLine(), t.getCharPositionInLine() + 1, t.getLine(), t.getCharPositionInLine() + 2);
        return new Span(t.getLine(), t.getCharPositionInLine() + 1, t.getLine(), t.getCharPositionInLine() + 1 + Math.max(1, text.length()));
    }
}
