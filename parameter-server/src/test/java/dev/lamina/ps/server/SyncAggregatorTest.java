package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.SharedParams;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyncAggregatorTest {
    private static final float[] INITIAL = {1f, -2f, 0.5f, 3f};
    private static final float[] G0 = {0.1f, 0.7f, -1.3f, 1e-7f};
    private static final float[] G1 = {0.3f, -0.2f, 2.9f, 3.3f};
    private final AtomicLong clock = new AtomicLong();

    private SyncAggregator<String> aggregator(int workers, OptimizerConfig config) {
        return new SyncAggregator<>(INITIAL, config.create(INITIAL.length), workers, Duration.ofSeconds(10),
                clock::get);
    }

    private static Message.Failure failure(List<Reply<String>> replies, String waiter) {
        assertEquals(1, replies.size(), replies.toString());
        assertEquals(waiter, replies.get(0).waiter());
        return assertInstanceOf(Reply.Refused.class, replies.get(0)).failure();
    }

    static List<Reply<String>> push(SyncAggregator<String> agg, int worker, long step, float[] values, String waiter) {
        return agg.push(new Message.PushGradient(worker, 0, step, step, 0, values), waiter).replies();
    }

    static SharedParams.Lease pull(SyncAggregator<String> agg) {
        return updated(agg.pull(0, "p").get(0));
    }

    /**
     * The buffer that owns {@code buf}'s memory. Netty's leak detector wraps a sampled buffer (one in 128
     * by default, every one at level paranoid) and each of its duplicates in a tracker of its own, so one
     * {@code unwrap()} can stop at a different object for two views of the same memory.
     */
    private static ByteBuf root(ByteBuf buf) {
        while (buf.unwrap() != null) {
            buf = buf.unwrap();
        }
        return buf;
    }

    static SharedParams.Lease updated(Reply<String> reply) {
        return assertInstanceOf(Reply.Updated.class, reply).params();
    }

    @Test
    void averageIsAppliedOnceBothWorkersPushed() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        assertTrue(push(agg, 0, 0, G0, "a").isEmpty());
        assertEquals(0, agg.step());
        assertArrayEquals(INITIAL, agg.parameters());

        List<Reply<String>> replies = push(agg, 1, 0, G1, "b");
        assertEquals(List.of("a", "b"), replies.stream().map(Reply::waiter).toList());
        SharedParams.Lease params = updated(replies.get(0));
        assertSame(root(params.payload()), root(updated(replies.get(1)).payload()), "one shared payload");
        assertEquals(1, params.step());
        assertEquals(1, agg.step());

        float[] expected = INITIAL.clone();
        float[] average = new float[INITIAL.length];
        for (int i = 0; i < average.length; i++) {
            average[i] = (G0[i] + G1[i]) / 2f;
        }
        OptimizerConfig.defaults().create(INITIAL.length).step(expected, average);
        assertArrayEquals(expected, params.values());
        assertArrayEquals(expected, agg.parameters());
    }

    @Test
    void eachWorkerWaitsFromItsPushUntilTheStepsLastPush() {
        SyncAggregator<String> agg = aggregator(3, OptimizerConfig.defaults());
        push(agg, 1, 0, G0, "b");
        clock.addAndGet(500);
        push(agg, 0, 0, G1, "a");
        clock.addAndGet(1_500);
        push(agg, 2, 0, G1, "c");
        assertEquals(List.of(1_500L, 2_000L, 0L), List.of(agg.timing(0).waitNanos(), agg.timing(1).waitNanos(),
                agg.timing(2).waitNanos()));
        push(agg, 2, 1, G0, "c");
        clock.addAndGet(100);
        push(agg, 0, 1, G1, "a");
        push(agg, 1, 1, G1, "b");
        assertEquals(List.of(1_500L, 2_000L, 100L), List.of(agg.timing(0).waitNanos(), agg.timing(1).waitNanos(),
                agg.timing(2).waitNanos()));
        assertEquals(2, agg.timing(0).steps());
        assertEquals(0, agg.timing(0).applyNanos(), "the test clock stands still while a step is applied");
    }

    @Test
    void resultIsBitwiseIdenticalForBothArrivalOrders() {
        float[][] gradients = new float[3][1000];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (float[] g : gradients) {
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 6)));
            }
        }
        float[] forward = runSteps(gradients, new int[] {0, 1, 2});
        float[] backward = runSteps(gradients, new int[] {2, 1, 0});
        float[] mixed = runSteps(gradients, new int[] {1, 2, 0});
        for (int i = 0; i < forward.length; i++) {
            assertEquals(Float.floatToRawIntBits(forward[i]), Float.floatToRawIntBits(backward[i]), "index " + i);
            assertEquals(Float.floatToRawIntBits(forward[i]), Float.floatToRawIntBits(mixed[i]), "index " + i);
        }
    }

    private float[] runSteps(float[][] gradients, int[] order) {
        int n = gradients[0].length;
        SyncAggregator<String> agg = new SyncAggregator<>(new float[n],
                OptimizerConfig.defaults().withType("adam").create(n), 3, Duration.ofSeconds(1), clock::get);
        for (long step = 0; step < 3; step++) {
            for (int worker : order) {
                push(agg, worker, step, gradients[worker], "w" + worker);
            }
        }
        assertEquals(3, agg.step());
        return agg.parameters();
    }

    @Test
    void nonFinitePushIsRefusedAndNeverApplied() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        float[] bad = G0.clone();
        bad[2] = Float.NaN;
        Message.Failure failure = failure(push(agg, 0, 0, bad, "a"), "a");
        assertEquals(ErrorCode.NON_FINITE_VALUES, failure.code());
        assertEquals("worker 0 step 0: gradient[2] : NaN (expected: finite)", failure.message());

        float[] inf = G1.clone();
        inf[0] = Float.NEGATIVE_INFINITY;
        assertEquals(ErrorCode.NON_FINITE_VALUES, failure(push(agg, 1, 0, inf, "b"), "b").code());
        assertArrayEquals(INITIAL, agg.parameters());
        assertEquals(0, agg.step());

        // The step stays open: the worker may retry with a good gradient.
        assertTrue(push(agg, 0, 0, G0, "a").isEmpty());
        assertEquals(2, push(agg, 1, 0, G1, "b").size());
        assertEquals(1, agg.step());
    }

    @Test
    void duplicatePushIsDropped() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        assertTrue(push(agg, 0, 0, G0, "a").isEmpty());
        float[] other = {100f, 100f, 100f, 100f};
        Message.Failure failure = failure(push(agg, 0, 0, other, "a2"), "a2");
        assertEquals(ErrorCode.DUPLICATE_PUSH, failure.code());
        assertEquals("worker 0 already pushed for step 0", failure.message());

        List<Reply<String>> replies = push(agg, 1, 0, G1, "b");
        assertEquals(List.of("a", "b"), replies.stream().map(Reply::waiter).toList());
        SyncAggregator<String> reference = aggregator(2, OptimizerConfig.defaults());
        push(reference, 0, 0, G0, "a");
        push(reference, 1, 0, G1, "b");
        assertArrayEquals(reference.parameters(), agg.parameters());
    }

    @Test
    void pushForAnotherStepIsRefused() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        Message.Failure failure = failure(push(agg, 1, 3, G1, "b"), "b");
        assertEquals(ErrorCode.WRONG_STEP, failure.code());
        assertEquals("worker 1 step : 3 (expected: 0)", failure.message());
        push(agg, 0, 0, G0, "a");
        push(agg, 1, 0, G1, "b");
        assertEquals(ErrorCode.WRONG_STEP, failure(agg.push(new Message.PushGradient(0, 0, 0, 5, 0, G0), "a")
                .replies(), "a").code());
        Message.Failure again = failure(push(agg, 0, 0, G0, "a"), "a");
        assertEquals(ErrorCode.DUPLICATE_PUSH, again.code(), "epoch 0 sequence 0 was applied in step 0");
        assertEquals(new Progress(0, 0, 0), agg.progress(0));
    }

    @Test
    void wrongSizeIsRefused() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        Message.Failure failure = failure(push(agg, 0, 0, new float[3], "a"), "a");
        assertEquals(ErrorCode.WRONG_SIZE, failure.code());
        assertEquals("worker 0 gradient length : 3 (expected: 4)", failure.message());
    }

    @Test
    void unknownWorkerIsRefused() {
        SyncAggregator<String> agg = aggregator(2, OptimizerConfig.defaults());
        assertEquals("worker : 2 (expected: in [0, 2))", failure(push(agg, 2, 0, G0, "x"), "x").message());
        assertEquals(ErrorCode.UNKNOWN_WORKER, failure(push(agg, -1, 0, G0, "x"), "x").code());
    }

    @Test
    void timeoutNamesTheMissingWorkersAndReopensTheStep() {
        SyncAggregator<String> agg = new SyncAggregator<>(INITIAL, OptimizerConfig.defaults().create(4), 3,
                Duration.ofSeconds(10), clock::get);
        assertTrue(agg.expire().isEmpty(), "no step open, nothing to expire");
        push(agg, 1, 0, G1, "b");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(agg.expire().isEmpty(), "not longer than the timeout yet");
        clock.addAndGet(1);
        List<Reply<String>> replies = agg.expire();
        Message.Failure failure = failure(replies, "b");
        assertEquals(ErrorCode.TIMEOUT, failure.code());
        assertEquals("step 0 timed out after PT10S: workers [0, 2] of 3 did not push", failure.message());
        assertArrayEquals(INITIAL, agg.parameters());
        assertEquals(0, agg.step());
        assertTrue(agg.expire().isEmpty());

        // The step can be pushed again from scratch.
        push(agg, 0, 0, G0, "a");
        push(agg, 1, 0, G1, "b");
        assertEquals(3, push(agg, 2, 0, G1, "c").size());
        assertEquals(1, agg.step());
    }

    @Test
    void pullReturnsTheLastCompletedStep() {
        SyncAggregator<String> agg = aggregator(1, OptimizerConfig.defaults());
        assertEquals(0, pull(agg).step());
        assertArrayEquals(INITIAL, pull(agg).values());
        push(agg, 0, 0, G0, "a");
        assertEquals(1, pull(agg).step());
        float[] copy = agg.parameters();
        copy[0] = 99f;
        assertEquals(pull(agg).values()[0], agg.parameters()[0]);
    }

    @Test
    void constructorChecksItsArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SyncAggregator<String>(
                INITIAL, OptimizerConfig.defaults().create(5), 1, Duration.ofSeconds(1), clock::get));
        assertEquals("optimizer size : 5, parameters : 4 (expected: equal and > 0)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SyncAggregator<String>(
                new float[] {Float.NaN}, OptimizerConfig.defaults().create(1), 1, Duration.ofSeconds(1), clock::get));
        assertThrows(IllegalArgumentException.class, () -> new SyncAggregator<String>(
                INITIAL, OptimizerConfig.defaults().create(4), 0, Duration.ofSeconds(1), clock::get));
    }
}
