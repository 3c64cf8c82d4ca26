package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.client.ShardConnection;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Workers reaching an embedded server through memory, without sockets: the same updates, checks and
 * exactly-once records as the aggregator gives socket connections, and the failure paths (timeout,
 * close from another thread, the server closing) wake a waiting worker.
 */
class InProcessConnectionTest {
    private static final int PARAMETERS = 1037;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Direct bytes of the allocator parameter payloads come from, before this test's server existed. */
    private final long directBefore = UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    private final byte[] secret = Secrets.newSecret();
    private final OptimizerConfig sgd = OptimizerConfig.defaults().withLearningRate(0.1).withMomentum(0.9);
    private final float[] initial = random(PARAMETERS, 1);
    private final SyncAggregator<Waiter> aggregator = new SyncAggregator<>(initial, sgd.create(PARAMETERS), 2,
            Duration.ofSeconds(30), System::nanoTime);
    private final InProcessEndpoint endpoint = new InProcessEndpoint(new Authenticator(secret),
            ShardState.of(aggregator, 1 << 20));

    @AfterEach
    void close() {
        endpoint.close();
        aggregator.close();
        // every answer a worker took (or that arrived after its connection closed) gave its payload back
        assertEquals(directBefore, UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(),
                "direct bytes still held after the server closed");
    }

