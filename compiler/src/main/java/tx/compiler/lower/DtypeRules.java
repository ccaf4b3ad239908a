package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

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
        rules.put("to", a -> {
            if (!a.shape(1, 2, "dtype")) return null;
            Val d = a.get(1, "dtype");
            if (!(d instanceof Val.DTypeV dt)) {
                l.diags.error("E0401", a.spanOf(1, "dtype"), "`to` takes a dtype (float64, int64 or bool)" + (d == null ? "" : ", found " + d.describe()),
                        "e.g. `x.to(int64)` or `x.to(torch.float64)`");
                return null;
            }
            T x = a.tensor(0);
            return x == null ? null : cast(x, dt.dtype());
        });
        logical("logical_and", Prim.BITWISE_AND);
        logical("logical_or", Prim.BITWISE_OR);
        logical("logical_xor", Prim.BITWISE_XOR);
        rules.put("logical_not", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : out(b.eq(x.var(), b.scalar(0)), null);
        });
        bitwise("bitwise_and", Prim.BITWISE_AND);
        bitwise("bitwise_or", Prim.BITWISE_OR);
        bitwise("bitwise_xor", Prim.BITWISE_XOR);
        rules.put("bitwise_not", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null || !whole(x, "bitwise_not", a.spanOf(0, null)) ? null : not(x);
        });
    }

    /** {@code x.long()}, ...: a method only (Python's {@code bool(x)} and {@code float(x)} are something else). */
    private Val convert(Args a, DType d) {
        if (!(a.call.callee() instanceof tx.compiler.syntax.Ast.Attr)) {
            l.diags.error("E0103", a.call.callee().span(), "`" + a.fn + "(x)` is Python's conversion to a scalar, which tx does not have",
                    "to convert a tensor's dtype write `x." + a.fn + "()`; for a Python number write `x.item()`");
            return null;
        }
        if (!a.shape(1, 1)) return null;
        T x = a.tensor(0);
        return x == null ? null : cast(x, d);
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
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null || !host.broadcasts(a, x, y)) return null;
            return out(b.emit(p, null, truth(x.var()), truth(y.var())), null);
        });
    }

    private Var truth(Var v) {
        return v.dtype() == DType.BOOL ? v : b.emit(Prim.CAST, DType.BOOL, v);
    }

    private void bitwise(String name, Prim p) {
        rules.put(name, a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null || !whole(x, name, a.spanOf(0, null)) || !whole(y, name, a.spanOf(1, null)) || !host.broadcasts(a, x, y)) return null;
            return out(b.emit(p, null, x.var(), y.var()), null);
        });
    }

    /** ~x: logical not of a bool tensor, -x - 1 of an int64 one (bitwise not in two's complement). */
    T not(T x) {
        if (x.dtype() == DType.BOOL) return out(b.eq(x.var(), b.scalar(0, DType.BOOL)), null);
        return out(b.sub(b.neg(x.var()), b.scalar(1, DType.INT64)), null);
    }

    /** Whether x is a bool or int64 tensor, as bitwise operations need (E0220 otherwise). */
    boolean whole(T x, String op, Span span) {
        if (!x.dtype().isFloat()) return true;
        l.diags.error("E0220", span, "`" + op + "` takes bool or int64 tensors, found a float64 one",
                "PyTorch refuses it too; compare first (`x > 0`) or convert (`x.long()`)");
        return false;
    }
}
