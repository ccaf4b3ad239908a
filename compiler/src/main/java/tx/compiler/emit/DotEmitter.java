package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Tensor;

/**
 * Writes a {@link Derivation} as a Graphviz graph ({@code dot -Tsvg NAME_grad.dot}): the primal
 * program and the adjoint program that computes the gradients, in two clusters.
 *
 * <ul>
 *   <li>Node {@code v<id>} is IR variable {@code id}: a parameter (an inverted house; {@code (wrt)}
 *       marks those differentiated with respect to) or the result of one equation, labelled with
 *       the operation and its attributes ({@code sum dim=[1] keepdim}, {@code reshape [n, 2]}),
 *       the variable's name where the user gave one, its shape, and the source line it comes from
 *       (also the tooltip, with the file). Sizes are written in the function's named dimensions:
 *       {@code [n, 2]}, {@code 1.0 / (2 * n)}, never the sample sizes the derivation was made with;
 *       a size with no such formula shows as {@code ?}.</li>
 *   <li>Primal equations are white boxes in {@code cluster_primal} ("NAME (primal)"); adjoint
 *       equations ({@link Derivation#adjoint}) are light-blue ellipses in {@code cluster_adjoint}
 *       ("adjoint"), and the edges into them are blue.</li>
 *   <li>An edge runs from each operand to the result. Where the order of the operands matters
 *       ({@code sub}, {@code div}, {@code matmul}, ...) and two or more of them are nodes, each edge's
 *       head label gives the operand's position (1, 2, ...).</li>
 *   <li>The results are separate double-bordered houses, {@code value} (in the primal cluster) and
 *       {@code d_<param>} (in the adjoint cluster, light blue), each with an edge from the variable
 *       that holds it; so a result that is a parameter, or two results that are one variable, still
 *       show as outputs of their own.</li>
 *   <li>A loop is a cluster of its own, {@code cluster_loopN}, labelled {@code for t in range(50)}
 *       (the adjoint's {@code for t in reversed(range(50))}), with the index (where it is read) and
 *       each carried value as nodes in it, and its body's statements. Outside it are its outputs (the
 *       carried values after it) and its tapes (one row per iteration, for the reversed loop). Edges:
 *       {@code init} from the value before the loop into the carried value, {@code next} (dashed)
 *       from each iteration's new value back into it, {@code after} from the carried value to the
 *       output, {@code row t} from the value taped into the tape.</li>
 *   <li>A branch is two clusters, {@code cluster_ifN_then} and {@code cluster_ifN_else}, with its
 *       outputs outside them: an edge {@code if} from the condition into each output, and
 *       {@code then} and {@code else} from the value each side gives it (a side that gives none has no
 *       edge). These variables of loops and branches are dashed boxes (primal) or dashed light-blue
 *       ellipses (adjoint), labelled with what they are, their name and shape, and their line.</li>
 *   <li>Scalar constants ({@code const} of rank 0, like the 2 of {@code x ** 2} or mean's
 *       {@code 1 / n}) are not nodes: they are written into the label of each operation that uses
 *       them, with {@code _} for the operands that are nodes, e.g. {@code pow(_, 2.0)} or
 *       {@code div(_, 5.0)}. One constant is often shared by several operations, in both programs,
 *       and as nodes they would fill the graph with long edges that say little. A scalar constant
 *       that is itself a result (a constant gradient) stays a node.</li>
 * </ul>
 *
 * <p>The output is deterministic: nodes follow the equations' order, ids are the variables' ids,
 * and the attributes come in a fixed order, so it can be compared with a golden file. Labels and
 * tooltips are quoted with {@code "} and {@code \} escaped. The emitter's own text is ASCII.
 */
public final class DotEmitter {
    /** Node attributes of each kind: the fill tells the adjoint program (light blue) from the primal one (white). */
    private static final String PARAM_STYLE = "shape=invhouse, style=filled, fillcolor=white, color=black";
    private static final String PRIMAL_STYLE = "shape=box, style=filled, fillcolor=white, color=black";
    private static final String ADJOINT_STYLE = "shape=ellipse, style=filled, fillcolor=lightblue, color=steelblue4";
    private static final String VALUE_STYLE = "shape=house, peripheries=2, style=filled, fillcolor=white, color=black";
    private static final String GRAD_STYLE = "shape=house, peripheries=2, style=filled, fillcolor=lightblue, color=steelblue4";
    private static final String ADJOINT_EDGE = "color=steelblue4";
    /** Variables of loops and branches (carried values, outputs, tapes, indices): dashed, of their program's style. */
    private static final String CHECK_STYLE = "shape=octagon, style=filled, fillcolor=mistyrose, color=firebrick";
    private static final String PRIMAL_VAR_STYLE = "shape=box, style=\"filled,dashed\", fillcolor=white, color=black";
    private static final String ADJOINT_VAR_STYLE = "shape=ellipse, style=\"filled,dashed\", fillcolor=lightblue, color=steelblue4";

