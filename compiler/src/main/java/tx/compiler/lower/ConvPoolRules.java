package tx.compiler.lower;

import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.kernels.Conv;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Convolution, pooling, layer_norm and dropout, with PyTorch's arguments and defaults: conv1d/conv2d (stride=, padding=
 * as numbers, pairs, "same" or "valid", dilation=, groups=, an optional bias), max_pool1d/2d
 * (kernel_size, stride= defaulting to it, padding=, dilation=, ceil_mode=), avg_pool1d/2d
 * (ceil_mode=, count_include_pad=, divisor_override=). Also the functions `tx grad` writes for their
 * derivatives: PyTorch's torch.nn.grad conv1d_input/conv2d_input/conv1d_weight/conv2d_weight, and
 * tx's max_pool1d/2d_backward(grad_output, x, ...) and max_pool1d/2d_pick(x, v, ...).
 *
 * <p>A geometry is kept as two entries (height, width) whatever the rank; a 1-D one has height
 * entries 1, 0, 1 (stride, padding, dilation; kernel 1). An input without its batch axis (PyTorch's
 * unbatched form) gets one for the primitive, and loses it after. Misuse is E0210, located.
 */
final class ConvPoolRules extends RuleFamily {
    ConvPoolRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        for (int d = 1; d <= 2; d++) {
            int dims = d;
            rules.put("conv" + d + "d", a -> conv(a, dims));
            rules.put("conv" + d + "d_input", a -> convGradient(a, dims, true));
            rules.put("conv_transpose" + d + "d", a -> convTranspose(a, dims));
            rules.put("conv" + d + "d_weight", a -> convGradient(a, dims, false));
            rules.put("max_pool" + d + "d", a -> maxPool(a, dims, 0));
            rules.put("max_pool" + d + "d_with_indices", a -> maxPool(a, dims, 0));
            rules.put("max_pool" + d + "d_backward", a -> maxPool(a, dims, 1));
            rules.put("max_pool" + d + "d_pick", a -> maxPool(a, dims, 2));
            rules.put("avg_pool" + d + "d", a -> avgPool(a, dims));
        }
        rules.put("layer_norm", this::layerNorm);
        rules.put("dropout", this::dropout);
    }

    private static final String[] CONV_KEYWORDS = {"bias", "stride", "padding", "dilation", "groups"};

    // ---- arguments -----------------------------------------------------------------------------------

    private boolean error(Args a, Span at, String message, String help) {
        l.diags.error("E0210", at, message, help);
        a.failed = true;
        return false;
    }

    /**
     * An int or a list of `dims` ints at position i or the keyword, as the geometry's two entries
     * (the height's `pad` for 1-D); null (after E0104/E0105/E0210) if it is neither, or below `min`.
     */
    private int[] pair(Args a, int i, String keyword, int dflt, int pad, int dims, int min) {
        Val v = a.get(i, keyword);
        Span at = a.spanOf(i, keyword);
        int[] out = {dims == 2 ? dflt : pad, dflt};
        if (v == null || v instanceof Val.None) return out;
        List<Val> items = v instanceof Val.ListV list ? list.items() : v instanceof Val.Tuple t ? t.items() : null;
        if (items != null && items.size() != dims) {
            error(a, at, "`" + a.fn + "`'s " + keyword + " takes one number or " + dims + ", found " + items.size(), null);
            return null;
        }
        for (int k = 0; k < dims; k++) {
            Integer n = l.exprs.integer(items == null ? v : items.get(k), at, "`" + keyword + "`");
            if (n == null) { a.failed = true; return null; }
            if (n < min) {
                error(a, at, "`" + a.fn + "`'s " + keyword + " must be at least " + min + ", found " + n, null);
                return null;
            }
            if (items == null) { out[0] = dims == 2 ? n : pad; out[1] = n; break; }
            out[2 - dims + k] = n;
        }
        return out;
    }

    /** The operand x, batched: null after E0210 unless its rank is dims + 2, or dims + 1 (unbatched). */
    private T input(Args a, T x, int dims) {
        int r = x.shape().length;
        if (r == dims + 2 || r == dims + 1) return x;
        error(a, a.spanOf(0, "input"), "`" + a.fn + "` takes an input of shape " + (dims == 2 ? "[N, C, H, W] or [C, H, W]" : "[N, C, L] or [C, L]")
                + ", found " + Shapes.show(x.shape()), null);
        return null;
    }

    /** x with a batch axis of 1 in front if it has none (PyTorch's unbatched form). */
    private Var batched(T x, int dims) {
        return x.shape().length == dims + 2 ? x.var() : b.reshape(x.var(), Shapes.concat(new int[] {1}, x.shape()));
    }

    /** y without the batch axis that {@link #batched} added (PyTorch's SqueezeBackward1), else y as it is. */
    private Val finish(T x, int dims, Var y, String gradFn) {
        return finish(x, dims, y, gradFn, "SqueezeBackward1");
    }

    /** As above, the unbatched result printing {@code unbatched} (a 2-d pooling's own name: PyTorch computes it without a squeeze). */
    private Val finish(T x, int dims, Var y, String gradFn, String unbatched) {
        if (x.shape().length == dims + 2) return out(y, gradFn);
        return out(b.reshape(y, java.util.Arrays.copyOfRange(y.shapeRef(), 1, y.rank())), unbatched);
    }

    // ---- convolution -----------------------------------------------------------------------------------

    /** conv1d/conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1). */
    private Val conv(Args a, int dims) {
        if (!a.shape(2, 7, CONV_KEYWORDS)) return null;
        T x = a.tensor(0), w = a.tensor(1);
        Val bv = a.get(2, "bias");
        T bias = bv == null || bv instanceof Val.None ? null : a.tensor(2, "bias");
        if (x == null || w == null || a.failed || (x = input(a, x, dims)) == null) return null;
        int[] stride = pair(a, 3, "stride", 1, 1, dims, 1), dil = pair(a, 5, "dilation", 1, 1, dims, 1);
        Integer groups = a.get(6, "groups") == null ? Integer.valueOf(1) : a.integer(6, "groups");
        if (stride == null || dil == null || groups == null || a.failed) return null;
        Var xv = batched(x, dims);
        int[] xs = xv.shapeRef(), ws = w.shape();
        if (!checkConv(a, xs, ws, groups, bias, dims)) return null;
        Val pv = a.get(4, "padding");
        int[] pad;
        if (pv instanceof Val.Str s) {
            pad = new int[2];
            if (!stringPadding(a, s.value(), stride, dil, ws, dims)) return null;
            if (s.value().equals("same")) xv = padSame(xv, ws, dil, pad, dims);
        } else if ((pad = pair(a, 4, "padding", 0, 0, dims, 0)) == null) {
            return null;
        }
        Attrs.Conv attr = new Attrs.Conv(stride, pad, dil, groups, null);
        if (!fits(a, xv.shapeRef(), ws, attr)) return null;
        Var y = bias == null ? b.emit(Prim.CONV, attr, xv, w.var()) : b.emit(Prim.CONV, attr, xv, w.var(), bias.var());
        return finish(x, dims, y, "ConvolutionBackward0");
    }

    /** The channels, groups, weight rank and bias of a convolution, as PyTorch checks them. */
    private boolean checkConv(Args a, int[] xs, int[] ws, int groups, T bias, int dims) {
        String fn = "`" + a.fn + "`";
        if (ws.length != dims + 2) {
            return error(a, a.spanOf(1, "weight"), fn + " takes a weight of shape " + (dims == 2 ? "[out, in / groups, kH, kW]" : "[out, in / groups, kW]")
                    + ", found " + Shapes.show(ws), null);
        }
        if (groups < 1) return error(a, a.spanOf(6, "groups"), fn + "'s groups must be at least 1, found " + groups, null);
        if (ws[0] % groups != 0) {
            return error(a, a.spanOf(6, "groups"), fn + ": groups=" + groups + " does not divide the weight's " + ws[0] + " output channels",
                    "the weight's first dimension must be a multiple of groups");
        }
        if (xs[1] != ws[1] * groups) {
            return error(a, a.spanOf(0, "input"), fn + ": the input has " + xs[1] + " channels, but a weight of shape " + Shapes.show(ws)
                    + (groups == 1 ? "" : " in " + groups + " groups") + " expects " + ws[1] * groups,
                    "the input's channels (dimension 1) must equal the weight's dimension 1 times groups");
        }
        if (bias != null && !java.util.Arrays.equals(bias.shape(), new int[] {ws[0]})) {
            return error(a, a.spanOf(2, "bias"), fn + "'s bias must have shape [" + ws[0] + "] (one per output channel), found " + Shapes.show(bias.shape()), null);
        }
        return true;
    }

    /** "valid" (no padding) or "same" (stride 1 only, as PyTorch); anything else is E0104. */
    private boolean stringPadding(Args a, String mode, int[] stride, int[] dil, int[] ws, int dims) {
        if (mode.equals("valid")) return true;
        if (!mode.equals("same")) {
            l.diags.error("E0104", a.spanOf(4, "padding"), "`" + a.fn + "` has no padding \"" + mode + "\"", "it takes a number, a list, \"same\" or \"valid\"");
            a.failed = true;
            return false;
        }
        if (stride[0] != 1 || stride[1] != 1) return error(a, a.spanOf(4, "padding"), "padding=\"same\" is not supported for strided convolutions", "use stride=1 or a number");
        return true;
    }

    /**
     * padding="same": d (k - 1) zeros in all, half on each side; an odd one out goes on the right,
     * as PyTorch pads the input for it (a zero row or column at the end), the rest symmetric.
     */
    private Var padSame(Var x, int[] ws, int[] dil, int[] pad, int dims) {
        int[] xs = x.shape(), grown = x.shape();
        boolean extra = false;
        for (int k = 0; k < dims; k++) {
            int axis = xs.length - dims + k, e = 2 - dims + k, total = dil[e] * (ws[axis] - 1);
            pad[e] = total / 2;
            if (total % 2 != 0) { grown[axis]++; extra = true; }
        }
        if (!extra) return x;
        int[] start = new int[xs.length], step = new int[xs.length];
        java.util.Arrays.fill(step, 1);
        return b.pad(x, grown, start, step);
    }

    /** The dilated kernel fits the padded input, or E0210 as PyTorch words it. */
    private boolean fits(Args a, int[] xs, int[] ws, Attrs.Conv c) {
        for (int k = 2; k < xs.length; k++) {
            int e = 4 - xs.length + k - 2, padded = xs[k] + 2 * c.padding()[e], span = c.dilation()[e] * (ws[k] - 1) + 1;
            if (span > padded) {
                return error(a, a.spanOf(1, "weight"), "`" + a.fn + "`'s kernel" + (c.dilation()[e] > 1 ? " (dilated)" : "") + " spans " + span
                        + " but the padded input is only " + padded + " along dimension " + k, "the kernel can't be greater than the padded input: pad it, or use a smaller kernel");
            }
        }
        return true;
    }

    /**
     * conv_transpose1d/2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
     * dilation=1): the input gradient of a convolution by weight [in, out / groups, k...] (CONV_INPUT),
     * of size (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1 per spatial
     * dimension, plus the bias; its gradients are the convolution's other two (PyTorch's
     * ConvolutionBackward0). output_padding must be below the stride (PyTorch: "or the dilation").
     */
    private Val convTranspose(Args a, int dims) {
        if (!a.shape(2, 8, "bias", "stride", "padding", "output_padding", "groups", "dilation")) return null;
        T x = a.tensor(0), w = a.tensor(1);
        Val bv = a.get(2, "bias");
        T bias = bv == null || bv instanceof Val.None ? null : a.tensor(2, "bias");
        if (x == null || w == null || a.failed || (x = input(a, x, dims)) == null) return null;
        int[] stride = pair(a, 3, "stride", 1, 1, dims, 1), pad = pair(a, 4, "padding", 0, 0, dims, 0), outPad = pair(a, 5, "output_padding", 0, 0, dims, 0);
        int[] dil = pair(a, 7, "dilation", 1, 1, dims, 1);
        Integer groups = a.get(6, "groups") == null ? Integer.valueOf(1) : a.integer(6, "groups");
        if (stride == null || pad == null || outPad == null || dil == null || groups == null || a.failed) return null;
        Var xv = batched(x, dims);
        int[] xs = xv.shapeRef(), ws = w.shape();
        String fn = "`" + a.fn + "`";
        if (ws.length != dims + 2) {
            error(a, a.spanOf(1, "weight"), fn + " takes a weight of shape " + (dims == 2 ? "[in, out / groups, kH, kW]" : "[in, out / groups, kW]")
                    + ", found " + Shapes.show(ws), null);
            return null;
        }
        if (groups < 1 || ws[0] % groups != 0 || xs[1] != ws[0]) {
            error(a, a.spanOf(groups < 1 || ws[0] % groups != 0 ? 6 : 0, groups < 1 || ws[0] % groups != 0 ? "groups" : "input"), fn + ": the input has " + xs[1]
                    + " channels and groups=" + groups + ", but the weight of shape " + Shapes.show(ws) + " takes " + ws[0] + " input channels in groups that divide them",
                    "the input's channels (dimension 1) must equal the weight's dimension 0, a multiple of groups");
            return null;
        }
        if (bias != null && !java.util.Arrays.equals(bias.shape(), new int[] {ws[1] * groups})) {
            error(a, a.spanOf(2, "bias"), fn + "'s bias must have shape [" + ws[1] * groups + "] (one per output channel), found " + Shapes.show(bias.shape()), null);
            return null;
        }
        int[] size = new int[2];
        for (int k = 2 - dims; k < 2; k++) {
            int in = xs[xs.length - 2 + k], kernel = ws[ws.length - 2 + k];
            size[k] = (in - 1) * stride[k] - 2 * pad[k] + dil[k] * (kernel - 1) + outPad[k] + 1;
            if (outPad[k] >= stride[k]) {
                error(a, a.spanOf(5, "output_padding"), fn + "'s output_padding " + outPad[k] + " must be smaller than the stride " + stride[k], null);
                return null;
            }
            if (size[k] < 1) {
                error(a, a.span(), fn + " gives an output of size " + size[k] + " along spatial dimension " + (k - 2 + dims), "less padding, or a larger input");
                return null;
            }
        }
        if (dims == 1) size[0] = 1;
        Attrs.Conv attr = new Attrs.Conv(stride, pad, dil, groups, size);
        Var y = b.emit(Prim.CONV_INPUT, attr, xv, w.var());
        if (bias != null) y = b.add(y, b.reshape(bias.var(), dims == 2 ? new int[] {1, ws[1] * groups, 1, 1} : new int[] {1, ws[1] * groups, 1}));
        return finish(x, dims, y, "ConvolutionBackward0");
    }

    /** torch.nn.grad's conv2d_input(input_size, weight, grad_output, ...) and conv2d_weight(input, weight_size, grad_output, ...). */
    private Val convGradient(Args a, int dims, boolean input) {
        if (!a.shape(3, 7, "stride", "padding", "dilation", "groups")) return null;
        T first = input ? null : a.tensor(0), second = input ? a.tensor(1) : null, g = a.tensor(2);
        int sizeAt = input ? 0 : 1;
        if (!(a.pos.get(sizeAt) instanceof Val.ListV || a.pos.get(sizeAt) instanceof Val.Shape)) {
            error(a, a.spanOf(sizeAt, null), "`" + a.fn + "` takes the " + (input ? "input's" : "weight's") + " size as a list or a shape, found " + a.pos.get(sizeAt).describe(), null);
            return null;
        }
        int[] size = a.shapeFrom(sizeAt);
        int[] stride = pair(a, 3, "stride", 1, 1, dims, 1), pad = pair(a, 4, "padding", 0, 0, dims, 0), dil = pair(a, 5, "dilation", 1, 1, dims, 1);
        Integer groups = a.get(6, "groups") == null ? Integer.valueOf(1) : a.integer(6, "groups");
        if (g == null || size == null || stride == null || pad == null || dil == null || groups == null || a.failed) return null;
        if (size.length != dims + 2) {
            error(a, a.spanOf(sizeAt, null), "`" + a.fn + "` takes a size of " + (dims + 2) + " numbers, found " + size.length, null);
            return null;
        }
        int[] geometry = size.length == 4 ? new int[] {size[2], size[3]} : new int[] {1, size[2]};
        Attrs.Conv attr = new Attrs.Conv(stride, pad, dil, groups, geometry);
        T other = input ? second : first;
        if (other == null) return null;
        try {
            Var y = input ? b.emit(Prim.CONV_INPUT, attr, g.var(), other.var()) : b.emit(Prim.CONV_WEIGHT, attr, other.var(), g.var());
            return out(y, "ConvolutionBackward0");
        } catch (IllegalArgumentException e) {
            error(a, a.span(), "`" + a.fn + "`: " + e.getMessage(), "grad_output must have the shape the convolution of that size gives");
            return null;
        }
    }

    // ---- normalization -----------------------------------------------------------------------------------

    /**
     * layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5) over the trailing
     * dimensions normalized_shape: {@code (x - mean) · rstd · weight + bias}, rstd = 1 / sqrt(var + eps)
     * with the biased variance, as PyTorch's native_layer_norm; a composite, so its gradient and
     * emission come from those of its parts. Trailing dimensions that differ are E0210.
     */
    private Val layerNorm(Args a) {
        if (!a.shape(2, 5, "normalized_shape", "weight", "bias", "eps")) return null;
        T x = a.tensor(0);
        Val sv = a.get(1, "normalized_shape");
        Val wv = a.get(2, "weight"), bv = a.get(3, "bias");
        T w = wv == null || wv instanceof Val.None ? null : a.tensor(2, "weight"), bias = bv == null || bv instanceof Val.None ? null : a.tensor(3, "bias");
        double eps = a.number(4, "eps", 1e-5);
        int[] ns = sv instanceof Val.Shape sh ? sh.dims() : sv instanceof Val.ListV list ? a.sizes(list.items(), list.spans(), false)
                : sv instanceof Val.Tuple t ? a.sizes(t.items(), java.util.Collections.nCopies(t.items().size(), a.spanOf(1, "normalized_shape")), false)
                : new int[] {java.util.Objects.requireNonNullElse(a.integer(1, "normalized_shape"), -1)};
        if (x == null || a.failed || ns == null) return null;
        int[] xs = x.shape();
        boolean fits = ns.length <= xs.length && java.util.Arrays.equals(ns, java.util.Arrays.copyOfRange(xs, xs.length - ns.length, xs.length));
        if (!fits || ns.length == 0) {
            error(a, a.spanOf(1, "normalized_shape"), "`layer_norm` normalizes over trailing dimensions " + Shapes.show(ns) + ", but the input has shape "
                    + Shapes.show(xs), "normalized_shape must be the input's last dimensions");
            return null;
        }
        for (T p : new T[] {w, bias}) {
            if (p != null && !java.util.Arrays.equals(p.shape(), ns)) {
                error(a, a.spanOf(p == w ? 2 : 3, p == w ? "weight" : "bias"), "`layer_norm`'s " + (p == w ? "weight" : "bias") + " must have shape "
                        + Shapes.show(ns) + ", found " + Shapes.show(p.shape()), null);
                return null;
            }
        }
        int[] axes = new int[ns.length];
        for (int i = 0; i < axes.length; i++) axes[i] = xs.length - ns.length + i;
        Var y = b.composite(() -> {
            Var d = b.sub(x.var(), Composites.mean(b, x.var(), axes, true));
            Var var = Composites.mean(b, b.mul(d, d), axes, true);
            Var out = b.mul(d, b.div(b.scalar(1), b.emit(Prim.SQRT, null, b.add(var, b.scalar(eps)))));
            if (w != null) out = b.mul(out, w.var());
            return bias == null ? out : b.add(out, bias.var());
        });
        return out(y, "NativeLayerNormBackward0");
    }

    /**
     * dropout(input, p=0.5, training=True, inplace=False, seed=), as PyTorch 1.13's CPU path: the input
     * itself when not training or p = 0; x * 0 when p = 1; else x * noise, noise = mask / (1 - p) with
     * mask 1 where a uniform number is below 1 - p (MulBackward0), drawn from PyTorch's generator
     * only then, as PyTorch's bernoulli_ draws ({@link RandomStreams}).
     */
    private Val dropout(Args a) {
        if (!a.shape(1, 4, "p", "training", "inplace", "seed")) return null;
        T x = a.tensor(0);
        Var run = a.runTimeNumber(1, "p"); // a probability known only at run time
        double p = run != null ? 0.5 : a.number(1, "p", 0.5);
        boolean training = a.bool(2, "training", true);
        a.bool(3, "inplace", false);
        RandomStreams.Source seed = l.random.sourceOf(a);
        if (x == null || a.failed) return null;
        if (run != null) return runTimeDropout(a, x, run, seed, training);
        if (!(p >= 0 && p <= 1)) {
            l.diags.error("E0104", a.spanOf(1, "p"), "dropout probability has to be between 0 and 1, but got " + tx.runtime.tensor.PyFloat.repr(p), null);
            return null;
        }
        if (!training || p == 0 || tx.runtime.tensor.Shapes.empty(x.shape())) return x;
        if (p == 1) return out(b.mul(x.var(), b.scalar(0)), "MulBackward0");
        int[] shape = x.shape();
        Var u = l.random.draw(new Attrs.Draw(Attrs.Draw.Kind.UNIFORM, shape, 0, 1), seed); // outside the composite: the generator's next state is a value
        Var y = b.composite(() -> {
            Var noise = b.div(b.lt(u, b.scalar(1 - p)), b.scalar(1 - p));
            return b.mul(x.var(), noise);
        });
        return out(y, "MulBackward0");
    }

    /**
     * dropout with p known only at run time: PyTorch's check of p when it runs (E0509, its words),
     * then x · where(p == 1, 0, mask / (1 - p)), the values of each of PyTorch's three paths (at p = 0
     * the mask is all ones: x · 1); the generator moves on only where PyTorch draws, 0 < p < 1. NOTE: the grad_fn is MulBackward0 for every p, where PyTorch's
     * dropout at p = 0 returns the input itself, with its own.
     */
    private Val runTimeDropout(Args a, T x, Var p, RandomStreams.Source seed, boolean training) {
        // NOTE: a nan fails it too, as PyTorch's kernel refuses it in the same words ("but got nan")
        Var inside = b.emit(Prim.BITWISE_AND, null, b.ge(p, b.scalar(0)), b.le(p, b.scalar(1)));
        RunTimeChecks.require(l, a.spanOf(1, "p"), inside,
                List.of(RunTimeChecks.text("dropout probability has to be between 0 and 1, but got "), AutogradRules.printItem(l, T.scalar(p, Val.PyType.FLOAT))));
        if (!training || tx.runtime.tensor.Shapes.empty(x.shape())) return x;
        int[] shape = x.shape();
        Var drawn = b.emit(Prim.BITWISE_AND, null, b.ne(p, b.scalar(0)), b.ne(p, b.scalar(1))); // PyTorch draws for 0 < p < 1 only
        Var u = l.random.drawIf(new Attrs.Draw(Attrs.Draw.Kind.UNIFORM, shape, 0, 1), seed, drawn);
        return out(b.composite(() -> {
            Var keep = b.sub(b.scalar(1), p);
            Var noise = b.where(b.eq(p, b.scalar(1)), b.scalar(0), b.div(b.lt(u, keep), keep));
            return b.mul(x.var(), noise);
        }), "MulBackward0");
    }

    // ---- pooling -----------------------------------------------------------------------------------------

    /**
     * max_pool1d/2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
     * return_indices=False) (kind 0; max_pool1d/2d_with_indices always return the indices);
     * kind 1, max_pool2d_backward(grad_output, input, ...), the gradient; kind 2, max_pool2d_pick(input, v, ...).
     */
    private Val maxPool(Args a, int dims, int kind) {
        int at = kind == 0 ? 0 : 1;
        boolean ok = kind == 0 ? a.shape(1, 7, "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
                : a.shape(at + 1, at + 6, "kernel_size", "stride", "padding", "dilation", "ceil_mode");
        if (!ok || !kernelGiven(a, at + 1)) return null;
        T x = a.tensor(at), other = kind == 0 ? x : a.tensor(kind == 1 ? 0 : 1);
        boolean indices = kind == 0 && (a.bool(6, "return_indices", false) || a.fn.endsWith("_with_indices"));
        if (x == null || other == null || a.failed || input(a, x, dims) == null) return null;
        Attrs.Pool p = pool(a, at + 1, dims, true);
        if (p == null || !fitsPool(a, x.shape(), p, dims, at + 3)) return null;
        Var xv = batched(x, dims), ov = batched(other, dims);
        try {
            Var y = b.emit(kind == 1 ? Prim.MAX_UNPOOL : Prim.MAX_POOL, p, xv, ov);
            String gradFn = kind == 1 ? "MaxPool2DWithIndicesBackwardBackward0" : dims == 2 ? "MaxPool2DWithIndicesBackward0" : "SqueezeBackward1";
            Val values = finish(x, dims, y, gradFn, dims == 2 ? gradFn : "SqueezeBackward1");
            return indices ? withIndices(a, x, dims, p, values) : values;
        } catch (IllegalArgumentException e) {
            error(a, a.span(), "`" + a.fn + "`: " + e.getMessage(), null);
            return null;
        }
    }

    /**
     * (values, indices) of max_pool(..., return_indices=True): each window's argmax as PyTorch numbers
     * it, the flat position within its plane (h·W + w), int64. It is the pick of the same windows from
     * a plane of those positions, so the choice (the first largest, or the last nan) is the values' own.
     */
    private Val withIndices(Args a, T x, int dims, Attrs.Pool p, Val values) {
        int[] xs = x.shape();
        int h = dims == 2 ? xs[xs.length - 2] : 1, w = xs[xs.length - 1];
        if (Shapes.isSymbol(h) || Shapes.isSymbol(w)) {
            RunTimeSizes.refuse(l, a.span(), "`" + a.fn + "` with indices");
            return null;
        }
        double[] positions = new double[h * w];
        for (int i = 0; i < positions.length; i++) positions[i] = i;
        Var xv = batched(x, dims);
        int[] plane = Shapes.ones(xv.rank());
        plane[plane.length - 1] = w;
        if (dims == 2) plane[plane.length - 2] = h;
        Var at = b.expand(b.constant(Tensor.of(plane, positions)), xv.shapeRef());
        Var picked = b.emit(Prim.CAST, tx.runtime.tensor.DType.INT64, b.emit(Prim.MAX_POOL, p, xv, at));
        Var idx = x.shape().length == dims + 2 ? picked : b.reshape(picked, java.util.Arrays.copyOfRange(picked.shapeRef(), 1, picked.rank()));
        return new Val.Tuple(List.of(values, out(idx, null)));
    }

    private boolean kernelGiven(Args a, int i) {
        if (a.get(i, "kernel_size") != null) return true;
        l.diags.error("E0104", a.span(), "`" + a.fn + "` needs a kernel_size", "write `" + a.fn + "(x, 2)` or `kernel_size=[2, 2]`");
        a.failed = true;
        return false;
    }

    /** kernel_size at position i, then stride (its default), padding, dilation and ceil_mode. */
    private Attrs.Pool pool(Args a, int i, int dims, boolean dilation) {
        int[] k = pair(a, i, "kernel_size", 1, 1, dims, 1);
        if (k == null) return null;
        int[] s = pair(a, i + 1, "stride", 0, 1, dims, 1);
        if (s != null && (a.get(i + 1, "stride") == null || a.get(i + 1, "stride") instanceof Val.None
                || a.get(i + 1, "stride") instanceof Val.ListV list && list.items().isEmpty())) s = k.clone();
        int[] p = pair(a, i + 2, "padding", 0, 0, dims, 0), d = dilation ? pair(a, i + 3, "dilation", 1, 1, dims, 1) : new int[] {1, 1};
        boolean ceil = a.bool(dilation ? i + 4 : i + 3, "ceil_mode", false);
        if (s == null || p == null || d == null || a.failed) return null;
        return new Attrs.Pool(k, s, p, d, ceil);
    }

    /** PyTorch's checks: padding at most half the kernel, and an output of at least one element. */
    private boolean fitsPool(Args a, int[] xs, Attrs.Pool p, int dims, int padAt) {
        for (int e = 2 - dims; e < 2; e++) {
            if (p.padding()[e] > p.kernel()[e] / 2) {
                return error(a, a.spanOf(padAt, "padding"), "`" + a.fn + "`'s padding " + p.padding()[e] + " is more than half its kernel size " + p.kernel()[e],
                        "pad should be smaller than or equal to half of kernel size");
            }
            int n = xs[xs.length - 2 + e];
            if (Conv.outLength(n, p.kernel()[e], p.stride()[e], p.padding()[e], p.dilation()[e], p.ceil()) < 1) {
                return error(a, a.spanOf(0, "input"), "`" + a.fn + "`'s window" + (p.dilation()[e] > 1 ? " (dilated)" : "") + " spans "
                        + (p.dilation()[e] * (p.kernel()[e] - 1) + 1) + " but the padded input is only " + (n + 2 * p.padding()[e]) + " along dimension "
                        + (xs.length - 2 + e), "the output would be empty: use a smaller kernel_size");
            }
        }
        return true;
    }

    /**
     * avg_pool1d/2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
     * divisor_override=None): the window sums as a convolution of each plane by ones (every element
     * times 1, added in the window's order, as PyTorch sums them), divided by PyTorch's divisor.
     */
    private Val avgPool(Args a, int dims) {
        boolean ok = dims == 2 ? a.shape(1, 7, "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")
                : a.shape(1, 6, "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"); // as PyTorch: no divisor_override in 1-D
        if (!ok || !kernelGiven(a, 1)) return null;
        T x = a.tensor(0);
        if (x == null || a.failed || input(a, x, dims) == null) return null;
        Attrs.Pool p = pool(a, 1, dims, false);
        boolean include = a.bool(5, "count_include_pad", true);
        Integer override = a.get(6, "divisor_override") == null || a.get(6, "divisor_override") instanceof Val.None ? null : a.integer(6, "divisor_override");
        if (p == null || a.failed || !fitsPool(a, x.shape(), p, dims, 3)) return null;
        if (override != null && override == 0) {
            error(a, a.spanOf(6, "divisor_override"), "`" + a.fn + "`'s divisor_override must not be 0", null);
            return null;
        }
        Var xv = batched(x, dims);
        int[] xs = xv.shapeRef();
        Var y = b.composite(() -> averaged(xv, xs, p, include, override));
        return finish(x, dims, y, dims == 2 ? "AvgPool2DBackward0" : "SqueezeBackward1", dims == 2 ? "AvgPool2DBackward0" : "SqueezeBackward1");
    }

    private Var averaged(Var xv, int[] xs, Attrs.Pool p, boolean include, Integer override) {
        int r = xs.length, h = r == 4 ? xs[2] : 1, w = xs[r - 1];
        int oh = Conv.outLength(h, p.kernel()[0], p.stride()[0], p.padding()[0], 1, p.ceil()), ow = Conv.outLength(w, p.kernel()[1], p.stride()[1], p.padding()[1], 1, p.ceil());
        // ceil_mode's last window may reach past the right padding: zeros there add nothing to its sum
        int eh = Math.max(0, (oh - 1) * p.stride()[0] + p.kernel()[0] - (h + 2 * p.padding()[0]));
        int ew = Math.max(0, (ow - 1) * p.stride()[1] + p.kernel()[1] - (w + 2 * p.padding()[1]));
        int[] planes = r == 4 ? new int[] {xs[0] * xs[1], 1, h + eh, w + ew} : new int[] {xs[0] * xs[1], 1, w + ew};
        Var x = b.reshape(xv, r == 4 ? new int[] {xs[0] * xs[1], 1, h, w} : new int[] {xs[0] * xs[1], 1, w});
        if (eh + ew > 0) {
            int[] step = new int[r];
            java.util.Arrays.fill(step, 1);
            x = b.pad(x, planes, new int[r], step);
        }
        int[] ks = r == 4 ? new int[] {1, 1, p.kernel()[0], p.kernel()[1]} : new int[] {1, 1, p.kernel()[1]};
        Var ones = b.constant(Tensor.full(ks, 1.0));
        Var sums = b.emit(Prim.CONV, new Attrs.Conv(p.stride(), p.padding(), new int[] {1, 1}, 1, null), x, ones);
        int[] out = r == 4 ? new int[] {xs[0], xs[1], oh, ow} : new int[] {xs[0], xs[1], ow};
        return b.div(b.reshape(sums, out), divisors(h, w, oh, ow, p, include, override, r));
    }

    /** PyTorch's divide_factor for each output position: the override, or the window's size within the padding (or the input). */
    private Var divisors(int h, int w, int oh, int ow, Attrs.Pool p, boolean include, Integer override, int rank) {
        if (override != null) return b.scalar(override);
        double[] d = new double[oh * ow];
        boolean same = true;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int y0 = i * p.stride()[0] - p.padding()[0], y1 = Math.min(y0 + p.kernel()[0], h + p.padding()[0]);
                int z0 = j * p.stride()[1] - p.padding()[1], z1 = Math.min(z0 + p.kernel()[1], w + p.padding()[1]);
                int size = (y1 - y0) * (z1 - z0);
                y0 = Math.max(y0, 0); z0 = Math.max(z0, 0); y1 = Math.min(y1, h); z1 = Math.min(z1, w);
                d[i * ow + j] = include ? size : (y1 - y0) * (z1 - z0);
                same &= d[i * ow + j] == d[0];
            }
        }
        if (same) return b.scalar(d[0]);
        return b.constant(Tensor.of(rank == 4 ? new int[] {oh, ow} : new int[] {ow}, d));
    }
}
