package tx.compiler.syntax;

import java.util.BitSet;
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
        TxParser parser = new TxParser(new CommonTokenStream(new NewlineFilter(lexer)));
        parser.removeErrorListeners();
        parser.addErrorListener(new Listener(diags));
        TxParser.ProgramContext tree = parser.program();
        if (diags.hasErrors()) return null; // error recovery leaves holes in the tree: report, do not check
        return new AstBuilder(diags).program(tree);
    }

    /** Rewords ANTLR's messages for a tx user and keeps them with their position. */
    private static final class Listener extends BaseErrorListener {
        private final Diagnostics diags;

        Listener(Diagnostics diags) {
            this.diags = diags;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
                                RecognitionException e) {
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

        private static String describe(Token t) {
            if (t.getType() == Token.EOF) return "end of file";
            if (t.getType() == TxLexer.NEWLINE) return "line break";
            if (t.getType() == TxLexer.UNKNOWN) return "character `" + t.getText() + "`";
            return "`" + t.getText() + "`";
        }

        private static String pretty(String antlrSet) {
            return antlrSet.replace("'", "`").replace("<EOF>", "end of file").replace("NEWLINE", "line break")
                    .replace("NAME", "a name").replace("NUMBER", "a number").replace("STRING", "a string");
        }

        @Override public void reportAmbiguity(Parser p, DFA d, int a, int b, boolean exact, BitSet alts, ATNConfigSet c) {}
    }
}
