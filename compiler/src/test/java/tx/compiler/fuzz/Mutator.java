package tx.compiler.fuzz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Damages a program the way typing does: deletes, inserts, duplicates, replaces and swaps tokens
 * (with a vocabulary of tx's keywords, built-ins, operators and awkward numbers) and characters
 * (any character, newlines, tabs, carriage returns and a few non-ASCII ones), and swaps, deletes or
 * duplicates whole lines. One to three edits per mutant.
 *
 * <p>NOTE: a mutant that writes a new number of 100 or more is discarded and made again. Sizes and
 * loop counts are numbers, so {@code range(4)} would become {@code range(4444)} and
 * {@code ones(12, 12)} {@code ones(1212, 1212)}: programs that legitimately take minutes, which the
 * fuzzer's hang detector could not tell from a hang. The compiler's own size checks are tested by
 * the diagnostics suite; this fuzzer is about crashes, hangs and misplaced diagnostics.
 */
final class Mutator {
    private Mutator() {}

    private static final Pattern TOKEN = Pattern.compile(
            "\\r?\\n|[ \\t]+|#[^\\n]*|\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?|\"([^\"\\\\\\n]|\\\\.)*\"|[A-Za-z_]\\w*"
                    + "|\\*\\*|<=|>=|==|!=|\\+=|-=|\\*=|/=|->|.", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_\\d.])(\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)");

    private static final String[] VOCABULARY = {
        "fn", "return", "with", "no_grad", "checkpoint", "for", "in", "range", "if", "else", "true", "false", "True", "None", "check", "within",
        "(", ")", "[", "]", "{", "}", ",", ":", ";", "=", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "@", "**", "<", "<=", ">", ">=", "==", "!=",
        ".", "->", "\n", "\n", "#",
        "tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn", "exp", "log", "sqrt", "tanh", "relu", "abs", "where",
        "clamp", "maximum", "sum", "mean", "prod", "max", "logsumexp", "norm", "matmul", "dot", "outer", "transpose", "reshape", "flatten",
        "squeeze", "unsqueeze", "expand", "cat", "stack", "softmax", "log_softmax", "cross_entropy", "mse_loss", "backward", "detach",
        "flip", "roll", "cumsum", "cumprod", "tril", "triu", "diag", "permute", "repeat", "pad", "split", "chunk", "kron", "cross",
        "zero_grad", "requires_grad_", "print", "assert_close", "item", "grad", "load", "save", "vjp",
        ".grad", ".T", ".shape", ".requires_grad", ".is_leaf", ".item()", ".backward()", ".sum()", "dim=", "keepdim=true", "requires_grad=true",
        "min=", "max=", "seed=", "rtol=", "p=", "0", "1", "-1", "2", "3", "0.5", ".5", "1e-3", "1e999", "-0", "2.5E+1", "\"s\"", "\"\"",
        "\"a\\\"b\"", "x", "w", "s", "[0]", "[-1]", "[:, 0]", "[1:]", "[::2]", "[5]", "()", "[]", "[[1, 2], [3]]", "with no_grad {", "} else {",
        "for i in range(2) {", "if x > 0 {", "x = tensor([1.0, 2.0], requires_grad=true)", "backward(x)", "zero_grad(x)",
        // the autograd API's PyTorch spellings (LANGUAGE.md section 4 and 6, v2)
        ".data", ".grad_fn", ".zero_()", ".grad.zero_()", ".retain_grad()", ".data.zero_()", ".requires_grad = True", ".data -= 1",
        "retain_graph=True", "create_graph=True", "gradient=", "grad_outputs=", "allow_unused=True", "grad(x, [x])", "grad(x, x)[0]",
        "x.backward(retain_graph=True)",
        // the logic operators, the factorisations, index tensors and run-time slices (issues 12 and 13)
        "&", "|", "^", "~", "isnan", "isinf", "isfinite", "any", "all", "masked_fill", "det", "inverse", "solve", "cholesky", "upper=true",
        "[tensor([0, -1, 0])]", "[i:i + 2]", "min(i + 2, 3)", "eye(2)",
        // the later operators and Python syntax (NnOpGen, ScriptSyntax)
        "slogdet", ".logabsdet", ".sign", "torch.linalg.qr", "qr", ".Q", ".R", "torch.linalg.eigh", "torch.linalg.svd", ".Vh", ".eigenvectors", "mode=\"reflect\"", "mode=\"replicate\"",
        "mode=\"circular\"", "nll_loss", "weight=", "label_smoothing=", "pos_weight=", "binary_cross_entropy_with_logits",
        "conv_transpose1d", "stride=", "output_padding=", "groups=", "dilation=", "assert", "assert x.shape[0] == 2, \"m\"", "xs = []",
        ".append(", "len", "r = range(3)", "f\"{name}: {x}\"", "name = \"loss\"", "x.grad = None", ".backward(create_graph=True)",
        // the operators of issue 13's ops task
        "max_pool1d", "max_pool2d", "return_indices=True", "max_pool2d_with_indices", "ignore_index=",
        "torch.linalg.solve_triangular", "upper=False", "left=False", "unitriangular=True", "torch.triangular_solve", "transpose=True",
        "size_average=False", "reduce=False",
    };

    private static final String ODD_CHARS = "\t\r\n\u00e9\u2211\u00a0\u200b\\\"'`$?!~^&|%";

    /** A mutant of src; never src itself. */
    static String mutate(String src, SplittableRandom rnd) {
        for (int attempt = 0; attempt < 20; attempt++) {
            String s = src;
            int edits = 1 + rnd.nextInt(3);
            for (int e = 0; e < edits; e++) s = edit(s, rnd);
            if (!s.equals(src) && reasonable(src, s)) return s;
        }
        return src + "\n" + VOCABULARY[rnd.nextInt(VOCABULARY.length)];
    }

    private static String edit(String s, SplittableRandom rnd) {
        if (s.isEmpty()) return VOCABULARY[rnd.nextInt(VOCABULARY.length)];
        int r = rnd.nextInt(10);
        if (r < 5) return tokenEdit(s, rnd);
        if (r < 8) return charEdit(s, rnd);
        return lineEdit(s, rnd);
    }

    private static String tokenEdit(String s, SplittableRandom rnd) {
        List<String> toks = tokens(s);
        List<Integer> real = new ArrayList<>();
        for (int i = 0; i < toks.size(); i++) if (!toks.get(i).isBlank() || toks.get(i).contains("\n")) real.add(i);
        if (real.isEmpty()) return s + VOCABULARY[rnd.nextInt(VOCABULARY.length)];
        int i = real.get(rnd.nextInt(real.size())), j = real.get(rnd.nextInt(real.size()));
        String word = VOCABULARY[rnd.nextInt(VOCABULARY.length)];
        String pad = rnd.nextBoolean() ? " " : "";
        switch (rnd.nextInt(6)) {
            case 0 -> toks.set(i, "");                                             // delete
            case 1 -> toks.set(i, pad + word + " " + toks.get(i));                  // insert before
            case 2 -> toks.set(i, word);                                           // replace
            case 3 -> toks.set(j, toks.get(j) + pad + toks.get(i));                  // duplicate elsewhere
            case 4 -> {                                                            // swap
                String t = toks.get(i);
                toks.set(i, toks.get(j));
                toks.set(j, t);
            }
            default -> toks.set(i, toks.get(i) + pad + word);                       // insert after
        }
        return String.join("", toks);
    }

    private static String charEdit(String s, SplittableRandom rnd) {
        int a = rnd.nextInt(s.length());
        char c = rnd.nextInt(4) == 0 ? ODD_CHARS.charAt(rnd.nextInt(ODD_CHARS.length())) : (char) (32 + rnd.nextInt(95));
        return switch (rnd.nextInt(6)) {
            case 0 -> s.substring(0, a) + s.substring(a + 1);                                            // delete a character
            case 1 -> s.substring(0, a) + c + s.substring(a);                                            // insert one
            case 2 -> s.substring(0, a) + c + s.substring(a + 1);                                        // replace one
            case 3 -> a + 1 < s.length() ? s.substring(0, a) + s.charAt(a + 1) + s.charAt(a) + s.substring(a + 2) : s; // swap two
            case 4 -> s.substring(0, a) + s.substring(Math.min(s.length(), a + 1 + rnd.nextInt(12)));     // delete a run
            default -> {                                                                                  // duplicate a run
                int len = Math.min(s.length() - a, 1 + rnd.nextInt(12)), b = rnd.nextInt(s.length() + 1);
                yield s.substring(0, b) + s.substring(a, a + len) + s.substring(b);
            }
        };
    }

    private static String lineEdit(String s, SplittableRandom rnd) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        int i = rnd.nextInt(lines.size()), j = rnd.nextInt(lines.size());
        switch (rnd.nextInt(3)) {
            case 0 -> lines.remove(i);
            case 1 -> lines.add(j, lines.get(i));
            default -> {
                String t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
            }
        }
        return String.join("\n", lines);
    }

    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** False if the mutant writes a number of 100 or more that the original does not (see the class comment). */
    static boolean reasonable(String original, String mutant) {
        Set<String> known = new HashSet<>();
        Matcher m = NUMBER.matcher(original);
        while (m.find()) known.add(m.group());
        m = NUMBER.matcher(mutant);
        while (m.find()) {
            double v = Double.parseDouble(m.group());
            if (v >= 100 && !Double.isInfinite(v) && !known.contains(m.group())) return false;
        }
        return true;
    }
}
