package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tx.compiler.emit.Derivation;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;

/**
 * The size of each example function's program and of its gradient's (with respect to every
 * parameter, as {@code tx grad} emits it): docs/op-counts.md holds the table, and this test recomputes it.
 * Regenerate the file with {@code mvn test -Dtest=OpCountTest -Dtx.regen=true} and review the diff.
 */
class OpCountTest {
    static final Path TABLE = TxRunner.root().resolve("docs/op-counts.md");

    @Test
    void theTableInTheDocsIsCurrent() throws IOException {
        String table = table();
        if (Boolean.getBoolean("tx.regen")) Files.writeString(TABLE, table, StandardCharsets.UTF_8);
        assertEquals(Files.readString(TABLE, StandardCharsets.UTF_8), table, "docs/op-counts.md is stale: run with -Dtx.regen=true");
    }

    static String table() throws IOException {
        StringBuilder sb = new StringBuilder("""
                # Operations in each example function and in its gradient

                Operations (IR equations, less literals: constants and fills of one number) after
                simplification (constant folding, exact identities, broadcast folding, common
                subexpressions, dead code). "function" is what computing f's value takes; "gradient" is
                what `tx grad FILE --fn f --wrt <every parameter>` emits, which also computes what it
                needs of the function itself. Regenerate with
                `mvn test -Dtest=OpCountTest -Dtx.regen=true`.

                | file | function | function ops | gradient ops | ratio |
                | --- | --- | ---: | ---: | ---: |
                """);
        List<Path> files = new ArrayList<>(TxRunner.files(TxRunner.root().resolve("examples"), ".tx"));
        for (Path file : files) {
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Ast.Program ast = Parse.program(source, new Diagnostics("t.tx", source));
            if (ast == null) continue;
            for (Ast.Stmt s : ast.body()) {
                if (!(s instanceof Ast.FnDef f) || f.returns().size() != 1 || !f.returns().get(0).isEmpty()) continue; // scalar functions
                List<String> every = new ArrayList<>();
                for (Ast.Param p : f.params()) every.add(p.name());
                Diagnostics d = new Diagnostics(file.getFileName().toString(), source);
                Derivation g = Derivation.derive(ast, d, source, f.name(), every);
                assertNotNull(g, d::render);
                int primal = g.functionOps(), gradient = g.gradientOps();
                String rel = TxRunner.root().relativize(file).toString();
                sb.append("| ").append(rel).append(" | `").append(f.name()).append("` | ").append(primal).append(" | ").append(gradient)
                  .append(" | ").append(String.format("%.2f", gradient / (double) primal)).append(" |\n");
            }
        }
        return sb.toString();
    }

    @Test
    void everyExampleFunctionIsMeasured() throws IOException {
        assertTrue(table().split("\n").length > 15, table());
    }
}
