package tx.compiler.fuzz;

import java.util.Set;

/** A name the generated program has assigned, and what the generator knows about its value. */
final class Binding {
    /** The state of a leaf's {@code .grad} at this point of the program, as the checker tracks it. */
    enum Grad { NONE, SET, MAYBE }

    final String name;
    final int[] shape;
    final boolean leaf;
    /** Shared by the copies an if or a loop makes: the same assignment seen on another path. */
    final Object identity;
    /** A Python float known at compile time, not a tensor: no .grad, .shape, ... */
    final boolean number;
    /** Shared by names bound to the same tensor ({@code a = h}): an in-place update changes all of them. */
    Object group = new Object();
    /** A loop's counter: in PyTorch an int, so {@code a = i} then {@code a /= t} leaves i alone; never aliased here. */
    boolean counter;
    double lo, hi;
    Set<String> leaves, weak;
    Grad grad = Grad.NONE;
    /** A value that came out of a loop or an if: printing it is fine, a backward through it is not (E0306). */
    boolean printOnly;

    Binding(String name, Ex value, boolean leaf) {
        this(name, value.shape(), leaf, new Object(), value.number() && !leaf);
        this.lo = value.lo();
        this.hi = value.hi();
        this.leaves = leaf ? Set.of(name) : value.leaves();
        this.weak = value.weak();
    }

    private Binding(String name, int[] shape, boolean leaf, Object identity, boolean number) {
        this.number = number;
        this.name = name;
        this.shape = shape;
        this.leaf = leaf;
        this.identity = identity;
    }

    boolean rg() {
        return !leaves.isEmpty();
    }

    Ex ref() {
        // NOTE: a counter is read as a float: it is a Python int, so stack([i, i]) would be an int64 tensor, whose mean PyTorch refuses (E0220)
        return new Ex(counter ? "(" + name + " * 1.0)" : name, shape, lo, hi, leaves, weak, true, number, true);
    }

    Binding copy() {
        return copy(identity);
    }

    /** A copy that is a different value (the result of an if), for the next merge to see. */
    Binding renewed() {
        return copy(new Object());
    }

    private Binding copy(Object id) {
        Binding c = new Binding(name, shape, leaf, id, number);
        c.lo = lo;
        c.hi = hi;
        c.leaves = leaves;
        c.weak = weak;
        c.grad = grad;
        c.printOnly = printOnly;
        c.group = group;
        c.counter = counter;
        return c;
    }
}