    /** Operations whose operands may not be swapped: their edges say which operand is which. */
    private static final Set<Prim> ORDERED = Set.of(Prim.SUB, Prim.DIV, Prim.POW, Prim.MATMUL, Prim.LT, Prim.LE, Prim.GT,
            Prim.GE, Prim.WHERE, Prim.CAT);

    private final Derivation d;
    private final String source;
    /** Scalar constants written into their users' labels, by variable: their text. */
    private final Map<Var, String> folded = new HashMap<>();
    private final Set<Var> results = new HashSet<>();
    /** The name shown on each variable's node (null: none). */
    private final Map<Var, String> shownName = new HashMap<>();
    /** Variables that loops and branches read (initial and new carried values, taped values, conditions, branch results). */
    private final Set<Var> structural = new HashSet<>();
    /** The loop or branch that defines each of its variables (index, carried values, outputs, tapes). */
    private final Map<Var, Stmt> owner = new HashMap<>();
    /** Variables some statement reads. */
    private final Set<Var> read = new HashSet<>();
    /**
     * The carried values of loops that are shown, by parameter: those read in the body or after the
     * loop (directly or through another carried value). The others (a loop variable's value after
     * the loop that nothing reads) are left out, as the tx emitter leaves them out.
     */
    private final Set<Var> carried = new HashSet<>();
    private int clusters;
    /** Each call's node, by the call's outputs (with their scope): an edge from an output starts at its call. */
    private final Map<String, String> callNode = new HashMap<>();
    /**
     * The prefix of the node ids of the function being written: none for the derivation's own,
     * {@code fK_} for the K-th function it calls. NOTE: the halves of a split function share
     * variables (the forward half's residuals are the backward half's parameters), so a variable's
     * id alone does not name one node.
     */
    private String scope = "";
    private final Map<Stmt.Call, String> callIds = new java.util.IdentityHashMap<>();
    /** Each run-time check's node ({@link Checks}): {@code check1}, ... */
    private final Map<Stmt.Fail, String> checkIds = new java.util.IdentityHashMap<>();

    private DotEmitter(Derivation d, String source) {
        this.d = d;
        this.source = tx.compiler.syntax.Printable.line(source); // a line feed in the name is shown, not turned into a space
    }

    /** The Graphviz source of {@code digraph "NAME_grad"}. */
    public static String emit(Derivation d, String sourceName) {
        return new DotEmitter(d, sourceName).emit();
    }

