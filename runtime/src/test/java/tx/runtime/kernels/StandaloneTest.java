package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import tx.runtime.ir.Prim;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The standalone kernels, which emitted Java copies, against the interpreter's kernels, bit for bit
 * (NaN, the infinities and -0.0 among the inputs, ties where an order decides), or against values
 * worked out here where the interpreter calls the standalone kernel itself.
 */
class StandaloneTest {
    private static final int CASES = 400;

    /** The doubles the kernels are fed: special values, ties, and numbers of every size, so that the order of sums shows. */
    private static double[] values(SplittableRandom r, int n) {
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 1e300, -1e-300};
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (r.nextInt(6)) {
                case 0 -> special[r.nextInt(special.length)];
                case 1 -> r.nextInt(-3, 4); // ties
                case 2 -> Math.scalb(r.nextDouble(-1, 1), r.nextInt(-60, 60));
                default -> r.nextGaussian();
            };
        }
        return out;
    }

    /** A shape of rank 0 to 4, with axes of 1 to 4 and, now and then, of 0. */
    private static int[] shape(SplittableRandom r) {
        int[] s = new int[r.nextInt(5)];
        for (int k = 0; k < s.length; k++) s[k] = r.nextInt(20) == 0 ? 0 : r.nextInt(1, 5);
        return s;
    }

    /** A shape that broadcasts to s: some leading axes dropped, some axes made 1. */
    private static int[] broadcastFrom(SplittableRandom r, int[] s) {
        int[] t = Arrays.copyOfRange(s, r.nextInt(s.length + 1), s.length);
        for (int k = 0; k < t.length; k++) if (r.nextInt(3) == 0) t[k] = 1;
        return t;
    }

    private static Tensor tensor(SplittableRandom r, int[] shape) {
        return Tensor.of(shape, values(r, Shapes.numel(shape)));
    }

    /** Bit for bit, -0.0 apart from 0.0 (every NaN counts as one). */
    private static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]),
                    what + ": element " + i + " is " + actual[i] + ", not " + expected[i]);
        }
    }

    private static int[] someAxes(SplittableRandom r, int rank) {
        return java.util.stream.IntStream.range(0, rank).filter(k -> r.nextBoolean()).toArray();
    }

    // ---- the checks of emitted code's arguments, and shapes --------------------------------------------

    @Test
    void argumentChecks() {
        Standalone.check(new double[6], 6, "x", "[2, 3]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Standalone.check(new double[5], 6, "x", "[2, 3]"));
        assertEquals("x must have 6 elements (shape [2, 3]), not 5", e.getMessage());
        Standalone.checkDim(0, "n");
        assertEquals("n must not be negative, not -1", assertThrows(IllegalArgumentException.class, () -> Standalone.checkDim(-1, "n")).getMessage());
        assertEquals(4, Standalone.quotient(12, 3, "n", "x"));
        assertThrows(IllegalArgumentException.class, () -> Standalone.quotient(0, 0, "n", "x"));
        assertEquals(3, Standalone.root(27, 3));
        assertEquals(1000, Standalone.root(1_000_000, 2));
        assertEquals(7, Standalone.root(7, 1));
    }

    @Test
    void shapesAgreeWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(1);
        for (int c = 0; c < CASES; c++) {
            int[] a = shape(r), b = r.nextBoolean() ? broadcastFrom(r, a) : shape(r);
            assertEquals(Shapes.numel(a), Standalone.numel(a));
            assertArrayEquals(Shapes.strides(a), Standalone.strides(a));
            int[] both = Shapes.broadcast(a, b);
            if (both == null) {
                assertThrows(IllegalArgumentException.class, () -> Standalone.broadcast(a, b));
                continue;
            }
            assertArrayEquals(both, Standalone.broadcast(a, b));
            assertArrayEquals(Shaping.broadcastStrides(b, both), Standalone.broadcastStrides(b, both));
        }
    }

    @Test
    void gatherAgreesWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(2);
        for (int c = 0; c < CASES; c++) {
            int[] out = shape(r), strides = new int[out.length];
            int offset = r.nextInt(3), last = offset;
            for (int k = 0; k < out.length; k++) {
                strides[k] = r.nextInt(4);
                last += Math.max(0, out[k] - 1) * strides[k];
            }
            double[] src = values(r, last + 1);
            assertBits(Shaping.gather(src, offset, strides, out), Standalone.gather(src, offset, strides, out), "gather " + Arrays.toString(out));
        }
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Test
    void mapAgreesWithTheInterpretersOwnLoops() {
        SplittableRandom r = new SplittableRandom(3);
        for (Elementwise.Op op : List.of(Elementwise.Op.NEG, Elementwise.Op.EXP, Elementwise.Op.LOG, Elementwise.Op.SIN,
                Elementwise.Op.COS, Elementwise.Op.TANH, Elementwise.Op.SQRT)) {
            Tensor x = tensor(r, new int[] {1000}); // below Vectorized.THRESHOLD: Math's functions, as emitted code calls
            double[] standalone = Standalone.map(x.data(), Prim.valueOf(op.name()).unaryFunction());
            assertBits(Elementwise.map(x, op).data(), standalone, op.name());
        }
        assertArrayEquals(new double[] {1, 4, 9}, Standalone.map(new double[] {-1, 2, 3}, v -> v * v));
    }

    @Test
    void zipAgreesWithTheInterpretersOwnLoops() {
        SplittableRandom r = new SplittableRandom(4);
        for (Elementwise.Op op : List.of(Elementwise.Op.ADD, Elementwise.Op.SUB, Elementwise.Op.MUL, Elementwise.Op.DIV)) {
            DoubleBinaryOperator f = Prim.valueOf(op.name()).binaryFunction();
            for (int c = 0; c < CASES / 10; c++) {
                int[] s = shape(r);
                Tensor a = tensor(r, s), b = tensor(r, s), one = tensor(r, Shapes.SCALAR);
                assertBits(Elementwise.zip(a, b, op).data(), Standalone.zip(a.data(), b.data(), f), op + " " + Arrays.toString(s));
                if (s.length == 0) continue;
                assertBits(Elementwise.zip(one, b, op).data(), Standalone.zip(one.data(), b.data(), f), op + " of a number and a tensor");
                assertBits(Elementwise.zip(a, one, op).data(), Standalone.zip(a.data(), one.data(), f), op + " of a tensor and a number");
            }
        }
        Tensor x = tensor(r, new int[] {500}), two = Tensor.scalar(2.0);
        assertBits(Elementwise.zip(x, two, Elementwise.Op.POW).data(), Standalone.zip(x.data(), two.data(), Math::pow), "x ** 2");
    }

    @Test
    void broadcastZipAgreesWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(5);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r), as = broadcastFrom(r, s), bs = broadcastFrom(r, s);
            Tensor a = tensor(r, as), b = tensor(r, bs);
            for (Prim p : List.of(Prim.ADD, Prim.SUB, Prim.MUL, Prim.DIV, Prim.MAXIMUM, Prim.REMAINDER, Prim.POW, Prim.LT)) {
                double[] standalone = Standalone.zip(a.data(), as, b.data(), bs, p.binaryFunction());
                assertBits(p.eval(List.of(a, b), null).data(), standalone, p + " of " + Arrays.toString(as) + " and " + Arrays.toString(bs));
            }
        }
    }

    @Test
    void whereAgreesWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(6);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r), cs = broadcastFrom(r, s), as = broadcastFrom(r, s), bs = broadcastFrom(r, s);
            Tensor cond = tensor(r, cs), a = tensor(r, as), b = tensor(r, bs); // 0.0, -0.0 (false) and NaN (true) among the conditions
            double[] expected = Elementwise.where(cond, a, b).data();
            assertBits(expected, Standalone.where(cond.data(), cs, a.data(), as, b.data(), bs), "where " + Arrays.toString(s));
            Tensor full = tensor(r, s), same = tensor(r, s), one = tensor(r, Shapes.SCALAR);
            assertBits(Elementwise.where(full, same, one).data(), Standalone.where(full.data(), same.data(), one.data()), "where of one shape");
        }
        assertArrayEquals(new double[] {1, 20, 3}, Standalone.where(new double[] {Double.NaN, -0.0, 2}, new double[] {1, 2, 3}, new double[] {10, 20, 30}));
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Test
    void reductionsAgreeWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(7);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r), axes = someAxes(r, s.length);
            if (axes.length == 0) continue; // x unchanged: emitted code writes it as an alias, with no kernel
            Tensor x = tensor(r, s);
            String what = Arrays.toString(s) + " over " + Arrays.toString(axes);
            assertBits(Reductions.sum(x, axes, false).data(), Standalone.sum(x.data(), s, axes), "sum " + what);
            assertBits(Reductions.prod(x, axes, false).data(), Standalone.prod(x.data(), s, axes), "prod " + what);
            if (Arrays.stream(axes).allMatch(a -> s[a] > 0)) {
                assertBits(Reductions.max(x, axes, false).data(), Standalone.max(x.data(), s, axes), "max " + what);
            } else {
                assertThrows(IllegalArgumentException.class, () -> Standalone.max(x.data(), s, axes));
            }
            if (axes.length == s.length) {
                assertBits(Reductions.sum(x, axes, false).data(), Standalone.sum(x.data()), "sum of all " + what);
                assertBits(Reductions.prod(x, axes, false).data(), Standalone.prod(x.data()), "prod of all " + what);
                if (x.size() > 0) assertBits(Reductions.max(x, axes, false).data(), Standalone.max(x.data()), "max of all " + what);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Standalone.max(new double[0]));
    }

    @Test
    void flipReversesTheGivenAxes() {
        // [[1, 2, 3], [4, 5, 6]]
        double[] x = {1, 2, 3, 4, 5, 6};
        int[] s = {2, 3};
        assertArrayEquals(new double[] {4, 5, 6, 1, 2, 3}, Standalone.flip(x, s, new int[] {0}));
        assertArrayEquals(new double[] {3, 2, 1, 6, 5, 4}, Standalone.flip(x, s, new int[] {1}));
        assertArrayEquals(new double[] {6, 5, 4, 3, 2, 1}, Standalone.flip(x, s, new int[] {1, 0}));
        assertArrayEquals(x, Standalone.flip(x, s, new int[] {}));
        assertArrayEquals(new double[0], Standalone.flip(new double[0], new int[] {2, 0}, new int[] {0}));
        assertArrayEquals(new double[] {7}, Standalone.flip(new double[] {7}, new int[] {}, new int[] {}));
    }

    @Test
    void scanAccumulatesInOrderAlongAnAxis() {
        double[] x = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new double[] {1, 3, 6, 4, 9, 15}, Standalone.scan(x, new int[] {2, 3}, 1, false));
        assertArrayEquals(new double[] {1, 2, 3, 5, 7, 9}, Standalone.scan(x, new int[] {2, 3}, 0, false));
        assertArrayEquals(new double[] {1, 2, 6, 4, 20, 120}, Standalone.scan(x, new int[] {2, 3}, 1, true));
        assertArrayEquals(new double[] {1, 2, 3, 4, 10, 18}, Standalone.scan(x, new int[] {2, 3}, 0, true));
        // [3, 2, 1] along the middle axis: the lines are (1, 3, 5) and (2, 4, 6)
        assertArrayEquals(new double[] {1, 2, 4, 6, 9, 12}, Standalone.scan(x, new int[] {1, 3, 2}, 1, false));
        // in order, not pairwise: 1e16 + 1 + 1 loses both ones, as a sequential sum does
        assertArrayEquals(new double[] {1e16, 1e16, 1e16}, Standalone.scan(new double[] {1e16, 1, 1}, new int[] {3}, 0, false));
        assertArrayEquals(new double[] {2, 0, 0, Double.NaN}, Standalone.scan(new double[] {2, 0, 5, Double.NaN}, new int[] {4}, 0, true));
        assertArrayEquals(new double[0], Standalone.scan(new double[0], new int[] {0, 3}, 1, false));
    }

    @Test
    void firstMaxPicksTheFirstMaximumOrTheFirstNan() {
        double nan = Double.NaN;
        assertArrayEquals(new double[] {0, 1, 0, 0}, Standalone.firstMax(new double[] {1, 3, 3, 2}, new int[] {4}, 0));
        assertArrayEquals(new double[] {1, 0}, Standalone.firstMax(new double[] {-0.0, 0.0}, new int[] {2}, 0)); // a tie
        assertArrayEquals(new double[] {0, 1, 0}, Standalone.firstMax(new double[] {5, nan, nan}, new int[] {3}, 0));
        // [[1, 9], [7, 2], [7, 9]] along axis 0: column 0 picks row 1, column 1 row 0
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 0}, Standalone.firstMax(new double[] {1, 9, 7, 2, 7, 9}, new int[] {3, 2}, 0));
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1}, Standalone.firstMax(new double[] {1, 9, 7, 2, 7, 9}, new int[] {3, 2}, 1));
        SplittableRandom r = new SplittableRandom(8);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r);
            if (s.length == 0) continue;
            int axis = r.nextInt(s.length);
            double[] x = values(r, Shapes.numel(s));
            assertBits(firstMaxByLines(x, s, axis), Standalone.firstMax(x, s, axis), "firstMax " + Arrays.toString(s) + " on " + axis);
        }
    }

    /** The first maximum of each line along axis, found by coordinates: the reference for firstMax. */
    private static double[] firstMaxByLines(double[] x, int[] s, int axis) {
        double[] out = new double[x.length];
        int[] st = Shapes.strides(s);
        for (int p = 0; p < x.length; p++) {
            if (p / st[axis] % s[axis] != 0) continue; // the start of a line
            int best = p;
            for (int i = 0; i < s[axis]; i++) {
                int q = p + i * st[axis];
                if (Double.isNaN(x[q])) {
                    best = q;
                    break;
                }
                if (x[q] > x[best]) best = q;
            }
            out[best] = 1.0;
        }
        return out;
    }

    @Test
    void prodOthersIsTheProductOfTheOthersWithoutDividing() {
        assertArrayEquals(new double[] {6, 3, 2}, Standalone.prodOthers(new double[] {1, 2, 3}, new int[] {3}, new int[] {0}));
        // [[2, 0], [0, 3]] over axis 0: each column's other element
        assertArrayEquals(new double[] {0, 3, 2, 0}, Standalone.prodOthers(new double[] {2, 0, 0, 3}, new int[] {2, 2}, new int[] {0}));
        assertArrayEquals(new double[] {0, 0, 0, 0}, Standalone.prodOthers(new double[] {2, 0, 0, 3}, new int[] {2, 2}, new int[] {0, 1}));
        assertArrayEquals(new double[] {0, 2}, Standalone.prodOthers(new double[] {2, 0}, new int[] {2}, new int[] {0}));
        SplittableRandom r = new SplittableRandom(9);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r), axes = someAxes(r, s.length);
            double[] x = values(r, Shapes.numel(s));
            assertBits(othersByGroups(x, s, axes), Standalone.prodOthers(x, s, axes), "prodOthers " + Arrays.toString(s) + " over " + Arrays.toString(axes));
        }
    }

    /** (x_0 ... x_{i-1}) (x_{n-1} ... x_{i+1}) over each group, each product in that order, by coordinates. */
    private static double[] othersByGroups(double[] x, int[] s, int[] axes) {
        double[] out = new double[x.length];
        java.util.Map<String, List<Integer>> byKept = new java.util.LinkedHashMap<>();
        int[] st = Shapes.strides(s);
        for (int p = 0; p < x.length; p++) {
            int[] kept = new int[s.length];
            for (int k = 0; k < s.length; k++) kept[k] = p / st[k] % s[k];
            for (int a : axes) kept[a] = 0;
            byKept.computeIfAbsent(Arrays.toString(kept), key -> new ArrayList<>()).add(p);
        }
        for (List<Integer> g : byKept.values()) {
            // the group in the order of the reduced axes: row-major order restricted to it is that order
            for (int i = 0; i < g.size(); i++) {
                double prefix = 1.0, suffix = 1.0;
                for (int j = 0; j < i; j++) prefix *= x[g.get(j)];
                for (int j = g.size() - 1; j > i; j--) suffix *= x[g.get(j)];
                out[g.get(i)] = prefix * suffix;
            }
        }
        return out;
    }

    // ---- moving elements ---------------------------------------------------------------------------------

    @Test
    void transposeExpandSliceAndPadAgreeWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(10);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r);
            Tensor x = tensor(r, s);
            int[] perm = permutation(r, s.length);
            assertBits(Shaping.transpose(x, perm).data(), Standalone.transpose(x.data(), s, perm), "transpose " + Arrays.toString(perm));
            int[] to = expandedShape(r, s);
            assertBits(Shaping.expand(x, to).data(), Standalone.expand(x.data(), s, to), "expand to " + Arrays.toString(to));
            int[] start = new int[s.length], stop = new int[s.length], step = new int[s.length];
            for (int k = 0; k < s.length; k++) {
                start[k] = r.nextInt(s[k] + 1);
                stop[k] = r.nextInt(start[k], s[k] + 1);
                step[k] = r.nextInt(1, 4);
            }
            Tensor sliced = Shaping.slice(x, start, stop, step);
            assertBits(sliced.data(), Standalone.slice(x.data(), s, start, stop, step), "slice");
            Tensor g = tensor(r, sliced.shapeRef());
            assertBits(Shaping.pad(g, s, start, step).data(), Standalone.pad(g.data(), g.shapeRef(), s, start, step), "pad");
        }
        assertThrows(IllegalArgumentException.class, () -> Standalone.slice(new double[3], new int[] {3}, new int[] {1}, new int[] {4}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Standalone.pad(new double[3], new int[] {3}, new int[] {3}, new int[] {1}, new int[] {1}));
    }

    private static int[] permutation(SplittableRandom r, int n) {
        int[] p = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A shape that s broadcasts to: its size-1 axes grown, and axes added on the left. */
    private static int[] expandedShape(SplittableRandom r, int[] s) {
        int lead = r.nextInt(3);
        int[] to = new int[lead + s.length];
        for (int k = 0; k < lead; k++) to[k] = r.nextInt(1, 4);
        for (int k = 0; k < s.length; k++) to[lead + k] = s[k] == 1 ? r.nextInt(1, 4) : s[k];
        return to;
    }

    @Test
    void catAgreesWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(11);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r);
            if (s.length == 0) continue;
            int axis = r.nextInt(s.length), count = r.nextInt(1, 4);
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int[] si = s.clone();
                si[axis] = r.nextInt(4);
                xs.add(tensor(r, si));
            }
            double[][] data = xs.stream().map(Tensor::data).toArray(double[][]::new);
            int[][] shapes = xs.stream().map(Tensor::shapeRef).toArray(int[][]::new);
            assertBits(Shaping.cat(xs, axis).data(), Standalone.cat(data, shapes, axis), "cat on " + axis);
        }
    }

    @Test
    void windowsReadEveryStepthElementFromTheStartAndPadBack() {
        SplittableRandom r = new SplittableRandom(13);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r);
            if (s.length == 0) continue;
            int axis = r.nextInt(s.length), step = 1 + r.nextInt(3), length = r.nextInt(s[axis] + 2);
            Tensor x = tensor(r, s);
            double start = r.nextInt(-2, s[axis] + 2) + (r.nextInt(8) == 0 ? 0.5 : 0.0);
            boolean fits = start == Math.rint(start) && start >= 0 && (length == 0 ? start <= s[axis] : start + (length - 1) * step < s[axis]);
            if (!fits) {
                assertThrows(Shaping.IndexError.class, () -> Shaping.dynamicSlice(x, axis, start, length, step));
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.dynamicSlice(x.data(), s, axis, start, length, step));
                continue;
            }
            Tensor w = Shaping.dynamicSlice(x, axis, start, length, step);
            int[] ws = s.clone();
            ws[axis] = length;
            assertArrayEquals(ws, w.shape());
            int[] xStrides = Shapes.strides(s), wStrides = Shapes.strides(ws);
            for (int i = 0; i < w.data().length; i++) { // the element at position p of the window is x's at start + p * step
                int rest = i, from = 0;
                for (int d = 0; d < ws.length; d++) {
                    int p = rest / wStrides[d];
                    rest %= wStrides[d];
                    from += (d == axis ? (int) start + p * step : p) * xStrides[d];
                }
                assertEquals(Double.doubleToRawLongBits(x.data()[from]), Double.doubleToRawLongBits(w.data()[i]), "window element " + i);
            }
            assertBits(w.data(), Standalone.dynamicSlice(x.data(), s, axis, start, length, step), "dynamicSlice");
            Tensor g = tensor(r, ws), padded = Shaping.dynamicPad(g, s, axis, start, step);
            assertBits(padded.data(), Standalone.dynamicPad(g.data(), ws, s, axis, start, step), "dynamicPad");
            assertBits(g.data(), Shaping.dynamicSlice(padded, axis, start, length, step).data(), "the pad puts g where the window reads");
            double outside = 0; // and zeros elsewhere: every element is the window's or 0
            for (double v : padded.data()) outside += Double.isNaN(v) ? 0 : Math.abs(v);
            double inside = 0;
            for (double v : g.data()) inside += Double.isNaN(v) ? 0 : Math.abs(v);
            assertEquals(inside, outside, 1e-9 * (1 + inside), "nothing but g's elements in the pad");
        }
        assertEquals("a slice of 2 elements from 4 does not fit in axis 0 of size 5: PyTorch would clip the slice shorter; tx fixes its length when it compiles",
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.windowStart(4, 5, 0, 2, 1)).getMessage());
        assertEquals(3, Standalone.windowStart(3, 5, 0, 2, 1));
        assertEquals(5, Standalone.windowStart(5, 5, 0, 0, 1), "an empty window may start at the end");
    }

    @Test
    void takeAndPutAgreeWithTheInterpreters() {
        SplittableRandom r = new SplittableRandom(12);
        for (int c = 0; c < CASES; c++) {
            int[] s = shape(r);
            if (s.length == 0 || s[0] == 0) continue;
            int axis = r.nextInt(s.length);
            Tensor x = tensor(r, s);
            double index = r.nextInt(-s[axis] - 2, s[axis] + 2) + (r.nextInt(8) == 0 ? 0.5 : 0.0);
            if (index < -s[axis] || index >= s[axis] || index != Math.rint(index)) {
                assertThrows(IndexOutOfBoundsException.class, () -> Shaping.take(x, axis, index));
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.take(x.data(), s, axis, index));
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.put(new double[0], s, axis, index));
                continue;
            }
            Tensor taken = Shaping.take(x, axis, index);
            assertBits(taken.data(), Standalone.take(x.data(), s, axis, index), "take");
            assertBits(Shaping.put(taken, s, axis, index).data(), Standalone.put(taken.data(), s, axis, index), "put");
        }
        assertEquals("index 3 is out of bounds for dimension 0 with size 3",
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.position(3, 3, 0)).getMessage());
        assertEquals(2, Standalone.position(-1, 3, 0), "a negative index counts from the end, as in PyTorch");
        assertEquals(0, Standalone.position(-3, 3, 0));
        assertEquals("index -4 is out of bounds for dimension 0 with size 3",
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.position(-4, 3, 0)).getMessage());
        assertEquals("index 1.5 is out of bounds for dimension 1 with size 3: an index must be a whole number",
                assertThrows(IndexOutOfBoundsException.class, () -> Standalone.position(1.5, 3, 1)).getMessage());
    }

    @Test
    void setRowAndFill() {
        double[] tape = new double[6];
        Standalone.setRow(tape, 1, new double[] {7, 8});
        Standalone.setRow(tape, 2, new double[] {-0.0, 9});
        assertBits(new double[] {0, 0, 7, 8, -0.0, 9}, tape, "setRow");
        assertBits(new double[] {-0.0, -0.0, -0.0}, Standalone.fill(3, -0.0), "fill");
        assertEquals(0, Standalone.fill(0, 1).length);
    }

    // ---- products and random numbers ---------------------------------------------------------------------

    @Test
    void matmulIsTheInterpretersProductWithoutFusedSteps() {
        SplittableRandom r = new SplittableRandom(13);
        for (int c = 0; c < CASES / 4; c++) {
            int big = c % 10 == 0 ? 20 : 4; // now and then large enough for tx's GEMM
            int n = r.nextInt(big), k = r.nextInt(big), m = r.nextInt(1, big);
            int[] batch = Arrays.copyOf(shape(r), r.nextInt(3));
            for (int i = 0; i < batch.length; i++) batch[i] = Math.max(batch[i], 1);
            int[] as = Shapes.concat(broadcastFrom(r, batch), new int[] {n, k}), bs = Shapes.concat(broadcastFrom(r, batch), new int[] {k, m});
            boolean ta = r.nextBoolean(), tb = r.nextBoolean(); // an operand stored transposed, read in place
            if (ta) as = swapLastTwo(as);
            if (tb) bs = swapLastTwo(bs);
            Tensor a = tensor(r, as), b = tensor(r, bs);
            double[] expected = LinAlg.matmul(a, ta, b, tb, false).data();
            assertBits(expected, Standalone.matmul(a.data(), as, ta, b.data(), bs, tb), "matmul " + Arrays.toString(as) + (ta ? "T" : "") + " @ "
                    + Arrays.toString(bs) + (tb ? "T" : ""));
        }
    }

    private static int[] swapLastTwo(int[] s) {
        int[] t = s.clone();
        t[t.length - 2] = s[s.length - 1];
        t[t.length - 1] = s[s.length - 2];
        return t;
    }

    @Test
    void uniformIsSplittableRandomsSequence() {
        SplittableRandom jdk = new SplittableRandom(-7);
        double[] expected = new double[1001];
        for (int i = 0; i < expected.length; i++) expected[i] = jdk.nextDouble();
        assertBits(expected, Standalone.uniform(expected.length, -7), "uniform");
        assertEquals(0, Standalone.uniform(0, 1).length);
    }

    @Test
    void normalIsThePolarMethodOnSplittableRandom() {
        SplittableRandom jdk = new SplittableRandom(42);
        double[] expected = new double[999];
        for (int i = 0; i < expected.length; i += 2) {
            double u, v, s;
            do {
                u = 2 * jdk.nextDouble() - 1;
                v = 2 * jdk.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double f = Math.sqrt(-2 * StrictMath.log(s) / s);
            expected[i] = u * f;
            if (i + 1 < expected.length) expected[i + 1] = v * f;
        }
        assertBits(expected, Standalone.normal(expected.length, 42), "normal");
        assertBits(Random.normal(new int[] {3, 333}, 42).data(), expected, "Random.normal");
    }
}
