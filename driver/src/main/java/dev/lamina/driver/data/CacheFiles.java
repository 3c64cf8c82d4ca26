package dev.lamina.driver.data;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/** File moves and clean-up shared by the cache writers. */
final class CacheFiles {

    private static final Duration STALE_AFTER = Duration.ofHours(1);

    private CacheFiles() {
    }

    /**
     * Renames {@code source} to {@code target}, replacing it, in one atomic step, so readers see
     * either the old file or the complete new one. Both should be in the same directory.
     */
    static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Only across file systems; the callers keep temporary files beside their targets.
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Gives a temporary file (created owner-only) the usual {@code rw-r--r--}, so a cache shared
     * by several users stays readable; a no-op where POSIX permissions do not exist.
     */
    static void makeReadable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    /** Deletes a file or a directory tree; quietly does nothing if it is absent. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Removes temporary entries named {@code prefix*} in {@code dir} not modified for an hour:
     * what a JVM killed mid-fetch leaves behind. Younger ones may belong to a running fetch.
     */
    static void deleteStale(Path dir, String prefix) {
        Instant cutoff = Instant.now().minus(STALE_AFTER);
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.getFileName().toString().startsWith(prefix)
                        && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            // best effort: a leftover costs disk space, not correctness
        }
    }

    /** Best-effort {@link #deleteTree}, for clean-up paths that must not hide the first error. */
    static void deleteQuietly(Path root, Exception primary) {
        try {
            deleteTree(root);
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }
}
