package dev.lamina.ps.client;

import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.FrameHeader;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.MessageType;
import dev.lamina.ps.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32C;

/**
 * Frames over a pair of blocking byte channels. Float arrays (pushes out, parameters in) are streamed
 * through one fixed direct {@value #CHUNK_BYTES}-byte chunk (the kernel reads and writes it without
 * another copy), converted with a bulk little-endian view and checksummed on the way, so the client
 * never holds a whole frame and allocates nothing per push or pull. Other frames are small and go
 * through a {@value FrameFormat#PRE_AUTH_MAX_FRAME_BYTES}-byte buffer.
 *
 * <p>A received frame's length is checked against the receive limit before anything beyond its header
 * is read. When a streamed PARAMS frame fails its CRC, the destination array has already been written
 * and its contents are undefined. Throws {@link ProtocolException} when the peer's bytes break the
 * protocol.
 */
final class FrameStream {
    /** Bytes of floats per read or write call. */
    static final int CHUNK_BYTES = 1 << 20;
    private static final int PUSH_PREFIX_BYTES = FrameFormat.HEADER_BYTES + 4 + 4 + 8 + 8 + 8 + 4;
    private static final int PARAMS_PREFIX_BYTES = FrameFormat.HEADER_BYTES + 8 + 4;

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final ByteBuffer small = ByteBuffer.allocate(FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final FloatBuffer chunkFloats = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    private final CRC32C crc = new CRC32C();
    private int maxSendFrameBytes = FrameFormat.PRE_AUTH_MAX_FRAME_BYTES;
    private int maxReceiveFrameBytes = FrameFormat.PRE_AUTH_MAX_FRAME_BYTES;
    private long bytesSent;
    private long bytesReceived;

    FrameStream(ReadableByteChannel in, WritableByteChannel out) {
        this.in = in;
        this.out = out;
    }

    /** Over blocking streams (tests). */
    FrameStream(InputStream in, OutputStream out) {
        this(Channels.newChannel(in), Channels.newChannel(out));
    }

    /** The largest frame sent and the largest received (checked from its header alone). */
    void limits(int maxSendFrameBytes, int maxReceiveFrameBytes) {
        this.maxSendFrameBytes = maxSendFrameBytes;
        this.maxReceiveFrameBytes = maxReceiveFrameBytes;
    }

    void send(long requestId, Message message) throws IOException {
        if (message instanceof Message.PushGradient p) {
            sendPush(requestId, p.workerId(), p.epoch(), p.step(), p.sequence(), p.dataOffset(), p.gradient());
            return;
        }
        int bytes = FrameFormat.frameBytes(message);
        checkSend(message.type(), bytes);
        if (bytes > small.capacity()) {
            throw new IllegalArgumentException(message.type() + " frame : " + bytes + " bytes (expected: <= "
                    + small.capacity() + ")");
        }
        small.clear();
        FrameFormat.write(requestId, message, small);
        writeFully(small.flip());
        bytesSent += bytes;
    }

    /**
     * Sends any message through one heap buffer of the frame's size (the driver's large control frames,
     * such as SHARD_INIT; allocates), within the send limit.
     */
    void sendWhole(long requestId, Message message) throws IOException {
        int bytes = FrameFormat.frameBytes(message);
        checkSend(message.type(), bytes);
        ByteBuffer frame = ByteBuffer.allocate(bytes);
        FrameFormat.write(requestId, message, frame);
        writeFully(frame.flip());
        bytesSent += bytes;
    }

    /**
     * Reads one frame of any type, up to the receive limit, into a heap buffer of its size and decodes it
     * (the driver's large control replies, such as SNAPSHOT; allocates).
     */
    Frame receiveWhole() throws IOException {
        readFully(small.clear(), FrameFormat.HEADER_BYTES);
        FrameHeader header = FrameFormat.readHeader(small.flip(), maxReceiveFrameBytes);
        ByteBuffer frame = ByteBuffer.allocate(header.frameBytes());
        frame.put(small.array(), 0, FrameFormat.HEADER_BYTES);
        readFully(frame, header.frameBytes() - FrameFormat.HEADER_BYTES);
        bytesReceived += header.frameBytes();
        return FrameFormat.read(header, frame.flip());
    }

    /**
     * Sends a PUSH_COMPRESSED frame for {@code count} values whose encoding with codec {@code codecId}
     * is {@code encoded}'s remaining bytes (written from a duplicate; {@code encoded} does not move).
     */
    void sendCompressedPush(long requestId, int workerId, int epoch, long step, long sequence, long dataOffset,
                            int codecId, int count, ByteBuffer encoded) throws IOException {
        long frameBytes = FrameFormat.compressedPushFrameBytes(encoded.remaining());
        checkSend(MessageType.PUSH_COMPRESSED, frameBytes);
        small.clear();
        small.putInt(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) MessageType.PUSH_COMPRESSED.id())
                .putLong(requestId).putInt((int) frameBytes - FrameFormat.OVERHEAD_BYTES)
                .putInt(workerId).putInt(epoch).putLong(step).putLong(sequence).putLong(dataOffset)
                .put((byte) codecId).putInt(count);
        crc.reset();
        crc.update(small.array(), 0, small.position());
        writeFully(small.flip());
        crc.update(encoded.duplicate());
        writeFully(encoded.duplicate());
        small.clear().putInt((int) crc.getValue());
        writeFully(small.flip());
        bytesSent += frameBytes;
    }

