package tx.compiler.lower;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Var;

/**
 * {@code for} over collections (LANGUAGE.md §6, v2): {@code for v in xs}, {@code for i, v in
 * enumerate(xs)}, {@code for a, b in zip(xs, ys)}. Over tensors only, it is a loop of the IR: a
 * {@code for k in range(n)} whose body first takes row k of each tensor (PyTorch's
 * {@code UnbindBackward0}), so it differentiates as any loop, and its size does not grow with n.
 * Over a list, a tuple or a shape, whose items may differ in kind and shape, it is unrolled at
 * compile time: the body is checked and lowered once per item.
 */
final class Iteration {
    /** The hidden built-in that takes row k of a tensor: user code cannot spell its name. */
    static final String ROW = "$row";

    private final Lowerer l;

    Iteration(Lowerer l) {
        this.l = l;
    }

    /** How the items are made: from one source, numbered (enumerate), or side by side (zip). */
    private enum Kind { PLAIN, ENUMERATE, ZIP }

    /** One thing iterated over: its value, where it was written, and (a tensor) the hidden name it is held in. */
    private record Source(Val value, Span span, String hidden) {}

    void forEach(Ast.ForEach f) {
        Kind kind = kindOf(f.iterable());
        List<Ast.Arg> args = kind == Kind.PLAIN ? List.of(new Ast.Arg(null, f.iterable(), f.iterable().span())) : ((Ast.Call) f.iterable()).args();
        int start = 0;
        List<Source> sources = new ArrayList<>();
        boolean ok = true;
        for (Ast.Arg a : args) {
            Val v = l.exprs.expr(a.value());
            if (kind == Kind.ENUMERATE && "start".equals(a.name())) {
                Integer s = l.exprs.integer(v, a.span(), "`enumerate`'s start");
                ok &= s != null;
                start = s == null ? 0 : s;
                continue;
            }
            if (a.name() != null) {
                l.diags.error("E0104", a.span(), "`" + (kind == Kind.ZIP ? "zip" : "enumerate") + "` has no keyword argument `" + a.name() + "`", null);
                ok = false;
                continue;
            }
            Source s = source(Ranges.listed(Dicts.iterated(Sets.iterated(Sequences.named(v, a.value().span()), a.value().span()), a.value().span()), a.value().span()), a.value().span());
            ok &= s != null;
            sources.add(s);
        }
        if ((kind == Kind.ENUMERATE && sources.size() != 1 || sources.isEmpty()) && ok) {
            l.diags.error("E0104", f.iterable().span(), kind == Kind.ENUMERATE ? "`enumerate` takes one collection (and `start=`), got " + sources.size()
                    : "`zip` needs at least one collection to loop over", null);
            ok = false;
        }
        if (!ok || sources.isEmpty()) {
            for (String v : f.vars()) l.state.bind(v, new Val.Bad());
            return;
        }
        if (sources.stream().anyMatch(s -> s.value() instanceof Val.RunList)) { // a length known only at run time: a while over it
            new RunLists(l).forEach(f, kind == Kind.PLAIN ? (Val.RunList) sources.get(0).value() : null);
            return;
        }
        int n = Integer.MAX_VALUE;
        boolean tensors = true;
        for (Source s : sources) {
            n = Math.min(n, length(s.value()));
            tensors &= s.value() instanceof T;
        }
        int width = kind == Kind.PLAIN ? -1 : kind == Kind.ENUMERATE ? 2 : sources.size();
        if (width > 0 && f.vars().size() != 1 && f.vars().size() != width) {
            l.diags.error("E0401", f.varSpans().get(0).to(f.varSpans().get(f.varSpans().size() - 1)), "each item here has " + width
                    + " values, but the loop unpacks them into " + f.vars().size() + " names", null);
            for (String v : f.vars()) l.state.bind(v, new Val.Bad());
            return;
        }
        if (tensors && (kind != Kind.PLAIN || f.vars().size() == 1)) loop(f, kind, sources, n, start);
        else unroll(f, kind, sources, n, start);
    }

    /** {@code enumerate(...)} and {@code zip(...)}, unless the program bound those names. */
    private Kind kindOf(Ast.Expr it) {
        if (!(it instanceof Ast.Call c) || !(c.callee() instanceof Ast.Name n) || l.state.names.containsKey(n.name())) return Kind.PLAIN;
        return n.name().equals("enumerate") ? Kind.ENUMERATE : n.name().equals("zip") ? Kind.ZIP : Kind.PLAIN;
    }

