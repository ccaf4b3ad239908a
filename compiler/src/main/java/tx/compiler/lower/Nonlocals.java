package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's {@code nonlocal} (LANGUAGE.md §7, v2): a function defined inside another names its
 * maker's variables, reads them and assigns them ({@code count += 1} in a counter's {@code inc}).
 * The statement is checked as Python's compiler checks it, for the whole file before anything runs
 * (Python's SyntaxErrors, E0125): at the script's level; a parameter, or a {@code global} name, also
 * named nonlocal; a name used in the function before the statement; a name that no enclosing
 * function binds. How a call hands the names back to its maker is {@link Closures}'s.
 */
final class Nonlocals {
    private final Lowerer l;

    /** Every name some function of the file declares nonlocal: a loop that calls a function value carries them. */
    private final Set<String> anywhere = new LinkedHashSet<>();

    Nonlocals(Lowerer l) {
        this.l = l;
    }

    /** The names a body's `nonlocal` statements name, nested blocks included (not nested functions). */
    static Set<String> declared(List<Ast.Stmt> body) {
        Set<String> out = new LinkedHashSet<>();
        for (Ast.Nonlocal n : statements(body)) out.addAll(n.names());
        return out;
    }

    /** The names any function of the file declares nonlocal. */
    Set<String> anywhere() {
        return anywhere;
    }

    private static List<Ast.Nonlocal> statements(List<Ast.Stmt> body) {
        List<Ast.Nonlocal> out = new ArrayList<>();
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.Nonlocal n) out.add(n);
        });
        return out;
    }

    /** Checks the file's `nonlocal` statements, as Python does when it compiles a module. */
    void check(List<Ast.Stmt> program) {
        for (Ast.Nonlocal n : statements(program)) {
            l.diags.error("E0125", n.span(), "`nonlocal` at the script's level: there is no enclosing function whose names it could name",
                    "Python's SyntaxError, \"nonlocal declaration not allowed at module level\"; at the script's level a name is the script's already");
        }
        BodyReads.statements(program, s -> {
            if (s instanceof Ast.FnDef f) function(f, new ArrayDeque<>());
        });
    }

    /** A function and the functions defined in it; {@code enclosing}: the names bound by each function around it, innermost first. */
    private void function(Ast.FnDef f, Deque<Set<String>> enclosing) {
        Set<String> globals = Globals.declared(f.body());
        for (Ast.Nonlocal n : statements(f.body())) {
            for (int i = 0; i < n.names().size(); i++) name(f, n, n.names().get(i), n.spans().get(i), globals, enclosing);
        }
        Set<String> own = Globals.bound(f.body());
        for (Ast.Param p : f.params()) own.add(p.name());
        own.removeAll(globals);
        enclosing.push(own);
        BodyReads.statements(f.body(), s -> {
            if (s instanceof Ast.FnDef inner) function(inner, enclosing);
        });
        enclosing.pop();
    }

    private void name(Ast.FnDef f, Ast.Nonlocal n, String name, Span at, Set<String> globals, Deque<Set<String>> enclosing) {
        String fn = Definitions.shown(f.name());
        if (f.params().stream().anyMatch(p -> p.name().equals(name))) {
            l.diags.error("E0125", at, "`" + name + "` is a parameter of `" + fn + "` and cannot also be nonlocal",
                    "Python's SyntaxError; rename the parameter, or drop it and read the maker's `" + name + "`");
        } else if (usedBefore(f.body(), name, n.span()) != null) {
            l.diags.error("E0125", at, "`" + name + "` is used in `" + fn + "` at line " + usedBefore(f.body(), name, n.span()).line() + ", before this `nonlocal` statement",
                    "put `nonlocal " + name + "` first in the function, as Python requires");
        } else if (globals.contains(name)) {
            l.diags.error("E0125", at, "`" + name + "` is named both `global` and `nonlocal` in `" + fn + "`", "Python's SyntaxError; keep the one you mean");
        } else if (enclosing.stream().noneMatch(s -> s.contains(name))) {
            l.diags.error("E0125", at, "`nonlocal " + name + "`: no function around `" + fn + "` has a variable `" + name + "`",
                    enclosing.isEmpty() ? "`" + fn + "` is defined at the script's level, whose names `global` names (Python's SyntaxError, \"no binding for nonlocal\")"
                            : "`nonlocal` names a variable that a function around this one assigns or takes as a parameter (Python's SyntaxError, \"no binding for nonlocal\")");
        } else {
            anywhere.add(name);
        }
    }

    /** Where a body names {@code name} before {@code stmt} (as a read or a target), or null. */
    private static Span usedBefore(List<Ast.Stmt> body, String name, Span stmt) {
        Span[] first = {null};
        BodyReads.statements(body, s -> {
            if (s instanceof Ast.Nonlocal || s instanceof Ast.Global) return;
            Span hit = BodyReads.firstName(s, name);
            if (hit != null && before(hit, stmt) && (first[0] == null || before(hit, first[0]))) first[0] = hit;
        });
        return first[0];
    }

    private static boolean before(Span a, Span b) {
        return a.line() < b.line() || a.line() == b.line() && a.col() < b.col();
    }
}