    private ShardConnection connect(int workerId, Duration timeout) throws IOException {
        return endpoint.connect(workerId, secret, timeout).orElseThrow();
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static PushEncoder none() {
        return new PushEncoder(PushCodecs.create("none", 0.01, 0.01), PARAMETERS);
    }

    /** Three synchronous steps of two workers: both get the same parameters, bitwise those of the aggregator fed directly. */
    @Test
    void twoWorkersGetTheAveragedStepBitwiseAsTheAggregatorComputesIt() throws Exception {
        SyncAggregator<Waiter> reference = new SyncAggregator<>(initial, sgd.create(PARAMETERS), 2,
                Duration.ofSeconds(30), System::nanoTime);
        try (ShardConnection w0 = connect(0, TIMEOUT); ShardConnection w1 = connect(1, TIMEOUT)) {
            assertEquals(2, endpoint.openConnections());
            float[] p0 = new float[PARAMETERS];
            float[] p1 = new float[PARAMETERS];
            assertEquals(0, w0.pull(p0));
            assertArrayEquals(initial, p0);
            for (int step = 0; step < 3; step++) {
                float[] g0 = random(PARAMETERS, 10 + step);
                float[] g1 = random(PARAMETERS, 20 + step);
                int s = step;
                CompletableFuture<Long> second = background(() -> w1.pushPull(0, s, s, 64L * (s + 1), none(), g1, p1));
                assertEquals(step + 1, w0.pushPull(0, step, step, 64L * (step + 1), none(), g0, p0));
                assertEquals(step + 1, second.get(10, TimeUnit.SECONDS));
                reference.push(new Message.PushGradient(1, 0, step, step, 64L * (step + 1), g1.clone()), null);
                for (Reply<Waiter> r : reference.push(new Message.PushGradient(0, 0, step, step, 64L * (step + 1),
                        g0.clone()), null).replies()) {
                    ((Reply.Updated<Waiter>) r).params().release();
                }
                float[] expected = reference.parameters();
                assertArrayEquals(expected, p0);
                assertArrayEquals(expected, p1);
                assertFalse(java.util.Arrays.equals(initial, p0));
            }
            assertArrayEquals(new long[] {0, 2, 192}, w0.acknowledged());
            assertEquals(3, w1.timing().steps());
            assertEquals(0, w0.bytesSent() + w0.bytesReceived());
        } finally {
            reference.close();
        }
        assertEquals(0, endpoint.openConnections());
    }

    /**
     * Workers push their whole gradient array without a copy and overwrite it for the next step as soon
     * as the exchange returns, as a training loop does: every step still equals the aggregator fed with
     * copies, and the pushed arrays are not changed by the server.
     */
    @Test
    void gradientArraysReusedEveryStepGiveTheSameStepsAsCopies() throws Exception {
        SyncAggregator<Waiter> reference = new SyncAggregator<>(initial, sgd.create(PARAMETERS), 2,
                Duration.ofSeconds(30), System::nanoTime);
        float[] g0 = new float[PARAMETERS];
        float[] g1 = new float[PARAMETERS];
        float[] p0 = new float[PARAMETERS];
        float[] p1 = new float[PARAMETERS];
        try (ShardConnection w0 = connect(0, TIMEOUT); ShardConnection w1 = connect(1, TIMEOUT)) {
            for (int step = 0; step < 6; step++) {
                System.arraycopy(random(PARAMETERS, 30 + step), 0, g0, 0, PARAMETERS);
                System.arraycopy(random(PARAMETERS, 40 + step), 0, g1, 0, PARAMETERS);
                float[] sent0 = g0.clone();
                float[] sent1 = g1.clone();
                int s = step;
                CompletableFuture<Long> second = background(() -> w1.pushPull(0, s, s, 64L * (s + 1), none(), g1, p1));
                assertEquals(step + 1, w0.pushPull(0, step, step, 64L * (step + 1), none(), g0, p0));
                assertEquals(step + 1, second.get(10, TimeUnit.SECONDS));
                assertArrayEquals(sent0, g0, "the server does not write a pushed array");
                assertArrayEquals(sent1, g1, "the server does not write a pushed array");
                reference.push(new Message.PushGradient(0, 0, step, step, 64L * (step + 1), sent0), null);
                for (Reply<Waiter> r : reference.push(new Message.PushGradient(1, 0, step, step, 64L * (step + 1),
                        sent1), null).replies()) {
                    ((Reply.Updated<Waiter>) r).params().release();
                }
                assertArrayEquals(reference.parameters(), p0, "step " + step);
                assertArrayEquals(reference.parameters(), p1, "step " + step);
            }
        } finally {
            reference.close();
        }
    }

    @Test
    void aSecretThatIsNotTheJobsGetsNoConnectionAndUnknownWorkersAreRefused() throws IOException {
        assertTrue(endpoint.connect(0, Secrets.newSecret(), TIMEOUT).isEmpty());
        assertTrue(endpoint.connect(0, new byte[3], TIMEOUT).isEmpty());
        ParameterServerException e = assertThrows(ParameterServerException.class, () -> connect(2, TIMEOUT));
        assertEquals(ErrorCode.UNKNOWN_WORKER, e.code());
        assertEquals("UNKNOWN_WORKER: worker : 2 (expected: in [0, 2))", e.getMessage());
    }

    /** A NaN is refused and nothing is applied; the connection stays usable and the step completes afterwards. */
    @Test
    void nonFinitePushIsRefusedAndTheConnectionStaysUsable() throws Exception {
        try (ShardConnection w0 = connect(0, TIMEOUT); ShardConnection w1 = connect(1, TIMEOUT)) {
            float[] bad = random(PARAMETERS, 3);
            bad[17] = Float.NaN;
            float[] dst = new float[PARAMETERS];
            ParameterServerException e = assertThrows(ParameterServerException.class,
                    () -> w0.pushPull(0, 0, 0, 64, none(), bad, dst));
            assertEquals(ErrorCode.NON_FINITE_VALUES, e.code());
            assertEquals(0, aggregator.step());
            assertArrayEquals(initial, aggregator.parameters());
            CompletableFuture<Long> other = background(() -> w1.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 4),
                    new float[PARAMETERS]));
            assertEquals(1, w0.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 5), dst));
            assertEquals(1, other.get(10, TimeUnit.SECONDS));
            ParameterServerException replay = assertThrows(ParameterServerException.class,
                    () -> w0.pushPull(0, 1, 0, 64, none(), random(PARAMETERS, 6), dst));
            assertEquals(ErrorCode.DUPLICATE_PUSH, replay.code());
        }
    }

    /** int8 pushes are encoded and decoded as on the wire: the server applies the decoded values. */
    @Test
    void compressedPushAppliesTheDecodedValues() throws Exception {
        SyncAggregator<Waiter> single = new SyncAggregator<>(initial, sgd.create(PARAMETERS), 1,
                Duration.ofSeconds(30), System::nanoTime);
        InProcessEndpoint one = new InProcessEndpoint(new Authenticator(secret), ShardState.of(single, 1 << 20));
        try (ShardConnection w = one.connect(0, secret, TIMEOUT).orElseThrow()) {
            float[] g = random(PARAMETERS, 7);
            float[] dst = new float[PARAMETERS];
            w.pushPull(0, 0, 0, 64, new PushEncoder(PushCodecs.create("int8", 0.01, 0.01), PARAMETERS), g, dst);
            float[] decoded = new float[PARAMETERS];
            PushEncoder encoder = new PushEncoder(PushCodecs.create("int8", 0.01, 0.01), PARAMETERS);
            PushCodecs.decoder(encoder.codec().id()).decode(encoder.encode(g), decoded);
            assertFalse(java.util.Arrays.equals(g, decoded));
            float[] expected = initial.clone();
            sgd.create(PARAMETERS).step(expected, decoded);
            assertArrayEquals(expected, dst);
        } finally {
            one.close();
            single.close();
        }
    }

    /** A worker waiting for a step that never completes gives up after its timeout, and its push is withdrawn. */
    @Test
    void waitingLongerThanTheTimeoutFailsAndWithdrawsThePush() throws IOException {
        ShardConnection w0 = connect(0, Duration.ofMillis(200));
        float[] dst = new float[PARAMETERS];
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> w0.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 8), dst));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
        assertThrows(IllegalStateException.class, () -> w0.pull(dst));
        assertEquals(0, endpoint.openConnections());
        // the withdrawn push no longer counts: a fresh connection may push for step 0 again
        try (ShardConnection again = connect(0, TIMEOUT); ShardConnection w1 = connect(1, TIMEOUT)) {
            CompletableFuture<Long> other = background(() -> w1.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 9),
                    new float[PARAMETERS]));
            assertEquals(1, again.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 8), dst));
            assertEquals(1, assertDoesNotFail(other));
        }
    }

    /** Closing from another thread (a cancelled task) or closing the server wakes a waiting worker at once. */
    @Test
    void closeFromAnotherThreadAndServerCloseWakeAWaitingWorker() throws Exception {
        ShardConnection w0 = connect(0, TIMEOUT);
        CompletableFuture<Long> waiting = pushInBackground(w0);
        Thread.sleep(100);
        assertFalse(waiting.isDone());
        w0.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof AsynchronousCloseException, e.toString());

        ShardConnection w1 = connect(1, TIMEOUT);
        CompletableFuture<Long> second = pushInBackground(w1);
        Thread.sleep(100);
        endpoint.close();
        e = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof AsynchronousCloseException, e.toString());
        assertTrue(endpoint.connect(0, secret, TIMEOUT).isEmpty());
        assertEquals(0, aggregator.step());
    }

    private static CompletableFuture<Long> pushInBackground(ShardConnection w) {
        return background(() -> w.pushPull(0, 0, 0, 64, none(), random(PARAMETERS, 11), new float[PARAMETERS]));
    }

    /** A request that blocks until the step completes. */
    @FunctionalInterface
    private interface Request {
        long run() throws IOException;
    }

    /** Runs {@code request} on another thread (an I/O failure becomes the future's cause's cause). */
    private static CompletableFuture<Long> background(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return request.run();
            } catch (IOException x) {
                throw new RuntimeException(x);
            }
        });
    }

    private static long assertDoesNotFail(CompletableFuture<Long> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
