package tx.runtime.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tx.runtime.tensor.Shapes;
import tx.runtime.tensor.Tensor;

/**
 * NumPy's {@code .npy} format (numpy/lib/format.py): the magic string {@code \x93NUMPY}, a version
 * byte pair, the length of the header, the header (the repr of a Python dict with the keys
 * {@code descr}, {@code fortran_order} and {@code shape}, padded with spaces to a multiple of 64
 * bytes and ending with a line break), then the elements.
 *
 * <p>Read: versions 1.0, 2.0 and 3.0; little-endian float64, float32, int32 and int64
 * ({@code <f8 <f4 <i4 <i8}) and bool ({@code |b1}), held as float64 numbers (an int64 beyond 2^53
 * rounds, as {@code torch.from_numpy(a).double()} does) of the tensor dtype {@link DType#tensorDtype}; C order, or Fortran order, which is transposed on
 * the way in, so the tensor has the shape and the values NumPy shows. Bytes after the data are
 * ignored, as {@code np.load} ignores them. Written: version 1.0, {@code <f8}, {@code <i8} or {@code |b1} as the tensor's dtype, C order, with the
 * header NumPy 1.24 writes byte for byte (its 21 spaces of room for growth included).
 *
 * <p>The compiler reads the header at compile time, to know the shape; the interpreter reads the
 * file again when the load runs, and checks that the shape is still the same. Every failure is an
 * {@link NpyException} whose message is a reason that reads after "cannot load `x.npy`: ".
 */
public final class Npy {
    private Npy() {}

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data on this many bytes. */
    static final int ALIGN = 64;
    /** np.save leaves room for the first axis to grow to this many digits. */
    static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** NumPy's NPY_MAXDIMS: an array has at most this many dimensions (np.load refuses more). */
    static final int MAX_DIMS = 64;
    /** A header longer than this is refused (NumPy 1.24's np.load refuses past 10,000 characters). */
    static final int MAX_HEADER = 1 << 20;

    /** What went wrong, for callers that need to tell the cases apart. */
    public enum Problem { MISSING, UNREADABLE, NOT_NPY, MALFORMED, UNSUPPORTED, TRUNCATED, CHANGED, WRITE }

    /** A file tx cannot read or write; the message is the reason, the help (may be null) a way out. */
    public static final class NpyException extends RuntimeException {
        private final Problem problem;
        private final String help;

        public NpyException(Problem problem, String message, String help) {
            super(message);
            this.problem = problem;
            this.help = help;
        }

        public Problem problem() {
            return problem;
        }

        public String help() {
            return help;
        }
    }

    /** The element types tx reads. */
    public enum DType {
        FLOAT64("<f8", 8, "float64"), FLOAT32("<f4", 4, "float32"), INT32("<i4", 4, "int32"), INT64("<i8", 8, "int64"), BOOL("|b1", 1, "bool");

        final String descr, numpy;
        final int size;

        DType(String descr, int size, String numpy) {
            this.descr = descr;
            this.size = size;
            this.numpy = numpy;
        }

        public String descr() {
            return descr;
        }

        public int size() {
            return size;
        }

        static DType of(String descr) {
            for (DType d : values()) if (d.descr.equals(descr)) return d;
            return null;
        }

        double get(ByteBuffer b) {
            return switch (this) {
                case FLOAT64 -> b.getDouble();
                case FLOAT32 -> b.getFloat();
                case INT32 -> b.getInt();
                case INT64 -> b.getLong();
                case BOOL -> b.get() != 0 ? 1 : 0;
            };
        }

        /** The tensor dtype a file of this element type loads as: float32 widens to float64 and int32 to int64 (tx has neither). */
        public tx.runtime.tensor.DType tensorDtype() {
            return switch (this) {
                case FLOAT64, FLOAT32 -> tx.runtime.tensor.DType.FLOAT64;
                case INT32, INT64 -> tx.runtime.tensor.DType.INT64;
                case BOOL -> tx.runtime.tensor.DType.BOOL;
            };
        }

        /** The element type a tensor of this dtype is saved as, as {@code np.save(x.numpy())}. */
        public static DType saved(tx.runtime.tensor.DType d) {
            return switch (d) {
                case FLOAT64 -> FLOAT64;
                case INT64 -> INT64;
                case BOOL -> BOOL;
            };
        }