    private String emit() {
        Ast.FnDef fn = d.fn;
        results.add(d.value());
        results.addAll(d.grads());
        for (tx.runtime.ir.Func f : d.functions()) results.addAll(f.results());
        List<Eqn> eqns = new ArrayList<>();
        int before;
        do { // until the carried values shown are all those read
            before = carried.size() + read.size();
            structural.clear();
            eqns.clear();
            scan(d.body(), eqns);
            for (tx.runtime.ir.Func f : d.functions()) {
                scope = scopeOf(f);
                scan(f.body(), eqns);
            }
            scope = "";
            read.clear();
            for (Eqn e : eqns) read.addAll(e.in());
            read.addAll(structural);
            read.addAll(results);
        } while (carried.size() + read.size() != before);
        Set<Var> used = new HashSet<>();
        for (Eqn e : eqns) used.addAll(e.in());
        for (Eqn e : eqns) {
            if (e.prim() == Prim.CONST && e.out().rank() == 0 && !results.contains(e.out()) && used.contains(e.out())
                    && !structural.contains(e.out())) {
                folded.put(e.out(), scalarConstant(e));
            }
        }
        names(eqns);

        List<String> wrtNames = new ArrayList<>();
        for (int k : d.wrt) wrtNames.add(fn.params().get(k).name());
        StringBuilder sb = new StringBuilder();
        String what = d.forward ? "tangent" : "gradient", along = d.forward ? " along " : " with respect to ";
        sb.append("digraph ").append(quote(d.name())).append(" {\n");
        sb.append("    // The ").append(what).append(" of `").append(comment(fn.name())).append("`").append(along).append(comment(String.join(", ", wrtNames)))
                .append(", written by `tx grad").append(d.forward ? " --mode forward" : "").append(" --emit dot` from ").append(comment(source)).append(".\n");
        if (d.forward) sb.append("    // Forward mode: the tangent equations (light-blue ellipses) follow the primal ones they differentiate.\n");
        sb.append("    // Primal equations: white boxes; adjoint equations: light-blue ellipses; parameters: inverted houses;\n");
        sb.append("    // results: double-bordered houses. Scalar constants are written into the labels of the operations that use them.\n");
        if (d.hasControlFlow()) {
            sb.append("    // Loops and branches: clusters of their own; their carried values, outputs, tapes and indices: dashed.\n");
        }
        if (!checkIds.isEmpty()) sb.append("    // Run-time checks (an assert, or PyTorch's check of a value): red octagons, in the side of the branch that fails.\n");
        if (!d.functions().isEmpty()) {
            sb.append("    // Calls: component-shaped nodes; each function they call is a cluster `fn NAME` of its own, once.\n");
        }
        sb.append("    // Render with: dot -Tsvg FILE.dot -o FILE.svg\n");
        sb.append("    graph [label=").append(quote(what + " of " + fn.name() + along + String.join(", ", wrtNames) + " (" + source + ")"))
                .append(", labelloc=t, fontname=\"Helvetica\", fontsize=12];\n");
        sb.append("    node [fontname=\"Helvetica\", fontsize=10];\n");
        sb.append("    edge [fontname=\"Helvetica\", fontsize=8, color=gray30];\n");

        sb.append("\n    subgraph cluster_primal {\n");
        sb.append("        graph [label=").append(quote(fn.name() + " (primal)")).append(", style=rounded, color=gray50];\n");
        for (int i = 0; i < d.params().size(); i++) {
            Var p = d.params().get(i);
            String name = d.paramNames().get(i);
            String label = lines(name + (d.wrt.contains(i) && !d.forward ? " (wrt)" : ""), dims(d.paramShapes().get(i)), "parameter");
            node(sb, "        ", id(p), label, source + ": parameter " + name, PARAM_STYLE);
        }
        for (Stmt st : d.body()) if (!Derivation.adjoint(st)) nodes(sb, List.of(st), "        ");
        node(sb, "        ", "value", lines("value", shape(d.value())), source + ": the value of " + fn.name(), VALUE_STYLE);
        sb.append("    }\n");

        sb.append("\n    subgraph cluster_adjoint {\n");
        sb.append("        graph [label=").append(quote(d.forward ? "tangent" : "adjoint")).append(", style=\"rounded,dashed\", color=steelblue4];\n");
        for (Stmt st : d.body()) if (Derivation.adjoint(st)) nodes(sb, List.of(st), "        ");
        for (int i = 0; i < d.grads().size(); i++) {
            String name = d.forward ? "tangent" : "d_" + fn.params().get(d.wrt.get(i)).name();
            String tooltip = d.forward ? "the tangent of the value" : "the gradient with respect to " + fn.params().get(d.wrt.get(i)).name();
            node(sb, "        ", resultId(i), lines(name, shape(d.grads().get(i))), source + ": " + tooltip, GRAD_STYLE);
        }
        sb.append("    }\n\n");

        for (tx.runtime.ir.Func f : d.functions()) function(sb, f);
        edges(sb, d.body());
        for (tx.runtime.ir.Func f : d.functions()) {
            scope = scopeOf(f);
            edges(sb, f.body());
            String ret = d.helperNames().get(f) + "_return";
            for (int k = 0; k < f.results().size(); k++) {
                edge(sb, id(f.results().get(k)), ret, f.results().size() > 1 ? List.of("headlabel=" + quote(Integer.toString(k + 1))) : List.of());
            }
        }
        scope = "";
        edge(sb, id(d.value()), "value", List.of("style=bold"));
        for (int i = 0; i < d.grads().size(); i++) edge(sb, id(d.grads().get(i)), resultId(i), List.of("style=bold", ADJOINT_EDGE));
        sb.append("}\n");
        return sb.toString();
    }

    // ---- nodes and edges -------------------------------------------------------------------------------

    private String id(Var v) {
        String call = callNode.get(scope + v.id());
        return call != null ? call : scope + "v" + v.id();
    }

    /** The node of the i-th gradient ({@code grad0}, ...), or of the tangent in forward mode. */
    private String resultId(int i) {
        return d.forward ? "tangent" : "grad" + i;
    }

    private String scopeOf(tx.runtime.ir.Func f) {
        return "f" + (d.functions().indexOf(f) + 1) + "_";
    }

    /**
     * A function the derivation calls ({@link Helpers}), once: a cluster {@code cluster_fn_NAME}
     * labelled {@code fn NAME}, with its parameters (numbered), its statements, and a node
     * {@code NAME_return} with an edge from each result (numbered where there are several).
     */
    private void function(StringBuilder sb, tx.runtime.ir.Func f) {
        String name = d.helperNames().get(f);
        scope = scopeOf(f);
        sb.append("    subgraph ").append(quote("cluster_fn_" + name)).append(" {\n");
        sb.append("        graph [label=").append(quote("fn " + name)).append(", style=rounded, color=gray50];\n");
        for (int k = 0; k < f.params().size(); k++) {
            Var p = f.params().get(k);
            String shown = p.name() != null ? p.name() + " " + shape(p) : shape(p);
            node(sb, "        ", id(p), lines("parameter " + (k + 1), shown), source + ": parameter " + (k + 1) + " of " + name, PARAM_STYLE);
        }
        nodes(sb, f.body(), "        ");
        node(sb, "        ", name + "_return", lines("return"), source + ": the results of " + name, VALUE_STYLE);
        sb.append("    }\n\n");
        scope = "";
    }

