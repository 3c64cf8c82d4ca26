package dev.lamina.worker;

import dev.lamina.engine.optim.OptimizerConfig;
import java.io.Serializable;
import java.util.Locale;

/**
 * How to train: validated on construction, so a bad value fails before any Spark job starts.
 *
 * @param workers            Spark tasks training in parallel, >= 1
 * @param epochs             passes over the training data, >= 1
 * @param batchSize          the global batch per step, split evenly over the workers
 * @param mode               parameter-server mode; {@code sync} now
 * @param optimizer          the optimizer the parameter server applies
 * @param seed               fixes initialization and data order
 * @param stepTimeoutSeconds how long the server waits for every worker's push before failing the step
 */
public record TrainingConfig(int workers, int epochs, int batchSize, String mode, OptimizerConfig optimizer,
                             long seed, int stepTimeoutSeconds) implements Serializable {

    public TrainingConfig {
        mode = mode == null ? "" : mode.toLowerCase(Locale.ROOT);
        positive("training.workers", workers);
        positive("training.epochs", epochs);
        positive("training.batchSize", batchSize);
        positive("training.stepTimeoutSeconds", stepTimeoutSeconds);
        if (!mode.equals("sync")) {
            throw new IllegalArgumentException("training.mode : " + mode + " (expected: sync)");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("training.optimizer : null (expected: an optimizer)");
        }
        if (batchSize % workers != 0) {
            throw new IllegalArgumentException("training.batchSize : " + batchSize + " (expected: a multiple of training.workers = "
                    + workers + ", so every worker takes the same share of the global batch)");
        }
    }

    private static void positive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " : " + value + " (expected: >= 1)");
        }
    }

    /** 2 workers, 10 epochs, global batch 128, sync mode, SGD with momentum, seed 42. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(2, 10, 128, "sync", OptimizerConfig.defaults(), 42L, 600);
    }

    /** Each worker's share of the global batch. */
    public int workerBatchSize() {
        return batchSize / workers;
    }

    public TrainingConfig withWorkers(int n) {
        return new TrainingConfig(n, epochs, batchSize, mode, optimizer, seed, stepTimeoutSeconds);
    }

    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(workers, n, batchSize, mode, optimizer, seed, stepTimeoutSeconds);
    }

    public TrainingConfig withBatchSize(int n) {
        return new TrainingConfig(workers, epochs, n, mode, optimizer, seed, stepTimeoutSeconds);
    }

    public TrainingConfig withOptimizer(OptimizerConfig o) {
        return new TrainingConfig(workers, epochs, batchSize, mode, o, seed, stepTimeoutSeconds);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(workers, epochs, batchSize, mode, optimizer, s, stepTimeoutSeconds);
    }
}
