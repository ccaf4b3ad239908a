package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import tx.compiler.ad.Reverse;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The built-in functions of LANGUAGE.md §5: for each, its argument rules, its shape rule with a
 * message a user can act on, the IR it lowers to (a primitive or a composite), and the name
 * PyTorch gives its grad_fn. {@code x.f(args)} is {@code f(x, args)} for every one of them.
 */
final class Builtins {
    private interface Rule extends Function<Args, Val> {}

    private static final Set<String> LATER = Set.of("grad", "value_and_grad", "vjp", "load", "save");

    private final Lowerer l;
    private final Builder b;
    private final Map<String, Rule> rules = new HashMap<>();

    Builtins(Lowerer l) {
        this.l = l;
        this.b = l.b;
        construct();
        elementwise();
        reductions();
        linalg();
        shapes();
        neural();
        autograd();
        output();
    }

    boolean has(String name) {
        return rules.containsKey(name);
    }

    /** Evaluates a call's arguments (the receiver first, for method sugar) and applies the rule. */
    Val call(Ast.Call c) {
        String name;
        Args a;
        if (c.callee() instanceof Ast.Name n) {
            name = n.name();
            a = new Args(l, name, c);
        } else if (c.callee() instanceof Ast.Attr at) {
            name = at.name();
            if (modulePrefix(at) || attributeCalled(at)) return skipArgs(c);
            a = new Args(l, name, c);
            Val receiver = l.exprs.expr(at.target());
            if (receiver instanceof Val.Bad) {
                if (name.equals("backward")) failedBackward();
                return skipArgs(c);
            }
            a.pos.add(receiver);
            a.posSpans.add(at.target().span());
        } else {
            Val callee = l.exprs.expr(c.callee());
            if (!(callee instanceof Val.Bad)) {
                l.diags.error("E0103", c.callee().span(), callee.describe() + " cannot be called", null);
            }
            return skipArgs(c);
        }
        Rule rule = rules.get(name);
        if (rule == null && c.callee() instanceof Ast.Name
                && (l.rejectedFunctions.contains(name) || l.state.names.get(name) instanceof Val.Bad)) {
            return skipArgs(c); // a function already rejected, or a name whose value already failed
        }
        if (rule == null) return unknown(c, name);
        for (Ast.Arg arg : c.args()) {
            Val v = l.exprs.expr(arg.value());
            if (arg.name() == null) {
                a.pos.add(v);
                a.posSpans.add(arg.value().span());
            } else if (a.kw.containsKey(arg.name())) {
                l.diags.error("E0104", arg.span(), "keyword argument `" + arg.name() + "` is given twice", null);
                return new Val.Bad();
            } else {
                a.kw.put(arg.name(), v);
                a.kwSpans.put(arg.name(), arg.span());
            }
        }
        Val v = rule.apply(a);
        return v == null ? new Val.Bad() : v;
    }

    private static final Set<String> MODULES = Set.of("torch", "F", "nn", "np", "numpy", "math");
    private static final Set<String> ATTRIBUTES = Set.of("grad", "requires_grad", "shape", "T", "is_leaf");

    /** {@code torch.tensor(...)}: one error about the prefix, and none about the call. */
    private boolean modulePrefix(Ast.Attr at) {
        if (!(at.target() instanceof Ast.Name n) || !MODULES.contains(n.name()) || l.state.names.containsKey(n.name())) return false;
        String help = rules.containsKey(at.name()) ? "tx's built-ins need no module prefix: write `" + at.name() + "(...)`"
                : "tx's built-ins need no module prefix, and `" + at.name() + "` is not one of them (see LANGUAGE.md section 5)";
        l.diags.error("E0101", n.span(), "unknown name `" + n.name() + "`", help);
        return true;
    }

    /** {@code x.grad()}: an attribute called as if it were a method. */
    private boolean attributeCalled(Ast.Attr at) {
        if (!ATTRIBUTES.contains(at.name())) return false;
        String target = l.text(at.target().span());
        l.diags.error("E0103", at.nameSpan(), "`." + at.name() + "` is an attribute, not a method",
                "write `" + (target == null ? "x" : target) + "." + at.name() + "`, without parentheses");
        return true;
    }

    /** Checks a call's arguments for their own errors, once the call itself has failed. */
    private Val skipArgs(Ast.Call c) {
        for (Ast.Arg arg : c.args()) l.exprs.expr(arg.value());
        return new Val.Bad();
    }

