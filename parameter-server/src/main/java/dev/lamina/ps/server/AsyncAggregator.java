package dev.lamina.ps.server;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.SharedParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Asynchronous mode with bounded staleness, without any networking. Each push is applied at once with
 * the server's optimizer (in arrival order) and advances its worker's clock. The pusher is answered with
 * the new parameters unless its clock is more than {@code staleness} ahead of the slowest worker's; then
 * its reply waits until the slowest catch up (staleness 0 is lock-step: every worker's k-th reply waits
 * for every worker's k-th push). A reply that waits longer than the timeout gets {@code TIMEOUT} naming
 * the slowest workers.
 *
 * <p>The push's {@code step} is informational here (the update the gradient was computed from); order
 * and exactly-once come from (epoch, sequence): a push at or before its worker's last applied one is
 * refused as {@code DUPLICATE_PUSH}. The parameters are encoded for replies lazily, once per update
 * that somebody reads. A worker's wait is how long its replies were held back; applying a push (the
 * optimizer) and encoding the parameters are timed as the server's apply time.
 *
 * @param <W> what identifies a waiting worker
 */
final class AsyncAggregator<W> implements Aggregator<W> {

    /** A reply held back until the slowest worker catches up. */
    private record Held<W>(int workerId, W waiter, long sinceNanos) {
    }

    private final int workers;
    private final int staleness;
    private final Optimizer optimizer;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final float[] parameters;
    private final long[] clocks;
    private final Progress[] progress;
    private final long[] waitNanos;
    private long applyNanos;
    private final List<Held<W>> held = new ArrayList<>();
    private final ParamsPublisher publisher;
    private long step;
    private LongConsumer stepListener = s -> { };
    private boolean published;

    AsyncAggregator(float[] initialParameters, Optimizer optimizer, int workers, int staleness, Duration timeout,
                    LongSupplier nanoClock) {
        Objects.requireNonNull(initialParameters, "initialParameters");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        SyncAggregator.checkArguments(initialParameters, optimizer, workers);
        if (staleness < 0) {
            throw new IllegalArgumentException("staleness : " + staleness + " (expected: >= 0)");
        }
        this.workers = workers;
        this.staleness = staleness;
        this.timeoutNanos = timeout.toNanos();
        this.parameters = initialParameters.clone();
        this.clocks = new long[workers];
        this.progress = new Progress[workers];
        Arrays.fill(progress, Progress.NONE);
        this.waitNanos = new long[workers];
        this.publisher = new ParamsPublisher(parameters.length);
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public int parameterCount() {
        return parameters.length;
    }

    @Override
    public synchronized long step() {
        return step;
    }

    /** Pushes applied from {@code workerId}. */
    synchronized long clock(int workerId) {
        return clocks[workerId];
    }

    @Override
    public synchronized Reply.Outcome<W> push(Message.PushGradient push, W waiter) {
        Optional<Message.Failure> refusal = PushChecks.identity(push, workers, parameters.length,
                push.workerId() >= 0 && push.workerId() < workers ? progress[push.workerId()] : Progress.NONE);
        if (refusal.isEmpty()) {
            refusal = PushChecks.finite(push);
        }
        if (refusal.isPresent()) {
            return new Reply.Outcome<>(List.of(new Reply.Refused<>(waiter, refusal.get())), push.gradient());
        }
        int w = push.workerId();
        long start = nanoClock.getAsLong();
        optimizer.step(parameters, push.gradient());
        applyNanos += nanoClock.getAsLong() - start;
        step++;
        published = false;
        clocks[w]++;
        progress[w] = new Progress(push.epoch(), push.sequence(), push.dataOffset());
        stepListener.accept(step);
        long now = nanoClock.getAsLong();
        held.add(new Held<>(w, waiter, now));
        return new Reply.Outcome<>(release(now), push.gradient());
    }

    @Override
    public synchronized List<Reply<W>> pull(int workerId, W waiter) {
        return List.of(new Reply.Updated<>(waiter, lease()));
    }

    @Override
    public synchronized List<Reply<W>> expire() {
        long now = nanoClock.getAsLong();
        List<Reply<W>> replies = new ArrayList<>();
        for (Iterator<Held<W>> it = held.iterator(); it.hasNext(); ) {
            Held<W> h = it.next();
            if (now - h.sinceNanos() > timeoutNanos) {
                it.remove();
                replies.add(new Reply.Refused<>(h.waiter(), new Message.Failure(ErrorCode.TIMEOUT, "worker "
                        + h.workerId() + " at clock " + clocks[h.workerId()] + " waited " + Duration.ofNanos(timeoutNanos)
                        + " for workers " + slowest() + " at clock " + minClock() + " (staleness " + staleness + ")")));
            }
        }
        return replies;
    }

    @Override
    public synchronized void disconnected(int workerId, W waiter) {
        held.removeIf(h -> h.waiter().equals(waiter));
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

    @Override
    public synchronized Checkpoint checkpoint() {
        return Snapshots.take(step, parameters, optimizer, progress);
    }

    @Override
    public synchronized void restore(Checkpoint checkpoint) {
        Progress[] restored = Snapshots.progress(checkpoint, workers);
        System.arraycopy(restored, 0, progress, 0, workers);
        step = checkpoint.step();
        published = false;
    }

    @Override
    public synchronized void onStep(LongConsumer listener) {
        stepListener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public synchronized void close() {
        publisher.close();
    }

    /** Replies to every held worker now within the staleness bound; their wait ends {@code now}. */
    private List<Reply<W>> release(long now) {
        long min = minClock();
        List<Reply<W>> replies = new ArrayList<>();
        for (Iterator<Held<W>> it = held.iterator(); it.hasNext(); ) {
            Held<W> h = it.next();
            if (clocks[h.workerId()] - min <= staleness) {
                it.remove();
                waitNanos[h.workerId()] += now - h.sinceNanos();
                replies.add(new Reply.Updated<>(h.waiter(), lease()));
            }
        }
        return replies;
    }

    private SharedParams.Lease lease() {
        if (!published) {
            long start = nanoClock.getAsLong();
            publisher.publish(step, parameters);
            applyNanos += nanoClock.getAsLong() - start;
            published = true;
        }
        return publisher.lease();
    }

    private long minClock() {
        return Arrays.stream(clocks).min().orElse(0);
    }

    private List<Integer> slowest() {
        long min = minClock();
        List<Integer> ids = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            if (clocks[w] == min) {
                ids.add(w);
            }
        }
        return ids;
    }
}
