package dev.lamina.ps.client;

import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.ProtocolException;
import dev.lamina.ps.protocol.Secrets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * One worker's blocking connection to a parameter server. Not thread-safe: one thread per client.
 *
 * <p>A refusal by the server (an error frame) is thrown as a {@link ParameterServerException} and
 * leaves the connection usable (the server closes it itself after protocol violations). Any other
 * failure (I/O error, timeout, malformed bytes from the server) closes the client, because the
 * stream's position is then unknown.
 */
public final class ParameterClient implements ShardConnection {
    private static final Message.Pull PULL = new Message.Pull();

    private final ByteChannel socket;
    private final FrameStream stream;
    private final int workerId;
    private final int parameterCount;
    private long nextRequestId = 2;
    private boolean closed;

    private ParameterClient(ByteChannel socket, FrameStream stream, int workerId, int parameterCount) {
        this.socket = socket;
        this.stream = stream;
        this.workerId = workerId;
        this.parameterCount = parameterCount;
    }

    /**
     * Connects, authenticates as {@code workerId} with the job's {@code secret} and checks that the
     * server knows it too. {@code timeout} bounds the connect and every read, including the wait for
     * a synchronous step, so it should exceed the server's step timeout.
     *
     * @throws ParameterServerException with {@link ErrorCode#AUTH_FAILED} if either side's proof fails
     */
    public static ParameterClient connect(String host, int port, byte[] secret, int workerId, Duration timeout)
            throws IOException {
        return connect(host, port, secret, workerId, timeout, Transport.plain());
    }