    /** PyTorch spellings with a different name in tx, for the help of E0103. */
    private static final Map<String, String> PYTORCH_NAMES = Map.ofEntries(
            Map.entry("zero_", "reset a gradient with `zero_grad(x)`"),
            Map.entry("square", "write `x ** 2`"),
            Map.entry("pow", "write `x ** p`"),
            Map.entry("t", "write `x.T`"),
            Map.entry("size", "use `x.shape`"),
            Map.entry("numel", "multiply the sizes in `x.shape`"),
            Map.entry("add_", "update in place with `x += ...` (inside `with no_grad` for a leaf)"),
            Map.entry("sub_", "update in place with `x -= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("mul_", "update in place with `x *= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("div_", "update in place with `x /= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("clip", "use `clamp(x, min=, max=)`"),
            Map.entry("permute", "use `transpose(x, d0, d1)` or `x.T`"),
            Map.entry("mm", "use `a @ b`"),
            Map.entry("bmm", "use `a @ b`"),
            Map.entry("softmax_", "use `softmax(x, dim=)`"),
            Map.entry("numpy", "tx has one kind of value, the tensor; print it with `print(x)`"),
            Map.entry("tolist", "tx has one kind of value, the tensor; print it with `print(x)`"));

    private Val unknown(Ast.Call c, String name) {
        Span s = c.callee() instanceof Ast.Attr at ? at.nameSpan() : c.callee().span();
        if (LATER.contains(name)) {
            l.diags.error("E0901", s, "`" + name + "` is not supported by this version of tx yet",
                    "derivative transforms and .npy files come with functions, in the next version");
            return new Val.Bad(); // its arguments (function and parameter names) mean nothing without it
        } else if (PYTORCH_NAMES.containsKey(name)) {
            l.diags.error("E0103", s, "tx has no `" + name + "`", PYTORCH_NAMES.get(name));
        } else {
            String near = Exprs.closest(name, rules.keySet());
            l.diags.error("E0103", s, "unknown function `" + name + "`", near == null ? null : "did you mean `" + near + "`?");
        }
        for (Ast.Arg arg : c.args()) l.exprs.expr(arg.value());
        return new Val.Bad();
    }

    private T out(Var v, String gradFn) {
        return l.exprs.result(v, gradFn);
    }

    /**
     * A shape function's result: a new tensor even when nothing moves (PyTorch's reshape, view,
     * expand, transpose and squeeze return a view, never the tensor itself), so that a leaf's
     * reshape is not the leaf and does not share its .grad. The builder returns x for a no-op.
     */
    private T view(T x, Var v, String gradFn) {
        if (v.equals(x.var())) v = b.emit(Prim.RESHAPE, new Attrs.ShapeAttr(x.shape()), x.var());
        return out(v, gradFn);
    }

    // ---- construction ----------------------------------------------------------------------------------

    private void construct() {
        rules.put("tensor", a -> {
            if (!a.shape(1, 1, "requires_grad")) return null;
            Tensor t = literal(a.pos.get(0), a.posSpans.get(0));
            return t == null ? null : made(a, b.constant(t));
        });
        rules.put("zeros", a -> filled(a, 0.0));
        rules.put("ones", a -> filled(a, 1.0));
        rules.put("full", a -> {
            if (!a.shape(2, 2, "requires_grad")) return null;
            // the shape is one argument: a list, x.shape, or a single size
            int[] shape = a.pos.get(0) instanceof Val.Num ? a.sizes(a.pos.subList(0, 1), a.posSpans.subList(0, 1), false) : a.shapeFrom(0);
            double v = a.number(1, null, 0);
            return shape == null || a.failed || !a.fits(shape, a.span()) ? null : made(a, b.fill(shape, v));
        });
        rules.put("eye", a -> {
            if (!a.shape(1, 2, "requires_grad")) return null;
            Integer n = a.count(0, "a size"), m = a.has(1) ? a.count(1, "a size") : n;
            if (n == null || m == null || a.failed || !a.fits(new int[] {n, m}, a.span())) return null;
            double[] d = new double[n * m];
            for (int i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
            return made(a, b.constant(Tensor.of(new int[] {n, m}, d)));
        });
        rules.put("arange", this::arange);
        rules.put("linspace", this::linspace);
        rules.put("rand", a -> random(a, false));
        rules.put("randn", a -> random(a, true));
    }

    /** A constructed tensor: a leaf that requires grad if asked for, else a constant. */
    private Val made(Args a, Var v) {
        if (a.bool("requires_grad", false)) return l.leaf(v, a.call);
        return new T(v, false, -1, null, false, false);
    }

    private Val filled(Args a, double value) {
        if (!a.shape(0, Integer.MAX_VALUE, "requires_grad")) return null;
        int[] shape = a.shapeFrom(0);
        return shape == null || a.failed || !a.fits(shape, a.span()) ? null : made(a, b.fill(shape, value));
    }

    private Val arange(Args a) {
        if (!a.shape(1, 3, "requires_grad", "step")) return null;
        double start = a.has(1) ? a.number(0, null, 0) : 0, end = a.has(1) ? a.number(1, null, 0) : a.number(0, null, 0);
        double step = a.has(2) ? a.number(2, null, 1) : a.number(-1, "step", 1);
        if (a.failed) return null;
        if (step == 0 || (end - start) / step < 0) {
            l.diags.error("E0205", a.span(), "`arange` from " + PyFloat.repr(start) + " to " + PyFloat.repr(end) + " by "
                    + PyFloat.repr(step) + " is " + (step == 0 ? "undefined" : "empty in the wrong direction"), null);
            return null;
        }
        double count = Math.ceil((end - start) / step);
        if (count > Integer.MAX_VALUE - 8) {
            l.diags.error("E0205", a.span(), "`arange` would make " + (count < 9e18 ? Long.toString((long) count) : PyFloat.repr(count))
                    + " elements, more than tx can hold in one tensor (2^31 - 1)", null);
            return null;
        }
        if (!a.fits(new int[] {(int) count}, a.span())) return null;
        int n = (int) count;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return made(a, b.constant(Tensor.of(new int[] {n}, d)));
    }

    /** linspace as PyTorch computes it: from the start for the first half, from the end for the rest. */
    private Val linspace(Args a) {
        if (!a.shape(3, 3, "requires_grad")) return null;
        double start = a.number(0, null, 0), end = a.number(1, null, 0);
        Integer n = a.count(2, "the number of steps");
        if (n == null || a.failed || !a.fits(new int[] {n}, a.span())) return null;
        double[] d = new double[n];
        double step = n > 1 ? (end - start) / (n - 1) : 0;
        for (int i = 0; i < n; i++) d[i] = i < n / 2 ? start + i * step : end - (n - 1 - i) * step;
        if (n == 1) d[0] = start;
        return made(a, b.constant(Tensor.of(new int[] {n}, d)));
    }

    /**
     * NOTE: tx's random numbers are reproducible: {@code seed=} picks the stream, and without it the
     * seed comes from the call's position in the file, so two calls differ but every run is the same.
     */
    private Val random(Args a, boolean normal) {
        if (!a.shape(0, Integer.MAX_VALUE, "requires_grad", "seed")) return null;
        int[] shape = a.shapeFrom(0);
        double seed = a.number(-1, "seed", a.span().line() * 1000L + a.span().col());
        if (shape == null || a.failed || !a.fits(shape, a.span())) return null;
        return made(a, b.emit(Prim.RANDOM, new Attrs.Random(shape, (long) seed, normal)));
    }

    /** The data of tensor(...): a number or a rectangular nested list of numbers. */
    private Tensor literal(Val v, Span span) {
        List<Double> flat = new ArrayList<>();
        int[] shape = literalShape(v, span, flat);
        if (shape == null) return null;
        double[] d = new double[flat.size()];
        for (int i = 0; i < d.length; i++) d[i] = flat.get(i);
        return Tensor.of(shape, d);
    }

    private int[] literalShape(Val v, Span span, List<Double> flat) {
        if (v instanceof Val.Num n) {
            flat.add(n.value());
            return Shapes.SCALAR;
        }
        if (!(v instanceof Val.ListV list)) {
            if (!(v instanceof Val.Bad)) {
                l.diags.error("E0206", span, "`tensor` takes numbers or nested lists of numbers, found " + v.describe(),
                        "to build a tensor from other tensors use `stack` or `cat`");
            }
            return null;
        }
        int[] inner = null;
        for (int k = 0; k < list.items().size(); k++) {
            int[] s = literalShape(list.items().get(k), list.spans().get(k), flat);
            if (s == null) return null;
            if (inner != null && !Arrays.equals(inner, s)) {
                l.diags.error("E0206", list.spans().get(k), "tensor literal is not rectangular: this element has shape "
                        + Shapes.show(s) + " but the first has shape " + Shapes.show(inner), "every row must have the same length");
                return null;
            }
            inner = s;
        }
        return Shapes.concat(new int[] {list.items().size()}, inner == null ? new int[0] : inner);
    }

    // ---- elementwise -----------------------------------------------------------------------------------

    private void elementwise() {
        unary("neg", Prim.NEG, "NegBackward0");
        unary("exp", Prim.EXP, "ExpBackward0");
        unary("log", Prim.LOG, "LogBackward0");
        unary("sqrt", Prim.SQRT, "SqrtBackward0");
        unary("sin", Prim.SIN, "SinBackward0");
        unary("cos", Prim.COS, "CosBackward0");
        unary("tan", Prim.TAN, "TanBackward0");
        unary("tanh", Prim.TANH, "TanhBackward0");
        unary("abs", Prim.ABS, "AbsBackward0");
        unary("log1p", Prim.LOG1P, "Log1PBackward0");
        unary("expm1", Prim.EXPM1, "Expm1Backward0");
        unary("sign", Prim.SIGN, "SignBackward0");
        composite("sigmoid", Composites::sigmoid, "SigmoidBackward0");
        composite("relu", Composites::relu, "ReluBackward0");
        composite("softplus", Composites::softplus, "SoftplusBackward0");
        binaryRule("maximum", Prim.MAXIMUM, "MaximumBackward0");
        binaryRule("minimum", Prim.MINIMUM, "MinimumBackward0");
        rules.put("clamp", this::clamp);
        rules.put("where", this::where);
    }

    private void unary(String name, Prim p, String gradFn) {
        composite(name, (bb, x) -> bb.emit(p, null, x), gradFn);
    }

    private void composite(String name, BiFunction<Builder, Var, Var> f, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : out(f.apply(b, x.var()), gradFn);
        });
    }

