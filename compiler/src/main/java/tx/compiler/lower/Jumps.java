package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * {@code break} and {@code continue}, rewritten into what the checker and the AD pass already
 * handle: two flags of the loop, carried like any other name, and guarded statements. {@code
 * running} is 1 until a {@code break}; {@code going} is 1 until a {@code break} or a {@code
 * continue} in the current iteration. Each iteration starts with {@code going = running}, and every
 * statement after one that may jump runs under {@code if going { ... }}:
 * <pre>
 * for i in range(n) { a; if c { break }; b }
 *   becomes
 * running = 1
 * for i in range(n) { going = running; if going { a; if c { running = 0; going = 0 }; if going { b } } }
 * </pre>
 * A {@code while} also stops when {@code running} is 0 (its condition is then not evaluated, as
 * in Python). The iterations after a {@code break} of a {@code for} still run, doing nothing; a
 * {@code while} stops at once. Gradients go through the guards as through any {@code if}: the
 * iterations and statements skipped contribute nothing.
 *
 * <p>NOTE: the flags' names are the loop's position ({@code __loop12_5_running}), so that nested
 * loops have their own and they read as what they are in {@code tx ir}; user code cannot collide
 * with them by accident.
 */
final class Jumps {
    private Jumps() {}

    /** A loop's body with its jumps rewritten, and its flags (null when the body has no such jump). */
    record Rewritten(List<Ast.Stmt> setup, List<Ast.Stmt> body, String running) {}

    /** The rewriting of a loop's body (returns the body itself when it has no {@code break} or {@code continue} of its own). */
    static Rewritten rewrite(List<Ast.Stmt> body, Span loop) {
        boolean breaks = has(body, true), continues = has(body, false);
        if (!breaks && !continues) return new Rewritten(List.of(), body, null);
        String prefix = "__loop" + loop.line() + "_" + loop.col();
        String running = breaks ? prefix + "_running" : null, going = prefix + "_going";
        List<Ast.Stmt> setup = breaks ? List.of(assign(running, 1, loop)) : List.of();
        List<Ast.Stmt> out = new ArrayList<>();
        out.add(breaks ? new Ast.Assign(List.of(target(going, loop)), new Ast.Name(running, loop), loop) : assign(going, 1, loop));
        List<Ast.Stmt> guarded = guard(body, running, going);
        if (breaks) out.add(new Ast.If(new Ast.Name(going, loop), guarded, List.of(), loop)); // after a break, the rest of a for's iterations do nothing
        else out.addAll(guarded);
        return new Rewritten(setup, out, running);
    }

    /** The statements with each jump replaced by setting the flags, and what follows a possible jump guarded. */
    private static List<Ast.Stmt> guard(List<Ast.Stmt> body, String running, String going) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Ast.Stmt s = body.get(i);
            if (s instanceof Ast.Break || s instanceof Ast.Continue) {
                if (s instanceof Ast.Break) out.add(assign(running, 0, s.span()));
                out.add(assign(going, 0, s.span()));
                return out; // what follows a jump never runs
            }
            if (!jumps(s)) {
                out.add(s);
                continue;
            }
            if (s instanceof Ast.If f) out.add(new Ast.If(f.cond(), guard(f.then(), running, going), guard(f.otherwise(), running, going), f.span()));
            else if (s instanceof Ast.With w) out.add(new Ast.With(w.kind(), guard(w.body(), running, going), w.span(), w.args()));
            List<Ast.Stmt> rest = body.subList(i + 1, body.size());
            if (!rest.isEmpty()) out.add(new Ast.If(new Ast.Name(going, s.span()), guard(rest, running, going), List.of(), s.span()));
            return out;
        }
        return out;
    }

    /** Whether a body has a {@code break} (or a {@code continue}) that belongs to the loop around it. */
    private static boolean has(List<Ast.Stmt> body, boolean isBreak) {
        for (Ast.Stmt s : body) {
            if (isBreak ? s instanceof Ast.Break : s instanceof Ast.Continue) return true;
            if (s instanceof Ast.If f && (has(f.then(), isBreak) || has(f.otherwise(), isBreak))) return true;
            if (s instanceof Ast.With w && has(w.body(), isBreak)) return true;
        }
        return false;
    }

    /** Whether a statement may jump out of the current iteration (a nested loop's jumps are its own). */
    private static boolean jumps(Ast.Stmt s) {
        return s instanceof Ast.Break || s instanceof Ast.Continue || has(List.of(s), true) || has(List.of(s), false);
    }

    private static Ast.Stmt assign(String name, int value, Span at) {
        return new Ast.Assign(List.of(target(name, at)), new Ast.Num(value, Integer.toString(value), at), at);
    }

    private static Ast.Target target(String name, Span at) {
        return new Ast.Target(name, null, at);
    }
}