    /** A call of a function: one node, with an edge from each argument; its outputs' edges start at it. */
    private void call(StringBuilder sb, Stmt.Call c, String indent) {
        String name = d.helperNames().get(c.fn());
        List<String> parts = new ArrayList<>(List.of("call " + name));
        if (c.origin().line() > 0) parts.add("line " + c.origin().line());
        String tooltip = source + (c.origin().line() > 0 ? ":" + c.origin().line() + ":" + c.origin().col() : "") + (Derivation.adjoint(c) ? " (adjoint)" : "")
                + ": a call of " + name;
        node(sb, indent, callIds.get(c), lines(parts.toArray(String[]::new)), tooltip,
                (Derivation.adjoint(c) ? ADJOINT_STYLE : PRIMAL_STYLE).replaceFirst("shape=\\w+", "shape=component"));
    }

    private static void node(StringBuilder sb, String indent, String id, String label, String tooltip, String style) {
        sb.append(indent).append(quote(id)).append(" [label=").append(label).append(", tooltip=").append(quote(tooltip))
                .append(", ").append(style).append("];\n");
    }

    private static void edge(StringBuilder sb, String from, String to, List<String> attrs) {
        sb.append("    ").append(quote(from)).append(" -> ").append(quote(to));
        if (!attrs.isEmpty()) sb.append(" [").append(String.join(", ", attrs)).append("]");
        sb.append(";\n");
    }

    private void equation(StringBuilder sb, Eqn e, String indent) {
        List<String> parts = new ArrayList<>();
        parts.add(operation(e));
        String name = shownName.get(e.out());
        parts.add(name == null ? shape(e.out()) : name + " " + shape(e.out()));
        String where = source;
        if (e.origin().line() > 0) {
            parts.add("line " + e.origin().line());
            where += ":" + e.origin().line() + ":" + e.origin().col();
        }
        String tooltip = where + (Derivation.adjoint(e) ? " (adjoint)" : "") + ": " + id(e.out()) + " = " + e.prim().text();
        node(sb, indent, id(e.out()), lines(parts.toArray(String[]::new)), tooltip, Derivation.adjoint(e) ? ADJOINT_STYLE : PRIMAL_STYLE);
    }

    /**
     * The names shown: a gradient the adjoint program computes is {@code d_<param>} (one that is a
     * parameter or a primal variable, like a constant, keeps its own); otherwise the user's name (or the AD
     * pass's {@code d_<name>}) on the last equation of that name on its line, the one that is the
     * variable, not the pieces of the expression before it (as {@link TxEmitter} names its lines).
     */
    private void names(List<Eqn> eqns) {
        Map<String, Eqn> lastOfName = new LinkedHashMap<>();
        for (Eqn e : eqns) if (e.out().name() != null) lastOfName.put(key(e), e);
        for (Eqn e : lastOfName.values()) shownName.put(e.out(), e.out().name());
        for (Map.Entry<Var, Stmt> o : owner.entrySet()) if (o.getKey().name() != null) shownName.put(o.getKey(), o.getKey().name());
        for (int i = d.grads().size() - 1; i >= 0; i--) {
            Var g = d.grads().get(i);
            Stmt def = d.definition(g) != null ? d.definition(g) : owner.get(g);
            if (def != null && Derivation.adjoint(def)) shownName.put(g, d.forward ? "tangent" : "d_" + d.fn.params().get(d.wrt.get(i)).name());
        }
    }

    // ---- loops and branches ----------------------------------------------------------------------------

