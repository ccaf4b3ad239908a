package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/** The shape built-ins: reshape, view, flatten, squeeze, unsqueeze, expand, broadcast_to, cat, stack. */
final class ShapeRules extends RuleFamily {
    ShapeRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("Size", a -> { // torch.Size([2, 3]): a shape, as x.shape gives, from whole numbers known at compile time
            if (!a.shape(1, 1)) return null;
            double[] sizes = a.pos.get(0) instanceof Val.ListV list ? new double[list.items().size()] : null;
            for (int i = 0; sizes != null && i < sizes.length; i++) {
                Val item = ((Val.ListV) a.pos.get(0)).items().get(i);
                if (!(item instanceof Val.Num n) || n.value() != Math.rint(n.value()) || n.value() < 0) sizes = null;
                else sizes[i] = n.value();
            }
            if (sizes == null) {
                l.diags.error("E0401", a.spanOf(0, null), "`torch.Size` takes a list or tuple of sizes known at compile time, found " + a.pos.get(0).describe(),
                        "e.g. `torch.Size([2, 3])`, or `x.shape`");
                return null;
            }
            int[] dims = new int[sizes.length];
            for (int i = 0; i < dims.length; i++) dims[i] = (int) sizes[i];
            return new Val.Shape(dims);
        });
        shapes();
    }

    // ---- shapes -------------------------------------------------------------------------------------

    private void shapes() {
        rules.put("reshape", a -> {
            if (!a.shape(2, Integer.MAX_VALUE)) return null;
            T x = a.tensor(0);
            int[] s = a.shapeFrom(1, true);
            if (x == null || s == null) return null;
            s = inferSize(a, x, s);
            if (s != null && Shapes.symbolic(x.shape()) && !Shapes.symbolic(s)) x = allGiven(a, x, s);
            // PyTorch 1.13: reshape of a contiguous tensor is _reshape_alias, view is view (a transposed one's reshape copies: UnsafeViewBackward0, not followed here)
            return s == null ? null : host.view(x, b.reshape(x.var(), s), a.fn.equals("view") ? "ViewBackward0" : "ReshapeAliasBackward0");
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
            if (s0.equals(s1) && r > 0) return x; // flattening one axis: PyTorch returns x itself
            List<Integer> shape = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                if (i < s0 || i > s1) shape.add(x.shape()[i]);
                else if (i == s1) shape.add(RunTimeSizes.flat(b, Arrays.copyOfRange(x.shape(), s0, s1 + 1))[0]); // a symbol where a size is known only at run time
            }
            if (r == 0) shape.add(1);
            return out(b.reshape(x.var(), shape.stream().mapToInt(Integer::intValue).toArray()),
                    "ReshapeAliasBackward0");
        });
        rules.put("squeeze", a -> {
            if (!a.shape(1, 2, "dim")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            Integer d = a.get(1, "dim") == null ? null : a.dim(1, "dim", x.shape().length);
            if (a.failed) return null;
            List<Integer> shape = new ArrayList<>();
            for (int i = 0; i < x.shape().length; i++) {
                if (Shapes.isSymbol(x.shape()[i]) && (d == null || d == i)) { // PyTorch squeezes it if the run makes it 1
                    RunTimeSizes.refuse(l, a.span(), "`squeeze` of a dimension (PyTorch drops it when the run makes it 1, so the rank would depend on the data)");
                    return null;
                }
                if (x.shape()[i] == 1 && (d == null || d == i)) continue;
                shape.add(x.shape()[i]);
            }
            return host.view(x, b.reshape(x.var(), shape.stream().mapToInt(Integer::intValue).toArray()), d == null ? "SqueezeBackward0" : "SqueezeBackward1");
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
        rules.put("dim", a -> { // x.dim(): the number of axes, as x.ndim
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : new Val.Num(x.shape().length, Val.PyType.INT);
        });
        rules.put("expand", a -> expand(a, true));
        rules.put("broadcast_to", a -> expand(a, false));
        rules.put("cat", a -> join(a, false));
        rules.put("stack", a -> a.pos.size() == 1 && a.kw.isEmpty() && a.pos.get(0) instanceof Val.RunList r ? new RunLists(l).stack(r, a.spanOf(0, null)) : join(a, true));
    }

    /** Resolves one -1 in a reshape and checks the element count. */
    private int[] inferSize(Args a, T x, int[] s) {
        if (Shapes.symbolic(x.shape())) return inferRunTimeSize(a, x, s);
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

    /**
     * A reshape of a tensor whose size is known only at run time ({@code x[mask].view(-1, 2)}): its
     * -1 is a size known then, the number of elements over the other sizes, and the run stops with
     * PyTorch's message where that does not divide (E0509). Without a -1, the new shape would fix the
     * size, which only the run can confirm: E0105.
     */
    private int[] inferRunTimeSize(Args a, T x, int[] s) {
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && unknown < 0) unknown = i;
            else if (s[i] == -1) {
                l.diags.error("E0205", a.span(), "only one dimension of a reshape can be -1", null);
                return null;
            } else known *= s[i];
        }
        if (unknown >= 0 && known == 0) {
            RunTimeSizes.refuse(l, a.span(), "a reshape with a -1 and a 0");
            return null;
        }
        if (unknown < 0) return s; // the count is checked when it runs (see allGiven)
        long fixed = Shapes.numel(Shapes.fixedPart(x.shape()));
        int[] out = s.clone();
        int[] syms = Shapes.symbols(x.shape());
        if (fixed == known && syms.length == 1 && Arrays.stream(x.shape()).filter(d -> d == syms[0]).count() == 1) {
            out[unknown] = syms[0]; // [?1, 2] viewed as [-1, 2]: the same symbol
            return out;
        }
        Var n = RunTimeSizes.product(b, x.shape());
        Var k = b.scalar(known, tx.runtime.tensor.DType.INT64);
        if (fixed % known != 0) {
            List<tx.runtime.ir.Stmt.PrintItem> message = List.of(RunTimeChecks.text("shape '" + Arrays.toString(s) + "' is invalid for input of size "),
                    RunTimeChecks.shown(l, n));
            RunTimeChecks.require(l, a.span(), b.emit(Prim.EQ, null, b.emit(Prim.REMAINDER, null, n, k), b.scalar(0, tx.runtime.tensor.DType.INT64)), message);
        }
        out[unknown] = b.symbol(b.emit(Prim.FLOOR_DIVIDE, null, n, k));
        return out;
    }

    /**
     * x, whose size is known only at run time, relabelled as a vector of a fixed number of elements
     * (the product of the shape {@code s} a reshape gives in full), after a check when the program
     * runs that it has that many, with PyTorch's "shape '[2, 3]' is invalid for input of size 5"
     * (E0509): the reshape to s is then one of fixed sizes.
     */
    private T allGiven(Args a, T x, int[] s) {
        int n = Shapes.numel(s);
        Var flat = b.reshape(x.var(), RunTimeSizes.flat(b, x.shape()));
        List<tx.runtime.ir.Stmt.PrintItem> message = List.of(RunTimeChecks.text("shape '" + Arrays.toString(s) + "' is invalid for input of size "),
                RunTimeChecks.shown(l, b.sizeOf(flat.shapeRef()[0])));
        RunTimeChecks.require(l, a.span(), b.emit(Prim.EQ, null, b.sizeOf(flat.shapeRef()[0]), b.scalar(n, tx.runtime.tensor.DType.INT64)), message);
        return x.withVar(b.reshape(flat, new int[] {n}));
    }

    private Val expand(Args a, boolean sizes) {
        if (!a.shape(2, Integer.MAX_VALUE)) return null;
        T x = a.tensor(0);
        int[] s = a.shapeFrom(1, true);
        if (x == null || s == null) return null;
        int lead = s.length - x.shape().length;
        for (int i = 0; i < s.length && lead >= 0; i++) if (s[i] == -1 && i >= lead) s[i] = x.shape()[i - lead];
        for (int i = Math.max(lead, 0); i < s.length && lead >= 0; i++) if (Shapes.isSymbol(x.shape()[i - lead]) && s[i] != x.shape()[i - lead]) {
            return RunTimeSizes.refused(l, a.span(), "`" + a.fn + "` of a size to a fixed one (-1 keeps it)");
        }
        if (lead < 0 || !Shapes.broadcastsTo(x.shape(), s)) {
            l.diags.error("E0201", a.span(), "cannot expand a tensor of shape " + Shapes.show(x.shape()) + " to " + Shapes.show(s),
                    "only dimensions of size 1 can grow, and new dimensions go in front");
            return null;
        }
        return host.view(x, b.expand(x.var(), s), "ExpandBackward0");
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
        if (xs.stream().anyMatch(x -> Shapes.symbolic(x.shape()))) return joinSized(a, list, xs, d, stack);
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
            if (stack) v = b.reshape(v, inserted(s, d));
            vs.add(v);
        }
        if (!stack && rank == 0) {
            l.diags.error("E0207", a.span(), "`cat` cannot join scalars (they have no dimension); use `stack`", null);
            return null;
        }
        return out(b.emit(Prim.CAT, new Attrs.Axis(d), vs.toArray(new Var[0])), stack ? "StackBackward0" : "CatBackward0");
    }

    /**
     * cat or stack of tensors with sizes known only at run time ({@code cat([x[m], y])}): each part is
     * padded into the result at its offset along the axis, known when the program runs, and chosen
     * there by {@code where} (so every value, -0.0 included, is the part's own); the joined size is a
     * new size known only at run time, the sum of the parts'. The other sizes must be the same (a
     * symbol equals only itself here: E0105 otherwise).
     */
    private Val joinSized(Args a, Val.ListV list, List<T> xs, int d, boolean stack) {
        List<Var> parts = new ArrayList<>();
        int[] first = xs.get(0).shape();
        for (int k = 0; k < xs.size(); k++) {
            T x = xs.get(k);
            if (x.dtype() != tx.runtime.tensor.DType.FLOAT64 || (stack ? !Arrays.equals(x.shape(), first) : !sameExcept(x.shape(), first, d))) {
                RunTimeSizes.refuse(l, list.spans().get(k), "`" + a.fn + "` of parts whose other sizes may differ, or that are not float64,");
                return null;
            }
            parts.add(stack ? b.reshape(x.var(), inserted(x.shape(), d)) : x.var());
        }
        if (!stack && first.length == 0) return null;
        int[] out = parts.get(0).shape();
        Var total = RunTimeChecks.size(l, 0);
        for (Var p : parts) total = b.add(total, RunTimeChecks.size(l, p.shapeRef()[d]));
        boolean fixed = parts.stream().noneMatch(p -> Shapes.isSymbol(p.shapeRef()[d]));
        out[d] = fixed ? parts.stream().mapToInt(p -> p.shapeRef()[d]).sum() : b.symbol(total);
        Var joined = null, offset = RunTimeChecks.size(l, 0);
        for (Var p : parts) {
            Var placed = b.dynamicPad(p, offset, out, d, 1);
            if (joined == null) joined = placed;
            else joined = b.where(b.dynamicPad(b.fill(p.shape(), 1.0, tx.runtime.tensor.DType.BOOL), offset, out, d, 1), placed, joined);
            offset = b.add(offset, RunTimeChecks.size(l, p.shapeRef()[d]));
        }
        return out(joined, stack ? "StackBackward0" : "CatBackward0");
    }

    private static int[] inserted(int[] s, int d) {
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == d ? 1 : s[j++];
        return out;
    }

    private static boolean sameExcept(int[] s, int[] t, int d) {
        if (s.length != t.length) return false;
        for (int i = 0; i < s.length; i++) if (i != d && s[i] != t[i]) return false;
        return true;
    }
}
