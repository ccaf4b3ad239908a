package tx.runtime.ir;

import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * An IR variable: a tensor of a static shape and dtype, assigned exactly once. {@code name} is the
 * user's own name where there is one (adjoints are {@code d_<name>}), used by printers only. The
 * dtype is static (as JAX's avals carry theirs): the kernels compute the same for every dtype (see
 * {@link DType}), so it matters to printing and to the checks of the lowering.
 */
public final class Var {
    private final int id;
    private final int[] shape;
    private final String name;
    private final DType dtype;

    Var(int id, int[] shape, String name, DType dtype) {
        this.id = id;
        this.shape = shape.clone();
        this.name = name;
        this.dtype = dtype;
    }

    public DType dtype() {
        return dtype;
    }

    public int id() {
        return id;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The shape without a copy; callers must not modify it. */
    public int[] shapeRef() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Var v && v.id == id;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(id);
    }

    @Override
    public String toString() {
        return (name == null ? "v" : name) + "%" + id + Shapes.show(shape);
    }
}
