package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import tx.compiler.check.Val;
import tx.compiler.check.Val.PyType;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.runtime.ir.Stmt.PrintItem;
import tx.runtime.tensor.PyFloat;
import tx.runtime.tensor.PyFormat;
import tx.runtime.tensor.PyFormat.FormatException;
import tx.runtime.tensor.PyFormat.Kind;
import tx.runtime.tensor.PyFormat.Spec;
import tx.runtime.tensor.Shapes;

/**
 * f-strings (LANGUAGE.md §2): each field {@code {x!conv:spec}} is formatted as Python's
 * {@code format(x, spec)} would: at compile time when x is known then (a string, a number, a
 * bool), else at run time by a {@link PrintItem.Formatted} item. A tensor follows PyTorch's
 * {@code Tensor.__format__}: a 0-dimensional one formats as its {@code item()} (so
 * {@code f"{loss}"} shows {@code 0.25} and {@code f"{loss:.4f}"} {@code 0.2500}); any other one as
 * its printed form, and only with an empty spec (PyTorch raises a TypeError, tx refuses it at
 * compile time, E0410). A conversion ({@code !s}, {@code !r}) formats the printed form as a string.
 */
final class Formatting {
    private final Lowerer l;

    Formatting(Lowerer l) {
        this.l = l;
    }

    /** The f-string's value: a string when every part is known at compile time, else a {@link Val.Formatted}. */
    Val fstring(Ast.FString f) {
        if (!f.ok()) return new Val.Bad();
        List<PrintItem> parts = new ArrayList<>();
        boolean bad = false;
        for (Ast.FPart p : f.parts()) {
            PrintItem item = p instanceof Ast.FText t ? new PrintItem.Text(t.text()) : field((Ast.Field) p);
            if (item == null) bad = true;
            else append(parts, item);
        }
        if (bad) return new Val.Bad();
        if (parts.isEmpty()) return new Val.Str("");
        if (parts.size() == 1 && parts.get(0) instanceof PrintItem.Text t) return new Val.Str(t.text());
        return new Val.Formatted(parts);
    }

    /** Adds an item, joining neighbouring texts. */
    static void append(List<PrintItem> parts, PrintItem item) {
        if (item instanceof PrintItem.Text t && !parts.isEmpty() && parts.get(parts.size() - 1) instanceof PrintItem.Text last) {
            parts.set(parts.size() - 1, new PrintItem.Text(last.text() + t.text()));
        } else {
            parts.add(item);
        }
    }

    /** One field, or null after reporting why it cannot be formatted. */
    private PrintItem field(Ast.Field f) {
        return field(l.exprs.expr(f.expr()), f);
    }

    /** The field f of the value v, already evaluated (also a conversion of a `%` format, {@link PercentFormat}). */
    PrintItem field(Val v, Ast.Field f) {
        if (v instanceof Val.Bad) return null;
        boolean str = f.conversion() != 0;
        try {
            Spec spec = Spec.parse(f.spec()); // an f-string's the parser checked; a % format's is made from the conversion (E0410 if it is no spec)
            if (v instanceof T t) return runtime(t, spec, str, f);
            if (Sequences.items(v) != null && f.spec().isEmpty()) return l.sequences.print(v, Formatting::sequenceItem); // Python's str of a list or tuple
            if (v instanceof Val.RunList r && f.spec().isEmpty()) return RunLists.print(r);
            if (v instanceof Val.Formatted inner && f.spec().isEmpty() && f.conversion() != 'r') return new PrintItem.Joined(inner.parts()); // f"{msg}" of an f-string
            if (v instanceof Val.Shape s && Shapes.symbolic(s.dims()) && f.spec().isEmpty()) return RunTimeSizes.shapeItem(l, s.dims());
            String text = staticText(v, spec, f);
            if (text == null) return null;
            return new PrintItem.Text(text);
        } catch (FormatException x) {
            l.diags.error("E0410", f.spec().isEmpty() ? f.span() : f.specSpan(), "format spec `" + f.spec() + "` does not apply to "
                    + describe(v, str) + ": " + x.getMessage(), help(v, str));
            return null;
        }
    }

