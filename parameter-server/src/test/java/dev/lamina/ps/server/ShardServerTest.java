package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.ShardRange;
import dev.lamina.ps.protocol.TestFrames;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A standalone shard's pipeline in memory: the driver's SHARD_INIT, its validation, and workers on the range. */
class ShardServerTest {
    private static final int TOTAL = 11;
    private static final int WORKERS = 2;
    private static final OptimizerConfig ADAM = OptimizerConfig.defaults().withType("adam").withLearningRate(0.01);
    private static final ShardRange RANGE = ShardRange.split(TOTAL, 2).get(1);

    private final byte[] secret = Secrets.newSecret();
    private final Authenticator authenticator = new Authenticator(secret);
    private final ShardState shard = ShardState.awaitingInit(1 << 20);
    private final ServerHandler.Context context = new ServerHandler.Context(authenticator, shard, Duration.ofSeconds(30));

    private static float[] initial() {
        float[] p = new float[TOTAL];
        for (int i = 0; i < TOTAL; i++) {
            p[i] = (float) Math.sin(i + 1.0);
        }
        return p;
    }

    private static float[] gradient(int worker, long step, int from, int to) {
        float[] g = new float[to - from];
        for (int i = from; i < to; i++) {
            g[i - from] = (float) Math.cos(0.7 * i + worker + 0.3 * step) / (1 + worker);
        }
        return g;
    }

    private Frame hello(EmbeddedChannel channel, Authenticator key, int id) {
        Message.Challenge challenge = assertInstanceOf(Message.Challenge.class, TestFrames.readOutbound(channel).message());
        byte[] nonce = Secrets.randomBytes(Message.NONCE_BYTES);
        TestFrames.writeInbound(channel, TestFrames.encode(1,
                new Message.Hello(id, nonce, key.clientMac(challenge.serverNonce(), nonce, id))));
        return TestFrames.readOutbound(channel);
    }

    private EmbeddedChannel authenticated(int id) {
        EmbeddedChannel channel = new EmbeddedChannel(ServerHandler.pipeline(context));
        assertInstanceOf(Message.AuthOk.class, hello(channel, authenticator, id).message());
        return channel;
    }

    private static Message.ShardInit init(int total, int offset, int workers, OptimizerConfig optimizer, byte[] state) {
        return new Message.ShardInit(total, offset, workers, false, 0, 10_000, optimizer, state);
    }

    private static byte[] freshPart(OptimizerConfig optimizer, int workers) {
        Checkpoint whole = ShardedCheckpoints.fresh(initial(), optimizer, workers);
        return CheckpointCodec.encode(ShardedCheckpoints.split(whole, ShardRange.split(TOTAL, 2)).get(1));
    }

    private static Message request(EmbeddedChannel channel, long id, Message message) {
        TestFrames.writeInbound(channel, TestFrames.encode(id, message));
        Frame reply = TestFrames.readOutbound(channel);
        assertEquals(id, reply.requestId());
        return reply.message();
    }

    @Test
    void workerBeforeInitIsRefusedAndClosed() {
        EmbeddedChannel worker = new EmbeddedChannel(ServerHandler.pipeline(context));
        Message.Failure failure = assertInstanceOf(Message.Failure.class, hello(worker, authenticator, 0).message());
        assertEquals(ErrorCode.NOT_INITIALIZED, failure.code());
        assertTrue(failure.code().retriable());
        assertFalse(worker.isOpen());
    }

    @Test
    void driverWithAnotherSecretIsRefused() {
        EmbeddedChannel channel = new EmbeddedChannel(ServerHandler.pipeline(context));
        Message.Failure failure = assertInstanceOf(Message.Failure.class,
                hello(channel, new Authenticator(Secrets.newSecret()), Message.DRIVER_ID).message());
        assertEquals(ErrorCode.AUTH_FAILED, failure.code());
        assertFalse(channel.isOpen());
    }

    @Test
    void requestsBeforeInitAreAnsweredNotInitialized() {
        EmbeddedChannel driver = authenticated(Message.DRIVER_ID);
        Message.Failure f = assertInstanceOf(Message.Failure.class, request(driver, 2, new Message.SnapshotQuery()));
        assertEquals(ErrorCode.NOT_INITIALIZED, f.code());
        f = assertInstanceOf(Message.Failure.class, request(driver, 3, new Message.Pull()));
        assertEquals(ErrorCode.NOT_INITIALIZED, f.code());
        assertTrue(driver.isOpen());
    }

    private void assertInvalid(EmbeddedChannel driver, Message.ShardInit init, String expectedMessagePart) {
        Message.Failure f = assertInstanceOf(Message.Failure.class, request(driver, 7, init));
        assertEquals(ErrorCode.INVALID_INIT, f.code());
        assertTrue(f.message().contains(expectedMessagePart), f.message());
        assertTrue(driver.isOpen());
        assertFalse(shard.initialized());
    }

