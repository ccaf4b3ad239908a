package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.tensor.Shapes;

/**
 * PyTorch's call form of the functional transforms, {@code torch.autograd.functional.jacobian(f,
 * inputs)} and its kin: tx's transforms make a function first ({@code jacobian(f)(x)}), and this is
 * that function applied at once, with PyTorch's results. {@code inputs} is a tensor or a tuple of
 * tensors, which are f's arguments; {@code v} a tensor, or a tuple of them for a tuple of inputs.
 * <ul>
 *   <li>{@code jacobian} (with {@code strategy="forward-mode"}, tx's {@code jacfwd}) and {@code
 *       hessian}: a tensor for a tensor input; for a tuple of inputs a tuple with one Jacobian per
 *       input, and for the Hessian a tuple of rows ({@code ((H_xx, H_xy), (H_yx, H_yy))});</li>
 *   <li>{@code vjp}, {@code jvp}, {@code hvp}, {@code vhp}: {@code (f's output, the product)}, the
 *       product a tensor for a tensor input and a tuple for a tuple of inputs. {@code v} may be left
 *       out where it has one element (the output's for vjp, the input's for jvp), as PyTorch allows.
 *       {@code vhp} is {@code hvp}: the Hessian of a twice-differentiable function is symmetric.</li>
 * </ul>
 * Each is lowered as the transform it means, applied to names bound for the call's values; the
 * Hessian as PyTorch computes it by default, reverse over reverse ({@link #hessianByRows}).
 * {@code torch.func.vjp(f, x)}, which returns a function, is refused.
 */
final class FunctionalCalls {
    /** The transforms that have a call form. */
    static final Set<String> KINDS = Set.of("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp");

    private final Lowerer l;
    private final HiddenNames hidden;

    FunctionalCalls(Lowerer l) {
        this.l = l;
        this.hidden = new HiddenNames(l, "functional");
    }

    /** Whether c is the call form: a function, then its inputs as a second positional argument. */
    static boolean applies(String kind, Ast.Call c) {
        return KINDS.contains(kind) && c.args().size() >= 2 && c.args().get(0).name() == null && c.args().get(1).name() == null;
    }

    /** {@code vhp(f)} as a function value: tx has it only in the call form, and {@code hvp(f)} is the same function. */
    static Val onlyCalled(Lowerer l, Ast.Call c) {
        l.diags.error("E0104", c.span(), "`vhp` is taken in PyTorch's call form, `vhp(f, inputs, v)`",
                "as a function value, `hvp(f)` gives the same products (a Hessian is symmetric)");
        return new Val.Bad();
    }

    Val call(String kind, Ast.Call c) {
        try (hidden) {
            return lower(kind, c);
        }
    }

    private Val lower(String kind, Ast.Call c) {
        Span at = c.span();
        if (kind.equals("vjp") && "torch.func".equals(l.builtins.prefixOf(c))) { // functorch's returns (output, vjp_fn)
            return refuse(at, "`torch.func.vjp(f, x)` returns the output and a function, which tx does not make yet; "
                    + "`torch.autograd.functional.vjp(f, x, v)` gives the output and the product, and tx's `vjp(f)(x, v)` the product");
        }
        boolean products = !kind.equals("jacobian") && !kind.equals("hessian");
        Options o = options(kind, c, products);
        if (o == null) return new Val.Bad();
        Val f = l.exprs.expr(c.args().get(0).value());
        if (f instanceof Val.Bad) return f;
        if (!(f instanceof Val.Fn)) return refuse(c.args().get(0).span(), "`" + kind + "` takes a function first, found " + f.describe());
        Val in = l.exprs.expr(c.args().get(1).value());
        if (in instanceof Val.Bad) return in;
        boolean tuple = items(in) != null;
        List<Val> inputs = tuple ? items(in) : List.of(in);
        for (Val x : inputs) {
            if (!(x instanceof T)) return refuse(c.args().get(1).span(), "`" + kind + "`'s inputs are a tensor or a tuple of tensors, found " + in.describe());
        }
        List<Ast.Expr> args = new ArrayList<>();
        for (Val x : inputs) args.add(bind(x, at));
        Ast.Expr fn = bind(f, at);
        String transform = kind.equals("vhp") ? "hvp" : kind.equals("jacobian") && o.forward() ? "jacfwd" : kind;
        if (kind.equals("hessian") && !o.outerForward()) return hessianByRows(fn, args, tuple, at);
        if (!products) return shaped(apply(transform, fn, args, List.of(), inputs.size(), at), kind, tuple);
        Val out = kind.equals("vjp") ? l.exprs.expr(new Ast.Call(fn, args(args), at)) : null;
        if (out instanceof Val.Bad) return out;
        List<Ast.Expr> v = directions(kind, o.v(), out, inputs, tuple, at);
        if (v == null) return new Val.Bad();
        if (kind.equals("vjp")) {
            Val grads = apply("vjp", fn, args, v, inputs.size(), at);
            if (grads instanceof Val.Bad) return grads;
            return new Val.Tuple(List.of(out, tuple && inputs.size() == 1 ? new Val.Tuple(List.of(grads)) : grads));
        }
        Val r = apply(transform, fn, args, v, inputs.size(), at);
        if (!(r instanceof Val.Tuple t)) return r;
        List<Val> items = t.items(); // (value, products...): one tangent of the output (jvp), or H v for each input (hvp)
        Val product = tuple && !kind.equals("jvp") ? new Val.Tuple(items.subList(1, items.size())) : items.get(1);
        return new Val.Tuple(List.of(items.get(0), product));
    }

