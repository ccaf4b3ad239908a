package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.Tensor;

class VerifierTest {
    private static Program program(Builder b) {
        return new Program(b.top(), b.varCount(), List.of());
    }

    @Test
    void acceptsWellFormedIr() {
        Builder b = new Builder();
        Var x = b.constant(Tensor.of(new int[] {2, 3}, new double[6]));
        Var y = b.sum(b.mul(x, b.scalar(2)), new int[] {1}, false);
        b.add(new Stmt.Print(List.of(new Stmt.PrintItem.TensorValue(y, null)), Origin.NONE));
        assertDoesNotThrow(() -> Verifier.verify(program(b)));
    }

    @Test
    void rejectsAUseBeforeDefinition() {
        Builder b = new Builder();
        Var ghost = b.newVar(new int[] {3}, "ghost");
        b.neg(ghost);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Verifier.verify(program(b)));
        assertTrue(e.getMessage().contains("not defined"), e.getMessage());
    }

    @Test
    void rejectsAnOutputWhoseShapeDisagreesWithTheRule() {
        Builder b = new Builder();
        Var x = b.constant(Tensor.of(new int[] {3}, new double[3]));
        Var wrong = b.newVar(new int[] {4}, "wrong");
        b.add(new Stmt.Eqn(Prim.EXP, List.of(x), wrong, null, Origin.NONE));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Verifier.verify(program(b)));
        assertTrue(e.getMessage().contains("rule gives [3]"), e.getMessage());
    }

    @Test
    void rejectsAValueUsedOutsideTheLoopThatDefinesIt() {
        Builder b = new Builder();
        Var i = b.newVar(new int[0], "i");
        b.openBlock();
        Var inner = b.mul(i, b.scalar(3));
        List<Stmt> body = b.closeBlock();
        b.add(new Stmt.Loop(2, i, List.of(), List.of(), body, List.of(), List.of(), Origin.NONE));
        b.neg(inner);
        assertThrows(IllegalStateException.class, () -> Verifier.verify(program(b)));
    }

    /** A product with transposed operands ({@link Attrs.Matmul}) is checked against its operands as the flags read them. */
    @Test
    void checksAProductAgainstItsTransposeFlags() {
        assertDoesNotThrow(() -> Verifier.verify(product(new int[] {3, 2}, new int[] {3, 4}, new Attrs.Matmul(true, false), new int[] {2, 4})));
        assertDoesNotThrow(() -> Verifier.verify(product(new int[] {5, 2, 3}, new int[] {4, 3}, new Attrs.Matmul(false, true), new int[] {5, 2, 4})));
        IllegalStateException unflagged = assertThrows(IllegalStateException.class,
                () -> Verifier.verify(product(new int[] {3, 2}, new int[] {2, 3}, new Attrs.Matmul(true, true), new int[] {3, 3})));
        assertTrue(unflagged.getMessage().contains("rule gives [2, 2]"), unflagged.getMessage()); // [3, 3] is the shape without the flags
        IllegalStateException mismatch = assertThrows(IllegalStateException.class,
                () -> Verifier.verify(product(new int[] {2, 3}, new int[] {3, 4}, new Attrs.Matmul(false, true), new int[] {2, 3})));
        assertTrue(mismatch.getMessage().contains("[3, 4] transposed"), mismatch.getMessage());
        IllegalStateException kind = assertThrows(IllegalStateException.class,
                () -> Verifier.verify(product(new int[] {2, 3}, new int[] {3, 4}, new Attrs.Axis(1), new int[] {2, 4})));
        assertTrue(kind.getMessage().contains("attribute"), kind.getMessage());
    }

    private static Program product(int[] a, int[] c, Object attr, int[] out) {
        Builder b = new Builder();
        Var x = b.constant(Tensor.of(a, new double[tx.runtime.tensor.Shapes.numel(a)]));
        Var y = b.constant(Tensor.of(c, new double[tx.runtime.tensor.Shapes.numel(c)]));
        b.add(new Stmt.Eqn(Prim.MATMUL, List.of(x, y), b.newVar(out, "p"), attr, Origin.NONE));
        return program(b);
    }
}
