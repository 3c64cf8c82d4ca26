package dev.lamina.jobs;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.client.ShardGroup;
import dev.lamina.ps.client.ShardedClient;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.client.Transport;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TlsKeys;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench --suite ps [--params N] [--workers N] [--steps N] [--warmup N] [--shards N] [--busy-us N]
 * [--exchange tcp|memory] [--tls-keystore K --tls-password-file W]}: plain-Java
 * benchmarks (no Spark). Suite {@code ps} runs one embedded parameter server (or N shard servers) and
 * N clients over loopback in sync mode and reports the bytes pushed and pulled per second across clients, beside this machine's plain
 * memory-copy bandwidth measured in the same run. With {@code --busy-us N} every client keeps its
 * thread busy for N microseconds between round trips, as a worker computing its step does, and the
 * round trips alone are timed too ({@code exchange_seconds_per_step}): threads that sleep between
 * exchanges on busy cores take longer to wake than back-to-back ones. With {@code --exchange memory}
 * the clients reach the embedded server through memory, as Spark's local-mode workers do (one shard,
 * no TLS); the GB/s then count the floats pushed and pulled, since no bytes cross a socket. Prints a
 * table, then one JSON line.
 */
public final class BenchJob {
    /** Options every suite understands; suites add their own. */
    private static final Set<String> OPTIONS = Set.of("suite", "params", "workers", "steps", "warmup", "shards",
            "busy-us", "exchange", "tls-keystore", "tls-password-file");
    private static final List<String> EXCHANGES = List.of("tcp", "memory");
    private static final List<String> SUITES = List.of("ps");
    /** Suites with options of their own, run by their own classes. */
    private static final List<String> OTHER_SUITES = List.of("scaling", "netem");

