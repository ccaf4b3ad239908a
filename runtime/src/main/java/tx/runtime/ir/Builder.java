package tx.runtime.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * The typed IR builder. The lowering, the composites and every VJP rule build IR through it, so
 * that the shape rule of each primitive checks every equation as it is made (JAX's
 * {@code typecheck_jaxpr}, but at construction). Statements go into the innermost open block.
 */
public final class Builder {
    private final Deque<List<Stmt>> blocks = new ArrayDeque<>();
    private final Map<Var, Tensor> constants = new HashMap<>();
    private int nextId;
    private Origin origin = Origin.NONE;
    private String hint;
    private java.util.function.Consumer<Eqn> listener = e -> {};
    /** Ids of the variables that are steps of a composite or of a derivative rule (see {@link #composite}). */
    private final java.util.BitSet internal = new java.util.BitSet();

    public Builder() {
        blocks.push(new ArrayList<>());
    }

    /** A builder whose variables are numbered from {@code firstId} on (new variables beside a program's own). */
    public Builder(int firstId) {
        this();
        nextId = firstId;
    }

    // ---- blocks, names and origins ---------------------------------------------------------------

    /** Opens a nested block (loop body, branch); statements go there until {@link #closeBlock}. */
    public void openBlock() {
        blocks.push(new ArrayList<>());
    }

    public List<Stmt> closeBlock() {
        if (blocks.size() == 1) throw new IllegalStateException("no open block");
        return blocks.pop();
    }

    /** How many blocks are open (1: the top level only). */
    public int depth() {
        return blocks.size();
    }

    /** Closes blocks, dropping what they hold, until {@code depth} are open (a pass that gave up). */
    public void closeTo(int depth) {
        while (blocks.size() > depth) blocks.pop();
    }

    /**
     * The open block, the innermost one or one around it, whose own statements define {@code v} (an
     * equation's output); null if no open block does (a parameter, a loop's carried value).
     */
    public List<Stmt> openBlockDefining(Var v) {
        for (List<Stmt> block : blocks) {
            for (Stmt s : block) if (s instanceof Eqn e && e.out().equals(v)) return block;
        }
        return null;
    }

    /**
     * Builds into {@code block}, an open block around the innermost one, at its end: before the loop
     * or branch being built in it (a value the construct reads and that only depends on values from
     * that block, made once there rather than on every iteration).
     */
    public <R> R into(List<Stmt> block, java.util.function.Supplier<R> body) {
        if (blocks.stream().noneMatch(open -> open == block)) throw new IllegalArgumentException("not an open block");
        blocks.push(block);
        try {
            return body.get();
        } finally {
            blocks.pop();
        }
    }

    /** Every block open now, the innermost first: what has been built so far around the current point. */
    public List<List<Stmt>> openBlocks() {
        return List.copyOf(blocks);
    }

    /** The top-level statements. */
    public List<Stmt> top() {
        return blocks.getLast();
    }

    /** The innermost open block itself (the AD pass prunes what it appended). */
    public List<Stmt> currentBlock() {
        return blocks.peek();
    }

    /**
     * Replaces a statement wherever it is, in an open block or nested in a loop or a branch (the AD
     * pass adds a tape to a loop it reverses). Returns false if it is nowhere.
     */
    public boolean replace(Stmt old, Stmt replacement) {
        for (List<Stmt> block : blocks) if (replaceIn(block, old, replacement)) return true;
        return false;
    }

    /** Inserts statements just before {@code anchor}, wherever it is (as {@link #replace} finds it). Returns false if it is nowhere. */
    public boolean insertBefore(Stmt anchor, List<Stmt> stmts) {
        for (List<Stmt> block : blocks) {
            List<Stmt> in = insertIn(block, anchor, stmts);
            if (in != null) {
                inserted.merge(in, stmts.size(), Integer::sum);
                return true;
            }
        }
        return false;
    }

    /** How many statements {@link #insertBefore} put into this open block itself (a pass that kept a position in it shifts it by as many). */
    public int inserted(List<Stmt> block) {
        return inserted.getOrDefault(block, 0);
    }

    private final Map<List<Stmt>, Integer> inserted = new java.util.IdentityHashMap<>();

