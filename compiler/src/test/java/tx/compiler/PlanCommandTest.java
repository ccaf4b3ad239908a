package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code tx plan}: per backward and transform, the tape, the peak and the recompute factor, from
 * compiling alone (the bench recurrences: 10,000 steps, a state of 128 float64s, four values a
 * step read by the reversal). The expected numbers are worked out here from the shapes and the
 * paper's closed form, not read from the compiler.
 */
class PlanCommandTest {
    private static String plan(String file, String... more) {
        String[] args = new String[2 + more.length];
        args[0] = "plan";
        args[1] = TxRunner.root().resolve(file).toString();
        System.arraycopy(more, 0, args, 2, more.length);
        TxRunner.Outcome o = TxRunner.run(args);
        assertEquals(0, o.status(), o.err());
        return o.out();
    }

    @Test
    void thePlainLoopTapesFourRowsAStep() {
        String out = plan("bench/recurrence_plain.tx");
        // 4 values of 128 float64s a step, 10,000 steps: 40,960,000 bytes = 39.1 MiB; nothing recomputed
        assertTrue(out.contains("line 15: backward: tape 39.1 MiB, peak 39.1 MiB, recompute factor 0.00"), out);
        assertTrue(out.contains("loop at line 8, 10000 steps: a tape of 4096 bytes a step (39.1 MiB)"), out);
    }

    @Test
    void checkpointingTapesTheStateAndRecomputesOnce() {
        String out = plan("bench/recurrence_checkpoint.tx");
        assertTrue(out.contains("line 16: backward: tape 9.8 MiB, peak 9.8 MiB, recompute factor 1.00"), out);
    }

    @Test
    void revolveStoresTwentyOneStates() {
        String out = plan("bench/recurrence_revolve.tx");
        // r = 4 (C(23, 3) = 1771 < 10,000 <= C(24, 4) = 10,626); t = 4 * 10,000 - C(24, 3) = 37,976 forward steps, of
        // which the first sweep's 9,999 are the forward loop's own; the reversal runs 27,977 and recomputes each of the
        // 10,000 steps once more: 37,977 / 10,000 = 3.80
        long t = 4 * 10_000 - 24 * 23 * 22 / 6;
        long again = t - 9_999 + 10_000;
        assertTrue(out.contains("loop at line 9, 10000 steps: Revolve's schedule with 20 snapshots: 21 states of 1024 bytes stored (21504 bytes), "
                + again + " steps run again"), out);
        assertTrue(out.contains("line 17: backward: tape 21504 bytes, peak 43008 bytes, recompute factor 3.80"), out);
    }

    @Test
    void maxMemoryChoosesTheSchedule() throws java.io.IOException {
        String plain = java.nio.file.Files.readString(TxRunner.root().resolve("bench/recurrence_plain.tx"));
        String around = plain.replace("for t in range(10000) {", "with checkpoint {\nfor t in range(10000) {").replace("loss = sum", "}\nloss = sum");
        java.nio.file.Path f = java.nio.file.Files.createTempFile("plan", ".tx");
        f.toFile().deleteOnExit();
        java.nio.file.Files.writeString(f, around);
        // a quarter of 1M holds 256 states of 1 KiB: 255 snapshots and the last step's state
        TxRunner.Outcome o = TxRunner.run("plan", f.toString(), "--max-memory", "1M");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("with --max-memory 1.0 MiB"), o.out());
        assertTrue(o.out().contains("Revolve's schedule with 255 snapshots: 256 states of 1024 bytes stored"), o.out());
        // without a budget, one state a step
        TxRunner.Outcome free = TxRunner.run("plan", f.toString());
        assertTrue(free.out().contains("a tape of 1024 bytes a step (9.8 MiB)"), free.out());
        TxRunner.Outcome none = TxRunner.run("plan", f.toString(), "--max-memory", "4K");
        assertEquals(1, none.status(), none.err());
        assertTrue(none.err().contains("error[E0312]"), none.err());
        assertTrue(none.out().isEmpty(), none.out());
    }
}
