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

    // ---- fused runs -------------------------------------------------------------------------------

    /** The parts of a fused run over [4]: y = exp(x); z = y * 2; s = sum(z), with x and 2 made before it. */
    private static final class Run {
        final Builder b = new Builder();
        final Var x = b.constant(Tensor.of(new int[] {4}, new double[] {1, 2, 3, 4}));
        final Var two = b.scalar(2);
        final Var y = b.newVar(new int[] {4}, "y"), z = b.newVar(new int[] {4}, "z"), s = b.newVar(new int[0], "s");
        final Stmt.Eqn exp = new Stmt.Eqn(Prim.EXP, List.of(x), y, null, Origin.NONE);
        final Stmt.Eqn mul = new Stmt.Eqn(Prim.MUL, List.of(y, two), z, null, Origin.NONE);
        final Stmt.Eqn sum = new Stmt.Eqn(Prim.SUM, List.of(z), s, new Attrs.Reduce(new int[] {0}, false), Origin.NONE);

        /** The program with this fused statement, then a print of {@code shown}. */
        Program with(Stmt.Fused f, Var shown) {
            b.add(f);
            b.add(new Stmt.Print(List.of(new Stmt.PrintItem.TensorValue(shown, null)), Origin.NONE));
            return program(b);
        }

        String failure(Stmt.Fused f, Var shown) {
            return assertThrows(IllegalStateException.class, () -> Verifier.verify(with(f, shown))).getMessage();
        }
    }

    @Test
    void acceptsAWellFormedFusedRun() {
        Run r = new Run();
        assertDoesNotThrow(() -> Verifier.verify(r.with(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul), List.of(r.sum), List.of(r.y, r.s), Origin.NONE), r.s)));
    }

    @Test
    void rejectsAReadOfAValueTheFusedRunKeepsToItself() {
        Run r = new Run(); // y is made tile by tile and not handed out: a later read finds nothing
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul), List.of(r.sum), List.of(r.s), Origin.NONE), r.y);
        assertTrue(m.contains("y%") && m.contains("not defined"), m);
    }

    @Test
    void rejectsAFusedOutputTheRunDoesNotMake() {
        Run r = new Run();
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul), List.of(), List.of(r.z, r.x), Origin.NONE), r.z);
        assertTrue(m.contains("not made by the fused run"), m);
    }

    @Test
    void rejectsAFusedOutputDefinedTwice() {
        Run r = new Run();
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul), List.of(), List.of(r.z, r.z), Origin.NONE), r.z);
        assertTrue(m.contains("defined twice"), m);
    }

    @Test
    void rejectsAFusedEquationOfAnotherShape() {
        Run r = new Run();
        String m = r.failure(new Stmt.Fused(new int[] {5}, List.of(r.exp, r.mul), List.of(), List.of(r.z), Origin.NONE), r.z);
        assertTrue(m.contains("in a fused run of shape [5]"), m);
    }

    @Test
    void rejectsAFusedEquationThatIsNotElementwise() {
        Run r = new Run(); // a sum is not elementwise: it may only close the run, as one of its sums
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul, r.sum), List.of(), List.of(r.s), Origin.NONE), r.s);
        assertTrue(m.contains("cannot run in a fused run"), m);
    }

    @Test
    void rejectsAFusedSumOfAValueFromOutsideTheRun() {
        Run r = new Run();
        Stmt.Eqn sumOfX = new Stmt.Eqn(Prim.SUM, List.of(r.x), r.s, new Attrs.Reduce(new int[] {0}, false), Origin.NONE);
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.exp, r.mul), List.of(sumOfX), List.of(r.z, r.s), Origin.NONE), r.s);
        assertTrue(m.contains("is not the one full sum, or sum or maximum over trailing axes, of a value of its fused run"), m);
    }

    @Test
    void rejectsAFusedEquationThatReadsALaterOne() {
        Run r = new Run(); // the order of the run is the order of evaluation
        String m = r.failure(new Stmt.Fused(new int[] {4}, List.of(r.mul, r.exp), List.of(), List.of(r.z), Origin.NONE), r.z);
        assertTrue(m.contains("y%") && m.contains("not defined"), m);
    }
}
