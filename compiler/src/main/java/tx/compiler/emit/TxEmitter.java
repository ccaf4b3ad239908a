package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Func;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Tensor;

/**
 * Writes a {@link Derivation} as tx source: {@code fn NAME_grad(NAME's parameters)} returning the
 * gradients. It is ordinary tx (no grad, vjp or backward), so it runs with {@code tx run} and can
 * be differentiated again.
 *
 * <p>Readability: each variable the user named, and each adjoint ({@code d_<name>}), gets a line of
 * its own, ending with {@code # line N}, the source line it comes from; a temporary used once on
 * the same line is written inside the expression that uses it. Named dimensions are bound from the
 * parameters' shapes ({@code n = x.shape[0]}) and sizes are written as formulas in them.
 */
public final class TxEmitter {
    // operator precedences, loosest first, as in grammar/Tx.g4
    /** An expression longer than this is not written inside another one. */
    private static final int LONG = 60;
    static final int CMP = 1, ADD = 2, MUL = 3, NEG = 4, POW = 5, ATOM = 6;

    final Derivation d;
    /** Writes the slices, windows and their adjoints. */
    private final TxSlices slices = new TxSlices(this);
    /** Writes transposes and convolutions. */
    private final TxOps ops = new TxOps(this);
    private final String source;
    /** The sizes as this file writes them: a named dimension spelt like a parameter is renamed (see {@link Sizes#writtenAvoiding}). */
    private final Sizes sizes;
    private final Map<Var, Expr> exprs = new HashMap<>();
    /** The trip counts of the whiles written: Python ints, their counters. */
    private final java.util.Set<Var> counters = new java.util.HashSet<>();
    /** The states of generators seeded with a number (GEN_SEED), which a draw writes as its seed=. */
    private final java.util.Set<Var> seeds = new java.util.HashSet<>();
    private final Map<Var, Integer> uses = new HashMap<>();
    /** Tensors of one value (fills), as that value: see {@link #operand}. */
    private final Map<Var, Expr> scalars = new HashMap<>();
    private final Names taken = new Names();
    private final Set<String> dimsUsed = new HashSet<>();
    /** The block each variable is read in (for one read: where it may be written inline), and where it is made. */
    private final Map<Var, List<Stmt>> useBlock = new java.util.IdentityHashMap<>(), defBlock = new java.util.IdentityHashMap<>();
    /** For each name and source line, the equation that is the user's variable (or the adjoint) there. */
    private final Map<String, Eqn> lastOfName = new HashMap<>();
    private final Set<Var> results = new HashSet<>();
    private String indent = "";
    private boolean inAdjoint;
    private final List<String[]> lines = new ArrayList<>(); // code, comment (either may be null)
    /** The function being written: the derivation's own (null), or a function it calls, written as a helper. */
    private final Func helper;
    /** The variables the function's results need (the statements written: see {@link Liveness}). */
    private Set<Var> live;

    /** An expression and how tightly it binds. */
    record Expr(String text, int prec) {
        boolean isName() {
            return text.matches("[A-Za-z_][A-Za-z0-9_]*");
        }
    }

    private TxEmitter(Derivation d, String source, Func helper) {
        this.d = d;
        this.helper = helper;
        this.source = Escapes.txComment(source);
        Set<String> params = new HashSet<>();
        for (Ast.Param p : d.fn.params()) params.add(p.name());
        this.sizes = d.sizes.writtenAvoiding(params);
    }

    /** The tx source of {@code NAME_grad}, with a header naming the source file. */
    public static String emit(Derivation d, String sourceName) {
        StringBuilder sb = new StringBuilder();
        new TxEmitter(d, sourceName, null).header(sb);
        for (Func f : Helpers.needed(d)) sb.append(new TxEmitter(d, sourceName, f).helper()).append('\n');
        return sb.append(new TxEmitter(d, sourceName, null).emit()).toString();
    }

    private void header(StringBuilder sb) {
        List<String> wrtNames = new ArrayList<>();
        for (int k : d.wrt) wrtNames.add(d.fn.params().get(k).name());
        if (d.forward) {
            sb.append("# The value of `").append(d.fn.name()).append("` and its tangent along ").append(String.join(", ", wrtNames))
                    .append(" (forward mode), written by `tx grad --mode forward` from ").append(source).append(".\n");
        } else {
            sb.append("# The gradient of `").append(d.fn.name()).append("` with respect to ").append(String.join(", ", wrtNames))
                    .append(", written by `tx grad` from ").append(source).append(".\n");
        }
        sb.append("# A comment `# line N` names the line of ").append(source).append(" that an operation comes from.\n");
        if (d.forward && !d.functions().isEmpty()) {
            String f = d.name() + "_f_jvp";
            sb.append("# The functions it calls come first, each once: `").append(f).append("` takes f's arguments and their tangents\n")
                    .append("# and gives f's results and theirs.\n");
        } else if (!d.functions().isEmpty()) {
            sb.append("# The functions it calls come first, each once: `").append(d.fn.name()).append("_grad_f_fwd` computes f and hands out what\n")
                    .append("# f's adjoint `").append(d.fn.name()).append("_grad_f_bwd` reads; `").append(d.fn.name())
                    .append("_grad_f_vjp` computes f again before its adjoint.\n");
        }
    }

