package tx.compiler.syntax;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import tx.compiler.syntax.gen.TxLexer;

/**
 * Drops line breaks inside (...) and [...], as Python's tokenizer does, so that a call or a
 * tensor literal may span lines while a line break still ends a statement elsewhere. It also
 * remembers which brackets are never closed, so that the parser's error can point at them. A
 * brace resets the bracket depth: an unclosed bracket cannot swallow the rest of the file.
 */
final class NewlineFilter implements TokenSource {
    private final TxLexer lexer;
    private final Deque<Token> open = new ArrayDeque<>();
    private final List<Token> unclosed = new ArrayList<>();

    NewlineFilter(TxLexer lexer) {
        this.lexer = lexer;
    }

    @Override
    public Token nextToken() {
        while (true) {
            Token t = lexer.nextToken();
            String text = t.getText();
            if (t.getType() == TxLexer.NEWLINE && !open.isEmpty()) continue;
            if ("(".equals(text) || "[".equals(text)) {
                open.push(t);
            } else if ((")".equals(text) || "]".equals(text)) && !open.isEmpty()) {
                open.pop();
            } else if ("{".equals(text) || "}".equals(text) || t.getType() == Token.EOF) {
                unclosed.addAll(open);
                open.clear();
            }
            return t;
        }
    }

    /** The innermost bracket opened before {@code t}, on an earlier line, and never closed; or null. */
    Token unclosedBefore(Token t) {
        Token best = null;
        for (Token o : unclosed) {
            if (o.getStartIndex() < t.getStartIndex() && o.getLine() < t.getLine()
                    && (best == null || o.getStartIndex() > best.getStartIndex())) {
                best = o;
            }
        }
        return best;
    }

    @Override public int getLine() { return lexer.getLine(); }
    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }
    @Override public CharStream getInputStream() { return lexer.getInputStream(); }
    @Override public String getSourceName() { return lexer.getSourceName(); }
    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }
    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
