package dev.lamina.engine.nn;

import com.sun.management.ThreadMXBean;
import dev.lamina.engine.optim.Optimizer;
import java.lang.management.ManagementFactory;

/** The steady-state allocation check the "allocation" tests share. */
final class StepAllocation {
    private StepAllocation() {
    }

    /**
     * Heap bytes this thread allocates per training step (step then optimizer), over {@code measured}
     * steps after {@code warmUp} steps (long enough for C2 to compile the executors and kernels:
     * interpreted Vector API code allocates its vectors).
     */
    static long bytesPerStep(TrainingStep step, Optimizer optimizer, float[] params, float[] grads, int warmUp,
                             int measured) {
        for (int i = 0; i < warmUp; i++) {
            step.run();
            optimizer.step(params, grads);
        }
        ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        for (int i = 0; i < measured; i++) {
            step.run();
            optimizer.step(params, grads);
        }
        return (bean.getThreadAllocatedBytes(id) - before) / measured;
    }
}
