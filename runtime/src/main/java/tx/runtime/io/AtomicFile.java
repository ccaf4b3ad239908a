package tx.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file's contents all at once, as editors and {@code git} do: the new contents go to a
 * temporary file in the same folder, which is forced to the disk and then renamed over the target
 * ({@code rename(2)}, atomic within one file system). Until the rename, the old file is whole; after
 * it, the new one is. A failure (a full disk, a killed process) leaves the old file as it was; an
 * exception also deletes the temporary file. Two writers racing on one path leave one of their two
 * whole files, never a mix: each has its own temporary file, and the last rename wins.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** What writes the new contents. */
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code target} anew with what {@code body} writes; nothing changes if it throws. */
    public static void write(Path target, Body body) throws IOException {
        // NOTE: a symbolic link is followed, as np.save's open() follows it: the link stays, its target changes
        Path real = Files.isSymbolicLink(target) && Files.exists(target) ? target.toRealPath() : target;
        Path temp = create(real);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.write(out);
                out.flush();
                ch.force(true); // the data is on the disk before the name points at it
            }
            keepPermissions(real, temp);
            Files.move(temp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    /**
     * A new, empty file beside {@code target}, named {@code .NAME.RANDOM.tmp} (hidden, and plainly
     * not the user's). It is created as any new file is, so it gets the usual permissions (the umask's).
     */
    private static Path create(Path target) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        if (name.length() > 200) name = name.substring(0, 200); // room for the suffix within a name's 255 bytes
        for (int attempt = 0; ; attempt++) {
            Path temp = folder.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    /** An existing file keeps its permissions, as it would if it were overwritten in place. */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        PosixFileAttributeView old = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (old == null || !Files.exists(target)) return;
        Files.setPosixFilePermissions(temp, old.readAttributes().permissions());
    }
}
