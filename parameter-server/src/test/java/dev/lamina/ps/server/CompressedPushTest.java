package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TestFrames;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Compressed pushes through the server's pipeline (EmbeddedChannel): decoded, then summed as raw ones. */
class CompressedPushTest {
    private static final int PARAMETERS = 1000;
    private final byte[] secret = Secrets.newSecret();
    private final Authenticator authenticator = new Authenticator(secret);
    private final SyncAggregator<Waiter> aggregator = new SyncAggregator<>(new float[PARAMETERS],
            OptimizerConfig.defaults().create(PARAMETERS), 2, Duration.ofSeconds(5), System::nanoTime);
    private final ServerHandler.Context context = new ServerHandler.Context(authenticator, aggregator,
            (int) FrameFormat.maxPushFrameBytes(PARAMETERS), Duration.ofSeconds(30));

    private static final float[] PARAMETERS_RAMP = ramp();

    private static float[] ramp() {
        float[] values = new float[PARAMETERS];
        for (int i = 0; i < PARAMETERS; i++) {
            values[i] = (i % 7 - 3) * 0.25f + i * 1e-4f;
        }
        return values;
    }

    private EmbeddedChannel authenticated(int workerId) {
        return authenticated(context, workerId);
    }

    private EmbeddedChannel authenticated(ServerHandler.Context serverContext, int workerId) {
        EmbeddedChannel channel = new EmbeddedChannel(ServerHandler.pipeline(serverContext));
        Message.Challenge challenge = assertInstanceOf(Message.Challenge.class,
                TestFrames.readOutbound(channel).message());
        byte[] nonce = Secrets.randomBytes(32);
        byte[] mac = authenticator.clientMac(challenge.serverNonce(), nonce, workerId);
        TestFrames.writeInbound(channel, TestFrames.encode(1, new Message.Hello(workerId, nonce, mac)));
        assertInstanceOf(Message.AuthOk.class, TestFrames.readOutbound(channel).message());
        return channel;
    }

    private static Message.PushCompressed compressed(int workerId, String codec, float[] update) {
        ByteBuffer encoded = new PushEncoder(PushCodecs.create(codec, 0.1, 0.5), PARAMETERS).encode(update);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return new Message.PushCompressed(workerId, 0, 0, 0, 0, PushCodecs.NAMES.indexOf(codec), PARAMETERS, bytes);
    }

    private static float[] filled(float value) {
        float[] values = new float[PARAMETERS];
        Arrays.fill(values, value);
        return values;
    }

    @Test
    void compressedAndRawPushesAreAveragedTogether() {
        EmbeddedChannel worker0 = authenticated(0);
        EmbeddedChannel worker1 = authenticated(1);
        float[] sparse = new float[PARAMETERS];
        sparse[17] = 8f;
        sparse[400] = -4f;
        TestFrames.writeInbound(worker0, TestFrames.encode(7, compressed(0, "topk", sparse)));
        assertNull(worker0.readOutbound(), "worker 0 waits for worker 1");
        TestFrames.writeInbound(worker1, TestFrames.encode(9, new Message.PushGradient(1, 0, 0, 0, 0, filled(2f))));

        Message.Params params = assertInstanceOf(Message.Params.class, TestFrames.readOutbound(worker0).message());
        assertEquals(1, params.step());
        // SGD lr 0.05 from 0 with the average gradient (sparse + 2) / 2
        assertEquals(-0.05f * 5f, params.values()[17], 1e-6f);
        assertEquals(-0.05f * -1f, params.values()[400], 1e-6f);
        assertEquals(-0.05f * 1f, params.values()[0], 1e-6f);
        assertArrayEquals(params.values(), ((Message.Params) TestFrames.readOutbound(worker1).message()).values());
    }

