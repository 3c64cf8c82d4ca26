package dev.lamina.ps.checkpoint;

import java.io.IOException;

/** Where a server's periodic checkpoints go ({@link CheckpointStore} on a Hadoop file system). */
@FunctionalInterface
public interface CheckpointSink {

    /** Persists {@code checkpoint}; called on one background thread, one checkpoint at a time. */
    void write(Checkpoint checkpoint) throws IOException;
}
