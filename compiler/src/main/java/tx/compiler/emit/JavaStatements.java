package tx.compiler.emit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.Tensor;

/**
 * The statements of a {@link JavaEmitter}'s class: each equation as one Java statement calling a
 * kernel of {@link JavaKernels} (or an alias, where nothing is computed), its operands' shapes and
 * sizes as formulas in the named dimensions, and the kernels the program needs. {@link JavaEmitter}
 * lays out the class around them: its methods, loops, branches, names and argument checks.
 */
abstract class JavaStatements {
    final Derivation d;
    /** The sizes as the class writes them (see {@code JavaEmitter.javaSizes}). */
    final Sizes sizes;
    final Map<Var, String> names = new HashMap<>();
    /** Variables emitted as another variable's array (a reshape, a detach): the other variable. */
    final Map<Var, Var> aliasOf = new HashMap<>();
    /** The kernels the class needs, by index in {@link JavaKernels#ALL}. */
    final Set<Integer> helpers = new TreeSet<>();
    /** Kernels renamed because a method of the class has their name. */
    final Map<String, String> renamed = new HashMap<>();
    /** Each loop's index: the name of its int counter (a tensor of it, where one is needed, is in {@link #names}). */
    final Map<Var, String> counters = new HashMap<>();
    /** The variables the statement being written reads. */
    Set<Var> reads = new HashSet<>();

    /** One statement: its Java text, its comment (or null), a size estimate for the 64 KB check, and the variables it reads. */
    record Line(String text, String comment, int size, Set<Var> reads) {}

    JavaStatements(Derivation d, Sizes sizes) {
        this.d = d;
        this.sizes = sizes;
    }

    /** A new variable name, not yet taken, from base. */
    abstract String fresh(String base);

    // ---- statements ----------------------------------------------------------------------------------

    Line statement(Eqn e) {
        String out = names.get(e.out());
        Set<Var> outer = reads;
        reads = new HashSet<>();
        String rhs = expression(e);
        Set<Var> read = reads;
        reads = outer;
        String comment = e.origin().line() > 0 ? "// line " + e.origin().line() : null;
        if (aliasOf.containsKey(e.out())) { // say why a variable is another one's array
            String what = switch (e.prim()) {
                case STOP_GRAD -> "detach";
                case RESHAPE -> "reshape to " + "[" + String.join(", ", sizes(d.shape(e.out()))) + "]";
                default -> e.prim().text() + ", which leaves the elements as they are";
            };
            comment = comment == null ? "// " + what : comment + " (" + what + ")";
        }
        // bytecode: the text overestimates a call, and a constant takes some 8 bytes an element
        int size = e.prim() == Prim.CONST ? 12 + 8 * ((Attrs.Const) e.attr()).value().size() : 12 + rhs.length();
        return new Line("double[] " + out + " = " + rhs + ";", comment, size, read);
    }

    /** A variable as a {@code double[]}: its name (a loop's index used as a tensor gets one, {@code t_value}). */
    String ref(Var v) {
        String n = names.get(v);
        if (n == null && counters.containsKey(v)) {
            n = fresh(counters.get(v) + "_value");
            names.put(v, n);
        }
        if (n == null) throw new IllegalStateException("no name for " + v);
        reads.add(v);
        return n;
    }

    /** A run-time index (a scalar) as a double: a loop's counter, or the element of a one-element array. */
    String index(Var i) {
        String counter = counters.get(i);
        return counter != null ? counter : ref(i) + "[0]";
    }