    /** The names every function of the file avoids: the functions' own, and the named dimensions. */
    private void takeGlobalNames() {
        taken.take(d.name());
        taken.takeAll(d.helperNames().values());
        taken.takeAll(d.sizes.dims());
        taken.takeAll(sizes.dims());
    }

    /**
     * A function the derivation calls, as {@code fn NAME_grad_f(...)}: its parameters named after
     * the variables they hold (a residual of the forward half keeps the name it had there), its
     * results returned in order.
     */
    private String helper() {
        takeGlobalNames();
        List<String> params = new ArrayList<>();
        for (Var p : helper.params()) {
            String name = taken.fresh(p.name() != null && p.name().matches("[A-Za-z_][A-Za-z0-9_]*") ? p.name() : "r");
            exprs.put(p, new Expr(name, ATOM));
            params.add(name + ": " + declared(p));
        }
        return function(d.helperNames().get(helper), params, helper.body(), helper.results(), null);
    }

    /** {@code NAME_grad} (or {@code NAME_jvp}), with NAME's parameters (then the tangents), its named dimensions bound first. */
    private String emit() {
        takeGlobalNames();
        List<String> names = d.paramNames(), params = new ArrayList<>();
        for (String p : names) taken.take(p);
        for (int i = 0; i < names.size(); i++) {
            exprs.put(d.params().get(i), new Expr(names.get(i), ATOM));
            params.add(names.get(i) + ": " + dims(d.paramShapes().get(i)));
        }
        List<String> shapes = new ArrayList<>();
        if (!d.forward) for (int k : d.wrt) shapes.add(dims(d.fn.params().get(k).shape()));
        return function(d.name(), params, d.body(), d.outputs(), shapes);
    }

    /** A function: its signature, the lines its results need, and its return; {@code shapes}: the results' as declared (null: as computed). */
    private String function(String name, List<String> params, List<Stmt> body, List<Var> outputs, List<String> shapes) {
        live = Liveness.of(body, outputs);
        countUses(body);
        for (Var g : outputs) uses.merge(g, 2, Integer::sum); // a result is never written inline
        results.addAll(outputs);
        names(body);
        inAdjoint = d.forward; // forward mode interleaves the tangent with the primal: no adjoint program to mark
        block(body, true);
        List<String> returned = new ArrayList<>();
        for (Var g : outputs) returned.add(ref(g, ATOM));
        if (shapes == null || shapes.isEmpty()) {
            shapes = new ArrayList<>();
            for (Var g : outputs) shapes.add(declared(g));
        }
        StringBuilder sb = new StringBuilder("fn ").append(name).append("(").append(String.join(", ", params)).append(") -> ");
        sb.append(shapes.size() == 1 ? shapes.get(0) : "(" + String.join(", ", shapes) + ")").append(" {\n");
        for (String dim : d.sizes.dims()) {
            String written = d.sizes.written(sizes, dim);
            if (!dimsUsed.contains(written)) continue;
            sb.append("    ").append(written).append(" = ").append(dimSource(dim)).append('\n');
        }
        Layout.append(sb, lines, "    ", 64);
        return sb.append("    return ").append(String.join(", ", returned)).append("\n}\n").toString();
    }

    // ---- blocks: equations, loops and branches -----------------------------------------------------

    /** Counts the reads of each variable, and notes the block it is read in and the block it is made in. */
    private void countUses(List<Stmt> body) {
        for (Stmt st : body) {
            // NOTE: the reads of statements that are not written count too: a value the primal program also reads keeps a line of its own
            if (st instanceof Eqn e) {
                for (Var x : e.in()) use(x, body);
                defBlock.put(e.out(), body);
            } else if (st instanceof Stmt.Loop l) {
                for (Var x : l.init()) if (x != null) use(x, body);
                defBlock.put(l.index(), l.body());
                for (Var p : l.params()) defBlock.put(p, l.body());
                countUses(l.body());
                if (l.runTime() != null) { // a while's head, its condition, a counted loop's count
                    countUses(l.runTime().head());
                    for (Var x : java.util.Arrays.asList(l.runTime().cond(), l.runTime().count())) if (x != null) use(x, l.runTime().head());
                }
                for (Var r : l.results()) if (r != null) use(r, l.body());
                for (Var v : l.stacked()) use(v, l.body());
                for (Var o : l.outs()) defBlock.put(o, body);
                for (Var t : l.tapes()) defBlock.put(t, body);
            } else if (st instanceof Stmt.Call c) {
                for (Var x : c.in()) use(x, body);
                for (Var o : c.outs()) defBlock.put(o, body);
            } else if (st instanceof Stmt.Cond c) {
                use(c.cond(), body);
                countUses(c.then());
                countUses(c.otherwise());
                for (Var r : c.thenResults()) if (r != null) use(r, c.then());
                for (Var r : c.elseResults()) if (r != null) use(r, c.otherwise());
                for (Var o : c.outs()) defBlock.put(o, body);
            } else if (st instanceof Stmt.Fail f) {
                for (Var x : Checks.reads(f)) uses.merge(x, 2, Integer::sum); // a value a message shows gets a line: a name in the f-string
            }
        }
    }

