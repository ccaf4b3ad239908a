package tx.compiler.ad;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Func;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * Whether a custom_jvp rule is linear in its tangents, as a derivative is, so that its transpose
 * ({@link Transpose}) is its reverse-mode derivative. A forward walk over the rule's equations
 * keeps the values linear in the tangents (L) and those known to be zero (Z). An equation with an
 * operand in L must be linear in it: a linear map of one operand (neg, sum, reshape, transpose,
 * expand, slice, pad, flip, cumsum, take, put, gather, a cast), a sum of operands each in L or Z
 * (add, sub, cat, scatter_add, where's two sides, its mask outside L), a product with exactly one
 * operand in L (mul, matmul, the convolutions), or a quotient with only the numerator in L.
 * Anything else (t * t, exp(t), t + x, a comparison of t) is not linear.
 *
 * <p>NOTE: a loop or a branch that reads a tangent is taken to be linear, unchecked: the walk
 * does not enter it. A call is checked by walking its function.
 */
public final class Linearity {
    private Linearity() {}

    /** What makes a rule not linear: the equation, or (eqn null) a tangent result that does not depend on the tangents. */
    public record Finding(Eqn eqn) {}

    /** The first place {@code rule} is not linear in its parameters from {@code first} on, or null if it is linear. */
    public static Finding check(Func rule, int first) {
        Set<Var> linear = new HashSet<>(rule.params().subList(first, rule.params().size()));
        Set<Var> zero = new HashSet<>();
        Eqn at = walk(rule.body(), linear, zero);
        if (at != null) return new Finding(at);
        Var tangent = rule.results().get(rule.results().size() - 1);
        return linear.contains(tangent) || zero.contains(tangent) ? null : new Finding(null);
    }

    private static Eqn walk(List<Stmt> body, Set<Var> linear, Set<Var> zero) {
        for (Stmt s : body) {
            if (s instanceof Eqn e) {
                if (!reads(e.in(), linear)) {
                    if (isZero(e, zero)) zero.add(e.out());
                    continue;
                }
                if (!linearIn(e, linear, zero)) return e;
                linear.add(e.out());
            } else if (s instanceof Stmt.Call c) {
                if (!reads(c.in(), linear)) continue;
                Set<Var> inner = new HashSet<>();
                for (int k = 0; k < c.in().size(); k++) if (linear.contains(c.in().get(k))) inner.add(c.fn().params().get(k));
                Eqn at = walk(c.fn().body(), inner, new HashSet<>());
                if (at != null) return at;
                for (int k = 0; k < c.outs().size(); k++) if (inner.contains(c.fn().results().get(k))) linear.add(c.outs().get(k));
            } else if (reads(Blocks.free(s), linear)) {
                linear.addAll(Blocks.defined(List.of(s)));
            }
        }
        return null;
    }

    private static boolean reads(java.util.Collection<Var> in, Set<Var> linear) {
        for (Var v : in) if (linear.contains(v)) return true;
        return false;
    }

    /** A constant zero, or a linear map (or a product) of one. */
    private static boolean isZero(Eqn e, Set<Var> zero) {
        if (e.attr() instanceof Attrs.Fill f) return f.value() == 0.0;
        if (e.attr() instanceof Attrs.Const c) {
            for (double d : c.value().data()) if (d != 0.0) return false;
            return true;
        }
        return switch (e.prim()) {
            case MUL, MATMUL -> zero.contains(e.in().get(0)) || zero.contains(e.in().get(1));
            case NEG, SUM, RESHAPE, TRANSPOSE, EXPAND, SLICE, PAD, FLIP, CUMSUM, CAST -> zero.contains(e.in().get(0));
            default -> false;
        };
    }

    /** Whether e is linear in its operands that are in {@code linear} (the others are constants to it). */
    private static boolean linearIn(Eqn e, Set<Var> linear, Set<Var> zero) {
        List<Var> in = e.in();
        return switch (e.prim()) {
            case NEG, SUM, RESHAPE, TRANSPOSE, EXPAND, SLICE, PAD, FLIP, CUMSUM, CAST, TAKE, PUT, GATHER -> only(in, linear, 0);
            case ADD, SUB, CAT -> sumOf(in, linear, zero);
            case WHERE -> !linear.contains(in.get(0)) && sumOf(in.subList(1, 3), linear, zero);
            case SCATTER_ADD, SCATTER -> !linear.contains(in.get(1)) && sumOf(List.of(in.get(0), in.get(2)), linear, zero);
            case MUL, MATMUL, CONV_INPUT, CONV_WEIGHT -> linear.contains(in.get(0)) != linear.contains(in.get(1));
            case CONV -> linear.contains(in.get(0)) != linear.contains(in.get(1)) && (in.size() < 3 || sumOf(in.subList(2, 3), linear, zero)); // a bias adds
            case DIV -> only(in, linear, 0);
            default -> false;
        };
    }

    /** Only operand k may be in L. */
    private static boolean only(List<Var> in, Set<Var> linear, int k) {
        for (int i = 0; i < in.size(); i++) if (i != k && linear.contains(in.get(i))) return false;
        return true;
    }

    /** Each operand is in L or zero: a sum of linear terms, with no constant term. */
    private static boolean sumOf(List<Var> in, Set<Var> linear, Set<Var> zero) {
        for (Var v : in) if (!linear.contains(v) && !zero.contains(v)) return false;
        return true;
    }
}
