package tx.runtime.kernels;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/** Elementwise kernels: one function applied at every position, with NumPy broadcasting. */
public final class Elementwise {
    private Elementwise() {}

    /**
     * The hot elementwise operations, each with a loop of its own: one loop shared by every
     * operation calls its function through an interface, which the JIT cannot inline there, and a
     * loop of plain arithmetic is also one the JIT vectorises. Each computes exactly what the
     * primitive's own function computes (the same Math call or operator).
     */
    public enum Op {
        NEG, EXP, LOG, SIN, COS, TANH, SQRT, ADD, SUB, MUL, DIV, POW;

        /** Whether it takes one operand (the ones before ADD). */
        boolean unary() {
            return ordinal() < ADD.ordinal();
        }
    }

    /** {@code out[i] = op(x[i])}, or null if {@code op} is not a unary operation. */
    public static Tensor map(Tensor x, Op op) {
        if (!op.unary()) return null;
        double[] o = Buffers.take(x.size()), xd = x.data();
        inChunks(o.length, (lo, len) -> mapRange(op, xd, lo, o, lo, len, o.length));
        return Tensor.of(x.shapeRef(), o);
    }

    /** {@code out = op(a, b)} where the shapes are equal or one operand is a single number; else null (the general path). */
    public static Tensor zip(Tensor a, Tensor b, Op op) {
        double[] ad = a.data(), bd = b.data();
        boolean same = Arrays.equals(a.shapeRef(), b.shapeRef());
        boolean aOne = !same && ad.length == 1 && b.rank() >= a.rank(); // a broadcast from one number
        boolean bOne = !same && !aOne && bd.length == 1 && a.rank() >= b.rank();
        if (!same && !aOne && !bOne) return broadcast(a, b, op);
        if (op.unary() || aOne && bOne || op == Op.POW && !(bOne && bd[0] == 2.0)) return null; // what zipRange has no loop for
        double[] o = Buffers.take(aOne ? bd.length : ad.length);
        inChunks(o.length, (lo, len) -> zipRange(op, ad, aOne ? 0 : lo, aOne, bd, bOne ? 0 : lo, bOne, o, lo, len));
        return Tensor.of(aOne ? b.shapeRef() : a.shapeRef(), o);
    }

    /** Elements per task when a large elementwise operation is shared among threads: a multiple of every vector length. */
    static final int CHUNK = 1 << 15;

    /** A range of elements one task computes. */
    private interface Range {
        void apply(int lo, int len);
    }

    /**
     * Calls {@code range} over [0, n) in chunks of {@link #CHUNK}, shared among {@link Parallel}'s
     * threads; each element is computed by one call, as in one pass (the kernels choose their
     * method by the tensor's size, never the chunk's).
     */
    private static void inChunks(int n, Range range) {
        if (n < 2 * CHUNK || Parallel.threads() == 1) {
            range.apply(0, n);
            return;
        }
        Parallel.run((n + CHUNK - 1) / CHUNK, t -> range.apply(t * CHUNK, Math.min(CHUNK, n - t * CHUNK)));
    }

