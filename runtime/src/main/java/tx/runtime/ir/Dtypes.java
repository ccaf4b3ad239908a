package tx.runtime.ir;

import java.util.List;
import tx.runtime.tensor.DType;

/**
 * The dtype rule of every primitive (LANGUAGE.md §3): the output's dtype from the operands' and the
 * attribute, PyTorch's. The builder applies it to every equation it makes, as it applies the shape
 * rules. The kernels compute the same numbers for every dtype (see {@link DType}), so the rule
 * decides what a value prints as and what the lowering accepts, never the value itself.
 */
public final class Dtypes {
    private Dtypes() {}

    public static DType of(Prim p, List<DType> in, Object attr) {
        return switch (p) {
            // functions that make floats of anything (torch.exp of an int64 tensor is float64), and true division
            case EXP, LOG, SIN, COS, TAN, TANH, SIGMOID, SQRT, ASIN, ACOS, ATAN, LOG1P, EXPM1, DIV, ATAN2, PROD_OTHERS -> DType.FLOAT64;
            case DET, SIGNDET, LOGABSDET, QR_Q, QR_R, EIGH, SVD, INVERSE, SOLVE, TRI_SOLVE, CHOLESKY -> DType.FLOAT64; // the lowering converts to float64 first
            // convolutions are of floats (the lowering converts); a pooling picks values of its second operand
            case CONV, CONV_INPUT, CONV_WEIGHT -> DType.FLOAT64;
            case MAX_POOL, MAX_UNPOOL -> in.get(1);
            // the dtype of the operand: exact on whole numbers
            case NEG, ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC, STOP_GRAD, MAX, RESHAPE, TRANSPOSE, EXPAND, SLICE, PAD, TAKE, PUT, DYNAMIC_SLICE, DYNAMIC_PAD, FLIP,
                 GATHER -> in.get(0);
            // PyTorch's promotion: the higher category
            case ADD, SUB, MUL, POW, MAXIMUM, MINIMUM, REMAINDER, FLOOR_DIVIDE, FMOD, MATMUL, CAT, SCATTER_ADD, SCATTER, BITWISE_AND, BITWISE_OR,
                 BITWISE_XOR -> promoted(in, 0);
            case WHERE -> promoted(in, 1);
            case LT, LE, GT, GE, EQ, NE, FIRST_MAX -> DType.BOOL; // FIRST_MAX: a mask
            // sums and products of bools and ints are int64 (torch.sum of a bool tensor counts)
            case SUM, PROD, CUMSUM, CUMPROD -> in.get(0) == DType.FLOAT64 ? DType.FLOAT64 : DType.INT64;
            case ARGMAX, ARGSORT, NONZERO, GEN_SEED, GEN_NEXT -> DType.INT64;
            case CAST -> (DType) attr;
            case CONST -> ((Attrs.Const) attr).dtype();
            case FILL -> ((Attrs.Fill) attr).dtype();
            case RANDOM -> DType.FLOAT64;
            case GEN_DRAW -> ((Attrs.Draw) attr).kind().floats() ? DType.FLOAT64 : DType.INT64;
            case LOAD -> ((Attrs.Load) attr).dtype(); // the file's: float, int or bool
        };
    }

    /** The promotion of the operands from {@code from} on (where's condition does not take part). */
    private static DType promoted(List<DType> in, int from) {
        DType d = DType.BOOL;
        for (int i = from; i < in.size(); i++) d = DType.promote(d, in.get(i));
        return d;
    }
}
