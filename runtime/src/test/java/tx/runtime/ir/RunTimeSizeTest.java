package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * Sizes known only at run time (a boolean mask's selection): the symbols of static shapes, the
 * size operands of the primitives whose attributes name them, NONZERO (which the table of
 * PrimGradTest cannot sample), and the passes that must leave such equations alone.
 */
class RunTimeSizeTest {
    /** A mask of [5], its count and positions: the selection x[mask] as the lowering builds it. */
    private record Selection(Builder b, Var x, Var mask, Var count, Var positions, int symbol) {}

    private static Selection selection() {
        Builder b = new Builder();
        Var x = b.newVar(new int[] {5}, "x");
        Var mask = b.newVar(new int[] {5}, "mask", DType.BOOL);
        Var count = b.sum(mask, new int[] {0}, false);
        int symbol = b.symbol(count);
        Var positions = b.emit(Prim.NONZERO, new Attrs.ShapeAttr(new int[] {symbol}), mask, count);
        return new Selection(b, x, mask, count, positions, symbol);
    }

    /** Evaluates the top-level equations in order, from the given inputs. */
    private static Map<Var, Tensor> run(Builder b, Map<Var, Tensor> env) {
        for (Stmt s : b.top()) {
            Stmt.Eqn e = (Stmt.Eqn) s;
            List<Tensor> in = new ArrayList<>();
            for (Var v : e.in()) in.add(env.get(v));
            env.put(e.out(), e.prim().eval(in, e.attr()));
        }
        return env;
    }

    private static Tensor vector(double... d) {
        return Tensor.of(new int[] {d.length}, d);
    }

    @Test
    void aReshapeMayRenameASymbolOnlyWhereTheCompilerVouchesForIt() {
        int a = Shapes.symbol(0), c = Shapes.symbol(1);
        assertTrue(Shapes.renamesSizes(new int[] {a, 2}, new int[] {c, 2})); // checked equal when it runs
        assertTrue(Shapes.renamesSizes(new int[] {a}, new int[] {3})); // checked equal to a fixed size
        assertTrue(Shapes.renamesSizes(new int[] {a, 2}, new int[] {c})); // a flattening: c made as 2a
        assertFalse(Shapes.renamesSizes(new int[] {a, 2}, new int[] {a, 3})); // a fixed size changed
        assertTrue(Shapes.renamesSizes(new int[] {3}, new int[] {a})); // back: the adjoint of [?1] checked equal to [3]
        assertFalse(Shapes.renamesSizes(new int[] {3, 2}, new int[] {a})); // a fixed shape is never flattened into a symbol
        assertFalse(Shapes.renamesSizes(new int[] {a, 2}, new int[] {a, 2})); // nothing renamed
        Builder b = new Builder();
        int n = b.symbol(b.newVar(Shapes.SCALAR, "n", DType.INT64)), m = b.symbol(b.newVar(Shapes.SCALAR, "m", DType.INT64));
        Var x = b.newVar(new int[] {n, 2}, "x");
        assertThrows(IllegalArgumentException.class, () -> b.reshape(x, new int[] {n, 3}));
        assertArrayEquals(new int[] {m, 2}, b.reshape(x, new int[] {m, 2}).shape());
    }

    @Test
    void aShapeIsEmptyOnlyWhereAFixedSizeIsZero() {
        int a = Shapes.symbol(0);
        assertTrue(Shapes.empty(new int[] {a, 0}));
        assertFalse(Shapes.empty(new int[] {a, 2})); // a selection may select nothing, but only the run knows
        assertFalse(Shapes.empty(new int[] {}));
    }

    @Test
    void symbolsAreShownAndResolvedInOrder() {
        int a = Shapes.symbol(0), c = Shapes.symbol(1);
        int[] shape = {c, 3, a, c};
        assertTrue(Shapes.symbolic(shape));
        assertFalse(Shapes.symbolic(new int[] {0, 1, 2}));
        assertEquals("[?2, 3, ?1, ?2]", Shapes.show(shape));
        assertArrayEquals(new int[] {c, a}, Shapes.symbols(shape)); // first appearance
        assertArrayEquals(new int[] {7, 3, 4, 7}, Shapes.resolve(shape, new long[] {7, 4}));
        assertThrows(IllegalArgumentException.class, () -> Shapes.resolve(shape, new long[] {7}));
        assertThrows(IllegalStateException.class, () -> Shapes.numel(shape)); // never a size computed from a symbol
        assertArrayEquals(new int[] {1, 3, 1, 1}, Shapes.fixedPart(shape));
    }

    @Test
    void sameSizeComparesFixedProductsAndSymbols() {
        int a = Shapes.symbol(0), c = Shapes.symbol(1);
        assertTrue(Shapes.sameSize(new int[] {a, 6}, new int[] {2, a, 3}));
        assertFalse(Shapes.sameSize(new int[] {a, 6}, new int[] {c, 6}));
        assertFalse(Shapes.sameSize(new int[] {a, 6}, new int[] {a, 5}));
        assertFalse(Shapes.sameSize(new int[] {a}, new int[] {a, a}));
    }

    @Test
    void nonzeroGivesTheRowMajorPositionsOfTheTrues() {
        Selection s = selection();
        assertArrayEquals(new int[] {s.symbol()}, s.positions().shapeRef());
        assertEquals(DType.INT64, s.positions().dtype());
        Map<Var, Tensor> env = new HashMap<>();
        env.put(s.mask(), vector(0, 1, 1, 0, 1));
        run(s.b(), env);
        assertArrayEquals(new double[] {1, 2, 4}, env.get(s.positions()).data());
        assertArrayEquals(new int[] {3}, env.get(s.positions()).shapeRef());
        env.put(s.mask(), vector(0, 0, 0, 0, 0)); // nothing selected: an empty vector
        run(s.b(), env);
        assertArrayEquals(new int[] {0}, env.get(s.positions()).shapeRef());
    }

    @Test
    void nonzeroRefusesACountThatIsNotTheMasks() {
        Tensor mask = vector(1, 0, 1);
        Object attr = new Attrs.ShapeAttr(new int[] {Shapes.symbol(0)});
        assertThrows(IllegalStateException.class, () -> Prim.NONZERO.eval(List.of(mask, Tensor.scalar(1)), attr));
        assertThrows(IllegalStateException.class, () -> Prim.NONZERO.eval(List.of(mask, Tensor.scalar(3)), attr));
        assertArrayEquals(new double[] {0, 2}, Prim.NONZERO.eval(List.of(mask, Tensor.scalar(2)), attr).data());
    }

    @Test
    void nonzeroPassesNoGradient() {
        Selection s = selection();
        Stmt.Eqn e = (Stmt.Eqn) s.b().top().get(s.b().top().size() - 1);
        List<Var> c = Prim.NONZERO.vjp(s.b(), e, s.b().newVarLike(s.positions(), "g"));
        assertEquals(2, c.size());
        assertNull(c.get(0));
        assertNull(c.get(1));
    }

    @Test
    void theBuilderGivesShapeAttributesTheirSizesAsOperands() {
        Selection s = selection();
        Builder b = s.b();
        int k = s.symbol();
        Var picked = b.emit(Prim.GATHER, new Attrs.Axis(0), s.x(), s.positions()); // x[mask]: [k]
        Var column = b.reshape(picked, new int[] {k, 1});
        Var spread = b.expand(b.scalar(2), new int[] {k, 3});
        Var zeros = b.fill(new int[] {3, k}, 0.0);
        for (Var v : List.of(column, spread, zeros)) {
            Stmt.Eqn e = definition(b, v);
            assertEquals(s.count(), e.in().get(e.in().size() - 1), e + " takes the size of " + Shapes.show(v.shapeRef()) + " as its last operand");
        }
        Map<Var, Tensor> env = new HashMap<>();
        env.put(s.x(), vector(10, 20, 30, 40, 50));
        env.put(s.mask(), vector(1, 0, 0, 1, 0));
        run(b, env);
        assertArrayEquals(new double[] {10, 40}, env.get(column).data());
        assertArrayEquals(new int[] {2, 1}, env.get(column).shapeRef());
        assertArrayEquals(new int[] {2, 3}, env.get(spread).shapeRef());
        assertArrayEquals(new int[] {3, 2}, env.get(zeros).shapeRef());
    }

    @Test
    void aShapeRuleRefusesAMissingSizeOperand() {
        int k = Shapes.symbol(0);
        assertThrows(IllegalArgumentException.class, () -> Prim.EXPAND.shape(List.of(new int[0]), new Attrs.ShapeAttr(new int[] {k})));
        assertThrows(IllegalArgumentException.class, () -> Prim.FILL.shape(List.of(), new Attrs.Fill(new int[] {k}, 0, DType.FLOAT64)));
        assertThrows(IllegalArgumentException.class, () -> Prim.RESHAPE.shape(List.of(new int[] {k}, new int[] {2}), new Attrs.ShapeAttr(new int[] {k, 1})));
        assertArrayEquals(new int[] {k, 1}, Prim.RESHAPE.shape(List.of(new int[] {k}, new int[0]), new Attrs.ShapeAttr(new int[] {k, 1})));
    }

    @Test
    void theSimplifierLeavesSizedEquationsAsTheyAreAndTheVerifierAcceptsThem() {
        Builder b = new Builder();
        Var x = b.constant(vector(1, 2, 3, 4, 5));
        Var mask = b.gt(x, b.scalar(2.5));
        Var count = b.sum(mask, new int[] {0}, false);
        Var positions = b.emit(Prim.NONZERO, new Attrs.ShapeAttr(new int[] {b.symbol(count)}), mask, count);
        Var picked = b.emit(Prim.GATHER, new Attrs.Axis(0), x, positions);
        Var times1 = b.mul(picked, b.scalar(1)); // an identity the simplifier removes on static shapes
        Var total = b.sum(times1, new int[] {0}, false);
        Simplify.Rooted r = Simplify.run(b.top(), List.of(total));
        boolean kept = false;
        for (Stmt st : r.body()) kept |= st instanceof Stmt.Eqn e && e.prim() == Prim.MUL;
        assertTrue(kept, "x * 1 of a selection stays: the simplifier does not reason about its size");
        assertDoesNotThrow(() -> Verifier.verify(new Program(b.top(), b.varCount(), List.of())));
    }

    @Test
    void fusionTakesNoSizedEquation() {
        Selection s = selection();
        Builder b = s.b();
        Var picked = b.emit(Prim.GATHER, new Attrs.Axis(0), s.x(), s.positions());
        assertFalse(FusionPass.elementwise((Stmt.Eqn) definition(b, b.exp(picked))));
        assertTrue(FusionPass.elementwise((Stmt.Eqn) definition(b, b.exp(s.x()))));
    }

    private static Stmt.Eqn definition(Builder b, Var v) {
        for (Stmt s : b.top()) if (s instanceof Stmt.Eqn e && e.out().equals(v)) return e;
        throw new AssertionError("no definition of " + v);
    }
}
