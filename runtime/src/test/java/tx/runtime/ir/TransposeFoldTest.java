package tx.runtime.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tx.runtime.exec.Interpreter;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.kernels.LinAlg;
import tx.runtime.tensor.Tensor;

/**
 * Products read transposed operands in place (issue 15): the simplifier folds a swap of the last
 * two axes that only a product reads into the product's flag ({@link Attrs.Matmul}), a swap of a
 * swap into one permutation (none when they cancel), and a swap of a product that nothing else
 * reads into the swapped product {@code (op(a) op(b))ᵀ = op(b)ᵀ op(a)ᵀ}; the VJP of a product
 * emits flagged products. Each folded program gives the bits of the program that makes the
 * copies: the GEMM sums every element in order over k whichever operand is transposed, and
 * {@code x·y = y·x} exactly, fused or not. Checked in this JVM's GEMM mode and, in a child JVM,
 * in the exact mode ({@code -Dtx.gemm=exact}).
 */
class TransposeFoldTest {
    private static final PrintStream NOWHERE = new PrintStream(java.io.OutputStream.nullOutputStream());

    static Var random(Builder b, long seed, int... shape) {
        return b.emit(Prim.RANDOM, new Attrs.Random(shape, seed, true));
    }

    /** A program of products fed by swaps (sizes past the GEMM's small-product path, batches broadcast), with its results. */
    record Case(Builder b, List<Var> results) {}

    static Case products() {
        Builder b = new Builder();
        Var q = random(b, 1, 40, 24), k = random(b, 2, 40, 24), v = random(b, 3, 40, 24), w = random(b, 4, 24, 33);
        List<Var> out = new ArrayList<>();
        out.add(b.matmul(q, b.mT(k)));                                  // q @ kᵀ: b transposed
        out.add(b.mT(b.matmul(b.mT(q), v)));                           // (qᵀ v)ᵀ = vᵀ q
        out.add(b.matmul(b.mT(b.mT(k)), w));                           // (kᵀ)ᵀ @ w = k @ w
        Var u = random(b, 9, 33, 40);
        out.add(b.matmul(b.mT(v), b.mT(b.mT(b.mT(u)))));               // vᵀ @ uᵀᵀᵀ: both transposed
        Var a3 = random(b, 5, 3, 24, 40), c = random(b, 6, 17, 24);
        out.add(b.matmul(b.mT(a3), b.mT(c)));                          // a batch times one matrix, both transposed
        Var d = random(b, 7, 1, 33, 24), e = random(b, 8, 2, 33, 9);
        out.add(b.matmul(b.mT(d), e));                                  // a size-1 batch axis stretched
        return new Case(b, out);
    }

    static List<Tensor> evaluate(List<Stmt> body, int varCount, List<Var> results) {
        return Interpreter.evaluate(new Program(body, varCount, List.of()), NOWHERE, results);
    }