    /**
     * What to run.
     *
     * @param suite   the benchmark suite ({@code ps})
     * @param params  parameters exchanged per push and per pull, > 0
     * @param workers concurrent clients, > 0
     * @param steps   measured steps, > 0
     * @param warmup  unmeasured steps first, >= 0
     * @param shards  parameter-server shards, >= 1: 1 is the embedded server; more are standalone shard
     *                servers in this process, initialised over the protocol like a driver does
     * @param exchange {@code tcp} (loopback sockets) or {@code memory} (the in-process path)
     * @param tls     TLS with this key store on every connection, or plain TCP when empty
     */
    record BenchConfig(String suite, int params, int workers, int steps, int warmup, int shards, int busyMicros,
                       String exchange, Optional<ShardJob.TlsFiles> tls) {
        BenchConfig {
            if (!SUITES.contains(suite)) {
                throw new IllegalArgumentException("--suite " + suite + " (expected one of: " + String.join(", ", SUITES)
                        + ", " + String.join(", ", OTHER_SUITES) + ")");
            }
            atLeast("--params", params, 1);
            atLeast("--workers", workers, 1);
            atLeast("--steps", steps, 1);
            atLeast("--warmup", warmup, 0);
            atLeast("--shards", shards, 1);
            atLeast("--busy-us", busyMicros, 0);
            if (!EXCHANGES.contains(exchange)) {
                throw new IllegalArgumentException("--exchange " + exchange + " (expected one of: "
                        + String.join(", ", EXCHANGES) + ")");
            }
            if (exchange.equals("memory") && (shards != 1 || tls.isPresent())) {
                throw new IllegalArgumentException("--exchange memory with --shards " + shards
                        + (tls.isPresent() ? " and TLS" : "") + " (expected: one shard, no TLS; only the embedded"
                        + " server is reachable through memory)");
            }
            if (shards > params) {
                throw new IllegalArgumentException("--shards " + shards + " (expected: <= --params " + params
                        + "; every shard holds at least one parameter)");
            }
        }

        /** Whether the clients reach the embedded server through memory. */
        boolean inMemory() {
            return exchange.equals("memory");
        }

        static BenchConfig parse(String[] args) {
            JobArgs parsed = JobArgs.parse(args, OPTIONS);
            if (!parsed.overrides().isEmpty()) {
                throw new IllegalArgumentException("--set " + parsed.overrides().get(0) + " (expected: no --set for bench)");
            }
            Map<String, String> o = parsed.options();
            return new BenchConfig(o.getOrDefault("suite", "ps"), JobArgs.integer(o, "params", 25_000_000),
                    JobArgs.integer(o, "workers", 2), JobArgs.integer(o, "steps", 10), JobArgs.integer(o, "warmup", 3),
                    JobArgs.integer(o, "shards", 1), JobArgs.integer(o, "busy-us", 0), o.getOrDefault("exchange", "tcp"),
                    ShardJob.TlsFiles.parse(o));
        }


        private static void atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " " + value + " (expected: >= " + min + ")");
            }
        }
    }

    private BenchJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("bench", t);
        }
    }

    /** Runs the benchmark and returns the JSON metrics; errors propagate. */
    public static Map<String, Object> run(String[] args) throws Exception {
        switch (suite(args)) {
            case "scaling" -> {
                return ScalingBench.run(args);
            }
            case "netem" -> {
                return NetemBench.run(args);
            }
            default -> { }
        }
        BenchConfig config = BenchConfig.parse(args);
        Map<String, Object> result = switch (config.suite()) {
            case "ps" -> parameterServer(config);
            default -> throw new AssertionError(config.suite());
        };
        System.out.println(Json.write(result));
        return result;
    }

    /** The value of {@code --suite}, or "ps". */
    static String suite(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--suite")) {
                return args[i + 1];
            }
        }
        return "ps";
    }

    private static Map<String, Object> parameterServer(BenchConfig config) throws Exception {
        double memcpy = memcpyGigabytesPerSecond();
        int n = config.params();
        byte[] secret = Secrets.newSecret();
        float[] initial = new float[n];
        ServerConfig serverConfig = ServerConfig.defaults(config.workers()).withHost("127.0.0.1")
                .withStepTimeout(Duration.ofMinutes(2));
        Optional<TlsKeys> tls = config.tls().isPresent()
                ? Optional.of(TlsKeys.read(config.tls().get().keyStore(), config.tls().get().passwordFile()))
                : Optional.empty();
        Transport transport = tls.map(k -> Transport.pinnedTls(k.certificate())).orElse(Transport.plain())
                .withInProcess(config.inMemory());
        if (tls.isPresent()) {
            serverConfig = serverConfig.withTls(tls.get().serverContext());
        }
        ExecutorService pool = Executors.newFixedThreadPool(config.workers());
        List<ParameterServer> servers = new ArrayList<>();
        try {
            List<String> addresses = startServers(config, serverConfig, secret, initial, servers, transport);
            int total = config.warmup() + config.steps();
            CyclicBarrier barrier = new CyclicBarrier(config.workers() + 1);
            List<Future<long[]>> clients = new ArrayList<>();
            for (int w = 0; w < config.workers(); w++) {
                int worker = w;
                clients.add(pool.submit(() -> client(addresses, secret, worker, n, barrier, config, transport)));
            }
            System.out.printf("%-8s %12s %12s%n", "phase", "seconds", "GB/s");
            barrier.await();
            long t0 = System.nanoTime();
            barrier.await();
            long t1 = System.nanoTime();
            long cpu1 = processCpuNanos();
            barrier.await();
            long t2 = System.nanoTime();
            long cpu2 = processCpuNanos();
            long bytes = 0;
            long exchangeNanos = 0;
            for (Future<long[]> f : clients) {
                long[] b = f.get();
                bytes += b[1] - b[0];
                exchangeNanos += b[2];
            }
            if (config.inMemory()) {
                if (bytes != 0) {
                    throw new IllegalStateException("--exchange memory, but the clients moved " + bytes
                            + " bytes over sockets (expected: 0)");
                }
                bytes = 8L * n * config.workers() * config.steps();   // floats pushed and pulled
            }
            double seconds = (t2 - t1) / 1e9;
            double gbps = bytes / seconds / 1e9;
            System.out.printf("%-8s %12.3f %12s%n", "warmup", (t1 - t0) / 1e9, "-");
            System.out.printf("%-8s %12.3f %12.3f%n", "measured", seconds, gbps);
            System.out.printf("%-8s %12s %12.3f%n", "memcpy", "-", memcpy);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("suite", "ps");
            m.put("params", n);
            m.put("workers", config.workers());
            m.put("shards", config.shards());
            m.put("tls", tls.isPresent());
            m.put("exchange", config.exchange());
            m.put("steps", config.steps());
            m.put("bytes_per_step", bytes / config.steps());
            m.put("seconds_per_step", seconds / config.steps());
            m.put("cpu_seconds_per_step", (cpu2 - cpu1) / 1e9 / config.steps());
            m.put("busy_us", config.busyMicros());
            m.put("exchange_seconds_per_step", exchangeNanos / 1e9 / config.workers() / config.steps());
            m.put("push_pull_gbytes_per_second", gbps);
            m.put("memcpy_gbytes_per_second", memcpy);
            return m;
        } finally {
            pool.shutdownNow();
            servers.forEach(ParameterServer::close);
        }
    }

    /**
     * One embedded server, or {@code config.shards()} standalone shards initialised through a
     * {@link ShardGroup} as the driver does; returns the addresses clients connect to.
     */
    private static List<String> startServers(BenchConfig config, ServerConfig serverConfig, byte[] secret,
                                             float[] initial, List<ParameterServer> servers, Transport transport)
            throws Exception {
        OptimizerConfig optimizer = OptimizerConfig.defaults();
        if (config.shards() == 1) {
            ParameterServer server = ParameterServer.start(serverConfig, secret, initial, optimizer.create(initial.length));
            servers.add(server);
            return List.of("127.0.0.1:" + server.address().getPort());
        }
        List<String> addresses = new ArrayList<>();
        for (int s = 0; s < config.shards(); s++) {
            ParameterServer shard = ParameterServer.startShard("127.0.0.1", 0, serverConfig.maxFrameBytes(), secret,
                    serverConfig.tls());
            servers.add(shard);
            addresses.add("127.0.0.1:" + shard.address().getPort());
        }
        try (ShardGroup group = ShardGroup.connect(addresses, secret, Duration.ofMinutes(2),
                ShardGroup.maxFrameBytes(initial.length, config.shards(), optimizer, config.workers()), transport)) {
            group.init(new ShardGroup.Job(config.workers(), false, 0, serverConfig.stepTimeout(), optimizer),
                    ShardedCheckpoints.fresh(initial, optimizer, config.workers()));
        }
        return addresses;
    }

    /**
     * One client: warm-up steps, then the measured steps between barriers (each after {@code busyMicros}
     * of busy waiting); returns bytes at start and end and the nanoseconds spent in the measured round trips.
     */
    private static long[] client(List<String> addresses, byte[] secret, int worker, int n, CyclicBarrier barrier,
                                 BenchConfig config, Transport transport) throws Exception {
        float[] gradient = new float[n];
        for (int i = 0; i < n; i++) {
            gradient[i] = ((i + worker) % 7 - 3) * 1e-6f;
        }
        float[] params = new float[n];
        try (ShardedClient client = ShardedClient.connect(addresses, secret, worker, Duration.ofMinutes(3),
                count -> new PushEncoder(PushCodecs.create("none", 0.01, 0.01), count), transport)) {
            long step = client.pull(params);
            barrier.await();
            for (int s = 0; s < config.warmup(); s++) {
                step = client.pushPull(0, step, s, s, gradient, params);
            }
            barrier.await();
            long before = client.bytesSent() + client.bytesReceived();
            long busy = config.busyMicros() * 1000L;
            long exchange = 0;
            for (int s = 0; s < config.steps(); s++) {
                for (long b0 = System.nanoTime(); System.nanoTime() - b0 < busy; ) {
                    Thread.onSpinWait();
                }
                long e0 = System.nanoTime();
                step = client.pushPull(0, step, config.warmup() + s, s, gradient, params);
                exchange += System.nanoTime() - e0;
            }
            long after = client.bytesSent() + client.bytesReceived();
            barrier.await();
            return new long[] {before, after, exchange};
        }
    }

    /** CPU time of this process (all threads: server, clients, JIT, GC), or 0 where the JVM cannot say. */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /** Plain memory-copy bandwidth (bytes copied per second) of System.arraycopy on 256 MB, best of 5. */
    static double memcpyGigabytesPerSecond() {
        float[] src = new float[64 << 20];
        float[] dst = new float[src.length];
        for (int i = 0; i < src.length; i += 1024) {
            src[i] = i;
        }
        double best = 0;
        for (int r = 0; r < 6; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            long t1 = System.nanoTime();
            if (r > 0) {
                best = Math.max(best, 4.0 * src.length / ((t1 - t0) / 1e9) / 1e9);
            }
        }
        return best;
    }
}
