package tx.compiler.syntax;

import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.CharStream;
import tx.compiler.syntax.gen.TxLexer;

/**
 * Drops line breaks inside (...) and [...], as Python's tokenizer does, so that a call or a
 * tensor literal may span lines while a line break still ends a statement elsewhere. Unbalanced
 * closers never drive the depth below zero; the parser reports them.
 */
final class NewlineFilter implements TokenSource {
    private final TxLexer lexer;
    private int depth;

    NewlineFilter(TxLexer lexer) {
        this.lexer = lexer;
    }

    @Override
    public Token nextToken() {
        while (true) {
            Token t = lexer.nextToken();
            String text = t.getText();
            if (t.getType() == TxLexer.NEWLINE && depth > 0) continue;
            if ("(".equals(text) || "[".equals(text)) depth++;
            else if ((")".equals(text) || "]".equals(text)) && depth > 0) depth--;
            else if ("{".equals(text) || "}".equals(text)) depth = 0;
            return t;
        }
    }

    @Override public int getLine() { return lexer.getLine(); }
    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }
    @Override public CharStream getInputStream() { return lexer.getInputStream(); }
    @Override public String getSourceName() { return lexer.getSourceName(); }
    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }
    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