    /**
     * The statement's right-hand side. NOTE: a switch expression with no default, so that javac
     * refuses a primitive this emitter does not know.
     */
    private String expression(Eqn e) {
        List<Var> in = e.in();
        return switch (e.prim()) {
            case NEG, EXP, LOG, SIN, COS, TAN, TANH, SIGMOID, SQRT, ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC, ASIN, ACOS, ATAN, LOG1P, EXPM1 -> call(e.prim().text(), ref(in.get(0)));
            case STOP_GRAD, RESHAPE -> alias(e, in.get(0));
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, REMAINDER, FLOOR_DIVIDE, FMOD, ATAN2, LT, LE, GT, GE, EQ, NE, BITWISE_AND, BITWISE_OR,
                 BITWISE_XOR -> elementwise(e, e.prim().text());
            case CAST -> call("cast", ref(in.get(0)), Integer.toString(tx.runtime.kernels.Indexing.code((tx.runtime.tensor.DType) e.attr())));
            case ARGMAX -> call("argmax", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()));
            case DET, INVERSE -> call(e.prim().text(), ref(in.get(0)), shape(in.get(0)));
            case CHOLESKY -> call("cholesky", ref(in.get(0)), shape(in.get(0)), "\"" + (e.attr() == null ? "cholesky" : e.attr()) + "\"");
            case SIGNDET, LOGABSDET -> call("slogdet", ref(in.get(0)), shape(in.get(0)), Boolean.toString(e.prim() == Prim.SIGNDET));
            case QR_Q, QR_R -> call("qr", ref(in.get(0)), shape(in.get(0)), Boolean.toString(e.prim() == Prim.QR_Q));
            case EIGH -> call("eigh", ref(in.get(0)), shape(in.get(0)), Boolean.toString(((Attrs.Part) e.attr()).index() == 1));
            case SVD -> call("svd", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Part) e.attr()).index()), "\"linalg.svd\"");
            case SOLVE -> call("solve", ref(in.get(0)), shape(in.get(0)), ref(in.get(1)), shape(in.get(1)));
            case TRI_SOLVE -> call("solveTriangular", ref(in.get(0)), shape(in.get(0)), ref(in.get(1)), shape(in.get(1)),
                    Boolean.toString(((Attrs.Triangle) e.attr()).upper()), Boolean.toString(((Attrs.Triangle) e.attr()).unit()));
            case ARGSORT -> call("argsort", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.AxisOrder) e.attr()).axis()),
                    Boolean.toString(((Attrs.AxisOrder) e.attr()).descending()));
            case NONZERO -> throw new Derivation.Unexpressible("a size known only at run time (a boolean mask's selection) cannot be written yet");
            case GATHER -> call("gatherAlong", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()), ref(in.get(1)), shape(in.get(1)));
            case SCATTER_ADD -> call("scatterAdd", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()), ref(in.get(1)),
                    shape(in.get(1)), ref(in.get(2)));
            case SCATTER -> call("scatter", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()), ref(in.get(1)),
                    shape(in.get(1)), ref(in.get(2)));
            case GEN_SEED -> call("genSeed", in.isEmpty() ? e.attr() + "L" : "(long) " + ref(in.get(0)) + "[0]");
            case GEN_DRAW, GEN_NEXT -> {
                Attrs.Draw r = (Attrs.Draw) e.attr();
                String count = numel(new Sizes.Lin[] {d.size(s -> tx.runtime.tensor.Shapes.numel(((Attrs.Draw) d.inSample(e, s).attr()).shape()), "a draw's count")});
                yield call(e.prim() == Prim.GEN_DRAW ? "genDraw" : "genNext", ref(in.get(0)), Integer.toString(r.kind().ordinal()), count,
                        literal(r.a()), literal(r.b()));
            }
            case WHERE -> elementwise(e, "where");
            case SUM -> reduce(e, "sum");
            case MAX -> reduce(e, "max");
            case PROD -> reduce(e, "prod");
            case FIRST_MAX -> call("firstMax", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()));
            case PROD_OTHERS -> call("prodOthers", ref(in.get(0)), shape(in.get(0)), ints(((Attrs.Reduce) e.attr()).axes()));
            case CUMSUM, CUMPROD -> call("scan", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()),
                    Boolean.toString(e.prim() == Prim.CUMPROD));
            case FLIP -> call("flip", ref(in.get(0)), shape(in.get(0)), ints(((Attrs.Axes) e.attr()).axes()));
            case TRANSPOSE -> transpose(e);
            case EXPAND -> sameData(d.shape(in.get(0)), d.shape(e.out())) ? alias(e, in.get(0))
                    : call("expand", ref(in.get(0)), shape(in.get(0)), shape(e.out()));
            case SLICE -> slice(e);
            case PAD -> pad(e);
            case TAKE -> call("take", ref(in.get(0)), shape(in.get(0)), Integer.toString(((Attrs.Axis) e.attr()).axis()), index(in.get(1)));
            case PUT -> call("put", ref(in.get(0)), shape(e.out()), Integer.toString(((Attrs.Put) e.attr()).axis()), index(in.get(1)));
            case DYNAMIC_SLICE -> {
                Attrs.Window w = (Attrs.Window) e.attr();
                yield call("dynamicSlice", ref(in.get(0)), shape(in.get(0)), Integer.toString(w.axis()), index(in.get(1)), Integer.toString(w.length()),
                        Integer.toString(w.step()));
            }
            case DYNAMIC_PAD -> {
                Attrs.WindowPad p = (Attrs.WindowPad) e.attr();
                yield call("dynamicPad", ref(in.get(0)), shape(in.get(0)), shape(e.out()), Integer.toString(p.axis()), index(in.get(1)),
                        Integer.toString(p.step()));
            }
            case CAT -> cat(e);
            case MATMUL -> {
                Attrs.Matmul t = Attrs.Matmul.flags(e.attr()); // an operand read transposed in place: the kernel's flag
                yield call("matmul", ref(in.get(0)), shape(in.get(0)), Boolean.toString(t.transA()), ref(in.get(1)), shape(in.get(1)),
                        Boolean.toString(t.transB()));
            }
            case CONST -> constant(e);
            case FILL -> {
                Sizes.Real r = d.real(s -> ((Attrs.Fill) d.inSample(e, s).attr()).value(), "a filled value");
                String count = numel(d.shape(e.out()));
                yield r.base() == null && Double.doubleToRawLongBits(r.k()) == 0 ? "new double[" + count + "]" : call("fill", count, real(r));
            }
            case RANDOM -> {
                Attrs.Random r = (Attrs.Random) e.attr();
                yield call(r.normal() ? "normal" : "uniform", numel(d.shape(e.out())), r.seed() + "L");
            }
            case CONV, CONV_INPUT, CONV_WEIGHT, MAX_POOL, MAX_UNPOOL -> convolution(e);
            case LOAD -> throw new Derivation.Unexpressible("the Java emitter has no kernel for " + e.prim().text());
        };
    }

    /** A convolution or pooling primitive: a call of its direct loop in Standalone, with the geometry as constants. */
    private String convolution(Eqn e) {
        List<Var> in = e.in();
        if (e.attr() instanceof Attrs.Pool p) {
            return call(e.prim() == Prim.MAX_POOL ? "maxPool" : "maxUnpool", ref(in.get(0)), ref(in.get(1)), shape(in.get(0)), ints(p.kernel()),
                    ints(p.stride()), ints(p.padding()), ints(p.dilation()), Boolean.toString(p.ceil()));
        }
        Attrs.Conv c = (Attrs.Conv) e.attr();
        String geometry = ints(c.stride()) + ", " + ints(c.padding()) + ", " + ints(c.dilation()) + ", " + c.groups();
        return switch (e.prim()) {
            case CONV -> call("conv", ref(in.get(0)), shape(in.get(0)), ref(in.get(1)), shape(in.get(1)), in.size() == 3 ? ref(in.get(2)) : "null", geometry);
            case CONV_INPUT -> call("convInput", ref(in.get(0)), ref(in.get(1)), shape(in.get(1)), shape(e.out()), geometry);
            default -> call("convWeight", ref(in.get(0)), shape(in.get(0)), ref(in.get(1)), shape(e.out()), geometry);
        };
    }

    private String transpose(Eqn e) {
        int[] perm = ((Attrs.Perm) e.attr()).perm();
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
        if (identity) return alias(e, e.in().get(0));
        return call("transpose", ref(e.in().get(0)), shape(e.in().get(0)), ints(perm));
    }

    private String cat(Eqn e) {
        List<String> xs = new ArrayList<>(), shapes = new ArrayList<>();
        for (Var x : e.in()) {
            xs.add(ref(x));
            shapes.add("{" + String.join(", ", sizes(d.shape(x))) + "}");
        }
        return call("cat", "new double[][] {" + String.join(", ", xs) + "}", "new int[][] {" + String.join(", ", shapes) + "}",
                Integer.toString(((Attrs.Axis) e.attr()).axis()));
    }

    /** The variable is the same array as another (a reshape, a detach): nothing is computed. */
    private String alias(Eqn e, Var of) {
        aliasOf.put(e.out(), of);
        return ref(of);
    }

    /** A call of a kernel: {@code helper} is its id, {@code name} or {@code name/variant} for an overload. */
    String call(String helper, String... args) {
        need(helper);
        return fname(helper) + "(" + String.join(", ", args) + ")";
    }

    /** The Java name of a kernel: its own, unless the function's methods have it. */
    String fname(String helper) {
        String name = helper.replaceAll("/.*", "");
        return renamed.getOrDefault(name, name);
    }

    /**
     * A binary (or where's ternary) elementwise kernel. When every operand has the result's shape
     * or is a single value, the kernel takes the arrays alone; otherwise their shapes too, and
     * broadcasts as NumPy does.
     */
    private String elementwise(Eqn e, String helper) {
        Sizes.Lin[] out = d.shape(e.out());
        boolean plain = true;
        for (Var x : e.in()) plain &= sameData(d.shape(x), out) || single(d.shape(x));
        List<String> args = new ArrayList<>();
        for (Var x : e.in()) {
            args.add(ref(x));
            if (!plain) args.add(shape(x));
        }
        return call(plain ? helper : helper + "/shapes", args.toArray(String[]::new));
    }

    /** Whether two shapes have the same elements in the same order: equal up to leading 1s. */
    private static boolean sameData(Sizes.Lin[] a, Sizes.Lin[] b) {
        return Arrays.asList(stripOnes(a)).equals(Arrays.asList(stripOnes(b)));
    }

    private static Sizes.Lin[] stripOnes(Sizes.Lin[] s) {
        int i = 0;
        while (i < s.length && s[i].constant() && s[i].c() == 1) i++;
        return Arrays.copyOfRange(s, i, s.length);
    }

    /** Whether a shape has one element whatever the named dimensions. */
    private static boolean single(Sizes.Lin[] s) {
        for (Sizes.Lin f : s) if (!(f.constant() && f.c() == 1)) return false;
        return true;
    }

    private String reduce(Eqn e, String helper) {
        Attrs.Reduce r = (Attrs.Reduce) e.attr();
        Var x = e.in().get(0);
        if (r.axes().length == 0) return alias(e, x);
        if (r.axes().length == x.rank()) return call(helper, ref(x));
        return call(helper + "/axes", ref(x), shape(x), ints(r.axes()));
    }

    private String slice(Eqn e) {
        Var x = e.in().get(0);
        Sizes.Lin[] shape = d.shape(x);
        Sizes.Lin[] start = new Sizes.Lin[x.rank()], stop = new Sizes.Lin[x.rank()], step = new Sizes.Lin[x.rank()];
        boolean whole = true;
        for (int i = 0; i < x.rank(); i++) {
            int axis = i;
            start[i] = attr(e, q -> ((Attrs.Slice) q.attr()).start()[axis], "a slice's start");
            stop[i] = attr(e, q -> ((Attrs.Slice) q.attr()).stop()[axis], "a slice's end");
            step[i] = attr(e, q -> ((Attrs.Slice) q.attr()).step()[axis], "a slice's step");
            whole &= start[i].equals(new Sizes.Lin(0, List.of(), 0)) && stop[i].equals(shape[i]) && step[i].equals(new Sizes.Lin(0, List.of(), 1));
        }
        if (whole) return alias(e, x);
        return call("slice", ref(x), ints(shape), ints(start), ints(stop), ints(step));
    }

    private String pad(Eqn e) {
        Var g = e.in().get(0);
        Sizes.Lin[] start = new Sizes.Lin[g.rank()], step = new Sizes.Lin[g.rank()];
        for (int i = 0; i < g.rank(); i++) {
            int axis = i;
            start[i] = attr(e, q -> ((Attrs.Pad) q.attr()).start()[axis], "a padding's start");
            step[i] = attr(e, q -> ((Attrs.Pad) q.attr()).step()[axis], "a padding's step");
        }
        return call("pad", ref(g), shape(g), shape(e.out()), ints(start), ints(step));
    }

    String constant(Eqn e) {
        Tensor t = ((Attrs.Const) e.attr()).value();
        if (t.rank() == 0) {
            Sizes.Real r = d.real(s -> ((Attrs.Const) d.inSample(e, s).attr()).value().data()[0], "a constant");
            return "new double[] {" + real(r) + "}";
        }
        boolean same = true;
        for (int s = 1; s < Sizes.COUNT && !d.sizes.dims().isEmpty(); s++) same &= ((Attrs.Const) d.inSample(e, s).attr()).value().equals(t);
        boolean uniform = true;
        for (int s = 0; s < (d.sizes.dims().isEmpty() ? 1 : Sizes.COUNT); s++) {
            double[] v = ((Attrs.Const) d.inSample(e, s).attr()).value().data();
            for (double x : v) uniform &= Double.compare(x, v[0]) == 0;
        }
        if (!same || uniform && t.size() > 1) { // a tensor of one value (mean's 1 / n spread over a shape): a fill
            if (!uniform) throw new Derivation.Unexpressible("a constant tensor depends on " + String.join(", ", d.sizes.dims()));
            Sizes.Real r = d.real(s -> ((Attrs.Const) d.inSample(e, s).attr()).value().data()[0], "a constant");
            String count = numel(d.shape(e.out()));
            if (r.base() == null && Double.doubleToRawLongBits(r.k()) == 0) return "new double[" + count + "]";
            return call("fill", count, real(r));
        }
        List<String> parts = new ArrayList<>();
        for (double v : t.data()) parts.add(literal(v));
        return "new double[] {" + String.join(", ", parts) + "}";
    }

    /** An integer attribute of e as a formula: {@code get(eqn)} reads it from each sample's equation. */
    private Sizes.Lin attr(Eqn e, ToIntFunction<Eqn> get, String what) {
        return d.size(s -> get.applyAsInt(d.inSample(e, s)), what);
    }

    private String real(Sizes.Real r) {
        if (r.base() == null) return literal(r.k());
        if (r.k() < 0 && r.exp() < 0) return "-" + sizes.show(new Sizes.Real(-r.k(), r.base(), r.exp(), r.root()), JavaEmitter::literal, JavaStatements::sqrt); // -1.0 / n
        return sizes.show(r, JavaEmitter::literal, JavaStatements::sqrt);
    }

    /** Java's square root of a size: {@code Math.sqrt(n)}. */
    private static String sqrt(String base) {
        return "Math.sqrt(" + base + ")";
    }

    /** A Java double literal that reads back as exactly v. */
    static String literal(double v) {
        if (Double.isNaN(v)) return "Double.NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        String s = PyFloat.repr(v);
        if (Double.doubleToRawLongBits(Double.parseDouble(s)) != Double.doubleToRawLongBits(v)) s = Double.toHexString(v);
        return s;
    }

    String shape(Var v) {
        return ints(d.shape(v));
    }

    private List<String> sizes(Sizes.Lin[] shape) {
        List<String> parts = new ArrayList<>();
        for (Sizes.Lin f : shape) parts.add(sizes.show(f));
        return parts;
    }

    private String ints(Sizes.Lin[] shape) {
        if (shape.length == 0) return "new int[0]";
        return "new int[] {" + String.join(", ", sizes(shape)) + "}";
    }

    private static String ints(int[] values) {
        if (values.length == 0) return "new int[0]";
        List<String> parts = new ArrayList<>();
        for (int v : values) parts.add(Integer.toString(v));
        return "new int[] {" + String.join(", ", parts) + "}";
    }

    /** The number of elements of a shape, as a formula: {@code 2 * n}, {@code n * (n - 1)}. */
    private String numel(Sizes.Lin[] shape) {
        long constant = 1;
        List<Sizes.Lin> rest = new ArrayList<>();
        for (Sizes.Lin f : shape) {
            if (f.constant()) constant *= f.c();
            else rest.add(f);
        }
        if (constant == 0 || rest.isEmpty()) return Long.toString(constant);
        if (constant == 1 && rest.size() == 1) return sizes.show(rest.get(0));
        List<String> parts = new ArrayList<>();
        for (Sizes.Lin f : rest) {
            String s = sizes.show(f);
            parts.add(Sizes.compound(f) || f.k() < 0 ? "(" + s + ")" : s);
        }
        return (constant == 1 ? "" : constant + " * ") + String.join(" * ", parts);
    }

    // ---- kernels -------------------------------------------------------------------------------------

    void need(String helper) {
        int i = index(helper);
        if (!helpers.add(i)) return;
        for (String dep : JavaKernels.ALL[i].deps()) need(dep);
    }

    static int index(String helper) {
        return JavaKernels.index(helper);
    }

    void kernels(StringBuilder sb) {
        sb.append("    // ---- kernels: each as tx's interpreter computes it, in the same order --------------------------\n");
        for (int i : helpers) {
            String text = JavaKernels.ALL[i].text();
            for (Map.Entry<String, String> r : renamed.entrySet()) {
                text = text.replaceAll("(?<![.\\w])" + Pattern.quote(r.getKey()) + "(?=\\()", Matcher.quoteReplacement(r.getValue()));
            }
            sb.append('\n').append(text);
        }
    }
}
