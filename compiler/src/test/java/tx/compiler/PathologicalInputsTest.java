package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tx.compiler.TxRunner.Outcome;

/**
 * Inputs no one means to write: empty and binary files, NUL bytes, broken UTF-8, 100,000 levels of
 * nesting, megabyte lines, a million-number literal, thousands of errors, tensors too large to
 * exist, numbers beyond float64, and IEEE arithmetic.
 *
 * <p>Each test states what {@code tx run} must do: its exit status (LANGUAGE.md §9: 0 ran, 1 compile
 * error, 2 usage error, 3 run-time error), what it prints, the diagnostics' codes and positions,
 * and, for every input, that no Java stack trace or internal error reaches the user and that every
 * {@code --> file:line:col} points inside the file. The inputs are generated into a temporary
 * directory; nothing large is committed.
 *
 * <p>The time limits are hang guards only ({@link TxLauncher#HANG_GUARD}); speed is measured by the
 * benchmarks. Most cases run tx in this JVM on a thread with {@code Main.main}'s 512 MiB stack; the
 * deeply nested inputs, which could hang, and the memory limits, which need a known {@code -Xmx},
 * run in a child JVM started as {@code ./tx} starts it (see {@link TxLauncher}).
 */
class PathologicalInputsTest {
    private static final int DEEP = 100_000;
    private static final int ONE_MIB = 1 << 20;
    private static final Pattern HEADER = Pattern.compile("^(error|warning)\\[([EW]\\d{4})\\]: (.*)$");
    private static final Pattern LOCATION = Pattern.compile("^ *--> (.*):(\\d+):(\\d+)$");

    @TempDir Path dir;

    // ---- empty, binary and badly encoded files ------------------------------------------------------

    @Test
    void anEmptyFileRunsAndPrintsNothing() throws IOException {
        Outcome r = run(write("empty.tx", ""));
        assertOutcome(r, 0, "", "");
    }

    @Test
    void onlyCommentsBlankLinesAndSemicolonsRunAndPrintNothing() throws IOException {
        Outcome r = run(write("comments.tx", "# a comment\n\n   \n\t# indented\r\n;\n;;\n# no line break at the end"));
        assertOutcome(r, 0, "", "");
    }

    @Test
    void randomBytesAreRefusedAsNotUtf8() throws IOException {
        byte[] garbage = new byte[64 * 1024];
        new Random(42).nextBytes(garbage);
        Path f = writeBytes("garbage.tx", garbage);
        Outcome r = run(f);
        assertCompileFailure(r, f);
        List<String> shown = summary(r);
        assertEquals(1, shown.size(), r.err());
        assertTrue(shown.get(0).startsWith("E0004 "), shown.toString());
        assertNotUtf8Diagnostic(r);
    }

    /**
     * Code that would run, but for one malformed UTF-8 sequence inside a string; given in hex. It is
     * a compile error located at the first bad byte, as javac reports one, naming the bytes Python's
     * decoder names (the first byte of a sequence that cannot be completed); the line is shown with
     * U+FFFD in place of the bad bytes.
     */
    @ParameterizedTest(name = "bytes {0}")
    @ValueSource(strings = {
        "e9",          // é in Latin-1
        "80",          // a continuation byte with no lead byte
        "c0af",        // an overlong encoding of '/'
        "eda080",      // a UTF-16 surrogate, encoded (CESU-8)
        "f4908080",    // beyond U+10FFFF
        "ff",          // never valid in UTF-8
    })
    void invalidUtf8IsACompileErrorAtTheFirstBadByte(String hex) throws IOException {
        byte[] bad = HexFormat.of().parseHex(hex);
        Path f = writeBytes("bad_utf8.tx", concat(bytes("x = tensor(1.0)\nprint(\"caf"), bad, bytes("\")\nprint(x)\n")));
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0004 2:11");
        assertTrue(r.err().startsWith("error[E0004]: this file is not valid UTF-8: the byte 0x" + hex.substring(0, 2) + " here "),
                shown(r.err()));
        assertTrue(r.err().contains("2 | print(\"caf\ufffd"), shown(r.err()));
        assertNotUtf8Diagnostic(r);
    }

