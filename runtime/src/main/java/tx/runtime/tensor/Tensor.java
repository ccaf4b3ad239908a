package tx.runtime.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float64 tensor in row-major order. Tensors are values: kernels never change a tensor
 * they were given, and the array returned by {@link #data()} must be treated as read-only by
 * everyone except the kernel that has just created it.
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;

    /** The most elements one tensor holds: the JVM's largest array. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Tensor(int[] shape, double[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps {@code data} (not copied) as a tensor of {@code shape}. A null argument is a
     * NullPointerException, a negative size or data of the wrong length an IllegalArgumentException,
     * each naming the problem.
     */
    public static Tensor of(int[] shape, double[] data) {
        Objects.requireNonNull(data, "Tensor.of: data is null");
        int n = checkedNumel("Tensor.of", shape);
        if (n != data.length) throw new IllegalArgumentException("Tensor.of: shape " + Shapes.show(shape) + " needs " + n + " elements, got " + data.length);
        return new Tensor(shape.clone(), data);
    }

    public static Tensor scalar(double v) {
        return new Tensor(Shapes.SCALAR, new double[] {v});
    }

    public static Tensor full(int[] shape, double v) {
        return full("Tensor.full", shape, v);
    }

    public static Tensor zeros(int... shape) {
        return full("Tensor.zeros", shape, 0.0);
    }

    private static Tensor full(String caller, int[] shape, double v) {
        double[] d = new double[checkedNumel(caller, shape)];
        if (Double.doubleToRawLongBits(v) != 0) Arrays.fill(d, v); // -0.0 is filled: it prints as -0.
        return new Tensor(shape.clone(), d);
    }

    /** The number of elements of a shape that is not null, has no negative size and fits in one array; {@code caller} names the method in messages. */
    private static int checkedNumel(String caller, int[] shape) {
        Objects.requireNonNull(shape, caller + ": shape is null");
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(caller + ": shape " + java.util.Arrays.toString(shape) + " has a negative size, " + shape[i] + " at dimension " + i);
            }
            empty |= shape[i] == 0;
        }
        long n = empty ? 0 : 1;
        try {
            for (int d : shape) n = Math.multiplyExact(n, (long) d);
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException(caller + ": shape " + Shapes.show(shape) + " has " + (n == Long.MAX_VALUE ? "more than 2^63" : n)
                    + " elements, more than a tensor holds (" + MAX_ELEMENTS + ")");
        }
        return (int) n;
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
        int n = checkedNumel("Tensor.reshape", newShape);
        if (n != data.length) throw new IllegalArgumentException("Tensor.reshape: shape " + Shapes.show(newShape) + " needs " + n + " elements, got " + data.length);
        return new Tensor(newShape.clone(), data);
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
