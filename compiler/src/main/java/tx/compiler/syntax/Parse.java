package tx.compiler.syntax;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.antlr.v4.runtime.*;
import org.antlr.v4.runtime.atn.ATNConfigSet;
import org.antlr.v4.runtime.dfa.DFA;
import tx.compiler.syntax.gen.TxLexer;
import tx.compiler.syntax.gen.TxParser;

/** Parses a tx source file into an AST, recording syntax errors as diagnostics (never printing them). */
public final class Parse {
    private Parse() {}

    public static Ast.Program program(String source, Diagnostics diags) {
        TxLexer lexer = new TxLexer(CharStreams.fromString(source));
        lexer.removeErrorListeners();
        NewlineFilter filter = new NewlineFilter(lexer);
        CommonTokenStream tokens = new CommonTokenStream(filter);
        tokens.fill(); // lex everything first, so that every bracket is known to be closed or not
        if (structural(filter, diags)) return null;
        TxParser parser = new TxParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(new Listener(diags));
        parser.setErrorHandler(new KeepLineBreaks());
        TxParser.ProgramContext tree = parser.program();
        if (!diags.hasErrors()) return new AstBuilder(diags).program(tree);
        return recovered(tree, diags);
    }

    /**
     * After a syntax error, the statements that parsed whole are still checked, so that one typo
     * does not hide the file's other errors. A statement with an error in it (a function or loop
     * with one anywhere inside) is left out whole, and the names it would assign are marked
     * broken, so that their later uses report nothing: each error is reported once, where it is.
     */
    private static Ast.Program recovered(TxParser.ProgramContext tree, Diagnostics diags) {
        java.util.List<TxParser.StatementContext> clean = new java.util.ArrayList<>();
        java.util.Set<String> broken = new java.util.HashSet<>();
        java.util.Set<Integer> errorLines = new java.util.HashSet<>(); // recovery may end a statement early, before its error
        for (Diagnostic d : diags.all()) errorLines.add(d.span().line());
        boolean afterBroken = false; // indented lines after a broken statement belong to it (a Python-style `for ...:` block)
        if (tree.children != null) {
            for (org.antlr.v4.runtime.tree.ParseTree child : tree.children) {
                if (child instanceof TxParser.StatementContext st) {
                    boolean bad = hasError(st) || onLines(st, errorLines) || afterBroken && st.getStart().getCharPositionInLine() > 0;
                    if (bad) assignedIn(child, broken);
                    else clean.add(st);
                    afterBroken = bad;
                } else if (hasError(child)) {
                    assignedIn(child, broken);
                    afterBroken = true;
                }
            }
        }
        diags.brokenNames(broken);
        return new AstBuilder(diags).program(tree, clean);
    }

    private static boolean onLines(ParserRuleContext c, java.util.Set<Integer> lines) {
        int last = c.getStop() == null ? c.getStart().getLine() : c.getStop().getLine();
        for (int line = c.getStart().getLine(); line <= last; line++) if (lines.contains(line)) return true;
        return false;
    }

    private static boolean hasError(org.antlr.v4.runtime.tree.ParseTree t) {
        if (t instanceof org.antlr.v4.runtime.tree.ErrorNode) return true;
        if (t instanceof org.antlr.v4.runtime.ParserRuleContext c) {
            if (c.exception != null) return true;
            for (int i = 0; i < c.getChildCount(); i++) if (hasError(c.getChild(i))) return true;
        }
        return false;
    }

    /** Names that a broken piece of the tree may bind: {@code a, b =} (any op=) at a statement's start, and the name after `fn` or `for`. */
    private static void assignedIn(org.antlr.v4.runtime.tree.ParseTree t, java.util.Set<String> out) {
        java.util.List<Token> toks = new java.util.ArrayList<>();
        terminals(t, toks);
        for (int i = 0; i < toks.size(); i++) {
            String prev = i > 0 ? toks.get(i - 1).getText() : "\n";
            if (toks.get(i).getType() == TxLexer.NAME && (prev.equals("fn") || prev.equals("for"))) out.add(toks.get(i).getText());
            if (!(prev.equals("\n") || prev.equals("\r\n") || prev.equals(";") || prev.equals("{") || prev.equals("}"))) continue;
            java.util.List<String> targets = new java.util.ArrayList<>();
            int j = i;
            while (j < toks.size() && toks.get(j).getType() == TxLexer.NAME) {
                targets.add(toks.get(j).getText());
                j++;
                while (j < toks.size() && (toks.get(j).getText().equals(".") || toks.get(j).getText().equals("[")) ) j = toks.size(); // x.attr, x[i]: the name is not rebound
                if (j < toks.size() && toks.get(j).getText().equals(",")) j++;
                else break;
            }
            if (j < toks.size() && ASSIGNING.contains(toks.get(j).getText())) out.addAll(targets);
        }
    }

