package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tx.compiler.syntax.Ast;

/**
 * The first lines of the methods of a {@link JavaEmitter}'s class: each named dimension read from
 * the arguments' lengths ({@code int n = x.length / 3;}), or taken as a leading int argument where
 * no parameter determines it on its own, and every argument's length checked against its shape.
 */
final class JavaPrologue {
    private JavaPrologue() {}

    /** The first lines of both methods, how each named dimension is found (for the class comment), and the dimensions passed as ints. */
    record Prologue(List<String> lines, List<String> sources, List<String> explicit) {}

    static Prologue of(JavaEmitter e) {
        Derivation d = e.d;
        Ast.FnDef fn = e.fn;
        List<String> dims = d.sizes.dims();
        List<String> lines = new ArrayList<>(), sources = new ArrayList<>(), explicit = new ArrayList<>();
        Set<String> known = new HashSet<>();
        Set<Integer> tautological = new HashSet<>(); // parameters whose length is a dimension read from it
        boolean needQuotient = false, needRoot = false;
        while (known.size() < dims.size()) {
            boolean progress = false;
            for (String dim : dims) {
                if (known.contains(dim)) continue;
                int best = -1, bestRank = Integer.MAX_VALUE;
                for (int i = 0; i < fn.params().size(); i++) {
                    List<Ast.Dim> shape = fn.params().get(i).shape();
                    long constant = 1;
                    int power = 0;
                    boolean others = false, unknown = false;
                    for (Ast.Dim x : shape) {
                        if (x.name() == null) constant *= x.size();
                        else if (x.name().equals(dim)) power++;
                        else if (known.contains(x.name())) others = true;
                        else unknown = true;
                    }
                    if (power == 0 || unknown || constant == 0) continue;
                    int rank = (power > 1 ? 2 : 0) + (others ? 1 : 0);
                    if (rank < bestRank) {
                        best = i;
                        bestRank = rank;
                    }
                }
                if (best < 0) continue;
                Ast.Param p = fn.params().get(best);
                String arg = e.names.get(d.params().get(best));
                long constant = 1;
                int power = 0;
                List<String> others = new ArrayList<>();
                for (Ast.Dim x : p.shape()) {
                    if (x.name() == null) constant *= x.size();
                    else if (x.name().equals(dim)) power++;
                    else others.add(x.name());
                }
                String per = product(constant, e.dims(others));
                String value = arg + ".length";
                if (!others.isEmpty()) {
                    value = e.fname("quotient") + "(" + value + ", " + per + ", " + JavaEmitter.quote(dim) + ", " + JavaEmitter.quote(p.name()) + ")";
                    needQuotient = true;
                } else if (constant != 1) {
                    value = value + " / " + constant;
                }
                if (power > 1) {
                    value = e.fname("root") + "(" + value + ", " + power + ")";
                    needRoot = true;
                }
                if (others.isEmpty() && constant == 1 && power == 1) tautological.add(best);
                lines.add("int " + e.dim(dim) + " = " + value + ";");
                String perShown = product(constant, others);
                sources.add(dim + " = " + (power > 1 ? "the " + ordinal(power) + " root of " : "") + p.name() + ".length"
                        + (others.isEmpty() && constant == 1 ? "" : " / " + (perShown.contains(" ") ? "(" + perShown + ")" : perShown)));
                known.add(dim);
                progress = true;
            }
            if (!progress) { // no parameter determines the next one alone: the caller passes it
                for (String dim : dims) {
                    if (known.contains(dim)) continue;
                    explicit.add(dim);
                    known.add(dim);
                    sources.add(dim + " is an argument");
                    lines.add(e.fname("checkDim") + "(" + e.dim(dim) + ", " + JavaEmitter.quote(dim) + ");");
                    e.need("checkDim");
                    break;
                }
            }
        }
        if (needQuotient) e.need("quotient");
        if (needRoot) e.need("root");
        for (int i = 0; i < fn.params().size(); i++) {
            if (tautological.contains(i)) continue;
            Ast.Param p = fn.params().get(i);
            long constant = 1;
            List<String> named = new ArrayList<>();
            Set<String> used = new LinkedHashSet<>();
            for (Ast.Dim x : p.shape()) {
                if (x.name() == null) constant *= x.size();
                else {
                    named.add(x.name());
                    used.add(x.name());
                }
            }
            String shape = JavaEmitter.quote(JavaEmitter.declared(p));
            if (!used.isEmpty()) {
                List<String> values = new ArrayList<>();
                for (String u : used) values.add(u + " = \" + " + e.dim(u));
                shape = JavaEmitter.quote(JavaEmitter.declared(p) + " with ").replaceAll("\"$", "") + String.join(" + \", ", values);
            }
            lines.add(e.fname("check") + "(" + e.names.get(d.params().get(i)) + ", " + product(constant, e.dims(named)) + ", " + JavaEmitter.quote(p.name()) + ", " + shape + ");");
            e.need("check");
        }
        return new Prologue(lines, sources, explicit);
    }

    private static String ordinal(int k) {
        return k == 2 ? "square" : k == 3 ? "cube" : k + "th";
    }

    /** {@code constant * a * b}, written simply: {@code 3 * n}, {@code n * m}, {@code 6}. */
    private static String product(long constant, List<String> factors) {
        if (constant == 0) return "0";
        if (factors.isEmpty()) return Long.toString(constant);
        return (constant == 1 ? "" : constant + " * ") + String.join(" * ", factors);
    }
}
