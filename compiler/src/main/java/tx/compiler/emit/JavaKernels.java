package tx.compiler.emit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tx.runtime.ir.Prim;

/**
 * The kernels that emitted Java carries with it (the class needs nothing but the JDK), as source
 * text. They are written once, as ordinary compiled and tested methods, in the runtime's
 * {@code tx.runtime.kernels.Standalone}, whose source the runtime jar holds as a resource; this
 * class reads them from it by the markers described there ({@code // kernel: ID needs A, B}).
 * {@link JavaEmitter} copies the ones a program uses, with the kernels they need. The elementwise
 * primitives' kernels are a map or zip of {@link Prim#javaFunction}, so each function is defined
 * once, beside the interpreter's.
 */
final class JavaKernels {
    private JavaKernels() {}

    /** Where the runtime jar keeps the kernels' source: Standalone.java, then the convolutions' StandaloneWindows.java and the factorisations' StandaloneLinalg.java and StandaloneSpectral.java. */
    static final String SOURCE = "tx/runtime/kernels/Standalone.java";
    private static final java.util.List<String> SOURCES = java.util.List.of(SOURCE, "tx/runtime/kernels/StandaloneWindows.java",
            "tx/runtime/kernels/StandaloneLinalg.java", "tx/runtime/kernels/StandaloneSpectral.java", "tx/runtime/kernels/StandaloneRandom.java");

    private static final String MARKER = "    // kernel: ", PRIMITIVES = "    // kernels: ", END = "    }";
    private static final Pattern NEEDS = Pattern.compile("(\\S+)(?: needs (.+))?");
    /** A declaration's name: the identifier before its parameters, or after {@code class}. */
    private static final Pattern DECLARED = Pattern.compile("^    static (?:.*\\bclass (\\w+)|[^(]*?(\\w+)\\()");

    /** A kernel: its id (a name, or name/variant for an overload), the kernels it calls, and its text. */
    record Helper(String id, List<String> deps, String text) {
        /** The name it is declared with. */
        String name() {
            return id.replaceAll("/.*", "");
        }
    }

    /** Every kernel, in the order they are written out. */
    static final Helper[] ALL = parse(read(), SOURCE).toArray(Helper[]::new);
    /** The names of the methods among them (a function of the program with one of these names makes them renamed). */
    static final Set<String> NAMES = new HashSet<>();

    static {
        for (Helper h : ALL) if (!h.text().contains(" class " + h.name() + " ")) NAMES.add(h.name());
    }

    /** The index of a kernel in {@link #ALL}. */
    static int index(String helper) {
        for (int i = 0; i < ALL.length; i++) if (ALL[i].id().equals(helper)) return i;
        throw new IllegalStateException("no kernel " + helper);
    }

