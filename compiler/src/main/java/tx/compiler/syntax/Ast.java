package tx.compiler.syntax;

import java.util.List;

/** The tx abstract syntax tree: immutable records, each with the span it came from. */
public final class Ast {
    private Ast() {}

    public record Program(List<Stmt> body, Span span) {}

    // ---- statements ---------------------------------------------------------------------------------
    public sealed interface Stmt {
        Span span();
    }

    /**
     * {@code a, b = value}; a target is a name or {@code name.attr} (only {@code x.grad}). {@code unpack}:
     * one target with a trailing comma, {@code h, = state}, which unpacks a one-item tuple.
     */
    public record Assign(List<Target> targets, Expr value, boolean unpack, Span span) implements Stmt {
        public Assign(List<Target> targets, Expr value, Span span) {
            this(targets, value, false, span);
        }
    }

    /** {@code target op= value} with op one of + - * / // % **. */
    public record AugAssign(Target target, String op, Expr value, Span span) implements Stmt {}

    /**
     * {@code x[subs] op value}, op one of {@code = += -= *= /= //= %= **=}: an in-place change of
     * the indexed part of x (LANGUAGE.md §6). {@code target} is whatever stands left of the
     * operator; the checker refuses anything but an indexed name.
     */
    public record IndexAssign(Expr target, String op, Expr value, Span span) implements Stmt {}

    public record ExprStmt(Expr expr, Span span) implements Stmt {}

    /** {@code with no_grad { }} or {@code with checkpoint { }}. */
    public record With(String kind, List<Stmt> body, Span span, List<Arg> args) implements Stmt {
        public With(String kind, List<Stmt> body, Span span) {
            this(kind, body, span, List.of());
        }
    }

    /** {@code for name in range(args) { }}. */
    public record For(String var, Span varSpan, List<Arg> range, List<Stmt> body, Span span) implements Stmt {}

    /** {@code while cond { }}: the condition is checked before each iteration, as in Python. */
    public record While(Expr cond, List<Stmt> body, Span span) implements Stmt {}

    /** {@code break}: leaves the innermost {@code for} or {@code while}. */
    public record Break(Span span) implements Stmt {}

    /** {@code continue}: goes on with the next iteration of the innermost {@code for} or {@code while}. */
    public record Continue(Span span) implements Stmt {}

    /**
     * {@code for v in xs { }}, {@code for i, v in enumerate(xs) { }}, {@code for a, b in zip(xs, ys) { }}:
     * over a list or tuple (unrolled), or over a tensor's first dimension.
     */
    public record ForEach(List<String> vars, List<Span> varSpans, Expr iterable, List<Stmt> body, Span span) implements Stmt {}

    /** {@code if cond { } else { }}; {@code otherwise} is empty when there is no else. */
    public record If(Expr cond, List<Stmt> then, List<Stmt> otherwise, Span span) implements Stmt {}

    public record FnDef(String name, List<Param> params, List<List<Dim>> returns, List<Stmt> body, Span span) implements Stmt {}

    public record Return(List<Expr> values, Span span) implements Stmt {}

    public record Check(Expr claim, Expr tol, Span span) implements Stmt {}

    /** {@code assert cond} or {@code assert cond, message}: Python's; {@code message} is null when there is none. */
    public record Assert(Expr cond, Expr message, Span span) implements Stmt {}

    /**
     * {@code global t, lr}: in a function, the names are the script's, read and assigned there
     * (Python's {@code global}); at the script's level it changes nothing.
     */
    public record Global(List<String> names, List<Span> spans, Span span) implements Stmt {}

    /** {@code nonlocal count}: in a nested function, the names are its maker's, read and assigned there (Python's {@code nonlocal}). */
    public record Nonlocal(List<String> names, List<Span> spans, Span span) implements Stmt {}

    public record Target(String name, String attr, Span span) {}

    /**
     * A parameter: a tensor of a shape ({@code kind} null), or a Python scalar or a list ({@code kind}
     * "float", "int", "bool" or "list", {@code shape} empty); {@code dflt} its default, or null.
     */
    public record Param(String name, List<Dim> shape, String kind, Expr dflt, Span span) {
        /** The kind of a {@code *args} parameter: the remaining positional arguments, as a tuple (no program can write it as a type). */
        public static final String STAR = "$star";
        /** The kind of a {@code **kwargs} parameter: the remaining keyword arguments, as a dict. */
        public static final String KWARGS = "$kwargs";
        /** The name of a bare {@code *}, after which parameters are keyword-only (a {@link #STAR} that takes no arguments). */
        public static final String BARE = "*";

        public Param(String name, List<Dim> shape, Span span) {
            this(name, shape, null, null, span);
        }
    }

    /** A dimension in a signature: a whole number, or a name that binds at each call. */
    public record Dim(Integer size, String name, Span span) {}

    // ---- expressions --------------------------------------------------------------------------------
    public sealed interface Expr {
        Span span();
    }

    public record Num(double value, String text, Span span) implements Expr {}

    public record Str(String value, Span span) implements Expr {}

    public record Bool(boolean value, Span span) implements Expr {}

    /**
     * An f-string, {@code f"loss {loss.item():.4f} at {t}"}: literal text and fields, in order.
     * {@code ok} is false when its body had an error (already reported).
     */
    public record FString(List<FPart> parts, boolean ok, Span span) implements Expr {}

