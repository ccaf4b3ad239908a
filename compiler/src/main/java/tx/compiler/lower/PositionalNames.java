package tx.compiler.lower;

import java.util.List;
import java.util.Map;

/**
 * PyTorch's names of the leading positional parameters of built-ins ({@code torch.matmul(input=a,
 * other=b)}, as "Learning PyTorch with Examples" writes it, {@code gather(x, dim=1, index=i)},
 * {@code torch.linspace(0, 1, steps=3)}): a keyword
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
            Map.entry("pow", List.of("input", "exponent")),
            Map.entry("relu", List.of("input")),
            Map.entry("relu6", List.of("input")),
            Map.entry("hardtanh", List.of("input", "min_val", "max_val")),
            Map.entry("softplus", List.of("input", "beta", "threshold")),
            // the leading parameters of constructors, indexing and layers, as PyTorch names them
            Map.entry("linspace", List.of("start", "end", "steps")),
            Map.entry("arange", List.of("start", "end")),
            Map.entry("eye", List.of("n", "m")),
            Map.entry("randint", List.of("low", "high", "size")),
            Map.entry("randperm", List.of("n")),
            Map.entry("normal", List.of("mean", "std", "size")),
            Map.entry("multinomial", List.of("input", "num_samples", "replacement")),
            Map.entry("topk", List.of("input", "k")),
            Map.entry("unsqueeze", List.of("input", "dim")),
            Map.entry("gather", List.of("input", "dim", "index")),
            Map.entry("index_select", List.of("input", "dim", "index")),
            Map.entry("scatter_add", List.of("input", "dim", "index", "src")),
            Map.entry("scatter", List.of("input", "dim", "index", "src")),
            Map.entry("take_along_dim", List.of("input", "indices")),
            Map.entry("transpose", List.of("input", "dim0", "dim1")),
            Map.entry("repeat", List.of("input", "repeats")),
            Map.entry("tile", List.of("input", "dims")),
            Map.entry("reshape", List.of("input", "shape")),
            Map.entry("cat", List.of("tensors")),
            Map.entry("stack", List.of("tensors")),
            Map.entry("where", List.of("condition", "input", "other")),
            Map.entry("linear", List.of("input", "weight", "bias")),
            Map.entry("conv1d", List.of("input", "weight", "bias")),
            Map.entry("conv2d", List.of("input", "weight", "bias")),
            Map.entry("max_pool1d", List.of("input")),
            Map.entry("max_pool2d", List.of("input")),
            Map.entry("avg_pool1d", List.of("input")),
            Map.entry("avg_pool2d", List.of("input")));

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