    private void use(Var x, List<Stmt> block) {
        uses.merge(x, 1, Integer::sum);
        useBlock.put(x, block);
    }

    private void names(List<Stmt> body) {
        for (Stmt st : body) {
            if (st instanceof Eqn e && e.out().name() != null) lastOfName.put(key(e), e);
            if (st instanceof Stmt.Loop l) names(l.body());
            if (st instanceof Stmt.Cond c) {
                names(c.then());
                names(c.otherwise());
            }
        }
    }

    private void block(List<Stmt> body, boolean top) {
        for (Stmt st : body) {
            if (!Liveness.needed(st, live)) continue;
            if (top && !inAdjoint && Derivation.adjoint(st)) {
                inAdjoint = true;
                if (!lines.isEmpty()) lines.add(new String[] {"", null});
                lines.add(new String[] {"# the adjoint program: each line ends with the line its primal operation came from", null});
            }
            if (st instanceof Eqn e) eqn(e, body);
            else if (st instanceof Stmt.Loop l) loop(l);
            else if (st instanceof Stmt.Cond c) cond(c);
            else if (st instanceof Stmt.Call c) call(c);
            else if (st instanceof Stmt.Fail f) line(Checks.txAssert("False", f, v -> name(v, f)), f); // in a side that runs only to fail
        }
    }

    /** A variable by a name of its own (an expression given a line first, where it has none). */
    private String name(Var v, Stmt at) {
        return exprs.get(v).isName() ? arg(v) : temp(arg(v), at);
    }

    /** A call of a helper: {@code a, b = NAME_grad_f(x, y)}, each output named after its variable. */
    private void call(Stmt.Call c) {
        List<String> args = new ArrayList<>(), outs = new ArrayList<>();
        for (Var x : c.in()) args.add(arg(x));
        for (Var o : c.outs()) {
            String name = results.contains(o) ? resultName(o) : o.name() != null ? fresh(o.name()) : temp();
            outs.add(name);
            exprs.put(o, new Expr(name, ATOM));
        }
        line(String.join(", ", outs) + " = " + d.helperNames().get(c.fn()) + "(" + String.join(", ", args) + ")", c);
    }

    private void eqn(Eqn e, List<Stmt> block) {
        Expr x = expression(e);
        boolean named = e.out().name() != null && lastOfName.get(key(e)) == e;
        boolean result = results.contains(e.out());
        boolean here = !useBlock.containsKey(e.out()) || useBlock.get(e.out()) == block; // read in its own block, not in a loop inside it
        boolean inline = !result && uses.getOrDefault(e.out(), 0) <= 1 && !named && here
                || scalars.get(e.out()) == x && e.out().rank() == 0 && !result;
        if (inline && x.text().length() > LONG && !result) inline = false; // a long expression gets a line
        if (inline) {
            exprs.put(e.out(), x);
            return;
        }
        String name = result ? resultName(e.out()) : named || adjointName(e) ? fresh(e.out().name()) : temp();
        // a number on its own would be a number, not a tensor
        if (e.out().rank() == 0 && scalars.get(e.out()) == x) x = call("tensor", x.text());
        line(name + " = " + x.text(), e);
        exprs.put(e.out(), new Expr(name, ATOM));
    }

    /**
     * A loop. Its carried values are names assigned before it and at the end of each iteration. A
     * tape (the values the reversed loop reads back) is a tensor of zeros with one row per
     * iteration, filled in as the loop runs. A reversed loop counts its index down.
     */
    private void loop(Stmt.Loop l) {
        if (l.runTime() != null) {
            runTimeLoop(l);
            return;
        }
        Sizes.Lin count = d.size(s -> ((Stmt.Loop) d.inSample(l, s)).count(), "a loop's trip count");
        List<String> carried = new ArrayList<>();
        List<Integer> kept = carriedBefore(l, carried);
        List<String> tapes = new ArrayList<>();
        List<Integer> liveTapes = liveTapes(l); // as the Java emitter: a tape nothing reads is not written (its rows' values may be gone)
        for (int j : liveTapes) {
            Var t = l.tapes().get(j);
            String name = fresh((t.name() != null ? t.name() : "value") + "_tape");
            tapes.add(name);
            line(name + " = zeros(" + shape(t) + (t.dtype().isFloat() ? "" : ", dtype=" + t.dtype().text()) + ")", l); // rows of bools stay bools
            exprs.put(t, new Expr(name, ATOM));
        }
        String index = fresh(l.index().name() != null ? l.index().name() : "i");
        String n = size(count);
        if (!l.reverse()) {
            line("for " + index + " in range(" + n + ") {", l);
            indent += "    ";
        } else {
            String step = fresh("step");
            line("for " + step + " in range(" + n + ") {", l);
            indent += "    ";
            Sizes.Lin last = d.size(s -> ((Stmt.Loop) d.inSample(l, s)).count() - 1, "a loop's trip count");
            line(index + " = " + size(last) + " - " + step, l);
        }
        exprs.put(l.index(), new Expr(index, ATOM));
        block(l.body(), false);
        for (int j = 0; j < tapes.size(); j++) {
            Var v = l.stacked().get(liveTapes.get(j));
            String zero = v.dtype() == tx.runtime.tensor.DType.BOOL ? "False" : "0"; // a bool row stays bool
            line(tapes.get(j) + " = " + tapes.get(j) + " + where(" + TxText.oneHot(n, index, v.rank() + 1, 0) + ", unsqueeze(" + arg(v) + ", 0), " + zero + ")", l);
        }
        assignCarried(l, kept, carried);
        indent = indent.substring(4);
        lines.add(new String[] {indent + "}", null});
        for (int k : kept) exprs.put(l.outs().get(k), new Expr(carried.get(k), ATOM));
    }

