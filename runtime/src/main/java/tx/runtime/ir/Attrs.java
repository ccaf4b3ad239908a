package tx.runtime.ir;

import java.util.Arrays;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/** The static attributes of primitives. Each is immutable; arrays are never modified after construction. */
public final class Attrs {
    private Attrs() {}

    /** Axes to reduce (sorted, distinct, non-negative) and whether to keep them as size 1. */
    public record Reduce(int[] axes, boolean keepdim) {
        @Override public String toString() { return "axes=" + Arrays.toString(axes) + (keepdim ? ", keepdim" : ""); }
    }

    /** A permutation of the axes: out.shape[i] = in.shape[perm[i]]. */
    public record Perm(int[] perm) {
        @Override public String toString() { return "perm=" + Arrays.toString(perm); }
    }

    /** A target shape (reshape, expand). */
    public record ShapeAttr(int[] shape) {
        @Override public String toString() { return "shape=" + Shapes.show(shape); }
    }

    /** A strided box per axis: start inclusive, stop exclusive, step >= 1, all normalised. */
    public record Slice(int[] start, int[] stop, int[] step) {
        @Override public String toString() {
            return "start=" + Arrays.toString(start) + ", stop=" + Arrays.toString(stop) + ", step=" + Arrays.toString(step);
        }
    }

    /** The adjoint of a slice: place the input at start + k*step inside zeros of {@code shape}. */
    public record Pad(int[] shape, int[] start, int[] step) {
        @Override public String toString() {
            return "shape=" + Shapes.show(shape) + ", start=" + Arrays.toString(start) + ", step=" + Arrays.toString(step);
        }
    }

    /** The adjoint of a run-time index: a tensor of {@code shape} that is zero but at one position along {@code axis}. */
    public record Put(int[] shape, int axis) {
        @Override public String toString() { return "shape=" + Shapes.show(shape) + ", axis=" + axis; }
    }

    /**
     * A window of a run-time start {@code i} along an axis: {@code x[..., i : i + (length-1)*step + 1 : step, ...]},
     * its length fixed at compile time (JAX's {@code dynamic_slice}, with a step).
     */
    public record Window(int axis, int length, int step) {
        @Override public String toString() { return "axis=" + axis + ", length=" + length + ", step=" + step; }
    }

    /** The adjoint of a window: zeros of {@code shape} with the input placed at the run-time start, every step-th position along the axis. */
    public record WindowPad(int[] shape, int axis, int step) {
        @Override public String toString() { return "shape=" + Shapes.show(shape) + ", axis=" + axis + ", step=" + step; }
    }

    /**
     * Which operands of a product are read transposed: {@code op(a) @ op(b)}, where {@code op(x)}
     * swaps x's last two axes when its flag is set. The GEMM reads such an operand in place, so no
     * transposed copy is made. A product with neither flag has no attribute (null): {@link #of}.
     */
    public record Matmul(boolean transA, boolean transB) {
        private static final Matmul NONE = new Matmul(false, false);

        /** The attribute of {@code op(a) @ op(b)}: null when neither operand is transposed. */
        public static Matmul of(boolean transA, boolean transB) {
            return transA || transB ? new Matmul(transA, transB) : null;
        }

        /** The flags of a product's attribute (null: neither); an attribute of another kind is an IllegalArgumentException. */
        public static Matmul flags(Object attr) {
            if (attr == null) return NONE;
            if (attr instanceof Matmul m) return m;
            throw new IllegalArgumentException("a product's attribute is `" + attr + "`, not its operands' transposes");
        }

        @Override public String toString() {
            return transA && transB ? "transA, transB" : transA ? "transA" : transB ? "transB" : "";
        }
    }

    /** One axis (concatenation). */
    public record Axis(int axis) {
        @Override public String toString() { return "axis=" + axis; }
    }

    /**
     * The name PyTorch's run-time errors give a primitive's function, where two spellings share
     * one kernel ({@code linalg.cholesky} for cholesky); a primitive without it has its own name.
     */
    public record Spelling(String name) {
        @Override public String toString() { return name; }
    }

    /** A triangular solve's matrix: its upper or lower triangle, and whether its diagonal is taken as ones. */
    public record Triangle(boolean upper, boolean unit) {
        @Override public String toString() { return (upper ? "upper" : "lower") + (unit ? ", unit" : ""); }
    }

    /** Which output of a factorisation with several a primitive gives (eigh's eigenvalues, svd's U), by index and name. */
    public record Part(int index, String name) {
        @Override public String toString() { return name; }
    }

