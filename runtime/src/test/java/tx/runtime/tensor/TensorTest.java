package tx.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Tensor's factories refuse what is not a tensor with a message that names the problem, never a bare exception. */
class TensorTest {
    @Test
    void aNegativeSizeIsRefused() {
        // [-2, -3] has "6" elements by multiplication, and summed to 0 before
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {-2, -3}, new double[6]));
        assertEquals("Tensor.of: shape [-2, -3] has a negative size, -2 at dimension 0", e.getMessage());
        assertEquals("Tensor.of: shape [2, -1] has a negative size, -1 at dimension 1",
                assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {2, -1}, new double[0])).getMessage());
        assertEquals("Tensor.full: shape [-1] has a negative size, -1 at dimension 0",
                assertThrows(IllegalArgumentException.class, () -> Tensor.full(new int[] {-1}, 1)).getMessage());
        assertEquals("Tensor.zeros: shape [3, -4] has a negative size, -4 at dimension 1",
                assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, -4)).getMessage());
        assertEquals("Tensor.reshape: shape [-2, -3] has a negative size, -2 at dimension 0",
                assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(6).reshape(new int[] {-2, -3})).getMessage());
    }

    @Test
    void nullArgumentsAreNamed() {
        assertEquals("Tensor.of: shape is null", assertThrows(NullPointerException.class, () -> Tensor.of(null, new double[1])).getMessage());
        assertEquals("Tensor.of: data is null", assertThrows(NullPointerException.class, () -> Tensor.of(new int[] {1}, null)).getMessage());
        assertEquals("Tensor.full: shape is null", assertThrows(NullPointerException.class, () -> Tensor.full(null, 0)).getMessage());
        assertEquals("Tensor.zeros: shape is null", assertThrows(NullPointerException.class, () -> Tensor.zeros((int[]) null)).getMessage());
        assertEquals("Tensor.reshape: shape is null", assertThrows(NullPointerException.class, () -> Tensor.zeros(1).reshape(null)).getMessage());
    }

    @Test
    void theDataMustFitTheShape() {
        assertEquals("Tensor.of: shape [2, 3] needs 6 elements, got 5",
                assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {2, 3}, new double[5])).getMessage());
        assertEquals("Tensor.of: shape [65536, 65536] has 4294967296 elements, more than a tensor holds (2147483639)",
                assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {65536, 65536}, new double[0])).getMessage());
        // what is allowed: empty dimensions and scalars
        assertArrayEquals(new int[] {0, 3}, Tensor.of(new int[] {0, 3}, new double[0]).shape());
        assertEquals(2.5, Tensor.of(new int[0], new double[] {2.5}).item());
    }
}
