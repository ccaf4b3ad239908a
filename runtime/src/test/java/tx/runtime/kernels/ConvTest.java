package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The convolution kernels (im2col and the GEMM) against the direct loops that emitted Java runs
 * ({@link Standalone}), bit for bit with the GEMM's steps unfused; and max pooling's choices at
 * ties, nan and -inf, and a convolution's nan where an inf weight meets the padding, as PyTorch 1.13
 * gives them (the expected numbers were printed by torch.nn.functional on float64 tensors).
 */
class ConvTest {
    private static double[] random(SplittableRandom r, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextDouble(-2, 2);
        return d;
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void im2colAndTheGemmGiveTheDirectLoopsBits() {
        SplittableRandom r = new SplittableRandom(5);
        int[][] geometries = { // n, c, h, w, o, kh, kw, groups, then stride, padding, dilation (height, width)
            {2, 3, 12, 12, 8, 3, 3, 1, 1, 1, 0, 0, 1, 1}, // large enough for the vectorised GEMM
            {1, 4, 9, 7, 6, 2, 3, 2, 2, 1, 1, 2, 2, 1},
            {3, 2, 1, 11, 4, 1, 3, 1, 1, 2, 0, 1, 1, 2},  // a 1-D one, as height 1
            {16, 6, 12, 12, 16, 5, 5, 1, 1, 1, 0, 0, 1, 1}, // LeNet's second layer
            {16, 1, 28, 28, 6, 5, 5, 1, 1, 1, 0, 0, 1, 1}, // LeNet's first layer: fewer output channels than a panel of rows
        };
        for (int[] g : geometries) {
            boolean oneD = g[2] == 1;
            int[] xs = oneD ? new int[] {g[0], g[1], g[3]} : new int[] {g[0], g[1], g[2], g[3]};
            int[] ws = oneD ? new int[] {g[4], g[1] / g[7], g[6]} : new int[] {g[4], g[1] / g[7], g[5], g[6]};
            int[] s = {g[8], g[9]}, p = {g[10], g[11]}, d = {g[12], g[13]};
            Tensor x = Tensor.of(xs, random(r, Shapes.numel(xs))), w = Tensor.of(ws, random(r, Shapes.numel(ws))), b = Tensor.of(new int[] {g[4]}, random(r, g[4]));
            Tensor y = Conv.conv(x, w, b, s, p, d, g[7], false);
            String what = java.util.Arrays.toString(g);
            assertBits(StandaloneWindows.conv(x.data(), xs, w.data(), ws, b.data(), s, p, d, g[7]), y.data(), "conv " + what);
            Tensor gy = Tensor.of(y.shape(), random(r, y.size()));
            assertBits(StandaloneWindows.convInput(gy.data(), w.data(), ws, xs, s, p, d, g[7]), Conv.convInput(gy, w, xs, s, p, d, g[7], false).data(), "input " + what);
            assertBits(StandaloneWindows.convWeight(x.data(), xs, gy.data(), ws, s, p, d, g[7]), Conv.convWeight(x, gy, ws, s, p, d, g[7], false).data(), "weight " + what);
        }
    }

    /** The patches of batch element b as a [c · kh · kw, oh · ow] matrix, written here as the textbook im2col (one group, 2-D). */
    private static double[] patches(double[] x, int[] xs, int[] ws, int[] s, int[] p, int oh, int ow, int b) {
        int c = xs[1], h = xs[2], w = xs[3], kh = ws[2], kw = ws[3], px = oh * ow;
        double[] cols = new double[c * kh * kw * px];
        for (int ch = 0; ch < c; ch++) for (int a = 0; a < kh; a++) for (int q = 0; q < kw; q++) {
            int row = (ch * kh + a) * kw + q;
            for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                int y = i * s[0] - p[0] + a, xx = j * s[1] - p[1] + q;
                cols[row * px + i * ow + j] = y < 0 || y >= h || xx < 0 || xx >= w ? 0 : x[((b * c + ch) * h + y) * w + xx];
            }
        }
        return cols;
    }

