package dev.lamina.ps.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.System.Logger.Level;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Decodes frames into {@link Frame}s. The header is validated (magic, version, type, and the frame
 * length against the current maximum) as soon as its {@value FrameFormat#HEADER_BYTES} bytes arrive,
 * before the payload is awaited; then the CRC and the payload layout are checked. On any violation the
 * decoder writes a {@link Message.Failure} with the violation's {@link ErrorCode}, closes the
 * connection and discards everything else the peer sends.
 *
 * <p>The failure is written from this handler's context, so a {@link FrameEncoder} must sit before it
 * (nearer the head) in the pipeline. The maximum can be raised once the peer has authenticated.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(FrameDecoder.class.getName());

    private int maxFrameBytes;
    private boolean failed;

    /** A decoder accepting frames of at most {@code maxFrameBytes} (header and CRC included). */
    public FrameDecoder(int maxFrameBytes) {
        maxFrameBytes(maxFrameBytes);
    }

    /** The current maximum frame length in bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Changes the maximum frame length; call from the channel's event loop. */
    public void maxFrameBytes(int bytes) {
        if (bytes < FrameFormat.OVERHEAD_BYTES || bytes > FrameFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes : " + bytes + " (expected: in ["
                    + FrameFormat.OVERHEAD_BYTES + ", " + FrameFormat.MAX_FRAME_BYTES + "])");
        }
        this.maxFrameBytes = bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameFormat.HEADER_BYTES) {
            return;
        }
        int start = in.readerIndex();
        try {
            FrameHeader header = FrameFormat.readHeader(
                    in.nioBuffer(start, FrameFormat.HEADER_BYTES).order(ByteOrder.BIG_ENDIAN), maxFrameBytes);
            int frameBytes = header.frameBytes();
            if (in.readableBytes() < frameBytes) {
                reserve(in, frameBytes);
                return;
            }
            Frame frame = FrameFormat.read(header, in.nioBuffer(start, frameBytes).order(ByteOrder.BIG_ENDIAN));
            in.skipBytes(frameBytes);
            out.add(frame);
        } catch (ProtocolException e) {
            fail(ctx, in, e);
        }
    }

    /**
     * Grows the cumulation once to hold the whole (already validated) frame. Left to itself the
     * cumulation grows in small steps, each a new zeroed buffer and a copy: for a 100 MB push that
     * was seconds per frame. Only done when the buffer is ours alone and writable, as the merge
     * cumulator itself requires before writing into it.
     */
    private static void reserve(ByteBuf in, int frameBytes) {
        int missing = frameBytes - in.readableBytes();
        if (in.writableBytes() < missing && in.refCnt() == 1 && !in.isReadOnly()
                && in.maxWritableBytes() >= missing) {
            in.ensureWritable(missing);
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ProtocolException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        LOG.log(Level.WARNING, "closing {0}: {1} {2}", ctx.channel().remoteAddress(), e.code(), e.getMessage());
        ctx.writeAndFlush(new Frame(e.requestId(), new Message.Failure(e.code(), e.getMessage())))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
