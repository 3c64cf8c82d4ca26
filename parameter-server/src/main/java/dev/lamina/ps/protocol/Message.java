package dev.lamina.ps.protocol;

import dev.lamina.engine.optim.OptimizerConfig;
import java.util.Objects;

/**
 * A protocol message: the payload of one frame. Array components are held by reference, not copied
 * (a 25M-parameter push must not be copied twice), so records holding arrays compare by identity.
 */
public sealed interface Message {

    /** Length of the server's and the client's nonce, in bytes. */
    int NONCE_BYTES = 32;
    /** Length of an HMAC-SHA256 tag, in bytes. */
    int MAC_BYTES = 32;
    /** Error messages longer than this many chars are truncated, so an error frame always fits before auth. */
    int MAX_ERROR_CHARS = 512;
    /**
     * The id the driver authenticates with on a control connection to a shard (HELLO and the MAC carry it
     * like a worker id): it may initialise the shard, take snapshots and read the parameters, never push.
     */
    int DRIVER_ID = -1;

    /** The type id written in the frame header. */
    MessageType type();

    /** Server to client, first frame on a connection: the nonce the client must sign. */
    record Challenge(byte[] serverNonce) implements Message {
        public Challenge {
            checkLength("serverNonce", serverNonce, NONCE_BYTES);
        }

        @Override
        public MessageType type() {
            return MessageType.CHALLENGE;
        }
    }

    /** Client to server: who the client is and its proof of knowing the job's secret. */
    record Hello(int workerId, byte[] clientNonce, byte[] mac) implements Message {
        public Hello {
            checkLength("clientNonce", clientNonce, NONCE_BYTES);
            checkLength("mac", mac, MAC_BYTES);
        }

        @Override
        public MessageType type() {
            return MessageType.HELLO;
        }
    }

    /** Server to client: the server's proof of knowing the secret, and the job's shape. */
    record AuthOk(byte[] serverMac, int parameterCount, long currentStep) implements Message {
        public AuthOk {
            checkLength("serverMac", serverMac, MAC_BYTES);
        }

        @Override
        public MessageType type() {
            return MessageType.AUTH_OK;
        }
    }

    /** Client to server: send me the current parameters. */
    record Pull() implements Message {
        @Override
        public MessageType type() {
            return MessageType.PULL;
        }
    }

    /** Server to client: the parameters after {@code step} completed steps. */
    record Params(long step, float[] values) implements Message {
        public Params {
            Objects.requireNonNull(values, "values");
        }

        @Override
        public MessageType type() {
            return MessageType.PARAMS;
        }
    }

    /**
     * Client to server: one worker's gradient for the server's step {@code step}. {@code epoch},
     * {@code sequence} and {@code dataOffset} identify the data it came from (for exactly-once
     * bookkeeping).
     */
    record PushGradient(int workerId, int epoch, long step, long sequence, long dataOffset, float[] gradient)
            implements Message {
        public PushGradient {
            Objects.requireNonNull(gradient, "gradient");
        }

        @Override
        public MessageType type() {
            return MessageType.PUSH_GRADIENT;
        }
    }

