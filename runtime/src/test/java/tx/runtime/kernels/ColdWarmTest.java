package tx.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tx.runtime.kernels.Inputs.Fn;
import tx.runtime.tensor.Tensor;

/**
 * The same expression gives the same bits whatever the JIT has done: on its first evaluation and
 * after thousands (when C2 has compiled the kernels), in this JVM and in a fresh one that only
 * interprets ({@code -Xint}), and without the Vector API module.
 */
class ColdWarmTest {
    /** Above the threshold: the lane kernels. */
    static final int LARGE = Vectorized.THRESHOLD + 13; // the lane kernels and a tail: small, since -Xint interprets every lane operation
    /** Below it: Math's functions. */
    static final int SMALL = 1000;

    /** Every function over a large and a small tensor, as one line each of name and hash of the result's bits. */
    static List<String> hashes() {
        List<String> out = new ArrayList<>();
        for (Fn fn : Fn.values()) {
            for (int n : new int[] {LARGE, SMALL}) out.add(fn + " " + n + " " + hash(Elementwise.map(input(n), fn.op())));
        }
        return out;
    }

    static Tensor input(int n) {
        double[] specials = Inputs.specials(), random = Inputs.random(n, 2024);
        System.arraycopy(specials, 0, random, 0, Math.min(n / 4, specials.length));
        return Tensor.of(new int[] {n}, random);
    }

    static long hash(Tensor t) {
        long h = 1125899906842597L;
        for (double v : t.data()) h = 31 * h + Double.doubleToRawLongBits(v);
        return h;
    }

    @Test
    void warmEvaluationsGiveTheFirstOnesBits() {
        Tensor x = input(1 << 16);
        for (Fn fn : Fn.values()) {
            long first = hash(Elementwise.map(x, fn.op()));
            for (int i = 0; i < 400; i++) Elementwise.map(x, fn.op()); // 400 x 2^16 elements: C2 compiles the loops
            assertEquals(first, hash(Elementwise.map(x, fn.op())), fn + ": warm bits differ from the first evaluation's");
        }
    }

    @Test
    void anInterpretingJvmGivesTheWarmBits() throws Exception {
        List<String> warm = warmHashes();
        assertEquals(warm, child("-Xint", "--add-modules", "jdk.incubator.vector"));
    }

    @Test
    void aJvmWithoutTheVectorApiGivesTheSameBits() throws Exception {
        List<String> warm = warmHashes();
        assertEquals(warm, child("-XX:+UseSerialGC"));
    }

    private static List<String> warmHashes() {
        for (int i = 0; i < 200; i++) hashes();
        return hashes();
    }

    /** The hashes printed by {@link Child} in a new JVM with these options. */
    private static List<String> child(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(Arrays.asList(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), text);
        List<String> lines = Arrays.asList(text.strip().split("\n"));
        assertEquals(String.valueOf(Options.vector(options)), lines.get(0), "whether the child had the Vector API");
        return lines.subList(1, lines.size());
    }

    private static final class Options {
        static boolean vector(String[] options) {
            return Arrays.asList(options).contains("jdk.incubator.vector");
        }
    }

    /** The child JVM's main: whether it has the Vector API, then {@link #hashes()}, cold. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(Elementwise.vectorApi());
            for (String line : hashes()) System.out.println(line);
        }
    }
}
