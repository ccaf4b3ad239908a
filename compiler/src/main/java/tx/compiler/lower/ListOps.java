package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Python's operations on lists of a length known at compile time (LANGUAGE.md §3, v2) beyond
 * indexing and growing: {@code xs + ys} and {@code xs * 3}, {@code xs[k] = v}, Python's
 * {@code sum}, {@code max} and {@code min} of a list, and {@code torch.tensor(xs)} of values known
 * only at run time (the losses a training loop collected with {@code losses.append(loss.item())}).
 */
final class ListOps {
    private final Lowerer l;

    ListOps(Lowerer l) {
        this.l = l;
    }

    // ---- + and * -----------------------------------------------------------------------------------------

    /** Whether {@code left op right} is Python's arithmetic on sequences: {@code xs + ys}, {@code xs * n}, {@code n * xs}. */
    static boolean applies(String op, Val left, Val right) {
        boolean ls = left instanceof Val.ListV, rs = right instanceof Val.ListV;
        return op.equals("+") && (ls || rs) || op.equals("*") && (ls || rs);
    }

    /** {@code [1, 2] + [3]} is {@code [1, 2, 3]}, {@code [0.0] * 3} is {@code [0.0, 0.0, 0.0]}: new sequences, the items shared. */
    Val binary(String op, Val left, Val right, Span ls, Span rs, Span span) {
        if (op.equals("*")) return repeat(left instanceof Val.ListV ? (Val.ListV) left : (Val.ListV) right,
                left instanceof Val.ListV ? right : left, left instanceof Val.ListV ? rs : ls, span);
        if (!(left instanceof Val.ListV a) || !(right instanceof Val.ListV c) || a.tuple() != c.tuple()) {
            Val other = left instanceof Val.ListV ? right : left;
            l.diags.error("E0401", span, "`+` joins two lists or two tuples; this is " + left.describe() + " and " + right.describe(),
                    other instanceof T ? "to add to each item, loop over the list; to join tensors use `torch.cat`" : null);
            return new Val.Bad();
        }
        List<Val> items = new ArrayList<>(a.items());
        items.addAll(c.items());
        List<Span> spans = new ArrayList<>(a.spans());
        spans.addAll(c.spans());
        return checked(new Val.ListV(items, spans, a.tuple()), span);
    }

    private Val repeat(Val.ListV list, Val times, Span at, Span span) {
        if (!(times instanceof Val.Num n) || n.py() == Val.PyType.FLOAT || !n.isWhole()) {
            if (!(times instanceof Val.Bad)) {
                l.diags.error("E0401", at, "a list repeats by a Python int known when compiling, found " + times.describe(),
                        times instanceof T ? "the length of a list must be known when compiling" : null);
            }
            return new Val.Bad();
        }
        long k = Math.max(0, (long) n.value());
        if (k * list.items().size() > GrowingLists.MAX_ITEMS) return tooLong(span, k * list.items().size());
        List<Val> items = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (long i = 0; i < k; i++) {
            items.addAll(list.items());
            spans.addAll(list.spans());
        }
        return new Val.ListV(items, spans, list.tuple());
    }

    private Val checked(Val.ListV list, Span span) {
        return list.items().size() > GrowingLists.MAX_ITEMS ? tooLong(span, list.items().size()) : list;
    }

    /** E0205: a list longer than tx keeps. */
    private Val tooLong(Span span, long size) {
        l.diags.error("E0205", span, "this list would hold " + size + " items, more than tx keeps as a list (" + GrowingLists.MAX_ITEMS + ")",
                "collect the values in a tensor instead");
        return new Val.Bad();
    }

    // ---- xs[k] = v ---------------------------------------------------------------------------------------

    /**
     * {@code xs[k] = v} with k known when compiling: every name bound to the list sees the new item,
     * as Python's lists are shared. {@code xs[k] op= v} is Python's {@code xs[k] = xs[k] op v}, and
     * for a tensor item an in-place change of that tensor (seen through every name bound to it).
     */
    void assignItem(Ast.IndexAssign a, Ast.Name name, Val.ListV list) {
        Ast.Index ix = (Ast.Index) a.target();
        if (list.tuple()) {
            l.diags.error("E0401", a.target().span(), "a tuple's items cannot be assigned (Python: 'tuple' object does not support item assignment)",
                    "make it a list: `[a, b]`");
            l.exprs.expr(a.value());
            return;
        }
        if (!l.growing.ownList(name.name(), a.target().span(), "change")) {
            l.exprs.expr(a.value());
            return;
        }
        if (l.growing.madeBeforeLoop(list)) {
            l.diags.error("E0401", a.target().span(), "`" + name.name() + "[...] " + a.op() + " ...` changes an item of a list inside a loop that tx does not unroll",
                    "loop over the list's indices, `for i in range(len(" + name.name() + "))`, which tx unrolls, or keep the values in a tensor (`buf[i] = v`)");
            l.exprs.expr(a.value());
            return;
        }
        Integer k = position(ix, list);
        if (k == null) {
            l.exprs.expr(a.value());
            return;
        }
        if (!a.op().equals("=")) {
            inPlace(a, list.items().get(k), name.name() + "[" + k + "]");
            return;
        }
        Val v = l.exprs.expr(a.value());
        List<Val> items = new ArrayList<>(list.items());
        items.set(k, v);
        List<Span> spans = new ArrayList<>(list.spans());
        spans.set(k, a.value().span());
        Val now = new Val.ListV(items, spans, false);
        for (java.util.Map.Entry<String, Val> e : l.state.names.entrySet()) if (e.getValue() == list) e.setValue(now);
    }

