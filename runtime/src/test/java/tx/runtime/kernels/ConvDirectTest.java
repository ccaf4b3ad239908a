package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The convolution and its gradients on the direct kernels ({@link ConvDirect}), against the
 * textbook loops written here, bit for bit, with fused steps ({@code Math.fma}) and with a multiply
 * then an add: every element summed from the bias (or 0) over (c, p, q) in order, dw over the batch
 * then the output positions in order, zeros read in the padding; dx as the sums over the output
 * channels added back tap by tap.
 */
class ConvDirectTest {
    private static double[] random(SplittableRandom r, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextDouble(-2, 2);
        return d;
    }

    private static double step(double acc, double a, double b, boolean fused) {
        return fused ? Math.fma(a, b, acc) : acc + a * b;
    }

    /** x at (b, channel, y, z) of [n, c, h, w], 0 outside the plane. */
    private static double at(double[] x, int[] xs, int b, int ch, int y, int z) {
        return y < 0 || y >= xs[2] || z < 0 || z >= xs[3] ? 0.0 : x[((b * xs[1] + ch) * xs[2] + y) * xs[3] + z];
    }

    private static int out(int n, int k, int s, int p, int d) {
        return (n + 2 * p - d * (k - 1) - 1) / s + 1;
    }

    private static double[] conv(double[] x, int[] xs, double[] w, int[] ws, double[] bias, int[] s, int[] p, int[] d, int groups, boolean fused) {
        int o = ws[0], cg = ws[1], og = o / groups, oh = out(xs[2], ws[2], s[0], p[0], d[0]), ow = out(xs[3], ws[3], s[1], p[1], d[1]);
        double[] y = new double[xs[0] * o * oh * ow];
        for (int b = 0, at = 0; b < xs[0]; b++) for (int f = 0; f < o; f++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++, at++) {
            double acc = bias == null ? 0.0 : bias[f];
            for (int c = 0; c < cg; c++) for (int a = 0; a < ws[2]; a++) for (int q = 0; q < ws[3]; q++) {
                double v = at(x, xs, b, f / og * cg + c, i * s[0] - p[0] + a * d[0], j * s[1] - p[1] + q * d[1]);
                acc = step(acc, w[((f * cg + c) * ws[2] + a) * ws[3] + q], v, fused);
            }
            y[at] = acc;
        }
        return y;
    }

    private static double[] weight(double[] x, int[] xs, double[] gy, int[] ws, int[] s, int[] p, int[] d, int groups, boolean fused) {
        int o = ws[0], cg = ws[1], og = o / groups, oh = out(xs[2], ws[2], s[0], p[0], d[0]), ow = out(xs[3], ws[3], s[1], p[1], d[1]);
        double[] dw = new double[o * cg * ws[2] * ws[3]];
        for (int f = 0, k = 0; f < o; f++) for (int c = 0; c < cg; c++) for (int a = 0; a < ws[2]; a++) for (int q = 0; q < ws[3]; q++, k++) {
            double acc = 0.0;
            for (int b = 0; b < xs[0]; b++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                double v = at(x, xs, b, f / og * cg + c, i * s[0] - p[0] + a * d[0], j * s[1] - p[1] + q * d[1]);
                acc = step(acc, gy[((b * o + f) * oh + i) * ow + j], v, fused);
            }
            dw[k] = acc;
        }
        return dw;
    }

