package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Conversions between dtypes and the logic of LANGUAGE.md §3 and §5: {@code x.long()},
 * {@code x.bool()}, {@code x.double()} (also {@code x.float()}: tx's only float is float64),
 * {@code x.to(dtype)}; {@code logical_and/or/xor/not} (bool results, any dtypes in), and
 * {@code bitwise_and/or/xor/not} (bool or int64 operands, as PyTorch). A conversion to a tensor's
 * own dtype is the tensor itself, as in PyTorch.
 */
final class DtypeRules extends RuleFamily {
    DtypeRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("long", a -> convert(a, DType.INT64));
        rules.put("bool", a -> convert(a, DType.BOOL));
        rules.put("double", a -> convert(a, DType.FLOAT64));
        rules.put("float", a -> convert(a, DType.FLOAT64));
        rules.put("int", this::pythonInt);
        rules.put("to", this::to);
        rules.put("type", this::to); // x.type(torch.int64), as d2l's astype writes it

        logical("logical_and", Prim.BITWISE_AND);
        logical("logical_or", Prim.BITWISE_OR);
        logical("logical_xor", Prim.BITWISE_XOR);
        rules.put("logical_not", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : out(b.eq(x.var(), b.scalar(0)), null);
        });
        for (String name : new String[] {"sum", "mean", "prod", "cumsum", "cumprod", "softmax", "log_softmax"}) withDtype(name);
        bitwise("bitwise_and", Prim.BITWISE_AND);
        bitwise("bitwise_or", Prim.BITWISE_OR);
        bitwise("bitwise_xor", Prim.BITWISE_XOR);
        rules.put("bitwise_not", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            Bitwise ops = new Bitwise(l);
            return x == null || !ops.whole(x, x, "`bitwise_not`", a.spanOf(0, null)) ? null : ops.not(x);
        });
    }

    /**
     * PyTorch's {@code dtype=} on a reduction, a scan or a softmax ({@code torch.sum(x, dtype=torch.float64)}):
     * x is converted first, then the built-in runs on it as on any tensor of that dtype, so its
     * value, its dtype rules and its grad_fn are the ones it has for that dtype (a conversion of
     * a float to int64 passes no gradient, as in PyTorch).
     */
    private void withDtype(String name) {
        Builtins.Rule inner = rules.get(name);
        if (inner == null) return;
        rules.put(name, a -> {
            if (!a.kw.containsKey("dtype") || a.pos.isEmpty() || !(a.pos.get(0) instanceof T x)) return inner.apply(a);
            DType d = a.dtype("dtype", x.dtype());
            if (a.failed) return null;
            a.kw.remove("dtype");
            a.kwSpans.remove("dtype");
            a.pos.set(0, cast(x, d));
            return inner.apply(a);
        });
    }

    /** {@code x.to(dtype)}, also spelled {@code x.type(dtype)}. */
    private Val to(Args a) {
        if (!a.shape(1, 2, "dtype")) return null;
        Val d = a.get(1, "dtype");
        if (!(d instanceof Val.DTypeV dt)) {
            l.diags.error("E0401", a.spanOf(1, "dtype"), "`" + a.fn + "` takes a dtype (float64, int64 or bool)" + (d == null ? "" : ", found " + d.describe()),
                    "e.g. `x." + a.fn + "(int64)` or `x." + a.fn + "(torch.float64)`");
            return null;
        }
        T x = a.tensor(0);
        return x == null ? null : cast(x, dt.dtype());
    }

    /** {@code x.long()}, ...: a method only (Python's {@code bool(x)} and {@code float(x)} are something else). */
    private Val convert(Args a, DType d) {
        if (!(a.call.callee() instanceof tx.compiler.syntax.Ast.Attr) && a.fn.equals("float") && a.pos.size() == 1 && a.kw.isEmpty() && !(a.pos.get(0) instanceof T)) {
            return pythonFloat(a.pos.get(0), a.spanOf(0, null));
        }
        if (!(a.call.callee() instanceof tx.compiler.syntax.Ast.Attr) && a.fn.equals("float") && a.pos.size() == 1 && a.kw.isEmpty()) {
            return floatOfTensor((T) a.pos.get(0), a);
        }
        if (!(a.call.callee() instanceof tx.compiler.syntax.Ast.Attr)) {
            l.diags.error("E0103", a.call.callee().span(), "`" + a.fn + "(x)` is Python's conversion to a scalar, which tx does not have",
                    "to convert a tensor's dtype write `x." + a.fn + "()`; for a Python number write `x.item()`");
            return null;
        }
        if (!a.shape(1, 1)) return null;
        T x = a.tensor(0);
        return x == null ? null : cast(x, d);
    }

    /**
     * Python's {@code float(t)} of a one-element tensor (d2l's {@code float(l.sum())}): its value as
     * a Python float, {@code t.item()} of {@code t.double()}, outside the graph.
     */
    private Val floatOfTensor(T x, Args a) {
        if (Shapes.numel(x.shape()) != 1) {
            l.diags.error("E0201", a.span(), "only one-element tensors can be converted to a Python float: this one has shape " + Shapes.show(x.shape()), null);
            return null;
        }
        return T.scalar(b.stopGrad(b.reshape(cast(x, DType.FLOAT64).var(), Shapes.SCALAR)), Val.PyType.FLOAT);
    }

    /** x as dtype d: x itself when it has it already (PyTorch returns self), else a new tensor. */
    T cast(T x, DType d) {
        if (x.dtype() == d) return x;
        return out(b.emit(Prim.CAST, d, x.var()), null);
    }

    /** logical_and(a, b) and the others: the operands as bools (non-zero is true), then bitwise. */
    private void logical(String name, Prim p) {
        rules.put(name, a -> {
            if (!a.shape(2, 2)) return null;
            T x0 = a.tensor(0), y0 = a.tensor(1);
            T[] xy = x0 == null || y0 == null ? null : host.agreed(a, x0, y0);
            if (xy == null) return null;
            return out(b.emit(p, null, truth(xy[0].var()), truth(xy[1].var())), null);
        });
    }

    private Var truth(Var v) {
        return v.dtype() == DType.BOOL ? v : b.emit(Prim.CAST, DType.BOOL, v);
    }

    /** bitwise_and(a, b) and the others: what {@code a & b} is ({@link Bitwise#apply}). */
    private void bitwise(String name, Prim p) {
        rules.put(name, a -> {
            if (!a.shape(2, 2)) return null;
            T x0 = a.tensor(0), y0 = a.tensor(1);
            T[] xy = x0 == null || y0 == null ? null : host.agreed(a, x0, y0);
            if (xy == null) return null;
            return new Bitwise(l).apply(p, "`" + name + "`", xy[0], a.get(0, null), a.spanOf(0, null), xy[1], a.get(1, null), a.spanOf(1, null));
        });
    }

    /**
     * Python's {@code float(v)} of a string or a number known at compile time (LANGUAGE.md §2):
     * {@code float("inf")}, {@code float("-inf")}, {@code float("nan")}, {@code float(3)} is 3.0.
     */
    /**
     * Python's {@code int(v)}: a number or a bool truncated toward zero (compile time), or a
     * one-element tensor's value so truncated, as a Python int known at run time (d2l's and PyG's
     * {@code int(mask.sum())}), outside the graph.
     */
    private Val pythonInt(Args a) {
        if (!a.shape(1, 1)) return null;
        Val v = a.pos.get(0);
        if (v instanceof Val.Bad) return null;
        if (v instanceof Val.Bool x) return new Val.Num(x.value() ? 1 : 0, Val.PyType.INT);
        if (v instanceof Val.Num n) {
            if (Double.isNaN(n.value()) || Double.isInfinite(n.value())) {
                l.diags.error("E0401", a.spanOf(0, null), "cannot convert float " + (Double.isNaN(n.value()) ? "NaN" : "infinity") + " to integer (Python's ValueError)", null);
                return null;
            }
            return new Val.Num(n.value() < 0 ? Math.ceil(n.value()) : Math.floor(n.value()), Val.PyType.INT);
        }
        T x = a.tensor(0);
        if (x == null) return null;
        if (Shapes.symbolic(x.shape()) || Shapes.numel(x.shape()) != 1) {
            l.diags.error("E0201", a.span(), "only one element tensors can be converted to Python scalars: this one has shape " + Shapes.show(x.shape()), null);
            return null;
        }
        return T.scalar(b.stopGrad(b.reshape(cast(x, DType.INT64).var(), Shapes.SCALAR)), Val.PyType.INT);
    }

    private Val pythonFloat(Val v, Span span) {
        if (v instanceof Val.Bad) return null;
        if (v instanceof Val.Num n) return new Val.Num(n.value());
        if (v instanceof Val.Bool x) return new Val.Num(x.value() ? 1 : 0);
        Double parsed = v instanceof Val.Str s ? parseFloat(s.value()) : null;
        if (parsed != null) return new Val.Num(parsed);
        l.diags.error("E0401", span, v instanceof Val.Str s ? "could not convert string to float: '" + tx.runtime.io.ControlChars.escape(s.value()) + "'"
                : "`float` takes a number or a string here, found " + v.describe(), "e.g. `float(\"inf\")`, `float(\"nan\")` or `float(\"1e-3\")`");
        return null;
    }

    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile(
            "[+-]?(?:\\d(?:_?\\d)*(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?");

    /** The float Python's {@code float(text)} gives, or null where Python raises ValueError. */
    static Double parseFloat(String text) {
        String t = text.strip(), unsigned = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (unsigned.equalsIgnoreCase("nan")) return Double.NaN;
        if (!DECIMAL.matcher(t).matches()) return null;
        return Double.parseDouble(t.replace("_", ""));
    }
}
