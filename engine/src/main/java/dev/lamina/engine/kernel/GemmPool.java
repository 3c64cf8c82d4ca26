package dev.lamina.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed team of {@code threads - 1} daemon threads that, together with the calling thread,
 * compute one {@link VectorGemm} product at a time. C' is cut into {@code threads} blocks of whole
 * tiles (MR-aligned rows or NR-aligned columns, whichever splits better); each participant claims
 * blocks one at a time and computes them with its own {@link VectorGemm.Workspace}.
 *
 * <p>Claiming, rather than assigning, blocks matters when the machine is oversubscribed: a pool
 * thread the OS has not scheduled yet claims nothing, the caller computes its block too, and the
 * product never waits for a time slice. The claim word packs the job's generation (high 32
 * bits), its number of blocks (bits 16-31) and the next block index (bits 0-15): a thread that
 * leaves a job late judges what is left by the word it read, never by the fields the next call
 * is already rewriting, so it cannot claim a block of a finished job or of one not yet
 * published. (Reading the block count from a shared field let a late thread claim "block 2" of
 * a finished 2-block job once the next call had set 5 blocks, compute it from a half-copied
 * problem and count it into the next job, whose caller then waited forever.)
 *
 * <p>Nothing is allocated per call: the problem is copied into the workspaces, the block ranges
 * into int arrays, and the claim word publishes the job. Pool threads spin on it for a short
 * while (a training step issues its products microseconds apart), then park; the caller unparks
 * them. The thread that finishes the last block unparks the caller.
 *
 * <p>One team serves the whole JVM for a given size (Spark tasks in one executor share it). A
 * call that finds the team busy returns false and the caller computes the product alone, so
 * concurrent tasks never wait for each other.
 */
final class GemmPool {

    /** Spin iterations before a waiting thread parks (some tens of microseconds). */
    private static final int SPINS = 1 << 12;
    private static final int PARTS_SHIFT = 16;
    private static final int INDEX_MASK = 0xFFFF;

    private final int threads;
    private final Thread[] workers;
    private final VectorGemm.Workspace[] workspaces;
    private final int[] rowStart;
    private final int[] rowEnd;
    private final int[] colStart;
    private final int[] colEnd;
    private final ReentrantLock lock = new ReentrantLock();
    /** (generation << 32) | (blocks << 16) | next unclaimed block. */
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Thread caller;
    private volatile RuntimeException failure;
    private int generation;
    private int parts;

    GemmPool(int threads) {
        assert threads >= 2 && threads <= INDEX_MASK;
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
     * Computes the product of {@link Kernels#gemm} with the team (m, n, k >= 1), plus bias[biasOff + j]
     * on C's columns when bias is not null ({@link Kernels#gemmBias}, alpha 1 and beta 0); returns
     * false, having done nothing, when another thread is using the team.
     */
    boolean gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                 float beta, float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            VectorGemm.Workspace w = workspaces[0];
            VectorGemm.setProblem(w, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            w.bias = bias;
            w.biasOff = biasOff;
            split(w.m, w.n, w.yTransposed);
            if (parts == 1) {
                VectorGemm.multiply(w, 0, w.m, 0, w.n);
                return true;
            }
            for (int t = 1; t < threads; t++) {
                workspaces[t].copyProblem(w);
            }
            runTeam();
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
     * X), otherwise by columns (each packs only its columns of Y). A transposed Y is packed by
     * scalar transposes, too slow to repeat on every thread: it is split by columns whenever
     * there are enough of them (measured on 64x256x784 A*B^T, swapped: 2 threads went from
     * slower than 1 to faster).
     */
    private void split(int m, int n, boolean yTransposed) {
        int rowTiles = (m + VectorGemm.MR - 1) / VectorGemm.MR;
        int colTiles = (n + VectorGemm.NR - 1) / VectorGemm.NR;
        boolean byRows = rowTiles >= colTiles && !(yTransposed && colTiles >= threads);
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

    /** Publishes the job, computes blocks on this thread until none is left, waits for the rest. */
    private void runTeam() {
        caller = Thread.currentThread();
        failure = null;
        done.set(0);
        generation++;
        long base = ((long) generation << 32) | ((long) parts << PARTS_SHIFT);
        claim.set(base);
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        computeBlocks(0, base);
        for (int spin = 0; done.get() != parts; spin++) {
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

    /**
     * Claims and computes blocks of the job whose claim word started at {@code base} (generation
     * and block count, index 0), with the workspace of participant {@code t}, until none is left
     * or the job is over.
     */
    private void computeBlocks(int t, long base) {
        int jobParts = (int) (base >>> PARTS_SHIFT) & INDEX_MASK;
        while (true) {
            long current = claim.get();
            if ((current & ~(long) INDEX_MASK) != base) {
                return;
            }
            int block = (int) current & INDEX_MASK;
            if (block >= jobParts) {
                return;
            }
            if (!claim.compareAndSet(current, current + 1)) {
                continue;
            }
            try {
                VectorGemm.multiply(workspaces[t], rowStart[block], rowEnd[block], colStart[block], colEnd[block]);
            } catch (RuntimeException | Error e) {
                // A pool thread must report, not die: the caller waits for every block. The
                // failure is rethrown to the caller, as the cause of an IllegalStateException.
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            if (done.incrementAndGet() == jobParts && t != 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** The loop of pool thread {@code t}: waits for a new job, then helps with its blocks. */
    private void work(int t) {
        long seen = 0;
        while (true) {
            int spin = 0;
            long base;
            while ((base = claim.get() & ~(long) INDEX_MASK) == seen) {
                if (spin++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = base;
            computeBlocks(t, base);
        }
    }
}