    /** The block, {@code block} or one nested in it, that held {@code anchor} and now holds {@code stmts} before it; null if none did. */
    private static List<Stmt> insertIn(List<Stmt> block, Stmt anchor, List<Stmt> stmts) {
        for (int i = 0; i < block.size(); i++) {
            Stmt s = block.get(i);
            if (s == anchor) {
                block.addAll(i, stmts);
                return block;
            }
            List<Stmt> in = null;
            if (s instanceof Stmt.Loop l) in = insertIn(l.body(), anchor, stmts);
            else if (s instanceof Stmt.Cond c) {
                in = insertIn(c.then(), anchor, stmts);
                if (in == null) in = insertIn(c.otherwise(), anchor, stmts);
            }
            if (in != null) return in;
        }
        return null;
    }

    private static boolean replaceIn(List<Stmt> block, Stmt old, Stmt replacement) {
        for (int i = 0; i < block.size(); i++) {
            Stmt s = block.get(i);
            if (s == old) {
                block.set(i, replacement);
                return true;
            }
            if (s instanceof Stmt.Loop l && replaceIn(l.body(), old, replacement)) return true;
            if (s instanceof Stmt.Cond c && (replaceIn(c.then(), old, replacement) || replaceIn(c.otherwise(), old, replacement))) return true;
        }
        return false;
    }

    public void add(Stmt s) {
        blocks.peek().add(s);
    }

    public int varCount() {
        return nextId;
    }

    public Origin origin() {
        return origin;
    }

    /** Sets the source position recorded on the statements built from now on; returns the old one. */
    public Origin at(Origin o) {
        Origin old = origin;
        origin = o;
        return old;
    }

    /** Sets the name given to the next variables built (the user's name, or d_name); returns the old one. */
    public String named(String name) {
        String old = hint;
        hint = name;
        return old;
    }

    /** Calls {@code l} with every equation built from now on (the compiler records autograd facts). */
    public void listen(java.util.function.Consumer<Eqn> l) {
        listener = l;
    }

    /** A new float64 variable. */
    public Var newVar(int[] shape, String name) {
        return new Var(nextId++, shape, name, DType.FLOAT64);
    }

    public Var newVar(int[] shape, String name, DType dtype) {
        return new Var(nextId++, shape, name, dtype);
    }

    /** A new variable with v's shape and dtype. */
    public Var newVarLike(Var v, String name) {
        return new Var(nextId++, v.shapeRef(), name, v.dtype());
    }

    // ---- steps that are not values of the program ----------------------------------------------------

    /**
     * Builds a built-in written from primitives (softmax, softplus, norm, ...): the variables
     * {@code body} makes are its steps, and only its result is a value of the program.
     * NOTE: the steps may hold an inf or a nan that the result never sees (softmax's shift compares
     * the max with a constant inf, to replace an infinite max by 0; softplus computes e^x where its
     * where picks x instead), so {@code --detect-anomaly} checks the result only: in PyTorch softmax
     * is one kernel, and nobody sees its inner steps either.
     */
    public Var composite(java.util.function.Supplier<Var> body) {
        int from = nextId;
        Var result = body.get();
        stepsSince(from);
        shown(result);
        return result;
    }

    /** Marks every variable made since id {@code from} a step (a derivative rule's intermediates). */
    public void stepsSince(int from) {
        if (nextId > from) internal.set(from, nextId);
    }

    /** Marks {@code v} a step: say a forward value that the reversal of a loop makes again (the forward pass checked it). */
    public void step(Var v) {
        internal.set(v.id());
    }

    /** Marks {@code v} a value of the program again: a composite's result, a gradient that reaches a value of the program. */
    public void shown(Var v) {
        internal.clear(v.id());
    }

    /** Whether {@code v} is a step of a composite or of a derivative rule. */
    public boolean isInternal(Var v) {
        return internal.get(v.id());
    }

    /** The steps, for {@link Program#internal}. */
    public java.util.BitSet internal() {
        return (java.util.BitSet) internal.clone();
    }

    // ---- the one way to make an equation --------------------------------------------------------

    public Var emit(Prim p, Object attr, Var... in) {
        List<Var> ins = List.of(in);
        List<int[]> shapes = new ArrayList<>(in.length);
        List<DType> dtypes = new ArrayList<>(in.length);
        for (Var v : in) {
            shapes.add(v.shapeRef());
            dtypes.add(v.dtype());
        }
        Var out = newVar(p.shape(shapes, attr), hint, Dtypes.of(p, dtypes, attr));
        Eqn e = new Eqn(p, ins, out, attr, origin);
        add(e);
        listener.accept(e);
        if (++equations % METER_EVERY == 0) meter();
        return out;
    }

