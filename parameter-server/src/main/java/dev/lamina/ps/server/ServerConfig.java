package dev.lamina.ps.server;

import dev.lamina.ps.protocol.FrameFormat;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a parameter server listens and steps.
 *
 * @param host          the address to bind ({@code 0.0.0.0} for every interface)
 * @param port          the port, 0 for an ephemeral one
 * @param workers       how many workers push in every synchronous step, > 0
 * @param maxFrameBytes the largest frame the server accepts from an authenticated worker; the
 *                      server accepts at most what a gradient push for its parameter count needs, so
 *                      this is a cap, and {@code start} fails if the parameters need more
 * @param stepTimeout   how long a started step may wait for its last push before the waiting pushers
 *                      get {@code TIMEOUT}, > 0 (in async mode: how long a pull may wait for the slowest)
 * @param mode          {@link Mode#SYNC}: average one push per worker per step (sync and local-sgd
 *                      training); {@link Mode#ASYNC}: apply each push as it arrives
 * @param staleness     async: how many pushes a worker may be ahead of the slowest worker before its
 *                      reply waits, >= 0 (0 = lock-step)
 * @param tls           TLS on every connection with this server context ({@link
 *                      dev.lamina.ps.protocol.TlsKeys#serverContext()}), or plain TCP when empty
 */
public record ServerConfig(String host, int port, int workers, int maxFrameBytes, Duration stepTimeout, Mode mode,
                           int staleness, Optional<SSLContext> tls) {

    /** How pushes become updates. */
    public enum Mode { SYNC, ASYNC }

    /** Default cap on frames: 1 GiB, i.e. about 268 million float parameters. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 30;
    /** Default step timeout: a synchronous step waits at most this long for its slowest worker. */
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofMinutes(5);

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host : \"" + host + "\" (expected: a host name or address)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: in [0, 65535])");
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: > 0)");
        }
        if (maxFrameBytes < FrameFormat.PRE_AUTH_MAX_FRAME_BYTES || maxFrameBytes > FrameFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes : " + maxFrameBytes + " (expected: in ["
                    + FrameFormat.PRE_AUTH_MAX_FRAME_BYTES + ", " + FrameFormat.MAX_FRAME_BYTES + "])");
        }
        Objects.requireNonNull(stepTimeout, "stepTimeout");
        if (stepTimeout.isNegative() || stepTimeout.isZero()) {
            throw new IllegalArgumentException("stepTimeout : " + stepTimeout + " (expected: > 0)");
        }
        Objects.requireNonNull(mode, "mode");
        if (staleness < 0) {
            throw new IllegalArgumentException("staleness : " + staleness + " (expected: >= 0)");
        }
        Objects.requireNonNull(tls, "tls");
    }

    /** Plain TCP. */
    public ServerConfig(String host, int port, int workers, int maxFrameBytes, Duration stepTimeout, Mode mode,
                        int staleness) {
        this(host, port, workers, maxFrameBytes, stepTimeout, mode, staleness, Optional.empty());
    }

    /** A synchronous server. */
    public ServerConfig(String host, int port, int workers, int maxFrameBytes, Duration stepTimeout) {
        this(host, port, workers, maxFrameBytes, stepTimeout, Mode.SYNC, 0);
    }

    /** All interfaces, an ephemeral port, a 1 GiB frame cap and a 5 minute step timeout. */
    public static ServerConfig defaults(int workers) {
        return new ServerConfig("0.0.0.0", 0, workers, DEFAULT_MAX_FRAME_BYTES, DEFAULT_STEP_TIMEOUT);
    }

    public ServerConfig withHost(String newHost) {
        return new ServerConfig(newHost, port, workers, maxFrameBytes, stepTimeout, mode, staleness, tls);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, workers, maxFrameBytes, stepTimeout, mode, staleness, tls);
    }

    public ServerConfig withMaxFrameBytes(int bytes) {
        return new ServerConfig(host, port, workers, bytes, stepTimeout, mode, staleness, tls);
    }

    /** Async mode with the given staleness bound. */
    public ServerConfig withAsync(int maxStaleness) {
        return new ServerConfig(host, port, workers, maxFrameBytes, stepTimeout, Mode.ASYNC, maxStaleness, tls);
    }

    /** TLS on every connection, with {@code context} (the server's key and certificate). */
    public ServerConfig withTls(SSLContext context) {
        return new ServerConfig(host, port, workers, maxFrameBytes, stepTimeout, mode, staleness,
                Optional.of(context));
    }

    public ServerConfig withStepTimeout(Duration timeout) {
        return new ServerConfig(host, port, workers, maxFrameBytes, timeout, mode, staleness, tls);
    }
}
