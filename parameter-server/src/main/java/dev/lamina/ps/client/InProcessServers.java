package dev.lamina.ps.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The parameter servers embedded in this JVM, by port, for workers in the same JVM: in Spark's local mode
 * the tasks run in the driver's JVM beside its embedded server, and exchanging through memory saves each
 * synchronous step two loopback transfers of the whole parameter vector and the thread wake-ups they
 * cost on busy cores. A worker reaches a server here only by proving the job secret, as over TCP; a
 * secret that does not match leaves the worker to connect over the network as usual.
 *
 * <p>This is a JVM-wide registry (a mutable static, on purpose: Spark serializes task closures even in
 * local mode, so a worker can find its in-JVM server only through a name it carries, the port).
 */
public final class InProcessServers {
    private static final ConcurrentMap<Integer, Endpoint> BY_PORT = new ConcurrentHashMap<>();

    /** A server's side: connects a worker that proves the job secret. */
    @FunctionalInterface
    public interface Endpoint {

        /**
         * A connection for {@code workerId} whose reads wait at most {@code timeout}, or empty when
         * {@code secret} is not this server's job secret.
         *
         * @throws ParameterServerException if the secret matches but the server refuses the worker
         */
        Optional<ShardConnection> connect(int workerId, byte[] secret, Duration timeout) throws IOException;
    }

    private InProcessServers() {
    }

    /**
     * Makes {@code endpoint} reachable at {@code port} until the returned handle runs (which removes it
     * only if it is still the one registered there).
     */
    public static Runnable register(int port, Endpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: in [1, 65535])");
        }
        BY_PORT.put(port, endpoint);
        return () -> BY_PORT.remove(port, endpoint);
    }

    /**
     * A connection through memory to the server of {@code address}'s port in this JVM, when there is one
     * and {@code secret} is its job secret; else empty (connect over the network).
     */
    static Optional<ShardConnection> connect(HostPort address, byte[] secret, int workerId, Duration timeout)
            throws IOException {
        Endpoint endpoint = BY_PORT.get(address.port());
        return endpoint == null ? Optional.empty() : endpoint.connect(workerId, secret, timeout);
    }
}
