package tx.runtime.ir;

import static tx.runtime.ir.Prim.CAT;
import static tx.runtime.ir.Prim.CUMSUM;
import static tx.runtime.ir.Prim.FLIP;
import static tx.runtime.ir.Prim.SQRT;

import java.util.Arrays;
import java.util.List;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * What the primitives' rules share ({@link Prim} imports it statically): the scalar functions of
 * the elementwise primitives that are not in java.lang.Math (PyTorch's sign, trunc, remainder,
 * floor division and sigmoid), the shape rules' checks, and the steps several VJP rules build.
 */
public final class PrimSupport {
    private PrimSupport() {}

    static Var in(Eqn e, int i) {
        return e.in().get(i);
    }

    static List<Var> nothing(Eqn e) {
        return Arrays.asList(new Var[e.in().size()]);
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + StrictMath.exp(-x));
        double e = StrictMath.exp(x);
        return e / (1 + e);
    }

    /** PyTorch's sign: (0 < x) - (x < 0), so 0 at nan (abs passes no gradient there) and +0 at -0.0 (not Math.signum's -0.0). */
    static double signum(double x) {
        return x > 0 ? 1 : x < 0 ? -1 : 0;
    }

    /**
     * x ** y as PyTorch computes a tensor to a number's power: the exponents its pow kernels give a
     * cheaper form (2, 3 and -2 by products; 0.5, -0.5 and -1 by sqrt, rsqrt and reciprocal), which
     * differ from pow in the last bit (x ** 3) and at -0.0 (-0.0 ** 0.5 is -0.0); Math.pow otherwise.
     * NOTE: an exponent that is a tensor takes PyTorch's other kernel, plain pow; here the same
     * function serves both, so a tensor of 3s is cubed by products too (a last-bit difference at most).
     */
    static double pow(double x, double y) {
        if (y == 2) return x * x;
        if (y == 3) return x * x * x;
        if (y == 0.5) return Math.sqrt(x);
        if (y == -0.5) return 1 / Math.sqrt(x);
        if (y == -1) return 1 / x;
        if (y == -2) return 1 / (x * x);
        return Math.pow(x, y);
    }

    /** PyTorch's maximum: nan if either is, else the larger, and the second where they are equal (+0.0 and -0.0), as its vector kernel. */
    static double maximum(double x, double y) {
        return x != x ? x : x > y ? x : y;
    }

    /** PyTorch's minimum: as {@link #maximum}, the smaller. */
    static double minimum(double x, double y) {
        return x != x ? x : x < y ? x : y;
    }

    /**
     * x // y as Python's float floor division and PyTorch's div_floor compute it: from the exact
     * remainder, q = (x - fmod(x, y)) / y, one less where the remainder's sign differs from y's, then
     * rounded to the nearest whole number below (up where it is more than 0.5 below): not floor(x / y),
     * whose quotient may round up to a whole number (1.0 / 0.1 is 10, 1.0 // 0.1 is 9). A zero result
     * takes the sign of x / y; division by zero is x / y.
     */
    public static double floorDivide(double x, double y) {
        if (y == 0) return x / y;
        double m = x % y, d = (x - m) / y;
        if (m != 0 && (y < 0) != (m < 0)) d -= 1;
        if (d == 0) return Math.copySign(0.0, x / y);
        double f = Math.floor(d);
        return d - f > 0.5 ? f + 1 : f;
    }

    /** x rounded toward zero: floor from 0 up (so -0.0 stays -0.0), ceil below. */
    static double trunc(double x) {
        return x < 0 ? Math.ceil(x) : Math.floor(x);
    }

    /** 1 / sqrt(1 - x²), the derivative of asin, in PyTorch's order of operations. */
    static Var inverseSqrtOneMinusSquare(Builder b, Var x) {
        return b.div(b.scalar(1), b.emit(SQRT, null, b.sub(b.scalar(1), b.mul(x, x))));
    }

    /** x mod y with the sign of y, from Java's truncated remainder (exact, unlike x - y floor(x / y)). */
    public static double remainder(double x, double y) {
        double r = x % y;
        return r != 0 && (y < 0) != (r < 0) ? r + y : r;
    }

    static void fail(String message) {
        throw new IllegalArgumentException(message);
    }

    /** A shape for a message, with " transposed" when an operand is read so. */
    static String shown(int[] shape, boolean transposed) {
        return Shapes.show(shape) + (transposed ? " transposed" : "");
    }

    static int[] broadcastOrFail(int[] a, int[] b) {
        int[] s = Shapes.broadcast(a, b);
        if (s == null) fail("shapes " + Shapes.show(a) + " and " + Shapes.show(b) + " do not broadcast");
        return s;
    }

    static int[] reducedShape(int[] x, Object attr) {
        Attrs.Reduce r = (Attrs.Reduce) attr;
        for (int i = 0; i < r.axes().length; i++) {
            if (r.axes()[i] < 0 || r.axes()[i] >= x.length || (i > 0 && r.axes()[i] <= r.axes()[i - 1])) {
                fail("bad reduction axes " + Arrays.toString(r.axes()) + " for " + Shapes.show(x));
            }
        }
        return Shapes.reduced(x, r.axes(), r.keepdim());
    }

    /** The shape rule of a running sum or product: the input's, along an axis it has. */
    static int[] scanned(int[] x, Object attr) {
        int a = ((Attrs.Axis) attr).axis();
        if (a < 0 || a >= x.length) fail("running sum or product along axis " + a + " of " + Shapes.show(x));
        return x.clone();
    }

    /** The running sum from the end of each line along an axis: flip(cumsum(flip(v))), PyTorch's reversed_cumsum. */
    static Var reversedCumsum(Builder b, Var v, int axis) {
        Attrs.Axes flip = new Attrs.Axes(new int[] {axis});
        return b.emit(FLIP, flip, b.emit(CUMSUM, new Attrs.Axis(axis), b.emit(FLIP, flip, v)));
    }

    /** v moved one place along an axis, the first place 1 and the last element dropped: y_{k-1} of a running product. */
    static Var shiftedRight(Builder b, Var v, int axis) {
        if (Shapes.isSymbol(v.shapeRef()[axis])) return shiftedRightAtRunTime(b, v, axis);
        int[] s = v.shape(), start = new int[s.length], stop = v.shape(), step = new int[s.length];
        Arrays.fill(step, 1);
        stop[axis] = s[axis] - 1;
        int[] oneShape = v.shape();
        oneShape[axis] = 1;
        return b.emit(CAT, new Attrs.Axis(axis), b.fill(oneShape, 1.0), b.slice(v, start, stop, step));
    }

    /**
     * {@link #shiftedRight} along an axis whose length is known only at run time (a selection's),
     * where no slice of a fixed length can drop the last element: v gathered at position k - 1 for
     * k = 1, 2, ... (the positions a running sum of ones), and 1 at k = 0.
     */
    private static Var shiftedRightAtRunTime(Builder b, Var v, int axis) {
        Var k = b.emit(CUMSUM, new Attrs.Axis(axis), b.fill(v.shapeRef(), 1.0)); // k + 1
        Var before = b.sub(k, b.scalar(2)), zero = b.scalar(0);
        Var at = b.emit(Prim.CAST, tx.runtime.tensor.DType.INT64, b.where(b.lt(before, zero), zero, before));
        return b.where(b.eq(k, b.scalar(1)), b.scalar(1), b.emit(Prim.GATHER, new Attrs.Axis(axis), v, at));
    }

    /** Brings a reduction's output-shaped value back to the input's shape (keepdim, then expand). */
    static Var spread(Builder b, Eqn e, Var v) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        int[] x = in(e, 0).shapeRef();
        return b.expand(b.reshape(v, Shapes.reduced(x, r.axes(), true)), x);
    }

    /** max/min: the chosen operand gets g, and ties give each operand g / 2. */
    /**
     * The gradient of a two-operand max or min, as PyTorch's
     * {@code where(a == b, g / 2, g).masked_fill_(loses, 0)}: each operand gets g, half of it at a tie,
     * and exactly 0 where it loses (selected, not multiplied, so a nan or inf in g does not leak
     * into the loser). No comparison holds at nan, so both operands get g there.
     */
    static List<Var> tieSplit(Builder b, Eqn e, Var g, Var firstLoses, Var secondLoses) {
        Var shared = b.where(b.eq(in(e, 0), in(e, 1)), b.mul(g, b.scalar(0.5)), g);
        Var zero = b.scalar(0);
        return List.of(b.where(firstLoses, zero, shared), b.where(secondLoses, zero, shared));
    }

    /**
     * The default JVP rule ({@link Prim#jvp}): the tangent of the output, from one tangent per operand (null
     * for a structural zero), or null if the output's tangent is a structural zero. Forward mode
     * builds the tangent program from these rules (see {@code tx.compiler.ad.Forward}).
     *
     * <p>The rule here serves three kinds of primitive. An elementwise one has a diagonal Jacobian
     * per operand (after broadcasting), equal to its own transpose, so its JVP is its VJP applied to
     * the operand's tangent, broadcast: {@code J_i t_i = J_iᵀ t_i}, summed over the operands (the
     * VJP's special cases, where's branches and the guards of pow, come with it). A primitive that
     * is linear in its operands (sum, reshape, transpose, expand, slice, pad, cat) maps tangents as
     * it maps values, with zeros for structural zeros (sum, reshape, transpose, expand, slice, pad,
     * cat, cumsum, flip). One whose VJP is {@link #nothing} is locally constant, or stops gradients,
     * and passes no tangent. The others override it (matmul, max, prod, prod_others, cumprod, take,
     * put); a primitive that has none fails PrimJvpTest.
     */
    /**
     * The shape an attribute gives, after checking that the equation has one size operand, from
     * index {@code from} on, per symbol of it (see {@link Builder#sizes}).
     */
    static int[] sized(List<int[]> in, int from, int[] shape) {
        int want = from + Shapes.symbols(shape).length;
        if (in.size() != want) fail("takes " + want + " operands (" + (want - from) + " of them sizes known only at run time) for " + Shapes.show(shape) + ", got " + in.size());
        for (int k = from; k < in.size(); k++) if (in.get(k).length != 0) fail("a size operand must be a scalar, not " + Shapes.show(in.get(k)));
        return shape;
    }

    /** An attribute's shape with each symbol replaced by the size its operand holds now (operands {@code from} on). */
    static int[] resolved(int[] shape, List<Tensor> in, int from) {
        if (in.size() == from) return shape;
        long[] sizes = new long[in.size() - from];
        for (int k = 0; k < sizes.length; k++) sizes[k] = (long) in.get(from + k).item();
        return Shapes.resolve(shape, sizes);
    }

    /** The operands of a primitive that are sizes known only at run time (see {@link Builder#sizes}): from this index on; -1 if it takes none. */
    public static int sizesFrom(Prim p) {
        return switch (p) {
            case RESHAPE, EXPAND, NONZERO -> 1;
            case DYNAMIC_SLICE, PUT, DYNAMIC_PAD -> 2;
            case FILL -> 0;
            default -> -1;
        };
    }

    static Var jvp(Prim p, Builder b, Eqn e, List<Var> t) {
        if (t.stream().allMatch(java.util.Objects::isNull)) return null;
        if (p.elementwise() || p == Prim.WHERE) {
            Var sum = null;
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i) == null) continue;
                Var ti = Arrays.equals(t.get(i).shapeRef(), e.out().shapeRef()) ? t.get(i) : b.expand(t.get(i), e.out().shapeRef());
                Var c = p.vjp(b, e, ti).get(i);
                if (c != null) sum = sum == null ? c : b.add(sum, c);
            }
            return sum;
        }
        if (LINEAR.contains(p)) {
            Var[] in = new Var[t.size()];
            int sizes = sizesFrom(p);
            for (int i = 0; i < in.length; i++) {
                if (sizes >= 0 && i >= sizes) in[i] = e.in().get(i); // a size operand is the same for the tangent
                else in[i] = t.get(i) != null ? t.get(i) : b.fill(e.in().get(i).shapeRef(), 0.0);
            }
            return b.emit(p, e.attr(), in);
        }
        if (p.vjp(b, e, b.fill(e.out().shapeRef(), 0.0)).stream().allMatch(java.util.Objects::isNull)) return null; // locally constant or stop_grad
        throw new IllegalStateException(p + " has no forward-mode rule");
    }

    /** The primitives linear in all their operands, whose JVP is the primitive applied to the tangents. */
    private static final java.util.Set<Prim> LINEAR = java.util.EnumSet.of(Prim.SUM, Prim.RESHAPE, Prim.TRANSPOSE, Prim.EXPAND, Prim.SLICE,
            Prim.PAD, Prim.CAT, Prim.CUMSUM, Prim.FLIP);

    /** The primitives whose kernels have a loop of their own ({@link Prim#fastOp}), by name. */
    static java.util.Map<Prim, tx.runtime.kernels.Elementwise.Op> fastOps() {
        java.util.Map<Prim, tx.runtime.kernels.Elementwise.Op> m = new java.util.EnumMap<>(Prim.class);
        for (tx.runtime.kernels.Elementwise.Op op : tx.runtime.kernels.Elementwise.Op.values()) m.put(Prim.valueOf(op.name()), op);
        return m;
    }

    /** LOAD's kernel: the .npy file read now, its shape checked against the one read at compile time; an error names the file. */
    static Tensor load(Attrs.Load f) {
        try {
            return tx.runtime.io.Npy.read(java.nio.file.Path.of(f.file()), f.shape());
        } catch (tx.runtime.io.Npy.NpyException x) {
            throw new tx.runtime.io.Npy.NpyException(x.problem(), "cannot load `" + tx.runtime.io.ControlChars.escape(f.path()) + "`: " + x.getMessage(), x.help());
        }
    }
}
