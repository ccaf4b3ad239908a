// The function `bce` and its gradient with respect to z, written by `tx grad --emit java` from checks.tx.
// A comment `// line N` names the line of checks.tx that an operation comes from.

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code bce(z: [3], t: [3]) -> []} from checks.tx, and its gradient with respect to z.
 *
 * <p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element.
 * {@link #bce} returns the value, and {@link #bce_grad} the gradients in the order of {@link #WRT},
 * each of its parameter's shape. The arrays returned are new; the arguments are never modified.
 *
 * <p>An argument whose length does not fit its shape is an IllegalArgumentException. So is a failed
 * check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints.
 */
public final class BceGrad {
    /** The parameters, in order. */
    public static final String[] PARAMS = {"z", "t"};
    /** Each parameter's declared shape; see {@link #shape}. */
    public static final String[] SHAPES = {"[3]", "[3]"};
    /** The named dimensions, in the order {@link #shape} takes their sizes. */
    public static final String[] DIMS = {};
    /** The parameters {@link #bce_grad} differentiates with respect to, in the order of its results. */
    public static final String[] WRT = {"z"};

    private BceGrad() {}

    /**
     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the
     * order of {@link #DIMS}.
     */
    public static int[] shape(String param, int... dims) {
        if (dims.length != 0) throw new IllegalArgumentException("shape takes no sizes, not " + dims.length);
        return switch (param) {
            case "z" -> new int[] {3};
            case "t" -> new int[] {3};
            default -> throw new IllegalArgumentException("`bce` has no parameter " + param);
        };
    }

    /** The value of {@code bce(z, t)}, one element. */
    public static double[] bce(double[] z, double[] t) {
        check(z, 3, "z", "[3]");
        check(t, 3, "t", "[3]");

        double[] t1 = new double[] {2.0};                                         // line 45
        double[] t2 = div(z, t1);                                                 // line 45
        double[] t3 = new double[] {0.0};                                         // line 45
        double[] t4 = ge(t2, t3);                                                 // line 45
        double[] t5 = new double[] {1.0};                                         // line 45
        double[] t6 = le(t2, t5);                                                 // line 45
        double[] t7 = bitwise_and(t4, t6);                                        // line 45
        double[] t8 = new double[] {0.0};                                         // line 45
        double[] t9 = eq(t7, t8);                                                 // line 45
        double[] t10 = cast(t9, 1);                                               // line 45
        double[] t11 = sum(t10);                                                  // line 45
        double[] t12 = new double[] {0.0};                                        // line 45
        double[] t13 = eq(t11, t12);                                              // line 45
        if (t13[0] == 0.0) {                                                      // line 45
            throw new IllegalArgumentException("all elements of input should be between 0 and 1"); // line 45
        }
        double[] t14 = sub(t5, t2);                                               // line 45
        double[] t15 = mul(t14, t2);                                              // line 45
        double[] t16 = new double[] {9.999999960041972e-13};                      // line 45
        double[] t17 = lt(t15, t16);                                              // line 45
        double[] t18 = new double[] {0.5};                                        // line 45
        double[] t19 = where(t17, t18, t2);                                       // line 45
        double[] t20 = sub(t, t5);                                                // line 45
        double[] t21 = neg(t19);                                                  // line 45
        double[] t22 = log1p(t21);                                                // line 45
        double[] t23 = mul(t20, t22);                                             // line 45
        double[] t24 = log(t19);                                                  // line 45
        double[] t25 = mul(t, t24);                                               // line 45
        double[] t26 = sub(t23, t25);                                             // line 45
        double[] t27 = t2;                                                        // line 45 (detach)
        double[] t28 = t;                                                         // line 45 (detach)
        double[] t29 = sub(t28, t5);                                              // line 45
        double[] t30 = neg(t27);                                                  // line 45
        double[] t31 = log1p(t30);                                                // line 45
        double[] t32 = new double[] {-100.0};                                     // line 45
        double[] t33 = lt(t31, t32);                                              // line 45
        double[] t34 = where(t33, t32, t31);                                      // line 45
        double[] t35 = mul(t29, t34);                                             // line 45
        double[] t36 = log(t27);                                                  // line 45
        double[] t37 = lt(t36, t32);                                              // line 45
        double[] t38 = where(t37, t32, t36);                                      // line 45
        double[] t39 = mul(t28, t38);                                             // line 45
        double[] t40 = sub(t35, t39);                                             // line 45
        double[] t41 = mul(t18, t2);                                              // line 45
        double[] t42 = sub(t41, t28);                                             // line 45
        double[] t43 = mul(t2, t42);                                              // line 45
        double[] t44 = t43;                                                       // line 45 (detach)
        double[] t45 = sub(t43, t44);                                             // line 45
        double[] t46 = div(t45, t16);                                             // line 45
        double[] t47 = sub(t31, t36);                                             // line 45
        double[] t48 = abs(t47);                                                  // line 45
        double[] t49 = new double[] {Double.POSITIVE_INFINITY};                   // line 45
        double[] t50 = eq(t48, t49);                                              // line 45
        double[] t51 = sub(t, t28);                                               // line 45
        double[] t52 = where(t50, t3, t51);                                       // line 45
        double[] t53 = where(t50, t3, t47);                                       // line 45
        double[] t54 = mul(t52, t53);                                             // line 45
        double[] t55 = sign(t47);                                                 // line 45
        double[] t56 = where(t50, t51, t3);                                       // line 45
        double[] t57 = sqrt(t56);                                                 // line 45
        double[] t58 = mul(t55, t57);                                             // line 45
        double[] t59 = where(t50, t58, t54);                                      // line 45
        double[] t60 = add(t46, t59);                                             // line 45
        double[] t61 = add(t40, t60);                                             // line 45
        double[] t62 = where(t17, t61, t26);                                      // line 45
        double[] t63 = sum(t62);                                                  // line 45
        double[] t64 = new double[] {3.0};                                        // line 45
        double[] value = div(t63, t64);                                           // line 45
        return value;
    }

    /** The gradient of {@code bce(z, t)}: {@code {d_z}}. */
    public static double[][] bce_grad(double[] z, double[] t) {
        check(z, 3, "z", "[3]");
        check(t, 3, "t", "[3]");

        double[] t1 = new double[] {2.0};                                         // line 45
        double[] t2 = div(z, t1);                                                 // line 45
        double[] t3 = new double[] {0.0};                                         // line 45
        double[] t4 = ge(t2, t3);                                                 // line 45
        double[] t5 = new double[] {1.0};                                         // line 45
        double[] t6 = le(t2, t5);                                                 // line 45
        double[] t7 = bitwise_and(t4, t6);                                        // line 45
        double[] t8 = new double[] {0.0};                                         // line 45
        double[] t9 = eq(t7, t8);                                                 // line 45
        double[] t10 = cast(t9, 1);                                               // line 45
        double[] t11 = sum(t10);                                                  // line 45
        double[] t12 = new double[] {0.0};                                        // line 45
        double[] t13 = eq(t11, t12);                                              // line 45
        if (t13[0] == 0.0) {                                                      // line 45
            throw new IllegalArgumentException("all elements of input should be between 0 and 1"); // line 45
        }
        double[] t14 = sub(t5, t2);                                               // line 45
        double[] t15 = mul(t14, t2);                                              // line 45
        double[] t16 = new double[] {9.999999960041972e-13};                      // line 45
        double[] t17 = lt(t15, t16);                                              // line 45
        double[] t18 = new double[] {0.5};                                        // line 45
        double[] t19 = where(t17, t18, t2);                                       // line 45
        double[] t20 = sub(t, t5);                                                // line 45
        double[] t21 = neg(t19);                                                  // line 45
        double[] t28 = t;                                                         // line 45 (detach)
        double[] t41 = mul(t18, t2);                                              // line 45
        double[] t42 = sub(t41, t28);                                             // line 45

        // the adjoint program: each line ends with the line its primal operation came from
        double[] t65 = new double[] {0.3333333333333333};                         // line 45
        double[] t66 = where(t17, t65, t3);                                       // line 45
        double[] t67 = where(t17, t3, t65);                                       // line 45
        double[] t68 = div(t66, t16);                                             // line 45
        double[] t69 = where(t17, t68, t3);                                       // line 45
        double[] t70 = mul(t69, t42);                                             // line 45
        double[] t71 = mul(t69, t2);                                              // line 45
        double[] t72 = where(t17, t70, t3);                                       // line 45
        double[] t73 = where(t17, t71, t3);                                       // line 45
        double[] t74 = mul(t73, t18);                                             // line 45
        double[] t75 = where(t17, t74, t3);                                       // line 45
        double[] t76 = add(t72, t75);                                             // line 45
        double[] t77 = neg(t67);                                                  // line 45
        double[] t78 = where(t17, t3, t77);                                       // line 45
        double[] t79 = mul(t78, t);                                               // line 45
        double[] t80 = where(t17, t3, t79);                                       // line 45
        double[] t81 = div(t80, t19);                                             // line 45
        double[] t82 = where(t17, t3, t81);                                       // line 45
        double[] t83 = mul(t67, t20);                                             // line 45
        double[] t84 = where(t17, t3, t83);                                       // line 45
        double[] t85 = add(t5, t21);                                              // line 45
        double[] t86 = div(t84, t85);                                             // line 45
        double[] t87 = where(t17, t3, t86);                                       // line 45
        double[] t88 = neg(t87);                                                  // line 45
        double[] t89 = where(t17, t3, t88);                                       // line 45
        double[] t90 = add(t82, t89);                                             // line 45
        double[] t91 = where(t17, t3, t90);                                       // line 45
        double[] t92 = add(t76, t91);                                             // line 45
        double[] d_z = div(t92, t1);                                              // line 45
        return new double[][] {d_z};
    }

    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------

    /** Throws unless an argument has as many elements as its shape. */
    private static void check(double[] arg, int length, String name, String shape) {
        if (arg.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements (shape " + shape + "), not " + arg.length);
        }
    }

    private static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i]);
        return out;
    }

    /** f of a and b, position by position: both of one shape, or either a single value. */
    private static double[] zip(double[] a, double[] b, DoubleBinaryOperator f) {
        double[] out = new double[a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
        return out;
    }

    private static double[] neg(double[] x) {
        return map(x, v -> -v);
    }

    private static double[] log(double[] x) {
        return map(x, Math::log);
    }

    private static double[] sqrt(double[] x) {
        return map(x, Math::sqrt);
    }

    private static double[] abs(double[] x) {
        return map(x, Math::abs);
    }

    private static double[] sign(double[] x) {
        return map(x, v -> v > 0 ? 1 : v < 0 ? -1 : 0);
    }

    private static double[] log1p(double[] x) {
        return map(x, Math::log1p);
    }

    private static double[] add(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x + y);
    }

    private static double[] sub(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x - y);
    }

    private static double[] mul(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x * y);
    }

    private static double[] div(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x / y);
    }

    private static double[] lt(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x < y ? 1.0 : 0.0);
    }

    private static double[] le(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x <= y ? 1.0 : 0.0);
    }

    private static double[] ge(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x >= y ? 1.0 : 0.0);
    }

    private static double[] eq(double[] a, double[] b) {
        return zip(a, b, (x, y) -> x == y ? 1.0 : 0.0);
    }

    private static double[] bitwise_and(double[] a, double[] b) {
        return zip(a, b, (x, y) -> (double) ((long) x & (long) y));
    }

    /** a where c is not 0 (NaN counts as true), b elsewhere: all of one shape, or single values. */
    private static double[] where(double[] c, double[] a, double[] b) {
        double[] out = new double[c.length != 1 ? c.length : a.length != 1 ? a.length : b.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[c.length == 1 ? 0 : i] != 0.0 ? a[a.length == 1 ? 0 : i] : b[b.length == 1 ? 0 : i];
        }
        return out;
    }

    /** The sum of all of x's elements, in order. */
    private static double[] sum(double[] x) {
        double acc = 0.0;
        for (double v : x) acc = acc + v;
        return new double[] {acc};
    }

    /**
     * x as int64 (to 1) or bool (to 2), held as doubles: int64 truncates toward zero (nan and
     * values out of range give -2^63, as PyTorch's conversion on x86), bool is x != 0 (nan is true).
     */
    private static double[] cast(double[] x, int to) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = to == 2 ? (v != 0 ? 1 : 0)
                    : Double.isNaN(v) || v >= 0x1p63 || v < -0x1p63 ? -0x1p63 : (v < 0 ? Math.ceil(v) : Math.floor(v)) + 0.0;
        }
        return out;
    }
}
