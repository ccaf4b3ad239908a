package tx.compiler.emit;

/** Writes a {@link Derivation} as a Graphviz graph. */
public final class DotEmitter {
    private DotEmitter() {}

    public static String emit(Derivation d, String sourceName) {
        throw new Derivation.Unexpressible("DOT emission is not written yet");
    }
}
