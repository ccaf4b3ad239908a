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
     * that made it (for printing). {@code item}: a Python scalar (made by {@code .item()}, a loop's
     * counter, or arithmetic on those), of the Python type {@code py}: a float prints as a float.
     * {@code maybeNone}: a {@code .grad} that may be None at run time (only printing accepts it).
     */
    record T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone, FirstIteration first, PyType py) implements Val {
        public T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone, FirstIteration first) {
            this(var, rg, leaf, gradFn, item, maybeNone, first, PyType.FLOAT);
        }

        public T(Var var, boolean rg, int leaf, String gradFn, boolean item, boolean maybeNone) {
            this(var, rg, leaf, gradFn, item, maybeNone, null);
        }

        /** A Python scalar of type {@code py} held by the scalar variable {@code var}. */
        public static T scalar(Var var, PyType py) {
            return new T(var, false, -1, null, true, false, null, py);
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
            return new T(v, rg, leaf, gradFn, item, maybeNone, first, py);
        }

        public T withFirst(FirstIteration f) {
            return new T(var, rg, leaf, gradFn, item, maybeNone, f, py);
        }

        public tx.runtime.tensor.DType dtype() {
            return var.dtype();
        }

        @Override public String describe() {
            return "a tensor of shape " + Shapes.show(shape());
        }

        /** As {@link #describe}, with the dtype: "an int64 tensor of shape [3]". */
        public String describeDtype() {
            return describeKind() + " of shape " + Shapes.show(shape());
        }

        /** Its dtype as a noun: "an int64 tensor". */
        public String describeKind() {
            return (var.dtype() == tx.runtime.tensor.DType.INT64 ? "an " : "a ") + var.dtype().text() + " tensor";
        }
    }

    /**
     * A loop-carried value prints differently in the loop's first iteration (where it is still the
     * value from before the loop, say a leaf) than in the others (a result, say MulBackward0).
     */
    record FirstIteration(Var index, String suffix, boolean decided, String otherwise) {
        public FirstIteration(Var index, String suffix) {
            this(index, suffix, false, null);
        }

        /** {@code decided}: the suffix otherwise is {@code otherwise} (after a while: as its body left it), not the value's own. */
        public FirstIteration(Var index, String suffix, String otherwise) {
            this(index, suffix, true, otherwise);
        }
    }

    /**
     * Python's scalar types (LANGUAGE.md §3): arithmetic on bools gives ints, on ints ints (but
     * {@code /} floats), with a float floats; comparisons give bools.
     */
    enum PyType {
        BOOL, INT, FLOAT;

        /** The type of {@code a op b} for Python scalars of types a and b (op an arithmetic or bitwise operator or a comparison). */
        public static PyType of(String op, PyType a, PyType b) {
            return switch (op) {
                case "<", "<=", ">", ">=", "==", "!=" -> BOOL;
                case "&", "|", "^" -> a == BOOL && b == BOOL ? BOOL : INT; // floats are refused (E0220)
                case "/" -> FLOAT;
                default -> a == FLOAT || b == FLOAT ? FLOAT : INT;
            };
        }
    }

    /**
     * A number known at compile time (a literal, or arithmetic on literals), of Python type
     * {@code py}: {@code 2} is an int, {@code 2.0} a float, {@code 1 < 2} a bool.
     */
    record Num(double value, PyType py) implements Val {
        /** A float. */
        public Num(double value) {
            this(value, PyType.FLOAT);
        }

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

    /** A torch.Generator: its state is the value of the hidden name {@code name} (lower/RandomStreams). */
    record Gen(String name) implements Val {
        @Override public String describe() {
            return "a torch.Generator";
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

    /**
     * An f-string with parts known only at run time: the print items that show it, in order
     * ({@code print} prints them with nothing between them). One known at compile time is a {@link Str}.
     */
    record Formatted(List<tx.runtime.ir.Stmt.PrintItem> parts) implements Val {
        @Override public String describe() {
            return "an f-string";
        }
    }

    /**
     * A list {@code [a, b]} or a tuple {@code (a, b)} ({@code tuple}), of a length known at compile
     * time: shapes, dims, cat/stack operands, nested tensor data, a function's parameters. Built-ins
     * that take a list take a tuple too, as PyTorch's do.
     */
    record ListV(List<Val> items, List<Span> spans, boolean tuple) implements Val {
        public ListV(List<Val> items, List<Span> spans) {
            this(items, spans, false);
        }

        /** The same kind of sequence holding other items. */
        public ListV with(List<Val> newItems) {
            return new ListV(newItems, spans, tuple);
        }

        @Override public String describe() {
            return (tuple ? "a tuple of " : "a list of ") + items.size() + (items.size() == 1 ? " item" : " items");
        }
    }

    /**
     * A list that a {@code for} loop's body appends to ({@code losses.append(loss.item())}), as the
     * body sees it: the list before the loop ({@code base}: a {@link ListV}, or the same list growing
     * in an enclosing loop) and what this iteration has appended so far. After the loop it is a
     * list again, the appended items read from the loop's tapes (see lower/GrowingLists). Inside
     * the loop it cannot be read: its length and items depend on the iteration.
     * {@code frame} identifies the loop (by identity); {@code at} is the first append.
     */
    record Growing(Object frame, Val base, List<Piece> pieces, Span at) implements Val {
        @Override public String describe() {
            return "a list that this loop appends to (tx reads it after the loop)";
        }
    }

    /**
     * What one append of an iteration added: one item held by {@code var} ({@code rows} -1), or
     * {@code rows} items, the rows of {@code var} (a nested loop's appends); {@code item} describes
     * one item (its var aside): a tensor or a Python scalar.
     */
    record Piece(Var var, int rows, T item) {}

    /**
     * Python's {@code range(start, stop, step)} as a value ({@code r = range(5)}), of whole numbers
     * known at compile time; prints as Python's {@code range(0, 5)}.
     */
    record RangeV(long start, long stop, long step) implements Val {
        /** How many numbers it holds, as Python's {@code len(range(...))}. */
        public long count() {
            return step > 0 ? Math.max(0, Math.floorDiv(stop - start + step - 1, step)) : Math.max(0, Math.floorDiv(start - stop - step - 1, -step));
        }

        /** Its repr: {@code range(0, 5)}, {@code range(0, 10, 2)}. */
        public String show() {
            return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
        }

        @Override public String describe() {
            return "a range";
        }
    }

    /** A function value: a user function, a transform of one (grad, value_and_grad, vjp), or one with a custom derivative. */
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
    /**
     * {@code frame}: -1 for a file's function; for a closure (a {@code lambda}, a {@code fn} inside a
     * function), the activation it was made in, whose names it reads when called (0: the script).
     */
    record UserFn(String name, int frame) implements FnRef {
        public UserFn(String name) {
            this(name, -1);
        }

        @Override public String show() {
            if (name.indexOf('#') > 0) return name.substring(0, name.indexOf('#')); // an earlier of several definitions of one name
            return name.startsWith("$") ? name.substring(1) : name; // a built-in taken as a function (grad(tanh))
        }
    }

    /** A built-in used as a value, {@code act = tanh} (LANGUAGE.md §4, v2): calling it calls the built-in. */
    record BuiltinFn(String name) implements FnRef {
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

    /**
     * custom_vjp(f, rule): f, whose reverse-mode derivative is the function {@code rule} (f's
     * parameters, then the output's adjoint); or custom_jvp(f, rule): f, whose forward-mode
     * derivative is {@code rule} (f's parameters, then one tangent per parameter). {@code kind} is
     * the transform's name.
     */
    record Custom(String kind, FnRef of, String rule) implements FnRef {
        @Override public String show() {
            return kind + "(" + of.show() + ", " + rule + ")";
        }
    }

    /** Several values, returned by a function: destructured by `a, b = f(...)`. */
    /**
     * A Python dict with keys known at compile time (strings, ints), in insertion order (LANGUAGE.md
     * §4, v2): d2l's {@code hyperparams = {'lr': 0.03}}. A change ({@code d['lr'] = v}) makes a new
     * value with the same {@code id}, the Python object's identity, which replaces the old one
     * wherever a name or a collection holds it (so another name bound to the dict sees the change).
     */
    record DictV(List<Val> keys, List<Val> values, int id) implements Val {
        private static final java.util.concurrent.atomic.AtomicInteger MADE = new java.util.concurrent.atomic.AtomicInteger();

        /** A new dict: an object of its own. */
        public DictV(List<Val> keys, List<Val> values) {
            this(keys, values, MADE.incrementAndGet());
        }

        /** A new identity, for a dict or a set. */
        public static int nextId() {
            return MADE.incrementAndGet();
        }

        /** The same dict, changed. */
        public DictV with(List<Val> newKeys, List<Val> newValues) {
            return new DictV(newKeys, newValues, id);
        }

        @Override public String describe() {
            return "a dict";
        }
    }

    record Tuple(List<Val> items) implements Val {
        @Override public String describe() {
            return items.size() + " values";
        }
    }

    /**
     * A Python set of strings, numbers and booleans known at compile time ({@code set(''.join(words))}),
     * its items deduplicated by Python's equality ({@code 1 == 1.0 == True}) in the order first seen.
     * Python's own order is its hash table's, so tx prints a set only where that order is fixed (see lower/Sets).
     * A change makes a new value with the same {@code id}, as a dict's does (see lower/DictChanges).
     */
    record SetV(List<Val> items, int id) implements Val {
        /** A new set: an object of its own (its identity drawn with the dicts', so that the two never share one). */
        public SetV(List<Val> items) {
            this(items, DictV.nextId());
        }

        /** The same set, changed ({@code add}, {@code update}, {@code discard}, {@code remove}). */
        public SetV with(List<Val> newItems) {
            return new SetV(newItems, id);
        }

        @Override public String describe() {
            return "a set of " + items.size() + (items.size() == 1 ? " item" : " items");
        }
    }

    /** A dtype: {@code int64}, {@code torch.bool}, {@code x.dtype} (LANGUAGE.md §3); prints as {@code torch.int64}. */
    record DTypeV(tx.runtime.tensor.DType dtype) implements Val {
        @Override public String describe() {
            return "the dtype " + dtype;
        }
    }

    /**
     * A list whose length is known only at run time (one a {@code for} loop appended to in a branch,
     * or after a {@code break}): its items are the first {@code count} rows of {@code rows}, each
     * like {@code item} (a Python scalar or a tensor that does not require grad). {@code tensor}:
     * {@code torch.tensor(xs)} or {@code torch.stack(xs)} of such a list, a tensor of those rows
     * (see lower/RunLists).
     */
    record RunList(T rows, T count, T item, boolean tensor) implements Val {
        @Override public String describe() {
            return tensor ? "a tensor whose length is known only at run time" : "a list whose length is known only at run time";
        }
    }

    /** The value of an expression that already failed: it silences follow-on errors. */
    record Bad() implements Val {
        @Override public String describe() {
            return "an erroneous value";
        }
    }
}
