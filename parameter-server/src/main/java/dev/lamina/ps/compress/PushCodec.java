package dev.lamina.ps.compress;

import java.nio.ByteBuffer;

/**
 * Encodes a dense float update into bytes and decodes it back. Every encoding of {@code count} values
 * takes at most {@link #maxEncodedBytes(int)} bytes, 4 * count + 8, so a compressed push frame is never
 * more than a few bytes larger than an uncompressed one.
 *
 * <p>{@link #decode} is stateless and safe to call from several threads; it reads untrusted bytes, so it
 * checks every count, index and length against {@code dst} and the bytes present, and throws
 * {@link IllegalArgumentException} naming the offending value instead of reading or writing out of
 * bounds. {@link #encode} may use per-instance scratch memory: one encoding thread per instance.
 * Buffers are little-endian.
 */
public interface PushCodec {

    /** The stable one-byte id sent on the wire. */
    int id();

    /** The configuration name ({@code none}, {@code fp16}, ...). */
    String name();

    /** Whether what is not sent should be carried to the next push (error feedback on the worker). */
    boolean errorFeedback();

    /** Writes the encoding of {@code values} at {@code dst}'s position, which advances past it. */
    void encode(float[] values, ByteBuffer dst);

    /**
     * Decodes all of {@code src}'s remaining bytes into {@code dst} (every element is written), where
     * {@code dst.length} is the count that was encoded.
     *
     * @throws IllegalArgumentException if the bytes are not a valid encoding of {@code dst.length} values
     */
    void decode(ByteBuffer src, float[] dst);

    /** The most bytes any codec's encoding of {@code count} values takes. */
    static long maxEncodedBytes(int count) {
        return 4L * count + 8;
    }
}