    /** The call's keywords: v (null: left out), and whether the Jacobian and the Hessian's outer one are forward mode. */
    private record Options(Ast.Expr v, boolean forward, boolean outerForward) {}

    /** Reads the arguments after the inputs; null after reporting one tx does not take. */
    private Options options(String kind, Ast.Call c, boolean products) {
        Ast.Expr v = null;
        boolean forward = false, outerForward = false;
        for (int i = 2; i < c.args().size(); i++) {
            Ast.Arg a = c.args().get(i);
            String name = a.name() == null && i == 2 && products ? "v" : a.name();
            if (name == null) return refused(a.span(), "`" + kind + "` takes the function, its inputs" + (products ? " and `v`" : "") + ", then keywords");
            switch (name) {
                case "v" -> {
                    if (!products) return refused(a.span(), "`" + kind + "` takes no `v`");
                    v = a.value() instanceof Ast.NoneLit ? null : a.value();
                }
                case "create_graph", "strict", "vectorize" -> {
                    Val flag = l.exprs.expr(a.value());
                    if (!(flag instanceof Val.Bool b)) return refused(a.span(), "`" + name + "=` takes True or False");
                    if (b.value() && !name.equals("vectorize")) {
                        return refused(a.span(), "`" + name + "=True` in the call form is not supported yet; with create_graph, apply the transform as a "
                                + "function inside another (`grad(lambda x: jacobian(f)(x).sum())`), which differentiates its result again");
                    }
                }
                case "strategy", "outer_jacobian_strategy" -> {
                    Val s = l.exprs.expr(a.value());
                    if (!(s instanceof Val.Str str) || !str.value().equals("reverse-mode") && !str.value().equals("forward-mode")) {
                        return refused(a.span(), "`" + name + "=` is \"reverse-mode\" or \"forward-mode\"");
                    }
                    if (name.equals("strategy")) forward = str.value().equals("forward-mode");
                    else outerForward = str.value().equals("forward-mode");
                }
                default -> {
                    return refused(a.span(), "`torch.autograd.functional." + kind + "` has no keyword `" + name + "`");
                }
            }
        }
        return new Options(v, forward, outerForward);
    }

    private Options refused(Span at, String message) {
        refuse(at, message);
        return null;
    }

