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
    record T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone) implements Val {
        public int[] shape() {
            return var.shapeRef();
        }

        public boolean isScalar() {
            return var.rank() == 0;
        }

        public T withVar(Var v) {
            return new T(v, rg, leaf, gradFn, item, maybeNone);
        }

        @Override public String describe() {
            return "a tensor of shape " + Shapes.show(shape());
        }
    }

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

    /** The value of an expression that already failed: it silences follow-on errors. */
    record Bad() implements Val {
        @Override public String describe() {
            return "an erroneous value";
        }
    }
}
