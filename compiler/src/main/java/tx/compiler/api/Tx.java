package tx.compiler.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tx.compiler.lower.AnySize;
import tx.compiler.lower.Lowerer;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.compiler.syntax.SourceText;
import tx.runtime.exec.Interpreter;
import tx.runtime.ir.Verifier;
import tx.runtime.tensor.Tensor;

/**
 * Using tx from Java:
 * <pre>{@code
 * Tx.Module m = Tx.compile(Path.of("model.tx"));
 * Tensor loss = m.function("loss").call(w, b, x, y).get(0);
 * List<Tensor> g = m.grad("loss", "w", "b").call(w, b, x, y);   // dloss/dw, dloss/db
 * }</pre>
 * Tensors are made with {@link Tensor#of(int[], double[])}. A call checks its arguments against
 * the function's signature. It is compiled once, at the first call: each named dimension of the
 * signature ({@code x: [n, 3]}) is a size the program is given when it runs, so one program serves
 * every n ({@link Function#compilesOnce}). A function that needs a size when it is compiled (a
 * {@code range(n)}, a shape built from n) is compiled once for each signature of shapes it is
 * called with instead. The compiled program is run on the arguments by the interpreter, however
 * many calls follow. Problems are
 * {@link TxException}s whose message holds the diagnostics as the command line prints them.
 */
public final class Tx {
    private Tx() {}

    /** A compile error, or a call that does not fit the function: the message is the rendered diagnostics. */
    public static final class TxException extends RuntimeException {
        public TxException(String message) {
            super(message);
        }
    }

    /**
     * Sets how many threads large matrix products and elementwise operations use, in this JVM, from
     * now on (the command line's {@code --threads N}; the default is the processors, or TX_THREADS).
     * Every result has the same bits whatever the number: each output element is computed by one
     * thread, in the order one thread computes it.
     */
    public static void setThreads(int n) {
        tx.runtime.kernels.Parallel.setThreads(n);
    }

    /** How many threads the kernels use (see {@link #setThreads}). */
    public static int threads() {
        return tx.runtime.kernels.Parallel.threads();
    }

    /** Compiles a file; paths given to `load` and `save` in it are relative to its folder. */
    public static Module compile(Path file) throws IOException {
        Objects.requireNonNull(file, "Tx.compile: file is null");
        String name = file.getFileName().toString();
        SourceText text = SourceText.decode(Files.readAllBytes(file));
        Diagnostics d = new Diagnostics(name, text.text());
        if (text.report(d)) throw new TxException(d.render()); // not UTF-8: E0004 at the first bad byte
        return new Module(name, text.text(), parse(name, text.text()), file.toAbsolutePath().getParent(), file);
    }

    /** Parses and checks a file's functions; the script around them is not run. File paths are relative to the working directory. */
    public static Module compile(String name, String source) {
        return compile(name, source, null);
    }

    /** As {@link #compile(String, String)}, with the folder that `load` and `save` paths are relative to (null: the working directory). */
    public static Module compile(String name, String source, Path baseDir) {
        Objects.requireNonNull(name, "Tx.compile: name is null");
        Objects.requireNonNull(source, "Tx.compile: source is null");
        return new Module(name, source, parse(name, source), baseDir, null);
    }

    private static Ast.Program parse(String name, String source) {
        Diagnostics d = new Diagnostics(name, source);
        Ast.Program ast = Parse.program(source, d);
        if (ast == null || d.hasErrors()) throw new TxException(d.render());
        return ast;
    }

    /** A compiled file: its functions, and the derivatives of them. */
    public static final class Module {
        private final String name, source;
        private final Ast.Program ast;
        /** The folder of relative paths; the file compiled (null: a string), which no `save` may overwrite. */
        private final Path baseDir, file;

        private Module(String name, String source, Ast.Program ast, Path baseDir, Path file) {
            this.name = name;
            this.source = source;
            this.ast = ast;
            this.baseDir = baseDir;
            this.file = file;
        }

        public Function function(String fn) {
            Objects.requireNonNull(fn, "Module.function: fn is null");
            return new Function(this, fn, null, List.of());
        }