        void put(ByteBuffer b, double v) {
            switch (this) {
                case FLOAT64 -> b.putDouble(v);
                case FLOAT32 -> b.putFloat((float) v);
                case INT32 -> b.putInt((int) v);
                case INT64 -> b.putLong((long) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
    }

    /** A parsed header: where the data starts, and what it holds. */
    public record Header(int major, int minor, DType dtype, boolean fortranOrder, int[] shape, long dataOffset) {
        public long numel() {
            long n = 1;
            for (int d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        public long dataBytes() {
            return Math.multiplyExact(numel(), dtype.size);
        }
    }

    // ---- reading -------------------------------------------------------------------------------------

    /** Reads and checks a file's header, and that the file holds all the data the header promises. */
    public static Header readHeader(Path file) {
        try (InputStream in = open(file)) {
            Header h = header(in);
            long size = Files.size(file);
            checkLength(h, size - h.dataOffset());
            return h;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * Reads a file's data as float64. When {@code expected} is not null, the file must still have
     * that shape (the one the compiler read from its header).
     */
    public static Tensor read(Path file, int[] expected) {
        try (InputStream in = open(file)) {
            Header h = header(in);
            if (expected != null && !Arrays.equals(expected, h.shape())) {
                throw new NpyException(Problem.CHANGED, "it has shape " + Shapes.show(h.shape()) + " now, but it had shape "
                        + Shapes.show(expected) + " when the program was compiled",
                        "tx reads the shape of a loaded file when it compiles the program; run the program again to compile it for the new shape");
            }
            long size = Files.size(file);
            checkLength(h, size - h.dataOffset());
            if (h.numel() > Integer.MAX_VALUE - 8) {
                throw new NpyException(Problem.UNSUPPORTED, "it holds " + h.numel() + " elements, more than tx can hold in one tensor (2^31 - 1)", null);
            }
            double[] data = new double[(int) h.numel()];
            readData(in, h, data);
            return Tensor.of(h.shape(), h.fortranOrder() ? fromFortran(data, h.shape()) : data);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new NpyException(Problem.UNREADABLE, "it is a folder, not a file", null);
        // NOTE: asked before opening: opening a named pipe to read waits for a writer, for ever if none comes
        if (Files.exists(file) && !Files.isRegularFile(file)) throw notRegular(Problem.UNREADABLE);
        try {
            return new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new NpyException(Problem.MISSING, "there is no such file", "a relative path is relative to the folder of the .tx file");
        }
    }

    /** A named pipe, a device or a socket: tx reads and writes only regular files. */
    public static final String NOT_REGULAR = "it is not a regular file (a named pipe, a device or a socket)";

    private static NpyException notRegular(Problem problem) {
        return new NpyException(problem, NOT_REGULAR, "save the array to a file with NumPy's `np.save`");
    }

    private static NpyException unreadable(IOException e) {
        if (e instanceof NoSuchFileException) {
            return new NpyException(Problem.MISSING, "there is no such file", "a relative path is relative to the folder of the .tx file");
        }
        if (e instanceof EOFException) return new NpyException(Problem.TRUNCATED, "the file ends in the middle of its header", null);
        if (e instanceof AccessDeniedException) return new NpyException(Problem.UNREADABLE, "permission to read it is denied", null);
        return new NpyException(Problem.UNREADABLE, "it cannot be read (" + ControlChars.escape(e.getMessage()) + ")", null);
    }

    private static void checkLength(Header h, long available) {
        long need;
        try {
            need = h.dataBytes();
        } catch (ArithmeticException e) {
            throw new NpyException(Problem.MALFORMED, "its header gives the shape " + Shapes.show(h.shape()) + ", which has more elements than any file can hold", null);
        }
        if (available < need) {
            throw new NpyException(Problem.TRUNCATED, "the file is truncated: its header promises " + h.numel() + " " + h.dtype().numpy
                    + " value" + (h.numel() == 1 ? "" : "s") + " (" + need + " bytes), but only " + Math.max(0, available)
                    + " bytes follow the header", null);
        }
    }

    /** Parses the magic string, the version, and the header dictionary. */
    static Header header(InputStream in) throws IOException {
        byte[] start = in.readNBytes(8);
        if (start.length < 6 || !Arrays.equals(Arrays.copyOf(start, 6), MAGIC)) {
            throw new NpyException(Problem.NOT_NPY, "it is not a .npy file: it does not start with NumPy's magic string `\\x93NUMPY`",
                    "save the array with NumPy's `np.save`");
        }
        if (start.length < 8) throw new EOFException();
        int major = start[6] & 0xff, minor = start[7] & 0xff;
        if ((major != 1 && major != 2 && major != 3) || minor != 0) {
            throw new NpyException(Problem.UNSUPPORTED, "it is in version " + major + "." + minor
                    + " of the .npy format; tx reads versions 1.0, 2.0 and 3.0", null);
        }
        byte[] len = in.readNBytes(major == 1 ? 2 : 4);
        if (len.length < (major == 1 ? 2 : 4)) throw new EOFException();
        long headerLen = major == 1 ? (len[0] & 0xff) | (len[1] & 0xff) << 8
                : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (headerLen > MAX_HEADER) {
            throw new NpyException(Problem.MALFORMED, "its header is " + headerLen + " bytes long, more than tx reads (" + MAX_HEADER + ")", null);
        }
        byte[] text = in.readNBytes((int) headerLen);
        if (text.length < headerLen) throw new EOFException();
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        long offset = 8 + len.length + headerLen;
        return fromDict(dict, major, minor, offset);
    }

    /** Checks the header dictionary as np.load does, and knows the dtype. */
    static Header fromDict(String text, int major, int minor, long offset) {
        Object parsed;
        try {
            parsed = PyLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw malformed("it is not a Python dictionary (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> d)) throw malformed("it is not a Python dictionary");
        if (!d.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw malformed("its keys are " + PyLiteral.repr(List.copyOf(d.keySet())) + ", not 'descr', 'fortran_order' and 'shape'");
        }
        if (!(d.get("shape") instanceof PyLiteral.Tuple t) || !t.items().stream().allMatch(x -> x instanceof Long)) {
            throw malformed("its 'shape' is " + PyLiteral.repr(d.get("shape")) + ", not a tuple of whole numbers");
        }
        if (t.items().size() > MAX_DIMS) {
            throw new NpyException(Problem.UNSUPPORTED, "its shape has " + t.items().size() + " dimensions; NumPy and tx allow at most " + MAX_DIMS, null);
        }
        int[] shape = new int[t.items().size()];
        for (int i = 0; i < shape.length; i++) {
            long n = (Long) t.items().get(i);
            if (n < 0) throw malformed("its 'shape' " + PyLiteral.repr(t) + " has a negative size");
            if (n > Integer.MAX_VALUE) {
                throw new NpyException(Problem.UNSUPPORTED, "its shape " + PyLiteral.repr(t) + " has a size larger than 2^31 - 1", null);
            }
            shape[i] = (int) n;
        }
        if (!(d.get("fortran_order") instanceof Boolean fortran)) {
            throw malformed("its 'fortran_order' is " + PyLiteral.repr(d.get("fortran_order")) + ", not True or False");
        }
        Object descr = d.get("descr");
        DType dtype = descr instanceof String s ? DType.of(s) : null;
        if (dtype == null) throw unsupported(descr);
        return new Header(major, minor, dtype, fortran, shape, offset);
    }

    private static NpyException malformed(String why) {
        return new NpyException(Problem.MALFORMED, "its header is malformed: " + why, null);
    }

    /** A dtype tx does not read, named as NumPy names it. */
    private static NpyException unsupported(Object descr) {
        String help = "convert it with NumPy first, e.g. `np.save(\"x.npy\", a.astype(np.float64))`";
        String read = "tx reads float64, float32, int32, int64 and bool ('<f8', '<f4', '<i4', '<i8', '|b1')";
        if (!(descr instanceof String s)) {
            return new NpyException(Problem.UNSUPPORTED, "it holds a structured dtype (" + PyLiteral.repr(descr) + "); " + read,
                    "save each field as its own array of numbers");
        }
        if (s.length() >= 2 && s.charAt(0) == '>' && DType.of("<" + s.substring(1)) != null) {
            return new NpyException(Problem.UNSUPPORTED, "it holds big-endian " + DType.of("<" + s.substring(1)).numpy + " values (dtype "
                    + PyLiteral.repr(s) + "); tx reads little-endian float64, float32, int32 and int64", "convert it with NumPy first: `a.astype('<"
                    + s.substring(1) + "')`");
        }
        return new NpyException(Problem.UNSUPPORTED, "it holds " + numpyName(s) + " values (dtype " + PyLiteral.repr(s) + "); " + read, help);
    }

    /** NumPy's name for a dtype string such as '|b1' (bool), '<c16' (complex128) or '<U5' (str). */
    static String numpyName(String descr) {
        String s = descr.isEmpty() ? "" : "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
        String order = descr.startsWith(">") ? "big-endian " : "";
        if (s.isEmpty()) return "unknown";
        char kind = s.charAt(0);
        int bytes;
        try {
            bytes = s.length() > 1 ? Integer.parseInt(s.substring(1)) : 0;
        } catch (NumberFormatException e) {
            bytes = -1;
        }
        return switch (kind) {
            case 'b' -> "bool";
            case 'i' -> bytes > 0 ? order + "int" + 8 * bytes : "integer";
            case 'u' -> bytes > 0 ? order + "uint" + 8 * bytes : "unsigned integer";
            case 'f' -> bytes > 0 ? order + "float" + 8 * bytes : "floating-point";
            case 'c' -> bytes > 0 ? order + "complex" + 8 * bytes : "complex";
            case 'O' -> "Python object";
            case 'U' -> "str";
            case 'S', 'a' -> "bytes";
            case 'V' -> "void";
            case 'M' -> "datetime64";
            case 'm' -> "timedelta64";
            default -> "unknown";
        };
    }

    private static void readData(InputStream in, Header h, double[] out) throws IOException {
        byte[] chunk = new byte[1 << 16];
        int per = chunk.length / h.dtype().size;
        for (int done = 0; done < out.length; ) {
            int n = Math.min(per, out.length - done);
            int want = n * h.dtype().size;
            int got = in.readNBytes(chunk, 0, want);
            if (got < want) {
                throw new NpyException(Problem.TRUNCATED, "the file is truncated: it ended after " + (done + got / h.dtype().size)
                        + " of the " + out.length + " values its header promises", null);
            }
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, want).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) out[done + i] = h.dtype().get(b);
            done += n;
        }
    }

    /** Fortran order stores the first index fastest: the element at (i0, i1, ...) is at i0 + s0 (i1 + s1 (...)). */
    static double[] fromFortran(double[] f, int[] shape) {
        double[] c = new double[f.length];
        int[] idx = new int[shape.length];
        for (int k = 0; k < c.length; k++) { // k walks C order; idx is its multi-index
            int at = 0;
            for (int d = shape.length - 1; d >= 0; d--) at = at * shape[d] + idx[d];
            c[k] = f[at];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return c;
    }

    // ---- writing -------------------------------------------------------------------------------------

    /** The header np.save (NumPy 1.24) writes for a C-ordered float64 array of this shape, magic string included. */
    public static byte[] headerBytes(int[] shape) {
        return headerBytes(shape, DType.FLOAT64);
    }

    /** The header NumPy writes for an array of this shape and element type. */
    public static byte[] headerBytes(int[] shape, DType dtype) {
        StringBuilder dict = new StringBuilder("{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': ")
                .append(PyLiteral.repr(PyLiteral.Tuple.ofInts(shape))).append(", }");
        if (shape.length > 0) dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        int hlen = dict.length() + 1; // the line break
        // NOTE: as NumPy's _wrap_header: ALIGN - rest % ALIGN spaces, so 64 (not 0) when the rest is already aligned
        int pad = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** The bytes of a .npy file holding t (version 1.0, '<f8', C order). */
    public static byte[] encode(Tensor t) {
        byte[] head = headerBytes(t.shapeRef());
        ByteBuffer b = ByteBuffer.allocate(head.length + 8 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(head);
        for (double d : t.data()) b.putDouble(d);
        return b.array();
    }

    /**
     * Writes t to the file, replacing it if it exists (as np.save does), atomically: the old file
     * stays whole until the new one is complete ({@link AtomicFile}).
     */
    public static void write(Path file, Tensor t) {
        write(file, t, DType.FLOAT64);
    }

    /** {@link #write}, the elements of type {@code dtype} ('<f8', '<i8' or '|b1'). */
    public static void write(Path file, Tensor t, DType dtype) {
        if (Files.isDirectory(file)) throw new NpyException(Problem.WRITE, "it is a folder", null);
        // NOTE: the new file is renamed over the old one, which would replace a pipe or a device (/dev/null) itself
        if (Files.exists(file) && !Files.isRegularFile(file)) throw new NpyException(Problem.WRITE, NOT_REGULAR, null);
        try {
            AtomicFile.write(file, out -> writeData(out, t, dtype));
        } catch (NoSuchFileException e) {
            throw new NpyException(Problem.WRITE, "its folder does not exist", "tx does not create folders; create it first");
        } catch (AccessDeniedException e) {
            throw new NpyException(Problem.WRITE, "permission to write it is denied", null);
        } catch (IOException e) {
            throw new NpyException(Problem.WRITE, "writing it failed (" + ControlChars.escape(e.getMessage()) + ")", null);
        }
    }

    private static void writeData(OutputStream out, Tensor t, DType dtype) throws IOException {
        out.write(headerBytes(t.shapeRef(), dtype));
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : t.data()) {
            if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            dtype.put(b, d);
        }
        out.write(b.array(), 0, b.position());
    }
}