    private static final java.util.Set<String> ASSIGNING = java.util.Set.of("=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=");

    private static void terminals(org.antlr.v4.runtime.tree.ParseTree t, java.util.List<Token> out) {
        if (t instanceof org.antlr.v4.runtime.tree.TerminalNode n) {
            if (n.getSymbol().getTokenIndex() >= 0) out.add(n.getSymbol());
            return;
        }
        for (int i = 0; i < t.getChildCount(); i++) terminals(t.getChild(i), out);
    }

    /**
     * Parses the expression of an f-string field, which starts at {@code line} and the 0-based
     * column {@code col0} of the file: the lexer sees it after as many spaces, so every token, and
     * so every span and error, has its place in the file. Null after reporting a syntax error.
     */
    static TxParser.ExprContext fieldExpr(String text, int line, int col0, Diagnostics diags) {
        TxLexer lexer = new TxLexer(CharStreams.fromString(" ".repeat(col0) + text));
        lexer.removeErrorListeners();
        lexer.setLine(line);
        TxParser parser = new TxParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(new Listener(diags, "end of the f-string field"));
        TxParser.FieldExprContext tree = parser.fieldExpr();
        return parser.getNumberOfSyntaxErrors() > 0 ? null : tree.expr();
    }

    /**
     * Errors found before parsing: a bracket or brace never closed (reported at it, which is where
     * the fix goes; the parser would only notice at the end of the file, slowly), or nesting deeper
     * than tx allows.
     */
    private static boolean structural(NewlineFilter filter, Diagnostics diags) {
        Token open = filter.firstUnclosed();
        if (open == null) {
            Token deep = filter.tooDeep();
            if (deep != null) {
                diags.error("E0003", AstBuilder.span(deep), "brackets and blocks are nested more than " + NewlineFilter.MAX_DEPTH + " levels deep here",
                        "like Python, tx allows at most " + NewlineFilter.MAX_DEPTH + " levels; name the inner parts instead");
                return true;
            }
            return false;
        }
        String closer = switch (open.getText()) {
            case "(" -> ")";
            case "[" -> "]";
            default -> "}";
        };
        diags.error("E0001", AstBuilder.span(open), "syntax error: `" + open.getText() + "` is never closed", "add the missing `" + closer + "`");
        return true;
    }

    /**
     * ANTLR's recovery may delete one unexpected token and carry on; deleting a line break would
     * glue two statements together and report the error on the wrong line, so line breaks stay.
     */
    private static final class KeepLineBreaks extends DefaultErrorStrategy {
        @Override
        protected Token singleTokenDeletion(Parser recognizer) {
            if (recognizer.getCurrentToken().getType() == TxLexer.NEWLINE) return null;
            return super.singleTokenDeletion(recognizer);
        }
    }

    /** Rewords ANTLR's messages for a tx user and keeps them with their position. */
    private static final class Listener extends BaseErrorListener {
        private final Diagnostics diags;
        private final java.util.Set<Integer> linesWithErrors = new java.util.HashSet<>();

        /** How the end of the input is called: the end of the file, or of an f-string field. */
        private final String endName;

        Listener(Diagnostics diags) {
            this(diags, "end of file");
        }

        Listener(Diagnostics diags, String endName) {
            this.diags = diags;
            this.endName = endName;
        }

        /** Reports the first syntax error of each line; the rest are usually the parser's recovery talking. */
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
                                RecognitionException e) {
            // a stray `}` after an earlier error is the parser losing the `{` it skipped over
            if (!linesWithErrors.isEmpty() && offending instanceof Token b && "}".equals(b.getText())) return;
            if (!linesWithErrors.add(line)) return;
            Span span = offending instanceof Token t ? AstBuilder.span(t) : new Span(line, col + 1, line, col + 2);
            String what = offending instanceof Token t ? describe(t) : "input";
            String help = null;
            if (msg.startsWith("missing ")) {
                help = "expected " + pretty(msg.substring("missing ".length()).replaceFirst(" at .*$", "")) + " here";
            } else if (msg.contains("expecting ")) {
                String expected = msg.substring(msg.indexOf("expecting ") + "expecting ".length());
                if (expected.length() < 80) help = "expected " + pretty(expected);
            }
            if (help == null && offending instanceof Token t && recognizer instanceof Parser p && pythonColon(p, t)) help = "expected `{`";
            String[] python = offending instanceof Token t && recognizer instanceof Parser p ? pythonConstruct(p, t) : null;
            if (python != null && recognizer instanceof Parser p && python.length > 2) span = AstBuilder.span(p.getInputStream().LT(-1)).to(span);
            if (python != null) diags.error("E0001", span, "syntax error: " + python[0], python[1]);
            else diags.error("E0001", span, "syntax error: unexpected " + what, help);
        }

