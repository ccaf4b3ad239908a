package tx.runtime.exec;

import java.io.PrintStream;
import java.util.List;
import tx.runtime.io.Npy;
import tx.runtime.kernels.Buffers;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.FusionPass;
import tx.runtime.ir.Program;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.PrintItem;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.PyFormat;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;
import tx.runtime.tensor.TensorFormat;

/**
 * Runs the structured IR: the primal program and the adjoint equations the AD pass inlined into
 * it are the same kind of statements, run by this one loop. Values live in an array indexed by
 * variable id; {@code .grad} registers in an array indexed by leaf id (null means None).
 */
public final class Interpreter {
    private Tensor[] values;
    private final Tensor[] grads;
    private final PrintStream out;
    private final Guard guard;
    private final boolean table;
    /** False for `tx check` and `tx bench`: a save is skipped (see {@link RunOptions#writeFiles}). */
    private final boolean writeFiles;
    private int checks, failedChecks;
    private long held, peak;
    /** The holders of each array, where the peak is measured array by array ({@link #evaluate} with stats). */
    private java.util.IdentityHashMap<double[], Integer> arrays;
    /**
     * TX_PROFILE=1: the CPU time of the running thread spent in each primitive and output shape (a
     * fused run also names its outputs), and the mean per call in microseconds, printed to standard
     * error at exit. NOTE: CPU time, not wall time, which other processes on a shared machine
     * inflated several times over.
     */
    private static final java.util.Map<String, Long> PROFILE = profile();
    private static final java.util.Map<String, Long> PROFILE_CALLS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.lang.management.ThreadMXBean CLOCK = java.lang.management.ManagementFactory.getThreadMXBean();

    /** The running thread's CPU time in nanoseconds, for {@link #PROFILE}. */
    private static long cpu() {
        return CLOCK.getCurrentThreadCpuTime();
    }

