package tx.compiler.lower;

import java.util.Arrays;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * The predicates of LANGUAGE.md §5 ("logic", not differentiable): {@code isnan isinf isfinite
 * isposinf isneginf}, {@code any all} (of the whole tensor, or along {@code dim=} with
 * {@code keepdim=}; of a list, Python's), {@code isclose}, and {@code allclose} and {@code equal}, which give Python
 * bools. Each is written from comparisons, so its result is a bool tensor that never requires
 * grad, whatever its operands require, and its value at nan, ±inf and ±0 is PyTorch 1.13's.
 */
final class PredicateRules extends RuleFamily {
    PredicateRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        test("isnan", x -> b.ne(x, x), false); // nan is the one value not equal to itself
        test("isinf", x -> b.eq(abs(x), b.scalar(Double.POSITIVE_INFINITY)), false);
        test("isfinite", x -> b.lt(abs(x), b.scalar(Double.POSITIVE_INFINITY)), true); // false for nan too
        test("isposinf", x -> b.eq(x, b.scalar(Double.POSITIVE_INFINITY)), false);
        test("isneginf", x -> b.eq(x, b.scalar(Double.NEGATIVE_INFINITY)), false);
        rules.put("any", a -> reduce(a, true));
        rules.put("all", a -> reduce(a, false));
        rules.put("isclose", a -> {
            Var close = isclose(a);
            return close == null ? null : out(close, null);
        });
        rules.put("allclose", a -> {
            Var close = isclose(a);
            return close == null ? null : T.scalar(all(close, Composites.allAxes(close.rank()), false), Val.PyType.BOOL);
        });
        rules.put("equal", this::equal);
    }

    /** A test of each element of a float64 tensor; of an int64 or bool one (never nan nor infinite) the constant {@code whole}. */
    private void test(String name, java.util.function.UnaryOperator<Var> ofFloats, boolean whole) {
        rules.put(name, a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            return out(x.dtype().isFloat() ? ofFloats.apply(x.var()) : b.fill(x.shape(), whole ? 1 : 0, DType.BOOL), null);
        });
    }

    private Var abs(Var x) {
        return b.emit(Prim.ABS, null, x);
    }

    /**
     * {@code any(x, dim=None, keepdim=False)}, {@code all(...)}: whether some (every) element is
     * non-zero, as a bool tensor (a nan is non-zero, so {@code all} of one is True). Of an empty
     * tensor, any is False and all is True. NOTE: PyTorch 1.13 takes one dim, not a list.
     */
    private Val reduce(Args a, boolean any) {
        if (a.pos.size() == 1 && a.kw.isEmpty() && Sequences.items(a.pos.get(0)) != null) return python(a, Sequences.items(a.pos.get(0)), any);
        if (!a.shape(1, 3, "dim", "keepdim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Val dimV = a.get(1, "dim");
        Integer dim = dimV == null || dimV instanceof Val.None ? null : a.dim(1, "dim", x.shape().length);
        boolean keepdim = a.bool(2, "keepdim", false);
        if (a.failed) return null;
        int rank = x.shape().length;
        int[] axes = rank == 0 ? new int[0] : dim == null ? Composites.allAxes(rank) : new int[] {dim};
        Var truth = x.dtype() == DType.BOOL ? x.var() : b.ne(x.var(), b.scalar(0, x.dtype()));
        boolean keep = keepdim && dim != null;
        if (axes.length == 0) return out(truth, null);
        return out(any ? b.gt(b.sum(truth, axes, keep), b.scalar(0, DType.INT64)) : all(truth, axes, keep), null);
    }

    /**
     * Python's {@code any(items)} and {@code all(items)} of a list or a tuple: a Python bool, from
     * the truth of each item (a number, or a tensor of one element, as Python's {@code bool(t)}).
     * Items known at compile time decide at once where they can.
     */
    private Val python(Args a, java.util.List<Val> items, boolean any) {
        Var acc = null;
        for (Val v : items) {
            Boolean known = Logic.truth(v);
            if (known != null && known == any) return new Val.Bool(any);
            if (known != null) continue;
            T t = l.exprs.tensor(v, a.spanOf(0, null), "`" + a.fn + "`");
            if (t == null) return null;
            if (Shapes.numel(t.shape()) != 1) {
                l.diags.error("E0401", a.spanOf(0, null), "Python's `" + a.fn + "` of a list needs the truth of each item, and a tensor of shape "
                        + Shapes.show(t.shape()) + " has none", "for PyTorch's `" + a.fn + "` of a tensor, pass the tensor itself, or `stack` the items");
                return null;
            }
            Var truth = b.ne(b.reshape(t.var(), Shapes.SCALAR), b.scalar(0, t.dtype()));
            acc = acc == null ? truth : any ? or(acc, truth) : and(acc, truth);
        }
        return acc == null ? new Val.Bool(!any) : T.scalar(acc, Val.PyType.BOOL);
    }

    /** Whether every element of the bool tensor m along axes is true: no false one is counted. */
    private Var all(Var m, int[] axes, boolean keepdim) {
        if (axes.length == 0) return m;
        return b.eq(b.sum(not(m), axes, keepdim), b.scalar(0, DType.INT64));
    }

    private Var not(Var m) {
        return b.eq(m, b.scalar(0, DType.BOOL));
    }

    /**
     * {@code isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)} as PyTorch computes it:
     * {@code a == b}, or (equal_nan) both nan, or |a - b| finite and at most atol + |rtol · b|, in
     * PyTorch's order of operations. a and b broadcast and have one dtype (E0220 otherwise, as
     * PyTorch's "Double did not match Long"). Null after reporting.
     */
    private Var isclose(Args a) {
        if (!a.shape(2, 5, "other", "rtol", "atol", "equal_nan")) return null;
        T x0 = tensorOnly(a, 0, "input"), y0 = tensorOnly(a, 1, "other");
        double rtol = a.number(2, "rtol", 1e-5), atol = a.number(3, "atol", 1e-8);
        boolean equalNan = a.bool(4, "equal_nan", false);
        if (x0 == null || y0 == null || a.failed || !tolerance(a, 2, "rtol", rtol) || !tolerance(a, 3, "atol", atol)) return null;
        T[] xy = host.agreed(a, x0, y0);
        if (xy == null) return null;
        T x = xy[0], y = xy[1];
        if (x.dtype() != y.dtype()) {
            l.diags.error("E0220", a.span(), "`" + a.fn + "` compares tensors of one dtype, found " + x.dtype().text() + " and " + y.dtype().text(),
                    "PyTorch refuses it too (\"" + x.dtype().scalarTypeName() + " did not match " + y.dtype().scalarTypeName() + "\"); convert one first, e.g. `a.double()`");
            return null;
        }
        Var close = b.eq(x.var(), y.var());
        if (equalNan && x.dtype().isFloat()) close = or(close, and(b.ne(x.var(), x.var()), b.ne(y.var(), y.var())));
        if (rtol == 0 && atol == 0) return close; // PyTorch's shortcut: closeness is equality
        Var cx = asNumber(x.var()), cy = asNumber(y.var());
        Var allowed = b.add(b.scalar(atol), abs(b.mul(b.scalar(rtol), cy)));
        Var actual = abs(b.sub(cx, cy));
        Var within = b.le(actual, allowed);
        if (actual.dtype().isFloat()) within = and(b.lt(abs(actual), b.scalar(Double.POSITIVE_INFINITY)), within); // isfinite(actual)
        return or(close, within);
    }

    /** A bool tensor as float64 (PyTorch casts bools to its default dtype before subtracting them). */
    private Var asNumber(Var v) {
        return v.dtype() == DType.BOOL ? b.emit(Prim.CAST, DType.FLOAT64, v) : v;
    }

    private Var or(Var p, Var q) {
        return b.emit(Prim.BITWISE_OR, null, p, q);
    }

    private Var and(Var p, Var q) {
        return b.emit(Prim.BITWISE_AND, null, p, q);
    }

    /** rtol and atol may not be negative (PyTorch raises "rtol must be greater than or equal to zero"). */
    private boolean tolerance(Args a, int i, String name, double v) {
        if (v >= 0) return true;
        l.diags.error("E0401", a.spanOf(i, name), "`" + name + "` must be greater than or equal to zero, found " + tx.runtime.tensor.PyFloat.repr(v),
                "PyTorch refuses it too");
        return false;
    }

    /**
     * {@code equal(a, b)}: a Python bool, True when a and b have one shape and equal elements (any
     * dtypes, as PyTorch 1.13; a nan is equal to nothing). Shapes that differ give False at once.
     */
    private Val equal(Args a) {
        if (!a.shape(2, 2, "other")) return null;
        T x = tensorOnly(a, 0, "input"), y = tensorOnly(a, 1, "other");
        if (x == null || y == null) return null;
        if (!Arrays.equals(x.shape(), y.shape())) return new Val.Bool(false);
        return T.scalar(all(b.eq(x.var(), y.var()), Composites.allAxes(x.shape().length), false), Val.PyType.BOOL);
    }

    /** Argument i as a tensor; a Python number is E0401, as PyTorch's "must be Tensor, not float". */
    private T tensorOnly(Args a, int i, String name) {
        Val v = a.get(i, name);
        if (v instanceof Val.Num || v instanceof Val.Bool) {
            l.diags.error("E0401", a.spanOf(i, name), "`" + a.fn + "` takes tensors, found " + v.describe(),
                    "PyTorch refuses a number here too; write a tensor, e.g. `tensor(1.0)`");
            a.failed = true;
            return null;
        }
        return a.tensor(i, name);
    }

}