    private List<Integer> liveTapes(Stmt.Loop l) {
        List<Integer> liveTapes = new ArrayList<>();
        for (int j = 0; j < l.tapes().size(); j++) if (live == null || live.contains(l.tapes().get(j))) liveTapes.add(j);
        return liveTapes;
    }

    /** The carried values a loop writes (those something reads), each named and set to its init before the loop; {@code carried} gets the names. */
    private List<Integer> carriedBefore(Stmt.Loop l, List<String> carried) {
        List<Integer> kept = new ArrayList<>();
        for (int k = 0; k < l.params().size(); k++) {
            Var p = l.params().get(k);
            boolean used = uses.getOrDefault(p, 0) > 0 || uses.getOrDefault(l.outs().get(k), 0) > 0;
            if (used && (live == null || live.contains(l.outs().get(k)))) kept.add(k); // a dead carried value: its init is not written
        }
        for (int k = 0; k < l.params().size(); k++) carried.add(null);
        for (int k : kept) {
            Var p = l.params().get(k), init = l.init().get(k);
            String name = fresh(p.name() != null ? p.name() : "c");
            carried.set(k, name);
            if (init != null) line(name + " = " + arg(init), l);
            exprs.put(p, new Expr(name, ATOM));
        }
        return kept;
    }

    /**
     * A loop whose trip count is known only at run time. A while is a tx while on its condition,
     * computed before it and again at the end of each iteration; its tapes are lists, one item
     * appended an iteration, stacked after it; its trip count a counter. Its reversal (a counted
     * loop that runs backwards) is a while on an index counting down from the trip count.
     */
    private void runTimeLoop(Stmt.Loop l) {
        List<String> carried = new ArrayList<>();
        List<Integer> kept = carriedBefore(l, carried);
        Stmt.RunTime rt = l.runTime();
        List<Integer> liveTapes = liveTapes(l);
        List<String> rows = new ArrayList<>();
        for (int j : liveTapes) {
            Var t = l.tapes().get(j);
            rows.add(fresh((t.name() != null ? t.name() : "value") + "_rows"));
            line(rows.get(rows.size() - 1) + " = []", l);
        }
        String index = fresh(l.index().name() != null && !l.index().name().startsWith("__") ? l.index().name() : "i");
        exprs.put(l.index(), new Expr(index, ATOM));
        String cond = null;
        if (l.isWhile()) {
            line(index + " = 0", l);
            cond = head(l, null);
            line("while " + cond + " {", l);
        } else {
            // a count read from a loop's tape (a while's, nested in that loop) is a tensor: the index is a Python int
            line(index + " = " + (counters.contains(rt.count()) ? ref(rt.count(), ADD) : "int(" + arg(rt.count()) + ")") + " - 1", l);
            line("while " + index + " >= 0 {", l);
        }
        indent += "    ";
        block(l.body(), false);
        for (int j = 0; j < rows.size(); j++) line(rows.get(j) + ".append(" + arg(l.stacked().get(liveTapes.get(j))) + ")", l);
        assignCarried(l, kept, carried);
        line(index + " = " + index + (l.isWhile() ? " + 1" : " - 1"), l);
        if (l.isWhile()) head(l, cond); // in the name the while reads (a while nested in the body wrote its own)
        indent = indent.substring(4);
        lines.add(new String[] {indent + "}", null});
        for (int j = 0; j < rows.size(); j++) {
            Var t = l.tapes().get(liveTapes.get(j));
            String name = fresh((t.name() != null ? t.name() : "value") + "_tape");
            boolean number = counters.contains(l.stacked().get(liveTapes.get(j))); // a nested while's trip count: a Python int an iteration
            line(name + " = " + (number ? "tensor(" : "stack(") + rows.get(j) + ")", l);
            exprs.put(t, new Expr(name, ATOM));
        }
        if (rt.trips() != null) { // after the loop, the counter is the trip count
            exprs.put(rt.trips(), new Expr(index, ATOM));
            counters.add(rt.trips());
        }
        for (int k : kept) exprs.put(l.outs().get(k), new Expr(carried.get(k), ATOM));
    }

    /**
     * A while's head (before the loop, and again at the end of each iteration); its condition, in
     * a name of its own ({@code name}, or a new one before the loop). NOTE: the body reads nothing
     * the head makes (see Derivation), so that the head's names may differ between its two copies.
     */
    private String head(Stmt.Loop l, String name) {
        block(l.runTime().head(), false);
        if (name == null) name = temp();
        line(name + " = " + arg(l.runTime().cond()), l);
        return name;
    }

