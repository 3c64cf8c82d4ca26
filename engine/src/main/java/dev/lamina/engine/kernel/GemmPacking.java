package dev.lamina.engine.kernel;

/**
 * Packs blocks of op(A) and op(B) into the contiguous panel layouts that {@link VectorGemm}'s
 * microkernel streams through. Plain Java (no Vector API): the copies are memory-bound and the JIT
 * vectorizes the contiguous ones.
 *
 * <p>Layouts, for a block of kc rows of the K dimension:
 * <ul>
 *   <li>A block [mc, kc] becomes ceil(mc / MR) panels of [kc, MR]: panel q holds rows
 *       q*MR .. q*MR+MR-1, element (i, p) at {@code q*MR*kc + p*MR + (i - q*MR)}.</li>
 *   <li>B block [kc, nc] becomes ceil(nc / NR) panels of [kc, NR]: panel q holds columns
 *       q*NR .. q*NR+NR-1, element (p, j) at {@code q*NR*kc + p*NR + (j - q*NR)}.</li>
 * </ul>
 * Rows or columns past the edge of the matrix are zero-filled, so the microkernel always runs on
 * whole panels.
 */
final class GemmPacking {

    private GemmPacking() {
    }

    /**
     * Packs op(A)[ic : ic+mc, pc : pc+kc] into {@code dst} as [kc, mr] panels.
     * op(A)[i, p] is a[aOff + i*lda + p], or a[aOff + p*lda + i] when {@code transA}.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                      int mr, float[] dst) {
        assert dst.length >= ((mc + mr - 1) / mr) * mr * kc;
        for (int ir = 0, d = 0; ir < mc; ir += mr, d += mr * kc) {
            int rows = Math.min(mr, mc - ir);
            if (transA) {
                packRowsContiguous(a, aOff + pc * lda + ic + ir, lda, rows, kc, mr, dst, d);
            } else {
                packRowsStrided(a, aOff + (ic + ir) * lda + pc, lda, rows, kc, mr, dst, d);
            }
        }
    }

    /**
     * Packs op(B)[pc : pc+kc, jc : jc+nc] into {@code dst} as [kc, nr] panels.
     * op(B)[p, j] is b[bOff + p*ldb + j], or b[bOff + j*ldb + p] when {@code transB}.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                      int nr, float[] dst) {
        assert dst.length >= ((nc + nr - 1) / nr) * nr * kc;
        for (int jr = 0, d = 0; jr < nc; jr += nr, d += nr * kc) {
            int cols = Math.min(nr, nc - jr);
            if (transB) {
                packRowsStrided(b, bOff + (jc + jr) * ldb + pc, ldb, cols, kc, nr, dst, d);
            } else {
                packRowsContiguous(b, bOff + pc * ldb + jc + jr, ldb, cols, kc, nr, dst, d);
            }
        }
    }

    /**
     * One panel whose source already runs along the panel width: for each p in [0, kc), copies
     * src[s + p*ld .. + count) to dst[d + p*width ..], zero-filling up to {@code width}.
     */
    private static void packRowsContiguous(float[] src, int s, int ld, int count, int kc, int width,
                                           float[] dst, int d) {
        for (int p = 0; p < kc; p++, s += ld, d += width) {
            System.arraycopy(src, s, dst, d, count);
            for (int t = count; t < width; t++) {
                dst[d + t] = 0f;
            }
        }
    }

    /**
     * One panel whose source runs along K (a transpose): element t of the panel at step p is
     * src[s + t*ld + p], for t in [0, count); columns count .. width-1 are zero-filled.
     * Walks 4 source lines at a time so each pass reads 4 streams and writes 4 adjacent floats.
     */
    private static void packRowsStrided(float[] src, int s, int ld, int count, int kc, int width,
                                        float[] dst, int d) {
        int t = 0;
        for (; t + 4 <= count; t += 4) {
            int s0 = s + t * ld;
            int s1 = s0 + ld;
            int s2 = s1 + ld;
            int s3 = s2 + ld;
            for (int p = 0, o = d + t; p < kc; p++, o += width) {
                dst[o] = src[s0 + p];
                dst[o + 1] = src[s1 + p];
                dst[o + 2] = src[s2 + p];
                dst[o + 3] = src[s3 + p];
            }
        }
        for (; t < count; t++) {
            int st = s + t * ld;
            for (int p = 0, o = d + t; p < kc; p++, o += width) {
                dst[o] = src[st + p];
            }
        }
        if (count < width) {
            for (int p = 0, o = d; p < kc; p++, o += width) {
                for (int z = count; z < width; z++) {
                    dst[o + z] = 0f;
                }
            }
        }
    }
}
