package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tx.compiler.emit.Derivation;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;

/**
 * Every primitive goes through every emitter and the interpreter: the derivatives that the emitter
 * tests write out and run (the example functions, and {@link JavaEmitTest#EXTRA}, which reaches what
 * the examples do not) must between them use every {@link Prim}, so that a new primitive cannot be
 * added without a function here that exercises it in `.tx`, Java and DOT (whose switches over
 * {@code Prim} have no default: javac refuses a forgotten case). LOAD is the one primitive the
 * standalone Java refuses (it reads no files): a function that loads must be refused with E0601
 * there, and written as `.tx` and DOT.
 *
 * <p>Also checks the one-definition rule: every built-in registered from a primitive
 * ({@link Prim#gradFn}) is elementwise and has the Java source of its function.
 */
class PrimitiveSweepTest {
    private static final String LOADS = """
            fn loads(x: [3]) -> [] {
                return sum(x * load("data/sweep.npy"))
            }
            """;

    @Test
    void theEmitterTestsReachEveryPrimitive() throws IOException {
        Set<Prim> reached = EnumSet.noneOf(Prim.class);
        for (Path f : TxRunner.files(TxRunner.root().resolve("examples"), ".tx")) {
            reached.addAll(primitives(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
        }
        reached.addAll(primitives("extra.tx", JavaEmitTest.EXTRA));
        Set<Prim> missing = EnumSet.complementOf(EnumSet.copyOf(reached));
        missing.remove(Prim.LOAD);
        missing.remove(Prim.NONZERO); // a size known only at run time: refused by every emitter, below
        missing.remove(Prim.RANDOM); // tx's stand-ins for arguments and tx check's inputs, never in a program it writes
        assertTrue(missing.isEmpty(), "no emitter test reaches " + missing + ": add a function to JavaEmitTest.EXTRA that does");
    }

    @Test
    void loadIsWrittenAsTxAndDotAndRefusedInJava(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        tx.runtime.io.Npy.write(dir.resolve("data/sweep.npy"), tx.runtime.tensor.Tensor.of(new int[] {3}, new double[] {1, 2, 3}));
        Compiler.Emitted tx = Compiler.grad("sweep.tx", LOADS, "loads", List.of(), Compiler.Emit.TX, dir);
        assertNotNull(tx.text(), tx.diagnostics().render());
        assertTrue(tx.text().contains("load(\"data/sweep.npy\")"), tx.text());
        assertNotNull(Compiler.grad("sweep.tx", LOADS, "loads", List.of(), Compiler.Emit.DOT, dir).text());
        Compiler.Emitted java = Compiler.grad("sweep.tx", LOADS, "loads", List.of(), Compiler.Emit.JAVA, dir);
        assertEquals(null, java.text());
        assertTrue(java.diagnostics().render().contains("E0601"), java.diagnostics().render());
    }

    /**
     * Draws from PyTorch's generator: Java and DOT write any number of them (the generator's state a
     * variable); tx writes one draw as a call with the seed it draws from, and refuses a second (E0601).
     */
    @Test
    void drawsAreWrittenInJavaAndDotAndOneOfThemInTx() {
        String once = "fn once(x: [3]) -> [] { return sum(x * randn(3)) }\n";
        String twice = "fn twice(x: [3]) -> [] { return sum(x * randn(3) + x * rand(3)) }\n";
        Compiler.Emitted one = Compiler.grad("draws.tx", once, "once", List.of(), Compiler.Emit.TX);
        assertNotNull(one.text(), one.diagnostics().render());
        assertTrue(one.text().contains("randn([3], seed=67280421310721)"), one.text()); // PyTorch's default generator's seed
        Compiler.Emitted two = Compiler.grad("draws.tx", twice, "twice", List.of(), Compiler.Emit.TX);
        assertEquals(null, two.text());
        assertTrue(two.diagnostics().render().contains("E0601") && two.diagnostics().render().contains("second draw"), two.diagnostics().render());
        assertNotNull(Compiler.grad("draws.tx", twice, "twice", List.of(), Compiler.Emit.JAVA).text());
        assertNotNull(Compiler.grad("draws.tx", twice, "twice", List.of(), Compiler.Emit.DOT).text());
    }

    /** A mask's selection has a size known only at run time, which no emitter writes yet: E0601 from each, and the reason. */
    @Test
    void aSelectionByARunTimeMaskIsRefusedByEveryEmitter(@org.junit.jupiter.api.io.TempDir Path dir) {
        String source = """
                fn positives(x: [4]) -> [] {
                    p = x[x > 0]
                    return sum(p * p)
                }
                """;
        for (Compiler.Emit emit : Compiler.Emit.values()) {
            Compiler.Emitted out = Compiler.grad("mask.tx", source, "positives", List.of(), emit, dir);
            String shown = out.diagnostics().render();
            assertEquals(null, out.text(), emit + " wrote code through a run-time size");
            assertTrue(shown.contains("E0601") && shown.contains("size known only at run time") && shown.contains("`p`"), emit + ": " + shown);
        }
    }

    @Test
    void theBuiltinsThatArePrimitivesAreDefinedInPrim() {
        for (Prim p : Prim.values()) {
            if (p.gradFn() == null) continue;
            assertTrue(p.elementwise(), p + " is registered as a built-in but is not elementwise");
            assertNotNull(p.javaFunction(), p + " has no Java source for its function");
            assertTrue(p.gradFn().matches("[A-Z][A-Za-z0-9]*Backward[0-9]"), p.gradFn()); // PyTorch's form
        }
    }

    /** The primitives in the derivative of every scalar function of a file, with respect to all its parameters. */
    private static Set<Prim> primitives(String file, String source) {
        Diagnostics diags = new Diagnostics(file, source);
        Ast.Program ast = Parse.program(source, diags);
        assertNotNull(ast, file);
        Set<Prim> out = EnumSet.noneOf(Prim.class);
        for (Ast.Stmt s : ast.body()) {
            if (!(s instanceof Ast.FnDef f) || f.returns().size() != 1 || !f.returns().get(0).isEmpty()) continue;
            List<String> all = new ArrayList<>();
            for (Ast.Param p : f.params()) all.add(p.name());
            Derivation d = Derivation.derive(ast, new Diagnostics(file, source), source, f.name(), all, TxRunner.root().resolve("examples"));
            if (d != null) collect(d.body(), out);
        }
        return out;
    }

    private static void collect(List<Stmt> body, Set<Prim> out) {
        for (Stmt st : body) {
            if (st instanceof Stmt.Eqn e) out.add(e.prim());
            else if (st instanceof Stmt.Loop l) collect(l.body(), out);
            else if (st instanceof Stmt.Cond c) {
                collect(c.then(), out);
                collect(c.otherwise(), out);
            }
        }
    }
}
