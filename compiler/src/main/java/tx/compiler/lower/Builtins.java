package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * The built-in functions of LANGUAGE.md §5: for each, its argument rules, its shape rule with a
 * message a user can act on, the IR it lowers to (a primitive or a composite), and the name
 * PyTorch gives its grad_fn. {@code x.f(args)} is {@code f(x, args)} for every one of them.
 */
final class Builtins {
    interface Rule extends Function<Args, Val> {}

    private final Lowerer l;
    private final Builder b;
    private final Map<String, Rule> rules = new HashMap<>();

    Builtins(Lowerer l) {
        this.l = l;
        this.b = l.b;
        new ConstructRules(l, this, rules);
        elementwise();
        reductions();
        linalg();
        new ShapeRules(l, this, rules);
        new ArrangeRules(l, this, rules);
        new ArithmeticRules(l, this, rules);
        new MatrixRules(l, this, rules);
        new EinsumRules(l, this, rules);
        new FactorizationRules(l, this, rules);
        new SpectralFactorRules(l, this, rules);
        new NormRules(l, this, rules);
        new LstsqRules(l, this, rules);
        new ConvPoolRules(l, this, rules);
        new AdaptivePoolRules(l, this, rules);
        new UnpoolRules(l, this, rules);
        new BatchNormRules(l, this, rules);
        neural();
        new AutogradRules(l, this, rules);
        new GradClipping(l, this, rules);
        new FileRules(l, this, rules);
        rules.put("len", a -> l.sequences.len(a));
        new Sets(l, rules); // set, sorted, ord, chr
        rules.put("numel", this::numel);
        rules.put("nelement", this::numel); // PyTorch's other name for it
        rules.put("size", this::size);
        rules.put(Iteration.ROW, a -> Iteration.row(l, a));
        new DtypeRules(l, this, rules);
        new PyValues(l, rules); // str, repr; int of a string, abs of a number
        new PredicateRules(l, this, rules);
        selection = new SelectionRules(l, this, rules);
        new MaskRules(l, this, rules);
        math = new MathFunctions(l);
    }

    final SelectionRules selection;
    private final MathFunctions math;

    boolean has(String name) {
        return rules.containsKey(name);
    }

    /** Evaluates a call's arguments (the receiver first, for method sugar) and applies the rule. */
    Val call(Ast.Call c) {
        String name;
        Args a;
        if (c.callee() instanceof Ast.Name n) {
            name = n.name();
            if (Functions.isTransform(name) && !(l.state.names.get(name) instanceof Val.Fn)) return l.functions.transform(name, c);
            Val bound = l.state.names.get(name);
            if (bound instanceof Val.Fn fn) return applyFunction(fn.ref(), c);
            if (bound instanceof Val.Bad) return skipArgs(c);
            if (l.functions.has(name) && !(rules.containsKey(name) && prefixed.containsKey(c))) {
                return applyFunction(new Val.UserFn(l.functions.definitions.resolve(name)), c); // a function may hide a built-in (W0106)
            }
            a = new Args(l, name, c);
        } else if (c.callee() instanceof Ast.Attr at) {
            name = at.name();
            if (math.applies(at)) return math.call(name, c);
            if (modulePrefix(at) || attributeCalled(at)) return skipArgs(c);
            a = new Args(l, name, c);
            Val receiver = l.exprs.expr(at.target());
            if (receiver instanceof Val.DictV d) return new Dicts(l).method(d, name, c); // hyperparams.items()
            if (receiver instanceof Val.Str s) return new StrMethods(l).method(s, name, c); // ''.join(words)
            if (receiver instanceof Val.Gen g) return l.random.method(g, name, c); // g.manual_seed(k)
            if (receiver instanceof Val.SetV s) return new SetOps(l).method(s, name, c); // seen.add(w)
            if (receiver instanceof Val.Bad) {
                if (name.equals("backward")) l.backwardFailed = true; // see AutogradRules.failedBackward
                return skipArgs(c);
            }
            a.pos.add(receiver);
            a.posSpans.add(at.target().span());
        } else {
            Val callee = l.exprs.expr(c.callee());
            if (callee instanceof Val.Fn fn) return applyFunction(fn.ref(), c); // grad(f)(x)
            if (!(callee instanceof Val.Bad)) {
                l.diags.error("E0103", c.callee().span(), callee.describe() + " cannot be called", null);
            }
            return skipArgs(c);
        }
        Rule rule = rules.get(name);
        if (rule == null) return unknown(c, name);
        return applyRule(rule, a, c);
    }

