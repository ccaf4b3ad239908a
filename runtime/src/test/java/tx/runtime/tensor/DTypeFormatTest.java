package tx.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Printing of int64 and bool tensors, and the conversions between dtypes. Every expected string is
 * what PyTorch 1.13 prints (/usr/bin/python3 after torch.set_default_dtype(torch.float64)) for the
 * same tensor, e.g. {@code torch.tensor([[1, -20], [300, 4]])} and {@code torch.tensor([], dtype=torch.int64)}.
 */
class DTypeFormatTest {
    private static String show(DType d, int[] shape, double... data) {
        return TensorFormat.format(Tensor.of(shape, data), d, null);
    }

    @Test
    void int64TensorsPrintWholeNumbersAligned() {
        assertEquals("tensor([0, 2, 1])", show(DType.INT64, new int[] {3}, 0, 2, 1));
        assertEquals("tensor([[  1, -20],\n        [300,   4]])", show(DType.INT64, new int[] {2, 2}, 1, -20, 300, 4));
        assertEquals("tensor(3)", show(DType.INT64, new int[] {}, 3));
        assertEquals("tensor([-5])", show(DType.INT64, new int[] {1}, -5));
        assertEquals("tensor([[1000,    2],\n        [   3,    4]])", show(DType.INT64, new int[] {2, 2}, 1000, 2, 3, 4));
    }

    @Test
    void boolTensorsPrintTrueAndFalseAligned() {
        assertEquals("tensor([ True, False])", show(DType.BOOL, new int[] {2}, 1, 0));
        assertEquals("tensor([True, True, True])", show(DType.BOOL, new int[] {3}, 1, 1, 1));
        assertEquals("tensor([[ True, False],\n        [False,  True]])", show(DType.BOOL, new int[] {2, 2}, 1, 0, 0, 1));
        assertEquals("tensor(False)", show(DType.BOOL, new int[] {}, 0));
    }

    @Test
    void emptyTensorsShowTheirDtypeUnlessFloat64() {
        assertEquals("tensor([], dtype=torch.int64)", show(DType.INT64, new int[] {0}));
        assertEquals("tensor([], size=(0, 2), dtype=torch.bool)", show(DType.BOOL, new int[] {0, 2}));
        assertEquals("tensor([])", show(DType.FLOAT64, new int[] {0}));
    }

    @Test
    void longRowsWrapAndBigOnesAreSummarized() {
        assertEquals("tensor([0, 0, 0,  ..., 0, 0, 0])", show(DType.INT64, new int[] {2000}, new double[2000]));
        assertEquals("tensor([                  -2,                    2, -9223372036854775808,\n                           0,                    0])",
                show(DType.INT64, new int[] {5}, -2, 2, -0x1p63, 0, 0));
    }

    @Test
    void conversionsTruncateAndTestForNonZero() {
        // torch.tensor([-2.5, 2.7, nan, -0.0]).long() is [-2, 2, -9223372036854775808, 0]; .bool() of [0, nan, -0.0, 3] is [F, T, F, T]
        assertEquals(-2.0, DType.INT64.convert(-2.5));
        assertEquals(2.0, DType.INT64.convert(2.7));
        assertEquals(-0x1p63, DType.INT64.convert(Double.NaN));
        assertEquals(0.0, DType.INT64.convert(-0.0)); // int64 has no -0
        assertEquals(1.0, DType.BOOL.convert(Double.NaN));
        assertEquals(0.0, DType.BOOL.convert(-0.0));
        assertEquals(DType.FLOAT64, DType.promote(DType.INT64, DType.FLOAT64));
        assertEquals(DType.INT64, DType.promote(DType.BOOL, DType.INT64));
        assertEquals("torch.int64", DType.INT64.toString());
        assertEquals(DType.INT64, DType.named("torch.long"));
        assertEquals(DType.FLOAT64, DType.named("float"));
    }
}
