package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of GEMM operands into the contiguous panel layouts that {@link VectorGemm}'s
 * microkernel streams through. The copies are memory-bound: a row of a panel of Y (NR floats, two
 * vectors) is copied as two vectors (a stub call per row through {@code System.arraycopy}, whose
 * length C2 does not see: TN 128x256x64 +3%, TN 256x784x64 +3% side by side), other contiguous
 * runs through {@code System.arraycopy}, source row by source row, transposes through scalar loops
 * over 4 source lines at a time.
 *
 * <p>Layout of a packed block of Y [kc, nc] (the vector operand): ceil(nc / NR) panels of
 * [kc, NR]; panel q holds columns q*NR .. q*NR+NR-1, element (p, j) at
 * {@code q*NR*kc + p*NR + (j - q*NR)}. Columns past the edge of the matrix are zero-filled, so the
 * microkernel always runs on whole panels.
 */
final class GemmPacking {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private GemmPacking() {
    }

    /**
     * Packs Y[pc : pc+kc, jc : jc+nc] into {@code dst} as [kc, nr] panels.
     * Y[p, j] is y[yOff + p*ldy + j], or y[yOff + j*ldy + p] when {@code transposed}.
     */
    static void packPanels(boolean transposed, float[] y, int yOff, int ldy, int pc, int kc, int jc, int nc,
                           int nr, float[] dst) {
        assert dst.length >= ((nc + nr - 1) / nr) * nr * kc;
        if (!transposed) {
            packRowMajor(y, yOff + pc * ldy + jc, ldy, kc, nc, nr, dst);
            return;
        }
        for (int jr = 0, d = 0; jr < nc; jr += nr, d += nr * kc) {
            int cols = Math.min(nr, nc - jr);
            packTransposed(y, yOff + (jc + jr) * ldy + pc, ldy, cols, kc, nr, dst, d);
        }
    }

    /**
     * Y[0 : kc, 0 : nc] at src[s + p*ld + j] into [kc, nr] panels, one source row at a time: each
     * row is read once, front to back, and dealt out to the panels. Panel by panel (as before), the
     * source was read in column strips of nr floats with a whole row's stride, which the hardware
     * prefetchers follow badly when Y comes from memory: GemmBenchmark TN_128x512x2048 went from
     * 144-146 to 172-195 GFLOP/s with this order, NN_64x256x784 from 185-188 to 195-201. Groups of 8
     * rows panel by panel measured no better in the Transformer bench.
     */
    private static void packRowMajor(float[] src, int s, int ld, int kc, int nc, int nr, float[] dst) {
        int full = nc - nc % nr;
        int panelSize = nr * kc;
        for (int p = 0; p < kc; p++, s += ld) {
            int d = p * nr;
            int j = 0;
            if (nr == 2 * L) {
                for (; j < full; j += nr, d += panelSize) {
                    FloatVector.fromArray(SPECIES, src, s + j).intoArray(dst, d);
                    FloatVector.fromArray(SPECIES, src, s + j + L).intoArray(dst, d + L);
                }
            }
            for (; j < full; j += nr, d += panelSize) {
                System.arraycopy(src, s + j, dst, d, nr);
            }
            if (j < nc) {
                System.arraycopy(src, s + j, dst, d, nc - j);
                java.util.Arrays.fill(dst, d + nc - j, d + nr, 0f);
            }
        }
    }

    /**
     * One [kc, width] panel of the broadcast operand: dst[d + p*width + t] = src[s + t*rs + p*cs] for
     * t in [0, rows), zero for t in [rows, width). Copies whole steps of 6 when the rows are adjacent
     * (rs == 1), and reads six rows side by side, each sequentially, when the steps are (cs == 1).
     */
    static void packRows(float[] src, int s, int rs, int cs, int rows, int kc, int width, float[] dst, int d) {
        assert rows <= width && dst.length >= d + kc * width;
        if (rows == 6 && width == 6 && rs == 1) {
            // constant offsets: C2 checks two bounds per step (System.arraycopy of a length it does
            // not know calls a stub per step, which cost TN 512x128x2048 10%)
            for (int p = 0; p < kc; p++, s += cs, d += 6) {
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
                dst[d + 3] = src[s + 3];
                dst[d + 4] = src[s + 4];
                dst[d + 5] = src[s + 5];
            }
        } else if (rows == 6 && width == 6 && cs == 1) {
            int s1 = s + rs, s2 = s1 + rs, s3 = s2 + rs, s4 = s3 + rs, s5 = s4 + rs;
            for (int p = 0; p < kc; p++, d += 6) {
                dst[d] = src[s + p];
                dst[d + 1] = src[s1 + p];
                dst[d + 2] = src[s2 + p];
                dst[d + 3] = src[s3 + p];
                dst[d + 4] = src[s4 + p];
                dst[d + 5] = src[s5 + p];
            }
        } else {
            for (int p = 0; p < kc; p++, s += cs, d += width) {
                for (int t = 0; t < rows; t++) {
                    dst[d + t] = src[s + t * rs];
                }
                for (int t = rows; t < width; t++) {
                    dst[d + t] = 0f;
                }
            }
        }
    }

    /**
     * One panel whose source runs along K (a transpose): element t of the panel at step p is
     * src[s + t*ld + p], for t in [0, count); columns count .. width-1 are zero-filled.
     * Walks 4 source lines at a time so each pass reads 4 streams and writes 4 adjacent floats.
     */
    private static void packTransposed(float[] src, int s, int ld, int count, int kc, int width,
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
