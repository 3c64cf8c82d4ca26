package dev.lamina.worker;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.client.HostPort;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How to train: validated on construction, so a bad value fails before any Spark job starts.
 *
 * @param workers            Spark tasks training in parallel, >= 1
 * @param epochs             passes over the training data, >= 1
 * @param batchSize          the global batch per step, split evenly over the workers
 * @param mode               parameter-server mode: {@code sync} (average every step), {@code local-sgd}
 *                           (workers take {@code exchange.syncEvery} local steps, then the server averages
 *                           their parameter deltas and applies the outer optimizer) or {@code async} (the
 *                           server applies each push as it arrives, within {@code exchange.staleness})
 * @param optimizer          the optimizer of the gradient steps (on the server in sync and async mode, on
 *                           each worker in local-sgd)
 * @param seed               fixes initialization and data order
 * @param stepTimeoutSeconds how long the server waits for every worker's push before failing the step
 * @param exchange           mode-specific options and push compression
 * @param checkpointDir      where the parameter server writes checkpoints: a Hadoop file system URL
 *                           ({@code hdfs://...}, {@code file:///...}, {@code s3a://...}); empty = none
 * @param checkpointEvery    also checkpoint every this many server steps, >= 0 (0 = only at each epoch end)
 * @param servers            standalone parameter-server shards ({@code host:port}, started with
 *                           {@code lamina ps}), in order: shard i holds the i-th contiguous range of the
 *                           parameters; empty = one shard embedded in the driver
 * @param secretFile         with {@code servers}: the file holding the shards' job secret (hex), read on the
 *                           driver; empty otherwise (the embedded server makes a fresh secret per job)
 * @param tls                TLS on every parameter-server connection, or {@link TlsConfig#off()}
 */
public record TrainingConfig(int workers, int epochs, int batchSize, String mode, OptimizerConfig optimizer,
                             long seed, int stepTimeoutSeconds, ExchangeConfig exchange, String checkpointDir,
                             int checkpointEvery, List<String> servers, String secretFile, TlsConfig tls)
        implements Serializable {
    public static final List<String> MODES = List.of("sync", "local-sgd", "async");

    public TrainingConfig {
        mode = mode == null ? "" : mode.toLowerCase(Locale.ROOT);
        positive("training.workers", workers);
        positive("training.epochs", epochs);
        positive("training.batchSize", batchSize);
        positive("training.stepTimeoutSeconds", stepTimeoutSeconds);
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("training.mode : " + mode + " (expected: one of " + MODES + ")");
        }
        if (exchange == null) {
            throw new IllegalArgumentException("training exchange options : null (expected: ExchangeConfig)");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("training.optimizer : null (expected: an optimizer)");
        }
        checkpointDir = checkpointDir == null ? "" : checkpointDir.trim();
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("training.checkpointEvery : " + checkpointEvery
                    + " (expected: >= 0, 0 = only at each epoch end)");
        }
        if (checkpointEvery > 0 && checkpointDir.isEmpty()) {
            throw new IllegalArgumentException("training.checkpointEvery : " + checkpointEvery
                    + " with training.checkpointDir empty (expected: a checkpointDir URL, or checkpointEvery 0)");
        }
        if (batchSize % workers != 0) {
            throw new IllegalArgumentException("training.batchSize : " + batchSize + " (expected: a multiple of training.workers = "
                    + workers + ", so every worker takes the same share of the global batch)");
        }
        servers = List.copyOf(servers == null ? List.of() : servers);
        secretFile = secretFile == null ? "" : secretFile.trim();
        checkServers(servers, secretFile, checkpointEvery, mode.equals("local-sgd") ? exchange.outerOptimizer() : optimizer);
        tls = tls == null ? TlsConfig.off() : tls;
    }

    /** Plain TCP. */
    public TrainingConfig(int workers, int epochs, int batchSize, String mode, OptimizerConfig optimizer,
                          long seed, int stepTimeoutSeconds, ExchangeConfig exchange, String checkpointDir,
                          int checkpointEvery, List<String> servers, String secretFile) {
        this(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir,
                checkpointEvery, servers, secretFile, TlsConfig.off());
    }

    /** Without standalone shards: one shard embedded in the driver. */
    public TrainingConfig(int workers, int epochs, int batchSize, String mode, OptimizerConfig optimizer,
                          long seed, int stepTimeoutSeconds, ExchangeConfig exchange, String checkpointDir,
                          int checkpointEvery) {
        this(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir,
                checkpointEvery, List.of(), "");
    }

    /** Without checkpoints (the fields before checkpointing existed). */
    public TrainingConfig(int workers, int epochs, int batchSize, String mode, OptimizerConfig optimizer,
                          long seed, int stepTimeoutSeconds, ExchangeConfig exchange) {
        this(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, "", 0);
    }

    /**
     * Shard addresses parse and are distinct; they need a secret file; server-side global-norm clipping
     * needs the whole gradient (one shard); periodic checkpoints are taken by the embedded server only.
     */
    private static void checkServers(List<String> servers, String secretFile, int checkpointEvery,
                                     OptimizerConfig serverOptimizer) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            HostPort address;
            try {
                address = HostPort.parse(servers.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("training.servers[" + i + "] : " + e.getMessage(), e);
            }
            if (!seen.add(address.toString())) {
                throw new IllegalArgumentException("training.servers[" + i + "] : " + address
                        + " (expected: each shard once; it is listed twice)");
            }
        }
        if (servers.isEmpty() != secretFile.isEmpty()) {
            throw new IllegalArgumentException(servers.isEmpty()
                    ? "training.secretFile : " + secretFile + " with no training.servers (expected: empty; the"
                            + " embedded parameter server makes a fresh secret for every job)"
                    : "training.secretFile : empty with " + servers.size() + " training.servers (expected: the file"
                            + " holding the shards' secret, the one given to lamina ps --secret-file)");
        }
        if (servers.size() > 1 && serverOptimizer.clipNorm() > 0) {
            throw new IllegalArgumentException("training.optimizer.clipNorm : " + serverOptimizer.clipNorm() + " with "
                    + servers.size() + " training.servers (expected: 0; global-norm clipping is applied by the"
                    + " parameter server to the averaged gradient, and no shard of several holds all of it;"
                    + " use one server, or local-sgd where workers clip)");
        }
        if (!servers.isEmpty() && checkpointEvery > 0) {
            throw new IllegalArgumentException("training.checkpointEvery : " + checkpointEvery + " with training.servers"
                    + " (expected: 0; standalone shards are checkpointed at each epoch end only)");
        }
    }

    private static void positive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " : " + value + " (expected: >= 1)");
        }
    }

    /** 2 workers, 10 epochs, global batch 128, sync mode, SGD with momentum, seed 42. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(2, 10, 128, "sync", OptimizerConfig.defaults(), 42L, 600,
                ExchangeConfig.defaults());
    }

    /** Each worker's share of the global batch. */
    public int workerBatchSize() {
        return batchSize / workers;
    }

    public TrainingConfig withWorkers(int n) {
        return new TrainingConfig(n, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(workers, n, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    public TrainingConfig withBatchSize(int n) {
        return new TrainingConfig(workers, epochs, n, mode, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    public TrainingConfig withOptimizer(OptimizerConfig o) {
        return new TrainingConfig(workers, epochs, batchSize, mode, o, seed, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    public TrainingConfig withMode(String m) {
        return new TrainingConfig(workers, epochs, batchSize, m, optimizer, seed, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    public TrainingConfig withExchange(ExchangeConfig e) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, e, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }

    /** The optimizer the parameter server applies: the outer one in local-sgd, else {@link #optimizer()}. */
    public OptimizerConfig serverOptimizer() {
        return mode.equals("local-sgd") ? exchange.outerOptimizer() : optimizer;
    }

    /** Checkpoints to {@code dir} (a Hadoop URL; empty = off) at each epoch end and every {@code everySteps} steps (0 = epoch ends only). */
    public TrainingConfig withCheckpoints(String dir, int everySteps) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange, dir,
                everySteps, servers, secretFile, tls);
    }

    /** Whether checkpoints are written. */
    public boolean checkpointing() {
        return !checkpointDir.isEmpty();
    }

    /** Standalone shards at {@code addresses} ({@code host:port}) sharing the secret in {@code file}; empty = embedded. */
    public TrainingConfig withServers(List<String> addresses, String file) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange,
                checkpointDir, checkpointEvery, addresses, file, tls);
    }

    /** TLS on every parameter-server connection ({@link TlsConfig#off()}: plain TCP). */
    public TrainingConfig withTls(TlsConfig t) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds, exchange,
                checkpointDir, checkpointEvery, servers, secretFile, t);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, s, stepTimeoutSeconds, exchange, checkpointDir, checkpointEvery, servers, secretFile, tls);
    }
}
