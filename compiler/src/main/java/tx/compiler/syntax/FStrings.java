package tx.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;
import tx.compiler.syntax.Ast.FPart;
import tx.compiler.syntax.Ast.FText;
import tx.compiler.syntax.Ast.Field;
import tx.runtime.tensor.PyFormat;

/**
 * Splits an f-string token, {@code f"loss {loss.item():.4f} at {t}"}, into literal text and
 * fields, as Python's tokenizer does: {@code {{} and {@code }}} are braces, a field is
 * {@code {expr[=][!conversion][:spec]}}, where the expression ends at the first {@code !},
 * {@code :} or {@code }} outside brackets. Each expression is parsed by the expression parser
 * ({@link Parse#fieldExpr}) at its own place in the file, so its errors point into the string;
 * each spec is checked here. Errors are E0010 (the braces) and E0011 (a spec).
 */
final class FStrings {
    private final Diagnostics diags;
    private final AstBuilder builder;
    private final Token token;
    private final String text;
    private final List<FPart> parts = new ArrayList<>();
    private final StringBuilder literal = new StringBuilder();
    private boolean ok = true;

    private FStrings(Diagnostics diags, AstBuilder builder, Token token) {
        this.diags = diags;
        this.builder = builder;
        this.token = token;
        this.text = token.getText();
    }

    static Ast.FString build(Diagnostics diags, AstBuilder builder, Token token) {
        FStrings f = new FStrings(diags, builder, token);
        f.split();
        return new Ast.FString(f.parts, f.ok, AstBuilder.span(token));
    }

    /** Walks the body, between {@code f"} and the closing quote. */
    private void split() {
        int end = text.length() - 1;
        int i = 2;
        while (i < end && ok) {
            char ch = text.charAt(i);
            if (ch == '\\' && i + 1 < end) {
                char n = text.charAt(i + 1);
                literal.append(n == 'n' ? '\n' : n == 't' ? '\t' : n); // tx's string escapes
                i += 2;
            } else if ((ch == '{' || ch == '}') && i + 1 < end && text.charAt(i + 1) == ch) {
                literal.append(ch);
                i += 2;
            } else if (ch == '{') {
                i = field(i, end);
            } else if (ch == '}') {
                error("E0010", i, i + 1, "a single `}` is not allowed in an f-string", "write `}}` for a literal brace");
            } else {
                literal.append(ch);
                i++;
            }
        }
        flush();
    }

    /** Reads the field that opens at {@code open}; returns the index after its closing brace. */
    private int field(int open, int end) {
        flush();
        int exprEnd = expressionEnd(open + 1, end);
        if (exprEnd < 0) return end;
        if (exprEnd >= end) return unclosed(open);
        String expr = text.substring(open + 1, exprEnd);
        if (expr.isBlank()) return error("E0010", open, exprEnd + 1, "an f-string field needs an expression: `{}` is empty",
                "write the value inside the braces, e.g. `{loss}`, or `{{}}` for literal braces");
        String debug = debugText(expr);
        if (debug != null) expr = expr.substring(0, expr.lastIndexOf('='));
        int i = exprEnd;
        char conversion = 0;
        if (text.charAt(i) == '!') {
            if (i + 1 >= end) return unclosed(open);
            conversion = text.charAt(i + 1);
            if ("sra".indexOf(conversion) < 0) {
                return error("E0010", i, i + 2, "an f-string conversion is `!s`, `!r` or `!a`",
                        "write `{x!r}`, or put a comparison in brackets: `{(a != b)}`");
            }
            if (i + 2 >= end) return unclosed(open);
            if (text.charAt(i + 2) != ':' && text.charAt(i + 2) != '}') {
                return error("E0010", i + 2, i + 3, "an f-string conversion ends its field's expression: expected `:` or `}` after `!" + conversion + "`", null);
            }
            i += 2;
        }
        String spec = "";
        int specStart = i + 1;
        if (text.charAt(i) == ':') {
            int close = specEnd(specStart, end);
            if (close < 0) return end;
            if (close >= end) return unclosed(open);
            spec = text.substring(specStart, close);
            i = close;
        }
        Span specSpan = span(specStart, Math.max(i, specStart + 1));
        checkSpec(spec, specStart, i);
        Ast.Expr e = expression(expr, open + 1);
        if (e == null) {
            ok = false;
            return end;
        }
        if (debug != null) {
            parts.add(new FText(debug));
            if (conversion == 0 && spec.isEmpty()) conversion = 'r'; // {x=} shows repr(x), as Python
        }
        parts.add(new Field(e, conversion, spec, specSpan, span(open, i + 1)));
        return i + 1;
    }

