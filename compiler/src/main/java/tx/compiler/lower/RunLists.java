package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.PrintItem;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.PyFormat;
import tx.runtime.tensor.Shapes;

/**
 * What a program may do with a list whose length is known only at run time ({@link Val.RunList}:
 * one a {@code for} loop appended to in a branch, or after a {@code break}): print it (as Python
 * prints a list), {@code len(xs)}, {@code xs[k]} (an index outside it stops the run, as Python's
 * IndexError), Python's {@code sum}, {@code max} and {@code min}, and {@code torch.tensor(xs)} or
 * {@code torch.stack(xs)}, a tensor of its items that prints and reduces ({@code sum}, {@code mean},
 * {@code max}, {@code min}) to 0-dimensional tensors. Its items are the first {@code count} rows
 * of a tensor with room for every item the loop could append; the rest of it is never shown.
 * Anything else is E0401, naming it as a value of a length known only at run time.
 */
final class RunLists {
    private final Lowerer l;

    RunLists(Lowerer l) {
        this.l = l;
    }

    /** {@code print(xs)}: {@code [0.5, 0.25]}; of its tensor, {@code tensor([0.5000, 0.2500])}. */
    static PrintItem print(Val.RunList r) {
        T item = r.item();
        PyFormat.Kind kind = !item.item() ? PyFormat.Kind.TENSOR : switch (item.py()) {
            case BOOL -> PyFormat.Kind.BOOL;
            case INT -> PyFormat.Kind.INT;
            case FLOAT -> PyFormat.Kind.FLOAT;
        };
        PrintItem rows = new PrintItem.Rows(r.rows().var(), r.count().var(), kind, r.tensor());
        return r.tensor() ? new PrintItem.Joined(List.of(rows)) : new PrintItem.Joined(List.of(new PrintItem.Text("["), rows, new PrintItem.Text("]")));
    }

    /** {@code len(xs)}: a Python int known at run time. */
    static Val len(Val.RunList r) {
        return T.scalar(r.count().var(), Val.PyType.INT);
    }