    /**
     * Client to server: a push like {@link PushGradient} whose {@code count} values are encoded with the
     * push codec {@code codecId} ({@code dev.lamina.ps.compress.PushCodecs}). The server's decoder
     * decodes it into the worker's dense buffer and emits a {@link PushGradient}; this record is what
     * is written, and what is read when no buffer is set.
     */
    record PushCompressed(int workerId, int epoch, long step, long sequence, long dataOffset, int codecId, int count,
                          byte[] encoded) implements Message {
        public PushCompressed {
            Objects.requireNonNull(encoded, "encoded");
            if (codecId < 0 || codecId > 255) {
                throw new IllegalArgumentException("codecId : " + codecId + " (expected: in [0, 255])");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.PUSH_COMPRESSED;
        }
    }

    /** Client to server: how far did my partition get (its last applied push)? */
    record ProgressQuery() implements Message {
        @Override
        public MessageType type() {
            return MessageType.PROGRESS_QUERY;
        }
    }

    /**
     * Server to client: the last applied push of the asking worker's partition (epoch -1 when none), so
     * a retried task resumes after it instead of training some samples twice.
     */
    record Progress(int epoch, long sequence, long dataOffset) implements Message {
        @Override
        public MessageType type() {
            return MessageType.PROGRESS;
        }
    }

    /** Client to server: how long have my pushes waited, and how long did the server spend applying steps? */
    record TimingQuery() implements Message {
        @Override
        public MessageType type() {
            return MessageType.TIMING_QUERY;
        }
    }

    /**
     * Server to client: where the server's time went for the asking worker, cumulative since the server
     * started (a client takes differences).
     *
     * @param waitNanos  how long this worker's accepted pushes waited for the other workers' (in sync and
     *                   local-sgd: from its push's arrival to the arrival of the step's last push; in async:
     *                   how long its replies were held back by the staleness bound)
     * @param applyNanos how long the server spent applying updates (averaging, the optimizer, encoding the
     *                   new parameters) for all workers
     * @param steps      updates applied so far
     */
    record Timing(long waitNanos, long applyNanos, long steps) implements Message {
        @Override
        public MessageType type() {
            return MessageType.TIMING;
        }
    }

    /**
     * Either direction: an error. Named {@code Failure} rather than {@code Error} so it never shadows
     * {@link java.lang.Error}. Messages longer than {@link #MAX_ERROR_CHARS} are truncated.
     */
    record Failure(ErrorCode code, String message) implements Message {
        public Failure {
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
            if (message.length() > MAX_ERROR_CHARS) {
                message = message.substring(0, MAX_ERROR_CHARS - 3) + "...";
            }
        }

        @Override
        public MessageType type() {
            return MessageType.ERROR;
        }
    }

    /**
     * Driver to a standalone shard, on its control connection: serve this job. The shard holds the
     * parameters {@code [offset, offset + n)} of a flat vector of {@code totalParameters}, where n and its
     * starting state (parameters, optimizer state and steps, step, each worker's exactly-once record) are
     * {@code state}: a {@code dev.lamina.ps.checkpoint.CheckpointCodec} encoding (a fresh job is a
     * checkpoint at step 0 with zeroed optimizer state). Answered with {@link ShardReady}.
     *
     * @param async             apply pushes as they arrive (else synchronous steps)
     * @param staleness         async: pushes a worker may run ahead of the slowest, >= 0
     * @param stepTimeoutMillis how long a step waits for its last push, > 0
     * @param optimizer         the optimizer the shard applies to its range
     */
    record ShardInit(int totalParameters, int offset, int workers, boolean async, int staleness,
                     long stepTimeoutMillis, OptimizerConfig optimizer, byte[] state) implements Message {
        public ShardInit {
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(state, "state");
            if (totalParameters <= 0 || offset < 0 || offset >= totalParameters) {
                throw new IllegalArgumentException("totalParameters : " + totalParameters + ", offset : " + offset
                        + " (expected: totalParameters > 0 and offset in [0, totalParameters))");
            }
            if (workers <= 0) {
                throw new IllegalArgumentException("workers : " + workers + " (expected: > 0)");
            }
            if (staleness < 0) {
                throw new IllegalArgumentException("staleness : " + staleness + " (expected: >= 0)");
            }
            if (stepTimeoutMillis <= 0) {
                throw new IllegalArgumentException("stepTimeoutMillis : " + stepTimeoutMillis + " (expected: > 0)");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.SHARD_INIT;
        }
    }

    /** Shard to driver: initialised; it holds {@code parameterCount} parameters from {@code offset} at {@code step}. */
    record ShardReady(int offset, int parameterCount, long step) implements Message {
        @Override
        public MessageType type() {
            return MessageType.SHARD_READY;
        }
    }

    /** Driver to shard: send me a consistent snapshot of your state. */
    record SnapshotQuery() implements Message {
        @Override
        public MessageType type() {
            return MessageType.SNAPSHOT_QUERY;
        }
    }

    /** Shard to driver: its state between two updates, as a {@code CheckpointCodec} encoding. */
    record Snapshot(byte[] state) implements Message {
        public Snapshot {
            Objects.requireNonNull(state, "state");
        }

        @Override
        public MessageType type() {
            return MessageType.SNAPSHOT;
        }
    }

    private static void checkLength(String name, byte[] bytes, int expected) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length != expected) {
            throw new IllegalArgumentException(name + " : " + bytes.length + " bytes (expected: " + expected + ")");
        }
    }
}
