package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.GradState;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/** Expressions: names, operators, indexing and attributes. Calls go to {@link Builtins}. */
final class Exprs {
    private final Lowerer l;
    private final Builder b;

    Exprs(Lowerer l) {
        this.l = l;
        this.b = l.b;
    }

    /** Lowers an expression; the equations it builds remember its source range (for run-time messages). */
    Val expr(Ast.Expr e) {
        if (e instanceof Ast.Num || e instanceof Ast.Name || e instanceof Ast.Str || e instanceof Ast.Bool) return lower(e);
        var old = b.at(e.span().origin());
        int depth = b.depth();
        try {
            return lower(e);
        } catch (tx.runtime.tensor.Shapes.RunTimeSize x) { // a rule that counts elements met a size known only at run time
            b.closeTo(depth);
            return RunTimeSizes.refused(l, e.span(), "this use");
        } finally {
            b.at(old);
        }
    }

    private Val lower(Ast.Expr e) {
        if (e instanceof Ast.Num n) return Double.isInfinite(n.value()) ? new Val.Bad() : new Val.Num(n.value(), literalType(n.text())); // E0002 was reported
        if (e instanceof Ast.Str s) return new Val.Str(s.value());
        if (e instanceof Ast.FString f) return new Formatting(l).fstring(f);
        if (e instanceof Ast.Bool x) return new Val.Bool(x.value());
        if (e instanceof Ast.NoneLit) return new Val.None("None");
        if (e instanceof Ast.Name n) return lookup(n.name(), n.span());
        if (e instanceof Ast.Neg n) return negate(expr(n.operand()), n);
        if (e instanceof Ast.Invert n) return new Bitwise(l).invert(expr(n.operand()), n.operand().span());
        if (e instanceof Ast.Binary x) {
            Val left = expr(x.left());
            if (x.op().equals("%") && left instanceof Val.Str s) return new PercentFormat(l).format(s.value(), x); // 'loss %.4f' % loss
            return binary(x.op(), left, expr(x.right()), x.left().span(), x.right().span(), x.span());
        }
        if (e instanceof Ast.Chain c) return chain(c);
        if (e instanceof Ast.Not n) return new Logic(l).not(n);
        if (e instanceof Ast.Is x) return new Logic(l).is(x);
        if (e instanceof Ast.Logic x) return new Logic(l).logic(x);
        if (e instanceof Ast.IfExpr x) return new Logic(l).conditional(x);
        if (e instanceof Ast.Lambda x) return l.functions.closures.lambda(x);
        if (e instanceof Ast.DictLit d) return new Dicts(l).literal(d);
        if (e instanceof Ast.DictComp d) return new Dicts(l).comprehension(d);
        if (e instanceof Ast.ListComp c) return l.listComps.expr(c);
        if (e instanceof Ast.TupleLit t) return l.sequences.tuple(t);
        if (e instanceof Ast.Call call && Unpacking.applies(call)) { // f(*xs)
            List<String> hidden = new ArrayList<>();
            Ast.Call expanded = Unpacking.expand(l, call, hidden);
            try {
                return expanded == null ? new Val.Bad() : lower(expanded);
            } finally {
                for (String h : hidden) l.state.names.remove(h);
            }
        }
        if (e instanceof Ast.Call call) {
            Ast.Call c = l.builtins.unprefixed(call); // torch.tanh(x) is tanh(x)
            if (c == null) {
                for (Ast.Arg arg : call.args()) expr(arg.value());
                return new Val.Bad();
            }
            if (ListComps.applies(c)) return l.listComps.call(call, c); // sum(f(x) for x in xs)
            if (l.listComps.isTuple(c)) return l.listComps.tuple(c);
            Val appended = l.listComps.append(c); // a comprehension's item
            if (appended != null) return appended;
            if (l.growing.applies(c)) return l.growing.call(c); // xs.append(v)
            if (l.growing.history.appliesLen(c)) return l.growing.history.len(c); // len(losses) in the loop that appends to it
            if (Ranges.applies(l, c)) return new Ranges(l).call(c); // r = range(5), list(range(3))
            if (ZipValues.applies(l, c)) return new ZipValues(l).call(c); // list(zip(xs, ys))
            Val v = l.autograd.call(c);
            return v != null ? v : l.builtins.call(c);
        }
        if (e instanceof Ast.Index i) return index(i);
        if (e instanceof Ast.Attr a) return attribute(a);
        if (e instanceof Ast.ListLit list) {
            List<Val> items = new ArrayList<>();
            List<Span> spans = new ArrayList<>();
            for (Ast.Expr x : list.items()) {
                items.add(expr(x));
                spans.add(x.span());
            }
            return new Val.ListV(items, spans);
        }
        return new Val.Bad();
    }