    /** The general broadcast of {@link #zip(Tensor, Tensor, Op)}: strided reads, a loop of its own per operation and row. */
    private static Tensor broadcast(Tensor a, Tensor b, Op op) {
        if (op != Op.ADD && op != Op.SUB && op != Op.MUL && op != Op.DIV) return null;
        int[] shape = Shapes.broadcast(a.shapeRef(), b.shapeRef());
        if (shape == null) return null;
        double[] ad = a.data(), bd = b.data(), out = Buffers.take(Shapes.numel(shape));
        int[][] m = Shaping.mergedAll(shape, Shaping.broadcastStrides(a.shapeRef(), shape), Shaping.broadcastStrides(b.shapeRef(), shape));
        if (m[0].length == 2 && m[0][1] < SHORT_ROWS) {
            shortRows(op, ad, m[1], bd, m[2], m[0][0], m[0][1], out);
            return Tensor.of(shape, out);
        }
        if (m[0].length == 3 && m[0][2] < SHORT_ROWS && m[1][2] == 1 && m[2][2] == 1) {
            for (int r = 0, o = 0, per = m[0][1] * m[0][2]; r < m[0][0]; r++, o += per) {
                contiguousRows(op, ad, r * m[1][0], m[1][1], bd, r * m[2][0], m[2][1], m[0][1], m[0][2], out, o);
            }
            return Tensor.of(shape, out);
        }
        Shaping.Walk w = new Shaping.Walk(m[0], m[1], m[2]);
        int n = w.rowLength, sa = w.step[0], sb = w.step[1];
        for (int o = 0; o < out.length; o += n, w.nextRow()) {
            int pa = w.offset[0], pb = w.offset[1];
            // a row against one number ([n, m] op [n, 1]): the loops of zipRange, which the JIT vectorises
            if (sa == 1 && sb == 0 && zipRange(op, ad, pa, false, bd, pb, true, out, o, n)) continue;
            if (sa == 0 && sb == 1 && zipRange(op, ad, pa, true, bd, pb, false, out, o, n)) continue;
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) out[o + i] = ad[pa + i * sa] + bd[pb + i * sb]; }
                case SUB -> { for (int i = 0; i < n; i++) out[o + i] = ad[pa + i * sa] - bd[pb + i * sb]; }
                case MUL -> { for (int i = 0; i < n; i++) out[o + i] = ad[pa + i * sa] * bd[pb + i * sb]; }
                default -> { for (int i = 0; i < n; i++) out[o + i] = ad[pa + i * sa] / bd[pb + i * sb]; }
            }
        }
        return Tensor.of(shape, out);
    }

    /**
     * Rows shorter than this (after {@link Shaping#mergedAll}) are walked by {@link #shortRows}: a
     * row's own loop costs more than its few elements ({@code [1200, 3] * [1200, 1]} took 13
     * microseconds a row at a time, bundle adjustment's shapes).
     */
    static final int SHORT_ROWS = 16;

    /**
     * {@code out[r, i] = op(a[r·sa[0] + i·sa[1]], b[r·sb[0] + i·sb[1]])} over rows × n: two nested
     * loops, each element the operator's one rounding, as in {@link #broadcast}'s rows.
     */
    private static void shortRows(Op op, double[] a, int[] sa, double[] b, int[] sb, int rows, int n, double[] out) {
        int a0 = sa[0], a1 = sa[1], b0 = sb[0], b1 = sb[1];
        if (a0 == n && a1 == 1 && b0 == 1 && b1 == 0 || b0 == n && b1 == 1 && a0 == 1 && a1 == 0) { // [r, n] op [r, 1], or [r, 1] op [r, n]
            perRow(op, a0 == n ? a : b, a0 == n ? b : a, a0 != n, rows, n, out);
            return;
        }
        shortRows(op, a, 0, sa, b, 0, sb, rows, n, out, 0);
    }

    /**
     * Rows of n contiguous elements of both operands ({@code out[o + r·n + i] = op(a[aBase + r·sa +
     * i], b[bBase + r·sb + i])}): each outermost index of three merged axes whose last is short
     * and contiguous in both ({@code [1000, 1, 10] - [1, 25, 10]}, ADBench's GMM, walked 25,000 rows
     * of 10 one at a time). Each element the operator's one rounding.
     */
    private static void contiguousRows(Op op, double[] a, int aBase, int sa, double[] b, int bBase, int sb, int rows, int n, double[] out, int o) {
        switch (op) {
            case ADD -> { for (int r = 0, pa = aBase, pb = bBase; r < rows; r++, pa += sa, pb += sb, o += n) for (int i = 0; i < n; i++) out[o + i] = a[pa + i] + b[pb + i]; }
            case SUB -> { for (int r = 0, pa = aBase, pb = bBase; r < rows; r++, pa += sa, pb += sb, o += n) for (int i = 0; i < n; i++) out[o + i] = a[pa + i] - b[pb + i]; }
            case MUL -> { for (int r = 0, pa = aBase, pb = bBase; r < rows; r++, pa += sa, pb += sb, o += n) for (int i = 0; i < n; i++) out[o + i] = a[pa + i] * b[pb + i]; }
            default -> { for (int r = 0, pa = aBase, pb = bBase; r < rows; r++, pa += sa, pb += sb, o += n) for (int i = 0; i < n; i++) out[o + i] = a[pa + i] / b[pb + i]; }
        }
    }

    /**
     * The nested loops of {@link #shortRows}, a from aBase, b from bBase, out from o: also each
     * outermost index of three merged axes whose last is short ({@code [1000, 1, 10] - [1, 25, 10]},
     * ADBench's GMM, walked 25,000 rows of 10 one at a time).
     */
    private static void shortRows(Op op, double[] a, int aBase, int[] sa, double[] b, int bBase, int[] sb, int rows, int n, double[] out, int o) {
        int a0 = sa[0], a1 = sa[1], b0 = sb[0], b1 = sb[1];
        switch (op) {
            case ADD -> { for (int r = 0; r < rows; r++) for (int i = 0, pa = aBase + r * a0, pb = bBase + r * b0; i < n; i++) out[o++] = a[pa + i * a1] + b[pb + i * b1]; }
            case SUB -> { for (int r = 0; r < rows; r++) for (int i = 0, pa = aBase + r * a0, pb = bBase + r * b0; i < n; i++) out[o++] = a[pa + i * a1] - b[pb + i * b1]; }
            case MUL -> { for (int r = 0; r < rows; r++) for (int i = 0, pa = aBase + r * a0, pb = bBase + r * b0; i < n; i++) out[o++] = a[pa + i * a1] * b[pb + i * b1]; }
            default -> { for (int r = 0; r < rows; r++) for (int i = 0, pa = aBase + r * a0, pb = bBase + r * b0; i < n; i++) out[o++] = a[pa + i * a1] / b[pb + i * b1]; }
        }
    }

    /**
     * {@link #shortRows} where one operand is a row-major matrix m and the other a column, one
     * number a row: {@code m op col} (or {@code col op m} where {@code colFirst}), the operands in
     * the program's order. NOTE: the strided nested loops took twice as long ([1200, 3] · [1200, 1]).
     */
    private static void perRow(Op op, double[] m, double[] col, boolean colFirst, int rows, int n, double[] out) {
        for (int r = 0, p = 0; r < rows; r++, p += n) {
            double y = col[r];
            switch (op) {
                case ADD -> { if (colFirst) for (int i = p; i < p + n; i++) out[i] = y + m[i]; else for (int i = p; i < p + n; i++) out[i] = m[i] + y; }
                case SUB -> { if (colFirst) for (int i = p; i < p + n; i++) out[i] = y - m[i]; else for (int i = p; i < p + n; i++) out[i] = m[i] - y; }
                case MUL -> { if (colFirst) for (int i = p; i < p + n; i++) out[i] = y * m[i]; else for (int i = p; i < p + n; i++) out[i] = m[i] * y; }
                default -> { if (colFirst) for (int i = p; i < p + n; i++) out[i] = y / m[i]; else for (int i = p; i < p + n; i++) out[i] = m[i] / y; }
            }
        }
    }

    // ---- ranges, for tiled (fused) evaluation ---------------------------------------------------------

    /**
     * {@code o[oo + i] = op(x[xo + i])} for i below len, exactly as {@link #map(Tensor, Op)} computes
     * each element of a tensor of {@code total} elements. False if op has no loop of its own.
     *
     * <p>NOTE: exp, log, sin, cos and tanh of a tensor of {@link Vectorized#THRESHOLD} elements or more
     * are {@link Transcendentals}' (StrictMath's bits, on SIMD lanes where the Vector API is present,
     * else in scalar code: the same bits either way, compiled or interpreted); of a smaller tensor they
     * are {@code Math}'s, whose last bit may differ from StrictMath's but which matches what PyTorch
     * prints for the small examples (HotSpot's interpreter and compilers call the same code for
     * {@code Math}'s functions, so these too are the same cold and warm). Which one depends on the
     * tensor's size alone, never on a tile's.
     */
    public static boolean mapRange(Op op, double[] x, int xo, double[] o, int oo, int len, int total) {
        if (total >= Vectorized.THRESHOLD) {
            if (Vectorized.AVAILABLE && Vectorized.mapRange(op, x, xo, o, oo, len)) return true;
            switch (op) { // the lanes' scalar twin: the same bits with or without the Vector API
                case EXP -> { for (int i = 0; i < len; i++) o[oo + i] = Transcendentals.exp(x[xo + i]); return true; }
                case LOG -> { for (int i = 0; i < len; i++) o[oo + i] = Transcendentals.log(x[xo + i]); return true; }
                case SIN -> { for (int i = 0; i < len; i++) o[oo + i] = Transcendentals.sin(x[xo + i]); return true; }
                case COS -> { for (int i = 0; i < len; i++) o[oo + i] = Transcendentals.cos(x[xo + i]); return true; }
                case TANH -> { for (int i = 0; i < len; i++) o[oo + i] = Transcendentals.tanh(x[xo + i]); return true; }
                default -> { }
            }
        }
        switch (op) {
            case NEG -> { for (int i = 0; i < len; i++) o[oo + i] = -x[xo + i]; }
            case EXP -> { for (int i = 0; i < len; i++) o[oo + i] = Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < len; i++) o[oo + i] = Math.log(x[xo + i]); }
            case SIN -> { for (int i = 0; i < len; i++) o[oo + i] = Math.sin(x[xo + i]); }
            case COS -> { for (int i = 0; i < len; i++) o[oo + i] = Math.cos(x[xo + i]); }
            case TANH -> { for (int i = 0; i < len; i++) o[oo + i] = Math.tanh(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < len; i++) o[oo + i] = Math.sqrt(x[xo + i]); }
            default -> { return false; }
        }
        return true;
    }

    /**
     * {@code o[oo + i] = op(a[ao + i], b[bo + i])} for i below len; an operand whose array has one
     * element (aScalar, bScalar) is that number everywhere. False if op has no loop of its own here.
     */
    public static boolean zipRange(Op op, double[] a, int ao, boolean aScalar, double[] b, int bo, boolean bScalar, double[] o, int oo, int len) {
        if (aScalar && bScalar) return false;
        if (aScalar) {
            double x = a[ao];
            switch (op) {
                case ADD -> { for (int i = 0; i < len; i++) o[oo + i] = x + b[bo + i]; }
                case SUB -> { for (int i = 0; i < len; i++) o[oo + i] = x - b[bo + i]; }
                case MUL -> { for (int i = 0; i < len; i++) o[oo + i] = x * b[bo + i]; }
                case DIV -> {
                    if (Vectorized.AVAILABLE) Vectorized.divide(b, bo, x, true, o, oo, len); // see Vectorized.divide
                    else for (int i = 0; i < len; i++) o[oo + i] = x / b[bo + i];
                }
                default -> { return false; }
            }
        } else if (bScalar) {
            double y = b[bo];
            switch (op) {
                case ADD -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] + y; }
                case SUB -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] - y; }
                case MUL -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * y; }
                case DIV -> {
                    double r = exactReciprocal(y);
                    if (r != 0) for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * r;
                    else if (Vectorized.AVAILABLE) Vectorized.divide(a, ao, y, false, o, oo, len); // see Vectorized.divide
                    else for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] / y;
                }
                // NOTE: Math.pow(x, 2.0) is x * x bit for bit (checked on 10^8 doubles, specials included)
                case POW -> {
                    if (y != 2.0) return false;
                    for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * a[ao + i];
                }
                default -> { return false; }
            }
        } else {
            switch (op) {
                case ADD -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] + b[bo + i]; }
                case SUB -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] - b[bo + i]; }
                case MUL -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * b[bo + i]; }
                case DIV -> { for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] / b[bo + i]; }
                default -> { return false; }
            }
        }
        return true;
    }

    /**
     * 1/y where y is a power of two whose reciprocal is a normal number (±2^e, -1022 <= e <= 1022; the bound could be
     * wider, since any exact reciprocal would do, but these are the divisors programs have),
     * else 0. NOTE: then x / y and x · (1/y) are the correctly rounded values of one real number,
     * x·2^-e, so they are the same double for every x (overflow, underflow, nan, inf and -0.0
     * included); a multiplication is several times faster than a division.
     */
    static double exactReciprocal(double y) {
        int e = Math.getExponent(y);
        boolean power = (Double.doubleToRawLongBits(y) & 0x000fffffffffffffL) == 0;
        return power && e >= -1022 && e <= 1022 ? 1.0 / y : 0;
    }

    /** Whether this JVM has the Vector API (jdk.incubator.vector), which the fast kernels use. */
    public static boolean vectorApi() {
        return Vectorized.AVAILABLE;
    }

    /** {@code out[i] = f(x[i])}: {@link Standalone#map}, the loop emitted Java runs. */
    public static Tensor map(Tensor x, DoubleUnaryOperator f) {
        return Tensor.of(x.shapeRef(), Standalone.map(x.data(), f));
    }

    /**
     * {@code out = f(a, b)} with a and b broadcast to a common shape. Where both have that shape, or
     * one is a single number and the other has it, this is {@link Standalone#zip}, the loop emitted
     * Java runs; otherwise a walk of strided rows.
     */
    public static Tensor zip(Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(a.shapeRef(), b.shapeRef());
        double[] ad = a.data(), bd = b.data();
        boolean aFull = Arrays.equals(a.shapeRef(), shape), bFull = Arrays.equals(b.shapeRef(), shape);
        if (aFull && bFull || ad.length == 1 && bFull || bd.length == 1 && aFull) return Tensor.of(shape, Standalone.zip(ad, bd, f));
        double[] out = Buffers.take(Shapes.numel(shape));
        zipBroadcast(ad, Shaping.broadcastStrides(a.shapeRef(), shape), bd, Shaping.broadcastStrides(b.shapeRef(), shape), shape, out, f);
        return Tensor.of(shape, out);
    }

    /** The general case of {@link #zip}: strided reads, contiguous writes, a row at a time. */
    private static void zipBroadcast(double[] ad, int[] aStrides, double[] bd, int[] bStrides,
                                     int[] shape, double[] out, DoubleBinaryOperator f) {
        int[][] m = Shaping.mergedAll(shape, aStrides, bStrides);
        Shaping.Walk w = new Shaping.Walk(m[0], m[1], m[2]);
        int n = w.rowLength, sa = w.step[0], sb = w.step[1];
        for (int o = 0; o < out.length; o += n, w.nextRow()) {
            int pa = w.offset[0], pb = w.offset[1];
            for (int i = 0; i < n; i++) out[o + i] = f.applyAsDouble(ad[pa + i * sa], bd[pb + i * sb]);
        }
    }

    /**
     * {@code out = cond ? a : b}, all three broadcast together. Any value other than 0.0 (and -0.0)
     * picks {@code a}. NOTE: NaN counts as true, as a nonzero does in NumPy and PyTorch.
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = broadcastShape(broadcastShape(cond.shapeRef(), a.shapeRef()), b.shapeRef());
        double[] cd = cond.data(), ad = a.data(), bd = b.data();
        double[] out = Buffers.take(Shapes.numel(shape));
        int[][] m = Shaping.mergedAll(shape, Shaping.broadcastStrides(cond.shapeRef(), shape),
                Shaping.broadcastStrides(a.shapeRef(), shape), Shaping.broadcastStrides(b.shapeRef(), shape));
        if (m[0].length == 2 && m[0][1] < SHORT_ROWS) { // short rows: two nested loops (see SHORT_ROWS)
            int rows = m[0][0], n = m[0][1], c0 = m[1][0], c1 = m[1][1], a0 = m[2][0], a1 = m[2][1], b0 = m[3][0], b1 = m[3][1];
            for (int r = 0, o = 0; r < rows; r++) {
                for (int i = 0, pc = r * c0, pa = r * a0, pb = r * b0; i < n; i++) out[o++] = cd[pc + i * c1] != 0.0 ? ad[pa + i * a1] : bd[pb + i * b1];
            }
            return Tensor.of(shape, out);
        }
        Shaping.Walk w = new Shaping.Walk(m[0], m[1], m[2], m[3]);
        int n = w.rowLength, sc = w.step[0], sa = w.step[1], sb = w.step[2];
        for (int o = 0; o < out.length; o += n, w.nextRow()) {
            int pc = w.offset[0], pa = w.offset[1], pb = w.offset[2];
            for (int i = 0; i < n; i++) out[o + i] = cd[pc + i * sc] != 0.0 ? ad[pa + i * sa] : bd[pb + i * sb];
        }
        return Tensor.of(shape, out);
    }

    private static int[] broadcastShape(int[] a, int[] b) {
        int[] shape = Shapes.broadcast(a, b);
        if (shape == null) {
            throw new IllegalArgumentException("shapes " + Shapes.show(a) + " and " + Shapes.show(b) + " do not broadcast");
        }
        return shape;
    }
}
