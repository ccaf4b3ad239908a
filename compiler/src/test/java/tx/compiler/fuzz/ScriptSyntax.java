package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Statements of {@link ProgramGenerator}'s scripts (run, not gradient-checked) for the Python
 * syntax added later: {@code assert cond, "message"} that holds; a list built in a loop
 * ({@code xs = []}, {@code xs.append(loss.item())}, {@code print(xs)}); {@code range(n)} as a
 * value ({@code len(r)}, a loop over it); string values in f-strings; and
 * {@code backward(create_graph=True)} followed by a backward through {@code x.grad} (reset to None
 * in between, as docs/language.md's create_graph paragraph describes). The names these bind (a
 * list, a range, a string) are not tensors: they are not put into the generator's environment.
 */
final class ScriptSyntax {
    private final ProgramGenerator p;

    ScriptSyntax(ProgramGenerator p) {
        this.p = p;
    }

    /** One of the statements below (depth: that of the enclosing statement, 0 at the top). */
    void statement(int depth) {
        switch (p.rnd.nextInt(5)) {
            case 0 -> assertHolds();
            case 1 -> listLoop();
            case 2 -> rangeValue();
            case 3 -> stringValue();
            default -> {
                if (depth == 0) doubleBackward(); else assertHolds();
            }
        }
    }

    private String message() {
        return new String[] {"\"holds\"", "\"shape changed\"", "\"f-string {not a field}\"", "\"it's fine\""}[p.rnd.nextInt(4)];
    }

    /** A tensor expression (never a Python number) of shape s. */
    private Ex tensor(int[] s, int depth) {
        Ex e = p.gen.genFresh(s, depth);
        return e.number() ? Ex.from("tensor(" + e.text() + ")", s, e.lo(), e.hi(), e) : e;
    }

    /** {@code assert cond, "message"} with a condition that holds whatever the values (nan included). */
    private void assertHolds() {
        List<Binding> shaped = new ArrayList<>();
        for (Binding b : p.env.values()) if (!b.number && b.shape.length > 0) shaped.add(b);
        switch (p.rnd.nextInt(3)) {
            case 0 -> {
                if (shaped.isEmpty()) {
                    p.emit("assert " + (1 + p.rnd.nextInt(3)) + " > 0, " + message());
                    return;
                }
                Binding b = p.gen.pick(shaped);
                int d = p.rnd.nextInt(b.shape.length);
                p.emit("assert " + b.name + ".shape[" + d + "] == " + b.shape[d] + ", " + message());
            }
            case 1 -> {
                // exp(tanh(e)) > 0 unless e is nan; ~(... <= 0) is true for nan too, and all() of nothing is True
                Ex e = tensor(p.someShape(), 1);
                String c = "(~(exp(tanh(" + e.text() + ")) <= 0))";
                p.emit("assert " + (p.rnd.nextBoolean() ? c + ".all()" : "all(" + c + ")") + ", " + message());
            }
            default -> {
                String r = p.fresh("r");
                int n = 1 + p.rnd.nextInt(4);
                p.emit(r + " = range(" + n + ")");
                p.emit("assert len(" + r + ") == " + n + ", " + message());
            }
        }
    }

    /** {@code xs = []}, a loop that appends {@code loss.item()}, {@code print(xs)}. */
    private void listLoop() {
        if (p.loopDepth > 0) {
            assertHolds();
            return;
        }
        String xs = p.fresh("xs"), i = p.fresh("i"), loss = p.fresh("loss");
        int n = 1 + p.rnd.nextInt(4);
        p.emit(xs + " = []");
        p.emit("for " + i + " in range(" + n + ") {");
        p.indent++;
        Ex e = tensor(Shape.SCALAR, 2);
        p.emit(loss + " = " + e.recv() + " * " + i);
        p.emit(xs + ".append(" + loss + ".item())");
        p.indent--;
        p.emit("}");
        p.emit("print(" + xs + ")");
        if (p.rnd.nextBoolean()) p.emit("assert len(" + xs + ") == " + n + ", " + message());
    }

