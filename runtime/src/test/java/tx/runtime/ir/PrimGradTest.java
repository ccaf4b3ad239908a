package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The gradient check of every primitive, table-driven as JAX's {@code LAX_GRAD_OPS}: each {@link Prim}
 * has an entry listing operand shapes (broadcasting ones for the binary primitives), an attribute
 * and an input domain. For several seeded random inputs the test
 * <ol>
 *   <li>builds the equation with a {@link Builder} and checks the shape rule against the kernel's result;</li>
 *   <li>draws a random cotangent {@code g}, builds the VJP IR, undoes broadcasting with
 *       {@link Builder#unbroadcast} as the AD pass does, and evaluates it with a tiny straight-line
 *       evaluator ({@link #run});</li>
 *   <li>compares each {@code <vjp_i, e_j>} with the central finite difference of
 *       {@code <g, f(x ± h e_j)>} in float64.</li>
 * </ol>
 * The expected numbers come only from the kernels ({@code prim.eval}) and finite differences, never
 * from the VJP rules under test.
 *
 * <p>Step and tolerance. {@code h = cbrt(eps)·max(1, |x_j|) ≈ 6e-6·max(1, |x_j|)}, the step that
 * balances the central difference's truncation error {@code h²|f'''|/6} against its rounding error
 * {@code ~eps·|f|/h}; both are then about {@code 4e-11} times the size of the function and its third
 * derivative. The divisor is the step actually taken, {@code (x+h) - (x-h)} as rounded. The difference
 * is summed as {@code Σ_k g_k (f_k(x+) - f_k(x-))}, so outputs that do not depend on {@code x_j}
 * cancel exactly and add no rounding. The domains keep {@code |f|, |f'''| ≲ 10}, so the
 * finite difference is good to ~1e-9; the check {@code |vjp - fd| <= 1e-6·|fd| + 1e-8} leaves
 * ample headroom (the worst error seen over the whole table is below 1% of its tolerance) and still
 * catches any wrong rule, which is off by O(1): a wrong sign in tan's rule, ties not split, or
 * prod_others' rule off by a term all fail it.
 *
 * <p>Kinks. Inputs are drawn away from kinks (abs at 0, maximum at ties, max-reduction ties, tan's
 * poles) except where the central difference is itself well defined and equals the documented
 * convention: |x| at 0 (both give 0), maximum/minimum at an exact tie (both give g/2), and a max
 * reduction with a tie of exactly two elements (both give g/2 to each).
 */
class PrimGradTest {
    /** cbrt(machine epsilon): the central-difference step relative to max(1, |x|). */
    static final double H = Math.cbrt(Math.ulp(1.0));
    static final double RTOL = 1e-6, ATOL = 1e-8;
    static final int TRIALS = 3;

    // ---- the table ---------------------------------------------------------------------------------

    /** Draws n values for one operand. */
    interface Domain {
        double[] sample(Random rng, int n);
    }

    /** What is asserted about an operand's contribution. */
    enum Role {
        /** Compared with finite differences. */
        CHECKED,
        /** Not compared: the operand is held fixed here (say a constant exponent at a negative base). */
        UNCHECKED,
        /** Must be a structural zero (null): where's condition. */
        NO_GRADIENT,
        /**
         * A batch of symmetric matrices, checked along the symmetric directions e_ij + e_ji (e_ii on
         * the diagonal): PyTorch's convention for cholesky, whose kernel reads one triangle while its
         * gradient is the symmetric one. The JVP check draws symmetric tangents for it.
         */
        SYMMETRIC
    }

    /** One operand: its shape, its domain, whether it is built as a compile-time constant, and its role. */
    record Operand(int[] shape, Domain domain, boolean constant, Role role) {}

    /** How a configuration is checked. */
    enum Kind {
        /** The VJP is compared with finite differences for every checked operand. */
        DIFFERENTIABLE,
        /** Every contribution must be null (a structural zero); the function is locally constant, so the FD is 0 too. */
        PIECEWISE_CONSTANT,
        /** Every contribution must be null, by design (stop_grad): no FD comparison. */
        BLOCKED,
        /** No operands at all (constants and random sources): the VJP returns an empty list. */
        SOURCE
    }

    record Config(String label, List<Operand> operands, Object attr, Kind kind) {
        @Override public String toString() {
            StringBuilder sb = new StringBuilder(label).append(" (");
            for (int i = 0; i < operands.size(); i++) sb.append(i == 0 ? "" : ", ").append(Shapes.show(operands.get(i).shape()));
            return sb.append(attr == null ? "" : "; " + attr).append(')').toString();
        }
    }

    /** Operand shapes for binary elementwise primitives: equal, trailing, both stretched, scalar, and leading. */
    static final int[][][] BROADCAST_PAIRS = {
        {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{}, {4}}, {{3}, {2, 3}}, {{2, 3}, {}},
    };

    static final Map<Prim, List<Config>> TABLE = table();

    static Map<Prim, List<Config>> table() {
        Map<Prim, List<Config>> t = new EnumMap<>(Prim.class);
        Domain any = uniform(-2, 2), pos = uniform(0.5, 3);

        unary(t, Prim.NEG, any);
        unary(t, Prim.EXP, any);
        unary(t, Prim.LOG, pos);
        unary(t, Prim.SIN, uniform(-3, 3));
        unary(t, Prim.COS, uniform(-3, 3));
        unary(t, Prim.TAN, uniform(-1.2, 1.2)); // poles at ±π/2 ≈ ±1.571
        unary(t, Prim.TANH, any);
        unary(t, Prim.SIGMOID, uniform(-4, 4));
        unary(t, Prim.SQRT, pos);
        unary(t, Prim.ABS, withZeros(signed(0.2, 2))); // NOTE: at 0 the central FD is (|h| - |-h|)/2h = 0 = sign(0)
        unary(t, Prim.LOG1P, uniform(-0.5, 2));
        unary(t, Prim.EXPM1, any);
        blocked(t, Prim.SIGN, Kind.PIECEWISE_CONSTANT, signed(0.2, 2));
        blocked(t, Prim.FLOOR, Kind.PIECEWISE_CONSTANT, uniform(0.2, 0.8)); // away from the jumps at whole numbers
        blocked(t, Prim.CEIL, Kind.PIECEWISE_CONSTANT, uniform(0.2, 0.8));
        blocked(t, Prim.ROUND, Kind.PIECEWISE_CONSTANT, uniform(-0.4, 0.4)); // away from the jumps at ±0.5
        blocked(t, Prim.TRUNC, Kind.PIECEWISE_CONSTANT, uniform(-0.8, 0.8)); // 0 on (-1, 1), across 0 too
        unary(t, Prim.ASIN, uniform(-0.9, 0.9));
        unary(t, Prim.ACOS, uniform(-0.9, 0.9));
        unary(t, Prim.ATAN, uniform(-3, 3));
        blocked(t, Prim.STOP_GRAD, Kind.BLOCKED, any);
        for (int axis : new int[] {0, 1}) {
            add(t, Prim.FIRST_MAX, "one-hot of the first maximum", List.of(op(new int[] {2, 3}, any)), new Attrs.Axis(axis),
                    Kind.PIECEWISE_CONSTANT);
        }

        binary(t, Prim.ADD, any, any);
        binary(t, Prim.SUB, any, any);
        binary(t, Prim.MUL, any, any);
        binary(t, Prim.DIV, any, signed(0.5, 2));
        binary(t, Prim.POW, uniform(0.5, 2), any);
        add(t, Prim.POW, "integer constant exponent, negative bases",
                List.of(op(new int[] {2, 3}, any), constant(new int[] {}, fixed(2))), null, Kind.DIFFERENTIABLE);
        add(t, Prim.POW, "zero base, constant exponent 3", // d/da a^3 = 0 at a = 0; the FD is h², i.e. ~4e-11
                List.of(op(new int[] {3}, fixed(0)), constant(new int[] {}, fixed(3))), null, Kind.DIFFERENTIABLE);
        add(t, Prim.POW, "zero exponent (where-masked b·a^(b-1))", // d/da a^0 = 0 even at a = 0
                List.of(op(new int[] {4}, withZeros(any)), new Operand(new int[] {}, fixed(0), false, Role.UNCHECKED)), null,
                Kind.DIFFERENTIABLE);
        binary(t, Prim.MAXIMUM, band(0), band(1)); // never closer than 0.2: no kink inside the FD stencil
        binary(t, Prim.MINIMUM, band(0), band(1));
        // a / b in (2.13, 2.92): floor(a / b) = 2 inside the stencil, so d/db = -2 is checked, and d/da = 1
        binary(t, Prim.REMAINDER, uniform(3.2, 3.8), uniform(1.3, 1.5));
        binary(t, Prim.REMAINDER, uniform(-3.8, -3.2), uniform(1.3, 1.5)); // a // b = -3: d/db = 3
        // a / b in (2.13, 2.92) or (-2.92, -2.13): trunc(a / b) = ±2 inside the stencil, so d/db = ∓2, and d/da = 1
        binary(t, Prim.FMOD, uniform(3.2, 3.8), uniform(1.3, 1.5));
        binary(t, Prim.FMOD, uniform(-3.8, -3.2), uniform(1.3, 1.5));
        binary(t, Prim.FMOD, uniform(3.2, 3.8), uniform(-1.5, -1.3));
        binary(t, Prim.ATAN2, signed(0.2, 2), any); // y never near 0, so never across the jump on the negative x axis
        for (int[][] s : BROADCAST_PAIRS) {
            add(t, Prim.FLOOR_DIVIDE, "floor division", List.of(op(s[0], uniform(3.2, 3.8)), op(s[1], signed(1.3, 1.5))), null,
                    Kind.PIECEWISE_CONSTANT);
        }
        add(t, Prim.MAXIMUM, "exact ties: FD = g/2 each", List.of(op(new int[] {2, 3}, fixed(0.7)), op(new int[] {3}, fixed(0.7))),
                null, Kind.DIFFERENTIABLE);
        add(t, Prim.MINIMUM, "exact ties: FD = g/2 each", List.of(op(new int[] {2, 3}, fixed(-0.3)), op(new int[] {}, fixed(-0.3))),
                null, Kind.DIFFERENTIABLE);
        for (Prim p : List.of(Prim.LT, Prim.LE, Prim.GT, Prim.GE, Prim.EQ, Prim.NE)) {
            for (int[][] s : BROADCAST_PAIRS) {
                add(t, p, "comparison", List.of(op(s[0], band(0)), op(s[1], band(1))), null, Kind.PIECEWISE_CONSTANT);
            }
        }

        Domain cond = choice(0, 1, 0, -2.5, 1); // NOTE: any non-zero picks the first branch
        add(t, Prim.WHERE, "same shapes", List.of(condition(new int[] {2, 3}, cond), op(new int[] {2, 3}, any), op(new int[] {2, 3}, any)),
                null, Kind.DIFFERENTIABLE);
        add(t, Prim.WHERE, "broadcast branches", List.of(condition(new int[] {2, 3}, cond), op(new int[] {3}, any), op(new int[] {}, any)),
                null, Kind.DIFFERENTIABLE);
        add(t, Prim.WHERE, "broadcast condition", List.of(condition(new int[] {2, 1}, cond), op(new int[] {1, 3}, any), op(new int[] {2, 3}, any)),
                null, Kind.DIFFERENTIABLE);
        add(t, Prim.WHERE, "scalar condition", List.of(condition(new int[] {}, choice(1)), op(new int[] {3}, any), op(new int[] {2, 3}, any)),
                null, Kind.DIFFERENTIABLE);

        reductions(t, Prim.SUM, any);
        reductions(t, Prim.MAX, distinct());
        add(t, Prim.MAX, "a tie of two: FD = g/2 each", List.of(op(new int[] {2, 3}, tiedPair())), reduce(true, 1), Kind.DIFFERENTIABLE);
        reductions(t, Prim.PROD, signed(0.5, 1.5));
        add(t, Prim.PROD, "with zeros (prod is multilinear: exact)", List.of(op(new int[] {2, 3}, withZeros(signed(0.5, 1.5)))),
                reduce(false, 1), Kind.DIFFERENTIABLE);
        add(t, Prim.PROD, "two zeros in a group", List.of(op(new int[] {4}, choice(0, 0, 1.5, -0.7))), reduce(false, 0),
                Kind.DIFFERENTIABLE);
        add(t, Prim.PROD_OTHERS, "vector", List.of(op(new int[] {4}, signed(0.5, 1.5))), reduce(false, 0), Kind.DIFFERENTIABLE);
        add(t, Prim.PROD_OTHERS, "rows", List.of(op(new int[] {2, 3}, signed(0.5, 1.5))), reduce(false, 1), Kind.DIFFERENTIABLE);
        add(t, Prim.PROD_OTHERS, "outer axes", List.of(op(new int[] {2, 3, 2}, signed(0.5, 1.5))), reduce(false, 0, 2),
                Kind.DIFFERENTIABLE);
        add(t, Prim.CUMSUM, "along a vector", List.of(op(new int[] {5}, any)), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMSUM, "along rows", List.of(op(new int[] {2, 3}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMSUM, "a middle axis", List.of(op(new int[] {2, 3, 2}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMSUM, "an axis of one", List.of(op(new int[] {3, 1}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMPROD, "along a vector", List.of(op(new int[] {5}, signed(0.5, 1.5))), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMPROD, "columns", List.of(op(new int[] {3, 2}, signed(0.5, 1.5))), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMPROD, "a middle axis", List.of(op(new int[] {2, 3, 2}, signed(0.5, 1.5))), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        // NOTE: cumprod is multilinear in each element, so the central FD is exact at zeros too
        add(t, Prim.CUMPROD, "with zeros", List.of(op(new int[] {2, 5}, withZeros(signed(0.5, 1.5)))), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.CUMPROD, "two zeros in a line", List.of(op(new int[] {6}, choice(0, 0, 1.5, -0.7, 1.2))), new Attrs.Axis(0),
                Kind.DIFFERENTIABLE);
        add(t, Prim.CUMPROD, "an axis of one", List.of(op(new int[] {3, 1}, withZeros(any))), new Attrs.Axis(1), Kind.DIFFERENTIABLE);

        shaped(t, Prim.RESHAPE, new int[] {2, 3}, new Attrs.ShapeAttr(new int[] {3, 2}));
        shaped(t, Prim.RESHAPE, new int[] {6}, new Attrs.ShapeAttr(new int[] {1, 2, 3}));
        shaped(t, Prim.RESHAPE, new int[] {}, new Attrs.ShapeAttr(new int[] {1, 1}));
        shaped(t, Prim.TRANSPOSE, new int[] {2, 3}, new Attrs.Perm(new int[] {1, 0}));
        shaped(t, Prim.TRANSPOSE, new int[] {2, 3, 2}, new Attrs.Perm(new int[] {2, 0, 1}));
        shaped(t, Prim.EXPAND, new int[] {3}, new Attrs.ShapeAttr(new int[] {2, 3}));
        shaped(t, Prim.EXPAND, new int[] {2, 1}, new Attrs.ShapeAttr(new int[] {2, 2, 3}));
        shaped(t, Prim.EXPAND, new int[] {}, new Attrs.ShapeAttr(new int[] {4}));
        shaped(t, Prim.SLICE, new int[] {5}, new Attrs.Slice(new int[] {1}, new int[] {5}, new int[] {2}));
        shaped(t, Prim.SLICE, new int[] {3, 4}, new Attrs.Slice(new int[] {1, 0}, new int[] {3, 4}, new int[] {1, 3}));
        shaped(t, Prim.SLICE, new int[] {3, 4}, new Attrs.Slice(new int[] {2, 1}, new int[] {3, 2}, new int[] {1, 1}));
        shaped(t, Prim.PAD, new int[] {2}, new Attrs.Pad(new int[] {5}, new int[] {1}, new int[] {2}));
        shaped(t, Prim.PAD, new int[] {2, 2}, new Attrs.Pad(new int[] {3, 4}, new int[] {1, 0}, new int[] {1, 3}));
        add(t, Prim.TAKE, "a row, index known at run time", List.of(op(new int[] {3, 2}, any), condition(new int[] {}, choice(1))),
                new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.TAKE, "a middle axis", List.of(op(new int[] {2, 3, 2}, any), condition(new int[] {}, choice(2))), new Attrs.Axis(1),
                Kind.DIFFERENTIABLE);
        add(t, Prim.PUT, "a row into zeros", List.of(op(new int[] {2}, any), condition(new int[] {}, choice(0))),
                new Attrs.Put(new int[] {3, 2}, 0), Kind.DIFFERENTIABLE);
        add(t, Prim.PUT, "a middle axis", List.of(op(new int[] {2, 2}, any), condition(new int[] {}, choice(1))),
                new Attrs.Put(new int[] {2, 3, 2}, 1), Kind.DIFFERENTIABLE);
        add(t, Prim.DYNAMIC_SLICE, "two rows from a run-time start", List.of(op(new int[] {4, 2}, any), condition(new int[] {}, choice(2))),
                new Attrs.Window(0, 2, 1), Kind.DIFFERENTIABLE);
        add(t, Prim.DYNAMIC_SLICE, "every second of a middle axis", List.of(op(new int[] {2, 6, 2}, any), condition(new int[] {}, choice(1))),
                new Attrs.Window(1, 3, 2), Kind.DIFFERENTIABLE);
        add(t, Prim.DYNAMIC_PAD, "two rows into zeros", List.of(op(new int[] {2, 2}, any), condition(new int[] {}, choice(1))),
                new Attrs.WindowPad(new int[] {4, 2}, 0, 1), Kind.DIFFERENTIABLE);
        add(t, Prim.DYNAMIC_PAD, "every third of a last axis", List.of(op(new int[] {2, 2}, any), condition(new int[] {}, choice(0))),
                new Attrs.WindowPad(new int[] {2, 5}, 1, 3), Kind.DIFFERENTIABLE);
        add(t, Prim.CAT, "axis 0", List.of(op(new int[] {2, 3}, any), op(new int[] {1, 3}, any)), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.CAT, "axis 1, three operands", List.of(op(new int[] {2, 1}, any), op(new int[] {2, 2}, any), op(new int[] {2, 3}, any)),
                new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        shaped(t, Prim.FLIP, new int[] {5}, new Attrs.Axes(new int[] {0}));
        shaped(t, Prim.FLIP, new int[] {2, 3, 2}, new Attrs.Axes(new int[] {2, 0}));
        shaped(t, Prim.FLIP, new int[] {2, 3}, new Attrs.Axes(new int[] {}));
        add(t, Prim.CAT, "one operand", List.of(op(new int[] {4}, any)), new Attrs.Axis(0), Kind.DIFFERENTIABLE);

        convolutions(t, any);
        pooling(t, any);

        matmul(t, new int[] {2, 3}, new int[] {3, 4});
        matmul(t, new int[] {1, 3}, new int[] {3, 1});
        matmul(t, new int[] {2, 2, 3}, new int[] {3, 2}); // b's batch is broadcast: its contribution is summed
        matmul(t, new int[] {1, 2, 3}, new int[] {2, 3, 2}); // a's size-1 batch axis is stretched
        matmul(t, new int[] {2, 2, 3}, new int[] {2, 3, 2});
        // operands read transposed (Attrs.Matmul), as the simplifier and the VJP rule make them
        matmul(t, new int[] {3, 2}, new int[] {3, 4}, true, false);
        matmul(t, new int[] {2, 3}, new int[] {4, 3}, false, true);
        matmul(t, new int[] {3, 2}, new int[] {4, 3}, true, true);
        matmul(t, new int[] {2, 3, 2}, new int[] {4, 3}, true, true); // b's batch broadcast
        matmul(t, new int[] {1, 3, 2}, new int[] {2, 2, 3}, true, true); // a's size-1 batch axis stretched
        factorisations(t);

        // dtypes and indices: conversions, bitwise operations, argmax and argsort are piecewise constant (away
        // from whole numbers for the conversions and bitwise ones); gather and scatter_add are linear in their
        // float operands, their index operand passes nothing
        add(t, Prim.CAST, "to int64 (truncates)", List.of(op(new int[] {2, 3}, uniform(0.2, 0.8))), tx.runtime.tensor.DType.INT64, Kind.PIECEWISE_CONSTANT);
        add(t, Prim.CAST, "to bool", List.of(op(new int[] {3}, signed(0.2, 2))), tx.runtime.tensor.DType.BOOL, Kind.PIECEWISE_CONSTANT);
        for (Prim p : List.of(Prim.BITWISE_AND, Prim.BITWISE_OR, Prim.BITWISE_XOR)) {
            add(t, p, "whole parts", List.of(op(new int[] {2, 3}, uniform(2.2, 5.8)), op(new int[] {3}, uniform(0.2, 3.8))), null, Kind.PIECEWISE_CONSTANT);
        }
        add(t, Prim.ARGMAX, "rows", List.of(op(new int[] {2, 3}, distinct())), new Attrs.Axis(1), Kind.PIECEWISE_CONSTANT);
        add(t, Prim.ARGMAX, "a middle axis", List.of(op(new int[] {2, 3, 2}, distinct())), new Attrs.Axis(1), Kind.PIECEWISE_CONSTANT);
        add(t, Prim.ARGSORT, "ascending", List.of(op(new int[] {5}, distinct())), new Attrs.AxisOrder(0, false), Kind.PIECEWISE_CONSTANT);
        add(t, Prim.ARGSORT, "descending columns", List.of(op(new int[] {3, 2}, distinct())), new Attrs.AxisOrder(0, true), Kind.PIECEWISE_CONSTANT);
        Domain rows = choice(0, 1, 2, 2);
        add(t, Prim.GATHER, "rows, repeated indices", List.of(op(new int[] {3, 2}, any), condition(new int[] {4, 2}, rows)), new Attrs.Axis(0),
                Kind.DIFFERENTIABLE);
        add(t, Prim.GATHER, "along the last axis, a smaller index", List.of(op(new int[] {2, 3}, any), condition(new int[] {1, 2}, rows)),
                new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.SCATTER_ADD, "rows, repeated indices", List.of(op(new int[] {3, 2}, any), condition(new int[] {4, 2}, rows),
                op(new int[] {4, 2}, any)), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.SCATTER_ADD, "a middle axis", List.of(op(new int[] {2, 3, 2}, any), condition(new int[] {2, 2, 1}, rows),
                op(new int[] {2, 2, 1}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        // scatter writes; each line's indices are distinct here, since PyTorch's rule (every element gets its
        // position's gradient, an overwritten one too) is the derivative only where no write is lost
        add(t, Prim.SCATTER, "rows", List.of(op(new int[] {3, 2}, any), condition(new int[] {2, 2}, sequence(2, 0, 0, 1)),
                op(new int[] {2, 2}, any)), new Attrs.Axis(0), Kind.DIFFERENTIABLE);
        add(t, Prim.SCATTER, "a middle axis", List.of(op(new int[] {2, 3, 2}, any), condition(new int[] {2, 2, 1}, sequence(1, 2, 0, 2)),
                op(new int[] {2, 2, 1}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        add(t, Prim.SCATTER, "the last axis, as max_unpool", List.of(op(new int[] {2, 4}, any), condition(new int[] {2, 3}, sequence(3, 0, 1, 2, 1, 0)),
                op(new int[] {2, 3}, any)), new Attrs.Axis(1), Kind.DIFFERENTIABLE);
        // a generator's state passes no gradient (its draws are constants of the program)
        Domain state = (rng, n) -> tx.runtime.kernels.Random.seeded(rng.nextInt(1000)).data();
        Attrs.Draw draw = new Attrs.Draw(Attrs.Draw.Kind.NORMAL, new int[] {2, 3}, 0, 1);
        add(t, Prim.GEN_SEED, "manual_seed", List.of(), 7L, Kind.SOURCE);
        add(t, Prim.GEN_DRAW, "randn", List.of(condition(new int[] {tx.runtime.kernels.Random.WORDS}, state)), draw, Kind.BLOCKED);
        add(t, Prim.GEN_NEXT, "after randn", List.of(condition(new int[] {tx.runtime.kernels.Random.WORDS}, state)), draw, Kind.BLOCKED);

        add(t, Prim.CONST, "constant", List.of(), new Attrs.Const(Tensor.of(new int[] {2}, new double[] {1.5, -2})), Kind.SOURCE);
        add(t, Prim.FILL, "fill", List.of(), new Attrs.Fill(new int[] {2, 3}, 0.25), Kind.SOURCE);
        add(t, Prim.RANDOM, "uniform", List.of(), new Attrs.Random(new int[] {3}, 7, false), Kind.SOURCE);
        add(t, Prim.RANDOM, "normal", List.of(), new Attrs.Random(new int[] {2, 2}, 7, true), Kind.SOURCE);
        add(t, Prim.LOAD, "a .npy file", List.of(), new Attrs.Load("w.npy", npyFile(), new int[] {2, 2}, tx.runtime.tensor.DType.FLOAT64), Kind.SOURCE);
        return t;
    }

    /** A small .npy file for LOAD's entry, written once per run and deleted at exit. */
    static String npyFile() {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("tx-prim-load", ".npy");
            f.toFile().deleteOnExit();
            tx.runtime.io.Npy.write(f, Tensor.of(new int[] {2, 2}, new double[] {1, -2, 3.5, 0}));
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void unary(Map<Prim, List<Config>> t, Prim p, Domain d) {
        for (int[] s : new int[][] {{}, {4}, {2, 3}}) add(t, p, "elementwise", List.of(op(s, d)), null, Kind.DIFFERENTIABLE);
    }

    static void blocked(Map<Prim, List<Config>> t, Prim p, Kind kind, Domain d) {
        for (int[] s : new int[][] {{}, {2, 3}}) add(t, p, "no gradient", List.of(op(s, d)), null, kind);
    }

    static void binary(Map<Prim, List<Config>> t, Prim p, Domain a, Domain b) {
        for (int[][] s : BROADCAST_PAIRS) add(t, p, "broadcasting", List.of(op(s[0], a), op(s[1], b)), null, Kind.DIFFERENTIABLE);
    }

    static void reductions(Map<Prim, List<Config>> t, Prim p, Domain d) {
        add(t, p, "all of a vector", List.of(op(new int[] {4}, d)), reduce(false, 0), Kind.DIFFERENTIABLE);
        add(t, p, "all of a matrix", List.of(op(new int[] {2, 3}, d)), reduce(false, 0, 1), Kind.DIFFERENTIABLE);
        add(t, p, "rows", List.of(op(new int[] {2, 3}, d)), reduce(false, 1), Kind.DIFFERENTIABLE);
        add(t, p, "columns, keepdim", List.of(op(new int[] {2, 3}, d)), reduce(true, 0), Kind.DIFFERENTIABLE);
        add(t, p, "outer axes, keepdim", List.of(op(new int[] {2, 3, 2}, d)), reduce(true, 0, 2), Kind.DIFFERENTIABLE);
        add(t, p, "no axes", List.of(op(new int[] {3}, d)), reduce(false), Kind.DIFFERENTIABLE);
    }

    static void shaped(Map<Prim, List<Config>> t, Prim p, int[] in, Object attr) {
        add(t, p, "shape", List.of(op(in, uniform(-2, 2))), attr, Kind.DIFFERENTIABLE);
    }

    static Attrs.Conv conv(int[] stride, int[] pad, int[] dil, int groups, int[] size) {
        return new Attrs.Conv(stride, pad, dil, groups, size);
    }

    static int[] ints(int... v) {
        return v;
    }

    /** The convolution and its two gradients: strides, padding, dilation, groups, 1-D, an output that leaves input rows unread. */
    static void convolutions(Map<Prim, List<Config>> t, Domain any) {
        Attrs.Conv plain = conv(ints(1, 1), ints(0, 0), ints(1, 1), 1, null);
        Attrs.Conv strided = conv(ints(2, 1), ints(1, 2), ints(2, 1), 1, null);
        Attrs.Conv grouped = conv(ints(1, 2), ints(1, 0), ints(1, 1), 2, null);
        Attrs.Conv oneD = conv(ints(1, 2), ints(0, 1), ints(1, 2), 1, null);
        add(t, Prim.CONV, "with a bias", List.of(op(ints(2, 2, 5, 4), any), op(ints(3, 2, 3, 2), any), op(ints(3), any)), plain, Kind.DIFFERENTIABLE);
        add(t, Prim.CONV, "stride, padding, dilation", List.of(op(ints(1, 2, 6, 7), any), op(ints(2, 2, 2, 3), any)), strided, Kind.DIFFERENTIABLE);
        add(t, Prim.CONV, "two groups", List.of(op(ints(2, 4, 4, 4), any), op(ints(6, 2, 2, 2), any)), grouped, Kind.DIFFERENTIABLE);
        add(t, Prim.CONV, "1-D", List.of(op(ints(2, 3, 7), any), op(ints(4, 3, 3), any), op(ints(4), any)), oneD, Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_INPUT, "plain", List.of(op(ints(2, 3, 4, 3), any), op(ints(3, 2, 2, 2), any)), plain.sized(ints(5, 4)), Kind.DIFFERENTIABLE);
        Attrs.Conv rest = conv(ints(2, 2), ints(1, 1), ints(1, 1), 1, ints(6, 5)); // the last input row is read by no window
        add(t, Prim.CONV_INPUT, "an unread row", List.of(op(ints(1, 2, 3, 3), any), op(ints(2, 2, 3, 2), any)), rest, Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_INPUT, "two groups", List.of(op(ints(1, 4, 3, 3), any), op(ints(4, 1, 2, 2), any)),
                conv(ints(1, 1), ints(0, 0), ints(1, 1), 2, ints(4, 4)), Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_INPUT, "1-D", List.of(op(ints(2, 4, 3), any), op(ints(4, 3, 3), any)), oneD.sized(ints(1, 7)), Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_WEIGHT, "plain", List.of(op(ints(2, 2, 5, 4), any), op(ints(2, 3, 4, 3), any)), plain.sized(ints(2, 2)), Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_WEIGHT, "stride, padding, dilation", List.of(op(ints(1, 2, 7, 6), any), op(ints(1, 3, 4, 4), any)),
                conv(ints(2, 1), ints(1, 1), ints(2, 2), 1, ints(2, 3)), Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_WEIGHT, "two groups", List.of(op(ints(2, 4, 4, 4), any), op(ints(2, 6, 5, 2), any)), grouped.sized(ints(2, 2)), Kind.DIFFERENTIABLE);
        add(t, Prim.CONV_WEIGHT, "1-D", List.of(op(ints(2, 3, 7), any), op(ints(2, 4, 3), any)), oneD.sized(ints(1, 3)), Kind.DIFFERENTIABLE);
    }

    /** Max pooling and its adjoint: x (distinct values, so one winner per window) picks, the other operand is differentiated. */
    static void pooling(Map<Prim, List<Config>> t, Domain any) {
        Attrs.Pool halves = new Attrs.Pool(ints(2, 2), ints(2, 2), ints(0, 0), ints(1, 1), false);
        Attrs.Pool overlapping = new Attrs.Pool(ints(3, 3), ints(1, 2), ints(1, 1), ints(1, 1), true);
        Attrs.Pool oneD = new Attrs.Pool(ints(1, 3), ints(1, 2), ints(0, 1), ints(1, 2), false);
        add(t, Prim.MAX_POOL, "2x2 windows", List.of(condition(ints(2, 2, 5, 5), distinct()), op(ints(2, 2, 5, 5), any)), halves, Kind.DIFFERENTIABLE);
        add(t, Prim.MAX_POOL, "overlapping, padded, ceil_mode", List.of(condition(ints(1, 2, 5, 6), distinct()), op(ints(1, 2, 5, 6), any)),
                overlapping, Kind.DIFFERENTIABLE);
        add(t, Prim.MAX_POOL, "1-D, dilated", List.of(condition(ints(2, 3, 7), distinct()), op(ints(2, 3, 7), any)), oneD, Kind.DIFFERENTIABLE);
        add(t, Prim.MAX_UNPOOL, "2x2 windows", List.of(condition(ints(2, 2, 5, 5), distinct()), op(ints(2, 2, 2, 2), any)), halves, Kind.DIFFERENTIABLE);
        add(t, Prim.MAX_UNPOOL, "overlapping, padded, ceil_mode", List.of(condition(ints(1, 2, 5, 6), distinct()), op(ints(1, 2, 5, 4), any)),
                overlapping, Kind.DIFFERENTIABLE);
        add(t, Prim.MAX_UNPOOL, "1-D, dilated", List.of(condition(ints(2, 3, 7), distinct()), op(ints(2, 3, 3), any)), oneD, Kind.DIFFERENTIABLE);
    }

    /** det, inverse and solve of well-conditioned matrices, one and batched (solve's batches broadcast); cholesky of SPD ones. */
    static void factorisations(Map<Prim, List<Config>> t) {
        for (int[] shape : new int[][] {ints(3, 3), ints(2, 2, 2), ints(1, 1)}) {
            add(t, Prim.DET, "det", List.of(op(shape, wellConditioned(shape[shape.length - 1]))), null, Kind.DIFFERENTIABLE);
            add(t, Prim.INVERSE, "inverse", List.of(op(shape, wellConditioned(shape[shape.length - 1]))), null, Kind.DIFFERENTIABLE);
            add(t, Prim.CHOLESKY, "cholesky", List.of(new Operand(shape, spd(shape[shape.length - 1]), false, Role.SYMMETRIC)), null, Kind.DIFFERENTIABLE);
            add(t, Prim.LOGABSDET, "logabsdet", List.of(op(shape, wellConditioned(shape[shape.length - 1]))), null, Kind.DIFFERENTIABLE);
            add(t, Prim.LOGABSDET, "logabsdet, det < 0 for odd n", List.of(op(shape, negated(wellConditioned(shape[shape.length - 1])))), null, Kind.DIFFERENTIABLE);
            add(t, Prim.SIGNDET, "sign of det", List.of(op(shape, negated(wellConditioned(shape[shape.length - 1])))), null, Kind.PIECEWISE_CONSTANT);
        }
        for (int[] shape : new int[][] {ints(4, 3), ints(2, 3, 3), ints(3, 1)}) { // QR of tall and square matrices, kept far from rank-deficient
            int m = shape[shape.length - 2], n = shape[shape.length - 1];
            add(t, Prim.QR_Q, "qr Q", List.of(op(shape, tall(m, n))), null, Kind.DIFFERENTIABLE);
            add(t, Prim.QR_R, "qr R", List.of(op(shape, tall(m, n))), null, Kind.DIFFERENTIABLE);
        }
        for (int[] shape : new int[][] {ints(3, 3), ints(2, 4, 4), ints(1, 1)}) { // eigh of symmetric matrices with separated eigenvalues
            for (int part = 0; part < 2; part++) {
                Operand a = new Operand(shape, SpectralDomains.separatedSymmetric(shape[shape.length - 1]), false, Role.SYMMETRIC);
                add(t, Prim.EIGH, "eigh part " + part, List.of(a), new Attrs.Part(part, part == 0 ? "eigenvalues" : "eigenvectors"), Kind.DIFFERENTIABLE);
            }
        }
        for (int[] shape : new int[][] {ints(4, 3), ints(3, 5), ints(2, 3, 3), ints(1, 2)}) { // tall, wide, square: separated singular values
            int m = shape[shape.length - 2], n = shape[shape.length - 1];
            for (int part = 0; part < 4; part++) { // U, S, Vh and the pseudo-inverse
                String name = new String[] {"U", "S", "Vh", "pinv"}[part];
                add(t, Prim.SVD, "svd part " + part, List.of(op(shape, SpectralDomains.separatedSingular(m, n))), new Attrs.Part(part, name), Kind.DIFFERENTIABLE);
            }
        }
        int[][][] solves = {{{3, 3}, {3, 2}}, {{2, 3, 3}, {3, 1}}, {{3, 3}, {2, 3, 2}}, {{1, 2, 2}, {3, 2, 3}}};
        for (int[][] s : solves) {
            add(t, Prim.SOLVE, "solve", List.of(op(s[0], wellConditioned(s[0][s[0].length - 1])), op(s[1], uniform(-2, 2))), null, Kind.DIFFERENTIABLE);
        }
        for (int[][] s : solves) { // upper and lower, with and without a unit diagonal: the other triangle's gradient is 0, as its differences
            for (int k = 0; k < 4; k++) {
                add(t, Prim.TRI_SOLVE, "solve_triangular " + new Attrs.Triangle(k < 2, k % 2 == 1), List.of(op(s[0], wellConditioned(s[0][s[0].length - 1])),
                        op(s[1], uniform(-2, 2))), new Attrs.Triangle(k < 2, k % 2 == 1), Kind.DIFFERENTIABLE);
            }
        }
    }

    static void matmul(Map<Prim, List<Config>> t, int[] a, int[] b) {
        matmul(t, a, b, false, false);
    }

    static void matmul(Map<Prim, List<Config>> t, int[] a, int[] b, boolean transA, boolean transB) {
        add(t, Prim.MATMUL, "matmul" + (transA ? " a transposed" : "") + (transB ? " b transposed" : ""),
                List.of(op(a, uniform(-2, 2)), op(b, uniform(-2, 2))), Attrs.Matmul.of(transA, transB), Kind.DIFFERENTIABLE);
    }

    static void add(Map<Prim, List<Config>> t, Prim p, String label, List<Operand> ops, Object attr, Kind kind) {
        t.computeIfAbsent(p, k -> new ArrayList<>()).add(new Config(label, ops, attr, kind));
    }

    static Operand op(int[] shape, Domain d) {
        return new Operand(shape, d, false, Role.CHECKED);
    }

    static Operand condition(int[] shape, Domain d) {
        return new Operand(shape, d, false, Role.NO_GRADIENT);
    }

    /** An operand built with {@link Builder#constant}, as the lowering builds literals (POW's rule looks at it). */
    static Operand constant(int[] shape, Domain d) {
        return new Operand(shape, d, true, Role.UNCHECKED);
    }

    static Attrs.Reduce reduce(boolean keepdim, int... axes) {
        return new Attrs.Reduce(axes, keepdim);
    }

    // ---- domains -----------------------------------------------------------------------------------

    static Domain uniform(double lo, double hi) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
            return d;
        };
    }

    /** |x| uniform in [lo, hi], either sign. */
    static Domain signed(double lo, double hi) {
        return (rng, n) -> {
            double[] d = uniform(lo, hi).sample(rng, n);
            for (int i = 0; i < n; i++) if (rng.nextBoolean()) d[i] = -d[i];
            return d;
        };
    }

    /** Replaces about a third of the values (at least one) by exact zeros. */
    static Domain withZeros(Domain base) {
        return (rng, n) -> {
            double[] d = base.sample(rng, n);
            for (int i = 0; i < n; i++) if (rng.nextInt(3) == 0) d[i] = 0;
            if (n > 0) d[rng.nextInt(n)] = 0;
            return d;
        };
    }

    /** Batches of n x n matrices with entries in [-1, 1] and n + 1 added on the diagonal: far from singular. */
    static Domain wellConditioned(int n) {
        return (rng, count) -> {
            double[] d = uniform(-1, 1).sample(rng, count);
            for (int k = 0; k < count; k += n * n) for (int i = 0; i < n; i++) d[k + i * n + i] += n + 1;
            return d;
        };
    }

    /** Batches of m x n matrices (m >= n) with entries in [-1, 1] and n + 1 added on the diagonal: full column rank, far from rank-deficient. */
    static Domain tall(int m, int n) {
        return (rng, count) -> {
            double[] d = uniform(-1, 1).sample(rng, count);
            for (int k = 0; k < count; k += m * n) for (int i = 0; i < n; i++) d[k + i * n + i] += n + 1;
            return d;
        };
    }

    /** The samples of d negated (a diagonally dominant matrix with a negative diagonal: det of sign (-1)^n). */
    static Domain negated(Domain d) {
        return (rng, count) -> {
            double[] x = d.sample(rng, count);
            for (int i = 0; i < x.length; i++) x[i] = -x[i];
            return x;
        };
    }

    /** Batches of symmetric positive-definite n x n matrices, M Mᵀ + I for M with entries in [-1, 1]. */
    static Domain spd(int n) {
        return (rng, count) -> {
            double[] m = uniform(-1, 1).sample(rng, count), d = new double[count];
            for (int k = 0; k < count; k += n * n) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double v = i == j ? 1 : 0;
                        for (int q = 0; q < n; q++) v += m[k + i * n + q] * m[k + j * n + q];
                        d[k + i * n + j] = v;
                    }
                }
            }
            return d;
        };
    }

    static Domain fixed(double v) {
        return (rng, n) -> {
            double[] d = new double[n];
            Arrays.fill(d, v);
            return d;
        };
    }

    /** These values, in this order (an index with no repeats along its lines). */
    static Domain sequence(double... vs) {
        return (rng, n) -> Arrays.copyOf(vs, n);
    }

    static Domain choice(double... vs) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = vs[rng.nextInt(vs.length)];
            return d;
        };
    }

    /**
     * Values in the bands [2k + parity + 0.1, 2k + parity + 0.9] for k in {-1, 0, 1}: two operands of
     * different parity are never closer than 0.2, yet either may be the larger.
     */
    static Domain band(int parity) {
        return (rng, n) -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = 2 * (rng.nextInt(3) - 1) + parity + 0.1 + 0.8 * rng.nextDouble();
            return d;
        };
    }

    /** A shuffled grid with jitter: all values at least 0.4 apart, so a max has one winner. */
    static Domain distinct() {
        return (rng, n) -> {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) order.add(i);
            java.util.Collections.shuffle(order, rng);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = (order.get(i) - n / 2.0) * 0.7 + 0.3 * rng.nextDouble();
            return d;
        };
    }

    /** Distinct values, except that the first two of each row of 3 are equal and the largest. */
    static Domain tiedPair() {
        return (rng, n) -> {
            double[] d = distinct().sample(rng, n);
            for (int i = 0; i + 2 < n; i += 3) {
                d[i] = d[i + 1] = 10 + rng.nextDouble();
            }
            return d;
        };
    }

    // ---- the tests --------------------------------------------------------------------------------

    @Test
    void everyPrimitiveHasAnEntry() {
        Set<Prim> missing = EnumSet.allOf(Prim.class);
        missing.removeAll(TABLE.keySet());
        missing.remove(Prim.NONZERO); // its length is a size known only at run time, which this table's harness cannot sample: RunTimeSizeTest
        assertTrue(missing.isEmpty(), "primitives with no gradient-check entry: " + missing);
        for (Map.Entry<Prim, List<Config>> e : TABLE.entrySet()) assertTrue(!e.getValue().isEmpty(), "empty entry for " + e.getKey());
    }

    @TestFactory
    Stream<DynamicTest> everyPrimitiveMatchesFiniteDifferences() {
        return Arrays.stream(Prim.values()).filter(TABLE::containsKey)
                .map(p -> DynamicTest.dynamicTest(p.name(), () -> {
                    for (int c = 0; c < TABLE.get(p).size(); c++) {
                        for (int trial = 0; trial < TRIALS; trial++) {
                            check(p, TABLE.get(p).get(c), new Random(1_000_003L * p.ordinal() + 1009L * c + trial));
                        }
                    }
                }));
    }

    /** LANGUAGE §5: where's contribution to the branch it did not take is exactly 0, even for a nan or inf cotangent. */
    @Test
    void whereGivesTheUntakenBranchExactlyZero() {
        Builder b = new Builder();
        int[] shape = {2, 3};
        Tensor cond = Tensor.of(shape, new double[] {1, 0, 0, 1, -2, 0});
        Tensor gv = Tensor.of(shape, new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NaN,
            Double.NEGATIVE_INFINITY, 2.5, Double.NaN});
        Var c = b.newVar(shape, "c"), x = b.newVar(shape, "x"), y = b.newVar(new int[] {3}, "y"), g = b.newVar(shape, "g");
        Var out = b.where(c, x, y);
        List<Var> vjp = Prim.WHERE.vjp(b, (Eqn) b.top().get(b.top().size() - 1), g);
        assertNull(vjp.get(0), "the condition gets no gradient");
        Map<Var, Tensor> env = new HashMap<>(Map.of(c, cond, x, Tensor.zeros(shape), y, Tensor.zeros(3), g, gv));
        run(b, env);
        assertNotNull(env.get(out));
        double[] dx = env.get(vjp.get(1)).data(), dy = env.get(vjp.get(2)).data();
        for (int i = 0; i < 6; i++) {
            boolean taken = cond.data()[i] != 0;
            double untaken = taken ? dy[i] : dx[i];
            assertEquals(0.0, untaken, 0.0, "untaken branch at " + i); // +0.0 or -0.0, never nan
            double taken0 = taken ? dx[i] : dy[i];
            assertEquals(Double.doubleToLongBits(gv.data()[i]), Double.doubleToLongBits(taken0), "taken branch gets g at " + i);
        }
    }

    // ---- one check ---------------------------------------------------------------------------------

    static void check(Prim p, Config cfg, Random rng) {
        String where = p + " " + cfg;
        Builder b = new Builder();
        Map<Var, Tensor> env = new HashMap<>();
        List<Tensor> inputs = new ArrayList<>();
        Var[] vars = new Var[cfg.operands().size()];
        for (int i = 0; i < vars.length; i++) {
            Operand o = cfg.operands().get(i);
            Tensor v = Tensor.of(o.shape(), o.domain().sample(rng, Shapes.numel(o.shape())));
            inputs.add(v);
            if (o.constant()) {
                vars[i] = b.constant(v);
            } else {
                vars[i] = b.newVar(o.shape(), "x" + i);
                env.put(vars[i], v);
            }
        }
        Var out = b.emit(p, cfg.attr(), vars);
        Eqn eqn = (Eqn) b.top().get(b.top().size() - 1);
        assertEquals(out, eqn.out());
        Tensor y = p.eval(inputs, cfg.attr());
        assertArrayEquals(out.shapeRef(), y.shapeRef(), where + ": the shape rule disagrees with the kernel");

        Tensor gv = Tensor.of(out.shapeRef(), uniform(-1, 1).sample(rng, Shapes.numel(out.shapeRef())));
        Var g = b.newVar(out.shapeRef(), "g");
        env.put(g, gv);
        List<Var> contributions = p.vjp(b, eqn, g);
        assertEquals(cfg.kind() == Kind.SOURCE ? 0 : vars.length, contributions.size(), where + ": one contribution per operand");
        if (cfg.kind() != Kind.DIFFERENTIABLE) {
            for (int i = 0; i < contributions.size(); i++) assertNull(contributions.get(i), where + ": operand " + i + " must get a structural zero");
            if (cfg.kind() == Kind.PIECEWISE_CONSTANT) {
                for (int i = 0; i < vars.length; i++) {
                    for (int j = 0; j < inputs.get(i).size(); j++) {
                        assertEquals(0.0, finiteDifference(p, cfg.attr(), inputs, gv, i, j), 0.0, where + ": not locally constant");
                    }
                }
            }
            return;
        }
        Var[] grads = new Var[vars.length];
        for (int i = 0; i < vars.length; i++) {
            Var c = contributions.get(i);
            if (c == null) continue;
            grads[i] = b.unbroadcast(c, vars[i].shapeRef());
            assertArrayEquals(vars[i].shapeRef(), grads[i].shapeRef(), where + ": contribution " + i + " has the wrong shape");
        }
        run(b, env);
        for (int i = 0; i < vars.length; i++) {
            Role role = cfg.operands().get(i).role();
            if (role == Role.NO_GRADIENT) assertNull(grads[i], where + ": operand " + i + " must get a structural zero");
            if (role != Role.CHECKED && role != Role.SYMMETRIC) continue;
            assertNotNull(grads[i], where + ": operand " + i + " is differentiable but got a structural zero");
            double[] ad = env.get(grads[i]).data();
            if (role == Role.SYMMETRIC) ad = symmetricSums(ad, vars[i].shapeRef());
            for (int j = 0; j < ad.length; j++) {
                if (Double.isNaN(ad[j]) && role == Role.SYMMETRIC) continue; // the upper triangle: taken with the lower one
                double fd = role == Role.SYMMETRIC ? symmetricDifference(p, cfg.attr(), inputs, gv, i, j)
                        : finiteDifference(p, cfg.attr(), inputs, gv, i, j);
                double err = Math.abs(ad[j] - fd), tol = RTOL * Math.abs(fd) + ATOL;
                if (!(err <= tol)) {
                    fail(String.format("%s: d<g, f>/d x%d[%d] = %s by the VJP, %s by central differences (error %.3g > %.3g)%n"
                            + "  inputs %s%n  g %s", where, i, j, ad[j], fd, err, tol, inputs, gv));
                }
            }
        }
    }

    /** (<g, f(x + h e_j)> - <g, f(x - h e_j)>) / 2h for operand i, summed output by output. */
    static double finiteDifference(Prim p, Object attr, List<Tensor> inputs, Tensor g, int i, int j) {
        double x = inputs.get(i).data()[j], h = H * Math.max(1, Math.abs(x));
        double up = x + h, down = x - h;
        double[] fu = p.eval(replaced(inputs, i, j, up), attr).data(), fd = p.eval(replaced(inputs, i, j, down), attr).data();
        double s = 0;
        for (int k = 0; k < fu.length; k++) s += g.data()[k] * (fu[k] - fd[k]);
        return s / (up - down);
    }

    /** ad_ij + ad_ji below the diagonal, ad_ii on it, nan above (each pair is checked once, from below). */
    static double[] symmetricSums(double[] ad, int[] shape) {
        int n = shape[shape.length - 1];
        double[] out = new double[ad.length];
        for (int k = 0; k < ad.length; k += n * n) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) out[k + r * n + c] = c > r ? Double.NaN : c == r ? ad[k + r * n + c] : ad[k + r * n + c] + ad[k + c * n + r];
            }
        }
        return out;
    }

    /** The central difference along e_j + e_jᵀ (e_j on the diagonal), j below it: both elements moved by the same h. */
    static double symmetricDifference(Prim p, Object attr, List<Tensor> inputs, Tensor g, int i, int j) {
        int n = inputs.get(i).shapeRef()[inputs.get(i).rank() - 1], k = j / (n * n) * (n * n), r = (j - k) / n, c = (j - k) % n;
        int jt = k + c * n + r;
        double x = inputs.get(i).data()[j], h = H * Math.max(1, Math.abs(x));
        double up = x + h, down = x - h;
        List<Tensor> u = replaced(replaced(inputs, i, j, up), i, jt, inputs.get(i).data()[jt] + (up - x));
        List<Tensor> d = replaced(replaced(inputs, i, j, down), i, jt, inputs.get(i).data()[jt] + (down - x));
        double[] fu = p.eval(u, attr).data(), fd = p.eval(d, attr).data();
        double s = 0;
        for (int q = 0; q < fu.length; q++) s += g.data()[q] * (fu[q] - fd[q]);
        return s / (up - down);
    }

    static List<Tensor> replaced(List<Tensor> inputs, int i, int j, double v) {
        List<Tensor> out = new ArrayList<>(inputs);
        double[] d = inputs.get(i).data().clone();
        d[j] = v;
        out.set(i, Tensor.of(inputs.get(i).shapeRef(), d));
        return out;
    }

    /** The tiny evaluator: the builder's straight-line equations, in order, by each primitive's kernel. */
    static void run(Builder b, Map<Var, Tensor> env) {
        for (Stmt s : b.top()) {
            if (!(s instanceof Eqn e)) {
                fail("a VJP rule built a non-equation statement: " + s);
                return;
            }
            List<Tensor> in = new ArrayList<>();
            for (Var v : e.in()) {
                Tensor t = env.get(v);
                assertNotNull(t, "use of " + v + " before its definition");
                in.add(t);
            }
            Tensor r = e.prim().eval(in, e.attr());
            assertArrayEquals(e.out().shapeRef(), r.shapeRef(), e.prim() + ": the shape rule disagrees with the kernel in the VJP IR");
            env.put(e.out(), r);
        }
    }
}