    /** Lists the equations of a block, nested ones included, and notes what its loops and branches read and define. */
    private void scan(List<Stmt> stmts, List<Eqn> eqns) {
        for (Stmt st : stmts) {
            if (st instanceof Eqn e) {
                eqns.add(e);
            } else if (st instanceof Stmt.Loop l) {
                for (int k = 0; k < l.params().size(); k++) {
                    if (read.contains(l.params().get(k)) || read.contains(l.outs().get(k))) carried.add(l.params().get(k));
                    if (!carried.contains(l.params().get(k))) continue;
                    if (l.init().get(k) != null) structural.add(l.init().get(k));
                    if (l.results().get(k) != null) structural.add(l.results().get(k));
                }
                structural.addAll(l.stacked());
                owner.put(l.index(), l);
                for (Var v : l.params()) owner.put(v, l);
                for (Var v : l.outs()) owner.put(v, l);
                for (Var v : l.tapes()) owner.put(v, l);
                if (l.runTime() != null) { // a while's head and condition, its trip count; a counted loop's count
                    scan(l.runTime().head(), eqns);
                    for (Var v : java.util.Arrays.asList(l.runTime().cond(), l.runTime().count())) if (v != null) structural.add(v);
                    if (l.runTime().trips() != null) owner.put(l.runTime().trips(), l);
                }
                scan(l.body(), eqns);
            } else if (st instanceof Stmt.Call c) {
                structural.addAll(c.in());
                String node = callIds.computeIfAbsent(c, k -> "call" + (callIds.size() + 1));
                for (Var o : c.outs()) callNode.put(scope + o.id(), node);
            } else if (st instanceof Stmt.Cond c) {
                structural.add(c.cond());
                for (Var v : c.thenResults()) if (v != null) structural.add(v);
                for (Var v : c.elseResults()) if (v != null) structural.add(v);
                for (Var v : c.outs()) owner.put(v, c);
                scan(c.then(), eqns);
                scan(c.otherwise(), eqns);
            } else if (st instanceof Stmt.Fail f) {
                structural.addAll(Checks.reads(f));
                checkIds.computeIfAbsent(f, k -> "check" + (checkIds.size() + 1));
            }
        }
    }

    /** The nodes of a block's statements, a loop or a branch as its clusters. */
    private void nodes(StringBuilder sb, List<Stmt> stmts, String indent) {
        for (Stmt st : stmts) {
            if (st instanceof Eqn e && !folded.containsKey(e.out())) equation(sb, e, indent);
            else if (st instanceof Stmt.Loop l) loop(sb, l, indent);
            else if (st instanceof Stmt.Cond c) cond(sb, c, indent);
            else if (st instanceof Stmt.Call c) call(sb, c, indent);
            else if (st instanceof Stmt.Fail f) check(sb, f, indent);
        }
    }

    /** A run-time check's failure: an octagon with the message the run stops with, in the side of the branch that fails. */
    private void check(StringBuilder sb, Stmt.Fail f, String indent) {
        List<String> parts = new ArrayList<>(List.of(f.assertion() ? "assert fails" : "check fails", Checks.shown(f)));
        if (f.origin().line() > 0) parts.add("line " + f.origin().line());
        String where = source + (f.origin().line() > 0 ? ":" + f.origin().line() + ":" + f.origin().col() : "");
        node(sb, indent, scope + checkIds.get(f), lines(parts.toArray(String[]::new)), where + ": the run stops here (exit 3)", CHECK_STYLE);
    }

    private void loop(StringBuilder sb, Stmt.Loop l, String indent) {
        boolean adjoint = Derivation.adjoint(l);
        String inner = indent + "    ";
        String index = l.index().name() != null && !l.index().name().startsWith("__") ? l.index().name() : "i";
        Stmt.RunTime rt = l.runTime();
        String count = rt != null ? "trips" : formula(s -> ((Stmt.Loop) d.inSample(l, s)).count()); // a while's reversal: as many as it ran
        String range = l.reverse() ? "reversed(range(" + count + "))" : "range(" + count + ")";
        String label = l.isWhile() ? "while (condition before each iteration)" : "for " + index + " in " + range;
        cluster(sb, indent, "cluster_loop" + ++clusters, label + at(l), adjoint);
        if (read.contains(l.index())) variable(sb, inner, l.index(), "index", l);
        for (Var p : l.params()) if (carried.contains(p)) variable(sb, inner, p, "carried", l);
        if (rt != null) nodes(sb, rt.head(), inner);
        nodes(sb, l.body(), inner);
        sb.append(indent).append("}\n");
        if (rt != null && rt.trips() != null && read.contains(rt.trips())) variable(sb, indent, rt.trips(), "trip count", l);
        for (int k = 0; k < l.outs().size(); k++) if (carried.contains(l.params().get(k))) variable(sb, indent, l.outs().get(k), "after the loop", l);
        for (Var t : l.tapes()) variable(sb, indent, t, "tape", l);
    }

    private void cond(StringBuilder sb, Stmt.Cond c, String indent) {
        boolean adjoint = Derivation.adjoint(c);
        int k = ++clusters;
        for (int side = 0; side < 2; side++) {
            String name = side == 0 ? "then" : "else";
            if (side == 0 && Checks.isCheck(c)) continue; // a check: its side that holds is empty
            cluster(sb, indent, "cluster_if" + k + "_" + name, name + at(c), adjoint);
            nodes(sb, side == 0 ? c.then() : c.otherwise(), indent + "    ");
            sb.append(indent).append("}\n");
        }
        for (Var o : c.outs()) variable(sb, indent, o, "branch output", c);
    }

