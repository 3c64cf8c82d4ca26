package dev.lamina.it.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.client.ParameterClient;
import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.client.ShardControlClient;
import dev.lamina.ps.client.ShardGroup;
import dev.lamina.ps.client.ShardedClient;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.ShardRange;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameter-server shards over real loopback sockets: two shards (in this JVM, or separate JVMs started
 * with the {@code ps} command) initialised by a driver, two workers pushing to both in parallel, and the
 * result compared bit for bit with one embedded server.
 */
class ShardedParameterServerIT {
    private static final String HOST = "127.0.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Odd, so the two ranges differ in size. */
    private static final int PARAMETERS = 50_001;
    private static final int STEPS = 5;
    private static final int WORKERS = 2;
    private static final OptimizerConfig ADAM = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01)
            .withWeightDecay(1e-4);
    private static final Pattern LISTENING = Pattern.compile("lamina ps: listening on [^ ]+:(\\d+) .*");

    private final byte[] secret = Secrets.newSecret();
    private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static float[] initialParameters() {
        return ParameterServerIT.initialParameters(PARAMETERS);
    }

    private static float[] gradient(int worker, long step) {
        return ParameterServerIT.gradient(PARAMETERS, worker, step);
    }

    /** Both workers' sync steps against {@code addresses}; returns the parameters (equal on both workers). */
    private float[] train(List<String> addresses, String codec) throws Exception {
        List<Future<float[]>> results = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            results.add(pool.submit(() -> {
                try (ShardedClient client = ShardedClient.connect(addresses, secret, worker, TIMEOUT,
                        n -> new PushEncoder(PushCodecs.create(codec, 0.01, 0.01), n))) {
                    assertEquals(PARAMETERS, client.parameterCount());
                    assertEquals(addresses.size(), client.ranges().size());
                    float[] params = new float[PARAMETERS];
                    long step = client.pull(params);
                    assertArrayEquals(initialParameters(), params);
                    for (int s = 0; s < STEPS; s++) {
                        long next = client.pushPull(0, step, s, 64L * (s + 1), gradient(worker, step), params);
                        assertEquals(step + 1, next);
                        step = next;
                    }
                    assertArrayEquals(new long[] {0, STEPS - 1, 64L * STEPS}, client.acknowledged());
                    return params;
                }
            }));
        }
        float[] first = results.get(0).get(120, TimeUnit.SECONDS);
        for (Future<float[]> r : results) {
            assertArrayEquals(first, r.get(120, TimeUnit.SECONDS));
        }
        return first;
    }

    /** The same job on one embedded server; returns its final checkpoint. */
    private Checkpoint singleServer(String codec) throws Exception {
        ServerConfig config = ServerConfig.defaults(WORKERS).withHost(HOST).withStepTimeout(TIMEOUT);
        try (ParameterServer server = ParameterServer.start(config, secret, initialParameters(), ADAM.create(PARAMETERS))) {
            float[] trained = train(List.of(HOST + ":" + server.address().getPort()), codec);
            assertArrayEquals(server.parameters(), trained);
            return server.checkpoint();
        }
    }

    private static ShardGroup.Job job() {
        return new ShardGroup.Job(WORKERS, false, 0, TIMEOUT, ADAM);
    }

    private ShardGroup initialised(List<String> addresses, byte[] key) throws IOException {
        ShardGroup group = ShardGroup.connect(addresses, key, TIMEOUT,
                ShardGroup.maxFrameBytes(PARAMETERS, addresses.size(), ADAM, WORKERS));
        assertEquals(ShardRange.split(PARAMETERS, addresses.size()),
                group.init(job(), ShardedCheckpoints.fresh(initialParameters(), ADAM, WORKERS)));
        return group;
    }

    /** Trains on the shards at {@code addresses} and checks parameters and checkpoint against one server. */
    private void assertShardsEqualOneServer(List<String> addresses, String codec) throws Exception {
        Checkpoint expected = singleServer(codec);
        try (ShardGroup group = initialised(addresses, secret)) {
            float[] trained = train(addresses, codec);
            assertArrayEquals(expected.parameters(), trained);
            assertArrayEquals(expected.parameters(), group.parameters());
            Checkpoint merged = group.checkpoint(JobState.NONE);
            assertEquals(STEPS, merged.step());
            assertTrue(expected.sameContents(merged), "merged shard snapshots differ from the single server's");
            assertTrue(expected.sameContents(CheckpointCodec.decode("it", CheckpointCodec.encode(merged))));
        }
    }

    private static List<String> addresses(List<ParameterServer> shards) {
        return shards.stream().map(s -> HOST + ":" + s.address().getPort()).toList();
    }

    @Test
    void twoShardsInThisJvmEqualOneServerBitExactly() throws Exception {
        List<ParameterServer> shards = List.of(ParameterServer.startShard(HOST, 0, 64 << 20, secret),
                ParameterServer.startShard(HOST, 0, 64 << 20, secret));
        try {
            assertShardsEqualOneServer(addresses(shards), "none");
            assertEquals(STEPS, shards.get(1).step());
            assertEquals(PARAMETERS / 2, shards.get(1).parameters().length);
        } finally {
            shards.forEach(ParameterServer::close);
        }
    }

    @Test
    void fp16PushesPerShardRangeEqualOneServerBitExactly() throws Exception {
        // fp16 encodes each value alone, so cutting the push into ranges changes nothing
        List<ParameterServer> shards = List.of(ParameterServer.startShard(HOST, 0, 64 << 20, secret),
                ParameterServer.startShard(HOST, 0, 64 << 20, secret));
        try {
            assertShardsEqualOneServer(addresses(shards), "fp16");
        } finally {
            shards.forEach(ParameterServer::close);
        }
    }

    @Test
    void asyncShardsApplyEveryPushOfEveryWorker() throws Exception {
        List<ParameterServer> shards = List.of(ParameterServer.startShard(HOST, 0, 64 << 20, secret),
                ParameterServer.startShard(HOST, 0, 64 << 20, secret));
        List<String> addresses = addresses(shards);
        try (ShardGroup group = ShardGroup.connect(addresses, secret, TIMEOUT,
                ShardGroup.maxFrameBytes(PARAMETERS, 2, ADAM, WORKERS))) {
            group.init(new ShardGroup.Job(WORKERS, true, 1, TIMEOUT, ADAM),
                    ShardedCheckpoints.fresh(initialParameters(), ADAM, WORKERS));
            List<Future<Long>> results = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                results.add(pool.submit(() -> {
                    try (ShardedClient client = ShardedClient.connect(addresses, secret, worker, TIMEOUT,
                            n -> new PushEncoder(PushCodecs.create("int8", 0.01, 0.01), n))) {
                        float[] params = new float[PARAMETERS];
                        long step = client.pull(params);
                        for (int s = 0; s < STEPS; s++) {
                            step = client.pushPull(0, step, s, s + 1, gradient(worker, s), params);
                        }
                        return step;
                    }
                }));
            }
            for (Future<Long> r : results) {
                assertTrue(r.get(120, TimeUnit.SECONDS) >= STEPS);
            }
            for (ParameterServer shard : shards) {
                assertEquals((long) WORKERS * STEPS, shard.step());
            }
            float[] params = group.parameters();
            float[] initial = initialParameters();
            int changed = 0;
            for (int i = 0; i < PARAMETERS; i++) {
                assertTrue(Float.isFinite(params[i]), "parameter " + i);
                changed += params[i] != initial[i] ? 1 : 0;
            }
            assertTrue(changed > PARAMETERS * 0.9, changed + " of " + PARAMETERS + " parameters changed");
            assertEquals(WORKERS * STEPS, group.checkpoint(JobState.NONE).step());
        } finally {
            shards.forEach(ParameterServer::close);
        }
    }

    @Test
    void aShardRefusesAnotherSecretAndWorkersBeforeTheDriver() throws Exception {
        try (ParameterServer shard = ParameterServer.startShard(HOST, 0, 64 << 20, secret)) {
            int port = shard.address().getPort();
            assertEquals(ErrorCode.AUTH_FAILED, assertThrows(ParameterServerException.class,
                    () -> ShardControlClient.connect(HOST, port, Secrets.newSecret(), TIMEOUT, 1 << 20)).code());
            assertEquals(ErrorCode.AUTH_FAILED, assertThrows(ParameterServerException.class,
                    () -> ParameterClient.connect(HOST, port, Secrets.newSecret(), 0, TIMEOUT)).code());
            ParameterServerException early = assertThrows(ParameterServerException.class,
                    () -> ParameterClient.connect(HOST, port, secret, 0, TIMEOUT));
            assertEquals(ErrorCode.NOT_INITIALIZED, early.code());
        }
    }

    /** Starts {@code lamina ps} in a new JVM (the class path of this one) and returns its port. */
    private int startShardProcess(Path secretFile) throws IOException {
        Process p = shardProcess(secretFile);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.matches()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain-ps-stdout");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("lamina ps exited without listening: status "
                + waitFor(p) + ", stderr: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private Process shardProcess(Path secretFile) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.lamina.jobs.Main", "ps", "--host", HOST, "--port", "0", "--secret-file", secretFile.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        processes.add(p);
        return p;
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Path secretFile(String permissions) throws IOException {
        Path file = temp.resolve("job-" + permissions + ".secret");
        Files.writeString(file, Secrets.toHex(secret) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void twoShardProcessesStartedWithThePsCommandEqualOneServerBitExactly() throws Exception {
        Path file = secretFile("rw-------");
        List<String> addresses = List.of(HOST + ":" + startShardProcess(file), HOST + ":" + startShardProcess(file));
        int port = Integer.parseInt(addresses.get(1).substring(HOST.length() + 1));
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(ParameterServerException.class,
                () -> ShardControlClient.connect(HOST, port, Secrets.newSecret(), TIMEOUT, 1 << 20)).code());
        assertShardsEqualOneServer(addresses, "none");
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(ParameterServerException.class,
                () -> ParameterClient.connect(HOST, port, Secrets.newSecret(), 0, TIMEOUT)).code());
        for (Process p : processes) {
            assertTrue(p.isAlive(), "a shard process died during the job");
        }
    }

    @Test
    void psCommandRefusesASecretFileOthersCanRead() throws Exception {
        Path file = secretFile("rw-r--r--");
        Process p = shardProcess(file);
        assertEquals(2, waitFor(p));
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stderr.contains("lamina ps: error: secret file " + file + " : readable by every user"), stderr);
        assertFalse(p.isAlive());
    }
}
