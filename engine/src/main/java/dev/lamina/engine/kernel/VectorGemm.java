package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked SGEMM on the Vector API: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] +
 * beta * C, row-major, with the semantics of {@link Kernels#gemm}.
 *
 * <p>Blocking, outermost first (the classic GotoBLAS/BLIS loop nest):
 * <ol>
 *   <li>columns of C in blocks of {@link #NC}; a block of packed op(B) [KC, NC] stays in L2;</li>
 *   <li>K in blocks of {@link #KC}; the first block applies beta, later ones accumulate;</li>
 *   <li>rows of C in blocks of {@link #MC}; a packed op(A) block [MC, KC] stays in L2;</li>
 *   <li>the macrokernel walks NR-wide B panels (one [KC, NR] panel in L1) and, inside,
 *       MR-row A panels;</li>
 *   <li>the microkernel keeps an MR x NR tile of C in MR * 2 = 16 vector registers: per step of
 *       K it loads 2 vectors of B, broadcasts MR values of A and issues 16 independent FMAs.</li>
 * </ol>
 * Edge tiles (fewer than MR rows or NR columns left) run the same microkernel on zero-padded
 * panels into a small tile buffer and copy the valid part out with scalar code.
 *
 * <p>Packing buffers live in a per-thread {@link Workspace}, so steady-state calls allocate
 * nothing. {@link #gemmColumns} computes a column range of C with a caller-supplied workspace,
 * which is the unit a later multi-threaded driver hands to each thread.
 */
final class VectorGemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    /** Rows of C per microkernel tile. */
    static final int MR = 8;
    /** Columns of C per microkernel tile: two vectors. */
    static final int NR = 2 * L;
    /** K block: one [KC, NR] B panel (32 KiB at 512 bits) fits in L1d. */
    static final int KC = 256;
    /** Row block of A: a [MC, KC] packed block is 128 KiB. */
    static final int MC = 128;
    /** Column block of B: a [KC, NC] packed block is 512 KiB at 512 bits. */
    static final int NC = 16 * NR;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread packing buffers; one per thread that runs {@link #gemmColumns}. */
    static final class Workspace {
        final float[] packedA = new float[MC * KC];
        final float[] packedB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private VectorGemm() {
    }

    /** See {@link Kernels#gemm}; runs on the calling thread with its own workspace. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        assert m >= 0 && n >= 0 && k >= 0;
        assert ldc >= n && lda >= (transA ? m : k) && ldb >= (transB ? k : n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        gemmColumns(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                0, n, WORKSPACE.get());
    }

    /**
     * Computes columns [j0, j1) of C (all M rows) with the buffers of {@code ws}; k >= 1.
     * Disjoint column ranges touch disjoint parts of C, so threads may run them concurrently.
     */
    static void gemmColumns(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, int j0, int j1, Workspace ws) {
        assert k >= 1 && 0 <= j0 && j0 <= j1 && j1 <= n;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc, nc, NR, ws.packedB);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, MR, ws.packedA);
                    macroKernel(mc, nc, kc, alpha, betaBlock, ws, c, cOff + ic * ldc + jc, ldc);
                }
            }
        }
    }

    /** C block [mc, nc] at c[cOff] = alpha * packedA * packedB + beta * C block. */
    private static void macroKernel(int mc, int nc, int kc, float alpha, float beta, Workspace ws,
                                    float[] c, int cOff, int ldc) {
        float[] pa = ws.packedA;
        float[] pb = ws.packedB;
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int pbOff = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int paOff = ir * kc;
                int cIdx = cOff + ir * ldc + jr;
                microKernel(kc, pa, paOff, pb, pbOff, ws.tile);
                if (rows == MR && cols == NR) {
                    mergeFullTile(ws.tile, alpha, beta, c, cIdx, ldc);
                } else {
                    mergeTile(rows, cols, ws.tile, alpha, beta, c, cIdx, ldc);
                }
            }
        }
    }

    /**
     * The MR x NR register tile: tile[i*NR + j] = sum over p in [0, kc) of
     * pa[paOff + p*MR + i] * pb[pbOff + p*NR + j]. The 16 accumulators leave registers once, into
     * the L1-resident tile; writing C directly from here makes the method too large for C2 to
     * inline the Vector API calls, and every vector would then be boxed.
     */
    private static void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0, ai = paOff, bi = pbOff; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, pa[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, pa[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
    }

    /** C[0:MR, 0:NR] at c[cIdx] = alpha * tile + beta * C (C is not read when beta == 0). */
    private static void mergeFullTile(float[] tile, float alpha, float beta, float[] c, int cIdx, int ldc) {
        for (int i = 0, t = 0; i < MR; i++, t += NR, cIdx += ldc) {
            for (int j = 0; j < NR; j += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + j).mul(alpha);
                if (beta != 0f) {
                    v = v.add(FloatVector.fromArray(SPECIES, c, cIdx + j).mul(beta));
                }
                v.intoArray(c, cIdx + j);
            }
        }
    }

    /** C[0:rows, 0:cols] at c[cIdx] = alpha * tile + beta * C, for an edge tile ([MR, NR] tile). */
    private static void mergeTile(int rows, int cols, float[] tile, float alpha, float beta,
                                  float[] c, int cIdx, int ldc) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int ci = cIdx + i * ldc + j;
                float v = alpha * tile[i * NR + j];
                c[ci] = beta == 0f ? v : v + beta * c[ci];
            }
        }
    }

    /** C = beta * C (C = 0 when beta == 0, whatever C held); the k == 0 case. */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }
}
