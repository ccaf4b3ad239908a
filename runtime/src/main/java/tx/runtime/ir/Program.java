package tx.runtime.ir;

import java.util.BitSet;
import java.util.List;

/**
 * A whole lowered script: its top-level statements, the number of variables, and the names of the
 * leaves whose {@code .grad} registers it uses (index = leaf id), for messages.
 *
 * <p>{@code internal} holds the ids of the variables that are steps of a built-in written from
 * primitives (softmax's shift, softplus's overflowing branch) or of a derivative rule, rather than
 * values the source computes; {@code --detect-anomaly} does not check them (see
 * {@link Builder#composite}). It is read-only once the program is made.
 */
public record Program(List<Stmt> body, int varCount, List<String> leafNames, BitSet internal) {
    public Program(List<Stmt> body, int varCount, List<String> leafNames) {
        this(body, varCount, leafNames, new BitSet());
    }

    /** Whether {@code v} is a step of a composite or of a derivative rule, not a value of the program. */
    public boolean isInternal(Var v) {
        return internal.get(v.id());
    }
}
