package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ThreadedKernels}: GEMM split over a {@link GemmPool} must agree with the reference for
 * every shape, transpose and thread count (2 to 5 participants, more than the tiles of some
 * shapes), survive concurrent callers, and allocate nothing once compiled, on any thread.
 */
class ThreadedKernelsTest {

    /** Every product goes through the pool, whatever its size. */
    private static final ThreadedKernels[] FORCED = new ThreadedKernels[6];

    /** Training-step shapes of the MNIST MLP (batch 64) and of larger batches. */
    private static final int[][] TRAINING_SHAPES = {
        {64, 256, 784}, {64, 128, 256}, {64, 10, 128}, {256, 784, 64}, {128, 256, 64}, {64, 784, 256},
        {256, 256, 256}, {512, 128, 784},
    };

    private static synchronized ThreadedKernels forced(int threads) {
        if (FORCED[threads] == null) {
            FORCED[threads] = new ThreadedKernels(threads, 0);
        }
        return FORCED[threads];
    }

    @Test
    void everyShapeAndTransposeAgreesWithTheReference() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        for (int threads = 2; threads <= 5; threads++) {
            for (int t = 0; t < 4; t++) {
                for (int[] s : GemmTest.SHAPES) {
                    GemmTest.check(forced(threads), (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2],
                            t == 0 ? 1f : 0.5f, t % 2 == 0 ? 0f : 2f, 31L * threads + s[0] + s[1]);
                }
            }
        }
    }

    @Test
    void trainingShapesAgreeWithScalarKernels() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        SplittableRandom rnd = new SplittableRandom(3);
        for (int threads : new int[] {2, 3, 4}) {
            Kernels threaded = KernelProvider.kernels(threads);
            for (int[] s : TRAINING_SHAPES) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0;
                    boolean tb = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = random(rnd, m * k);
                    float[] b = random(rnd, k * n);
                    float[] expected = random(rnd, m * n);
                    float[] actual = expected.clone();
                    ScalarKernels.INSTANCE.gemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n,
                            0.5f, expected, 0, n);
                    threaded.gemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5f, actual, 0, n);
                    for (int i = 0; i < expected.length; i++) {
                        // Terms lie in [-1, 1): k terms carry at most k * eps of rounding each way.
                        assertEquals(expected[i], actual[i], 2 * k * 1.2e-7f,
                                "threads=" + threads + " shape=" + m + "x" + n + "x" + k + " t=" + t + " i=" + i);
                    }
                    // the bias joins the merges of every thread's block
                    float[] bias = random(rnd, n + 2);
                    ScalarKernels.INSTANCE.gemmBias(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, bias, 2,
                            expected, 0, n);
                    threaded.gemmBias(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, bias, 2, actual, 0, n);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], actual[i], 2 * k * 1.2e-7f + 2.4e-7f, "gemmBias threads=" + threads
                                + " shape=" + m + "x" + n + "x" + k + " t=" + t + " i=" + i);
                    }
                }
            }
        }
    }

    /**
     * Regression: a finished job's claim word used to stay claimable when the next product was
     * split into more blocks, so a pool thread still leaving the old job could claim a block of
     * the new one before it was published, compute it from a half-copied problem and count it
     * twice; the caller then waited forever (the CI run of 2026-11-24 hung here). Alternating
     * products of 2 and 5 blocks on a 5-thread pool hit that window within seconds.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void productsSplitIntoMoreBlocksThanTheLastAreNeitherLostNorCountedTwice() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        Kernels pool = new ThreadedKernels(5, 0);
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{16, 32, 8}, {40, 32, 8}};
        float[][] a = new float[2][];
        float[][] b = new float[2][];
        float[][] expected = new float[2][];
        for (int s = 0; s < 2; s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            a[s] = random(rnd, m * k);
            b[s] = random(rnd, k * n);
            expected[s] = new float[m * n];
            ScalarKernels.INSTANCE.gemm(false, false, m, n, k, 1f, a[s], 0, k, b[s], 0, n, 0f, expected[s], 0, n);
        }
        for (int r = 0; r < 200_000; r++) {
            int s = r & 1;
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            float[] c = new float[m * n];
            pool.gemm(false, false, m, n, k, 1f, a[s], 0, k, b[s], 0, n, 0f, c, 0, n);
            assertArrayEquals(expected[s], c, 1e-5f, "round " + r);
        }
    }

    @Test
    void providerKeepsOneInstancePerThreadCount() {
        assertSame(KernelProvider.kernels(), KernelProvider.kernels(1));
        assertSame(KernelProvider.kernels(2), KernelProvider.kernels(2));
        assertThrows(IllegalArgumentException.class, () -> KernelProvider.kernels(0));
        if (KernelProvider.vectorized()) {
            assertEquals(3, ((ThreadedKernels) KernelProvider.kernels(3)).threads());
        }
    }

    @Test
    void concurrentCallersShareOnePoolAndGetTheirOwnResults() throws Exception {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        Kernels k = forced(2);
        int callers = 4;
        int m = 64, n = 256, p = 784;
        CyclicBarrier start = new CyclicBarrier(callers);
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            long seed = t;
            Thread thread = new Thread(() -> {
                try {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    float[] a = random(rnd, m * p);
                    float[] b = random(rnd, n * p);
                    float[] expected = new float[m * n];
                    VectorKernels.INSTANCE.gemm(false, true, m, n, p, 1f, a, 0, p, b, 0, p, 0f, expected, 0, n);
                    start.await();
                    for (int r = 0; r < 200; r++) {
                        float[] c = new float[m * n];
                        k.gemm(false, true, m, n, p, 1f, a, 0, p, b, 0, p, 0f, c, 0, n);
                        assertArrayEquals(expected, c, 1e-4f, "caller " + seed + " round " + r);
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
    }

    @Test
    void poolThreadsAreDaemons() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        KernelProvider.kernels(2);
        boolean found = false;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("lamina-gemm-")) {
                found = true;
                assertTrue(t.isDaemon(), t.getName() + " is not a daemon thread");
            }
        }
        assertTrue(found, "no pool thread found");
    }

    @Tag("allocation")
    @Test
    void steadyStateAllocatesNothingOnAnyThread() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        Kernels k = KernelProvider.kernels(2);
        float[] a = random(new SplittableRandom(1), 64 * 784);
        float[] w = random(new SplittableRandom(2), 256 * 784);
        float[] c = new float[64 * 256];
        float[] g = new float[256 * 784];
        long[] ids = poolThreadIds(mx);
        long deadline = System.nanoTime() + 20_000_000_000L;
        long bytes = Long.MAX_VALUE;
        while (System.nanoTime() < deadline) {
            long before = allocated(mx, ids) + mx.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 50; r++) {
                k.gemm(false, true, 64, 256, 784, 1f, a, 0, 784, w, 0, 784, 0f, c, 0, 256);
                k.gemm(true, false, 256, 784, 64, 1f, c, 0, 256, a, 0, 784, 0f, g, 0, 784);
                k.gemm(false, false, 64, 784, 256, 1f, c, 0, 256, w, 0, 784, 0f, a, 0, 784);
            }
            bytes = allocated(mx, ids) + mx.getCurrentThreadAllocatedBytes() - before;
            if (bytes < 256) {
                return;
            }
        }
        fail("threaded GEMM still allocates " + bytes + " bytes per 150 products after warm-up");
    }

    private static long[] poolThreadIds(com.sun.management.ThreadMXBean mx) {
        List<Long> ids = new ArrayList<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("lamina-gemm-")) {
                ids.add(info.getThreadId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static long allocated(com.sun.management.ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
