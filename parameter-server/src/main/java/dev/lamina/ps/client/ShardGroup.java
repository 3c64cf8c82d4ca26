package dev.lamina.ps.client;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.ShardRange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The driver's side of a job on standalone shards: one control connection per shard, in the order of
 * the configured addresses. {@link #init} range-partitions the parameters ({@link ShardRange#split}) and
 * sends each shard its range, starting state and mode; {@link #parameters} and {@link #checkpoint}
 * gather the shards' parts back into whole vectors. Not thread-safe.
 */
public final class ShardGroup implements AutoCloseable {
    private final List<ShardControlClient> shards;
    private List<ShardRange> ranges = List.of();

    /**
     * How the shards step.
     *
     * @param workers     workers pushing to every shard, > 0
     * @param async       apply pushes as they arrive (else synchronous steps)
     * @param staleness   async: the staleness bound, >= 0
     * @param stepTimeout how long a step waits for its last push
     * @param optimizer   the optimizer each shard applies to its range (no clipping with several shards)
     */
    public record Job(int workers, boolean async, int staleness, Duration stepTimeout, OptimizerConfig optimizer) {
        public Job {
            Objects.requireNonNull(stepTimeout, "stepTimeout");
            Objects.requireNonNull(optimizer, "optimizer");
        }
    }

    private ShardGroup(List<ShardControlClient> shards) {
        this.shards = shards;
    }

    /**
     * Connects to every shard ({@code host:port} each) as the driver.
     *
     * @param maxFrameBytes the largest frame sent or accepted (the init frame of the largest shard)
     */
    public static ShardGroup connect(List<String> addresses, byte[] secret, Duration timeout, int maxFrameBytes)
            throws IOException {
        return connect(addresses, secret, timeout, maxFrameBytes, Transport.plain());
    }

    /** As {@link #connect(List, byte[], Duration, int)}, every shard over {@code transport}. */
    public static ShardGroup connect(List<String> addresses, byte[] secret, Duration timeout, int maxFrameBytes,
                                     Transport transport) throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("shard addresses : [] (expected: at least one host:port)");
        }
        List<ShardControlClient> clients = new ArrayList<>();
        try {
            for (String address : addresses) {
                HostPort hp = HostPort.parse(address);
                clients.add(ShardControlClient.connect(hp.host(), hp.port(), secret, timeout, maxFrameBytes, transport));
            }
        } catch (IOException | RuntimeException e) {
            for (ShardControlClient c : clients) {
                try {
                    c.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new ShardGroup(List.copyOf(clients));
    }

    /**
     * The largest frame the driver exchanges with shards of a job of {@code parameters} split over
     * {@code shards}: the init frame or snapshot of the largest shard (parameters and optimizer state).
     */
    public static int maxFrameBytes(int parameters, int shards, OptimizerConfig optimizer, int workers) {
        int largest = ShardRange.split(parameters, shards).get(0).count();
        long stateBuffers = optimizer.create(1).state().length;
        long bytes = 4L * (stateBuffers + 1) * largest + 24L * workers + 8192;
        return (int) Math.min(dev.lamina.ps.protocol.FrameFormat.MAX_FRAME_BYTES,
                Math.max(bytes, dev.lamina.ps.protocol.FrameFormat.PRE_AUTH_MAX_FRAME_BYTES));
    }

    /** The shards' addresses, in order. */
    public List<String> addresses() {
        return shards.stream().map(ShardControlClient::address).toList();
    }

    /** The shards' ranges, in order (empty before {@link #init}). */
    public List<ShardRange> ranges() {
        return ranges;
    }

    /**
     * Starts the job on every shard from {@code state} (a fresh job: {@link ShardedCheckpoints#fresh}; a
     * resumed one: a checkpoint), shard i getting the i-th of {@link ShardRange#split}'s ranges.
     *
     * @throws IllegalArgumentException if there are more shards than parameters
     * @throws ParameterServerException if a shard refuses (e.g. {@code INVALID_INIT}, {@code ALREADY_INITIALIZED})
     */
    public List<ShardRange> init(Job job, Checkpoint state) throws IOException {
        int total = state.parameters().length;
        List<ShardRange> split = ShardRange.split(total, shards.size());
        List<Checkpoint> parts = ShardedCheckpoints.split(state, split);
        for (int s = 0; s < shards.size(); s++) {
            ShardRange r = split.get(s);
            Message.ShardReady ready = shards.get(s).init(new Message.ShardInit(total, r.offset(), job.workers(),
                    job.async(), job.staleness(), Math.max(1, job.stepTimeout().toMillis()), job.optimizer(),
                    CheckpointCodec.encode(parts.get(s))));
            if (ready.offset() != r.offset() || ready.parameterCount() != r.count() || ready.step() != state.step()) {
                throw new ParameterServerException(dev.lamina.ps.protocol.ErrorCode.UNEXPECTED_MESSAGE, "shard "
                        + shards.get(s).address() + " ready with offset " + ready.offset() + ", count "
                        + ready.parameterCount() + ", step " + ready.step() + " (expected: " + r.offset() + ", "
                        + r.count() + ", " + state.step() + ")");
            }
        }
        ranges = split;
        return split;
    }

    /** The whole parameter vector, gathered from the shards. */
    public float[] parameters() throws IOException {
        checkInitialised();
        float[] all = new float[ranges.get(ranges.size() - 1).end()];
        for (int s = 0; s < shards.size(); s++) {
            Message.Params p = shards.get(s).parameters();
            ShardRange r = ranges.get(s);
            if (p.values().length != r.count()) {
                throw new ParameterServerException(dev.lamina.ps.protocol.ErrorCode.WRONG_SIZE, "shard "
                        + shards.get(s).address() + " parameters : " + p.values().length + " (expected: " + r.count() + ")");
            }
            System.arraycopy(p.values(), 0, all, r.offset(), r.count());
        }
        return all;
    }

    /** One checkpoint of the whole job, merged from every shard's snapshot, with {@code job} as the driver's part. */
    public Checkpoint checkpoint(JobState job) throws IOException {
        checkInitialised();
        List<Checkpoint> parts = new ArrayList<>(shards.size());
        for (ShardControlClient shard : shards) {
            parts.add(shard.snapshot());
        }
        return ShardedCheckpoints.merge(parts, ranges, job);
    }

    private void checkInitialised() {
        if (ranges.isEmpty()) {
            throw new IllegalStateException("the shards are not initialised (expected: init first)");
        }
    }

    /** Closes the control connections (the shard processes keep running). */
    @Override
    public void close() throws IOException {
        Closing.closeAll(shards);
    }
}
