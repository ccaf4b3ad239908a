package tx.compiler.emit;

/** Writes a {@link Derivation} as one standalone Java source file. */
public final class JavaEmitter {
    private JavaEmitter() {}

    public static String emit(Derivation d, String sourceName) {
        throw new Derivation.Unexpressible("Java emission is not written yet");
    }
}
