package tx.compiler.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tx.compiler.ad.Revolve.Action;
import tx.compiler.ad.Revolve.Kind;

/**
 * The binomial schedule against the paper's numbers: the forward steps it takes equal the closed
 * form t(l, s) = r·l − β(s + 1, r − 1), β(s, r) = C(s + r, s) (computed here with BigInteger, not
 * by the class), and that closed form equals, for small sizes, the minimum found by trying every
 * split; every schedule, run on a model of the states, reverses each step exactly once, from the
 * last down to the first, from the right state, with at most s states stored.
 */
class RevolveTest {
    /** C(s + r, s), exactly. */
    private static long binomial(int s, long r) {
        if (r < 0) return 0;
        BigInteger c = BigInteger.ONE;
        for (int i = 1; i <= s; i++) c = c.multiply(BigInteger.valueOf(r + i)).divide(BigInteger.valueOf(i));
        return c.longValueExact();
    }

    /** The paper's t(l, s), from its definition: r is the least with C(s + r, s) ≥ l. */
    private static long paperMinimum(long l, int s) {
        if (l <= 1) return 0;
        long r = 0;
        while (binomial(s, r) < l) r++;
        return r * l - binomial(s + 1, r - 1);
    }

    /** The least forward steps over every recursive split (dynamic programming), for small sizes. */
    private static long tryEverySplit(int l, int s, Map<Long, Long> memo) {
        if (l <= 1) return 0;
        if (s <= 0) return Long.MAX_VALUE / 4;
        long key = (long) l << 20 | s;
        Long known = memo.get(key);
        if (known != null) return known;
        long best = Long.MAX_VALUE;
        for (int m = 1; m < l; m++) {
            long rest = l - m == 1 ? 0 : tryEverySplit(l - m, s - 1, memo);
            best = Math.min(best, m + rest + tryEverySplit(m, s, memo));
        }
        memo.put(key, best);
        return best;
    }

    /** Runs the actions on a model where a state is the number of its step; fails on any action that is not allowed. */
    private static void replay(Revolve r) {
        int steps = r.steps(), snaps = r.snaps();
        int[] slots = new int[snaps];
        java.util.Arrays.fill(slots, -1);
        int current = 0, next = steps - 1, turns = 0;
        for (Action a : r.actions()) {
            switch (a.kind()) {
                case TAKESHOT -> {
                    assertTrue(a.slot() >= 0 && a.slot() < snaps, "slot out of range: " + a);
                    assertEquals(current, a.step(), "stores the current state: " + a);
                    slots[a.slot()] = current;
                }
                case ADVANCE -> {
                    assertTrue(a.step() > current && a.step() <= next, "advances forwards, not past the next step to reverse: " + a);
                    current = a.step();
                }
                case RESTORE -> {
                    assertEquals(a.step(), slots[a.slot()], "restores what the slot holds: " + a);
                    current = slots[a.slot()];
                }
                case FIRSTURN, YOUTURN -> {
                    assertEquals(turns == 0 ? Kind.FIRSTURN : Kind.YOUTURN, a.kind());
                    assertEquals(next, a.step(), "reverses the steps from the last down");
                    assertEquals(next, current, "reverses a step from its own state");
                    next--;
                    turns++;
                    current = -1; // the reversal leaves no state to advance from
                }
            }
        }
        assertEquals(steps, turns, "every step reversed once");
    }

    @Test
    void theClosedFormIsTheLeastOverEverySplit() {
        Map<Long, Long> memo = new HashMap<>();
        for (int s = 1; s <= 6; s++) {
            for (int l = 1; l <= 120; l++) assertEquals(tryEverySplit(l, s, memo), paperMinimum(l, s), "l=" + l + " s=" + s);
        }
    }

    @Test
    void theScheduleTakesTheMinimalNumberOfForwardSteps() {
        for (int s = 1; s <= 9; s++) {
            for (int l = 1; l <= 200; l++) {
                Revolve r = Revolve.of(l, s);
                replay(r);
                assertEquals(paperMinimum(l, s), r.advanced(), "steps=" + l + " snaps=" + s);
                assertEquals(paperMinimum(l, s), Revolve.forwardSteps(l, s), "closed form, steps=" + l + " snaps=" + s);
            }
        }
    }

    @Test
    void longLoops() {
        int[][] cases = {{10_000, 20}, {10_000, 2}, {10_000, 1}, {100_000, 10}, {1_000, 1_000}, {1_000, 3}};
        for (int[] c : cases) {
            Revolve r = Revolve.of(c[0], c[1]);
            replay(r);
            assertEquals(paperMinimum(c[0], c[1]), r.advanced(), "steps=" + c[0] + " snaps=" + c[1]);
        }
        // 10,000 steps and 20 snapshots: r = 4, since C(23, 3) = 1771 < 10,000 <= C(24, 4) = 10,626
        assertEquals(4 * 10_000 - binomial(21, 3), Revolve.of(10_000, 20).advanced());
    }

    @Test
    void enoughSnapshotsAdvanceEachStepOnce() {
        Revolve r = Revolve.of(5, 5);
        assertEquals("[takeshot(0, slot 0), advance(1), takeshot(1, slot 1), advance(2), takeshot(2, slot 2), advance(3), takeshot(3, slot 3),"
                + " advance(4), firsturn(4), restore(3, slot 3), youturn(3), restore(2, slot 2), youturn(2), restore(1, slot 1), youturn(1),"
                + " restore(0, slot 0), youturn(0)]", r.actions().toString());
        assertEquals(4, r.advanced());
    }

    @Test
    void oneSnapshotStartsOverForEveryStep() {
        assertEquals(3 + 2 + 1, Revolve.of(4, 1).advanced());
    }

    @Test
    void nothingToReverseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Revolve.of(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Revolve.of(3, 0));
    }
}