    /**
     * v as arguments: the given tensor (or the tuple's tensors), or ones where PyTorch lets it be
     * left out; {@code out} is f's output (vjp's v has its shape).
     */
    private List<Ast.Expr> directions(String kind, Ast.Expr vArg, Val out, List<Val> inputs, boolean tuple, Span at) {
        if (vArg != null) {
            Val v = l.exprs.expr(vArg);
            if (v instanceof Val.Bad) return null;
            List<Val> vs = items(v) != null ? items(v) : List.of(v);
            boolean wanted = kind.equals("vjp") ? items(v) == null : tuple == (items(v) != null) && vs.size() == inputs.size();
            if (!wanted) {
                refuse(vArg.span(), kind.equals("vjp") ? "`v` is a tensor of the output's shape" : "`v` has one tensor per input, as `inputs` is given");
                return null;
            }
            List<Ast.Expr> given = new ArrayList<>();
            for (Val x : vs) given.add(bind(x, vArg.span()));
            return given;
        }
        if (kind.equals("vjp")) {
            if (!(out instanceof T t) || Shapes.numel(t.shape()) != 1) {
                l.diags.error("E0104", at, "The vector v can only be None if the user-provided function returns a single Tensor with a single element.",
                        "pass `v`, a tensor of the output's shape (`torch.ones_like(...)` for the gradient of its sum)");
                return null;
            }
            return List.of(onesLike(out, at));
        }
        if (inputs.size() != 1 || Shapes.numel(((T) inputs.get(0)).shape()) != 1) {
            l.diags.error("E0104", at, "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.",
                    "pass `v`, one tensor of each input's shape");
            return null;
        }
        return List.of(onesLike(inputs.get(0), at));
    }

    /**
     * The Hessian as PyTorch's call form computes it by default, reverse over reverse: row block i is
     * the Jacobian of the gradient with respect to input i ({@code jacobian(grad(f, argnums=i),
     * argnums=(0, ..., n - 1))}), one vjp per element of that gradient. Its values are those of tx's
     * {@code hessian} (forward over reverse); its zeros have PyTorch's signs (a row's zeros take the
     * sign of what the one-hot vector multiplies, not a column's).
     */
    private Val hessianByRows(Ast.Expr fn, List<Ast.Expr> args, boolean tuple, Span at) {
        List<Val> rows = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Ast.Expr gradient = new Ast.Call(new Ast.Name("grad", at), List.of(new Ast.Arg(null, fn, at),
                    new Ast.Arg("argnums", new Ast.Num(i, Integer.toString(i), at), at)), at);
            Val row = apply("jacobian", gradient, args, List.of(), args.size(), at);
            if (row instanceof Val.Bad) return row;
            rows.add(args.size() == 1 ? new Val.Tuple(List.of(row)) : row);
        }
        return tuple ? new Val.Tuple(rows) : ((Val.Tuple) rows.get(0)).items().get(0);
    }

    /** {@code transform(fn, argnums=(0, ..., n - 1))(args..., extra...)}. */
    private Val apply(String transform, Ast.Expr fn, List<Ast.Expr> args, List<Ast.Expr> extra, int n, Span at) {
        List<Ast.Expr> positions = new ArrayList<>();
        for (int i = 0; i < n; i++) positions.add(new Ast.Num(i, Integer.toString(i), at));
        Ast.Expr made = new Ast.Call(new Ast.Name(transform, at), List.of(new Ast.Arg(null, fn, at),
                new Ast.Arg("argnums", new Ast.TupleLit(positions, at), at)), at);
        List<Ast.Expr> all = new ArrayList<>(args);
        all.addAll(extra);
        return l.exprs.expr(new Ast.Call(made, args(all), at));
    }

    /** A tuple of inputs gives a tuple however many it holds: one Jacobian, or one row of one Hessian block. */
    private static Val shaped(Val r, String kind, boolean tuple) {
        if (!tuple || r instanceof Val.Bad || r instanceof Val.Tuple) return r;
        return kind.equals("hessian") ? new Val.Tuple(List.of(new Val.Tuple(List.of(r)))) : new Val.Tuple(List.of(r));
    }

    /** The items of a tuple (a literal, or a function's results), or null for any other value. */
    private static List<Val> items(Val v) {
        if (v instanceof Val.Tuple t) return t.items();
        return v instanceof Val.ListV list && list.tuple() ? list.items() : null;
    }

    private static List<Ast.Arg> args(List<Ast.Expr> values) {
        List<Ast.Arg> out = new ArrayList<>();
        for (Ast.Expr e : values) out.add(new Ast.Arg(null, e, e.span()));
        return out;
    }

    /** A name, hidden from the program, bound to v for the call being built. */
    private Ast.Expr bind(Val v, Span at) {
        return hidden.bind(v, at);
    }

    /** {@code ones_like(like)}, like bound for the call. */
    private Ast.Expr onesLike(Val like, Span at) {
        return new Ast.Call(new Ast.Name("ones_like", at), List.of(new Ast.Arg(null, bind(like, at), at)), at);
    }

    private Val refuse(Span at, String message) {
        l.diags.error("E0104", at, message, null);
        return new Val.Bad();
    }
}