    /** A collection to iterate over, or null after E0401 for a value that is none. */
    private Source source(Val v, Span span) {
        if (v instanceof Val.Bad) return null;
        if (Sequences.items(v) != null || v instanceof Val.Shape || v instanceof Val.RunList) return new Source(v, span, null);
        if (v instanceof T t && !t.maybeNone() && !t.item() && t.shape().length > 0) {
            String hidden = "$iter" + span.line() + "_" + span.col();
            l.state.bind(hidden, t);
            return new Source(t, span, hidden);
        }
        String why = v instanceof T t && t.item() ? "a number known at run time"
                : v instanceof T t && t.shape().length == 0 ? "a 0-dimensional tensor (PyTorch raises \"iteration over a 0-d tensor\")"
                : v instanceof T t && t.maybeNone() ? "a gradient that may be None" : v.describe();
        l.diags.error("E0401", span, "`for` cannot iterate over " + why, "loop over a list, a tuple, a tensor's rows, `range(n)`, `enumerate(...)` or `zip(...)`");
        return null;
    }

    private static int length(Val v) {
        if (v instanceof T t) return t.shape()[0];
        if (v instanceof Val.Shape s) return s.dims().length;
        return Sequences.items(v).size();
    }

    // ---- over tensors: a loop of the IR -----------------------------------------------------------------

    private void loop(Ast.ForEach f, Kind kind, List<Source> sources, int n, int start) {
        // the same loop each time the statement is checked again, so that the loop's memos find it
        Ast.For loop = l.desugared.computeIfAbsent(f, k -> new java.util.HashMap<>()).computeIfAbsent(n, k -> desugar(f, kind, sources, n, start));
        l.statement(loop);
        for (Source s : sources) l.state.names.remove(s.hidden());
        l.state.names.remove(loop.var());
    }

    /** {@code for k in range(n) { v = $row(xs, k); body }}, with the names of {@link #forEach}'s forms. */
    private Ast.For desugar(Ast.ForEach f, Kind kind, List<Source> sources, int n, int start) {
        Span at = f.iterable().span();
        String k = counter(f);
        List<Ast.Stmt> body = new ArrayList<>();
        List<String> vars = f.vars();
        List<Ast.Expr> values = new ArrayList<>();
        if (kind == Kind.ENUMERATE) values.add(start == 0 ? new Ast.Name(k, at) : new Ast.Binary("+", new Ast.Name(k, at), new Ast.Num(start, Integer.toString(start), at), at));
        for (Source s : sources) values.add(new Ast.Call(new Ast.Name(ROW, at), List.of(arg(new Ast.Name(s.hidden(), s.span())), arg(new Ast.Name(k, at))), s.span()));
        if (vars.size() == 1 && values.size() > 1) {
            body.add(new Ast.Assign(List.of(new Ast.Target(vars.get(0), null, f.varSpans().get(0))), new Ast.TupleLit(values, at), f.span()));
        } else {
            for (int i = 0; i < vars.size(); i++) {
                body.add(new Ast.Assign(List.of(new Ast.Target(vars.get(i), null, f.varSpans().get(i))), values.get(i), f.span()));
            }
        }
        body.addAll(f.body());
        Ast.Num count = new Ast.Num(n, Integer.toString(n), at);
        return new Ast.For(k, at, List.of(arg(count)), body, f.span());
    }

    private static Ast.Arg arg(Ast.Expr e) {
        return new Ast.Arg(null, e, e.span());
    }

    /**
     * The loop's counter: a name the program does not use here (it shows in `tx ir` and in what
     * `tx grad` writes, so it must be a valid name): {@code row_index} for {@code for row in x}.
     */
    private String counter(Ast.ForEach f) {
        String base = f.vars().get(f.vars().size() - 1) + "_index", name = base;
        java.util.Set<String> used = new java.util.HashSet<>(l.state.names.keySet());
        used.addAll(l.assignedNames(f.body()));
        used.addAll(f.vars());
        for (int k = 2; used.contains(name) || l.functions.has(name) || l.builtins.known(name); k++) name = base + k;
        return name;
    }

    /** {@code $row(x, k)}: row k of x along its first dimension, as iterating over x gives it. */
    static Val row(Lowerer l, Args a) {
        T x = a.tensor(0);
        Val k = a.pos.get(1);
        if (x == null) return null;
        return rowOf(l, x, k instanceof T t ? t.var() : l.b.scalar(((Val.Num) k).value()));
    }

