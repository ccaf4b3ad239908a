package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/** The constructors of LANGUAGE.md section 5: tensor, zeros, ones, full, eye, arange, linspace, rand, randn, and (v2) zeros_like, ones_like, full_like, rand_like, randn_like. */
final class ConstructRules extends RuleFamily {
    ConstructRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        construct();
    }

    // ---- construction ----------------------------------------------------------------------------------

    private void construct() {
        rules.put("tensor", a -> {
            if (!a.shape(1, 1, "requires_grad", "dtype")) return null;
            if (a.pos.get(0) instanceof Val.RunList r) { // torch.tensor(losses) of a length known only at run time
                DType asked = a.get(-1, "dtype") == null ? null : a.dtype("dtype", DType.FLOAT64);
                return a.failed || a.get(-1, "requires_grad") != null ? null : new RunLists(l).tensor(r, a.posSpans.get(0), asked);
            }
            if (ListOps.hasRunTimeItems(a.pos.get(0))) { // torch.tensor(losses) of values known when the program runs
                DType asked = a.get(-1, "dtype") == null ? null : a.dtype("dtype", DType.FLOAT64);
                Var v = a.failed ? null : new ListOps(l).tensorOf(a.pos.get(0), a.posSpans.get(0), asked);
                return v == null ? null : made(a, v);
            }
            List<Val.PyType> types = new ArrayList<>();
            Tensor t = literal(a.pos.get(0), a.posSpans.get(0), types);
            // as PyTorch: all ints give int64, all bools bool, any float float64
            DType inferred = types.stream().map(Exprs::dtypeOf).reduce(types.isEmpty() ? DType.FLOAT64 : DType.BOOL, DType::promote);
            DType d = a.dtype("dtype", inferred);
            return t == null || a.failed ? null : made(a, b.constant(converted(t, d), d));
        });
        rules.put("zeros", a -> filled(a, 0.0));
        rules.put("ones", a -> filled(a, 1.0));
        rules.put("empty", a -> filled(a, 0.0)); // NOTE: PyTorch leaves the values unset; tx's are zeros
        rules.put("empty_like", a -> like(a, 0.0));
        rules.put("full", a -> {
            if (!a.shape(2, 2, "requires_grad", "dtype")) return null;
            // the shape is one argument: a list, x.shape, or a single size
            int[] shape = a.pos.get(0) instanceof Val.Num ? a.sizes(a.pos.subList(0, 1), a.posSpans.subList(0, 1), false) : a.runTimeShapeFrom(0);
            Val value = a.pos.get(1);
            DType d = a.dtype("dtype", value instanceof Val.Bool ? DType.BOOL : value instanceof Val.Num n ? Exprs.dtypeOf(n.py())
                    : value instanceof T t && t.item() ? Exprs.dtypeOf(t.py()) : DType.FLOAT64);
            if (value instanceof T t && t.item() && t.shape().length == 0) { // a Python number known only at run time
                return shape == null || a.failed || !a.fits(shape, a.span()) ? null : made(a, filledWith(t.var(), shape, d));
            }
            double v = value instanceof Val.Bool x ? (x.value() ? 1 : 0) : a.number(1, null, 0);
            return shape == null || a.failed || !a.fits(shape, a.span()) ? null : made(a, b.fill(shape, d.convert(v), d));
        });
        rules.put("eye", a -> {
            if (!a.shape(1, 2, "requires_grad", "dtype")) return null;
            Integer n = a.count(0, "a size"), m = a.has(1) ? a.count(1, "a size") : n;
            DType dt = a.dtype("dtype", DType.FLOAT64);
            if (n == null || m == null || a.failed || !a.fits(new int[] {n, m}, a.span())) return null;
            double[] d = new double[n * m];
            for (int i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
            return made(a, b.constant(Tensor.of(new int[] {n, m}, d), dt));
        });
        rules.put("arange", this::arange);
        rules.put("linspace", this::linspace);
        rules.put("rand", a -> random(a, false));
        rules.put("randn", a -> random(a, true));
        rules.put("manual_seed", a -> l.random.manualSeed(a));
        rules.put("Generator", a -> l.random.newGenerator(a));
        rules.put("zeros_like", a -> like(a, 0.0));
        rules.put("ones_like", a -> like(a, 1.0));
        rules.put("full_like", a -> like(a, null));
        rules.put("normal", this::normal);
        rules.put("rand_like", a -> randomLike(a, false));
        rules.put("randn_like", a -> randomLike(a, true));
    }

    /**
     * zeros_like(x), ones_like(x), full_like(x, v): a new tensor of x's shape (a leaf with
     * requires_grad=True, else a constant, whatever x requires), filled with the value.
     */
    private Val like(Args a, Double value) {
        if (!a.shape(1, value == null ? 2 : 1, value == null ? new String[] {"requires_grad", "fill_value", "dtype"} : new String[] {"requires_grad", "dtype"})) return null;
        if (value == null && a.get(1, "fill_value") == null) {
            l.diags.error("E0104", a.span(), "`full_like` needs the value", "e.g. `full_like(x, 2.5)`");
            return null;
        }
        T x = a.tensor(0);
        Val given = value == null ? a.get(1, "fill_value") : null;
        T run = given instanceof T t && t.item() && t.shape().length == 0 ? t : null; // a Python number known only at run time
        double v = value != null ? value : run != null ? 0 : a.number(1, "fill_value", 0);
        if (x == null || a.failed) return null;
        DType d = a.dtype("dtype", x.dtype()); // x's dtype, as PyTorch's *_like
        if (run != null) return a.failed ? null : made(a, filledWith(run.var(), x.shape(), d));
        return a.failed ? null : made(a, b.fill(x.shape(), d.convert(v), d));
    }

    /** rand_like(x, seed=) and randn_like: random numbers of x's shape, seeded as rand and randn are. */
    private Val randomLike(Args a, boolean normal) {
        if (!a.shape(1, 1, "requires_grad", "seed", "generator", "dtype")) return null;
        T x = a.tensor(0);
        RandomStreams.Source seed = l.random.sourceOf(a);
        if (x == null || a.failed || !floatDraws(a, normal, a.dtype("dtype", x.dtype()))) return null;
        return made(a, l.random.draw(new Attrs.Draw(normal ? Attrs.Draw.Kind.NORMAL : Attrs.Draw.Kind.UNIFORM, x.shape(), 0, 1), seed));
    }

    /** A tensor of {@code shape} holding a scalar known only at run time, converted to d (as {@link DType#convert}: an int64 truncates). */
    private Var filledWith(Var value, int[] shape, DType d) {
        Var v = value.dtype() == d ? value : b.emit(Prim.CAST, d, value);
        return b.expand(b.reshape(v, Shapes.ones(shape.length)), shape);
    }

    /** A constructed tensor: a leaf that requires grad if asked for, else a constant. */
    private Val made(Args a, Var v) {
        if (a.bool("requires_grad", false)) return l.floatForGrad(v.dtype(), a.kwSpans.getOrDefault("requires_grad", a.span())) ? l.leaf(v, a.call) : null;
        return new T(v, false, -1, null, false, false);
    }

    private Val filled(Args a, double value) {
        if (!a.shape(0, Integer.MAX_VALUE, "requires_grad", "dtype")) return null;
        int[] shape = a.runTimeShapeFrom(0);
        DType d = a.dtype("dtype", DType.FLOAT64);
        return shape == null || a.failed || !a.fits(shape, a.span()) ? null : made(a, b.fill(shape, value, d));
    }

    private Val arange(Args a) {
        if (!a.shape(1, 3, "requires_grad", "step", "dtype")) return null;
        double start = a.has(1) ? a.number(0, null, 0) : 0, end = a.has(1) ? a.number(1, null, 0) : a.number(0, null, 0);
        double step = a.has(2) ? a.number(2, null, 1) : a.number(-1, "step", 1);
        boolean ints = true; // all of its numbers ints: int64, as PyTorch's arange(5)
        for (int i = 0; i < a.pos.size(); i++) ints &= a.pos.get(i) instanceof Val.Num n && n.py() != Val.PyType.FLOAT;
        ints &= !(a.kw.get("step") instanceof Val.Num n) || n.py() != Val.PyType.FLOAT;
        DType dt = a.dtype("dtype", ints ? DType.INT64 : DType.FLOAT64);
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
        for (int i = 0; i < n; i++) d[i] = dt.convert(start + i * step);
        return made(a, b.constant(Tensor.of(new int[] {n}, d), dt));
    }

    /** linspace as PyTorch computes it: from the start for the first half, from the end for the rest. */
    private Val linspace(Args a) {
        if (!a.shape(3, 3, "requires_grad", "dtype")) return null;
        double start = a.number(0, null, 0), end = a.number(1, null, 0);
        Integer n = a.count(2, "the number of steps");
        DType dt = a.dtype("dtype", DType.FLOAT64);
        if (n == null || a.failed || !a.fits(new int[] {n}, a.span())) return null;
        double[] d = new double[n];
        double step = n > 1 ? (end - start) / (n - 1) : 0;
        for (int i = 0; i < n; i++) d[i] = i < n / 2 ? start + i * step : end - (n - 1 - i) * step;
        if (n == 1) d[0] = start;
        for (int i = 0; i < n; i++) d[i] = dt.convert(d[i]); // NOTE: int64 truncates, as PyTorch's linspace(0, 5, 3, dtype=int64) is [0, 2, 5]
        return made(a, b.constant(Tensor.of(new int[] {n}, d), dt));
    }

    /**
     * rand and randn: PyTorch's numbers, from its global generator ({@link RandomStreams}), or
     * from a fresh one seeded with {@code seed=}.
     */
    private Val random(Args a, boolean normal) {
        if (!a.shape(0, Integer.MAX_VALUE, "requires_grad", "seed", "generator", "dtype")) return null;
        int[] shape = a.shapeFrom(0);
        RandomStreams.Source seed = l.random.sourceOf(a);
        if (shape == null || a.failed || !a.fits(shape, a.span()) || !floatDraws(a, normal, a.dtype("dtype", DType.FLOAT64))) return null;
        return made(a, l.random.draw(new Attrs.Draw(normal ? Attrs.Draw.Kind.NORMAL : Attrs.Draw.Kind.UNIFORM, shape, 0, 1), seed));
    }

    /**
     * normal(mean, std, size, generator=): of Python numbers, PyTorch's normal_ (z std + mean, one
     * fused multiply-add); of tensors (broadcast), its standard draws times std then plus mean (its
     * mul_ and add_), or the draws of deviation std plus mean when std is a number. PyTorch gives
     * mean and std a gradient of zeros, which tx does not yet: a tensor that requires grad is E0104.
     * NOTE: a negative element of a std tensor is not checked (PyTorch raises).
     */
    private Val normal(Args a) {
        if (!a.shape(2, 3, "requires_grad", "generator", "dtype")) return null;
        Val mean = a.get(0, "mean"), std = a.get(1, "std");
        RandomStreams.Source from = l.random.sourceOf(a);
        if (a.failed || mean == null || std == null) return null;
        if (mean instanceof Val.Num m && std instanceof Val.Num s) {
            int[] shape = a.has(2) ? a.shapeFrom(2) : null;
            if (shape == null) {
                if (!a.failed) l.diags.error("E0104", a.span(), "`normal` of two numbers needs a size, e.g. `normal(0.0, 1.0, (2, 3))`", null);
                return null;
            }
            if (!(s.value() >= 0)) {
                l.diags.error("E0104", a.spanOf(1, "std"), "normal expects std >= 0.0, but found std " + PyFloat.repr(s.value()), null);
                return null;
            }
            if (a.failed || !a.fits(shape, a.span())) return null;
            return made(a, l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.NORMAL, shape, m.value(), s.value()), from));
        }
        if (a.has(2)) {
            l.diags.error("E0104", a.spanOf(2, "size"), "`normal` of a tensor takes its size from mean and std, not `size`", null);
            return null;
        }
        T m = mean instanceof T t ? t : null, s = std instanceof T t ? t : null;
        for (T t : java.util.Arrays.asList(m, s)) {
            if (t == null) continue;
            String why = !t.dtype().isFloat() ? "of float tensors" : t.rg() ? "of tensors that do not require grad (PyTorch gives them a gradient of zeros, which tx does not yet)" : null;
            if (why != null) {
                l.diags.error("E0104", a.span(), "tx's `normal` of tensors takes mean and std " + why, null);
                return null;
            }
        }
        if ((m == null && !(mean instanceof Val.Num)) || (s == null && !(std instanceof Val.Num))) {
            l.diags.error("E0104", a.span(), "`normal` takes numbers or float tensors for mean and std", null);
            return null;
        }
        int[] shape = m != null && s != null ? Shapes.broadcast(m.shape(), s.shape()) : m != null ? m.shape() : s.shape();
        if (shape == null) {
            l.diags.error("E0201", a.span(), "mean and std of shapes " + Shapes.show(m.shape()) + " and " + Shapes.show(s.shape()) + " do not broadcast", null);
            return null;
        }
        Var z = l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.NORMAL, shape, 0, s == null ? ((Val.Num) std).value() : 1), from);
        Var scaled = s == null ? z : b.mul(z, s.var());
        return made(a, b.add(scaled, m == null ? b.scalar(((Val.Num) mean).value()) : m.var()));
    }

    /**
     * Whether uniform or normal draws of dtype d are possible: floats only, as in PyTorch, which
     * refuses int64 and bool ("check_uniform_bounds" or "normal_kernel_cpu" not implemented). E0220 otherwise.
     */
    private boolean floatDraws(Args a, boolean normal, DType d) {
        if (a.failed) return false;
        if (d.isFloat()) return true;
        l.diags.error("E0220", a.kwSpans.getOrDefault("dtype", a.spanOf(0, null)), "`" + a.fn + "` draws floats only, found dtype " + d.text()
                + " (PyTorch: \"" + (normal ? "normal_kernel_cpu" : "check_uniform_bounds") + "\" not implemented for it)",
                a.kw.containsKey("dtype") ? "leave `dtype=` out, or draw whole numbers with `randint`" : "give `dtype=torch.float64`, or draw whole numbers with `randint`");
        return false;
    }

    /** The values of t as dtype d (tensor([0.7, -1.9], dtype=int64) truncates). */
    private static Tensor converted(Tensor t, DType d) {
        return tx.runtime.kernels.Indexing.cast(t, d);
    }

    /** The data of tensor(...): a number or a rectangular nested list of numbers; {@code types} gets each number's Python type. */
    private Tensor literal(Val v, Span span, List<Val.PyType> types) {
        List<Double> flat = new ArrayList<>();
        int[] shape = literalShape(v, span, flat, types);
        if (shape == null) return null;
        double[] d = new double[flat.size()];
        for (int i = 0; i < d.length; i++) d[i] = flat.get(i);
        return Tensor.of(shape, d);
    }

    private int[] literalShape(Val v, Span span, List<Double> flat, List<Val.PyType> types) {
        if (v instanceof Val.Num n) {
            flat.add(n.value());
            types.add(n.py());
            return Shapes.SCALAR;
        }
        if (v instanceof Val.Bool x) {
            flat.add(x.value() ? 1.0 : 0.0);
            types.add(Val.PyType.BOOL);
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
            int[] s = literalShape(list.items().get(k), list.spans().get(k), flat, types);
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
}