    /** For each channel, tap and output position: the sum over the group's output channels from 0, added into the x element the tap read (none in the padding). */
    private static double[] input(double[] gy, double[] w, int[] ws, int[] xs, int[] s, int[] p, int[] d, int groups, boolean fused) {
        int o = ws[0], cg = ws[1], og = o / groups, oh = out(xs[2], ws[2], s[0], p[0], d[0]), ow = out(xs[3], ws[3], s[1], p[1], d[1]);
        double[] dx = new double[xs[0] * xs[1] * xs[2] * xs[3]];
        for (int b = 0; b < xs[0]; b++) for (int ch = 0; ch < xs[1]; ch++) for (int a = 0; a < ws[2]; a++) for (int q = 0; q < ws[3]; q++) {
            for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                double acc = 0.0;
                for (int f = ch / cg * og; f < (ch / cg + 1) * og; f++) acc = step(acc, w[((f * cg + ch % cg) * ws[2] + a) * ws[3] + q], gy[((b * o + f) * oh + i) * ow + j], fused);
                int y = i * s[0] - p[0] + a * d[0], z = j * s[1] - p[1] + q * d[1];
                if (y >= 0 && y < xs[2] && z >= 0 && z < xs[3]) dx[((b * xs[1] + ch) * xs[2] + y) * xs[3] + z] += acc;
            }
        }
        return dx;
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void theDirectKernelsGiveTheTextbookLoopsBitsInBothModes() {
        SplittableRandom r = new SplittableRandom(17);
        int[][] geometries = { // n, c, h, w, o, kh, kw, groups, then stride, padding, dilation (height, width)
            {16, 1, 28, 28, 6, 5, 5, 1, 1, 1, 0, 0, 1, 1},  // LeNet's first layer: 6 channels = 4 + 2, 3 vectors a row
            {16, 6, 12, 12, 16, 5, 5, 1, 1, 1, 0, 0, 1, 1}, // LeNet's second layer
            {2, 3, 11, 17, 7, 3, 5, 1, 1, 1, 1, 2, 1, 1},   // 7 channels = 4 + 2 + 1; rows of 17, not whole vectors; padding
            {3, 4, 13, 20, 6, 2, 6, 2, 2, 1, 0, 1, 2, 1},   // groups, a height stride and dilation; 3 channels a group
            {2, 2, 9, 30, 5, 3, 9, 1, 1, 2, 1, 0, 1, 1},    // taps of 9 (two vectors); a width stride (the gradient only)
            {3, 2, 1, 40, 4, 1, 7, 1, 1, 1, 0, 3, 1, 1},    // a 1-D one, as height 1
            {1, 1, 6, 12, 1, 2, 4, 1, 1, 1, 0, 0, 1, 1},    // one channel, one image
            {2, 3, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},    // the weight gradient's lanes: 8 channels, one vector; 27 taps, the last block made up
            {2, 4, 10, 13, 24, 3, 4, 2, 2, 1, 1, 0, 1, 2},  // 12 channels a group in two vectors (4 lanes unused); a stride, a dilation
            {3, 2, 8, 20, 20, 5, 2, 1, 1, 2, 0, 2, 1, 1},   // 20 channels: a pair of vectors and one; a width stride, padding
            {2, 2, 14, 16, 8, 3, 3, 1, 1, 1, 2, 1, 2, 2},   // dx's rows at stride 1 with a dilation: each row's taps every other kernel row
            {1, 2, 8, 9, 3, 2, 2, 1, 1, 1, 3, 3, 1, 1},     // padding past the kernel's reach: rows of dx that a tap row misses
        };
        int direct = 0, lanes = 0;
        for (boolean fused : new boolean[] {true, false}) {
            for (int[] g : geometries) {
                boolean oneD = g[2] == 1;
                int[] xs = {g[0], g[1], g[2], g[3]}, ws = {g[4], g[1] / g[7], g[5], g[6]};
                int[] xsT = oneD ? new int[] {g[0], g[1], g[3]} : xs, wsT = oneD ? new int[] {g[4], g[1] / g[7], g[6]} : ws;
                int[] s = {g[8], g[9]}, p = {g[10], g[11]}, d = {g[12], g[13]};
                double[] xd = random(r, Shapes.numel(xs)), wd = random(r, Shapes.numel(ws)), bd = random(r, g[4]);
                Conv.Geo geo = Conv.Geo.of(xsT, wsT, s, p, d, g[7]);
                String what = java.util.Arrays.toString(g) + (fused ? " fused" : " unfused");
                if (ConvDirect.forward(geo, s, p)) direct++;
                if (ConvDirect.weight(geo, p, d)) direct++;
                if (fused && ConvDirect.weight(geo, p, d) && ConvWeightLanes.better(geo)) lanes++;
                if (ConvDirect.input(geo)) direct++;
                Tensor y = Conv.conv(Tensor.of(xsT, xd), Tensor.of(wsT, wd), Tensor.of(new int[] {g[4]}, bd), s, p, d, g[7], fused);
                assertBits(conv(xd, xs, wd, ws, bd, s, p, d, g[7], fused), y.data(), "conv " + what);
                assertBits(conv(xd, xs, wd, ws, null, s, p, d, g[7], fused), Conv.conv(Tensor.of(xsT, xd), Tensor.of(wsT, wd), null, s, p, d, g[7], fused).data(), "conv without bias " + what);
                double[] gy = random(r, y.size());
                assertBits(weight(xd, xs, gy, ws, s, p, d, g[7], fused), Conv.convWeight(Tensor.of(xsT, xd), Tensor.of(y.shape(), gy), wsT, s, p, d, g[7], fused).data(), "weight " + what);
                assertBits(input(gy, wd, ws, xs, s, p, d, g[7], fused), Conv.convInput(Tensor.of(y.shape(), gy), Tensor.of(wsT, wd), xsT, s, p, d, g[7], fused).data(), "input " + what);
            }
        }
        if (Vectorized.AVAILABLE) assertTrue(lanes == 5, "the channel lanes took " + lanes + " of 5 weight gradients");
        if (Vectorized.AVAILABLE) assertTrue(direct >= 38, "the direct kernels took " + direct + " of 72 products"); // not the other paths alone
    }