    /** A built-in function value called: {@code act = tanh; act(x)}. */
    Val applyBuiltin(String name, Ast.Call c) {
        return applyRule(rules.get(name), new Args(l, name, c), c);
    }

    /** Evaluates the call's arguments into {@code a} (after any receiver) and applies the rule. */
    private Val applyRule(Rule rule, Args a, Ast.Call c) {
        for (Ast.Arg arg : c.args()) {
            Val v = Sequences.named(l.exprs.expr(arg.value()), arg.value().span()); // several results passed on are a tuple
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
        PositionalNames.apply(a); // torch.matmul(input=a, other=b)
        if (!RunTimeSizes.accepts(a) && (RunTimeSizes.first(a.pos) != null || RunTimeSizes.first(new ArrayList<>(a.kw.values())) != null)) {
            RunTimeSizes.refuse(l, c.span(), "`" + a.fn + "`");
            return new Val.Bad();
        }
        Val v = rule.apply(a);
        return v == null ? new Val.Bad() : v;
    }

    private static final Set<String> MODULES = Set.of("torch", "F", "nn", "np", "numpy", "math");

    /** The module paths PyTorch code puts before a built-in's name (LANGUAGE.md §2, v2): they mean the built-in. */
    private static final Set<String> PREFIXES = Set.of("torch", "F", "torch.nn.functional", "nn.functional", "torch.autograd",
            "torch.autograd.functional", "torch.func", "torch.linalg", "torch.nn.utils", "nn.utils");

    /**
     * The built-in a prefixed name means: {@code linalg.inv} for torch.linalg's {@code inv} (its own
     * rules, for the grad_fn names and messages of those spellings), else the name itself.
     */
    static String qualified(String path, String name) {
        return path.equals("torch.linalg") ? "linalg." + name : name;
    }

    /**
     * The module path of {@code torch.nn.functional} in {@code torch.nn.functional.relu}, when it is
     * one of {@link #PREFIXES} and its first name is not one the program assigned; else null.
     */
    String prefix(Ast.Expr target) {
        List<String> parts = new ArrayList<>();
        Ast.Expr e = target;
        while (e instanceof Ast.Attr a) {
            parts.add(0, a.name());
            e = a.target();
        }
        if (!(e instanceof Ast.Name root) || l.state.names.containsKey(root.name())) return null;
        parts.add(0, root.name());
        String path = String.join(".", parts);
        return PREFIXES.contains(path) ? path : null;
    }

    /** Whether a name, after a module prefix, is a built-in, a transform or a function of the autograd API. */
    boolean known(String name) {
        return rules.containsKey(name) || Functions.isTransform(name);
    }

    /**
     * {@code torch.tanh(x)}, {@code F.relu(x)}, {@code torch.autograd.grad(y, [x])}: the call of the
     * built-in; null after E0103 for a name that is no built-in ({@code torch.foo}); the call itself
     * when it has no such prefix.
     */
    Ast.Call unprefixed(Ast.Call c) {
        if (!(c.callee() instanceof Ast.Attr at)) return c;
        String path = prefix(at.target());
        if (path == null) return c;
        String name = qualified(path, at.name());
        if (!known(name)) {
            String near = Exprs.closest(name, rules.keySet());
            if (near != null && path.equals("torch.linalg")) near = near.startsWith("linalg.") ? near.substring(7) : null;
            l.diags.error("E0103", at.span(), "unknown function `" + path + "." + at.name() + "`",
                    PYTORCH_NAMES.containsKey(at.name()) ? PYTORCH_NAMES.get(at.name())
                            : near == null ? "tx has no built-in `" + at.name() + "` (see LANGUAGE.md section 5)" : "did you mean `" + path + "." + near + "`?");
            return null;
        }
        Ast.Call call = new Ast.Call(new Ast.Name(name, at.nameSpan()), c.args(), c.span());
        prefixed.put(call, path);
        return call;
    }

    /** Calls written with a prefix, and the prefix: they mean the built-in even where a function of the file hides it (W0106). */
    private final Map<Ast.Call, String> prefixed = new java.util.IdentityHashMap<>();

    /** Whether the call was written with a module prefix ({@code torch.autograd.grad(...)}), which no name of the program hides. */
    boolean prefixed(Ast.Call c) {
        return prefixed.containsKey(c);
    }

    /** The module prefix the call was written with ({@code torch.func}), or null. */
    String prefixOf(Ast.Call c) {
        return prefixed.get(c);
    }
    private static final Set<String> ATTRIBUTES = Set.of("grad", "requires_grad", "shape", "T", "is_leaf");

    /** Calls a function value: its arguments are evaluated here, and {@link Functions} checks and inlines it. */
    private Val applyFunction(Val.FnRef ref, Ast.Call c) {
        if (ref instanceof Val.BuiltinFn bi) return applyBuiltin(bi.name(), c);
        Args a = new Args(l, ref.show(), c);
        for (Ast.Arg arg : c.args()) {
            Val v = l.exprs.expr(arg.value());
            if (v instanceof Val.Bad) return skipArgs(c);
            a.add(arg, v);
        }
        Val sized = RunTimeSizes.first(a.pos) != null ? RunTimeSizes.first(a.pos) : RunTimeSizes.first(new ArrayList<>(a.kw.values()));
        if (sized != null && !RunTimeSizes.takenBy(ref)) { // a user function is inlined for it (see Functions#call)
            RunTimeSizes.refuse(l, c.span(), "`" + ref.show() + "`"); // grad, value_and_grad and vjp of a user function take one
            return new Val.Bad();
        }
        return l.functions.apply(ref, a);
    }

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
            Map.entry("add_", "update in place with `x += ...` (inside `with no_grad` for a leaf)"),
            Map.entry("sub_", "update in place with `x -= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("mul_", "update in place with `x *= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("div_", "update in place with `x /= ...` (inside `with no_grad` for a leaf)"),
            Map.entry("clip", "use `clamp(x, min=, max=)`"),
            Map.entry("softmax_", "use `softmax(x, dim=)`"),
            Map.entry("numpy", "tx has one kind of value, the tensor; print it with `print(x)`"));

    private Val unknown(Ast.Call c, String name) {
        Span s = c.callee() instanceof Ast.Attr at ? at.nameSpan() : c.callee().span();
        if (c.callee() instanceof Ast.Name && l.diags.broken(name)) { // a function whose definition has a syntax error, reported there
            for (Ast.Arg arg : c.args()) l.exprs.expr(arg.value());
            return new Val.Bad();
        }
        if (PYTORCH_NAMES.containsKey(name)) {
            l.diags.error("E0103", s, "tx has no `" + name + "`", PYTORCH_NAMES.get(name));
        } else {
            String near = Exprs.closest(name, rules.keySet());
            l.diags.error("E0103", s, "unknown function `" + name + "`", near == null ? null : "did you mean `" + near + "`?");
        }
        for (Ast.Arg arg : c.args()) l.exprs.expr(arg.value());
        return new Val.Bad();
    }

    T out(Var v, String gradFn) {
        return l.exprs.result(v, gradFn);
    }

    /**
     * A shape function's result: a new tensor even when nothing moves (PyTorch's reshape, view,
     * expand, transpose and squeeze return a view, never the tensor itself), so that a leaf's
     * reshape is not the leaf and does not share its .grad. The builder returns x for a no-op.
     */
    T view(T x, Var v, String gradFn) {
        if (v.equals(x.var())) v = b.copy(x.var());
        return out(v, gradFn);
    }

    // ---- elementwise -----------------------------------------------------------------------------------

    private void elementwise() {
        for (Prim p : Prim.values()) { // the built-ins that are one primitive each (exp, sign, maximum, ...)
            if (p.gradFn() == null) continue;
            if (p.arity() == 1) unary(p.text(), p, p.gradFn());
            else binaryRule(p.text(), p, p.gradFn());
        }
        new ActivationRules(l, this, rules);
        rules.put("clamp", this::clamp);
        rules.put("where", this::where);
        rules.put("pow", this::pow);
    }

    /**
     * pow(input, exponent) is input ** exponent, with PyTorch's grad_fn for each of its overloads:
     * PowBackward0 (a number exponent), PowBackward1 (two tensors), PowBackward2 (a number base).
     */
    private Val pow(Args a) {
        if (!a.shape(1, 2, "exponent")) return null;
        Val base = a.get(0, null), exponent = a.get(1, "exponent");
        if (exponent == null) {
            l.diags.error("E0104", a.span(), "`pow` needs an exponent", "write `pow(x, 2)`, or `x ** 2`");
            return null;
        }
        Val r = l.exprs.binary("**", base, exponent, a.spanOf(0, null), a.spanOf(1, "exponent"), a.span());
        if (r instanceof T t && Exprs.isFloat(base) && !Exprs.isFloat(exponent)) { // a Python number, known now or only at run time
            return new T(t.var(), t.rg(), t.leaf(), "PowBackward2", t.item(), t.maybeNone());
        }
        return r;
    }

    /**
     * A string argument that names one of a few choices (reduction=, approximate=): the choice, the
     * default when absent, or null after reporting a value that is not a string (E0401) or not one of them (E0104).
     */
    String choice(Args a, int i, String keyword, String dflt, String... allowed) {
        Val v = a.get(i, keyword);
        if (v == null) return dflt;
        List<String> ok = Arrays.asList(allowed);
        String list = String.join(", ", ok.stream().map(c -> "\"" + c + "\"").toList());
        if (!(v instanceof Val.Str str)) {
            l.diags.error("E0401", a.spanOf(i, keyword), "`" + keyword + "` takes a string, found " + v.describe(), "one of " + list);
            a.failed = true;
            return null;
        }
        if (!ok.contains(str.value())) {
            l.diags.error("E0104", a.spanOf(i, keyword), "`" + a.fn + "` has no " + keyword + " \"" + str.value() + "\"", "it takes " + list);
            a.failed = true;
            return null;
        }
        return str.value();
    }

    private void unary(String name, Prim p, String gradFn) {
        composite(name, (bb, x) -> bb.emit(p, null, x), gradFn);
    }

    void composite(String name, BiFunction<Builder, Var, Var> f, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : out(b.composite(() -> f.apply(b, x.var())), gradFn);
        });
    }

    /** PyTorch's grad_fn names for the Scalar overloads of binary built-ins: a number as second operand ({@code fmod(x, 2)}). */
    private static final Map<String, String> SCALAR_OVERLOADS = Map.of("fmod", "FmodBackward0", "remainder", "RemainderBackward0");

    private void binaryRule(String name, Prim p, String gradFn) {
        rules.put(name, a -> {
            if (!a.shape(2, 2)) return null;
            T x = a.tensor(0), y = a.tensor(1);
            if (x == null || y == null) return null;
            T[] xy = agreed(a, x, y);
            if (xy == null) return null;
            Var xv = xy[0].var(), yv = xy[1].var();
            boolean number = a.get(1, null) instanceof Val.Num && SCALAR_OVERLOADS.containsKey(name);
            return out(b.emit(p, null, xv, yv), number ? SCALAR_OVERLOADS.get(name) : gradFn);
        });
    }

    /**
     * The operands, their shapes broadcast: sizes known only at run time that must agree are checked
     * when the program runs and relabelled ({@link SizeAgreement}); null after E0201.
     */
    T[] agreed(Args a, T... ts) {
        if (SizeAgreement.needsCheck(shapes(ts))) {
            T[] out = SizeAgreement.agree(l, a.span(), ts);
            if (out != null) return out;
        }
        return broadcasts(a, ts) ? ts : null;
    }

    private static int[][] shapes(T[] ts) {
        int[][] shapes = new int[ts.length][];
        for (int k = 0; k < ts.length; k++) shapes[k] = ts[k].shape();
        return shapes;
    }

    /** Whether the operands' shapes broadcast as they stand (E0201 if not); {@link #agreed} has made any check the run needs. */
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
        int[] shape = x.shape(); // the bounds and x broadcast together, as PyTorch's (a bound may make the result larger than x)
        for (T bound : new T[] {lo, hi}) {
            int[] joined = bound == null ? shape : Shapes.broadcast(shape, bound.shape());
            if (joined == null) {
                l.diags.error("E0201", a.span(), "a bound of shape " + Shapes.show(bound.shape()) + " does not broadcast with `clamp`'s input of shape "
                        + Shapes.show(shape), null);
                return null;
            }
            shape = joined;
        }
        boolean tensorBound = a.get(1, "min") instanceof T tl && !tl.item() || a.get(2, "max") instanceof T th && !th.item(); // PyTorch's Tensor overload
        return out(b.composite(() -> Composites.clamp(b, x.var(), lo == null ? null : lo.var(), hi == null ? null : hi.var())),
                tensorBound ? "ClampBackward0" : "ClampBackward1");
    }

    private Val where(Args a) {
        if (!a.shape(3, 3)) return null;
        T c = a.tensor(0), x = a.tensor(1), y = a.tensor(2);
        if (c == null || x == null || y == null || !mask(c, "where", "condition", a.spanOf(0, null))) return null;
        T[] cxy = agreed(a, c, x, y);
        return cxy == null ? null : out(b.where(cxy[0].var(), cxy[1].var(), cxy[2].var()), "WhereBackward0");
    }

    /** Whether a condition or a mask is a bool tensor, as PyTorch requires (E0220 otherwise). */
    boolean mask(T m, String fn, String role, Span span) {
        if (m.dtype() == tx.runtime.tensor.DType.BOOL) return true;
        l.diags.error("E0220", span, "`" + fn + "` takes a bool tensor as its " + role + ", found " + m.describeDtype(),
                "a comparison gives one (`x > 0`); convert a 0/1 tensor with `m.bool()`");
        return false;
    }

    // ---- reductions ------------------------------------------------------------------------------------

    interface Reduction {
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
    }

    /** {@code x.numel()}: the number of elements, a Python int. */
    private Val numel(Args a) {
        if (!a.shape(1, 1)) return null;
        T x = a.tensor(0);
        if (x != null && RunTimeSizes.sized(x)) return RunTimeSizes.count(l, x.shape());
        return x == null ? null : new Val.Num(Shapes.numel(x.shape()), Val.PyType.INT);
    }

    /** {@code x.size()}: the shape (printed {@code torch.Size([2, 3])}); {@code x.size(d)}: one size, a Python int. */
    private Val size(Args a) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        if (a.get(1, "dim") == null) return new Val.Shape(x.shape());
        Integer d = a.dim(1, "dim", x.shape().length);
        if (d == null || x.shape().length == 0) {
            if (d != null) l.diags.error("E0203", a.spanOf(1, "dim"), "a tensor of shape [] has no dimension " + d, "`x.size()` is its shape, `torch.Size([])`");
            return null;
        }
        return RunTimeSizes.dim(l, x.shape()[d]);
    }

    private static boolean pythonScalar(Val v) {
        return v instanceof Val.Num || v instanceof T t && t.item();
    }

    /**
     * Python's {@code min(a, b, ...)} or {@code max(...)} of Python scalars: a number when all are
     * known now, else a Python scalar held by MINIMUM/MAXIMUM of their values. NOTE: Python keeps
     * the first of equal values and ignores a later nan; the run-time form takes PyTorch's
     * minimum, which is the same but for nan (it propagates) and for an int tied with a float.
     */
    private Val pythonExtreme(boolean min, Args a) {
        Val best = a.pos.get(0);
        for (int k = 1; k < a.pos.size(); k++) {
            Val next = a.pos.get(k);
            if (best instanceof Val.Num x && next instanceof Val.Num y) {
                if (min ? y.value() < x.value() : y.value() > x.value()) best = y;
                continue;
            }
            T x = l.exprs.tensor(best, a.spanOf(k - 1, null), "`" + (min ? "min" : "max") + "`");
            T y = l.exprs.tensor(next, a.spanOf(k, null), "`" + (min ? "min" : "max") + "`");
            if (x == null || y == null) return new Val.Bad();
            Val.PyType py = x.py() == Val.PyType.FLOAT || y.py() == Val.PyType.FLOAT ? Val.PyType.FLOAT : Val.PyType.INT;
            best = T.scalar(b.emit(min ? Prim.MINIMUM : Prim.MAXIMUM, null, x.var(), y.var()), py);
        }
        return best;
    }

    private void reduction(String name, Reduction r, String gradFnAll, String gradFnDim) {
        rules.put(name, a -> {
            if (KeyedOrder.applies(name, a)) return new KeyedOrder(l).extreme(name, a); // max(words, key=len), min('b', 'a')
            if (ListOps.pythonReduction(name, a)) return new ListOps(l).reduce(name, a); // Python's sum(losses), max(losses)
            if (RunLists.applies(name, a)) return new RunLists(l).reduce(name, (Val.RunList) a.pos.get(0), a.span());
            if ((name.equals("max") || name.equals("min")) && a.pos.size() >= 2 && a.kw.isEmpty() && a.pos.stream().allMatch(Builtins::pythonScalar)) {
                return pythonExtreme(name.equals("min"), a); // Python's min(i + bs, n) of numbers, not torch.min(x, dim)
            }
            if ((name.equals("max") || name.equals("min")) && a.pos.size() == 2 && a.pos.get(1) instanceof T other && !other.item()) {
                return rules.get(name + "imum").apply(a); // torch.max(x, y) of two tensors is torch.maximum (d2l's relu)
            }
            if (!a.shape(1, 3, "dim", "keepdim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            int[] axes = a.axes(1, "dim", x.shape().length);
            boolean keepdim = a.bool(2, "keepdim", false);
            if (axes == null || a.failed) return null;
            if ((name.equals("mean") || name.equals("logsumexp")) && !x.dtype().isFloat()) {
                l.diags.error("E0220", a.spanOf(0, null), "`" + name + "` of " + x.describeDtype() + ": PyTorch computes it for floats only",
                        "convert first: `" + name + "(x.double())`");
                return null;
            }
            if ((name.equals("max") || name.equals("min") || name.equals("amax") || name.equals("amin")) && emptyExtent(x, axes)) {
                l.diags.error("E0205", a.span(), "`" + name + "` of an empty tensor has no value", null);
                return null;
            }
            Val dim = a.get(1, "dim");
            if (name.equals("max") || name.equals("min") || name.equals("amax") || name.equals("amin")) RunTimeChecks.nonEmpty(l, a.span(), a.fn, x.shape(), dim == null ? null : axes);
            if ((name.equals("max") || name.equals("min")) && dim instanceof Val.Num && axes.length == 1) {
                // NOTE: with one dim, PyTorch's max/min give the gradient to the first extreme element
                Var v = b.composite(() -> name.equals("max") ? Composites.maxAlong(b, x.var(), axes[0], keepdim) : Composites.minAlong(b, x.var(), axes[0], keepdim));
                T values = out(v, name.equals("max") ? "MaxBackward0" : "MinBackward0");
                l.indicesOf.put(v, selection.indicesOf(x, axes[0], keepdim, name.equals("max"))); // PyTorch's (values, indices)
                l.extremeOf.put(v, name);
                return values;
            }
            return out(b.composite(() -> r.apply(b, x.var(), axes, keepdim)), a.get(1, "dim") == null ? gradFnAll : gradFnDim);
        });
    }

    private static boolean emptyExtent(T x, int[] axes) {
        for (int ax : axes) if (x.shape()[ax] == 0) return true;
        return axes.length == 0 && Shapes.empty(x.shape());
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

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** {@code x.T}: every axis reversed, as PyTorch does (a matrix transposed; a vector or a scalar as it is). */
    Val transposeT(T x) {
        if (x.shape().length < 2) { // PyTorch reverses the (at most one) axis: a new tensor all the same
            return out(b.emit(Prim.TRANSPOSE, new Attrs.Perm(identity(x.shape().length)), x.var()), "PermuteBackward0");
        }
        if (x.shape().length == 2) return out(b.mT(x.var()), "PermuteBackward0");
        int r = x.shape().length; // PyTorch reverses every axis (and warns that this use is deprecated)
        int[] reversed = new int[r];
        for (int i = 0; i < r; i++) reversed[i] = r - 1 - i;
        return out(b.emit(Prim.TRANSPOSE, new Attrs.Perm(reversed), x.var()), "PermuteBackward0");
    }

    /** {@code x.mT}: the last two axes swapped (matrices, or batches of them). */
    Val transposeM(T x, Span span) {
        int r = x.shape().length;
        if (r < 2) {
            l.diags.error("E0203", span, "tensor.mT is only supported on matrices or batches of matrices. Got " + r + "-D tensor.", "`x.T` of a vector is the vector");
            return new Val.Bad();
        }
        int[] perm = identity(r);
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return out(b.transpose(x.var(), perm), "TransposeBackward0");
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

    // ---- neural ----------------------------------------------------------------------------------------

    private void neural() {
        rules.put("softmax", a -> softmaxLike(a, Composites::softmax, "SoftmaxBackward0"));
        rules.put("log_softmax", a -> softmaxLike(a, Composites::logSoftmax, "LogSoftmaxBackward0"));
        new LossRules(l, this, rules);
        new ClassLossRules(l, this, rules);
    }

    private interface AxisOp {
        Var apply(Builder b, Var x, int axis);
    }

    private Val softmaxLike(Args a, AxisOp f, String gradFn) {
        if (!a.shape(1, 2, "dim")) return null;
        T x = a.tensor(0);
        if (x == null) return null;
        Integer d;
        if (a.get(1, "dim") == null) { // PyTorch's implicit choice (_get_softmax_dim): 0 for 0, 1 or 3 dimensions, else 1, with its warning
            int rank = x.shape().length;
            d = rank == 0 || rank == 1 || rank == 3 ? 0 : 1;
            l.diags.warning("W0104", a.span(), "implicit dimension choice for " + a.fn + " has been deprecated: tx takes dim=" + d + ", as PyTorch does",
                    "write the dimension to normalise, e.g. `" + a.fn + "(x, dim=" + d + ")`");
        } else {
            d = a.dim(1, "dim", x.shape().length);
        }
        if (d == null) return null;
        if (x.shape().length == 0) { // a scalar is normalised as a one-element vector
            return out(b.composite(() -> b.reshape(f.apply(b, b.reshape(x.var(), new int[] {1}), 0), Shapes.SCALAR)), gradFn);
        }
        return out(b.composite(() -> f.apply(b, x.var(), d)), gradFn);
    }


}
