package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded generator of random tx scripts (LANGUAGE.md sections 2 to 6). The same seed always
 * gives the same program. Three kinds:
 * <ul>
 *   <li>{@link Kind#GRADIENT}: leaves, a few intermediate values, a scalar output, its backward.
 *       The fuzzer checks the leaves' gradients against finite differences of the output.</li>
 *   <li>{@link Kind#SCRIPT}: a random mix of statements: assignments, prints, backward,
 *       {@code no_grad} updates, training loops, ifs, assert_close, requires_grad_, zero_grad,
 *       in-place updates. It must compile and run.</li>
 *   <li>{@link Kind#MISTAKE}: a script with one deliberate mistake (wrong shapes, an unknown name,
 *       a non-scalar backward, a grad used before any backward, an in-place change of a leaf
 *       outside no_grad, ...); it must be rejected with the expected error code (or, for a failing
 *       assert_close, fail at run time).</li>
 * </ul>
 * The generator tracks what the checker tracks (shapes, requires_grad, which leaves a backward
 * reaches, whether each {@code .grad} is set, None or maybe None, values that came out of a loop
 * or an if) so that what it means to be valid is valid.
 */
public final class ProgramGenerator {
    public enum Kind { GRADIENT, SCRIPT, MISTAKE }

    /**
     * What compiling and running the program must do. {@code codes}: error codes of which at least
     * one must be reported, if it is rejected; {@code mayRun}/{@code mayBeRejected}: which outcomes
     * are acceptable; {@code assertFails}: it compiles, and an assert_close fails at run time.
     */
    public record Expect(String what, Set<String> codes, boolean mayRun, boolean mayBeRejected, boolean assertFails) {
        static Expect runs() {
            return new Expect("compiles and runs", Set.of(), true, false, false);
        }

        static Expect rejected(String what, String... codes) {
            return new Expect(what, Set.of(codes), false, true, false);
        }

        /** A feature this version does not support yet (E0306): rejected now, perhaps accepted later. */
        static Expect rejectedOrRuns(String what, String... codes) {
            return new Expect(what, Set.of(codes), true, true, false);
        }

        static Expect assertFails(String what) {
            return new Expect(what, Set.of(), false, false, true);
        }
    }

    /**
     * How to recompute a gradient program's output from its leaves alone: the leaves (declared
     * first, in this order), the statements that compute the output (no backward, no print), and
     * the output expression: the sum of everything backward was called on, seeds included.
     */
    public record GradientSpec(List<String> leaves, List<int[]> shapes, List<String> body, String output) {}

    public record Program(long seed, Kind kind, String source, Expect expect, GradientSpec gradient) {}

    public static Program generate(long seed) {
        return new ProgramGenerator(seed).build();
    }

    private static final String[] LEAF_NAMES = {"x", "w", "b", "W", "theta", "v", "a", "p"};

    private final long seed;
    final SplittableRandom rnd;
    Map<String, Binding> env = new LinkedHashMap<>();
    final ExprGen gen;
    private final List<String> lines = new ArrayList<>();
    int indent, loopDepth;
    private int names, loopTrips = 1;
    /** Leaves whose grad state a statement changed (for the state after a loop). */
    private Set<String> touched = new HashSet<>();
    /** False after a plain {@code w -= lr * w.grad}: the intervals no longer bound the values. */
    private boolean sound = true;
    /** The statements of the later Python syntax (assert, lists, ranges, strings, create_graph). */
    private final ScriptSyntax syntax;

    private ProgramGenerator(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.gen = new ExprGen(rnd, new ForwardingEnv());
        this.syntax = new ScriptSyntax(this);
    }

    /** The expression generator sees the current environment, which ifs and loops swap. */
    private final class ForwardingEnv extends java.util.AbstractMap<String, Binding> {
        @Override public Set<Entry<String, Binding>> entrySet() {
            return env.entrySet();
        }

        @Override public Binding get(Object k) {
            return env.get(k);
        }
    }

    private Program build() {
        int r = rnd.nextInt(100);
        if (r < 45) return gradient();
        return script(r >= 78);
    }

    // ---- gradient programs -------------------------------------------------------------------------

    private Program gradient() {
        gen.gradientMode = true;
        emit("# tx fuzz: a gradient program (seed " + hex(seed) + ")");
        List<String> leaves = new ArrayList<>(), body = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            Binding b = declareLeaf(Shape.random(rnd, 3, 12));
            leaves.add(b.name);
            shapes.add(b.shape);
        }
        if (rnd.nextInt(3) == 0) body.add(bind(fresh("c"), gen.constant(Shape.random(rnd, 2, 12))));
        for (int k = rnd.nextInt(3); k > 0; k--) body.add(bind(fresh("h"), gen.genFresh(someShape(), 2)));
        if (rnd.nextInt(3) == 0) body.add(carriedLoop());
        if (rnd.nextInt(4) == 0) windowLoop(body);
        String output = gradientOutput(body);
        if (rnd.nextInt(3) == 0) emit("print(" + leaves.get(rnd.nextInt(leaves.size())) + ".grad)");
        emit("print(" + output + ".item())");
        for (String leaf : leaves) emit(probe(leaf, Shape.numel(env.get(leaf).shape)));
        return new Program(seed, Kind.GRADIENT, source(), Expect.runs(), new GradientSpec(leaves, shapes, body, output));
    }

    /**
     * A value carried through a loop that a data-dependent test may leave early, for the gradient
     * to go back through: {@code h = h * 0.5 + e} in a {@code while} on a counter with a
     * {@code break} when {@code sum(abs(h))} passes a bound, or in a {@code for} that skips one
     * iteration with {@code continue} and has the same {@code break}. Returns the statements.
     */
    private String carriedLoop() {
        int[] shape = someShape();
        String h = fresh("h"), k = fresh("k");
        Ex init = gen.genFresh(shape, 1), e = withGrad(gen.gen(shape, 1));
        int trips = 1 + rnd.nextInt(5);
        double bound = (1 + rnd.nextInt(8)) * 0.5 * Math.max(1, Shape.numel(shape));
        List<String> text = new ArrayList<>(List.of(h + " = " + init.text()));
        String[] stop = {"    if sum(abs(" + h + ")) > " + Shape.num(bound) + " {", "        break", "    }"};
        String step = "    " + h + " = " + h + " * 0.5 + " + e.text();
        if (rnd.nextBoolean()) {
            text.addAll(List.of(k + " = 0", "while " + k + " < " + trips + " {"));
            text.addAll(List.of(stop));
            text.addAll(List.of(step, "    " + k + " += 1", "}"));
        } else {
            text.addAll(List.of("for " + k + " in range(" + trips + ") {", "    if " + k + " == " + rnd.nextInt(trips) + " {", "        continue", "    }", step));
            text.addAll(List.of(stop));
            text.add("}");
        }
        for (String line : text) emit(line);
        double lo = Math.min(init.lo(), 0) + 2 * Math.min(e.lo(), 0), hi = Math.max(init.hi(), 0) + 2 * Math.max(e.hi(), 0);
        env.put(h, new Binding(h, Ex.from(h, init.shape(), lo, hi, init, e), false));
        carried = h;
        return String.join("\n", text);
    }

    /** A loop over windows {@code x[i:i + k]} ({@link OpGen#windowLoop}), whose value the output reads unless another loop's does. */
    private void windowLoop(List<String> body) {
        OpGen.Loop w = gen.ops().windowLoop(fresh("h"), fresh("i"));
        if (w == null) return;
        w.lines().forEach(this::emit);
        env.put(w.name(), new Binding(w.name(), w.value(), false));
        if (carried == null) carried = w.name();
        body.add(String.join("\n", w.lines()));
    }

    /** The value a gradient program's loop carried (see {@link #carriedLoop}), or null. */
    private String carried;

    /** {@code e + mean(h) * 0.5} with h the loop's carried value, so that the gradient goes back through the loop. */
    private Ex withCarried(Ex e) {
        Binding h = carried == null ? null : env.get(carried);
        if (h == null || Shape.numel(h.shape) == 0) return e;
        return Ex.from("(" + e.text() + " + mean(" + h.name + ") * 0.5)", e.shape(), e.lo() + Math.min(0, h.lo * 0.5), e.hi() + Math.max(0, h.hi * 0.5), e, h.ref());
    }

    /** The backward call(s) of a gradient program; returns the output expression they differentiate. */
    private String gradientOutput(List<String> body) {
        String s = fresh("s");
        switch (rnd.nextInt(10)) {
            case 0: {
                body.add(bind(s, withGrad(gen.genFresh(Shape.SCALAR, 3))));
                emit(rnd.nextBoolean() ? s + ".backward(tensor(2.0))" : "backward(" + s + ", 2)");
                return "(" + s + " * 2)";
            }
            case 1: {
                int[] shape = vectorShape();
                Ex y = withGrad(gen.genFresh(shape, 3));
                String g = fresh("g");
                body.add(bind(g, gen.literal(shape)));
                body.add(bind(s, y));
                emit(rnd.nextBoolean() ? s + ".backward(" + g + ")" : "backward(" + s + ", " + g + ")");
                return "sum(" + s + " * " + g + ")";
            }
            case 2: {
                body.add(bind(s, withGrad(gen.genFresh(Shape.SCALAR, 3))));
                emit(s + ".backward(retain_graph=True)"); // s2 may share a part of s's graph (E0310 otherwise)
                String s2 = fresh("s");
                body.add(bind(s2, withGrad(gen.genFresh(Shape.SCALAR, 3))));
                emit("backward(" + s2 + ")");
                return "(" + s + " + " + s2 + ")";
            }
            case 3: {
                body.add(bind(s, withGrad(gen.genFresh(Shape.SCALAR, 3))));
                emit(rnd.nextBoolean() ? s + ".backward(retain_graph=True)" : "backward(" + s + ", retain_graph=True)");
                emit(s + ".backward()"); // a second backward accumulates, once the first retained the graph (E0310 otherwise)
                return "(" + s + " * 2)";
            }
            default: {
                body.add(bind(s, withCarried(withGrad(gen.genFresh(Shape.SCALAR, 3)))));
                emit(rnd.nextInt(3) == 0 ? "backward(" + s + ")" : s + ".backward()");
                return s;
            }
        }
    }

    /** {@code print(x.flatten()[0].item(), ...)}: the leaf's values, exactly (Python's float repr round-trips). */
    private static String probe(String leaf, int n) {
        StringBuilder sb = new StringBuilder("print(");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(leaf).append(".flatten()[").append(i).append("].item()");
        return sb.append(')').toString();
    }

    /** e, plus a term in some leaf if e does not depend on any (so that backward has something to do). */
    Ex withGrad(Ex e) {
        if (e.rg() || gen.noGrad) return e;
        List<Binding> fit = new ArrayList<>(), all = new ArrayList<>();
        for (Binding b : env.values()) {
            if (!b.leaf || b.printOnly) continue;
            all.add(b);
            if (Arrays.equals(Shape.broadcast(b.shape, e.shape()), e.shape())) fit.add(b);
        }
        if (all.isEmpty()) return e;
        Binding l = gen.pick(fit.isEmpty() ? all : fit);
        String term = fit.isEmpty() ? "mean(" + l.name + ")" : l.name;
        return Ex.from("(" + e.text() + " + " + term + " * 0.5)", e.shape(), e.lo() + Math.min(0, l.lo * 0.5), e.hi() + Math.max(0, l.hi * 0.5), e, l.ref());
    }

    // ---- leaves ---------------------------------------------------------------------------------------

    /** A new leaf that requires grad, made with one of the constructors (a literal when the one picked does not fit s). */
    private Binding declareLeaf(int[] s) {
        String name = fresh(LEAF_NAMES[rnd.nextInt(LEAF_NAMES.length)]);
        String rg = rnd.nextInt(4) == 0 ? "requires_grad=True" : "requires_grad=true";
        Ex value = leafValue(s, rg);
        if (value == null) {
            Ex lit = gen.literal(s); // tensor(...) or zeros(...): put requires_grad inside the call
            value = Ex.constant(lit.text().substring(0, lit.text().length() - 1) + ", " + rg + ")", s, lit.lo(), lit.hi());
        }
        emit(name + " = " + value.text());
        Binding b = new Binding(name, value, true);
        env.put(name, b);
        return b;
    }

    /** A leaf made by arange, linspace, ones/zeros/full, rand/randn, detach().requires_grad_() or eye; null for a literal. */
    private Ex leafValue(int[] s, String rg) {
        int n = Shape.numel(s);
        switch (rnd.nextInt(12)) {
            case 0:
                if (s.length != 1) return null;
                if (rnd.nextBoolean()) return Ex.constant("arange(" + n + ".0, " + rg + ")", s, 0, n - 1);
                double a = (rnd.nextInt(5) - 4) / 2.0, st = (1 + rnd.nextInt(4)) / 4.0; // quarters: every value exact
                return Ex.constant("arange(" + Shape.fnum(a) + ", " + Shape.fnum(a + n * st) + ", " + Shape.fnum(st) + ", " + rg + ")", s, a, a + (n - 1) * st);
            case 1: {
                if (s.length != 1 || n < 2) return null;
                double lo = Shape.niceValue(rnd), hi = Shape.niceValue(rnd);
                return Ex.constant("linspace(" + Shape.num(lo) + ", " + Shape.num(hi) + ", " + n + ", " + rg + ")", s, Math.min(lo, hi), Math.max(lo, hi));
            }
            case 2: {
                if (s.length == 0) return null;
                double v = Shape.niceValue(rnd);
                String shape = rnd.nextBoolean() ? Shape.args(s) : Shape.list(s);
                return switch (rnd.nextInt(4)) {
                    case 0 -> Ex.constant("ones(" + shape + ", " + rg + ")", s, 1, 1);
                    case 1 -> gen.gradientMode ? null : Ex.constant("zeros(" + shape + ", " + rg + ")", s, 0, 0);
                    default -> Ex.constant("full(" + Shape.list(s) + ", " + Shape.fnum(v) + ", " + rg + ")", s, v, v);
                };
            }
            case 3: {
                if (s.length == 0) return null;
                boolean normal = rnd.nextBoolean();
                return Ex.constant((normal ? "randn(" : "rand(") + Shape.args(s) + ", seed=" + rnd.nextInt(100) + ", " + rg + ")", s, normal ? -6 : 0, normal ? 6 : 1);
            }
            case 4: {
                if (s.length == 0) return null;
                String r = "arange(" + n + ".0)" + (s.length > 1 ? ".reshape(" + Shape.args(s) + ")" : "");
                return rnd.nextBoolean() ? Ex.constant("detach(" + r + " * 0.25 - 1).requires_grad_()", s, -1, (n - 1) * 0.25 - 1)
                        : Ex.constant("(" + r + " * 0.5).detach().requires_grad_()", s, 0, (n - 1) * 0.5);
            }
            case 5:
                return s.length == 2 && s[0] == s[1] ? Ex.constant("eye(" + s[0] + ", " + rg + ")", s, 0, 1) : null;
            default:
                return null;
        }
    }

    // ---- scripts ----------------------------------------------------------------------------------------

    private Program script(boolean withMistake) {
        emit("# tx fuzz: a " + (withMistake ? "script with a deliberate mistake" : "script") + " (seed " + hex(seed) + ")");
        if (rnd.nextInt(100) < 15) { // some scripts work with empty tensors too
            gen.allowEmpty = true;
            sound = false;
        }
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) declareLeaf(gen.randomShape(3, 12));
        for (int k = rnd.nextInt(3); k > 0; k--) bind(fresh("c"), gen.constant(gen.randomShape(3, 12)));
        int n = 3 + rnd.nextInt(7), at = withMistake ? rnd.nextInt(n + 1) : -1;
        Expect expect = Expect.runs();
        for (int i = 0; i <= n; i++) {
            if (i == at) expect = new Mistakes().inject();
            if (i < n) statement(0);
        }
        return new Program(seed, withMistake ? Kind.MISTAKE : Kind.SCRIPT, source(), expect, null);
    }

    private void statement(int depth) {
        switch (rnd.nextInt(21)) {
            case 19, 20 -> syntax.statement(depth);
            case 0, 1, 2 -> assign();
            case 3, 4 -> print();
            case 5, 6 -> backwardStatement();
            case 7 -> update();
            case 8 -> noGradBlock(depth);
            case 9 -> {
                if (depth < 2) trainingLoop(depth); else print();
            }
            case 10 -> {
                if (depth < 2) printLoop(depth); else assign();
            }
            case 11, 12 -> {
                if (depth < 2) ifStatement(depth); else print();
            }
            case 13 -> assertClose();
            case 14 -> newLeaf();
            case 15 -> resetGrad();
            case 16 -> {
                if (depth < 2) accumulate(); else alias();
            }
            case 17 -> alias();
            default -> inPlace();
        }
    }

    /** {@code a = h}: a second name for the same tensor (not for a leaf: that would be another leaf name). */
    private void alias() {
        List<Binding> values = new ArrayList<>();
        for (Binding b : env.values()) if (!b.leaf && !b.printOnly && !b.number && !b.counter) values.add(b);
        if (values.isEmpty()) {
            assign();
            return;
        }
        Binding h = gen.pick(values);
        String name = fresh("a");
        emit(name + " = " + h.name);
        Binding a = new Binding(name, h.ref(), false);
        a.group = h.group;
        env.put(name, a);
    }

    /**
     * {@code acc = ...; for j in range(n) { acc = acc * 0.5 + e }}: a value carried from one iteration
     * to the next (a number becomes a scalar tensor); the start may be another name for a tensor in
     * scope, even a leaf's, which the loop must leave alone.
     */
    private void accumulate() {
        String acc = fresh("acc");
        List<Binding> start = new ArrayList<>();
        for (Binding b : env.values()) if (!b.printOnly && !b.number && !b.counter && Shape.numel(b.shape) > 0) start.add(b);
        Ex init = !start.isEmpty() && rnd.nextBoolean() ? gen.pick(start).ref()
                : rnd.nextBoolean() ? Ex.number(Shape.niceValue(rnd)) : gen.genFresh(someShape(), 1);
        emit(acc + " = " + init.text());
        String j = fresh("j");
        emit("for " + j + " in range(" + (1 + rnd.nextInt(4)) + ") {");
        indent++;
        loopDepth++;
        Ex e = gen.gen(init.shape(), 1);
        emit(acc + " = " + acc + " * 0.5 + " + e.text());
        loopDepth--;
        indent--;
        emit("}");
        double lo = Math.min(init.lo(), 0) + 2 * Math.min(e.lo(), 0), hi = Math.max(init.hi(), 0) + 2 * Math.max(e.hi(), 0);
        Ex after = Ex.from(acc, init.shape(), lo, hi, init, e); // a tensor now, even if it started as a number
        Binding b = new Binding(acc, after, false);
        b.printOnly = b.rg() || !b.weak.isEmpty(); // a loop's result: no backward through it (E0306)
        env.put(acc, b);
        if (rnd.nextBoolean()) emit("print(" + acc + ")");
    }

    private void assign() {
        bind(fresh("h"), gen.genFresh(someShape(), 1 + rnd.nextInt(3)));
    }

    private void print() {
        List<Binding> all = new ArrayList<>();
        for (Binding b : env.values()) if (!b.number) all.add(b);
        Binding any = gen.pick(all);
        switch (rnd.nextInt(9)) {
            case 0, 1 -> emit("print(" + gen.gen(someShape(), 2).text() + ")");
            case 2 -> emit("print(" + label() + ", " + gen.gen(someShape(), 1).text() + ", " + gen.gen(Shape.SCALAR, 1).text() + ")");
            case 3 -> emit("print(" + any.name + ".shape, " + any.name + ".requires_grad, " + any.name + ".is_leaf)");
            case 4 -> emit("print(" + any.name + ".grad)"); // None, a tensor, or W0305 for a result
            case 5 -> emit("print(" + gen.gen(Shape.SCALAR, 2).recv() + ".item())");
            case 6 -> emit(any.shape.length > 0 ? "print(" + any.name + ".shape[" + rnd.nextInt(any.shape.length) + "], " + any.name + ".T)" : "print()");
            case 7 -> emit("print(" + any.name + ")");
            default -> {
                Ex e = gen.gen(someShape(), 1);
                emit("print(" + (e.number() ? "tensor(" + e.text() + ")" : e.recv()) + ".requires_grad)");
            }
        }
    }

    private String label() {
        return new String[] {"\"loss\"", "\"a \\\"quoted\\\" word\"", "\"back\\\\slash\"", "\"two\\nlines\"", "\"\"", "\"# not a comment\""}[rnd.nextInt(6)];
    }

    private void backwardStatement() {
        if (gen.noGrad) {
            print();
            return;
        }
        String name = fresh("loss");
        if (rnd.nextInt(4) == 0) {
            int[] shape = vectorShape();
            Ex y = withGrad(gen.genFresh(shape, 2));
            bind(name, y);
            // NOTE: a script's backwards may share parts of one graph, so each keeps it (retain_graph=True; E0310 otherwise)
            emit(rnd.nextBoolean() ? name + ".backward(ones(" + Shape.args(shape) + "), retain_graph=True)"
                    : "backward(" + name + ", " + gen.literal(shape).text() + ", retain_graph=True)");
            reached(y);
            return;
        }
        Ex s = withGrad(gen.genFresh(Shape.SCALAR, 1 + rnd.nextInt(3)));
        bind(name, s);
        emit(rnd.nextInt(3) == 0 ? "backward(" + name + ", retain_graph=True)" : name + ".backward(retain_graph=True)");
        reached(s);
    }

    /** After a backward of e: the leaves it reaches have a grad; those it may reach maybe have one. */
    void reached(Ex e) {
        for (String l : e.weak()) {
            Binding b = env.get(l);
            if (b != null && b.leaf && b.grad != Binding.Grad.SET) {
                b.grad = Binding.Grad.MAYBE;
                touched.add(l);
            }
        }
        for (String l : e.leaves()) {
            Binding b = env.get(l);
            if (b != null && b.leaf) {
                b.grad = Binding.Grad.SET;
                touched.add(l);
            }
        }
    }

    /** {@code with no_grad { w -= lr * w.grad }} for leaves whose grad is set; then perhaps zero_grad. */
    private void update() {
        List<Binding> ready = new ArrayList<>();
        for (Binding b : env.values()) if (b.leaf && !b.printOnly && b.grad == Binding.Grad.SET) ready.add(b);
        if (ready.isEmpty() || gen.noGrad) {
            backwardStatement();
            return;
        }
        emit("with no_grad {");
        indent++;
        List<String> updated = new ArrayList<>();
        for (Binding b : ready) {
            if (!updated.isEmpty() && rnd.nextInt(3) == 0) continue;
            updated.add(b.name);
            double lr = new double[] {0.1, 0.05, 0.01}[rnd.nextInt(3)];
            switch (rnd.nextInt(5)) {
                case 0 -> emit(b.name + " -= " + Shape.num(lr) + " * clamp(" + b.name + ".grad, -1, 1)");
                case 1 -> emit(b.name + " += " + Shape.num(-lr) + " * tanh(" + b.name + ".grad)");
                case 2 -> {
                    emit(b.name + " *= 0.5");
                    b.lo = Math.min(b.lo * 0.5, b.lo);
                    b.hi = Math.max(b.hi * 0.5, b.hi);
                    continue;
                }
                default -> {
                    emit(b.name + " -= " + Shape.num(lr) + " * " + b.name + ".grad");
                    sound = false;
                }
            }
            b.lo -= lr * loopTrips;
            b.hi += lr * loopTrips;
        }
        indent--;
        emit("}");
        if (rnd.nextBoolean()) {
            emit("zero_grad(" + String.join(", ", updated) + ")");
            for (String u : updated) {
                env.get(u).grad = Binding.Grad.NONE;
                touched.add(u);
            }
        }
    }

    private void noGradBlock(int depth) {
        boolean checkpoint = rnd.nextInt(4) == 0;
        emit(checkpoint ? "with checkpoint {" : "with no_grad {");
        indent++;
        boolean old = gen.noGrad;
        gen.noGrad = gen.noGrad || !checkpoint;
        String z = fresh("z");
        bind(z, gen.genFresh(someShape(), 2));
        if (rnd.nextBoolean() && !env.get(z).number) emit("print(" + z + ".requires_grad)");
        if (rnd.nextBoolean()) statement(depth + 1);
        gen.noGrad = old;
        indent--;
        emit("}");
    }

    // ---- loops and branches ----------------------------------------------------------------------------

    /** for i in range(n) { forward; backward; no_grad update; maybe zero_grad; maybe print } */
    private void trainingLoop(int depth) {
        if (gen.noGrad) {
            printLoop(depth);
            return;
        }
        Loop loop = openLoop();
        Ex s = withGrad(gen.genFresh(Shape.SCALAR, 2));
        String loss = fresh("loss");
        bind(loss, s);
        emit(rnd.nextBoolean() ? loss + ".backward(retain_graph=True)" : "backward(" + loss + ", retain_graph=True)");
        reached(s);
        update();
        if (rnd.nextBoolean()) emit("print(" + loop.index + ", " + loss + (rnd.nextBoolean() ? ".item())" : ")"));
        if (rnd.nextInt(3) == 0) statement(depth + 1);
        closeLoop(loop);
    }

    private void printLoop(int depth) {
        Loop loop = openLoop();
        emit("print(" + loop.index + ", " + gen.gen(someShape(), 2).text() + ")");
        if (rnd.nextBoolean()) statement(depth + 1);
        closeLoop(loop);
    }

    /** An open loop: its counter, the state before it, the grads touched before it, and its trip count. */
    private record Loop(String index, Map<String, Binding> before, Set<String> touchedBefore, int trips) {}

    private Loop openLoop() {
        String i = fresh("i");
        int n = 1 + rnd.nextInt(4), form = rnd.nextInt(3), start = form == 0 ? 0 : rnd.nextInt(3), step = form == 2 ? 1 + rnd.nextInt(2) : 1;
        String range = switch (form) {
            case 0 -> "range(" + n + ")";
            case 1 -> "range(" + start + ", " + (start + n) + ")";
            default -> "range(" + start + ", " + (start + n * step) + ", " + step + ")";
        };
        Loop loop = new Loop(i, copy(env), touched, n);
        touched = new HashSet<>();
        // at the top of the body a grad holds what the previous iteration left: maybe None
        for (Binding b : env.values()) if (b.leaf) b.grad = Binding.Grad.MAYBE;
        emit("for " + i + " in " + range + " {");
        indent++;
        loopDepth++;
        loopTrips *= n;
        bind(i, Ex.constant(i, Shape.SCALAR, start, start + (n - 1) * step), false);
        env.get(i).counter = true;
        return loop;
    }

    private void closeLoop(Loop loop) {
        indent--;
        loopDepth--;
        loopTrips /= loop.trips;
        emit("}");
        for (Map.Entry<String, Binding> e : env.entrySet()) {
            Binding now = e.getValue(), was = loop.before.get(e.getKey());
            if (was == null) {
                // a loop's result: no backward through it (E0306); sign() and the like do require grad
                now.printOnly = now.printOnly || now.rg() || !now.weak.isEmpty();
            } else if (now.leaf && !touched.contains(now.name)) {
                now.grad = was.grad;
            }
        }
        touched.addAll(loop.touchedBefore);
    }

    private void ifStatement(int depth) {
        Map<String, Binding> before = copy(env);
        emit("if " + condition().text() + " {");
        env = branches(before, depth);
    }

    /** A scalar condition: a comparison, a reduction compared with 0, or any scalar (non-zero is true). */
    private Ex condition() {
        return switch (rnd.nextInt(3)) {
            case 0 -> gen.compare(gen.gen(Shape.SCALAR, 1), gen.gen(Shape.SCALAR, 0));
            case 1 -> gen.gen(Shape.SCALAR, 2);
            default -> {
                Ex a = gen.atom(gen.sourceShape());
                yield gen.compare(Ex.from("sum(" + a.text() + ")", Shape.SCALAR, -1, 1, a), Ex.number(0));
            }
        };
    }

    /** The body after {@code if c {}, then perhaps {@code else if} or {@code else}; returns the state after the whole if. */
    private Map<String, Binding> branches(Map<String, Binding> before, int depth) {
        indent++;
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) statement(depth + 1);
        indent--;
        Map<String, Binding> then = env;
        env = copy(before);
        int r = rnd.nextInt(10);
        if (r < 2) {
            emit("} else if " + condition().text() + " {");
            return merge(before, then, branches(before, depth));
        }
        if (r < 8) {
            emit("} else {");
            indent++;
            for (Binding b : then.values()) { // the same names again, with values of the same kind and shape
                if (before.containsKey(b.name) || b.leaf || !rnd.nextBoolean()) continue;
                Ex e = gen.genFresh(b.shape, 1);
                // NOTE: a constant condition makes tx check only the branch taken, so a name must not be a
                // number on one path and a tensor on the other: each path's kind must be the merged one
                if (e.number() && !b.number) e = Ex.from("tensor(" + e.text() + ")", b.shape, e.lo(), e.hi(), e);
                if (!e.number() && b.number) continue;
                bind(b.name, e);
            }
            for (int k = rnd.nextInt(3); k > 0; k--) statement(depth + 1);
            indent--;
        }
        emit("}");
        return merge(before, then, env);
    }

    /**
     * The state after an if, from the states at the end of its two branches: a name assigned on one
     * path only is gone (E0102); one assigned on both, or changed on either, is the if's result and
     * may only be printed (E0306); a leaf's grad is set after the if only if it is set after both.
     */
    private static Map<String, Binding> merge(Map<String, Binding> before, Map<String, Binding> a, Map<String, Binding> b) {
        Map<String, Binding> out = new LinkedHashMap<>();
        for (Binding x : a.values()) {
            Binding y = b.get(x.name);
            if (y == null || !Arrays.equals(x.shape, y.shape) || x.leaf != y.leaf) continue;
            Binding old = before.get(x.name);
            boolean unchanged = old != null && x.identity == old.identity && y.identity == old.identity;
            Binding m = unchanged ? x.copy() : x.renewed();
            m.printOnly = x.printOnly || y.printOnly;
            if (x.group != y.group) m.group = new Object(); // different tensors on the two paths: the if's own result
            m.lo = Math.min(x.lo, y.lo);
            m.hi = Math.max(x.hi, y.hi);
            m.leaves = union(x.leaves, y.leaves);
            m.weak = union(x.weak, y.weak);
            m.grad = x.grad == y.grad ? x.grad : Binding.Grad.MAYBE;
            if (!m.leaf && !unchanged) m.printOnly = true;
            out.put(m.name, m);
        }
        return out;
    }

    // ---- smaller statements --------------------------------------------------------------------------------

    private void assertClose() {
        if (!sound) {
            print();
            return;
        }
        int[] s = someShape();
        boolean old = gen.seededOnly;
        gen.seededOnly = true; // an unseeded rand() differs at each place it is written
        Ex a = gen.genFresh(s, 2);
        gen.seededOnly = old;
        switch (rnd.nextInt(4)) {
            case 0 -> emit("assert_close(" + a.text() + ", " + a.text() + ")");
            case 1 -> emit("assert_close(" + a.text() + " * 2, " + a.text() + " + " + a.text() + ", rtol=1e-12, atol=0)");
            case 2 -> {
                Ex p = gen.positive(a);
                emit("assert_close(exp(log(" + p.text() + ")), " + p.text() + ", rtol=1e-9)");
            }
            default -> {
                if (s.length == 0) {
                    emit("assert_close(" + a.recv() + ".sum(), " + a.text() + ")");
                } else {
                    int d = rnd.nextInt(s.length);
                    int[] rest = Shape.remove(s, d);
                    emit("assert_close(sum(softmax(" + a.text() + ", dim=" + d + "), dim=" + d + "), "
                            + (rest.length == 0 ? "tensor(1.0)" : "ones(" + Shape.args(rest) + ")") + ")");
                }
            }
        }
    }

    /** {@code p = detach(e).requires_grad_()}: a new leaf with a computed value. */
    private void newLeaf() {
        if (loopDepth > 0) {
            print();
            return;
        }
        Ex e = gen.genFresh(someShape(), 2);
        String name = fresh("p");
        // NOTE: .double(), since e may be an int64 or bool tensor (a loop counter, a comparison), which cannot require grad
        switch (rnd.nextInt(3)) {
            case 0 -> emit(name + " = detach(" + e.recv() + ".double()).requires_grad_()");
            case 1 -> emit(name + " = " + e.recv() + ".double().detach().requires_grad_()");
            default -> {
                emit(name + " = detach(" + e.recv() + ".double())");
                emit("requires_grad_(" + name + ")");
            }
        }
        env.put(name, new Binding(name, e, true));
    }

    private void resetGrad() {
        List<Binding> leaves = new ArrayList<>();
        for (Binding b : env.values()) if (b.leaf && !b.printOnly) leaves.add(b);
        if (leaves.isEmpty()) {
            print();
            return;
        }
        Binding l = gen.pick(leaves);
        switch (rnd.nextInt(4)) {
            case 0 -> emit(l.name + ".grad = None");
            case 1 -> {
                emit(l.name + ".grad = " + (l.shape.length == 0 ? "tensor(0.5)" : "ones(" + Shape.args(l.shape) + ")"));
                l.grad = Binding.Grad.SET;
                touched.add(l.name);
                return;
            }
            default -> {
                StringBuilder sb = new StringBuilder("zero_grad(" + l.name);
                for (Binding b : leaves) {
                    if (b != l && rnd.nextInt(3) == 0) {
                        sb.append(", ").append(b.name);
                        b.grad = Binding.Grad.NONE;
                        touched.add(b.name);
                    }
                }
                emit(sb.append(')').toString());
            }
        }
        l.grad = Binding.Grad.NONE;
        touched.add(l.name);
    }

    /** {@code h += e}, {@code h *= 2}, ... on a computed tensor (a new value, as docs/language.md says). */
    private void inPlace() {
        List<Binding> targets = new ArrayList<>();
        for (Binding b : env.values()) if (!b.leaf && !b.printOnly) targets.add(b);
        if (targets.isEmpty() || loopDepth > 0 || gen.noGrad) {
            assign();
            return;
        }
        Binding h = gen.pick(targets);
        int[][] p = gen.broadcastPair(h.shape);
        int[] other = Arrays.equals(Shape.broadcast(p[1], h.shape), h.shape) ? p[1] : Shape.SCALAR;
        // NOTE: a name holding a number takes only a number (`c *= tensor` is refused: see docs/fuzzing.md)
        Ex e = h.number ? Ex.number(Shape.niceValue(rnd)) : gen.gen(other, 1);
        String op = new String[] {"+=", "-=", "*=", "/="}[rnd.nextInt(4)];
        if (op.equals("/=")) e = h.number ? Ex.number(0.5 + rnd.nextInt(4) / 4.0) : gen.positive(e);
        // NOTE: a tensor that does not require grad is not made to by an in-place update: if it is a
        // detached view (h = detach(w)), tx then loses its grad at the next no_grad update of w (a known bug, docs/fuzzing.md)
        if (!h.rg() && e.rg()) e = e.weakened("detach(" + e.text() + ")", e.shape(), e.lo(), e.hi());
        emit(h.name + " " + op + " " + e.text());
        Ex before = h.ref();
        double[] m = switch (op) {
            case "+=" -> new double[] {h.lo + e.lo(), h.hi + e.hi()};
            case "-=" -> new double[] {h.lo - e.hi(), h.hi - e.lo()};
            case "*=" -> ExprGen.product(before, e);
            default -> ExprGen.product(h.lo, h.hi, 1 / e.hi(), 1 / e.lo());
        };
        if (Math.max(Math.abs(m[0]), Math.abs(m[1])) > 1e6) sound = false;
        for (Binding b : new ArrayList<>(env.values())) { // every name for this tensor sees the update
            if (b.group != h.group) continue;
            Binding updated = new Binding(b.name, Ex.arith(b.name, h.shape, m[0], m[1], before, e), false);
            updated.group = h.group;
            env.put(b.name, updated);
        }
    }

    // ---- deliberate mistakes ------------------------------------------------------------------------------

    /** One mistake, written at the current point of the script; returns what the compiler must say. */
    private final class Mistakes {
        Expect inject() {
            Binding leaf = someLeaf();
            int[] v = vectorShape();
            switch (rnd.nextInt(28)) {
                case 0: {
                    int[] a = {2 + rnd.nextInt(2)}, b = {a[0] + 1 + rnd.nextInt(2)};
                    if (rnd.nextBoolean()) a = Shape.insert(a, 0, 2);
                    String op = new String[] {" + ", " * ", " - "}[rnd.nextInt(3)];
                    emit(fresh("bad") + " = " + gen.gen(a, 1).text() + op + gen.gen(b, 1).text());
                    return Expect.rejected("shapes that do not broadcast", "E0201");
                }
                case 1: {
                    int m = 1 + rnd.nextInt(3), k = 1 + rnd.nextInt(3), n = 1 + rnd.nextInt(3);
                    emit(fresh("bad") + " = " + gen.gen(new int[] {m, k}, 1).text() + " @ " + gen.gen(new int[] {k + 1, n}, 1).text());
                    return Expect.rejected("a matmul whose inner sizes differ", "E0202");
                }
                case 2:
                    emit(fresh("bad") + " = " + "undefined_" + rnd.nextInt(100) + " * " + leaf.name);
                    return Expect.rejected("an unknown name", "E0101");
                case 3:
                    emit(fresh("bad") + " = " + leaf.name + (rnd.nextBoolean() ? "s" : "_") + " + 1");
                    return Expect.rejected("a misspelt name", "E0101");
                case 4:
                    emit(fresh("bad") + " = " + new String[] {"erfinv(", "torch.frobnicate(", "frobnicate("}[rnd.nextInt(3)] + leaf.name + ")");
                    return Expect.rejected("an unknown function", "E0103", "E0101");
                case 5:
                    emit(fresh("bad") + " = " + "sum(" + leaf.name + ", dims=0)"); // NumPy's axis= is dim= (PyTorch reads it so)
                    return Expect.rejected("an unknown keyword argument", "E0104");
                case 6:
                    emit(fresh("bad") + " = softmax(" + gen.gen(v, 1).text() + ", 0, 1)"); // without dim= it is PyTorch's implicit choice (W0104)
                    return Expect.rejected("softmax with too many arguments", "E0104");
                case 7:
                    emit("for " + fresh("i") + " in range(2.5) {");
                    emit("    print(1)");
                    emit("}");
                    return Expect.rejected("a range that is not a whole number", "E0105");
                case 8:
                    emit(fresh("bad") + " = sum(" + gen.gen(v, 1).text() + ", dim=" + (v.length + rnd.nextInt(3)) + ")");
                    return Expect.rejected("a dim out of range", "E0203");
                case 9:
                    emit(fresh("bad") + " = " + gen.gen(v, 1).recv() + "[" + (v[0] + rnd.nextInt(3)) + "]");
                    return Expect.rejected("an index out of range", "E0204");
                case 10:
                    emit(fresh("bad") + " = " + gen.gen(v, 1).recv() + ".reshape(" + (Shape.numel(v) + 1) + ")");
                    return Expect.rejected("a reshape that changes the number of elements", "E0205");
                case 11:
                    emit(fresh("bad") + " = tensor([[1, 2], [3]])");
                    return Expect.rejected("a ragged tensor literal", "E0206");
                case 12:
                    emit(fresh("bad") + " = cat([ones(2, 3), ones(3, 2)], dim=0)");
                    return Expect.rejected("cat of mismatched shapes", "E0207");
                case 13: {
                    String g = fresh("g");
                    emit(g + " = ones(1)");
                    emit("for " + fresh("i") + " in range(2) {");
                    emit("    " + g + " = cat([" + g + ", ones(1)])");
                    emit("}");
                    return Expect.rejected("a loop that grows a tensor", "E0208");
                }
                case 14: {
                    String y = fresh("y");
                    Ex e = withGrad(gen.genFresh(v, 2));
                    emit(y + " = " + e.text());
                    emit(rnd.nextBoolean() ? y + ".backward()" : "backward(" + y + ")");
                    return Expect.rejected("a backward of a non-scalar", "E0301");
                }
                case 15: {
                    String c = fresh("c");
                    emit("with no_grad {");
                    emit("    " + c + " = sum(" + leaf.name + ")");
                    emit("}");
                    emit(c + ".backward()");
                    return Expect.rejected("a backward of something that does not require grad", "E0302");
                }
                case 16: {
                    String m = fresh("m");
                    emit(m + " = tensor([1.0, 2.0], requires_grad=true)");
                    emit(fresh("bad") + " = " + m + ".grad * 2");
                    return Expect.rejected("a grad used before any backward", "E0303");
                }
                case 17: {
                    for (Binding b : env.values()) {
                        if (b.leaf && !b.printOnly && b.grad == Binding.Grad.NONE) {
                            emit(fresh("bad") + " = " + b.name + ".grad + 1");
                            return Expect.rejected("a grad that is (or may be) None used in arithmetic", "E0303");
                        }
                    }
                    emit(leaf.name + ".grad = None");
                    emit(fresh("bad") + " = " + leaf.name + ".grad + 1");
                    leaf.grad = Binding.Grad.NONE;
                    return Expect.rejected("a grad used after it was reset", "E0303");
                }
                case 18:
                    emit(leaf.name + " " + new String[] {"-=", "+=", "*="}[rnd.nextInt(3)] + " 0.5");
                    return Expect.rejected("an in-place change of a leaf outside no_grad", "E0304");
                case 19: {
                    String h = fresh("h");
                    emit(h + " = " + leaf.name + " * 2");
                    emit(rnd.nextBoolean() ? "zero_grad(" + h + ")" : h + ".grad = None");
                    return Expect.rejected("zero_grad of a tensor that is not a leaf", "E0305");
                }
                case 20: {
                    String r = fresh("r");
                    emit(r + " = " + leaf.name + " * 2");
                    emit("for " + fresh("i") + " in range(2) {");
                    emit("    " + r + " = " + r + " * 0.5");
                    emit("}");
                    emit("sum(" + r + ").backward()");
                    return Expect.rejectedOrRuns("a backward through a loop-carried value", "E0306");
                }
                case 21: {
                    String r = fresh("r");
                    emit("if sum(" + leaf.name + ") > 0 {");
                    emit("    " + r + " = " + leaf.name + " * 2");
                    emit("} else {");
                    emit("    " + r + " = " + leaf.name + " * 3");
                    emit("}");
                    emit("sum(" + r + ").backward()");
                    return Expect.rejectedOrRuns("a backward through the result of an if", "E0306");
                }
                case 22: {
                    String h = fresh("h");
                    emit(h + " = " + leaf.name + " * 2");
                    emit(h + ".requires_grad_()");
                    return Expect.rejected("requires_grad_ on a computed tensor", "E0307");
                }
                case 23:
                    emit("if " + gen.gen(v, 1).text() + " > 0 {");
                    emit("    print(1)");
                    emit("}");
                    return Expect.rejected("an if on a vector", "E0401");
                case 24: {
                    String only = fresh("only");
                    emit("if sum(" + leaf.name + ") > 0 {");
                    emit("    " + only + " = " + leaf.name + " * 2");
                    emit("}");
                    emit("print(" + only + ")");
                    return Expect.rejected("a name assigned on one branch only", "E0102");
                }
                case 25:
                    switch (rnd.nextInt(4)) {
                        case 0 -> emit("for " + fresh("i") + " in range(2):");
                        case 1 -> emit(fresh("bad") + " = (" + leaf.name + " + 1");
                        case 2 -> emit("import torch");
                        default -> emit(fresh("bad") + " = " + leaf.name + " +* 2");
                    }
                    return Expect.rejected("a syntax error", "E0001");
                case 26: {
                    String f = fresh("f");
                    switch (rnd.nextInt(4)) {
                        case 0 -> {
                            emit("fn " + f + "(a: [n]) -> [] {");
                            emit("    return sum(a * a)");
                            emit("}");
                        }
                        case 1 -> {
                            emit(fresh("a") + ", " + fresh("b") + " = sum(" + leaf.name + ")"); // a tensor of two rows would unpack
                            return Expect.rejected("two names for one value", "E0401");
                        }
                        case 2 -> {
                            emit("check " + leaf.name + " == " + leaf.name);
                            return Expect.rejected("a check of two tensors rather than grad(f) == df", "E0110");
                        }
                        default -> emit(fresh("g") + " = grad(" + f + ")");
                    }
                    return Expect.rejectedOrRuns("a feature this version does not have yet", "E0101", "E0103");
                }
                default: {
                    if (rnd.nextBoolean()) {
                        emit(fresh("bad") + " = " + leaf.name + " * 1e999");
                        return Expect.rejected("a number too large", "E0002");
                    }
                    emit("assert_close(sum(" + leaf.name + "), sum(" + leaf.name + ") + 1)");
                    return Expect.assertFails("an assert_close that fails");
                }
            }
        }

        private Binding someLeaf() {
            List<Binding> leaves = new ArrayList<>();
            for (Binding b : env.values()) if (b.leaf && !b.printOnly) leaves.add(b);
            return leaves.isEmpty() ? declareLeaf(new int[] {2}) : gen.pick(leaves);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String bind(String name, Ex e) {
        return bind(name, e, true);
    }

    private String bind(String name, Ex e, boolean write) {
        String line = name + " = " + e.text();
        if (write) emit(line);
        env.put(name, new Binding(name, e, false));
        return line;
    }

    void emit(String line) {
        lines.add("    ".repeat(indent) + line);
    }

    private String source() {
        return String.join("\n", lines) + "\n";
    }

    String fresh(String prefix) {
        return prefix + (names++);
    }

    /** A shape for a new value: usually that of a name in scope, sometimes a new one. */
    int[] someShape() {
        return rnd.nextBoolean() ? gen.sourceShape() : gen.randomShape(3, 12);
    }

    /** A shape with at least two elements (a non-scalar). */
    private int[] vectorShape() {
        int[] s = someShape();
        return Shape.numel(s) >= 2 ? s : new int[] {2 + rnd.nextInt(3)};
    }

    private static Map<String, Binding> copy(Map<String, Binding> env) {
        Map<String, Binding> out = new LinkedHashMap<>();
        for (Map.Entry<String, Binding> e : env.entrySet()) out.put(e.getKey(), e.getValue().copy());
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    static String hex(long seed) {
        return "0x" + Long.toHexString(seed);
    }
}
