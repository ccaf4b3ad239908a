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
import tx.runtime.tensor.Shapes;

/**
 * max_unpool1d/2d(input, indices, kernel_size, stride=None, padding=0, output_size=None), F's
 * partial inverse of max pooling: zeros of the output size with each input element written at its
 * index, the flat position h·W + w within its plane that {@code max_pool*(return_indices=True)}
 * gives. It is one {@link Prim#SCATTER} along the flattened planes, so a repeated index keeps the
 * last element written (PyTorch's CPU order), and the gradient is PyTorch's: each element gets its
 * position's gradient, an overwritten one too. As PyTorch's F.max_unpool1d, the 1-d form is the 2-d
 * one on planes of width 1 (its words name them: "4x1"), and its grad_fn is SqueezeBackward1.
 *
 * <p>Misuse is located: E0210 for the rank, the indices' shape, an empty plane and output_size
 * (PyTorch's words), E0220 for indices that are not int64 or an input that is not float64. An index
 * outside its output plane stops the run (E0509) with PyTorch's message, which names the last bad
 * index in row-major order, as its sequential kernel does.
 */
final class UnpoolRules extends RuleFamily {
    UnpoolRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("max_unpool1d", a -> unpool(a, 1));
        rules.put("max_unpool2d", a -> unpool(a, 2));
    }

    private Val unpool(Args a, int dims) {
        if (!a.shape(2, 6, "kernel_size", "stride", "padding", "output_size")) return null;
        T x = a.tensor(0), idx = a.tensor(1);
        if (x == null || idx == null || a.failed) return null;
        if (a.get(2, "kernel_size") == null) return refuse(a, "E0104", a.span(), "`" + a.fn + "` needs a kernel_size", null);
        int[] kernel = ints(a, 2, "kernel_size", dims, null, 1), stride = ints(a, 3, "stride", dims, kernel, 1), padding = ints(a, 4, "padding", dims, new int[dims], 0);
        if (kernel == null || stride == null || padding == null || !fits(a, x, idx, dims)) return null;
        int[] xs = planes(x.shape(), dims);
        if (Arrays.stream(xs).anyMatch(Shapes::isSymbol)) return RunTimeSizes.refused(l, a.span(), "`" + a.fn + "`");
        int[] out = outputSize(a, xs, dims, kernel, stride, padding);
        return out == null ? null : place(a, x, idx, dims, xs, out);
    }

    /** The input's shape as PyTorch's kernel sees it: 1-d planes get a width of 1. */
    private static int[] planes(int[] shape, int dims) {
        return dims == 2 ? shape : Shapes.concat(shape, new int[] {1});
    }

    /** PyTorch's checks of the input and the indices, in its order. */
    private boolean fits(Args a, T x, T idx, int dims) {
        Span at = a.spanOf(0, "input");
        if (idx.dtype() != DType.INT64) {
            return wrong(a, "E0220", a.spanOf(1, "indices"), "elements in indices should be type int64 but got: " + torchName(idx.dtype()), "convert them with `.long()`");
        }
        int[] xs = planes(x.shape(), dims), is = planes(idx.shape(), dims);
        if (xs.length != 3 && xs.length != 4) {
            return wrong(a, "E0210", at, "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with " + xs.length + " dimensions.",
                    dims == 2 ? "an input of shape [N, C, H, W] or [C, H, W]" : "an input of shape [N, C, L] or [C, L]");
        }
        if (!Arrays.equals(xs, is)) {
            return wrong(a, "E0210", a.spanOf(1, "indices"), "Expected shape of indices to be same as that of the input tensor (" + Shapes.show(xs)
                    + ") but got indices tensor with shape: " + Shapes.show(is), "the indices are max_pool's, of its result's shape");
        }
        for (int d = 1; d < xs.length; d++) {
            if (xs[d] == 0) {
                return wrong(a, "E0210", at, "max_unpooling2d_forward_out_cpu(): Expected input to have non-zero size for non-batch dimensions, but got "
                        + Shapes.show(xs) + " with dimension " + d + " being empty.", null);
            }
        }
        if (x.dtype() != DType.FLOAT64) {
            return wrong(a, "E0220", at, "\"max_unpool2d\" not implemented for '" + torchName(x.dtype()) + "'", "convert the input with `.double()`");
        }
        return true;
    }

    /** output_size as F._unpool_output_size computes it: the default from the geometry, or the one given, within a stride of it. */
    private int[] outputSize(Args a, int[] xs, int dims, int[] kernel, int[] stride, int[] padding) {
        int[] dflt = new int[dims];
        for (int d = 0; d < dims; d++) dflt[d] = (xs[xs.length - 2 + d] - 1) * stride[d] + kernel[d] - 2 * padding[d];
        Val v = a.get(5, "output_size");
        Span at = a.spanOf(5, "output_size");
        int[] out = dflt;
        if (v != null && !(v instanceof Val.None)) {
            List<Val> items = v instanceof Val.ListV list ? list.items() : v instanceof Val.Tuple t ? t.items() : null;
            int[] given = v instanceof Val.Shape s ? s.dims() : items == null ? null : new int[items.size()];
            if (given == null) return refuse(a, "E0210", at, "object of type '" + pyType(v) + "' has no len()", "give output_size as a list: `output_size=" + (dims == 2 ? "[5, 5]" : "[5]") + "`");
            for (int k = 0; items != null && k < items.size(); k++) {
                Integer n = l.exprs.integer(items.get(k), at, "`output_size`");
                if (n == null) { a.failed = true; return null; }
                given[k] = n;
            }
            if (given.length == dims + 2) given = Arrays.copyOfRange(given, 2, given.length);
            if (given.length != dims) {
                return refuse(a, "E0210", at, "output_size should be a sequence containing " + dims + " or " + (dims + 2) + " elements, but it has a length of '"
                        + given.length + "'", null);
            }
            for (int d = 0; d < dims; d++) {
                if (!(dflt[d] - stride[d] < given[d] && given[d] < dflt[d] + stride[d])) {
                    return refuse(a, "E0210", at, "invalid output_size \"" + shown(v, given) + "\" (dim " + d + " must be between " + (dflt[d] - stride[d])
                            + " and " + (dflt[d] + stride[d]) + ")", "the output size may differ from the default, " + Shapes.show(dflt) + ", by less than the stride");
                }
            }
            out = given;
        }
        for (int d = 0; d < dims; d++) {
            if (out[d] < 0) return refuse(a, "E0210", a.span(), "`" + a.fn + "`'s output would have a negative size, " + Shapes.show(out), "use less padding");
        }
        return out;
    }

    /** Zeros of the output's shape with x written at idx within each plane: SCATTER along the flattened planes. */
    private Val place(Args a, T x, T idx, int dims, int[] xs, int[] out) {
        int oh = out[0], ow = dims == 2 ? out[1] : 1, r = xs.length, plane = xs[r - 2] * xs[r - 1];
        int[] lead = Arrays.copyOfRange(xs, 0, r - 2), flat = Shapes.concat(lead, new int[] {plane}), to = Shapes.concat(lead, new int[] {oh * ow});
        Var v = b.reshape(x.var(), flat), at = b.reshape(idx.var(), flat);
        Var zeros = b.fill(to, 0.0);
        Var y = zeros;
        if (Shapes.numel(flat) > 0 && oh * ow > 0) {
            check(a, at, oh * ow, oh + "x" + ow);
            y = b.emit(Prim.SCATTER, new Attrs.Axis(lead.length), zeros, at, v);
        }
        int[] shape = dims == 2 ? Shapes.concat(lead, new int[] {oh, ow}) : Shapes.concat(lead, new int[] {oh});
        return out(b.reshape(y, shape), dims == 2 ? "MaxUnpool2DBackward0" : "SqueezeBackward1");
    }

    /** Stops the run unless every index is within its plane of n, naming the last that is not, as PyTorch's kernel. */
    private void check(Args a, Var at, int n, String size) {
        int[] all = {Shapes.numel(at.shapeRef())};
        Var last = b.emit(Prim.FLIP, new Attrs.Axes(new int[] {0}), b.reshape(at, all));
        Var bad = b.emit(Prim.BITWISE_OR, null, b.lt(last, b.scalar(0, DType.INT64)), b.ge(last, b.scalar(n, DType.INT64)));
        RunTimeChecks.noneOf(l, a.span(), bad, last, "Found an invalid max index: ", " (output volumes are of size " + size);
    }

    /** An int, or a list or tuple of {@code dims} ints, each at least min; {@code dflt} where it is not given or None. */
    private int[] ints(Args a, int i, String keyword, int dims, int[] dflt, int min) {
        Val v = a.get(i, keyword);
        Span at = a.spanOf(i, keyword);
        if (v == null || v instanceof Val.None) return dflt;
        List<Val> seq = v instanceof Val.ListV list ? list.items() : v instanceof Val.Tuple t ? t.items() : null;
        List<Val> items = seq == null ? List.of(v) : seq;
        if (seq != null && seq.size() != dims) {
            return refuse(a, "E0210", at, "`" + a.fn + "`'s " + keyword + " takes one number or " + dims + ", found " + items.size(), null);
        }
        List<Integer> got = new ArrayList<>();
        for (Val item : items) {
            Integer n = l.exprs.integer(item, at, "`" + keyword + "`");
            if (n == null) { a.failed = true; return null; }
            if (n < min) return refuse(a, "E0210", at, "`" + a.fn + "`'s " + keyword + " must be at least " + min + ", found " + n, null);
            got.add(n);
        }
        int[] out = new int[dims];
        for (int d = 0; d < dims; d++) out[d] = got.get(got.size() == 1 ? 0 : d);
        return out;
    }

    /** output_size as Python's str shows it: a list, a tuple, or torch.Size (after F's slice of the batch entries). */
    private static String shown(Val v, int[] given) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < given.length; k++) sb.append(k == 0 ? "" : ", ").append(given[k]);
        if (v instanceof Val.Shape) return "torch.Size([" + sb + "])";
        boolean tuple = v instanceof Val.Tuple || v instanceof Val.ListV list && list.tuple();
        return tuple ? "(" + sb + (given.length == 1 ? ",)" : ")") : "[" + sb + "]";
    }

    private static String pyType(Val v) {
        return v instanceof Val.Num n && n.py() == Val.PyType.INT ? "int" : v instanceof Val.Num ? "float" : v instanceof Val.T ? "Tensor" : "object";
    }

    private static String torchName(DType dt) {
        return switch (dt) {
            case FLOAT64 -> "Double";
            case INT64 -> "Long";
            case BOOL -> "Bool";
        };
    }

    private boolean wrong(Args a, String code, Span at, String message, String help) {
        refuse(a, code, at, message, help);
        return false;
    }

    private <X> X refuse(Args a, String code, Span at, String message, String help) {
        l.diags.error(code, at, message, help);
        a.failed = true;
        return null;
    }
}
