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
 * matches brackets and braces as it goes, so that the parser never has to find out the slow way
 * that one is never closed, and it notes where nesting first goes deeper than tx allows.
 */
final class NewlineFilter implements TokenSource {
    /**
     * Deeper nesting of brackets and blocks than this is refused with a diagnostic, as CPython's
     * tokenizer refuses more than 200 nested brackets: no program a person writes comes near it,
     * and the parser, the checker and the interpreter all recurse once per level.
     */
    static final int MAX_DEPTH = 200;

    private final TxLexer lexer;
    private final Deque<Token> brackets = new ArrayDeque<>();
    private final Deque<Token> braces = new ArrayDeque<>();
    private final List<Token> unclosed = new ArrayList<>();
    private Token tooDeep;

    /** The last token that was not a line break: what a `{` follows decides whether it opens a dict or a block. */
    private Token previous;

    /** The tokens after which a `{` starts an expression, a dict literal (after anything else it opens a block). */
    private static final java.util.Set<String> DICT_AFTER = java.util.Set.of("=", "(", "[", ",", ":", "return", "in", "==", "!=", "and", "or", "not",
            "+=", "|", "|=", "**");

    NewlineFilter(TxLexer lexer) {
        this.lexer = lexer;
    }

    @Override
    public Token nextToken() {
        while (true) {
            Token t = lexer.nextToken();
            if (t.getType() == TxLexer.NEWLINE && !brackets.isEmpty()) continue;
            track(t);
            if (t.getType() != TxLexer.NEWLINE) previous = t;
            return t;
        }
    }

    private void track(Token t) {
        String text = t.getText();
        boolean dict = "{".equals(text) && previous != null && DICT_AFTER.contains(previous.getText());
        if ("(".equals(text) || "[".equals(text) || dict) {
            brackets.push(t);
        } else if ((")".equals(text) || "]".equals(text) || "}".equals(text) && !brackets.isEmpty() && "{".equals(brackets.peek().getText()))
                && !brackets.isEmpty()) {
            brackets.pop();
        } else if ("{".equals(text) || "}".equals(text) || t.getType() == Token.EOF) {
            unclosed.addAll(brackets); // a bracket still open at a brace is never closed
            brackets.clear();
            if ("{".equals(text)) braces.push(t);
            else if ("}".equals(text) && !braces.isEmpty()) braces.pop();
            else if (t.getType() == Token.EOF) unclosed.addAll(braces);
        }
        if (tooDeep == null && brackets.size() + braces.size() > MAX_DEPTH) tooDeep = t;
    }

    /** The first bracket or brace (in the file) that is never closed, or null; valid once all tokens are read. */
    Token firstUnclosed() {
        Token first = null;
        for (Token o : unclosed) if (first == null || o.getStartIndex() < first.getStartIndex()) first = o;
        return first;
    }

    /** The token at which nesting went deeper than {@link #MAX_DEPTH}, or null. */
    Token tooDeep() {
        return tooDeep;
    }

    @Override public int getLine() { return lexer.getLine(); }
    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }
    @Override public CharStream getInputStream() { return lexer.getInputStream(); }
    @Override public String getSourceName() { return lexer.getSourceName(); }
    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }
    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
