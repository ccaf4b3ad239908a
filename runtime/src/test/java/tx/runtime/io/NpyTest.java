package tx.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tx.runtime.tensor.Tensor;

/**
 * The .npy reader and writer on bytes built here by hand, following NumPy's format description
 * (numpy/lib/format.py): the expected headers and values are written out in the test, never
 * produced by the code under test. NumPy's own files are read in the compiler's NpyTest.
 */
class NpyTest {
    @TempDir
    Path dir;

    /** A file as NumPy lays it out: magic, version, header length, the dict padded to 64 bytes with a final line break, data. */
    static byte[] file(int major, String dict, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int hlen = dict.length() + 1;
        int pad = 64 - ((6 + 2 + lenBytes + hlen) % 64);
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) header.length());
        else b.putInt(header.length());
        b.put(header.getBytes(StandardCharsets.UTF_8)).put(data);
        return b.array();
    }

    static byte[] doubles(double... xs) {
        ByteBuffer b = ByteBuffer.allocate(8 * xs.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : xs) b.putDouble(x);
        return b.array();
    }

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    // ---- reading ---------------------------------------------------------------------------------------

    @Test
    void readsFloat64InCOrder() throws IOException {
        Path f = write("a.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", doubles(1, 2, 3, 4, 5, 6)));
        Npy.Header h = Npy.readHeader(f);
        assertArrayEquals(new int[] {2, 3}, h.shape());
        assertEquals(Npy.DType.FLOAT64, h.dtype());
        assertEquals(128, h.dataOffset());
        Tensor t = Npy.read(f, new int[] {2, 3});
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.data());
    }

    @Test
    void readsTheOtherDtypesAsFloat64() throws IOException {
        ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-2.5f);
        ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(Integer.MAX_VALUE);
        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong((1L << 53) + 1).putLong(-3);
        assertArrayEquals(new double[] {0.10000000149011612, -2.5},
                Npy.read(write("f4.npy", file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4.array())), null).data());
        assertArrayEquals(new double[] {-7, 2147483647},
                Npy.read(write("i4.npy", file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", i4.array())), null).data());
        // NOTE: 2^53 + 1 has no float64; it rounds to 2^53, as NumPy's astype(float64) and PyTorch's .double() round it
        assertArrayEquals(new double[] {9007199254740992.0, -3},
                Npy.read(write("i8.npy", file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8.array())), null).data());
    }

    @Test
    void readsVersions2And3AndScalarsAndEmptyArrays() throws IOException {
        Path v2 = write("v2.npy", file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", doubles(4)));
        assertEquals(2, Npy.readHeader(v2).major());
        assertEquals(128, Npy.readHeader(v2).dataOffset()); // 12 bytes before the header, then 116
        assertArrayEquals(new double[] {4}, Npy.read(v2, new int[] {1}).data());
        Path v3 = write("v3.npy", file(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", doubles(-0.0)));
        Tensor s = Npy.read(v3, new int[0]);
        assertEquals(0, s.rank());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(s.item()));
        Path empty = write("e.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }", new byte[0]));
        assertArrayEquals(new int[] {3, 0}, Npy.read(empty, new int[] {3, 0}).shapeRef());
    }

    @Test
    void fortranOrderIsTransposedOnTheWayIn() throws IOException {
        // a 2x3 matrix [[0, 1, 2], [3, 4, 5]] stored column by column: 0 3 1 4 2 5
        Path f = write("f.npy", file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", doubles(0, 3, 1, 4, 2, 5)));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, Npy.read(f, new int[] {2, 3}).data());
        // 2x2x2: the element (i, j, k) is stored at i + 2 j + 4 k
        double[] stored = new double[8];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) stored[i + 2 * j + 4 * k] = 100 * i + 10 * j + k;
        Path g = write("g.npy", file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", doubles(stored)));
        assertArrayEquals(new double[] {0, 1, 10, 11, 100, 101, 110, 111}, Npy.read(g, null).data());
    }

    @Test
    void headersAsPython2AndOtherWritersWroteThem() {
        // keys in another order, double quotes, a Python 2 long, no trailing comma, no space
        Npy.Header h = Npy.fromDict("{\"shape\":(3L,2L),\"fortran_order\":False,\"descr\":\"<i8\"}", 1, 0, 64);
        assertArrayEquals(new int[] {3, 2}, h.shape());
        assertEquals(Npy.DType.INT64, h.dtype());
    }

    @Test
    void refusesWhatItCannotRead() throws IOException {
        String f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        assertProblem(Npy.Problem.MISSING, "there is no such file", dir.resolve("none.npy"));
        assertProblem(Npy.Problem.UNREADABLE, "it is a folder", dir);
        assertProblem(Npy.Problem.NOT_NPY, "not a .npy file", write("t.npy", "1 2 3".getBytes(StandardCharsets.US_ASCII)));
        assertProblem(Npy.Problem.TRUNCATED, "truncated: its header promises 2 float64 values (16 bytes), but only 8 bytes",
                write("tr.npy", file(1, f8, doubles(1))));
        byte[] whole = file(1, f8, doubles(1, 2));
        assertProblem(Npy.Problem.TRUNCATED, "ends in the middle of its header", write("th.npy", java.util.Arrays.copyOf(whole, 30)));
        byte[] v4 = whole.clone();
        v4[6] = 4;
        assertProblem(Npy.Problem.UNSUPPORTED, "version 4.0", write("v4.npy", v4));
        assertProblem(Npy.Problem.UNSUPPORTED, "big-endian float64 values (dtype '>f8')",
                write("be.npy", file(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", new byte[16])));
        assertProblem(Npy.Problem.UNSUPPORTED, "uint8 values (dtype '|u1')",
                write("b.npy", file(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new byte[2])));
        assertProblem(Npy.Problem.UNSUPPORTED, "a structured dtype ([('x', '<f8')])",
                write("s.npy", file(1, "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "its keys are ['descr', 'shape']",
                write("k.npy", file(1, "{'descr': '<f8', 'shape': (2,), }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "its 'shape' is 2, not a tuple",
                write("sh.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': 2, }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "negative size",
                write("n.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "'fortran_order' is 0",
                write("fo.npy", file(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "not a Python dictionary",
                write("d.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "more elements than any file can hold",
                write("huge.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", new byte[0])));
    }

    @Test
    void aShapeThatChangedSinceCompileTimeIsNamed() throws IOException {
        Path f = write("c.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", doubles(1, 2)));
        Npy.NpyException e = assertThrows(Npy.NpyException.class, () -> Npy.read(f, new int[] {3}));
        assertEquals(Npy.Problem.CHANGED, e.problem());
        assertEquals("it has shape [2] now, but it had shape [3] when the program was compiled", e.getMessage());
    }

    void assertProblem(Npy.Problem problem, String text, Path file) {
        Npy.NpyException e = assertThrows(Npy.NpyException.class, () -> Npy.read(file, null), file.toString());
        assertEquals(problem, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
        Npy.NpyException h = assertThrows(Npy.NpyException.class, () -> Npy.readHeader(file));
        assertEquals(e.getMessage(), h.getMessage(), "the compiler and the interpreter say the same");
    }

    @Test
    void dtypesAreNamedAsNumPyNamesThem() {
        assertEquals("bool", Npy.numpyName("|b1"));
        assertEquals("complex128", Npy.numpyName("<c16"));
        assertEquals("uint8", Npy.numpyName("|u1"));
        assertEquals("int16", Npy.numpyName("<i2"));
        assertEquals("float16", Npy.numpyName("<f2"));
        assertEquals("big-endian int32", Npy.numpyName(">i4"));
        assertEquals("str", Npy.numpyName("<U5"));
        assertEquals("bytes", Npy.numpyName("|S3"));
        assertEquals("Python object", Npy.numpyName("|O"));
        assertEquals("datetime64", Npy.numpyName("<M8[ns]"));
    }

    // ---- writing -----------------------------------------------------------------------------------------

    @Test
    void writesTheHeaderNumPyWrites() {
        // np.save(f, np.zeros((2, 3))) in NumPy 1.24: the dict, 21 - len("2") spaces of room to grow, padding, '\n'
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(20);
        byte[] h = Npy.headerBytes(new int[] {2, 3});
        assertEquals(128, h.length);
        assertEquals(0, h.length % 64, "the data starts on a 64-byte boundary");
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, java.util.Arrays.copyOf(h, 10));
        String text = new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith(dict), text);
        assertEquals("\n", text.substring(text.length() - 1));
        assertTrue(text.substring(dict.length(), text.length() - 1).isBlank());
        assertTrue(new String(Npy.headerBytes(new int[0]), StandardCharsets.ISO_8859_1).contains("'shape': (), }"));
        assertTrue(new String(Npy.headerBytes(new int[] {5}), StandardCharsets.ISO_8859_1).contains("'shape': (5,), }"));
    }

    @Test
    void whatIsWrittenParsesAsTheFormatSays() throws IOException {
        Tensor t = Tensor.of(new int[] {3, 1}, new double[] {1.5, Double.NaN, -0.0});
        byte[] bytes = Npy.encode(t);
        int hlen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(bytes.length, 10 + hlen + 24);
        Object dict = PyLiteral.parse(new String(bytes, 10, hlen, StandardCharsets.ISO_8859_1));
        assertEquals(Map.of("descr", "<f8", "fortran_order", false, "shape", new PyLiteral.Tuple(List.of(3L, 1L))), dict);
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + hlen, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5, data.getDouble());
        assertTrue(Double.isNaN(data.getDouble()));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(data.getDouble()));
    }

    @Test
    void saveThenLoadGivesTheSameTensor() throws IOException {
        for (Tensor t : List.of(Tensor.scalar(3.25), Tensor.zeros(0), Tensor.zeros(2, 0, 3),
                Tensor.of(new int[] {2, 2}, new double[] {Double.POSITIVE_INFINITY, -1e-300, Double.MIN_VALUE, -0.0}))) {
            Path f = dir.resolve("rt.npy");
            Npy.write(f, t);
            assertArrayEquals(Npy.encode(t), Files.readAllBytes(f));
            Tensor back = Npy.read(f, t.shape());
            assertArrayEquals(t.shapeRef(), back.shapeRef());
            for (int i = 0; i < t.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(t.data()[i]), Double.doubleToRawLongBits(back.data()[i]));
            }
        }
        // a large tensor crosses the writer's and the reader's buffers
        double[] big = new double[100_003];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5 - 7;
        Path f = dir.resolve("big.npy");
        Npy.write(f, Tensor.of(new int[] {big.length}, big));
        assertArrayEquals(big, Npy.read(f, new int[] {big.length}).data());
    }

    @Test
    void writingWhereItCannotIsAnNpyException() {
        Npy.NpyException e = assertThrows(Npy.NpyException.class, () -> Npy.write(dir.resolve("no/such/x.npy"), Tensor.scalar(1)));
        assertEquals(Npy.Problem.WRITE, e.problem());
        assertEquals("its folder does not exist", e.getMessage());
        assertEquals(Npy.Problem.WRITE, assertThrows(Npy.NpyException.class, () -> Npy.write(dir, Tensor.scalar(1))).problem());
    }

    @Test
    void aSaveLeavesTheOldFileWholeUntilTheNewOneIsComplete() throws IOException {
        Path f = dir.resolve("w.npy");
        Npy.write(f, Tensor.of(new int[] {2}, new double[] {1, 2}));
        byte[] old = Files.readAllBytes(f);
        List<Path> seen = new java.util.ArrayList<>();
        AtomicFile.write(f, out -> {
            out.write(new byte[] {1, 2, 3});
            assertArrayEquals(old, Files.readAllBytes(f), "while the new file is written, the old one is untouched");
            try (var s = Files.list(dir)) {
                seen.addAll(s.filter(p -> !p.equals(f)).toList());
            }
        });
        assertEquals(1, seen.size(), "one temporary file, beside the target: " + seen);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing(), "the temporary file became the target");
    }

    @Test
    void aSaveThatFailsMidwayKeepsTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("w.npy");
        Npy.write(f, Tensor.of(new int[] {2}, new double[] {1, 2}));
        byte[] old = Files.readAllBytes(f);
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
        // a new file that fails is not created at all
        Path g = dir.resolve("new.npy");
        assertThrows(IOException.class, () -> AtomicFile.write(g, out -> {
            throw new IOException("disk full");
        }));
        assertFalse(Files.exists(g));
        assertEquals(List.of(f), listing());
    }

    @Test
    void twoWritersSavingOnePathLeaveOneWholeFile() throws Exception {
        Path f = dir.resolve("race.npy");
        double[] a = new double[40_000], b = new double[60_000];
        java.util.Arrays.fill(a, 1.5);
        java.util.Arrays.fill(b, -2.5);
        Tensor ta = Tensor.of(new int[] {a.length}, a), tb = Tensor.of(new int[] {200, 300}, b);
        byte[] ea = Npy.encode(ta), eb = Npy.encode(tb);
        Npy.write(f, ta);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> bad = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get() && bad.get() == null) {
                    byte[] now = Files.readAllBytes(f);
                    if (!java.util.Arrays.equals(now, ea) && !java.util.Arrays.equals(now, eb)) bad.set("a reader saw " + now.length + " bytes");
                }
            } catch (IOException e) {
                bad.set("a reader failed: " + e);
            }
        });
        List<Thread> writers = List.of(new Thread(() -> repeat(f, ta)), new Thread(() -> repeat(f, tb)));
        reader.start();
        for (Thread w : writers) w.start();
        for (Thread w : writers) w.join();
        done.set(true);
        reader.join();
        assertEquals(null, bad.get());
        byte[] last = Files.readAllBytes(f);
        assertTrue(java.util.Arrays.equals(last, ea) || java.util.Arrays.equals(last, eb), "one of the two whole files");
        assertEquals(List.of(f), listing(), "no temporary file is left behind");
    }

    private static void repeat(Path f, Tensor t) {
        for (int i = 0; i < 150; i++) Npy.write(f, t);
    }

    @Test
    void aSaveWritesThroughASymbolicLinkAndKeepsTheFilesPermissions() throws IOException {
        Path real = dir.resolve("real.npy"), link = dir.resolve("link.npy");
        Npy.write(real, Tensor.scalar(1));
        Files.createSymbolicLink(link, real);
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(real, perms);
        Npy.write(link, Tensor.scalar(2));
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(2.0, Npy.read(real, new int[0]).item());
        assertEquals(perms, Files.getPosixFilePermissions(real));
    }

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** A named pipe (made with mkfifo): opening it to read waits for a writer, for ever if none comes. */
    static Path fifo(Path file) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("mkfifo", file.toString()).inheritIO().start().waitFor(), "mkfifo");
        return file;
    }

    @Test
    void aPipeOrADeviceIsRefusedWithoutOpeningIt() throws Exception {
        Path pipe = fifo(dir.resolve("pipe.npy"));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            assertProblem(Npy.Problem.UNREADABLE, "it is not a regular file (a named pipe, a device or a socket)", pipe);
            Npy.NpyException w = assertThrows(Npy.NpyException.class, () -> Npy.write(pipe, Tensor.scalar(1)));
            assertEquals("it is not a regular file (a named pipe, a device or a socket)", w.getMessage());
        });
        assertTrue(Files.exists(pipe) && !Files.isRegularFile(pipe), "the pipe is still a pipe, not a file renamed over it");
        Path dev = Path.of("/dev/null"); // NOTE: only read: a broken write check would rename a file over the device
        if (Files.exists(dev)) assertProblem(Npy.Problem.UNREADABLE, "not a regular file", dev);
    }

    @Test
    void atMost64DimensionsAsNumPy() throws IOException {
        String ones64 = "(" + "1, ".repeat(64) + ")", ones65 = "(" + "1, ".repeat(65) + ")";
        Path ok = write("d64.npy", file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': " + ones64 + ", }", doubles(5)));
        assertEquals(64, Npy.readHeader(ok).shape().length);
        assertEquals(5.0, Npy.read(ok, null).data()[0]);
        assertProblem(Npy.Problem.UNSUPPORTED, "its shape has 65 dimensions; NumPy and tx allow at most 64",
                write("d65.npy", file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': " + ones65 + ", }", doubles(5))));
        String huge = "(" + "1, ".repeat(200_000) + ")";
        Path h = write("d200k.npy", file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': " + huge + ", }", doubles(5)));
        Npy.NpyException e = assertThrows(Npy.NpyException.class, () -> Npy.readHeader(h));
        assertEquals("its shape has 200000 dimensions; NumPy and tx allow at most 64", e.getMessage());
    }

    /** No control character of a header reaches a message raw: they are escaped as Python's repr escapes them. */
    @Test
    void controlCharactersFromAHeaderAreEscaped() throws IOException {
        assertProblem(Npy.Problem.UNSUPPORTED, "(dtype '<f\\0\\x1b[31m')",
                write("nul.npy", file(1, "{'descr': '<f\0\u001b[31m', 'fortran_order': False, 'shape': (2,), }", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "its keys are ['descr', 'fortran_order', 'shape', '\\x07\\t']",
                write("key.npy", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), '\u0007\t': 1}", new byte[16])));
        assertProblem(Npy.Problem.MALFORMED, "unexpected `\\x01`",
                write("bare.npy", file(1, "{'descr': '<f8', 'fortran_order': \u0001, 'shape': (2,), }", new byte[16])));
        // version 1.0 headers are Latin-1: the byte 0x9b is the 8-bit CSI, which terminals also obey
        byte[] csi = file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), '?': 1}", new byte[16]);
        for (int i = 0; i < csi.length; i++) if (csi[i] == '?') csi[i] = (byte) 0x9b;
        assertProblem(Npy.Problem.MALFORMED, "'\\x9b'", write("csi.npy", csi));
        for (String name : List.of("nul.npy", "key.npy", "bare.npy", "csi.npy")) {
            String m = assertThrows(Npy.NpyException.class, () -> Npy.read(dir.resolve(name), null)).getMessage();
            assertTrue(m.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), name + ": " + m);
        }
    }

    // ---- the header's Python literals --------------------------------------------------------------------

    @Test
    void pythonLiterals() {
        assertEquals(new PyLiteral.Tuple(List.of()), PyLiteral.parse("()"));
        assertEquals(new PyLiteral.Tuple(List.of(3L)), PyLiteral.parse("(3,)"));
        assertEquals(3L, PyLiteral.parse("(3)"));
        assertEquals(List.of(List.of("a", "<f8"), PyLiteral.NONE, true), PyLiteral.parse("[['a', '<f8'], None, True]"));
        assertEquals("it's", PyLiteral.parse("'it\\'s'"));
        assertEquals("(2, 3)", PyLiteral.repr(PyLiteral.parse(" ( 2 ,3 , ) ")));
        for (String bad : new String[] {"", "{", "{'a' 1}", "(1, 2", "'open", "1.5", "x", "{'a': 1} 2", "[" .repeat(200)}) {
            assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse(bad), bad);
        }
        assertFalse(PyLiteral.parse("False") instanceof String);
    }

    @Test
    void headerReaderStopsAtTheHeader() throws IOException {
        byte[] bytes = file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", doubles(9));
        Npy.Header h = Npy.header(new ByteArrayInputStream(bytes));
        assertEquals(128, h.dataOffset());
        assertEquals(1, h.numel());
    }
}
