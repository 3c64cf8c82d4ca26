package dev.lamina.ps.client;

import dev.lamina.ps.compress.PushEncoder;
import java.io.IOException;

/** What {@link ShardedClient} needs of one worker connection to one shard ({@link ParameterClient}). */
public interface ShardConnection extends java.io.Closeable {

    /** The shard's parameter count. */
    int parameterCount();

    /** Copies the shard's parameters into {@code dst} and returns their step. */
    long pull(float[] dst) throws IOException;

    /** Pushes {@code update} encoded by {@code encoder} and waits for the shard's new parameters in {@code dst}. */
    long pushPull(int epoch, long step, long sequence, long dataOffset, PushEncoder encoder, float[] update,
                  float[] dst) throws IOException;

    /** {@link #pull} into {@code dst[offset, offset + parameterCount())}. */
    long pullRange(float[] dst, int offset) throws IOException;

    /** An uncompressed push of {@code update[offset, ...)}, the new parameters read into {@code dst[offset, ...)}. */
    long pushPullRange(int epoch, long step, long sequence, long dataOffset, float[] update, float[] dst, int offset)
            throws IOException;

    /** The shard's record of this worker's last applied push: {epoch, sequence, dataOffset}. */
    long[] acknowledged() throws IOException;

    /** The shard's cumulative timing for this worker (waiting for others, applying updates). */
    dev.lamina.ps.protocol.Message.Timing timing() throws IOException;

    long bytesSent();

    long bytesReceived();

    @Override
    void close() throws IOException;
}
