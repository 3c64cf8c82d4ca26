package dev.lamina.it.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.jobs.TrainJob;
import dev.lamina.ps.client.ParameterClient;
import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.client.Transport;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TestKeyStores;
import dev.lamina.ps.protocol.TlsKeys;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on parameter-server connections over real loopback sockets: pushes and pulls through TLS give
 * bitwise the parameters of plain TCP; a client pinned to another certificate, a plaintext client and a
 * TLS client of a plaintext server are refused with clear errors while the server keeps serving; the
 * job secret is still checked inside TLS; and the MNIST job trains through TLS (embedded server and two
 * standalone shards) to exactly the weights of plain TCP.
 */
class TlsIT {
    private static final String HOST = "127.0.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int PARAMETERS = 300_000;
    private static final int STEPS = 4;
    private static final int WORKERS = 2;
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();

    private final byte[] secret = Secrets.newSecret();

    private ParameterServer start(Optional<TlsKeys> tls) throws IOException {
        ServerConfig config = ServerConfig.defaults(WORKERS).withHost(HOST).withStepTimeout(TIMEOUT);
        if (tls.isPresent()) {
            config = config.withTls(tls.get().serverContext());
        }
        return ParameterServer.start(config, secret, ParameterServerIT.initialParameters(PARAMETERS),
                OptimizerConfig.defaults().create(PARAMETERS));
    }

    /** Both workers' parameters after {@link #STEPS} synchronous steps over {@code transport}. */
    private float[][] run(ParameterServer server, Transport transport) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                results.add(pool.submit(() -> {
                    try (ParameterClient client = ParameterClient.connect(HOST, server.address().getPort(), secret,
                            worker, TIMEOUT, transport)) {
                        float[] params = new float[PARAMETERS];
                        long step = client.pull(params);
                        for (int s = 0; s < STEPS; s++) {
                            step = client.pushPull(0, step, s, s, ParameterServerIT.gradient(PARAMETERS, worker, step),
                                    params);
                        }
                        return params;
                    }
                }));
            }
            float[][] out = new float[WORKERS][];
            for (int w = 0; w < WORKERS; w++) {
                out[w] = results.get(w).get(60, TimeUnit.SECONDS);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tlsGivesThePlainResultsAndRefusesWhatItShould(@TempDir Path dir) throws Exception {
        TlsKeys keys = TlsKeys.read(TestKeyStores.generate(dir, "ps").keyStore(), dir.resolve("ps.password"));
        TlsKeys impostor = TlsKeys.read(TestKeyStores.generate(dir, "impostor").keyStore(),
                dir.resolve("impostor.password"));
        Transport pinned = Transport.pinnedTls(keys.certificate());
        float[][] plain;
        try (ParameterServer server = start(Optional.empty())) {
            plain = run(server, Transport.plain());
            SSLException e = assertThrows(SSLException.class,
                    () -> ParameterClient.connect(HOST, server.address().getPort(), secret, 0, TIMEOUT, pinned));
            assertTrue(e.getMessage().contains("TLS handshake with the parameter server at"), e.getMessage());
        }
        try (ParameterServer server = start(Optional.of(keys))) {
            int port = server.address().getPort();
            SSLException wrongCert = assertThrows(SSLException.class, () -> ParameterClient.connect(HOST, port, secret, 0,
                    TIMEOUT, Transport.pinnedTls(impostor.certificate())));
            assertTrue(wrongCert.getMessage().contains("TLS handshake") && wrongCert.getMessage().contains(HOST + ":" + port),
                    wrongCert.getMessage());
            // A plaintext client gets no CHALLENGE from a TLS server: the server closes it after its handshake timeout.
            IOException plainClient = assertThrows(IOException.class,
                    () -> ParameterClient.connect(HOST, port, secret, 0, Duration.ofSeconds(30), Transport.plain()));
            assertTrue(!(plainClient instanceof ParameterServerException), String.valueOf(plainClient));
            ParameterServerException wrongSecret = assertThrows(ParameterServerException.class, () ->
                    ParameterClient.connect(HOST, port, Secrets.newSecret(), 0, TIMEOUT, pinned));
            assertEquals(ErrorCode.AUTH_FAILED, wrongSecret.code());

            float[][] tls = run(server, pinned);
            for (int w = 0; w < WORKERS; w++) {
                assertArrayEquals(plain[w], tls[w], "worker " + w + " through TLS");
            }
            assertArrayEquals(plain[0], server.parameters());
            assertEquals(STEPS, server.step());
        }
    }

    private static TrainedModel train(Path out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", CONFIG, "--output", out.toString(),
                "--master", "local[2]", "--set", "data.trainLimit=2048", "--set", "data.testLimit=500",
                "--set", "training.epochs=1", "--set", "training.workers=2", "--set", "training.batchSize=64"));
        args.addAll(List.of(extra));
        return TrainJob.run(args.toArray(new String[0]));
    }

    @Test
    void theJobTrainsThroughTlsToThePlainWeights(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "job");
        String[] tls = {"--set", "training.tls.keyStore=" + files.keyStore(),
            "--set", "training.tls.passwordFile=" + files.passwordFile()};
        TrainedModel plain = train(dir.resolve("plain"));
        // local[2] runs the workers in the driver's JVM, which would reach the embedded server through
        // memory (no bytes to encrypt): over the socket, so that TLS is what carries the exchange
        List<String> overSocket = new ArrayList<>(List.of(tls));
        overSocket.addAll(List.of("--set", "training.inProcess=false"));
        TrainedModel embedded = train(dir.resolve("embedded-tls"), overSocket.toArray(new String[0]));
        assertTrue(embedded.history().get(0).pushBytesPerStep() > 0, "pushed through the TLS socket");
        assertArrayEquals(plain.parameters(), embedded.parameters(), "embedded server with TLS");
        assertTrue(embedded.history().get(0).testAccuracy() > 0.7, embedded.history().toString());

        Path secretFile = dir.resolve("job.secret");
        Files.writeString(secretFile, Secrets.toHex(secret));
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        Optional<javax.net.ssl.SSLContext> shardTls = Optional.of(
                TlsKeys.read(files.keyStore(), files.passwordFile()).serverContext());
        try (ParameterServer a = ParameterServer.startShard(HOST, 0, 64 << 20, secret, shardTls);
             ParameterServer b = ParameterServer.startShard(HOST, 0, 64 << 20, secret, shardTls)) {
            List<String> args = new ArrayList<>(List.of(tls));
            args.addAll(List.of("--set", "training.servers=[" + HOST + ":" + a.address().getPort() + ", " + HOST + ":"
                    + b.address().getPort() + "]", "--set", "training.secretFile=" + secretFile));
            TrainedModel sharded = train(dir.resolve("sharded-tls"), args.toArray(new String[0]));
            assertArrayEquals(plain.parameters(), sharded.parameters(), "two TLS shards");
            assertTrue(a.step() > 0 && a.step() == b.step(), a.step() + " vs " + b.step());
        }
    }
}
