package dev.lamina.ps.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes a {@link Frame} into one exactly-sized (direct, when the allocator prefers it) buffer. The
 * frame is written through an NIO view of the buffer, so float arrays go in with one bulk copy.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int bytes = FrameFormat.frameBytes(frame.message());
        return preferDirect ? ctx.alloc().ioBuffer(bytes, bytes) : ctx.alloc().heapBuffer(bytes, bytes);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        int bytes = FrameFormat.frameBytes(frame.message());
        out.ensureWritable(bytes);
        if (out.nioBufferCount() == 1) {
            ByteBuffer view = out.nioBuffer(out.writerIndex(), bytes).order(ByteOrder.BIG_ENDIAN);
            FrameFormat.write(frame.requestId(), frame.message(), view);
            out.writerIndex(out.writerIndex() + bytes);
        } else {
            ByteBuffer temp = ByteBuffer.allocate(bytes);
            FrameFormat.write(frame.requestId(), frame.message(), temp);
            out.writeBytes(temp.flip());
        }
    }
}
