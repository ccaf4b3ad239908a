package tx.runtime.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tx.runtime.kernels.Limits;

/**
 * Compiling hit a limit: {@code --timeout} (TIME), {@code --max-memory} (MEMORY), or, without
 * {@code --max-memory}, the memory the JVM may use (SIZE). Thrown by the builder and the passes
 * at the points they check (see {@link Builder#emit}); the compiler reports it as one located error.
 * It carries no stack trace: it is a normal way for a command to end.
 */
public final class CompileLimit extends RuntimeException {
    public enum Kind { TIME, MEMORY, SIZE }

    private final Kind kind;
    private final long equations, bytes, bound;
    private final Origin where;
    private final List<String> calls = new ArrayList<>();
    private Origin outermostCall;

    public CompileLimit(Kind kind, long equations, long bytes, long bound, Origin where) {
        super(switch (kind) { // for callers of the Java API; the command line says more, and where
            case TIME -> "compiling took longer than the --timeout";
            case MEMORY -> "compiling needs more than the --max-memory: the IR grew to " + equations + " equations";
            case SIZE -> "compiling needs more memory than the JVM may use: the IR grew to " + equations + " equations";
        }, null, false, false);
        this.kind = kind;
        this.equations = equations;
        this.bytes = bytes;
        this.bound = bound;
        this.where = where;
    }

    /** Throws TIME if this thread's --timeout has passed; {@code where} is what was being compiled. */
    public static void checkTime(Origin where) {
        if (Limits.current().expired()) throw new CompileLimit(Kind.TIME, 0, 0, 0, where);
    }

    public Kind kind() {
        return kind;
    }

    /** The equations built so far (MEMORY and SIZE). */
    public long equations() {
        return equations;
    }

    /** The estimated bytes of the IR built so far (MEMORY and SIZE). */
    public long bytes() {
        return bytes;
    }

    /** The bound that was passed, in bytes (MEMORY and SIZE). */
    public long bound() {
        return bound;
    }

    /** What was being compiled when it stopped (may be {@link Origin#NONE}). */
    public Origin where() {
        return where;
    }

    /** Records a call being inlined when it stopped; called from the innermost call outwards. */
    public void inlining(String function, Origin callSite) {
        calls.add(function);
        outermostCall = callSite;
    }

    /** The functions being inlined when it stopped, outermost first. */
    public List<String> calls() {
        List<String> out = new ArrayList<>(calls);
        Collections.reverse(out);
        return out;
    }

    /** The outermost call being inlined, or null. */
    public Origin outermostCall() {
        return outermostCall;
    }
}
