package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tx.compiler.api.Tx;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * One program for every size against one program per shape, on random functions: each gradient
 * program of {@link ProgramGenerator} becomes a function of its leaves whose sizes (those of 2 and
 * more) are named dimensions, one name per size, and the Java API calls it, and its gradient with
 * respect to every leaf, at the generated sizes and at two other sets of sizes. Where the program
 * per shape runs, the program for every size must give the same bits (-0.0 and nan included);
 * where the program per shape stops at run time, it must stop too. Where sizes that no longer fit
 * make the program per shape a compile error, there is nothing to compare: the program for every
 * size checks them when it runs, and may run where the mismatch is in code that never runs (a
 * loop body that a {@code continue} skips), as Python does. Neither may throw anything but a diagnostic. At least a quarter of the functions must compile once. {@code -Dtx.fuzz.anysize=N} sets
 * the number of programs.
 */
class AnySizeFuzzTest {
    private static final int CASES = Integer.getInteger("tx.fuzz.anysize", 150);
    private static final long SEED = FuzzTest.parseSeed(System.getProperty("tx.fuzz.seed", "20261127")) ^ 0x414E5953L;

    @Test
    void oneProgramForEverySizeGivesTheBitsOfTheProgramPerShape() {
        List<String> failures = new ArrayList<>();
        int functions = 0, once = 0, compared = 0;
        for (int i = 0; i < CASES * 4 && functions < CASES; i++) {
            ProgramGenerator.Program p = ProgramGenerator.generate(SEED + i);
            if (p.kind() != ProgramGenerator.Kind.GRADIENT || p.gradient() == null) continue;
            ProgramGenerator.GradientSpec g = p.gradient();
            Map<Integer, String> names = names(g.shapes());
            if (names.isEmpty()) continue;
            String source = function(g, names);
            Tx.Module m;
            try {
                m = Tx.compile("f.tx", source);
            } catch (Tx.TxException notAFunction) {
                continue;
            }
            functions++;
            Tx.Function f = m.function("f"), grad = m.grad("f", g.leaves().toArray(String[]::new));
            boolean compilesOnce;
            try {
                compilesOnce = f.compilesOnce() && grad.compilesOnce();
            } catch (RuntimeException e) {
                failures.add("seed " + (SEED + i) + ": compiling for every size threw " + e + "\n" + source);
                continue;
            }
            if (!compilesOnce) continue;
            once++;
            for (int scale = 0; scale < 3; scale++) {
                Tensor[] args = arguments(g.shapes(), names, scale);
                for (Tx.Function t : List.of(f, grad)) {
                    String problem = compare(t, args);
                    if (problem != null) failures.add("seed " + (SEED + i) + " at sizes " + sizes(args) + ": " + problem + "\n" + source);
                    compared++;
                }
            }
        }
        System.out.println("tx any-size fuzz: " + once + " of " + functions + " functions compiled once, " + compared + " calls compared, "
                + failures.size() + " differ");
        assertTrue(failures.isEmpty(), failures.size() + " differ:\n" + String.join("\n\n", failures));
        assertTrue(once * 4 >= functions, "only " + once + " of " + functions + " functions compiled once");
    }

    /** A name for each size of 2 or more among the leaves' shapes (sizes of 1 broadcast, and stay). */
    private static Map<Integer, String> names(List<int[]> shapes) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (int[] s : shapes) for (int d : s) if (d >= 2) out.putIfAbsent(d, "n" + d);
        return out;
    }

    private static String function(ProgramGenerator.GradientSpec g, Map<Integer, String> names) {
        StringBuilder sb = new StringBuilder("fn f(");
        for (int k = 0; k < g.leaves().size(); k++) {
            List<String> dims = new ArrayList<>();
            for (int d : g.shapes().get(k)) dims.add(names.getOrDefault(d, Integer.toString(d)));
            sb.append(k == 0 ? "" : ", ").append(g.leaves().get(k)).append(": [").append(String.join(", ", dims)).append("]");
        }
        sb.append(") -> [] {\n");
        for (String line : g.body()) sb.append("    ").append(line).append('\n');
        return sb.append("    return ").append(g.output()).append("\n}\n").toString();
    }

    /** The size a named size takes: as generated (scale 0), or another, distinct for distinct sizes. */
    private static int resized(int d, int scale) {
        return scale == 0 ? d : scale == 1 ? d + 2 : 2 * d + 1;
    }

    private static Tensor[] arguments(List<int[]> shapes, Map<Integer, String> names, int scale) {
        Tensor[] out = new Tensor[shapes.size()];
        for (int k = 0; k < out.length; k++) {
            int[] s = shapes.get(k).clone();
            for (int i = 0; i < s.length; i++) if (names.containsKey(s[i])) s[i] = resized(s[i], scale);
            double[] v = new double[Shapes.numel(s)];
            for (int j = 0; j < v.length; j++) v[j] = 0.4 * Math.sin(j * (0.7 + 0.3 * k) + 0.2);
            out[k] = Tensor.of(s, v);
        }
        return out;
    }

    private static String sizes(Tensor[] args) {
        List<String> out = new ArrayList<>();
        for (Tensor t : args) out.add(Shapes.show(t.shape()));
        return String.join(" ", out);
    }

    /** What differs between the two programs' calls, or null. */
    private static String compare(Tx.Function t, Tensor[] args) {
        Object perShape = outcome(() -> t.callPerShape(args)), once = outcome(() -> t.call(args));
        if (perShape instanceof String crash) return "per shape it " + crash;
        if (once instanceof String crash) return "for every size it " + crash;
        if (perShape instanceof List<?> want) {
            if (!(once instanceof List<?> got)) return "per shape it runs, for every size " + once;
            for (int k = 0; k < want.size(); k++) {
                double[] a = ((Tensor) want.get(k)).data(), b = ((Tensor) got.get(k)).data();
                if (a.length != b.length) return "result " + k + " has " + b.length + " elements, not " + a.length;
                for (int j = 0; j < a.length; j++) {
                    if (Double.doubleToLongBits(a[j]) != Double.doubleToLongBits(b[j])) return "result " + k + "[" + j + "] is " + b[j] + ", not " + a[j];
                }
            }
            return null;
        }
        if (perShape instanceof tx.runtime.exec.TxRuntimeException && !(once instanceof tx.runtime.exec.TxRuntimeException)) {
            return "per shape it stops at run time, for every size " + once;
        }
        return null;
    }

    private static Object outcome(java.util.function.Supplier<List<Tensor>> call) {
        try {
            return call.get();
        } catch (Tx.TxException | tx.runtime.exec.TxRuntimeException e) {
            return e;
        } catch (RuntimeException e) {
            return "threw " + e;
        }
    }
}
