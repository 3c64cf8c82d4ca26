package dev.lamina.ps.server;

import dev.lamina.ps.protocol.Message;
import java.util.List;

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

    /** Frees the encoded parameter buffers. */
    @Override
    void close();
}
