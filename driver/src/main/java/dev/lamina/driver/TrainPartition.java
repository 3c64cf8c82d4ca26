package dev.lamina.driver;

import dev.lamina.worker.EpochTrainer;
import dev.lamina.worker.FeatureBlock;
import dev.lamina.worker.WorkerStats;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import scala.Function1;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The body of one barrier task: train this partition for one epoch. Its figures also go to named
 * accumulators, which the Spark UI shows on the stage page.
 *
 * <p>The barrier stage launches all tasks together (or none), and the parameter server's first step
 * waits for every worker's push, so the task does not call {@code BarrierTaskContext.barrier()}: in
 * Spark 4.1.0 that call polls its RPC with {@code Thread.sleep(1000)}, which cost every task about a
 * second per epoch.
 */
final class TrainPartition implements Function1<Iterator<FeatureBlock>, Iterator<WorkerStats>>, Serializable {
    private static final System.Logger LOG = System.getLogger(TrainPartition.class.getName());
    private final EpochTrainer.Task task;
    private final Accumulators accumulators;

    /** The job's named accumulators ({@code lamina.*}), created once on the driver. */
    record Accumulators(LongAccumulator samples, LongAccumulator steps, LongAccumulator bytesSent,
                        LongAccumulator bytesReceived, DoubleAccumulator computeSeconds,
                        DoubleAccumulator commSeconds, DoubleAccumulator waitSeconds) implements Serializable {

        static Accumulators create(SparkContext sc) {
            return new Accumulators(sc.longAccumulator("lamina.samples"), sc.longAccumulator("lamina.steps"),
                    sc.longAccumulator("lamina.bytesSent"), sc.longAccumulator("lamina.bytesReceived"),
                    sc.doubleAccumulator("lamina.computeSeconds"), sc.doubleAccumulator("lamina.commSeconds"),
                    sc.doubleAccumulator("lamina.waitSeconds"));
        }

        void add(WorkerStats s) {
            samples.add(s.samples());
            steps.add(s.steps());
            bytesSent.add(s.bytesSent());
            bytesReceived.add(s.bytesReceived());
            computeSeconds.add(s.computeNanos() / 1e9);
            commSeconds.add(s.commNanos() / 1e9);
            waitSeconds.add(s.waitNanos() / 1e9);
        }
    }

    TrainPartition(EpochTrainer.Task task, Accumulators accumulators) {
        this.task = task;
        this.accumulators = accumulators;
    }

    @Override
    public Iterator<WorkerStats> apply(Iterator<FeatureBlock> blocks) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int worker = context.partitionId();
        if (!blocks.hasNext()) {
            throw new IllegalStateException("partition " + worker + " has no feature block");
        }
        FeatureBlock block = blocks.next();
        LOG.log(System.Logger.Level.INFO, "worker {0} starts epoch {1} ({2} rows)", worker, task.epoch() + 1,
                block.rows());
        CancelWatch watch = new CancelWatch(context, worker);
        try {
            WorkerStats stats = EpochTrainer.run(task, worker, block, watch::connected).ofWorker(worker);
            LOG.log(System.Logger.Level.INFO, "worker {0} trained epoch {1}: {2} steps, compute {3} s, comm {4} s"
                    + " (waiting {5} s)", worker, task.epoch() + 1, stats.steps(), stats.computeNanos() / 1e9,
                    stats.commNanos() / 1e9, stats.waitNanos() / 1e9);
            accumulators.add(stats);
            return CollectionConverters.asScala(List.of(stats).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + worker + " failed in epoch " + task.epoch() + ": " + e.getMessage(), e);
        } finally {
            watch.stop();
        }
    }

    /**
     * Closes the task's parameter-server connection when Spark kills the task. When a barrier task
     * fails, Spark kills the others without interrupting their threads, and a worker blocked waiting
     * for a step the failed one will never push would otherwise hold its slot until
     * {@code training.stepTimeoutSeconds} passed, delaying the stage's retry.
     */
    private static final class CancelWatch {
        private static final long PERIOD_MILLIS = 100;
        private final java.util.concurrent.atomic.AtomicReference<AutoCloseable> client =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;

        CancelWatch(BarrierTaskContext context, int worker) {
            thread = new Thread(() -> {
                while (running) {
                    if (context.isInterrupted()) {
                        AutoCloseable c = client.get();
                        if (c != null) {
                            try {
                                c.close();
                            } catch (Exception e) {
                                // The task is being killed; its own failure is what Spark reports.
                            }
                            return;
                        }
                    }
                    try {
                        Thread.sleep(PERIOD_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "lamina-cancel-watch-" + worker);
            thread.setDaemon(true);
            thread.start();
        }

        void connected(AutoCloseable c) {
            client.set(c);
        }

        void stop() {
            running = false;
            thread.interrupt();
        }
    }
}