    /** {@code outs = f(in...)}: a call, with one new variable per result of f (named by the current name hint). */
    public Stmt.Call call(Func f, List<Var> in) {
        if (in.size() != f.params().size()) throw new IllegalArgumentException(f.name() + " takes " + f.params().size() + " arguments, given " + in.size());
        for (int k = 0; k < in.size(); k++) {
            if (!Arrays.equals(in.get(k).shapeRef(), f.params().get(k).shapeRef())) {
                throw new IllegalArgumentException("argument " + k + " of " + f.name() + " has shape " + Shapes.show(in.get(k).shapeRef())
                        + ", the parameter " + Shapes.show(f.params().get(k).shapeRef()));
            }
        }
        List<Var> outs = new ArrayList<>();
        for (Var r : f.results()) outs.add(newVar(r.shapeRef(), hint, r.dtype()));
        Stmt.Call c = new Stmt.Call(f, List.copyOf(in), List.copyOf(outs), origin);
        add(c);
        if (++equations % METER_EVERY == 0) meter();
        return c;
    }

    // ---- limits -------------------------------------------------------------------------------------

    /** How often (in equations built) the builder checks the deadline and the size of the IR. */
    static final int METER_EVERY = 1024;

    /**
     * What one equation of the IR costs while compiling, all told: the equation, its variable and
     * shape, the autograd facts the lowerer keeps about it, and the simplifier's copy. NOTE:
     * measured, not derived: 40 levels of functions that each call the next twice, cut at 17
     * levels (524,286 equations), compile in a heap of 160 MiB and not in one of 144 MiB; at 18
     * levels (1,048,574) in 340 MiB and not in 300 MiB: about 300 bytes an equation, rounded up.
     */
    static final long BYTES_PER_EQUATION = 320;

    private long equations, constantBytes;

    /**
     * Stops compiling past the --timeout, or once the IR's estimated size passes --max-memory, or
     * (without it) half the heap the JVM may use (the other half is left for the run). NOTE: an
     * estimate of the IR rather than the heap in use: the heap holds garbage until a collection,
     * so its size says little about what compiling needs, and a collection to find out costs more
     * than the check should; the IR is what grows with a program that blows up (calls that call
     * others several times, inlined). The bound is checked at one point that every pass goes
     * through: lowering, inlining, the composites and the AD pass all build equations here.
     */
    private void meter() {
        CompileLimit.checkTime(origin);
        long bytes = equations * BYTES_PER_EQUATION + constantBytes;
        long heap = Runtime.getRuntime().maxMemory() / 2, asked = tx.runtime.kernels.Limits.current().maxBytes();
        boolean user = asked > 0 && asked < heap;
        long bound = user ? asked : heap;
        if (bytes > bound) throw new CompileLimit(user ? CompileLimit.Kind.MEMORY : CompileLimit.Kind.SIZE, equations, bytes, bound, origin);
    }

    // ---- constants --------------------------------------------------------------------------------

    public Var constant(Tensor value) {
        return constant(value, DType.FLOAT64);
    }

    /** A constant of a dtype: its values already of that dtype (whole numbers for int64, 0 and 1 for bool). */
    public Var constant(Tensor value, DType dtype) {
        constantBytes += 8L * value.size();
        Var v = emit(Prim.CONST, new Attrs.Const(value, dtype));
        constants.put(v, value);
        return v;
    }

    public Var scalar(double value) {
        return constant(Tensor.scalar(value));
    }

    /** A scalar constant of a dtype (value already of it). */
    public Var scalar(double value, DType dtype) {
        return constant(Tensor.scalar(value), dtype);
    }

    /** The int64 positions 0, 1, ..., n - 1 (an index table, a one-hot's columns). */
    public Var iota(int n) {
        double[] d = new double[n];
        for (int k = 0; k < n; k++) d[k] = k;
        return constant(Tensor.of(new int[] {n}, d), DType.INT64);
    }

    /** Indices into an axis of n with Python's negative ones counted from its end: {@code where(i < 0, i + n, i)}. */
    public Var fromEnd(Var i, int n) {
        return where(lt(i, scalar(0, i.dtype())), add(i, scalar(n, i.dtype())), i);
    }

    public Var fill(int[] shape, double value) {
        return fill(shape, value, DType.FLOAT64);
    }

    public Var fill(int[] shape, double value, DType dtype) {
        Var v = emit(Prim.FILL, new Attrs.Fill(shape.clone(), value, dtype), sizes(shape));
        if (!Shapes.symbolic(shape) && Shapes.numel(shape) <= 1) constants.put(v, Tensor.full(shape, value));
        return v;
    }