    /**
     * The kernels' source: the files of {@link #SOURCES} one after the other, read as one (a kernel
     * may need one in another file). NOTE: a line number in a refusal counts from the start of the
     * first file, as the files are joined.
     */
    static String read() {
        StringBuilder all = new StringBuilder();
        for (String file : SOURCES) {
            try (InputStream in = JavaKernels.class.getClassLoader().getResourceAsStream(file)) {
                if (in == null) throw new IllegalStateException(file + " is not on the class path: the runtime jar was built without it");
                all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }
        return all.toString();
    }

    /**
     * The kernels of a source written by the rules of {@code Standalone}, with the elementwise
     * primitives' where it marks them; an {@link IllegalStateException} naming the file and line if
     * a kernel breaks a rule or does not name a kernel it calls.
     */
    static List<Helper> parse(String source, String file) {
        String[] lines = source.replace("\r", "").split("\n", -1);
        List<Helper> all = new ArrayList<>();
        Map<String, Integer> lineOf = new HashMap<>();
        int places = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(PRIMITIVES)) {
                if (places++ > 0) throw broken(file, i + 1, "a second line `" + PRIMITIVES.strip() + "`");
                all.addAll(primitives());
            } else if (lines[i].startsWith(MARKER)) {
                Helper h = kernel(lines, i, file);
                if (lineOf.put(h.id(), i + 1) != null) throw broken(file, i + 1, "a second kernel " + h.id());
                all.add(h);
            }
        }
        if (places == 0) throw broken(file, lines.length, "no line `" + PRIMITIVES.strip() + "` to mark the elementwise primitives' kernels");
        Map<String, Pattern> callsOf = new HashMap<>();
        for (Helper h : all) callsOf.computeIfAbsent(h.name(), n -> Pattern.compile("(?<![.\\w])" + Pattern.quote(n) + "\\("));
        for (Helper h : all) checkNeeds(h, all, callsOf, file, lineOf.getOrDefault(h.id(), 0));
        return all;
    }

    /** The kernel whose marker is line i: from its Javadoc to the end of its declaration, declared private. */
    private static Helper kernel(String[] lines, int i, String file) {
        Matcher m = NEEDS.matcher(lines[i].substring(MARKER.length()).strip());
        if (!m.matches()) throw broken(file, i + 1, "a marker with no kernel");
        String id = m.group(1), name = id.replaceAll("/.*", "");
        List<String> deps = m.group(2) == null ? List.of() : List.of(m.group(2).split(",\\s*"));
        StringBuilder text = new StringBuilder();
        boolean declared = false;
        for (int j = i + 1; j < lines.length; j++) {
            String line = lines[j];
            if (!declared && !isDoc(line)) { // the declaration
                Matcher d = DECLARED.matcher(line);
                if (!d.find() || !name.equals(d.group(1) != null ? d.group(1) : d.group(2))) {
                    throw broken(file, j + 1, "kernel " + id + " must be declared `static` under the name " + name);
                }
                line = "    private " + line.substring(4); // "    static ..." -> "    private static ..."
                declared = true;
            }
            text.append(line).append('\n');
            if (line.equals(END)) return new Helper(id, deps, text.toString());
            if (line.startsWith(MARKER) || line.startsWith(PRIMITIVES)) break;
        }
        throw broken(file, i + 1, "kernel " + id + " has no line `" + END + "` that ends it");
    }

    private static boolean isDoc(String line) {
        String s = line.strip();
        return s.startsWith("/**") || s.startsWith("*");
    }

    /** Every kernel that h calls is among its needs, and every one of its needs is a kernel it calls. */
    private static void checkNeeds(Helper h, List<Helper> all, Map<String, Pattern> callsOf, String file, int line) {
        String code = code(h.text());
        Set<String> named = new HashSet<>();
        for (String dep : h.deps()) {
            Helper d = all.stream().filter(k -> k.id().equals(dep)).findFirst()
                    .orElseThrow(() -> broken(file, line, "kernel " + h.id() + " needs " + dep + ", which is not a kernel"));
            if (!callsOf.get(d.name()).matcher(code).find()) throw broken(file, line, "kernel " + h.id() + " needs " + dep + " but does not call it");
            named.add(d.name());
        }
        for (Helper other : all) {
            String name = other.name();
            if (!name.equals(h.name()) && !named.contains(name) && callsOf.get(name).matcher(code).find()) {
                throw broken(file, line, "kernel " + h.id() + " calls " + name + " but does not name it after `needs`");
            }
        }
    }

    /** The text without its Javadoc: where the calls of other kernels are. */
    private static String code(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) if (!isDoc(line)) sb.append(line).append('\n');
        return sb.toString();
    }

    private static IllegalStateException broken(String file, int line, String problem) {
        return new IllegalStateException(file + ":" + line + ": " + problem);
    }

    // ---- the elementwise primitives ----------------------------------------------------------------

    /** Each elementwise primitive's kernel: a map or zip of its function, as {@link Prim} defines it. */
    private static List<Helper> primitives() {
        List<Helper> h = new ArrayList<>();
        for (Prim p : Prim.values()) {
            if (p.javaFunction() == null) continue;
            if (p.arity() == 1) h.add(unary(p.text(), p.javaFunction()));
            else h.addAll(binary(p.text(), p.javaFunction()));
        }
        return h;
    }

    private static Helper unary(String name, String f) {
        return new Helper(name, List.of("map"), "    private static double[] " + name + "(double[] x) {\n        return map(x, " + f + ");\n    }\n");
    }

    private static List<Helper> binary(String name, String f) {
        return List.of(
                new Helper(name, List.of("zip"), "    private static double[] " + name + "(double[] a, double[] b) {\n        return zip(a, b, " + f + ");\n    }\n"),
                new Helper(name + "/shapes", List.of("zip/shapes"), "    private static double[] " + name
                        + "(double[] a, int[] as, double[] b, int[] bs) {\n        return zip(a, as, b, bs, " + f + ");\n    }\n"));
    }
}
