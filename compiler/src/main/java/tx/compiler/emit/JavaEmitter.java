package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Func;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/**
 * Writes a {@link Derivation} as one standalone Java source file: a public class (NAME in
 * CamelCase + {@code Grad}, e.g. {@code LossGrad} for {@code loss}) with the static methods
 * {@code NAME}, the function's value, and {@code NAME_grad}, its gradients in {@code wrt} order, over
 * row-major {@code double[]} tensors, plus the parameters' shapes as metadata. It needs nothing but
 * the JDK.
 *
 * <p>Each method computes only what its results need. Every equation is one statement calling a
 * private kernel written into the same class (only the kernels the program uses), which reproduces
 * the interpreter's kernel for that primitive, in the same order of operations, so the numbers agree
 * with {@code tx run}. Variables are named as {@link TxEmitter} names them: the user's names,
 * {@code d_<name>} for gradients, {@code t1}, {@code t2}, ... for temporaries, with a trailing
 * {@code // line N}.
 *
 * <p>Loops and branches are Java's, run as the interpreter runs them: a loop is a {@code for} over
 * an int index (a reversed loop counts down from count - 1), its carried values are locals set
 * before it and, all at once, at the end of each iteration, and its outputs are those locals after
 * it; a tape is a {@code double[]} of count rows, row i written at the end of iteration i. A branch
 * is an {@code if}/{@code else} on its condition's element, its outputs declared before it; a side
 * that gives an output no value leaves it null (only the other side's adjoint reads it). An index
 * known only at run time ({@code xs[t]}) is checked when it is used (an IndexOutOfBoundsException).
 * Each method computes only what it needs, loops and branches included: the value needs no tape.
 *
 * <p>Named dimensions are read from the arguments' lengths at the start of each method
 * ({@code int n = x.length / 3;}) and every argument's length is checked against its declared shape
 * (an IllegalArgumentException otherwise). A named dimension that no parameter determines on its own
 * (only {@code x: [n, m]}) becomes a leading {@code int} argument of both methods, listed in the
 * field {@code DIM_ARGS}. Sizes and constants that depend on the named dimensions are written as
 * formulas in them ({@link Sizes}).
 */
