package tx.compiler.fuzz;

import java.util.SplittableRandom;

/**
 * File names made to break out of wherever an emitter writes them: pieces that end a comment, a
 * line or a string in tx, Java or DOT, or drive a terminal, with random characters between them
 * (control characters, separators, half surrogate pairs, any code point).
 */
public final class HostileNames {
    private HostileNames() {}

    private static final String U = "\\" + "u"; // spelt so that javac does not expand it in this file

    private static final String[] PIECES = {
        "\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c", "\t", "\u0000", "\u001b[2J", "\u0007", "\u007f", "\u009b",
        "*/", "/*", "//", "#", "\"", "'", "\\", "\\\\", U, U + "002a" + U + "002f", U + "000a", U + "000d", U + "0022", "\\" + U + "005c",
        "print(\"INJECTED\")", "static { System.out.println(\"INJECTED\"); }", "}", "{", "\", \"x\" -> \"y\"; \"", "\\N", "\\G", "\\l",
        "<b>", "&amp;", "{@code", "@param", "\u00e9", "\ud83d\ude00", "\u202e", "\u200d", "\ufeff", "\ud800", "\udfff", " ", ".tx",
    };

    /** A name of one to six pieces and random characters, ending in .tx half the time. */
    public static String name(SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "f" : "");
        for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.appendCodePoint(rnd.nextInt(0x20));
                case 1 -> sb.appendCodePoint(randomCodePoint(rnd));
                default -> sb.append(PIECES[rnd.nextInt(PIECES.length)]);
            }
        }
        if (rnd.nextBoolean()) sb.append(".tx");
        return sb.toString();
    }

    private static int randomCodePoint(SplittableRandom rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> 0x80 + rnd.nextInt(0x80); // C1 controls and Latin-1
            case 1 -> rnd.nextInt(0x10000); // anything in the BMP, surrogates included
            default -> rnd.nextInt(0x110000);
        };
    }
}
