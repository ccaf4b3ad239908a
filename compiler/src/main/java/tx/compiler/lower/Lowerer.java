package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tx.compiler.ad.Graph;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Program;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.Shapes;

/**
 * Checks a tx script and lowers it to IR in one walk over the AST. Each expression is checked
 * (names, shapes, requires_grad, grads that may be None) and, if it is sound, built as IR through
 * the typed {@link Builder}; an expression that fails yields {@link Val.Bad}, which silences
 * follow-on errors, so that every independent error in the file is reported. {@code backward}
 * calls become adjoint IR right where they stand (see {@link tx.compiler.ad.Reverse}).
 */
public final class Lowerer {
    final Builder b = new Builder();
    final Graph graph = new Graph();
    final Diagnostics diags;
    final Exprs exprs;
    final Checkpoints checkpoints = new Checkpoints(this);
    /** Values made by indexing (by identity: a clone of one is another value), to the tensor they were read from. */
    final Map<Val, Var> slicedFrom = new IdentityHashMap<>();
    /** Slices whose bounds are known only at run time, and the values of the loop counters they are read with. */
    final Windows windows = new Windows(this);
    /** Counts the hidden names of {@link Logic}. */
    int hiddenNames;
    final Builtins builtins;
    final Functions functions;
    final AutogradApi autograd;
    /** The {@code .grad} registers that hold differentiable values (backward with create_graph=True). */
    final GraphGrads gradValues;
    final Sequences sequences;
    final GrowingLists growing = new GrowingLists(this);
    private final String[] lines;
    private final Map<Object, Map<List<Object>, Integer>> leafIds = new IdentityHashMap<>();
    /**
     * The item of each enclosing loop over a list that is being unrolled ({@code for p in params}):
     * one AST node makes a different leaf for each item, since the items live side by side.
     */
    final List<Integer> unrolledItems = new ArrayList<>();
    /**
     * The calls being inlined, outermost first: one AST node of a function's body makes a different
     * leaf for each call site (d2l's init_params, called once per model, makes new weights each time).
     */
    final List<Span> inlinedCalls = new ArrayList<>();
    final List<String> leafNames = new ArrayList<>();
    State state = new State();
    int loopDepth;
    /** How many blocks being lowered may not run (a branch of an `if`, a `while`'s body, a loop of no iterations): see {@link Asserts}. */
    int mayNotRun;
    /** The end states of loop bodies already re-checked, by loop and entry signature (see Loops). */
    final Map<Ast.For, Map<String, State>> dryRuns = new IdentityHashMap<>();
    /** For each dry run's end state, the first iteration in which its body clips a slice (see {@link Loops#peel}). */
    final Map<State, Long> dryRunClips = new IdentityHashMap<>();
    /** The range loop each `for` over tensors stands for, by statement and trip count (see Iteration). */
    final Map<Ast.ForEach, Map<Integer, Ast.For>> desugared = new IdentityHashMap<>();
    /** The counted loop each `for i in r` over a range value stands for, by statement and range (see Ranges). */
    final Map<Ast.ForEach, Map<String, Ast.For>> rangeLoops = new IdentityHashMap<>();
    /** A backward failed to check: later "grad is None" errors would be follow-ons, so they are silenced. */
    boolean backwardFailed;
    /** The folder that relative paths of load and save start from (the .tx file's); null: the working directory. */
    java.nio.file.Path baseDir;
    /** The .tx file being compiled, which no `save` may overwrite; null when the source is not a file's. */
    java.nio.file.Path sourceFile;

    private Lowerer(Diagnostics diags, String source) {
        this.diags = diags;
        this.lines = source.split("\r?\n", -1);
        this.exprs = new Exprs(this);
        this.builtins = new Builtins(this);
        this.functions = new Functions(this);
        this.autograd = new AutogradApi(this);
        this.gradValues = new GraphGrads(this);
        this.sequences = new Sequences(this);
        b.listen(e -> {
            graph.defined(e);
            refuseHuge(e);
        });
    }

    /** A lowerer for a parsed file, with its functions registered (they may be called before their definition). */
    static Lowerer of(Ast.Program program, Diagnostics diags, String source) {
        Lowerer l = new Lowerer(diags, source);
        l.functions.closures.nonlocals.check(program.body()); // first: collecting scans bodies for what they change, nonlocal names included
        l.functions.collect(program.body());
        return l;
    }

