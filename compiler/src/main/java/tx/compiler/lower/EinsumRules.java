package tx.compiler.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.check.Val.T;
import tx.compiler.syntax.Span;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Var;
import tx.runtime.tensor.DType;
import tx.runtime.tensor.Shapes;

/**
 * {@code einsum(equation, *operands)} (also {@code einsum(equation, [a, b])}): PyTorch's equation
 * syntax read and checked here, with each mistake located in the equation or at the operand
 * (PyTorch raises the same ones at run time); the lowering is {@link Einsum}'s. An equation that
 * cannot be read, an output letter that no operand has or that the output repeats is E0230; a
 * number of operands the equation does not name, E0104; subscripts that do not match an operand's
 * rank, and a letter whose sizes disagree, E0202; operands of different dtypes, E0220.
 */
final class EinsumRules extends RuleFamily {
    EinsumRules(Lowerer l, Builtins host, Map<String, Builtins.Rule> rules) {
        super(l, host, rules);
        rules.put("einsum", this::einsum);
    }

    private Val einsum(Args a) {
        if (!a.shape(1, Integer.MAX_VALUE)) return null;
        if (!(a.pos.get(0) instanceof Val.Str str)) {
            l.diags.error("E0401", a.spanOf(0, null), "`einsum` takes its equation first, as a string, found " + a.pos.get(0).describe(),
                    "e.g. `einsum(\"ij,jk->ik\", a, b)`");
            return null;
        }
        List<Span> spans = new ArrayList<>();
        List<T> xs = operands(a, spans);
        Einsum.Equation eq = new Reader(a, str.value()).read();
        if (xs == null || eq == null || !counted(a, eq, xs) || !ranksFit(eq, xs, spans) || !sizesFit(eq, xs, spans) || !dtypesFit(a, eq, xs, spans)) return null;
        List<Var> vars = xs.stream().map(T::var).toList();
        int[] ranks = vars.stream().mapToInt(Var::rank).toArray();
        Var v = b.composite(() -> Einsum.lower(b, eq, vars));
        if (vars.contains(v)) v = b.copy(v); // a new tensor, as PyTorch's permute
        return out(v, Einsum.gradFn(Einsum.layout(eq, ranks), xs.size()));
    }