    /**
     * With fused steps too, the kernels (which pack the weight once per batch and the patches
     * straight into the GEMM's layouts where the sizes allow) give the bits of the plain im2col
     * followed by the GEMM on the unpacked operands: y = b + w · cols, dcols = wᵀ · gy, dw = Σ_b gy · colsᵀ.
     */
    @Test
    void packedPatchesAndWeightsGiveTheUnpackedProductsBits() {
        SplittableRandom r = new SplittableRandom(9);
        int[][] geometries = {{16, 6, 12, 12, 16, 5, 5, 0}, {2, 3, 12, 12, 8, 3, 3, 1}, {3, 4, 10, 9, 12, 3, 2, 2}}; // n, c, h, w, o, kh, kw, padding
        for (boolean fused : new boolean[] {true, false}) {
            for (int[] g : geometries) {
                int[] xs = {g[0], g[1], g[2], g[3]}, ws = {g[4], g[1], g[5], g[6]}, s = {1, 1}, p = {g[7], g[7]}, d = {1, 1};
                int oh = g[2] + 2 * g[7] - g[5] + 1, ow = g[3] + 2 * g[7] - g[6] + 1, px = oh * ow, k = g[1] * g[5] * g[6], o = g[4];
                Tensor x = Tensor.of(xs, random(r, Shapes.numel(xs))), w = Tensor.of(ws, random(r, Shapes.numel(ws))), b = Tensor.of(new int[] {o}, random(r, o));
                Tensor gy = Tensor.of(new int[] {g[0], o, oh, ow}, random(r, g[0] * o * px));
                double[] y = new double[g[0] * o * px], dcols = new double[g[0] * k * px], dwT = new double[k * o], dw = new double[o * k];
                for (int n = 0; n < g[0]; n++) {
                    double[] cols = patches(x.data(), xs, ws, s, p, oh, ow, n);
                    for (int f = 0; f < o; f++) java.util.Arrays.fill(y, (n * o + f) * px, (n * o + f + 1) * px, b.data()[f]);
                    LinAlg.multiplyInto(w.data(), 0, k, 1, cols, 0, px, 1, y, n * o * px, o, k, px, fused);
                    LinAlg.multiplyInto(w.data(), 0, 1, k, gy.data(), n * o * px, px, 1, dcols, n * k * px, k, o, px, fused);
                    LinAlg.multiplyInto(cols, 0, px, 1, gy.data(), n * o * px, 1, px, dwT, 0, k, px, o, fused);
                }
                for (int q = 0; q < k; q++) for (int f = 0; f < o; f++) dw[f * k + q] = dwT[q * o + f];
                String what = java.util.Arrays.toString(g) + (fused ? " fused" : " unfused");
                assertBits(y, Conv.conv(x, w, b, s, p, d, 1, fused).data(), "conv " + what);
                assertBits(dw, Conv.convWeight(x, gy, ws, s, p, d, 1, fused).data(), "weight " + what);
                double[] dx = Conv.convInput(gy, w, xs, s, p, d, 1, fused).data(), dxRef = new double[dx.length];
                for (int n = 0; n < g[0]; n++) { // col2im of the reference's columns, in the kernel's order
                    for (int ch = 0; ch < g[1]; ch++) for (int a = 0; a < g[5]; a++) for (int q = 0; q < g[6]; q++) {
                        int row = (ch * g[5] + a) * g[6] + q;
                        for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                            int yy = i - p[0] + a, xx = j - p[1] + q;
                            if (yy >= 0 && yy < g[2] && xx >= 0 && xx < g[3]) dxRef[((n * g[1] + ch) * g[2] + yy) * g[3] + xx] += dcols[(n * k + row) * px + i * ow + j];
                        }
                    }
                }
                assertBits(dxRef, dx, "input " + what);
            }
        }
    }

    @Test
    void anInfWeightTimesThePaddingIsNanAsInPyTorch() {
        // F.conv1d(ones(1, 1, 3), tensor([[[inf, 1.]]]), padding=1) = [[[nan, inf, inf, inf]]]
        Tensor y = Conv.conv(Tensor.of(new int[] {1, 1, 3}, new double[] {1, 1, 1}), Tensor.of(new int[] {1, 1, 2}, new double[] {Double.POSITIVE_INFINITY, 1}),
                null, new int[] {1, 1}, new int[] {0, 1}, new int[] {1, 1}, 1);
        assertArrayEquals(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}, y.data());
    }

    private static Tensor row(double... v) {
        return Tensor.of(new int[] {1, 1, v.length}, v);
    }

    @Test
    void maxPoolingPicksThePyTorchElement() {
        int[] one = {1, 1}, none = {0, 0};
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        // ties: the first maximum. F.max_pool1d(tensor([[[2., 2., 1., 2.]]]), 2, 1): values [2, 2, 2], gradient [1, 1, 0, 1]
        Tensor x = row(2, 2, 1, 2);
        int[] k2 = {1, 2};
        assertArrayEquals(new double[] {2, 2, 2}, Conv.maxPool(x, x, k2, one, none, one, false).data());
        assertArrayEquals(new double[] {1, 1, 0, 1}, Conv.maxUnpool(x, row(1, 1, 1), k2, one, none, one, false).data());
        // nan: it is the maximum, and the last nan gets the gradient. max_pool1d([1, nan, 3, nan], 4): nan, gradient [0, 0, 0, 1]
        x = row(1, nan, 3, nan);
        int[] k4 = {1, 4};
        assertArrayEquals(new double[] {nan}, Conv.maxPool(x, x, k4, k4, none, one, false).data());
        assertArrayEquals(new double[] {0, 0, 0, 1}, Conv.maxUnpool(x, row(1), k4, k4, none, one, false).data());
        // all -inf, padded: the window's first element in x. max_pool1d(full(3, -inf), 2, 1, padding=1): gradient [2, 1, 1]
        x = row(-inf, -inf, -inf);
        int[] pad = {0, 1};
        assertArrayEquals(new double[] {-inf, -inf, -inf, -inf}, Conv.maxPool(x, x, k2, one, pad, one, false).data());
        assertArrayEquals(new double[] {2, 1, 1}, Conv.maxUnpool(x, row(1, 1, 1, 1), k2, one, pad, one, false).data());
    }
}