    /** A literal without a point or an exponent is a Python int (LANGUAGE.md §2). */
    private static Val.PyType literalType(String text) {
        return text.contains(".") || text.contains("e") || text.contains("E") ? Val.PyType.FLOAT : Val.PyType.INT;
    }

    Val lookup(String name, Span span) {
        Val v = l.state.names.get(name);
        Span maybe = l.state.maybeUnassigned.get(name);
        String stale = l.state.staleViews.remove(name);
        if (stale != null) {
            l.diags.warning("W0402", span, stale + "; it holds the values from before the change",
                    "in PyTorch a slice is a view and shows the change; tx copies slices. Index again after the change\n"
                            + "for the new values, or take `.clone()` of the slice to say that the old ones are meant");
        }
        if (v != null && l.state.sizedAfterLoop.get(name) == v) return RunTimeSizes.refused(l, span, "`" + name + "`, read after the loop that made it,");
        if (v instanceof Val.Growing) return GrowingLists.readInside(l, name, span);
        if (v != null && maybe == null) return v;
        if (v == null && maybe == null && l.state.unboundLocals.containsKey(name)) return Globals.unboundLocal(l, name, span);
        if (v == null && maybe == null && l.functions.has(name)) return new Val.Fn(new Val.UserFn(l.functions.definitions.resolve(name)));
        if (v == null && maybe == null && CONSTANTS.containsKey(name)) return new Val.Num(CONSTANTS.get(name));
        if (v == null && maybe == null && DType.named(name) != null) return new Val.DTypeV(DType.named(name));
        if (v == null && maybe == null && l.builtins.known(name) && !Functions.isTransform(name)) return new Val.Fn(new Val.BuiltinFn(name)); // act = tanh
        if (v == null && maybe == null && l.functions.globalBeforeAssignment(name, span)) return new Val.Bad();
        if (maybe != null) {
            l.diags.error("E0102", span, "`" + name + "` may be used before it is assigned",
                    "it is assigned only on some paths through the block at line " + maybe.line() + "; assign it before that block too");
            return new Val.Bad();
        }
        if (l.diags.broken(name)) return new Val.Bad(); // assigned by a statement with a syntax error, reported there
        String help = l.builtins.has(name) ? "`" + name + "` is a built-in function; call it, e.g. `" + name + "(x)`" : suggestion(name);
        l.diags.error("E0101", span, "unknown name `" + name + "`", help);
        return new Val.Bad();
    }

    /** The named constants (LANGUAGE.md §2), also as {@code math.NAME} and {@code torch.NAME}; a name the program assigns hides them. */
    private static final java.util.Map<String, Double> CONSTANTS = java.util.Map.of(
            "inf", Double.POSITIVE_INFINITY, "nan", Double.NaN, "pi", Math.PI, "e", Math.E);

    private String suggestion(String name) {
        String best = closest(name, l.state.names.keySet());
        return best == null ? null : "did you mean `" + best + "`?";
    }

    /**
     * The candidate closest to a misspelt name, if it is close enough to be a likely typo: at most
     * one edit for names of up to four letters, two beyond.
     */
    static String closest(String name, java.util.Collection<String> candidates) {
        String best = null;
        int bestD = name.length() <= 4 ? 2 : 3;
        for (String n : candidates) {
            int d = editDistance(name, n);
            if (d < bestD && d < n.length()) {
                bestD = d;
                best = n;
            }
        }
        return best;
    }

    /** Edit distance in which swapping two neighbouring letters is one edit (gard -> grad). */
    static int editDistance(String a, String c) {
        int[][] d = new int[a.length() + 1][c.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= c.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= c.length(); j++) {
                int cost = a.charAt(i - 1) == c.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == c.charAt(j - 2) && a.charAt(i - 2) == c.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][c.length()];
    }

    // ---- conversions ---------------------------------------------------------------------------------

    /** The value as a tensor, or null after reporting why it is not one. Numbers become scalar constants. */
    T tensor(Val v, Span span, String role) {
        if (l.backwardFailed && (v instanceof Val.None || (v instanceof T mt && mt.maybeNone()))) return null;
        if (v instanceof T t) {
            if (t.maybeNone()) {
                l.diags.error("E0303", span, "this gradient may be None here: " + role + " needs a tensor",
                        "a `.grad` is None until a `backward` reaches its leaf, and after `zero_grad`;\nmake sure a backward runs on every path before this line");
                return null;
            }
            return t;
        }
        if (v instanceof Val.Num n) return constant(n.value(), dtypeOf(n.py()));
        if (v instanceof Val.Bool x) return constant(x.value() ? 1 : 0, DType.BOOL);
        if (v instanceof Val.Bad) return null;
        if (v instanceof Val.None none) {
            l.diags.error("E0303", span, "this is None, but " + role + " needs a tensor", none.why());
            return null;
        }
        l.diags.error("E0401", span, role + " needs a tensor, found " + v.describe(), null);
        return null;
    }

