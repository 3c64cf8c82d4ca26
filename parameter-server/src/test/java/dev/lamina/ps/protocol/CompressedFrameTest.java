package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PUSH_COMPRESSED frames: their layout, and the decoder turning them into pushes in its buffer. */
class CompressedFrameTest {

    @Test
    void compressedPushRoundTripsAsAMessage() {
        Message.PushCompressed push = new Message.PushCompressed(3, 1, 9, 8, 640, 4, 10, new byte[] {1, 2, 3});
        byte[] wire = TestFrames.encode(42, push);
        assertEquals(FrameFormat.compressedPushFrameBytes(3), wire.length);
        Message.PushCompressed back = assertInstanceOf(Message.PushCompressed.class, TestFrames.decode(wire).message());
        assertEquals(List.of(3, 1, 9L, 8L, 640L, 4, 10), List.of(back.workerId(), back.epoch(), back.step(),
                back.sequence(), back.dataOffset(), back.codecId(), back.count()));
        assertArrayEquals(push.encoded(), back.encoded());
        assertThrows(IllegalArgumentException.class, () -> new Message.PushCompressed(0, 0, 0, 0, 0, 256, 1, new byte[0]));
    }

    @Test
    void decoderWithABufferEmitsADensePushInIt() {
        float[] buffer = new float[4];
        Arrays.fill(buffer, 9f);
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        decoder.pushBuffer(buffer);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(), decoder);
        // fp16: 1.0 = 0x3C00, -2.0 = 0xC000, 0, 0.5 = 0x3800 (little-endian)
        byte[] encoded = {0x00, 0x3C, 0x00, (byte) 0xC0, 0, 0, 0x00, 0x38};
        byte[] wire = TestFrames.encode(5, new Message.PushCompressed(1, 2, 3, 4, 5, 1, 4, encoded));
        for (byte b : wire) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        Frame frame = channel.readInbound();
        Message.PushGradient push = assertInstanceOf(Message.PushGradient.class, frame.message());
        assertSame(buffer, push.gradient());
        assertArrayEquals(new float[] {1f, -2f, 0f, 0.5f}, buffer);
        assertEquals(List.of(1, 2, 3L, 4L, 5L), List.of(push.workerId(), push.epoch(), push.step(), push.sequence(),
                push.dataOffset()));
    }

    @Test
    void wrongLengthForTheCodecIsMalformed() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        decoder.pushBuffer(new float[4]);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(), decoder);
        TestFrames.writeInbound(channel, TestFrames.encode(5,
                new Message.PushCompressed(1, 2, 3, 4, 5, 1, 4, new byte[7])));
        Message.Failure failure = TestFrames.readFailure(channel);
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, failure.code());
        assertEquals("PUSH_COMPRESSED worker 1 step 3: fp16 payload : 7 bytes (expected: 8 for 4 values)",
                failure.message());
        assertFalse(channel.isOpen());
    }
}
