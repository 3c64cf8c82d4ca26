package dev.lamina.ps.compress;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One worker's push compression: encodes each update with its codec into one reused buffer, and for
 * codecs with {@linkplain PushCodec#errorFeedback() error feedback} keeps the residual (what was not
 * sent) and adds it to the next update: residual += update; send encode(residual); residual -= sent.
 * The sum of everything sent therefore trails the sum of the updates by just the residual. The
 * encoding buffer is allocated at the first push (never, for {@code none} pushes sent uncompressed);
 * nothing is allocated per push after that. Not thread-safe.
 */
public final class PushEncoder {
    private final PushCodec codec;
    private final int count;
    private ByteBuffer buffer;
    private final float[] residual;
    private final float[] sent;

    /** An encoder of updates of {@code count} values with {@code codec} (which it then owns). */
    public PushEncoder(PushCodec codec, int count) {
        this.codec = Objects.requireNonNull(codec, "codec");
        long bytes = PushCodec.maxEncodedBytes(count);
        if (count <= 0 || bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("count : " + count + " (expected: > 0 and encodings <= 2 GiB)");
        }
        this.count = count;
        this.residual = codec.errorFeedback() ? new float[count] : new float[0];
        this.sent = codec.errorFeedback() ? new float[count] : new float[0];
    }

    public PushCodec codec() {
        return codec;
    }

    /**
     * Encodes {@code update} (not changed), plus the residual when the codec keeps one, and returns the
     * encoding: a little-endian view of the reused buffer, valid until the next call.
     */
    public ByteBuffer encode(float[] update) {
        if (update.length != count) {
            throw new IllegalArgumentException("update length : " + update.length + " (expected: " + count + ")");
        }
        if (buffer == null) {
            buffer = ByteBuffer.allocate((int) PushCodec.maxEncodedBytes(count)).order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.clear();
        if (!codec.errorFeedback()) {
            codec.encode(update, buffer);
            return buffer.flip();
        }
        for (int i = 0; i < count; i++) {
            residual[i] += update[i];
        }
        codec.encode(residual, buffer);
        buffer.flip();
        codec.decode(buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN), sent);
        for (int i = 0; i < count; i++) {
            residual[i] -= sent[i];
        }
        return buffer;
    }

    /** The error-feedback residual: what has not been sent yet (empty for codecs without feedback). */
    float[] residual() {
        return residual;
    }
}
