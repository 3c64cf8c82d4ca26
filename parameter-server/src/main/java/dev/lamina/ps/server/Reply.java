package dev.lamina.ps.server;

import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.SharedParams;

/**
 * What to send to a waiting worker: a refusal, or the parameters (a lease on the step's shared encoded
 * payload, which the deliverer turns into a frame or releases).
 *
 * @param <W> identifies whom to answer
 */
sealed interface Reply<W> {

    W waiter();

    /** The request was refused; nothing was applied. */
    record Refused<W>(W waiter, Message.Failure failure) implements Reply<W> {
    }

    /** The parameters after {@code params.step()} steps. */
    record Updated<W>(W waiter, SharedParams.Lease params) implements Reply<W> {
    }

    /**
     * The replies to a push, and the buffer the pusher's connection should decode its next push into:
     * a free buffer when the push was kept, else the push's own buffer.
     */
    record Outcome<W>(java.util.List<Reply<W>> replies, float[] nextBuffer) {
    }
}
