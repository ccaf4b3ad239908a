package tx.compiler.lower;

import java.util.List;
import java.util.Map;

/**
 * PyTorch's names of the positional parameters of the built-ins that take two tensors
 * ({@code torch.matmul(input=a, other=b)}, as "Learning PyTorch with Examples" writes it): a keyword
 * that names the next positional parameter is read as that argument, before the rule sees the call.
 * A keyword given as well as its position stays a keyword, for the rule to refuse (E0104).
 */
final class PositionalNames {
    private static final List<String> INPUT_OTHER = List.of("input", "other");
    private static final Map<String, List<String>> NAMES = Map.ofEntries(
            Map.entry("matmul", INPUT_OTHER),
            Map.entry("mm", List.of("input", "mat2")),
            Map.entry("bmm", List.of("input", "mat2")),
            Map.entry("mv", List.of("input", "vec")),
            Map.entry("dot", List.of("input", "tensor")),
            Map.entry("outer", List.of("input", "vec2")),
            Map.entry("add", INPUT_OTHER),
            Map.entry("sub", INPUT_OTHER),
            Map.entry("mul", INPUT_OTHER),
            Map.entry("div", INPUT_OTHER),
            Map.entry("maximum", INPUT_OTHER),
            Map.entry("minimum", INPUT_OTHER),
            Map.entry("atan2", INPUT_OTHER),
            Map.entry("pow", List.of("input", "exponent")));

    private PositionalNames() {}

    /** Moves the keywords that name a's next positional parameters, in order, into its positions. */
    static void apply(Args a) {
        List<String> names = NAMES.get(a.fn);
        if (names == null) return;
        while (a.pos.size() < names.size() && a.kw.containsKey(names.get(a.pos.size()))) {
            String name = names.get(a.pos.size());
            a.pos.add(a.kw.remove(name));
            a.posSpans.add(a.kwSpans.remove(name));
        }
    }
}
