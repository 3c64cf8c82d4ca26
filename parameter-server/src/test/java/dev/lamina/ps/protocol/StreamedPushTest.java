package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Full-size pushes decoded straight into the receiver's buffer, however the bytes are split. */
class StreamedPushTest {
    private static final int N = 1001;

    private static float[] values(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static EmbeddedChannel channel(float[] buffer) {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        decoder.pushBuffer(buffer);
        return new EmbeddedChannel(new FrameEncoder(), decoder);
    }

    @Test
    void pushSplitAtEveryKindOfBoundaryLandsInTheBuffer() {
        float[] sent = values(1);
        byte[] wire = TestFrames.encode(42, new Message.PushGradient(3, 1, 9, 8, 640, sent));
        for (int piece : new int[] {1, 2, 3, 5, 7, 64, 4093, wire.length}) {
            float[] buffer = new float[N];
            EmbeddedChannel channel = channel(buffer);
            for (int at = 0; at < wire.length; at += piece) {
                channel.writeInbound(Unpooled.wrappedBuffer(wire, at, Math.min(piece, wire.length - at)));
            }
            Frame frame = channel.readInbound();
            Message.PushGradient push = assertInstanceOf(Message.PushGradient.class, frame.message());
            assertSame(buffer, push.gradient(), "decoded in place, piece " + piece);
            assertArrayEquals(sent, buffer);
            assertEquals(42, frame.requestId());
            assertEquals(new Message.PushGradient(3, 1, 9, 8, 640, buffer), push);
            assertNull(channel.readInbound());
        }
    }

    @Test
    void twoPushesBackToBackBothDecode() {
        float[] first = values(2);
        float[] second = values(3);
        byte[] a = TestFrames.encode(1, new Message.PushGradient(0, 0, 0, 0, 0, first));
        byte[] b = TestFrames.encode(2, new Message.PushGradient(0, 0, 1, 1, 0, second));
        float[] buffer = new float[N];
        EmbeddedChannel channel = channel(buffer);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        channel.writeInbound(Unpooled.wrappedBuffer(both, 0, a.length + 5));
        Frame one = channel.readInbound();
        assertArrayEquals(first, ((Message.PushGradient) one.message()).gradient());
        float[] next = new float[N];
        channel.pipeline().get(FrameDecoder.class).pushBuffer(next);
        channel.writeInbound(Unpooled.wrappedBuffer(both, a.length + 5, b.length - 5));
        Frame two = channel.readInbound();
        assertSame(next, ((Message.PushGradient) two.message()).gradient());
        assertArrayEquals(second, next);
        assertArrayEquals(first, buffer, "the first buffer was left alone");
    }

    @Test
    void corruptedStreamedPushIsRefusedAndClosed() {
        byte[] wire = TestFrames.encode(5, new Message.PushGradient(0, 0, 0, 0, 0, values(4)));
        wire[wire.length / 2] ^= 1;
        EmbeddedChannel channel = channel(new float[N]);
        TestFrames.writeInbound(channel, wire);
        assertNull(channel.readInbound());
        assertEquals(ErrorCode.BAD_CHECKSUM, TestFrames.readFailure(channel).code());
        assertFalse(channel.isActive());
    }

    @Test
    void pushOfAnotherSizeFallsBackToTheAccumulatingPath() {
        float[] small = {1f, 2f};
        EmbeddedChannel channel = channel(new float[N]);
        TestFrames.writeInbound(channel, TestFrames.encode(6, new Message.PushGradient(0, 0, 0, 0, 0, small)));
        Frame frame = channel.readInbound();
        assertArrayEquals(small, ((Message.PushGradient) frame.message()).gradient());
    }
}
