import java.lang.management.*;
import java.lang.reflect.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;

/**
 * Before and after, in one JVM: two builds of tx (two worktrees or clones, each built with `mvn
 * -q -DskipTests package`) in two class loaders, their calls alternated, each call's CPU time on
 * the calling thread, 1 kernel thread, through the Java API (tx.compiler.api.Tx). Other processes
 * on a shared machine then weigh on both builds alike. Inputs are seeded standard normal.
 *
 * usage: java --add-modules jdk.incubator.vector bench/AbCpu.java BEFORE_ROOT AFTER_ROOT FILE.tx FN fn|vg WRT CALLS SHAPE...
 *   On cases with megabyte tensors (GMM) add -Xms1g -Xmx1g -XX:+UseSerialGC (the tx launcher's collector, a fixed
 *   heap): without them the medians came out bimodal, whichever build met a resized heap (bench/README.md, the table of steps).
 *   e.g. ... bench/cases/lenet_conv2.tx conv2 vg x,w,b 3000 16x6x12x12 16x6x5x5 16   (vg: value and gradient)
 */
public class AbCpu {
    static URLClassLoader loader(String root) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of(root, "compiler/target/tx-compiler-0.1.0-SNAPSHOT.jar").toUri().toURL());
        try (var s = Files.list(Path.of(root, "compiler/target/lib"))) { for (Path p : (Iterable<Path>) s::iterator) urls.add(p.toUri().toURL()); }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }
    record Side(Object fn, Method call, Object[] args) {
        void run() throws Exception { call.invoke(fn, (Object) args); }
    }
    static Side side(String root, String file, String fn, String kind, String[] wrt, int[][] shapes) throws Exception {
        ClassLoader l = loader(root);
        Class<?> tx = l.loadClass("tx.compiler.api.Tx");
        tx.getMethod("setThreads", int.class).invoke(null, 1);
        Object module = tx.getMethod("compile", Path.class).invoke(null, Path.of(file));
        Object f = kind.equals("fn") ? module.getClass().getMethod("function", String.class).invoke(module, fn)
                : module.getClass().getMethod("valueAndGrad", String.class, String[].class).invoke(module, fn, wrt);
        Class<?> tensor = l.loadClass("tx.runtime.tensor.Tensor");
        Method of = tensor.getMethod("of", int[].class, double[].class);
        Random r = new Random(20261127L);
        Object[] args = (Object[]) Array.newInstance(tensor, shapes.length);
        for (int i = 0; i < shapes.length; i++) {
            int n = 1; for (int d : shapes[i]) n *= d;
            double[] a = new double[n]; for (int k = 0; k < n; k++) a[k] = r.nextGaussian();
            args[i] = of.invoke(null, shapes[i], a);
        }
        Method call = f.getClass().getMethod("call", args.getClass());
        return new Side(f, call, args);
    }
    public static void main(String[] a) throws Exception {
        if (a.length < 8) {
            System.err.println("usage: java --add-modules jdk.incubator.vector bench/AbCpu.java BEFORE_ROOT AFTER_ROOT FILE.tx FN fn|vg WRT CALLS SHAPE...");
            System.exit(2);
        }
        String file = a[2], fn = a[3], kind = a[4]; String[] wrt = a[5].split(","); int calls = Integer.parseInt(a[6]);
        int[][] shapes = new int[a.length - 7][];
        for (int i = 7; i < a.length; i++) shapes[i - 7] = Arrays.stream(a[i].split("x")).mapToInt(Integer::parseInt).toArray();
        Side[] s = {side(a[0], file, fn, kind, wrt, shapes), side(a[1], file, fn, kind, wrt, shapes)};
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long warm = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warm) { s[0].run(); s[1].run(); }
        double[][] cpu = new double[2][calls];
        for (int i = 0; i < calls; i++) for (int k = 0; k < 2; k++) {
            int w = (i % 2 == 0) ? k : 1 - k;
            long c0 = t.getCurrentThreadCpuTime(); s[w].run(); cpu[w][i] = (t.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        for (int k = 0; k < 2; k++) {
            double[] c = cpu[k].clone(); Arrays.sort(c);
            System.out.printf("%s %s %s: median %.4f ms, quartiles %.4f-%.4f ms of CPU (%d calls)%n", k == 0 ? "before" : "after ", fn, kind, c[calls / 2], c[calls / 4], c[3 * calls / 4], calls);
        }
    }
}
