package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final int LIMIT = 64 * 1024;

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new FrameEncoder(), new FrameDecoder(LIMIT));
    }

    private static byte[] nonce(int seed) {
        byte[] bytes = new byte[Message.NONCE_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }

    private static float[] floats(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (i % 2 == 0 ? 1 : -1) * (i + 0.25f) / 7f;
        }
        values[0] = Float.MIN_VALUE;
        values[n - 1] = -0.0f;
        return values;
    }

    /** Encodes through the Netty encoder, then decodes the bytes through the Netty decoder. */
    private static Frame roundTrip(Frame frame) {
        EmbeddedChannel out = channel();
        assertTrue(out.writeOutbound(frame));
        ByteBuf encoded = out.readOutbound();
        assertEquals(FrameFormat.frameBytes(frame.message()), encoded.readableBytes());
        EmbeddedChannel in = channel();
        assertTrue(in.writeInbound(encoded));
        Frame decoded = in.readInbound();
        assertNull(in.readInbound());
        assertTrue(in.isOpen());
        return decoded;
    }

    @Test
    void everyMessageTypeRoundTrips() {
        Message.Challenge challenge = (Message.Challenge) roundTrip(new Frame(0, new Message.Challenge(nonce(1))))
                .message();
        assertArrayEquals(nonce(1), challenge.serverNonce());

        Frame helloFrame = roundTrip(new Frame(1, new Message.Hello(3, nonce(2), nonce(3))));
        Message.Hello hello = (Message.Hello) helloFrame.message();
        assertEquals(1, helloFrame.requestId());
        assertEquals(3, hello.workerId());
        assertArrayEquals(nonce(2), hello.clientNonce());
        assertArrayEquals(nonce(3), hello.mac());

        Message.AuthOk ok = (Message.AuthOk) roundTrip(new Frame(1, new Message.AuthOk(nonce(4), 1234, 56L)))
                .message();
        assertArrayEquals(nonce(4), ok.serverMac());
        assertEquals(1234, ok.parameterCount());
        assertEquals(56L, ok.currentStep());

        assertInstanceOf(Message.Pull.class, roundTrip(new Frame(7, new Message.Pull())).message());

        float[] values = floats(1001);
        Message.Params params = (Message.Params) roundTrip(new Frame(8, new Message.Params(9L, values))).message();
        assertEquals(9L, params.step());
        assertArrayEquals(values, params.values());

        Frame pushFrame = roundTrip(new Frame(Long.MAX_VALUE,
                new Message.PushGradient(2, 5, 77L, 123456789012L, -1L, values)));
        Message.PushGradient push = (Message.PushGradient) pushFrame.message();
        assertEquals(Long.MAX_VALUE, pushFrame.requestId());
        assertEquals(List.of(2, 5, 77L, 123456789012L, -1L),
                List.of(push.workerId(), push.epoch(), push.step(), push.sequence(), push.dataOffset()));
        assertArrayEquals(values, push.gradient());

        Message.Failure failure = (Message.Failure) roundTrip(new Frame(3,
                new Message.Failure(ErrorCode.NON_FINITE_VALUES, "worker 1 step 2: gradient[0] : NaN ✓"))).message();
        assertEquals(ErrorCode.NON_FINITE_VALUES, failure.code());
        assertEquals("worker 1 step 2: gradient[0] : NaN ✓", failure.message());

        assertInstanceOf(Message.TimingQuery.class, roundTrip(new Frame(4, new Message.TimingQuery())).message());
        assertEquals(new Message.Timing(123_456_789_012L, 7L, 468L),
                roundTrip(new Frame(4, new Message.Timing(123_456_789_012L, 7L, 468L))).message());
    }

    @Test
    void floatsAreLittleEndianAndHeaderBigEndian() {
        byte[] bytes = TestFrames.encode(0x0102, new Message.Params(1, new float[] {1.0f}));
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertEquals(FrameFormat.MAGIC, buffer.getInt(0));
        assertEquals(0x0102, buffer.getLong(6));
        assertEquals(16, buffer.getInt(14));
        // 1.0f = 0x3F800000, little-endian after step (8) and count (4)
        int at = FrameFormat.HEADER_BYTES + 12;
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, java.util.Arrays.copyOfRange(bytes, at, at + 4));
    }

    @Test
    void frameSplitIntoSingleBytesDecodes() {
        float[] values = floats(37);
        byte[] bytes = TestFrames.encode(42, new Message.Params(4, values));
        EmbeddedChannel channel = channel();
        for (int i = 0; i < bytes.length - 1; i++) {
            TestFrames.writeInbound(channel, new byte[] {bytes[i]});
            assertNull(channel.readInbound(), "no message before byte " + i + " completes the frame");
        }
        TestFrames.writeInbound(channel, new byte[] {bytes[bytes.length - 1]});
        Frame frame = channel.readInbound();
        assertEquals(42, frame.requestId());
        assertArrayEquals(values, ((Message.Params) frame.message()).values());
        assertTrue(channel.isOpen());
    }

    @Test
    void twoFramesInOneBufferBothDecode() {
        byte[] a = TestFrames.encode(1, new Message.Pull());
        byte[] b = TestFrames.encode(2, new Message.Pull());
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        EmbeddedChannel channel = channel();
        TestFrames.writeInbound(channel, both);
        assertEquals(1, ((Frame) channel.readInbound()).requestId());
        assertEquals(2, ((Frame) channel.readInbound()).requestId());
    }

    @Test
    void badMagicIsAnsweredAndClosed() {
        byte[] bytes = TestFrames.encode(5, new Message.Pull());
        bytes[0] = 'X';
        assertRefused(bytes, ErrorCode.BAD_MAGIC, 0);
    }

    @Test
    void badVersionIsAnsweredAndClosed() {
        byte[] bytes = TestFrames.encode(5, new Message.Pull());
        bytes[4] = 2;
        assertRefused(bytes, ErrorCode.UNSUPPORTED_VERSION, 5);
    }

    @Test
    void unknownTypeIsAnsweredAndClosed() {
        byte[] bytes = TestFrames.encode(5, new Message.Pull());
        bytes[5] = 99;
        assertRefused(bytes, ErrorCode.UNKNOWN_TYPE, 5);
    }

    @Test
    void badChecksumIsAnsweredAndClosed() {
        byte[] bytes = TestFrames.encode(6, new Message.Params(1, floats(10)));
        bytes[FrameFormat.HEADER_BYTES + 20] ^= 1;
        assertRefused(bytes, ErrorCode.BAD_CHECKSUM, 6);
    }

    @Test
    void payloadNotMatchingItsTypeIsMalformed() {
        // A PULL frame with 4 payload bytes and a correct CRC.
        ByteBuffer frame = ByteBuffer.allocate(FrameFormat.OVERHEAD_BYTES + 4);
        frame.put(TestFrames.header(FrameFormat.MAGIC, 1, MessageType.PULL.id(), 8, 4)).putInt(0);
        frame.putInt(FrameFormat.crc(frame, 0, frame.position()));
        assertRefused(frame.array(), ErrorCode.MALFORMED_PAYLOAD, 8);
    }

    @Test
    void oversizedFrameIsRefusedFromItsHeaderAlone() {
        EmbeddedChannel channel = channel();
        TestFrames.writeInbound(channel, TestFrames.header(FrameFormat.MAGIC, 1, MessageType.PUSH_GRADIENT.id(), 9,
                Integer.MAX_VALUE));
        // Only the 18 header bytes were sent: the refusal must not wait for the payload.
        Message.Failure failure = TestFrames.readFailure(channel);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, failure.code());
        assertTrue(failure.message().contains(String.valueOf(Integer.MAX_VALUE)), failure.message());
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
    }

    @Test
    void negativePayloadLengthIsRefused() {
        assertRefused(TestFrames.header(FrameFormat.MAGIC, 1, MessageType.PULL.id(), 9, -1),
                ErrorCode.FRAME_TOO_LARGE, 9);
    }

    @Test
    void frameJustAtTheLimitIsAcceptedAndOneByteMoreIsNot() {
        Message.Params params = new Message.Params(1, new float[1000]);
        int bytes = FrameFormat.frameBytes(params);
        EmbeddedChannel exact = new EmbeddedChannel(new FrameEncoder(), new FrameDecoder(bytes));
        TestFrames.writeInbound(exact, TestFrames.encode(1, params));
        assertInstanceOf(Frame.class, exact.readInbound());
        assertTrue(exact.isOpen());

        EmbeddedChannel smaller = new EmbeddedChannel(new FrameEncoder(), new FrameDecoder(bytes - 1));
        TestFrames.writeInbound(smaller, TestFrames.encode(1, params));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, TestFrames.readFailure(smaller).code());
        assertFalse(smaller.isOpen());
    }

    @Test
    void headerBytesAloneProduceNothing() {
        byte[] bytes = TestFrames.encode(1, new Message.Params(0, floats(8)));
        EmbeddedChannel channel = channel();
        TestFrames.writeInbound(channel, java.util.Arrays.copyOf(bytes, FrameFormat.HEADER_BYTES + 5));
        assertNull(channel.readInbound());
        assertNull(channel.readOutbound());
        assertTrue(channel.isOpen());
    }

    @Test
    void bytesAfterAViolationAreIgnored() {
        byte[] bad = TestFrames.encode(1, new Message.Pull());
        bad[0] = 0;
        byte[] good = TestFrames.encode(2, new Message.Pull());
        byte[] both = new byte[bad.length + good.length];
        System.arraycopy(bad, 0, both, 0, bad.length);
        System.arraycopy(good, 0, both, bad.length, good.length);
        EmbeddedChannel channel = channel();
        TestFrames.writeInbound(channel, both);
        assertEquals(ErrorCode.BAD_MAGIC, TestFrames.readFailure(channel).code());
        assertNull(channel.readInbound());
        assertNull(channel.readOutbound());
    }

    @Test
    void limitsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(3));
        assertTrue(e.getMessage().startsWith("maxFrameBytes : 3 (expected: in [22, "), e.getMessage());
    }

    private static void assertRefused(byte[] bytes, ErrorCode code, long requestId) {
        EmbeddedChannel channel = channel();
        TestFrames.writeInbound(channel, bytes);
        Frame reply = TestFrames.readOutbound(channel);
        Message.Failure failure = assertInstanceOf(Message.Failure.class, reply.message());
        assertEquals(code, failure.code(), failure.message());
        assertEquals(requestId, reply.requestId());
        assertNull(channel.readInbound());
        assertFalse(channel.isOpen(), "the connection must be closed after " + code);
    }
}
