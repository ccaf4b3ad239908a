package tx.runtime.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * PyTorch's {@code print(t)} for a float64 tensor when float64 is the default dtype (so no
 * {@code dtype=} suffix), reproduced character for character from {@code torch/_tensor_str.py}
 * (PyTorch 1.13) with the default print options: precision 4, threshold 1000, edgeitems 3,
 * linewidth 80.
 *
 * <pre>
 * tensor([0.5000, 1.2500])
 * tensor([[1., 2.],
 *         [3., 4.]], grad_fn=&lt;MulBackward0&gt;)
 * </pre>
 *
 * <p>The fixtures in {@code src/test/resources/print/} come from running real PyTorch
 * ({@code conformance/print/gen_print_cases.py}).
 */
public final class TensorFormat {
    /** {@code PRINT_OPTS.precision}: digits after the point in fixed and scientific mode. */
    static final int PRECISION = 4;

    /** {@code PRINT_OPTS.threshold}: more elements than this are summarized with {@code ...}. */
    static final int THRESHOLD = 1000;

    /** {@code PRINT_OPTS.edgeitems}: items kept at each end of a summarized dimension. */
    static final int EDGE_ITEMS = 3;

    /** {@code PRINT_OPTS.linewidth}: where rows and suffixes wrap. */
    static final int LINE_WIDTH = 80;

    private static final String PREFIX = "tensor(";

    private TensorFormat() {}

    /**
     * What PyTorch's {@code print(t)} shows. {@code suffix} is null, or the autograd note PyTorch adds,
     * such as {@code requires_grad=True} or {@code grad_fn=<MulBackward0>}.
     */
    public static String format(Tensor t, String suffix) {
        return format(t, DType.FLOAT64, suffix);
    }

