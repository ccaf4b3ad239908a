package tx.compiler.lower;

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
            "logical_not", "bitwise_not", "round", "isclose",
            // reductions and the losses, whose means divide by a count made in the IR
            "sum", "mean", "var", "std", "prod", "softmax", "log_softmax", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
            "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
            // products, conversions, autograd
            "matmul", "mm", "mv", "dot", "float", "double", "long", "bool", "to", "detach", "clone", "item", "print", "backward",
            // sizes, as Python ints known at run time
            "len", "numel");

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

    /** Whether a value is a tensor with a size known only at run time. */
    static boolean sized(Val v) {
        return v instanceof T t && Shapes.symbolic(t.shape());
    }

    /** Whether a built-in accepts such values. */
    static boolean accepts(String name) {
        return ACCEPTING.contains(name) || PRIMITIVES.contains(name);
    }

    /** The first of these values with such a size, or null. */
    static Val first(List<Val> values) {
        for (Val v : values) if (sized(v)) return v;
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
