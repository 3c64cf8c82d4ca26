package dev.lamina.ps.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The payload layout of each message type. Integers are big-endian; float arrays are little-endian
 * and copied in bulk through a {@link java.nio.FloatBuffer} view (no per-float work).
 * <pre>
 * CHALLENGE      serverNonce[32]
 * HELLO          int workerId, clientNonce[32], mac[32]
 * AUTH_OK        serverMac[32], int parameterCount, long currentStep
 * PULL           (empty)
 * PARAMS         long step, int count, float[count]
 * PUSH_GRADIENT  int workerId, int epoch, long step, long sequence, long dataOffset, int count, float[count]
 * ERROR          int code, int utf8Length, utf8[utf8Length]
 * PROGRESS_QUERY (empty)
 * PROGRESS       int epoch, long sequence, long dataOffset
 * PUSH_COMPRESSED int workerId, int epoch, long step, long sequence, long dataOffset, byte codecId, int count,
 *                byte[rest] encoded (the codec's own layout, little-endian)
 * SHARD_INIT, SHARD_READY, SNAPSHOT_QUERY, SNAPSHOT: see {@link ShardCodec}
 * TIMING_QUERY   (empty)
 * TIMING         long waitNanos, long applyNanos, long steps
 * </pre>
 */
public final class PayloadCodec {
    static final int PARAMS_FIXED_BYTES = 8 + 4;
    static final int PUSH_FIXED_BYTES = 4 + 4 + 8 + 8 + 8 + 4;
    static final int PUSH_COMPRESSED_FIXED_BYTES = 4 + 4 + 8 + 8 + 8 + 1 + 4;
    private static final int HELLO_BYTES = 4 + Message.NONCE_BYTES + Message.MAC_BYTES;
    private static final int AUTH_OK_BYTES = Message.MAC_BYTES + 4 + 8;
    private static final int PROGRESS_BYTES = 4 + 8 + 8;
    private static final int TIMING_BYTES = 8 + 8 + 8;

    private PayloadCodec() {
    }

    /** Payload bytes of {@code message} (a long: float arrays can push it past the int range). */
    public static long payloadBytes(Message message) {
        return switch (message.type()) {
            case CHALLENGE -> Message.NONCE_BYTES;
            case HELLO -> HELLO_BYTES;
            case AUTH_OK -> AUTH_OK_BYTES;
            case PULL -> 0;
            case PARAMS -> PARAMS_FIXED_BYTES + 4L * ((Message.Params) message).values().length;
            case PUSH_GRADIENT -> PUSH_FIXED_BYTES + 4L * ((Message.PushGradient) message).gradient().length;
            case ERROR -> 8 + utf8(((Message.Failure) message).message()).length;
            case PROGRESS_QUERY -> 0;
            case PROGRESS -> PROGRESS_BYTES;
            case PUSH_COMPRESSED -> PUSH_COMPRESSED_FIXED_BYTES + ((Message.PushCompressed) message).encoded().length;
            case SHARD_INIT, SHARD_READY, SNAPSHOT_QUERY, SNAPSHOT -> ShardCodec.payloadBytes(message);
            case TIMING_QUERY -> 0;
            case TIMING -> TIMING_BYTES;
        };
    }

    /** Writes the payload of {@code message} at {@code dst}'s position (big-endian buffer). */
    public static void write(Message message, ByteBuffer dst) {
        switch (message.type()) {
            case CHALLENGE -> dst.put(((Message.Challenge) message).serverNonce());
            case HELLO -> {
                Message.Hello m = (Message.Hello) message;
                dst.putInt(m.workerId()).put(m.clientNonce()).put(m.mac());
            }
            case AUTH_OK -> {
                Message.AuthOk m = (Message.AuthOk) message;
                dst.put(m.serverMac()).putInt(m.parameterCount()).putLong(m.currentStep());
            }
            case PULL -> { }
            case PARAMS -> {
                Message.Params m = (Message.Params) message;
                dst.putLong(m.step()).putInt(m.values().length);
                putFloats(dst, m.values());
            }
            case PUSH_GRADIENT -> {
                Message.PushGradient m = (Message.PushGradient) message;
                dst.putInt(m.workerId()).putInt(m.epoch()).putLong(m.step()).putLong(m.sequence())
                        .putLong(m.dataOffset()).putInt(m.gradient().length);
                putFloats(dst, m.gradient());
            }
            case ERROR -> {
                Message.Failure m = (Message.Failure) message;
                byte[] text = utf8(m.message());
                dst.putInt(m.code().code()).putInt(text.length).put(text);
            }
            case PROGRESS_QUERY -> { }
            case PROGRESS -> {
                Message.Progress m = (Message.Progress) message;
                dst.putInt(m.epoch()).putLong(m.sequence()).putLong(m.dataOffset());
            }
            case PUSH_COMPRESSED -> {
                Message.PushCompressed m = (Message.PushCompressed) message;
                dst.putInt(m.workerId()).putInt(m.epoch()).putLong(m.step()).putLong(m.sequence())
                        .putLong(m.dataOffset()).put((byte) m.codecId()).putInt(m.count()).put(m.encoded());
            }
            case SHARD_INIT, SHARD_READY, SNAPSHOT_QUERY, SNAPSHOT -> ShardCodec.write(message, dst);
            case TIMING_QUERY -> { }
            case TIMING -> {
                Message.Timing m = (Message.Timing) message;
                dst.putLong(m.waitNanos()).putLong(m.applyNanos()).putLong(m.steps());
            }
            default -> throw new AssertionError(message.type());
        }
    }

    /**
     * Decodes the payload of a frame of {@code header}'s type. The payload must be exactly as long as
     * the type's layout says; anything else is {@link ErrorCode#MALFORMED_PAYLOAD}.
     */
    public static Message read(FrameHeader header, ByteBuffer payload) {
        int length = payload.remaining();
        return switch (header.type()) {
            case CHALLENGE -> {
                expectLength(header, length, Message.NONCE_BYTES);
                yield new Message.Challenge(bytes(payload, Message.NONCE_BYTES));
            }
            case HELLO -> {
                expectLength(header, length, HELLO_BYTES);
                yield new Message.Hello(payload.getInt(), bytes(payload, Message.NONCE_BYTES),
                        bytes(payload, Message.MAC_BYTES));
            }
            case AUTH_OK -> {
                expectLength(header, length, AUTH_OK_BYTES);
                yield new Message.AuthOk(bytes(payload, Message.MAC_BYTES), payload.getInt(), payload.getLong());
            }
            case PULL -> {
                expectLength(header, length, 0);
                yield new Message.Pull();
            }
            case PARAMS -> {
                expectAtLeast(header, length, PARAMS_FIXED_BYTES);
                long step = payload.getLong();
                float[] values = new float[floatCount(header, payload)];
                getFloats(payload, values);
                yield new Message.Params(step, values);
            }
            case PUSH_GRADIENT -> readPush(header, payload);
            case ERROR -> readFailure(header, payload);
            case PROGRESS_QUERY -> {
                expectLength(header, length, 0);
                yield new Message.ProgressQuery();
            }
            case PROGRESS -> {
                expectLength(header, length, PROGRESS_BYTES);
                yield new Message.Progress(payload.getInt(), payload.getLong(), payload.getLong());
            }
            case PUSH_COMPRESSED -> {
                expectAtLeast(header, length, PUSH_COMPRESSED_FIXED_BYTES);
                yield new Message.PushCompressed(payload.getInt(), payload.getInt(), payload.getLong(),
                        payload.getLong(), payload.getLong(), payload.get() & 0xFF, payload.getInt(),
                        bytes(payload, payload.remaining()));
            }
            case SHARD_INIT, SHARD_READY, SNAPSHOT_QUERY, SNAPSHOT -> ShardCodec.read(header, payload);
            case TIMING_QUERY -> {
                expectLength(header, length, 0);
                yield new Message.TimingQuery();
            }
            case TIMING -> {
                expectLength(header, length, TIMING_BYTES);
                yield new Message.Timing(payload.getLong(), payload.getLong(), payload.getLong());
            }
        };
    }

    /**
     * Decodes a {@link MessageType#PARAMS} payload straight into {@code dst} (no allocation) and returns
     * its step. A count other than {@code dst.length} is {@link ErrorCode#WRONG_SIZE}.
     */
    public static long readParams(FrameHeader header, ByteBuffer payload, float[] dst) {
        expectAtLeast(header, payload.remaining(), PARAMS_FIXED_BYTES);
        long step = payload.getLong();
        int count = floatCount(header, payload);
        if (count != dst.length) {
            throw new ProtocolException(ErrorCode.WRONG_SIZE, header.requestId(),
                    "params count : " + count + " (expected: " + dst.length + ")");
        }
        getFloats(payload, dst);
        return step;
    }

    private static Message readPush(FrameHeader header, ByteBuffer payload) {
        expectAtLeast(header, payload.remaining(), PUSH_FIXED_BYTES);
        int workerId = payload.getInt();
        int epoch = payload.getInt();
        long step = payload.getLong();
        long sequence = payload.getLong();
        long dataOffset = payload.getLong();
        float[] gradient = new float[floatCount(header, payload)];
        getFloats(payload, gradient);
        return new Message.PushGradient(workerId, epoch, step, sequence, dataOffset, gradient);
    }

    private static Message readFailure(FrameHeader header, ByteBuffer payload) {
        expectAtLeast(header, payload.remaining(), 8);
        ErrorCode code = ErrorCode.forCode(payload.getInt());
        int textLength = payload.getInt();
        expectLength(header, payload.remaining(), textLength);
        return new Message.Failure(code, new String(bytes(payload, textLength), StandardCharsets.UTF_8));
    }

    /** Reads the int count that precedes a float array and checks it against the bytes that remain. */
    private static int floatCount(FrameHeader header, ByteBuffer payload) {
        int count = payload.getInt();
        if (count < 0 || 4L * count != payload.remaining()) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(), header.type()
                    + " count : " + count + " (expected: " + payload.remaining() / 4 + " from the payload length)");
        }
        return count;
    }

    private static void expectLength(FrameHeader header, int actual, int expected) {
        if (actual != expected) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(),
                    header.type() + " payload : " + actual + " bytes (expected: " + expected + ")");
        }
    }

    private static void expectAtLeast(FrameHeader header, int actual, int minimum) {
        if (actual < minimum) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(),
                    header.type() + " payload : " + actual + " bytes (expected: >= " + minimum + ")");
        }
    }

    private static byte[] bytes(ByteBuffer src, int length) {
        byte[] out = new byte[length];
        src.get(out);
        return out;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void putFloats(ByteBuffer dst, float[] values) {
        dst.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        dst.position(dst.position() + 4 * values.length);
    }

    private static void getFloats(ByteBuffer src, float[] values) {
        src.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        src.position(src.position() + 4 * values.length);
    }
}