    /** As {@link #connect(String, int, byte[], int, Duration)}, over {@code transport} (plain TCP or TLS). */
    public static ParameterClient connect(String host, int port, byte[] secret, int workerId, Duration timeout,
                                          Transport transport) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Authenticator authenticator = new Authenticator(secret);
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: in [1, 65535])");
        }
        if (workerId < 0) {
            throw new IllegalArgumentException("workerId : " + workerId + " (expected: >= 0)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        ByteChannel socket = transport.open(host, port, millis);
        try {
            FrameStream stream = new FrameStream(socket, socket);
            int count = handshake(stream, authenticator, workerId);
            stream.limits((int) FrameFormat.maxPushFrameBytes(count),
                    (int) Math.max(FrameFormat.paramsFrameBytes(count), FrameFormat.PRE_AUTH_MAX_FRAME_BYTES));
            return new ParameterClient(socket, stream, workerId, count);
        } catch (ProtocolException e) {
            closeAfter(socket, e);
            throw new ParameterServerException(e.code(), e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeAfter(socket, e);
            throw e;
        }
    }

    /** Runs the challenge-response and returns the server's parameter count. */
    private static int handshake(FrameStream stream, Authenticator authenticator, int workerId) throws IOException {
        Message.Challenge challenge = expect(stream.receive(null), Message.Challenge.class);
        byte[] clientNonce = Secrets.randomBytes(Message.NONCE_BYTES);
        byte[] mac = authenticator.clientMac(challenge.serverNonce(), clientNonce, workerId);
        stream.send(1, new Message.Hello(workerId, clientNonce, mac));
        Message.AuthOk ok = expect(stream.receive(null), Message.AuthOk.class);
        byte[] expected = authenticator.serverMac(clientNonce, challenge.serverNonce());
        if (!Authenticator.matches(expected, ok.serverMac())) {
            throw new ParameterServerException(ErrorCode.AUTH_FAILED,
                    "the server's AUTH_OK MAC does not match the job secret");
        }
        long largestFrame = Math.max(FrameFormat.maxPushFrameBytes(ok.parameterCount()),
                FrameFormat.paramsFrameBytes(ok.parameterCount()));
        if (ok.parameterCount() <= 0 || largestFrame > FrameFormat.MAX_FRAME_BYTES) {
            throw new ParameterServerException(ErrorCode.MALFORMED_PAYLOAD, "parameterCount : "
                    + ok.parameterCount() + " (expected: > 0 and frames <= " + FrameFormat.MAX_FRAME_BYTES + " bytes)");
        }
        return ok.parameterCount();
    }

    /** The server's parameter count: the length of every gradient and parameter array. */
    @Override
    public int parameterCount() {
        return parameterCount;
    }

    public int workerId() {
        return workerId;
    }

    /** Copies the server's current parameters into {@code dst} and returns their step. */
    @Override
    public long pull(float[] dst) throws IOException {
        checkLength("dst", dst);
        checkOpen();
        long requestId = nextRequestId++;
        try {
            stream.send(requestId, PULL);
            return stream.receiveParams(requestId, dst);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
    }

    /**
     * Pushes this worker's gradient for the server's step {@code step} and waits until every worker has
     * pushed and the averaged update is applied; the new parameters are then in {@code dst} and the new
     * step is returned. {@code gradient} is not changed. Allocates nothing.
     */
    public long pushPull(int epoch, long step, long sequence, long dataOffset, float[] gradient, float[] dst)
            throws IOException {
        checkLength("gradient", gradient);
        checkLength("dst", dst);
        checkOpen();
        long requestId = nextRequestId++;
        try {
            stream.sendPush(requestId, workerId, epoch, step, sequence, dataOffset, gradient);
            return stream.receiveParams(requestId, dst);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
    }

    /**
     * Like {@link #pushPull(int, long, long, long, float[], float[])} for this server's range of larger
     * arrays: pushes {@code gradient[offset, offset + parameterCount())} and reads the new parameters into
     * {@code dst} at the same place, without copying (a shard of several). Allocates nothing.
     */
    @Override
    public long pushPullRange(int epoch, long step, long sequence, long dataOffset, float[] gradient, float[] dst,
                              int offset) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, parameterCount, gradient.length);
        java.util.Objects.checkFromIndexSize(offset, parameterCount, dst.length);
        checkOpen();
        long requestId = nextRequestId++;
        try {
            stream.sendPush(requestId, workerId, epoch, step, sequence, dataOffset, gradient, offset, parameterCount);
            return stream.receiveParams(requestId, dst, offset, parameterCount);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
    }

    /** Copies the server's parameters into {@code dst[offset, offset + parameterCount())}; returns their step. */
    @Override
    public long pullRange(float[] dst, int offset) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, parameterCount, dst.length);
        checkOpen();
        long requestId = nextRequestId++;
        try {
            stream.send(requestId, PULL);
            return stream.receiveParams(requestId, dst, offset, parameterCount);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
    }

    /**
     * {@link #pushPull(int, long, long, long, float[], float[])} with {@code update} compressed by
     * {@code encoder} (which adds and keeps its error-feedback residual). With the {@code none} codec this
     * is the uncompressed streamed push. Allocates nothing.
     */
    @Override
    public long pushPull(int epoch, long step, long sequence, long dataOffset, PushEncoder encoder, float[] update,
                         float[] dst) throws IOException {
        Objects.requireNonNull(encoder, "encoder");
        if (encoder.codec().id() == 0) {
            return pushPull(epoch, step, sequence, dataOffset, update, dst);
        }
        checkLength("update", update);
        checkLength("dst", dst);
        checkOpen();
        ByteBuffer encoded = encoder.encode(update);
        long requestId = nextRequestId++;
        try {
            stream.sendCompressedPush(requestId, workerId, epoch, step, sequence, dataOffset, encoder.codec().id(),
                    update.length, encoded);
            return stream.receiveParams(requestId, dst);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
    }

    /**
     * The last push of this worker's partition the server applied, as {epoch, sequence, dataOffset}
     * (epoch -1 when none): a retried task resumes after it.
     */
    @Override
    public long[] acknowledged() throws IOException {
        Message.Progress p = query(new Message.ProgressQuery(), Message.Progress.class);
        return new long[] {p.epoch(), p.sequence(), p.dataOffset()};
    }

    /**
     * The server's cumulative timing for this worker: how long its pushes waited for the other workers,
     * how long the server spent applying updates, and the updates so far.
     */
    @Override
    public Message.Timing timing() throws IOException {
        return query(new Message.TimingQuery(), Message.Timing.class);
    }

    /** Sends a small request and reads its reply of type {@code type}. */
    private <M extends Message> M query(Message request, Class<M> type) throws IOException {
        checkOpen();
        long requestId = nextRequestId++;
        Frame reply;
        try {
            stream.send(requestId, request);
            reply = stream.receive(null);
        } catch (ProtocolException | IOException e) {
            throw failed(e);
        }
        if (reply.message() instanceof Message.Failure failure) {
            throw new ParameterServerException(failure.code(), failure.message());
        }
        if (reply.requestId() != requestId || !type.isInstance(reply.message())) {
            throw failed(new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, reply.requestId(), "reply : "
                    + reply.message().type() + " (expected: " + type.getSimpleName() + " for request " + requestId
                    + ")"));
        }
        return type.cast(reply.message());
    }

    /** Bytes written to the server, frames included. */
    @Override
    public long bytesSent() {
        return stream.bytesSent();
    }

    /** Bytes read from the server, frames included. */
    @Override
    public long bytesReceived() {
        return stream.bytesReceived();
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            socket.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("client for worker " + workerId + " is closed");
        }
    }

    /**
     * What to throw for a failed request: a refusal leaves the connection usable; anything else (I/O,
     * bytes that break the protocol) closes it, because the stream's position is then unknown.
     */
    private IOException failed(Exception e) {
        if (e instanceof ParameterServerException refusal) {
            return refusal;
        }
        closeAfter(socket, e);
        closed = true;
        if (e instanceof ProtocolException p) {
            return new ParameterServerException(p.code(), p.getMessage(), p);
        }
        return (IOException) e;
    }

    private static <M extends Message> M expect(Frame frame, Class<M> type) throws ParameterServerException {
        Message message = frame.message();
        if (message instanceof Message.Failure failure) {
            throw new ParameterServerException(failure.code(), failure.message());
        }
        if (!type.isInstance(message)) {
            throw new ParameterServerException(ErrorCode.UNEXPECTED_MESSAGE,
                    "message : " + message.type() + " (expected: " + type.getSimpleName() + ")");
        }
        return type.cast(message);
    }

    private void checkLength(String name, float[] array) {
        Objects.requireNonNull(array, name);
        if (array.length != parameterCount) {
            throw new IllegalArgumentException(name + " length : " + array.length + " (expected: " + parameterCount
                    + ")");
        }
    }

    private static void closeAfter(java.io.Closeable socket, Exception failure) {
        try {
            socket.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