    private static java.util.Map<String, Long> profile() {
        if (System.getenv("TX_PROFILE") == null) return null;
        java.util.Map<String, Long> m = new java.util.concurrent.ConcurrentHashMap<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long total = m.values().stream().mapToLong(Long::longValue).sum();
            m.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(Integer.getInteger("tx.profile.rows", 25))
                    .forEach(e -> System.err.printf("%6.1f%%  %10.3f ms  %9.2f us a call  %s%n", 100.0 * e.getValue() / total, e.getValue() / 1e6,
                            e.getValue() / 1e3 / PROFILE_CALLS.getOrDefault(e.getKey(), 1L), e.getKey()));
        }));
        return m;
    }
    /** Forgets what {@link #PROFILE} counted so far (`tx bench` calls it after its warm-up). */
    public static void resetProfile() {
        if (PROFILE == null) return;
        PROFILE.clear();
        PROFILE_CALLS.clear();
    }

    private static void count(String what, long nanos) {
        PROFILE.merge(what, nanos, Long::sum);
        PROFILE_CALLS.merge(what, 1L, Long::sum);
    }

    /** Values given from outside (a function's arguments): the equations that would make them are skipped. */
    private java.util.Set<Integer> given = java.util.Set.of();
    private TxRuntimeException firstFailure;

    private Interpreter(Program p, PrintStream out, RunOptions options) {
        this.values = new Tensor[p.varCount()];
        this.grads = new Tensor[p.leafNames().size()];
        this.out = out;
        this.guard = new Guard(options, p.internal());
        this.table = options.checkTable();
        this.writeFiles = options.writeFiles();
        // fusion is off where every operation must be seen on its own: the anomaly check and the memory limit
        this.fuse = !options.detectAnomaly() && options.maxBytes() == 0 && System.getenv("TX_NO_FUSION") == null;
        this.reuse = !options.detectAnomaly() && options.maxBytes() == 0 && System.getenv("TX_NO_REUSE") == null;
    }

    /**
     * Whether dead tensors' arrays are handed back for reuse ({@link Buffers}). NOTE: off where the
     * memory limit counts every tensor (the free arrays would be memory it does not see) and under
     * the anomaly check, which keeps every operation on its own; TX_NO_REUSE=1 turns it off.
     */
    private final boolean reuse;
    /** The run's reuse scope, open while {@link #top} runs (null when {@link #reuse} is off). */
    private Buffers.Scope scope;
    /** How many slots and .grad registers hold each array the scope handed out: at 0 it is given back. */
    private final java.util.Map<double[], Integer> holders = new java.util.IdentityHashMap<>();

    /** Whether elementwise chains are fused: the program is run after {@link FusionPass} (see {@link #top}). */
    private final boolean fuse;

    /** Runs a fused run of equations by the fused kernel. */
    private void fused(Stmt.Fused r) {
        Tensor[] made;
        try {
            long t0 = PROFILE == null ? 0 : cpu();
            made = Fusion.run(r, this::get);
            if (PROFILE != null) count("fused run of " + r.eqns().size() + " " + Shapes.show(r.shape()) + " -> " + r.outs(), cpu() - t0);
        } catch (tx.runtime.kernels.Limits.Exceeded x) {
            throw guard.timeout(r.origin());
        } catch (OutOfMemoryError oom) {
            throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "ran out of memory computing this: the JVM may use "
                    + RunOptions.bytes(Runtime.getRuntime().maxMemory()) + " in all", r.origin(),
                    "give Java more memory with TX_JAVA_OPTS=-Xmx..., or use smaller tensors");
        }
        for (int k = 0; k < made.length; k++) set(r.outs().get(k), made[k]);
    }

    /** Runs the program, printing to {@code out}; returns each leaf's final {@code .grad} (index = leaf id, null = None). */
    public static Tensor[] run(Program p, PrintStream out) {
        return run(p, out, RunOptions.DEFAULT);
    }

    /** Runs the program and returns the values of {@code outputs} at its end (the embedding API's calls). */
    public static List<Tensor> evaluate(Program p, PrintStream out, List<Var> outputs) {
        Interpreter in = execute(p, out, RunOptions.DEFAULT, outputs);
        List<Tensor> values = new java.util.ArrayList<>();
        for (Var v : outputs) values.add(in.get(v));
        return values;
    }

    /** What a call measured: the peak of tensor data held at once, in bytes. */
    public record Stats(long peakBytes) {}

    /**
     * Runs a program whose variables {@code inputs} are given (their defining equations, say the
     * random stand-ins `tx grad` and `tx bench` lower parameters to, are skipped), and returns
     * {@code outputs}. A top-level value is dropped after its last use, as a static memory plan
     * would, so {@code stats} sees the peak of what is really needed at once (each array counted
     * once, however many values share it).
     */
    public static List<Tensor> evaluate(Program p, java.util.Map<Var, Tensor> inputs, List<Var> outputs, Stats[] stats) {
        return evaluate(p, inputs, outputs, stats, RunOptions.DEFAULT);
    }

    /** As above, run with {@code options} (`tx bench` runs with {@link RunOptions#NO_WRITES}). */
    public static List<Tensor> evaluate(Program p, java.util.Map<Var, Tensor> inputs, List<Var> outputs, Stats[] stats, RunOptions options) {
        Interpreter in = new Interpreter(p, new PrintStream(java.io.OutputStream.nullOutputStream()), options);
        if (stats != null && stats.length > 0) in.arrays = new java.util.IdentityHashMap<>();
        java.util.Set<Integer> given = new java.util.HashSet<>();
        for (var e : inputs.entrySet()) {
            in.set(e.getKey(), e.getValue());
            given.add(e.getKey().id());
        }
        in.given = given;
        in.top(p, inputs.keySet(), outputs);
        List<Tensor> values = new java.util.ArrayList<>();
        for (Var v : outputs) values.add(in.get(v));
        if (stats != null && stats.length > 0) stats[0] = new Stats(in.peak);
        return values;
    }

    /**
     * Runs the top-level statements (after {@link FusionPass} when fusion is on), dropping each
     * value after the last statement that reads it, as a static memory plan would: only the
     * outputs, the given inputs' slots and what is still to be read are held. A loop or branch
     * reuses its variables' slots from one iteration to the next.
     */
    private void top(Program p, java.util.Collection<Var> inputs, List<Var> outputs) {
        List<Stmt> body = p.body();
        if (fuse) {
            Program fused = FusionPass.run(p, outputs);
            assert verified(fused); // NOTE: with assertions on (the tests), every fused program is verified; a run does not pay for it
            body = fused.body();
            if (fused.varCount() > values.length) values = java.util.Arrays.copyOf(values, fused.varCount()); // the pass's new variables
        }
        int[] last = new int[values.length];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < body.size(); i++) for (Var v : Blocks.free(body.get(i))) last[v.id()] = i;
        java.util.Set<Integer> kept = new java.util.HashSet<>();
        for (Var v : outputs) kept.add(v.id());
        List<List<Var>> dying = new java.util.ArrayList<>();
        for (int i = 0; i < body.size(); i++) dying.add(new java.util.ArrayList<>());
        java.util.Set<Var> made = new java.util.LinkedHashSet<>(inputs);
        made.addAll(Blocks.defined(body));
        for (Var v : made) if (last[v.id()] >= 0 && !kept.contains(v.id())) dying.get(last[v.id()]).add(v);
        scope = reuse ? Buffers.open() : null;
        try {
            for (int i = 0; i < body.size(); i++) {
                guard.tick(body.get(i));
                stmt(body.get(i));
                for (Var v : dying.get(i)) set(v, null);
            }
        } finally {
            if (scope != null) scope.close();
            scope = null;
            holders.clear();
        }
    }

    private static boolean verified(Program p) {
        tx.runtime.ir.Verifier.verify(p);
        return true;
    }

    /** How many top-level equations of a program run fused (see {@link FusionPass}): for tests and reports. */
    public static int fusedEquations(Program p) {
        return FusionPass.fusedEquations(FusionPass.run(p, List.of()).body());
    }

    public static Tensor[] run(Program p, PrintStream out, RunOptions options) {
        Interpreter in = execute(p, out, options);
        if (in.failedChecks > 0) { // table mode: every check ran; the run fails once, at the first failure
            throw new TxRuntimeException(TxRuntimeException.Kind.CHECK, in.failedChecks + " of " + in.checks + " checks failed; the first: "
                    + in.firstFailure.getMessage(), in.firstFailure.origin(), in.firstFailure.detail());
        }
        return in.grads.clone();
    }

    private static Interpreter execute(Program p, PrintStream out, RunOptions options) {
        return execute(p, out, options, List.of());
    }

    private static Interpreter execute(Program p, PrintStream out, RunOptions options, List<Var> outputs) {
        if (options.timeoutMillis() > 0 && !tx.runtime.kernels.Limits.current().hasDeadline()) { // not under a command's limits: the run's own
            return tx.runtime.kernels.Limits.of(options.timeoutMillis(), options.maxBytes()).apply(() -> execute(p, out, options, outputs));
        }
        Interpreter in = new Interpreter(p, out, options);
        try {
            in.top(p, List.of(), outputs);
        } finally {
            out.flush();
        }
        return in;
    }

    private void block(List<Stmt> body) {
        for (Stmt s : body) {
            guard.tick(s);
            stmt(s);
        }
    }

    private void stmt(Stmt s) {
        if (s instanceof Stmt.Eqn e) {
            if (given.contains(e.out().id())) return;
            Tensor replaced = values[e.out().id()];
            guard.reserve(e, replaced);
            Tensor v;
            try {
                long t0 = PROFILE == null ? 0 : cpu();
                v = eval(e);
                if (PROFILE != null) count(e.prim().text() + " " + Shapes.show(e.out().shapeRef()), cpu() - t0);
            } catch (tx.runtime.kernels.Shaping.IndexError x) { // an index known only at run time (x[i] in a loop)
                throw new TxRuntimeException(TxRuntimeException.Kind.INDEX, x.getMessage(), e.origin(), null);
            } catch (tx.runtime.kernels.Factorizations.LinalgError x) { // a singular matrix, or one that is not positive-definite
                throw new TxRuntimeException(TxRuntimeException.Kind.LINALG, x.getMessage(), e.origin(), null);
            } catch (tx.runtime.kernels.Limits.Exceeded x) { // a long kernel (a big matrix product) saw the deadline pass
                throw guard.timeout(e.origin());
            } catch (Npy.NpyException x) { // a load whose file changed, or went, since compile time
                throw new TxRuntimeException(TxRuntimeException.Kind.FILE, x.getMessage(), e.origin(), x.help());
            } catch (OutOfMemoryError oom) {
                throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "ran out of memory computing this: the JVM may use "
                        + RunOptions.bytes(Runtime.getRuntime().maxMemory()) + " in all", e.origin(),
                        "give Java more memory with TX_JAVA_OPTS=-Xmx..., or use smaller tensors");
            }
            guard.made(e, replaced, v);
            guard.check(e, v);
            set(e.out(), v);
        } else if (s instanceof Stmt.Fused f) {
            fused(f);
        } else if (s instanceof Stmt.Loop l) {
            loop(l);
        } else if (s instanceof Stmt.Cond c) {
            cond(c);
        } else if (s instanceof Stmt.Call c) {
            call(c);
        } else if (s instanceof Stmt.Print p) {
            print(p);
        } else if (s instanceof Stmt.AssertClose a) {
            assertClose(a);
        } else if (s instanceof Stmt.Fail f) {
            fail(f);
        } else if (s instanceof Stmt.CheckReport c) {
            checkReport(c);
        } else if (s instanceof Stmt.GradSet g) {
            setGrad(g.leaf(), g.value() == null ? null : get(g.value()));
        } else if (s instanceof Stmt.GradAccum g) {
            Tensor old = grads[g.leaf()], d = get(g.delta());
            setGrad(g.leaf(), old == null ? d : tx.runtime.kernels.Elementwise.zip(old, d, Double::sum));
        } else if (s instanceof Stmt.Save sv) {
            save(sv);
        } else if (s instanceof Stmt.GradRead g) {
            set(g.out(), grads[g.leaf()]);
        }
    }

    private Tensor eval(Stmt.Eqn e) {
        Tensor[] in = new Tensor[e.in().size()];
        for (int i = 0; i < in.length; i++) in[i] = get(e.in().get(i));
        return e.prim().eval(List.of(in), e.attr());
    }

    private Tensor get(Var v) {
        return values[v.id()];
    }

    /**
     * Stores a value, keeping count of the tensor data held and its peak: each array once where
     * {@link #arrays} counts them (a reshape shares its input's array), else each slot's tensor (a
     * tensor held by two slots counts twice, so the count errs high).
     */
    private void set(Var v, Tensor t) {
        Tensor old = values[v.id()];
        if (arrays != null) held += counted(t, 1) - counted(old, -1);
        else held += (t == null ? 0 : 8L * t.size()) - (old == null ? 0 : 8L * old.size());
        if (t == null && old != null) guard.release(8L * old.size()); // a value dropped after its last use
        if (held > peak) peak = held;
        values[v.id()] = t;
        if (scope != null) {
            hold(t);
            drop(old);
        }
    }

    /** The bytes t's array adds to (by 1) or takes from (by -1) what is held: its size for its first holder and its last, else 0. */
    private long counted(Tensor t, int by) {
        if (t == null) return 0;
        int n = arrays.getOrDefault(t.data(), 0) + by;
        if (n <= 0) arrays.remove(t.data());
        else arrays.put(t.data(), n);
        return (by > 0 ? n == 1 : n <= 0) ? 8L * t.data().length : 0;
    }

    private void setGrad(int leaf, Tensor t) {
        Tensor old = grads[leaf];
        grads[leaf] = t;
        if (scope != null) {
            hold(t);
            drop(old);
        }
    }

    /** One more holder of t's array, if the scope handed it out. */
    private void hold(Tensor t) {
        if (t != null && scope.owns(t.data())) holders.merge(t.data(), 1, Integer::sum);
    }

    /** One holder fewer of t's array; the last one gives it back for reuse. */
    private void drop(Tensor t) {
        if (t == null) return;
        Integer n = holders.get(t.data());
        if (n == null) return;
        if (n > 1) {
            holders.put(t.data(), n - 1);
        } else {
            holders.remove(t.data());
            scope.give(t.data());
        }
    }

    private void loop(Stmt.Loop l) {
        if (l.runTime() != null || hasRaggedTape(l)) {
            runTimeLoop(l);
            return;
        }
        int n = l.params().size();
        for (int k = 0; k < n; k++) set(l.params().get(k), l.init().get(k) == null ? null : get(l.init().get(k)));
        guard.reserveTape(l);
        double[][] tapes = new double[l.tapes().size()][];
        for (int k = 0; k < tapes.length; k++) tapes[k] = new double[Shapes.numel(l.tapes().get(k).shapeRef())];
        for (int step = 0; step < l.count(); step++) {
            int i = l.reverse() ? l.count() - 1 - step : step;
            set(l.index(), Tensor.scalar(i));
            block(l.body());
            for (int k = 0; k < tapes.length; k++) {
                Tensor value = get(l.stacked().get(k));
                if (value == null) continue; // a value of the branch not taken this iteration: the reversed branch never reads it
                double[] row = value.data();
                System.arraycopy(row, 0, tapes[k], i * row.length, row.length);
            }
            advance(l);
        }
        for (int k = 0; k < n; k++) set(l.outs().get(k), get(l.params().get(k)));
        for (int k = 0; k < tapes.length; k++) set(l.tapes().get(k), Tensor.of(l.tapes().get(k).shapeRef(), tapes[k]));
    }

    /** The loop's parameters take the iteration's results. */
    private void advance(Stmt.Loop l) {
        int n = l.params().size();
        Tensor[] next = new Tensor[n];
        for (int k = 0; k < n; k++) next[k] = get(l.results().get(k));
        // NOTE: held while the parameters change, since a parameter may take another's old value (a swap),
        // whose array would otherwise be handed back for reuse when its old slot lets go of it
        if (scope != null) for (Tensor t : next) hold(t);
        for (int k = 0; k < n; k++) set(l.params().get(k), next[k]);
        if (scope != null) for (Tensor t : next) drop(t);
    }

    /**
     * A loop whose trip count is known only at run time: a while, which runs its head before each
     * iteration and stops when the condition is zero, or a counted loop (a while's reversal), which
     * runs as many iterations as its count holds. Its tapes grow by a row per iteration (a while's
     * length is not known in advance); a tape that outgrows the memory stops the run with the
     * out-of-memory diagnostic.
     */
    private void runTimeLoop(Stmt.Loop l) {
        Stmt.RunTime rt = l.runTime() != null ? l.runTime() : Stmt.RunTime.counted(null);
        int n = l.params().size();
        for (int k = 0; k < n; k++) set(l.params().get(k), l.init().get(k) == null ? null : get(l.init().get(k)));
        long count = l.runTime() == null ? l.count() : rt.count() == null ? Long.MAX_VALUE : (long) get(rt.count()).item();
        List<java.util.ArrayList<Tensor>> rows = new java.util.ArrayList<>();
        for (int k = 0; k < l.tapes().size(); k++) rows.add(new java.util.ArrayList<>());
        int step = 0;
        for (; step < count; step++) {
            int i = l.reverse() ? (int) (count - 1 - step) : step;
            set(l.index(), Tensor.scalar(i));
            if (rt.cond() != null) {
                guard.tick(l);
                block(rt.head());
                if (get(rt.cond()).item() == 0.0) break;
            }
            block(l.body());
            long bytes = 0;
            try {
                for (int k = 0; k < rows.size(); k++) {
                    Tensor r = row(l, k);
                    rows.get(k).add(r);
                    bytes += 8L * r.size();
                }
            } catch (OutOfMemoryError oom) {
                rows.clear();
                throw new TxRuntimeException(TxRuntimeException.Kind.MEMORY, "ran out of memory taping this loop after " + step
                        + " iterations: the JVM may use " + RunOptions.bytes(Runtime.getRuntime().maxMemory()) + " in all", l.origin(),
                        "give Java more memory with TX_JAVA_OPTS=-Xmx..., or check that the loop's condition becomes false");
            }
            guard.growTape(l, bytes);
            advance(l);
        }
        for (int k = 0; k < n; k++) set(l.outs().get(k), get(l.params().get(k)));
        if (rt.trips() != null) set(rt.trips(), Tensor.scalar(step));
        for (int k = 0; k < rows.size(); k++) {
            if (l.reverse()) java.util.Collections.reverse(rows.get(k)); // row i holds iteration i's value, as a loop of known count lays it out
            set(l.tapes().get(k), stack(rows.get(k), l.stacked().get(k).shapeRef()));
        }
    }

    /** The value stacked this iteration, copied (zeros for a value of a branch not taken, which the reversal never reads). */
    private Tensor row(Stmt.Loop l, int k) {
        Tensor value = get(l.stacked().get(k));
        int[] shape = l.stacked().get(k).shapeRef();
        return value == null ? Tensor.of(shape, new double[Shapes.numel(shape)]) : Tensor.of(value.shape(), value.data().clone());
    }

    /**
     * Whether a loop tapes a value whose length is known only at run time (the tape of a while
     * nested in it): its static shape has no elements, and its rows may differ in length from one
     * iteration to the next.
     */
    private static boolean hasRaggedTape(Stmt.Loop l) {
        for (Var v : l.stacked()) if (Shapes.numel(v.shapeRef()) == 0) return true;
        return false;
    }

    /**
     * The rows of a grown tape as one tensor of shape [rows] + row. NOTE: rows whose own length is
     * known only at run time (an inner while's tape, taped by this loop) differ in length; each is
     * padded with zeros to the longest, and the inner reversal, which runs as many iterations as
     * that row's while did (its trip count is taped too), never reads the padding.
     */
    private static Tensor stack(List<Tensor> rows, int[] rowShape) {
        int[] shape = rowShape.clone();
        for (Tensor r : rows) for (int d = 0; d < shape.length; d++) shape[d] = Math.max(shape[d], r.shapeRef()[d]);
        int width = Shapes.numel(shape);
        double[] data = new double[Math.multiplyExact(rows.size(), width)];
        for (int i = 0; i < rows.size(); i++) pad(rows.get(i), shape, data, i * width);
        return Tensor.of(Shapes.concat(new int[] {rows.size()}, shape), data);
    }

    /** Copies {@code row} into {@code out} at {@code at}, laid out as a tensor of {@code shape} (at least as large in every dimension). */
    private static void pad(Tensor row, int[] shape, double[] out, int at) {
        int[] own = row.shapeRef();
        if (java.util.Arrays.equals(own, shape)) {
            System.arraycopy(row.data(), 0, out, at, row.data().length);
            return;
        }
        double[] d = row.data();
        int[] idx = new int[own.length];
        for (int flat = 0; flat < d.length; flat++) {
            int target = 0;
            for (int k = 0; k < own.length; k++) target = target * shape[k] + idx[k];
            out[at + target] = d[flat];
            for (int k = own.length - 1; k >= 0 && ++idx[k] == own[k]; k--) idx[k] = 0;
        }
    }

    /** Each function's variables, cleared after a call so that its values do not outlive it. */
    private final java.util.Map<tx.runtime.ir.Func, List<Var>> locals = new java.util.IdentityHashMap<>();

    /**
     * Runs a function's body with its parameters bound to the arguments. A function's variables
     * have slots of their own, as a frame would (functions never call themselves, so no two calls
     * of one function are ever live at once); they are dropped when the call returns.
     */
    private void call(Stmt.Call c) {
        tx.runtime.ir.Func f = c.fn();
        Tensor[] args = new Tensor[c.in().size()];
        for (int k = 0; k < args.length; k++) args[k] = get(c.in().get(k));
        for (int k = 0; k < args.length; k++) set(f.params().get(k), args[k]);
        block(f.body());
        Tensor[] results = new Tensor[f.results().size()];
        for (int k = 0; k < results.length; k++) results[k] = get(f.results().get(k));
        // NOTE: the results are stored before the function's variables are cleared, so that their arrays always have a holder
        for (int k = 0; k < results.length; k++) set(c.outs().get(k), results[k]);
        for (Var v : locals.computeIfAbsent(f, g -> {
            List<Var> all = new java.util.ArrayList<>(g.params());
            all.addAll(Blocks.defined(g.body()));
            return all;
        })) {
            set(v, null);
        }
    }

    private void cond(Stmt.Cond c) {
        boolean taken = get(c.cond()).item() != 0.0;
        block(taken ? c.then() : c.otherwise());
        List<Var> results = taken ? c.thenResults() : c.elseResults();
        for (int k = 0; k < c.outs().size(); k++) {
            Var r = results.get(k);
            set(c.outs().get(k), r == null ? null : get(r));
        }
    }

    private void print(Stmt.Print p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.items().size(); i++) {
            if (i > 0) sb.append(p.sep()); // after an empty first item too, as Python
            text(p.items().get(i), sb);
        }
        out.print(sb.append(p.end()));
    }

    private void text(PrintItem item, StringBuilder sb) {
        if (item instanceof PrintItem.Text t) {
            sb.append(t.text());
        } else if (item instanceof PrintItem.TensorValue t) {
            Tensor v = get(t.var());
            boolean first = t.firstIndex() != null && get(t.firstIndex()).item() == 0;
            sb.append(v == null ? "None" : TensorFormat.format(v, t.var().dtype(), first ? t.firstSuffix() : t.suffix()));
        } else if (item instanceof PrintItem.FloatValue f) {
            sb.append(PyFloat.repr(get(f.var()).item()));
        } else if (item instanceof PrintItem.Formatted f) {
            sb.append(formatted(f));
        } else if (item instanceof PrintItem.Joined j) {
            for (PrintItem part : j.parts()) text(part, sb);
        } else if (item instanceof PrintItem.Rows r) {
            rows(r, sb);
        }
    }

    /** A list whose length is known only at run time: its first {@code count} rows, as list items or as one tensor. */
    private void rows(PrintItem.Rows r, StringBuilder sb) {
        Tensor all = get(r.rows());
        int n = (int) get(r.count()).item();
        int[] from = new int[all.rank()], to = all.shape(), step = new int[all.rank()];
        java.util.Arrays.fill(step, 1);
        to[0] = n;
        Tensor first = tx.runtime.kernels.Shaping.slice(all, from, to, step);
        if (r.tensor()) {
            sb.append(TensorFormat.format(first, r.rows().dtype(), null));
            return;
        }
        int width = n == 0 ? 0 : first.size() / n;
        int[] rowShape = java.util.Arrays.copyOfRange(all.shape(), 1, all.rank());
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            double[] row = java.util.Arrays.copyOfRange(first.data(), i * width, (i + 1) * width);
            double x = row.length == 1 ? row[0] : Double.NaN;
            sb.append(switch (r.kind()) {
                case BOOL -> x != 0 ? "True" : "False";
                case INT -> Long.toString((long) x);
                case FLOAT -> PyFloat.repr(x);
                case TENSOR -> TensorFormat.format(Tensor.of(rowShape, row), r.rows().dtype(), null);
            });
        }
    }

    /** An f-string field: Python's {@code format(x, spec)}, or (a conversion, a tensor) {@code format(str(x), spec)}. */
    private String formatted(PrintItem.Formatted f) {
        Tensor v = get(f.var());
        if (f.kind() == PyFormat.Kind.TENSOR) return PyFormat.formatString(v == null ? "None" : TensorFormat.format(v, f.var().dtype(), f.suffix()), f.spec());
        double x = v.item();
        String shown = switch (f.kind()) {
            case BOOL -> f.str() ? (x != 0 ? "True" : "False") : PyFormat.formatBool(x != 0, f.spec());
            case INT -> f.str() ? Long.toString((long) x) : PyFormat.formatInt((long) x, f.spec());
            default -> f.str() ? PyFloat.repr(x) : PyFormat.formatFloat(x, f.spec());
        };
        return f.str() ? PyFormat.formatString(shown, f.spec()) : shown;
    }

    /** Writes a .npy file, replacing it if it exists, as np.save does (atomically); nothing when files are not written. */
    private void save(Stmt.Save s) {
        if (!writeFiles) return; // the caller tells the user which saves it skips (see Blocks.saves)
        try {
            Npy.write(java.nio.file.Path.of(s.file()), get(s.value()), Npy.DType.saved(s.value().dtype()));
        } catch (Npy.NpyException x) {
            throw new TxRuntimeException(TxRuntimeException.Kind.FILE, "cannot save `" + tx.runtime.io.ControlChars.escape(s.path()) + "`: " + x.getMessage(), s.origin(), x.help());
        }
    }

    /** A failed {@code assert}: Python's {@code AssertionError}, with its message when it has one (as Python shows it). */
    private void fail(Stmt.Fail f) {
        StringBuilder sb = new StringBuilder();
        for (PrintItem item : f.message()) text(item, sb);
        if (!f.assertion()) throw new TxRuntimeException(TxRuntimeException.Kind.SIZE, sb.toString(), f.origin(), null);
        throw new TxRuntimeException(TxRuntimeException.Kind.ASSERTION, sb.length() == 0 ? "AssertionError" : "AssertionError: " + sb, f.origin(), null);
    }

    private void assertClose(Stmt.AssertClose a) {
        Tensor x = get(a.a()), y = get(a.b());
        double[] xd = x.data(), yd = y.data();
        int worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < xd.length; i++) {
            if (close(xd[i], yd[i], a.rtol(), a.atol())) continue;
            double diff = Double.isNaN(xd[i] - yd[i]) ? Double.POSITIVE_INFINITY : Math.abs(xd[i] - yd[i]);
            if (diff > worstDiff) {
                worstDiff = diff;
                worst = i;
            }
        }
        if (worst >= 0) {
            String at = x.rank() == 0 ? "" : " at index " + unravel(worst, x.shapeRef());
            throw new TxRuntimeException(TxRuntimeException.Kind.ASSERTION, "assert_close failed: the values differ" + at + ": " + PyFloat.repr(xd[worst]) + " against "
                    + PyFloat.repr(yd[worst]) + " (rtol=" + PyFloat.repr(a.rtol()) + ", atol=" + PyFloat.repr(a.atol()) + ")", a.origin(),
                    "left:  " + TensorFormat.format(x, null) + "\nright: " + TensorFormat.format(y, null));
        }
    }

    /**
     * Prints a check's report and fails the run if the generated gradient is further than the
     * tolerance from the hand-written one, or than the finite-difference tolerance from central
     * differences (errors relative to the larger of 1 and the reference's largest magnitude).
     */
    private void checkReport(Stmt.CheckReport c) {
        boolean withHand = c.entries().stream().allMatch(e -> e.handWritten() != null);
        CheckStats genHand = new CheckStats(), genFd = new CheckStats(), handFd = new CheckStats();
        for (Stmt.CheckEntry e : c.entries()) {
            Tensor g = get(e.generated()), f = get(e.finiteDifferences());
            Tensor[] three = {g, withHand ? get(e.handWritten()) : null, f};
            if (withHand) {
                genHand.add(e, three, 0, 1);
                handFd.add(e, three, 1, 2);
            }
            genFd.add(e, three, 0, 2);
        }
        boolean hand = genHand.within(c.tol()), fd = genFd.within(c.fdTol());
        checks++;
        if (table) {
            out.printf("%s  %-44s  %s%s%n", hand && fd ? "PASS" : "FAIL", c.text(), withHand ? "vs hand-written: " + genHand + "; " : "",
                    "vs finite differences: " + genFd);
        } else {
            out.println("check " + c.text() + ": " + (hand && fd ? "PASS" : "FAIL") + " (" + c.inputs() + " random inputs)"
                    + (withHand ? "\n  generated vs hand-written:          " + genHand : "")
                    + "\n  generated vs finite differences:    " + genFd
                    + (withHand ? "\n  hand-written vs finite differences: " + handFd : ""));
        }
        if (hand && fd) return;
        CheckStats bad = hand ? genFd : genHand;
        String what = hand ? "the generated gradient and central finite differences" : "the generated gradient and the hand-written one";
        TxRuntimeException failure = new TxRuntimeException(TxRuntimeException.Kind.CHECK, "check failed: " + what + " differ by "
                + String.format("%.3e", bad.maxAbs) + " (tolerance " + PyFloat.repr(hand ? c.fdTol() : c.tol()) + ")", c.origin(), bad.worst());
        if (!table) throw failure;
        failedChecks++;
        if (firstFailure == null) firstFailure = failure;
    }

    /** The largest error of one pair of gradients over a check's entries, and where it is. */
    private static final class CheckStats {
        double maxAbs = 0, maxRef = 0;
        String where;

        /** Adds |three[a] - three[b]|, with three[b] the reference; keeps the worst element's three values. */
        void add(Stmt.CheckEntry e, Tensor[] three, int a, int b) {
            double[] ad = three[a].data(), bd = three[b].data();
            for (int i = 0; i < ad.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(bd[i]));
                double d = Math.abs(ad[i] - bd[i]);
                if (d > maxAbs || (Double.isNaN(d) && where == null)) {
                    maxAbs = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    String at = three[a].rank() == 0 ? "" : unravel(i, three[a].shapeRef());
                    where = "at random input " + (e.input() + 1) + ", `" + e.param() + "`" + at + ": generated "
                            + PyFloat.repr(three[0].data()[i]) + (three[1] == null ? "" : ", hand-written " + PyFloat.repr(three[1].data()[i]))
                            + ", finite differences " + PyFloat.repr(three[2].data()[i]);
                }
            }
        }

        boolean within(double tol) {
            return maxAbs <= tol * Math.max(1, maxRef);
        }

        String worst() {
            return where;
        }

        @Override public String toString() {
            String rel = maxRef > 0 ? String.format("%.3e", maxAbs / maxRef) : maxAbs == 0 ? "0" : "inf";
            return String.format("max abs error %.3e, relative ", maxAbs) + rel;
        }
    }

    private static String unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Shapes.show(idx);
    }

    /** torch.allclose's test, with nan never equal. */
    static boolean close(double x, double y, double rtol, double atol) {
        if (x == y) return true;
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) return false;
        return Math.abs(x - y) <= atol + rtol * Math.abs(y);
    }
}