    T constant(double value) {
        return new T(b.scalar(value), false, -1, null, false, false);
    }

    /** A scalar constant of a dtype (a Python int in arithmetic with tensors is an int64 scalar, as in PyTorch). */
    T constant(double value, DType dtype) {
        return new T(b.scalar(value, dtype), false, -1, null, false, false);
    }

    /** The dtype a Python scalar of type py takes part in tensor arithmetic as. */
    static DType dtypeOf(Val.PyType py) {
        return switch (py) {
            case BOOL -> DType.BOOL;
            case INT -> DType.INT64;
            case FLOAT -> DType.FLOAT64;
        };
    }

    /** Wraps a freshly built variable: it requires grad iff the graph says so, and prints with gradFn. */
    T result(Var v, String gradFn) {
        l.gradValues.names.made(v, gradFn); // for the grad_fn of a gradient that goes through it (create_graph=True)
        return new T(v, l.graph.requiresGrad(v), l.graph.leafOf(v), gradFn, false, false);
    }

    // ---- operators -----------------------------------------------------------------------------------

    private Val negate(Val v, Ast.Neg n) {
        if (v instanceof Val.Num x) return new Val.Num(-x.value(), x.py() == Val.PyType.BOOL ? Val.PyType.INT : x.py());
        T t = tensor(v, n.operand().span(), "`-`");
        if (t != null && t.item() && t.dtype() == DType.BOOL) return T.scalar(b.neg(b.emit(Prim.CAST, DType.INT64, t.var())), Val.PyType.INT); // -True is -1
        if (t != null && t.item()) return T.scalar(b.neg(t.var()), t.py() == Val.PyType.BOOL ? Val.PyType.INT : t.py());
        if (t != null && t.dtype() == DType.BOOL) {
            l.diags.error("E0220", n.span(), "`-` of a bool tensor: PyTorch does not negate bools",
                    "to invert a mask use `logical_not(mask)`");
            return new Val.Bad();
        }
        return t == null ? new Val.Bad() : result(b.neg(t.var()), "NegBackward0");
    }

    /**
     * {@code x.shape == (2, 3)}: a torch.Size equals a tuple or a Size of the same whole numbers, as
     * Python compares tuples (a list is never equal: torch.Size is a tuple). Null where a size is
     * known only at run time, or neither side is a shape.
     */
    private static Boolean shapeEquals(Val left, Val right) {
        if (!(left instanceof Val.Shape) && !(right instanceof Val.Shape)) return null;
        double[] a = sizesOf(left), c = sizesOf(right);
        if (a == null || c == null) return left instanceof Val.ListV || right instanceof Val.ListV ? Boolean.FALSE : null;
        return java.util.Arrays.equals(a, c);
    }

