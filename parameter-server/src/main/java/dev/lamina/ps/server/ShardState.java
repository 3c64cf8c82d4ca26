package dev.lamina.ps.server;

import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The aggregator every connection of one server shares, and the part of the parameter vector it holds.
 * An embedded server has it from the start; a standalone shard gets it from the driver's
 * {@link Message.ShardInit} (once: a shard process serves one job). Thread-safe.
 */
final class ShardState implements AutoCloseable {
    private final int maxFrameBytes;
    private volatile Aggregator<Waiter> aggregator;
    private volatile int workerMaxFrameBytes;
    private int offset;
    private int totalParameters;

    private ShardState(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** All parameters, served from the start (the embedded server). */
    static ShardState of(Aggregator<Waiter> aggregator, int workerMaxFrameBytes) {
        ShardState state = new ShardState(workerMaxFrameBytes);
        state.aggregator = aggregator;
        state.workerMaxFrameBytes = workerMaxFrameBytes;
        state.totalParameters = aggregator.parameterCount();
        return state;
    }

    /** A standalone shard waiting for the driver; {@code maxFrameBytes} caps its init and push frames. */
    static ShardState awaitingInit(int maxFrameBytes) {
        if (maxFrameBytes < FrameFormat.PRE_AUTH_MAX_FRAME_BYTES || maxFrameBytes > FrameFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes : " + maxFrameBytes + " (expected: in ["
                    + FrameFormat.PRE_AUTH_MAX_FRAME_BYTES + ", " + FrameFormat.MAX_FRAME_BYTES + "])");
        }
        return new ShardState(maxFrameBytes);
    }

    boolean initialized() {
        return aggregator != null;
    }

    /** The aggregator; throws {@link IllegalStateException} before the driver initialised the shard. */
    Aggregator<Waiter> aggregator() {
        Aggregator<Waiter> a = aggregator;
        if (a == null) {
            throw new IllegalStateException("the shard has not been initialised by a driver yet");
        }
        return a;
    }

    /** The frame limit of an authenticated worker connection (set once initialised). */
    int workerMaxFrameBytes() {
        return workerMaxFrameBytes;
    }

    /** The frame limit of the driver's control connection: the shard's cap (the init frame is the largest). */
    int controlMaxFrameBytes() {
        return maxFrameBytes;
    }

    /** Timed-out requests (none before initialisation). */
    List<Reply<Waiter>> expire() {
        Aggregator<Waiter> a = aggregator;
        return a == null ? List.of() : a.expire();
    }

    /**
     * Starts serving {@code init}'s job: {@link Message.ShardReady} on success, else a
     * {@link Message.Failure} ({@link ErrorCode#ALREADY_INITIALIZED} or {@link ErrorCode#INVALID_INIT})
     * naming the bad value; nothing changes then.
     */
    synchronized Message init(Message.ShardInit init) {
        if (aggregator != null) {
            return new Message.Failure(ErrorCode.ALREADY_INITIALIZED, "the shard already serves a job: parameters ["
                    + offset + ", " + (offset + aggregator.parameterCount()) + ") of " + totalParameters + " at step "
                    + aggregator.step() + " (expected: a new shard process for another job)");
        }
        Checkpoint state;
        try {
            state = CheckpointCodec.decode("SHARD_INIT state", init.state());
        } catch (IOException | IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
        int count = state.parameters().length;
        if ((long) init.offset() + count > init.totalParameters()) {
            return invalid("parameters [" + init.offset() + ", " + ((long) init.offset() + count) + ") (expected: within"
                    + " the " + init.totalParameters() + " parameters of the job)");
        }
        if (init.optimizer().clipNorm() > 0 && count != init.totalParameters()) {
            return invalid("optimizer clipNorm : " + init.optimizer().clipNorm() + " on a shard holding " + count
                    + " of " + init.totalParameters() + " parameters (expected: 0; global-norm clipping needs the"
                    + " whole gradient, which no shard of several holds)");
        }
        long pushFrame = FrameFormat.maxPushFrameBytes(count);
        if (pushFrame > maxFrameBytes) {
            return invalid(count + " parameters need push frames of " + pushFrame + " bytes (expected: <= "
                    + maxFrameBytes + ", this shard's frame cap)");
        }
        ServerConfig config = new ServerConfig("0.0.0.0", 0, init.workers(), maxFrameBytes,
                Duration.ofMillis(init.stepTimeoutMillis()));
        if (init.async()) {
            config = config.withAsync(init.staleness());
        }
        Aggregator<Waiter> created;
        try {
            created = ParameterServer.restoredAggregator(config, state, init.optimizer());
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
        offset = init.offset();
        totalParameters = init.totalParameters();
        workerMaxFrameBytes = (int) Math.max(pushFrame, FrameFormat.PRE_AUTH_MAX_FRAME_BYTES);
        aggregator = created;
        return new Message.ShardReady(offset, count, created.step());
    }

    private static Message.Failure invalid(String message) {
        return new Message.Failure(ErrorCode.INVALID_INIT, message);
    }

    @Override
    public void close() {
        Aggregator<Waiter> a = aggregator;
        if (a != null) {
            a.close();
        }
    }
}
