package dev.lamina.ps.protocol;

import dev.lamina.ps.compress.PushCodecs;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes frames into {@link Frame}s. The header is validated (magic, version, type, and the frame
 * length against the current maximum) as soon as its {@value FrameFormat#HEADER_BYTES} bytes arrive,
 * before the payload is awaited; then the CRC and the payload layout are checked. On any violation the
 * decoder writes a {@link Message.Failure} with the violation's {@link ErrorCode}, closes the
 * connection and discards everything else the peer sends.
 *
 * <p>The failure is written from this handler's context, so a {@link FrameEncoder} must sit before it
 * (nearer the head) in the pipeline. The maximum can be raised once the peer has authenticated.
 *
 * <p>With a {@linkplain #pushBuffer(float[]) push buffer} set, a {@link MessageType#PUSH_GRADIENT}
 * frame of exactly that many floats is not accumulated: its floats are copied into the buffer as the
 * bytes arrive (the CRC is updated on the way) and the emitted message holds the buffer. The buffer's
 * contents are undefined after a frame that fails its CRC (the connection is then closed anyway); the
 * receiver must hand a different buffer back with {@link #pushBuffer} before it keeps the emitted one.
 *
 * <p>With a push buffer set, a {@link MessageType#PUSH_COMPRESSED} frame is accumulated (it is small),
 * decoded with its codec into the buffer and emitted as the same {@link Message.PushGradient}, so what
 * follows never sees the compression. A count other than the buffer's length is
 * {@link ErrorCode#WRONG_SIZE}; an unknown codec or an encoding that does not decode (count, index or
 * length out of bounds) is {@link ErrorCode#MALFORMED_PAYLOAD}; both close the connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(FrameDecoder.class.getName());

    private int maxFrameBytes;
    private boolean failed;
    private float[] pushBuffer;
    private final CRC32C crc = new CRC32C();
    /** Bytes of a float split across reads (little-endian, low bytes first) and how many. */
    private int carry;
    private int carryBytes;
    /** The push being streamed into {@link #pushBuffer}, or null. */
    private StreamedPush streaming;

    /** The fixed fields of a push being streamed, and how many of its floats have arrived. */
    private static final class StreamedPush {
        final FrameHeader header;
        final int workerId;
        final int epoch;
        final long step;
        final long sequence;
        final long dataOffset;
        int floatsDone;

        StreamedPush(FrameHeader header, ByteBuf in, int at) {
            this.header = header;
            this.workerId = in.getInt(at);
            this.epoch = in.getInt(at + 4);
            this.step = in.getLong(at + 8);
            this.sequence = in.getLong(at + 16);
            this.dataOffset = in.getLong(at + 24);
        }
    }

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

    /**
     * Streams full-size pushes into {@code buffer} from the next frame on (null: accumulate every frame).
     * Call from the channel's event loop.
     */
    public void pushBuffer(float[] buffer) {
        this.pushBuffer = buffer;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (streaming != null) {
                stream(in, out);
                return;
            }
            if (in.readableBytes() < FrameFormat.HEADER_BYTES) {
                return;
            }
            decodeFrame(in, out);
        } catch (ProtocolException e) {
            fail(ctx, in, e);
        }
    }

    private void decodeFrame(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        FrameHeader header = FrameFormat.readHeader(
                in.nioBuffer(start, FrameFormat.HEADER_BYTES).order(ByteOrder.BIG_ENDIAN), maxFrameBytes);
        if (header.type() == MessageType.PUSH_GRADIENT && pushBuffer != null
                && header.payloadLength() == PayloadCodec.PUSH_FIXED_BYTES + 4L * pushBuffer.length) {
            startStreaming(header, in, out);
            return;
        }
        int frameBytes = header.frameBytes();
        if (in.readableBytes() < frameBytes) {
            reserve(in, frameBytes);
            return;
        }
        Frame frame = FrameFormat.read(header, in.nioBuffer(start, frameBytes).order(ByteOrder.BIG_ENDIAN));
        in.skipBytes(frameBytes);
        if (frame.message() instanceof Message.PushCompressed push && pushBuffer != null) {
            frame = new Frame(frame.requestId(), decompress(frame.requestId(), push));
        }
        out.add(frame);
    }

    /** Decodes {@code push} into the push buffer; refuses counts and encodings that do not fit it. */
    private Message.PushGradient decompress(long requestId, Message.PushCompressed push) {
        if (push.count() != pushBuffer.length) {
            throw new ProtocolException(ErrorCode.WRONG_SIZE, requestId, "PUSH_COMPRESSED worker " + push.workerId()
                    + " count : " + push.count() + " (expected: " + pushBuffer.length + ")");
        }
        try {
            PushCodecs.decoder(push.codecId())
                    .decode(ByteBuffer.wrap(push.encoded()).order(ByteOrder.LITTLE_ENDIAN), pushBuffer);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, requestId, "PUSH_COMPRESSED worker "
                    + push.workerId() + " step " + push.step() + ": " + e.getMessage());
        }
        return new Message.PushGradient(push.workerId(), push.epoch(), push.step(), push.sequence(),
                push.dataOffset(), pushBuffer);
    }

    private void startStreaming(FrameHeader header, ByteBuf in, List<Object> out) {
        int fixed = FrameFormat.HEADER_BYTES + PayloadCodec.PUSH_FIXED_BYTES;
        if (in.readableBytes() < fixed) {
            return;
        }
        int start = in.readerIndex();
        int count = in.getInt(start + fixed - 4);
        if (count != pushBuffer.length) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(), "PUSH_GRADIENT count : "
                    + count + " (expected: " + pushBuffer.length + " from the payload length)");
        }
        crc.reset();
        crc.update(in.nioBuffer(start, fixed));
        streaming = new StreamedPush(header, in, start + FrameFormat.HEADER_BYTES);
        in.skipBytes(fixed);
        stream(in, out);
    }

    /**
     * Copies floats as they arrive. A float split across reads is assembled in a 4-byte carry, so every
     * read buffer is consumed whole and the cumulation never copies (a merge would copy the next read).
     */
    private void stream(ByteBuf in, List<Object> out) {
        StreamedPush push = streaming;
        while (carryBytes > 0 && in.isReadable() && push.floatsDone < pushBuffer.length) {
            byte b = in.readByte();
            crc.update(b);
            carry |= (b & 0xFF) << (8 * carryBytes);
            if (++carryBytes == 4) {
                pushBuffer[push.floatsDone++] = Float.intBitsToFloat(carry);
                carry = 0;
                carryBytes = 0;
            }
        }
        int floats = Math.min(in.readableBytes() / 4, pushBuffer.length - push.floatsDone);
        if (floats > 0) {
            ByteBuffer bytes = in.nioBuffer(in.readerIndex(), 4 * floats);
            crc.update(bytes.duplicate());
            bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pushBuffer, push.floatsDone, floats);
            in.skipBytes(4 * floats);
            push.floatsDone += floats;
        }
        while (push.floatsDone < pushBuffer.length && in.isReadable()) {
            byte b = in.readByte();
            crc.update(b);
            carry |= (b & 0xFF) << (8 * carryBytes++);
        }
        if (push.floatsDone < pushBuffer.length || in.readableBytes() < FrameFormat.TRAILER_BYTES) {
            return;
        }
        int expected = in.readInt();
        int actual = (int) crc.getValue();
        if (expected != actual) {
            throw new ProtocolException(ErrorCode.BAD_CHECKSUM, push.header.requestId(), "crc32c : 0x"
                    + Integer.toHexString(expected) + " (expected: 0x" + Integer.toHexString(actual) + ")");
        }
        streaming = null;
        out.add(new Frame(push.header.requestId(), new Message.PushGradient(push.workerId, push.epoch, push.step,
                push.sequence, push.dataOffset, pushBuffer)));
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
