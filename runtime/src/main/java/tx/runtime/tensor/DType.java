package tx.runtime.tensor;

/**
 * A tensor's element type (LANGUAGE.md §3): float64, int64 or bool. Every tensor is stored as
 * float64 numbers whatever its dtype, so the kernels are the same for all three: an int64 holds a
 * whole number, a bool 0 or 1. NOTE: that is exact for every int64 up to 2^53 in magnitude; past
 * it an int64 holds the nearest float64 (docs/language.md lists this as a difference from PyTorch).
 * The dtype decides printing, PyTorch's type promotion and which operations the checker accepts.
 *
 * <p>The order is PyTorch's order of categories (bool &lt; integer &lt; floating), which with one
 * dtype per category makes type promotion the larger of the operands' dtypes.
 */
public enum DType {
    BOOL("bool"), INT64("int64"), FLOAT64("float64");

    private final String text;

    DType(String text) {
        this.text = text;
    }

    /** PyTorch's name without the prefix: {@code float64}, {@code int64}, {@code bool}. */
    public String text() {
        return text;
    }

    /** PyTorch's C++ scalar type name, as its error messages say it: {@code Double}, {@code Long}, {@code Bool}. */
    public String scalarTypeName() {
        return switch (this) {
            case FLOAT64 -> "Double";
            case INT64 -> "Long";
            case BOOL -> "Bool";
        };
    }

    /** How PyTorch prints it: {@code torch.float64}. */
    @Override public String toString() {
        return "torch." + text;
    }

    public boolean isFloat() {
        return this == FLOAT64;
    }

    /**
     * PyTorch's result type of an arithmetic operation on operands of dtypes a and b: the higher
     * category (bool &lt; int64 &lt; float64). Since tx has one dtype per category, dimensioned
     * tensors, 0-dimensional ones and Python scalars all promote the same way.
     */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * A value stored as this dtype: int64 truncates toward zero (nan and out-of-range values give
     * -2^63, as PyTorch's conversion on x86 does), bool is {@code x != 0} (nan is true).
     */
    public double convert(double x) {
        return switch (this) {
            case FLOAT64 -> x;
            case BOOL -> x != 0 ? 1 : 0;
            case INT64 -> Double.isNaN(x) || x >= 0x1p63 || x < -0x1p63 ? -0x1p63 : (x < 0 ? Math.ceil(x) : Math.floor(x)) + 0.0;
        };
    }

    /** A dtype's name as PyTorch spells it (with or without {@code torch.}), or null. */
    public static DType named(String name) {
        String n = name.startsWith("torch.") ? name.substring(6) : name;
        return switch (n) {
            case "float64", "double", "float" -> FLOAT64;
            case "int64", "long" -> INT64;
            case "bool" -> BOOL;
            default -> null;
        };
    }
}
