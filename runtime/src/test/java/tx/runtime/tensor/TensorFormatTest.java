package tx.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares {@link TensorFormat} and {@link PyFloat} with what PyTorch 1.13 and CPython print, byte for
 * byte. The expectations live in {@code src/test/resources/print/} and are written by
 * {@code conformance/print/gen_print_cases.py}, which runs real PyTorch; regenerate them there, never
 * by hand.
 */
class TensorFormatTest {
    private static final String TENSOR_CASES = "/print/tensor_cases.txt";
    private static final String FLOAT_CASES = "/print/float_repr.txt";

    /** One tensor fixture: the input PyTorch printed and what it printed. */
    record TensorCase(String name, int[] shape, double[] data, String suffix, String expected) {}

    @TestFactory
    Stream<DynamicTest> tensorsPrintLikePyTorch() throws IOException {
        return readTensorCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () ->
                assertEquals(c.expected(), TensorFormat.format(Tensor.of(c.shape(), c.data()), c.suffix()))));
    }

    @TestFactory
    Stream<DynamicTest> floatsReprLikePython() throws IOException {
        return readLines(FLOAT_CASES).stream().filter(line -> !line.startsWith("#")).map(line -> {
            String[] parts = line.split(" ", 2);
            double v = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
            return DynamicTest.dynamicTest(parts[0] + " " + parts[1], () -> assertEquals(parts[1], PyFloat.repr(v)));
        });
    }

    @Test
    void fixturesAreLargeEnough() throws IOException {
        assertTrue(readTensorCases().size() >= 80, "tensor cases");
        assertTrue(readLines(FLOAT_CASES).size() >= 50, "float repr cases");
    }

    /**
     * Printing takes time in proportion to what it prints: a tensor of rank 100,000 with one element
     * prints as 100,000 brackets each side in well under a second (building each level's text from
     * the next one's took about ten seconds, quadratic in the rank). The recursion needs a deep stack,
     * as Main.main gives it.
     */
    @Test
    void aTensorOfHighRankPrintsInLinearTime() throws InterruptedException {
        int rank = 100_000;
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        String[] printed = new String[1];
        long[] nanos = new long[1];
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                long t0 = System.nanoTime();
                printed[0] = TensorFormat.format(Tensor.of(shape, new double[] {1}), null);
                nanos[0] = System.nanoTime() - t0;
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "deep", 1L << 29);
        t.start();
        t.join();
        assertEquals(null, thrown[0] == null ? null : thrown[0].toString());
        assertTrue(("tensor(" + "[".repeat(rank) + "1." + "]".repeat(rank) + ")").equals(printed[0]), "100,000 brackets each side of 1.");
        assertTrue(nanos[0] < 3_000_000_000L, "printing took " + nanos[0] / 1e6 + " ms");
    }

    @Test
    void examplesFromTheLanguageGuide() {
        assertEquals("tensor([2., 2., 2.])", TensorFormat.format(Tensor.of(new int[] {3}, new double[] {2, 2, 2}), null));
        assertEquals("tensor(6.)", TensorFormat.format(Tensor.scalar(6.0), null));
        assertEquals("tensor([], size=(0, 3))", TensorFormat.format(Tensor.of(new int[] {0, 3}, new double[0]), null));
        assertEquals("2.0", PyFloat.repr(2.0));
        assertEquals("1e-05", PyFloat.repr(1e-5));
    }

    @Test
    void pythonFormatSpecsRoundTheBinaryValueHalfToEven() {
        assertEquals("0.0312", PyFloat.formatFixed(0.03125, 4));
        assertEquals("-0.0000", PyFloat.formatFixed(-0.0, 4));
        assertEquals("1.0312e+00", PyFloat.formatSci(1.03125, 4));
        assertEquals("1e+00", PyFloat.formatSci(1.0, 0));
        assertEquals("4.9407e-324", PyFloat.formatSci(Double.MIN_VALUE, 4));
    }

    private static List<TensorCase> readTensorCases() throws IOException {
        List<String> lines = readLines(TENSOR_CASES);
        List<TensorCase> cases = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).startsWith("#")) {
                i++;
                continue;
            }
            String name = field(lines.get(i++), "case");
            int[] shape = parseShape(field(lines.get(i++), "shape"));
            double[] data = parseData(field(lines.get(i++), "data"));
            String suffix = lines.get(i).startsWith("suffix ") ? field(lines.get(i++), "suffix") : null;
            int count = Integer.parseInt(field(lines.get(i++), "expect"));
            String expected = String.join("\n", lines.subList(i, i + count));
            i += count;
            cases.add(new TensorCase(name, shape, data, suffix, expected));
        }
        return cases;
    }

    /** The text after {@code key} on a line {@code "key value"} (or {@code "key"} alone: empty). */
    private static String field(String line, String key) {
        assertTrue(line.equals(key) || line.startsWith(key + " "), () -> "expected '" + key + "' but found: " + line);
        return line.length() == key.length() ? "" : line.substring(key.length() + 1);
    }

    private static int[] parseShape(String text) {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    /** Python reprs of floats; {@code nan}, {@code inf} and {@code -inf} are the only non-Java spellings. */
    private static double[] parseData(String text) {
        if (text.isEmpty()) return new double[0];
        return Arrays.stream(text.split(" ")).mapToDouble(s -> switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        }).toArray();
    }

    private static List<String> readLines(String resource) throws IOException {
        try (InputStream in = TensorFormatTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test resource " + resource);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return reader.lines().toList();
        }
    }
}
