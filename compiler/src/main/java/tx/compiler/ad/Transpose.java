package tx.compiler.ad;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Func;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * The reverse-mode derivative of a function with a custom_jvp rule, by transposing the rule, as
 * JAX derives a VJP from a JVP: the rule's tangent {@code ṫ = J(x) t} is linear in the tangents
 * {@code t}, so the adjoint of the tangents along the output's adjoint {@code g} is
 * {@code J(x)ᵀ g = ∇_t <J(x) t, g>}, the same at every t. The reverse pass runs over a call of the
 * rule at {@code t = 0}, with the tangents as its leaves and x as constants; what it builds is the
 * function {@code (x..., g) -> (J_1ᵀ g, ..., J_nᵀ g)}, which the reverse pass then calls as it calls
 * a custom_vjp rule.
 *
 * <p>NOTE: only the part of the rule linear in the tangents counts: a term such as {@code t * t}
 * has zero derivative at t = 0, so it adds nothing here (JAX refuses to transpose it). The rule is
 * called at t = 0, so a rule that is linear, as a derivative is, loses nothing.
 */
public final class Transpose {
    private Transpose() {}

    /** The transposed rule, or the barrier in the rule that stopped the reverse pass (a result with fn null). */
    public record Result(Func fn, Var blockedAt, String blockedWhy) {}

    /**
     * {@code f}'s reverse-mode derivative from its JVP rule {@code rule}, whose last result is the
     * output's tangent: a function of f's parameters and the output's adjoint that returns one
     * adjoint per parameter. Grad mode is on and its inputs require grad, so that it can be
     * differentiated again, as a custom_vjp rule.
     */
    public static Result of(Builder b, Graph graph, Func f, Func rule) {
        boolean wasNoGrad = graph.setNoGrad(false);
        String oldName = b.named(null);
        var oldOrigin = b.origin();
        b.openBlock();
        List<Var> params = new ArrayList<>(), zeros = new ArrayList<>();
        try {
            for (Var p : f.params()) params.add(b.newVarLike(p, p.name()));
            Var out = f.results().get(0), g = b.newVar(out.shapeRef(), Reverse.adjointName(out));
            List<Var> args = new ArrayList<>(params);
            Map<Var, Integer> leafOf = new LinkedHashMap<>();
            for (Var p : params) {
                b.named(p.name() == null ? null : "t_" + p.name());
                Var t = b.fill(p.shapeRef(), 0.0); // the tangents at 0: a leaf of this pass each
                int id = graph.freshLeaf();
                graph.markLeaf(t, id);
                leafOf.put(t, id);
                zeros.add(t);
                args.add(t);
            }
            b.named(null);
            Stmt.Call call = b.call(rule, args);
            List<Boolean> rg = new ArrayList<>();
            for (int k = 0; k < call.outs().size(); k++) rg.add(true);
            graph.called(call, rg);
            Var tangent = call.outs().get(call.outs().size() - 1);
            Reverse.Result r = Reverse.transform(b, graph, List.of(tangent), List.of(g), new HashSet<>(leafOf.values()));
            if (r.blockedAt() != null) {
                b.closeBlock();
                return new Result(null, r.blockedAt(), r.blockedWhy());
            }
            List<Var> grads = new ArrayList<>();
            for (Var t : zeros) {
                Var d = r.leafAdjoints().get(leafOf.get(t));
                grads.add(d != null ? d : b.fill(t.shapeRef(), 0.0)); // a tangent the rule does not read: a zero adjoint
            }
            List<Var> all = new ArrayList<>(params);
            all.add(g);
            for (Var p : all) graph.setRequiresGrad(p, p.dtype().isFloat()); // after the pass, to which f's parameters are constants
            return new Result(new Func(f.name() + "_jvp_transposed", all, b.closeBlock(), grads), null, null);
        } finally {
            for (Var t : zeros) {
                graph.unmarkLeaf(t);
                graph.setRequiresGrad(t, false); // a constant 0 to any later pass
            }
            graph.setNoGrad(wasNoGrad);
            b.named(oldName);
            b.at(oldOrigin);
        }
    }
}
