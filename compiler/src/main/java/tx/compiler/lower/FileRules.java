package tx.compiler.lower;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.runtime.io.ControlChars;
import tx.runtime.io.FilePaths;
import tx.runtime.io.Npy;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * The file functions of LANGUAGE.md section 5: {@code load("x.npy")} and {@code save("out.npy", x)},
 * NumPy's .npy format ({@link Npy}). A relative path starts from the folder of the .tx file.
 *
 * <p>{@code load} reads the file's header now, at compile time, so that the tensor's shape is
 * static like every other; the data is read when the load runs, and the shape checked again
 * (E0506 if it changed). {@code save} is an effect, a statement of its own, run in program order.
 */
final class FileRules extends RuleFamily {
    /** Each file's header is read once per compilation (a loop body is checked several times). */
    private final Map<Path, Object> headers = new HashMap<>();

    FileRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("load", this::load);
        rules.put("save", this::save);
    }

    /** load(path, requires_grad=false): a tensor of the shape in the file's header. */
    private Val load(Args a) {
        if (!a.shape(1, 1, "requires_grad")) return null;
        String path = path(a, "load(\"data.npy\")");
        boolean rg = a.bool("requires_grad", false);
        if (path == null || a.failed) return null;
        Path file = resolve(a, path, "E0701");
        if (file == null) return null;
        Npy.Header h = header(file);
        if (h == null) {
            Npy.NpyException x = (Npy.NpyException) headers.get(file);
            l.diags.error("E0701", a.span(), "cannot load `" + ControlChars.escape(path) + "`: " + x.getMessage(), x.help());
            return null;
        }
        if (!a.fits(h.shape(), a.span())) return null;
        tx.runtime.tensor.DType dtype = h.dtype().tensorDtype();
        if (rg && !l.floatForGrad(dtype, a.kwSpans.getOrDefault("requires_grad", a.span()))) return null;
        Var v = b.emit(Prim.LOAD, new Attrs.Load(path, file.toString(), h.shape(), dtype));
        // NOTE: as the other constructors: a constant, or a leaf that requires grad if asked for
        return rg ? l.leaf(v, a.call) : new T(v, false, -1, null, false, false);
    }

    /** The file's header, or null when it cannot be read (the exception is kept in {@link #headers}). */
    private Npy.Header header(Path file) {
        Object h = headers.computeIfAbsent(file, f -> {
            try {
                return Npy.readHeader(f);
            } catch (Npy.NpyException x) {
                return x;
            }
        });
        return h instanceof Npy.Header header ? header : null;
    }

    /** save(path, x): writes x when the statement runs, as np.save (version 1.0, float64, C order). */
    private Val save(Args a) {
        if (!a.shape(2, 2)) return null;
        String path = path(a, "save(\"out.npy\", x)");
        if (path == null) return null; // x.save("out.npy") has the arguments the other way round: one error is enough
        T x = a.tensor(1);
        if (x == null) return null;
        Path file = resolve(a, path, "E0702");
        if (file == null) return null;
        Path folder = file.getParent();
        String problem = Files.isDirectory(file) ? "it is a folder"
                : Files.exists(file) && !Files.isRegularFile(file) ? Npy.NOT_REGULAR
                : folder != null && Files.exists(folder) && !Files.isDirectory(folder) ? "`" + ControlChars.escape(shown(path)) + "` is not a folder"
                : folder != null && !Files.isDirectory(folder) ? "the folder `" + ControlChars.escape(shown(path)) + "` does not exist" : null;
        if (problem != null) {
            l.diags.error("E0702", a.span(), "cannot save `" + ControlChars.escape(path) + "`: " + problem,
                    problem.startsWith("the folder") ? "a relative path is relative to the folder of the .tx file; tx does not create folders" : null);
            return null;
        }
        if (l.sourceFile != null && FilePaths.sameFile(file, l.sourceFile)) {
            String value = l.text(a.spanOf(1, null));
            l.diags.error("E0702", a.span(), "cannot save `" + ControlChars.escape(path) + "`: it is this program's own source file, "
                    + ControlChars.escape(l.diags.fileName()),
                    "save the tensor to a .npy file of its own, e.g. `save(\"" + (value != null && value.matches("[A-Za-z_][A-Za-z0-9_]*") ? value : "out")
                            + ".npy\", " + (value != null ? value : "x") + ")`");
            return null;
        }
        b.add(new Stmt.Save(x.var(), path, file.toString(), b.origin()));
        return new Val.None("`save` returns None");
    }

    /** The folder part of a path as the program wrote it. */
    private static String shown(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return slash <= 0 ? path : path.substring(0, slash);
    }

    /** The first argument, a string; null after reporting. */
    private String path(Args a, String example) {
        Val v = a.pos.get(0);
        if (v instanceof Val.Str s) return s.value();
        l.diags.error("E0401", a.spanOf(0, null), "`" + a.fn + "` takes the file's name first, as a string, found " + v.describe(),
                "e.g. `" + example + "`");
        a.failed = true;
        return null;
    }

    /** The file a path names: absolute, or relative to the .tx file's folder; null after reporting. */
    private Path resolve(Args a, String path, String code) {
        try {
            if (path.isEmpty()) throw new InvalidPathException(path, "it is empty");
            Path p = Path.of(path);
            Path base = l.baseDir != null ? l.baseDir : Path.of("");
            return (p.isAbsolute() ? p : base.resolve(p)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            l.diags.error(code, a.spanOf(0, null), "`" + ControlChars.escape(path) + "` is not a valid file name: " + ControlChars.escape(e.getReason()), null);
            return null;
        }
    }
}