    // ---- sizes known only at run time ------------------------------------------------------------

    /** The size variable of each symbol made here: symbol k's is {@code symbolSizes.get(k)}. */
    private final List<Var> symbolSizes = new ArrayList<>();

    /**
     * A new symbol (a dimension known only at run time, see {@link Shapes#symbol}) whose size is
     * {@code size}, an int64 scalar of the program, computed before any equation that uses the symbol.
     */
    public int symbol(Var size) {
        if (size.rank() != 0 || size.dtype() != DType.INT64) throw new IllegalArgumentException("a size is an int64 scalar, not " + size);
        symbolSizes.add(size);
        return Shapes.symbol(symbolSizes.size() - 1);
    }

    /** The symbol whose size is {@code size} (this variable itself), or a new one. */
    public int symbolFor(Var size) {
        for (int k = 0; k < symbolSizes.size(); k++) if (symbolSizes.get(k) == size) return Shapes.symbol(k);
        return symbol(size);
    }

    /** Whether a symbol was made before {@code count} symbols existed ({@link #symbolCount}): its size is computed before what came after. */
    public static boolean madeBefore(int symbol, int count) {
        return -symbol - 2 < count;
    }

    /** How many symbols have been made. */
    public int symbolCount() {
        return symbolSizes.size();
    }

    /** The size variable of a symbol. */
    public Var sizeOf(int symbol) {
        return symbolSizes.get(-symbol - 2);
    }

    /**
     * The size operands an equation whose attribute holds {@code shape} takes after its own: one per
     * distinct symbol of the shape, in order (see {@link Shapes#resolve}). The kernels read a symbol's
     * size from its operand, so a pass that renames variables (the reversal of a loop reads a
     * size back per iteration) renames the sizes as it renames any operand.
     */
    public Var[] sizes(int[] shape) {
        int[] syms = Shapes.symbols(shape);
        Var[] out = new Var[syms.length];
        for (int k = 0; k < syms.length; k++) out[k] = sizeOf(syms[k]);
        return out;
    }

    /** g, a run-time index i, then the sizes of shape known only at run time: the operands of PUT and DYNAMIC_PAD. */
    private Var[] withIndexAndSizes(Var g, Var i, int[] shape) {
        Var[] sizes = sizes(shape);
        Var[] in = new Var[2 + sizes.length];
        in[0] = g;
        in[1] = i;
        System.arraycopy(sizes, 0, in, 2, sizes.length);
        return in;
    }

    private Var[] withSizes(Var x, int[] shape) {
        Var[] sizes = sizes(shape);
        Var[] in = new Var[1 + sizes.length];
        in[0] = x;
        System.arraycopy(sizes, 0, in, 1, sizes.length);
        return in;
    }

    /** The value of v if it was built as a constant here, else null. */
    public Tensor constantValue(Var v) {
        return constants.get(v);
    }

    /** True if v was built as a constant here (its value is known at compile time). */
    public boolean isConstant(Var v) {
        return constants.containsKey(v);
    }

    /** True if v is a constant with no zero element. */
    public boolean isNonZeroConstant(Var v) {
        Tensor t = constants.get(v);
        if (t == null) return false;
        for (double d : t.data()) if (d == 0.0) return false;
        return true;
    }

    // ---- elementwise ------------------------------------------------------------------------------

    public Var neg(Var x) { return emit(Prim.NEG, null, x); }
    public Var exp(Var x) { return emit(Prim.EXP, null, x); }
    public Var log(Var x) { return emit(Prim.LOG, null, x); }
    public Var sin(Var x) { return emit(Prim.SIN, null, x); }
    public Var cos(Var x) { return emit(Prim.COS, null, x); }
    public Var sign(Var x) { return emit(Prim.SIGN, null, x); }
    public Var stopGrad(Var x) { return emit(Prim.STOP_GRAD, null, x); }
    public Var add(Var a, Var b) { return emit(Prim.ADD, null, a, b); }
    public Var sub(Var a, Var b) { return emit(Prim.SUB, null, a, b); }
    public Var mul(Var a, Var b) { return emit(Prim.MUL, null, a, b); }
    public Var div(Var a, Var b) { return emit(Prim.DIV, null, a, b); }
    public Var pow(Var a, Var b) { return emit(Prim.POW, null, a, b); }
    public Var eq(Var a, Var b) { return emit(Prim.EQ, null, a, b); }
    public Var ne(Var a, Var b) { return emit(Prim.NE, null, a, b); }
    public Var gt(Var a, Var b) { return emit(Prim.GT, null, a, b); }
    public Var lt(Var a, Var b) { return emit(Prim.LT, null, a, b); }
    public Var le(Var a, Var b) { return emit(Prim.LE, null, a, b); }
    public Var ge(Var a, Var b) { return emit(Prim.GE, null, a, b); }
    public Var where(Var c, Var a, Var b) { return emit(Prim.WHERE, null, c, a, b); }

