package tx.compiler.lower;

import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * Checks the compiler places in the program where only the run can tell: sizes known only at run
 * time that must agree ({@link SizeAgreement}), or must not be 0 (the maximum of an empty
 * selection). A failed check stops the run (E0509, exit 3) at the expression, with PyTorch's
 * message. Each is an {@code if} of the IR whose other branch fails, as {@code assert}'s; it has no
 * results, so no derivative reads it.
 */
final class RunTimeChecks {
    private RunTimeChecks() {}

    /** Stops the run with {@code message} (print items, side by side) unless the bool scalar {@code holds} is true. */
    static void require(Lowerer l, Span span, Var holds, List<Stmt.PrintItem> message) {
        require(l, span, holds, () -> message);
    }

    /** {@link #require}, the message's values computed only when the check fails (in its branch). */
    static void require(Lowerer l, Span span, Var holds, java.util.function.Supplier<List<Stmt.PrintItem>> message) {
        l.b.openBlock();
        l.b.add(new Stmt.Fail(message.get(), span.origin(), false));
        List<Stmt> failing = l.b.closeBlock();
        l.b.add(new Stmt.Cond(holds, List.of(), List.of(), failing, List.of(), List.of(), span.origin()));
    }

    /**
     * Stops the run with {@code message} (PyTorch's words) if any element of the bool tensor
     * {@code bad} is true: a value PyTorch refuses when it runs (an input of
     * {@code binary_cross_entropy} outside [0, 1], a class of {@code one_hot} out of range).
     */
    static void noneOf(Lowerer l, Span span, Var bad, String message) {
        require(l, span, none(l, bad), List.of(text(message)));
    }

    /**
     * {@link #noneOf}, the message naming the first element of {@code values} (bad's shape, int64)
     * where {@code bad} is true, in row-major order, as PyTorch names the first: {@code before},
     * the value, {@code after} ("Target 5 is out of bounds.").
     */
    static void noneOf(Lowerer l, Span span, Var bad, Var values, String before, String after) {
        noneOf(l, span, bad, values, before, List.of(text(after)));
    }

    /** {@link #noneOf}, the message ending with print items ({@code after}: a size known only at run time). */
    static void noneOf(Lowerer l, Span span, Var bad, Var values, String before, List<Stmt.PrintItem> after) {
        tx.runtime.ir.Builder b = l.b;
        require(l, span, none(l, bad), () -> {
            int[] flat = RunTimeSizes.flat(b, bad.shapeRef());
            Var first = b.emit(Prim.ARGMAX, new tx.runtime.ir.Attrs.Axis(0), b.emit(Prim.CAST, DType.FLOAT64, b.reshape(bad, flat)));
            List<Stmt.PrintItem> message = new java.util.ArrayList<>(List.of(text(before), shown(l, b.take(b.reshape(values, flat), first, 0))));
            message.addAll(after);
            return message;
        });
    }

    /** Whether no element of a bool tensor is true, as a bool scalar. */
    private static Var none(Lowerer l, Var bad) {
        int[] flat = RunTimeSizes.flat(l.b, bad.shapeRef());
        Var count = l.b.sum(l.b.emit(Prim.CAST, DType.INT64, l.b.reshape(bad, flat)), new int[] {0}, false);
        return l.b.eq(count, l.b.scalar(0, DType.INT64));
    }

    /** A size as an int64 scalar of the program: a symbol's size variable, or a constant. */
    static Var size(Lowerer l, int d) {
        return Shapes.isSymbol(d) ? l.b.sizeOf(d) : l.b.scalar(d, DType.INT64);
    }

    /** A run-time int as {@code print} shows it. */
    static Stmt.PrintItem shown(Lowerer l, Var n) {
        return AutogradRules.printItem(l, T.scalar(n, Val.PyType.INT));
    }

    /** Text as it stands. */
    static Stmt.PrintItem text(String s) {
        return new Stmt.PrintItem.Text(s);
    }

    /**
     * PyTorch's refusal of a maximum, minimum or their positions over nothing (the rules of max,
     * min, amax, amin, argmax and argmin place it before the reduction): of the whole tensor when
     * {@code axes} is null ("Expected reduction dim to be specified for input.numel() == 0"),
     * else of each of its axes whose size is 0. Checked only where a size is known only at run time; a fixed empty
     * shape is the caller's to refuse.
     */
    static void nonEmpty(Lowerer l, Span span, String fn, int[] shape, int[] axes) {
        if (axes == null) nonEmpty(l, span, fn, shape, (Integer) null);
        else for (int axis : axes) nonEmpty(l, span, fn, shape, Integer.valueOf(axis));
    }

    private static void nonEmpty(Lowerer l, Span span, String fn, int[] shape, Integer axis) {
        if (axis == null && Shapes.symbolic(shape)) {
            Var n = RunTimeSizes.product(l.b, shape);
            require(l, span, l.b.emit(Prim.GT, null, n, l.b.scalar(0, DType.INT64)), List.of(text(fn + "(): Expected reduction dim to be specified for input.numel() == 0."
                    + (fn.startsWith("arg") ? "" : " Specify the reduction dim with the 'dim' argument."))));
        } else if (axis != null && Shapes.isSymbol(shape[axis])) {
            require(l, span, l.b.emit(Prim.GT, null, l.b.sizeOf(shape[axis]), l.b.scalar(0, DType.INT64)),
                    List.of(text(fn + "(): Expected reduction dim " + axis + " to have non-zero size.")));
        }
    }
}
