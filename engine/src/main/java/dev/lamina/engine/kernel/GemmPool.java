package dev.lamina.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed team of {@code threads - 1} daemon threads that, together with the calling thread,
 * compute one {@link VectorGemm} product at a time, each participant a disjoint block of C' (a
 * range of MR-aligned rows or NR-aligned columns, whichever splits better) with its own
 * {@link VectorGemm.Workspace}.
 *
 * <p>Nothing is allocated per call: the problem is copied into the workspaces, the ranges into
 * int arrays, and a volatile generation counter publishes the job. Workers spin on the counter
 * for a short while (a training step issues its products microseconds apart), then park; the
 * caller unparks them. The last worker to finish unparks the caller.
 *
 * <p>One team serves the whole JVM for a given size (Spark tasks in one executor share it). A
 * call that finds the team busy returns false and the caller computes the product alone, so
 * concurrent tasks never wait for each other.
 */
final class GemmPool {

    /** Spin iterations before a waiting thread parks (tens of microseconds). */
    private static final int SPINS = 1 << 15;

    private final int threads;
    private final Thread[] workers;
    private final VectorGemm.Workspace[] workspaces;
    private final int[] rowStart;
    private final int[] rowEnd;
    private final int[] colStart;
    private final int[] colEnd;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile Thread caller;
    private int parts;
    private volatile RuntimeException failure;

    GemmPool(int threads) {
        assert threads >= 2;
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.workspaces = new VectorGemm.Workspace[threads];
        this.rowStart = new int[threads];
        this.rowEnd = new int[threads];
        this.colStart = new int[threads];
        this.colEnd = new int[threads];
        for (int t = 0; t < threads; t++) {
            workspaces[t] = new VectorGemm.Workspace();
        }
        for (int t = 1; t < threads; t++) {
            int index = t;
            Thread worker = new Thread(() -> work(index), "lamina-gemm-" + threads + "-" + t);
            worker.setDaemon(true);
            workers[t - 1] = worker;
            worker.start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Computes the product of {@link Kernels#gemm} with the team (m, n, k >= 1); returns false,
     * having done nothing, when another thread is using the team.
     */
    boolean gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                 float beta, float[] c, int cOff, int ldc) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            VectorGemm.Workspace w = workspaces[0];
            VectorGemm.setProblem(w, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            split(w.m, w.n);
            if (parts == 1) {
                VectorGemm.multiply(w, 0, w.m, 0, w.n);
                return true;
            }
            for (int t = 1; t < parts; t++) {
                workspaces[t].copyProblem(w);
            }
            runTeam(w);
            return true;
        } finally {
            for (VectorGemm.Workspace w : workspaces) {
                w.clear();
            }
            lock.unlock();
        }
    }

    /**
     * Divides C' [m, n] into {@code parts} blocks of whole tiles: by rows when C' has at least as
     * many row tiles as column tiles (each thread then packs all of Y but reads only its rows of
     * X), otherwise by columns (each packs only its columns of Y).
     */
    private void split(int m, int n) {
        int rowTiles = (m + VectorGemm.MR - 1) / VectorGemm.MR;
        int colTiles = (n + VectorGemm.NR - 1) / VectorGemm.NR;
        boolean byRows = rowTiles >= colTiles;
        int tiles = byRows ? rowTiles : colTiles;
        int unit = byRows ? VectorGemm.MR : VectorGemm.NR;
        int extent = byRows ? m : n;
        parts = Math.min(threads, tiles);
        for (int t = 0; t < parts; t++) {
            int start = Math.min(extent, (int) ((long) tiles * t / parts) * unit);
            int end = t == parts - 1 ? extent : Math.min(extent, (int) ((long) tiles * (t + 1) / parts) * unit);
            rowStart[t] = byRows ? start : 0;
            rowEnd[t] = byRows ? end : m;
            colStart[t] = byRows ? 0 : start;
            colEnd[t] = byRows ? n : end;
        }
    }

    /** Publishes the job, computes block 0 on this thread and waits for the others. */
    private void runTeam(VectorGemm.Workspace w) {
        Thread self = Thread.currentThread();
        caller = self;
        failure = null;
        // Every worker reports for every job, even one without a block: then no worker can still
        // be reading an old job when the next is published.
        pending.set(threads - 1);
        generation++;
        for (int t = 1; t < threads; t++) {
            LockSupport.unpark(workers[t - 1]);
        }
        VectorGemm.multiply(w, rowStart[0], rowEnd[0], colStart[0], colEnd[0]);
        for (int spin = 0; pending.get() != 0; spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        RuntimeException f = failure;
        if (f != null) {
            throw new IllegalStateException("a GEMM pool thread failed: " + f, f);
        }
    }

    /** The loop of worker {@code t}: waits for a new generation, computes its block, reports. */
    private void work(int t) {
        int seen = 0;
        while (true) {
            int spin = 0;
            int g;
            while ((g = generation) == seen) {
                if (spin++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = g;
            try {
                if (t < parts) {
                    VectorGemm.multiply(workspaces[t], rowStart[t], rowEnd[t], colStart[t], colEnd[t]);
                }
            } catch (RuntimeException | Error e) {
                // A pool thread must report, not die: the caller is waiting for it. Errors are
                // rethrown to the caller as the cause of an IllegalStateException.
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }
}