    /** Sends a PUSH_GRADIENT frame, streaming {@code values} in chunks. */
    void sendPush(long requestId, int workerId, int epoch, long step, long sequence, long dataOffset, float[] values)
            throws IOException {
        sendPush(requestId, workerId, epoch, step, sequence, dataOffset, values, 0, values.length);
    }

    /** Sends a PUSH_GRADIENT frame of {@code values[from, from + count)}, streamed in chunks. */
    void sendPush(long requestId, int workerId, int epoch, long step, long sequence, long dataOffset, float[] values,
                  int from, int count) throws IOException {
        java.util.Objects.checkFromIndexSize(from, count, values.length);
        long frameBytes = FrameFormat.pushFrameBytes(count);
        checkSend(MessageType.PUSH_GRADIENT, frameBytes);
        small.clear();
        small.putInt(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) MessageType.PUSH_GRADIENT.id())
                .putLong(requestId).putInt((int) frameBytes - FrameFormat.OVERHEAD_BYTES)
                .putInt(workerId).putInt(epoch).putLong(step).putLong(sequence).putLong(dataOffset).putInt(count);
        crc.reset();
        crc.update(small.array(), 0, PUSH_PREFIX_BYTES);
        writeFully(small.flip());
        int perChunk = CHUNK_BYTES / 4;
        for (int off = 0; off < count; off += perChunk) {
            int n = Math.min(perChunk, count - off);
            chunkFloats.clear();
            chunkFloats.put(values, from + off, n);
            chunk.clear().limit(4 * n);
            crc.update(chunk);
            writeFully(chunk.flip());
        }
        small.clear().putInt((int) crc.getValue());
        writeFully(small.flip());
        bytesSent += frameBytes;
    }

    /**
     * Reads one frame. A PARAMS frame is decoded straight into {@code paramsDst} when it is given (the
     * returned message then holds {@code paramsDst}).
     */
    Frame receive(float[] paramsDst) throws IOException {
        FrameHeader header = readHeader();
        if (header.type() == MessageType.PARAMS && paramsDst != null) {
            return new Frame(header.requestId(), new Message.Params(readParams(header, paramsDst, 0, paramsDst.length),
                    paramsDst));
        }
        return readSmall(header);
    }

    /**
     * Reads the reply to {@code requestId}: PARAMS decoded into {@code dst}, whose step is returned. An
     * error frame for this request (or for the connection, id 0) is thrown as a
     * {@link ParameterServerException}; anything else is a {@link ProtocolException}.
     */
    long receiveParams(long requestId, float[] dst) throws IOException {
        return receiveParams(requestId, dst, 0, dst.length);
    }

    /** {@link #receiveParams(long, float[])} into {@code dst[from, from + count)}, which the count must match. */
    long receiveParams(long requestId, float[] dst, int from, int count) throws IOException {
        java.util.Objects.checkFromIndexSize(from, count, dst.length);
        FrameHeader header = readHeader();
        if (header.type() == MessageType.PARAMS && header.requestId() == requestId) {
            return readParams(header, dst, from, count);
        }
        Frame frame = readSmall(header);
        if (frame.message() instanceof Message.Failure failure && (frame.requestId() == requestId
                || frame.requestId() == 0)) {
            throw new ParameterServerException(failure.code(), failure.message());
        }
        throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, frame.requestId(), "reply : " + header.type()
                + " for request " + header.requestId() + " (expected: PARAMS for request " + requestId + ")");
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    private void checkSend(MessageType type, long bytes) {
        if (bytes > maxSendFrameBytes) {
            throw new IllegalArgumentException(type + " frame : " + bytes + " bytes (expected: <= "
                    + maxSendFrameBytes + ")");
        }
    }

    private FrameHeader readHeader() throws IOException {
        readFully(small.clear(), FrameFormat.HEADER_BYTES);
        FrameHeader header = FrameFormat.readHeader(small.flip(), maxReceiveFrameBytes);
        if (header.type() != MessageType.PARAMS && header.frameBytes() > small.capacity()) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, header.requestId(), header.type() + " frame : "
                    + header.frameBytes() + " bytes (expected: <= " + small.capacity() + ")");
        }
        return header;
    }

    /** Reads the rest of a small frame into the small buffer and decodes it. */
    private Frame readSmall(FrameHeader header) throws IOException {
        if (header.frameBytes() > small.capacity()) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, header.requestId(), header.type() + " frame : "
                    + header.frameBytes() + " bytes (expected: <= " + small.capacity() + " without a destination array)");
        }
        readFully(small.clear().position(FrameFormat.HEADER_BYTES), header.frameBytes() - FrameFormat.HEADER_BYTES);
        bytesReceived += header.frameBytes();
        return FrameFormat.read(header, small.flip());
    }

    /** Streams the floats of a PARAMS frame into {@code dst}, checking its layout and CRC; returns its step. */
    private long readParams(FrameHeader header, float[] dst, int from, int expectedCount) throws IOException {
        if (header.payloadLength() < PARAMS_PREFIX_BYTES - FrameFormat.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(), "PARAMS payload : "
                    + header.payloadLength() + " bytes (expected: >= " + (PARAMS_PREFIX_BYTES - FrameFormat.HEADER_BYTES) + ")");
        }
        readFully(small.clear().position(FrameFormat.HEADER_BYTES), PARAMS_PREFIX_BYTES - FrameFormat.HEADER_BYTES);
        long step = small.getLong(FrameFormat.HEADER_BYTES);
        int count = small.getInt(FrameFormat.HEADER_BYTES + 8);
        if (count < 0 || 4L * count != header.payloadLength() - (PARAMS_PREFIX_BYTES - FrameFormat.HEADER_BYTES)) {
            throw new ProtocolException(ErrorCode.MALFORMED_PAYLOAD, header.requestId(), "PARAMS count : " + count
                    + " (expected: " + (header.payloadLength() - 12) / 4 + " from the payload length)");
        }
        if (count != expectedCount) {
            throw new ProtocolException(ErrorCode.WRONG_SIZE, header.requestId(),
                    "params count : " + count + " (expected: " + expectedCount + ")");
        }
        crc.reset();
        crc.update(small.array(), 0, PARAMS_PREFIX_BYTES);
        int perChunk = CHUNK_BYTES / 4;
        for (int off = 0; off < count; off += perChunk) {
            int n = Math.min(perChunk, count - off);
            readFully(chunk.clear(), 4 * n);
            crc.update(chunk.flip());
            chunkFloats.clear();
            chunkFloats.get(dst, from + off, n);
        }
        readFully(small.clear(), FrameFormat.TRAILER_BYTES);
        int expected = small.getInt(0);
        int actual = (int) crc.getValue();
        if (expected != actual) {
            throw new ProtocolException(ErrorCode.BAD_CHECKSUM, header.requestId(), "crc32c : 0x"
                    + Integer.toHexString(expected) + " (expected: 0x" + Integer.toHexString(actual) + ")");
        }
        bytesReceived += header.frameBytes();
        return step;
    }

    /** Reads exactly {@code length} bytes into {@code dst} at its position (its limit is set to match). */
    private void readFully(ByteBuffer dst, int length) throws IOException {
        dst.limit(dst.position() + length);
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (in.read(dst) < 0) {
                throw new EOFException("connection closed by the server after " + (dst.position() - start) + " of "
                        + length + " bytes");
            }
        }
    }

    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            out.write(src);
        }
    }
}
