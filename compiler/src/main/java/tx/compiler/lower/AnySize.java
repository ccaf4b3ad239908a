package tx.compiler.lower;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;

/**
 * A file's function lowered once for every size of its named dimensions (LANGUAGE.md §3): each
 * named dimension of the signature is a symbol of the IR ({@link tx.runtime.tensor.Shapes#symbol})
 * whose size is a value the program is given when it runs, as the arguments are. The body then
 * reasons about that size as it does about a selection's ({@link RunTimeSizes}): where it needs a
 * number now, the lowering fails, and the caller compiles per signature of shapes instead.
 */
public final class AnySize {
    private AnySize() {}

    /**
     * The program, its parameters' variables, and for each named dimension, in the order the
     * signature names them, its name, the variable the program is given its size in (a float64
     * scalar holding the whole number) and its symbol.
     */
    public record Lowered(Lowerer.Derived derived, List<String> dims, List<Var> sizes, List<Integer> symbols) {}

    /**
     * Lowers {@code fn} (or a transform of it, {@code kind}) for every size; null if it cannot be
     * (errors in diags), or, with no errors, if a parameter's shape is not declared ({@code x: Tensor},
     * a number, a list or a function), so there is nothing to make symbolic.
     */
    public static Lowered lower(Ast.Program program, Diagnostics diags, String source, String fn, String kind, List<String> wrt,
                                java.nio.file.Path baseDir, java.nio.file.Path sourceFile) {
        Lowerer l = Lowerer.of(program, diags, source);
        l.baseDir = baseDir;
        l.sourceFile = sourceFile;
        Val.FnRef ref = l.reference(fn, kind, wrt);
        if (ref == null) return null;
        Ast.FnDef def = l.functions.base(ref);
        List<List<Ast.Dim>> sigs = signatures(def, ref, l.functions.parameters(ref).size());
        if (sigs == null) return null;
        Map<String, Integer> symbols = new LinkedHashMap<>();
        List<Var> sizes = new ArrayList<>();
        for (List<Ast.Dim> sig : sigs) for (Ast.Dim d : sig) {
            if (d.name() == null || symbols.containsKey(d.name())) continue;
            Var given = l.standIn(d.name(), new Attrs.Random(new int[0], -1 - sizes.size(), false)); // the caller gives it
            sizes.add(given);
            symbols.put(d.name(), l.b.symbol(l.b.emit(Prim.CAST, DType.INT64, given)));
        }
        List<String> names = l.functions.parameters(ref);
        List<T> args = new ArrayList<>();
        List<Var> params = new ArrayList<>();
        for (int i = 0; i < sigs.size(); i++) {
            int[] shape = new int[sigs.get(i).size()];
            for (int k = 0; k < shape.length; k++) {
                Ast.Dim d = sigs.get(i).get(k);
                shape[k] = d.name() == null ? d.size() : symbols.get(d.name());
            }
            Var v = l.standIn(names.get(i), new Attrs.Random(shape, i, true));
            params.add(v);
            args.add(new T(v, false, -1, null, false, false));
        }
        Lowerer.Call c = l.call(ref, fn, args, Lowerer.head(def));
        return c == null ? null : new Lowered(new Lowerer.Derived(c.program(), params, c.results()), List.copyOf(symbols.keySet()), sizes, List.copyOf(symbols.values()));
    }

    /** The declared shape of each parameter of the transform (a jvp's tangents: their primals'); null if one has none. */
    private static List<List<Ast.Dim>> signatures(Ast.FnDef def, Val.FnRef ref, int count) {
        List<List<Ast.Dim>> out = new ArrayList<>();
        for (Ast.Param p : def.params()) {
            if (p.kind() != null) return null;
            out.add(p.shape());
        }
        if (count == out.size()) return out;
        if (!(ref instanceof Val.Transform t) || !t.kind().equals("jvp") || count != out.size() + t.wrt().size()) return null;
        for (int w : t.wrt()) out.add(def.params().get(w).shape());
        return out;
    }
}
