package dev.lamina.ps.server;

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
import dev.lamina.ps.protocol.SharedParams;
import dev.lamina.ps.protocol.TestFrames;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The parameters a server sends are direct memory shared by every reply of a step, and freed by
 * reference counting, not by the garbage collector: one reference kept by mistake holds a whole
 * payload (hundreds of MB for a large model) for the rest of the job. Every path that hands out
 * parameters must give its reference back. After many steps, disconnects, timeouts and replies to a
 * closed connection, the server holds at most its few reusable buffers, and once closed, the
 * allocator holds exactly the bytes it held before.
 */
class ParamsBufferAccountingTest {
    private static final int PARAMETERS = 1000;
    /** A PARAMS payload: the step (long), the count (int) and the values. */
    private static final long PAYLOAD_BYTES = 8 + 4 + 4L * PARAMETERS;
    /** ParamsPublisher keeps this many buffers once no reply holds them. */
    private static final int KEPT = 3;

    private final byte[] secret = Secrets.newSecret();
    private final Authenticator authenticator = new Authenticator(secret);
    private final AtomicLong clock = new AtomicLong();

    /** Direct bytes held by buffers of the allocator {@link SharedParams} allocates from. */
    private static long directBytes() {
        return UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    private static float[] filled(float value) {
        float[] a = new float[PARAMETERS];
        Arrays.fill(a, value);
        return a;
    }

    private EmbeddedChannel authenticated(ServerHandler.Context context, int workerId) {
        return ServerFuzzTest.authenticated(context, authenticator, workerId);
    }

    private static void push(EmbeddedChannel channel, int workerId, long step) {
        TestFrames.writeInbound(channel, TestFrames.encode(100 + step, new Message.PushGradient(workerId, 0, step, step,
                64 * (step + 1), filled(0.01f * (workerId + 1)))));
    }

    /** The next frame on {@code channel} must be parameters after {@code step} (reading it frees the frame). */
    private static void expectParams(EmbeddedChannel channel, long step) {
        Message.Params params = assertInstanceOf(Message.Params.class, TestFrames.readOutbound(channel).message());
        assertEquals(step, params.step());
    }

    private static void assertHoldsAtMostKeptPayloads(long before, String when) {
        long held = directBytes() - before;
        assertTrue(held <= KEPT * PAYLOAD_BYTES, when + " the server holds " + held + " direct bytes (expected: at most "
                + KEPT + " payloads of " + PAYLOAD_BYTES + ")");
    }

    /** Closes the connections and the server; then the allocator must hold what it held {@code before}. */
    private static void closeAndAssertFreed(long before, Aggregator<?> aggregator, EmbeddedChannel... channels) {
        for (EmbeddedChannel channel : channels) {
            channel.close();
        }
        aggregator.close();
        assertEquals(before, directBytes(), "direct bytes still held after the server closed");
    }

    private ServerHandler.Context context(Aggregator<Waiter> aggregator) {
        return new ServerHandler.Context(authenticator, aggregator, (int) FrameFormat.pushFrameBytes(PARAMETERS),
                Duration.ofSeconds(30));
    }

    @Test
    void syncServerGivesBackEveryPayloadReference() {
        long before = directBytes();
        SyncAggregator<Waiter> aggregator = new SyncAggregator<>(filled(0.5f),
                OptimizerConfig.defaults().withMomentum(0.9).create(PARAMETERS), 2, Duration.ofSeconds(5), clock::get);
        ServerHandler.Context context = context(aggregator);
        EmbeddedChannel w0 = authenticated(context, 0);
        EmbeddedChannel w1 = authenticated(context, 1);
        long step = 0;
        for (; step < 50; step++) {
            TestFrames.writeInbound(w0, TestFrames.encode(99, new Message.Pull()));
            expectParams(w0, step);
            push(w0, 0, step);
            assertNull(w0.readOutbound(), "worker 0 waits for worker 1");
            push(w1, 1, step);
            expectParams(w0, step + 1);
            expectParams(w1, step + 1);
        }
        assertEquals(50, aggregator.step());
        assertHoldsAtMostKeptPayloads(before, "after 50 steps");

        // worker 1 drops mid-step: its push is withdrawn, it reconnects and the step completes
        push(w1, 1, step);
        w1.close();
        EmbeddedChannel again = authenticated(context, 1);
        push(again, 1, step);
        push(w0, 0, step);
        expectParams(again, step + 1);
        expectParams(w0, step + 1);
        step++;

        // a step that times out answers with refusals, and a retry on the same connection works
        push(w0, 0, step);
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        ServerHandler.deliver(aggregator.expire());
        assertEquals(ErrorCode.TIMEOUT, TestFrames.readFailure(w0).code());
        push(w0, 0, step);
        push(again, 1, step);
        expectParams(w0, step + 1);
        expectParams(again, step + 1);

        // parameters answered to a connection that closed in the meantime are freed by the transport
        EmbeddedChannel gone = authenticated(context, 0);
        gone.close();
        ServerHandler.deliver(aggregator.pull(0, new ServerHandler.ChannelWaiter(gone, 7)));

        closeAndAssertFreed(before, aggregator, w0, again);
    }

    /**
     * Replies still being sent keep their buffers; the publisher then encodes into new ones and drops
     * the oldest beyond the few it keeps. Once the slow replies finish, all of it is freed.
     */
    @Test
    void buffersHeldBySlowRepliesAreFreedWhenTheRepliesFinish() {
        long before = directBytes();
        SyncAggregator<String> aggregator = new SyncAggregator<>(filled(0.5f),
                OptimizerConfig.defaults().create(PARAMETERS), 1, Duration.ofSeconds(5), clock::get);
        List<SharedParams.Lease> inFlight = new ArrayList<>();
        for (long step = 0; step < 2 * KEPT + 2; step++) {
            inFlight.add(SyncAggregatorTest.pull(aggregator));
            List<Reply<String>> replies = SyncAggregatorTest.push(aggregator, 0, step, filled(1f), "w");
            assertEquals(1, replies.size());
            SyncAggregatorTest.updated(replies.get(0)).release();
        }
        assertTrue(directBytes() - before >= inFlight.size() * PAYLOAD_BYTES,
                "every step's payload is still held by its reply: " + (directBytes() - before) + " bytes");
        for (SharedParams.Lease lease : inFlight) {
            lease.release();
        }
        for (long step = 2 * KEPT + 2; step < 4 * KEPT; step++) {
            SyncAggregatorTest.updated(SyncAggregatorTest.push(aggregator, 0, step, filled(1f), "w").get(0)).release();
        }
        assertHoldsAtMostKeptPayloads(before, "once the replies finished");
        closeAndAssertFreed(before, aggregator);
    }

    @Test
    void asyncServerGivesBackEveryPayloadReference() {
        long before = directBytes();
        AsyncAggregator<Waiter> aggregator = new AsyncAggregator<>(filled(0.5f),
                OptimizerConfig.defaults().create(PARAMETERS), 2, 1, Duration.ofSeconds(5), clock::get);
        ServerHandler.Context context = context(aggregator);
        EmbeddedChannel w0 = authenticated(context, 0);
        EmbeddedChannel w1 = authenticated(context, 1);
        // worker 0 runs ahead of worker 1 by at most the staleness (1): its second push waits
        push(w0, 0, 0);
        expectParams(w0, 1);
        push(w0, 0, 1);
        assertNull(w0.readOutbound(), "worker 0 is held two pushes ahead of worker 1");
        push(w1, 1, 0);
        expectParams(w0, 3);
        expectParams(w1, 3);
        for (long s = 0; s < 20; s++) {
            push(w0, 0, 2 + s);
            push(w1, 1, 1 + s);
            assertTrue(w0.outboundMessages().size() + w1.outboundMessages().size() >= 1);
            while (w0.outboundMessages().size() > 0) {
                assertInstanceOf(Message.Params.class, TestFrames.readOutbound(w0).message());
            }
            while (w1.outboundMessages().size() > 0) {
                assertInstanceOf(Message.Params.class, TestFrames.readOutbound(w1).message());
            }
        }
        // a held worker that disconnects is dropped; a held worker that times out is refused
        push(w0, 0, 22);
        assertNull(w0.readOutbound(), "worker 0 is held");
        w0.close();
        EmbeddedChannel w0again = authenticated(context, 0);
        push(w0again, 0, 23);
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        ServerHandler.deliver(aggregator.expire());
        assertEquals(ErrorCode.TIMEOUT, TestFrames.readFailure(w0again).code());
        closeAndAssertFreed(before, aggregator, w0again, w1);
    }
}
