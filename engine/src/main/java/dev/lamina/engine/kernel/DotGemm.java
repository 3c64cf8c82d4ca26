package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[M,N] = alpha * A[M,K] * B[N,K]^T + beta * C as M x N dot products of contiguous rows, for a tiny
 * C and a long K: the shape of a convolution's weight gradient with few channels (LeNet conv1:
 * M 6, N 25, K 7840 per chunk). There the packed {@link VectorGemm} pads C to 8 x 32 tiles (or 32 x
 * 32 in its swapped form) and transposes all of B into panels; the dot products read both operands
 * in place. Rows are taken 2 of A by 4 of B, so 8 independent accumulators share 6 loads; edges fall
 * back to single dot products. Measured on LeNet conv1's weight gradient (thread CPU time, batch 64,
 * 7 chunks): 1650 us packed, 250 us as dot products.
 */
final class DotGemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Largest M N for the dot-product form. */
    static final int MAX_OUTPUTS = 512;
    /** Smallest K for the dot-product form. */
    static final int MIN_K = 1024;

    private DotGemm() {
    }

    /** Whether {@link #gemm} should compute this product: A * B^T with at most 512 outputs and K >= 1024. */
    static boolean suits(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && transB && (long) m * n <= MAX_OUTPUTS && k >= MIN_K;
    }

    /** C = alpha * A * B^T + beta * C with A [M, K] (lda), B [N, K] (ldb); beta == 0 ignores C's contents. */
    static void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                block2x4(k, alpha, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, beta, c, cOff + i * ldc + j, ldc);
            }
            for (; j < n; j++) {
                store(c, cOff + i * ldc + j, alpha, beta, dot(k, a, aOff + i * lda, b, bOff + j * ldb));
                store(c, cOff + (i + 1) * ldc + j, alpha, beta, dot(k, a, aOff + (i + 1) * lda, b, bOff + j * ldb));
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                store(c, cOff + i * ldc + j, alpha, beta, dot(k, a, aOff + i * lda, b, bOff + j * ldb));
            }
        }
    }

    private static void store(float[] c, int ci, float alpha, float beta, float sum) {
        c[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ci];
    }

    /** C[0:2, 0:4] at ci from rows a0, a0 + lda of A and b0 .. b0 + 3 ldb of B. */
    private static void block2x4(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                                 float beta, float[] c, int ci, int ldc) {
        int a1 = a0 + lda;
        int b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        int p = 0;
        for (int bound = SPECIES.loopBound(k); p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = FloatVector.fromArray(SPECIES, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = FloatVector.fromArray(SPECIES, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = FloatVector.fromArray(SPECIES, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        store(c, ci, alpha, beta, s00.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a0, b, b0));
        store(c, ci + 1, alpha, beta, s01.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a0, b, b1));
        store(c, ci + 2, alpha, beta, s02.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a0, b, b2));
        store(c, ci + 3, alpha, beta, s03.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a0, b, b3));
        store(c, ci + ldc, alpha, beta, s10.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a1, b, b0));
        store(c, ci + ldc + 1, alpha, beta, s11.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a1, b, b1));
        store(c, ci + ldc + 2, alpha, beta, s12.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a1, b, b2));
        store(c, ci + ldc + 3, alpha, beta, s13.reduceLanes(VectorOperators.ADD) + tail(p, k, a, a1, b, b3));
    }

    /** Sum over q in [p, k) of x[xi + q] * y[yi + q]: the scalar tail of a dot product. */
    private static float tail(int p, int k, float[] x, int xi, float[] y, int yi) {
        float s = 0f;
        for (int q = p; q < k; q++) {
            s += x[xi + q] * y[yi + q];
        }
        return s;
    }

    /** One dot product of length k with two accumulators, a vector loop and a scalar tail. */
    private static float dot(int k, float[] x, int xi, float[] y, int yi) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        int p = 0;
        for (int bound = k - 2 * L; p <= bound; p += 2 * L) {
            s0 = FloatVector.fromArray(SPECIES, x, xi + p).fma(FloatVector.fromArray(SPECIES, y, yi + p), s0);
            s1 = FloatVector.fromArray(SPECIES, x, xi + p + L).fma(FloatVector.fromArray(SPECIES, y, yi + p + L), s1);
        }
        for (int bound = SPECIES.loopBound(k); p < bound; p += L) {
            s0 = FloatVector.fromArray(SPECIES, x, xi + p).fma(FloatVector.fromArray(SPECIES, y, yi + p), s0);
        }
        return s0.add(s1).reduceLanes(VectorOperators.ADD) + tail(p, k, x, xi, y, yi);
    }
}
