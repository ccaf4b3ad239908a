package tx.compiler.fuzz;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/** Small helpers for static shapes (int arrays) and for writing numbers as tx source. */
final class Shape {
    private Shape() {}

    static final int[] SCALAR = {};

    static int numel(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    /** {@code [2, 3]}: the shape as a tx list, for {@code zeros([2, 3])} and {@code x.shape}. */
    static String list(int[] s) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) sb.append(i == 0 ? "" : ", ").append(s[i]);
        return sb.append(']').toString();
    }

    /** {@code 2, 3}: the shape as call arguments, for {@code zeros(2, 3)} and {@code x.reshape(2, 3)}. */
    static String args(int[] s) {
        String l = list(s);
        return l.substring(1, l.length() - 1);
    }

    static int[] insert(int[] s, int at, int size) {
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == at ? size : s[j++];
        return out;
    }

    static int[] remove(int[] s, int at) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != at) out[j++] = s[i];
        return out;
    }

    static int[] with(int[] s, int at, int size) {
        int[] out = s.clone();
        out[at] = size;
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** NumPy broadcasting of two shapes, or null. */
    static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i < n - a.length ? 1 : a[i - (n - a.length)], y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) return null;
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** A random shape of rank 0 to maxRank with at most maxNumel elements, dimensions 1 to 4. */
    static int[] random(SplittableRandom rnd, int maxRank, int maxNumel) {
        int rank = rnd.nextInt(maxRank + 1);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            int room = maxNumel / Math.max(1, numel(Arrays.copyOf(s, i)));
            s[i] = 1 + rnd.nextInt(Math.max(1, Math.min(4, room)));
        }
        return numel(s) <= maxNumel ? s : new int[] {Math.min(maxNumel, 3)};
    }

    /** A random shape with exactly n elements and rank 1 to 3 (different from {@code avoid} if possible). */
    static int[] withNumel(SplittableRandom rnd, int n, int[] avoid) {
        if (n == 0) { // an empty tensor: a 0 somewhere
            int[] s = {1 + rnd.nextInt(3), 0, 1 + rnd.nextInt(3)};
            s = java.util.Arrays.copyOfRange(s, rnd.nextInt(2), 2 + rnd.nextInt(2));
            return java.util.Arrays.equals(s, avoid) ? new int[] {0} : s;
        }
        for (int attempt = 0; attempt < 6; attempt++) {
            int rank = 1 + rnd.nextInt(3);
            int[] s = new int[rank];
            int left = n;
            for (int i = 0; i < rank - 1; i++) {
                int rest = left;
                int[] divisors = java.util.stream.IntStream.rangeClosed(1, rest).filter(d -> rest % d == 0).toArray();
                s[i] = divisors[rnd.nextInt(divisors.length)];
                left /= s[i];
            }
            s[rank - 1] = left;
            if (!Arrays.equals(s, avoid)) return s;
        }
        return new int[] {n};
    }

    /** A number as tx source that reads back as exactly {@code v}; negative numbers are parenthesised. */
    static String num(double v) {
        double a = Math.abs(v);
        String t = a == Math.rint(a) && a < 1e6 ? Long.toString((long) a) : Double.toString(a); // Double.toString round-trips
        return v < 0 || (v == 0 && 1 / v < 0) ? "(-" + t + ")" : t;
    }

    /**
     * A tensor literal's element: like {@link #fnum} but negated without parentheses, as literals
     * require. With a point, since the generated tensors are float64 (whole numbers alone make int64).
     */
    static String element(double v) {
        String t = fnum(Math.abs(v));
        return v < 0 || (v == 0 && 1 / v < 0) ? "-" + t : t;
    }

    /** As {@link #num}, but a whole number gets a point ({@code 2.0}): a float, for constructors whose dtype follows their numbers. */
    static String fnum(double v) {
        String t = num(v);
        return t.matches("\\(?-?\\d+\\)?") ? t.replaceAll("(\\d+)", "$1.0") : t;
    }

    /** The nested-list literal of row-major data of the given shape: {@code [[1, 2], [3, 4]]}, or {@code 2.5}. */
    static String literal(int[] shape, double[] data) {
        StringBuilder sb = new StringBuilder();
        literal(shape, data, 0, 0, sb);
        return sb.toString();
    }

    private static int literal(int[] shape, double[] data, int dim, int at, StringBuilder sb) {
        if (dim == shape.length) {
            sb.append(element(data[at]));
            return at + 1;
        }
        sb.append('[');
        for (int i = 0; i < shape[dim]; i++) {
            if (i > 0) sb.append(", ");
            at = literal(shape, data, dim + 1, at, sb);
        }
        sb.append(']');
        return at;
    }

    /** Like {@link #random}, but sometimes with a dimension of size 0 (an empty tensor). */
    static int[] randomMaybeEmpty(SplittableRandom rnd, int maxRank, int maxNumel) {
        int[] s = random(rnd, maxRank, maxNumel);
        if (s.length > 0 && rnd.nextInt(4) == 0) s[rnd.nextInt(s.length)] = 0;
        return s;
    }

    /** A "nice" random value in [-2, 2]: quarters, tenths or hundredths, so programs read well. */
    static double niceValue(SplittableRandom rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> (rnd.nextInt(17) - 8) / 4.0;
            case 1 -> (rnd.nextInt(41) - 20) / 10.0;
            default -> Double.parseDouble(String.format(Locale.ROOT, "%.2f", rnd.nextDouble(-2, 2)));
        };
    }
}