        /** The gradient of a scalar function with respect to the named parameters (default: the first), in that order. */
        public Function grad(String fn, String... wrt) {
            return new Function(this, fn, "grad", names("Module.grad", fn, wrt));
        }

        /**
         * Forward mode: the function takes f's arguments, then one tangent per named parameter
         * (default: the first), and returns the value and its tangent.
         */
        public Function jvp(String fn, String... wrt) {
            return new Function(this, fn, "jvp", names("Module.jvp", fn, wrt));
        }

        /** The value, then the gradients. */
        public Function valueAndGrad(String fn, String... wrt) {
            return new Function(this, fn, "value_and_grad", names("Module.valueAndGrad", fn, wrt));
        }

        /** The parameter names of a transform, none of them null (a null is named: {@code wrt[1] is null}). */
        private static List<String> names(String method, String fn, String[] wrt) {
            Objects.requireNonNull(fn, method + ": fn is null");
            Objects.requireNonNull(wrt, method + ": wrt is null");
            for (int i = 0; i < wrt.length; i++) Objects.requireNonNull(wrt[i], method + ": wrt[" + i + "] is null");
            return List.of(wrt);
        }
    }

    /** A callable function value of a module. */
    public static final class Function {
        private final Module module;
        private final String fn, kind;
        private final List<String> wrt;

        private Function(Module module, String fn, String kind, List<String> wrt) {
            this.module = module;
            this.fn = fn;
            this.kind = kind;
            this.wrt = wrt;
        }

        /** " (name)" of the function's parameter at index i, or "" if there is no such parameter. */
        private String parameter(int i) {
            String name = "";
            for (Ast.Stmt s : module.ast.body()) { // the last definition of fn: the one the module holds
                if (s instanceof Ast.FnDef f && f.name().equals(fn)) name = i < f.params().size() ? " (" + f.params().get(i).name() + ")" : "";
            }
            return name;
        }