    /** The new values of a loop's carried names, all at once at the end of an iteration. */
    private void assignCarried(Stmt.Loop l, List<Integer> kept, List<String> carried) {
        List<Integer> assigned = new ArrayList<>();
        for (int k : kept) if (!l.results().get(k).equals(l.params().get(k))) assigned.add(k);
        // each new value is computed from the old ones: one that reads a name assigned before it here is named first
        List<String> early = new ArrayList<>();
        for (int k : assigned) {
            Var r = l.results().get(k);
            boolean readsNew = false;
            for (String name : early) readsNew |= java.util.regex.Pattern.compile("\\b" + name + "\\b").matcher(arg(r)).find();
            if (readsNew) {
                String t = temp();
                lines.add(lines.size() - 0, new String[] {indent + t + " = " + arg(r), null});
                exprs.put(r, new Expr(t, ATOM));
            }
            early.add(carried.get(k));
        }
        for (int k : assigned) line(carried.get(k) + " = " + arg(l.results().get(k)), l);
    }

    /** A branch; a side that does not give a value (the other side's value, for its adjoint) gives zeros. */
    private void cond(Stmt.Cond c) {
        if (Checks.isCheck(c) && c.otherwise().size() == 1 && c.otherwise().get(0) instanceof Stmt.Fail f) { // a check that shows values made before it
            line(Checks.txAssert(arg(c.cond()), f, v -> name(v, c)), c);
            return;
        }
        List<String> outs = new ArrayList<>();
        for (Var o : c.outs()) { // an output nothing reads gets no name: its sides' values were left out (Liveness)
            outs.add(!live.contains(o) ? null : o.name() != null ? fresh(o.name()) : temp());
        }
        line("if " + arg(c.cond()) + " {", c);
        for (int side = 0; side < 2; side++) {
            indent += "    ";
            block(side == 0 ? c.then() : c.otherwise(), false);
            List<Var> res = side == 0 ? c.thenResults() : c.elseResults();
            for (int k = 0; k < outs.size(); k++) {
                Var r = res.get(k);
                if (outs.get(k) == null) continue;
                line(outs.get(k) + " = " + (r == null ? "zeros(" + shape(c.outs().get(k)) + ")" : arg(r)), c);
            }
            indent = indent.substring(4);
            lines.add(new String[] {indent + (side == 0 ? "} else {" : "}"), null});
        }
        for (int k = 0; k < outs.size(); k++) if (outs.get(k) != null) exprs.put(c.outs().get(k), new Expr(outs.get(k), ATOM));
    }

    /** An adjoint line keeps the AD pass's name (d_x): its many partial adjoints of x are numbered d_x_2, d_x_3. */
    private static boolean adjointName(Eqn e) {
        return Derivation.adjoint(e) && e.out().name() != null && e.out().name().startsWith("d_");
    }

    private static String key(Eqn e) {
        return e.out().name() + "@" + e.origin().line() + (e.origin().adjoint() ? "'" : "");
    }

    /** A result's name: {@code d_<param>} for a gradient, a helper's result its variable's name (or a temporary's). */
    private String resultName(Var r) {
        if (helper == null) return fresh(d.outputNames().get(d.outputs().indexOf(r)));
        return r.name() != null ? fresh(r.name()) : temp();
    }

    private String dims(List<Ast.Dim> shape) {
        List<String> parts = new ArrayList<>();
        for (Ast.Dim dim : shape) parts.add(dim.name() != null ? dim.name() : Integer.toString(dim.size()));
        return "[" + String.join(", ", parts) + "]";
    }

    /** Where a named dimension is read from: the first parameter axis that has it (a helper's: whose size is that dimension). */
    private String dimSource(String dim) {
        if (helper != null) {
            int index = d.sizes.dims().indexOf(dim);
            for (Var p : helper.params()) {
                Sizes.Lin[] shape = d.shape(p);
                for (int i = 0; i < shape.length; i++) if (shape[i].dimension() == index) return arg(p) + ".shape[" + i + "]";
            }
            throw new Derivation.Unexpressible("a function it calls needs the size " + dim + ", which none of its parameters has");
        }
        for (Ast.Param p : d.fn.params()) {
            for (int i = 0; i < p.shape().size(); i++) if (dim.equals(p.shape().get(i).name())) return p.name() + ".shape[" + i + "]";
        }
        throw new IllegalStateException("dimension " + dim + " is on no parameter");
    }

    private String temp() {
        return taken.temp();
    }

    private String fresh(String base) {
        return taken.fresh(base);
    }

    /** A line of the body, for statement st (its source line in the comment). */
    private void line(String code, Stmt st) {
        lines.add(new String[] {indent + code, st.origin().line() > 0 ? "# line " + st.origin().line() : null});
    }

    /** A temporary line of a multi-line expansion; returns its name. */
    String temp(String code, Stmt e) {
        String name = temp();
        line(name + " = " + code, e);
        return name;
    }

    // ---- expressions ---------------------------------------------------------------------------------

    String ref(Var v, int prec) {
        Expr x = exprs.get(v);
        if (x == null) throw new IllegalStateException("no expression for " + v);
        return x.prec() >= prec ? x.text() : "(" + x.text() + ")";
    }

    String arg(Var v) {
        return ref(v, 0);
    }

    /** Whether v is written as a name (not an expression written inline). */
    boolean isName(Var v) {
        return exprs.get(v).isName();
    }

    String size(Sizes.Lin f) {
        for (int dd : f.mono()) dimsUsed.add(sizes.dims().get(dd));
        return sizes.show(f);
    }

