package dev.lamina.ps.server;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The synchronous step, without any networking. Each step every worker pushes one gradient for the
 * current step; each gradient is kept in that worker's slot. When the last one arrives the gradients are
 * summed in worker-id order (so the result is bitwise the same whatever order they arrived in), divided
 * by the worker count, and handed to the optimizer; the step advances and every pusher is answered with
 * the new parameters.
 *
 * <p>A push is answered later (when its step completes or times out) or at once with an error; the
 * answers are returned as {@link Reply}s for the caller to deliver outside this object's lock. The
 * caller's {@code W} identifies whom to answer (in the server: a channel and a request id).
 *
 * <p>Thread-safe. Published parameters are immutable snapshots, so pulls never wait for a step.
 *
 * @param <W> what identifies a waiting pusher
 */
final class SyncAggregator<W> {

    /** Deliver {@code message} to {@code waiter}. */
    record Reply<W>(W waiter, Message message) {
    }

    private final int workers;
    private final Optimizer optimizer;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final float[] parameters;
    private final float[] average;
    private final float[][] slots;
    private final Object[] waiters;
    private int arrived;
    private long stepStartNanos;
    private volatile Message.Params published;

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
        if (initialParameters.length == 0 || optimizer.size() != initialParameters.length) {
            throw new IllegalArgumentException("optimizer size : " + optimizer.size() + ", parameters : "
                    + initialParameters.length + " (expected: equal and > 0)");
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: > 0)");
        }
        int bad = firstNonFinite(initialParameters);
        if (bad >= 0) {
            throw new IllegalArgumentException("initialParameters[" + bad + "] : " + initialParameters[bad]
                    + " (expected: finite)");
        }
        this.workers = workers;
        this.timeoutNanos = stepTimeout.toNanos();
        this.parameters = initialParameters.clone();
        this.average = new float[parameters.length];
        this.slots = new float[workers][];
        this.waiters = new Object[workers];
        this.published = new Message.Params(0, parameters.clone());
    }

    int parameterCount() {
        return parameters.length;
    }

    int workers() {
        return workers;
    }

    /** Completed steps. */
    long step() {
        return published.step();
    }

    /** The parameters after the last completed step and that step: shared, never modified. */
    Message.Params pull() {
        return published;
    }

    /** A copy of the parameters after the last completed step. */
    float[] parameters() {
        return published.values().clone();
    }

    /**
     * Accepts {@code gradient} (kept by reference until the step completes; the caller must not change
     * it) from {@code workerId} for {@code step}. Returns the replies to send now: none while the step
     * still waits for other workers, one per worker when this push completes it, or a single error to
     * {@code waiter} when the push is refused (it is then not applied).
     */
    synchronized List<Reply<W>> push(int workerId, long step, float[] gradient, W waiter) {
        Optional<Message.Failure> refusal = check(workerId, step, gradient);
        if (refusal.isPresent()) {
            return List.of(new Reply<>(waiter, refusal.get()));
        }
        slots[workerId] = gradient;
        waiters[workerId] = waiter;
        if (arrived++ == 0) {
            stepStartNanos = nanoClock.getAsLong();
        }
        return arrived == workers ? completeStep() : List.of();
    }

    /**
     * If the open step has waited longer than the timeout, abandons it: its gradients are dropped (the
     * parameters are unchanged; workers may push again for the same step) and every waiting pusher gets
     * {@code TIMEOUT} naming the workers that did not push. Returns those replies, or none.
     */
    synchronized List<Reply<W>> expire() {
        if (arrived == 0 || nanoClock.getAsLong() - stepStartNanos <= timeoutNanos) {
            return List.of();
        }
        List<Integer> missing = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            if (slots[w] == null) {
                missing.add(w);
            }
        }
        Message.Failure timeout = new Message.Failure(ErrorCode.TIMEOUT, "step " + step() + " timed out after "
                + Duration.ofNanos(timeoutNanos) + ": workers " + missing + " of " + workers + " did not push");
        List<Reply<W>> replies = new ArrayList<>(arrived);
        for (int w = 0; w < workers; w++) {
            if (slots[w] != null) {
                replies.add(new Reply<>(waiter(w), timeout));
            }
        }
        clearSlots();
        return replies;
    }

    /** Why this push must be refused, if it must. */
    private Optional<Message.Failure> check(int workerId, long step, float[] gradient) {
        long current = step();
        if (workerId < 0 || workerId >= workers) {
            return refuse(ErrorCode.UNKNOWN_WORKER, "worker : " + workerId
                    + " (expected: in [0, " + workers + "))");
        }
        if (gradient.length != parameters.length) {
            return refuse(ErrorCode.WRONG_SIZE, "worker " + workerId + " gradient length : "
                    + gradient.length + " (expected: " + parameters.length + ")");
        }
        if (step != current) {
            return refuse(ErrorCode.WRONG_STEP, "worker " + workerId + " step : " + step
                    + " (expected: " + current + ")");
        }
        if (slots[workerId] != null) {
            return refuse(ErrorCode.DUPLICATE_PUSH, "worker " + workerId
                    + " already pushed for step " + current);
        }
        int bad = firstNonFinite(gradient);
        if (bad >= 0) {
            return refuse(ErrorCode.NON_FINITE_VALUES, "worker " + workerId + " step " + current
                    + ": gradient[" + bad + "] : " + gradient[bad] + " (expected: finite)");
        }
        return Optional.empty();
    }

    private List<Reply<W>> completeStep() {
        int n = parameters.length;
        System.arraycopy(slots[0], 0, average, 0, n);
        for (int w = 1; w < workers; w++) {
            float[] g = slots[w];
            for (int i = 0; i < n; i++) {
                average[i] += g[i];
            }
        }
        float count = workers;
        for (int i = 0; i < n; i++) {
            average[i] /= count;
        }
        optimizer.step(parameters, average);
        Message.Params params = new Message.Params(published.step() + 1, parameters.clone());
        published = params;
        List<Reply<W>> replies = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            replies.add(new Reply<>(waiter(w), params));
        }
        clearSlots();
        return replies;
    }

    private void clearSlots() {
        Arrays.fill(slots, null);
        Arrays.fill(waiters, null);
        arrived = 0;
    }

    private static Optional<Message.Failure> refuse(ErrorCode code, String message) {
        return Optional.of(new Message.Failure(code, message));
    }

    private static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private W waiter(int workerId) {
        return (W) waiters[workerId];
    }
}
