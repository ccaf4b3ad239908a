package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The forward-mode check of every primitive, on {@link PrimGradTest}'s table: for seeded random
 * inputs and random tangents of the differentiable operands, the JVP rule's output tangent
 * <ol>
 *   <li>agrees with the central finite difference of the kernel along the tangent,
 *       {@code (f(x + h t) - f(x - h t)) / 2h}, element by element;</li>
 *   <li>passes the dot-product test against the VJP rule, {@code <J t, g> = sum_i <t_i, J_iᵀ g>}
 *       for a random cotangent g, which ties the two rules together (to rounding);</li>
 * </ol>
 * and a primitive that passes no gradient (piecewise constant, stop_grad, sources) passes no
 * tangent (null). The expected numbers come from the kernels and the VJP rules, which
 * PrimGradTest checks against finite differences in turn.
 */
class PrimJvpTest {
    static final double RTOL = 1e-6, ATOL = 1e-8;

    @TestFactory
    Stream<DynamicTest> everyPrimitivesJvpMatchesFiniteDifferencesAndItsVjp() {
        return Arrays.stream(Prim.values()).filter(PrimGradTest.TABLE::containsKey)
                .map(p -> DynamicTest.dynamicTest(p.name(), () -> {
                    List<PrimGradTest.Config> configs = PrimGradTest.TABLE.get(p);
                    for (int c = 0; c < configs.size(); c++) {
                        for (int trial = 0; trial < PrimGradTest.TRIALS; trial++) {
                            check(p, configs.get(c), new Random(7_000_003L * p.ordinal() + 1013L * c + trial));
                        }
                    }
                }));
    }

    static void check(Prim p, PrimGradTest.Config cfg, Random rng) {
        String where = p + " " + cfg;
        Builder b = new Builder();
        Map<Var, Tensor> env = new HashMap<>();
        List<Tensor> inputs = new ArrayList<>(), tangents = new ArrayList<>();
        Var[] vars = new Var[cfg.operands().size()];
        List<Var> t = new ArrayList<>();
        for (int i = 0; i < vars.length; i++) {
            PrimGradTest.Operand o = cfg.operands().get(i);
            Tensor v = Tensor.of(o.shape(), o.domain().sample(rng, Shapes.numel(o.shape())));
            inputs.add(v);
            vars[i] = o.constant() ? b.constant(v) : b.newVar(o.shape(), "x" + i);
            if (!o.constant()) env.put(vars[i], v);
            boolean moves = cfg.kind() != PrimGradTest.Kind.DIFFERENTIABLE || o.role() == PrimGradTest.Role.CHECKED
                    || o.role() == PrimGradTest.Role.SYMMETRIC;
            Tensor tv = moves ? Tensor.of(o.shape(), PrimGradTest.uniform(-1, 1).sample(rng, Shapes.numel(o.shape()))) : null;
            if (o.role() == PrimGradTest.Role.SYMMETRIC) tv = symmetric(tv);
            tangents.add(tv);
            Var tvar = null;
            if (tv != null && !o.constant()) {
                tvar = b.newVar(o.shape(), "t" + i);
                env.put(tvar, tv);
            }
            t.add(tvar);
        }
        Var out = b.emit(p, cfg.attr(), vars);
        Eqn eqn = (Eqn) b.top().get(b.top().size() - 1);
        Var jvp = p.jvp(b, eqn, t);
        if (cfg.kind() != PrimGradTest.Kind.DIFFERENTIABLE) {
            assertNull(jvp, where + ": no tangent passes through");
            return;
        }
        assertNotNull(jvp, where + ": a differentiable primitive passes the tangent");
        assertArrayEquals(out.shapeRef(), jvp.shapeRef(), where + ": the tangent has the output's shape");
        Tensor gv = Tensor.of(out.shapeRef(), PrimGradTest.uniform(-1, 1).sample(rng, Shapes.numel(out.shapeRef())));
        Var g = b.newVar(out.shapeRef(), "g");
        env.put(g, gv);
        List<Var> vjp = p.vjp(b, eqn, g);
        Var[] back = new Var[vars.length];
        for (int i = 0; i < vars.length; i++) if (vjp.get(i) != null && t.get(i) != null) back[i] = b.unbroadcast(vjp.get(i), vars[i].shapeRef());
        PrimGradTest.run(b, env);
        double[] jt = env.get(jvp).data();
        double[] fd = directional(p, cfg.attr(), inputs, tangents);
        for (int k = 0; k < jt.length; k++) {
            double err = Math.abs(jt[k] - fd[k]), tol = RTOL * Math.abs(fd[k]) + ATOL;
            if (!(err <= tol)) {
                fail(String.format("%s: (J t)[%d] = %s by the JVP, %s by central differences (error %.3g > %.3g)%n  inputs %s%n  tangents %s",
                        where, k, jt[k], fd[k], err, tol, inputs, tangents));
            }
        }
        double left = 0, right = 0, size = 0;
        for (int k = 0; k < jt.length; k++) {
            left += jt[k] * gv.data()[k];
            size += Math.abs(jt[k] * gv.data()[k]);
        }
        for (int i = 0; i < vars.length; i++) {
            if (back[i] == null) continue;
            double[] bi = env.get(back[i]).data(), ti = tangents.get(i).data();
            for (int k = 0; k < bi.length; k++) {
                right += bi[k] * ti[k];
                size += Math.abs(bi[k] * ti[k]);
            }
        }
        assertTrue(Math.abs(left - right) <= 1e-12 * size + 1e-300, where + ": <J t, g> = " + left + " but <t, Jᵀ g> = " + right);
    }

    /** (t + tᵀ) / 2 for each matrix of a batch: a tangent that keeps a symmetric operand symmetric. */
    static Tensor symmetric(Tensor t) {
        int n = t.shapeRef()[t.rank() - 1];
        double[] d = t.data().clone();
        for (int k = 0; k < d.length; k += n * n) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < r; c++) d[k + r * n + c] = d[k + c * n + r] = (t.data()[k + r * n + c] + t.data()[k + c * n + r]) / 2;
            }
        }
        return Tensor.of(t.shapeRef(), d);
    }

    /** (f(x + h t) - f(x - h t)) / 2h, every operand with a tangent moved at once, h relative to the inputs' size. */
    static double[] directional(Prim p, Object attr, List<Tensor> inputs, List<Tensor> tangents) {
        double m = 1;
        for (Tensor x : inputs) for (double v : x.data()) m = Math.max(m, Math.abs(v));
        double h = PrimGradTest.H * m;
        List<Tensor> up = new ArrayList<>(), down = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i), t = tangents.get(i);
            double[] u = x.data().clone(), d = x.data().clone();
            if (t != null) {
                for (int k = 0; k < u.length; k++) {
                    u[k] += h * t.data()[k];
                    d[k] -= h * t.data()[k];
                }
            }
            up.add(Tensor.of(x.shapeRef(), u));
            down.add(Tensor.of(x.shapeRef(), d));
        }
        double[] fu = p.eval(up, attr).data(), fdn = p.eval(down, attr).data(), out = new double[fu.length];
        for (int k = 0; k < out.length; k++) out[k] = (fu[k] - fdn[k]) / (2 * h);
        return out;
    }
}