    /**
     * The index of the {@code !}, {@code :} or {@code }} that ends the expression starting at
     * {@code from}, skipping brackets ({@code a[1:2]}, {@code f(x)}) and {@code !=}; {@code end}
     * when the string ends first; -1 after reporting a bracket that does not match.
     */
    private int expressionEnd(int from, int end) {
        List<Character> open = new ArrayList<>();
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                open.add(c);
                if (open.size() > NewlineFilter.MAX_DEPTH) {
                    error("E0003", i, i + 1, "brackets and blocks are nested more than " + NewlineFilter.MAX_DEPTH + " levels deep here",
                            "like Python, tx allows at most " + NewlineFilter.MAX_DEPTH + " levels; name the inner parts instead");
                    return -1;
                }
            } else if (c == ')' || c == ']' || (c == '}' && !open.isEmpty())) {
                char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (open.isEmpty() || open.get(open.size() - 1) != want) {
                    error("E0010", i, i + 1, "`" + c + "` does not match " + (open.isEmpty() ? "any opening bracket" : "`" + open.get(open.size() - 1) + "`")
                            + " in this f-string field", null);
                    return -1;
                }
                open.remove(open.size() - 1);
            } else if (open.isEmpty() && (c == '}' || c == ':' || (c == '!' && (i + 1 >= end || text.charAt(i + 1) != '=')))) {
                return i;
            }
        }
        return end;
    }

    /** The closing brace of a spec starting at {@code from}; tx does not take fields nested in a spec ({@code {x:{w}}}). */
    private int specEnd(int from, int end) {
        for (int i = from; i < end; i++) {
            if (text.charAt(i) == '}') return i;
            if (text.charAt(i) == '{') {
                error("E0011", i, i + 1, "tx does not take fields inside a format spec", "write the width or precision as a number: `{x:>8.3f}`");
                return -1;
            }
        }
        return end;
    }

    /** Python 3.8's {@code {x=}}: the text up to and including the {@code =} (spaces kept), or null. */
    private static String debugText(String expr) {
        String t = expr.stripTrailing();
        if (!t.endsWith("=") || t.length() < 2) return null;
        char before = t.charAt(t.length() - 2);
        return "=!<>".indexOf(before) >= 0 ? null : expr;
    }

    private void checkSpec(String spec, int from, int to) {
        try {
            PyFormat.Spec.parse(spec);
        } catch (PyFormat.FormatException x) {
            error("E0011", from, Math.max(to, from + 1), "invalid format spec `" + spec + "`: " + x.getMessage(),
                    "a spec is [[fill]align][sign][#][0][width][,][.precision][type], e.g. `.4f`, `>8`, `.3e`, `,d`");
        }
    }

    private Ast.Expr expression(String expr, int at) {
        int col0 = token.getCharPositionInLine() + text.codePointCount(0, at);
        tx.compiler.syntax.gen.TxParser.ExprContext parsed = Parse.fieldExpr(expr, token.getLine(), col0, diags);
        return parsed == null ? null : builder.expr(parsed);
    }

    private int unclosed(int open) {
        return error("E0010", open, open + 1, "this `{` of an f-string is never closed", "close the field with `}`, or write `{{` for a literal brace");
    }

    private void flush() {
        if (literal.length() > 0) parts.add(new FText(literal.toString()));
        literal.setLength(0);
    }

    private int error(String code, int from, int to, String message, String help) {
        diags.error(code, span(from, to), message, help);
        ok = false;
        return text.length();
    }

    /** The span of characters {@code from} (inclusive) to {@code to} (exclusive) of the token, on its one line. */
    private Span span(int from, int to) {
        int col = token.getCharPositionInLine() + 1;
        return new Span(token.getLine(), col + text.codePointCount(0, from), token.getLine(), col + text.codePointCount(0, Math.min(to, text.length())));
    }
}
