package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.compiler.emit.Derivation;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Program;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.Tensor;

/**
 * Products read their transposed operands in place (issue 15): {@code q @ k.T}, the adjoints of a
 * product ({@code g @ bᵀ}, {@code aᵀ @ g}) and the adjoint of {@code k.T} ({@code (qᵀ g)ᵀ}) are
 * products with flags, and neither the interpreted program nor the one {@code tx grad} writes
 * makes a transposed copy. Every emitter writes the flags: the .tx emitter as {@code k.T @ ...}
 * (or {@code transpose(w, 1, 2)} on a batch), the Java emitter as arguments of its product
 * kernel, the DOT emitter in the label; and what they write still computes the gradient.
 */
class TransposedProductsTest {
    static final String SOURCE = """
            fn attn(q: [n, 4], k: [m, 4], v: [m, 3], w: [n, 3]) -> [] {
                a = softmax(q @ k.T / 2, dim=1)
                return sum((a @ v) * w)
            }
            fn batched(x: [n, 3], w: [2, 3, 4], u: [4, n]) -> [] {
                a = transpose(w, 1, 2) @ x.T
                b = (x @ w).mT
                return sum(a * b) + sum((u.T @ u).T ** 2) + sum(x.T.T @ w[0])
            }
            """;

    static final Ast.Program AST = Parse.program(SOURCE, new Diagnostics("t.tx", SOURCE));

    static Ast.FnDef fn(String name) {
        for (Ast.Stmt s : AST.body()) if (s instanceof Ast.FnDef f && f.name().equals(name)) return f;
        throw new AssertionError(name);
    }

    static List<String> params(String name) {
        List<String> out = new ArrayList<>();
        for (Ast.Param p : fn(name).params()) out.add(p.name());
        return out;
    }

    static List<Eqn> eqns(List<Stmt> body) {
        List<Eqn> out = new ArrayList<>();
        for (Stmt s : body) if (s instanceof Eqn e) out.add(e);
        return out;
    }

    static List<Eqn> gradient(String name) {
        Diagnostics d = new Diagnostics("t.tx", SOURCE);
        Derivation g = Derivation.derive(AST, d, SOURCE, name, params(name));
        assertNotNull(g, d::render);
        return eqns(g.body());
    }

    @Test
    void theWrittenGradientMakesNoTransposedCopy() {
        List<Eqn> eqns = gradient("attn");
        assertEquals(0, eqns.stream().filter(e -> e.prim() == Prim.TRANSPOSE).count(), eqns::toString);
        // q @ k.T, then d_a = w @ v.T, d_v = a.T @ w, d_q = d_s @ k, d_k = d_s.T @ q
        List<Object> flags = eqns.stream().filter(e -> e.prim() == Prim.MATMUL).map(Eqn::attr).toList();
        assertEquals(java.util.Arrays.asList(new Attrs.Matmul(false, true), null, new Attrs.Matmul(false, true), new Attrs.Matmul(true, false),
                null, new Attrs.Matmul(true, false)), flags);
    }

    /**
     * Batched products read their operands in place too. NOTE: one transpose is left, of an
     * adjoint summed over the batch axis that broadcasting added ({@code (Σ_b P_b)ᵀ}), which is
     * not a product.
     */
    @Test
    void batchedProductsReadTransposedOperandsInPlace() {
        List<Eqn> eqns = gradient("batched");
        assertTrue(eqns.stream().filter(e -> e.prim() == Prim.TRANSPOSE).allMatch(e -> eqns.stream()
                .anyMatch(s -> s.prim() == Prim.SUM && s.out().equals(e.in().get(0)))), eqns::toString);
        assertTrue(eqns.stream().anyMatch(e -> e.prim() == Prim.MATMUL && e.out().rank() == 3 && new Attrs.Matmul(true, true).equals(e.attr())),
                eqns::toString);
    }

    @Test
    void theInterpretedBackwardMakesNoTransposedCopy() {
        String script = SOURCE + """
                q = randn([6, 4], seed=1, requires_grad=True)
                k = randn([5, 4], seed=2, requires_grad=True)
                v = randn([5, 3], seed=3, requires_grad=True)
                attn(q, k, v, randn([6, 3], seed=4)).backward()
                print(q.grad, k.grad, v.grad)
                """;
        Compiler.Result r = Compiler.compile("t.tx", script);
        assertNotNull(r.program(), r.diagnostics().render());
        Program p = r.program();
        assertEquals(0, eqns(p.body()).stream().filter(e -> e.prim() == Prim.TRANSPOSE).count(), tx.runtime.ir.IrPrinter.print(p));
    }

    @Test
    void theTxEmitterWritesATransposedOperandInPlace() {
        String attn = GradEmitTest.emit("t.tx", SOURCE, "attn", params("attn"));
        assertFalse(Pattern.compile("=\\s*\\w+\\.T\\s*(#|$)", Pattern.MULTILINE).matcher(attn).find(), "a transposed copy:\n" + attn);
        assertTrue(attn.contains("q @ k.T"), attn);
        String batched = GradEmitTest.emit("t.tx", SOURCE, "batched", params("batched"));
        assertTrue(batched.contains("transpose(w, 1, 2) @"), batched);
    }

    @Test
    void theEmittedTxComputesTheGradient() {
        for (String name : List.of("attn", "batched")) {
            String text = GradEmitTest.emit("t.tx", SOURCE, name, params(name));
            for (int size : new int[] {4, 7}) {
                Tensor[] args = GradEmitTest.inputs(fn(name), size, 77L + size);
                List<Tensor> expected = Tx.compile("t.tx", SOURCE).grad(name, params(name).toArray(String[]::new)).call(args);
                GradEmitTest.assertClose(expected, Tx.compile("g.tx", text).function(name + "_grad").call(args), name + ":\n" + text);
            }
        }
    }

    @Test
    void theJavaAndDotEmittersWriteTheFlags() {
        Compiler.Emitted java = Compiler.grad("t.tx", SOURCE, "attn", params("attn"), Compiler.Emit.JAVA);
        assertNotNull(java.text(), java.diagnostics().render());
        assertFalse(java.text().contains("= transpose("), java.text());
        assertTrue(java.text().contains("matmul(q, new int[] {n, 4}, false, k, new int[] {m, 4}, true)"), java.text());
        Compiler.Emitted dot = Compiler.grad("t.tx", SOURCE, "attn", params("attn"), Compiler.Emit.DOT);
        assertNotNull(dot.text(), dot.diagnostics().render());
        assertFalse(dot.text().contains("transpose"), dot.text());
        assertTrue(dot.text().contains("matmul transB"), dot.text());
    }
}