    /**
     * As {@link #format(Tensor, String)}, for a tensor of a dtype: an int64 tensor prints its whole
     * numbers ({@code tensor([0, 2, 1])}), a bool tensor {@code True} and {@code False}, each right-aligned
     * to the widest element ({@code tensor([ True, False])}). No dtype suffix but on an empty tensor
     * of int64 or bool, where PyTorch shows it (nothing else tells the dtype).
     */
    public static String format(Tensor t, DType dtype, String suffix) {
        int indent = PREFIX.length();
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.size() == 0) {
            body = "[]";
            // NOTE: like NumPy, PyTorch spells out the shape of an empty tensor unless it is 1-D.
            if (t.rank() != 1) suffixes.add("size=" + pythonTuple(t.shapeRef()));
            if (dtype != DType.FLOAT64) suffixes.add("dtype=" + dtype);
        } else {
            body = new Printer(t, dtype).render(indent);
        }
        if (suffix != null) suffixes.add(suffix);
        return addSuffixes(PREFIX + body, suffixes, indent);
    }

    /**
     * {@code _add_suffixes}: each suffix follows {@code ", "} on the last line, unless that would pass
     * the line width, in which case it starts a new line indented to the opening parenthesis.
     * NOTE: PyTorch measures the last line as {@code len - rfind("\n") + 1}, i.e. two more than its
     * length on a one-line string and one more otherwise; we copy that quirk because it decides wrapping.
     */
    static String addSuffixes(String text, List<String> suffixes, int indent) {
        StringBuilder out = new StringBuilder(text);
        int lastLineLength = text.length() - text.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLength = indent + suffix.length();
            } else {
                out.append(", ").append(suffix);
                lastLineLength += suffix.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    /** Python's {@code str(tuple(shape))}: {@code (0, 3)}, and {@code (0,)} for one element. */
    static String pythonTuple(int[] shape) {
        StringJoiner joiner = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (int d : shape) joiner.add(Integer.toString(d));
        return joiner.toString();
    }

    /**
     * The recursive part of {@code _tensor_str}, for a non-empty tensor: one element formatter for
     * the whole tensor, then nested brackets.
     */
    private static final class Printer {
        private final double[] data;
        private final int[] shape;
        private final int[] strides;
        private final boolean summarize;
        private final ElementFormatter formatter;

        Printer(Tensor t, DType dtype) {
            this.data = t.data();
            this.shape = t.shapeRef();
            this.strides = Shapes.strides(shape);
            // Summarize when there are more elements than the threshold (1000 is still printed in full).
            this.summarize = t.size() > THRESHOLD;
            List<Double> shown = new ArrayList<>();
            collectShown(0, 0, shown);
            this.formatter = dtype == DType.FLOAT64 ? new ElementFormatter(shown) : new ElementFormatter(shown, dtype);
        }

        String render(int indent) {
            StringBuilder out = new StringBuilder();
            block(out, 0, 0, indent);
            return out.toString();
        }

        /**
         * The indices of a dimension of {@code size} that are printed: all of them, or when summarizing
         * and the dimension is longer than {@code 2 * edgeitems}, only the first and last three.
         */
        private int[] shownIndices(int size) {
            if (!summarize || size <= 2 * EDGE_ITEMS) {
                int[] all = new int[size];
                for (int i = 0; i < size; i++) all[i] = i;
                return all;
            }
            int[] edges = new int[2 * EDGE_ITEMS];
            for (int i = 0; i < EDGE_ITEMS; i++) {
                edges[i] = i;
                edges[EDGE_ITEMS + i] = size - EDGE_ITEMS + i;
            }
            return edges;
        }

        /**
         * {@code get_summarized_data}: the elements that will be printed. NOTE: the formatter only sees
         * these, so a huge value or a fraction hidden behind {@code ...} does not change the layout.
         */
        private void collectShown(int offset, int axis, List<Double> out) {
            if (axis == shape.length) {
                out.add(data[offset]);
                return;
            }
            for (int i : shownIndices(shape[axis])) collectShown(offset + i * strides[axis], axis + 1, out);
        }

        /**
         * {@code _tensor_str_with_formatter}: a scalar, a row, or brackets around sub-blocks.
         * NOTE: every level appends to one builder: building each level's text from the next one's
         * copied the innermost text once per level, quadratic in the rank.
         */
        private void block(StringBuilder out, int offset, int axis, int indent) {
            int remaining = shape.length - axis;
            if (remaining == 0) {
                out.append(formatter.format(data[offset]));
                return;
            }
            if (remaining == 1) {
                out.append(row(offset, axis, indent));
                return;
            }
            // Sub-blocks are separated by one blank line per extra dimension: none between rows of a
            // matrix, one between matrices, two between 3-D blocks, and so on.
            // NOTE: made only where there are sub-blocks to separate: at every level of a tall shape
            // such as [1, 1, ..., 1] it would cost the rank each time
            int[] shown = shownIndices(shape[axis]);
            String separator = shown.length < 2 ? "" : "," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1);
            out.append('[');
            for (int k = 0; k < shown.length; k++) {
                if (k > 0) out.append(separator);
                if (shown.length < shape[axis] && k == EDGE_ITEMS) out.append("...").append(separator);
                block(out, offset + shown[k] * strides[axis], axis + 1, indent + 1);
            }
            out.append(']');
        }

        /**
         * {@code _vector_str}: a 1-D row. Each element takes its width plus 2 for {@code ", "}; as many as
         * fit in {@code linewidth - indent} go on a line (at least one), and continuation lines are
         * indented one past the row's {@code [}. When summarizing, {@code " ..."} counts as an element.
         */
        private String row(int offset, int axis, int indent) {
            int elementLength = formatter.width() + 2;
            int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, elementLength));
            List<String> items = new ArrayList<>();
            int[] shown = shownIndices(shape[axis]);
            for (int k = 0; k < shown.length; k++) {
                if (shown.length < shape[axis] && k == EDGE_ITEMS) items.add(" ...");
                items.add(formatter.format(data[offset + shown[k] * strides[axis]]));
            }
            List<String> lines = new ArrayList<>();
            for (int start = 0; start < items.size(); start += perLine) {
                lines.add(String.join(", ", items.subList(start, Math.min(items.size(), start + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }
    }

    /**
     * {@code _Formatter}: picks one of three layouts for all elements of a tensor, and a common width.
     * Only the nonzero finite values decide; zeros, nan and inf are then formatted in the chosen layout.
     * <ul>
     *   <li><b>int mode</b>, when every nonzero finite value is whole: {@code "{:.0f}"} plus a point,
     *       as in {@code 2.}, {@code -0.}; nan and inf get no point.</li>
     *   <li><b>sci mode</b>, when max/min of the nonzero finite magnitudes exceeds 1000, or max exceeds
     *       1e8, or (outside int mode) min is below 1e-4: {@code "{:.4e}"}, as in {@code 1.0000e-05}.</li>
     *   <li>otherwise <b>fixed</b>: {@code "{:.4f}"}, as in {@code 0.5000}.</li>
     * </ul>
     * The width is the longest formatted nonzero finite value (at least 1), and every element is
     * right-aligned to it. NOTE: nan and inf do not count toward the width, so in {@code [1., nan]}
     * the {@code nan} is wider than the others and is simply not padded.
     */
    static final class ElementFormatter {
        private boolean intMode = true;
        private boolean sciMode = false;
        private int maxWidth = 1;
        /** Null for float64; int64 or bool for {@link #ElementFormatter(List, DType)}. */
        private DType whole;

        /**
         * PyTorch's formatter for a tensor that is not floating: each element as {@code str} gives it
         * ({@code 3}, {@code -20}, {@code True}), the width the widest of them.
         */
        ElementFormatter(List<Double> values, DType dtype) {
            whole = dtype;
            for (double v : values) maxWidth = Math.max(maxWidth, text(v).length());
        }

        ElementFormatter(List<Double> values) {
            List<Double> nonzeroFinite = new ArrayList<>();
            for (double v : values) if (Double.isFinite(v) && v != 0.0) nonzeroFinite.add(v);
            // NOTE: with nothing nonzero and finite (all zeros, all nan) PyTorch keeps int mode, width 1.
            if (nonzeroFinite.isEmpty()) return;
            double min = Double.POSITIVE_INFINITY;
            double max = 0.0;
            for (double v : nonzeroFinite) {
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                if (v != Math.ceil(v)) intMode = false;
            }
            boolean wideRange = max / min > 1000.0 || max > 1.0e8;
            sciMode = intMode ? wideRange : wideRange || min < 1.0e-4;
            for (double v : nonzeroFinite) maxWidth = Math.max(maxWidth, measure(v));
        }

        /** The width a nonzero finite value claims; in int mode the point is counted too. */
        private int measure(double v) {
            if (sciMode) return PyFloat.formatSci(v, PRECISION).length();
            if (intMode) return PyFloat.formatFixed(v, 0).length() + 1;
            return PyFloat.formatFixed(v, PRECISION).length();
        }

        int width() {
            return maxWidth;
        }

        /** An int64 or bool element as Python's {@code str} shows it. */
        private String text(double v) {
            return whole == DType.BOOL ? (v != 0 ? "True" : "False") : Long.toString((long) v);
        }

        /** One element in the chosen layout, left-padded with spaces to the common width. */
        String format(double v) {
            String text;
            if (whole != null) {
                text = text(v);
            } else if (sciMode) {
                text = PyFloat.formatSci(v, PRECISION);
            } else if (intMode) {
                text = PyFloat.formatFixed(v, 0) + (Double.isFinite(v) ? "." : "");
            } else {
                text = PyFloat.formatFixed(v, PRECISION);
            }
            return " ".repeat(Math.max(0, maxWidth - text.length())) + text;
        }
    }
}
