package tx.runtime.kernels;

/**
 * The standalone kernels of the convolution and pooling primitives: the same rules as
 * {@link Standalone}'s (whose Javadoc gives them), in a file of their own. The Java emitter reads
 * this file after Standalone.java, as one source (see the compiler's {@code JavaKernels}), so a
 * kernel here may need one there and the other way round; both files are resources of the
 * runtime jar (runtime/pom.xml). {@link Conv} calls these kernels where the interpreter's fast
 * path does not apply, and {@code ConvTest} compares the two bit for bit.
 */
final class StandaloneWindows {
    private StandaloneWindows() {}

    // kernel: convOut
    /**
     * The length of a convolution's or pooling's output along one axis of length n: PyTorch's
     * {@code (n + 2p - d (k - 1) - 1) / s + 1}, rounded down, or up with ceil (then one less if the
     * last window would start in the right padding); below 1 when the window does not fit.
     */
    static int convOut(int n, int k, int s, int p, int d, boolean ceil) {
        int span = n + 2 * p - d * (k - 1) - 1;
        if (span < 0) return 0;
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= n + p) o--;
        return o;
    }

    // kernel: conv needs convOut
    /**
     * PyTorch's convolution (a cross-correlation) of x [n, c, h, w] by w [o, c / groups, kh, kw] (or of
     * [n, c, w] by [o, c / groups, kw], as height 1; the geometry's first entries are then 1, 0, 1),
     * plus bias (or null): {@code y[b, f, i, j] = bias[f] + sum_{c, p, q} w[f, c, p, q] x[b, c', i s - pad + p d, j s' - pad' + q d']},
     * summed in that order from the bias, c' the channel c of f's group; outside x it reads zeros
     * (and multiplies by them, so an inf weight there gives nan, as PyTorch's im2col).
     */
    static double[] conv(double[] x, int[] xs, double[] w, int[] ws, double[] bias, int[] stride, int[] pad, int[] dil, int groups) {
        int r = xs.length, n = xs[0], c = xs[1], h = r == 4 ? xs[2] : 1, wd = xs[r - 1];
        int o = ws[0], cg = ws[1], kh = r == 4 ? ws[2] : 1, kw = ws[r - 1], og = o / groups;
        int oh = convOut(h, kh, stride[0], pad[0], dil[0], false), ow = convOut(wd, kw, stride[1], pad[1], dil[1], false);
        double[] out = new double[n * o * oh * ow];
        for (int b = 0, at = 0; b < n; b++) {
            for (int f = 0; f < o; f++) {
                int base = (b * c + f / og * cg) * h * wd;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++, at++) {
                        double acc = bias == null ? 0.0 : bias[f];
                        for (int ci = 0, k = f * cg * kh * kw; ci < cg; ci++) {
                            for (int p = 0; p < kh; p++) {
                                int y = i * stride[0] - pad[0] + p * dil[0];
                                for (int q = 0; q < kw; q++, k++) {
                                    int z = j * stride[1] - pad[1] + q * dil[1];
                                    acc += w[k] * (y >= 0 && y < h && z >= 0 && z < wd ? x[base + (ci * h + y) * wd + z] : 0.0);
                                }
                            }
                        }
                        out[at] = acc;
                    }
                }
            }
        }
        return out;
    }

    // kernel: convInput needs convOut
    /**
     * The input gradient of {@link #conv} (a transposed convolution): dx of shape xs from gy and w.
     * For each input channel c, kernel tap (p, q) and output position (i, j), the sum over the
     * group's output channels f of w[f, c, p, q] gy[b, f, i, j], from 0, is added into the x element
     * that tap read, in that order (PyTorch's col2im of w^T gy); taps in the padding add nothing.
     */
    static double[] convInput(double[] gy, double[] w, int[] ws, int[] xs, int[] stride, int[] pad, int[] dil, int groups) {
        int r = xs.length, n = xs[0], c = xs[1], h = r == 4 ? xs[2] : 1, wd = xs[r - 1];
        int o = ws[0], cg = ws[1], kh = r == 4 ? ws[2] : 1, kw = ws[r - 1], og = o / groups;
        int oh = convOut(h, kh, stride[0], pad[0], dil[0], false), ow = convOut(wd, kw, stride[1], pad[1], dil[1], false);
        double[] dx = new double[n * c * h * wd];
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                for (int ci = 0; ci < cg; ci++) {
                    int base = (b * c + g * cg + ci) * h * wd;
                    for (int p = 0; p < kh; p++) {
                        for (int q = 0; q < kw; q++) {
                            for (int i = 0; i < oh; i++) {
                                int y = i * stride[0] - pad[0] + p * dil[0];
                                for (int j = 0; j < ow; j++) {
                                    int z = j * stride[1] - pad[1] + q * dil[1];
                                    double s = 0.0;
                                    for (int f = g * og; f < (g + 1) * og; f++) {
                                        s += w[((f * cg + ci) * kh + p) * kw + q] * gy[((b * o + f) * oh + i) * ow + j];
                                    }
                                    if (y >= 0 && y < h && z >= 0 && z < wd) dx[base + y * wd + z] += s;
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    // kernel: convWeight needs convOut
    /**
     * The weight gradient of {@link #conv} (a correlation of x with gy): dw of shape ws,
     * {@code dw[f, c, p, q] = sum_b sum_{i, j} gy[b, f, i, j] x[b, c', i s - pad + p d, j s' - pad' + q d']},
     * summed over the batch, then the output positions, in order (zeros outside x, multiplied too).
     */
    static double[] convWeight(double[] x, int[] xs, double[] gy, int[] ws, int[] stride, int[] pad, int[] dil, int groups) {
        int r = xs.length, n = xs[0], c = xs[1], h = r == 4 ? xs[2] : 1, wd = xs[r - 1];
        int o = ws[0], cg = ws[1], kh = r == 4 ? ws[2] : 1, kw = ws[r - 1], og = o / groups;
        int oh = convOut(h, kh, stride[0], pad[0], dil[0], false), ow = convOut(wd, kw, stride[1], pad[1], dil[1], false);
        double[] dw = new double[o * cg * kh * kw];
        for (int b = 0; b < n; b++) {
            for (int f = 0, k = 0; f < o; f++) {
                int base = (b * c + f / og * cg) * h * wd;
                for (int ci = 0; ci < cg; ci++) {
                    for (int p = 0; p < kh; p++) {
                        for (int q = 0; q < kw; q++, k++) {
                            double acc = dw[k];
                            for (int i = 0; i < oh; i++) {
                                int y = i * stride[0] - pad[0] + p * dil[0];
                                for (int j = 0; j < ow; j++) {
                                    int z = j * stride[1] - pad[1] + q * dil[1];
                                    acc += gy[((b * o + f) * oh + i) * ow + j] * (y >= 0 && y < h && z >= 0 && z < wd ? x[base + (ci * h + y) * wd + z] : 0.0);
                                }
                            }
                            dw[k] = acc;
                        }
                    }
                }
            }
        }
        return dw;
    }

    // kernel: poolArgmax
    /**
     * Where in the plane at base (h by wd) the max pooling window of output (i, j) takes its value, or
     * -1 for a window with no element: PyTorch's rule, the first maximum in row-major order, except
     * that every nan takes it over (so the last nan wins), and the first element if all are -inf.
     */
    static int poolArgmax(double[] x, int base, int h, int wd, int i, int j, int[] k, int[] s, int[] p, int[] d) {
        int y0 = i * s[0] - p[0], y1 = Math.min(y0 + (k[0] - 1) * d[0] + 1, h);
        int z0 = j * s[1] - p[1], z1 = Math.min(z0 + (k[1] - 1) * d[1] + 1, wd);
        while (y0 < 0) y0 += d[0];
        while (z0 < 0) z0 += d[1];
        if (y0 >= y1 || z0 >= z1) return -1;
        int at = y0 * wd + z0;
        double best = Double.NEGATIVE_INFINITY;
        for (int y = y0; y < y1; y += d[0]) {
            for (int z = z0; z < z1; z += d[1]) {
                double v = x[base + y * wd + z];
                if (v > best || Double.isNaN(v)) {
                    best = v;
                    at = y * wd + z;
                }
            }
        }
        return at;
    }

    // kernel: maxPool needs convOut, poolArgmax
    /**
     * Max pooling of x (shape [n, c, h, w], or [n, c, w] as height 1) that reads its values from v (of
     * x's shape): each window's output is v where x is largest ({@link #poolArgmax}; -inf for a window
     * with no element). With v = x it is max_pool; with v a tangent or an adjoint, its derivative.
     */
    static double[] maxPool(double[] x, double[] v, int[] shape, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        int r = shape.length, planes = shape[0] * shape[1], h = r == 4 ? shape[2] : 1, wd = shape[r - 1];
        int oh = convOut(h, k[0], s[0], p[0], d[0], ceil), ow = convOut(wd, k[1], s[1], p[1], d[1], ceil);
        double[] out = new double[planes * oh * ow];
        for (int c = 0, at = 0; c < planes; c++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++, at++) {
                    int m = poolArgmax(x, c * h * wd, h, wd, i, j, k, s, p, d);
                    out[at] = m < 0 ? Double.NEGATIVE_INFINITY : v[c * h * wd + m];
                }
            }
        }
        return out;
    }

    // kernel: maxUnpool needs convOut, poolArgmax
    /** The adjoint of {@link #maxPool} in v: each window's g added where x is largest in it, in output order; zeros elsewhere. */
    static double[] maxUnpool(double[] x, double[] g, int[] shape, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        int r = shape.length, planes = shape[0] * shape[1], h = r == 4 ? shape[2] : 1, wd = shape[r - 1];
        int oh = convOut(h, k[0], s[0], p[0], d[0], ceil), ow = convOut(wd, k[1], s[1], p[1], d[1], ceil);
        double[] out = new double[x.length];
        for (int c = 0, at = 0; c < planes; c++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++, at++) {
                    int m = poolArgmax(x, c * h * wd, h, wd, i, j, k, s, p, d);
                    if (m >= 0) out[c * h * wd + m] += g[at];
                }
            }
        }
        return out;
    }
}
