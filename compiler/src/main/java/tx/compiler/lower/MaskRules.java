package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The built-ins whose result's length is the number of trues of a mask known only at run time:
 * {@code masked_select(x, mask)} and {@code nonzero(x, as_tuple=False)} (LANGUAGE.md §5, v2), beside
 * {@code x[mask]} ({@link AdvancedIndexing}). All three start from {@link #positions}: the row-major
 * positions of the trues, a vector whose length is a symbol of the IR (see {@link RunTimeSizes}).
 */
final class MaskRules extends RuleFamily {
    MaskRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("masked_select", this::maskedSelect);
        rules.put("nonzero", this::nonzero);
    }

    /**
     * The int64 positions of a run-time mask's trues, row-major over the whole mask (PyTorch's
     * nonzero, flattened): a vector whose length is a new symbol, bound to the mask's count of
     * trues. Both are made in the block that makes the mask, so that a loop that selects with a
     * mask from before it reads them from outside (its reversal too) rather than making them again
     * each iteration; a second selection with the same mask reuses them (and so has the same size).
     */
    static Var positions(Lowerer l, Var mask) {
        Builder b = l.b;
        Object key = key(l, mask, 64, new java.util.IdentityHashMap<>());
        Var known = l.maskPositions.get(key);
        List<Stmt> home = b.openBlockDefining(mask);
        if (known != null && (home == null ? b.openBlockDefining(known) != null : b.openBlockDefining(known) == home)) return known;
        java.util.function.Supplier<Var> make = () -> {
            Var count = b.sum(mask, Composites.allAxes(mask.rank()), false);
            int symbol = b.symbol(count);
            return b.emit(Prim.NONZERO, new Attrs.ShapeAttr(new int[] {symbol}), mask, count);
        };
        Var made = home == null || home == b.currentBlock() ? make.get() : b.into(home, make);
        l.maskPositions.put(key, made);
        return made;
    }

    /**
     * A mask as a key: the same for masks computed the same way from the same values (the two
     * {@code y > 0} of {@code y[y > 0] = y[y > 0] ** 0.5}, each a comparison of its own), so that
     * they share positions and their selections one size. Constants by value, equations by their
     * primitive, attribute and operands' keys (to {@code depth} levels, beyond which a value is
     * its variable: deep enough for any mask a program writes, and no deeper recursion), anything
     * else (a load, a parameter) by its variable.
     */
    private static Object key(Lowerer l, Var v, int depth, Map<Var, Object> known) {
        Object k = known.get(v);
        if (k == null) known.put(v, k = keyOf(l, v, depth, known)); // a value read twice is keyed once
        return k;
    }

    private static Object keyOf(Lowerer l, Var v, int depth, Map<Var, Object> known) {
        Tensor c = l.b.constantValue(v);
        if (c != null) return List.of("constant", v.dtype(), java.util.Arrays.toString(c.shapeRef()), java.util.Arrays.toString(c.data()));
        Stmt.Eqn e = depth == 0 ? null : l.graph.definition(v);
        if (e == null || e.prim() == Prim.LOAD || e.prim() == Prim.CONST) return v; // random numbers are seeded: their attribute says which
        List<Object> key = new ArrayList<>();
        key.add(e.prim());
        key.add(attrKey(e.attr()));
        for (Var x : e.in()) key.add(key(l, x, depth - 1, known));
        return key;
    }

    /** An attribute as a value: a record's components, arrays by their elements. */
    private static Object attrKey(Object attr) {
        if (!(attr instanceof Record r)) return attr == null ? "none" : attr;
        List<Object> parts = new ArrayList<>();
        parts.add(r.getClass());
        for (java.lang.reflect.RecordComponent rc : r.getClass().getRecordComponents()) {
            try {
                Object x = rc.getAccessor().invoke(r);
                parts.add(x instanceof int[] a ? java.util.Arrays.toString(a) : x instanceof Record ? attrKey(x) : x);
            } catch (ReflectiveOperationException ex) {
                return new Object(); // unknown: equal to nothing else
            }
        }
        return parts;
    }

    /** masked_select(x, mask): x and the mask broadcast together, then the elements where the mask is true, as a vector. */
    private Val maskedSelect(Args a) {
        if (!a.shape(2, 2, "mask")) return null;
        T x = a.tensor(0), m = a.tensor(1, "mask");
        if (x == null || m == null || !host.mask(m, "masked_select", "mask", a.spanOf(1, "mask"))) return null;
        int[] common = Shapes.broadcast(x.shape(), m.shape());
        if (common == null) {
            l.diags.error("E0201", a.span(), "`masked_select`: the mask " + Shapes.show(m.shape()) + " does not broadcast with the input " + Shapes.show(x.shape()),
                    "the mask and the input broadcast together, as in PyTorch");
            return null;
        }
        int[] flat = {Shapes.numel(common)};
        Var xs = b.reshape(b.expand(x.var(), common), flat), ms = b.reshape(b.expand(m.var(), common), flat);
        return out(host.selection.selectAlong(xs, 0, positions(l, ms)), "MaskedSelectBackward0");
    }

    /**
     * nonzero(x, as_tuple=False): the indices of x's non-zero elements, one row [k, x.ndim] per
     * element in row-major order (as_tuple=True: one int64 vector per dimension). Each coordinate
     * is {@code position // stride % size}.
     */
    private Val nonzero(Args a) {
        if (!a.shape(1, 1, "as_tuple")) return null;
        T x = a.tensor(0);
        boolean tuple = a.bool("as_tuple", false);
        if (x == null || a.failed) return null;
        int[] s = x.shape();
        if (s.length == 0) {
            l.diags.error("E0105", a.span(), "`nonzero` of a 0-dimensional tensor is not supported yet", "make it a vector first: `x.reshape(1)`");
            return null;
        }
        Var mask = x.dtype() == DType.BOOL ? x.var() : b.ne(x.var(), b.scalar(0, x.dtype()));
        Var p = positions(l, b.reshape(mask, new int[] {Shapes.numel(s)}));
        int[] strides = Shapes.strides(s);
        if (tuple) {
            List<Val> items = new ArrayList<>();
            for (int d = 0; d < s.length; d++) items.add(out(coordinate(p, b.scalar(strides[d], DType.INT64), b.scalar(s[d], DType.INT64)), null));
            return new Val.Tuple(items);
        }
        Var rows = b.reshape(p, new int[] {p.shapeRef()[0], 1});
        return out(coordinate(rows, ints(strides), ints(s)), null);
    }

    private Var coordinate(Var position, Var stride, Var size) {
        return b.emit(Prim.REMAINDER, null, b.emit(Prim.FLOOR_DIVIDE, null, position, stride), size);
    }

    private Var ints(int[] values) {
        double[] d = new double[values.length];
        for (int k = 0; k < d.length; k++) d[k] = values[k];
        return b.constant(Tensor.of(new int[] {d.length}, d), DType.INT64);
    }
}
