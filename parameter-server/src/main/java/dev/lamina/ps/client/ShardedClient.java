package dev.lamina.ps.client;

import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.ShardRange;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * One worker's connections to every shard of a job, one per shard in the configured order; shard i
 * holds the i-th contiguous range of the flat vector, as long as its AUTH_OK says. A push is cut into
 * the ranges and sent to all shards in parallel (each range compressed by its own encoder, with its
 * own error-feedback residual); the step completes when every shard has answered, and each answer is
 * read into its range of the destination. Uncompressed pushes and pulls stream straight from and into
 * the caller's arrays; a compressed push copies its range out first. With one shard nothing changes
 * from a plain {@link ParameterClient} (no extra thread). Not thread-safe: one worker thread uses it.
 *
 * <p>Steps: every shard steps once per synchronous step, so their steps agree; the smallest is
 * returned. The acknowledged push is the least advanced shard's (a retried task resumes there, and
 * shards that already applied a push get a pull instead of it again).
 */
public final class ShardedClient implements AutoCloseable {
    private final List<ShardConnection> shards;
    private final List<ShardRange> ranges;
    private final PushEncoder[] encoders;
    private final float[][] updates;
    private final float[][] received;
    private final ExecutorService pool;
    private final int parameterCount;
    /** Each shard's record of this worker's last applied push, as read by {@link #acknowledged()}. */
    private final long[][] records;

    /** A fan-out over open connections, shard i holding the i-th range; takes ownership of them. */
    static ShardedClient over(List<? extends ShardConnection> connections, IntFunction<PushEncoder> encoders,
                              String threadName) {
        int[] counts = new int[connections.size()];
        long total = 0;
        for (int s = 0; s < counts.length; s++) {
            counts[s] = connections.get(s).parameterCount();
            total += counts[s];
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shard parameter counts sum to " + total + " (expected: <= "
                    + Integer.MAX_VALUE + ")");
        }
        return new ShardedClient(List.copyOf(connections), ShardRange.ofCounts(counts, (int) total), encoders,
                threadName);
    }

    private ShardedClient(List<ShardConnection> shards, List<ShardRange> ranges, IntFunction<PushEncoder> encoders,
                          String threadName) {
        this.shards = shards;
        this.ranges = ranges;
        this.parameterCount = ranges.get(ranges.size() - 1).end();
        int n = shards.size();
        this.encoders = new PushEncoder[n];
        this.updates = new float[n][];
        this.received = new float[n][];
        for (int s = 0; s < n; s++) {
            this.encoders[s] = Objects.requireNonNull(encoders.apply(ranges.get(s).count()), "encoder");
            if (n > 1 && this.encoders[s].codec().id() != 0) {
                updates[s] = new float[ranges.get(s).count()];
                received[s] = new float[ranges.get(s).count()];
            }
        }
        this.pool = n > 1 ? Executors.newFixedThreadPool(n - 1, new DefaultThreadFactory(threadName, true)) : null;
        this.records = new long[n][];
    }

    /**
     * Connects to every shard ({@code host:port} each, in the driver's order) as {@code workerId};
     * {@code encoders} makes the push encoder for a range of the given size.
     */
    public static ShardedClient connect(List<String> addresses, byte[] secret, int workerId, Duration timeout,
                                        IntFunction<PushEncoder> encoders) throws IOException {
        return connect(addresses, secret, workerId, timeout, encoders, Transport.plain());
    }

