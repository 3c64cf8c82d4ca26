package dev.lamina.engine.nn;

import dev.lamina.engine.kernel.Kernels;
import dev.lamina.engine.tensor.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A training step whose batch is cut into contiguous parts that run at the same time, one compiled
 * plan per part on threads of its own (data parallelism inside one worker): the parts read their rows
 * straight from this step's feature and target buffers and write their outputs into this step's output
 * buffer, and their mean-loss gradients are combined as sum over parts of (rows_i / B) * g_i in part
 * order, so a run is deterministic and, up to float rounding, the gradient of the whole batch's mean
 * loss. Only for models whose loss is a mean over rows and whose layers see each row alone (no batch
 * norm, no dropout: see {@link Model#trainingStep(int, float[], float[], int)}). One synchronisation per
 * step; nothing is allocated per step. Close it to stop its threads (they are daemons either way).
 */
final class ParallelTrainingStep extends TrainingStep {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int SPINS = 20_000;

    private final TrainingStep[] parts;
    private final float[][] partGrads;
    private final float[] grads;
    private final float[] weights;
    private final Tensor loss;
    private final Kernels kernels;
    private final Thread[] threads;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile int generation;
    private volatile Thread caller;
    private volatile boolean stopped;
    private volatile Throwable failure;

    /**
     * @param parts     the parts' steps, part 0 writing its gradient into {@code grads}, part i > 0 into
     *                  {@code partGrads[i]}
     * @param rows      each part's rows
     */
    ParallelTrainingStep(Tensor features, Tensor labels, Tensor output, boolean classification, TrainingStep[] parts,
                         int[] rows, float[] grads, float[][] partGrads, Kernels kernels) {
        this(features, labels, new Tensor(dev.lamina.engine.tensor.Shape.of(1), new float[1], 0), output,
                classification, parts, rows, grads, partGrads, kernels);
    }

    private ParallelTrainingStep(Tensor features, Tensor labels, Tensor loss, Tensor output, boolean classification,
                                 TrainingStep[] parts, int[] rows, float[] grads, float[][] partGrads, Kernels kernels) {
        super(features, labels, loss, output, classification);
        this.parts = parts;
        this.partGrads = partGrads;
        this.grads = grads;
        this.loss = loss;
        this.kernels = kernels;
        int total = 0;
        for (int r : rows) {
            total += r;
        }
        this.weights = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            weights[i] = (float) rows[i] / total;
        }
        int id = IDS.incrementAndGet();
        this.threads = new Thread[parts.length];
        for (int i = 1; i < parts.length; i++) {
            int part = i;
            threads[i] = new Thread(() -> serve(part), "lamina-part-" + id + "-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    /** How many parts the batch is cut into. */
    int partCount() {
        return parts.length;
    }

    @Override
    public float run() {
        if (stopped) {
            throw new IllegalStateException("this parallel training step is closed");
        }
        caller = Thread.currentThread();
        failure = null;
        remaining.set(parts.length - 1);
        generation++;
        for (int i = 1; i < threads.length; i++) {
            LockSupport.unpark(threads[i]);
        }
        float first = parts[0].run();
        int spins = 0;
        while (remaining.get() > 0) {
            if (spins++ < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("a part of the batch failed: " + t.getMessage(), t);
        }
        float sum = weights[0] * first;
        kernels.scal(grads.length, weights[0], grads, 0);
        for (int i = 1; i < parts.length; i++) {
            sum += weights[i] * parts[i].lastLoss();
            kernels.axpy(grads.length, weights[i], partGrads[i], 0, grads, 0);
        }
        loss.data()[loss.offset()] = sum;
        return sum;
    }

    private void serve(int part) {
        int seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen && !stopped) {
                if (spins++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (stopped) {
                return;
            }
            seen = generation;
            try {
                parts[part].run();
            } catch (Throwable t) {
                failure = t;
            }
            if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (int i = 1; i < threads.length; i++) {
            LockSupport.unpark(threads[i]);
        }
    }
}