    /** Row {@code index} of x, as PyTorch's iteration and unpacking unbind it ({@code UnbindBackward0}). */
    static T rowOf(Lowerer l, T x, Var index) {
        return l.exprs.result(l.b.take(x.var(), index, 0), "UnbindBackward0");
    }

    // ---- over lists and tuples: unrolled ---------------------------------------------------------------

    private void unroll(Ast.ForEach f, Kind kind, List<Source> sources, int n, int start) {
        unrolled(f, kind, sources, n, start);
        for (Source s : sources) if (s.hidden() != null) l.state.names.remove(s.hidden());
    }

    private void unrolled(Ast.ForEach f, Kind kind, List<Source> sources, int n, int start) {
        for (int k = 0; k < n; k++) {
            List<Val> values = new ArrayList<>();
            if (kind == Kind.ENUMERATE) values.add(new Val.Num(start + k, Val.PyType.INT));
            for (Source s : sources) values.add(item(s, k));
            Val item = kind == Kind.PLAIN ? values.get(0)
                    : new Val.ListV(values, java.util.Collections.nCopies(values.size(), f.iterable().span()), true);
            if (!bind(f, item)) return;
            l.unrolledItems.add(k);
            try {
                l.block(f.body());
            } finally {
                l.unrolledItems.remove(l.unrolledItems.size() - 1);
            }
        }
    }

    private Val item(Source s, int k) {
        if (s.value() instanceof Val.Shape sh) return RunTimeSizes.dim(l, sh.dims()[k]);
        if (s.value() instanceof T t) {
            Args a = new Args(l, ROW, new Ast.Call(new Ast.Name(ROW, s.span()), List.of(), s.span()));
            a.pos.add(t);
            a.pos.add(new Val.Num(k, Val.PyType.INT));
            a.posSpans.add(s.span());
            a.posSpans.add(s.span());
            Val v = row(l, a);
            return v == null ? new Val.Bad() : v;
        }
        return Sequences.items(s.value()).get(k);
    }

    /** Binds the loop's names to one item: one name takes it whole, several unpack it (E0401 on a count that differs). */
    private boolean bind(Ast.ForEach f, Val item) {
        if (f.vars().size() == 1) {
            l.state.bind(f.vars().get(0), item);
            return true;
        }
        List<Val> parts = Sequences.items(item);
        if (parts == null || parts.size() != f.vars().size()) {
            String has = parts == null ? item.describe() : parts.size() + " values";
            l.diags.error("E0401", f.varSpans().get(0).to(f.varSpans().get(f.varSpans().size() - 1)), "an item here is " + has
                    + ", which cannot be unpacked into " + f.vars().size() + " names", null);
            for (String v : f.vars()) l.state.bind(v, new Val.Bad());
            return false;
        }
        for (int i = 0; i < parts.size(); i++) l.state.bind(f.vars().get(i), parts.get(i));
        return true;
    }

    // ---- what a loop over a collection changes ---------------------------------------------------------

    /**
     * The names whose tensors a {@code for} over a collection may change in place: when its body
     * changes one of the loop's names in place ({@code p -= lr * p.grad}), the collections it
     * iterates over, as written ({@code params}, or {@code w} and {@code b} in {@code [w, b]}).
     */
    static Set<String> changedThrough(Ast.ForEach f, Set<String> inPlace) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : f.vars()) if (inPlace.contains(v)) out.addAll(namesIn(f.iterable()));
        return out;
    }

    /** The names an expression passes on as they are: {@code xs}, the items of {@code [a, b]}, the arguments of zip and enumerate. */
    static Set<String> namesIn(Ast.Expr e) {
        Set<String> out = new LinkedHashSet<>();
        if (e instanceof Ast.Name n) out.add(n.name());
        else if (e instanceof Ast.ListLit list) for (Ast.Expr x : list.items()) out.addAll(namesIn(x));
        else if (e instanceof Ast.TupleLit t) for (Ast.Expr x : t.items()) out.addAll(namesIn(x));
        else if (e instanceof Ast.Call c && c.callee() instanceof Ast.Name f && (f.name().equals("zip") || f.name().equals("enumerate"))) {
            for (Ast.Arg a : c.args()) if (a.name() == null) out.addAll(namesIn(a.value()));
        }
        return out;
    }
}