    private void binaryRule(String name, Prim p, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null || !broadcasts(a, x, y)) return null;
            return out(b.emit(p, null, x.var(), y.var()), gradFn);
        });
    }

    private boolean broadcasts(Args a, T... ts) {
        int[] s = Shapes.SCALAR;
        for (T t : ts) {
            int[] n = Shapes.broadcast(s, t.shape());
            if (n == null) {
                StringBuilder shapes = new StringBuilder();
                for (T u : ts) shapes.append(shapes.length() == 0 ? "" : ", ").append(Shapes.show(u.shape()));
                l.diags.error("E0201", a.span(), "the shapes of `" + a.fn + "`'s operands do not broadcast: " + shapes,
                        "trailing dimensions must be equal or 1 (NumPy broadcasting)");
                return false;
            }
            s = n;
        }
        return true;
    }

    private Val clamp(Args a) {
        if (!a.shape(1, 3, "min", "max")) return null;
        T x = a.tensor(0);
        T lo = a.get(1, "min") == null || a.get(1, "min") instanceof Val.None ? null : a.tensor(1, "min");
        T hi = a.get(2, "max") == null || a.get(2, "max") instanceof Val.None ? null : a.tensor(2, "max");
        if (x == null || a.failed) return null;
        if (lo == null && hi == null) {
            l.diags.error("E0104", a.span(), "`clamp` needs `min=`, `max=` or both", null);
            return null;
        }
        for (T bound : new T[] {lo, hi}) {
            if (bound != null && !Shapes.broadcastsTo(bound.shape(), x.shape())) {
                l.diags.error("E0201", a.span(), "a bound of shape " + Shapes.show(bound.shape()) + " does not broadcast to `clamp`'s input of shape "
                        + Shapes.show(x.shape()), null);
                return null;
            }
        }
        return out(Composites.clamp(b, x.var(), lo == null ? null : lo.var(), hi == null ? null : hi.var()), "ClampBackward1");
    }

    private Val where(Args a) {
        if (!a.shape(3, 3)) return null;
        T c = a.tensor(0), x = a.tensor(1), y = a.tensor(2);
        if (c == null || x == null || y == null || !broadcasts(a, c, x, y)) return null;
        return out(b.where(c.var(), x.var(), y.var()), "WhereBackward0");
    }

    // ---- reductions ------------------------------------------------------------------------------------

    private interface Reduction {
        Var apply(Builder b, Var x, int[] axes, boolean keepdim);
    }

    private void reductions() {
        reduction("sum", (bb, x, ax, k) -> bb.sum(x, ax, k), "SumBackward0", "SumBackward1");
        reduction("mean", Composites::mean, "MeanBackward0", "MeanBackward1");
        reduction("prod", (bb, x, ax, k) -> bb.emit(Prim.PROD, new Attrs.Reduce(ax, k), x), "ProdBackward0", "ProdBackward1");
        reduction("max", Composites::max, "MaxBackward1", "AmaxBackward0");
        reduction("min", Composites::min, "MinBackward1", "AminBackward0");
        reduction("amax", Composites::max, "AmaxBackward0", "AmaxBackward0");
        reduction("amin", Composites::min, "AminBackward0", "AminBackward0");
        reduction("logsumexp", Composites::logsumexp, "LogsumexpBackward0", "LogsumexpBackward0");
        rules.put("norm", this::norm);
    }

    /** norm(x, p=2, dim=None, keepdim=false), as torch.norm: the 1-, 2- or max-norm. */
    private Val norm(Args a) {
        if (!a.shape(1, 4, "p", "dim", "keepdim")) return null;
        T x = a.tensor(0);
        double p = a.number(1, "p", 2);
        if (x == null || a.failed) return null;
        int[] axes = a.axes(2, "dim", x.shape().length);
        boolean keepdim = a.bool(3, "keepdim", false);
        if (axes == null || a.failed) return null;
        Reduction r = p == 2 ? Composites::norm : p == 1 ? Composites::norm1 : p == Double.POSITIVE_INFINITY ? Composites::normInf : null;
        if (r == null) {
            l.diags.error("E0105", a.spanOf(1, "p"), "`norm` supports p = 1, 2 and inf, not " + PyFloat.repr(p), null);
            return null;
        }
        return out(r.apply(b, x.var(), axes, keepdim), "NormBackward1");
    }

    private void reduction(String name, Reduction r, String gradFnAll, String gradFnDim) {
        rules.put(name, a -> {
            if (!a.shape(1, 3, "dim", "keepdim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            int[] axes = a.axes(1, "dim", x.shape().length);
            boolean keepdim = a.bool(2, "keepdim", false);
            if (axes == null || a.failed) return null;
            if ((name.equals("max") || name.equals("min") || name.equals("amax") || name.equals("amin")) && emptyExtent(x, axes)) {
                l.diags.error("E0205", a.span(), "`" + name + "` of an empty tensor has no value", null);
                return null;
            }
            Val dim = a.get(1, "dim");
            if ((name.equals("max") || name.equals("min")) && dim instanceof Val.Num && axes.length == 1) {
                // NOTE: with one dim, PyTorch's max/min give the gradient to the first extreme element
                Var v = name.equals("max") ? Composites.maxAlong(b, x.var(), axes[0], keepdim) : Composites.minAlong(b, x.var(), axes[0], keepdim);
                return out(v, name.equals("max") ? "MaxBackward0" : "MinBackward0");
            }
            return out(r.apply(b, x.var(), axes, keepdim), a.get(1, "dim") == null ? gradFnAll : gradFnDim);
        });
    }

    private static boolean emptyExtent(T x, int[] axes) {
        for (int ax : axes) if (x.shape()[ax] == 0) return true;
        return axes.length == 0 && Shapes.numel(x.shape()) == 0;
    }

    // ---- linear algebra --------------------------------------------------------------------------------

    private void linalg() {
        rules.put("matmul", a -> a.shape(2, 2) ? matmul(a.pos.get(0), a.pos.get(1), a.posSpans.get(0), a.posSpans.get(1), a.span()) : null);
        rules.put("dot", a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null) return null;
            if (x.shape().length != 1 || y.shape().length != 1 || x.shape()[0] != y.shape()[0]) {
                l.diags.error("E0202", a.span(), "`dot` needs two vectors of the same length, found " + Shapes.show(x.shape())
                        + " and " + Shapes.show(y.shape()), "for matrices use `@` (matmul)");
                return null;
            }
            return matmul(x, y, a.posSpans.get(0), a.posSpans.get(1), a.span());
        });
        rules.put("outer", a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null) return null;
            if (x.shape().length != 1 || y.shape().length != 1) {
                l.diags.error("E0202", a.span(), "`outer` needs two vectors, found " + Shapes.show(x.shape()) + " and " + Shapes.show(y.shape()), null);
                return null;
            }
            Var col = b.reshape(x.var(), new int[] {x.shape()[0], 1}), row = b.reshape(y.var(), new int[] {1, y.shape()[0]});
            return out(b.mul(col, row), "MulBackward0");
        });
        rules.put("transpose", a -> {
            if (!a.shape(3, 3)) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            Integer d0 = a.dim(1, null, x.shape().length), d1 = a.dim(2, null, x.shape().length);
            if (d0 == null || d1 == null) return null;
            int[] perm = identity(x.shape().length);
            if (perm.length > 0) {
                perm[d0] = d1;
                perm[d1] = d0;
            }
            return view(x, b.transpose(x.var(), perm), "TransposeBackward0");
        });
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** {@code x.T}: the last two axes swapped (a vector or scalar is returned as is). */
    Val transposeT(T x, Span span) {
        if (x.shape().length < 2) { // PyTorch reverses the (at most one) axis: a new tensor all the same
            return out(b.emit(Prim.TRANSPOSE, new Attrs.Perm(identity(x.shape().length)), x.var()), "PermuteBackward0");
        }
        return out(b.mT(x.var()), "PermuteBackward0");
    }

    /**
     * {@code a @ b} with PyTorch's rules: vector·vector is a dot product, a vector on the left (right)
     * is a row (column) that is dropped afterwards, and batch axes broadcast.
     */
    Val matmul(Val left, Val right, Span ls, Span rs, Span span) {
        T a = l.exprs.tensor(left, ls, "`@`"), c = l.exprs.tensor(right, rs, "`@`");
        if (a == null || c == null) return new Val.Bad();
        int[] x = a.shape(), y = c.shape();
        if (x.length == 0 || y.length == 0) {
            l.diags.error("E0202", span, "both operands of `@` need at least one dimension, found " + Shapes.show(x) + " and " + Shapes.show(y),
                    "to scale by a scalar use `*`");
            return new Val.Bad();
        }
        int k1 = x[x.length - 1], k2 = y.length == 1 ? y[0] : y[y.length - 2];
        int[] bx = Arrays.copyOf(x, Math.max(0, x.length - 2)), by = Arrays.copyOf(y, Math.max(0, y.length - 2));
        if (k1 != k2 || Shapes.broadcast(bx, by) == null) {
            l.diags.error("E0202", span, "shapes " + Shapes.show(x) + " and " + Shapes.show(y) + " cannot be multiplied"
                    + (k1 != k2 ? ": " + k1 + " columns against " + k2 + " rows" : ": the batch dimensions do not broadcast"), null);
            return new Val.Bad();
        }
        Var av = x.length == 1 ? b.reshape(a.var(), new int[] {1, x[0]}) : a.var();
        Var cv = y.length == 1 ? b.reshape(c.var(), new int[] {y[0], 1}) : c.var();
        Var m = b.matmul(av, cv);
        int[] ms = m.shape();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < ms.length; i++) {
            if (x.length == 1 && i == ms.length - 2) continue;
            if (y.length == 1 && i == ms.length - 1) continue;
            keep.add(ms[i]);
        }
        String gradFn = x.length == 1 && y.length == 1 ? "DotBackward0" : x.length == 2 && y.length == 1 ? "MvBackward0"
                : x.length == 1 && y.length == 2 ? "SqueezeBackward3" : x.length == 2 && y.length == 2 ? "MmBackward0" : "UnsafeViewBackward0";
        return out(b.reshape(m, keep.stream().mapToInt(Integer::intValue).toArray()), gradFn);
    }

    // ---- shapes -------------------------------------------------------------------------------------

    private void shapes() {
        rules.put("reshape", a -> {
            if (!a.shape(2, Integer.MAX_VALUE)) return null;
            T x = a.tensor(0);
            int[] s = a.shapeFrom(1, true);
            if (x == null || s == null) return null;
            s = inferSize(a, x, s);
            return s == null ? null : view(x, b.reshape(x.var(), s), x.leaf() >= 0 ? "ReshapeAliasBackward0" : "ViewBackward0");
        });
        rules.put("view", rules.get("reshape"));
        rules.put("flatten", a -> {
            if (!a.shape(1, 3, "start_dim", "end_dim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            int r = x.shape().length;
            Integer s0 = a.get(1, "start_dim") == null ? Integer.valueOf(0) : a.dim(1, "start_dim", r);
            Integer s1 = a.get(2, "end_dim") == null ? Integer.valueOf(Math.max(r - 1, 0)) : a.dim(2, "end_dim", r);
            if (s0 == null || s1 == null) return null;
            List<Integer> shape = new ArrayList<>();
            int prod = 1;
            for (int i = 0; i < r; i++) {
                if (i < s0 || i > s1) shape.add(x.shape()[i]);
                else {
                    prod *= x.shape()[i];
                    if (i == s1) shape.add(prod);
                }
            }
            if (r == 0) shape.add(1);
            return out(b.reshape(x.var(), shape.stream().mapToInt(Integer::intValue).toArray()),
                    x.leaf() >= 0 ? "ReshapeAliasBackward0" : "ViewBackward0");
        });
        rules.put("squeeze", a -> {
            if (!a.shape(1, 2, "dim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            Integer d = a.get(1, "dim") == null ? null : a.dim(1, "dim", x.shape().length);
            if (a.failed) return null;
            List<Integer> shape = new ArrayList<>();
            for (int i = 0; i < x.shape().length; i++) {
                if (x.shape()[i] == 1 && (d == null || d == i)) continue;
                shape.add(x.shape()[i]);
            }
            return view(x, b.reshape(x.var(), shape.stream().mapToInt(Integer::intValue).toArray()), d == null ? "SqueezeBackward0" : "SqueezeBackward1");
        });
        rules.put("unsqueeze", a -> {
            if (!a.shape(2, 2, "dim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            Integer d = a.dim(1, "dim", x.shape().length + 1);
            if (d == null) return null;
            List<Integer> shape = new ArrayList<>();
            for (int v : x.shape()) shape.add(v);
            shape.add(d, 1);
            return out(b.reshape(x.var(), shape.stream().mapToInt(Integer::intValue).toArray()), "UnsqueezeBackward0");
        });
        rules.put("expand", a -> expand(a, true));
        rules.put("broadcast_to", a -> expand(a, false));
        rules.put("cat", a -> join(a, false));
        rules.put("stack", a -> join(a, true));
    }

    /** Resolves one -1 in a reshape and checks the element count. */
    private int[] inferSize(Args a, T x, int[] s) {
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) {
                    l.diags.error("E0205", a.span(), "only one dimension of a reshape can be -1", null);
                    return null;
                }
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        long n = Shapes.numelExact(x.shape());
        int[] out = s.clone();
        if (unknown >= 0 && known != 0 && n % known == 0) out[unknown] = (int) (n / known);
        if (Shapes.numelExact(out) != n || (unknown >= 0 && (known == 0 || n % known != 0))) {
            l.diags.error("E0205", a.span(), "cannot reshape a tensor of shape " + Shapes.show(x.shape()) + " (" + n + " elements) into "
                    + Shapes.show(s), "the number of elements must stay the same");
            return null;
        }
        return out;
    }

    private Val expand(Args a, boolean sizes) {
        if (!a.shape(2, Integer.MAX_VALUE)) return null;
        T x = a.tensor(0);
        int[] s = a.shapeFrom(1, true);
        if (x == null || s == null) return null;
        int lead = s.length - x.shape().length;
        for (int i = 0; i < s.length && lead >= 0; i++) if (s[i] == -1 && i >= lead) s[i] = x.shape()[i - lead];
        if (lead < 0 || !Shapes.broadcastsTo(x.shape(), s)) {
            l.diags.error("E0201", a.span(), "cannot expand a tensor of shape " + Shapes.show(x.shape()) + " to " + Shapes.show(s),
                    "only dimensions of size 1 can grow, and new dimensions go in front");
            return null;
        }
        return view(x, b.expand(x.var(), s), "ExpandBackward0");
    }

    /** cat along an existing axis, or stack along a new one. */
    private Val join(Args a, boolean stack) {
        if (!a.shape(1, 2, "dim")) return null;
        if (!(a.pos.get(0) instanceof Val.ListV list) || list.items().isEmpty()) {
            l.diags.error("E0401", a.spanOf(0, null), "`" + a.fn + "` takes a non-empty list of tensors, e.g. `" + a.fn + "([a, b], dim=0)`", null);
            return null;
        }
        List<T> xs = new ArrayList<>();
        for (int k = 0; k < list.items().size(); k++) {
            T t = l.exprs.tensor(list.items().get(k), list.spans().get(k), "`" + a.fn + "`");
            if (t == null) return null;
            xs.add(t);
        }
        int rank = xs.get(0).shape().length;
        Integer d = a.get(1, "dim") == null ? Integer.valueOf(0) : a.dim(1, "dim", stack ? rank + 1 : rank);
        if (d == null) return null;
        List<Var> vs = new ArrayList<>();
        for (int k = 0; k < xs.size(); k++) {
            int[] s = xs.get(k).shape();
            boolean ok = stack ? Arrays.equals(s, xs.get(0).shape()) : s.length == rank && sameExcept(s, xs.get(0).shape(), d);
            if (!ok) {
                l.diags.error("E0207", list.spans().get(k), "`" + a.fn + "` operand " + k + " has shape " + Shapes.show(s) + ", which does not match "
                        + Shapes.show(xs.get(0).shape()), stack ? "stack needs equal shapes" : "cat needs equal shapes except along dim " + d);
                return null;
            }
            Var v = xs.get(k).var();
            if (stack) {
                List<Integer> ns = new ArrayList<>();
                for (int x : s) ns.add(x);
                ns.add(d, 1);
                v = b.reshape(v, ns.stream().mapToInt(Integer::intValue).toArray());
            }
            vs.add(v);
        }
        if (!stack && rank == 0) {
            l.diags.error("E0207", a.span(), "`cat` cannot join scalars (they have no dimension); use `stack`", null);
            return null;
        }
        return out(b.emit(Prim.CAT, new Attrs.Axis(d), vs.toArray(new Var[0])), stack ? "StackBackward0" : "CatBackward0");
    }

    private static boolean sameExcept(int[] s, int[] t, int d) {
        if (s.length != t.length) return false;
        for (int i = 0; i < s.length; i++) if (i != d && s[i] != t[i]) return false;
        return true;
    }

    // ---- neural ----------------------------------------------------------------------------------------

    private void neural() {
        rules.put("softmax", a -> softmaxLike(a, Composites::softmax, "SoftmaxBackward0"));
        rules.put("log_softmax", a -> softmaxLike(a, Composites::logSoftmax, "LogSoftmaxBackward0"));
        rules.put("mse_loss", a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null || !broadcasts(a, x, y)) return null;
            return out(Composites.mseLoss(b, x.var(), y.var()), "MseLossBackward0");
        });
        rules.put("cross_entropy", this::crossEntropy);
    }

    private interface AxisOp {
        Var apply(Builder b, Var x, int axis);
    }

    private Val softmaxLike(Args a, AxisOp f, String gradFn) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (a.get(1, "dim") == null) {
            l.diags.error("E0104", a.span(), "`" + a.fn + "` needs `dim=`", "say which dimension to normalise, e.g. `" + a.fn + "(x, dim=1)`");
            return null;
        }
        Integer d = a.dim(1, "dim", x.shape().length);
        if (d == null) return null;
        if (x.shape().length == 0) { // a scalar is normalised as a one-element vector
            return out(b.reshape(f.apply(b, b.reshape(x.var(), new int[] {1}), 0), Shapes.SCALAR), gradFn);
        }
        return out(f.apply(b, x.var(), d), gradFn);
    }

    /** cross_entropy(logits [N, C] or [C], target): class indices [N] (or []), or probabilities of logits' shape. */
    private Val crossEntropy(Args a) {
        if (!a.shape(2, 2)) return null;
        T x = a.tensor(0), t = a.tensor(1);
        if (x == null || t == null) return null;
        int[] xs = x.shape(), ts = t.shape();
        if (xs.length != 1 && xs.length != 2) {
            l.diags.error("E0202", a.spanOf(0, null), "`cross_entropy` takes logits of shape [N, C] or [C], found " + Shapes.show(xs), null);
            return null;
        }
        if (Arrays.equals(xs, ts)) return out(Composites.crossEntropyProbs(b, x.var(), t.var()), "DivBackward1");
        int[] want = xs.length == 2 ? new int[] {xs[0]} : Shapes.SCALAR;
        if (!Arrays.equals(ts, want)) {
            l.diags.error("E0202", a.spanOf(1, null), "`cross_entropy` with logits of shape " + Shapes.show(xs) + " needs class indices of shape "
                    + Shapes.show(want) + " or probabilities of shape " + Shapes.show(xs) + ", found " + Shapes.show(ts), null);
            return null;
        }
        if (!classIndicesValid(a, t, xs[xs.length - 1])) return null;
        return out(Composites.crossEntropyIndices(b, x.var(), t.var()), "NllLossBackward0");
    }

    /** Class indices known at compile time must be whole numbers in [0, C). */
    private boolean classIndicesValid(Args a, T t, int classes) {
        Stmt.Eqn def = l.graph.definition(t.var());
        if (def == null || def.prim() != Prim.CONST) return true;
        for (double v : ((Attrs.Const) def.attr()).value().data()) {
            if (v != Math.rint(v) || v < 0 || v >= classes) {
                String what = v != Math.rint(v) ? "class index " + PyFloat.repr(v) + " is not a whole number"
                        : "class index " + (long) v + " is out of range for " + classes + " classes";
                l.diags.error("E0204", a.spanOf(1, null), what,
                        "targets are class indices 0 to " + (classes - 1) + ", or probabilities of the logits' shape");
                return false;
            }
        }
        return true;
    }

    // ---- autograd --------------------------------------------------------------------------------------

    private void autograd() {
        rules.put("backward", this::backward);
        rules.put("detach", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : new T(b.stopGrad(x.var()), false, -1, null, false, false);
        });
        rules.put("item", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            if (Shapes.numel(x.shape()) != 1) {
                l.diags.error("E0201", a.span(), "only one-element tensors can be converted to a number: this one has shape " + Shapes.show(x.shape()), null);
                return null;
            }
            return new T(b.stopGrad(b.reshape(x.var(), Shapes.SCALAR)), false, -1, null, true, false);
        });
        rules.put("zero_grad", a -> {
            if (!a.shape(1, Integer.MAX_VALUE)) return null;
            for (int i = 0; i < a.pos.size(); i++) {
                T x = a.tensor(i);
                if (x == null) continue;
                if (x.leaf() < 0) {
                    l.diags.error("E0305", a.posSpans.get(i), "`zero_grad` takes leaves that require grad; this is not one", null);
                    continue;
                }
                b.add(new Stmt.GradSet(x.leaf(), null, b.origin()));
                l.state.grads.put(x.leaf(), GradState.NONE);
            }
            return new Val.None("`zero_grad` returns None");
        });
        rules.put("requires_grad_", a -> {
            if (!a.shape(1, 2, "requires_grad")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            boolean on = a.has(1) ? a.get(1, null) instanceof Val.Bool bv && bv.value() : a.bool("requires_grad", true);
            if (x.rg() && x.leaf() < 0) {
                String name = l.text(a.spanOf(0, null));
                l.diags.error("E0307", a.span(), "only leaves can be made to require grad; this tensor is computed from one that does",
                        "to start a new leaf from it, use `detach(" + (name == null ? "x" : name) + ").requires_grad_()`");
                return null;
            }
            if (!on || x.leaf() >= 0) return x;
            T leaf = l.leaf(b.stopGrad(x.var()), a.call);
            l.rebindAliases(x.var(), leaf);
            return leaf;
        });
    }

    /** backward(s) / backward(y, g): the adjoint program is built right here (see {@link Reverse}). */
    private Val backward(Args a) {
        l.backwardSeen = true;
        if (!a.shape(1, 2, "gradient")) return failedBackward();
        T s = a.tensor(0);
        if (s == null) return failedBackward();
        String name = l.text(a.spanOf(0, null));
        String shown = name == null ? "the output" : "`" + name + "`";
        if (!s.rg()) {
            l.diags.error("E0302", a.span(), shown + " does not require grad, so there is nothing to differentiate",
                    "PyTorch: \"element 0 of tensors does not require grad and does not have a grad_fn\";\n"
                            + "make an input a leaf with `requires_grad=true`, and compute this outside `with no_grad`");
            return failedBackward();
        }
        Var seed;
        if (a.get(1, "gradient") != null) {
            T g = a.tensor(1, "gradient");
            if (g == null) return null;
            if (!Arrays.equals(g.shape(), s.shape())) {
                l.diags.error("E0201", a.spanOf(1, "gradient"), "the output gradient has shape " + Shapes.show(g.shape()) + " but "
                        + shown + " has shape " + Shapes.show(s.shape()), "they must have the same shape");
                return null;
            }
            seed = b.stopGrad(g.var());
        } else if (Shapes.numel(s.shape()) != 1) {
            nonScalar(a, s, name);
            return failedBackward();
        } else {
            String old = b.named(s.var().name() == null ? null : "d_" + s.var().name());
            seed = b.fill(s.shape(), 1.0); // d s / d s = 1
            b.named(old);
        }
        Reverse.Result r = Reverse.backward(b, l.graph, s.var(), seed);
        if (r.blockedAt() != null) {
            l.diags.error("E0306", a.span(), "this backward would have to differentiate through " + r.blockedWhy(),
                    "tx cannot yet reverse through earlier loop iterations or through an `if`;\n"
                            + "compute the output and call backward in the same iteration or branch");
            return failedBackward();
        }
        for (Map.Entry<Integer, Var> e : r.leafAdjoints().entrySet()) {
            b.add(new Stmt.GradAccum(e.getKey(), e.getValue(), b.origin()));
            l.state.grads.put(e.getKey(), GradState.SET);
        }
        return new Val.None("`backward` returns None");
    }

    /**
     * After a backward that could not be checked, no one knows which grads it would have set, so
     * later complaints that a grad is None would only repeat the first error: they are silenced.
     */
    private Val failedBackward() {
        l.backwardFailed = true;
        return null;
    }

    /** E0301, the error PyTorch only raises at run time. */
    private void nonScalar(Args a, T s, String name) {
        String y = name == null ? "y" : name;
        StringBuilder dims = new StringBuilder();
        for (int d : s.shape()) dims.append(dims.length() == 0 ? "" : ", ").append(d);
        l.diags.error("E0301", a.span(), "grad can be implicitly created only for scalar outputs: `" + y + "` has shape " + Shapes.show(s.shape()),
                "reduce it to a scalar first, e.g. `" + y + ".sum().backward()` or `" + y + ".mean().backward()`,\n"
                        + "or pass the output gradient: `" + y + ".backward(ones(" + dims + "))`");
    }

    // ---- output ------------------------------------------------------------------------------------------

    private void output() {
        rules.put("print", a -> {
            if (!a.shape(0, Integer.MAX_VALUE)) return null;
            List<Stmt.PrintItem> items = new ArrayList<>();
            for (int i = 0; i < a.pos.size(); i++) items.add(printItem(a.pos.get(i)));
            b.add(new Stmt.Print(items, b.origin()));
            return new Val.None("`print` returns None");
        });
        rules.put("assert_close", a -> {
            if (!a.shape(2, 2, "rtol", "atol")) return null;
            T x = a.tensor(0), y = a.tensor(1);
            double rtol = a.number(-1, "rtol", 1e-5), atol = a.number(-1, "atol", 1e-8);
            if (x == null || y == null || a.failed) return null;
            if (!Arrays.equals(x.shape(), y.shape())) {
                l.diags.error("E0201", a.span(), "`assert_close` compares tensors of the same shape, found " + Shapes.show(x.shape())
                        + " and " + Shapes.show(y.shape()), null);
                return null;
            }
            String text = l.text(a.span());
            b.add(new Stmt.AssertClose(x.var(), y.var(), rtol, atol, text == null ? "assert_close" : text, b.origin()));
            return new Val.None("`assert_close` returns None");
        });
    }

    private Stmt.PrintItem printItem(Val v) {
        if (v instanceof Val.Num n) v = l.exprs.constant(n.value()); // every number is a scalar tensor
        if (v instanceof T t) {
            if (t.item()) return new Stmt.PrintItem.FloatValue(t.var());
            if (t.first() != null) {
                return new Stmt.PrintItem.TensorValue(t.var(), t.printSuffix(), t.first().index(), t.first().suffix());
            }
            return new Stmt.PrintItem.TensorValue(t.var(), t.printSuffix());
        }
        return new Stmt.PrintItem.Text(staticText(v));
    }

    private static String staticText(Val v) {
        if (v instanceof Val.Str s) return s.value();
        if (v instanceof Val.Bool bv) return bv.value() ? "True" : "False";
        if (v instanceof Val.Shape s) return Shapes.show(s.dims());
        if (v instanceof Val.ListV list) {
            StringBuilder sb = new StringBuilder("[");
            for (Val x : list.items()) sb.append(sb.length() == 1 ? "" : ", ").append(x instanceof T ? "tensor" : staticText(x));
            return sb.append(']').toString();
        }
        return "None";
    }
}
