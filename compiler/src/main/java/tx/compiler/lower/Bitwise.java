package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;

/**
 * The operators {@code & | ^ ~} (LANGUAGE.md §4) and the built-ins {@code bitwise_and/or/xor/not}
 * (§5), one definition for both: logical on bool tensors, bitwise (two's complement) on int64
 * ones, with PyTorch's promotion (bool & int64 is int64); on Python bools and ints as Python
 * computes them ({@code True & False} is {@code False}, {@code 6 & 3} is {@code 2}, {@code ~5} is
 * {@code -6}, {@code ~True} is {@code -2}). A float operand, tensor or Python float, is E0220, as
 * PyTorch and Python refuse it. The results are bool or int64, so they never require grad.
 */
final class Bitwise {
    /** The primitive of each binary operator. */
    static final Map<String, Prim> OPS = Map.of("&", Prim.BITWISE_AND, "|", Prim.BITWISE_OR, "^", Prim.BITWISE_XOR);

    private final Lowerer l;
    private final Builder b;

    Bitwise(Lowerer l) {
        this.l = l;
        this.b = l.b;
    }

    /** {@code left op right} for op one of {@code & | ^}, on Python scalars or tensors (broadcast). */
    Val binary(String op, Val left, Val right, Span ls, Span rs, Span span) {
        if (left instanceof Val.Num x && right instanceof Val.Num y) return fold(op, x, y, ls, rs);
        T a = operand(left, ls, "`" + op + "`"), c = operand(right, rs, "`" + op + "`");
        if (a == null || c == null) return new Val.Bad();
        if (Shapes.broadcast(a.shape(), c.shape()) == null) {
            l.diags.error("E0201", span, "shapes " + Shapes.show(a.shape()) + " and " + Shapes.show(c.shape()) + " do not broadcast for `" + op + "`",
                    "trailing dimensions must be equal or 1 (NumPy broadcasting)");
            return new Val.Bad();
        }
        T r = apply(OPS.get(op), "`" + op + "`", a, left, ls, c, right, rs);
        if (r == null) return new Val.Bad();
        if (!pyScalar(left) || !pyScalar(right)) return r;
        return T.scalar(r.var(), Val.PyType.of(op, pyType(left), pyType(right)));
    }

    /**
     * The one lowering of {@code & | ^} and {@code bitwise_and/or/xor}: the primitive p of x and y,
     * which must be bool or int64 (E0220 at the first that is not); its dtype is the promoted one.
     * xv and yv are the values as written, to name a Python float as such. Null after reporting.
     */
    T apply(Prim p, String what, T x, Val xv, Span xs, T y, Val yv, Span ys) {
        if (!whole(x, xv, what, xs) || !whole(y, yv, what, ys)) return null;
        return l.exprs.result(b.emit(p, null, x.var(), y.var()), null);
    }

    /** {@code ~v}: Python's on Python bools and ints (an int results), logical or bitwise not of a tensor. */
    Val invert(Val v, Span at) {
        if (v instanceof Val.Bad) return v;
        if (v instanceof Val.Bool x) v = new Val.Num(x.value() ? 1 : 0, Val.PyType.BOOL);
        if (v instanceof Val.Num n && n.py() != Val.PyType.FLOAT) return new Val.Num(~(long) n.value(), Val.PyType.INT);
        T t = operand(v, at, "`~`");
        if (t == null || !whole(t, v, "`~`", at)) return new Val.Bad();
        if (!pyScalar(v)) return not(t);
        if (t.dtype() == DType.BOOL) t = t.withVar(b.emit(Prim.CAST, DType.INT64, t.var())); // ~True is -2: a Python bool inverts as an int
        return T.scalar(not(t).var(), Val.PyType.INT);
    }

    /**
     * {@code ~x} of a bool or int64 tensor: logical not of a bool, {@code -x - 1} of an int64 (bitwise
     * not in two's complement, exact for the whole numbers a float64 holds).
     */
    T not(T x) {
        if (x.dtype() == DType.BOOL) return l.exprs.result(b.eq(x.var(), b.scalar(0, DType.BOOL)), null);
        return l.exprs.result(b.sub(b.neg(x.var()), b.scalar(1, DType.INT64)), null);
    }

    /** Whether x (the value v as written) is a bool or int64 tensor or a Python bool or int, as bitwise operations need (E0220 otherwise). */
    boolean whole(T x, Val v, String what, Span span) {
        if (!x.dtype().isFloat()) return true;
        if (!pyScalar(v)) {
            String op = what.substring(1, what.length() - 1);
            l.diags.error("E0220", span, what + " takes bool or int64 tensors, found a float64 one", !OPS.containsKey(op)
                    ? "PyTorch refuses it too; compare first (`x > 0`) or convert (`x.long()`)"
                    : "PyTorch refuses it too. `" + op + "` binds tighter than comparisons, as in Python: `x > 0 " + op + " x < 2` is\n`x > (0 "
                            + op + " x) < 2`; for a mask, write `(x > 0) " + op + " (x < 2)`");
        } else {
            l.diags.error("E0220", span, what + " takes bools and ints, found " + (v instanceof Val.Num n ? "the Python float `" + PyFloat.repr(n.value()) + "`" : "a Python float"),
                    "Python and PyTorch refuse it too (\"unsupported operand type(s)\"); use a whole number");
        }
        return false;
    }

    /**
     * v as a tensor for a bitwise operation: a Python int or bool known only at run time is made an
     * int64 or bool scalar whatever it is held as. Null after reporting.
     */
    private T operand(Val v, Span span, String what) {
        T t = l.exprs.tensor(v, span, what);
        if (t == null || !t.item() || t.py() == Val.PyType.FLOAT || !t.dtype().isFloat()) return t;
        return t.withVar(b.emit(Prim.CAST, t.py() == Val.PyType.BOOL ? DType.BOOL : DType.INT64, t.var()));
    }

    /** Python's {@code x op y} on bools and ints, known at compile time; a float is E0220 (Python's TypeError). */
    private Val fold(String op, Val.Num x, Val.Num y, Span xs, Span ys) {
        if (x.py() == Val.PyType.FLOAT || y.py() == Val.PyType.FLOAT) {
            Val.Num f = x.py() == Val.PyType.FLOAT ? x : y;
            l.diags.error("E0220", f == x ? xs : ys, "`" + op + "` takes bools and ints, found the Python float `" + PyFloat.repr(f.value()) + "`",
                    "Python refuses it too (\"unsupported operand type(s)\"); use a whole number");
            return new Val.Bad();
        }
        long a = (long) x.value(), c = (long) y.value();
        long r = switch (op) {
            case "&" -> a & c;
            case "|" -> a | c;
            default -> a ^ c;
        };
        return new Val.Num(r, Val.PyType.of(op, x.py(), y.py()));
    }

    /** A Python scalar: a number known at compile time, or one known at run time ({@code x.item()}, a loop counter). */
    private static boolean pyScalar(Val v) {
        return v instanceof Val.Num || v instanceof Val.Bool || (v instanceof T t && t.item());
    }

    private static Val.PyType pyType(Val v) {
        if (v instanceof Val.Num n) return n.py();
        if (v instanceof Val.Bool) return Val.PyType.BOOL;
        return ((T) v).py();
    }
}