public final class JavaEmitter extends JavaStatements {
    /** Java's keywords and literals, and the restricted identifiers, which a variable may not be named. */
    private static final Set<String> RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char",
            "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for",
            "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw",
            "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "_", "var", "yield", "record",
            "sealed", "permits");

    /** Beyond this estimate of a method's bytecode, the JVM's 64 KB limit may be hit. */
    private static final int MAX_METHOD_SIZE = 60_000;

    private final String source;
    final Ast.FnDef fn;
    private final String valueName, gradName, className;
    private final Map<Var, Line> code = new HashMap<>();
    private final Names taken;
    /** The function this emitter writes the method of: the derivation's own (null), or one it calls, as a helper method. */
    private final Func helper;
    /** The statements of the method, and its parameters' variables: the derivation's, or the helper's. */
    private final List<Stmt> program;
    private final List<Var> programParams;
    /** The loop or branch that defines a carried value, a loop's output or a branch's output, and which one it is. */
    private final Map<Var, Site> sites = new HashMap<>();
    /** Where a loop's new carried value is an old one assigned before it: the temporary that saves it, by carried value. */
    private final Map<Var, String> swaps = new HashMap<>();
    /** Variables that may hold nothing at run time: see {@link #nullable()}. */
    private final Set<Var> nullable = new HashSet<>();

    // the method being written: its lines (code, comment), what it computes, and what its lines read
    private List<String[]> body;
    private Set<Var> live;
    private boolean gradient, inAdjoint, blankBeforeAdjoint;
    private int size;


    /** The k-th carried value (parameter and output) of a loop, or the k-th output of a branch. */
    private record Site(Stmt st, int k) {}

    private JavaEmitter(Derivation d, String source, Func helper) {
        super(d, javaSizes(d));
        this.source = Escapes.javaComment(source);
        this.fn = d.fn;
        this.valueName = safe(fn.name());
        this.gradName = d.name();
        this.className = camel(fn.name()) + (d.forward ? "Jvp" : "Grad");
        this.helper = helper;
        this.program = helper == null ? d.body() : helper.body();
        this.programParams = helper == null ? d.params() : helper.params();
        this.taken = new Names();
        taken.takeAll(d.helperNames().values());
    }

    /**
     * The sizes as this class writes them: a named dimension spelt like a parameter, a Java keyword,
     * or {@code param} or {@code dims} (the arguments of {@link #shapeMethod}'s method) is renamed
     * (see {@link Sizes#writtenAvoiding}).
     */
    private static Sizes javaSizes(Derivation d) {
        Set<String> avoid = new HashSet<>(RESERVED);
        avoid.addAll(List.of("param", "dims"));
        for (Ast.Param p : d.fn.params()) avoid.add(safe(p.name()));
        return d.sizes.writtenAvoiding(avoid);
    }

    /** The Java name of a named dimension. */
    String dim(String name) {
        return d.sizes.written(sizes, name);
    }

    List<String> dims(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) out.add(dim(n));
        return out;
    }

    public static String emit(Derivation d, String sourceName) {
        return new JavaEmitter(d, sourceName, null).emit();
    }

    // ---- the class -----------------------------------------------------------------------------------

    private String emit() {
        taken.takeAll(sizes.dims());
        for (String h : JavaKernels.NAMES) if (h.equals(valueName) || h.equals(gradName)) renamed.put(h, h + "Kernel");
        StringBuilder helperMethods = new StringBuilder();
        for (Func f : d.functions()) {
            JavaEmitter h = new JavaEmitter(d, source, f);
            h.renamed.putAll(renamed);
            helperMethods.append(h.helperMethod());
            helpers.addAll(h.helpers);
        }
        List<Var> params = d.params();
        for (int i = 0; i < params.size(); i++) {
            String name = safe(d.paramNames().get(i));
            taken.take(name);
            names.put(params.get(i), name);
        }
        List<Eqn> eqns = new ArrayList<>();
        equations(program, eqns);
        for (Eqn e : eqns) if (e.out().name() != null) taken.keep(safe(e.out().name()));

        List<Var> valueResults = List.of(d.value());
        List<Var> gradResults = d.outputs();
        Set<Var> valueLive = Liveness.of(program, valueResults), gradLive = Liveness.of(program, gradResults);
        Set<Var> anyLive = new HashSet<>(valueLive);
        anyLive.addAll(gradLive);
        nameVariables(eqns, anyLive);
        nullable();
        for (Eqn e : eqns) if (anyLive.contains(e.out())) code.put(e.out(), statement(e));

        JavaPrologue.Prologue prologue = JavaPrologue.of(this);
        List<String> wrtNames = new ArrayList<>();
        for (int k : d.wrt) wrtNames.add(fn.params().get(k).name());

        StringBuilder sb = new StringBuilder();
        sb.append("// The function `").append(fn.name()).append("` and its gradient with respect to ").append(String.join(", ", wrtNames))
                .append(", written by `tx grad --emit java` from ").append(source).append(".\n");
        sb.append("// A comment `// line N` names the line of ").append(source).append(" that an operation comes from.\n");
        boolean binaryOp = false, unaryOp = false;
        for (int i : helpers) {
            binaryOp |= JavaKernels.ALL[i].text().contains("DoubleBinaryOperator");
            unaryOp |= JavaKernels.ALL[i].text().contains("DoubleUnaryOperator");
        }
        if (binaryOp || unaryOp) sb.append('\n');
        if (binaryOp) sb.append("import java.util.function.DoubleBinaryOperator;\n");
        if (unaryOp) sb.append("import java.util.function.DoubleUnaryOperator;\n");
        sb.append('\n');
        classComment(sb, prologue, wrtNames);
        sb.append("public final class ").append(className).append(" {\n");
        fields(sb, prologue, wrtNames);
        sb.append("    private ").append(className).append("() {}\n\n");
        shapeMethod(sb);
        method(sb, prologue, false, valueResults, valueLive);
        method(sb, prologue, true, gradResults, gradLive);
        sb.append(helperMethods);
        kernels(sb);
        sb.append("}\n");
        return sb.toString();
    }

    private void classComment(StringBuilder sb, JavaPrologue.Prologue prologue, List<String> wrtNames) {
        List<String> sig = new ArrayList<>();
        for (Ast.Param p : fn.params()) sig.add(p.name() + ": " + declared(p));
        sb.append("/**\n");
        String what = d.forward ? "its tangent along " : "its gradient with respect to ";
        wrap(sb, "{@code " + fn.name() + "(" + String.join(", ", sig) + ")" + (d.forward ? "" : " -> []") + "} from " + source + ", and " + what + String.join(", ", wrtNames) + ".");
        sb.append(" *\n");
        String results = d.forward ? "the value and its tangent (forward mode), taking the arguments and then a tangent of each parameter in "
                + "{@link #WRT}" : "the gradients in the order of {@link #WRT}, each of its parameter's shape";
        wrap(sb, "<p>A tensor is a {@code double[]} of its elements in row-major order; a scalar has one element. {@link #" + valueName
                + "} returns the value, and {@link #" + gradName + "} " + results + ". The arrays returned are new; the arguments are never modified.");
        sb.append(" *\n");
        String dims = "";
        if (!d.sizes.dims().isEmpty()) {
            dims = "The named dimension" + (d.sizes.dims().size() > 1 ? "s are" : " is") + " read from the arguments' lengths: "
                    + String.join(", ", prologue.sources()) + ". ";
            if (!prologue.explicit().isEmpty()) {
                dims += "No argument determines " + String.join(", ", prologue.explicit()) + " on its own, so both methods take "
                        + (prologue.explicit().size() > 1 ? "them" : "it") + " first, as int arguments (see {@link #DIM_ARGS}). ";
            }
        }
        String checks = Checks.holds(program) ? " So is a failed check (an assert, or a value PyTorch refuses when it runs), with the message `tx run` prints." : "";
        wrap(sb, "<p>" + dims + "An argument whose length does not fit its shape is an IllegalArgumentException." + checks);
        sb.append(" */\n");
    }

    /** A paragraph of a doc comment, its lines filled to 100 columns. */
    private static void wrap(StringBuilder sb, String text) {
        StringBuilder line = new StringBuilder(" *");
        for (String word : text.split(" ")) {
            if (line.length() > 2 && line.length() + 1 + word.length() > 100) {
                sb.append(line).append('\n');
                line = new StringBuilder(" *");
            }
            line.append(' ').append(word);
        }
        sb.append(line).append('\n');
    }

    private void fields(StringBuilder sb, JavaPrologue.Prologue prologue, List<String> wrtNames) {
        List<String> ps = new ArrayList<>(), shapes = new ArrayList<>();
        for (Ast.Param p : fn.params()) {
            ps.add(quote(p.name()));
            shapes.add(quote(declared(p)));
        }
        List<String> dims = new ArrayList<>(), wrt = new ArrayList<>();
        for (String dim : d.sizes.dims()) dims.add(quote(dim));
        for (String w : wrtNames) wrt.add(quote(w));
        sb.append("    /** The parameters, in order. */\n");
        sb.append("    public static final String[] PARAMS = {").append(String.join(", ", ps)).append("};\n");
        sb.append("    /** Each parameter's declared shape; see {@link #shape}. */\n");
        sb.append("    public static final String[] SHAPES = {").append(String.join(", ", shapes)).append("};\n");
        sb.append("    /** The named dimensions, in the order {@link #shape} takes their sizes. */\n");
        sb.append("    public static final String[] DIMS = {").append(String.join(", ", dims)).append("};\n");
        if (!prologue.explicit().isEmpty()) {
            List<String> ex = new ArrayList<>();
            for (String dim : prologue.explicit()) ex.add(quote(dim));
            sb.append("    /** The named dimensions that both methods take as leading int arguments, in this order. */\n");
            sb.append("    public static final String[] DIM_ARGS = {").append(String.join(", ", ex)).append("};\n");
        }
        sb.append("    /** The parameters {@link #").append(gradName).append("} differentiates with respect to, in the order of its results. */\n");
        sb.append("    public static final String[] WRT = {").append(String.join(", ", wrt)).append("};\n\n");
    }

    /** {@code shape(param, dims...)}: a parameter's shape for given sizes of the named dimensions. */
    private void shapeMethod(StringBuilder sb) {
        List<String> dims = d.sizes.dims();
        sb.append("    /**\n");
        sb.append("     * The shape of a parameter (or of its gradient) when the named dimensions have the given sizes, in the\n");
        sb.append("     * order of {@link #DIMS}");
        if (!dims.isEmpty()) {
            Ast.Param example = null;
            for (Ast.Param p : fn.params()) if (example == null && declared(p).matches(".*[A-Za-z].*")) example = p;
            List<String> args = new ArrayList<>(), sizes = new ArrayList<>();
            for (int i = 0; i < dims.size(); i++) args.add(Integer.toString(4 + i));
            for (Ast.Dim dim : example.shape()) sizes.add(dim.name() != null ? Integer.toString(4 + dims.indexOf(dim.name())) : Integer.toString(dim.size()));
            sb.append(": {@code shape(\"").append(example.name()).append("\", ").append(String.join(", ", args)).append(")} is {@code {")
                    .append(String.join(", ", sizes)).append("}}");
        }
        sb.append(".\n     */\n");
        sb.append("    public static int[] shape(String param, int... dims) {\n");
        sb.append("        if (dims.length != ").append(dims.size()).append(") throw new IllegalArgumentException(\"shape takes ")
                .append(dims.isEmpty() ? "no sizes" : dims.size() + " size" + (dims.size() > 1 ? "s" : "") + ", of " + String.join(", ", dims))
                .append(", not \" + dims.length);\n");
        for (int i = 0; i < dims.size(); i++) {
            sb.append("        int ").append(dim(dims.get(i))).append(" = dims[").append(i).append("];\n");
        }
        sb.append("        return switch (param) {\n");
        for (Ast.Param p : fn.params()) {
            List<String> parts = new ArrayList<>();
            for (Ast.Dim dim : p.shape()) parts.add(dim.name() != null ? dim(dim.name()) : Integer.toString(dim.size()));
            sb.append("            case ").append(quote(p.name())).append(" -> ")
                    .append(parts.isEmpty() ? "new int[0]" : "new int[] {" + String.join(", ", parts) + "}").append(";\n");
        }
        sb.append("            default -> throw new IllegalArgumentException(\"`").append(fn.name()).append("` has no parameter \" + param);\n");
        sb.append("        };\n");
        sb.append("    }\n\n");
    }

    private void method(StringBuilder sb, JavaPrologue.Prologue prologue, boolean gradient, List<Var> results, Set<Var> live) {
        List<String> args = new ArrayList<>(), argNames = new ArrayList<>();
        for (String dim : prologue.explicit()) args.add("int " + dim(dim));
        int count = gradient ? d.paramNames().size() : fn.params().size(); // in forward mode, the tangents too
        for (int i = 0; i < count; i++) {
            args.add("double[] " + names.get(d.params().get(i)));
            argNames.add(names.get(d.params().get(i)));
        }
        List<String> prologueLines = new ArrayList<>(prologue.lines());
        for (int j = fn.params().size(); j < count; j++) { // a tangent has its parameter's length
            String t = names.get(d.params().get(j)), x = names.get(d.params().get(d.wrt.get(j - fn.params().size())));
            prologueLines.add(fname("check") + "(" + t + ", " + x + ".length, " + quote(d.paramNames().get(j)) + ", "
                    + quote("the length of " + d.fn.params().get(d.wrt.get(j - fn.params().size())).name()) + ");");
            need("check");
        }
        if (gradient && d.forward) {
            sb.append("    /** The value of {@code ").append(fn.name()).append("} and its tangent: {@code {value, tangent}}. */\n");
            sb.append("    public static double[][] ").append(gradName);
        } else if (gradient) {
            List<String> gs = new ArrayList<>();
            for (int k : d.wrt) gs.add("d_" + fn.params().get(k).name());
            sb.append("    /** The gradient of {@code ").append(fn.name()).append("(").append(String.join(", ", argNames)).append(")}: {@code {")
                    .append(String.join(", ", gs)).append("}}. */\n");
            sb.append("    public static double[][] ").append(gradName);
        } else {
            sb.append("    /** The value of {@code ").append(fn.name()).append("(").append(String.join(", ", argNames)).append(")}")
                    .append(d.forward ? "" : ", one element").append(". */\n");
            sb.append("    public static double[] ").append(valueName);
        }
        sb.append("(").append(String.join(", ", args)).append(") {\n");
        methodBody(sb, prologueLines, gradient, results, live);
    }

    /** A method's lines after its signature: the prologue, the statements that the results need, and the return. */
    private void methodBody(StringBuilder sb, List<String> prologueLines, boolean gradient, List<Var> results, Set<Var> live) {
        for (String l : prologueLines) sb.append("        ").append(l).append('\n');
        body = new ArrayList<>();
        this.live = live;
        this.gradient = gradient;
        blankBeforeAdjoint = prologueLines.isEmpty();
        inAdjoint = d.forward; // forward mode interleaves the tangent with the primal: no adjoint program to mark
        size = 0;
        reads = new HashSet<>();
        block(program, "", true);
        if (size > MAX_METHOD_SIZE) {
            throw new Derivation.Unexpressible("the " + (gradient ? "gradient" : "function") + " is too large for one Java method (the JVM allows 64 KB of code in a method)");
        }
        if (!body.isEmpty() && !prologueLines.isEmpty() && !body.get(0)[0].isEmpty()) sb.append('\n');
        Layout.append(sb, body, "        ", 72);
        List<String> returned = new ArrayList<>();
        Set<Var> handedOut = new HashSet<>();
        for (Var r : results) {
            // never hand out an argument, or one array twice (a loop's or a branch's result may be either)
            Set<Var> roots = roots(r, new HashSet<>());
            boolean copy = false;
            for (Var root : roots) copy |= programParams.contains(root) || handedOut.contains(root);
            handedOut.addAll(roots);
            returned.add(names.get(r) + (copy ? ".clone()" : ""));
        }
        if (gradient) sb.append("        return new double[][] {").append(String.join(", ", returned)).append("};\n");
        else sb.append("        return ").append(returned.get(0)).append(";\n");
        sb.append("    }\n\n");
    }

    /**
     * A function the derivation calls, as a private method that returns its results in order
     * ({@link Helpers}): its parameters named after the variables they hold, its statements those
     * its results need.
     */
    private String helperMethod() {
        taken.takeAll(sizes.dims());
        List<String> args = new ArrayList<>();
        for (Var p : helper.params()) {
            String name = fresh(safe(p.name() != null && p.name().matches("[A-Za-z_][A-Za-z0-9_]*") ? p.name() : "r"));
            names.put(p, name);
            args.add("double[] " + name);
        }
        for (String dim : sizes.dims()) args.add("int " + dim); // a helper's sizes are formulas in them, as its caller's
        List<Eqn> eqns = new ArrayList<>();
        equations(program, eqns);
        for (Eqn e : eqns) if (e.out().name() != null) taken.keep(safe(e.out().name()));
        Set<Var> live = Liveness.of(program, helper.results());
        nameVariables(eqns, live);
        nullable();
        for (Eqn e : eqns) if (live.contains(e.out())) code.put(e.out(), statement(e));
        StringBuilder sb = new StringBuilder();
        sb.append("    /** {@code ").append(helper.name()).append("}, a function that {@link #").append(gradName).append("} calls: its ")
                .append(helper.results().size()).append(" result").append(helper.results().size() > 1 ? "s" : "").append(", in order. */\n");
        sb.append("    private static double[][] ").append(d.helperNames().get(helper)).append("(").append(String.join(", ", args)).append(") {\n");
        methodBody(sb, List.of(), true, helper.results(), live);
        return sb.toString();
    }

    /** A call of a helper method: its results in an array of arrays, then each one that is needed under its own name. */
    private void call(Stmt.Call c, String indent) {
        String comment = comment(c);
        List<String> args = new ArrayList<>();
        for (Var x : c.in()) args.add(ref(x));
        args.addAll(sizes.dims());
        String all = temp();
        add(indent + "double[][] " + all + " = " + d.helperNames().get(c.fn()) + "(" + String.join(", ", args) + ");", comment, 12 + 4 * args.size());
        for (int k = 0; k < c.outs().size(); k++) {
            if (live.contains(c.outs().get(k))) add(indent + "double[] " + names.get(c.outs().get(k)) + " = " + all + "[" + k + "];", comment, 8);
        }
    }

    /**
     * The arrays a variable may be at run time: itself, or for another variable's array (a reshape),
     * that one's; for a loop's carried value, its initial value's or any iteration's; for a branch's
     * output, either side's.
     */
    private Set<Var> roots(Var v, Set<Var> visiting) {
        if (v == null || !visiting.add(v)) return Set.of();
        if (aliasOf.containsKey(v)) return roots(aliasOf.get(v), visiting);
        Site site = sites.get(v);
        if (site == null) return Set.of(v);
        Set<Var> out = new HashSet<>();
        if (site.st() instanceof Stmt.Loop l) {
            out.addAll(roots(l.init().get(site.k()), visiting));
            out.addAll(roots(l.results().get(site.k()), visiting));
        } else if (site.st() instanceof Stmt.Cond c) {
            out.addAll(roots(c.thenResults().get(site.k()), visiting));
            out.addAll(roots(c.elseResults().get(site.k()), visiting));
        }
        return out;
    }

    /**
     * The variables that may hold nothing (null) at run time: a branch's output that one side
     * gives no value, and what carries it on. A tape skips them, as the interpreter does.
     */
    private void nullable() {
        int before;
        do {
            before = nullable.size();
            nullable(program);
        } while (nullable.size() != before);
    }

    private void nullable(List<Stmt> stmts) {
        for (Stmt st : stmts) {
            if (st instanceof Stmt.Loop l) {
                nullable(l.body());
                for (int k = 0; k < l.params().size(); k++) {
                    Var init = l.init().get(k), r = l.results().get(k);
                    if (init == null || nullable.contains(init) || r == null || nullable.contains(r)) {
                        nullable.add(l.params().get(k));
                        nullable.add(l.outs().get(k));
                    }
                }
            } else if (st instanceof Stmt.Cond c) {
                nullable(c.then());
                nullable(c.otherwise());
                for (int k = 0; k < c.outs().size(); k++) {
                    Var a = c.thenResults().get(k), b = c.elseResults().get(k);
                    if (a == null || b == null || nullable.contains(a) || nullable.contains(b)) nullable.add(c.outs().get(k));
                }
            }
        }
    }

    // ---- the body: equations, loops and branches -------------------------------------------------------

    /** Writes the statements of a block that the method needs, each line indented by {@code indent}. */
    private void block(List<Stmt> stmts, String indent, boolean top) {
        for (Stmt st : stmts) {
            if (!Liveness.needed(st, live)) continue;
            if (top && gradient && !inAdjoint && Derivation.adjoint(st)) {
                inAdjoint = true;
                if (!body.isEmpty() || blankBeforeAdjoint) body.add(new String[] {"", null});
                body.add(new String[] {"// the adjoint program: each line ends with the line its primal operation came from", null});
            }
            if (st instanceof Eqn e) {
                Line l = code.get(e.out());
                add(indent + l.text(), l.comment(), l.size());
                reads.addAll(l.reads());
            } else if (st instanceof Stmt.Loop l) {
                loop(l, indent);
            } else if (st instanceof Stmt.Cond c) {
                cond(c, indent);
            } else if (st instanceof Stmt.Call c) {
                call(c, indent);
            } else if (st instanceof Stmt.Fail f) { // a check: the message tx run prints (Checks)
                add(indent + "throw new IllegalArgumentException(" + Checks.javaMessage(f, this::ref) + ");", comment(f), 16);
            }
        }
    }

    private void add(String text, String comment, int bytes) {
        body.add(new String[] {text, comment});
        size += bytes;
    }

    private static String comment(Stmt st) {
        return st.origin().line() > 0 ? "// line " + st.origin().line() : null;
    }

    /**
     * A loop. Its carried values are locals assigned before it and, all at once, at the end of each
     * iteration; its outputs are those locals after it. A tape (the values the reversed loop reads
     * back) is an array of one row per iteration, the row of iteration i filled in at its end. A
     * reversed loop counts its index down. The index is an int; where the body uses it as a tensor,
     * it is also a one-element array.
     */
    private void loop(Stmt.Loop l, String indent) {
        String comment = comment(l);
        List<Integer> kept = new ArrayList<>(), tapes = new ArrayList<>();
        for (int k = 0; k < l.params().size(); k++) if (live.contains(l.outs().get(k))) kept.add(k);
        for (int j = 0; j < l.tapes().size(); j++) if (live.contains(l.tapes().get(j))) tapes.add(j);
        for (int k : kept) {
            Var init = l.init().get(k);
            add(indent + "double[] " + names.get(l.params().get(k)) + " = " + (init == null ? "null" : ref(init)) + ";", comment, 4);
        }
        for (int j : tapes) {
            Var t = l.tapes().get(j);
            add(indent + "double[] " + names.get(t) + " = new double[" + factors(d.shape(t), false) + "];", comment, 8); // a while's: 0, then grown
        }
        String i = counters.get(l.index());
        if (l.isWhile()) { // a counter before it, counting the iterations; the head and the condition start each one
            add(indent + "int " + i + " = 0;", comment, 4);
            add(indent + "for (;; " + i + "++) {", comment, 12);
            block(l.runTime().head(), indent + "    ", false);
            add(indent + "    if (" + ref(l.runTime().cond()) + "[0] == 0.0) break;", comment, 12);
        } else if (l.runTime() != null) { // a while's reversal: from its trip count down
            add(indent + "for (int " + i + " = (int) " + ref(l.runTime().count()) + "[0] - 1; " + i + " >= 0; " + i + "--) {", comment, 16);
        }
        Sizes.Lin count = l.runTime() != null ? null : d.size(s -> ((Stmt.Loop) d.inSample(l, s)).count(), "a loop's trip count");
        if (l.runTime() != null) {
            // the header is written
        } else if (!l.reverse()) {
            add(indent + "for (int " + i + " = 0; " + i + " < " + sizes.show(count) + "; " + i + "++) {", comment, 12);
        } else {
            Sizes.Lin last = d.size(s -> ((Stmt.Loop) d.inSample(l, s)).count() - 1, "a loop's trip count");
            add(indent + "for (int " + i + " = " + sizes.show(last) + "; " + i + " >= 0; " + i + "--) {", comment, 12);
        }
        int start = body.size();
        String inner = indent + "    ";
        block(l.body(), inner, false);
        for (int j : tapes) {
            Var v = l.stacked().get(j);
            String tape = names.get(l.tapes().get(j));
            if (l.isWhile()) { // a tape that grows: its room doubles when a row does not fit
                String row = factors(d.shape(v), true); // from its shape: a value of a branch not taken is null
                add(inner + "if ((" + i + " + 1) * " + row + " > " + tape + ".length) " + tape + " = java.util.Arrays.copyOf(" + tape
                        + ", Math.max(2 * " + tape + ".length, (" + i + " + 1) * " + row + "));", comment, 24);
            }
            String copy = call("setRow", tape, i, ref(v)) + ";";
            add(inner + (nullable.contains(v) ? "if (" + ref(v) + " != null) " + copy : copy), comment, 12);
        }
        // the new values, all at once: one that is a carried value assigned before it here is saved first
        List<Integer> assigned = new ArrayList<>();
        for (int k : kept) if (!l.results().get(k).equals(l.params().get(k))) assigned.add(k);
        Map<Integer, String> saved = new HashMap<>();
        for (int a = 0; a < assigned.size(); a++) {
            int k = assigned.get(a), j = l.params().indexOf(l.results().get(k));
            if (j < 0 || !assigned.subList(0, a).contains(j)) continue;
            String t = swaps.computeIfAbsent(l.params().get(k), x -> temp());
            add(inner + "double[] " + t + " = " + ref(l.results().get(k)) + ";", comment, 4);
            saved.put(k, t);
        }
        for (int k : assigned) {
            String value = saved.containsKey(k) ? saved.get(k) : ref(l.results().get(k));
            add(inner + names.get(l.params().get(k)) + " = " + value + ";", comment, 4);
        }
        if (reads.contains(l.index())) body.add(start, new String[] {inner + "double[] " + names.get(l.index()) + " = {" + i + "};", comment});
        body.add(new String[] {indent + "}", null});
        for (int j : l.isWhile() ? tapes : List.<Integer>of()) { // the tape trimmed to its rows, whose number its length tells (see shape)
            String tape = names.get(l.tapes().get(j));
            Sizes.Lin[] row = d.shape(l.stacked().get(j));
            add(indent + tape + " = java.util.Arrays.copyOf(" + tape + ", " + i + (row.length == 0 ? "" : " * " + factors(row, true)) + ");", comment, 12);
        }
        if (l.isWhile() && names.containsKey(l.runTime().trips())) add(indent + "double[] " + names.get(l.runTime().trips()) + " = {" + i + "};", comment, 8);
    }

    /**
     * A branch: its outputs are declared before it and assigned on each side. A side that gives no
     * value for an output (the other side's value, kept for its adjoint) leaves it null, and nothing
     * reads it then.
     */
    private void cond(Stmt.Cond c, String indent) {
        String comment = comment(c);
        if (Checks.isCheck(c)) { // nothing on the side that holds
            add(indent + "if (" + ref(c.cond()) + "[0] == 0.0) {", comment, 12);
            block(c.otherwise(), indent + "    ", false);
            body.add(new String[] {indent + "}", null});
            return;
        }
        List<Integer> kept = new ArrayList<>();
        for (int k = 0; k < c.outs().size(); k++) if (live.contains(c.outs().get(k))) kept.add(k);
        for (int k : kept) add(indent + "double[] " + names.get(c.outs().get(k)) + ";", comment, 2);
        add(indent + "if (" + ref(c.cond()) + "[0] != 0.0) {", comment, 12);
        for (int side = 0; side < 2; side++) {
            String inner = indent + "    ";
            block(side == 0 ? c.then() : c.otherwise(), inner, false);
            List<Var> results = side == 0 ? c.thenResults() : c.elseResults();
            for (int k : kept) {
                Var r = results.get(k);
                String none = (comment == null ? "// " : comment + ": ") + "no value on this side";
                add(inner + names.get(c.outs().get(k)) + " = " + (r == null ? "null" : ref(r)) + ";", r == null ? none : comment, 4);
            }
            body.add(new String[] {indent + (side == 0 ? "} else {" : "}"), null});
        }
    }

    /**
     * A while's tape has as many rows as the while ran: its first dimension, 0 in the IR's static
     * shape, is its length over a row's (the tape is trimmed to its rows after the loop).
     */
    @Override String shape(Var v) {
        Sizes.Lin[] s = d.shape(v);
        if (v.rank() == 0 || v.shapeRef()[0] != 0) return super.shape(v);
        Sizes.Lin[] row = java.util.Arrays.copyOfRange(s, 1, s.length);
        List<String> parts = new ArrayList<>();
        parts.add(ref(v) + ".length" + (row.length == 0 ? "" : " / " + factors(row, true)));
        for (Sizes.Lin f : row) parts.add(sizes.show(f));
        return "new int[] {" + String.join(", ", parts) + "}";
    }

    /** The product of a shape's sizes as a formula, {@code 50 * 3}, {@code n * 4}; a sum or difference in brackets where it is a factor. */
    private String factors(Sizes.Lin[] shape, boolean factor) {
        List<Sizes.Lin> parts = new ArrayList<>();
        for (Sizes.Lin f : shape) if (!(f.constant() && f.c() == 1)) parts.add(f);
        if (parts.isEmpty()) return "1";
        List<String> out = new ArrayList<>();
        for (Sizes.Lin f : parts) {
            String s = sizes.show(f);
            out.add((parts.size() > 1 || factor) && (Sizes.compound(f) || f.k() < 0) ? "(" + s + ")" : s);
        }
        return String.join(" * ", out);
    }

    // ---- names ---------------------------------------------------------------------------------------

    /** The equations of a block, nested ones included, in order. */
    private static void equations(List<Stmt> stmts, List<Eqn> out) {
        for (Stmt st : stmts) {
            if (st instanceof Eqn e) out.add(e);
            else if (st instanceof Stmt.Loop l) {
                if (l.runTime() != null) equations(l.runTime().head(), out);
                equations(l.body(), out);
            }
            else if (st instanceof Stmt.Cond c) {
                equations(c.then(), out);
                equations(c.otherwise(), out);
            }
        }
    }

    /**
     * Every equation's variable gets a name: a gradient {@code d_<param>}, the user's variable the
     * name of it (the last equation of that name on a source line), anything else a temporary. A
     * loop's carried value (and its output) is named after the variable, a tape {@code <name>_tape},
     * the index after the loop's variable; a branch's output after the variable. Names are given in
     * the order of the program, nested blocks included.
     */
    private void nameVariables(List<Eqn> eqns, Set<Var> live) {
        Set<Var> defined = new HashSet<>();
        for (Eqn e : eqns) defined.add(e.out());
        calls(program, defined);
        for (int i = 0; i < d.outputs().size(); i++) {
            Var g = d.outputs().get(i);
            if (defined.contains(g) && !names.containsKey(g)) names.put(g, fresh(d.outputNames().get(i)));
        }
        Map<String, Eqn> lastOfName = new HashMap<>();
        for (Eqn e : eqns) if (e.out().name() != null) lastOfName.put(key(e), e);
        nameBlock(program, lastOfName, live);
    }

    /** The outputs of the calls of a block, nested ones included. */
    private static void calls(List<Stmt> stmts, Set<Var> out) {
        for (Stmt st : stmts) {
            if (st instanceof Stmt.Call c) out.addAll(c.outs());
            else if (st instanceof Stmt.Loop l) calls(l.body(), out);
            else if (st instanceof Stmt.Cond c) {
                calls(c.then(), out);
                calls(c.otherwise(), out);
            }
        }
    }

    private void nameBlock(List<Stmt> stmts, Map<String, Eqn> lastOfName, Set<Var> live) {
        for (Stmt st : stmts) {
            if (st instanceof Eqn e) {
                if (names.containsKey(e.out())) continue;
                boolean named = e.out().name() != null && lastOfName.get(key(e)) == e;
                if (named) names.put(e.out(), fresh(safe(e.out().name())));
                else if (e.out().equals(d.value())) names.put(e.out(), fresh("value"));
                else names.put(e.out(), temp());
            } else if (st instanceof Stmt.Loop l) {
                for (int k = 0; k < l.params().size(); k++) {
                    Var p = l.params().get(k), o = l.outs().get(k);
                    sites.put(p, new Site(l, k));
                    sites.put(o, new Site(l, k));
                    if (!live.contains(o)) continue;
                    String name = fresh(safe(p.name() != null ? p.name() : "c"));
                    names.put(p, name);
                    names.put(o, name);
                }
                for (Var t : l.tapes()) if (live.contains(t)) names.put(t, fresh((t.name() != null ? t.name() : "value") + "_tape"));
                String index = l.index().name() != null && !l.index().name().startsWith("__") ? l.index().name() : "i";
                counters.put(l.index(), fresh(safe(index)));
                if (l.runTime() != null) {
                    nameBlock(l.runTime().head(), lastOfName, live);
                    if (l.runTime().trips() != null && live.contains(l.runTime().trips())) names.put(l.runTime().trips(), fresh("trips"));
                }
                nameBlock(l.body(), lastOfName, live);
            } else if (st instanceof Stmt.Call c) {
                for (Var o : c.outs()) if (live.contains(o) && !names.containsKey(o)) names.put(o, o.name() != null ? fresh(safe(o.name())) : temp());
            } else if (st instanceof Stmt.Cond c) {
                for (int k = 0; k < c.outs().size(); k++) {
                    Var o = c.outs().get(k);
                    sites.put(o, new Site(c, k));
                    if (live.contains(o)) names.put(o, o.name() != null ? fresh(safe(o.name())) : temp());
                }
                nameBlock(c.then(), lastOfName, live);
                nameBlock(c.otherwise(), lastOfName, live);
            }
        }
    }

    private static String key(Eqn e) {
        return e.out().name() + "@" + e.origin().line() + (e.origin().adjoint() ? "'" : "");
    }

    @Override String fresh(String base) {
        return taken.fresh(base);
    }

    private String temp() {
        return taken.temp();
    }

    private static String safe(String name) {
        return RESERVED.contains(name) ? name + "_" : name;
    }

    /** {@code loss} -> {@code Loss}, {@code d2g_dx2} -> {@code D2gDx2}. */
    static String camel(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("_")) {
            if (part.isEmpty()) continue;
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.length() == 0 ? "Fn" : sb.toString();
    }

    static String quote(String s) {
        return Escapes.javaString(s);
    }

    static String declared(Ast.Param p) {
        List<String> parts = new ArrayList<>();
        for (Ast.Dim dim : p.shape()) parts.add(dim.name() != null ? dim.name() : Integer.toString(dim.size()));
        return "[" + String.join(", ", parts) + "]";
    }
}
