package dev.lamina.driver;

import dev.lamina.worker.EpochTrainer;
import dev.lamina.worker.FeatureBlock;
import dev.lamina.worker.WorkerStats;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.Function1;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;

/** The body of one barrier task: wait for every worker, then train this partition for one epoch. */
final class TrainPartition implements Function1<Iterator<FeatureBlock>, Iterator<WorkerStats>>, Serializable {
    private final EpochTrainer.Task task;

    TrainPartition(EpochTrainer.Task task) {
        this.task = task;
    }

    @Override
    public Iterator<WorkerStats> apply(Iterator<FeatureBlock> blocks) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int worker = context.partitionId();
        if (!blocks.hasNext()) {
            throw new IllegalStateException("partition " + worker + " has no feature block");
        }
        FeatureBlock block = blocks.next();
        context.barrier();
        try {
            WorkerStats stats = EpochTrainer.run(task, worker, block);
            return CollectionConverters.asScala(List.of(stats).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + worker + " failed in epoch " + task.epoch() + ": " + e.getMessage(), e);
        }
    }
}
