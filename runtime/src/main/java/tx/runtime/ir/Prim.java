package tx.runtime.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import tx.runtime.io.Npy;
import static tx.runtime.ir.PrimSupport.*;

import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.kernels.Elementwise;
import tx.runtime.kernels.Factorizations;
import tx.runtime.kernels.Indexing;
import tx.runtime.kernels.LinAlg;
import tx.runtime.kernels.Random;
import tx.runtime.kernels.Reductions;
import tx.runtime.kernels.Shaping;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The primitives: the small differentiated core. Each constant defines, in one place, its shape
 * rule ({@link #shape}), its kernel ({@link #eval}) and its vector-Jacobian product ({@link #vjp}),
 * which builds IR through a {@link Builder} and never closes over run-time values.
 *
 * <p>A VJP returns one contribution per input, or null for a structural zero (a non-differentiable
 * input, or one that cannot affect the output). Contributions to broadcast operands are returned
 * in the output's shape; the AD pass undoes broadcasting in one place ({@link Builder#unbroadcast}).
 * Everything else in tx (sigmoid, softmax, cross_entropy, norm, mean, ...) is a composite of these.
 */
public enum Prim {
    // ---- elementwise, one operand -------------------------------------------------------------
    /** d/dx (-x) = -1 */
    NEG(x -> -x, "v -> -v", "NegBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.neg(g)); }
    },
    /** d/dx exp x = exp x (the output is reused) */
    EXP(Math::exp, "Math::exp", "ExpBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, e.out())); }
    },
    /** d/dx log x = 1 / x */
    LOG(Math::log, "Math::log", "LogBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.div(g, in(e, 0))); }
    },
    /** d/dx sin x = cos x */
    SIN(Math::sin, "Math::sin", "SinBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, b.cos(in(e, 0)))); }
    },
    /** d/dx cos x = -sin x */
    COS(Math::cos, "Math::cos", "CosBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.neg(b.mul(g, b.sin(in(e, 0))))); }
    },
    /** d/dx tan x = 1 + tan² x */
    TAN(Math::tan, "Math::tan", "TanBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(b.mul(g, b.add(b.scalar(1), b.mul(e.out(), e.out()))));
        }
    },
    /** d/dx tanh x = 1 - tanh² x */
    TANH(Math::tanh, "Math::tanh", "TanhBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(b.mul(g, b.sub(b.scalar(1), b.mul(e.out(), e.out()))));
        }
    },
    /**
     * sigmoid x = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, so that the exponential never
     * overflows (fdlibm's exp, as the exp kernels). Its derivative is PyTorch's, from the output:
     * g (1 - y) y, multiplied in that order. NOTE: a primitive rather than a composite of exp and
     * division for this rule: where y rounds to 1 (x above about 36.7) the composite's derivative
     * e^-x / (1 + e^-x)^2 is tiny but not 0, so an infinite g (acos at 1 downstream) gave inf where
     * PyTorch gives inf * 0 = nan.
     */
    SIGMOID(PrimSupport::sigmoid, "v -> v >= 0 ? 1 / (1 + StrictMath.exp(-v)) : StrictMath.exp(v) / (1 + StrictMath.exp(v))", "SigmoidBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(b.mul(b.mul(g, b.sub(b.scalar(1), e.out())), e.out()));
        }
    },
    /** d/dx sqrt x = 1 / (2 sqrt x); NOTE: inf at 0, as in PyTorch. */
    SQRT(Math::sqrt, "Math::sqrt", "SqrtBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.div(g, b.mul(b.scalar(2), e.out()))); }
    },
    /** d/dx |x| = sign x; NOTE: 0 at x = 0, as PyTorch chooses. */
    ABS(Math::abs, "Math::abs", "AbsBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, b.sign(in(e, 0)))); }
    },
    /** sign is piecewise constant: its gradient is zero, so it contributes nothing. */
    SIGN(PrimSupport::signum, "v -> v > 0 ? 1 : v < 0 ? -1 : 0", "SignBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** floor is piecewise constant: its gradient is zero (PyTorch's FloorBackward0 gives zeros). */
    FLOOR(Math::floor, "Math::floor", "FloorBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** ceil is piecewise constant: its gradient is zero (PyTorch's CeilBackward0 gives zeros). */
    CEIL(Math::ceil, "Math::ceil", "CeilBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /**
     * round to the nearest whole number, ties to even (PyTorch's nearbyint: round(2.5) = 2,
     * round(-0.5) = -0.0), which is Math.rint; piecewise constant, so its gradient is zero.
     */
    ROUND(Math::rint, "Math::rint", "RoundBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** trunc rounds toward zero (trunc(-0.5) = -0.0); piecewise constant, so its gradient is zero. */
    TRUNC(PrimSupport::trunc, "v -> v < 0 ? Math.ceil(v) : Math.floor(v)", "TruncBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /**
     * d/dx asin x = 1 / sqrt(1 - x²), as PyTorch's {@code grad * (1 - x²).rsqrt()}: inf at ±1, nan
     * outside [-1, 1] (where asin itself is nan). NOTE: StrictMath's (fdlibm's) asin, the same bits on
     * every JVM; PyTorch's (SLEEF's) may differ from it in the last bit.
     */
    ASIN(StrictMath::asin, "StrictMath::asin", "AsinBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, inverseSqrtOneMinusSquare(b, in(e, 0)))); }
    },
    /** d/dx acos x = -1 / sqrt(1 - x²) (PyTorch's {@code grad * -(1 - x²).rsqrt()}); as {@link #ASIN} at ±1 and outside. */
    ACOS(StrictMath::acos, "StrictMath::acos", "AcosBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, b.neg(inverseSqrtOneMinusSquare(b, in(e, 0))))); }
    },
    /** d/dx atan x = 1 / (1 + x²): 0 at ±inf (PyTorch's {@code grad / (x² + 1)}). */
    ATAN(StrictMath::atan, "StrictMath::atan", "AtanBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            Var x = in(e, 0);
            return List.of(b.div(g, b.add(b.mul(x, x), b.scalar(1))));
        }
    },
    /** d/dx log(1 + x) = 1 / (1 + x) */
    LOG1P(Math::log1p, "Math::log1p", "Log1PBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.div(g, b.add(b.scalar(1), in(e, 0)))); }
    },
    /** d/dx (exp x - 1) = exp x = out + 1 */
    EXPM1(Math::expm1, "Math::expm1", "Expm1Backward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.mul(g, b.add(e.out(), b.scalar(1)))); }
    },
    /** The identity whose gradient is zero: detach, item, and the stabilising shifts of composites. */
    STOP_GRAD(x -> x, null, null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return in.get(0); }
    },

    // ---- elementwise, two operands, NumPy broadcasting ---------------------------------------
    /** d(a + b) = da + db */
    ADD((x, y) -> x + y, "(x, y) -> x + y", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(g, g); }
    },
    /** d(a - b) = da - db */
    SUB((x, y) -> x - y, "(x, y) -> x - y", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(g, b.neg(g)); }
    },
    /** d(a b) = b da + a db */
    MUL((x, y) -> x * y, "(x, y) -> x * y", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(b.mul(g, in(e, 1)), b.mul(g, in(e, 0)));
        }
    },
    /** d(a / b) = da / b - (a / b) db / b */
    DIV((x, y) -> x / y, "(x, y) -> x / y", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(b.div(g, in(e, 1)), b.neg(b.div(b.mul(g, e.out()), in(e, 1))));
        }
    },
    /** d(a^b) = b a^(b-1) da + a^b log(a) db, with PyTorch's zeros ({@link PrimSupport#powVjp}). */
    POW(PrimSupport::pow, "(x, y) -> y == 2 ? x * x : y == 3 ? x * x * x : y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : y == -1 ? 1 / x : y == -2 ? 1 / (x * x) : Math.pow(x, y)", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return PrimSupport.powVjp(b, e, g); }
    },
    /**
     * d max(a, b): the larger operand gets the gradient. NOTE: as PyTorch, ties split it evenly, and
     * where either is nan (the result is nan) neither loses, so both get all of it.
     */
    MAXIMUM(PrimSupport::maximum, "(x, y) -> x != x ? x : x > y ? x : y", "MaximumBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return tieSplit(b, e, g, b.lt(in(e, 0), in(e, 1)), b.gt(in(e, 0), in(e, 1)));
        }
    },
    /** d min(a, b): the smaller operand gets the gradient; ties and nan as {@link #MAXIMUM}. */
    MINIMUM(PrimSupport::minimum, "(x, y) -> x != x ? x : x < y ? x : y", "MinimumBackward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return tieSplit(b, e, g, b.gt(in(e, 0), in(e, 1)), b.lt(in(e, 0), in(e, 1)));
        }
    },
    /**
     * Python's and PyTorch's remainder, with the sign of the divisor: a - b floor(a / b), computed
     * exactly from the truncated remainder. d/da = 1, d/db = -(a // b) (PyTorch's rule, with its
     * floor division: {@link #FLOOR_DIVIDE}).
     */
    REMAINDER(PrimSupport::remainder, "(x, y) -> { double r = x % y; return r != 0 && (y < 0) != (r < 0) ? r + y : r; }", "RemainderBackward1") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(g, b.neg(b.mul(g, b.emit(FLOOR_DIVIDE, null, in(e, 0), in(e, 1)))));
        }
    },
    /**
     * a // b, Python's and PyTorch's floor division ({@link #floorDivide}: 1.0 // 0.1 is 9, inf // 2
     * is nan), which `//` and remainder's derivative use; piecewise constant, so no gradient.
     */
    FLOOR_DIVIDE(PrimSupport::floorDivide, "(x, y) -> { if (y == 0) return x / y; double m = x % y, d = (x - m) / y; "
            + "if (m != 0 && (y < 0) != (m < 0)) d -= 1; if (d == 0) return Math.copySign(0.0, x / y); "
            + "double f = Math.floor(d); return d - f > 0.5 ? f + 1 : f; }", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /**
     * C's fmod, with the sign of the dividend: a - b trunc(a / b), exactly (Java's % on doubles).
     * d/da = 1, d/db = -trunc(a / b), PyTorch's rule ({@code -grad * a.div(b, rounding_mode="trunc")}).
     * The grad_fn is that of PyTorch's Tensor overload; a number as divisor gives FmodBackward0.
     */
    FMOD((x, y) -> x % y, "(x, y) -> x % y", "FmodBackward1") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            return List.of(g, b.neg(b.mul(g, b.emit(TRUNC, null, b.div(in(e, 0), in(e, 1))))));
        }
    },
    /**
     * atan2(y, x), the angle of the point (x, y), in (-π, π]; the signs of zeros pick the quadrant
     * (atan2(0, -0) = π). d/dy = x / (x² + y²), d/dx = -y / (x² + y²), computed as PyTorch does,
     * {@code r = 1 / (y² + x²)}, then {@code g·x·r} and {@code g·(-y)·r}: nan at (0, 0). NOTE:
     * StrictMath's atan2, as {@link #ASIN}.
     */
    ATAN2(StrictMath::atan2, "StrictMath::atan2", "Atan2Backward0") {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            Var y = in(e, 0), x = in(e, 1);
            Var r = b.div(b.scalar(1), b.add(b.mul(y, y), b.mul(x, x)));
            return List.of(b.mul(b.mul(g, x), r), b.mul(b.mul(g, b.neg(y)), r));
        }
    },
    /** Comparisons give 0. or 1.: piecewise constant, so no gradient flows through them. */
    LT((x, y) -> x < y ? 1 : 0, "(x, y) -> x < y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    LE((x, y) -> x <= y ? 1 : 0, "(x, y) -> x <= y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    GT((x, y) -> x > y ? 1 : 0, "(x, y) -> x > y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    GE((x, y) -> x >= y ? 1 : 0, "(x, y) -> x >= y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    EQ((x, y) -> x == y ? 1 : 0, "(x, y) -> x == y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    NE((x, y) -> x != y ? 1 : 0, "(x, y) -> x != y ? 1.0 : 0.0", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },

    /**
     * where(c, a, b) picks a where c is non-zero. The gradient goes to the branch taken; the AD pass
     * also masks everything derived from the branch not taken, so that it is exactly 0 (LANGUAGE §5).
     */
    WHERE(3) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            return broadcastOrFail(broadcastOrFail(in.get(0), in.get(1)), in.get(2));
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Elementwise.where(in.get(0), in.get(1), in.get(2)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            Var c = in(e, 0);
            return Arrays.asList(null, b.where(c, g, b.scalar(0)), b.where(c, b.scalar(0), g));
        }
        @Override public boolean elementwise() { return true; }
    },

    // ---- reductions ---------------------------------------------------------------------------
    /** d sum(x) / dx = 1, so the gradient is g broadcast back over the reduced axes. */
    SUM(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return reducedShape(in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            Attrs.Reduce r = (Attrs.Reduce) attr;
            return Reductions.sum(in.get(0), r.axes(), r.keepdim());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(spread(b, e, g)); }
    },
    /**
     * The gradient of a max goes to the maximal elements. NOTE: ties share it evenly, and when the
     * max is nan it goes to the nan elements, as torch.max(x) (evenly_distribute_backward).
     */
    MAX(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return reducedShape(in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            Attrs.Reduce r = (Attrs.Reduce) attr;
            return Reductions.max(in.get(0), r.axes(), r.keepdim());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ReductionRules.maxVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ReductionRules.maxJvp(b, e, t); }
    },
    /**
     * A one-hot mask of the first maximum along one axis: the element torch.max(x, dim) picks, and
     * so the one its gradient goes to. Piecewise constant, so it passes no gradient itself.
     */
    FIRST_MAX(1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int a = ((Attrs.Axis) attr).axis();
            if (a < 0 || a >= in.get(0).length || in.get(0)[a] == 0) fail("first_max along axis " + a + " of " + Shapes.show(in.get(0)));
            return in.get(0).clone();
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Reductions.firstMaxMask(in.get(0), ((Attrs.Axis) attr).axis()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** d prod(x) / dx_i = product of the other elements (exact with zeros, unlike prod / x_i). */
    PROD(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return reducedShape(in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            Attrs.Reduce r = (Attrs.Reduce) attr;
            return Reductions.prod(in.get(0), r.axes(), r.keepdim());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ReductionRules.prodVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ReductionRules.prodJvp(b, e, t); }
    },
    /**
     * y_i = product of the other elements of x_i's group. dy_i/dx_j = y_i / x_j for j != i.
     * NOTE: this second-order rule divides by x, so it is not exact where x = 0.
     */
    PROD_OTHERS(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return in.get(0).clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            return Reductions.prodOthers(in.get(0), ((Attrs.Reduce) attr).axes());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ReductionRules.prodOthersVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ReductionRules.prodOthersJvp(b, e, t); }
    },

    /**
     * Running sums along one axis, y_j = x_0 + ... + x_j, added in that order (PyTorch's). Since
     * dy_j/dx_k = 1 for j >= k, the gradient is the running sum of g from the end of the line,
     * flip(cumsum(flip(g))), as PyTorch's cumsum_backward computes it (g itself along an axis of one).
     */
    CUMSUM(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return scanned(in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Reductions.scan(in.get(0), ((Attrs.Axis) attr).axis(), false); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            int axis = ((Attrs.Axis) e.attr()).axis();
            return List.of(in(e, 0).shapeRef()[axis] == 1 || in(e, 0).shapeRef()[axis] == 0 ? g : reversedCumsum(b, g, axis));
        }
    },
    /**
     * Running products along one axis, y_j = x_0 ... x_j, multiplied in that order. The derivative
     * rules are PyTorch's cumprod_backward, exact where x has zeros ({@link ReductionRules}).
     */
    CUMPROD(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return scanned(in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Reductions.scan(in.get(0), ((Attrs.Axis) attr).axis(), true); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ReductionRules.cumprodVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ReductionRules.cumprodJvp(b, e, t); }
    },

    // ---- shape -----------------------------------------------------------------------------------
    /** Reshape: the gradient is reshaped back. */
    RESHAPE(1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int[] s = sized(in, 1, ((Attrs.ShapeAttr) attr).shape());
            if (!Shapes.sameSize(s, in.get(0)) && !Shapes.renamesSizes(in.get(0), s)) fail("cannot reshape " + Shapes.show(in.get(0)) + " to " + Shapes.show(s));
            return s.clone();
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return in.get(0).reshape(resolved(((Attrs.ShapeAttr) attr).shape(), in, 1)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.reshape(g, in(e, 0).shapeRef())); }
    },
    /** Permute axes: the gradient is permuted back by the inverse permutation. */
    TRANSPOSE(1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int[] p = ((Attrs.Perm) attr).perm(), s = in.get(0);
            if (p.length != s.length) fail("permutation " + Arrays.toString(p) + " of a rank-" + s.length + " tensor");
            int[] out = new int[p.length];
            for (int i = 0; i < p.length; i++) out[i] = s[p[i]];
            return out;
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Shaping.transpose(in.get(0), ((Attrs.Perm) attr).perm()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            int[] p = ((Attrs.Perm) e.attr()).perm(), inv = new int[p.length];
            for (int i = 0; i < p.length; i++) inv[p[i]] = i;
            return List.of(b.transpose(g, inv));
        }
    },
    /** Broadcast to a shape: the adjoint sums over the broadcast axes (the one central unbroadcast). */
    EXPAND(1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int[] s = sized(in, 1, ((Attrs.ShapeAttr) attr).shape());
            if (!Shapes.broadcastsTo(in.get(0), s)) fail("cannot expand " + Shapes.show(in.get(0)) + " to " + Shapes.show(s));
            return s.clone();
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Shaping.expand(in.get(0), resolved(((Attrs.ShapeAttr) attr).shape(), in, 1)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.unbroadcast(g, in(e, 0).shapeRef())); }
    },
    /** A strided box of the input: the gradient is padded back into place with zeros. */
    SLICE(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SliceRules.slice(in.get(0), (Attrs.Slice) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return SliceRules.evalSlice(in.get(0), (Attrs.Slice) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(SliceRules.sliceVjp(b, e, g)); }
    },
    /** Zeros with the input placed at a strided box: the adjoint of SLICE, whose adjoint it is in turn. */
    PAD(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ((Attrs.Pad) attr).shape().clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return SliceRules.evalPad(in.get(0), (Attrs.Pad) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(SliceRules.padVjp(b, e, g)); }
    },
    /**
     * x[i] along an axis, where i is a value known only at run time (a loop's index): the
     * gradient is g put back at position i of zeros. The index passes no gradient.
     */
    TAKE(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SliceRules.take(in, ((Attrs.Axis) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Shaping.take(in.get(0), ((Attrs.Axis) attr).axis(), in.get(1).item()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return Arrays.asList(SliceRules.takeVjp(b, e, g), null); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SliceRules.sameOnTangent(b, e, t); }
    },
    /** Zeros of a shape with g at run-time position i along an axis: the adjoint of TAKE, whose adjoint it is in turn. */
    PUT(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SliceRules.put(in, (Attrs.Put) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return SliceRules.evalPut(in, (Attrs.Put) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return Arrays.asList(SliceRules.putVjp(b, e, g), null); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SliceRules.sameOnTangent(b, e, t); }
    },
    /**
     * A window along an axis from a start known only at run time ({@code x[i:i+k]}, i a loop's
     * counter), of a fixed length (a start that puts part of it outside the axis is E0507 when it
     * runs) or of a length known only at run time (a symbol, its third operand: PyTorch's clipping
     * computed when it runs). The gradient is g padded back at the same start.
     */
    DYNAMIC_SLICE(-1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SliceRules.window(in, (Attrs.Window) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return SliceRules.evalWindow(in, (Attrs.Window) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return Arrays.asList(SliceRules.windowVjp(b, e, g), null); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SliceRules.sameOnTangent(b, e, t); }
    },
    /** Zeros of a shape with the input placed from a run-time start along an axis: the adjoint of DYNAMIC_SLICE, whose adjoint it is in turn. */
    DYNAMIC_PAD(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SliceRules.windowPad(in, (Attrs.WindowPad) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return SliceRules.evalWindowPad(in, (Attrs.WindowPad) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return Arrays.asList(SliceRules.windowPadVjp(b, e, g), null); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SliceRules.sameOnTangent(b, e, t); }
    },
    /** Concatenation along an axis: each input's gradient is its slice of g. */
    CAT(-1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int axis = ((Attrs.Axis) attr).axis();
            int[] out = in.get(0).clone();
            for (int k = 1; k < in.size(); k++) {
                int[] s = in.get(k);
                if (s.length != out.length) fail("cat of tensors of different ranks");
                for (int i = 0; i < s.length; i++) if (i != axis && s[i] != out[i]) fail("cat of mismatched shapes");
                out[axis] += s[axis];
            }
            return out;
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Shaping.cat(in, ((Attrs.Axis) attr).axis()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) {
            int axis = ((Attrs.Axis) e.attr()).axis();
            List<Var> out = new ArrayList<>();
            int offset = 0;
            for (Var x : e.in()) {
                int[] start = new int[x.rank()], stop = x.shape(), step = new int[x.rank()];
                Arrays.fill(step, 1);
                start[axis] = offset;
                stop[axis] = offset + x.shapeRef()[axis];
                offset = stop[axis];
                out.add(b.slice(g, start, stop, step));
            }
            return out;
        }
    },

    /** Reverses the order of the elements along each of several axes: its own adjoint, so the gradient is g flipped back. */
    FLIP(1) {
        @Override public int[] shape(List<int[]> in, Object attr) {
            int[] axes = ((Attrs.Axes) attr).axes(), x = in.get(0);
            boolean[] seen = new boolean[x.length];
            for (int a : axes) {
                if (a < 0 || a >= x.length || seen[a]) fail("flip along axes " + Arrays.toString(axes) + " of " + Shapes.show(x));
                seen[a] = true;
            }
            return x.clone();
        }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Shaping.flip(in.get(0), ((Attrs.Axes) attr).axes()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(b.emit(FLIP, e.attr(), g)); }
    },

    // ---- linear algebra --------------------------------------------------------------------------
    /**
     * {@code op(a) @ op(b)}: (..., n, k) @ (..., k, m), where op swaps the last two axes of an
     * operand whose flag is set ({@link Attrs.Matmul}; the GEMM reads it in place). With
     * {@code d op(a) = g @ op(b)ᵀ} and {@code d op(b) = op(a)ᵀ @ g}, every contribution is itself a
     * product with flags, never a transposed copy (batch axes are unbroadcast by the AD pass):
     * <pre>
     *   d a = g @ op(b)ᵀ   (a as is)     d a = (g @ op(b)ᵀ)ᵀ = op(b) @ gᵀ    (a transposed)
     *   d b = op(a)ᵀ @ g   (b as is)     d b = (op(a)ᵀ @ g)ᵀ = gᵀ @ op(a)    (b transposed)
     * </pre>
     */
    MATMUL(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return MatmulRules.shape(in, Attrs.Matmul.flags(attr)); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            Attrs.Matmul t = Attrs.Matmul.flags(attr);
            return LinAlg.matmul(in.get(0), t.transA(), in.get(1), t.transB());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return MatmulRules.vjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return MatmulRules.jvp(b, e, t); }
    },
    // ---- factorisations of [..., n, n] (kernels: Factorizations; the maths: LinalgRules) ---------
    /** det A by LU with partial pivoting; Ā = d̄ det(A) A⁻ᵀ, 0 at a singular A as in PyTorch. */
    DET(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.det(in); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.det(in.get(0)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.detVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.detJvp(b, e, t); }
    },
    /** The sign of det A (slogdet's sign) from its LU: piecewise constant, so no gradient. */
    SIGNDET(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.det(in); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.slogdet(in.get(0), true); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** log |det A| (slogdet's logabsdet) = Σ log |U_jj| of its LU; Ā = ḡ A⁻ᵀ. */
    LOGABSDET(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.det(in); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.slogdet(in.get(0), false); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.logabsdetVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.logabsdetJvp(b, e, t); }
    },
    /** Q of A's reduced QR (m >= n, Householder as LAPACK's); its adjoint and tangent are QrRules'. */
    QR_Q(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return QrRules.shape(in.get(0), true); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.qr(in.get(0), true); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return QrRules.vjp(b, e, g, null); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return QrRules.jvp(b, e, t, true); }
    },
    /** R of A's reduced QR, upper triangular [..., n, n]. */
    QR_R(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return QrRules.shape(in.get(0), false); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.qr(in.get(0), false); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return QrRules.vjp(b, e, null, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return QrRules.jvp(b, e, t, false); }
    },
    /** eigh of a symmetric [..., n, n] (lower triangle), by Jacobi: eigenvalues ascending, or eigenvectors (Attrs.Part); rules SpectralRules'. */
    EIGH(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SpectralRules.shape(this, in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.eigh(in.get(0), SpectralRules.part(attr) == 1); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return SpectralRules.vjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SpectralRules.jvp(b, e, t); }
    },
    /** U, S, Vh or the pseudo-inverse (Attrs.Part 0 to 3) of the reduced SVD of [..., m, n], by one-sided Jacobi; rules SpectralRules'. */
    SVD(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return SpectralRules.shape(this, in.get(0), attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.svd(in.get(0), SpectralRules.part(attr)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return SpectralRules.vjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return SpectralRules.jvp(b, e, t); }
    },
    /** Y = A⁻¹ by LU (a singular A is a run-time error); Ā = -Yᵀ Ȳ Yᵀ. */
    INVERSE(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.square(in.get(0), this); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.inverse(in.get(0)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.inverseVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.inverseJvp(b, e, t); }
    },
    /** X = A⁻¹ B for B [..., n, k], batches broadcasting; B̄ = A⁻ᵀ X̄, Ā = -B̄ Xᵀ. */
    SOLVE(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.solve(in); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.solve(in.get(0), in.get(1)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.solveVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.solveJvp(b, e, t); }
    },
    /** X = A⁻¹ B for A's upper or lower triangle (Attrs.Triangle; unit: ones on its diagonal), B [..., n, k], batches broadcasting; B̄ = A⁻ᵀ X̄, Ā = -B̄ Xᵀ on that triangle. */
    TRI_SOLVE(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.triSolve(in); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.solveTriangular(in.get(0), in.get(1), (Attrs.Triangle) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.triSolveVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.triSolveJvp(b, e, t); }
    },
    /** The lower L with A = L Lᵀ, from A's lower triangle; Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (PyTorch's cholesky_backward). */
    CHOLESKY(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return LinalgRules.square(in.get(0), this); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Factorizations.cholesky(in.get(0), LinalgRules.spelling(attr, "cholesky")); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return LinalgRules.choleskyVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return LinalgRules.choleskyJvp(b, e, t); }
    },

    // ---- convolution and pooling: the rules are in ConvRules -------------------------------------
    /** conv(x, w[, b]), PyTorch's conv1d/conv2d (im2col and the GEMM): dx = conv_input(g, w), dw = conv_weight(x, g), db = Σ g. */
    CONV(-1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ConvRules.conv(in, (Attrs.Conv) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ConvRules.evalConv(in, (Attrs.Conv) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ConvRules.convVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ConvRules.convJvp(b, e, t); }
    },
    /** conv_input(g, w): the input gradient of CONV, a transposed convolution, bilinear in g and w. */
    CONV_INPUT(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ConvRules.convInput(in, (Attrs.Conv) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ConvRules.evalConvInput(in, (Attrs.Conv) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ConvRules.convInputVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ConvRules.convInputJvp(b, e, t); }
    },
    /** conv_weight(x, g): the weight gradient of CONV, a correlation of x with g, bilinear in both. */
    CONV_WEIGHT(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ConvRules.convWeight(in, (Attrs.Conv) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ConvRules.evalConvWeight(in, (Attrs.Conv) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ConvRules.convWeightVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ConvRules.convWeightJvp(b, e, t); }
    },
    /** max_pool(x, v): v where x is largest in each window (PyTorch's choice: the first, or the last nan); max_pool2d(x) is max_pool(x, x). */
    MAX_POOL(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ConvRules.maxPool(in, (Attrs.Pool) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ConvRules.evalPool(in, (Attrs.Pool) attr, false); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ConvRules.poolVjp(b, e, g, MAX_UNPOOL); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ConvRules.poolJvp(b, e, t); }
    },
    /** max_unpool(x, g): each window's g added where x is largest in it; the adjoint of MAX_POOL in v, and it of this. */
    MAX_UNPOOL(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ConvRules.maxUnpool(in, (Attrs.Pool) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ConvRules.evalPool(in, (Attrs.Pool) attr, true); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return ConvRules.poolVjp(b, e, g, MAX_POOL); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return ConvRules.poolJvp(b, e, t); }
    },
    // ---- dtypes and indices (the rules' bodies: IndexRules) -------------------------------------------
    /** x as another dtype ({@link tx.runtime.tensor.DType#convert}); only float64 to float64 would pass a gradient, and that is no cast. */
    CAST(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return in.get(0).clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Indexing.cast(in.get(0), (tx.runtime.tensor.DType) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** Bitwise and of int64s, logical and of bools; no gradient (nor are they floats). */
    BITWISE_AND(Indexing::and, "(x, y) -> (double) ((long) x & (long) y)", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    BITWISE_OR(Indexing::or, "(x, y) -> (double) ((long) x | (long) y)", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    BITWISE_XOR(Indexing::xor, "(x, y) -> (double) ((long) x ^ (long) y)", null) {
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** The position of the first maximum along an axis, nan counting as the largest (torch.argmax); int64, no gradient. */
    ARGMAX(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.reducedAlong(in.get(0), ((Attrs.Axis) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Indexing.argmax(in.get(0), ((Attrs.Axis) attr).axis()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** The stable sorting permutation of each line along an axis (torch.sort's indices); int64, no gradient. */
    ARGSORT(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.along(in.get(0), ((Attrs.AxisOrder) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) {
            Attrs.AxisOrder o = (Attrs.AxisOrder) attr;
            return Indexing.argsort(in.get(0), o.axis(), o.descending());
        }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** gather(x, axis, idx): out[.., i, ..] = x[.., idx[.., i, ..], ..]; d x = scatter_add of g into zeros at idx. */
    GATHER(2) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.gatherShape(in.get(0), in.get(1), ((Attrs.Axis) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Indexing.gather(in.get(0), ((Attrs.Axis) attr).axis(), in.get(1)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return IndexRules.gatherVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return IndexRules.gatherJvp(b, e, t); }
    },
    /** The row-major positions of a bool mask's trues: a vector whose length, the mask's count, is known only at run time (see IndexRules). */
    NONZERO(-1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.nonzeroShape(in, (Attrs.ShapeAttr) attr); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return IndexRules.nonzero(in, (Attrs.ShapeAttr) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return nothing(e); }
    },
    /** scatter_add(x, axis, idx, src): x with src added at idx; d x = g, d src = gather(g, axis, idx). */
    SCATTER_ADD(3) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.scatterShape(in, ((Attrs.Axis) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Indexing.scatterAdd(in.get(0), ((Attrs.Axis) attr).axis(), in.get(1), in.get(2)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return IndexRules.scatterAddVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return IndexRules.scatterAddJvp(b, e, t); }
    },
    /** scatter(x, axis, idx, src): x with src written at idx, a later element winning (torch.scatter, max_unpool); d x = g unwritten, d src = gather(g, axis, idx). */
    SCATTER(3) {
        @Override public int[] shape(List<int[]> in, Object attr) { return IndexRules.scatterShape(in, ((Attrs.Axis) attr).axis()); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Indexing.scatter(in.get(0), ((Attrs.Axis) attr).axis(), in.get(1), in.get(2)); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return IndexRules.scatterVjp(b, e, g); }
        @Override public Var jvp(Builder b, Eqn e, List<Var> t) { return IndexRules.scatterJvp(b, e, t); }
    },

    // ---- sources -----------------------------------------------------------------------------------
    /** A constant tensor. */
    CONST(0) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ((Attrs.Const) attr).value().shape(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return ((Attrs.Const) attr).value(); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(); }
    },
    /** A tensor of one value (zeros, ones, full). */
    FILL(0) {
        @Override public int[] shape(List<int[]> in, Object attr) { return sized(in, 0, ((Attrs.Fill) attr).shape()).clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Tensor.full(resolved(((Attrs.Fill) attr).shape(), in, 0), ((Attrs.Fill) attr).value()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(); }
    },
    /** tx's own seeded numbers (SplitMix64): the stand-ins of a function's arguments, and tx check's inputs. */
    RANDOM(0) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ((Attrs.Random) attr).shape().clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Random.of((Attrs.Random) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(); }
    },
    /** PyTorch's generator seeded (manual_seed): its state, int64 [628] (StandaloneRandom); the seed is the attr, or an int64 operand. */
    GEN_SEED(-1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return new int[] {Random.WORDS}; }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Random.seeded(in.isEmpty() ? (Long) attr : (long) in.get(0).item()); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return java.util.Collections.nCopies(e.in().size(), null); }
    },
    /** The numbers a draw ({@link Attrs.Draw}: rand, randn, randint, randperm) takes from a generator's state, as PyTorch's. */
    GEN_DRAW(1) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ((Attrs.Draw) attr).shape().clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Random.draw(in.get(0), (Attrs.Draw) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return java.util.Collections.singletonList(null); }
    },
    GEN_NEXT(1) { // the generator's state after that draw
        @Override public int[] shape(List<int[]> in, Object attr) { return new int[] {Random.WORDS}; }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return Random.next(in.get(0), (Attrs.Draw) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return java.util.Collections.singletonList(null); }
    },
    /** A .npy file, read when it runs, its shape checked against the header's at compile time (else an {@link Npy.NpyException} naming it); no gradient. */
    LOAD(0) {
        @Override public int[] shape(List<int[]> in, Object attr) { return ((Attrs.Load) attr).shape().clone(); }
        @Override public Tensor eval(List<Tensor> in, Object attr) { return PrimSupport.load((Attrs.Load) attr); }
        @Override public List<Var> vjp(Builder b, Eqn e, Var g) { return List.of(); }
    };

    private final int arity;
    private final DoubleUnaryOperator unary;
    private final DoubleBinaryOperator binary;
    private final String javaSource, gradFn;

    Prim(int arity) { this(arity, null, null, null, null); }

    /** An elementwise primitive of one operand: its function, the same as Java source, and its grad_fn (see {@link #gradFn}). */
    Prim(DoubleUnaryOperator f, String java, String gradFn) { this(1, f, null, java, gradFn); }

    /** An elementwise primitive of two operands, as above. */
    Prim(DoubleBinaryOperator f, String java, String gradFn) { this(2, null, f, java, gradFn); }

    private Prim(int arity, DoubleUnaryOperator unary, DoubleBinaryOperator binary, String javaSource, String gradFn) {
        this.arity = arity;
        this.unary = unary;
        this.binary = binary;
        this.javaSource = javaSource;
        this.gradFn = gradFn;
    }

    /**
     * The element function as Java source ({@code Math::exp}, {@code (x, y) -> x + y}), which the
     * Java emitter writes into standalone code; null for the primitives that are not elementwise (and
     * stop_grad, which emitted code writes as an alias).
     */
    public String javaFunction() {
        return javaSource;
    }

    /**
     * PyTorch's grad_fn name for the tx built-in that is exactly this primitive, under the name
     * {@link #text()} ({@code exp}: ExpBackward0); the compiler registers those built-ins from here.
     * Null for primitives reached through operators ({@code +}, {@code <}), composites or the AD pass.
     */
    public String gradFn() { return gradFn; }

    /** The function of a unary elementwise primitive at one element (null for the others). */
    public DoubleUnaryOperator unaryFunction() { return unary; }

    /** The function of a binary elementwise primitive at one pair of elements (null for the others). */
    public DoubleBinaryOperator binaryFunction() { return binary; }

    /** The loop of its own that {@link #eval} uses for this primitive, if it has one. */
    public Elementwise.Op fastOp() { return FAST.get(this); }

    /** The number of operands, or -1 for any number (cat). */
    public int arity() { return arity; }

    /** True for elementwise primitives, through which the AD pass carries where's masks. */
    public boolean elementwise() { return unary != null || binary != null; }

    /** The shape rule: the output's shape from the operands' shapes, or an IllegalArgumentException. */
    public int[] shape(List<int[]> in, Object attr) {
        checkArity(in.size());
        return unary != null ? in.get(0).clone() : broadcastOrFail(in.get(0), in.get(1));
    }

    /** The kernel. */
    public Tensor eval(List<Tensor> in, Object attr) {
        Elementwise.Op op = FAST.get(this);
        if (op != null) { // the same function, in a loop of its own (see Elementwise.Op)
            Tensor t = unary != null ? Elementwise.map(in.get(0), op) : Elementwise.zip(in.get(0), in.get(1), op);
            if (t != null) return t;
        }
        return unary != null ? Elementwise.map(in.get(0), unary) : Elementwise.zip(in.get(0), in.get(1), binary);
    }

    /** The primitives whose kernels have a loop of their own, by name. */
    private static final java.util.Map<Prim, Elementwise.Op> FAST = PrimSupport.fastOps();

    /** The vector-Jacobian product: one contribution per operand, null for a structural zero. */
    public abstract List<Var> vjp(Builder b, Eqn e, Var g);

    /**
     * The Jacobian-vector product: the tangent of the output from one tangent per operand (null for a
     * structural zero), or null for a structural zero; {@link PrimSupport#jvp} says which primitives the
     * default serves (elementwise, linear, locally constant); the others override it (PrimJvpTest).
     */
    public Var jvp(Builder b, Eqn e, List<Var> t) {
        return PrimSupport.jvp(this, b, e, t);
    }

    /** The lower-case name used by the IR printer. */
    public String text() { return name().toLowerCase(); }

    void checkArity(int n) {
        if (arity >= 0 && n != arity) fail(text() + " takes " + arity + " operands, got " + n);
    }
}