    /** Opens a loop's or a branch's cluster. */
    private static void cluster(StringBuilder sb, String indent, String name, String label, boolean adjoint) {
        sb.append(indent).append("subgraph ").append(quote(name)).append(" {\n");
        sb.append(indent).append("    graph [label=").append(quote(label)).append(", style=")
                .append(adjoint ? "\"rounded,dashed\", color=steelblue4" : "rounded, color=gray50").append("];\n");
    }

    private static String at(Stmt st) {
        return st.origin().line() > 0 ? " (line " + st.origin().line() + ")" : "";
    }

    /** A variable of a loop or a branch: what it is, its name and shape, its line. */
    private void variable(StringBuilder sb, String indent, Var v, String what, Stmt st) {
        String name = shownName.get(v);
        List<String> parts = new ArrayList<>(List.of(what, name == null ? shape(v) : name + " " + shape(v)));
        String where = source;
        if (st.origin().line() > 0) {
            parts.add("line " + st.origin().line());
            where += ":" + st.origin().line() + ":" + st.origin().col();
        }
        String tooltip = where + (Derivation.adjoint(st) ? " (adjoint)" : "") + ": " + id(v) + ", " + what;
        node(sb, indent, id(v), lines(parts.toArray(String[]::new)), tooltip, Derivation.adjoint(st) ? ADJOINT_VAR_STYLE : PRIMAL_VAR_STYLE);
    }

    /** The edges of a block: from each operand to the equation's result, and those of loops and branches. */
    private void edges(StringBuilder sb, List<Stmt> stmts) {
        for (Stmt st : stmts) {
            if (st instanceof Eqn e) {
                if (folded.containsKey(e.out())) continue;
                List<Var> in = e.in();
                int nodes = 0;
                for (Var x : in) if (!folded.containsKey(x)) nodes++;
                boolean numbered = ORDERED.contains(e.prim()) && nodes >= 2;
                for (int k = 0; k < in.size(); k++) {
                    Var x = in.get(k);
                    if (folded.containsKey(x)) continue;
                    List<String> attrs = new ArrayList<>();
                    if (numbered) attrs.add("headlabel=" + quote(Integer.toString(k + 1)));
                    if (Derivation.adjoint(e)) attrs.add(ADJOINT_EDGE);
                    edge(sb, id(x), id(e.out()), attrs);
                }
            } else if (st instanceof Stmt.Loop l) {
                for (int k = 0; k < l.params().size(); k++) {
                    Var p = l.params().get(k), init = l.init().get(k);
                    if (init != null && carried.contains(p)) edge(sb, id(init), id(p), labelled("init", st));
                }
                edges(sb, l.body());
                String index = l.index().name() != null ? l.index().name() : "i";
                for (int j = 0; j < l.tapes().size(); j++) edge(sb, id(l.stacked().get(j)), id(l.tapes().get(j)), labelled("row " + index, st));
                for (int k = 0; k < l.params().size(); k++) {
                    Var p = l.params().get(k), r = l.results().get(k);
                    if (!carried.contains(p)) continue;
                    if (r != null && !r.equals(p)) {
                        List<String> attrs = labelled("next", st);
                        attrs.add("style=dashed");
                        attrs.add("constraint=false");
                        edge(sb, id(r), id(p), attrs);
                    }
                    edge(sb, id(p), id(l.outs().get(k)), labelled("after", st));
                }
            } else if (st instanceof Stmt.Fail f) {
                for (Var x : Checks.reads(f)) edge(sb, id(x), scope + checkIds.get(f), labelled("shown", st));
            } else if (st instanceof Stmt.Call c) {
                for (int k = 0; k < c.in().size(); k++) {
                    List<String> attrs = new ArrayList<>();
                    if (c.in().size() > 1) attrs.add("headlabel=" + quote(Integer.toString(k + 1)));
                    if (Derivation.adjoint(c)) attrs.add(ADJOINT_EDGE);
                    edge(sb, id(c.in().get(k)), callIds.get(c), attrs);
                }
            } else if (st instanceof Stmt.Cond c) {
                edges(sb, c.then());
                edges(sb, c.otherwise());
                for (int side = 0; side < 2; side++) { // the condition to each check a side makes
                    for (Stmt inner : side == 0 ? c.then() : c.otherwise()) {
                        if (inner instanceof Stmt.Fail f) edge(sb, id(c.cond()), scope + checkIds.get(f), labelled(side == 0 ? "if true" : "if false", st));
                    }
                }
                for (int k = 0; k < c.outs().size(); k++) {
                    Var o = c.outs().get(k), a = c.thenResults().get(k), b = c.elseResults().get(k);
                    edge(sb, id(c.cond()), id(o), labelled("if", st));
                    if (a != null) edge(sb, id(a), id(o), labelled("then", st));
                    if (b != null) edge(sb, id(b), id(o), labelled("else", st));
                }
            }
        }
    }