    String shape(Var v) {
        List<String> parts = new ArrayList<>();
        for (Sizes.Lin f : d.shape(v)) parts.add(size(f));
        return "[" + String.join(", ", parts) + "]";
    }

    /** A shape as a signature declares it, {@code [n, 3]}: it binds the dimensions rather than reads them. */
    private String declared(Var v) {
        List<String> parts = new ArrayList<>();
        for (Sizes.Lin f : d.shape(v)) parts.add(sizes.show(f));
        return "[" + String.join(", ", parts) + "]";
    }

    /** An integer attribute of e, as a formula: {@code get(eqn)} reads it from each sample's equation. */
    Sizes.Lin attr(Eqn e, java.util.function.ToIntFunction<Eqn> get, String what) {
        return d.size(s -> get.applyAsInt(d.inSample(e, s)), what);
    }

    private static Expr literal(double v) {
        String s = TxText.number(v);
        return new Expr(s, s.startsWith("-") ? NEG : ATOM);
    }

    String dimList(int[] axes) {
        if (axes.length == 1) return Integer.toString(axes[0]);
        List<String> parts = new ArrayList<>();
        for (int a : axes) parts.add(Integer.toString(a));
        return "[" + String.join(", ", parts) + "]";
    }

    Expr call(String f, String... args) {
        return new Expr(f + "(" + String.join(", ", args) + ")", ATOM);
    }

    private Expr binary(Eqn e, String op, int prec) {
        return new Expr(operand(e, 0, prec) + " " + op + " " + operand(e, 1, prec + 1), prec);
    }

    /**
     * {@code op(a) @ op(b)} ({@link Attrs.Matmul}): an operand the product reads transposed is
     * written {@code x.T}, or {@code transpose(x, r - 2, r - 1)} when it has batch axes (the .tx
     * that is read back makes the swap, and the simplifier folds it into the product again).
     */
    private Expr product(Eqn e) {
        Attrs.Matmul t = Attrs.Matmul.flags(e.attr());
        String a = t.transA() ? transposed(e.in().get(0)) : operand(e, 0, MUL);
        String b = t.transB() ? transposed(e.in().get(1)) : operand(e, 1, MUL + 1);
        return new Expr(a + " @ " + b, MUL);
    }

    private String transposed(Var x) {
        int r = x.rank();
        return r == 2 ? ref(x, ATOM) + ".T" : "transpose(" + arg(x) + ", " + (r - 2) + ", " + (r - 1) + ")";
    }

    /**
     * Operand i of an elementwise equation. A tensor of one value is written as that value when
     * the other operands already give the result its shape (broadcasting does the rest).
     */
    private String operand(Eqn e, int i, int prec) {
        Expr scalar = scalars.get(e.in().get(i));
        if (scalar != null && uses.getOrDefault(e.in().get(i), 0) <= 1) {
            int[] shape = tx.runtime.tensor.Shapes.SCALAR;
            for (int k = 0; k < e.in().size(); k++) if (k != i && shape != null) shape = tx.runtime.tensor.Shapes.broadcast(shape, e.in().get(k).shapeRef());
            if (shape != null && java.util.Arrays.equals(shape, e.out().shapeRef())) return scalar.prec() >= prec ? scalar.text() : "(" + scalar.text() + ")";
        }
        return ref(e.in().get(i), prec);
    }

