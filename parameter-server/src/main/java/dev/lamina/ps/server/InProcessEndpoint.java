package dev.lamina.ps.server;

import dev.lamina.ps.client.InProcessServers;
import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.client.ShardConnection;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An embedded server's door for workers in its own JVM ({@link InProcessServers}): a worker proves the
 * job secret with the HMAC challenge the socket handshake runs (computed here on both sides with fresh
 * nonces) and gets an {@link InProcessConnection}; a secret that is not this job's gets nothing, so the
 * worker connects over the network as it would anyway. Closing the endpoint closes every connection it
 * made, waking their waiting workers. Thread-safe.
 */
final class InProcessEndpoint implements InProcessServers.Endpoint, AutoCloseable {
    private final Authenticator authenticator;
    private final ShardState shard;
    private final Set<InProcessConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    InProcessEndpoint(Authenticator authenticator, ShardState shard) {
        this.authenticator = authenticator;
        this.shard = shard;
    }

    @Override
    public Optional<ShardConnection> connect(int workerId, byte[] secret, Duration timeout)
            throws ParameterServerException {
        if (closed || !proves(secret, workerId)) {
            return Optional.empty();
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
        }
        if (!shard.initialized()) {
            throw new ParameterServerException(ErrorCode.NOT_INITIALIZED, "worker " + workerId + ": this shard has not"
                    + " been initialised by the driver yet (expected: the driver's SHARD_INIT first)");
        }
        int workers = shard.aggregator().workers();
        if (workerId < 0 || workerId >= workers) {
            throw new ParameterServerException(ErrorCode.UNKNOWN_WORKER, "worker : " + workerId + " (expected: in [0, "
                    + workers + "))");
        }
        InProcessConnection made = new InProcessConnection(shard, workerId, timeout.toNanos(), open::remove);
        open.add(made);
        if (closed) {
            made.close();
            return Optional.empty();
        }
        return Optional.of(made);
    }

    /** Whether {@code secret} is this job's: the client's HMAC over fresh nonces matches the server's. */
    private boolean proves(byte[] secret, int workerId) {
        Authenticator theirs;
        try {
            theirs = new Authenticator(secret);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] serverNonce = Secrets.randomBytes(Message.NONCE_BYTES);
        byte[] clientNonce = Secrets.randomBytes(Message.NONCE_BYTES);
        return Authenticator.matches(authenticator.clientMac(serverNonce, clientNonce, workerId),
                theirs.clientMac(serverNonce, clientNonce, workerId));
    }

    /** In-process connections open now. */
    int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        for (InProcessConnection c : open.toArray(new InProcessConnection[0])) {
            c.close();
        }
    }
}
