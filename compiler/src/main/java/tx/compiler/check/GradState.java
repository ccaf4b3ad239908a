package tx.compiler.check;

/** What the checker knows about a leaf's {@code .grad} at a program point. */
public enum GradState {
    NONE, SET, MAYBE;

    /** The state after two paths meet. */
    public GradState join(GradState other) {
        return this == other ? this : MAYBE;
    }
}
