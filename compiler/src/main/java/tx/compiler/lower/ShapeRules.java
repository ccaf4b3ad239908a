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
            return s == null ? null : host.view(x, b.reshape(x.var(), s), x.leaf() >= 0 ? "ReshapeAliasBackward0" : "ViewBackward0");
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
        rules.put("expand", a -> expand(a, true));
        rules.put("broadcast_to", a -> expand(a, false));
        rules.put("cat", a -> join(a, false));
        rules.put("stack", a -> a.pos.size() == 1 && a.kw.isEmpty() && a.pos.get(0) instanceof Val.RunList r ? new RunLists(l).stack(r, a.spanOf(0, null)) : join(a, true));
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
}