    /** The operands after the equation, or the items of one list or tuple given there (PyTorch's other form); where each was written goes to {@code spans}. */
    private List<T> operands(Args a, List<Span> where) {
        List<Val> vals = new ArrayList<>(a.pos.subList(1, a.pos.size()));
        List<Span> spans = new ArrayList<>(a.posSpans.subList(1, a.posSpans.size()));
        if (vals.size() == 1 && (vals.get(0) instanceof Val.ListV || vals.get(0) instanceof Val.Tuple)) {
            Val list = vals.get(0);
            vals = list instanceof Val.ListV lv ? lv.items() : ((Val.Tuple) list).items();
            spans = list instanceof Val.ListV lv ? lv.spans() : java.util.Collections.nCopies(vals.size(), spans.get(0));
        }
        where.addAll(spans);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < vals.size(); i++) {
            T t = l.exprs.tensor(vals.get(i), spans.get(i), "`einsum`");
            if (t == null) return null;
            out.add(t);
        }
        return out;
    }

    /** As many operands as the equation names (E0104). */
    private boolean counted(Args a, Einsum.Equation eq, List<T> xs) {
        int want = eq.inputs().size();
        if (want == xs.size()) return true;
        l.diags.error("E0104", a.span(), "the equation of `einsum` names " + want + " operand" + (want == 1 ? "" : "s") + ", but "
                + xs.size() + (xs.size() == 1 ? " is" : " are") + " given", "the subscripts of the operands are separated by commas, one group per operand");
        return false;
    }

    /** One subscript per dimension of each operand, or at most that many with "..." (E0202). */
    private boolean ranksFit(Einsum.Equation eq, List<T> xs, List<Span> spans) {
        boolean ok = true;
        for (int i = 0; i < xs.size(); i++) {
            int[] labels = eq.inputs().get(i);
            int named = 0;
            boolean ellipsis = false;
            for (int s : labels) {
                if (s == Einsum.ELLIPSIS) ellipsis = true;
                else named++;
            }
            int rank = xs.get(i).shape().length;
            if (ellipsis ? named <= rank : named == rank) continue;
            l.diags.error("E0202", spans.get(i), "operand " + i + " of `einsum` has shape " + Shapes.show(xs.get(i).shape()) + ", but its subscripts `"
                    + show(labels) + "` name " + named + " dimension" + (named == 1 ? "" : "s") + (ellipsis ? " besides `...`" : ""),
                    ellipsis ? "`...` stands for none or more dimensions, but the letters need one each" : "give one letter per dimension, or `...` for the leading ones");
            ok = false;
        }
        return ok;
    }

    /**
     * Each letter of one size wherever it appears (or 1, which broadcasts), a letter repeated in one
     * operand of one size there, the dimensions under "..." broadcasting (E0202), as PyTorch checks them.
     */
    private boolean sizesFit(Einsum.Equation eq, List<T> xs, List<Span> spans) {
        int[] size = new int[Einsum.LETTERS], from = new int[Einsum.LETTERS];
        Arrays.fill(size, 1);
        int[] ranks = xs.stream().mapToInt(t -> t.shape().length).toArray();
        int ellDims = Einsum.ellipsisDims(eq, ranks);
        int[] ellSize = new int[ellDims];
        Arrays.fill(ellSize, 1);
        for (int i = 0; i < xs.size(); i++) {
            int[] shape = xs.get(i).shape(), labels = eq.inputs().get(i), first = new int[Einsum.LETTERS];
            Arrays.fill(first, -1);
            int dim = 0;
            for (int s : labels) {
                if (s == Einsum.ELLIPSIS) {
                    int covered = shape.length - (labels.length - 1);
                    for (int j = ellDims - covered; j < ellDims; j++, dim++) {
                        if (shape[dim] == 1) continue;
                        if (ellSize[j] != 1 && ellSize[j] != shape[dim]) {
                            return sizeError(spans.get(i), "dimension " + dim + " of operand " + i + " of `einsum`, under `...`, has size " + shape[dim]
                                    + ", which does not broadcast with the size " + ellSize[j] + " an earlier operand has there",
                                    "the dimensions under `...` broadcast as NumPy's: from the right, equal sizes or 1");
                        }
                        ellSize[j] = shape[dim];
                    }
                } else if (first[s] == -1) {
                    first[s] = dim;
                    int n = shape[dim++];
                    if (n == 1) continue;
                    if (size[s] != 1 && size[s] != n) {
                        return sizeError(spans.get(i), "subscript `" + Einsum.letter(s) + "` of `einsum` has size " + n + " in operand " + i + " but " + size[s]
                                + " in operand " + from[s], LETTER_HELP);
                    }
                    size[s] = n;
                    from[s] = i;
                } else if (shape[dim++] != shape[first[s]]) {
                    return sizeError(spans.get(i), "subscript `" + Einsum.letter(s) + "` is repeated in operand " + i + " of `einsum`, but its dimensions have sizes "
                            + shape[first[s]] + " and " + shape[dim - 1], LETTER_HELP);
                }
            }
        }
        return true;
    }

    private static final String LETTER_HELP = "a letter stands for one dimension: its sizes must agree (or be 1)";

    private boolean sizeError(Span at, String message, String help) {
        l.diags.error("E0202", at, message, help);
        return false;
    }

    /**
     * Operands of one dtype, as PyTorch requires (E0220); bool ones only where nothing is summed
     * over a product of two. NOTE: PyTorch refuses bool where its path reaches a matrix product
     * (bmm has no bool kernel); tx refuses every bool equation of several operands that sums a letter.
     */
    private boolean dtypesFit(Args a, Einsum.Equation eq, List<T> xs, List<Span> spans) {
        DType d = xs.get(0).dtype();
        for (int i = 1; i < xs.size(); i++) {
            if (xs.get(i).dtype() == d) continue;
            l.diags.error("E0220", spans.get(i), "`einsum` takes operands of one dtype: operand 0 is " + xs.get(0).describeDtype() + ", operand " + i + " "
                    + xs.get(i).describeDtype(), "convert one of them first, e.g. `x.double()`");
            return false;
        }
        int[] ranks = xs.stream().mapToInt(t -> t.shape().length).toArray();
        if (d == DType.BOOL && xs.size() > 1 && Einsum.layout(eq, ranks).contracts()) {
            l.diags.error("E0220", a.span(), "`einsum` of bool tensors that sums over a product: PyTorch's bmm is not implemented for bool",
                    "convert them first, e.g. `x.long()`");
            return false;
        }
        return true;
    }

    private static String show(int[] labels) {
        StringBuilder s = new StringBuilder();
        for (int l : labels) s.append(l == Einsum.ELLIPSIS ? "..." : String.valueOf(Einsum.letter(l)));
        return s.toString();
    }

    /** Reads an equation, reporting the first character that does not fit at its place in the string (E0230). */
    private final class Reader {
        private final Args a;
        private final String text;

        Reader(Args a, String text) {
            this.a = a;
            this.text = text;
        }

        Einsum.Equation read() {
            int arrow = text.indexOf("->");
            String lhs = arrow < 0 ? text : text.substring(0, arrow);
            List<int[]> inputs = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            boolean ellipsis = false;
            for (int i = 0; i < lhs.length(); i++) {
                char c = lhs.charAt(i);
                if (c == ' ') continue;
                if (c == ',') {
                    inputs.add(ints(labels));
                    labels.clear();
                    ellipsis = false;
                } else if (c == '.') {
                    if (ellipsis) return fail(i, "operand " + inputs.size() + " in `einsum`'s equation has a second `...`", "an operand has at most one `...`");
                    if (!dots(lhs, i)) return fail(i, "a `.` in `einsum`'s equation that is not part of `...`", null);
                    labels.add(Einsum.ELLIPSIS);
                    ellipsis = true;
                    i += 2;
                } else if (Einsum.isLetter(c)) {
                    labels.add(Einsum.label(c));
                } else {
                    return fail(i, "`" + c + "` is not a subscript of `einsum`'s equation", "subscripts are the letters a-z and A-Z; `,` separates the operands, `->` starts the output");
                }
            }
            inputs.add(ints(labels));
            int[] output = arrow < 0 ? null : output(arrow + 2, Einsum.counts(new Einsum.Equation(inputs, null)));
            if (arrow >= 0 && output == null) return null;
            return new Einsum.Equation(inputs, output);
        }

        /** The output's labels, from {@code from} on; null after an error. */
        private int[] output(int from, int[] count) {
            List<Integer> labels = new ArrayList<>();
            boolean[] seen = new boolean[Einsum.LETTERS];
            boolean ellipsis = false;
            for (int i = from; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == ' ') continue;
                if (c == '.') {
                    if (ellipsis) return failed(i, "`einsum`'s output has a second `...`", null);
                    if (!dots(text, i)) return failed(i, "a `.` in `einsum`'s equation that is not part of `...`", null);
                    labels.add(Einsum.ELLIPSIS);
                    ellipsis = true;
                    i += 2;
                } else if (!Einsum.isLetter(c)) {
                    return failed(i, "`" + c + "` is not a subscript of `einsum`'s equation", "subscripts are the letters a-z and A-Z; the output comes after one `->`");
                } else if (count[Einsum.label(c)] == 0) {
                    return failed(i, "output subscript `" + c + "` of `einsum` appears in no operand", "every letter of the output must be a letter of some operand");
                } else if (seen[Einsum.label(c)]) {
                    return failed(i, "output subscript `" + c + "` of `einsum` appears twice in the output",
                            "to take a diagonal, repeat the letter in an operand instead: `einsum(\"ii->i\", x)`");
                } else {
                    seen[Einsum.label(c)] = true;
                    labels.add(Einsum.label(c));
                }
            }
            return ints(labels);
        }

        private boolean dots(String s, int i) {
            return i + 2 < s.length() && s.charAt(i + 1) == '.' && s.charAt(i + 2) == '.';
        }

        private Einsum.Equation fail(int index, String message, String help) {
            l.diags.error("E0230", at(index), message, help);
            return null;
        }

        private int[] failed(int index, String message, String help) {
            fail(index, message, help);
            return null;
        }

        /** Character {@code index} of the equation where it is written as a plain string literal, else the whole argument. */
        private Span at(int index) {
            Span s = a.spanOf(0, null);
            String written = l.text(s);
            if (written == null || !written.equals("\"" + text + "\"")) return s;
            return new Span(s.line(), s.col() + 1 + index, s.line(), s.col() + 2 + index);
        }
    }

    private static int[] ints(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).toArray();
    }
}
