package tx.compiler.lower;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.tensor.Shapes;

/**
 * Where a value whose size is known only at run time may go. {@code x[mask]} with a mask computed
 * when the program runs has such a size: the IR gives it a symbol ({@link Shapes#symbol}), and its
 * kernels read the size from an operand. Most of the lowering reasons about sizes as numbers (a
 * slice's bounds, a view's strides, a padding), so such a value is accepted only by the built-ins
 * listed here, each of which either never reads a size or reads it through the IR (a mean divides
 * by {@link Composites#count}); anything else is E0105 at the call, before anything runs, rather
 * than a wrong number. Operators ({@code + * / ** @ < ==}, ...) broadcast and are accepted.
 */
final class RunTimeSizes {
    private RunTimeSizes() {}

    /** The built-ins that take such values, besides the primitives of one operand or two (exp, maximum, ...). */
    private static final Set<String> ACCEPTING = Set.of(
            // elementwise composites
            "relu", "softplus", "relu6", "hardtanh", "gelu", "silu", "mish", "logsigmoid", "softsign", "square", "rsqrt", "reciprocal",
            "exp2", "log2", "log10", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc", "hypot", "frac", "clamp", "where", "pow",
            "logical_not", "bitwise_not", "round", "isclose", "lerp", "masked_fill", "logical_and", "logical_or", "logical_xor",
            "bitwise_and", "bitwise_or", "bitwise_xor",
            // reductions and the losses, whose means divide by a count made in the IR
            "sum", "mean", "var", "std", "prod", "softmax", "log_softmax", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
            "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div", "cosine_similarity",
            // products, conversions, autograd
            "matmul", "mm", "mv", "dot", "linear", "float", "double", "long", "bool", "to", "detach", "clone", "item", "print", "backward",
            // constructors of the same shape (zeros(n) of a run-time n takes its own path: Args.runTimeShapeFrom)
            "zeros_like", "ones_like", "full_like", "zeros", "ones", "full",
            // sizes, as Python ints known at run time
            "len", "numel", "size",
            // maxima and minima, whose rules refuse an empty selection when the program runs, as PyTorch does (RunTimeChecks.nonEmpty)
            "max", "min", "amax", "amin", "argmax", "argmin",
            // shapes: the sizes known only at run time are carried as symbols, or made (a flattening's, a view's -1)
            "reshape", "view", "flatten", "squeeze", "unsqueeze", "expand", "broadcast_to", "transpose", "swapaxes", "swapdims", "t", "permute", "movedim", "flip", "dim",
            // orders and scans along an axis
            "sort", "argsort", "cumsum", "cumprod", "topk",
            // Python lists of its numbers, of a length known at run time (see tolist)
            "tolist",
            // joins: the joined size is the sum, known when the program runs
            "cat", "stack");

    private static final Set<String> PRIMITIVES = primitives();

    private static Set<String> primitives() {
        Set<String> out = new HashSet<>();
        for (Prim p : Prim.values()) if (p.gradFn() != null) out.add(p.text());
        return out;
    }

    /** The number of elements of a shape with sizes known only at run time: a Python int known at run time (as an item is). */
    static Val count(Lowerer l, int[] shape) {
        return T.scalar(product(l.b, shape), Val.PyType.INT);
    }

    /** The product of a shape's sizes, some known only at run time, as an int64 scalar of the program; null if every size is known now. */
    static tx.runtime.ir.Var product(tx.runtime.ir.Builder b, int[] shape) {
        long fixed = 1;
        tx.runtime.ir.Var n = null;
        for (int d : shape) {
            if (!Shapes.isSymbol(d)) {
                fixed *= d;
                continue;
            }
            n = n == null ? b.sizeOf(d) : b.mul(n, b.sizeOf(d));
        }
        return n == null || fixed == 1 ? n : b.mul(n, b.scalar(fixed, tx.runtime.tensor.DType.INT64));
    }