        /**
         * Python's {@code :} that opens a block, {@code for i in range(3):}, where the parser cannot
         * name what it expected (after {@code range(3)} an expression could also go on): the
         * offending {@code :} in a line that starts with a block's keyword.
         */
        private static boolean pythonColon(Parser p, Token t) {
            if (!t.getText().equals(":")) return false;
            var in = p.getInputStream();
            int i = t.getTokenIndex() - 1;
            while (i > 0 && in.get(i - 1).getType() != TxLexer.NEWLINE && !in.get(i - 1).getText().equals("{") && !in.get(i - 1).getText().equals("}")) i--;
            return i >= 0 && java.util.Set.of("for", "while", "if", "elif", "else", "with", "fn").contains(in.get(i).getText());
        }

        /**
         * A Python construct that tx does not have, named by the word before the error (or the
         * offending word itself): a message and a help saying what to write instead, or null.
         */
        private static String[] pythonConstruct(Parser p, Token t) {
            Token prev = p.getInputStream().LT(-1);
            String before = prev == null || prev.getType() != TxLexer.NAME ? "" : prev.getText();
            String[] named = switch (before) {
                case "import", "from" -> new String[] {"tx has no `" + before + "`", "built-ins need no import: write `tanh(x)`, `zeros(3)`, `grad(f)`"};
                case "def" -> new String[] {"tx defines functions with `fn`, not `def`", "e.g. `fn loss(w: [3], x: [n, 3]) -> [] { return mean(x @ w) }`"};
                case "class" -> new String[] {"tx has no classes",
                        "keep a model's parameters in tensors (or a list of them) and write its forward pass as a `fn`"};
                case "del" -> new String[] {"tx has no `del`", "a name lives until it is assigned again"};
                case "raise", "try", "except" -> new String[] {"tx has no exceptions (`" + before + "`)", null};
                case "yield", "async", "await" -> new String[] {"tx has no `" + before + "`", null};
                default -> null;
            };
            if (named != null) return new String[] {named[0], named[1], "from the word before"};
            if (prev != null && prev.getType() == TxLexer.STRING && t.getType() == TxLexer.UNKNOWN && prev.getText().equals(t.getText() + t.getText())
                    && prev.getStopIndex() + 1 == t.getStartIndex()) { // `"""` whose closing `"""` never comes: the lexer saw `""` and a `"`
                String q = t.getText().repeat(3);
                return new String[] {"this triple-quoted string is never closed", "end it with `" + q + "`", "from the token before"};
            }
            if ((t.getText().equals("&") || t.getText().equals("|")) && prev != null && prev.getText().equals(t.getText())) {
                String op = t.getText(), word = op.equals("&") ? "and" : "or";
                return new String[] {"tx, as Python, has no `" + op + op + "`",
                        "write `" + word + "` (Python's), or `" + op + "` for an elementwise " + word + " of masks: `(x > 0) " + op + " (x < 2)`", "from the token before"};
            }
            if (t.getText().equals("for") && prev != null && !java.util.Set.of("\n", "\r\n", ";", "{", "}").contains(prev.getText())) {
                return new String[] {"a `for` here starts no statement: a comprehension is written in brackets, as Python's",
                        "`[y * 2 for y in ys]` for a list, `sum(y * 2 for y in ys)` as a call's one argument, or a `for` loop"};
            }
            return null;
        }

        private String describe(Token t) {
            if (t.getType() == Token.EOF) return endName;
            if (t.getType() == TxLexer.NEWLINE) return "line break";
            if (t.getType() == TxLexer.UNKNOWN) {
                char c = t.getText().charAt(0);
                return c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c) || !Character.isDefined(c)
                        ? String.format("character U+%04X", (int) c) : "character `" + t.getText() + "`";
            }
            return "`" + t.getText() + "`";
        }

        /** ANTLR's {@code {'a', 'b', NAME}} as "`a`, `b` or a name". */
        private static String pretty(String antlrSet) {
            String s = antlrSet.trim();
            if (s.startsWith("{") && s.endsWith("}")) s = s.substring(1, s.length() - 1);
            List<String> items = new ArrayList<>();
            for (String item : s.split(", ")) {
                items.add(switch (item) {
                    case "<EOF>" -> "the end of the file";
                    case "NEWLINE" -> "a line break";
                    case "NAME" -> "a name";
                    case "NUMBER" -> "a number";
                    case "STRING" -> "a string";
                    case "FSTRING" -> "an f-string";
                    default -> item.replace("'", "`");
                });
            }
            if (items.size() == 1) return items.get(0);
            return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
        }

        @Override public void reportAmbiguity(Parser p, DFA d, int a, int b, boolean exact, BitSet alts, ATNConfigSet c) {}
    }
}
