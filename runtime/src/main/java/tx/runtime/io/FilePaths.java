package tx.runtime.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Questions about paths that tx asks before it writes or reads a file. */
public final class FilePaths {
    private FilePaths() {}

    /**
     * Whether two paths name the same file, however they are spelt: the same absolute path once
     * {@code .} and {@code ..} are resolved, or, where both exist, one file reached through a
     * symbolic link, a hard link or a case-insensitive name ({@link Files#isSameFile}, which compares
     * the file system's own identity of the file).
     */
    public static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) return true;
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException | SecurityException e) {
            return false; // a file that cannot be asked about: the write itself will say what is wrong
        }
    }
}