    /** Several axes, distinct and normalised, in the order given (flip). */
    public record Axes(int[] axes) {
        @Override public String toString() { return "axes=" + Arrays.toString(axes); }
    }

    /**
     * A convolution's geometry over two spatial axes (height, width; a 1-D convolution has height 1,
     * so its first entries are stride 1, padding 0, dilation 1): PyTorch's {@code stride},
     * {@code padding} (zeros on both sides), {@code dilation} and {@code groups}. {@code size} is the
     * spatial size of the result where the operands do not fix it: the input's for the input gradient
     * (conv_input), the kernel's for the weight gradient (conv_weight); null for the convolution.
     */
    public record Conv(int[] stride, int[] padding, int[] dilation, int groups, int[] size) {
        /** The same geometry with another result size. */
        public Conv sized(int[] s) { return new Conv(stride, padding, dilation, groups, s); }
        @Override public String toString() {
            return "stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation)
                    + ", groups=" + groups + (size == null ? "" : ", size=" + Arrays.toString(size));
        }
    }

    /**
     * A max pooling's windows over two spatial axes (a 1-D pooling has height 1, kernel 1): PyTorch's
     * {@code kernel_size}, {@code stride}, {@code padding} (never chosen: as -inf), {@code dilation}
     * and {@code ceil_mode}.
     */
    public record Pool(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceil) {
        @Override public String toString() {
            return "kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                    + ", dilation=" + Arrays.toString(dilation) + (ceil ? ", ceil_mode" : "");
        }
    }

    /** A constant tensor of a dtype (its values already of that dtype: whole numbers for int64, 0 and 1 for bool). */
    public record Const(Tensor value, DType dtype) {
        /** A float64 constant. */
        public Const(Tensor value) {
            this(value, DType.FLOAT64);
        }

        @Override public String toString() {
            String shown = value.size() == 1 ? Double.toString(value.data()[0]) : "const" + Shapes.show(value.shapeRef());
            return dtype == DType.FLOAT64 ? shown : shown + ", " + dtype.text();
        }
    }

    /** A tensor of one repeated value, of a dtype. */
    public record Fill(int[] shape, double value, DType dtype) {
        /** A float64 fill. */
        public Fill(int[] shape, double value) {
            this(shape, value, DType.FLOAT64);
        }

        @Override public String toString() { return "shape=" + Shapes.show(shape) + ", value=" + value + (dtype == DType.FLOAT64 ? "" : ", " + dtype.text()); }
    }

    /**
     * A draw from PyTorch's generator (GEN_DRAW, GEN_NEXT): uniform in [a, b), normal of mean a and
     * deviation b, whole numbers in [a, b) (int64), or a permutation of 0 to n - 1 (int64).
     */
    public record Draw(Kind kind, int[] shape, double a, double b) {
        /** The kinds, in the order of StandaloneRandom.genRun's numbers for them. */
        public enum Kind {
            UNIFORM, NORMAL, RANDINT, RANDPERM;

            /** Whether its numbers are float64 (else whole numbers, int64). */
            public boolean floats() { return this == UNIFORM || this == NORMAL; }
        }

        @Override public boolean equals(Object o) {
            return o instanceof Draw d && d.kind == kind && java.util.Arrays.equals(d.shape, shape) && Double.compare(d.a, a) == 0 && Double.compare(d.b, b) == 0;
        }

        @Override public int hashCode() { return java.util.Objects.hash(kind, java.util.Arrays.hashCode(shape), a, b); }

        @Override public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + ", shape=" + Shapes.show(shape) + (kind == Kind.RANDPERM ? "" : ", " + a + ", " + b);
        }
    }

    /** An axis and a direction (argsort: descending or not; argmax: the maximum or the minimum). */
    public record AxisOrder(int axis, boolean descending) {
        @Override public String toString() { return "axis=" + axis + (descending ? ", descending" : ""); }
    }

    /** Seeded random numbers, uniform in [0, 1) or standard normal. */
    public record Random(int[] shape, long seed, boolean normal) {
        @Override public String toString() { return "shape=" + Shapes.show(shape) + ", seed=" + seed + (normal ? ", normal" : ", uniform"); }
    }

    /** A .npy file: its path as the program wrote it (for messages), the file it names, and its shape at compile time. */
    public record Load(String path, String file, int[] shape, tx.runtime.tensor.DType dtype) {
        @Override public String toString() {
            return "path=\"" + path + "\", shape=" + Shapes.show(shape) + (dtype == tx.runtime.tensor.DType.FLOAT64 ? "" : ", dtype=" + dtype.text());
        }
    }
}