    @Test
    void everyCodecDecodesIntoTheWorkersSlot() {
        float[] update = PARAMETERS_RAMP.clone();
        for (String codec : PushCodecs.NAMES) {
            SyncAggregator<Waiter> single = new SyncAggregator<>(new float[PARAMETERS],
                    OptimizerConfig.defaults().create(PARAMETERS), 1, Duration.ofSeconds(5), System::nanoTime);
            EmbeddedChannel channel = authenticated(new ServerHandler.Context(authenticator, single,
                    (int) FrameFormat.maxPushFrameBytes(PARAMETERS), Duration.ofSeconds(30)), 0);
            Message.PushCompressed push = compressed(0, codec, update);
            float[] decoded = new float[PARAMETERS];
            PushCodecs.decoder(push.codecId()).decode(ByteBuffer.wrap(push.encoded())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN), decoded);
            TestFrames.writeInbound(channel, TestFrames.encode(4, push));
            Message.Params params = assertInstanceOf(Message.Params.class, TestFrames.readOutbound(channel).message(),
                    codec);
            for (int i = 0; i < PARAMETERS; i++) {
                assertEquals(-0.05f * decoded[i], params.values()[i], 1e-6f, codec + " at " + i);
            }
            assertTrue(decoded[993] != 0, codec + " sent the largest entries");
        }
    }

    @Test
    void nonFiniteValuesAreRefusedAfterDecoding() {
        EmbeddedChannel channel = authenticated(0);
        float[] update = filled(1f);
        update[5] = 1e6f;
        TestFrames.writeInbound(channel, TestFrames.encode(3, compressed(0, "fp16", update)));
        Message.Failure failure = TestFrames.readFailure(channel);
        assertEquals(ErrorCode.NON_FINITE_VALUES, failure.code());
        assertTrue(failure.message().contains("gradient[5] : Infinity"), failure.message());
        assertTrue(channel.isOpen());
        assertEquals(0, aggregator.step());
    }

    @Test
    void malformedEncodingIsRefusedAndClosed() {
        EmbeddedChannel channel = authenticated(0);
        Message.PushCompressed valid = compressed(0, "topk", filled(1f));
        ByteBuffer.wrap(valid.encoded()).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(4 + 4 * 3, PARAMETERS);
        TestFrames.writeInbound(channel, TestFrames.encode(3, valid));
        Message.Failure failure = TestFrames.readFailure(channel);
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, failure.code());
        assertTrue(failure.message().contains("topk index[3] : 1000"), failure.message());
        assertFalse(channel.isOpen());
        assertEquals(0, aggregator.step());
    }

    @Test
    void unknownCodecAndWrongCountAreRefused() {
        EmbeddedChannel unknown = authenticated(0);
        TestFrames.writeInbound(unknown, TestFrames.encode(3,
                new Message.PushCompressed(0, 0, 0, 0, 0, 9, PARAMETERS, new byte[8])));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, TestFrames.readFailure(unknown).code());
        assertFalse(unknown.isOpen());

        EmbeddedChannel wrongCount = authenticated(1);
        TestFrames.writeInbound(wrongCount, TestFrames.encode(3,
                new Message.PushCompressed(1, 0, 0, 0, 0, 1, Integer.MAX_VALUE, new byte[8])));
        Message.Failure failure = TestFrames.readFailure(wrongCount);
        assertEquals(ErrorCode.WRONG_SIZE, failure.code());
        assertTrue(failure.message().contains("count : 2147483647 (expected: 1000)"), failure.message());
    }

    @Test
    void randomCompressedPayloadsNeverReachTheParameters() {
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            EmbeddedChannel channel = authenticated(trial % 2);
            byte[] bytes = new byte[random.nextInt(64)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            int codec = 3 + random.nextInt(2);
            TestFrames.writeInbound(channel, TestFrames.encode(3,
                    new Message.PushCompressed(trial % 2, 0, 0, 0, 0, codec, PARAMETERS, bytes)));
            Frame reply = TestFrames.readOutbound(channel);
            Message.Failure failure = assertInstanceOf(Message.Failure.class, reply.message(), "trial " + trial);
            assertEquals(ErrorCode.MALFORMED_PAYLOAD, failure.code(), failure.message());
            assertFalse(channel.isOpen());
        }
        assertEquals(0, aggregator.step());
    }
}
