package tx.compiler.syntax;

/** One message for the user: a code (E0301), a sentence, where, and an optional help text. */
public record Diagnostic(Severity severity, String code, String message, Span span, String help, String note) {
    public Diagnostic(Severity severity, String code, String message, Span span, String help) {
        this(severity, code, message, span, help, null);
    }

    public enum Severity {
        ERROR("error"),
        WARNING("warning");

        final String word;

        Severity(String word) {
            this.word = word;
        }
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
