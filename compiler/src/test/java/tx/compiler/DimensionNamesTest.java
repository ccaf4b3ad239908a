package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tx.compiler.api.Tx;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.tensor.Tensor;

/**
 * A named dimension spelt like a parameter ({@code fn f(n: [n])}), like a name the emitted Java
 * uses for something else ({@code shape}'s {@code param} and {@code dims}) or like a Java keyword:
 * the emitted .tx and Java must keep the two apart, and give the interpreter's gradient.
 */
class DimensionNamesTest {
    private static final String SOURCE = """
            fn own(n: [n]) -> [] {
                return mean(n * n)
            }
            fn other(x: [n], n: [3, n]) -> [] {
                return mean(x * sum(n, dim=0)) + sum(n) / x.shape[0]
            }
            fn crossed(k: [n], n: [m]) -> [] {
                return mean(k) * mean(n ** 2)
            }
            fn shape_names(param: [dims], dims: [param]) -> [] {
                return mean(param) * sum(dims ** 2) / dims.shape[0]
            }
            fn keyword(x: [int], y: [n, int]) -> [] {
                return mean(x * y) + mean(y)
            }
            """;

    private static List<Ast.FnDef> functions() {
        Ast.Program ast = Parse.program(SOURCE, new Diagnostics("dims.tx", SOURCE));
        assertNotNull(ast);
        List<Ast.FnDef> out = new ArrayList<>();
        for (Ast.Stmt s : ast.body()) if (s instanceof Ast.FnDef f) out.add(f);
        return out;
    }

    private static List<String> all(Ast.FnDef f) {
        return f.params().stream().map(Ast.Param::name).toList();
    }

    @TestFactory
    Stream<DynamicTest> theEmittedTxGivesTheGradient() {
        Tx.Module original = Tx.compile("dims.tx", SOURCE);
        return functions().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            Compiler.Emitted r = Compiler.grad("dims.tx", SOURCE, f.name(), all(f), Compiler.Emit.TX);
            assertNotNull(r.text(), r.diagnostics().render());
            Tx.Module emitted = Tx.compile(f.name() + "_grad.tx", r.text());
            for (int size : new int[] {4, 7}) {
                Tensor[] args = GradEmitTest.inputs(f, size, 77L + size);
                GradEmitTest.assertClose(original.grad(f.name(), all(f).toArray(String[]::new)).call(args),
                        emitted.function(f.name() + "_grad").call(args), f.name() + " at size " + size + ":\n" + r.text());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> theEmittedJavaCompilesAndGivesTheGradient() throws Exception {
        Tx.Module original = Tx.compile("dims.tx", SOURCE);
        Map<String, String> sources = new LinkedHashMap<>();
        Map<Ast.FnDef, String> classes = new LinkedHashMap<>();
        for (Ast.FnDef f : functions()) {
            Compiler.Emitted r = Compiler.grad("dims.tx", SOURCE, f.name(), all(f), Compiler.Emit.JAVA);
            assertNotNull(r.text(), r.diagnostics().render());
            String cls = "dims." + JavaEmitter.className(r.text());
            sources.put(cls, "package dims;\n" + r.text());
            classes.put(f, cls);
        }
        ClassLoader loader = InMemoryJavac.compile(sources);
        return classes.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey().name(), () -> {
            Ast.FnDef f = e.getKey();
            Class<?> k = loader.loadClass(e.getValue());
            Class<?>[] types = new Class<?>[f.params().size()];
            java.util.Arrays.fill(types, double[].class);
            Method grad = k.getMethod(f.name() + "_grad", types);
            for (int size : new int[] {4, 7}) {
                Tensor[] args = GradEmitTest.inputs(f, size, 91L + size);
                Object[] arrays = new Object[args.length];
                for (int i = 0; i < args.length; i++) arrays[i] = args[i].data().clone();
                double[][] got = (double[][]) grad.invoke(null, arrays);
                List<Tensor> actual = new ArrayList<>();
                for (int i = 0; i < got.length; i++) actual.add(Tensor.of(args[i].shape(), got[i]));
                GradEmitTest.assertClose(original.grad(f.name(), all(f).toArray(String[]::new)).call(args), actual, f.name() + " at size " + size);
            }
        }));
    }

    /** The public class name of an emitted source. */
    private static final class JavaEmitter {
        static String className(String source) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("public final class (\\w+)").matcher(source);
            if (!m.find()) throw new AssertionError(source);
            return m.group(1);
        }
    }
}
