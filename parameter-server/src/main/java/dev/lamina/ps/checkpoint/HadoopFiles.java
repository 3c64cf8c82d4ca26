package dev.lamina.ps.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Whole-file writes on any Hadoop file system that a reader never sees half done. */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /**
     * Writes {@code bytes} to a hidden temporary file beside {@code target}, then renames it into place
     * (replacing an existing {@code target}). On failure the temporary file is removed and
     * {@code target} is either the old file or absent, never partial.
     */
    public static void atomicWrite(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }
}