    @Test
    void invalidInitsAreRefusedNamingTheValueAndChangeNothing() {
        EmbeddedChannel driver = authenticated(Message.DRIVER_ID);
        assertInvalid(driver, init(TOTAL, RANGE.offset(), WORKERS, ADAM, new byte[] {1, 2, 3}),
                "SHARD_INIT state");
        assertInvalid(driver, init(TOTAL, 7, WORKERS, ADAM, freshPart(ADAM, WORKERS)),
                "parameters [7, 12) (expected: within the 11 parameters of the job)");
        assertInvalid(driver, init(TOTAL, RANGE.offset(), WORKERS, ADAM.withClipNorm(1.0), freshPart(ADAM, WORKERS)),
                "optimizer clipNorm : 1.0 on a shard holding 5 of 11 parameters (expected: 0");
        assertInvalid(driver, init(TOTAL, RANGE.offset(), 3, ADAM, freshPart(ADAM, WORKERS)),
                "checkpoint workers : 2 (expected: 3");
        assertInvalid(driver, init(TOTAL, RANGE.offset(), WORKERS, ADAM.withType("sgd"), freshPart(ADAM, WORKERS)),
                "checkpoint optimizer : adam (expected: sgd");
        float[] nan = new float[RANGE.count()];
        nan[2] = Float.NaN;
        Checkpoint bad = new Checkpoint(0, nan, "adam", 0, new float[2][RANGE.count()],
                ShardedCheckpoints.fresh(initial(), ADAM, WORKERS).workers(), dev.lamina.ps.checkpoint.JobState.NONE);
        assertInvalid(driver, init(TOTAL, RANGE.offset(), WORKERS, ADAM, CheckpointCodec.encode(bad)),
                "initialParameters[2] : NaN (expected: finite)");
    }

    @Test
    void initialisedShardStepsItsRangeLikeTheWholeServerAndSnapshots() throws IOException {
        EmbeddedChannel driver = authenticated(Message.DRIVER_ID);
        Message.ShardReady ready = assertInstanceOf(Message.ShardReady.class,
                request(driver, 2, init(TOTAL, RANGE.offset(), WORKERS, ADAM, freshPart(ADAM, WORKERS))));
        assertEquals(new Message.ShardReady(RANGE.offset(), RANGE.count(), 0), ready);
        Message.Failure again = assertInstanceOf(Message.Failure.class,
                request(driver, 3, init(TOTAL, RANGE.offset(), WORKERS, ADAM, freshPart(ADAM, WORKERS))));
        assertEquals(ErrorCode.ALREADY_INITIALIZED, again.code());

        SyncAggregator<String> whole = new SyncAggregator<>(initial(), ADAM.create(TOTAL), WORKERS,
                Duration.ofSeconds(10), System::nanoTime);
        EmbeddedChannel[] workers = new EmbeddedChannel[WORKERS];
        for (int w = 0; w < WORKERS; w++) {
            workers[w] = new EmbeddedChannel(ServerHandler.pipeline(context));
            Message.AuthOk ok = assertInstanceOf(Message.AuthOk.class, hello(workers[w], authenticator, w).message());
            assertEquals(RANGE.count(), ok.parameterCount());
        }
        float[] shardParams = null;
        for (long step = 0; step < 4; step++) {
            for (int w = 0; w < WORKERS; w++) {
                TestFrames.writeInbound(workers[w], TestFrames.encode(10 + step, new Message.PushGradient(w, 0, step,
                        step, step + 1, gradient(w, step, RANGE.offset(), RANGE.end()))));
                whole.push(new Message.PushGradient(w, 0, step, step, step + 1, gradient(w, step, 0, TOTAL)), "w" + w);
            }
            for (int w = 0; w < WORKERS; w++) {
                Message.Params p = assertInstanceOf(Message.Params.class, TestFrames.readOutbound(workers[w]).message());
                assertEquals(step + 1, p.step());
                shardParams = p.values();
            }
        }
        float[] expected = Arrays.copyOfRange(whole.parameters(), RANGE.offset(), RANGE.end());
        assertArrayEquals(expected, shardParams);
        Message.Params pulled = assertInstanceOf(Message.Params.class, request(driver, 4, new Message.Pull()));
        assertArrayEquals(expected, pulled.values());
        assertEquals(4, pulled.step());

        Message.Snapshot snapshot = assertInstanceOf(Message.Snapshot.class, request(driver, 5, new Message.SnapshotQuery()));
        Checkpoint part = CheckpointCodec.decode("test", snapshot.state());
        Checkpoint wholeCheckpoint = whole.checkpoint();
        Checkpoint expectedPart = ShardedCheckpoints.split(wholeCheckpoint, ShardRange.split(TOTAL, 2)).get(1);
        assertTrue(expectedPart.sameContents(part));
        whole.close();
    }

    @Test
    void driverMayNotPush() {
        EmbeddedChannel driver = authenticated(Message.DRIVER_ID);
        TestFrames.writeInbound(driver, TestFrames.encode(2, new Message.PushGradient(0, 0, 0, 0, 0, new float[3])));
        Message.Failure f = TestFrames.readFailure(driver);
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, f.code());
        assertFalse(driver.isOpen());
        assertEquals(List.of(), shard.expire());
    }
}