    // ---- reductions and shapes --------------------------------------------------------------------

    public Var sum(Var x, int[] axes, boolean keepdim) {
        return emit(Prim.SUM, new Attrs.Reduce(axes.clone(), keepdim), x);
    }

    public Var prodOthers(Var x, int[] axes) {
        return emit(Prim.PROD_OTHERS, new Attrs.Reduce(axes.clone(), false), x);
    }

    public Var reshape(Var x, int[] shape) {
        if (Arrays.equals(x.shapeRef(), shape)) return x;
        return emit(Prim.RESHAPE, new Attrs.ShapeAttr(shape.clone()), withSizes(x, shape));
    }

    /** A new variable that holds x (a reshape to its own shape): a copy to name, seed or detach apart from x. */
    public Var copy(Var x) {
        return emit(Prim.RESHAPE, new Attrs.ShapeAttr(x.shape()), withSizes(x, x.shapeRef()));
    }

    public Var expand(Var x, int[] shape) {
        if (Arrays.equals(x.shapeRef(), shape)) return x;
        return emit(Prim.EXPAND, new Attrs.ShapeAttr(shape.clone()), withSizes(x, shape));
    }

    public Var transpose(Var x, int[] perm) {
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
        return identity ? x : emit(Prim.TRANSPOSE, new Attrs.Perm(perm.clone()), x);
    }

    /** Swaps the last two axes (x.mT). */
    public Var mT(Var x) {
        int r = x.rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return transpose(x, perm);
    }

    public Var slice(Var x, int[] start, int[] stop, int[] step) {
        return emit(Prim.SLICE, new Attrs.Slice(start.clone(), stop.clone(), step.clone()), x);
    }

    /** x[i] along an axis, i a scalar known at run time. */
    public Var take(Var x, Var i, int axis) {
        return emit(Prim.TAKE, new Attrs.Axis(axis), x, i);
    }

    /** Zeros of {@code shape} with g at run-time position i along an axis. */
    public Var put(Var g, Var i, int[] shape, int axis) {
        return emit(Prim.PUT, new Attrs.Put(shape.clone(), axis), withIndexAndSizes(g, i, shape)); // a selection's row: its zeros take the selection's size
    }

    /** x[..., i : i + (length-1)*step + 1 : step, ...] along an axis, i a scalar known at run time. */
    public Var dynamicSlice(Var x, Var i, int axis, int length, int step) {
        if (Shapes.isSymbol(length)) return emit(Prim.DYNAMIC_SLICE, new Attrs.Window(axis, length, step), x, i, sizeOf(length)); // see sizes
        return emit(Prim.DYNAMIC_SLICE, new Attrs.Window(axis, length, step), x, i);
    }

    /** Zeros of {@code shape} with g placed from run-time position i, every step-th position along an axis. */
    public Var dynamicPad(Var g, Var i, int[] shape, int axis, int step) {
        return emit(Prim.DYNAMIC_PAD, new Attrs.WindowPad(shape.clone(), axis, step), withIndexAndSizes(g, i, shape));
    }

    public Var pad(Var x, int[] shape, int[] start, int[] step) {
        return emit(Prim.PAD, new Attrs.Pad(shape.clone(), start.clone(), step.clone()), x);
    }

    public Var matmul(Var a, Var b) {
        return emit(Prim.MATMUL, null, a, b);
    }

    /** {@code op(a) @ op(b)}, op swapping the last two axes of an operand whose flag is set, with no transposed copy ({@link Attrs.Matmul}). */
    public Var matmul(Var a, boolean transA, Var b, boolean transB) {
        return emit(Prim.MATMUL, Attrs.Matmul.of(transA, transB), a, b);
    }

    /**
     * Undoes NumPy broadcasting: sums {@code g} over the axes that broadcasting added or stretched,
     * so that it has {@code shape} again. The AD pass calls this in one place for every operand.
     */
    public Var unbroadcast(Var g, int[] shape) {
        int[] gs = g.shapeRef();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.add(i);
        }
        Var summed = sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return reshape(summed, shape);
    }
}