    static List<Eqn> eqns(List<Stmt> body) {
        List<Eqn> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Eqn e) out.add(e);
            else if (s instanceof Stmt.Loop l) out.addAll(eqns(l.body()));
            else if (s instanceof Stmt.Cond c) {
                out.addAll(eqns(c.then()));
                out.addAll(eqns(c.otherwise()));
            }
        }
        return out;
    }

    static long count(List<Stmt> body, Prim p) {
        return eqns(body).stream().filter(e -> e.prim() == p).count();
    }

    /** Whether the folded products give the copies' bits: one line for the child JVM. */
    static String sameBits() {
        Case c = products();
        List<Tensor> copies = evaluate(c.b().top(), c.b().varCount(), c.results());
        Simplify.Rooted r = Simplify.run(c.b().top(), c.results());
        List<Tensor> folded = evaluate(r.body(), r.varCount(), r.results());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < copies.size(); i++) {
            boolean same = Arrays.equals(copies.get(i).shapeRef(), folded.get(i).shapeRef());
            for (int j = 0; same && j < copies.get(i).size(); j++) {
                same = Double.doubleToRawLongBits(copies.get(i).data()[j]) == Double.doubleToRawLongBits(folded.get(i).data()[j]);
            }
            sb.append(same ? "same" : "differs at result " + i).append(' ');
        }
        return sb.toString().strip();
    }

    @Test
    void swapsFeedingProductsBecomeFlagsAndNoCopyIsLeft() {
        Case c = products();
        assertEquals(12, count(c.b().top(), Prim.TRANSPOSE));
        Simplify.Rooted r = Simplify.run(c.b().top(), c.results());
        Verifier.verify(new Program(r.body(), r.varCount(), List.of()));
        assertEquals(0, count(r.body(), Prim.TRANSPOSE), () -> IrPrinter.print(new Program(r.body(), r.varCount(), List.of())));
        List<Object> flags = new ArrayList<>();
        for (Var res : r.results()) {
            Eqn def = eqns(r.body()).stream().filter(e -> e.out().equals(res)).findFirst().orElseThrow();
            assertEquals(Prim.MATMUL, def.prim());
            flags.add(def.attr());
        }
        assertEquals(Arrays.asList(new Attrs.Matmul(false, true), new Attrs.Matmul(true, false), null, new Attrs.Matmul(true, true),
                new Attrs.Matmul(true, true), new Attrs.Matmul(true, false)), flags);
    }

    @Test
    void foldedProductsGiveTheCopiesBitsInThisJvmsMode() {
        assertEquals("same same same same same same", sameBits(), "GEMM mode " + LinAlg.MODE);
    }

    @Test
    void foldedProductsGiveTheCopiesBitsInTheExactMode() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(List.of("-Dtx.gemm=exact", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), text);
        assertEquals("EXACT\nsame same same same same same", text.strip());
    }

    /** The child JVM's main: its GEMM mode, then {@link #sameBits()}. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(LinAlg.MODE);
            System.out.println(sameBits());
        }
    }

    @Test
    void aSwapThatSomethingElseReadsIsMadeOnceAndTheProductReadsIt() {
        Builder b = new Builder();
        Var q = random(b, 1, 6, 4), k = random(b, 2, 6, 4);
        Var kt = b.mT(k);
        Var s = b.matmul(q, kt);
        Simplify.Rooted r = Simplify.run(b.top(), List.of(s, kt));
        assertEquals(1, count(r.body(), Prim.TRANSPOSE));
        Eqn product = eqns(r.body()).stream().filter(e -> e.prim() == Prim.MATMUL).findFirst().orElseThrow();
        assertNull(product.attr());
        assertEquals(r.results().get(1), product.in().get(1));
    }

    @Test
    void aSwapThatOnlyProductsReadIsNotMade() {
        Builder b = new Builder();
        Var q = random(b, 1, 5, 4), k = random(b, 2, 4, 4), g = random(b, 3, 5, 4);
        Var kt = b.mT(k);
        Var s = b.matmul(q, kt), dq = b.matmul(g, b.mT(kt)), both = b.matmul(kt, kt); // q @ kᵀ, g @ (kᵀ)ᵀ, kᵀ @ kᵀ
        List<Tensor> before = evaluate(b.top(), b.varCount(), List.of(s, dq, both));
        Simplify.Rooted r = Simplify.run(b.top(), List.of(s, dq, both));
        assertEquals(0, count(r.body(), Prim.TRANSPOSE), () -> IrPrinter.print(new Program(r.body(), r.varCount(), List.of())));
        List<Object> flags = eqns(r.body()).stream().filter(e -> e.prim() == Prim.MATMUL).map(Eqn::attr).toList();
        assertEquals(Arrays.asList(new Attrs.Matmul(false, true), null, new Attrs.Matmul(true, true)), flags);
        List<Tensor> after = evaluate(r.body(), r.varCount(), r.results());
        for (int i = 0; i < 3; i++) assertArrayEquals(before.get(i).data(), after.get(i).data());
    }

    @Test
    void aProductIsNotMovedIntoALoopThatSwapsIt() {
        Builder b = new Builder();
        Var q = random(b, 1, 6, 4), k = random(b, 2, 4, 6), z = random(b, 3, 6, 6);
        Var p = b.matmul(q, k); // read only by the swap in the loop
        Var i = b.newVar(new int[0], "i"), acc = b.newVar(new int[] {6, 6}, "acc");
        b.openBlock();
        Var next = b.add(acc, b.mT(p));
        List<Stmt> body = b.closeBlock();
        Var out = b.newVar(new int[] {6, 6}, "out");
        b.add(new Stmt.Loop(3, i, List.of(z), List.of(acc), body, List.of(next), List.of(out), Origin.NONE));
        List<Tensor> before = evaluate(b.top(), b.varCount(), List.of(out));
        Simplify.Rooted r = Simplify.run(b.top(), List.of(out));
        Stmt.Loop loop = (Stmt.Loop) r.body().stream().filter(st -> st instanceof Stmt.Loop).findFirst().orElseThrow();
        assertEquals(0, count(loop.body(), Prim.MATMUL), "the product would run on every iteration");
        assertEquals(1, count(r.body(), Prim.MATMUL));
        assertArrayEquals(before.get(0).data(), evaluate(r.body(), r.varCount(), r.results()).get(0).data());
    }

    /**
     * A swap read by a product before the fold could move that read (another equation still read
     * the swap then) stays made for it, though a later product reads the swap's input instead: it
     * was dropped, and the earlier product read a variable nothing defined (found compiling a
     * function for every size, where a swap of a swap is not folded before this pass).
     */
    @Test
    void aSwapThatAnEarlierProductStillReadsIsKept() {
        Builder b = new Builder();
        Var x = random(b, 1, 5, 3), g = random(b, 2, 4, 3), h = random(b, 3, 3, 2), k = random(b, 4, 2, 3);
        Var a = b.mT(x);                                                       // [3, 5]
        Var back = b.emit(Prim.TRANSPOSE, new Attrs.Perm(new int[] {1, 0}), a); // [5, 3], a swap of a swap, not folded here
        Var first = b.matmul(g, a), second = b.matmul(back, h), third = b.matmul(k, a);
        List<Var> roots = List.of(first, second, third);
        List<Tensor> want = evaluate(b.top(), b.varCount(), roots);
        List<Stmt> folded = TransposeFold.run(b.top(), roots, new java.util.BitSet());
        Verifier.verify(new Program(folded, b.varCount(), List.of()));
        List<Tensor> got = evaluate(folded, b.varCount(), roots);
        for (int i = 0; i < 3; i++) assertArrayEquals(want.get(i).data(), got.get(i).data());
    }

    @Test
    void aSwapOfASwapIsOnePermutation() {
        Builder b = new Builder();
        Var x = random(b, 1, 2, 3, 4);
        Var y = b.transpose(b.transpose(x, new int[] {1, 2, 0}), new int[] {0, 2, 1}); // [3, 4, 2] then [3, 2, 4]
        Simplify.Rooted r = Simplify.run(b.top(), List.of(y));
        List<Eqn> swaps = eqns(r.body()).stream().filter(e -> e.prim() == Prim.TRANSPOSE).toList();
        assertEquals(1, swaps.size());
        assertArrayEquals(new int[] {1, 0, 2}, ((Attrs.Perm) swaps.get(0).attr()).perm());
        assertEquals(x, swaps.get(0).in().get(0));
        Tensor want = tx.runtime.kernels.Shaping.transpose(tx.runtime.kernels.Shaping.transpose(
                tx.runtime.kernels.Random.normal(new int[] {2, 3, 4}, 1), new int[] {1, 2, 0}), new int[] {0, 2, 1});
        assertArrayEquals(want.data(), evaluate(r.body(), r.varCount(), r.results()).get(0).data());
    }

    @Test
    void theVjpOfAProductMakesNoTransposedCopy() {
        for (int form = 0; form < 4; form++) {
            boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
            Builder b = new Builder();
            Var a = random(b, 1, ta ? 4 : 3, ta ? 3 : 4), c = random(b, 2, tb ? 5 : 4, tb ? 4 : 5);
            Var out = b.matmul(a, ta, c, tb);
            Var g = random(b, 3, 3, 5);
            Eqn e = (Eqn) b.top().get(b.top().size() - 2);
            int before = b.top().size();
            List<Var> d = Prim.MATMUL.vjp(b, e, g);
            List<Stmt> made = b.top().subList(before, b.top().size());
            assertEquals(0, count(made, Prim.TRANSPOSE), "form " + form + ": " + made);
            assertArrayEquals(a.shapeRef(), d.get(0).shapeRef());
            assertArrayEquals(c.shapeRef(), d.get(1).shapeRef());
            assertEquals(out, e.out());
        }
    }

    @Test
    void theShapeRuleReadsTheFlags() {
        assertArrayEquals(new int[] {2, 5}, Prim.MATMUL.shape(List.of(new int[] {3, 2}, new int[] {3, 5}), new Attrs.Matmul(true, false)));
        assertArrayEquals(new int[] {7, 2, 5}, Prim.MATMUL.shape(List.of(new int[] {2, 3}, new int[] {7, 5, 3}), new Attrs.Matmul(false, true)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Prim.MATMUL.shape(List.of(new int[] {2, 3}, new int[] {3, 5}), new Attrs.Matmul(true, false)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Prim.MATMUL.shape(List.of(new int[] {2, 3}, new int[] {3, 5}), new Attrs.Axis(0)));
    }
}