    @Test
    void theChannelLanesAndTheCompactPatchesGiveTheTextbookBitsAtNanInfAndZeros() {
        SplittableRandom r = new SplittableRandom(29);
        int[] xs = {16, 6, 12, 12}, ws = {16, 6, 5, 5}, one = {1, 1}, zero = {0, 0}; // LeNet's second layer
        double[] x = random(r, Shapes.numel(xs)), gy = random(r, 16 * 16 * 8 * 8);
        x[0] = Double.POSITIVE_INFINITY;     // times gy: ±inf in the taps that read it, nan where gy is 0
        x[200] = Double.NaN;
        x[301] = -0.0;
        x[302] = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 64; i++) gy[5 * 64 + i] = 0.0;  // channel 5 of the first image: 0 · inf = nan
        for (int i = 0; i < 64; i++) gy[7 * 64 + i] = -0.0; // and -0
        Conv.Geo geo = Conv.Geo.of(xs, ws, one, zero, one, 1);
        assertTrue(!Vectorized.AVAILABLE || ConvWeightLanes.better(geo) && ConvDirect.weight(geo, zero, one), "the channel lanes");
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 3}) {
                Parallel.setThreads(threads);
                for (boolean fused : new boolean[] {true, false}) {
                    double[] dw = Conv.convWeight(Tensor.of(xs, x), Tensor.of(new int[] {16, 16, 8, 8}, gy), ws, one, zero, one, 1, fused).data();
                    assertBits(weight(x, xs, gy, ws, one, zero, one, 1, fused), dw, "weight" + (fused ? " fused" : " unfused") + ", threads " + threads);
                    assertTrue(Double.isNaN(dw[5 * 150]), "0 · inf in channel 5's first tap");
                    double[] w = random(r, Shapes.numel(ws));
                    w[3] = Double.POSITIVE_INFINITY; // output channel 0's tap (0, 3) of input channel 0: never multiplied where it reads no position
                    w[160] = Double.NaN;              // output channel 1's tap (2, 0) of input channel 0
                    w[161] = -0.0;
                    double[] dx = Conv.convInput(Tensor.of(new int[] {16, 16, 8, 8}, gy), Tensor.of(ws, w), xs, one, zero, one, 1, fused).data();
                    assertBits(input(gy, w, ws, xs, one, zero, one, 1, fused), dx, "input" + (fused ? " fused" : " unfused") + ", threads " + threads);
                    assertTrue(Double.isInfinite(dx[3]) && Double.isNaN(dx[24]), "x's (0, 3) takes tap (0, 3), (2, 0) takes tap (2, 0)");
                    assertTrue(Double.isFinite(dx[0]) && Double.isFinite(dx[23]), "(0, 0) takes tap (0, 0) only, (1, 11) no tap (0, 3) nor (2, 0)");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theSameBitsOnOneThreadAndOnThree() {
        SplittableRandom r = new SplittableRandom(23);
        int[] xs = {5, 2, 10, 19}, ws = {6, 2, 3, 5}, s = {1, 1}, p = {1, 1}, d = {1, 1};
        Tensor x = Tensor.of(xs, random(r, Shapes.numel(xs))), w = Tensor.of(ws, random(r, Shapes.numel(ws))), b = Tensor.of(new int[] {6}, random(r, 6));
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor y1 = Conv.conv(x, w, b, s, p, d, 1);
            Tensor gy = Tensor.of(y1.shape(), random(r, y1.size()));
            Tensor dw1 = Conv.convWeight(x, gy, ws, s, p, d, 1), dx1 = Conv.convInput(gy, w, xs, s, p, d, 1);
            Parallel.setThreads(3);
            assertBits(dx1.data(), Conv.convInput(gy, w, xs, s, p, d, 1).data(), "input");
            assertBits(y1.data(), Conv.conv(x, w, b, s, p, d, 1).data(), "conv");
            assertBits(dw1.data(), Conv.convWeight(x, gy, ws, s, p, d, 1).data(), "weight");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void anInfWeightTimesThePaddingIsNanOnTheDirectPathToo() {
        // F.conv2d(ones(1, 1, 1, 12), tensor([[[[inf, 1.]]]]), padding=(0, 1)) = [nan, inf, ..., inf] (13 outputs)
        Tensor x = Tensor.of(new int[] {1, 1, 1, 12}, new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        Tensor w = Tensor.of(new int[] {1, 1, 1, 2}, new double[] {Double.POSITIVE_INFINITY, 1});
        int[] one = {1, 1}, pad = {0, 1};
        assertTrue(!Vectorized.AVAILABLE || ConvDirect.forward(Conv.Geo.of(x.shapeRef(), w.shapeRef(), one, pad, one, 1), one, pad), "the direct path");
        double[] y = Conv.conv(x, w, null, one, pad, one, 1).data();
        assertEquals(13, y.length);
        assertTrue(Double.isNaN(y[0]), "nan at 0, got " + y[0]);
        for (int j = 1; j < 13; j++) assertEquals(Double.POSITIVE_INFINITY, y[j], "at " + j);
    }
}
