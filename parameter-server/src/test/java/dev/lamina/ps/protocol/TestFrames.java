package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;

/** Helpers to build frames as bytes and to read the frames a channel wrote. */
public final class TestFrames {
    private TestFrames() {
    }

    /** The bytes of a well-formed frame. */
    public static byte[] encode(long requestId, Message message) {
        ByteBuffer buffer = ByteBuffer.allocate(FrameFormat.frameBytes(message));
        FrameFormat.write(requestId, message, buffer);
        return buffer.array();
    }

    /** A header only, announcing {@code payloadLength} bytes of payload. */
    public static byte[] header(int magic, int version, int type, long requestId, int payloadLength) {
        return ByteBuffer.allocate(FrameFormat.HEADER_BYTES).putInt(magic).put((byte) version).put((byte) type)
                .putLong(requestId).putInt(payloadLength).array();
    }

    /** Decodes one frame from bytes. */
    public static Frame decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        FrameHeader header = FrameFormat.readHeader(buffer, FrameFormat.MAX_FRAME_BYTES);
        return FrameFormat.read(header, buffer);
    }

    /** Reads and decodes the next frame the channel wrote; fails if there is none. */
    public static Frame readOutbound(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        assertNotNull(buf, "expected an outbound frame");
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return decode(bytes);
        } finally {
            buf.release();
        }
    }

    /** Writes bytes into the channel's inbound side. */
    public static void writeInbound(EmbeddedChannel channel, byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** The error the channel wrote (it must be a Failure). */
    public static Message.Failure readFailure(EmbeddedChannel channel) {
        Message message = readOutbound(channel).message();
        if (!(message instanceof Message.Failure failure)) {
            throw new AssertionError("expected ERROR, got " + message.type());
        }
        return failure;
    }
}
