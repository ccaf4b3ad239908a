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
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.ir.Program;
import tx.runtime.ir.Simplify;

/**
 * The size of each example function's program and of its gradient's (with respect to every
 * parameter), after simplification: docs/op-counts.md holds the table, and this test recomputes it.
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

                Equations in the IR after simplification (constant folding, exact identities, common
                subexpressions, dead code), not counting the equations that make the random inputs.
                "gradient" is `grad(f, wrt=[every parameter])`, which also computes what it needs of the
                function itself. Regenerate with `mvn test -Dtest=OpCountTest -Dtx.regen=true`.

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
                int primal = ops(source, f, false), gradient = ops(source, f, true);
                String rel = TxRunner.root().relativize(file).toString();
                sb.append("| ").append(rel).append(" | `").append(f.name()).append("` | ").append(primal).append(" | ").append(gradient)
                  .append(" | ").append(String.format("%.2f", gradient / (double) primal)).append(" |\n");
            }
        }
        return sb.toString();
    }

    /** The equations of a program that applies f (or its gradient) to random inputs of its declared shapes. */
    private static int ops(String source, Ast.FnDef f, boolean gradient) {
        StringBuilder call = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < f.params().size(); i++) {
            Ast.Param p = f.params().get(i);
            List<String> dims = new ArrayList<>();
            for (Ast.Dim d : p.shape()) dims.add(d.name() != null ? "3" : Integer.toString(d.size()));
            call.append("opcount_in").append(i).append(" = randn([").append(String.join(", ", dims)).append("], seed=").append(i + 1).append(")\n");
            names.add(p.name());
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) args.add("opcount_in" + i);
        String applied = gradient ? "grad(" + f.name() + ", wrt=[" + String.join(", ", names) + "])" : f.name();
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < (gradient ? names.size() : 1); i++) outs.add("opcount_out" + i);
        call.append(String.join(", ", outs)).append(" = ").append(applied).append("(").append(String.join(", ", args)).append(")\n");
        call.append("print(").append(String.join(", ", outs)).append(")\n");
        String program = functionsOnly(source) + call;
        Compiler.Result r = Compiler.compile("opcount.tx", program);
        assertNotNull(r.program(), () -> r.diagnostics().render() + "\n" + program);
        return Simplify.countEqns(r.program().body()) - names.size(); // less the random inputs
    }

    /** The file's `fn` definitions only (the script around them is not measured). */
    private static String functionsOnly(String source) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean in = false;
        for (String line : source.split("\n")) {
            if (!in && line.startsWith("fn ")) in = true;
            if (in) {
                out.append(line).append('\n');
                for (char c : line.toCharArray()) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                if (depth == 0) in = false;
            }
        }
        return out.toString();
    }

    @Test
    void everyExampleFunctionIsMeasured() throws IOException {
        assertTrue(table().split("\n").length > 15, table());
    }
}
