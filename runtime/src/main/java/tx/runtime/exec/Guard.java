package tx.runtime.exec;

import tx.runtime.ir.Origin;
import tx.runtime.kernels.Limits;
import tx.runtime.ir.Stmt;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The run-time limits and the anomaly check, kept out of the interpreter's loop. Memory is
 * accounted per variable slot (a shared tensor counts once per slot that holds it, so the count
 * errs high), and an equation is refused before its output is allocated.
 */
final class Guard {
    private final RunOptions options;
    /** The deadline: the command's (it bounds compiling and running together), set by {@link Interpreter}. */
    private final Limits limits;
    private long held;
    /** The steps of composites and derivative rules, which the anomaly check passes over (see {@link tx.runtime.ir.Program#internal}). */
    private final java.util.BitSet internal;

    Guard(RunOptions options, java.util.BitSet internal) {
        this.options = options;
        this.internal = internal;
        this.limits = Limits.current();
    }

    /** Called before every statement: stops the run once its time is up. */
    void tick(Stmt s) {
        if (limits.expired()) throw timeout(s.origin());
    }

    /** The run stopped at its --timeout, at {@code o} (between statements, or inside a long kernel). */
    TxRuntimeException timeout(Origin o) {
        return new TxRuntimeException(TxRuntimeException.Kind.TIMEOUT, "the program ran longer than the --timeout of "
                + limits.timeoutMillis() / 1000.0 + " s; it was stopped here", o, null);
    }

    /**
     * Before an equation runs: refuses an output that would take the data held over --max-memory.
     * An output whose size is known only at run time (a mask's selection) is counted once it is
     * made ({@link #made}); it is no larger than the tensor it selects from, counted already.
     */
    void reserve(Stmt.Eqn e, Tensor replaced) {
        if (options.maxBytes() == 0 || Shapes.symbolic(e.out().shapeRef())) return; // no limit: nothing to account for on the interpreter's hot path
        account(e, replaced, Shapes.numelExact(e.out().shapeRef()));
    }

    /** After an equation whose output's size was known only when it ran: that size counted as {@link #reserve} counts the others. */
    void made(Stmt.Eqn e, Tensor replaced, Tensor value) {
        if (options.maxBytes() != 0 && Shapes.symbolic(e.out().shapeRef())) account(e, replaced, value.size());
    }

    private void account(Stmt.Eqn e, Tensor replaced, long elements) {
        long out = 8L * elements;
        long old = replaced == null ? 0 : 8L * replaced.size();
        if (options.maxBytes() > 0 && held - old + out > options.maxBytes()) {
            throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "this needs " + RunOptions.bytes(held - old + out)
                    + " of tensor data at once, more than the --max-memory of " + RunOptions.bytes(options.maxBytes()), e.origin(),
                    "the result of this operation alone is a tensor of shape " + Shapes.show(e.out().shapeRef()) + " (" + RunOptions.bytes(out) + ")");
        }
        held += out - old;
    }

    /** Before a loop runs: its tape (the values its reversal reads back) counts against --max-memory. */
    void reserveTape(Stmt.Loop l) {
        if (options.maxBytes() == 0 || l.tapes().isEmpty()) return;
        long bytes = 0;
        for (var t : l.tapes()) bytes += 8L * Shapes.numelExact(t.shapeRef());
        if (held + bytes > options.maxBytes()) {
            throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "this loop's tape needs " + RunOptions.bytes(bytes)
                    + " (the values its reversal reads back), more than the --max-memory of " + RunOptions.bytes(options.maxBytes())
                    + " allows with " + RunOptions.bytes(held) + " held already", l.origin(),
                    "`with checkpoint { ... }` around the loop's body recomputes those values instead of storing them");
        }
        held += bytes;
    }

    /** After an iteration of a while: its tape grew by {@code bytes}, which count against --max-memory. */
    void growTape(Stmt.Loop l, long bytes) {
        if (options.maxBytes() == 0 || bytes == 0) return;
        if (held + bytes > options.maxBytes()) {
            throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "this loop's tape grew past the --max-memory of "
                    + RunOptions.bytes(options.maxBytes()) + " (the values its reversal reads back, one row per iteration)", l.origin(),
                    "check that the loop's condition becomes false, or give it more memory");
        }
        held += bytes;
    }

    /** A value no longer held (dropped after its last use). */
    void release(long bytes) {
        if (options.maxBytes() != 0) held = Math.max(0, held - bytes);
    }

    /**
     * After an equation runs: with --detect-anomaly, the first nan or infinity in a value of the
     * program stops the run. A step inside a composite or a derivative rule is not checked: what it
     * holds reaches the program only through the values that are.
     */
    void check(Stmt.Eqn e, Tensor v) {
        if (!options.detectAnomaly() || internal.get(e.out().id())) return;
        double[] d = v.data();
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                throw new TxRuntimeException(TxRuntimeException.Kind.ANOMALY, describe(e, d[i]), e.origin(),
                        "first non-finite element: index " + i + " of a tensor of shape " + Shapes.show(v.shapeRef()));
            }
        }
    }

    private static String describe(Stmt.Eqn e, double bad) {
        String what = Double.isNaN(bad) ? "nan" : bad > 0 ? "inf" : "-inf";
        Origin o = e.origin();
        String pass = o.adjoint() ? "in the backward pass, while computing the gradient of this expression"
                : "in the forward pass";
        return "`" + e.prim().text() + "` produced " + what + " " + pass;
    }
}
