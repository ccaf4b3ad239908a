package tx.compiler.lower;

import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

/**
 * Python's {@code math} module on Python numbers ({@code math.sqrt(d)}, {@code math.exp(-t)}):
 * a number known now gives a number, a run-time Python scalar (an item, a counter) a Python scalar
 * computed by the primitive of the same name. The result is a Python float, but {@code floor} and
 * {@code ceil} give ints, as in Python. A tensor of more than one element is refused (Python's
 * math functions take numbers; PyTorch code writes {@code torch.sqrt(x)} for tensors).
 */
final class MathFunctions {
    private final Lowerer l;

    MathFunctions(Lowerer l) {
        this.l = l;
    }

    /** A function of the math module: the primitive of that name, whose scalar function gives a number known now. */
    private record Fn(Prim prim, boolean whole) {}

    private static final Map<String, Fn> FUNCTIONS = Map.ofEntries(
            Map.entry("sqrt", new Fn(Prim.SQRT, false)),
            Map.entry("exp", new Fn(Prim.EXP, false)),
            Map.entry("log", new Fn(Prim.LOG, false)),
            Map.entry("log1p", new Fn(Prim.LOG1P, false)),
            Map.entry("expm1", new Fn(Prim.EXPM1, false)),
            Map.entry("sin", new Fn(Prim.SIN, false)),
            Map.entry("cos", new Fn(Prim.COS, false)),
            Map.entry("tan", new Fn(Prim.TAN, false)),
            Map.entry("tanh", new Fn(Prim.TANH, false)),
            Map.entry("asin", new Fn(Prim.ASIN, false)),
            Map.entry("acos", new Fn(Prim.ACOS, false)),
            Map.entry("atan", new Fn(Prim.ATAN, false)),
            Map.entry("fabs", new Fn(Prim.ABS, false)),
            Map.entry("floor", new Fn(Prim.FLOOR, true)),
            Map.entry("ceil", new Fn(Prim.CEIL, true)));

    /** The modules whose functions these are: NumPy's of a Python number are the same ({@code np.sqrt(2. / fan_in)}). */
    private static final java.util.Set<String> MODULES = java.util.Set.of("math", "np", "numpy");

    /** Whether {@code math.NAME(...)} (or {@code np.NAME}) is a call of the math module here: the module is not a name of the program. */
    boolean applies(Ast.Attr callee) {
        return callee.target() instanceof Ast.Name m && MODULES.contains(m.name()) && !l.state.names.containsKey(m.name())
                && (FUNCTIONS.containsKey(callee.name()) || callee.name().equals("prod"));
    }

    Val call(String name, Ast.Call c) {
        if (name.equals("prod")) return prod(c);
        Fn fn = FUNCTIONS.get(name);
        if (c.args().size() != 1 || c.args().get(0).name() != null) {
            l.diags.error("E0104", c.span(), "`math." + name + "` takes one number", null);
            return new Val.Bad();
        }
        Ast.Arg arg = c.args().get(0);
        Val v = l.exprs.expr(arg.value());
        Val.PyType py = fn.whole() ? Val.PyType.INT : Val.PyType.FLOAT;
        if (v instanceof Val.Num n) {
            double r = fn.prim().unaryFunction().applyAsDouble(n.value());
            if (Double.isNaN(r) && !Double.isNaN(n.value()) || Double.isInfinite(r) && !Double.isInfinite(n.value())) {
                l.diags.error("E0401", arg.span(), "`math." + name + "(" + tx.runtime.tensor.PyFloat.repr(n.value()) + ")` is outside the function's domain"
                        + " (Python raises " + (Double.isNaN(r) || r < 0 || name.equals("log") ? "ValueError: math domain error" : "OverflowError") + ")",
                        "for tensors, `torch." + name + "` gives nan or inf there instead");
                return new Val.Bad();
            }
            return new Val.Num(r, py);
        }
        if (v instanceof T t && t.shape().length == 0) {
            Var out = l.b.emit(fn.prim(), null, t.var());
            if (fn.whole()) out = l.b.emit(Prim.CAST, DType.INT64, out);
            return T.scalar(out, py);
        }
        if (!(v instanceof Val.Bad)) {
            l.diags.error("E0220", arg.span(), "`math." + name + "` takes a number, found " + v.describe(),
                    "for a tensor write `torch." + name + "(x)`");
        }
        return new Val.Bad();
    }

    /** {@code math.prod(shape[1:])}: the product of numbers known now (a list, a tuple, a range, a shape), an int when every one is (Python's), 1 for none. */
    private Val prod(Ast.Call c) {
        if (c.args().size() != 1 || c.args().get(0).name() != null) {
            l.diags.error("E0104", c.span(), "`prod` of the math module takes one list or tuple of numbers", null);
            return new Val.Bad();
        }
        Ast.Arg arg = c.args().get(0);
        Val v = Ranges.listed(Sequences.named(l.exprs.expr(arg.value()), arg.value().span()), arg.value().span());
        if (v instanceof Val.Bad) return v;
        if (v instanceof Val.Shape s) {
            long p = 1;
            for (int d : s.dims()) p *= d;
            return new Val.Num(p, Val.PyType.INT);
        }
        java.util.List<Val> items = Sequences.items(v);
        double p = 1;
        boolean whole = true;
        for (Val x : items == null ? java.util.List.of(v) : items) {
            if (!(x instanceof Val.Num n)) {
                if (!(x instanceof Val.Bad)) {
                    l.diags.error("E0220", arg.span(), "`prod` of the math module takes a list or tuple of numbers known when compiling, found "
                            + (items == null ? "" : "an item that is ") + x.describe(), "for a tensor write `torch.prod(x)`");
                }
                return new Val.Bad();
            }
            p *= n.value();
            whole &= n.py() != Val.PyType.FLOAT;
        }
        return new Val.Num(p, whole ? Val.PyType.INT : Val.PyType.FLOAT);
    }
}
