package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AsyncAggregatorTest {
    private static final float[] INITIAL = {1f, -2f, 0.5f, 3f};
    private static final float[] G0 = {0.1f, 0.7f, -1.3f, 1e-7f};
    private static final float[] G1 = {0.3f, -0.2f, 2.9f, 3.3f};
    private static final OptimizerConfig SGD = OptimizerConfig.defaults().withMomentum(0);
    private final AtomicLong clock = new AtomicLong();

    private AsyncAggregator<String> aggregator(int workers, int staleness) {
        return new AsyncAggregator<>(INITIAL, SGD.create(INITIAL.length), workers, staleness, Duration.ofSeconds(10),
                clock::get);
    }

    private static Reply.Outcome<String> push(AsyncAggregator<String> agg, int worker, long sequence, float[] g,
                                              String waiter) {
        return agg.push(new Message.PushGradient(worker, 0, 0, sequence, 64 * (sequence + 1), g), waiter);
    }

    private static List<String> answered(Reply.Outcome<String> outcome) {
        return outcome.replies().stream().map(r -> {
            assertInstanceOf(Reply.Updated.class, r);
            return r.waiter();
        }).toList();
    }

    @Test
    void eachPushIsAppliedAtOnceInArrivalOrder() {
        AsyncAggregator<String> agg = aggregator(2, 5);
        assertEquals(List.of("a"), answered(push(agg, 0, 0, G0, "a")));
        assertEquals(List.of("b"), answered(push(agg, 1, 0, G1, "b")));
        Optimizer reference = SGD.create(INITIAL.length);
        float[] expected = INITIAL.clone();
        reference.step(expected, G0);
        reference.step(expected, G1);
        assertArrayEquals(expected, agg.parameters());
        assertEquals(2, agg.step());
        assertEquals(new Progress(0, 0, 64), agg.progress(1));
    }

    @Test
    void lockStepHoldsTheFasterWorkerUntilTheSlowestPushes() {
        AsyncAggregator<String> agg = aggregator(2, 0);
        assertTrue(push(agg, 0, 0, G0, "a0").replies().isEmpty(), "worker 0 is one ahead of worker 1");
        assertEquals(List.of("a0", "b0"), answered(push(agg, 1, 0, G1, "b0")));
        assertTrue(push(agg, 1, 1, G1, "b1").replies().isEmpty());
        assertEquals(List.of("b1", "a1"), answered(push(agg, 0, 1, G0, "a1")));
    }

    @Test
    void aHeldReplyCountsAsWaitingForItsWorkerOnly() {
        AsyncAggregator<String> agg = aggregator(2, 0);
        push(agg, 0, 0, G0, "a0");
        clock.addAndGet(3_000);
        push(agg, 1, 0, G1, "b0");
        assertEquals(3_000, agg.timing(0).waitNanos());
        assertEquals(0, agg.timing(1).waitNanos());
        assertEquals(2, agg.timing(1).steps());
    }

    @Test
    void boundedStalenessLetsAWorkerRunAheadBySoMany() {
        AsyncAggregator<String> agg = aggregator(2, 2);
        assertEquals(List.of("a0"), answered(push(agg, 0, 0, G0, "a0")));
        assertEquals(List.of("a1"), answered(push(agg, 0, 1, G0, "a1")));
        assertTrue(push(agg, 0, 2, G0, "a2").replies().isEmpty(), "3 ahead of a worker at 0");
        assertEquals(List.of("a2", "b0"), answered(push(agg, 1, 0, G1, "b0")));
        assertEquals(3, agg.clock(0));
    }

    @Test
    void heldReplyTimesOutNamingTheSlowestWorkers() {
        AsyncAggregator<String> agg = aggregator(3, 0);
        push(agg, 0, 0, G0, "a");
        push(agg, 1, 0, G1, "b");
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        List<Reply<String>> replies = agg.expire();
        assertEquals(2, replies.size());
        Message.Failure failure = assertInstanceOf(Reply.Refused.class, replies.get(0)).failure();
        assertEquals(ErrorCode.TIMEOUT, failure.code());
        assertTrue(failure.message().contains("for workers [2] at clock 0"), failure.message());
    }

    @Test
    void duplicatesAndNonFinitePushesAreRefusedAndNeverApplied() {
        AsyncAggregator<String> agg = aggregator(2, 5);
        push(agg, 0, 3, G0, "a");
        float[] before = agg.parameters();
        Reply.Outcome<String> dup = push(agg, 0, 3, G1, "again");
        assertEquals(ErrorCode.DUPLICATE_PUSH, assertInstanceOf(Reply.Refused.class, dup.replies().get(0)).failure().code());
        assertSame(G1, dup.nextBuffer());
        float[] bad = G1.clone();
        bad[1] = Float.POSITIVE_INFINITY;
        assertEquals(ErrorCode.NON_FINITE_VALUES, assertInstanceOf(Reply.Refused.class,
                push(agg, 1, 0, bad, "b").replies().get(0)).failure().code());
        assertArrayEquals(before, agg.parameters());
        assertEquals(1, agg.step());
    }

    @Test
    void disconnectedWaiterIsForgotten() {
        AsyncAggregator<String> agg = aggregator(2, 0);
        push(agg, 0, 0, G0, "a");
        agg.disconnected(0, "a");
        assertTrue(push(agg, 1, 0, G1, "b").replies().stream().noneMatch(r -> r.waiter().equals("a")));
    }
}