        /** Calls the function; returns its results (one tensor, or several). Anything it prints goes nowhere. */
        public List<Tensor> call(Tensor... args) {
            Objects.requireNonNull(args, "Function.call: args is null");
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) throw new NullPointerException("Function.call: argument " + (i + 1) + " of `" + fn + "`" + parameter(i) + " is null");
            }
            List<Tensor> anySize = anySize(args);
            return anySize != null ? anySize : perShape(args);
        }

        /**
         * Calls the function through the program compiled for its arguments' shapes (at the first
         * call with them), even where one program serves every size ({@link #compilesOnce}): the
         * two give the same bits, and this is how the tests compare them.
         */
        public List<Tensor> callPerShape(Tensor... args) {
            Objects.requireNonNull(args, "Function.callPerShape: args is null");
            return perShape(args);
        }

        private List<Tensor> perShape(Tensor... args) {
            List<int[]> shapes = new ArrayList<>();
            StringBuilder key = new StringBuilder();
            for (Tensor t : args) {
                shapes.add(t.shape());
                key.append(java.util.Arrays.toString(t.shapeRef()));
            }
            Lowerer.Derived compiled = programs.get(key.toString());
            if (compiled == null) {
                Diagnostics d = new Diagnostics(module.name, module.source);
                compiled = Lowerer.lowerForShapes(module.ast, d, module.source, fn, kind, wrt, shapes, module.baseDir, module.file);
                if (compiled == null && !d.hasErrors()) { // arguments the function does not take: the call on its values says how
                    Lowerer.lowerCall(module.ast, d, module.source, fn, kind, wrt, List.of(args), module.baseDir, module.file);
                }
                if (compiled == null) throw new TxException(d.render());
                compiled = simplified(compiled);
                Verifier.verify(compiled.program());
                programs.put(key.toString(), compiled);
            }
            java.util.Map<tx.runtime.ir.Var, Tensor> inputs = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) inputs.put(compiled.params().get(i), args[i]);
            return new ArrayList<>(Interpreter.evaluate(compiled.program(), inputs, compiled.results(), null));
        }

        /**
         * The results of a call through the program compiled once for every size of the function's
         * named dimensions ({@link AnySize}), or null where there is none (the function needs its
         * sizes at compile time, or a parameter's shape is not declared) or the arguments do not
         * fit its signature (the program for their shapes then says how).
         */
        private List<Tensor> anySize(Tensor[] args) {
            AnySize.Lowered c = symbolic();
            if (c == null || args.length != c.derived().params().size()) return null;
            java.util.Map<String, Integer> dims = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) if (!fits(c.derived().params().get(i).shapeRef(), c, args[i].shapeRef(), dims)) return null;
            // NOTE: a size of 1 broadcasts where the program for every size checks that sizes agree (and 0 is as rare): per shape
            if (dims.containsValue(1) || dims.containsValue(0)) return null;
            java.util.Map<tx.runtime.ir.Var, Tensor> inputs = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) inputs.put(c.derived().params().get(i), args[i]);
            for (int k = 0; k < c.dims().size(); k++) inputs.put(c.sizes().get(k), Tensor.scalar(dims.get(c.dims().get(k))));
            try {
                return new ArrayList<>(Interpreter.evaluate(c.derived().program(), inputs, c.derived().results(), null));
            } catch (tx.runtime.exec.TxRuntimeException stopped) {
                // NOTE: the program per shape decides: where a size made at run time (a view's -1) is 1, it broadcasts, as
                // PyTorch does, and the program for every size stopped at its check that the sizes agree; a run that
                // stops there too stops with its own message
                return null;
            }
        }

        /** Whether a shape fits a parameter's, binding each named dimension (a symbol) to its size, as the signature would. */
        private static boolean fits(int[] param, AnySize.Lowered c, int[] shape, java.util.Map<String, Integer> dims) {
            if (param.length != shape.length) return false;
            for (int k = 0; k < shape.length; k++) {
                if (!tx.runtime.tensor.Shapes.isSymbol(param[k])) {
                    if (param[k] != shape[k]) return false;
                    continue;
                }
                String name = c.dims().get(c.symbols().indexOf(param[k]));
                if (dims.containsKey(name) ? dims.get(name) != shape[k] : dims.put(name, shape[k]) != null) return false;
            }
            return true;
        }

        /**
         * Whether one compiled program serves every size of the function's named dimensions
         * ({@code fn f(x: [n, 3])} called with any n), or (false) the function needs its sizes when
         * it is compiled, and each signature of shapes it is called with is compiled on its own.
         */
        public boolean compilesOnce() {
            return symbolic() != null;
        }

        /** The program for every size, lowered at the first call; null if the function cannot have one. */
        private synchronized AnySize.Lowered symbolic() {
            if (!symbolicTried) {
                Diagnostics d = new Diagnostics(module.name, module.source);
                AnySize.Lowered c;
                try {
                    c = AnySize.lower(module.ast, d, module.source, fn, kind, wrt, module.baseDir, module.file);
                } catch (RuntimeException internal) { // a rule that reads a size as a number: the program per shape is the sound one
                    if (System.getenv("TX_DEBUG") != null) internal.printStackTrace();
                    c = null;
                }
                if (c != null && !c.dims().isEmpty()) {
                    Lowerer.Derived s = simplified(c.derived());
                    Verifier.verify(s.program());
                    symbolic = new AnySize.Lowered(s, c.dims(), c.sizes(), c.symbols());
                }
                symbolicTried = true;
            }
            return symbolic;
        }

        private volatile AnySize.Lowered symbolic;
        private volatile boolean symbolicTried;

        /** The program simplified for its results, as `tx run` and `tx bench` simplify theirs (the parameters' stand-ins are kept: they are given). */
        private static Lowerer.Derived simplified(Lowerer.Derived d) {
            tx.runtime.ir.Simplify.Rooted r = tx.runtime.ir.Simplify.run(d.program().body(), d.results());
            tx.runtime.ir.Program p = new tx.runtime.ir.Program(r.body(), Math.max(r.varCount(), d.program().varCount()), d.program().leafNames());
            return new Lowerer.Derived(p, d.params(), r.results());
        }

        /** The programs compiled so far, by the shapes of their arguments. */
        private final java.util.Map<String, Lowerer.Derived> programs = new java.util.concurrent.ConcurrentHashMap<>();
    }
}