    /** An item of a list or tuple in an f-string, as {@code print} shows it. */
    private static PrintItem sequenceItem(Val v) {
        if (v instanceof T t) return t.item() ? scalarItem(t) : tensorItem(t);
        if (v instanceof Val.Bool b) return new PrintItem.Text(b.value() ? "True" : "False");
        if (v instanceof Val.RangeV r) return new PrintItem.Text(r.show());
        return new PrintItem.Text(v instanceof Val.None ? "None" : "<" + v.describe() + ">");
    }

    /** A value known at compile time, formatted now; null after reporting a value an f-string cannot show. */
    private String staticText(Val v, Spec spec, Ast.Field f) {
        String shown;
        if (v instanceof Val.Bool b) {
            if (f.conversion() == 0) return checked(spec, PyType.BOOL, () -> PyFormat.formatBool(b.value(), spec));
            shown = b.value() ? "True" : "False";
        } else if (v instanceof Val.Num n) {
            if (f.conversion() == 0) return checked(spec, n.py(), () -> number(n, spec));
            shown = n.py() == PyType.BOOL ? (n.value() != 0 ? "True" : "False") : n.py() == PyType.INT ? integer(n.value()) : PyFloat.repr(n.value());
        } else if (v instanceof Val.Str s) {
            shown = f.conversion() == 'r' ? Strings.repr(s.value()) : s.value();
        } else if (v instanceof Val.None || v instanceof Val.Shape || v instanceof Val.DTypeV || v instanceof Val.RangeV) {
            shown = v instanceof Val.Shape s ? "torch.Size(" + Shapes.show(s.dims()) + ")" : v instanceof Val.DTypeV d ? d.dtype().toString()
                    : v instanceof Val.RangeV r ? r.show() : "None";
            if (f.conversion() == 0 && !spec.isEmpty()) {
                throw new FormatException("Python formats " + (v instanceof Val.Shape ? "a shape" : v instanceof Val.DTypeV ? "a dtype" : v instanceof Val.RangeV ? "a range" : "None") + " only without a spec");
            }
        } else {
            l.diags.error("E0401", f.expr().span(), "an f-string field takes tensors, numbers and booleans, found " + v.describe(),
                    v instanceof Val.Tuple ? "name the values first: `a, b = ...`, then `f\"{a} {b}\"`" : null);
            return null;
        }
        spec.checkString();
        return PyFormat.formatString(shown, spec);
    }

    private static String checked(Spec spec, PyType py, java.util.function.Supplier<String> format) {
        if (py == PyType.FLOAT) spec.checkFloat("float");
        else spec.checkInt(py == PyType.BOOL ? "bool" : "int");
        return format.get();
    }

    private static String number(Val.Num n, Spec spec) {
        return switch (n.py()) {
            case BOOL -> PyFormat.formatBool(n.value() != 0, spec);
            case INT -> Math.abs(n.value()) < 0x1p63 ? PyFormat.formatInt((long) n.value(), spec) : PyFormat.formatFloat(n.value(), spec);
            case FLOAT -> PyFormat.formatFloat(n.value(), spec);
        };
    }

    /** A whole number as Python writes an int, exactly (a double holds ints up to 2^53 exactly, larger ones as they are). */
    static String integer(double v) {
        return new java.math.BigDecimal(v).toBigInteger().toString();
    }