    /** A piece of an f-string: literal text (braces and escapes resolved), or a field. */
    public sealed interface FPart {}

    public record FText(String text) implements FPart {}

    /**
     * {@code {expr!conversion:spec}}: {@code conversion} is 0, {@code 's'}, {@code 'r'} or {@code 'a'};
     * {@code spec} the format spec as written ("" when none), checked by the parser; {@code span}
     * the whole field, braces included.
     */
    public record Field(Expr expr, char conversion, String spec, Span specSpan, Span span) implements FPart {}

    public record NoneLit(Span span) implements Expr {}

    public record Name(String name, Span span) implements Expr {}

    public record Neg(Expr operand, Span span) implements Expr {}

    /** {@code ~x}: Python's bitwise not (logical not of a bool tensor). */
    public record Invert(Expr operand, Span span) implements Expr {}

    /** A binary operator: + - * / // % @ ** & | ^ < <= > >= == !=. */
    public record Binary(String op, Expr left, Expr right, Span span) implements Expr {}

    /**
     * A chain of two or more comparisons, {@code a < b <= c}: as in Python, {@code a < b and b <= c}
     * with b evaluated once. {@code ops} has one operator fewer than {@code operands} has items.
     */
    public record Chain(List<Expr> operands, List<String> ops, Span span) implements Expr {}

    public record Call(Expr callee, List<Arg> args, Span span) implements Expr {}

    /** {@code x is None}, {@code x is not None}. */
    public record Is(Expr left, boolean negated, Expr right, Span span) implements Expr {}

    /** {@code not x}: a Python bool. */
    public record Not(Expr operand, Span span) implements Expr {}

    /** {@code a and b}, {@code a or b}: Python's, giving one of the operands and evaluating b only when needed. */
    public record Logic(String op, Expr left, Expr right, Span span) implements Expr {}

    /** {@code then if cond else otherwise}. */
    public record IfExpr(Expr then, Expr cond, Expr otherwise, Span span) implements Expr {}

    public record Index(Expr target, List<Sub> subs, Span span) implements Expr {}

    public record Attr(Expr target, String name, Span nameSpan, Span span) implements Expr {}

    public record ListLit(List<Expr> items, Span span) implements Expr {}

    /**
     * {@code {k: v for k, v in pairs if cond}}: a dict comprehension, as the loop it stands for:
     * {@code loop} goes over the iterable with the comprehension's names (nested targets unpacked
     * first in its body) and sets {@code hidden[key] = value} (under the condition, first assigned
     * to {@code hidden + "_if"}), {@code hidden} a name no program can spell, bound to an empty dict
     * before the loop.
     */
    public record DictComp(String hidden, ForEach loop, Span span) implements Expr {}

    /**
     * {@code [f(x) for x in xs if c for y in ys]}, and the generator expression {@code (f(x) for x in
     * xs)} ({@code generator}): as a dict comprehension, the loop it stands for, each later
     * {@code for} clause nested in the one before, each {@code if} a branch on its condition (first
     * assigned to {@code hidden + "_if" + k}), the innermost statement {@code hidden.append(item)},
     * {@code hidden} a name no program can spell, bound to an empty list before the loop.
     */
    public record ListComp(String hidden, ForEach loop, boolean generator, Span span) implements Expr {
        /** How the hidden name of a generator expression without brackets of its own ({@code sum(x for x in xs)}) begins. */
        public static final String BARE = "$genarg";
    }

    /** {@code {'lr': 0.03, 'wd': 3}}: a dict, its keys and values in order. */
    public record DictLit(List<Expr> keys, List<Expr> values, Span span) implements Expr {}

    /**
     * {@code lambda x, y: body}: a function of one expression, reading the names of where it is
     * written (a closure). {@code defaults}: each parameter's default (null: none), evaluated
     * where the lambda is made; {@code star}: the position of a {@code *args} parameter (or of a bare
     * {@code *}, named {@link Param#BARE}), or -1; {@code kwargs}: the position of {@code **kwargs}, or -1.
     */
    public record Lambda(List<String> params, List<Span> paramSpans, Expr body, Span span, List<Expr> defaults, int star, int kwargs) implements Expr {
        public Lambda(List<String> params, List<Span> paramSpans, Expr body, Span span) {
            this(params, paramSpans, body, span, java.util.Collections.nCopies(params.size(), null), -1, -1);
        }
    }

    /** A tuple, {@code (a, b)}, or the right-hand side {@code b, a} of {@code a, b = b, a}. */
    public record TupleLit(List<Expr> items, Span span) implements Expr {}

    /** An argument: positional ({@code name} null), a keyword, {@code *xs} ({@code name} is {@link #STAR}) or {@code **d} ({@link #KWARGS}). */
    public record Arg(String name, Expr value, Span span) {
        /** The name of an argument written {@code *xs}: no keyword can be spelt so. */
        public static final String STAR = "*";
        /** The name of an argument written {@code **d}. */
        public static final String KWARGS = "**";
    }

    /** One subscript: an index, or a slice {@code lo:hi:step} with optional parts. */
    public sealed interface Sub {
        Span span();
    }

    public record At(Expr index, Span span) implements Sub {}

    public record Range(Expr lo, Expr hi, Expr step, Span span) implements Sub {}

    /** {@code ...}: as many whole dimensions as the other subscripts leave. */
    public record Ellipsis(Span span) implements Sub {}
}
