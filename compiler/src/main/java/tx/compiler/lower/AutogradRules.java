package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.ad.Reverse;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/** The autograd and output built-ins: backward (the adjoint is built where it stands), detach, item, zero_grad, requires_grad_, print, assert_close. */
final class AutogradRules extends RuleFamily {
    AutogradRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        autograd();
        output();
    }

    // ---- autograd --------------------------------------------------------------------------------------

    private void autograd() {
        rules.put("backward", this::backward);
        rules.put("set_grad_enabled", a -> GradModes.set(l, a));
        rules.put("is_grad_enabled", a -> a.shape(0, 0) ? GradModes.enabled(l) : null);
        rules.put("detach", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            return x == null ? null : l.autograd.view(x.var()); // shares x's storage, as PyTorch's detach does
        });
        rules.put("item", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            if (Shapes.symbolic(x.shape())) { // PyTorch raises unless the run leaves one element
                RunTimeSizes.refuse(l, a.span(), "`item()`");
                return null;
            }
            if (Shapes.numel(x.shape()) != 1) {
                l.diags.error("E0201", a.span(), "only one-element tensors can be converted to a number: this one has shape " + Shapes.show(x.shape()), null);
                return null;
            }
            // a Python number of the tensor's kind: an int64 tensor's item is an int, a bool tensor's a bool
            Val.PyType py = switch (x.dtype()) {
                case INT64 -> Val.PyType.INT;
                case BOOL -> Val.PyType.BOOL;
                case FLOAT64 -> Val.PyType.FLOAT;
            };
            return T.scalar(b.stopGrad(b.reshape(x.var(), Shapes.SCALAR)), py);
        });
        rules.put("tolist", a -> {
            if (!a.shape(1, 1)) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            if (RunTimeSizes.sized(x)) return RunTimeSizes.tolist(l, a, x, TOLIST_LIMIT);
            int n = Shapes.numel(x.shape());
            if (n > TOLIST_LIMIT) {
                l.diags.error("E0105", a.span(), "`tolist` of a tensor of " + n + " numbers: tx makes Python lists of at most " + TOLIST_LIMIT,
                        "print the tensor itself, or a part of it: `x[:10].tolist()`");
                return null;
            }
            Var flat = b.stopGrad(b.reshape(x.var(), new int[] {n}));
            return nested(a, x, flat, 0, 0);
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
                l.gradValues.forget(x.leaf());
            }
            return new Val.None("`zero_grad` returns None");
        });
        rules.put("requires_grad_", a -> {
            if (!a.shape(1, 2, "requires_grad")) return null;
            T x = a.tensor(0);
            if (x == null) return null;
            boolean on = a.bool(1, "requires_grad", true);
            if (a.failed) return null;
            return l.autograd.requiresGrad(x, on, a.span(), a.spanOf(0, null), a.call);
        });
    }

    /** backward(s) / backward(y, g): the adjoint program is built right here (see {@link Reverse}). */
    private Val backward(Args a) {
        if (a.call.callee() instanceof tx.compiler.syntax.Ast.Name && a.kw.containsKey("grad_tensors") && !a.kw.containsKey("gradient")) {
            a.kw.put("gradient", a.kw.remove("grad_tensors")); // torch.autograd.backward(tensors, grad_tensors=...): the method's gradient=
            a.kwSpans.put("gradient", a.kwSpans.remove("grad_tensors"));
        }
        if (a.call.callee() instanceof tx.compiler.syntax.Ast.Name && !a.pos.isEmpty() && a.pos.get(0) instanceof Val.ListV roots) return backwardAll(a, roots);
        if (!a.shape(1, 5, "gradient", "retain_graph", "create_graph", "inputs")) return failedBackward();
        T s = a.tensor(0);
        if (s == null) return failedBackward();
        boolean createGraph = a.bool(3, "create_graph", false);
        boolean retainGraph = a.bool(2, "retain_graph", createGraph); // PyTorch: retain_graph defaults to create_graph
        java.util.Set<Integer> inputs = a.get(4, "inputs") == null ? null : inputs(a);
        if (a.failed || a.get(4, "inputs") != null && inputs == null) return failedBackward();
        String name = l.text(a.spanOf(0, null));
        String shown = name == null ? "the output" : "`" + name + "`";
        if (!s.rg()) {
            l.diags.error("E0302", a.span(), shown + " does not require grad, so there is nothing to differentiate",
                    "PyTorch: \"element 0 of tensors does not require grad and does not have a grad_fn\";\n"
                            + (l.graph.cutByNoGrad(s.var()) ? "it was computed inside `with no_grad` from tensors that require grad: compute it outside"
                            : "make an input a leaf with `requires_grad=true`"));
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
            seed = createGraph ? g.var() : b.stopGrad(g.var()); // with create_graph, the output gradient is differentiated too
        } else if (Shapes.symbolic(s.shape()) || Shapes.numel(s.shape()) != 1) { // NOTE: a size known only at run time is not known to be 1
            nonScalar(a, s, name);
            return failedBackward();
        } else {
            String old = b.named(s.var().name() == null ? null : "d_" + s.var().name());
            seed = b.fill(s.shape(), 1.0); // d s / d s = 1
            b.named(old);
        }
        if (!l.autograd.notFreed(s.var(), a.span())) return failedBackward();
        Reverse.Result r = l.autograd.reverse(s.var(), seed, createGraph);
        l.autograd.endBackward();
        if (r.blockedAt() != null && Reverse.NOT_BUILT.equals(r.blockedWhy()) && l.diags.hasErrors()) return failedBackward(); // reported already
        if (r.blockedAt() != null) {
            String help = l.graph.barrierHelp(r.blockedAt());
            l.diags.error("E0306", a.span(), "this backward would have to differentiate through " + r.blockedWhy(), help != null ? help
                    : "a backward inside a loop reaches only its own iteration (PyTorch would need retain_graph=True);\n"
                            + "call backward after the loop, and tx runs the whole loop backwards");
            return failedBackward();
        }
        if (!retainGraph) l.autograd.free(s.var(), "backward", a.span());
        boolean old = createGraph ? l.graph.noGrad() : l.graph.setNoGrad(true); // a plain backward's sums are not recorded
        try {
            for (Map.Entry<Integer, Var> e : r.leafAdjoints().entrySet()) {
                if (e.getKey() >= l.leafNames.size()) continue; // a transform's parameter: it has no .grad register
                if (inputs != null && !inputs.contains(e.getKey())) continue; // inputs=: only these leaves' .grad
                String leaf = l.leafNames.get(e.getKey());
                if (!l.gradValues.accumulate(e.getKey(), e.getValue(), createGraph, a.span(), leaf == null ? "this leaf's `.grad`" : "`" + leaf + ".grad`")) {
                    return failedBackward();
                }
            }
        } finally {
            l.graph.setNoGrad(old);
        }
        return new Val.None("`backward` returns None");
    }

    /**
     * {@code torch.autograd.backward([y1, y2], [g1, g2])}: one backward from several roots, as the
     * backward of each in turn, every one but the last keeping the graph (the gradients add up in
     * {@code .grad} just the same); the last frees it unless {@code retain_graph=True}.
     */
    private Val backwardAll(Args a, Val.ListV roots) {
        Val g = a.get(1, "gradient");
        List<Val> grads = g instanceof Val.ListV list ? list.items() : null;
        if (roots.items().isEmpty() || g != null && !(g instanceof Val.None) && (grads == null || grads.size() != roots.items().size())) {
            l.diags.error("E0104", a.span(), roots.items().isEmpty() ? "`backward` needs at least one tensor"
                    : roots.items().size() == 1 ? "`backward` of one tensor takes one gradient, in a list of one"
                    : "`backward` takes one gradient for each of its " + roots.items().size() + " tensors, in a list of as many",
                    "e.g. `torch.autograd.backward([y1, y2], [g1, g2])`, or leave the gradients out for scalars");
            return failedBackward();
        }
        for (int k = 0; k < roots.items().size(); k++) {
            Args one = new Args(l, a.fn, a.call);
            one.pos.add(roots.items().get(k));
            one.posSpans.add(k < roots.spans().size() ? roots.spans().get(k) : a.spanOf(0, null));
            for (String key : List.of("create_graph", "inputs", "retain_graph")) {
                if (!a.kw.containsKey(key)) continue;
                one.kw.put(key, a.kw.get(key));
                one.kwSpans.put(key, a.kwSpans.get(key));
            }
            if (k < roots.items().size() - 1) one.kw.put("retain_graph", new Val.Bool(true)); // the later roots' backwards still need the graph
            if (grads != null && !(grads.get(k) instanceof Val.None)) {
                one.kw.put("gradient", grads.get(k));
                one.kwSpans.put("gradient", a.spanOf(1, "gradient"));
            }
            if (backward(one) == null) return null;
        }
        return new Val.None("`backward` returns None");
    }

    /**
     * {@code backward(inputs=...)}: the tensors, one or a list or tuple of them, whose {@code .grad}
     * the backward accumulates into (the others are left as they are, as PyTorch): leaves, or tensors
     * computed from them, which get a {@code .grad} of their own ({@link AutogradApi#backwardInput}).
     * Null after reporting.
     */
    private java.util.Set<Integer> inputs(Args a) {
        Val v = a.get(4, "inputs");
        Span at = a.spanOf(4, "inputs");
        List<Val> items = v instanceof Val.ListV list ? list.items() : List.of(v);
        if (items.isEmpty()) {
            l.diags.error("E0104", at, "`inputs` of `backward` cannot be empty", "name the leaves whose `.grad` it should set, or leave `inputs=` out for all of them");
            return null;
        }
        java.util.Set<Integer> out = new java.util.HashSet<>();
        List<Span> spans = v instanceof Val.ListV list ? list.spans() : null;
        for (int k = 0; k < items.size(); k++) {
            Val item = items.get(k);
            if (!(item instanceof T t) || !t.rg()) {
                l.diags.error("E0104", at, "`inputs` of `backward` takes tensors that require grad, found " + (item instanceof T ? "one that does not" : item.describe()),
                        item instanceof T ? "PyTorch: \"One of the differentiated Tensors does not require grad\"" : null);
                return null; // the caller's failedBackward ends the backward
            }
            out.add(t.leaf() >= 0 ? t.leaf() : l.autograd.backwardInput(t, spans != null ? spans.get(k) : at, l.text(spans != null ? spans.get(k) : at)));
        }
        return out;
    }

    /**
     * After a backward that could not be checked, no one knows which grads it would have set, so
     * later complaints that a grad is None would only repeat the first error: they are silenced.
     */
    private Val failedBackward() {
        l.autograd.endBackward();
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
                        + "or pass the output gradient: `" + y + ".backward(" + (Shapes.symbolic(s.shape()) ? "ones_like(" + y + ")" : "ones(" + dims + ")") + ")`");
    }

    // ---- output ------------------------------------------------------------------------------------------

    /** print's sep= or end=: a string known at compile time, or None (the default); null after reporting. */
    private String printText(Args a, String key, String dflt) {
        Val v = a.kw.get(key);
        if (v == null || v instanceof Val.None) return dflt;
        if (v instanceof Val.Str s) return s.value();
        l.diags.error("E0401", a.kwSpans.get(key), "`print`'s " + key + " must be a string known at compile time or None, found " + v.describe(), null);
        return null;
    }

    private void output() {
        rules.put("print", a -> {
            if (!a.shape(0, Integer.MAX_VALUE, "sep", "end")) return null;
            String sep = printText(a, "sep", " "), end = printText(a, "end", "\n");
            if (sep == null || end == null) return null;
            List<Stmt.PrintItem> items = new ArrayList<>();
            for (int i = 0; i < a.pos.size(); i++) {
                Val.Tuple pair = l.namedPair(a.pos.get(i));
                if (pair != null) {
                    items.add(namedPair(l.namedPairs.get(pair), pair));
                    continue;
                }
                if (a.pos.get(i) instanceof T t && l.indicesOf.containsKey(t.var())) { // max(x, dim=1): PyTorch's (values, indices)
                    items.add(namedPair(l.extremeOf.get(t.var()), new Val.Tuple(List.of(l.exprs.valuesOf(t), l.indicesOf.get(t.var())))));
                    continue;
                }
                if (a.pos.get(i) instanceof Val.Fn) {
                    l.diags.error("E0401", a.posSpans.get(i), "`print` takes tensors, numbers, strings, lists and tuples, found " + a.pos.get(i).describe(), null);
                    return null;
                }
                if (!Sets.printable(l, a.pos.get(i), a.posSpans.get(i))) return null;
                items.add(printItem(a.pos.get(i)));
            }
            b.add(new Stmt.Print(items, sep, end, b.origin()));
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

    /** PyTorch's named tuple: {@code torch.return_types.sort(\nvalues=tensor(...),\nindices=tensor(...))}, slogdet's with sign= and logabsdet=. */
    private Stmt.PrintItem namedPair(String kind, Val.Tuple t) {
        List<String> names = Lowerer.fields(kind);
        List<Stmt.PrintItem> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            parts.add(new Stmt.PrintItem.Text((i == 0 ? "torch.return_types." + kind + "(\n" : ",\n") + names.get(i) + "="));
            parts.add(printItem(t.items().get(i)));
        }
        parts.add(new Stmt.PrintItem.Text(")"));
        return new Stmt.PrintItem.Joined(parts);
    }

    private Stmt.PrintItem printItem(Val v) {
        return printItem(l, v);
    }

    /** How {@code print} shows one value (also an assert's message, which Python shows as {@code str} of it). */
    /** The most numbers {@code tolist} makes into a Python list: each is a value of the program. */
    private static final int TOLIST_LIMIT = 4096;

    /**
     * {@code x.tolist()}: nested Python lists of x's numbers (Python floats, ints or bools, by x's
     * dtype), each read from the flat copy {@code flat} when the program runs; a 0-dimensional x gives
     * its number. From axis {@code axis} on, starting at element {@code at} of flat.
     */
    private Val nested(Args a, T x, Var flat, int axis, int at) {
        int[] s = x.shape();
        if (axis == s.length) {
            Val.PyType py = switch (x.dtype()) {
                case INT64 -> Val.PyType.INT;
                case BOOL -> Val.PyType.BOOL;
                case FLOAT64 -> Val.PyType.FLOAT;
            };
            return T.scalar(b.reshape(b.slice(flat, new int[] {at}, new int[] {at + 1}, new int[] {1}), Shapes.SCALAR), py);
        }
        int stride = Shapes.numel(java.util.Arrays.copyOfRange(s, axis + 1, s.length));
        List<Val> items = new java.util.ArrayList<>();
        for (int i = 0; i < s[axis]; i++) items.add(nested(a, x, flat, axis + 1, at + i * stride));
        return new Val.ListV(items, java.util.Collections.nCopies(items.size(), a.span()));
    }

    static Stmt.PrintItem printItem(Lowerer l, Val v) {
        if (Sequences.items(v) != null) return l.sequences.print(v, x -> printItem(l, x));
        if (v instanceof Val.DictV d) return l.sequences.printDict(d, x -> printItem(l, x));
        if (v instanceof Val.SetV s) return Sets.print(s);
        if (v instanceof Val.RunList r) return RunLists.print(r); // a list whose length is known only at run time
        if (v instanceof Val.RangeV r) return new Stmt.PrintItem.Text(r.show()); // Python's repr: range(0, 5)
        if (v instanceof Val.Shape s) return RunTimeSizes.shapeItem(l, s.dims());
        if (v instanceof Val.Num n && n.py() == Val.PyType.BOOL) return new Stmt.PrintItem.Text(n.value() != 0 ? "True" : "False");
        if (v instanceof Val.Num n) return new Stmt.PrintItem.Text(n.py() == Val.PyType.INT ? Formatting.integer(n.value()) : tx.runtime.tensor.PyFloat.repr(n.value()));
        if (v instanceof Val.Formatted f) return new Stmt.PrintItem.Joined(f.parts());
        if (v instanceof T t) return t.item() ? Formatting.scalarItem(t) : Formatting.tensorItem(t);
        return new Stmt.PrintItem.Text(staticText(v));
    }

    private static String staticText(Val v) {
        if (v instanceof Val.Str s) return s.value();
        if (v instanceof Val.Bool bv) return bv.value() ? "True" : "False";
        if (v instanceof Val.DTypeV d) return d.dtype().toString();
        if (v instanceof Val.Shape s) return "torch.Size(" + Shapes.show(s.dims()) + ")"; // as PyTorch prints x.shape
        if (v instanceof Val.ListV list) {
            StringBuilder sb = new StringBuilder("[");
            for (Val x : list.items()) sb.append(sb.length() == 1 ? "" : ", ").append(x instanceof T ? "tensor" : staticText(x));
            return sb.append(']').toString();
        }
        return "None";
    }
}