    /** A value known at run time: a Python scalar, a 0-dimensional tensor (its item), or any tensor's printed form. */
    private PrintItem runtime(T t, Spec spec, boolean str, Ast.Field f) {
        if (t.maybeNone()) {
            if (!spec.isEmpty() && !str) throw new FormatException("this gradient may be None here, and None takes no spec");
            if (str) spec.checkString();
            return spec.isEmpty() ? tensorItem(t) : new PrintItem.Formatted(t.var(), Kind.TENSOR, spec, true, t.printSuffix());
        }
        if (t.item()) {
            Kind kind = kind(t.py());
            if (str) spec.checkString();
            else if (kind == Kind.FLOAT) spec.checkFloat("float");
            else spec.checkInt(kind == Kind.BOOL ? "bool" : "int");
            return new PrintItem.Formatted(t.var(), kind, spec, str, null);
        }
        if (t.isScalar() && !str) { // PyTorch's Tensor.__format__: self.item().__format__(spec), an int of an int64 tensor
            Kind kind = switch (t.dtype()) {
                case INT64 -> Kind.INT;
                case BOOL -> Kind.BOOL;
                case FLOAT64 -> Kind.FLOAT;
            };
            if (kind == Kind.FLOAT) spec.checkFloat("float");
            else spec.checkInt(kind == Kind.BOOL ? "bool" : "int");
            return new PrintItem.Formatted(t.var(), kind, spec, false, null);
        }
        if (!str && !spec.isEmpty()) throw new FormatException("unsupported format string passed to Tensor.__format__");
        spec.checkString();
        return spec.isEmpty() ? tensorItem(t) : new PrintItem.Formatted(t.var(), Kind.TENSOR, spec, true, t.printSuffix());
    }

    /** A tensor printed as {@code print} prints it (the suffix of a loop's first iteration included). */
    static PrintItem tensorItem(T t) {
        if (t.first() != null) {
            String otherwise = t.first().decided() ? t.first().otherwise() : t.printSuffix();
            return new PrintItem.TensorValue(t.var(), otherwise, t.first().index(), t.first().suffix());
        }
        return new PrintItem.TensorValue(t.var(), t.printSuffix());
    }

    /** How {@code print} shows a Python scalar: a float as repr, a bool as True/False, an int as its digits. */
    static PrintItem scalarItem(T t) {
        if (t.py() == PyType.FLOAT) return new PrintItem.FloatValue(t.var());
        return new PrintItem.Formatted(t.var(), kind(t.py()), Spec.EMPTY, false, null);
    }

    static Kind kind(PyType py) {
        return switch (py) {
            case BOOL -> Kind.BOOL;
            case INT -> Kind.INT;
            case FLOAT -> Kind.FLOAT;
        };
    }

    private static String describe(Val v, boolean str) {
        if (str) return "the printed form of " + v.describe() + " (a string)";
        if (v instanceof T t && t.item()) return "a Python " + t.py().name().toLowerCase(java.util.Locale.ROOT);
        if (v instanceof T t && t.isScalar()) return "a 0-dimensional tensor (formatted as its item(), a float)";
        if (v instanceof Val.Num n) return "the " + n.py().name().toLowerCase(java.util.Locale.ROOT) + " " + (n.py() == PyType.FLOAT ? PyFloat.repr(n.value()) : n.py() == PyType.INT ? integer(n.value()) : n.value() != 0 ? "True" : "False");
        return v.describe();
    }

    private static String help(Val v, boolean str) {
        if (str) return "the printed form is a string: it takes a fill, an alignment and a width (`{x!s:>30}`), and a precision cuts it";
        if (v instanceof T t && !t.item() && !t.isScalar() && !str && !t.maybeNone()) {
            return "PyTorch formats only a 0-dimensional tensor with a spec; format one element (`{x[0]:.4f}`),\n"
                    + "or show the whole tensor without a spec: `{x}`";
        }
        if (v instanceof Val.Num n && n.py() != PyType.FLOAT || v instanceof T t && t.item() && t.py() != PyType.FLOAT) {
            return "an int or a bool takes d, e, f, g, % or no type, and no precision with d";
        }
        return "a float takes e, f, g, % or no type (e.g. `.4f`, `.3e`, `>10.2f`)";
    }
}