    /** {@code r = range(...)}, then {@code len(r)}, a loop over r, or r printed. */
    private void rangeValue() {
        String r = p.fresh("r");
        int start = p.rnd.nextInt(3), n = 1 + p.rnd.nextInt(4);
        p.emit(r + " = " + (p.rnd.nextBoolean() ? "range(" + n + ")" : "range(" + start + ", " + (start + n) + ")"));
        switch (p.rnd.nextInt(3)) {
            case 0 -> p.emit("print(len(" + r + "))");
            case 1 -> {
                String k = p.fresh("k");
                p.emit("for " + k + " in " + r + " {");
                p.emit("    print(" + k + ", len(" + r + "))");
                p.emit("}");
            }
            default -> p.emit("print(" + r + ", len(" + r + "))");
        }
    }

    /** {@code name = "loss"} and an f-string that shows it with a scalar's value. */
    private void stringValue() {
        String name = p.fresh("name");
        p.emit(name + " = " + new String[] {"\"loss\"", "\"acc\"", "\"a b\"", "\"\""}[p.rnd.nextInt(4)]);
        String v = p.fresh("v");
        // NOTE: bound to a name first: the expression may hold quotes (einsum's equation, pad's mode)
        p.emit(v + " = " + tensor(Shape.SCALAR, 2).text());
        String field = new String[] {"{" + name + "}", "{" + name + "!r}", "{" + name + ":>8}"}[p.rnd.nextInt(3)];
        String value = switch (p.rnd.nextInt(3)) {
            case 0 -> "{" + v + ".item():.4f}";
            case 1 -> "{" + v + ".item()}";
            default -> "{" + v + ":.3f}";
        };
        p.emit("print(f\"" + field + ": " + value + "\")");
    }

    /**
     * {@code loss.backward(create_graph=True)}, {@code g = x.grad}, {@code x.grad = None}, then a
     * backward through g (plus a term in x, so that it requires grad even when loss is linear in
     * x). Every leaf the loss may reach has its grad reset first: a create_graph backward onto a
     * grad that only some paths have set is E0303.
     */
    private void doubleBackward() {
        if (p.loopDepth > 0 || p.gen.noGrad) {
            assertHolds();
            return;
        }
        Ex s = p.withGrad(p.gen.genFresh(Shape.SCALAR, 1 + p.rnd.nextInt(3)));
        List<Binding> reach = new ArrayList<>();
        for (Binding b : p.env.values()) {
            if (b.leaf && !b.printOnly && (s.leaves().contains(b.name) || s.weak().contains(b.name))) reach.add(b);
        }
        List<Binding> sure = new ArrayList<>();
        for (Binding b : reach) if (s.leaves().contains(b.name)) sure.add(b);
        if (sure.isEmpty()) {
            assertHolds();
            return;
        }
        for (Binding b : reach) {
            p.emit(b.name + ".grad = None");
            b.grad = Binding.Grad.NONE;
        }
        String loss = p.fresh("loss"), g = p.fresh("g");
        p.emit(loss + " = " + s.text());
        p.emit(p.rnd.nextBoolean() ? loss + ".backward(create_graph=True)" : "backward(" + loss + ", create_graph=True)");
        Binding x = p.gen.pick(sure);
        p.emit(g + " = " + x.name + ".grad");
        p.emit(x.name + ".grad = None");
        String second = switch (p.rnd.nextInt(3)) {
            case 0 -> "(" + g + " * " + g + ").sum()";
            case 1 -> "sum(tanh(" + g + "))";
            default -> "(" + g + " * " + x.name + ").sum()";
        };
        p.emit("(" + second + " + (" + x.name + " * " + x.name + ").sum()).backward(retain_graph=True)");
        p.emit("print(" + x.name + ".grad)");
        p.reached(s);
        x.grad = Binding.Grad.SET;
    }
}