    private static List<String> labelled(String label, Stmt st) {
        List<String> attrs = new ArrayList<>(List.of("label=" + quote(label)));
        if (Derivation.adjoint(st)) attrs.add(ADJOINT_EDGE);
        return attrs;
    }

    private static String key(Eqn e) {
        return e.out().name() + "@" + e.origin().line() + (e.origin().adjoint() ? "'" : "");
    }

    // ---- labels ----------------------------------------------------------------------------------------

    /**
     * The operation of an equation with its attributes, sizes as formulas. NOTE: a switch expression
     * with no default, so that javac refuses a primitive this emitter does not know.
     */
    private String operation(Eqn e) {
        Object attr = e.attr();
        String op = e.prim().text();
        String withAttributes = switch (e.prim()) {
            case FIRST_MAX -> op + " dim=" + ((Attrs.Axis) attr).axis(); // NOTE: one axis (Attrs.Axis), not a reduction's axes
            case CUMSUM, CUMPROD -> op + " dim=" + ((Attrs.Axis) attr).axis();
            case FLIP -> op + " dims=" + ints(((Attrs.Axes) attr).axes());
            case CONV, CONV_INPUT, CONV_WEIGHT, MAX_POOL, MAX_UNPOOL -> op + " " + attr; // the geometry, as the IR printer shows it
            case EIGH, SVD -> op + " " + attr; // the part: eigenvalues, eigenvectors, U, S, Vh
            case SUM, MAX, PROD, PROD_OTHERS -> {
                Attrs.Reduce r = (Attrs.Reduce) attr;
                yield op + " dim=" + ints(r.axes()) + (r.keepdim() ? " keepdim" : "");
            }
            case RESHAPE, EXPAND -> op + " " + shape(e.out());
            case TRANSPOSE -> op + " perm=" + ints(((Attrs.Perm) attr).perm());
            case MATMUL -> attr == null ? null : op + " " + attr; // the operands read transposed: "matmul transA", "matmul transB"
            case CAT, TAKE, ARGMAX, GATHER, SCATTER_ADD, SCATTER -> op + " dim=" + ((Attrs.Axis) attr).axis();
            case NONZERO -> op;
            case ARGSORT -> op + " dim=" + ((Attrs.AxisOrder) attr).axis() + (((Attrs.AxisOrder) attr).descending() ? " descending" : "");
            case CAST -> "to " + ((tx.runtime.tensor.DType) attr).text();
            case GEN_SEED -> "generator seed=" + (attr == null ? "its operand" : attr);
            case GEN_DRAW, GEN_NEXT -> op + " " + attr;
            case PUT -> op + " dim=" + ((Attrs.Put) attr).axis();
            case DYNAMIC_SLICE -> op + " dim=" + ((Attrs.Window) attr).axis() + " length=" + ((Attrs.Window) attr).length()
                    + (((Attrs.Window) attr).step() == 1 ? "" : " step=" + ((Attrs.Window) attr).step());
            case DYNAMIC_PAD -> op + " dim=" + ((Attrs.WindowPad) attr).axis() + (((Attrs.WindowPad) attr).step() == 1 ? "" : " step=" + ((Attrs.WindowPad) attr).step());
            case SLICE -> op + " " + slice(e);
            case PAD -> {
                Attrs.Pad p = (Attrs.Pad) attr;
                List<String> start = new ArrayList<>();
                for (int i = 0; i < p.start().length; i++) {
                    int axis = i;
                    start.add(formula(s -> ((Attrs.Pad) d.inSample(e, s).attr()).start()[axis]));
                }
                yield op + " start=[" + String.join(", ", start) + "] step=" + ints(p.step());
            }
            case CONST -> constant(e);
            case FILL -> op + " " + real(s -> ((Attrs.Fill) d.inSample(e, s).attr()).value());
            case RANDOM -> {
                Attrs.Random r = (Attrs.Random) attr;
                yield (r.normal() ? "randn" : "rand") + " seed=" + r.seed() + (e.in().isEmpty() ? "" : " per iteration");
            }
            // the operations whose label is their name, with their folded operands
            case NEG, EXP, LOG, SIN, COS, TAN, TANH, SIGMOID, SQRT, ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC, ASIN, ACOS, ATAN, LOG1P, EXPM1, STOP_GRAD,
                    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, REMAINDER, FLOOR_DIVIDE, FMOD, ATAN2, LT, LE, GT, GE, EQ, NE, WHERE,
                    BITWISE_AND, BITWISE_OR, BITWISE_XOR, DET, SIGNDET, LOGABSDET, QR_Q, QR_R, INVERSE, SOLVE, TRI_SOLVE, CHOLESKY -> null;
            case LOAD -> op + " " + attr; // its path and shape
        };
        if (withAttributes != null) return withAttributes;
        boolean anyFolded = false;
        for (Var x : e.in()) anyFolded |= folded.containsKey(x);
        if (anyFolded) {
            List<String> args = new ArrayList<>();
            for (Var x : e.in()) args.add(folded.getOrDefault(x, "_"));
            op += "(" + String.join(", ", args) + ")";
        }
        return op;
    }

