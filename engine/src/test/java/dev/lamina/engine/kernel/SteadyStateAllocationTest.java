package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A training step must allocate nothing, so once C2 has compiled them the vector kernels may not
 * allocate either. The Vector API boxes a vector whenever the JIT cannot keep it in a register (a
 * call that was not inlined, a masked operation JDK 17 does not intrinsify), so this catches a
 * class of silent 10x slowdowns. Warm-up and compilation take a moment: the check repeats until
 * a round allocates nothing, and fails if none does within the deadline.
 */
class SteadyStateAllocationTest {

    private static final long DEADLINE_NANOS = 10_000_000_000L;
    private static final int ROUND = 200;

    @Tag("allocation")
    @Test
    void kernelsAllocateNothingOnceCompiled() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        Kernels k = VectorKernels.INSTANCE;
        float[] a = new float[40 * 70];
        float[] b = new float[70 * 45];
        float[] c = new float[40 * 45];
        float[] x = new float[1000];
        float[] y = new float[1000];
        long start = System.nanoTime();
        long bytes = Long.MAX_VALUE;
        while (System.nanoTime() - start < DEADLINE_NANOS) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < ROUND; r++) {
                k.gemm(false, false, 40, 45, 70, 1f, a, 0, 70, b, 0, 45, 0.5f, c, 0, 45);
                k.gemm(true, false, 40, 45, 70, 1f, a, 0, 40, b, 0, 45, 0f, c, 0, 45);
                k.gemm(false, true, 5, 45, 70, 1f, a, 0, 70, b, 0, 70, 0f, c, 0, 45);
                k.gemm(true, true, 40, 45, 70, 1f, a, 0, 40, b, 0, 70, 1f, c, 0, 45);
                k.softmax(10, 100, x, 0, y, 0);
                k.softmax(100, 10, x, 0, y, 0);
                k.dot(999, x, 0, y, 1);
                k.sumRows(10, 99, x, 0, y, 0);
                k.axpy(999, 2f, x, 0, y, 1);
                k.addRowVector(10, 99, x, 0, y, 0, x, 0);
                k.relu(999, x, 0, y, 0);
                k.reluBackward(999, x, 0, y, 0, y, 0);
            }
            // A few bytes of slack for the measurement itself.
            bytes = mx.getCurrentThreadAllocatedBytes() - before;
            if (bytes < 256) {
                return;
            }
        }
        fail("vector kernels still allocate " + bytes + " bytes per " + ROUND + " rounds after "
                + DEADLINE_NANOS / 1_000_000_000L + " s of warm-up");
    }
}