    @Test
    void utf8CutOffInTheMiddleOfACharacterIsACompileError() throws IOException {
        Path f = writeBytes("truncated.tx", concat(bytes("print(\"€\")\n# €"), new byte[] {(byte) 0xe2, (byte) 0x82}));
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0004 2:4");
        assertTrue(r.err().startsWith("error[E0004]: this file is not valid UTF-8: the bytes 0xe2 0x82 here "), shown(r.err()));
        assertNotUtf8Diagnostic(r);
    }

    /** The diagnostic shows no raw byte of the file's bad ones: what the terminal gets is UTF-8, with U+FFFD for them. */
    private static void assertNotUtf8Diagnostic(Outcome r) {
        assertTrue(r.err().contains("^"), "a caret at the bad byte:\n" + shown(r.err()));
        assertTrue(r.err().contains("= help: tx reads a source file as UTF-8"), shown(r.err()));
    }

    /** Editors on Windows may start a UTF-8 file with a byte-order mark; Python and javac ignore it. */
    @Test
    void aUtf8ByteOrderMarkAtTheStartIsIgnored() throws IOException {
        Path f = writeBytes("bom.tx", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, bytes("print(tensor(1.0))\n")));
        assertOutcome(run(f), 0, "tensor(1.)\n", "");
    }

    /**
     * A NUL byte is a syntax error, as in Python ("source code cannot contain null bytes"), and the
     * message names it visibly: a raw NUL on a terminal shows nothing at all.
     */
    @Test
    void aNulByteInsideValidCodeIsASyntaxErrorThatNamesIt() throws IOException {
        Path f = write("nul.tx", "x = tensor(1.0)\nprint(\0x)\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0001 2:7");
        assertTrue(Pattern.compile("U\\+0000|\\\\0|\\\\x00|NUL|null", Pattern.CASE_INSENSITIVE).matcher(r.err()).find(),
                "the message should name the NUL character visibly (e.g. `\\0` or U+0000):\n" + shown(r.err()));
        assertPrintable(r.err());
    }

    /** Printable ASCII and control characters (ESC included), as from `cat /dev/urandom | tr`. */
    @Test
    void asciiGarbageGivesSyntaxErrorsInsideTheFileAndPrintsNoControlCharacters() throws IOException {
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.append((char) (1 + random.nextInt(127)));
        Path f = write("ascii_garbage.tx", sb.toString());
        Outcome r = run(f);
        assertSyntaxErrorsOnly(r, f);
        assertPrintable(r.err());
    }

    /** A bidi override and a C1 control on the line a diagnostic shows (Trojan Source) are not shown raw. */
    @Test
    void aSourceLineWithABidiOverrideOrAC1ControlIsShownVisibly() throws IOException {
        Path f = write("bidi.tx", "x = tensor([1.0, 2.0])\ny = x @ zeros(3) # \u202e evil \u0085 \u009b31m\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0202 2:5");
        assertPrintable(r.err());
        assertTrue(r.err().contains("# \ufffd evil \ufffd \ufffd31m"), shown(r.err()));
    }

    @Test
    void unicodeGarbageGivesSyntaxErrorsInsideTheFile() throws IOException {
        Random random = new Random(8);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 20_000) {
            int cp = 1 + random.nextInt(0x2ffff);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) sb.appendCodePoint(cp);
        }
        Path f = write("unicode_garbage.tx", sb.toString());
        Outcome r = run(f);
        assertSyntaxErrorsOnly(r, f);
        assertPrintable(r.err());
    }

    // ---- deep nesting: the real launcher's stack, in a child JVM ------------------------------------

    @Test
    void aHundredThousandNestedParenthesesInAnExpression() throws IOException {
        Path f = write("parens.tx", "x = " + "(".repeat(DEEP) + "1" + ")".repeat(DEEP) + "\nprint(x)\n");
        assertRunsOrRefusesTheNesting(launch(f), f, "tensor(1.)\n");
    }

    @Test
    void aHundredThousandNestedIfBlocks() throws IOException {
        Path f = write("ifs.tx", "x = tensor(1.0)\n" + "if 1 {\n".repeat(DEEP) + "x = x + 1\n" + "}\n".repeat(DEEP) + "print(x)\n");
        assertRunsOrRefusesTheNesting(launch(f), f, "tensor(2.)\n");
    }

    @Test
    void aHundredThousandNestedBracketsInATensorLiteral() throws IOException {
        Path f = write("brackets.tx", "x = tensor(" + "[".repeat(DEEP) + "1.0" + "]".repeat(DEEP) + ")\nprint(x.sum())\n");
        assertRunsOrRefusesTheNesting(launch(f), f, "tensor(1.)\n");
    }

    @Test
    void aHundredThousandNestedForLoops() throws IOException {
        Path f = write("fors.tx", "x = tensor(1.0)\n" + "for i in range(1) {\n".repeat(DEEP) + "x = x + 1\n"
                + "}\n".repeat(DEEP) + "print(x)\n");
        assertRunsOrRefusesTheNesting(launch(f), f, "tensor(2.)\n");
    }

    /** Well within any nesting limit: the checker's work must not double with each level. */
    @Test
    void thirtyNestedForLoopsCompileAndRun() throws IOException {
        Path f = write("fors30.tx", "x = tensor(1.0)\n" + "for i in range(1) {\n".repeat(30) + "x = x + 1\n"
                + "}\n".repeat(30) + "print(x)\n");
        assertOutcome(launch(f), 0, "tensor(2.)\n", "");
    }

    @Test
    void aHundredThousandUnclosedParentheses() throws IOException {
        Path f = write("unclosed_parens.tx", "x = " + "(".repeat(DEEP) + "1\nprint(x)\n");
        Outcome r = launch(f);
        assertCompileErrorMentioning(r, f, "`(` is never closed");
    }

    @Test
    void aHundredThousandUnclosedBraces() throws IOException {
        Path f = write("unclosed_braces.tx", "if 1 {\n".repeat(DEEP) + "x = 1\n");
        Outcome r = launch(f);
        assertCompileErrorMentioning(r, f, "`{`");
    }

    // ---- long lines, big literals, many errors ------------------------------------------------------

    @Test
    void aOneMegabyteLineOfSums() throws IOException {
        int ones = ONE_MIB / 4; // "x = 1" then " + 1" this many times: just over 1 MiB
        Path f = write("long_sum.tx", "x = 1" + " + 1".repeat(ones) + "\nprint(x)\n");
        assertTrue(Files.size(f) > ONE_MIB);
        assertOutcome(run(f), 0, (ones + 1) + "\n", ""); // a sum of Python ints is a Python int
    }

    @Test
    void aOneMegabyteLineWithAnErrorAtItsEnd() throws IOException {
        String line = "x = 1" + " + 1".repeat(ONE_MIB / 4) + " + zz";
        Path f = write("long_error.tx", line + "\nprint(x)\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0101 1:" + (line.length() - 1));
        assertTrue(r.err().contains("unknown name `zz`"), shown(r.err()));
    }

    @Test
    void aOneMegabyteStringLiteral() throws IOException {
        String text = "a".repeat(ONE_MIB);
        Path f = write("long_string.tx", "print(\"" + text + "\")\n");
        assertOutcome(run(f), 0, text + "\n", "");
    }

    @Test
    void aTensorLiteralOfAMillionNumbers() throws IOException {
        StringBuilder sb = new StringBuilder("x = tensor([");
        for (int i = 0; i < 1_000_000; i++) sb.append(i == 0 ? "" : ", ").append(i % 10);
        Path f = write("million.tx", sb.append("])\nprint(x.shape)\nprint(x.sum())\n").toString());
        assertOutcome(run(f), 0, "torch.Size([1000000])\ntensor(4500000)\n", ""); // an int64 tensor, as torch.tensor([0, 1, ...]).sum()
    }

    @Test
    void threeThousandErrorsShowTheFirstHundredThenCountTheRest() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) sb.append("y").append(i).append(" = nope").append(i).append('\n');
        Path f = write("errors.tx", sb.toString());
        Outcome r = run(f);
        assertCompileFailure(r, f);
        List<String> shown = summary(r);
        assertEquals(100, shown.size(), "the first 100 diagnostics are shown");
        assertEquals("E0101 1:6", shown.get(0));
        assertEquals("E0101 100:7", shown.get(99));
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[lines.length - 1].contains("2900 more"), "the last line says how many more: " + lines[lines.length - 1]);
    }

    // ---- tensors too large to exist ----------------------------------------------------------------

    @Test
    void aShapeWhoseElementCountOverflowsLongIsRefused() throws IOException {
        Path f = write("overflow.tx", "x = zeros(2000000000, 2000000000, 2000000000)\nprint(x.sum())\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0205 1:5");
        assertTrue(r.err().contains("a tensor of shape [2000000000, 2000000000, 2000000000] has more than"), shown(r.err()));
    }

    /** A whole number too large for a size is too large, not "not a whole number". */
    @Test
    void sizesBeyondTwoToThe31AreTooLargeNotFractional() throws IOException {
        Path f = write("huge_sizes.tx", """
                a = zeros(4294967296, 4294967296)
                b = zeros(2147483648)
                c = linspace(0, 1, 3000000000)
                """);
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0205 1", "E0205 2", "E0205 3");
        assertFalse(r.err().contains("whole number"), "4294967296 is a whole number, just too large:\n" + shown(r.err()));
    }

    /** Every way of making a tensor of more than 2^31 - 1 elements is refused before anything runs. */
    @Test
    void everyTensorOfMoreThanTwoToThe31ElementsIsRefusedAtCompileTime() throws IOException {
        Path f = write("too_many_elements.tx", """
                a = eye(100000)
                b = arange(10000000000)
                c = randn(50000, 50000, seed=0)
                d = full([50000, 50000], 2.0)
                e = ones(1).expand(100000, 100000)
                f = ones(100000, 1) * ones(1, 100000)
                g = ones(100000, 1) @ ones(1, 100000)
                h = outer(ones(100000), ones(100000))
                """);
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0205 1", "E0205 2", "E0205 3", "E0205 4", "E0205 5", "E0205 6", "E0205 7", "E0205 8");
    }

    @Test
    void zerosLargerThanTheHeapAreRefusedWithTheMemoryNeededAndAvailable() throws IOException {
        Path f = write("heap.tx", "x = zeros(20000, 20000)\nprint(x.sum())\n");
        Outcome r = launch(f, "-Xmx1g");
        assertCompileErrors(r, f, "E0205 1:5");
        assertNeedsAndMayUse(r.err(), 8.0 * 20000 * 20000);
        assertTrue(r.err().contains("-Xmx"), "the help says how to give Java more memory:\n" + shown(r.err()));
    }

    /** A result as large as the heap is as impossible as a constructed one, and refused the same way. */
    @Test
    void resultsLargerThanTheHeapAreRefusedBeforeAllocating() throws IOException {
        Path f = write("heap_results.tx", """
                a = ones(20000, 1) * ones(1, 20000)
                b = ones(20000, 1) @ ones(1, 20000)
                c = outer(ones(20000), ones(20000))
                print(a.sum(), b.sum(), c.sum())
                """);
        Outcome r = launch(f, "-Xmx1g");
        assertCompileErrors(r, f, "E0205 1", "E0205 2", "E0205 3");
        assertNeedsAndMayUse(r.err(), 8.0 * 20000 * 20000);
    }

    // ---- numbers -----------------------------------------------------------------------------------

    @Test
    void numbersBeyondFloat64AreE0002OnceEach() throws IOException {
        String[] lines = {"a = tensor(1e999)", "b = clamp(tensor([1.0]), min=-1e999)", "c = zeros(1e999)", "print(a, b, c)"};
        Path f = write("huge_number.tx", String.join("\n", lines) + "\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0002 1:" + col(lines[0], "1e999"), "E0002 2:" + col(lines[1], "1e999"),
                "E0002 3:" + col(lines[2], "1e999"));
        assertTrue(r.err().contains("number `1e999` is too large for a float64"), shown(r.err()));
    }

    /** As in Python and PyTorch, a number too small for a float64 is 0. */
    @Test
    void numbersBelowTheSmallestFloat64UnderflowToZero() throws IOException {
        assertOutcome(run(write("tiny.tx", "print(1e-999)\nprint(tensor([1e-999, -1e-999]))\n")), 0,
                "0.0\ntensor([0., -0.])\n", "");
    }

    @Test
    void aNumberWithTwoDecimalPointsIsASyntaxError() throws IOException {
        Path f = write("dots.tx", "x = 1.2.3\nprint(x)\n");
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0001 1:8");
        assertTrue(r.err().contains("unexpected `.3`"), shown(r.err()));
    }

    @Test
    void fractionsWhereWholeNumbersAreNeededAreE0105() throws IOException {
        Path f = write("fractions.tx", """
                x = arange(6)
                a = zeros(2.5)
                b = x[0.5]
                c = sum(x, dim=0.5)
                for i in range(2.5) { print(i) }
                """);
        Outcome r = run(f);
        assertCompileErrors(r, f, "E0105 2:11", "E0105 3:7", "E0105 4:12", "E0105 5:16");
        assertTrue(r.err().contains("a size must be a whole number known at compile time, found `2.5`"), shown(r.err()));
    }

    /** Every number is a float64; whole numbers are fine wherever a float is expected (PyTorch prints the same). */
    @Test
    void wholeNumbersWhereFloatsAreExpectedAreFine() throws IOException {
        Path f = write("whole.tx", """
                print(tensor(3))
                print(exp(1))
                print(full([2], 3))
                print(clamp(tensor([0.5, 2.0]), min=0, max=1))
                print(tensor([1, 2]) / 2)
                print(zeros(2.0))
                print(arange(6)[1.0])
                """);
        // whole numbers make int64 tensors, as in PyTorch (torch.tensor(3), torch.full([2], 3), torch.arange(6)[1])
        assertOutcome(run(f), 0, """
                tensor(3)
                tensor(2.7183)
                tensor([3, 3])
                tensor([0.5000, 1.0000])
                tensor([0.5000, 1.0000])
                tensor([0., 0.])
                tensor(1)
                """, "");
    }

    /** `full(shape, v)` with the shape written as a bare size, as `zeros(2)` allows: 3 is the value, not a size. */
    @Test
    void fullWithABareSizeTakesTheSecondArgumentAsTheValue() throws IOException {
        assertOutcome(run(write("full.tx", "print(full(2, 3))\nprint(full([2, 3], 4).shape)\n")), 0,
                "tensor([3, 3])\ntorch.Size([2, 3])\n", ""); // int64, as torch.full(2, 3)
    }

    /**
     * IEEE 754 as in PyTorch: no error, inf and nan flow on. The expected lines are what PyTorch 1.13
     * prints for the same float64 operations (/usr/bin/python3, without the dtype suffix), e.g.
     * {@code torch.tensor([[1., -1.], [0., 2.]], dtype=torch.float64) / 0} and
     * {@code x = torch.tensor(0., dtype=torch.float64, requires_grad=True); torch.sqrt(x).backward(); x.grad}.
     */
    @Test
    void floatingPointFaultsFollowIeeeSemanticsLikePyTorch() throws IOException {
        Path f = write("ieee.tx", """
                print(tensor(1.0) / 0)
                print(tensor(-1.0) / 0)
                print(tensor(0.0) / 0)
                print(tensor(0.0) / tensor(0.0))
                print(log(tensor(0.0)))
                print(sqrt(tensor(-1.0)))
                print(exp(tensor(1000.0)))
                print(tensor(1e308) * 10)
                print(tensor(0.0) * (tensor(1.0) / 0))
                print(1 / -tensor(0.0))
                print(tensor([1.5, 2.0]) / tensor([1.0, 0.0]))
                print(tensor([[1.0, -1.0], [0.0, 2.0]]) / 0)
                print(log(tensor([0.0, 1.0, 100.0])))
                x = tensor(0.0, requires_grad=true)
                sqrt(x).backward()
                print(x.grad)
                z = tensor(0.0, requires_grad=true)
                log(z).backward()
                print(z.grad)
                """);
        assertOutcome(run(f), 0, """
                tensor(inf)
                tensor(-inf)
                tensor(nan)
                tensor(nan)
                tensor(-inf)
                tensor(nan)
                tensor(inf)
                tensor(inf)
                tensor(nan)
                tensor(-inf)
                tensor([1.5000,    inf])
                tensor([[inf, -inf],
                        [nan, inf]])
                tensor([  -inf, 0.0000, 4.6052])
                tensor(inf)
                tensor(inf)
                """, "");
    }

    // ---- the command line --------------------------------------------------------------------------

    @Test
    void aMissingFileIsAUsageError() {
        Path f = dir.resolve("no_such_file.tx");
        assertUsageError(run(f), f, "no such file");
    }

    @Test
    void aDirectoryGivenAsTheFileIsAUsageError() throws IOException {
        Path d = Files.createDirectory(dir.resolve("a_directory.tx"));
        assertUsageError(run(d), d, "cannot read");
    }

    @Test
    void noArgumentsIsAUsageErrorThatPrintsTheUsage() {
        Outcome r = TxLauncher.inBigStack();
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("usage: tx"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Outcome r = TxLauncher.inBigStack("frobnicate", "x.tx");
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("unknown command `frobnicate`"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void runWithoutAFileIsAUsageError() {
        Outcome r = TxLauncher.inBigStack("run");
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("FILE.tx"), "the message says a FILE.tx is needed: " + r.err());
        assertNoStackTrace(r);
    }

    // ---- running tx ---------------------------------------------------------------------------------

    /** {@code tx run FILE} in this JVM, on Main.main's 512 MiB stack. */
    private static Outcome run(Path file) {
        return TxLauncher.inBigStack("run", file.toString());
    }

    /** {@code tx run FILE} in a child JVM started as ./tx starts it, with extra JVM options. */
    private Outcome launch(Path file, String... jvmOptions) {
        return TxLauncher.inChildJvm(dir, List.of(jvmOptions), "run", file.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private Path writeBytes(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    /** The 1-based column (in characters) where {@code what} starts in {@code line}. */
    private static int col(String line, String what) {
        return line.indexOf(what) + 1;
    }

    // ---- what every outcome must satisfy -----------------------------------------------------------

    private static void assertOutcome(Outcome r, int status, String out, String err) {
        assertNoStackTrace(r);
        assertEquals(err, r.err(), "standard error");
        assertEquals(status, r.status(), "exit status");
        if (!out.equals(r.out())) assertEquals(shown(out), shown(r.out()), "standard output");
    }

    /** LANGUAGE.md §9: no input, however malformed, may print a Java stack trace. */
    private static void assertNoStackTrace(Outcome r) {
        for (String s : List.of(r.err(), r.out())) {
            assertFalse(s.contains("\tat "), "a Java stack trace was printed:\n" + shown(s));
            assertFalse(s.contains("Exception in thread"), "an exception escaped:\n" + shown(s));
        }
        assertFalse(r.err().contains("internal error"), "tx reported an internal error:\n" + shown(r.err()));
    }

    /** Exit 2 with one message that names the file; nothing compiled, nothing printed on stdout. */
    private static void assertUsageError(Outcome r, Path file, String text) {
        assertNoStackTrace(r);
        assertEquals(2, r.status(), "exit status; stderr:\n" + shown(r.err()));
        assertEquals("", r.out());
        assertTrue(r.err().contains(file.toString()), "the message names the file:\n" + shown(r.err()));
        assertTrue(r.err().contains(text), "expected `" + text + "` in:\n" + shown(r.err()));
        assertFalse(HEADER.matcher(r.err().lines().findFirst().orElse("")).matches(), "a usage error is not a diagnostic");
    }

    /** Exit 1, nothing on stdout, no stack trace, every location inside the file. */
    private static void assertCompileFailure(Outcome r, Path file) {
        assertNoStackTrace(r);
        assertEquals(1, r.status(), "exit status; stderr:\n" + shown(r.err()));
        assertEquals("", r.out(), "nothing runs after a compile error");
        assertLocationsInside(r, file);
    }

    /**
     * A compile failure with exactly these diagnostics, in order: "CODE LINE:COL", or "CODE LINE"
     * where the column is left to the compiler.
     */
    private static void assertCompileErrors(Outcome r, Path file, String... expected) {
        assertCompileFailure(r, file);
        List<String> actual = summary(r);
        List<String> trimmed = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) {
            boolean lineOnly = i < expected.length && !expected[i].contains(":");
            trimmed.add(lineOnly ? actual.get(i).replaceFirst(":\\d+$", "") : actual.get(i));
        }
        assertEquals(List.of(expected), trimmed, "diagnostics (code line:col):\n" + shown(r.err()));
    }

    private static void assertSyntaxErrorsOnly(Outcome r, Path file) {
        assertCompileFailure(r, file);
        List<String> shown = summary(r);
        assertFalse(shown.isEmpty(), "at least one diagnostic:\n" + shown(r.err()));
        assertTrue(shown.size() <= 100, "at most 100 diagnostics are shown");
        assertTrue(shown.stream().allMatch(s -> s.startsWith("E0001 ")), "syntax errors only: " + shown);
    }

    /** A compile error for the unclosed brackets (or a clear refusal of the nesting), quickly. */
    private static void assertCompileErrorMentioning(Outcome r, Path file, String text) {
        assertCompileFailure(r, file);
        assertTrue(r.err().contains(text) || r.err().contains("nested"), "expected `" + text + "` in:\n" + shown(r.err()));
    }

    /**
     * Deep nesting either works, as the same program nested twice would, or is refused with a
     * diagnostic saying it is nested too deeply (an explicit limit): never a StackOverflowError, a
     * stack trace or a hang.
     */
    private static void assertRunsOrRefusesTheNesting(Outcome r, Path file, String out) {
        assertNoStackTrace(r);
        if (r.status() == 0) {
            assertEquals("", r.err(), "standard error");
            assertEquals(out, r.out(), "standard output");
        } else {
            assertCompileFailure(r, file);
            assertTrue(r.err().contains("nested"), "exit 0, or a refusal saying the input is nested too deeply:\n" + shown(r.err()));
        }
    }

    /**
     * "needs N GiB ..., and the JVM may use M GiB" (or M MiB), with N about {@code bytes} and M no
     * more than the child's -Xmx1g: the exact heap size is the JVM's to choose.
     */
    private static void assertNeedsAndMayUse(String err, double bytes) {
        Matcher m = Pattern.compile("needs (\\d+(?:\\.\\d+)?) GiB\\b.*?the JVM may use (\\d+(?:\\.\\d+)?) (GiB|MiB)").matcher(err);
        assertTrue(m.find(), "expected `needs N GiB ... the JVM may use M GiB` in:\n" + shown(err));
        double needs = Double.parseDouble(m.group(1)), mayUse = Double.parseDouble(m.group(2)) * (m.group(3).equals("GiB") ? 1024 : 1);
        assertEquals(bytes / (1 << 30), needs, 0.06, "GiB needed");
        assertTrue(mayUse > 0 && mayUse <= 1024, "the limit is at most the -Xmx1g given: " + m.group());
    }

    /** Every {@code --> name:line:col} names this file, an existing line, and a column on it (or just after it). */
    private static void assertLocationsInside(Outcome r, Path file) {
        String[] lines = sourceLines(file);
        for (String l : r.err().split("\n")) {
            Matcher m = LOCATION.matcher(l);
            if (!m.matches()) continue;
            assertEquals(file.getFileName().toString(), m.group(1), "the file in " + l);
            int line = Integer.parseInt(m.group(2)), col = Integer.parseInt(m.group(3));
            assertTrue(line >= 1 && line <= lines.length, "line " + line + " is outside the file's " + lines.length + " lines: " + l);
            int width = lines[line - 1].codePointCount(0, lines[line - 1].length());
            assertTrue(col >= 1 && col <= width + 1, "column " + col + " is outside line " + line + " (" + width + " characters): " + l);
        }
    }

    private static String[] sourceLines(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\r?\n", -1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The diagnostics shown, as "CODE LINE:COL", in order. */
    private static List<String> summary(Outcome r) {
        List<String> result = new ArrayList<>();
        String code = null;
        for (String l : r.err().split("\n")) {
            Matcher h = HEADER.matcher(l), loc = LOCATION.matcher(l);
            if (h.matches()) {
                code = h.group(2);
            } else if (code != null && loc.matches()) {
                result.add(code + " " + loc.group(2) + ":" + loc.group(3));
                code = null;
            }
        }
        return result;
    }

    /** Only printable text and line breaks: no NUL, no escape sequences, no carriage returns. */
    private static void assertPrintable(String err) {
        for (int i = 0; i < err.length(); i++) {
            char c = err.charAt(i);
            boolean format = Character.getType(c) == Character.FORMAT && c != 0x200c && c != 0x200d; // a bidi override, say
            if (c != '\n' && (Character.isISOControl(c) || format)) {
                throw new AssertionError(String.format("standard error contains the control or format character U+%04X at offset %d:%n%s",
                        (int) c, i, escaped(err.substring(Math.max(0, i - 200), Math.min(err.length(), i + 200)))));
            }
        }
    }

    /** Control characters other than line breaks as \\uXXXX, so that a failure message prints cleanly. */
    private static String escaped(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c != '\n' && Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return sb.toString();
    }

    /** A long text cut to its beginning and end, for failure messages. */
    private static String shown(String s) {
        return s.length() <= 3000 ? s : s.substring(0, 1500) + "\n[... " + (s.length() - 3000) + " characters ...]\n" + s.substring(s.length() - 1500);
    }
}