    /** As {@link #connect(List, byte[], int, Duration, IntFunction)}, every shard over {@code transport}. */
    public static ShardedClient connect(List<String> addresses, byte[] secret, int workerId, Duration timeout,
                                        IntFunction<PushEncoder> encoders, Transport transport) throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("shard addresses : [] (expected: at least one host:port)");
        }
        List<ShardConnection> clients = new ArrayList<>(addresses.size());
        try {
            for (String address : addresses) {
                HostPort hp = HostPort.parse(address);
                Optional<ShardConnection> local = transport.inProcess()
                        ? InProcessServers.connect(hp, secret, workerId, timeout) : Optional.empty();
                clients.add(local.isPresent() ? local.get()
                        : ParameterClient.connect(hp.host(), hp.port(), secret, workerId, timeout, transport));
            }
            return over(clients, encoders, "lamina-ps-fanout-w" + workerId);
        } catch (IOException | RuntimeException e) {
            for (ShardConnection c : clients) {
                try {
                    c.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** All shards' parameters: the length of every update and parameter array. */
    public int parameterCount() {
        return parameterCount;
    }

    /** The shards' ranges, in order. */
    public List<ShardRange> ranges() {
        return ranges;
    }

    /** Copies every shard's parameters into {@code dst}; returns the smallest of their steps. */
    public long pull(float[] dst) throws IOException {
        checkLength("dst", dst);
        if (shards.size() == 1) {
            return shards.get(0).pull(dst);
        }
        return minimum(fanOut(s -> shards.get(s).pullRange(dst, ranges.get(s).offset())));
    }

    /**
     * Pushes {@code update} (each shard its range, compressed by that range's encoder) for {@code step}
     * and waits until every shard has completed the step; the new parameters are then in {@code dst}.
     * Returns the smallest of the shards' new steps.
     */
    public long pushPull(int epoch, long step, long sequence, long dataOffset, float[] update, float[] dst)
            throws IOException {
        checkLength("update", update);
        checkLength("dst", dst);
        if (shards.size() == 1) {
            return shards.get(0).pushPull(epoch, step, sequence, dataOffset, encoders[0], update, dst);
        }
        return minimum(fanOut(s -> {
            ShardRange r = ranges.get(s);
            ShardConnection shard = shards.get(s);
            if (applied(s, epoch, sequence)) {
                return shard.pullRange(dst, r.offset());
            }
            if (encoders[s].codec().id() == 0) {
                return shard.pushPullRange(epoch, step, sequence, dataOffset, update, dst, r.offset());
            }
            // a codec encodes a whole array (and keeps its residual per range): copy the range out and back
            System.arraycopy(update, r.offset(), updates[s], 0, r.count());
            long next = shard.pushPull(epoch, step, sequence, dataOffset, encoders[s], updates[s], received[s]);
            System.arraycopy(received[s], 0, dst, r.offset(), r.count());
            return next;
        }));
    }

    /**
     * The last push of this worker's partition that every shard applied, as {epoch, sequence,
     * dataOffset} (epoch -1 when none): the least advanced shard's record. A task that failed between
     * shards (one applied its push, another did not) resumes there; the shards' records are kept, and
     * a push a shard already applied is not sent to it again: that shard's parameters are pulled instead.
     */
    public long[] acknowledged() throws IOException {
        long[] least = null;
        for (int s = 0; s < shards.size(); s++) {
            long[] a = shards.get(s).acknowledged();
            records[s] = a;
            if (least == null || a[0] < least[0] || (a[0] == least[0] && a[1] < least[1])) {
                least = a;
            }
        }
        return least;
    }

    /**
     * The shards' cumulative timing for this worker: the longest wait and the longest apply time of any
     * shard (they serve a push in parallel), and the fewest steps.
     */
    public Message.Timing timing() throws IOException {
        long wait = 0;
        long apply = 0;
        long steps = Long.MAX_VALUE;
        for (ShardConnection shard : shards) {
            Message.Timing t = shard.timing();
            wait = Math.max(wait, t.waitNanos());
            apply = Math.max(apply, t.applyNanos());
            steps = Math.min(steps, t.steps());
        }
        return new Message.Timing(wait, apply, steps);
    }

    /** Whether shard {@code s}'s record (as last read) says it applied this worker's push (epoch, sequence). */
    private boolean applied(int s, int epoch, long sequence) {
        long[] r = records[s];
        return r != null && (epoch < r[0] || (epoch == r[0] && sequence <= r[1]));
    }

    /** Bytes written to all shards, frames included. */
    public long bytesSent() {
        return shards.stream().mapToLong(ShardConnection::bytesSent).sum();
    }

    /** Bytes read from all shards, frames included. */
    public long bytesReceived() {
        return shards.stream().mapToLong(ShardConnection::bytesReceived).sum();
    }

    @Override
    public void close() throws IOException {
        if (pool != null) {
            pool.shutdownNow();
        }
        Closing.closeAll(shards);
    }

    /** One shard's part of a request. */
    private interface ShardOp {
        long run(int shard) throws IOException;
    }

    /** Runs {@code op} for every shard at once (shard 0 on this thread) and waits for all; rethrows the first failure. */
    private long[] fanOut(ShardOp op) throws IOException {
        int n = shards.size();
        List<Future<Long>> pending = new ArrayList<>(n - 1);
        for (int s = 1; s < n; s++) {
            int shard = s;
            pending.add(pool.submit(() -> op.run(shard)));
        }
        long[] results = new long[n];
        IOException failure = null;
        try {
            results[0] = op.run(0);
        } catch (IOException e) {
            failure = e;
        }
        for (int s = 1; s < n; s++) {
            try {
                results[s] = pending.get(s - 1).get();
            } catch (ExecutionException e) {
                IOException cause = e.getCause() instanceof IOException io ? io
                        : new IOException("shard " + s + " failed: " + e.getCause(), e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for shard " + s);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static long minimum(long[] values) {
        long min = values[0];
        for (long v : values) {
            min = Math.min(min, v);
        }
        return min;
    }

    private void checkLength(String name, float[] array) {
        Objects.requireNonNull(array, name);
        if (array.length != parameterCount) {
            throw new IllegalArgumentException(name + " length : " + array.length + " (expected: " + parameterCount
                    + ", the parameters of all " + shards.size() + " shards)");
        }
    }
}
