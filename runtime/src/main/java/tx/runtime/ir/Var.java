package tx.runtime.ir;

import tx.runtime.tensor.Shapes;

/**
 * An IR variable: a float64 tensor of a static shape, assigned exactly once. {@code name} is the
 * user's own name where there is one (adjoints are {@code d_<name>}), used by printers only.
 */
public final class Var {
    private final int id;
    private final int[] shape;
    private final String name;

    Var(int id, int[] shape, String name) {
        this.id = id;
        this.shape = shape.clone();
        this.name = name;
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
