package tx.runtime.ir;

import java.util.List;
import java.util.function.UnaryOperator;
import tx.runtime.tensor.PyFormat;

/**
 * A statement of the structured IR. Equations are pure; the other statements carry the script's
 * control flow and its effects (printing, assertions, and the {@code .grad} registers of leaves).
 */
public sealed interface Stmt {
    Origin origin();

    /** {@code out = prim(in...; attr)}: one primitive. */
    record Eqn(Prim prim, List<Var> in, Var out, Object attr, Origin origin) implements Stmt {}

    /**
     * {@code for index in range(count)}: {@code params} take {@code init} on entry and
     * {@code results} after each iteration; {@code outs} hold the last iteration's results (or
     * {@code init} when count is 0). An {@code init} entry is null for a name first assigned in the
     * body: the checker proves it is never read before it is written.
     *
     * <p>The tape, for the AD pass: {@code tapes.get(k)}, of shape {@code [count] + shape}, holds the
     * value {@code stacked.get(k)} had at the end of each iteration, row i for iteration i. A
     * {@code reverse} loop runs its index from count - 1 down to 0 (the adjoint of a loop).
     */
    record Loop(int count, Var index, List<Var> init, List<Var> params, List<Stmt> body, List<Var> results,
                List<Var> outs, List<Var> stacked, List<Var> tapes, boolean reverse, Origin origin, RunTime runTime) implements Stmt {
        public Loop(int count, Var index, List<Var> init, List<Var> params, List<Stmt> body, List<Var> results, List<Var> outs, Origin origin) {
            this(count, index, init, params, body, results, outs, List.of(), List.of(), false, origin, null);
        }

        /** A loop whose trip count is {@code count}, known when the program is compiled. */
        public Loop(int count, Var index, List<Var> init, List<Var> params, List<Stmt> body, List<Var> results,
                    List<Var> outs, List<Var> stacked, List<Var> tapes, boolean reverse, Origin origin) {
            this(count, index, init, params, body, results, outs, stacked, tapes, reverse, origin, null);
        }

        /** The same loop with another body, stacked values and tapes (its trip count, static or not, kept). */
        public Loop with(List<Stmt> newBody, List<Var> newStacked, List<Var> newTapes) {
            return new Loop(count, index, init, params, newBody, results, outs, newStacked, newTapes, reverse, origin, runTime);
        }

        /** A {@code while} loop: its trip count is decided as it runs. */
        public boolean isWhile() {
            return runTime != null && runTime.cond() != null;
        }
    }

    /**
     * The trip count of a loop known only at run time ({@code count} of the {@link Loop} is then 0,
     * and so is the static first dimension of its tapes: a tape grows by one row per iteration run).
     * Either a {@code while}: before each iteration {@code head} computes {@code cond} from the
     * carried values (and values from outside); the loop stops when it is zero, and {@code trips}
     * receives how many iterations ran. Or a counted loop (the reversal of a while): it runs as many
     * iterations as the scalar {@code count} holds; {@code head}, {@code cond} and {@code trips} are
     * then empty or null.
     */
    record RunTime(List<Stmt> head, Var cond, Var trips, Var count) {
        public static RunTime whileLoop(List<Stmt> head, Var cond, Var trips) {
            return new RunTime(head, cond, trips, null);
        }

        public static RunTime counted(Var count) {
            return new RunTime(List.of(), null, null, count);
        }

        /** The same, reading {@code f(v)} for each variable it reads ({@code cond} when made outside, {@code count}). */
        public RunTime withHead(List<Stmt> newHead, Var newCond, Var newCount) {
            return new RunTime(newHead, newCond, trips, newCount);
        }
    }

    /** {@code if cond (non-zero) then ... else ...}; {@code outs} merge the two branches' results. */
    record Cond(Var cond, List<Stmt> then, List<Var> thenResults, List<Stmt> otherwise, List<Var> elseResults,
                List<Var> outs, Origin origin) implements Stmt {}

    /** {@code outs = fn(in...)}: a call of an IR function, with one output per result of the function. */
    record Call(Func fn, List<Var> in, List<Var> outs, Origin origin) implements Stmt {}

    /**
     * A fused run of elementwise equations (made by {@link FusionPass}, run tile by tile): every
     * equation makes a tensor of {@code shape} from operands of that shape, single numbers, a
     * contiguous slice or pad, or one number spread; each of {@code sums} adds up all of one
     * equation's result as it is made. The run's values are local to it, but {@code outs}: the
     * results (of equations or sums) that are read after it, each once. Its result is bit for bit
     * that of the equations run one after the other.
     *
     * <p>NOTE: {@code shape} is an array, so equality of two such records is identity, as for
     * every statement that holds one (attributes, {@link Var}s' shapes).
     */
    record Fused(int[] shape, List<Eqn> eqns, List<Eqn> sums, List<Var> outs, Origin origin) implements Stmt {}

    /** Prints the items separated by spaces, then a line break. */
    record Print(List<PrintItem> items, String sep, String end, Origin origin) implements Stmt {
        /** Python's print: the items separated by a space, then a newline. */
        public Print(List<PrintItem> items, Origin origin) {
            this(items, " ", "\n", origin);
        }
    }

