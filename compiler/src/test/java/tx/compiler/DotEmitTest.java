package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.compiler.emit.Derivation;
import tx.compiler.emit.DotEmitter;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * {@code tx grad --emit dot}: the Graphviz graph of the primal and adjoint programs. The graphs are
 * read back with a small parser of the DOT subset the emitter writes (a syntax error fails the
 * test), then checked against the derivation they come from: every equation has its node (or, for a
 * scalar constant, is written into its users' labels), in the right cluster and style, with an edge
 * from each operand; the parameters and the results are there; sizes are written in the named
 * dimensions. Where a {@code dot} executable is on the PATH, each graph is also rendered to SVG.
 */
class DotEmitTest {
    private static final Path EXAMPLES = TxRunner.root().resolve("examples");
    private static final String ADJOINT_FILL = "lightblue";

    @TempDir
    Path tmp;

    @Test
    void lossOfFunctionsTx() throws IOException {
        Graph g = check("functions.tx", read("functions.tx"), "loss", List.of("w", "b"));
        assertTrue(g.label("v2").contains("[n, 3]"), g.label("v2")); // x: [n, 3]
        assertTrue(g.labels().stream().anyMatch(l -> l.contains("tanh") && l.contains("h [n, 2]")), "h = tanh(...) is named, with its shape");
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("pow(_, 2.0)")), "the 2 of ** 2 is written into pow's label");
        assertTrue(g.labels().stream().anyMatch(l -> l.contains("2.0 * n")), "mean's divisor is a formula in n");
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("sum dim=[0, 1]")), "reductions show their axes");
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("matmul transA") && l.contains("[3, 2]")), "x.T @ d_h in the adjoint, x read in place");
        assertTrue(g.labels().stream().noneMatch(l -> l.startsWith("transpose")), "no transposed copy");
        assertTrue(g.labels().stream().anyMatch(l -> l.contains("line 3")) && g.labels().stream().anyMatch(l -> l.contains("line 4")));
    }

    @Test
    void binaryCrossEntropy() throws IOException {
        Graph g = check("logistic_regression.tx", read("handwritten/logistic_regression.tx"), "bce", List.of("w", "b"));
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("reshape [n]")), "a reshape shows its target shape in n");
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("sigmoid")), "sigmoid, one primitive");
        assertEquals("d_b\n[]", g.label("grad1"));
        assertEquals("d_w\n[3]", g.label("grad0"));
    }

    @Test
    void layerNorm() throws IOException {
        Graph g = check("layer_norm.tx", read("handwritten/layer_norm.tx"), "ln", List.of());
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("sum dim=[1] keepdim") && l.contains("[n, 1]")));
        for (String name : List.of("mu [n, 1]", "xc [n, 5]", "v [n, 1]", "y [n, 5]", "d_x [n, 5]")) {
            assertTrue(g.labels().stream().anyMatch(l -> l.contains("\n" + name + "\n")), "a node named " + name);
        }
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("add(_, 1e-05)")), "eps is written into the label");
    }

    @Test
    void slicesAndTheirPads() throws IOException {
        Graph g = check("rosenbrock_slices.tx", read("handwritten/rosenbrock_slices.tx"), "rosen", List.of());
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("slice [:n - 1]")), String.join(" | ", g.labels()));
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("slice [1:]")), String.join(" | ", g.labels()));
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("pad start=[1]")), String.join(" | ", g.labels()));
    }

    @Test
    void aFunctionWithoutNamedDimensions() throws IOException {
        Graph g = check("functions.tx", read("functions.tx"), "cube", List.of());
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("pow(_, 3.0)")), String.join(" | ", g.labels()));
    }

    /** The gradient of max along a dimension goes to the first maximum, an operation with one axis (it crashed the emitter). */
    @Test
    void theFirstMaximumOfAMaxAlongADimension() {
        Graph g = check("max.tx", "fn f(x: [n, 3]) -> [] {\n    return sum(max(x, dim=0) ** 2)\n}\n", "f", List.of());
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("first_max dim=0")), String.join(" | ", g.labels()));
    }

    /** Results that are a parameter, a primal constant, or one variable twice still show as outputs of their own. */
    @Test
    void resultsThatAreNotAdjointEquations() {
        String src = """
                fn ident(x: []) -> [] {
                    return x
                }
                fn scale(x: []) -> [] {
                    return 3.0 * x
                }
                fn both(a: [], b: []) -> [] {
                    return a + b
                }
                fn inner(x: [n], y: [n]) -> [] {
                    return sum(x * y)
                }
                """;
        Graph ident = check("results.tx", src, "ident", List.of());
        assertEquals(List.of("v0"), ident.edgesInto("value").stream().map(e -> e.from).toList(), "the value is the parameter");
        Graph scale = check("results.tx", src, "scale", List.of());
        assertTrue(scale.edges.stream().anyMatch(e -> e.to.equals("grad0") && scale.label(e.from).startsWith("const 3.0")), "d_x is the constant 3");
        Graph both = check("results.tx", src, "both", List.of("a", "b"));
        String from0 = both.edgesInto("grad0").get(0).from, from1 = both.edgesInto("grad1").get(0).from;
        assertEquals(from0, from1, "d_a and d_b are one variable");
        Graph inner = check("results.tx", src, "inner", List.of("x", "y"));
        assertEquals("x (wrt)\n[n]\nparameter", inner.label("v0"));
    }

    @Test
    void labelsAndTooltipsAreEscaped() {
        String name = "we\"ird\\n\\path.tx";
        String src = "fn f(x: [n]) -> [] {\n    return sum(x * x)\n}\n";
        Graph g = check(name, src, "f", List.of());
        assertTrue(g.graphAttrs.get("label").contains(name), g.graphAttrs.get("label"));
        assertTrue(g.nodes.get("v0").get("tooltip").startsWith(name + ":"), g.nodes.get("v0").get("tooltip"));
    }

    /** The explicit Euler loop of ode_euler.tx: the forward loop with its tape, and the reversed loop of the adjoint. */
    @Test
    void aLoopAndItsReversal() throws IOException {
        Graph g = check("ode_euler.tx", read("handwritten/ode_euler.tx"), "decay", List.of("k", "y0"));
        assertEquals("for t in range(50) (line 8)", g.clusterLabels.get("cluster_loop1"));
        assertEquals("cluster_primal", g.parent.get("cluster_loop1"));
        assertEquals("for t in reversed(range(50)) (line 8)", g.clusterLabels.get("cluster_loop2"));
        assertEquals("cluster_adjoint", g.parent.get("cluster_loop2"));
        assertTrue(g.labels().contains("tape\ny [50, 3]\nline 8"), String.join(" | ", g.labels()));
        assertTrue(g.labels().contains("carried\ny [3]\nline 8"), String.join(" | ", g.labels()));
        assertTrue(g.labels().stream().anyMatch(l -> l.startsWith("take dim=0\n[3]")), "the reversed loop reads its tape");
        // the forward loop does not read its index; the reversed one reads row t of the tape
        assertEquals(List.of("cluster_loop2"), g.nodes.keySet().stream().filter(id -> g.label(id).startsWith("index\n")).map(g.innermost::get).toList());
        assertTrue(g.labels().contains("after the loop\nd_k [3]\nline 8"), "the gradient is the reversed loop's output");
    }

    /** Branches, a branch inside a loop, a run-time index, nested loops, and a trip count that is a named dimension. */
    @Test
    void branchesAndNestedLoops() {
        String src = """
                fn branch(x: [3], s: []) -> [] {
                    if s > 0 {
                        y = x * s
                    } else {
                        y = exp(x)
                    }
                    return sum(y * y)
                }
                fn inloop(x: [4]) -> [] {
                    acc = 0.0
                    for k in range(4) {
                        if x[k] > 0 {
                            acc = acc + x[k] ** 2
                        } else {
                            acc = acc - sin(x[k])
                        }
                    }
                    return acc
                }
                fn nested(x: [3], w: [3]) -> [] {
                    a = x
                    for i in range(3) {
                        for j in range(2) {
                            a = a * w + sin(a) * x[i]
                        }
                    }
                    return sum(a)
                }
                fn dimloop(x: [n, 3], w: [3]) -> [] {
                    s = w
                    for t in range(x.shape[0]) {
                        s = s * 0.5 + x[t] * w + t
                    }
                    return sum(s ** 2)
                }
                fn loopif(x: [3], s: []) -> [] {
                    y = x
                    if s > 0 {
                        for t in range(2) {
                            y = sin(y) * s
                        }
                    } else {
                        y = y * 2
                    }
                    return sum(y)
                }
                fn firstin(x: [3]) -> [] {
                    for t in range(3) {
                        z = x * t
                    }
                    return sum(z ** 2)
                }
                """;
        Graph branch = check("cf.tx", src, "branch", List.of("x", "s"));
        assertEquals("then (line 2)", branch.clusterLabels.get("cluster_if1_then"));
        assertEquals("else (line 2)", branch.clusterLabels.get("cluster_if1_else"));
        assertTrue(branch.labels().stream().anyMatch(l -> l.startsWith("branch output\ny [3]")), String.join(" | ", branch.labels()));
        Graph inloop = check("cf.tx", src, "inloop", List.of());
        assertTrue(inloop.parent.entrySet().stream().anyMatch(e -> e.getKey().startsWith("cluster_if") && e.getValue().startsWith("cluster_loop")),
                "a branch inside a loop: " + inloop.parent);
        Graph nested = check("cf.tx", src, "nested", List.of("x", "w"));
        assertTrue(nested.parent.entrySet().stream().anyMatch(e -> e.getKey().startsWith("cluster_loop") && e.getValue().startsWith("cluster_loop")),
                "a loop inside a loop: " + nested.parent);
        Graph dimloop = check("cf.tx", src, "dimloop", List.of());
        assertTrue(dimloop.clusterLabels.containsValue("for t in range(n) (line 31)"), dimloop.clusterLabels.toString());
        assertTrue(dimloop.clusterLabels.containsValue("for t in reversed(range(n)) (line 31)"), dimloop.clusterLabels.toString());
        assertTrue(dimloop.labels().contains("index\nt []\nline 31"), "t is read as a value");
        Graph loopif = check("cf.tx", src, "loopif", List.of("x", "s"));
        assertTrue(loopif.parent.entrySet().stream().anyMatch(e -> e.getKey().startsWith("cluster_loop") && e.getValue().startsWith("cluster_if")),
                "a loop inside a branch: " + loopif.parent);
        Graph firstin = check("cf.tx", src, "firstin", List.of());
        String z = firstin.nodes.keySet().stream().filter(id -> firstin.label(id).startsWith("carried\nz [3]\n")).findFirst().orElseThrow();
        assertTrue(firstin.edgesInto(z).stream().noneMatch(e -> "init".equals(e.attrs().get("label"))), "z has no value before the loop");
    }

    /** A while (its head and body in its cluster), its trip count, and its reversal over that many iterations. */
    @Test
    void aWhileAndItsReversal() {
        Graph g = check("w.tx", WhileEmitTest.SOURCE, "grow", List.of());
        assertEquals("while (condition before each iteration) (line 3)", g.clusterLabels.get("cluster_loop1"));
        assertEquals("cluster_primal", g.parent.get("cluster_loop1"));
        assertEquals("for i in reversed(range(trips)) (line 3)", g.clusterLabels.get("cluster_loop2"));
        assertEquals("cluster_adjoint", g.parent.get("cluster_loop2"));
        assertTrue(g.labels().contains("trip count\ntrips []\nline 3"), String.join(" | ", g.labels()));
        assertTrue(g.nodes.keySet().stream().anyMatch(id -> g.label(id).startsWith("lt(_, 50.0)\n") && "cluster_loop1".equals(g.innermost.get(id))),
                "the condition is in the while's cluster");
        Graph loopy = check("w.tx", WhileEmitTest.SOURCE, "loopy", List.of());
        assertTrue(loopy.parent.entrySet().stream().anyMatch(e -> e.getKey().startsWith("cluster_if") && e.getValue().equals("cluster_loop1")),
                "break and continue are branches in the while: " + loopy.parent);
        Graph twice = check("w.tx", WhileEmitTest.SOURCE, "twice", List.of()); // a while in a while, and its reversal in the other's
        assertEquals("cluster_loop1", twice.parent.get("cluster_loop2"));
        assertTrue(twice.clusterLabels.get("cluster_loop2").startsWith("while (condition before each iteration)"), twice.clusterLabels.toString());
        assertEquals("cluster_loop3", twice.parent.get("cluster_loop4"));
        assertEquals("cluster_adjoint", twice.parent.get("cluster_loop3"));
    }

    @Test
    void unknownFunctionIsAnError() {
        Compiler.Emitted r = Compiler.grad("functions.tx", "fn f(x: []) -> [] {\n    return x\n}\n", "g", List.of(), Compiler.Emit.DOT);
        assertNull(r.text());
        assertTrue(r.diagnostics().hasErrors());
    }

    // ---- the checks ------------------------------------------------------------------------------------

    private static String read(String path) throws IOException {
        return Files.readString(EXAMPLES.resolve(path), StandardCharsets.UTF_8);
    }

    /** Emits fn's graph and checks its structure against the derivation; returns the graph read back. */
    private Graph check(String fileName, String source, String fn, List<String> wrt) {
        Compiler.Emitted r = Compiler.grad(fileName, source, fn, wrt, Compiler.Emit.DOT);
        assertNotNull(r.text(), () -> r.diagnostics().render());
        String text = r.text();
        assertTrue(text.startsWith("digraph \"" + fn + "_grad\" {\n"), text);
        assertTrue(text.endsWith("}\n"), text);

        // the same derivation, made again, gives the same text: nothing depends on hashing or identity
        Diagnostics diags = new Diagnostics(fileName, source);
        Ast.Program ast = Parse.program(source, diags);
        Derivation d = Derivation.derive(ast, diags, source, fn, wrt);
        assertNotNull(d, () -> diags.render());
        assertEquals(text, DotEmitter.emit(d, fileName), "the output is deterministic");

        Graph g = Graph.parse(text);
        assertEquals(fn + "_grad", g.name);
        for (Edge e : g.edges) {
            assertTrue(g.nodes.containsKey(e.from), "edge from undeclared node " + e.from);
            assertTrue(g.nodes.containsKey(e.to), "edge to undeclared node " + e.to);
        }
        for (String id : g.nodes.keySet()) assertNotNull(g.cluster.get(id), id + " is in neither cluster");
        assertTrue(g.clusterLabels.get("cluster_primal").equals(fn + " (primal)"), g.clusterLabels.toString());
        assertTrue(g.clusterLabels.get("cluster_adjoint").equals("adjoint"), g.clusterLabels.toString());

        Set<Var> results = new HashSet<>(d.grads());
        results.add(d.value());
        List<Eqn> eqns = new ArrayList<>();
        Set<Var> structural = new HashSet<>();
        equations(d.body(), eqns, structural);
        Map<Var, List<Eqn>> users = new HashMap<>();
        for (Eqn e : eqns) for (Var x : e.in()) users.computeIfAbsent(x, k -> new ArrayList<>()).add(e);
        int adjoint = 0, primal = 0;
        for (Eqn e : eqns) {
            String id = "v" + e.out().id();
            boolean scalarConstant = e.prim() == Prim.CONST && e.out().rank() == 0 && !results.contains(e.out());
            // a scalar constant that a loop or a branch reads (a carried value's initial value) may keep its node
            if (scalarConstant && structural.contains(e.out()) && g.nodes.containsKey(id)) scalarConstant = false;
            if (scalarConstant) { // folded into its users' labels
                assertFalse(g.nodes.containsKey(id), "a scalar constant has a node: " + id);
                for (Eqn u : users.getOrDefault(e.out(), List.of())) {
                    String op = g.label("v" + u.out().id()).split("\n")[0];
                    assertTrue(op.contains("(") && op.contains("_") || u.in().stream().allMatch(x -> x.equals(e.out())),
                            "the constant " + id + " is not written into " + op);
                }
                continue;
            }
            Map<String, String> attrs = g.nodes.get(id);
            assertNotNull(attrs, "equation " + e + " has no node");
            boolean adj = Derivation.adjoint(e);
            if (adj) adjoint++;
            else primal++;
            assertEquals(adj ? "cluster_adjoint" : "cluster_primal", g.cluster.get(id), id);
            assertEquals(adj, ADJOINT_FILL.equals(attrs.get("fillcolor")), id + " " + attrs);
            assertEquals(adj ? "ellipse" : "box", attrs.get("shape"), id);
            String op = attrs.get("label").split("\n")[0];
            assertTrue(op.startsWith(e.prim() == Prim.RANDOM ? "rand" : e.prim().text()), op + " for " + e);
            assertTrue(attrs.get("label").contains(shapeText(e.out(), d)), attrs.get("label"));
            if (e.origin().line() > 0) assertTrue(attrs.get("label").endsWith("\nline " + e.origin().line()), attrs.get("label"));
            // one edge from each operand that is a node, and no other
            List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
            for (Var x : e.in()) if (g.nodes.containsKey("v" + x.id())) expected.add("v" + x.id());
            for (Edge edge : g.edgesInto(id)) actual.add(edge.from);
            expected.sort(null);
            actual.sort(null);
            assertEquals(expected, actual, "the edges into " + id);
        }
        assertTrue(primal > 0, "no primal equation");
        if (eqns.stream().anyMatch(Derivation::adjoint)) assertTrue(adjoint > 0);
        block(g, d.body(), null);

        for (int i = 0; i < d.params().size(); i++) {
            String id = "v" + d.params().get(i).id();
            Map<String, String> attrs = g.nodes.get(id);
            assertNotNull(attrs, "parameter " + i);
            assertEquals("invhouse", attrs.get("shape"));
            assertEquals("cluster_primal", g.cluster.get(id));
            assertFalse(ADJOINT_FILL.equals(attrs.get("fillcolor")));
            assertTrue(attrs.get("label").startsWith(d.fn.params().get(i).name() + (d.wrt.contains(i) ? " (wrt)\n" : "\n")), attrs.get("label"));
        }
        Map<String, String> value = g.nodes.get("value");
        assertNotNull(value, "no value node");
        assertEquals("house", value.get("shape"));
        assertEquals("cluster_primal", g.cluster.get("value"));
        assertEquals(List.of("v" + d.value().id()), g.edgesInto("value").stream().map(e -> e.from).toList());
        for (int i = 0; i < d.grads().size(); i++) {
            String id = "grad" + i;
            Map<String, String> attrs = g.nodes.get(id);
            assertNotNull(attrs, "no node for gradient " + i);
            assertEquals("house", attrs.get("shape"));
            assertEquals("2", attrs.get("peripheries"));
            assertEquals(ADJOINT_FILL, attrs.get("fillcolor"));
            assertEquals("cluster_adjoint", g.cluster.get(id));
            String param = d.fn.params().get(d.wrt.get(i)).name();
            assertTrue(attrs.get("label").startsWith("d_" + param + "\n"), attrs.get("label"));
            assertEquals(List.of("v" + d.grads().get(i).id()), g.edgesInto(id).stream().map(e -> e.from).toList());
        }

        // named dimensions show as names, never as the sample sizes the derivation was made with
        if (source.matches("(?s).*fn " + fn + "\\([^)]*\\[[a-z].*")) {
            Matcher m = Pattern.compile("\\d+").matcher(String.join("\n", g.labels()));
            while (m.find()) {
                long k = Long.parseLong(m.group());
                for (long sample : new long[] {67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113}) {
                    assertFalse(k != 0 && k % sample == 0, "a label shows " + k + ", a multiple of the sample size " + sample);
                }
            }
        }
        render(text, fn);
        return g;
    }

    /** The equations of a block, nested ones included, and the variables its loops and branches read. */
    private static void equations(List<Stmt> body, List<Eqn> out, Set<Var> structural) {
        for (Stmt st : body) {
            if (st instanceof Eqn e) out.add(e);
            else if (st instanceof Stmt.Loop l) {
                for (Var v : l.init()) if (v != null) structural.add(v);
                for (Var v : l.results()) if (v != null) structural.add(v);
                structural.addAll(l.stacked());
                equations(l.body(), out, structural);
            } else if (st instanceof Stmt.Cond c) {
                structural.add(c.cond());
                for (Var v : c.thenResults()) if (v != null) structural.add(v);
                for (Var v : c.elseResults()) if (v != null) structural.add(v);
                equations(c.then(), out, structural);
                equations(c.otherwise(), out, structural);
            }
        }
    }

    /**
     * The clusters of loops and branches: each equation of a block is in the block's cluster
     * ({@code enclosing}; null: the top, cluster_primal or cluster_adjoint as the statement is);
     * a loop's cluster, inside it, has the loop's label, its carried values and its index; its
     * outputs and tapes are outside it, with the edges init, next, after and row; a branch's sides
     * are clusters "then" and "else", its outputs outside them with the edges if, then and else.
     */
    private static void block(Graph g, List<Stmt> body, String enclosing) {
        for (Stmt st : body) {
            boolean adj = Derivation.adjoint(st);
            String here = enclosing != null ? enclosing : adj ? "cluster_adjoint" : "cluster_primal";
            if (st instanceof Eqn e) {
                String id = "v" + e.out().id();
                if (g.nodes.containsKey(id)) assertEquals(here, g.innermost.get(id), "the cluster of " + id);
            } else if (st instanceof Stmt.Loop l) {
                String loop = null;
                for (Var p : l.params()) if (loop == null && g.nodes.containsKey("v" + p.id())) loop = g.innermost.get("v" + p.id());
                for (Stmt s : l.body()) {
                    if (loop == null && s instanceof Eqn e && g.nodes.containsKey("v" + e.out().id())) loop = g.innermost.get("v" + e.out().id());
                }
                assertNotNull(loop, "a loop with no node in its cluster");
                assertTrue(loop.startsWith("cluster_loop"), loop);
                assertEquals(here, g.parent.get(loop), "the cluster around " + loop);
                String label = g.clusterLabels.get(loop);
                String header = l.isWhile() ? "while \\(condition before each iteration\\)"
                        : "for \\w+ in " + (l.reverse() ? "reversed\\(range\\([^()]+\\)\\)" : "range\\([^()]+\\)");
                assertTrue(label.matches(header + "( \\(line \\d+\\))?"), label);
                String index = "v" + l.index().id();
                if (g.nodes.containsKey(index)) {
                    assertEquals(loop, g.innermost.get(index));
                    assertTrue(g.label(index).startsWith("index\n"), g.label(index));
                }
                int shown = 0;
                for (int k = 0; k < l.params().size(); k++) {
                    String p = "v" + l.params().get(k).id(), out = "v" + l.outs().get(k).id();
                    if (!g.nodes.containsKey(p)) {
                        assertFalse(g.nodes.containsKey(out), "the output of a carried value not shown: " + out);
                        continue;
                    }
                    shown++;
                    variable(g, p, "carried", loop, adj);
                    variable(g, out, "after the loop", here, adj);
                    assertTrue(g.edge(p, out, "after"), p + " -> " + out);
                    Var init = l.init().get(k), r = l.results().get(k);
                    if (init != null) assertTrue(g.edge("v" + init.id(), p, "init"), "init -> " + p);
                    if (!r.equals(l.params().get(k))) assertTrue(g.edge("v" + r.id(), p, "next"), "next -> " + p);
                }
                for (int j = 0; j < l.tapes().size(); j++) {
                    String t = "v" + l.tapes().get(j).id(), stacked = "v" + l.stacked().get(j).id();
                    variable(g, t, "tape", here, adj);
                    assertTrue(g.edges.stream().anyMatch(e -> e.from.equals(stacked) && e.to.equals(t)
                            && e.attrs.getOrDefault("label", "").startsWith("row ")), "row -> " + t);
                }
                assertTrue(shown + l.tapes().size() > 0, "a loop that shows nothing");
                block(g, l.body(), loop);
            } else if (st instanceof Stmt.Cond c) {
                for (int k = 0; k < c.outs().size(); k++) {
                    String out = "v" + c.outs().get(k).id();
                    variable(g, out, "branch output", here, adj);
                    assertTrue(g.edge("v" + c.cond().id(), out, "if"), "if -> " + out);
                    Var a = c.thenResults().get(k), b = c.elseResults().get(k);
                    if (a != null) assertTrue(g.edge("v" + a.id(), out, "then"), "then -> " + out);
                    if (b != null) assertTrue(g.edge("v" + b.id(), out, "else"), "else -> " + out);
                    assertEquals((a != null ? 1 : 0) + (b != null ? 1 : 0) + 1, g.edgesInto(out).size(), "the edges into " + out);
                }
                for (int side = 0; side < 2; side++) {
                    String name = side == 0 ? "then" : "else", cluster = null;
                    for (Stmt s : side == 0 ? c.then() : c.otherwise()) {
                        if (cluster == null && s instanceof Eqn e && g.nodes.containsKey("v" + e.out().id())) cluster = g.innermost.get("v" + e.out().id());
                    }
                    if (cluster == null) continue; // nothing to find it by
                    assertTrue(cluster.startsWith("cluster_if") && cluster.endsWith("_" + name), cluster);
                    assertTrue(g.clusterLabels.get(cluster).startsWith(name), g.clusterLabels.get(cluster));
                    assertEquals(here, g.parent.get(cluster));
                    block(g, side == 0 ? c.then() : c.otherwise(), cluster);
                }
            }
        }
    }

    /** A variable of a loop or a branch: a dashed node of its program's style, in its cluster, labelled with what it is. */
    private static void variable(Graph g, String id, String what, String cluster, boolean adjoint) {
        Map<String, String> attrs = g.nodes.get(id);
        assertNotNull(attrs, "no node " + id + " (" + what + ")");
        assertTrue(attrs.get("label").startsWith(what + "\n"), attrs.get("label"));
        assertEquals(cluster, g.innermost.get(id), "the cluster of " + id);
        assertEquals("filled,dashed", attrs.get("style"), id);
        assertEquals(adjoint, ADJOINT_FILL.equals(attrs.get("fillcolor")), id + " " + attrs);
        assertEquals(adjoint ? "ellipse" : "box", attrs.get("shape"), id);
    }

    /** The shape as the graph should show it: the parameters' declared dimensions for a shape that has them. */
    private static String shapeText(Var v, Derivation d) {
        return "[" + String.join(", ", java.util.Arrays.stream(d.shape(v)).map(f -> {
            StringBuilder s = new StringBuilder();
            if (f.constant()) return Long.toString(f.c());
            // only the simple forms these examples have: n, k * n, n + c
            if (f.k() == -1) s.append("-");
            else if (f.k() != 1) s.append(f.k()).append(" * ");
            for (int i = 0; i < f.mono().size(); i++) s.append(i > 0 ? " * " : "").append(dimName(d, f.mono().get(i)));
            if (f.c() > 0) s.append(" + ").append(f.c());
            if (f.c() < 0) s.append(" - ").append(-f.c());
            return s.toString();
        }).toList()) + "]";
    }

    private static String dimName(Derivation d, int index) {
        List<String> dims = new ArrayList<>();
        for (Ast.Param p : d.fn.params()) for (Ast.Dim dim : p.shape()) if (dim.name() != null && !dims.contains(dim.name())) dims.add(dim.name());
        return dims.get(index);
    }

    /** With Graphviz installed, the graph must render: `dot -Tsvg` exits 0 with an SVG. Without it, nothing to do. */
    private void render(String text, String fn) {
        if (!dotInstalled()) return;
        try {
            Path in = tmp.resolve(fn + "_grad.dot"), out = tmp.resolve(fn + "_grad.svg");
            Files.writeString(in, text, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("dot", "-Tsvg", in.toString(), "-o", out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dot did not finish");
            assertEquals(0, p.exitValue(), log);
            assertFalse(log.contains("Error") || log.contains("syntax error"), log);
            String svg = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(svg.contains("<svg") && svg.contains("</svg>"), svg);
        } catch (IOException e) {
            fail("dot -Tsvg: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    private static Boolean dotAvailable;

    private static synchronized boolean dotInstalled() {
        if (dotAvailable == null) {
            try {
                Process p = new ProcessBuilder("dot", "-V").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                dotAvailable = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                dotAvailable = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dotAvailable = false;
            }
        }
        return dotAvailable;
    }

    // ---- reading DOT back ------------------------------------------------------------------------------

    record Edge(String from, String to, Map<String, String> attrs) {}

    /**
     * The DOT subset the emitter writes: {@code digraph ID { stmt* }} with subgraphs, attribute
     * statements ({@code graph|node|edge [..];}, {@code ID = ID;}), node statements and edges
     * {@code ID -> ID [..];}, each ending with a semicolon (a subgraph's is optional), and comments. Anything else is an error.
     * Attribute values are decoded as Graphviz reads them: {@code \"} is a quote, and in an escString
     * {@code \\} is a backslash and {@code \n} a line break.
     */
    static final class Graph {
        String name;
        final Map<String, String> graphAttrs = new LinkedHashMap<>();
        final Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        /** Each node's outermost cluster (cluster_primal or cluster_adjoint), and its innermost one (a loop's, a branch side's). */
        final Map<String, String> cluster = new HashMap<>();
        final Map<String, String> innermost = new HashMap<>();
        final Map<String, String> clusterLabels = new HashMap<>();
        /** Each cluster's enclosing cluster (null at the top). */
        final Map<String, String> parent = new HashMap<>();
        final List<Edge> edges = new ArrayList<>();
        private final List<String> tokens;
        private int pos;

        private Graph(List<String> tokens) {
            this.tokens = tokens;
        }

        String label(String id) {
            Map<String, String> a = nodes.get(id);
            assertNotNull(a, "no node " + id);
            return a.get("label");
        }

        List<String> labels() {
            List<String> out = new ArrayList<>();
            for (Map<String, String> a : nodes.values()) out.add(a.get("label"));
            return out;
        }

        /** Whether there is an edge from one node to another with this label. */
        boolean edge(String from, String to, String label) {
            return edges.stream().anyMatch(e -> e.from.equals(from) && e.to.equals(to) && label.equals(e.attrs.get("label")));
        }

        List<Edge> edgesInto(String id) {
            return edges.stream().filter(e -> e.to.equals(id)).toList();
        }

        static Graph parse(String text) {
            List<String> tokens = tokenize(text);
            int depth = 0;
            for (String t : tokens) {
                if (t.equals("{")) depth++;
                if (t.equals("}")) depth--;
                assertTrue(depth >= 0, "a } closes nothing");
            }
            assertEquals(0, depth, "braces do not balance");
            Graph g = new Graph(tokens);
            g.expect("digraph");
            g.name = g.id();
            g.expect("{");
            g.statements(null, null);
            assertEquals(tokens.size(), g.pos, "text after the graph");
            return g;
        }

        private void statements(String top, String inCluster) {
            while (!peek().equals("}")) {
                String t = next();
                if (t.equals("subgraph")) {
                    String name = id();
                    assertTrue(name.startsWith("cluster_"), name);
                    assertFalse(parent.containsKey(name) || clusterLabels.containsKey(name), "cluster " + name + " twice");
                    parent.put(name, inCluster);
                    // at the top: the primal and adjoint programs, and the functions they call (cluster_fn_NAME)
                    assertTrue(inCluster != null || name.equals("cluster_primal") || name.equals("cluster_adjoint") || name.startsWith("cluster_fn_"),
                            "a top-level " + name);
                    expect("{");
                    statements(top == null ? name : top, name);
                    continue; // a subgraph needs no semicolon
                } else if (t.equals("graph") || t.equals("node") || t.equals("edge")) {
                    Map<String, String> a = attrs();
                    if (t.equals("graph") && inCluster == null) graphAttrs.putAll(a);
                    if (t.equals("graph") && inCluster != null) clusterLabels.put(inCluster, a.get("label"));
                } else {
                    String a = unquoteId(t);
                    if (peek().equals("->")) {
                        next();
                        String b = id();
                        edges.add(new Edge(a, b, peek().equals("[") ? attrs() : Map.of()));
                    } else if (peek().equals("=")) {
                        next();
                        id();
                    } else {
                        assertFalse(nodes.containsKey(a), "node " + a + " declared twice");
                        nodes.put(a, peek().equals("[") ? attrs() : new HashMap<>());
                        if (inCluster != null) {
                            cluster.put(a, top);
                            innermost.put(a, inCluster);
                        }
                    }
                }
                expect(";");
            }
            next();
        }

        private Map<String, String> attrs() {
            expect("[");
            Map<String, String> out = new LinkedHashMap<>();
            while (!peek().equals("]")) {
                String k = id();
                expect("=");
                assertNull(out.put(k, escString(id())), "attribute " + k + " given twice");
                if (peek().equals(",")) next();
                else assertEquals("]", peek());
            }
            next();
            return out;
        }

        private String peek() {
            if (pos >= tokens.size()) fail("the graph ends early");
            return tokens.get(pos);
        }

        private String next() {
            String t = peek();
            pos++;
            return t;
        }

        private void expect(String t) {
            assertEquals(t, next(), "at token " + (pos - 1));
        }

        private String id() {
            return unquoteId(next());
        }

        private static String unquoteId(String t) {
            if (t.startsWith("\"")) return t.substring(1);
            assertTrue(t.matches("[A-Za-z_][A-Za-z0-9_]*|-?[0-9.]+"), "not an id: " + t);
            return t;
        }

        /** Graphviz's escString: a backslash escapes the next character; \n, \l and \r are line breaks. */
        private static String escString(String s) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                assertTrue(i + 1 < s.length(), "a lone backslash ends " + s);
                char n = s.charAt(++i);
                if (n == 'n' || n == 'l' || n == 'r') sb.append('\n');
                else if (n == '\\' || n == '"') sb.append(n);
                else fail("a Graphviz escape \\" + n + " in " + s + " (an unescaped backslash?)");
            }
            return sb.toString();
        }

        /** Tokens; a quoted string is one token, {@code "} followed by its text with DOT's \" undone. */
        private static List<String> tokenize(String text) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (text.startsWith("//", i)) {
                    while (i < text.length() && text.charAt(i) != '\n') i++;
                } else if (text.startsWith("/*", i)) {
                    int end = text.indexOf("*/", i + 2);
                    assertTrue(end >= 0, "unterminated comment");
                    i = end + 2;
                } else if (c == '"') {
                    StringBuilder sb = new StringBuilder("\"");
                    i++;
                    while (true) {
                        assertTrue(i < text.length(), "unterminated string");
                        char s = text.charAt(i);
                        assertTrue(s != '\n', "a line break inside a string");
                        if (s == '"') break;
                        if (s == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                            sb.append("\\\""); // kept escaped here; escString below reads it as a quote
                            i += 2;
                        } else if (s == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                            sb.append("\\\\");
                            i += 2;
                        } else {
                            sb.append(s);
                            i++;
                        }
                    }
                    i++;
                    out.add(sb.toString());
                } else if (text.startsWith("->", i)) {
                    out.add("->");
                    i += 2;
                } else if ("{}[];,=".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    i++;
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-') {
                    int start = i;
                    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || "_.-".indexOf(text.charAt(i)) >= 0)) {
                        if (text.startsWith("->", i)) break;
                        i++;
                    }
                    out.add(text.substring(start, i));
                } else {
                    fail("unexpected character '" + c + "' at " + i);
                }
            }
            return out;
        }
    }
}
