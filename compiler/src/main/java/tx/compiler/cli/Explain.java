package tx.compiler.cli;

/** Finds one code's entry in the error catalogue (a Markdown section headed "## CODE: ..."). */
final class Explain {
    private Explain() {}

    /** The section of {@code catalogue} for {@code code}, up to the next section or rule, or null. */
    static String entry(String catalogue, String code) {
        if (!code.matches("[EW]\\d{4}")) return null;
        String[] lines = catalogue.split("\n", -1);
        StringBuilder sb = null;
        for (String line : lines) {
            if (sb == null) {
                if (line.startsWith("## " + code + ":") || line.equals("## " + code)) sb = new StringBuilder(line).append('\n');
            } else if (line.startsWith("## ") || line.equals("---")) {
                break;
            } else {
                sb.append(line).append('\n');
            }
        }
        return sb == null ? null : sb.toString().stripTrailing() + "\n";
    }
}
