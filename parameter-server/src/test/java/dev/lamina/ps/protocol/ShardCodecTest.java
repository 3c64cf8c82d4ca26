package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.optim.ScheduleConfig;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ShardCodecTest {
    private static final OptimizerConfig ADAM = OptimizerConfig.defaults().withType("adamw").withLearningRate(0.003)
            .withBetas(0.8, 0.95).withWeightDecay(0.01)
            .withSchedule(new ScheduleConfig("cosine", 5, 1, 0.5, 1000, 0.1));

    private static Message.ShardInit init(byte[] state) {
        return new Message.ShardInit(1000, 400, 3, true, 2, 15_000, ADAM, state);
    }

    @Test
    void shardInitRoundTripsEveryField() {
        byte[] state = {1, 2, 3, 4, 5};
        Frame frame = TestFrames.decode(TestFrames.encode(9, init(state)));
        assertEquals(9, frame.requestId());
        Message.ShardInit m = assertInstanceOf(Message.ShardInit.class, frame.message());
        assertEquals(1000, m.totalParameters());
        assertEquals(400, m.offset());
        assertEquals(3, m.workers());
        assertTrue(m.async());
        assertEquals(2, m.staleness());
        assertEquals(15_000, m.stepTimeoutMillis());
        assertEquals(ADAM, m.optimizer());
        assertArrayEquals(state, m.state());
    }

    @Test
    void controlRepliesRoundTrip() {
        Message.ShardReady ready = assertInstanceOf(Message.ShardReady.class,
                TestFrames.decode(TestFrames.encode(2, new Message.ShardReady(7, 11, 13))).message());
        assertEquals(new Message.ShardReady(7, 11, 13), ready);
        assertInstanceOf(Message.SnapshotQuery.class,
                TestFrames.decode(TestFrames.encode(3, new Message.SnapshotQuery())).message());
        Message.Snapshot snapshot = assertInstanceOf(Message.Snapshot.class,
                TestFrames.decode(TestFrames.encode(4, new Message.Snapshot(new byte[] {9, 8}))).message());
        assertArrayEquals(new byte[] {9, 8}, snapshot.state());
    }

    /** The bytes of an init frame with {@code edit} applied to its payload, CRC recomputed. */
    private static byte[] edited(java.util.function.Consumer<ByteBuffer> edit) {
        byte[] bytes = TestFrames.encode(5, init(new byte[] {1, 2}));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        edit.accept(b.slice(FrameFormat.HEADER_BYTES, bytes.length - FrameFormat.OVERHEAD_BYTES));
        b.putInt(bytes.length - 4, FrameFormat.crc(b, 0, bytes.length - 4));
        return bytes;
    }

    private static ProtocolException refused(byte[] bytes) {
        return assertThrows(ProtocolException.class, () -> TestFrames.decode(bytes));
    }

    @Test
    void badFlagIsMalformed() {
        ProtocolException e = refused(edited(b -> b.put(12, (byte) 7)));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertEquals("SHARD_INIT flag 7 (expected: 0 or 1)", e.getMessage());
    }

    @Test
    void valuesTheRecordsRefuseAreMalformed() {
        ProtocolException workers = refused(edited(b -> b.putInt(8, 0)));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, workers.code());
        assertEquals("SHARD_INIT: workers : 0 (expected: > 0)", workers.getMessage());
        // the optimizer type "adamw" starts at payload byte 29 (after its length)
        ProtocolException type = refused(edited(b -> b.put(29, (byte) 'x')));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, type.code());
        assertTrue(type.getMessage().contains("type : xdamw (expected: sgd, adam, adamw or rmsprop)"), type.getMessage());
    }

    @Test
    void stateLengthMustMatchThePayload() {
        byte[] bytes = edited(b -> b.putInt(b.limit() - 6, 3));
        ProtocolException e = refused(bytes);
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertEquals("SHARD_INIT state length 3 (expected: 2 from the payload length)", e.getMessage());
    }

    @Test
    void hugeNameLengthIsRefusedBeforeAllocating() {
        ProtocolException e = refused(edited(b -> b.putInt(25, Integer.MAX_VALUE)));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertTrue(e.getMessage().startsWith("SHARD_INIT name length 2147483647 (expected: in [0, "), e.getMessage());
    }
}
