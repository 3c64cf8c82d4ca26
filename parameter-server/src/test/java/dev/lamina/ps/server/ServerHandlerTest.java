package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TestFrames;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's pipeline (codec and handler) driven in memory through {@link EmbeddedChannel}s. */
class ServerHandlerTest {
    private static final int PARAMETERS = 2000;
    private final byte[] secret = Secrets.newSecret();
    private final Authenticator authenticator = new Authenticator(secret);
    private final float[] initial = new float[PARAMETERS];
    private final SyncAggregator<Waiter> aggregator = new SyncAggregator<>(initial,
            OptimizerConfig.defaults().create(PARAMETERS), 2, Duration.ofSeconds(5), System::nanoTime);
    private final ServerHandler.Context context = new ServerHandler.Context(authenticator, aggregator,
            (int) FrameFormat.pushFrameBytes(PARAMETERS), Duration.ofSeconds(30));

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(ServerHandler.pipeline(context));
    }

    private static Message.Challenge challenge(EmbeddedChannel channel) {
        return assertInstanceOf(Message.Challenge.class, TestFrames.readOutbound(channel).message());
    }

    /** Runs the handshake as worker {@code workerId} with {@code key}; returns the server's reply. */
    private static Frame hello(EmbeddedChannel channel, Authenticator key, int workerId, byte[] clientNonce) {
        Message.Challenge challenge = challenge(channel);
        byte[] mac = key.clientMac(challenge.serverNonce(), clientNonce, workerId);
        TestFrames.writeInbound(channel, TestFrames.encode(1, new Message.Hello(workerId, clientNonce, mac)));
        return TestFrames.readOutbound(channel);
    }

    private EmbeddedChannel authenticated(int workerId) {
        EmbeddedChannel channel = connect();
        assertInstanceOf(Message.AuthOk.class, hello(channel, authenticator, workerId, Secrets.randomBytes(32)).message());
        return channel;
    }

    private static float[] gradient(float value) {
        float[] g = new float[PARAMETERS];
        java.util.Arrays.fill(g, value);
        return g;
    }

    @Test
    void correctSecretIsAcceptedAndTheServerProvesItKnowsIt() {
        EmbeddedChannel channel = connect();
        Message.Challenge challenge = challenge(channel);
        byte[] clientNonce = Secrets.randomBytes(32);
        byte[] mac = authenticator.clientMac(challenge.serverNonce(), clientNonce, 1);
        TestFrames.writeInbound(channel, TestFrames.encode(1, new Message.Hello(1, clientNonce, mac)));
        Frame reply = TestFrames.readOutbound(channel);
        assertEquals(1, reply.requestId());
        Message.AuthOk ok = assertInstanceOf(Message.AuthOk.class, reply.message());
        assertArrayEquals(authenticator.serverMac(clientNonce, challenge.serverNonce()), ok.serverMac());
        assertEquals(PARAMETERS, ok.parameterCount());
        assertEquals(0, ok.currentStep());
        assertTrue(channel.isOpen());
    }

    @Test
    void eachConnectionGetsAFreshChallenge() {
        assertFalse(java.util.Arrays.equals(challenge(connect()).serverNonce(), challenge(connect()).serverNonce()));
    }

    @Test
    void wrongSecretIsRefusedAndClosed() {
        EmbeddedChannel channel = connect();
        Frame reply = hello(channel, new Authenticator(Secrets.newSecret()), 0, Secrets.randomBytes(32));
        assertEquals(ErrorCode.AUTH_FAILED, assertInstanceOf(Message.Failure.class, reply.message()).code());
        assertFalse(channel.isOpen());
    }

    @Test
    void pushBeforeHelloRequiresAuthentication() {
        EmbeddedChannel channel = connect();
        challenge(channel);
        TestFrames.writeInbound(channel, TestFrames.encode(4,
                new Message.PushGradient(0, 0, 0, 0, 0, new float[10])));
        Frame reply = TestFrames.readOutbound(channel);
        assertEquals(4, reply.requestId());
        assertEquals(ErrorCode.AUTH_REQUIRED, assertInstanceOf(Message.Failure.class, reply.message()).code());
        assertFalse(channel.isOpen());
        assertEquals(0, aggregator.step());
    }

    @Test
    void largeFrameBeforeAuthenticationHitsTheSmallLimit() {
        EmbeddedChannel channel = connect();
        challenge(channel);
        byte[] push = TestFrames.encode(2, new Message.PushGradient(0, 0, 0, 0, 0, gradient(1f)));
        assertTrue(push.length > FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
        // The header alone is enough to refuse it.
        TestFrames.writeInbound(channel, java.util.Arrays.copyOf(push, FrameFormat.HEADER_BYTES));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, TestFrames.readFailure(channel).code());
        assertFalse(channel.isOpen());
    }

    @Test
    void afterAuthenticationFullSizedPushesAreAccepted() {
        EmbeddedChannel worker0 = authenticated(0);
        EmbeddedChannel worker1 = authenticated(1);
        TestFrames.writeInbound(worker0, TestFrames.encode(7, new Message.PushGradient(0, 0, 0, 0, 0, gradient(1f))));
        assertNull(worker0.readOutbound(), "worker 0 waits for worker 1");
        TestFrames.writeInbound(worker1, TestFrames.encode(9, new Message.PushGradient(1, 0, 0, 0, 0, gradient(3f))));

        Frame reply0 = TestFrames.readOutbound(worker0);
        Frame reply1 = TestFrames.readOutbound(worker1);
        assertEquals(7, reply0.requestId());
        assertEquals(9, reply1.requestId());
        Message.Params params = assertInstanceOf(Message.Params.class, reply0.message());
        assertEquals(1, params.step());
        assertArrayEquals(params.values(), ((Message.Params) reply1.message()).values());
        // SGD lr 0.05 from 0 with the average gradient 2: -0.1
        assertEquals(-0.1f, params.values()[0], 1e-7f);
        assertEquals(1, aggregator.step());
    }

    @Test
    void timingQueryReportsHowLongEachWorkersPushWaited() {
        EmbeddedChannel worker0 = authenticated(0);
        EmbeddedChannel worker1 = authenticated(1);
        TestFrames.writeInbound(worker0, TestFrames.encode(7, new Message.PushGradient(0, 0, 0, 0, 0, gradient(1f))));
        TestFrames.writeInbound(worker1, TestFrames.encode(9, new Message.PushGradient(1, 0, 0, 0, 0, gradient(3f))));
        TestFrames.readOutbound(worker0);
        TestFrames.readOutbound(worker1);
        TestFrames.writeInbound(worker0, TestFrames.encode(10, new Message.TimingQuery()));
        Frame reply = TestFrames.readOutbound(worker0);
        assertEquals(10, reply.requestId());
        Message.Timing timing = assertInstanceOf(Message.Timing.class, reply.message());
        assertEquals(1, timing.steps());
        assertTrue(timing.waitNanos() > 0, "worker 0 pushed first and waited: " + timing);
        assertTrue(timing.applyNanos() > 0, timing.toString());
        TestFrames.writeInbound(worker1, TestFrames.encode(11, new Message.TimingQuery()));
        assertEquals(0, assertInstanceOf(Message.Timing.class, TestFrames.readOutbound(worker1).message()).waitNanos(),
                "the last pusher waits for nobody");
    }

    @Test
    void pullReturnsTheCurrentParameters() {
        EmbeddedChannel channel = authenticated(0);
        TestFrames.writeInbound(channel, TestFrames.encode(3, new Message.Pull()));
        Frame reply = TestFrames.readOutbound(channel);
        assertEquals(3, reply.requestId());
        Message.Params params = assertInstanceOf(Message.Params.class, reply.message());
        assertEquals(0, params.step());
        assertArrayEquals(initial, params.values());
    }

    @Test
    void refusedPushKeepsTheConnectionOpen() {
        EmbeddedChannel channel = authenticated(0);
        float[] bad = gradient(1f);
        bad[5] = Float.POSITIVE_INFINITY;
        TestFrames.writeInbound(channel, TestFrames.encode(3, new Message.PushGradient(0, 0, 0, 0, 0, bad)));
        Message.Failure failure = TestFrames.readFailure(channel);
        assertEquals(ErrorCode.NON_FINITE_VALUES, failure.code());
        assertTrue(failure.message().contains("worker 0 step 0"), failure.message());
        assertTrue(channel.isOpen());

        TestFrames.writeInbound(channel, TestFrames.encode(4, new Message.PushGradient(1, 0, 0, 0, 0, gradient(1f))));
        assertEquals(ErrorCode.UNKNOWN_WORKER, TestFrames.readFailure(channel).code());
        assertTrue(channel.isOpen());
    }

    @Test
    void workerIdOutsideTheJobIsRefused() {
        EmbeddedChannel channel = connect();
        Frame reply = hello(channel, authenticator, 2, Secrets.randomBytes(32));
        assertEquals(ErrorCode.UNKNOWN_WORKER, assertInstanceOf(Message.Failure.class, reply.message()).code());
        assertFalse(channel.isOpen());
    }

    @Test
    void unexpectedMessageAfterAuthenticationCloses() {
        EmbeddedChannel channel = authenticated(0);
        TestFrames.writeInbound(channel, TestFrames.encode(5, new Message.Params(0, new float[1])));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, TestFrames.readFailure(channel).code());
        assertFalse(channel.isOpen());
    }

    @Test
    void connectionThatNeverAuthenticatesIsClosed() {
        EmbeddedChannel channel = connect();
        challenge(channel);
        channel.advanceTimeBy(31, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(ErrorCode.TIMEOUT, TestFrames.readFailure(channel).code());
        assertFalse(channel.isOpen());
    }
}
