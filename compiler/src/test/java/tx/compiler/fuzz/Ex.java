package tx.compiler.fuzz;

import java.util.HashSet;
import java.util.Set;

/**
 * A generated expression and what the generator knows about it statically: its source text, its
 * shape, an interval [lo, hi] that holds every element (so that log, sqrt, division and pow are only
 * applied where they are defined, and nothing overflows), the leaves it depends on through
 * differentiable operations ({@code leaves}: a backward of it reaches them) and those it depends on
 * only through comparisons, sign, detach or item ({@code weak}: a backward may or may not reach them).
 * {@code atomic} says the text can take a method call or an index as it is ({@code x}, {@code f(x)},
 * {@code (a + b)}); a bare number cannot ({@code 2.exp()} does not lex).
 */
record Ex(String text, int[] shape, double lo, double hi, Set<String> leaves, Set<String> weak, boolean atomic, boolean number, boolean alias) {

    Ex(String text, int[] shape, double lo, double hi, Set<String> leaves, Set<String> weak, boolean atomic) {
        this(text, shape, lo, hi, leaves, weak, atomic, false, false);
    }

    Ex(String text, int[] shape, double lo, double hi, Set<String> leaves, Set<String> weak, boolean atomic, boolean number) {
        this(text, shape, lo, hi, leaves, weak, atomic, number, false);
    }

    /**
     * A reshape, expand or transpose of e: when it changes nothing, tx (like PyTorch's flatten)
     * gives back the very tensor, so this may be another name for whatever e names.
     */
    static Ex view(String text, int[] shape, Ex e) {
        Ex v = from(text, shape, e.lo, e.hi, e);
        return new Ex(text, shape, e.lo, e.hi, v.leaves, v.weak, true, false, e.alias);
    }

    /** A number literal: a Python float at compile time, not a tensor (it has no .grad or .shape). */
    static Ex number(double v) {
        return new Ex(Shape.num(v), Shape.SCALAR, v, v, Set.of(), Set.of(), Shape.num(v).startsWith("("), true);
    }

    /** A Python float, written with a point even when whole ({@code 1.0}): a whole number alone is an int, and ints make int64 tensors. */
    static Ex floatNumber(double v) {
        String t = Shape.fnum(v);
        return new Ex(t, Shape.SCALAR, v, v, Set.of(), Set.of(), t.startsWith("("), true);
    }

    static Ex constant(String text, int[] shape, double lo, double hi) {
        return new Ex(text, shape, lo, hi, Set.of(), Set.of(), true);
    }

    /** Arithmetic (+ - * / **, negation): on numbers only, it is folded to a number at compile time. */
    static Ex arith(String text, int[] shape, double lo, double hi, Ex... parts) {
        Ex e = from(text, shape, lo, hi, parts);
        for (Ex p : parts) if (!p.number) return e;
        return new Ex(text, shape, lo, hi, e.leaves, e.weak, true, true);
    }

    boolean rg() {
        return !leaves.isEmpty();
    }

    double mag() {
        return Math.max(Math.abs(lo), Math.abs(hi));
    }

    /** The text as the receiver of a method call or an index. */
    String recv() {
        return atomic ? text : "(" + text + ")";
    }

    /** A new expression computed from these, with their dependencies. */
    static Ex from(String text, int[] shape, double lo, double hi, Ex... parts) {
        Set<String> leaves = new HashSet<>(), weak = new HashSet<>();
        for (Ex p : parts) {
            leaves.addAll(p.leaves);
            weak.addAll(p.weak);
        }
        return new Ex(text, shape, lo, hi, Set.copyOf(leaves), Set.copyOf(weak), true);
    }

    /** The same value seen through a non-differentiable operation (comparison, sign, detach, item). */
    Ex weakened(String newText, int[] newShape, double newLo, double newHi) {
        Set<String> w = new HashSet<>(weak);
        w.addAll(leaves);
        return new Ex(newText, newShape, newLo, newHi, Set.of(), Set.copyOf(w), true);
    }

    /** Computed under {@code no_grad}: requires no grad, and a backward never reaches through it. */
    Ex noGrad() {
        Ex w = weakened(text, shape, lo, hi);
        return new Ex(text, shape, lo, hi, w.leaves, w.weak, atomic, number, alias);
    }

    Ex withAtomic(boolean a) {
        return new Ex(text, shape, lo, hi, leaves, weak, a, number, alias);
    }

    Ex withWeak(Set<String> more) {
        Set<String> w = new HashSet<>(weak);
        w.addAll(more);
        return new Ex(text, shape, lo, hi, leaves, Set.copyOf(w), atomic, number, alias);
    }
}
