package dev.lamina.ps.client;

import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.ProtocolException;
import dev.lamina.ps.protocol.Secrets;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * The driver's control connection to one standalone shard: authenticates as
 * {@link Message#DRIVER_ID} with the job secret, initialises the shard, reads its parameters and
 * snapshots. Frames in both directions are bounded by {@code maxFrameBytes}. A refusal is thrown as a
 * {@link ParameterServerException} naming the shard; any other failure closes the connection. Not
 * thread-safe.
 */
public final class ShardControlClient implements java.io.Closeable {
    private final String address;
    private final ByteChannel socket;
    private final FrameStream stream;
    private long nextRequestId = 2;

    private ShardControlClient(String address, ByteChannel socket, FrameStream stream) {
        this.address = address;
        this.socket = socket;
        this.stream = stream;
    }

    /**
     * Connects to the shard at {@code host:port} and runs the challenge-response as the driver.
     *
     * @throws ParameterServerException with {@link ErrorCode#AUTH_FAILED} if either side's proof fails
     */
    public static ShardControlClient connect(String host, int port, byte[] secret, Duration timeout, int maxFrameBytes)
            throws IOException {
        return connect(host, port, secret, timeout, maxFrameBytes, Transport.plain());
    }

    /** As {@link #connect(String, int, byte[], Duration, int)}, over {@code transport} (plain TCP or TLS). */
    public static ShardControlClient connect(String host, int port, byte[] secret, Duration timeout, int maxFrameBytes,
                                             Transport transport) throws IOException {
        Objects.requireNonNull(host, "host");
        Authenticator authenticator = new Authenticator(secret);
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: in [1, 65535])");
        }
        if (maxFrameBytes < FrameFormat.PRE_AUTH_MAX_FRAME_BYTES || maxFrameBytes > FrameFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes : " + maxFrameBytes + " (expected: in ["
                    + FrameFormat.PRE_AUTH_MAX_FRAME_BYTES + ", " + FrameFormat.MAX_FRAME_BYTES + "])");
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        String address = host + ":" + port;
        ByteChannel socket = transport.open(host, port, millis);
        try {
            FrameStream stream = new FrameStream(socket, socket);
            Message.Challenge challenge = expect(address, stream.receive(null), 0, Message.Challenge.class);
            byte[] clientNonce = Secrets.randomBytes(Message.NONCE_BYTES);
            stream.send(1, new Message.Hello(Message.DRIVER_ID, clientNonce,
                    authenticator.clientMac(challenge.serverNonce(), clientNonce, Message.DRIVER_ID)));
            Message.AuthOk ok = expect(address, stream.receive(null), 1, Message.AuthOk.class);
            if (!Authenticator.matches(authenticator.serverMac(clientNonce, challenge.serverNonce()), ok.serverMac())) {
                throw new ParameterServerException(ErrorCode.AUTH_FAILED, "shard " + address
                        + ": the AUTH_OK MAC does not match the job secret");
            }
            stream.limits(maxFrameBytes, maxFrameBytes);
            return new ShardControlClient(address, socket, stream);
        } catch (ProtocolException e) {
            close(socket, e);
            throw new ParameterServerException(e.code(), "shard " + address + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            close(socket, e);
            throw e;
        }
    }

    /** The shard's {@code host:port}. */
    public String address() {
        return address;
    }

    /** Sends {@code init} and returns the shard's answer; a refusal ({@code INVALID_INIT}, ...) is thrown. */
    public Message.ShardReady init(Message.ShardInit init) throws IOException {
        return request(init, Message.ShardReady.class);
    }

    /** The shard's current parameters (its range only) and step, at once. */
    public Message.Params parameters() throws IOException {
        return request(new Message.Pull(), Message.Params.class);
    }

    /** A consistent snapshot of the shard (its range of the parameters and optimizer state). */
    public Checkpoint snapshot() throws IOException {
        Message.Snapshot snapshot = request(new Message.SnapshotQuery(), Message.Snapshot.class);
        return CheckpointCodec.decode("shard " + address + " snapshot", snapshot.state());
    }

    private <M extends Message> M request(Message message, Class<M> reply) throws IOException {
        long requestId = nextRequestId++;
        try {
            stream.sendWhole(requestId, message);
            return expect(address, stream.receiveWhole(), requestId, reply);
        } catch (ParameterServerException e) {
            throw e;
        } catch (ProtocolException e) {
            close(socket, e);
            throw new ParameterServerException(e.code(), "shard " + address + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            close(socket, e);
            throw e;
        }
    }

    private static <M extends Message> M expect(String address, Frame frame, long requestId, Class<M> type)
            throws ParameterServerException {
        Message message = frame.message();
        if (message instanceof Message.Failure failure) {
            throw new ParameterServerException(failure.code(), "shard " + address + ": " + failure.message());
        }
        if (!type.isInstance(message) || frame.requestId() != requestId) {
            throw new ParameterServerException(ErrorCode.UNEXPECTED_MESSAGE, "shard " + address + ": reply "
                    + message.type() + " for request " + frame.requestId() + " (expected: " + type.getSimpleName()
                    + " for request " + requestId + ")");
        }
        return type.cast(message);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static void close(java.io.Closeable c, Exception failure) {
        try {
            c.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
