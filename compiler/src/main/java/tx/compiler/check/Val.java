package tx.compiler.check;

import java.util.List;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/** What the checker knows statically about the value of an expression. */
public sealed interface Val {
    /** A short description for messages: "a tensor of shape [3]", "a string", ... */
    String describe();

    /**
     * A tensor, held by an IR variable. {@code rg}: requires grad. {@code leaf}: the leaf id when
     * this is a leaf that requires grad, else -1. {@code gradFn}: PyTorch's name for the operation
     * that made it (for printing). {@code item}: made by {@code .item()}, so it prints as a float.
     * {@code maybeNone}: a {@code .grad} that may be None at run time (only printing accepts it).
     */
    record T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone, FirstIteration first) implements Val {
        public T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone) {
            this(var, rg, leaf, gradFn, item, maybeNone, null);
        }

        /** How PyTorch would end its printed form: requires_grad=True for a leaf, grad_fn=<...> for a result, or nothing. */
        public String printSuffix() {
            if (!rg) return null;
            return leaf >= 0 || gradFn == null ? "requires_grad=True" : "grad_fn=<" + gradFn + ">";
        }

        public int[] shape() {
            return var.shapeRef();
        }

        public boolean isScalar() {
            return var.rank() == 0;
        }

        public T withVar(Var v) {
            return new T(v, rg, leaf, gradFn, item, maybeNone, first);
        }

        public T withFirst(FirstIteration f) {
            return new T(var, rg, leaf, gradFn, item, maybeNone, f);
        }

        @Override public String describe() {
            return "a tensor of shape " + Shapes.show(shape());
        }
    }

    /**
     * A loop-carried value prints differently in the loop's first iteration (where it is still the
     * value from before the loop, say a leaf) than in the others (a result, say MulBackward0).
     */
    record FirstIteration(Var index, String suffix) {}

    /** A number known at compile time (a literal, or arithmetic on literals). */
    record Num(double value) implements Val {
        public boolean isWhole() {
            return value == Math.rint(value) && !Double.isInfinite(value);
        }

        @Override public String describe() {
            return "the number " + tx.runtime.tensor.PyFloat.repr(value);
        }
    }

    record Bool(boolean value) implements Val {
        @Override public String describe() {
            return "a boolean";
        }
    }

    record Str(String value) implements Val {
        @Override public String describe() {
            return "a string";
        }
    }

    /** None: a {@code .grad} that is certainly None, or the literal. */
    record None(String why) implements Val {
        @Override public String describe() {
            return "None";
        }
    }

    /** {@code x.shape}. */
    record Shape(int[] dims) implements Val {
        @Override public String describe() {
            return "a shape";
        }
    }

    /** A list literal {@code [a, b]}: shapes, dims, cat/stack operands, nested tensor data. */
    record ListV(List<Val> items, List<Span> spans) implements Val {
        @Override public String describe() {
            return "a list";
        }
    }

    /** A function value: a user function, or a transform of one (grad, value_and_grad, vjp). */
    record Fn(FnRef ref) implements Val {
        @Override public String describe() {
            return "the function `" + ref.show() + "`";
        }
    }

    /** What a function value stands for. */
    sealed interface FnRef {
        String show();
    }

    /** A function defined with `fn`. */
    record UserFn(String name) implements FnRef {
        @Override public String show() {
            return name;
        }
    }

    /** grad(f, wrt=...), value_and_grad(f, wrt=...) or vjp(f, wrt=...); wrt holds parameter indices. */
    record Transform(String kind, FnRef of, List<Integer> wrt) implements FnRef {
        @Override public String show() {
            return kind + "(" + of.show() + ")";
        }
    }

    /** Several values, returned by a function: destructured by `a, b = f(...)`. */
    record Tuple(List<Val> items) implements Val {
        @Override public String describe() {
            return items.size() + " values";
        }
    }

    /** The value of an expression that already failed: it silences follow-on errors. */
    record Bad() implements Val {
        @Override public String describe() {
            return "an erroneous value";
        }
    }
}
