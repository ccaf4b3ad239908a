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
        if (diags.hasErrors()) return null; // error recovery leaves holes in the tree: report, do not check
        return new AstBuilder(diags).program(tree);
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
            diags.error("E0001", span, "syntax error: unexpected " + what, help);
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
