package tx.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The escapes of control characters in messages, written out as Python's repr writes them. */
class ControlCharsTest {
    @Test
    void controlsAreEscapedAndEverythingElseIsKept() {
        assertEquals("a\\nb\\r\\t\\0\\x1b[31m\\x7f\\x9b", ControlChars.escape("a\nb\r\t\0\u001b[31m\u007f\u009b"));
        assertEquals("abc\\u202egpj.exe", ControlChars.escape("abc\u202egpj.exe"), "a right-to-left override that would disguise a name");
        String plain = "C:\\data\\w.npy é€ 😀 \u200dx";
        assertSame(plain, ControlChars.escape(plain), "backslashes, letters, emoji and joiners are kept (and nothing is copied)");
        assertEquals(null, ControlChars.escape(null));
    }
}