    /**
     * The equation's right-hand side in tx. NOTE: a switch expression with no default, so that javac
     * refuses a primitive this emitter does not know.
     */
    private Expr expression(Eqn e) {
        List<Var> in = e.in();
        Object attr = e.attr();
        return switch (e.prim()) {
            case NEG -> new Expr("-" + ref(in.get(0), NEG), NEG);
            case EXP, LOG, SIN, COS, TAN, TANH, SIGMOID, LOG1P, EXPM1, SQRT, ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC, ASIN, ACOS, ATAN -> call(e.prim().text(), arg(in.get(0))); // the built-in of that name
            case STOP_GRAD -> call("detach", arg(in.get(0)));
            case ADD -> binary(e, "+", ADD);
            case SUB -> binary(e, "-", ADD);
            case MUL -> binary(e, "*", MUL);
            case DIV -> binary(e, "/", MUL);
            case REMAINDER -> binary(e, "%", MUL);
            case FLOOR_DIVIDE -> binary(e, "//", MUL);
            case MATMUL -> product(e);
            case POW -> new Expr(ref(in.get(0), POW + 1) + " ** " + ref(in.get(1), POW), POW);
            case MAXIMUM, MINIMUM, FMOD, ATAN2 -> call(e.prim().text(), operand(e, 0, 0), operand(e, 1, 0));
            case LT -> compare(e, "<");
            case LE -> compare(e, "<=");
            case GT -> compare(e, ">");
            case GE -> compare(e, ">=");
            case EQ -> compare(e, "==");
            case NE -> compare(e, "!=");
            case WHERE -> call("where", operand(e, 0, 0), operand(e, 1, 0), operand(e, 2, 0));
            case SUM -> reduce("sum", e);
            case MAX -> reduce("amax", e);
            case PROD -> reduce("prod", e);
            case FIRST_MAX -> ops.firstMax(e);
            case PROD_OTHERS -> ops.prodOthers(e);
            case CUMSUM, CUMPROD -> call(e.prim().text(), arg(in.get(0)), "dim=" + ((Attrs.Axis) attr).axis());
            case RESHAPE -> call("reshape", arg(in.get(0)), shape(e.out()));
            case EXPAND -> {
                Expr scalar = scalars.get(in.get(0));
                if (scalar == null) yield call("expand", arg(in.get(0)), shape(e.out()));
                scalars.put(e.out(), scalar);
                yield call("full", shape(e.out()), TxText.floating(e, scalar.text()));
            }
            case TRANSPOSE -> ops.transpose(e);
            case SLICE -> slices.slice(e);
            case PAD -> slices.pad(e);
            case FLIP -> call("flip", arg(in.get(0)), dimList(((Attrs.Axes) attr).axes()));
            case CONV, CONV_INPUT, CONV_WEIGHT, MAX_POOL, MAX_UNPOOL -> ops.convolution(e);
            case TAKE -> {
                int axis = ((Attrs.Axis) attr).axis();
                yield new Expr(ref(in.get(0), ATOM) + "[" + ":, ".repeat(axis) + arg(in.get(1)) + "]", ATOM);
            }
            case PUT -> {
                Attrs.Put p = (Attrs.Put) attr;
                Sizes.Lin n = attr(e, q -> ((Attrs.Put) q.attr()).shape()[p.axis()], "a size");
                yield call("where", TxText.oneHot(size(n), arg(in.get(1)), p.shape().length, p.axis()), "unsqueeze(" + arg(in.get(0)) + ", " + p.axis() + ")", "0");
            }
            case DYNAMIC_SLICE -> slices.window(e);
            case DYNAMIC_PAD -> slices.windowPad(e);
            case CAT -> {
                List<String> parts = new ArrayList<>();
                for (Var x : in) parts.add(arg(x));
                yield call("cat", "[" + String.join(", ", parts) + "]", "dim=" + ((Attrs.Axis) attr).axis());
            }
            case CONST -> typed(e, constant(e));
            case FILL -> typed(e, fill(e));
            case CAST -> new Expr(ref(in.get(0), ATOM) + TxText.converter((tx.runtime.tensor.DType) attr), ATOM);
            case BITWISE_AND, BITWISE_OR, BITWISE_XOR -> call(e.prim().text(), operand(e, 0, 0), operand(e, 1, 0));
            case ARGMAX -> call("argmax", arg(in.get(0)), "dim=" + ((Attrs.Axis) attr).axis());
            case DET, INVERSE -> call(e.prim().text(), arg(in.get(0)));
            case CHOLESKY -> call(attr == null ? "cholesky" : "torch." + attr, arg(in.get(0))); // torch.linalg.cholesky: its errors' name
            case SIGNDET, LOGABSDET -> new Expr(call("slogdet", arg(in.get(0))).text() + (e.prim() == Prim.SIGNDET ? "[0]" : "[1]"), ATOM);
            case QR_Q, QR_R -> new Expr(call("torch.linalg.qr", arg(in.get(0))).text() + (e.prim() == Prim.QR_Q ? "[0]" : "[1]"), ATOM);
            case EIGH -> new Expr(call("torch.linalg.eigh", arg(in.get(0))).text() + "[" + ((Attrs.Part) attr).index() + "]", ATOM);
            case SVD -> ((Attrs.Part) attr).index() == 3 ? call("torch.linalg.pinv", arg(in.get(0)))
                    : new Expr(call("torch.linalg.svd", arg(in.get(0)), "full_matrices=false").text() + "[" + ((Attrs.Part) attr).index() + "]", ATOM);
            case SOLVE -> call("solve", arg(in.get(0)), TxText.solveColumns(e, arg(in.get(1))));
            case TRI_SOLVE -> call("torch.linalg.solve_triangular", arg(in.get(0)), arg(in.get(1)), "upper=" + (((Attrs.Triangle) attr).upper() ? "true" : "false"),
                    "unitriangular=" + (((Attrs.Triangle) attr).unit() ? "true" : "false"));
            case ARGSORT -> call("argsort", arg(in.get(0)), "dim=" + ((Attrs.AxisOrder) attr).axis(), "descending=" + (((Attrs.AxisOrder) attr).descending() ? "true" : "false"));
            case NONZERO -> throw new Derivation.Unexpressible("a size known only at run time (a boolean mask's selection) cannot be written yet");
            case GATHER -> call("gather", arg(in.get(0)), Integer.toString(((Attrs.Axis) attr).axis()), arg(in.get(1)));
            case SCATTER_ADD -> call("scatter_add", arg(in.get(0)), Integer.toString(((Attrs.Axis) attr).axis()), arg(in.get(1)), arg(in.get(2)));
            case SCATTER -> call("scatter", arg(in.get(0)), Integer.toString(((Attrs.Axis) attr).axis()), arg(in.get(1)), arg(in.get(2)));
            case GEN_SEED -> {
                if (!in.isEmpty()) throw new Derivation.Unexpressible("a generator seeded with a number known only at run time cannot be written yet");
                seeds.add(e.out());
                yield new Expr(attr.toString(), ATOM); // read only as a draw's seed= (GEN_DRAW)
            }
            case GEN_DRAW -> {
                String[] c = TxText.draw((Attrs.Draw) attr, shape(e.out()), seeds.contains(in.get(0)) ? arg(in.get(0)) : null);
                yield call(c[0], java.util.Arrays.copyOfRange(c, 1, c.length));
            }
            case GEN_NEXT -> throw Derivation.drawsAgain();
            case RANDOM -> {
                Attrs.Random r = (Attrs.Random) attr;
                yield call(r.normal() ? "randn" : "rand", shape(e.out()), "seed=" + r.seed());
            }
            // NOTE: the path as the source wrote it: relative to the folder of the file tx grad read
            case LOAD -> call("load", Escapes.txString(((Attrs.Load) attr).path()));
        };
    }

