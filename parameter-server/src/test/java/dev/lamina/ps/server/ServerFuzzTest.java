package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TestFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames against the server pipeline (codec and handler, in memory): the server
 * must answer or close, never throw, and never change the parameters, since no worker ever completes a
 * step (the job has two workers; only worker 0 is ever fuzzed). Then an honest step still works.
 */
class ServerFuzzTest {
    private static final int PARAMETERS = 16;
    private static final int CASES = 100_000;
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("dev.lamina.ps")
    };

    private final byte[] secret = Secrets.newSecret();
    private final Authenticator authenticator = new Authenticator(secret);
    private final float[] initial = new float[PARAMETERS];
    private final AtomicLong clock = new AtomicLong();
    private final SyncAggregator<Waiter> aggregator;
    private final ServerHandler.Context context;

    ServerFuzzTest() {
        Arrays.fill(initial, 0.25f);
        aggregator = new SyncAggregator<>(initial, OptimizerConfig.defaults().create(PARAMETERS), 2,
                Duration.ofSeconds(5), clock::get);
        context = new ServerHandler.Context(authenticator, aggregator, (int) FrameFormat.pushFrameBytes(PARAMETERS),
                Duration.ofSeconds(30));
    }

    @BeforeAll
    static void quiet() {
        QUIET[0].setLevel(Level.OFF);
    }

    @AfterAll
    static void loud() {
        QUIET[0].setLevel(null);
    }

    private EmbeddedChannel authenticated(int workerId) {
        return authenticated(context, authenticator, workerId);
    }

    /** An in-memory server connection on which worker {@code workerId} has passed the handshake. */
    static EmbeddedChannel authenticated(ServerHandler.Context context, Authenticator authenticator, int workerId) {
        EmbeddedChannel channel = new EmbeddedChannel(ServerHandler.pipeline(context));
        Message.Challenge challenge = (Message.Challenge) TestFrames.readOutbound(channel).message();
        byte[] nonce = Secrets.randomBytes(32);
        byte[] mac = authenticator.clientMac(challenge.serverNonce(), nonce, workerId);
        TestFrames.writeInbound(channel, TestFrames.encode(1, new Message.Hello(workerId, nonce, mac)));
        assertInstanceOf(Message.AuthOk.class, TestFrames.readOutbound(channel).message());
        return channel;
    }

    /** The valid frames mutations start from. */
    private byte[][] seeds(SplittableRandom random) {
        float[] g = new float[PARAMETERS];
        for (int i = 0; i < PARAMETERS; i++) {
            g[i] = (float) random.nextGaussian();
        }
        return new byte[][] {
            TestFrames.encode(2, new Message.PushGradient(0, 0, 0, 0, 64, g)),
            TestFrames.encode(3, new Message.Pull()),
            TestFrames.encode(4, new Message.ProgressQuery()),
            TestFrames.encode(5, new Message.Hello(0, new byte[32], new byte[32])),
            TestFrames.encode(6, new Message.Failure(ErrorCode.INTERNAL, "x")),
            TestFrames.encode(7, new Message.Params(0, g)),
        };
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] bytes = seed.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int k = random.nextInt(1, 5); k > 0; k--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 2 -> {
                bytes = Arrays.copyOf(bytes, bytes.length + random.nextInt(1, 64));
                for (int i = seed.length; i < bytes.length; i++) {
                    bytes[i] = (byte) random.nextInt();
                }
            }
            case 3 -> {
                int at = 4 + random.nextInt(FrameFormat.HEADER_BYTES - 4);
                bytes[at] = (byte) random.nextInt();
            }
            default -> {
                int length = random.nextInt(-8, bytes.length * 2);
                bytes[14] = (byte) (length >>> 24);
                bytes[15] = (byte) (length >>> 16);
                bytes[16] = (byte) (length >>> 8);
                bytes[17] = (byte) length;
            }
        }
        return bytes;
    }

    @Test
    void randomAndMutatedFramesNeverCrashTheServerOrChangeTheParameters() {
        SplittableRandom random = new SplittableRandom(20261124);
        byte[][] seeds = seeds(random);
        int answered = 0;
        for (int c = 0; c < CASES; c++) {
            boolean authenticate = random.nextBoolean();
            EmbeddedChannel channel = authenticate ? authenticated(0) : new EmbeddedChannel(ServerHandler.pipeline(context));
            byte[] bytes;
            if (random.nextInt(4) == 0) {
                bytes = new byte[random.nextInt(0, 200)];
                random.nextBytes(bytes);
            } else {
                bytes = mutate(seeds[random.nextInt(seeds.length)], random);
            }
            int split = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            if (channel.isOpen()) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            }
            channel.checkException();
            for (Object out; (out = channel.readOutbound()) != null; ) {
                answered++;
                ((ByteBuf) out).release();
            }
            channel.finishAndReleaseAll();
        }
        assertTrue(answered > CASES / 2, "most cases got an answer: " + answered);
        assertEquals(0, aggregator.step(), "no step ever completed");
        assertArrayEquals(initial, aggregator.parameters());
        honestStepStillWorks();
    }

    private void honestStepStillWorks() {
        EmbeddedChannel w0 = authenticated(0);
        EmbeddedChannel w1 = authenticated(1);
        float[] ones = new float[PARAMETERS];
        Arrays.fill(ones, 1f);
        TestFrames.writeInbound(w0, TestFrames.encode(10, new Message.PushGradient(0, 1, 0, 0, 64, ones)));
        TestFrames.writeInbound(w1, TestFrames.encode(11, new Message.PushGradient(1, 1, 0, 0, 64, ones)));
        Message.Params params = assertInstanceOf(Message.Params.class, TestFrames.readOutbound(w0).message());
        assertEquals(1, params.step());
        assertEquals(0.25f - 0.05f, params.values()[0], 1e-7f);
    }

    @Test
    void truncatedPushThenDisconnectLeavesNothingBehind() {
        EmbeddedChannel w0 = authenticated(0);
        float[] g = new float[PARAMETERS];
        Arrays.fill(g, 9f);
        byte[] push = TestFrames.encode(2, new Message.PushGradient(0, 0, 0, 0, 64, g));
        w0.writeInbound(Unpooled.wrappedBuffer(push, 0, push.length - 7));
        w0.close();
        w0.checkException();
        assertArrayEquals(initial, aggregator.parameters());
        honestStepStillWorks();
    }

    @Test
    void stalledClientTimesOutTheStepForTheOthersAndChangesNothing() {
        EmbeddedChannel w0 = authenticated(0);
        EmbeddedChannel stalled = authenticated(1);
        float[] g = new float[PARAMETERS];
        Arrays.fill(g, 1f);
        TestFrames.writeInbound(w0, TestFrames.encode(2, new Message.PushGradient(0, 0, 0, 0, 64, g)));
        byte[] push = TestFrames.encode(3, new Message.PushGradient(1, 0, 0, 0, 64, g));
        stalled.writeInbound(Unpooled.wrappedBuffer(push, 0, push.length / 2));
        assertNull(w0.readOutbound(), "worker 0 waits for the stalled worker");
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        List<Reply<Waiter>> replies = aggregator.expire();
        ServerHandler.deliver(replies);
        Message.Failure failure = TestFrames.readFailure(w0);
        assertEquals(ErrorCode.TIMEOUT, failure.code());
        assertTrue(failure.message().contains("workers [1] of 2 did not push"), failure.message());
        assertArrayEquals(initial, aggregator.parameters());
        assertTrue(w0.isOpen(), "a timeout is retriable on the same connection");
        stalled.close();
    }
}
