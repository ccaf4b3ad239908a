package tx.compiler.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.ad.Graph;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * The {@code grad_fn} PyTorch prints for a gradient that {@code grad(y, [x], create_graph=True)}
 * returns: the node that made it last in PyTorch's backward pass. That is the backward formula of
 * the built-in that takes x on the way to y ({@code x ** 3}: {@code grad * 3 * x ** 2}, a
 * {@code MulBackward0}; {@code tanh(x)}: {@code TanhBackwardBackward0}), or {@code AddBackward0}
 * where x reaches y by several uses (their gradients are summed); a built-in that passes its
 * gradient on unchanged ({@code x + 1}) hands the question on to the one that takes its result.
 *
 * <p>Each variable that a built-in makes is remembered with the built-in's result
 * ({@link #made}), so that an equation taking x is known by the built-in it belongs to. Where the
 * answer is not known (a built-in not in the table, x broadcast by the built-in, a loop, a branch
 * or a call on the way), the gradient prints {@code requires_grad=True}, as before.
 */
final class AdjointNames {
    private final Graph graph;
    /** Each variable a built-in made (on the way to a value that requires grad), to the built-in's result. */
    private final Map<Var, Var> resultOf = new HashMap<>();
    /** Each built-in's result, to its grad_fn. */
    private final Map<Var, String> gradFnOf = new HashMap<>();

    AdjointNames(Graph graph) {
        this.graph = graph;
    }

    /**
     * NOTE: PyTorch's backward formulas, by the forward node and the operand: the node that makes
     * the operand's gradient (checked against PyTorch 1.13 in {@code conformance/cases/grad_fn_create_graph.tx}).
     * "=" passes the gradient on unchanged; a built-in made of several equations (marked
     * {@link #WHOLE}) answers for an operand any of them takes, the others only for their last;
     * {@code W @ x}'s vector gets an MvBackward0, its matrix a MulBackward0 (PyTorch's outer product).
     */
    private static final Map<String, String[]> BACKWARD = Map.ofEntries(
            Map.entry("MulBackward0", new String[] {"MulBackward0", "MulBackward0"}),
            Map.entry("DivBackward0", new String[] {"DivBackward0", "MulBackward0"}),
            Map.entry("PowBackward0", new String[] {"MulBackward0"}),
            Map.entry("SinBackward0", new String[] {"MulBackward0"}),
            Map.entry("CosBackward0", new String[] {"MulBackward0"}),
            Map.entry("ExpBackward0", new String[] {"MulBackward0"}),
            Map.entry("AbsBackward0", new String[] {"MulBackward0"}),
            Map.entry("LogBackward0", new String[] {"DivBackward0"}),
            Map.entry("SqrtBackward0", new String[] {"DivBackward0"}),
            Map.entry("TanhBackward0", new String[] {"TanhBackwardBackward0"}),
            Map.entry("SigmoidBackward0", new String[] {"SigmoidBackwardBackward0"}),
            Map.entry("ReluBackward0", new String[] {"ThresholdBackwardBackward0"}),
            Map.entry("NegBackward0", new String[] {"NegBackward0"}),
            Map.entry("SumBackward0", new String[] {"ExpandBackward0"}),
            Map.entry("MeanBackward0", new String[] {"DivBackward0"}),
            Map.entry("VarBackward0", new String[] {"MulBackward0"}),
            Map.entry("MvBackward0", new String[] {"MulBackward0", "MvBackward0"}),
            Map.entry("MmBackward0", new String[] {"MmBackward0", "MmBackward0"}),
            Map.entry("MseLossBackward0", new String[] {"MseLossBackwardBackward0", "MseLossBackwardBackward0"}),
            Map.entry("SoftmaxBackward0", new String[] {"SoftmaxBackwardDataBackward0"}),
            Map.entry("LogSoftmaxBackward0", new String[] {"LogSoftmaxBackwardDataBackward0"}),
            Map.entry("AddBackward0", new String[] {"=", "="}),
            Map.entry("SubBackward0", new String[] {"=", "NegBackward0"}));

    /** The built-ins made of several equations whose every equation answers for the operand it takes. */
    private static final Set<String> WHOLE = Set.of("ReluBackward0", "MeanBackward0", "MseLossBackward0", "SoftmaxBackward0", "LogSoftmaxBackward0",
            "MvBackward0", "VarBackward0");

    /** The built-ins whose operand keeps its shape (one broadcast by them is summed back, a node of its own). */
    private static final Set<String> REDUCING = Set.of("SumBackward0", "MeanBackward0", "MvBackward0", "MmBackward0", "MseLossBackward0", "VarBackward0");

    /** A built-in's result {@code v}, printed with {@code gradFn}: it and what it was made of (not yet claimed) are the built-in's. */
    void made(Var v, String gradFn) {
        if (gradFn == null || resultOf.containsKey(v) || !graph.requiresGrad(v)) return;
        gradFnOf.put(v, gradFn);
        Deque<Var> todo = new ArrayDeque<>(List.of(v));
        while (!todo.isEmpty()) {
            Var u = todo.pop();
            if (resultOf.containsKey(u) || !graph.requiresGrad(u) || graph.leafOf(u) >= 0) continue;
            Stmt.Eqn e = graph.definition(u);
            if (e == null) continue;
            resultOf.put(u, v);
            todo.addAll(e.in());
        }
    }

    /** The grad_fn of x's gradient of {@code outs}, or null where it is not known. */
    String of(Var x, List<Var> outs) {
        Map<Var, List<Use>> uses = uses(outs);
        if (uses == null) return null;
        Set<Var> seen = new HashSet<>();
        Var v = x;
        while (seen.add(v)) {
            List<Use> us = uses.get(v);
            if (us == null || outs.contains(v)) return null; // the output gradient itself: it decides
            if (nodes(us) > 1) return "AddBackward0";
            Use u = us.get(0);
            Var result = resultOf.get(u.eqn().out());
            String fn = result == null ? null : gradFnOf.get(result);
            String[] back = fn == null ? null : BACKWARD.get(fn);
            if (back == null || (result != u.eqn().out() && !WHOLE.contains(fn))) return null;
            if (!REDUCING.contains(fn) && !Arrays.equals(v.shapeRef(), result.shapeRef())) return null;
            String name = fn.equals("MvBackward0") ? back[v.shapeRef().length == 1 ? 1 : 0] : back[Math.min(u.operand(), back.length - 1)];
            if (!name.equals("=")) return name;
            v = result;
        }
        return null;
    }

    private record Use(Stmt.Eqn eqn, int operand) {}

    /**
     * The backward nodes that send a variable gradients, one per use: several uses by one built-in
     * made of several equations ({@link #WHOLE}: {@code log_softmax} reads x twice) are one node,
     * two operands of one equation ({@code x * x}) two.
     */
    private int nodes(List<Use> us) {
        Set<Object> nodes = new HashSet<>();
        for (Use u : us) {
            Var result = resultOf.get(u.eqn().out());
            boolean whole = result != null && WHOLE.contains(gradFnOf.get(result));
            nodes.add(whole ? result : u);
        }
        return nodes.size();
    }

    /** The equations on the way from the outputs back to the leaves, by the variables they take; null if a loop, branch or call is on the way. */
    private Map<Var, List<Use>> uses(List<Var> outs) {
        Map<Var, List<Use>> out = new HashMap<>();
        Set<Var> seen = new HashSet<>(outs);
        Deque<Var> todo = new ArrayDeque<>(outs);
        while (!todo.isEmpty()) {
            Var v = todo.pop();
            if (graph.leafOf(v) >= 0) continue;
            Stmt.Eqn e = graph.definition(v);
            if (e == null) {
                if (graph.structureOf(v) != null) return null;
                continue;
            }
            for (int k = 0; k < e.in().size(); k++) {
                Var in = e.in().get(k);
                if (!graph.requiresGrad(in)) continue;
                out.computeIfAbsent(in, z -> new ArrayList<>()).add(new Use(e, k));
                if (seen.add(in)) todo.push(in);
            }
        }
        return out;
    }
}
