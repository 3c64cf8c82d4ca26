package dev.lamina.ps.server;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The synchronous step (modes {@code sync} and {@code local-sgd}), without any networking. Each step
 * every worker pushes one array for the current step (a gradient, or in local SGD a parameter delta);
 * each is kept in that worker's slot. When the last one arrives the arrays are summed in worker-id
 * order (so the result is bitwise the same whatever order they arrived in), divided by the worker
 * count, and handed to the optimizer (the outer optimizer in local SGD); the step advances and every
 * pusher is answered with the new parameters, encoded once and shared by all replies.
 *
 * <p>Pushed arrays are kept by reference, not copied: an accepted push's array goes into the worker's
 * slot and the pusher gets back a free array of the same length to decode its next push into
 * ({@link Reply.Outcome#nextBuffer()}), so a step allocates nothing.
 *
 * <p>Exactly-once: each worker's last applied (epoch, sequence, dataOffset) is recorded when its step
 * completes; a push at or before it is refused as {@code DUPLICATE_PUSH}.
 *
 * <p>Timing: a worker's push waits from its arrival until the step's last push arrives (that worker
 * waited for the slowest); applying the step (sum, optimizer, encoding the parameters) is timed apart.
 *
 * @param <W> what identifies a waiting pusher
 */
final class SyncAggregator<W> implements Aggregator<W> {
    private final int workers;
    private final Optimizer optimizer;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final float[] parameters;
    private final float[] average;
    private final Message.PushGradient[] slots;
    private final float[][] spares;
    private final Object[] waiters;
    private final Progress[] progress;
    private final long[] arrivalNanos;
    private final long[] waitNanos;
    private long applyNanos;
    private final ParamsPublisher publisher;
    private int arrived;
    private long step;
    private LongConsumer stepListener = s -> { };
    private long stepStartNanos;

    /**
     * @param initialParameters copied; must be finite
     * @param optimizer         fresh or restored state for {@code initialParameters.length} parameters
     * @param nanoClock         a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
     */
    SyncAggregator(float[] initialParameters, Optimizer optimizer, int workers, Duration stepTimeout,
                   LongSupplier nanoClock) {
        Objects.requireNonNull(initialParameters, "initialParameters");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        checkArguments(initialParameters, optimizer, workers);
        this.workers = workers;
        this.timeoutNanos = stepTimeout.toNanos();
        this.parameters = initialParameters.clone();
        this.average = workers == 1 ? new float[0] : new float[parameters.length];
        this.slots = new Message.PushGradient[workers];
        this.spares = new float[workers][];
        this.waiters = new Object[workers];
        this.progress = new Progress[workers];
        Arrays.fill(progress, Progress.NONE);
        this.arrivalNanos = new long[workers];
        this.waitNanos = new long[workers];
        this.publisher = new ParamsPublisher(parameters.length);
        publisher.publish(0, parameters);
    }

    static void checkArguments(float[] initialParameters, Optimizer optimizer, int workers) {
        if (initialParameters.length == 0 || optimizer.size() != initialParameters.length) {
            throw new IllegalArgumentException("optimizer size : " + optimizer.size() + ", parameters : "
                    + initialParameters.length + " (expected: equal and > 0)");
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: > 0)");
        }
        int bad = PushChecks.firstNonFinite(initialParameters);
        if (bad >= 0) {
            throw new IllegalArgumentException("initialParameters[" + bad + "] : " + initialParameters[bad]
                    + " (expected: finite)");
        }
    }

    @Override
    public int parameterCount() {
        return parameters.length;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public synchronized long step() {
        return step;
    }

    @Override
    public synchronized List<Reply<W>> pull(int workerId, W waiter) {
        return List.of(new Reply.Updated<>(waiter, publisher.lease()));
    }

    @Override
    public synchronized float[] parameters() {
        return parameters.clone();
    }

    @Override
    public synchronized Progress progress(int workerId) {
        return progress[workerId];
    }

    @Override
    public synchronized Message.Timing timing(int workerId) {
        return new Message.Timing(waitNanos[workerId], applyNanos, step);
    }

    /**
     * Accepts {@code push} for the current step. Returns no replies while the step still waits for other
     * workers, one per worker when this push completes it, or a single refusal (nothing applied).
     */
    @Override
    public synchronized Reply.Outcome<W> push(Message.PushGradient push, W waiter) {
        Optional<Message.Failure> refusal = check(push);
        if (refusal.isPresent()) {
            return new Reply.Outcome<>(List.of(new Reply.Refused<>(waiter, refusal.get())), push.gradient());
        }
        int w = push.workerId();
        slots[w] = push;
        waiters[w] = waiter;
        float[] next = spares[w] != null ? spares[w] : new float[parameters.length];
        spares[w] = null;
        arrivalNanos[w] = nanoClock.getAsLong();
        if (arrived++ == 0) {
            stepStartNanos = arrivalNanos[w];
        }
        return new Reply.Outcome<>(arrived == workers ? completeStep(arrivalNanos[w]) : List.of(), next);
    }

    /**
     * If the open step has waited longer than the timeout, abandons it: its arrays are dropped (the
     * parameters are unchanged; workers may push again for the same step) and every waiting pusher gets
     * {@code TIMEOUT} naming the workers that did not push.
     */
    @Override
    public synchronized List<Reply<W>> expire() {
        if (arrived == 0 || nanoClock.getAsLong() - stepStartNanos <= timeoutNanos) {
            return List.of();
        }
        List<Integer> missing = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            if (slots[w] == null) {
                missing.add(w);
            }
        }
        Message.Failure timeout = new Message.Failure(ErrorCode.TIMEOUT, "step " + step + " timed out after "
                + Duration.ofNanos(timeoutNanos) + ": workers " + missing + " of " + workers + " did not push");
        List<Reply<W>> replies = new ArrayList<>(arrived);
        for (int w = 0; w < workers; w++) {
            if (slots[w] != null) {
                replies.add(new Reply.Refused<>(waiter(w), timeout));
                free(w);
            }
        }
        arrived = 0;
        return replies;
    }

    @Override
    public synchronized void disconnected(int workerId, W waiter) {
        if (workerId >= 0 && workerId < workers && slots[workerId] != null && waiters[workerId].equals(waiter)) {
            free(workerId);
            arrived--;
        }
    }

    @Override
    public synchronized Checkpoint checkpoint() {
        return Snapshots.take(step, parameters, optimizer, progress);
    }

    @Override
    public synchronized void restore(Checkpoint checkpoint) {
        Progress[] restored = Snapshots.progress(checkpoint, workers);
        System.arraycopy(restored, 0, progress, 0, workers);
        step = checkpoint.step();
        publisher.publish(step, parameters);
    }

    @Override
    public synchronized void onStep(LongConsumer listener) {
        stepListener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public synchronized void close() {
        publisher.close();
    }

    private Optional<Message.Failure> check(Message.PushGradient push) {
        Optional<Message.Failure> identity = PushChecks.identity(push, workers, parameters.length,
                push.workerId() >= 0 && push.workerId() < workers ? progress[push.workerId()] : Progress.NONE);
        if (identity.isPresent()) {
            return identity;
        }
        int w = push.workerId();
        if (push.step() != step) {
            return PushChecks.refuse(ErrorCode.WRONG_STEP, "worker " + w + " step : " + push.step()
                    + " (expected: " + step + ")");
        }
        if (slots[w] != null) {
            return PushChecks.refuse(ErrorCode.DUPLICATE_PUSH, "worker " + w + " already pushed for step " + step);
        }
        return PushChecks.finite(push);
    }

    /** Applies the step whose last push arrived at {@code last} (nanos). */
    private List<Reply<W>> completeStep(long last) {
        applyAverage();
        step++;
        publisher.publish(step, parameters);
        applyNanos += nanoClock.getAsLong() - last;
        List<Reply<W>> replies = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            waitNanos[w] += last - arrivalNanos[w];
            Message.PushGradient p = slots[w];
            progress[w] = new Progress(p.epoch(), p.sequence(), p.dataOffset());
            replies.add(new Reply.Updated<>(waiter(w), publisher.lease()));
            free(w);
        }
        arrived = 0;
        stepListener.accept(step);
        return replies;
    }

    /**
     * One optimizer step from the average of the slots, (slot 0 + slot 1 + ...) / workers, added left to
     * right in worker order (bitwise reproducible), the division fused into the last addition. One
     * worker: its own gradient, not copied (the optimizers only read it). Two: the mean inside the
     * optimizer's pass where it can ({@link Optimizer#stepMeanOfTwo}; SGD), no write and read of
     * {@link #average}.
     */
    private void applyAverage() {
        float[] first = slots[0].gradient();
        if (workers == 1) {
            optimizer.step(parameters, first);
            return;
        }
        if (workers == 2) {
            optimizer.stepMeanOfTwo(parameters, first, slots[1].gradient(), average);
            return;
        }
        int n = parameters.length;
        float count = workers;
        System.arraycopy(first, 0, average, 0, n);
        for (int w = 1; w < workers - 1; w++) {
            float[] g = slots[w].gradient();
            for (int i = 0; i < n; i++) {
                average[i] += g[i];
            }
        }
        float[] last = slots[workers - 1].gradient();
        for (int i = 0; i < n; i++) {
            average[i] = (average[i] + last[i]) / count;
        }
        optimizer.step(parameters, average);
    }

    /** Empties worker {@code w}'s slot; its array becomes the worker's spare. */
    private void free(int w) {
        spares[w] = slots[w].gradient();
        slots[w] = null;
        waiters[w] = null;
    }

    @SuppressWarnings("unchecked")
    private W waiter(int workerId) {
        return (W) waiters[workerId];
    }
}