    /** The program built so far, or null if there were errors; a leaf that was never named gets a name for messages. */
    private Program program() {
        if (diags.hasErrors()) return null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < leafNames.size(); i++) names.add(leafNames.get(i) == null ? "leaf" + i : leafNames.get(i));
        return new Program(b.top(), b.varCount(), names, b.internal());
    }

    /** Checks and lowers a parsed script; returns null if there were errors (they are in diags). */
    public static Program lower(Ast.Program program, Diagnostics diags, String source) {
        return lower(program, diags, source, null);
    }

    /** As {@link #lower(Ast.Program, Diagnostics, String)}, with the folder that the script's file paths are relative to. */
    public static Program lower(Ast.Program program, Diagnostics diags, String source, java.nio.file.Path baseDir) {
        return lower(program, diags, source, baseDir, null);
    }

    /** As above, for the source file {@code sourceFile} (null: none), which the program may not save over. */
    public static Program lower(Ast.Program program, Diagnostics diags, String source, java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        Lowerer l = of(program, diags, source);
        l.baseDir = baseDir;
        l.sourceFile = sourceFile;
        for (Ast.Stmt s : program.body()) {
            if (s instanceof Ast.FnDef f) l.functions.definition(f, true); // checked at each call, where its shapes are known
            else l.statement(s);
        }
        return l.program();
    }

    /**
     * A result too large to exist (say an outer product of two long vectors) is refused at compile
     * time, at the expression that makes it, before anything is allocated. Constructors check their
     * own shapes first, since some build their data at compile time.
     */
    private void refuseHuge(tx.runtime.ir.Stmt.Eqn e) {
        var o = b.origin();
        String shape = tx.runtime.tensor.Shapes.show(e.out().shapeRef());
        fits(e.out().shapeRef(), new Span(o.line(), o.col(), o.line(), o.endCol()), "the result here, a tensor of shape " + shape + ",");
    }

    /**
     * False, after reporting E0205, for a shape whose element count does not fit in a Java array
     * or whose float64s would not fit in the memory the JVM may use.
     */
    boolean fits(int[] shape, Span span, String what) { // what: the tensor, as the subject of a sentence
        return fits(diags, shape, span, what);
    }

    /**
     * Refuses, with E0205 at the loop, a loop tape (one row per iteration of the values a reversed
     * loop reads) that could not be held: the AD pass sizes it as [trip count] + the value's shape,
     * so it is known before anything runs. Nested loops are checked too.
     */
    public static void refuseHugeTapes(List<tx.runtime.ir.Stmt> body, Diagnostics diags) {
        for (tx.runtime.ir.Stmt s : body) {
            if (s instanceof tx.runtime.ir.Stmt.Loop loop) {
                var o = loop.origin();
                for (Var tape : loop.tapes()) {
                    String what = "the tape of this loop's reversal (" + loop.count() + " rows of " + tx.runtime.tensor.Shapes.show(
                            java.util.Arrays.copyOfRange(tape.shapeRef(), 1, tape.rank())) + ")";
                    if (!fits(diags, tape.shapeRef(), new Span(o.line(), o.col(), o.line(), o.endCol()), what)) return;
                }
                refuseHugeTapes(loop.body(), diags);
            } else if (s instanceof tx.runtime.ir.Stmt.Cond c) {
                refuseHugeTapes(c.then(), diags);
                refuseHugeTapes(c.otherwise(), diags);
            }
        }
    }

    private static boolean fits(Diagnostics diags, int[] shape, Span span, String what) {
        long n;
        try {
            n = tx.runtime.tensor.Shapes.numelExact(tx.runtime.tensor.Shapes.fixedPart(shape)); // a size known only at run time is checked as it is made
        } catch (ArithmeticException x) {
            n = Long.MAX_VALUE;
        }
        long max = Runtime.getRuntime().maxMemory();
        if (n > Integer.MAX_VALUE - 8) {
            diags.error("E0205", span, what + " has " + (n == Long.MAX_VALUE ? "more than 2^63" : Long.toString(n))
                    + " elements, more than tx can hold in one tensor (2^31 - 1)", null);
            return false;
        }
        if (8 * n > max) {
            diags.error("E0205", span, what + " needs " + tx.runtime.exec.RunOptions.bytes(8 * n) + " of memory, and the JVM may use "
                    + tx.runtime.exec.RunOptions.bytes(max), "make it smaller, or give Java more memory: `TX_JAVA_OPTS=-Xmx16g ./tx run ...`");
            return false;
        }
        return true;
    }

    /**
     * For `tx check`: a program made of the file's `check` statements and, for every function with
     * a scalar result, a check of its gradient against finite differences. The rest of the script
     * is not run. Returns null if there were errors.
     */
    public static Program lowerChecks(Ast.Program program, Diagnostics diags, String source) {
        return lowerChecks(program, diags, source, null);
    }

    /** As {@link #lowerChecks(Ast.Program, Diagnostics, String)}, with the folder that file paths are relative to. */
    public static Program lowerChecks(Ast.Program program, Diagnostics diags, String source, java.nio.file.Path baseDir) {
        return lowerChecks(program, diags, source, baseDir, null);
    }

    /** As above, for the source file {@code sourceFile} (null: none), which the program may not save over. */
    public static Program lowerChecks(Ast.Program program, Diagnostics diags, String source, java.nio.file.Path baseDir,
                                      java.nio.file.Path sourceFile) {
        Lowerer l = of(program, diags, source);
        l.baseDir = baseDir;
        l.sourceFile = sourceFile;
        Checks checks = new Checks(l);
        for (Ast.Stmt s : program.body()) {
            if (s instanceof Ast.Check c) {
                checks.check(c);
            } else if (s instanceof Ast.FnDef f) {
                l.functions.definition(f, true); // from here on its name calls this definition, as in `tx run`
                var old = l.b.at(f.span().origin());
                checks.selfCheck(f);
                l.b.at(old);
            }
        }
        return l.program();
    }

    /** A lowered call of a function value from Java: the program and the variables that hold its results. */
    public record Call(Program program, List<Var> results) {}

    /**
     * Lowers one call of a file's function (or of a transform of it, {@code kind} "grad" or
     * "value_and_grad" with {@code wrt} parameter names) on given tensors, for the embedding API.
     * Returns null if there were errors (in diags).
     */
    public static Call lowerCall(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                 List<tx.runtime.tensor.Tensor> inputs) {
        return lowerCall(program, diags, source, fn, kind, wrt, inputs, null);
    }

    /** As above, with the folder that file paths are relative to (null: the working directory). */
    public static Call lowerCall(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                 List<tx.runtime.tensor.Tensor> inputs, java.nio.file.Path baseDir) {
        return lowerCall(program, diags, source, fn, kind, wrt, inputs, baseDir, null);
    }

    /** As above, for the source file {@code sourceFile} (null: none), which the function may not save over. */
    public static Call lowerCall(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                 List<tx.runtime.tensor.Tensor> inputs, java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        Lowerer l = of(program, diags, source);
        l.baseDir = baseDir;
        l.sourceFile = sourceFile;
        Val.FnRef ref = l.reference(fn, kind, wrt);
        if (ref == null) return null;
        List<T> args = new ArrayList<>();
        for (tx.runtime.tensor.Tensor t : inputs) args.add(new T(l.b.constant(t), false, -1, null, false, false));
        return l.call(ref, fn, args, Span.NONE);
    }

    /**
     * For the embedding API: a file's function (or a transform of it) applied to parameters of the
     * given shapes, whose values the program is given when it runs (each is a RANDOM stand-in, as
     * for `tx bench`), so that one compiled program serves every call with those shapes. Returns
     * null if there were errors (in diags); with a number of arguments the function does not take,
     * null and no errors: the caller lowers the call on its values, which reports the mismatch.
     */
    public static Derived lowerForShapes(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                         List<int[]> shapes, java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        Lowerer l = of(program, diags, source);
        l.baseDir = baseDir;
        l.sourceFile = sourceFile;
        Val.FnRef ref = l.reference(fn, kind, wrt);
        if (ref == null) return null;
        List<String> ps = l.functions.parameters(ref); // a transform's own (jvp's tangents, vjp's cotangent) included
        if (ps.size() != shapes.size()) return null;
        List<T> args = new ArrayList<>();
        List<Var> params = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Var v = l.standIn(ps.get(i), new tx.runtime.ir.Attrs.Random(shapes.get(i).clone(), i, true));
            params.add(v);
            args.add(new T(v, false, -1, null, false, false));
        }
        Call c = l.call(ref, fn, args, Span.NONE);
        return c == null ? null : new Derived(c.program(), params, c.results());
    }

    /**
     * For `tx grad`: {@code value_and_grad(fn, wrt)} applied to parameters of the given shapes whose
     * values are unknown (each is a RANDOM equation, never folded, named after its parameter). The
     * results stay differentiable (no detach), so that emitted code can be differentiated again.
     * Returns null if there were errors (in diags).
     */
    public static Derived lowerDerivative(Ast.Program program, Diagnostics diags, String source, String fn, List<String> wrt, List<int[]> shapes) {
        return lowerDerivative(program, diags, source, fn, wrt, shapes, null);
    }

    /** As above, with the folder that file paths are relative to (null: the working directory). */
    public static Derived lowerDerivative(Ast.Program program, Diagnostics diags, String source, String fn, List<String> wrt, List<int[]> shapes,
                                         java.nio.file.Path baseDir) {
        return lowerDerivative(program, diags, source, fn, wrt, shapes, baseDir, true);
    }

    /**
     * As above; {@code inlineAll}: every call copies its function's body, or (false) calls of pure
     * functions stay calls of IR functions (small bodies are still inlined), for emitters that
     * write the called functions as functions.
     */
    public static Derived lowerDerivative(Ast.Program program, Diagnostics diags, String source, String fn, List<String> wrt, List<int[]> shapes,
                                         java.nio.file.Path baseDir, boolean inlineAll) {
        return lowerApplied(program, diags, source, fn, "value_and_grad", wrt, shapes, baseDir, inlineAll);
    }

    /**
     * {@code jvp(fn, wrt)} applied to parameters of the given shapes whose values are unknown: fn's
     * parameters, then one tangent per {@code wrt} parameter (for `tx grad --mode forward`). Calls
     * stay calls as in {@link #lowerDerivative} with {@code inlineAll} false.
     */
    public static Derived lowerTangent(Ast.Program program, Diagnostics diags, String source, String fn, List<String> wrt, List<int[]> shapes,
                                      java.nio.file.Path baseDir, boolean inlineAll) {
        return lowerApplied(program, diags, source, fn, "jvp", wrt, shapes, baseDir, inlineAll);
    }

    /**
     * A file's function itself ({@code kind} null) or a transform of it, applied to parameters of the
     * given shapes whose values are unknown (RANDOM stand-ins, for `tx grad` and `tx bench`).
     */
    public static Derived lowerApplied(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                       List<int[]> shapes, java.nio.file.Path baseDir) {
        return lowerApplied(program, diags, source, fn, kind, wrt, shapes, baseDir, false);
    }

    /** As above; {@code inlineAll}: every call copies its function's body (the emitters write straight-line code). */
    private static Derived lowerApplied(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                        List<int[]> shapes, java.nio.file.Path baseDir, boolean inlineAll) {
        Lowerer l = of(program, diags, source);
        if (inlineAll) l.functions.inlineAll();
        l.baseDir = baseDir;
        Val.FnRef ref = l.reference(fn, kind, wrt);
        if (ref == null) return null;
        List<String> ps = l.functions.parameters(ref); // a jvp's: the function's, then the tangents
        List<T> args = new ArrayList<>();
        List<Var> params = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Var v = l.standIn(ps.get(i), new tx.runtime.ir.Attrs.Random(shapes.get(i).clone(), i, true));
            params.add(v);
            args.add(new T(v, false, -1, null, false, false));
        }
        l.functions.keepResultsDifferentiable();
        Call c = l.call(ref, fn, args, head(l.functions.base(ref))); // errors point at `fn NAME`
        return c == null ? null : new Derived(c.program(), params, c.results());
    }

    /** A value the caller gives when the program runs, named: a RANDOM equation, never folded, that stands in for it. */
    Var standIn(String name, tx.runtime.ir.Attrs.Random shape) {
        String old = b.named(name);
        Var v = b.emit(tx.runtime.ir.Prim.RANDOM, shape);
        b.named(old);
        return v;
    }

    /** Where a message about a whole function points: {@code fn NAME}. */
    public static Span head(Ast.FnDef fn) {
        Span s = fn.span();
        return new Span(s.line(), s.col(), s.line(), s.col() + 3 + fn.name().length());
    }

    /** A lowered derivative for emission: the program, its parameters' variables, and the value then the gradients. */
    public record Derived(Program program, List<Var> params, List<Var> results) {}

    /** A file's function, or a transform of it; null after an error. */
    Val.FnRef reference(String fn, String kind, List<String> wrt) {
        functions.definitions.bindLast(); // called from outside the script: its names are the module's, each its last definition
        if (!functions.has(fn)) {
            List<String> defined = functions.names();
            diags.error("E0103", Span.NONE, "the file defines no function `" + fn + "`",
                    defined.isEmpty() ? "it defines no functions at all" : "it defines " + String.join(", ", defined));
            return null;
        }
        Val.FnRef ref = new Val.UserFn(fn);
        if (kind == null) return ref;
        List<Integer> idx = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (Ast.Param p : functions.base(ref).params()) params.add(p.name());
        if (params.isEmpty()) {
            diags.error("E0104", Span.NONE, "`" + fn + "` has no parameters to differentiate with respect to", null);
            return null;
        }
        for (String w : wrt.isEmpty() ? List.of(params.get(0)) : wrt) {
            if (!params.contains(w)) {
                diags.error("E0101", Span.NONE, "`" + fn + "` has no parameter `" + w + "`", "its parameters are " + String.join(", ", params));
                return null;
            }
            idx.add(params.indexOf(w));
        }
        return new Val.Transform(kind, ref, idx);
    }

    Call call(Val.FnRef ref, String fn, List<T> args, Span at) {
        Val out = functions.applyTo(ref, args, new Ast.Call(new Ast.Name(fn, at), List.of(), at));
        Program p = program();
        if (p == null || out instanceof Val.Bad) return null;
        List<Var> results = new ArrayList<>();
        for (Val v : out instanceof Val.Tuple tuple ? tuple.items() : List.of(out)) {
            if (!(v instanceof T t)) { // a list, None, a number: the caller (the Java API, `tx grad`) takes tensors
                diags.error("E0401", at, "`" + fn + "` returns " + v.describe() + ", where a call from outside the file needs tensors",
                        "return a tensor, or a tuple of tensors (`torch.stack(xs)` makes one tensor of a list of them)");
                return null;
            }
            results.add(t.var());
        }
        return new Call(p, results);
    }

    // ---- statements ----------------------------------------------------------------------------------

    void block(List<Ast.Stmt> body) {
        for (Ast.Stmt s : body) statement(s);
    }

    void statement(Ast.Stmt s) {
        var old = b.at(s.span().origin());
        try {
            if (s instanceof Ast.For || s instanceof Ast.While || s instanceof Ast.ForEach || s instanceof Ast.If) random.before(s); // a loop carries the generator
            if (s instanceof Ast.Assign a) assign(a);
            else if (s instanceof Ast.AugAssign a) augAssign(a);
            else if (s instanceof Ast.IndexAssign a) new Indexing(this).assign(a);
            else if (s instanceof Ast.ExprStmt e) exprs.expr(e.expr());
            else if (s instanceof Ast.With w) with(w);
            else if (s instanceof Ast.For f) forLoop(f);
            else if (s instanceof Ast.While w) Whiles.lower(this, w, jumpsRewritten);
            else if (s instanceof Ast.Break || s instanceof Ast.Continue) jumpOutside(s);
            else if (s instanceof Ast.ForEach f && !new Ranges(this).loop(f)) new Iteration(this).forEach(f);
            else if (s instanceof Ast.If i) new Branches(this).ifStmt(i);
            else if (s instanceof Ast.FnDef f) functions.definition(f, false);
            else if (s instanceof Ast.Return r) diags.error("E0108", r.span(), "`return` belongs at the end of a function",
                    "a function's last statement is its only `return`; a script has none");
            else if (s instanceof Ast.Check c) new Checks(this).check(c);
            else if (s instanceof Ast.Assert a) new Asserts(this).lower(a);
            // Ast.Global: read when a function is called (Globals); at the script's level it changes nothing, as in Python
            // Ast.Nonlocal: checked for the file before anything is lowered (Nonlocals), read at a closure's calls (Closures)
        } finally {
            b.at(old);
        }
    }

    /** Loops whose {@code break}/{@code continue} were rewritten (see {@link Jumps}), by identity, rewritten once. */
    private final Map<Ast.Stmt, Object> jumpsRewritten = Whiles.memo();

    /** The while loops that {@code for} loops over ranges with bounds known only at run time are lowered as. */
    private final RunTimeRanges runTimeRanges = new RunTimeRanges(this);

    Map<Ast.Stmt, Object> jumpsRewritten() {
        return jumpsRewritten;
    }

    private void forLoop(Ast.For f) {
        if (runTimeRanges.applies(f)) {
            runTimeRanges.lower(f);
            return;
        }
        Object[] made = (Object[]) jumpsRewritten.computeIfAbsent(f, k -> {
            Jumps.Rewritten r = Jumps.rewrite(f.body(), f.span());
            return new Object[] {r, r.body() == f.body() ? f : new Ast.For(f.var(), f.varSpan(), f.range(), r.body(), f.span())};
        });
        block(((Jumps.Rewritten) made[0]).setup());
        new Loops(this).forLoop((Ast.For) made[1]);
    }

    private void jumpOutside(Ast.Stmt s) {
        String word = s instanceof Ast.Break ? "break" : "continue";
        diags.error("E0109", s.span(), "`" + word + "` outside a loop",
                "`" + word + "` belongs inside the body of a `for` or a `while` (a function's body is not inside the loop that calls it)");
    }

    private void with(Ast.With w) {
        if (w.kind().equals("checkpoint")) {
            checkpoints.with(w);
            return;
        }
        Boolean off = GradModes.off(this, w); // no_grad, enable_grad, set_grad_enabled(b), inference_mode(mode)
        boolean old = graph.setNoGrad(off == null ? graph.noGrad() : off);
        block(w.body());
        graph.setNoGrad(old);
    }

    private void assign(Ast.Assign a) {
        if (a.targets().size() != 1 || a.unpack()) {
            destructure(a);
            return;
        }
        Ast.Target t = a.targets().get(0);
        String old = b.named(t.attr() == null && !t.name().startsWith("$") ? t.name() : null); // `$...`: Logic's hidden names
        Val v = exprs.expr(a.value());
        b.named(old);
        if (t.attr() != null) {
            exprs.assignAttribute(t, v, a.value().span(), a.span());
            return;
        }
        if (v instanceof T tv && tv.leaf() >= 0 && tv.leaf() < leafNames.size() && leafNames.get(tv.leaf()) == null) { // not a transform's parameter
            leafNames.set(tv.leaf(), t.name());
        }
        v = Sequences.named(v, a.value().span()); // several results named at once are a tuple, as in Python
        state.bind(t.name(), v); // a string too: its text, or an f-string's parts (see Strings)
    }

    /**
     * {@code a, b = x} of a tensor: its rows, as PyTorch's iteration unbinds it ({@code UnbindBackward0});
     * none after E0401 where x has another number of rows, or one known only at run time.
     */
    private List<Val> rows(T x, int wanted, Span at) {
        int n = x.shape()[0];
        if (Shapes.isSymbol(n) || n != wanted) {
            diags.error("E0401", at, "this tensor unpacks into its " + (Shapes.isSymbol(n) ? "rows, a number known only at run time" : n + " rows") + ", but "
                    + wanted + " names are assigned", (Shapes.isSymbol(n) ? "tx needs the count when it compiles;"
                    : "Python raises it too (\"too many values to unpack\", or \"not enough\");") + " index the rows instead: `x[0]`, `x[1]`");
            return List.of();
        }
        List<Val> out = new java.util.ArrayList<>();
        for (int k = 0; k < n; k++) out.add(Iteration.rowOf(this, x, b.scalar(k)));
        return out;
    }

    /** {@code a, b = f(...)}: one name for each value the function returns. */
    private void destructure(Ast.Assign a) {
        Val v = exprs.expr(a.value());
        List<Val> values = Sequences.items(v) != null ? Sequences.items(v) : List.of(v);
        if (v instanceof Val.Shape s) values = Arrays.stream(s.dims()).mapToObj(d -> RunTimeSizes.dim(this, d)).toList(); // n, d = X.shape
        boolean rows = v instanceof T tv && !tv.item() && tv.shape().length > 0 && !indicesOf.containsKey(tv.var()); // a, b = x: its rows
        if (v instanceof T tv && indicesOf.containsKey(tv.var())) values = List.of(exprs.valuesOf(tv), indicesOf.get(tv.var())); // v, i = max(x, dim=1)
        else if (rows) values = rows((T) v, a.targets().size(), a.span());
        if (!rows && !(v instanceof Val.Bad) && values.size() != a.targets().size()) {
            diags.error("E0401", a.span(), "this gives " + values.size() + (values.size() == 1 ? " value" : " values") + ", but "
                    + a.targets().size() + " names are assigned", values.size() == 1 ? null : "unpack into as many names, or name the "
                    + (v instanceof Val.ListV list && !list.tuple() ? "list" : "tuple") + " and index it: `t = ...`, then `t[0]`");
        }
        for (int i = 0; i < a.targets().size(); i++) {
            Ast.Target t = a.targets().get(i);
            Val x = v instanceof Val.Bad || values.size() != a.targets().size() ? new Val.Bad() : values.get(i);
            if (t.attr() != null) {
                diags.error("E0401", t.span(), "only names can be assigned several values at once", null);
            } else {
                state.bind(t.name(), x);
            }
        }
    }

    private void augAssign(Ast.AugAssign a) {
        Ast.Target t = a.target();
        if ("data".equals(t.attr())) {
            autograd.augAssignData(a);
            return;
        }
        if (t.attr() != null) {
            diags.error("E0401", a.span(), "`" + t.name() + "." + t.attr() + " " + a.op() + "` is not supported",
                    "assign a new value instead, e.g. `x.grad = None`");
            return;
        }
        Val before = state.names.get(t.name()) instanceof Val.Growing g ? g : exprs.lookup(t.name(), t.span());
        if (before instanceof Val.ListV || before instanceof Val.Growing) { // xs += [v]: the list grows in place
            growing.extend(a, exprs.expr(a.value()));
            return;
        }
        if (before instanceof Val.SetV set) { // s |= t changes the set itself
            new SetOps(this).augmented(set, a);
            return;
        }
        if (!(before instanceof T x)) { // a number (or an error): `c *= t` is `c = c * t`, nothing to update in place
            if (!(before instanceof Val.Bad)) {
                String old = b.named(t.name());
                Val rhs = exprs.expr(a.value());
                state.bind(t.name(), exprs.binary(a.op().substring(0, a.op().length() - 1), before, rhs, t.span(), a.value().span(), a.span()));
                b.named(old);
            }
            return;
        }
        if (x.leaf() >= 0 && !graph.noGrad()) {
            diags.error("E0304", a.span(), "a leaf tensor that requires grad is changed in place: `" + t.name() + " " + a.op() + " ...`",
                    "PyTorch forbids this too: do the update inside `with no_grad { ... }`");
            exprs.expr(a.value());
            return;
        }
        String old = b.named(t.name());
        Val result = exprs.binary(a.op().substring(0, a.op().length() - 1), before, exprs.expr(a.value()), t.span(), a.value().span(), a.span());
        b.named(old);
        if (!(result instanceof T r)) return;
        if (!inPlaceDtype(x, r, t.name() + " " + a.op() + " ...", a.span())) return;
        if (!Objects.deepEquals(r.shape(), x.shape())) {
            diags.error("E0201", a.span(), "in-place `" + a.op() + "` would change the shape of `" + t.name() + "` from "
                    + Shapes.show(x.shape()) + " to " + Shapes.show(r.shape()), "in-place operations keep the shape of their target");
            return;
        }
        T updated = x.leaf() >= 0 ? keepLeaf(x, r.var()) : r;
        autograd.changedInPlace(x, updated, a.span());
        Indexing.markStale(this, x.var(), t.name(), a.span());
    }

    /**
     * Whether an in-place update of the tensor x may hold its result r: PyTorch refuses a result of
     * a higher category than x's dtype ({@code k += 1.5} on int64, {@code m |= 3} on bool: "result
     * type Float can't be cast to the desired output type Long"); reports E0220 otherwise. A Python
     * scalar (an item, a counter) is rebound instead, so any type goes.
     */
    boolean inPlaceDtype(T x, T r, String what, Span at) {
        if (x.item() || r.dtype() == x.dtype()) return true;
        diags.error("E0220", at, "`" + what + "` gives " + r.describeKind() + ", which cannot be stored in place in "
                        + x.describeKind() + " (PyTorch: result type " + r.dtype().scalarTypeName()
                        + " can't be cast to the desired output type " + x.dtype().scalarTypeName() + ")",
                "make a new tensor instead (`x = x + ...`), or convert first (`x = x.double()`)");
        return false;
    }


    /** An in-place update of a leaf under no_grad: the same leaf, holding a new value. */
    T keepLeaf(T x, Var v) {
        graph.markLeaf(v, x.leaf());
        return new T(v, true, x.leaf(), null, false, false);
    }

    /** In-place changes reach every name bound to the same tensor, as in PyTorch. */
    void rebindAliases(Var old, Val updated) {
        for (Map.Entry<String, Val> e : new ArrayList<>(state.names.entrySet())) {
            if (e.getValue() instanceof T t && t.var().equals(old)) state.bind(e.getKey(), updated);
        }
        if (updated instanceof T t) {
            Sequences.replaceInSequences(state, old, t);
            inPlaceLog.add(Map.of(old, t));
        }
    }

    /**
     * Every in-place change so far, as the tensors it replaced and their new values, in order: a
     * function's body changes its own names, and its caller applies the changes made during the
     * call to its names when the call returns (see Functions), as PyTorch's arguments share storage.
     */
    final List<Map<Var, T>> inPlaceLog = new ArrayList<>();

    /** Changes to dicts, which every name holding the dict sees. */
    final DictChanges dictChanges = new DictChanges(this);

    /** List comprehensions and generator expressions being lowered. */
    final ListComps listComps = new ListComps(this);

    // ---- leaves ---------------------------------------------------------------------------------------

    /**
     * Makes v a leaf that requires grad. The leaf id belongs to the AST node that creates it, so
     * re-checking a loop body finds the same leaf; each run of that node makes a fresh tensor, so
     * inside a loop its {@code .grad} is reset to None at run time.
     */
    /**
     * PyTorch's named tuples (values, indices), by identity: sort's and topk's, whose {@code .values}
     * and {@code .indices} can be read and which print as {@code torch.return_types.sort(...)}.
     */
    final Map<Val.Tuple, String> namedPairs = new java.util.IdentityHashMap<>();

    /** Where random calls without {@code seed=} take their numbers from (manual_seed, loops, inlined calls). */
    final RandomStreams random = new RandomStreams(this);

    /** The names of a named tuple's fields, by the kind it prints with: (sign, logabsdet) for slogdet's, (Q, R) for qr's, eigh's and svd's, else (values, indices). */
    static List<String> fields(String kind) {
        return kind.endsWith("slogdet") ? List.of("sign", "logabsdet") : kind.endsWith("qr") ? List.of("Q", "R")
                : kind.equals("linalg_eigh") ? List.of("eigenvalues", "eigenvectors") : kind.equals("linalg_svd") ? List.of("U", "S", "Vh") : kind.equals("linalg_lu") ? List.of("P", "L", "U")
                : kind.equals("linalg_lstsq") ? List.of("solution", "residuals", "rank", "singular_values")
                : kind.equals("triangular_solve") ? List.of("solution", "cloned_coefficient") : List.of("values", "indices");
    }

    /**
     * The named pair (sort's, topk's, max(x, dim)'s (values, indices)) that v is, or null: the tuple
     * itself, or the tuple value a name or an argument made of it (which shares its item list).
     */
    Val.Tuple namedPair(Val v) {
        if (v instanceof Val.Tuple t && namedPairs.containsKey(t)) return t;
        if (v instanceof Val.ListV list) {
            for (Val.Tuple t : namedPairs.keySet()) if (t.items() == list.items()) return t;
        }
        return null;
    }

    /**
     * The indices of {@code max(x, dim=)} and {@code min(x, dim=)}, by the variable of their values:
     * those are tensors (as in tx before) that can also be destructured, {@code v, i = max(x, dim=1)},
     * or read as {@code .values} and {@code .indices}.
     */
    final Map<tx.runtime.ir.Var, T> indicesOf = new java.util.HashMap<>();
    /** The positions of a run-time mask's trues, by mask, made once where the mask is made (see {@link AdvancedIndexing#positions}). */
    final Map<Object, tx.runtime.ir.Var> maskPositions = new java.util.HashMap<>();

    /** Which of {@code max} and {@code min} made the values of {@link #indicesOf}: the name their pair prints with. */
    final Map<tx.runtime.ir.Var, String> extremeOf = new java.util.HashMap<>();

    /**
     * Whether a tensor of this dtype may require grad: only float64 ones, as PyTorch ("Only Tensors
     * of floating point and complex dtype can require gradients"); else E0320 at {@code span}.
     */
    boolean floatForGrad(tx.runtime.tensor.DType d, Span span) {
        if (d.isFloat()) return true;
        diags.error("E0320", span, "only float64 tensors can require grad; this one is " + d.text(),
                "PyTorch refuses it too; convert first, e.g. `x.double().requires_grad_()`, or make it with `dtype=float64`");
        return false;
    }

    T leaf(Var v, Object node) {
        int id = register(node, null);
        graph.markLeaf(v, id);
        if (leafNames.get(id) == null && v.name() != null) leafNames.set(id, v.name());
        return new T(v, true, id, null, false, false);
    }

    /**
     * The grad register made by an AST node (a leaf's, or a retained tensor's), the same each time
     * the node is checked again (one per item of an unrolled loop over a list, and per call site of
     * an inlined function); {@code name} names
     * it in messages if it has no name yet.
     */
    int register(Object node, String name) {
        int id = leafIds.computeIfAbsent(node, n -> new java.util.HashMap<>()).computeIfAbsent(List.of(List.copyOf(unrolledItems), List.copyOf(inlinedCalls)), n -> {
            leafNames.add(null);
            return leafNames.size() - 1;
        });
        if (leafNames.get(id) == null && name != null) leafNames.set(id, name);
        state.grads.put(id, GradState.NONE);
        gradValues.forget(id);
        if (loopDepth > 0) b.add(new Stmt.GradSet(id, null, b.origin()));
        return id;
    }

    // ---- source text, for messages ----------------------------------------------------------------

    /** The source text of a one-line span, or null. */
    String text(Span s) {
        if (s.line() < 1 || s.line() > lines.length || s.endLine() != s.line()) return null;
        String line = lines[s.line() - 1];
        int from = Math.max(0, s.col() - 1), to = Math.min(line.length(), s.endCol() - 1);
        return from < to ? line.substring(from, to) : null;
    }

    /** The first line of a span (a statement's head, for multi-line statements). */
    Span headSpan(Span s) {
        if (s.endLine() == s.line()) return s;
        int len = s.line() >= 1 && s.line() <= lines.length ? lines[s.line() - 1].length() : s.col();
        return new Span(s.line(), s.col(), s.line(), Math.max(s.col() + 1, len + 1));
    }

    /** What bodies assign and change in place, found from their syntax (see {@link NameEffects}). */
    /** What bodies do to names, as their syntax says (raw: assignedNames adds the Generators' states). */
    final NameEffects effects = new NameEffects(this);

    /** The names a body assigns, a Generator's state among them (see {@link RandomStreams#expand}). */
    Set<String> assignedNames(List<Ast.Stmt> body) {
        return random.expand(effects.assignedNames(body));
    }

    Set<String> inPlaceNames(List<Ast.Stmt> body) {
        return random.expand(effects.inPlaceNames(body));
    }

    Set<String> localNames(List<Ast.Stmt> body) {
        return effects.localNames(body);
    }

    static String changedName(Ast.IndexAssign a) {
        return NameEffects.changedName(a);
    }
}
