package dev.lamina.driver.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Create-once files on any Hadoop file system: a file is written whole under a temporary name, then
 * published under its final name only if that name is free, in one atomic step, so a reader sees the
 * complete file or none and of two writers racing for one name exactly one wins. On HDFS (and any file
 * system keeping Hadoop's rename contract) that step is {@code rename}, which refuses an existing
 * target; the local file system's rename replaces the target, so there it is a hard link, which refuses.
 */
final class ExclusiveFiles {

    private ExclusiveFiles() {
    }

    /** The file system to use for a registry: the local one without checksum side files. */
    static FileSystem plain(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    /** Publishes {@code bytes} as {@code target}; false if {@code target} already exists (nothing written). */
    static boolean create(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        fs.mkdirs(target.getParent());
        try (OutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        }
        try {
            if (fs instanceof RawLocalFileSystem local) {
                try {
                    Files.createLink(local.pathToFile(target).toPath(), local.pathToFile(tmp).toPath());
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            }
            if (fs.rename(tmp, target)) {
                return true;
            }
            if (fs.exists(target)) {
                return false;
            }
            throw new IOException("could not rename " + tmp + " to " + target);
        } finally {
            fs.delete(tmp, false);
        }
    }

    /** A small file's text (UTF-8). */
    static String read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