    /** The shape of a tensor of this shape flattened: its one size, a symbol where some of its sizes are known only at run time. */
    static int[] flat(tx.runtime.ir.Builder b, int[] shape) {
        if (!Shapes.symbolic(shape)) return new int[] {Shapes.numel(shape)};
        int[] syms = Shapes.symbols(shape);
        if (syms.length == 1 && Shapes.numel(Shapes.fixedPart(shape)) == 1 && Arrays.stream(shape).filter(d -> d == syms[0]).count() == 1) return new int[] {syms[0]};
        return new int[] {b.symbol(product(b, shape))};
    }

    /** One size of a shape as a Python int: known now, or (a symbol) known when the program runs. */
    static Val dim(Lowerer l, int d) {
        return Shapes.isSymbol(d) ? T.scalar(l.b.sizeOf(d), Val.PyType.INT) : new Val.Num(d, Val.PyType.INT);
    }

    /** A shape printed as PyTorch prints {@code x.shape}, {@code torch.Size([3, 2])}, its sizes known only at run time filled in when it runs. */
    static tx.runtime.ir.Stmt.PrintItem shapeItem(Lowerer l, int[] dims) {
        List<tx.runtime.ir.Stmt.PrintItem> parts = new java.util.ArrayList<>();
        StringBuilder text = new StringBuilder("torch.Size([");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) text.append(", ");
            if (!Shapes.isSymbol(dims[i])) {
                text.append(dims[i]);
                continue;
            }
            parts.add(RunTimeChecks.text(text.toString()));
            parts.add(RunTimeChecks.shown(l, l.b.sizeOf(dims[i])));
            text.setLength(0);
        }
        parts.add(RunTimeChecks.text(text.append("])").toString()));
        return parts.size() == 1 ? parts.get(0) : new tx.runtime.ir.Stmt.PrintItem.Joined(parts);
    }

    /**
     * {@code x.tolist()} of a tensor whose last axis alone has a size known only at run time
     * ({@code x[m].tolist()}, {@code X[:, m].tolist()}): nested lists of x's fixed axes, each
     * innermost one a list whose length is known only at run time ({@link Val.RunList}) of x's
     * numbers as Python floats, ints or bools; null after reporting. A size known only at run time
     * on another axis would make lists of lists of run-time lengths: E0105.
     */
    static Val tolist(Lowerer l, Args a, T x, int limit) {
        int[] s = x.shape();
        int last = s.length - 1;
        if (Shapes.symbolic(Arrays.copyOf(s, last))) return refused(l, a.span(), "`tolist` of a size other than the last");
        int rows = Shapes.numel(Arrays.copyOf(s, last));
        if (rows > limit) {
            l.diags.error("E0105", a.span(), "`tolist` of a tensor of " + rows + " rows: tx makes Python lists of at most " + limit + " items",
                    "print the tensor itself, or a part of it: `x[:10].tolist()`");
            return null;
        }
        tx.runtime.ir.Var flat = l.b.stopGrad(l.b.reshape(x.var(), new int[] {rows, s[last]}));
        return lists(l, a, x, flat, 0, 0);
    }

    /** The lists of {@link #tolist} from axis {@code axis} on, starting at row {@code at} of {@code flat}. */
    private static Val lists(Lowerer l, Args a, T x, tx.runtime.ir.Var flat, int axis, int at) {
        int[] s = x.shape();
        if (axis == s.length - 1) {
            tx.runtime.ir.Var row = l.b.take(flat, l.b.scalar(at, tx.runtime.tensor.DType.INT64), 0);
            Val.PyType py = switch (x.dtype()) {
                case INT64 -> Val.PyType.INT;
                case BOOL -> Val.PyType.BOOL;
                case FLOAT64 -> Val.PyType.FLOAT;
            };
            T item = T.scalar(l.b.newVar(Shapes.SCALAR, null, x.dtype()), py);
            return new Val.RunList(new T(row, false, -1, null, false, false), T.scalar(l.b.sizeOf(s[axis]), Val.PyType.INT), item, false);
        }
        int stride = Shapes.numel(Arrays.copyOfRange(s, axis + 1, s.length - 1));
        List<Val> items = new java.util.ArrayList<>();
        for (int i = 0; i < s[axis]; i++) items.add(lists(l, a, x, flat, axis + 1, at + i * stride));
        return new Val.ListV(items, java.util.Collections.nCopies(items.size(), a.span()));
    }

    /**
     * Whether a loop may carry a value of this shape from one iteration to the next: it keeps one
     * shape whose sizes known only at run time were all made before the loop ({@code symbolsBefore}
     * symbols existed then; an accumulator {@code acc = zeros(n)} over a selection's n), so every
     * iteration has the sizes the first had, as a loop of the IR needs.
     */
    static boolean carriable(int[] init, int[] result, int symbolsBefore) {
        if (!Arrays.equals(init, result)) return false;
        for (int d : Shapes.symbols(init)) if (!tx.runtime.ir.Builder.madeBefore(d, symbolsBefore)) return false;
        return true;
    }

    /** Whether a value is a tensor with a size known only at run time. */
    static boolean sized(Val v) {
        return v instanceof T t && Shapes.symbolic(t.shape());
    }

    /**
     * Whether a function value takes such arguments: a user function, which is inlined for them
     * (see Functions#call), and grad, value_and_grad and vjp of one, which differentiate that
     * inlined body in the graph; not the transforms that map over or linearise their inputs
     * (jvp, the Jacobians, vmap), nor custom rules.
     */
    static boolean takenBy(Val.FnRef ref) {
        if (ref instanceof Val.UserFn) return true;
        return ref instanceof Val.Transform t && Set.of("grad", "value_and_grad", "vjp").contains(t.kind()) && takenBy(t.of());
    }

    /**
     * The built-ins that take such a value as their input when only its leading axis, the batch,
     * has such a size (a minibatch selected by a mask, a function's named batch): each example's
     * output is computed from its own input, and the shape rules read the other axes only.
     */
    private static final Set<String> BATCHED = Set.of("conv1d", "conv2d", "max_pool1d", "max_pool2d"); // NOTE: avg_pool merges batch and channels

    /** Whether a built-in accepts such values. */
    static boolean accepts(String name) {
        return ACCEPTING.contains(name) || PRIMITIVES.contains(name);
    }

    /** Whether a call of a built-in takes its arguments' sizes known only at run time (see {@link #accepts}, {@link #BATCHED}). */
    static boolean accepts(Args a) {
        if (accepts(a.fn)) return true;
        if (!BATCHED.contains(a.fn) || a.pos.isEmpty() || !(a.pos.get(0) instanceof T x)) return false;
        int[] s = x.shape();
        if (s.length != (a.fn.endsWith("1d") ? 3 : 4)) return false; // unbatched, the leading axis is the channels'
        for (int i = 1; i < s.length; i++) if (Shapes.isSymbol(s[i])) return false;
        return first(a.pos.subList(1, a.pos.size())) == null && first(new java.util.ArrayList<>(a.kw.values())) == null;
    }

    /** The first of these values with such a size, or that holds one (a list or tuple of tensors, `cat([x[m], y])`), or null. */
    static Val first(List<Val> values) {
        for (Val v : values) {
            if (sized(v) || v instanceof Val.Shape s && Shapes.symbolic(s.dims())) return v;
            List<Val> items = v instanceof Val.ListV list ? list.items() : v instanceof Val.Tuple t ? t.items() : null;
            if (items != null && first(items) != null) return v;
        }
        return null;
    }

    /** {@link #refuse}, as a value: the bad value an expression that is refused gives. */
    static Val refused(Lowerer l, Span span, String what) {
        refuse(l, span, what);
        return new Val.Bad();
    }

    /** E0105 for {@code what} applied to such a value; always false. */
    static boolean refuse(Lowerer l, Span span, String what) {
        l.diags.error("E0105", span, what + " of a tensor whose size is known only at run time (a boolean mask's selection `x[mask]`, or a slice such as `x[k:]` with a run-time k) is not supported yet",
                "reduce it first (`sum`, `mean`), or keep the shape: `where(mask, x, 0.0)`, `x * mask`; see \"Not yet\" in docs/language.md");
        return false;
    }
}