    /**
     * A constant or a fill of int64 or bool. A whole number without a point is an int in tx, so an
     * int64 number, tensor literal or full is written as it is; the others (zeros, ones, bools) are
     * written converted, {@code zeros([3]).long()}.
     */
    private Expr typed(Eqn e, Expr x) {
        tx.runtime.tensor.DType d = e.out().dtype();
        if (d == tx.runtime.tensor.DType.FLOAT64) return x;
        if (d == tx.runtime.tensor.DType.INT64 && (e.out().rank() == 0 || x.text().startsWith("tensor(") || x.text().startsWith("full("))) return x;
        scalars.remove(e.out());
        String base = e.out().rank() == 0 ? "tensor(" + x.text() + ")" : x.prec() >= ATOM ? x.text() : "(" + x.text() + ")";
        return new Expr(base + TxText.converter(d), ATOM);
    }

    private Expr fill(Eqn e) {
        Sizes.Real r = d.real(s -> ((Attrs.Fill) d.inSample(e, s).attr()).value(), "a filled value");
        double v = r.k();
        String value = sizes.show(r, x -> TxText.number(x));
        noteDims(r);
        scalars.put(e.out(), r.base() == null ? literal(v) : formula(r));
        if (e.out().rank() == 0) return scalars.get(e.out());
        if (r.base() == null && v == 0 && 1 / v > 0) return call("zeros", shape(e.out()));
        if (r.base() == null && v == 1) return call("ones", shape(e.out()));
        return call("full", shape(e.out()), TxText.floating(e, value));
    }

    private void noteDims(Sizes.Real r) {
        if (r.base() != null) for (int dd : r.base().mono()) dimsUsed.add(sizes.dims().get(dd));
    }

    private Expr compare(Eqn e, String op) {
        return new Expr(operand(e, 0, ADD) + " " + op + " " + operand(e, 1, ADD), CMP);
    }

    private Expr reduce(String f, Eqn e) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = e.in().get(0);
        if (r.axes().length == x.rank() && !r.keepdim() && x.rank() > 0) return call(f, arg(x));
        List<String> args = new ArrayList<>(List.of(arg(x), "dim=" + dimList(r.axes())));
        if (r.keepdim()) args.add("keepdim=true");
        return call(f, args.toArray(String[]::new));
    }

    /**
     * A constant: a tensor of one value (perhaps a formula in the named dimensions, like mean's
     * {@code 1 / n}) is written as that value, or with {@code full}; any other tensor literally.
     */
    private Expr constant(Eqn e) {
        Tensor t = ((Attrs.Const) e.attr()).value();
        boolean uniform = true;
        for (int s = 0; s < Sizes.COUNT; s++) {
            double[] v = ((Attrs.Const) d.inSample(e, s).attr()).value().data();
            for (double x : v) uniform &= v.length > 0 && Double.compare(x, v[0]) == 0;
        }
        if (uniform) {
            Sizes.Real r = d.real(s -> ((Attrs.Const) d.inSample(e, s).attr()).value().data()[0], "a constant");
            noteDims(r);
            Expr value = r.base() == null ? literal(r.k()) : formula(r);
            scalars.put(e.out(), value);
            return t.rank() == 0 ? value : call("full", shape(e.out()), TxText.floating(e, value.text()));
        }
        for (int s = 1; s < Sizes.COUNT; s++) {
            if (!((Attrs.Const) d.inSample(e, s).attr()).value().equals(t)) {
                throw new Derivation.Unexpressible("a constant tensor depends on " + String.join(", ", d.sizes.dims()));
            }
        }
        String data = nested(t.data(), t.shapeRef(), 0, 0);
        boolean whole = e.out().dtype().isFloat() && !data.matches(".*[.e].*"); // tensor([1, 2]) would be int64
        return new Expr("tensor(" + data + (whole ? ", dtype=float64" : "") + ")", ATOM);
    }

    private Expr formula(Sizes.Real r) {
        String text = sizes.show(r, TxText::number);
        return new Expr(text, text.contains(" ") ? MUL : text.startsWith("-") ? NEG : ATOM);
    }

    private String nested(double[] data, int[] shape, int axis, int offset) {
        if (axis == shape.length) return TxText.number(data[offset]);
        int stride = 1;
        for (int i = axis + 1; i < shape.length; i++) stride *= shape[i];
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < shape[axis]; i++) parts.add(nested(data, shape, axis + 1, offset + i * stride));
        return "[" + String.join(", ", parts) + "]";
    }
}
