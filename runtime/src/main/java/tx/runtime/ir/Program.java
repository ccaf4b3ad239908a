package tx.runtime.ir;

import java.util.List;

/**
 * A whole lowered script: its top-level statements, the number of variables, and the names of the
 * leaves whose {@code .grad} registers it uses (index = leaf id), for messages.
 */
public record Program(List<Stmt> body, int varCount, List<String> leafNames) {}
