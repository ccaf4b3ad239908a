package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tx.runtime.exec.Interpreter;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Tensor;

/**
 * The simplifier reads {@code where(c, where(c, a, _), b)} as {@code where(c, a, b)} (and the
 * mirror), the same tensor; it keeps the inner where when dropping it would change the result's
 * shape (a branch it broadcasts) or dtype.
 */
class WhereOfWhereTest {
    private static final PrintStream NOWHERE = new PrintStream(java.io.OutputStream.nullOutputStream());

    /** log(u - 0.5) of uniform draws: negative numbers, positive ones and nans; a random draw is never folded. */
    private static Var input(Builder b, int n) {
        return b.log(b.sub(b.emit(Prim.RANDOM, new Attrs.Random(new int[] {n}, 7, false)), b.scalar(0.5)));
    }

    private static long wheres(List<Stmt> body) {
        return body.stream().filter(s -> s instanceof Eqn e && e.prim() == Prim.WHERE).count();
    }

    private static Tensor run(List<Stmt> body, int varCount, Var result) {
        return Interpreter.evaluate(new Program(body, varCount, List.of()), NOWHERE, List.of(result)).get(0);
    }

    /** The simplified program gives the unsimplified one's tensor, bit for bit. */
    private static void assertSameAsUnsimplified(Builder b, Var result, Simplify.Rooted r) {
        Tensor before = run(b.top(), b.varCount(), result), after = run(r.body(), r.varCount(), r.results().get(0));
        assertArrayEquals(before.shapeRef(), after.shapeRef());
        for (int i = 0; i < before.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(before.data()[i]), Double.doubleToRawLongBits(after.data()[i]), "element " + i);
        }
    }

    @Test
    void anInnerWhereOnTheSameConditionIsReadThrough() {
        Builder b = new Builder();
        Var x = input(b, 64), y = b.add(x, b.scalar(6)), z = b.neg(y);
        Var c = b.gt(x, b.scalar(0));
        Var inner = b.where(c, y, z), other = b.where(c, z, y);
        Var outer = b.add(b.where(c, inner, x), b.where(c, x, other)); // where(c, y, x) + where(c, x, y)
        List<Var> results = new ArrayList<>(List.of(outer));
        Simplify.Rooted r = Simplify.run(b.top(), results);
        assertEquals(2, wheres(r.body()), "the two inner wheres are dropped");
        assertSameAsUnsimplified(b, outer, r);
    }

    @Test
    void anInnerWhereThatBroadcastsItsBranchIsKept() {
        Builder b = new Builder();
        Var x = input(b, 3), c = b.gt(b.sum(x, new int[] {0}, false), b.scalar(0)); // a scalar condition
        Var inner = b.where(c, b.scalar(1), x); // [3], from x in its other branch
        Var outer = b.where(c, inner, b.scalar(0)); // where(c, 1, 0) would be a scalar: the inner where stays
        Simplify.Rooted r = Simplify.run(b.top(), List.of(outer));
        assertEquals(2, wheres(r.body()));
        assertSameAsUnsimplified(b, outer, r);
    }
}