    /** {@code xs[k]} for a whole number k, negative from the end; a slice is E0401. */
    Val index(Val.RunList r, Ast.Index ix) {
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) {
            l.diags.error("E0401", ix.span(), "a slice of " + r.describe() + " would have a length known only at run time", "index one item at a time, `xs[-1]`");
            return new Val.Bad();
        }
        Var k = index(l, l.exprs.expr(at.index()), at.span());
        if (k == null) return new Val.Bad();
        Var v = row(r, position(l, k, r.count().var()));
        if (r.tensor()) return new T(v, false, -1, null, false, false);
        return r.item().item() ? T.scalar(v, r.item().py()) : new T(v, false, -1, null, false, false);
    }

    /** A list index as an int64 scalar: a Python int (known now or at run time) or an int64 0-dimensional tensor; null after E0105. */
    static Var index(Lowerer l, Val v, Span span) {
        T k = l.exprs.tensor(v, span, "a list index");
        if (k == null) return null;
        boolean whole = k.item() ? k.py() != Val.PyType.FLOAT : k.dtype() != DType.FLOAT64;
        if (!whole || k.shape().length != 0) {
            l.diags.error("E0105", span, "a list index must be a whole number, found " + (k.item() ? "a Python float" : k.describeDtype()), null);
            return null;
        }
        return k.dtype() == DType.INT64 ? k.var() : l.b.emit(Prim.CAST, DType.INT64, k.var());
    }

    /** Row {@code p} of the items, of the item's shape. */
    private Var row(Val.RunList r, Var p) {
        return l.b.take(r.rows().var(), p, 0);
    }

    /** The position of an item outside the list: reading it stops the run (an index out of range, as Python's IndexError). */
    static final double OUTSIDE = Integer.MIN_VALUE;

    /**
     * Where {@code xs[k]} is among {@code n} items: k, or n + k for a negative k; {@link #OUTSIDE}
     * for an index outside the list.
     */
    static Var position(Lowerer l, Var k, Var n) {
        Var zero = l.b.scalar(0, DType.INT64);
        Var at = l.b.where(l.b.lt(k, zero), l.b.add(n, k), k);
        Var inside = l.b.emit(Prim.BITWISE_AND, null, l.b.ge(at, zero), l.b.lt(at, n));
        return l.b.where(inside, at, l.b.scalar(OUTSIDE, DType.INT64));
    }

    /** {@code torch.tensor(xs)} of Python scalars or 0-dimensional tensors ({@code dtype}: null for PyTorch's inference); null after reporting. */
    Val tensor(Val.RunList r, Span span, DType dtype) {
        if (r.tensor() || r.item().shape().length != 0) {
            l.diags.error("E0206", span, "`tensor` takes numbers and one-element items; this is " + r.describe() + " of "
                    + (r.tensor() ? "rows" : "items") + " of shape " + Shapes.show(r.item().shape()), "to build a tensor from tensors use `torch.stack`");
            return null;
        }
        DType d = dtype != null ? dtype : r.item().item() ? Exprs.dtypeOf(r.item().py()) : r.item().dtype();
        Var rows = d == r.rows().dtype() ? r.rows().var() : l.b.emit(Prim.CAST, d, r.rows().var());
        T item = new T(l.b.newVar(Shapes.SCALAR, null, d), false, -1, null, false, false);
        return new Val.RunList(r.rows().withVar(rows), r.count(), item, true);
    }

    /** {@code torch.stack(xs)} of tensors; null after reporting. */
    Val stack(Val.RunList r, Span span) {
        if (r.tensor() || r.item().item()) {
            l.diags.error("E0401", span, "`stack` takes tensors; this is " + r.describe() + (r.tensor() ? "" : " of Python numbers"),
                    r.tensor() ? null : "make a tensor of numbers with `torch.tensor(xs)`");
            return null;
        }
        return new Val.RunList(r.rows(), r.count(), r.item().withVar(l.b.newVar(r.item().shape(), null, r.item().dtype())), true);
    }

    /** {@code buffer} with row {@code p} (an int64 scalar) replaced by {@code item}. */
    static Var write(Lowerer l, Var buffer, Var p, T item) {
        int[] shape = buffer.shapeRef(), one = Shapes.concat(new int[] {1}, item.shape());
        Var placed = l.b.dynamicPad(l.b.reshape(item.var(), one), p, shape, 0, 1);
        Var mask = l.b.dynamicPad(l.b.fill(one, 1, DType.BOOL), p, shape, 0, 1);
        return l.b.where(l.b.emit(Prim.CAST, DType.BOOL, mask), placed, buffer);
    }

    /**
     * {@code xs.append(v)} after the loop that made xs (outside any loop of the IR): its rows get one
     * more row, written at its length. Not after a {@code while} (whose rows are its tape), and not
     * of an item unlike the others (E0401).
     */
    Val append(Val.RunList r, List<Val> items, List<Span> spans, String name) {
        Val.RunList now = r;
        for (int k = 0; k < items.size(); k++) {
            Val v = items.get(k);
            T t = v instanceof Val.Num n && r.item().item() && n.py() == r.item().py() ? T.scalar(l.b.scalar(n.value(), r.item().dtype()), r.item().py()) : v instanceof T x ? x : null;
            String why = r.tensor() ? "it is a tensor" : r.rows().shape()[0] == 0 ? "a list a `while` loop grew does not grow after it"
                    : Shapes.isSymbol(r.rows().shape()[0]) ? "a list `tolist` made of a tensor whose size is known only at run time does not grow"
                    : t == null || !ListHistory.same(r.item(), t) ? "its items are " + describe(r.item()) + ", and this is " + v.describe() : null;
            if (why != null) {
                l.diags.error("E0401", spans.get(k), "`" + name + "` (" + r.describe() + ") cannot take this item: " + why,
                        "collect these values in a list of their own");
                return new Val.Bad();
            }
            Var rows = l.b.emit(Prim.CAT, new tx.runtime.ir.Attrs.Axis(0), now.rows().var(), l.b.fill(Shapes.concat(new int[] {1}, t.shape()), 0, t.dtype()));
            Var n = now.count().var();
            now = new Val.RunList(now.rows().withVar(write(l, rows, n, t)), T.scalar(l.b.add(n, l.b.scalar(1, DType.INT64)), Val.PyType.INT), r.item(), false);
        }
        return now;
    }

    private static String describe(T item) {
        return item.item() ? "Python " + item.py().name().toLowerCase(java.util.Locale.ROOT) + "s" : "tensors of shape " + Shapes.show(item.shape()) + " that do not require grad";
    }

    /**
     * {@code for v in xs} over such a list (or its tensor's rows): {@code $k = 0; while $k < len(xs)
     * { v = xs[$k]; $k = $k + 1; body }}, a {@code while} of its run-time length (the counter moves
     * before the body, so that a {@code continue} does not skip it). {@code r} null: {@code enumerate}
     * or {@code zip} of one, which is E0401.
     */
    void forEach(Ast.ForEach f, Val.RunList r) {
        if (r == null || f.vars().size() != 1) {
            l.diags.error("E0401", f.iterable().span(), r == null ? "`enumerate` and `zip` of a list whose length is known only at run time are not supported"
                    : "the items of this list are not unpacked into several names", "loop over the list itself, `for v in xs`, and index or count in the body");
            for (String v : f.vars()) l.state.bind(v, new Val.Bad());
            return;
        }
        Span at = f.iterable().span();
        String src = "$runList" + at.line() + "_" + at.col(), k = "$runIndex" + at.line() + "_" + at.col();
        Ast.Stmt loop = l.growing.runLoops.computeIfAbsent(f, x -> {
            Ast.Expr len = new Ast.Call(new Ast.Name("len", at), List.of(new Ast.Arg(null, new Ast.Name(src, at), at)), at);
            Ast.Expr item = new Ast.Index(new Ast.Name(src, at), List.of(new Ast.At(new Ast.Name(k, at), at)), at);
            List<Ast.Stmt> body = new java.util.ArrayList<>();
            body.add(new Ast.Assign(List.of(new Ast.Target(f.vars().get(0), null, f.varSpans().get(0))), item, false, f.span()));
            body.add(new Ast.Assign(List.of(new Ast.Target(k, null, at)), new Ast.Binary("+", new Ast.Name(k, at), new Ast.Num(1, "1", at), at), false, f.span()));
            body.addAll(f.body());
            return new Ast.While(new Ast.Binary("<", new Ast.Name(k, at), len, at), body, f.span());
        });
        l.state.bind(src, r);
        l.state.bind(k, new Val.Num(0, Val.PyType.INT));
        l.statement(loop);
        l.state.names.remove(src);
        l.state.names.remove(k);
        l.state.maybeUnassigned.remove(k);
    }

    /** Whether a reduction's argument is such a list or tensor: {@code sum(xs)}, {@code torch.tensor(xs).mean()}. */
    static boolean applies(String name, Args a) {
        return a.pos.size() == 1 && a.kw.isEmpty() && a.pos.get(0) instanceof Val.RunList r
                && (name.equals("sum") || name.equals("max") || name.equals("min") || r.tensor() && name.equals("mean"));
    }

    /**
     * Python's {@code sum(xs)}, {@code max(xs)}, {@code min(xs)} of a list (a Python scalar, or a
     * tensor for tensor items, summed item by item), or a tensor's {@code sum()}, {@code mean()},
     * {@code max()}, {@code min()} over all its elements (a 0-dimensional tensor). The max and min of
     * no items stop the run (Python's and PyTorch's errors); their sum is 0 and their mean nan.
     */
    Val reduce(String name, Val.RunList r, Span span) {
        T item = r.item();
        if (!r.tensor() && !item.item() && !name.equals("sum")) {
            l.diags.error("E0401", span, "Python's `" + name + "` of a list compares Python numbers; this list holds tensors", "use `torch.stack(xs)." + name + "()`");
            return new Val.Bad();
        }
        int cap = r.rows().shape()[0];
        boolean exact = cap == 0 || Shapes.isSymbol(cap); // a while's tape or tolist's rows: its rows are the items (a static length 0 or a symbol)
        Var rows = r.rows().var(), n = r.count().var();
        Var inside = exact ? null : l.b.expand(l.b.reshape(l.b.lt(l.b.iota(cap), n), Shapes.concat(new int[] {cap}, Shapes.ones(item.shape().length))),
                r.rows().shape()); // the rows that are items
        int[] axes = r.tensor() ? all(r.rows().shape().length) : new int[] {0};
        Var v;
        if (name.equals("sum") || name.equals("mean")) {
            v = l.b.sum(exact ? rows : l.b.where(inside, rows, l.b.scalar(0, rows.dtype())), axes, false);
            if (name.equals("mean")) v = l.b.div(v, l.b.mul(l.b.emit(Prim.CAST, DType.FLOAT64, n), l.b.scalar(Shapes.numel(item.shape()))));
        } else {
            Var first = row(r, l.b.where(l.b.gt(n, l.b.scalar(0, DType.INT64)), l.b.scalar(0, DType.INT64), l.b.scalar(OUTSIDE, DType.INT64))); // no items: the read stops the run
            Var filled = exact ? rows : l.b.where(inside, rows, l.b.expand(l.b.reshape(first, Shapes.concat(new int[] {1}, item.shape())), r.rows().shape()));
            boolean min = name.equals("min");
            int[] rest = r.tensor() ? all(item.shape().length) : new int[0];
            v = l.b.composite(() -> {
                Var m = min ? Composites.min(l.b, filled, axes, false) : Composites.max(l.b, filled, axes, false);
                Var f = rest.length == 0 ? first : min ? Composites.min(l.b, first, rest, false) : Composites.max(l.b, first, rest, false);
                return l.b.emit(min ? Prim.MINIMUM : Prim.MAXIMUM, null, m, f);
            });
        }
        if (!r.tensor() && item.item()) return T.scalar(v, name.equals("sum") && item.py() == Val.PyType.BOOL ? Val.PyType.INT : item.py());
        return new T(v, false, -1, null, false, false);
    }

    private static int[] all(int rank) {
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) out[i] = i;
        return out;
    }
}
