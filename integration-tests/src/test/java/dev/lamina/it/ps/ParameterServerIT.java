package dev.lamina.it.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.client.ParameterClient;
import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.FrameHeader;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.MessageType;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A parameter server and its clients over real loopback sockets. */
class ParameterServerIT {
    private static final String HOST = "127.0.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int PARAMETERS = 50_000;
    private static final int STEPS = 5;
    private static final int WORKERS = 2;

    private final byte[] secret = Secrets.newSecret();
    private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    /** Direct bytes of the allocator the server's parameter payloads come from, before this test's server. */
    private final long directBefore = UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        // every reply frame written (or dropped with its connection) gave its payload reference back
        assertEquals(directBefore, UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(),
                "direct bytes still held after the server closed");
    }

    private static float[] initialParameters() {
        return initialParameters(PARAMETERS);
    }

    /** Known starting values for {@code n} parameters (the sharded IT uses them too). */
    static float[] initialParameters(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) Math.sin(i * 0.01);
        }
        return values;
    }

    /** Worker {@code worker}'s gradient at {@code step}: known, different per worker and step. */
    private static float[] gradient(int worker, long step) {
        return gradient(PARAMETERS, worker, step);
    }

    /** As {@link #gradient(int, long)} for {@code n} parameters. */
    static float[] gradient(int n, int worker, long step) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) Math.cos(i * 0.003 + worker * 1.7 + step * 0.31) / (1 + worker + step);
        }
        return g;
    }

    private ParameterServer start(int workers, Duration stepTimeout) throws IOException {
        ServerConfig config = ServerConfig.defaults(workers).withHost(HOST).withStepTimeout(stepTimeout);
        return ParameterServer.start(config, secret, initialParameters(), OptimizerConfig.defaults().create(PARAMETERS));
    }

    @Test
    void twoWorkersEqualSingleProcessSgdExactly() throws Exception {
        try (ParameterServer server = start(WORKERS, TIMEOUT)) {
            List<Future<float[]>> results = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                results.add(pool.submit(() -> train(server.address().getPort(), worker)));
            }
            float[] expected = singleProcess();
            for (Future<float[]> result : results) {
                assertArrayEquals(expected, result.get(60, TimeUnit.SECONDS));
            }
            assertEquals(STEPS, server.step());
            assertArrayEquals(expected, server.parameters());
        }
    }

    private float[] train(int port, int worker) throws IOException {
        try (ParameterClient client = ParameterClient.connect(HOST, port, secret, worker, TIMEOUT)) {
            assertEquals(PARAMETERS, client.parameterCount());
            float[] params = new float[PARAMETERS];
            long step = client.pull(params);
            assertEquals(0, step);
            assertArrayEquals(initialParameters(), params);
            for (int s = 0; s < STEPS; s++) {
                long next = client.pushPull(0, step, s, (long) s * 64, gradient(worker, step), params);
                assertEquals(step + 1, next);
                step = next;
            }
            assertTrue(client.bytesSent() > (long) STEPS * 4 * PARAMETERS);
            assertTrue(client.bytesReceived() > (long) (STEPS + 1) * 4 * PARAMETERS);
            return params;
        }
    }

    /** The same steps in one process: average the workers' gradients in worker order, then SGD. */
    private static float[] singleProcess() {
        float[] params = initialParameters();
        Optimizer optimizer = OptimizerConfig.defaults().create(PARAMETERS);
        for (long step = 0; step < STEPS; step++) {
            float[] average = gradient(0, step);
            for (int w = 1; w < WORKERS; w++) {
                float[] g = gradient(w, step);
                for (int i = 0; i < PARAMETERS; i++) {
                    average[i] += g[i];
                }
            }
            for (int i = 0; i < PARAMETERS; i++) {
                average[i] /= WORKERS;
            }
            optimizer.step(params, average);
        }
        return params;
    }

    @Test
    void wrongSecretIsRefused() throws IOException {
        try (ParameterServer server = start(WORKERS, TIMEOUT)) {
            ParameterServerException e = assertThrows(ParameterServerException.class, () -> ParameterClient.connect(
                    HOST, server.address().getPort(), Secrets.newSecret(), 0, TIMEOUT));
            assertEquals(ErrorCode.AUTH_FAILED, e.code());
        }
    }

    @Test
    void twoGigabyteHeaderIsRefusedAndTheServerKeepsServing() throws IOException {
        try (ParameterServer server = start(1, TIMEOUT)) {
            int port = server.address().getPort();
            try (Socket raw = new Socket(HOST, port)) {
                raw.setSoTimeout((int) TIMEOUT.toMillis());
                DataInputStream in = new DataInputStream(raw.getInputStream());
                assertInstanceOf(Message.Challenge.class, readFrame(in).message());
                OutputStream out = raw.getOutputStream();
                out.write(ByteBuffer.allocate(FrameFormat.HEADER_BYTES).putInt(FrameFormat.MAGIC)
                        .put(FrameFormat.VERSION).put((byte) MessageType.PUSH_GRADIENT.id()).putLong(77)
                        .putInt(Integer.MAX_VALUE).array());
                out.flush();
                Frame reply = readFrame(in);
                assertEquals(77, reply.requestId());
                assertEquals(ErrorCode.FRAME_TOO_LARGE, assertInstanceOf(Message.Failure.class, reply.message()).code());
                assertEquals(-1, in.read(), "the server closes the connection");
            }
            try (ParameterClient client = ParameterClient.connect(HOST, port, secret, 0, TIMEOUT)) {
                float[] params = new float[PARAMETERS];
                assertEquals(1, client.pushPull(0, 0, 0, 0, gradient(0, 0), params));
                assertEquals(1, server.step());
            }
        }
    }

    @Test
    void lostWorkerTimesTheStepOutInsteadOfHangingOthers() throws IOException {
        try (ParameterServer server = start(WORKERS, Duration.ofMillis(300));
             ParameterClient client = ParameterClient.connect(HOST, server.address().getPort(), secret, 0, TIMEOUT)) {
            float[] params = new float[PARAMETERS];
            ParameterServerException e = assertThrows(ParameterServerException.class,
                    () -> client.pushPull(0, 0, 0, 0, gradient(0, 0), params));
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertTrue(e.getMessage().contains("workers [1] of 2 did not push"), e.getMessage());
            // The connection is still usable after a refusal.
            assertEquals(0, client.pull(params));
            assertArrayEquals(initialParameters(), params);
        }
    }

    @Test
    void nonFiniteGradientIsRefusedOverTheWire() throws IOException {
        try (ParameterServer server = start(1, TIMEOUT);
             ParameterClient client = ParameterClient.connect(HOST, server.address().getPort(), secret, 0, TIMEOUT)) {
            float[] bad = gradient(0, 0);
            bad[123] = Float.NaN;
            float[] params = new float[PARAMETERS];
            ParameterServerException e = assertThrows(ParameterServerException.class,
                    () -> client.pushPull(0, 0, 0, 0, bad, params));
            assertEquals(ErrorCode.NON_FINITE_VALUES, e.code());
            assertTrue(e.getMessage().contains("worker 0 step 0: gradient[123] : NaN"), e.getMessage());
            assertArrayEquals(initialParameters(), server.parameters());
            assertEquals(1, client.pushPull(0, 0, 0, 0, gradient(0, 0), params));
        }
    }

    private static Frame readFrame(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] header = new byte[FrameFormat.HEADER_BYTES];
        in.readFully(header);
        FrameHeader parsed = FrameFormat.readHeader(ByteBuffer.wrap(header), FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
        byte[] frame = new byte[parsed.frameBytes()];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, frame.length - header.length);
        return FrameFormat.read(parsed, ByteBuffer.wrap(frame));
    }

    @Test
    void appliedPushesAreAcknowledgedAndRetriesAreDropped() throws Exception {
        try (ParameterServer server = start(1, TIMEOUT)) {
            float[] params = new float[PARAMETERS];
            try (ParameterClient client = ParameterClient.connect(HOST, server.address().getPort(), secret, 0, TIMEOUT)) {
                assertArrayEquals(new long[] {-1, -1, 0}, client.acknowledged());
                long step = client.pull(params);
                step = client.pushPull(2, step, 0, 64, gradient(0, 0), params);
                step = client.pushPull(2, step, 1, 128, gradient(0, 1), params);
                assertArrayEquals(new long[] {2, 1, 128}, client.acknowledged());
            }
            float[] before = server.parameters();
            // A retried task reconnects and replays sequence 1: dropped, parameters unchanged.
            try (ParameterClient retry = ParameterClient.connect(HOST, server.address().getPort(), secret, 0, TIMEOUT)) {
                long step = retry.pull(params);
                ParameterServerException e = assertThrows(ParameterServerException.class,
                        () -> retry.pushPull(2, step, 1, 128, gradient(0, 1), params));
                assertEquals(ErrorCode.DUPLICATE_PUSH, e.code());
                assertArrayEquals(before, server.parameters());
                assertEquals(new dev.lamina.ps.server.Progress(2, 1, 128), server.progress(0));
                assertEquals(3, retry.pushPull(2, step, 2, 192, gradient(0, 2), params));
            }
        }
    }
}
