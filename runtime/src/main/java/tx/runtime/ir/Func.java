package tx.runtime.ir;

import java.util.List;

/**
 * A function of the IR: parameters, a body of statements, and results. A tx function becomes one
 * (per shape and autograd signature of its calls) when its body is pure, and is then called by
 * {@link Stmt.Call}s rather than copied into each caller; the AD pass derives its adjoint once,
 * as another function (Tapenade's joint mode: the adjoint recomputes the function's own forward
 * values, then runs its reverse sweep, so no tape crosses the call).
 *
 * <p>A body reads only its parameters and defines each variable once. It has no effects (no
 * printing, no {@code .grad} registers, no files), so a call that nothing reads may be removed.
 * Functions never call themselves, directly or not, so the variables of one function are never
 * live twice at once: an interpreter may keep them in one slot each.
 *
 * <p>Equality is identity: two functions with the same text are still two units.
 */
public final class Func {
    private final String name;
    private final List<Var> params;
    private final List<Stmt> body;
    private final List<Var> results;

    public Func(String name, List<Var> params, List<Stmt> body, List<Var> results) {
        this.name = name;
        this.params = List.copyOf(params);
        this.body = List.copyOf(body);
        this.results = List.copyOf(results);
    }

    /** The name the printers show: the tx function's, or {@code f_vjp} for a derived adjoint. */
    public String name() {
        return name;
    }

    public List<Var> params() {
        return params;
    }

    public List<Stmt> body() {
        return body;
    }

    public List<Var> results() {
        return results;
    }

    /** The same function with another body and results (a pass's output); the parameters stay. */
    public Func withBody(List<Stmt> newBody, List<Var> newResults) {
        return new Func(name, params, newBody, newResults);
    }

    @Override
    public String toString() {
        return name + "/" + params.size();
    }
}
