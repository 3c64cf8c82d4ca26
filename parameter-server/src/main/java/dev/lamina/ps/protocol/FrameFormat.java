package dev.lamina.ps.protocol;

import dev.lamina.ps.compress.PushCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The frame layout, in one place for the Netty codec and the socket client:
 * <pre>
 * [int magic 0x4C4D4E41][byte version][byte type][long requestId][int payloadLength][payload][int CRC32C]
 * </pre>
 * big-endian; the CRC covers every byte of the frame before it. All methods work on big-endian
 * {@link ByteBuffer}s (heap or direct) at their current position.
 */
public final class FrameFormat {
    public static final int MAGIC = 0x4C4D4E41;
    public static final byte VERSION = 1;
    /** magic 4 + version 1 + type 1 + requestId 8 + payloadLength 4. */
    public static final int HEADER_BYTES = 18;
    public static final int TRAILER_BYTES = 4;
    public static final int OVERHEAD_BYTES = HEADER_BYTES + TRAILER_BYTES;
    /** The largest frame accepted before a connection has authenticated. */
    public static final int PRE_AUTH_MAX_FRAME_BYTES = 4096;
    /** The largest frame ever: Java arrays and Netty buffers are int-indexed. */
    public static final int MAX_FRAME_BYTES = Integer.MAX_VALUE - 64;

    private FrameFormat() {
    }

    /** Bytes of the frame that carries {@code message}; throws if it exceeds {@link #MAX_FRAME_BYTES}. */
    public static int frameBytes(Message message) {
        long bytes = OVERHEAD_BYTES + PayloadCodec.payloadBytes(message);
        if (bytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame : " + bytes + " bytes (expected: <= " + MAX_FRAME_BYTES + ")");
        }
        return (int) bytes;
    }

    /** Bytes of a {@link Message.PushGradient} frame for {@code parameterCount} floats (the largest client frame). */
    public static long pushFrameBytes(int parameterCount) {
        return OVERHEAD_BYTES + PayloadCodec.PUSH_FIXED_BYTES + 4L * parameterCount;
    }

    /** Bytes of a {@link Message.PushCompressed} frame whose encoding takes {@code encodedBytes}. */
    public static long compressedPushFrameBytes(long encodedBytes) {
        return OVERHEAD_BYTES + PayloadCodec.PUSH_COMPRESSED_FIXED_BYTES + encodedBytes;
    }

    /**
     * The largest push frame, compressed or not, for {@code parameterCount} floats: a codec's encoding
     * takes at most {@link PushCodec#maxEncodedBytes} bytes, a few more than the floats themselves.
     */
    public static long maxPushFrameBytes(int parameterCount) {
        return Math.max(pushFrameBytes(parameterCount),
                compressedPushFrameBytes(PushCodec.maxEncodedBytes(parameterCount)));
    }

    /** Bytes of a {@link Message.Params} frame for {@code parameterCount} floats (the largest server frame). */
    public static long paramsFrameBytes(int parameterCount) {
        return OVERHEAD_BYTES + PayloadCodec.PARAMS_FIXED_BYTES + 4L * parameterCount;
    }

    /**
     * Writes the whole frame at {@code dst}'s position, which advances by {@link #frameBytes(Message)}.
     * {@code dst} must be big-endian with that much space remaining.
     */
    public static void write(long requestId, Message message, ByteBuffer dst) {
        assert dst.order() == ByteOrder.BIG_ENDIAN;
        int start = dst.position();
        int payloadBytes = (int) PayloadCodec.payloadBytes(message);
        dst.putInt(MAGIC).put(VERSION).put((byte) message.type().id()).putLong(requestId).putInt(payloadBytes);
        PayloadCodec.write(message, dst);
        assert dst.position() == start + HEADER_BYTES + payloadBytes : "payload size mismatch for " + message.type();
        dst.putInt(crc(dst, start, dst.position()));
    }

    /**
     * Reads and validates the header at {@code src}'s position (absolute reads; the position does not
     * move): magic, version, known type, and frame length <= {@code maxFrameBytes}. This needs only the
     * {@link #HEADER_BYTES} header bytes, so oversized frames are refused before the payload arrives.
     */
    public static FrameHeader readHeader(ByteBuffer src, int maxFrameBytes) {
        int at = src.position();
        int magic = src.getInt(at);
        if (magic != MAGIC) {
            throw new ProtocolException(ErrorCode.BAD_MAGIC, 0, "magic : 0x" + Integer.toHexString(magic)
                    + " (expected: 0x" + Integer.toHexString(MAGIC) + ")");
        }
        int version = src.get(at + 4);
        long requestId = src.getLong(at + 6);
        if (version != VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, requestId,
                    "version : " + version + " (expected: " + VERSION + ")");
        }
        int type = src.get(at + 5) & 0xFF;
        if (!MessageType.isKnown(type)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, requestId, "message type : " + type
                    + " (expected: 1.." + MessageType.values().length + ")");
        }
        int payloadLength = src.getInt(at + 14);
        long frameBytes = (long) OVERHEAD_BYTES + payloadLength;
        if (payloadLength < 0 || frameBytes > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, requestId, "frame : " + frameBytes
                    + " bytes, payloadLength : " + payloadLength + " (expected: frame <= " + maxFrameBytes + ")");
        }
        return new FrameHeader(MessageType.forId(type), requestId, payloadLength);
    }

    /**
     * Checks the CRC of the complete frame at {@code frame}'s position (header included, as read by
     * {@link #readHeader}) and returns a big-endian view of just its payload.
     */
    public static ByteBuffer verifiedPayload(FrameHeader header, ByteBuffer frame) {
        int start = frame.position();
        int crcAt = start + HEADER_BYTES + header.payloadLength();
        int expected = frame.getInt(crcAt);
        int actual = crc(frame, start, crcAt);
        if (actual != expected) {
            throw new ProtocolException(ErrorCode.BAD_CHECKSUM, header.requestId(), "crc32c : 0x"
                    + Integer.toHexString(expected) + " (expected: 0x" + Integer.toHexString(actual) + ")");
        }
        return frame.slice(start + HEADER_BYTES, header.payloadLength()).order(ByteOrder.BIG_ENDIAN);
    }

    /** Reads, checks and decodes the complete frame at {@code frame}'s position. */
    public static Frame read(FrameHeader header, ByteBuffer frame) {
        ByteBuffer payload = verifiedPayload(header, frame);
        return new Frame(header.requestId(), PayloadCodec.read(header, payload));
    }

    static int crc(ByteBuffer buffer, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().limit(to).position(from));
        return (int) crc.getValue();
    }
}