    /** A shape's sizes, or a tuple's numbers; null for anything else (a list, a symbolic size, ...). */
    private static double[] sizesOf(Val v) {
        if (v instanceof Val.Shape sh) {
            if (Shapes.symbolic(sh.dims())) return null;
            double[] out = new double[sh.dims().length];
            for (int i = 0; i < out.length; i++) out[i] = sh.dims()[i];
            return out;
        }
        if (!(v instanceof Val.ListV t) || !t.tuple()) return null;
        double[] out = new double[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items().get(i) instanceof Val.Num n)) return null;
            out[i] = n.value();
        }
        return out;
    }

    /** Folds arithmetic on compile-time numbers. */
    Val fold(String op, Val left, Val right, Span span) {
        if (op.equals("==") || op.equals("!=")) {
            Boolean same = shapeEquals(left, right);
            if (same != null) return new Val.Num(same == op.equals("==") ? 1 : 0, Val.PyType.BOOL);
        }
        if (left instanceof Val.DTypeV a && right instanceof Val.DTypeV c && (op.equals("==") || op.equals("!="))) {
            return new Val.Num((a.dtype() == c.dtype()) == op.equals("==") ? 1 : 0, Val.PyType.BOOL);
        }
        if (left instanceof Val.Num a && right instanceof Val.Num c && (op.equals("//") || op.equals("%") || op.equals("/")) && c.value() == 0) {
            l.diags.error("E0401", span, "`" + op + "` by zero (Python raises ZeroDivisionError)",
                    "between tensors it gives inf or nan, as in PyTorch: `tensor(1.0) " + op + " 0`");
            return new Val.Bad();
        }
        if (left instanceof Val.Num a && right instanceof Val.Num c && op.equals("**") && a.value() == 0 && c.value() < 0) {
            l.diags.error("E0401", span, "zero to a negative power (Python raises ZeroDivisionError)",
                    "between tensors it gives inf, as in PyTorch: `tensor(0.0) ** -1`");
            return new Val.Bad();
        }
        if (left instanceof Val.Num a && right instanceof Val.Num c) {
            double x = a.value(), y = c.value();
            Val.PyType py = op.equals("**") && y < 0 ? Val.PyType.FLOAT : Val.PyType.of(op, a.py(), c.py());
            return new Val.Num(switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "/" -> x / y;
                case "**" -> Math.pow(x, y);
                case "//" -> tx.runtime.ir.PrimSupport.floorDivide(x, y);
                case "%" -> tx.runtime.ir.PrimSupport.remainder(x, y);
                case "<" -> x < y ? 1 : 0;
                case "<=" -> x <= y ? 1 : 0;
                case ">" -> x > y ? 1 : 0;
                case ">=" -> x >= y ? 1 : 0;
                case "==" -> x == y ? 1 : 0;
                case "!=" -> x != y ? 1 : 0;
                default -> Double.NaN;
            }, py);
        }
        if (!(left instanceof Val.Bad) && !(right instanceof Val.Bad)) {
            l.diags.error("E0401", span, "`" + op + "` cannot combine " + left.describe() + " and " + right.describe(), null);
        }
        return new Val.Bad();
    }

    /** {@code k in xs}, {@code k not in xs}: of a dict's keys, or the items of a list, a tuple, a set or a string (see Sets). */
    private Val membership(String op, Val left, Val right, Span ls, Span rs) {
        if (right instanceof Val.DictV d) return new Dicts(l).contains(left, d, ls, op.equals("not in"));
        Val found = Sets.contains(l, left, right, ls, rs, op.equals("not in")); // a list, a tuple, a set, a string
        if (found != null) return found;
        l.diags.error("E0401", rs, "`" + op + "` takes a dict, a list, a tuple, a set or a string on its right in tx, found " + right.describe(),
                right instanceof T ? "for a tensor's values, compare: `(x == v).any()`" : null);
        return new Val.Bad();
    }

    Val binary(String op, Val left, Val right, Span ls, Span rs, Span span) {
        if (left instanceof Val.Bad || right instanceof Val.Bad) return new Val.Bad();
        if (op.equals("in") || op.equals("not in")) return membership(op, left, right, ls, rs);
        if (left instanceof Val.Bool x) left = new Val.Num(x.value() ? 1 : 0, Val.PyType.BOOL); // True + 1 is 2, as in Python
        if (right instanceof Val.Bool x) right = new Val.Num(x.value() ? 1 : 0, Val.PyType.BOOL);
        if (left instanceof Val.Str || right instanceof Val.Str) return Strings.binary(l, op, left, right, span);
        if (SetOps.applies(op, left, right)) return new SetOps(l).binary(op, left, right, span); // a | b of sets, xs == ys
        if (ListOps.applies(op, left, right)) return new ListOps(l).binary(op, left, right, ls, rs, span); // xs + ys, [0.0] * n
        if (Bitwise.OPS.containsKey(op)) return new Bitwise(l).binary(op, left, right, ls, rs, span);
        if (left instanceof Val.Num && right instanceof Val.Num && !op.equals("@")) return fold(op, left, right, span);
        if (left instanceof Val.DTypeV || right instanceof Val.DTypeV) return fold(op, left, right, span);
        if ((op.equals("==") || op.equals("!=")) && shapeEquals(left, right) != null) return fold(op, left, right, span); // x.shape == (2, 3)
        if (op.equals("@")) return l.builtins.matmul(left, right, ls, rs, span);
        T a = operand(left, right, ls, op), c = operand(right, left, rs, op);
        if (a == null || c == null) return new Val.Bad();
        if (SizeAgreement.needsCheck(a.shape(), c.shape())) { // sizes known only at run time, checked when it runs
            T[] agreed = SizeAgreement.agree(l, span, a, c);
            if (agreed != null) {
                a = agreed[0];
                c = agreed[1];
            }
        }
        if (Shapes.broadcast(a.shape(), c.shape()) == null) {
            l.diags.error("E0201", span, "shapes " + Shapes.show(a.shape()) + " and " + Shapes.show(c.shape()) + " do not broadcast for `" + op + "`",
                    "trailing dimensions must be equal or 1 (NumPy broadcasting)");
            return new Val.Bad();
        }
        if (op.equals("//")) return floorDivide(a, c, left, right, span);
        if (isFloat(left) && isFloat(right)) { // Python's arithmetic on bools is an int's: True + True is 2
            if (a.dtype() == DType.BOOL) a = a.withVar(b.emit(Prim.CAST, DType.INT64, a.var()));
            if (c.dtype() == DType.BOOL) c = c.withVar(b.emit(Prim.CAST, DType.INT64, c.var()));
        }
        if (op.equals("**") && !isFloat(left) && !a.dtype().isFloat() && !c.dtype().isFloat() && right instanceof Val.Num n && n.value() < 0) {
            l.diags.error("E0220", span, "an integer tensor to a negative integer power: PyTorch does not allow it (\"Integers to negative integer powers are not allowed\")",
                    "write the exponent as a float (`x ** -1.0`) for a float64 result");
            return new Val.Bad();
        }
        if (a.dtype() == DType.BOOL && c.dtype() == DType.BOOL && (op.equals("-") || op.equals("**") || op.equals("%"))) {
            l.diags.error("E0220", span, "`" + op + "` of two bool tensors: PyTorch does not " + (op.equals("-") ? "subtract" : "compute this for") + " bools",
                    op.equals("-") ? "for a mask difference use `logical_xor(a, b)`" : "convert one first, e.g. `a.long()`");
            return new Val.Bad();
        }
        Prim p = switch (op) {
            case "+" -> Prim.ADD;
            case "-" -> Prim.SUB;
            case "*" -> Prim.MUL;
            case "/" -> Prim.DIV;
            case "%" -> Prim.REMAINDER;
            case "**" -> Prim.POW;
            case "<" -> Prim.LT;
            case "<=" -> Prim.LE;
            case ">" -> Prim.GT;
            case ">=" -> Prim.GE;
            case "==" -> Prim.EQ;
            default -> Prim.NE;
        };
        Var v = b.emit(p, null, a.var(), c.var());
        if (p == Prim.MUL || p == Prim.DIV) l.graph.writtenArithmetic(v); // PyTorch saves its operands (retain_graph)
        // NOTE: bools add as a logical or (True + True is True in PyTorch), so a sum of two bools is made a bool again
        if (p == Prim.ADD && v.dtype() == DType.BOOL) v = b.emit(Prim.CAST, DType.BOOL, v);
        T r = result(v, gradFnOf(op, left, right));
        return isFloat(left) && isFloat(right) ? T.scalar(r.var(), pyType(op, left, right)) : r;
    }

    /**
     * {@code a < b < c} is {@code a < b and b < c}, each operand evaluated once, as in Python. A
     * comparison gives 0 or 1, so for one-element values {@code and} is their product. NOTE: Python's
     * {@code and} needs a truth value, which a tensor of several elements does not have (PyTorch raises
     * at run time); tx refuses it at compile time.
     */
    private Val chain(Ast.Chain c) {
        List<Ast.Expr> xs = c.operands();
        List<Val> vals = new ArrayList<>();
        for (Ast.Expr x : xs) vals.add(expr(x));
        Val all = null;
        for (int i = 0; i < c.ops().size(); i++) {
            Span ls = xs.get(i).span(), rs = xs.get(i + 1).span();
            Val r = binary(c.ops().get(i), vals.get(i), vals.get(i + 1), ls, rs, ls.to(rs));
            if (r instanceof Val.Bad) return r;
            if (r instanceof T t && Shapes.numel(t.shape()) != 1) {
                l.diags.error("E0401", ls.to(rs), "a chained comparison means `and`, which needs one-element operands; `"
                        + c.ops().get(i) + "` here gives a tensor of shape " + Shapes.show(t.shape()),
                        "compare elementwise and combine the masks: `(a < b) * (b < c)`");
                return new Val.Bad();
            }
            all = all == null ? r : binary("*", all, r, c.span(), ls.to(rs), c.span());
        }
        if (all instanceof Val.Num n) return new Val.Num(n.value(), Val.PyType.BOOL); // Python's `and` of two bools is a bool
        if (all instanceof T t && t.item()) return T.scalar(t.var(), Val.PyType.BOOL);
        return all;
    }

    /**
     * {@code a // b} on tensors: Python's and torch.floor_divide's floor division (floor rounding
     * since 1.13), {@link Prim#floorDivide}.
     * NOTE: PyTorch has no derivative for it (its grad_fn is NotImplemented, and a backward through
     * it raises); here the result requires grad as there, and a backward or transform that reaches
     * it is E0306 before anything runs.
     */
    private Val floorDivide(T a, T c, Val left, Val right, Span span) {
        Var q = b.emit(Prim.FLOOR_DIVIDE, null, a.var(), c.var());
        T r = result(q, "NotImplemented");
        if (isFloat(left) && isFloat(right)) return T.scalar(r.var(), pyType("//", left, right));
        if (r.rg()) l.graph.markBarrier(q, "`//` at line " + span.line() + ", which has no derivative",
                "PyTorch cannot differentiate floor division either (\"derivative for aten::floor_divide is not implemented\");\n"
                        + "detach its operands, or write `floor(a / b)` if a zero gradient is what you want");
        return r;
    }

    /**
     * An operand of {@code op} as a tensor. NOTE: a number with a float64 tensor is a float64 constant
     * whatever its Python type, since the result is float64 either way (PyTorch's promotion): so
     * {@code 1 - s} and a derivative rule's {@code 1 - s} are one expression to the simplifier.
     */
    private T operand(Val v, Val other, Span span, String op) {
        if (v instanceof Val.Num n && other instanceof T t && t.dtype().isFloat()) return constant(n.value());
        return tensor(v, span, "`" + op + "`");
    }

    /**
     * Whether v is a Python number: known now, or a scalar known only at run time ({@code x.item()},
     * a loop's counter). Python scalars combine into Python scalars, which print as such.
     */
    static boolean isFloat(Val v) {
        return v instanceof Val.Num || (v instanceof T t && t.item());
    }

    /**
     * The Python type of {@code left op right} on Python scalars. NOTE: {@code int ** int} is an
     * int only for an exponent known to be at least 0; with one known only at run time it is taken
     * as a float (Python gives a float for a negative one).
     */
    private static Val.PyType pyType(String op, Val left, Val right) {
        Val.PyType a = left instanceof Val.Num n ? n.py() : ((T) left).py(), c = right instanceof Val.Num n ? n.py() : ((T) right).py();
        if (op.equals("**") && !(right instanceof Val.Num n && n.value() >= 0)) return Val.PyType.FLOAT;
        return Val.PyType.of(op, a, c);
    }

    /** PyTorch's names: a number on the left of - is Rsub, of / is a Mul by the reciprocal. */
    /** PyTorch's node for {@code left op right}: a Python number, known now or only when the program runs (a loop's counter, {@code .item()}), is a Scalar operand. */
    private static String gradFnOf(String op, Val left, Val right) {
        boolean numLeft = isFloat(left), numRight = isFloat(right);
        return switch (op) {
            case "+" -> "AddBackward0";
            case "-" -> numLeft ? "RsubBackward1" : "SubBackward0";
            case "*" -> "MulBackward0";
            case "/" -> numLeft ? "MulBackward0" : "DivBackward0";
            case "**" -> numRight ? "PowBackward0" : "PowBackward1";
            case "%" -> numRight ? "RemainderBackward0" : "RemainderBackward1";
            default -> null;
        };
    }

    // ---- indexing ------------------------------------------------------------------------------------

    private Val index(Ast.Index ix) {
        if (ix.target() instanceof Ast.Name n && l.state.names.get(n.name()) instanceof Val.Growing g) {
            return l.growing.history.item(n.name(), g, ix); // losses[-1] in the loop that appends to it
        }
        Val tv = expr(ix.target());
        if (tv instanceof Val.Shape sh) return shapeIndex(sh, ix);
        if (tv instanceof Val.RangeV r) return new Ranges(l).index(r, ix);
        if (tv instanceof Val.RunList r) return new RunLists(l).index(r, ix);
        if (tv instanceof Val.DictV d) return new Dicts(l).index(d, ix);
        if (tv instanceof Val.Str s) return new StrMethods(l).index(s, ix);
        if (Sequences.items(tv) != null) return l.sequences.index(tv, ix);
        if (tv instanceof T t && l.indicesOf.containsKey(t.var()) && ix.subs().size() == 1 && ix.subs().get(0) instanceof Ast.At) {
            return l.sequences.index(new Val.Tuple(List.of(valuesOf(t), l.indicesOf.get(t.var()))), ix); // max(x, dim=1)[0]: PyTorch's (values, indices)
        }
        T x = tensor(tv, ix.target().span(), "indexing");
        if (x != null && RunTimeSizes.sized(x)) {
            Val read = RunTimeIndexing.index(l, x, ix); // x[m][0], rows[i, 1]: whole numbers and whole slices
            return read != null ? read : RunTimeSizes.refused(l, ix.span(), "indexing with `...` or with more subscripts than axes");
        }
        return x == null ? new Val.Bad() : new Indexing(l).read(x, ix);
    }

    /** {@code x.shape[i]}: a size, known at compile time. */
    private Val shapeIndex(Val.Shape sh, Ast.Index ix) {
        int[] dims = sh.dims();
        if (ix.subs().size() == 1 && ix.subs().get(0) instanceof Ast.Range r) return shapeSlice(dims, r);
        if (ix.subs().size() != 1 || !(ix.subs().get(0) instanceof Ast.At at)) {
            l.diags.error("E0204", ix.span(), "a shape takes one index or one slice, e.g. `x.shape[0]`, `x.shape[1:]`", null);
            return new Val.Bad();
        }
        Integer i = integer(expr(at.index()), at.span(), "an index");
        if (i == null) return new Val.Bad();
        int k = i < 0 ? i + dims.length : i;
        if (k < 0 || k >= dims.length) {
            l.diags.error("E0204", at.span(), "index " + i + " is out of range for a shape of " + dims.length + " dimensions", null);
            return new Val.Bad();
        }
        return RunTimeSizes.dim(l, dims[k]);
    }

    /** {@code x.shape[1:]}, {@code x.shape[::-1]}: a torch.Size of the sizes Python's slice picks. */
    private Val shapeSlice(int[] dims, Ast.Range r) {
        Integer[] parts = new Integer[3];
        Ast.Expr[] given = {r.lo(), r.hi(), r.step()};
        for (int p = 0; p < 3; p++) {
            if (given[p] == null) continue;
            parts[p] = integer(expr(given[p]), given[p].span(), "a slice bound");
            if (parts[p] == null) return new Val.Bad();
        }
        int n = dims.length, step = parts[2] == null ? 1 : parts[2];
        if (step == 0) {
            l.diags.error("E0204", r.span(), "slice step cannot be zero", null);
            return new Val.Bad();
        }
        int lo = step > 0 ? 0 : n - 1, hi = step > 0 ? n : -1; // Python's slice.indices
        if (parts[0] != null) lo = parts[0] < 0 ? Math.max(parts[0] + n, step > 0 ? 0 : -1) : Math.min(parts[0], step > 0 ? n : n - 1);
        if (parts[1] != null) hi = parts[1] < 0 ? Math.max(parts[1] + n, step > 0 ? 0 : -1) : Math.min(parts[1], step > 0 ? n : n - 1);
        List<Integer> kept = new ArrayList<>();
        for (int i = lo; step > 0 ? i < hi : i > hi; i += step) kept.add(dims[i]);
        return new Val.Shape(kept.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A compile-time whole number, or null after reporting. */
    Integer integer(Val v, Span span, String what) {
        if (v instanceof Val.Num n && n.isWhole() && Math.abs(n.value()) < Integer.MAX_VALUE) return (int) n.value();
        if (v instanceof Val.Bad) return null;
        if (v instanceof Val.Num n && n.isWhole()) {
            String shown = Math.abs(n.value()) < 1e18 ? Long.toString((long) n.value()) : tx.runtime.tensor.PyFloat.repr(n.value());
            l.diags.error("E0205", span, what + " of " + shown + " is too large: sizes, dimensions and indices in tx are below 2^31", null);
            return null;
        }
        String found = v instanceof Val.Num n ? "`" + tx.runtime.tensor.PyFloat.repr(n.value()) + "`" : v.describe();
        l.diags.error("E0105", span, what + " must be a whole number known at compile time, found " + found,
                v instanceof T ? "tx needs every shape at compile time, so indices and sizes must be constants" : null);
        return null;
    }

    // ---- attributes ------------------------------------------------------------------------------------

    private Val attribute(Ast.Attr a) {
        if (a.target() instanceof Ast.Name m && (m.name().equals("math") || m.name().equals("torch")) && !l.state.names.containsKey(m.name())
                && CONSTANTS.containsKey(a.name())) { // math.pi, torch.inf, ...
            return new Val.Num(CONSTANTS.get(a.name()));
        }
        if (a.target() instanceof Ast.Name m && m.name().equals("torch") && !l.state.names.containsKey("torch") && DType.named(a.name()) != null) {
            return new Val.DTypeV(DType.named(a.name())); // torch.int64, torch.bool, ...
        }
        String module = l.builtins.prefix(a.target());
        if (module != null && l.builtins.known(Builtins.qualified(module, a.name())) && !Functions.isTransform(a.name())) {
            return new Val.Fn(new Val.BuiltinFn(Builtins.qualified(module, a.name()))); // act = torch.tanh, inv = torch.linalg.inv
        }
        Val target = expr(a.target());
        if (target instanceof Val.Bad) return target;
        Val named = valuesOrIndices(target, a.name());
        if (named != null) return named;
        if (!(target instanceof T x)) {
            l.diags.error("E0401", a.nameSpan(), target.describe() + " has no attribute `" + a.name() + "`", null);
            return new Val.Bad();
        }
        return switch (a.name()) {
            case "grad" -> grad(x, a);
            case "requires_grad" -> new Val.Bool(x.rg());
            case "is_leaf" -> new Val.Bool(x.leaf() >= 0 || !x.rg());
            case "shape" -> new Val.Shape(x.shape()); // its sizes known only at run time are symbols: see RunTimeSizes.dim
            case "ndim" -> new Val.Num(x.shape().length, Val.PyType.INT);
            case "dtype" -> new Val.DTypeV(x.dtype());
            case "T" -> l.builtins.transposeT(x);
            case "mT" -> l.builtins.transposeM(x, a.nameSpan());
            case "data" -> l.autograd.data(x);
            case "grad_fn" -> l.autograd.gradFn(x, a.span());
            default -> {
                String near = closest(a.name(), List.of("grad", "requires_grad", "is_leaf", "shape", "ndim", "dtype", "T", "mT", "data", "grad_fn"));
                String help = l.builtins.has(a.name()) ? "`" + a.name() + "` is a method: call it, `x." + a.name() + "(...)`"
                        : near != null ? "did you mean `" + near + "`?" : null;
                l.diags.error("E0101", a.nameSpan(), "tensors have no attribute `" + a.name() + "`", help);
                yield new Val.Bad();
            }
        };
    }

    /** {@code .values} and {@code .indices} of sort, topk, and max or min along a dimension, {@code .sign} and {@code .logabsdet} of slogdet; else null. */
    private Val valuesOrIndices(Val target, String name) {
        Val.Tuple pair = l.namedPair(target);
        if (pair != null && Lowerer.fields(l.namedPairs.get(pair)).contains(name)) return pair.items().get(Lowerer.fields(l.namedPairs.get(pair)).indexOf(name));
        if (!name.equals("values") && !name.equals("indices")) return null;
        if (target instanceof T t && l.indicesOf.containsKey(t.var())) return name.equals("values") ? valuesOf(t) : l.indicesOf.get(t.var());
        return null;
    }

    /**
     * The values of max(x, dim=) or min(x, dim=) as a tensor of their own (a reshape that moves
     * nothing), which indexes as a tensor: {@code max(x, dim=1).values[0]} is the first value, while
     * {@code max(x, dim=1)[0]} is the values, as PyTorch's named tuple.
     */
    T valuesOf(T t) {
        Var v = b.copy(t.var());
        return new T(v, l.graph.requiresGrad(v), -1, t.gradFn(), false, false);
    }

    /** {@code x.grad}: None, a tensor, or (after paths that disagree) a tensor that may be None. */
    private Val grad(T x, Ast.Attr a) {
        int register = x.leaf() >= 0 ? x.leaf() : l.autograd.retainedRegister(x.var());
        if (register < 0) {
            if (x.rg()) {
                l.diags.warning("W0305", a.span(), "`.grad` of a tensor that is not a leaf is always None",
                        "only leaves (made with requires_grad=true) get gradients; PyTorch warns about this too");
            }
            return new Val.None("`.grad` of a tensor that is not a leaf is None");
        }
        GradState s = l.state.grad(register);
        String name = register < l.leafNames.size() ? l.leafNames.get(register) : null; // a transform's parameter has no name here
        String who = name == null ? "this leaf's `.grad`" : "`" + name + ".grad`";
        if (s == GradState.NONE) return new Val.None(who + " is None here: no backward has reached it since it was created or reset");
        Val kept = l.gradValues.read(register, a.span(), who);
        if (kept != null) return kept;
        Var out = b.newVar(x.shape(), x.var().name() == null ? null : x.var().name() + "_grad");
        b.add(new Stmt.GradRead(register, out, b.origin()));
        return new T(out, false, -1, null, false, s == GradState.MAYBE);
    }

    /** {@code x.grad = None}, {@code x.grad = tensor}, {@code x.requires_grad = flag} or {@code x.data = tensor}. */
    void assignAttribute(Ast.Target t, Val v, Span valueSpan, Span span) {
        Val target = lookup(t.name(), t.span());
        if (target instanceof Val.Bad) return;
        if (target instanceof T x && t.attr().equals("requires_grad")) {
            l.autograd.assignRequiresGrad(x, t.name(), v, t.span(), valueSpan, span, t);
            return;
        }
        if (target instanceof T x && t.attr().equals("data")) {
            l.autograd.assignData(t, x, v, valueSpan, span);
            return;
        }
        if (!t.attr().equals("grad") || !(target instanceof T x)) {
            l.diags.error("E0401", t.span(), "cannot assign to `" + t.name() + "." + t.attr() + "`",
                    "only `x.grad`, `x.requires_grad` and `x.data` can be assigned");
            return;
        }
        if (x.leaf() < 0) {
            l.diags.error("E0305", t.span(), "`" + t.name() + "` is not a leaf that requires grad, so it has no `.grad` to set", null);
            return;
        }
        if (v instanceof Val.None) {
            b.add(new Stmt.GradSet(x.leaf(), null, b.origin()));
            l.state.grads.put(x.leaf(), GradState.NONE);
            l.gradValues.forget(x.leaf());
            return;
        }
        T g = tensor(v, valueSpan, "`.grad`");
        if (g == null) return;
        if (!java.util.Arrays.equals(g.shape(), x.shape())) {
            l.diags.error("E0201", valueSpan, "a gradient of shape " + Shapes.show(g.shape()) + " cannot be assigned to `"
                    + t.name() + ".grad`, which has shape " + Shapes.show(x.shape()), null);
            return;
        }
        b.add(new Stmt.GradSet(x.leaf(), b.stopGrad(g.var()), b.origin()));
        l.state.grads.put(x.leaf(), GradState.SET);
        l.gradValues.forget(x.leaf());
    }
}
