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
}
