package dev.lamina.driver;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointSink;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.client.HostPort;
import dev.lamina.ps.client.ShardGroup;
import dev.lamina.ps.client.Transport;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TlsKeys;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import dev.lamina.worker.TlsConfig;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The job's parameter server as the driver sees it: one shard embedded in the driver (the default,
 * with a fresh secret per job), or the standalone shards of {@code training.servers}, which the driver
 * initialises with their ranges, the initial parameters and the optimizer, and reads back from.
 */
final class ParameterServers implements AutoCloseable {
    private final ParameterServer embedded;
    private final ShardGroup shards;
    private final byte[] secret;
    private final HostPort first;
    private final byte[] tlsCertificate;

    private ParameterServers(ParameterServer embedded, ShardGroup shards, byte[] secret, HostPort first,
                             byte[] tlsCertificate) {
        this.embedded = embedded;
        this.shards = shards;
        this.secret = secret;
        this.first = first;
        this.tlsCertificate = tlsCertificate;
    }

    /**
     * Starts the embedded server with {@code serverConfig}, or initialises {@code config.servers()},
     * from {@code initial} parameters or, when resuming, from the state {@code resumed} holds.
     */
    static ParameterServers start(TrainingConfig training, String driverHost, ServerConfig serverConfig,
                                  float[] initial, Optional<Checkpoint> resumed) {
        OptimizerConfig optimizer = training.serverOptimizer();
        Optional<TlsKeys> tls = tlsKeys(training.tls());
        byte[] certificate = tls.map(TlsKeys::certificate).orElse(new byte[0]);
        if (training.servers().isEmpty()) {
            byte[] secret = Secrets.newSecret();
            ServerConfig config = tls.map(k -> serverConfig.withTls(k.serverContext())).orElse(serverConfig);
            try {
                ParameterServer server = resumed.isPresent()
                        ? ParameterServer.restore(config, secret, resumed.get(), optimizer)
                        : ParameterServer.start(config, secret, initial, optimizer.create(initial.length));
                return new ParameterServers(server, null, secret,
                        new HostPort(driverHost, server.address().getPort()), certificate);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the parameter server on " + serverConfig.host()
                        + " (set spark.driver.host to an address executors can reach): " + e.getMessage(), e);
            }
        }
        byte[] secret;
        try {
            secret = Secrets.readFile(Path.of(training.secretFile()));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("training.secretFile : " + e.getMessage(), e);
        }
        Duration timeout = Duration.ofSeconds(training.stepTimeoutSeconds());
        int frame = ShardGroup.maxFrameBytes(initial.length, training.servers().size(), optimizer, training.workers());
        ShardGroup group = null;
        try {
            group = ShardGroup.connect(training.servers(), secret, timeout, frame, Transport.forCertificate(certificate));
            group.init(new ShardGroup.Job(training.workers(), serverConfig.mode() == ServerConfig.Mode.ASYNC,
                    serverConfig.staleness(), serverConfig.stepTimeout(), optimizer),
                    resumed.orElseGet(() -> ShardedCheckpoints.fresh(initial, optimizer, training.workers())));
            return new ParameterServers(null, group, secret, HostPort.parse(training.servers().get(0)), certificate);
        } catch (IOException e) {
            closeQuietly(group, e);
            throw new UncheckedIOException("cannot start the job on training.servers " + training.servers() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(group, e);
            throw e;
        }
    }

    /** The key store of {@code training.tls}, when TLS is on. */
    private static Optional<TlsKeys> tlsKeys(TlsConfig tls) {
        if (!tls.enabled()) {
            return Optional.empty();
        }
        try {
            return Optional.of(TlsKeys.read(Path.of(tls.keyStore()), Path.of(tls.passwordFile())));
        } catch (IOException e) {
            throw new UncheckedIOException("training.tls.keyStore : cannot read " + tls.keyStore() + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("training.tls : " + e.getMessage(), e);
        }
    }

    /** The server certificate (DER) the workers pin; empty without TLS. */
    byte[] tlsCertificate() {
        return tlsCertificate.clone();
    }

    /** The per-job secret the workers authenticate with. */
    byte[] secret() {
        return secret.clone();
    }

    /** The embedded server's host (the first shard's when standalone; workers then use training.servers). */
    String host() {
        return first.host();
    }

    int port() {
        return first.port();
    }

    /** For the log: where the parameters live. */
    String description() {
        String where = embedded != null ? "embedded parameter server on " + embedded.address()
                : shards.ranges().size() + " parameter-server shards " + shards.addresses() + ", ranges " + shards.ranges();
        return tlsCertificate.length > 0 ? where + ", TLS" : where;
    }

    /**
     * Server steps so far, for progress and metrics: the embedded server's count; -1 with standalone
     * shards (which report it only in snapshots, too heavy to take for a progress bar).
     */
    long step() {
        return embedded != null ? embedded.step() : -1;
    }

    /** A copy of the whole parameter vector. */
    float[] parameters() {
        if (embedded != null) {
            return embedded.parameters();
        }
        try {
            return shards.parameters();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the parameters from " + shards.addresses() + ": " + e.getMessage(), e);
        }
    }

    /** A consistent checkpoint of the whole job (the shards' snapshots merged), with {@code job}. */
    Checkpoint checkpoint(JobState job) {
        if (embedded != null) {
            return embedded.checkpoint().withJob(job);
        }
        try {
            return shards.checkpoint(job);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot snapshot " + shards.addresses() + ": " + e.getMessage(), e);
        }
    }

    /** Periodic checkpoints: embedded only (the configuration refuses checkpointEvery with training.servers). */
    void checkpointEvery(long everySteps, CheckpointSink sink, Supplier<JobState> job) {
        if (embedded == null) {
            throw new IllegalStateException("periodic checkpoints need the embedded parameter server");
        }
        embedded.checkpointEvery(everySteps, sink, job);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        } else {
            closeQuietly(shards, null);
        }
    }

    private static void closeQuietly(ShardGroup group, Exception failure) {
        if (group == null) {
            return;
        }
        try {
            group.close();
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
