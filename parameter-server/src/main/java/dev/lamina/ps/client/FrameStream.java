package dev.lamina.ps.client;

import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.FrameHeader;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.MessageType;
import dev.lamina.ps.protocol.PayloadCodec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Frames over a pair of blocking streams, with one send and one receive buffer reused for every frame.
 * A received frame's length is checked against the receive limit before anything beyond its header is
 * read, so the peer can never make it allocate or read more than {@link #limits} allowed.
 * Throws {@link dev.lamina.ps.protocol.ProtocolException} when the peer's bytes break the protocol.
 */
final class FrameStream {
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer send;
    private byte[] receive;
    private long bytesSent;
    private long bytesReceived;

    FrameStream(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
        this.send = ByteBuffer.allocate(FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
        this.receive = new byte[FrameFormat.PRE_AUTH_MAX_FRAME_BYTES];
    }

    /** Sizes both buffers once, for the largest frame each way. */
    void limits(int maxSendFrameBytes, int maxReceiveFrameBytes) {
        send = ByteBuffer.allocate(maxSendFrameBytes);
        receive = new byte[maxReceiveFrameBytes];
    }

    void send(long requestId, Message message) throws IOException {
        int bytes = FrameFormat.frameBytes(message);
        if (bytes > send.capacity()) {
            throw new IllegalArgumentException(message.type() + " frame : " + bytes + " bytes (expected: <= "
                    + send.capacity() + ")");
        }
        send.clear();
        FrameFormat.write(requestId, message, send);
        out.write(send.array(), 0, bytes);
        out.flush();
        bytesSent += bytes;
    }

    /**
     * Reads one frame. A PARAMS frame is decoded straight into {@code paramsDst} when it is given (the
     * returned message then holds {@code paramsDst}).
     */
    Frame receive(float[] paramsDst) throws IOException {
        readFully(0, FrameFormat.HEADER_BYTES);
        FrameHeader header = FrameFormat.readHeader(ByteBuffer.wrap(receive, 0, FrameFormat.HEADER_BYTES),
                receive.length);
        int bytes = header.frameBytes();
        readFully(FrameFormat.HEADER_BYTES, bytes - FrameFormat.HEADER_BYTES);
        bytesReceived += bytes;
        ByteBuffer frame = ByteBuffer.wrap(receive, 0, bytes);
        if (header.type() == MessageType.PARAMS && paramsDst != null) {
            long step = PayloadCodec.readParams(header, FrameFormat.verifiedPayload(header, frame), paramsDst);
            return new Frame(header.requestId(), new Message.Params(step, paramsDst));
        }
        return FrameFormat.read(header, frame);
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    private void readFully(int offset, int length) throws IOException {
        int read = in.readNBytes(receive, offset, length);
        if (read < length) {
            throw new EOFException("connection closed by the server after " + read + " of " + length + " bytes");
        }
    }
}
