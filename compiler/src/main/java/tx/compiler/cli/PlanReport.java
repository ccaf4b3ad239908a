package tx.compiler.cli;

import java.util.List;
import java.util.Locale;
import tx.compiler.ad.Plan;
import tx.runtime.exec.RunOptions;

/**
 * {@code tx plan FILE}: for each backward and derivative transform, the tape it stores, the peak
 * of what its reversal holds, the recompute factor, and each loop's schedule, all decided while
 * compiling (shapes and trip counts are static), before anything runs.
 */
final class PlanReport {
    private PlanReport() {}

    static String render(String fileName, List<Plan.Entry> entries, long maxBytes) {
        StringBuilder sb = new StringBuilder("plan for " + fileName + (maxBytes > 0 ? " with --max-memory " + RunOptions.bytes(maxBytes) : "")
                + " (decided at compile time; nothing has run)\n");
        if (entries.isEmpty()) sb.append("no backward and no derivative transform\n");
        for (Plan.Entry e : entries) {
            sb.append("line ").append(e.line()).append(": ").append(e.what()).append(": tape ").append(RunOptions.bytes(e.tapeBytes()))
                    .append(", peak ").append(RunOptions.bytes(e.peakBytes())).append(", recompute factor ")
                    .append(String.format(Locale.ROOT, "%.2f", e.recomputeFactor())).append('\n');
            if (e.loops().isEmpty()) sb.append("  no loop: it reads the values the program keeps anyway\n");
            for (Plan.LoopPlan l : e.loops()) sb.append("  ").append(loop(l)).append('\n');
        }
        return sb.toString();
    }

    private static String loop(Plan.LoopPlan l) {
        if (l.steps() < 0) {
            return "while at line " + l.line() + ": its tape grows by " + RunOptions.bytes(l.rowBytes()) + " a step (its trip count is known only as it runs)";
        }
        String head = "loop at line " + l.line() + ", " + l.steps() + " steps: ";
        if (l.snapshots() > 0) {
            return head + "Revolve's schedule with " + l.snapshots() + " snapshots: " + (l.snapshots() + 1) + " states of " + RunOptions.bytes(l.stateBytes())
                    + " stored (" + RunOptions.bytes(l.snapshotBytes()) + ")" + (l.tapeBytes() > 0 ? ", a tape of " + RunOptions.bytes(l.tapeBytes()) : "")
                    + ", " + l.recomputed() + " steps run again";
        }
        String tape = l.tapeBytes() == 0 ? "no tape" : "a tape of " + RunOptions.bytes(l.rowBytes()) + " a step (" + RunOptions.bytes(l.tapeBytes()) + ")";
        return head + tape + (l.recomputed() > 0 ? ", the checkpointed part of each step run again" : "");
    }
}
