package tx.compiler.lower;

import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * The kinds of a function's parameters (LANGUAGE.md §7, v2): a tensor of a declared shape
 * ({@code x: [n, 3]}), a Python scalar ({@code lr: float}, {@code steps: int}, {@code flag: bool}),
 * a list or tuple ({@code params: list}), a string ({@code split: str}), a dict, a set ({@code seen: set}) or a function
 * ({@code act: Callable}); and their defaults.
 */
final class Parameters {
    private Parameters() {}

    static final Set<String> SCALARS = Set.of("float", "int", "bool");
    static final Set<String> SEQUENCES = Set.of("list", "tuple");
    static final Set<String> FUNCTIONS = Set.of("Callable", "function");
    static final String STRING = "str";
    /** A dict, {@code hyperparams: dict}. */
    static final String DICT = "dict";
    /** A set, {@code seen: set}. */
    static final String SET = "set";
    /** A tensor of any shape, {@code x: Tensor}: the function is checked for each call's shapes, as it is inlined. */
    static final String TENSOR = "Tensor";
    /** The parameter of a built-in taken as a function ({@code grad(tanh)}): a tensor of any shape; a program cannot write this type. */
    static final String ANY_TENSOR = "$tensor";
    /** A parameter of a {@code lambda}: untyped, as Python's; it takes whatever it is given, checked where the body uses it. */
    static final String ANY = "$any";
    /** {@code *args}: the positional arguments beyond the parameters before it, as a tuple (see {@link Closures#packStar}). */
    static final String STAR = Ast.Param.STAR;
    /** {@code **kwargs}: the keyword arguments that name no other parameter, as a dict (see {@link Keywords}). */
    static final String KWARGS = Ast.Param.KWARGS;

    /** E0106 for a parameter kind tx does not know, at the parameter. */
    static void checkKinds(Lowerer l, Ast.FnDef f) {
        if (!Keywords.ordered(l, f)) return;
        for (Ast.Param p : f.params()) {
            String k = p.kind();
            if (k == null || STAR.equals(k) || KWARGS.equals(k) || SCALARS.contains(k) || SEQUENCES.contains(k) || FUNCTIONS.contains(k) || k.equals(STRING) || k.equals(TENSOR) || k.equals(DICT) || k.equals(SET)) continue;
            l.diags.error("E0106", p.span(), "parameter `" + p.name() + "` has the unknown type `" + k + "`",
                    "a parameter is a tensor of a shape (`x: [n, 3]`), `float`, `int`, `bool`, `list`, `tuple`, `str`, `dict`, `set`, `Tensor` (any shape) or `Callable`");
        }
    }

    /** Whether every parameter of f is a tensor, so that its calls can be calls of a function of the IR. */
    static boolean allTensors(Ast.FnDef f) {
        for (Ast.Param p : f.params()) if (p.kind() != null) return false;
        return true;
    }

    /**
     * An argument as parameter p takes it: a tensor (numbers become constants), a Python scalar (a
     * number, a bool, a scalar known at run time, or a 0-dimensional tensor, which Python would pass
     * on too), a list or tuple, or a function; null after reporting E0209 (or the tensor's error).
     */
    static Val accept(Lowerer l, String fn, Ast.Param p, Val v, Span span) {
        String k = p.kind();
        if (ANY.equals(k) || STAR.equals(k) || KWARGS.equals(k)) return v;
        if (k == null || k.equals(ANY_TENSOR) || k.equals(TENSOR)) return l.exprs.tensor(v, span, "an argument of `" + fn + "`");
        if (!SCALARS.contains(k) && !SEQUENCES.contains(k) && !FUNCTIONS.contains(k) && !k.equals(STRING) && !k.equals(DICT) && !k.equals(SET)) return v; // E0106 was reported at the parameter
        if (v instanceof Val.None) return v; // Python takes None for any parameter (`f_grad: Callable = None`); a use of it is checked there
        if (v instanceof Val.Bool bv) v = new Val.Num(bv.value() ? 1 : 0, Val.PyType.BOOL);
        v = Sequences.named(v, span);
        boolean fits = SCALARS.contains(k) ? v instanceof Val.Num || v instanceof T t && !t.maybeNone() && t.shape().length == 0
                : SEQUENCES.contains(k) ? v instanceof Val.ListV
                : k.equals(STRING) ? v instanceof Val.Str
                : k.equals(DICT) ? v instanceof Val.DictV
                : k.equals(SET) ? v instanceof Val.SetV
                : v instanceof Val.Fn;
        if (fits) return v;
        if (!(v instanceof Val.Bad)) {
            l.diags.error("E0209", span, "argument `" + p.name() + "` of `" + fn + "` is declared `" + k + "`, but it is given " + v.describe(), null);
        }
        return null;
    }

    /** The value of a parameter's default, evaluated at the call (tx's defaults are constants, so when does not matter). */
    static Val dflt(Lowerer l, Ast.Param p) {
        Val made = l.functions.closures.held(p.dflt()); // a lambda's, evaluated when it was made
        return made != null ? made : l.exprs.expr(p.dflt());
    }

    /** The arguments as tensors, for the transforms and custom rules (which differentiate tensors only); null after an error. */
    static List<T> tensors(Lowerer l, String fn, List<Val> args, Span at) {
        List<T> out = new java.util.ArrayList<>();
        for (Val v : args) {
            T t = l.exprs.tensor(v, at, "an argument of `" + fn + "`");
            if (t == null) return null;
            out.add(t);
        }
        return out;
    }

    /** {@code argnums=1} or {@code argnums=(0, 1)}: the parameters by position, from 0, as JAX and functorch number them; false after reporting. */
    static boolean argnums(Lowerer l, Ast.Arg a, List<String> params, List<Integer> wrt) {
        List<Ast.Expr> items = a.value() instanceof Ast.TupleLit t ? t.items() : a.value() instanceof Ast.ListLit list ? list.items() : List.of(a.value());
        for (Ast.Expr e : items) {
            boolean whole = e instanceof Ast.Num n && n.value() == Math.rint(n.value()) && !n.text().contains(".");
            int k = whole ? (int) ((Ast.Num) e).value() : -1;
            if (k < 0 || k >= params.size()) {
                l.diags.error("E0101", e.span(), "`argnums=` counts the parameters from 0, and there are " + params.size(),
                        "its parameters are " + String.join(", ", params) + "; `wrt=` names them instead");
                return false;
            }
            wrt.add(k);
        }
        return true;
    }
}