    /**
     * Fails the run (exit 3) with Python's {@code AssertionError: message}: a failed {@code assert},
     * which the compiler places in the branch of a {@link Cond} taken when its condition is false.
     * The message is printed as {@code print} prints its items, side by side; empty: no message.
     * Not an {@code assertion}: a check the compiler made (sizes known only at run time that must
     * agree), whose message is the whole text, as PyTorch's run-time error says it.
     */
    record Fail(List<PrintItem> message, Origin origin, boolean assertion) implements Stmt {
        public Fail(List<PrintItem> message, Origin origin) {
            this(message, origin, true);
        }
    }

    /** Fails the run (exit 3) unless |a - b| <= atol + rtol * |b| everywhere, as torch.allclose. */
    record AssertClose(Var a, Var b, double rtol, double atol, String text, Origin origin) implements Stmt {}

    /**
     * The outcome of a {@code check}: for each random input and each {@code wrt} parameter, the
     * generated gradient, the hand-written one and the central finite differences. The run prints
     * the largest errors of each pair, and fails (exit 3) past the tolerances, naming the input,
     * the parameter and the element that differ most.
     */
    record CheckReport(String text, List<CheckEntry> entries, double tol, double fdTol, int inputs, Origin origin) implements Stmt {}

    /** One (input, parameter) of a check: the gradients, of the parameter's shape (no hand-written one: null). */
    record CheckEntry(int input, String param, Var generated, Var handWritten, Var finiteDifferences) {}

    /** {@code leaf.grad = value} (value null: {@code leaf.grad = None}). */
    record GradSet(int leaf, Var value, Origin origin) implements Stmt {}

    /** {@code leaf.grad += delta}, or {@code leaf.grad = delta} when it is None: PyTorch's accumulation. */
    record GradAccum(int leaf, Var delta, Origin origin) implements Stmt {}

    /** {@code out = leaf.grad}; at run time the value may be None, which only printing accepts. */
    record GradRead(int leaf, Var out, Origin origin) implements Stmt {}

    /** Writes the value to a NumPy .npy file ({@code path} as the program wrote it, {@code file} the one it names). */
    record Save(Var value, String path, String file, Origin origin) implements Stmt {}

    /** An item of a print statement. */
    sealed interface PrintItem {
        /** The variables it reads. */
        List<Var> vars();

        /** The same item, reading {@code f(v)} for each variable {@code v} it reads. */
        PrintItem map(UnaryOperator<Var> f);

        /** Literal text: strings, booleans, shapes, whatever the compiler knows statically. */
        record Text(String text) implements PrintItem {
            @Override public List<Var> vars() {
                return List.of();
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return this;
            }
        }

        /**
         * A tensor in PyTorch's layout with an optional suffix (requires_grad=True, grad_fn=...);
         * None if null. When {@code firstIndex} is set and holds 0 (a loop's first iteration), the
         * suffix is {@code firstSuffix} instead: a carried value is still the one from before the loop.
         */
        record TensorValue(Var var, String suffix, Var firstIndex, String firstSuffix) implements PrintItem {
            public TensorValue(Var var, String suffix) {
                this(var, suffix, null, null);
            }

            @Override public List<Var> vars() {
                return firstIndex == null ? List.of(var) : List.of(var, firstIndex);
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return new TensorValue(f.apply(var), suffix, firstIndex == null ? null : f.apply(firstIndex), firstSuffix);
            }
        }

        /** A Python float, as {@code x.item()} prints. */
        record FloatValue(Var var) implements PrintItem {
            @Override public List<Var> vars() {
                return List.of(var);
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return new FloatValue(f.apply(var));
            }
        }

        /**
         * An f-string field, {@code {x:spec}}: a Python scalar of the given kind (held by a
         * one-element variable) formatted by Python's {@code format(x, spec)}, or, for
         * {@link PyFormat.Kind#TENSOR}, the tensor's printed form (with {@code suffix}; None if
         * null) formatted as a string. {@code str}: the field's conversion ({@code !s}, {@code !r})
         * turned the scalar into its printed form first, which {@code spec} then formats as a string.
         */
        record Formatted(Var var, PyFormat.Kind kind, PyFormat.Spec spec, boolean str, String suffix) implements PrintItem {
            @Override public List<Var> vars() {
                return List.of(var);
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return new Formatted(f.apply(var), kind, spec, str, suffix);
            }
        }

        /**
         * The first {@code count} rows of {@code rows}, a list whose length is known only at run time:
         * its items as Python prints them in a list, separated by {@code ", "} ({@code kind} BOOL, INT
         * or FLOAT: Python scalars; TENSOR: each row as a tensor), or, when {@code tensor}, one tensor
         * of those rows as PyTorch prints it.
         */
        record Rows(Var rows, Var count, PyFormat.Kind kind, boolean tensor) implements PrintItem {
            @Override public List<Var> vars() {
                return List.of(rows, count);
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return new Rows(f.apply(rows), f.apply(count), kind, tensor);
            }
        }

        /** An f-string: its parts printed one after the other, with nothing between them. */
        record Joined(List<PrintItem> parts) implements PrintItem {
            @Override public List<Var> vars() {
                List<Var> out = new java.util.ArrayList<>();
                for (PrintItem p : parts) out.addAll(p.vars());
                return out;
            }

            @Override public PrintItem map(UnaryOperator<Var> f) {
                return new Joined(parts.stream().map(p -> p.map(f)).toList());
            }
        }
    }
}