    private String constant(Eqn e) {
        Tensor t = ((Attrs.Const) e.attr()).value();
        if (t.rank() == 0) return "const " + scalarConstant(e);
        boolean same = true;
        for (int s = 1; s < Sizes.COUNT && !d.sizes.dims().isEmpty(); s++) same &= ((Attrs.Const) d.inSample(e, s).attr()).value().equals(t);
        if (same) {
            if (t.size() > 6) return "const";
            List<String> v = new ArrayList<>();
            for (double x : t.data()) v.add(number(x));
            return "const [" + String.join(", ", v) + "]";
        }
        for (int s = 0; s < Sizes.COUNT; s++) { // one value that depends on the sizes, like mean's 1 / n spread over a shape
            double[] v = ((Attrs.Const) d.inSample(e, s).attr()).value().data();
            for (double x : v) if (Double.compare(x, v[0]) != 0) return "const";
        }
        return "const full " + real(s -> ((Attrs.Const) d.inSample(e, s).attr()).value().data()[0]);
    }

    /** A scalar constant as a formula in the named dimensions: {@code 2.0}, {@code 1.0 / (2 * n)}. */
    private String scalarConstant(Eqn e) {
        return real(s -> ((Attrs.Const) d.inSample(e, s).attr()).value().data()[0]);
    }

    /** A slice as subscripts, like tx source: {@code [1:n, :, ::2]}. */
    private String slice(Eqn e) {
        Attrs.Slice sl = (Attrs.Slice) e.attr();
        Var x = e.in().get(0);
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            int axis = i;
            String start = formula(s -> ((Attrs.Slice) d.inSample(e, s).attr()).start()[axis]);
            String stop = formula(s -> ((Attrs.Slice) d.inSample(e, s).attr()).stop()[axis]);
            String extent = formula(s -> d.variable(x, s).shapeRef()[axis]);
            subs.add((start.equals("0") ? "" : start) + ":" + (stop.equals(extent) ? "" : stop) + (sl.step()[i] == 1 ? "" : ":" + sl.step()[i]));
        }
        return "[" + String.join(", ", subs) + "]";
    }

    /** A variable's shape, each axis a formula: {@code [n, 2]}; a scalar is {@code []}. */
    private String shape(Var v) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < v.rank(); i++) {
            int axis = i;
            parts.add(formula(s -> d.variable(v, s).shapeRef()[axis]));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /**
     * An integer as a formula in the named dimensions, or {@code ?} where there is none. Without
     * named dimensions there is one lowering, sample 0, and the number is that sample's.
     */
    private String formula(IntToLongFunction value) {
        if (d.sizes.dims().isEmpty()) return Long.toString(value.applyAsLong(0));
        try {
            return d.sizes.show(d.size(value, "a size"));
        } catch (Derivation.Unexpressible x) {
            return "?";
        }
    }

    /** A real as a formula in the named dimensions ({@code 1.0 / (2 * n)}), or {@code ?} where there is none. */
    private String real(IntToDoubleFunction value) {
        if (d.sizes.dims().isEmpty()) return number(value.applyAsDouble(0));
        try {
            return d.sizes.show(d.real(value, "a constant"), DotEmitter::number);
        } catch (Derivation.Unexpressible x) {
            return "?";
        }
    }

    private static String dims(List<Ast.Dim> shape) {
        List<String> parts = new ArrayList<>();
        for (Ast.Dim dim : shape) parts.add(dim.name() != null ? dim.name() : Integer.toString(dim.size()));
        return "[" + String.join(", ", parts) + "]";
    }

    private static String ints(int[] xs) {
        List<String> parts = new ArrayList<>();
        for (int x : xs) parts.add(Integer.toString(x));
        return "[" + String.join(", ", parts) + "]";
    }

    private static String number(double v) {
        return PyFloat.repr(v);
    }

    // ---- quoting ---------------------------------------------------------------------------------------

    /** Lines of a label, each escaped, joined by Graphviz's centred line break. */
    private static String lines(String... lines) {
        List<String> parts = new ArrayList<>();
        for (String l : lines) parts.add(escape(l));
        return "\"" + String.join("\\n", parts) + "\"";
    }

    /** A DOT quoted string. */
    private static String quote(String s) {
        return "\"" + escape(s) + "\"";
    }

    private static String escape(String s) {
        return Escapes.dotText(s);
    }

    /** Text for a {@code //} comment: one line. */
    private static String comment(String s) {
        return Escapes.dotComment(s);
    }
}
