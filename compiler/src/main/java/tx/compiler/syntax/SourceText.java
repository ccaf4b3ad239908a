package tx.compiler.syntax;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A source file's bytes as text. tx reads UTF-8 (a leading byte-order mark is dropped, as Python and
 * javac drop it). A file that is not UTF-8 is a compile error, E0004, at its first bad byte, as javac
 * reports one: the text then has U+FFFD in place of each bad sequence, so that the line can be shown
 * without the bytes themselves.
 *
 * @param text the file's text (with U+FFFD in place of bad bytes, if any)
 * @param bad  where the first bad bytes are, or null when the file is UTF-8
 */
public record SourceText(String text, BadBytes bad) {
    /**
     * The first bytes that are not UTF-8: at {@code line}:{@code col} of the text (a column counts
     * characters, as a diagnostic's does). As Python's decoder, a sequence that cannot be completed counts as its first byte alone,
     * unless the file ends within it.
     */
    public record BadBytes(int line, int col, byte[] bytes, boolean atEnd) {}

    private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    public static SourceText decode(byte[] bytes) {
        int start = startsWithBom(bytes) ? BOM.length : 0;
        String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8); // U+FFFD for each bad sequence
        return new SourceText(text, firstBad(bytes, start));
    }

    private static boolean startsWithBom(byte[] b) {
        return b.length >= 3 && b[0] == BOM[0] && b[1] == BOM[1] && b[2] == BOM[2];
    }

    /** The first malformed sequence after {@code start}, or null. */
    private static BadBytes firstBad(byte[] bytes, int start) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length - start));
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) return null;
        int at = in.position(), len = r.length();
        boolean atEnd = at + len == bytes.length && len > 1;
        if (!atEnd) len = 1; // NOTE: as Python names it: the byte that starts the sequence that cannot be completed
        int lineStart = at;
        while (lineStart > start && bytes[lineStart - 1] != '\n') lineStart--;
        int line = 1;
        for (int i = start; i < lineStart; i++) if (bytes[i] == '\n') line++;
        int col = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8).length() + 1;
        return new BadBytes(line, col, java.util.Arrays.copyOfRange(bytes, at, at + len), atEnd);
    }

    /** Reports the first bad bytes, if any, as E0004 in {@code diags} (made over {@link #text}); true if it did. */
    public boolean report(Diagnostics diags) {
        if (bad == null) return false;
        StringBuilder hex = new StringBuilder();
        for (byte b : bad.bytes()) hex.append(hex.length() == 0 ? "" : " ").append(String.format("0x%02x", b & 0xff));
        String what = bad.bytes().length == 1 ? "the byte " + hex + " here is not part of a UTF-8 character"
                : "the bytes " + hex + " here are a character cut off by the end of the file";
        diags.error("E0004", new Span(bad.line(), bad.col(), bad.line(), bad.col() + 1), "this file is not valid UTF-8: " + what,
                "tx reads a source file as UTF-8; save it as UTF-8 (from Latin-1: `iconv -f latin1 -t utf-8 "
                        + tx.runtime.io.ControlChars.escape(diags.fileName()) + "`)");
        return true;
    }
}