    /** The item {@code xs[k]} names (E0204 out of range, E0105 for an index known only at run time); null after reporting. */
    private Integer position(Ast.Index ix, Val.ListV list) {
        int n = list.items().size();
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) {
            l.diags.error("E0401", ix.span(), "a list's items are assigned one at a time, `xs[0] = v`", null);
            return null;
        }
        Val iv = l.exprs.expr(at.index());
        if (iv instanceof T) {
            l.diags.error("E0105", at.span(), "an item of a list is assigned at an index known when compiling, found one known only when the program runs",
                    "index with a number or a counter of a loop over `range(len(xs))`, which tx unrolls");
            return null;
        }
        Integer i = l.exprs.integer(iv, at.span(), "an index");
        if (i == null) return null;
        int k = i < 0 ? i + n : i;
        if (k < 0 || k >= n) {
            l.diags.error("E0204", at.span(), "index " + i + " is out of range for a list of " + n + (n == 1 ? " item" : " items")
                    + " (Python: list assignment index out of range)", n == 0 ? "it is empty" : "valid indices are " + -n + " to " + (n - 1));
            return null;
        }
        return k;
    }

    /** {@code xs[k] op= v}: through a hidden name bound to the item, as {@code p op= v} would be for a name p bound to it. */
    private void inPlace(Ast.IndexAssign a, Val item, String shown) {
        String hidden = "$listItem" + (l.hiddenNames++);
        l.state.bind(hidden, item);
        try {
            l.block(List.of(new Ast.AugAssign(new Ast.Target(hidden, null, a.target().span()), a.op(), a.value(), a.span())));
            Val now = l.state.names.get(hidden);
            if (!(item instanceof T) && now != item) { // a number: Python rebinds the item
                for (java.util.Map.Entry<String, Val> e : l.state.names.entrySet()) {
                    if (e.getValue() instanceof Val.ListV list && list.items().contains(item)) e.setValue(replaced(list, item, now));
                }
            }
        } finally {
            l.state.names.remove(hidden);
        }
    }

    private static Val.ListV replaced(Val.ListV list, Val old, Val now) {
        List<Val> items = new ArrayList<>(list.items());
        for (int k = 0; k < items.size(); k++) if (items.get(k) == old) items.set(k, now);
        return list.with(items);
    }

    // ---- sum, max, min -----------------------------------------------------------------------------------

    /** Whether a call of {@code sum}, {@code max} or {@code min} is Python's own, over the items of one list or tuple. */
    static boolean pythonReduction(String name, Args a) {
        return (name.equals("sum") || name.equals("max") || name.equals("min")) && a.pos.size() == 1 && a.kw.isEmpty()
                && Sequences.items(a.pos.get(0)) != null;
    }

    /**
     * Python's {@code sum(xs)}: {@code 0 + xs[0] + xs[1] + ...} (a number, a Python scalar known at
     * run time, or a tensor with {@code AddBackward0}); {@code max(xs)}, {@code min(xs)}: the largest
     * or smallest item, of Python scalars (E0205 for an empty list, Python's ValueError).
     */
    Val reduce(String name, Args a) {
        List<Val> items = Sequences.items(a.pos.get(0));
        Span span = a.spanOf(0, null);
        if (name.equals("sum")) {
            Val total = new Val.Num(0, Val.PyType.INT);
            for (Val v : items) {
                total = l.exprs.binary("+", total, v, span, span, a.span());
                if (total instanceof Val.Bad) return total;
            }
            return total;
        }
        if (items.isEmpty()) {
            l.diags.error("E0205", a.span(), "`" + name + "` of an empty list has no value (Python: " + name + "() arg is an empty sequence)", null);
            return new Val.Bad();
        }
        boolean min = name.equals("min");
        Val best = null;
        for (Val v : items) {
            if (!(v instanceof Val.Num || v instanceof T t && t.item())) {
                l.diags.error("E0401", span, "Python's `" + name + "` of a list compares Python numbers; this list holds " + v.describe(),
                        "for tensors use `torch.stack(xs)." + name + "()`");
                return new Val.Bad();
            }
            best = best == null ? v : extreme(min, best, v, span);
        }
        return best;
    }

    /**
     * Python's {@code max(a, b)} of Python scalars: a number when both are known now, else a Python
     * scalar held by MAXIMUM (MINIMUM) of their values. NOTE: as Builtins' {@code max(a, b)}, the
     * run-time form propagates a nan where Python would keep the first item.
     */
    private Val extreme(boolean min, Val a, Val c, Span span) {
        if (a instanceof Val.Num x && c instanceof Val.Num y) return (min ? y.value() < x.value() : y.value() > x.value()) ? c : a;
        T x = l.exprs.tensor(a, span, "`max`"), y = l.exprs.tensor(c, span, "`max`");
        Val.PyType py = pyOf(a) == Val.PyType.FLOAT || pyOf(c) == Val.PyType.FLOAT ? Val.PyType.FLOAT : Val.PyType.INT;
        return T.scalar(l.b.emit(min ? Prim.MINIMUM : Prim.MAXIMUM, null, x.var(), y.var()), py);
    }

    private static Val.PyType pyOf(Val v) {
        return v instanceof Val.Num n ? n.py() : ((T) v).py();
    }

    // ---- torch.tensor of run-time values ----------------------------------------------------------------

    /** Whether tensor(data) holds a value known only at run time: a Python scalar such as {@code loss.item()}, or a 0-dimensional tensor. */
    static boolean hasRunTimeItems(Val v) {
        if (v instanceof T) return true;
        List<Val> items = v instanceof Val.ListV list ? list.items() : null;
        if (items == null) return false;
        for (Val x : items) if (hasRunTimeItems(x)) return true;
        return false;
    }

    /**
     * {@code torch.tensor(losses)}: a new tensor of the numbers, known when the program runs, that a
     * (nested) list holds: Python scalars and 0-dimensional tensors (their values: the result never
     * requires grad, as PyTorch copies them). Its dtype is PyTorch's inference (any float: float64,
     * else int64, else bool), or {@code dtype}. Null after reporting.
     */
    Var tensorOf(Val data, Span span, DType asked) {
        List<Val> leaves = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        int[] shape = shape(data, span, leaves, spans);
        if (shape == null) return null;
        DType d = DType.BOOL;
        for (Val v : leaves) d = DType.promote(d, dtype(v));
        if (leaves.isEmpty()) d = DType.FLOAT64;
        if (asked != null) d = asked;
        List<Var> parts = new ArrayList<>();
        for (Val v : leaves) {
            Var x = v instanceof T t ? l.b.stopGrad(t.var()) : l.b.scalar(v instanceof Val.Num n ? n.value() : ((Val.Bool) v).value() ? 1 : 0, dtype(v));
            if (x.dtype() != d) x = l.b.emit(Prim.CAST, d, x);
            parts.add(l.b.reshape(x, new int[] {1}));
        }
        if (parts.isEmpty()) return l.b.fill(shape, 0, d);
        Var flat = parts.size() == 1 ? parts.get(0) : l.b.emit(Prim.CAT, new Attrs.Axis(0), parts.toArray(Var[]::new));
        return l.b.reshape(flat, shape);
    }

    private static DType dtype(Val v) {
        if (v instanceof T t) return t.item() ? Exprs.dtypeOf(t.py()) : t.dtype();
        if (v instanceof Val.Num n) return Exprs.dtypeOf(n.py());
        return DType.BOOL;
    }

    /** The shape of the nested list, its numbers in order into {@code leaves}; null after E0206. */
    private int[] shape(Val v, Span span, List<Val> leaves, List<Span> spans) {
        if (v instanceof Val.Num || v instanceof Val.Bool || v instanceof T t && t.shape().length == 0 && !t.maybeNone()) {
            leaves.add(v);
            spans.add(span);
            return Shapes.SCALAR;
        }
        if (!(v instanceof Val.ListV list)) {
            if (!(v instanceof Val.Bad)) {
                l.diags.error("E0206", span, "`tensor` takes numbers, Python scalars and 0-dimensional tensors, or nested lists of them; found "
                        + v.describe(), v instanceof T ? "only one element tensors can be converted to Python scalars; to build a tensor from tensors use `torch.stack`" : null);
            }
            return null;
        }
        int[] inner = null;
        for (int k = 0; k < list.items().size(); k++) {
            int[] s = shape(list.items().get(k), list.spans().get(k), leaves, spans);
            if (s == null) return null;
            if (inner != null && !java.util.Arrays.equals(inner, s)) {
                l.diags.error("E0206", list.spans().get(k), "tensor literal is not rectangular: this element has shape "
                        + Shapes.show(s) + " but the first has shape " + Shapes.show(inner), "every row must have the same length");
                return null;
            }
            inner = s;
        }
        return Shapes.concat(new int[] {list.items().size()}, inner == null ? new int[0] : inner);
    }
}
