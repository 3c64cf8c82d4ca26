package dev.lamina.ps.protocol;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.optim.ScheduleConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The payload layout of the shard control messages (big-endian, {@code str} = int byte length and
 * UTF-8 bytes, at most {@value #MAX_NAME_BYTES} bytes):
 * <pre>
 * SHARD_INIT     int totalParameters, int offset, int workers, byte async, int staleness, long stepTimeoutMillis,
 *                str optimizerType, double learningRate, double momentum, byte nesterov, double beta1,
 *                double beta2, double epsilon, double weightDecay, double clipNorm,
 *                str scheduleType, int warmupSteps, int stepSize, double gamma, long totalSteps, double minFactor,
 *                int stateLength, byte[stateLength] state (a CheckpointCodec encoding)
 * SHARD_READY    int offset, int parameterCount, long step
 * SNAPSHOT_QUERY (empty)
 * SNAPSHOT       int stateLength, byte[stateLength] state
 * </pre>
 * Values the message records refuse (a bad optimizer, a negative count) are
 * {@link ErrorCode#MALFORMED_PAYLOAD}, like a layout that does not add up.
 */
final class ShardCodec {
    static final int MAX_NAME_BYTES = 64;
    private static final int INIT_FIXED_BYTES = 4 + 4 + 4 + 1 + 4 + 8
            + 4 + 8 * 2 + 1 + 8 * 5 + 4 + 4 + 4 + 8 + 8 + 8 + 4;
    private static final int READY_BYTES = 4 + 4 + 8;

    private ShardCodec() {
    }

    static long payloadBytes(Message message) {
        return switch (message.type()) {
            case SHARD_INIT -> {
                Message.ShardInit m = (Message.ShardInit) message;
                yield INIT_FIXED_BYTES + utf8(m.optimizer().type()).length
                        + utf8(m.optimizer().schedule().type()).length + (long) m.state().length;
            }
            case SHARD_READY -> READY_BYTES;
            case SNAPSHOT_QUERY -> 0;
            case SNAPSHOT -> 4L + ((Message.Snapshot) message).state().length;
            default -> throw new AssertionError(message.type());
        };
    }

    static void write(Message message, ByteBuffer dst) {
        switch (message.type()) {
            case SHARD_INIT -> {
                Message.ShardInit m = (Message.ShardInit) message;
                OptimizerConfig o = m.optimizer();
                ScheduleConfig s = o.schedule();
                dst.putInt(m.totalParameters()).putInt(m.offset()).putInt(m.workers()).put((byte) (m.async() ? 1 : 0))
                        .putInt(m.staleness()).putLong(m.stepTimeoutMillis());
                putString(dst, o.type());
                dst.putDouble(o.learningRate()).putDouble(o.momentum()).put((byte) (o.nesterov() ? 1 : 0))
                        .putDouble(o.beta1()).putDouble(o.beta2()).putDouble(o.epsilon()).putDouble(o.weightDecay())
                        .putDouble(o.clipNorm());
                putString(dst, s.type());
                dst.putInt(s.warmupSteps()).putInt(s.stepSize()).putDouble(s.gamma()).putLong(s.totalSteps())
                        .putDouble(s.minFactor());
                dst.putInt(m.state().length).put(m.state());
            }
            case SHARD_READY -> {
                Message.ShardReady m = (Message.ShardReady) message;
                dst.putInt(m.offset()).putInt(m.parameterCount()).putLong(m.step());
            }
            case SNAPSHOT_QUERY -> { }
            case SNAPSHOT -> {
                byte[] state = ((Message.Snapshot) message).state();
                dst.putInt(state.length).put(state);
            }
            default -> throw new AssertionError(message.type());
        }
    }

    static Message read(FrameHeader header, ByteBuffer payload) {
        try {
            return switch (header.type()) {
                case SHARD_INIT -> readInit(header, payload);
                case SHARD_READY -> {
                    expect(header, payload.remaining() == READY_BYTES, payload.remaining() + " bytes", READY_BYTES + " bytes");
                    yield new Message.ShardReady(payload.getInt(), payload.getInt(), payload.getLong());
                }
                case SNAPSHOT_QUERY -> {
                    expect(header, payload.remaining() == 0, payload.remaining() + " bytes", "0 bytes");
                    yield new Message.SnapshotQuery();
                }
                case SNAPSHOT -> new Message.Snapshot(trailingBytes(header, payload));
                default -> throw new AssertionError(header.type());
            };
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(),
                    header.type() + ": " + e.getMessage());
        }
    }

    private static Message.ShardInit readInit(FrameHeader header, ByteBuffer p) {
        expect(header, p.remaining() >= INIT_FIXED_BYTES, p.remaining() + " bytes", ">= " + INIT_FIXED_BYTES + " bytes");
        int total = p.getInt();
        int offset = p.getInt();
        int workers = p.getInt();
        boolean async = flag(header, p.get());
        int staleness = p.getInt();
        long timeout = p.getLong();
        String type = string(header, p);
        double lr = p.getDouble();
        double momentum = p.getDouble();
        boolean nesterov = flag(header, p.get());
        double beta1 = p.getDouble();
        double beta2 = p.getDouble();
        double epsilon = p.getDouble();
        double weightDecay = p.getDouble();
        double clipNorm = p.getDouble();
        String scheduleType = string(header, p);
        ScheduleConfig schedule = new ScheduleConfig(scheduleType, p.getInt(), p.getInt(), p.getDouble(), p.getLong(),
                p.getDouble());
        OptimizerConfig optimizer = new OptimizerConfig(type, lr, momentum, nesterov, beta1, beta2, epsilon,
                weightDecay, schedule, clipNorm);
        return new Message.ShardInit(total, offset, workers, async, staleness, timeout, optimizer,
                trailingBytes(header, p));
    }

    /** An int length that must equal the bytes that remain, then those bytes. */
    private static byte[] trailingBytes(FrameHeader header, ByteBuffer p) {
        expect(header, p.remaining() >= 4, p.remaining() + " bytes", ">= 4 bytes");
        int length = p.getInt();
        expect(header, length == p.remaining(), "state length " + length, p.remaining() + " from the payload length");
        byte[] bytes = new byte[length];
        p.get(bytes);
        return bytes;
    }

    private static String string(FrameHeader header, ByteBuffer p) {
        expect(header, p.remaining() >= 4, p.remaining() + " bytes", "a string length");
        int length = p.getInt();
        expect(header, length >= 0 && length <= MAX_NAME_BYTES && length <= p.remaining(), "name length " + length,
                "in [0, " + Math.min(MAX_NAME_BYTES, p.remaining()) + "]");
        byte[] bytes = new byte[length];
        p.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static boolean flag(FrameHeader header, byte b) {
        expect(header, b == 0 || b == 1, "flag " + b, "0 or 1");
        return b == 1;
    }

    private static void putString(ByteBuffer dst, String s) {
        byte[] bytes = utf8(s);
        dst.putInt(bytes.length).put(bytes);
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name : " + s + " (expected: <= " + MAX_NAME_BYTES + " UTF-8 bytes)");
        }
        return bytes;
    }

    private static void expect(FrameHeader header, boolean ok, String actual, String expected) {
        if (!ok) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(),
                    header.type() + " " + actual + " (expected: " + expected + ")");
        }
    }
}
