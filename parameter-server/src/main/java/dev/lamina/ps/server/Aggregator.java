package dev.lamina.ps.server;

import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.protocol.Message;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * How pushes become parameter updates in one server mode, without any networking. Implementations are
 * thread-safe; the replies they return are delivered by the caller outside their locks.
 *
 * @param <W> identifies whom to answer (in the server: a channel and a request id)
 */
interface Aggregator<W> extends AutoCloseable {

    int workers();

    int parameterCount();

    /** Applied updates so far (synchronous steps, or pushes in async mode). */
    long step();

    /**
     * Takes {@code push} (its array is kept by reference when the push is accepted, so the caller must
     * switch to {@link Reply.Outcome#nextBuffer()} for the next one).
     */
    Reply.Outcome<W> push(Message.PushGradient push, W waiter);

    /** The current parameters for {@code workerId}: at once, or later when it must wait for slower workers. */
    List<Reply<W>> pull(int workerId, W waiter);

    /** Replies for requests that waited longer than the step timeout. */
    List<Reply<W>> expire();

    /** {@code waiter}'s connection closed: forget what it left pending. */
    void disconnected(int workerId, W waiter);

    /** A copy of the current parameters (consistent: never mid-update). */
    float[] parameters();

    /** The last applied push of partition {@code workerId}. */
    Progress progress(int workerId);

    /**
     * Where the time went for {@code workerId} since the start: how long its pushes waited for slower
     * workers, and how long applying the updates took (for everyone).
     */
    Message.Timing timing(int workerId);

    /**
     * A consistent snapshot (taken under the lock, between updates) of the parameters, the optimizer's
     * state and steps, the step and every worker's progress, with {@link dev.lamina.ps.checkpoint.JobState#NONE}.
     */
    Checkpoint checkpoint();

    /**
     * Continues from {@code checkpoint}'s step and progress records (its parameters and optimizer state
     * were handed to the constructor). Call before any push.
     */
    void restore(Checkpoint checkpoint);

    /**
     * Calls {@code listener} with the new step count after every update, under the lock, so it may take
     * {@link #checkpoint()}; it must return quickly.
     */
    void onStep(LongConsumer listener);

    /** Frees the encoded parameter buffers. */
    @Override
    void close();
}
