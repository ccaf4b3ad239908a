package tx.runtime.tensor;

import java.util.Arrays;

/**
 * A dense float64 tensor in row-major order. Tensors are values: kernels never change a tensor
 * they were given, and the array returned by {@link #data()} must be treated as read-only by
 * everyone except the kernel that has just created it.
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;

    private Tensor(int[] shape, double[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** Wraps {@code data} (not copied) as a tensor of {@code shape}. */
    public static Tensor of(int[] shape, double[] data) {
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Shapes.show(shape) + " needs " + Shapes.numel(shape)
                    + " elements, got " + data.length);
        }
        return new Tensor(shape.clone(), data);
    }

    public static Tensor scalar(double v) {
        return new Tensor(Shapes.SCALAR, new double[] {v});
    }

    public static Tensor full(int[] shape, double v) {
        double[] d = new double[Shapes.numel(shape)];
        if (v != 0.0) Arrays.fill(d, v);
        return new Tensor(shape.clone(), d);
    }

    public static Tensor zeros(int... shape) {
        return full(shape, 0.0);
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The shape without a defensive copy; callers must not modify it. */
    public int[] shapeRef() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return data.length;
    }

    /** The backing array, row-major. Read-only by convention. */
    public double[] data() {
        return data;
    }

    public double get(int flatIndex) {
        return data[flatIndex];
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (data.length != 1) throw new IllegalStateException("item() of a tensor with " + data.length + " elements");
        return data[0];
    }

    public Tensor reshape(int[] newShape) {
        return of(newShape, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.show(shape) + Arrays.toString(data.length > 16 ? Arrays.copyOf(data, 16) : data);
    }
}
