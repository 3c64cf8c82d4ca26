package dev.lamina.ps.server;

import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointSink;
import dev.lamina.ps.checkpoint.JobState;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Takes a checkpoint every {@code every} server steps and writes it on one background thread, so a
 * step pays only for copying the state (under the aggregator's lock, between updates), never for the
 * write. At most one write is in flight: a checkpoint that falls due while the previous one is still
 * being written is skipped (and logged), so slow storage cannot queue up copies of the model.
 */
final class PeriodicCheckpoints implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeriodicCheckpoints.class.getName());
    /** How long {@link #close()} waits for a write in flight. */
    private static final long CLOSE_WAIT_SECONDS = 600;

    private final Aggregator<?> aggregator;
    private final long every;
    private final CheckpointSink sink;
    private final Supplier<JobState> job;
    private final ExecutorService writer;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    PeriodicCheckpoints(Aggregator<?> aggregator, long every, CheckpointSink sink, Supplier<JobState> job) {
        if (every < 1) {
            throw new IllegalArgumentException("checkpoint every : " + every + " steps (expected: >= 1)");
        }
        this.aggregator = aggregator;
        this.every = every;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.job = Objects.requireNonNull(job, "job");
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lamina-ps-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /** Called by the aggregator under its lock after each update. */
    void stepped(long step) {
        if (step % every != 0) {
            return;
        }
        if (!writing.compareAndSet(false, true)) {
            skipped.incrementAndGet();
            LOG.log(Level.INFO, "checkpoint at step {0} skipped: the previous one is still being written", step);
            return;
        }
        Checkpoint snapshot = aggregator.checkpoint();
        writer.execute(() -> write(snapshot));
    }

    private void write(Checkpoint snapshot) {
        try {
            sink.write(snapshot.withJob(job.get()));
            written.incrementAndGet();
        } catch (Exception e) {
            failed.incrementAndGet();
            LOG.log(Level.WARNING, "checkpoint at step " + snapshot.step() + " failed: " + e.getMessage(), e);
        } finally {
            writing.set(false);
        }
    }

    /** Checkpoints written, skipped (previous still in flight) and failed so far. */
    long[] counts() {
        return new long[] {written.get(), skipped.get(), failed.get()};
    }

    /** Waits for a write in flight, then stops the thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "a checkpoint write did not finish within {0} s", CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
