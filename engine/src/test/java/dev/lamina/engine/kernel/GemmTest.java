package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link VectorGemm} (through {@link VectorKernels#gemm}) against a double-precision reference,
 * over all four transpose combinations and awkward shapes: empty, 1x1x1, odd, exactly one tile,
 * one past a tile, and larger than one cache block in every dimension (MC, NC, KC).
 *
 * <p>Every matrix sits in an array with an offset and a leading dimension larger than its row;
 * the padding of A and B is NaN (reading it poisons the result) and the padding of C holds a
 * sentinel that must survive. With beta == 0, C starts as NaN and must be overwritten.
 */
class GemmTest {

    private static final float SENTINEL = -12345.5f;

    static final int[][] SHAPES = {
        {0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {3, 4, 0}, {1, 1, 1}, {1, 1, 7}, {3, 7, 5}, {2, 33, 1},
        {7, 1, 9}, {8, 32, 16}, {9, 33, 17}, {15, 31, 63}, {8, 32, 256}, {16, 64, 257},
        {13, 45, 300}, {200, 40, 20}, {10, 1100, 30}, {129, 300, 700}, {6, 25, 2000}, {5, 3, 1030},
        {3, 9, 1500},
    };

    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 2f}, {-1.5f, 1f}, {2f, -0.25f}};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            for (int s = 0; s < SHAPES.length; s++) {
                float[] ab = ALPHA_BETA[(s + t) % ALPHA_BETA.length];
                int[] shape = SHAPES[s];
                cases.add(Arguments.of((t & 1) != 0, (t & 2) != 0, shape[0], shape[1], shape[2], ab[0], ab[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} alpha={5} beta={6}")
    @MethodSource("cases")
    void vectorGemmMatchesReference(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        check(VectorKernels.INSTANCE, transA, transB, m, n, k, alpha, beta, 1000L * m + 31L * n + k);
    }

    /**
     * gemmBias (alpha 1, beta 0, a bias per column) on every shape and transpose combination: the
     * direct form adds the bias in its vector and edge merges, the swapped form (C written transposed)
     * per row of C'; K == 0 and the dot-product shapes add it after the product. The pooled path is
     * {@link ThreadedKernelsTest}'s.
     */
    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @MethodSource("cases")
    void vectorGemmBiasMatchesReference(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        check(VectorKernels.INSTANCE, transA, transB, m, n, k, 1f, 0f, 77L * m + n + k, true);
    }

    @Test
    void scalarReferencePassesTheSameCheck() {
        check(ScalarKernels.INSTANCE, false, true, 9, 33, 17, 1f, 0f, 3L, true);
        check(ScalarKernels.INSTANCE, false, true, 9, 33, 17, 0.5f, 2f, 1L);
        check(ScalarKernels.INSTANCE, true, false, 3, 7, 5, 1f, 0f, 2L);
    }

    @Test
    void everyAlphaBetaOnEveryTransposeCombination() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        for (int t = 0; t < 4; t++) {
            for (float[] ab : ALPHA_BETA) {
                check(VectorKernels.INSTANCE, (t & 1) != 0, (t & 2) != 0, 11, 37, 19, ab[0], ab[1], t);
            }
        }
    }

    /**
     * The microkernel's rows: 8 for 512-bit vectors, 6 below (AVX2's 16 registers); the property
     * overrides that, and this JVM's tile follows it (the build runs this class with 6 and with 8).
     */
    @Test
    void tileRowsFollowTheVectorWidthOrTheProperty() {
        assertEquals(8, VectorGemm.tileRows(16, null));
        assertEquals(6, VectorGemm.tileRows(8, null));
        assertEquals(6, VectorGemm.tileRows(4, " "));
        assertEquals(8, VectorGemm.tileRows(8, "8"));
        assertEquals(6, VectorGemm.tileRows(16, " 6 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorGemm.tileRows(16, "7"));
        assertTrue(e.getMessage().contains("'7'") && e.getMessage().contains("6 or 8"), e.getMessage());
        String property = System.getProperty("lamina.gemm.mr");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assertEquals(VectorGemm.tileRows(lanes, property), VectorGemm.MR, "MR with lamina.gemm.mr=" + property);
    }

    /** K up to 4 KC in one block when C' is narrow, with an edge row panel (13 rows) of that length. */
    @Test
    void longSumsIntoNarrowOutputsRunAsOneKBlock() {
        assertEquals(784, VectorGemm.kBlock(784, 64));
        assertEquals(196, VectorGemm.kBlock(784, VectorGemm.NC));
        assertTrue(VectorGemm.kBlock(4 * VectorGemm.KC + 1, 8) <= VectorGemm.KC);
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        for (int t = 0; t < 4; t++) {
            check(VectorKernels.INSTANCE, (t & 1) != 0, (t & 2) != 0, 13, 40, 700, 0.5f, 0.25f, 40L + t);
            check(VectorKernels.INSTANCE, (t & 1) != 0, (t & 2) != 0, 64, 70, 784, 1f, 0f, 50L + t);
        }
    }

    /**
     * GemmPacking.packRows against its definition on each of its paths: whole steps copied (rows
     * adjacent), six rows read side by side (steps adjacent), the general loop; and a panel with fewer
     * rows than its width, whose other rows must be zero. The destination starts as NaN with an offset.
     */
    @Test
    void packRowsMatchesItsDefinition() {
        int[][] cases = {{1, 9, 6, 6}, {1, 9, 8, 8}, {11, 1, 6, 6}, {11, 1, 8, 8}, {11, 1, 4, 6}, {1, 9, 5, 8},
            {7, 3, 6, 6}};
        SplittableRandom random = new SplittableRandom(5);
        for (int[] c : cases) {
            int rs = c[0], cs = c[1], rows = c[2], width = c[3], kc = 13, s = 4, d = 3;
            float[] src = new float[s + (rows - 1) * rs + (kc - 1) * cs + 1];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) random.nextDouble();
            }
            float[] dst = new float[d + kc * width + 2];
            Arrays.fill(dst, Float.NaN);
            GemmPacking.packRows(src, s, rs, cs, rows, kc, width, dst, d);
            for (int p = 0; p < kc; p++) {
                for (int t = 0; t < width; t++) {
                    float want = t < rows ? src[s + t * rs + p * cs] : 0f;
                    assertEquals(want, dst[d + p * width + t], Arrays.toString(c) + " step " + p + " row " + t);
                }
            }
            assertTrue(Float.isNaN(dst[d - 1]) && Float.isNaN(dst[d + kc * width]), Arrays.toString(c));
        }
    }

    /**
     * With the 6-row tile the shapes reach X read in place and X packed (see VectorGemm.packsX) with A
     * not transposed, and X packed once for several column blocks (VectorGemm.packsXOnce); the 8-row
     * tile reads X in place.
     */
    @Test
    void shapesCoverXReadInPlaceAndPacked() {
        assertEquals(VectorGemm.MR == 6, VectorGemm.packsX(1, 1), "X is packed with the 6-row tile only");
        if (VectorGemm.MR != 6) {
            return;
        }
        int packed = 0;
        for (int[] shape : SHAPES) {
            packed += VectorGemm.packsX(shape[2] + 3, Math.min(shape[1], VectorGemm.NC)) ? 1 : 0;
        }
        assertTrue(packed >= 2 && packed <= SHAPES.length - 2, "packed " + packed + " of " + SHAPES.length);
        // packed once for all column blocks: one K block over several blocks of columns
        int once = 0;
        VectorGemm.Workspace w = new VectorGemm.Workspace();
        for (int[] shape : SHAPES) {
            w.k = shape[2];
            w.xRs = 1;
            once += VectorGemm.packsXOnce(w, shape[0], shape[1], VectorGemm.kBlock(shape[2], shape[1])) ? 1 : 0;
        }
        assertTrue(once >= 1, "no shape packs X once");
    }

    /**
     * X packed once for all column blocks (VectorGemm.packsXOnce) with more rows than one row block
     * (MC) and an edge panel: each row block must read its own panels.
     */
    @Test
    void xPackedOnceServesEveryRowBlock() {
        VectorGemm.Workspace w = new VectorGemm.Workspace();
        w.k = 40;
        w.xRs = 1;
        int n = VectorGemm.NC + 88;
        assertEquals(VectorGemm.MR == 6, VectorGemm.packsXOnce(w, 2 * VectorGemm.MC + 5, n, VectorGemm.kBlock(40, n)));
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        for (int t = 0; t < 4; t++) {
            check(VectorKernels.INSTANCE, (t & 1) != 0, (t & 2) != 0, 2 * VectorGemm.MC + 5, n, 40, 1f, 0f, 60L + t);
            check(VectorKernels.INSTANCE, (t & 1) != 0, (t & 2) != 0, 2 * VectorGemm.MC + 5, n, 40, 0.5f, 1f, 70L + t);
        }
    }

    @Test
    void shapesCoverBothTheDirectAndTheSwappedForm() {
        for (boolean transA : new boolean[] {false, true}) {
            int swapped = 0;
            for (int[] shape : SHAPES) {
                swapped += VectorGemm.swapIsCheaper(transA, true, shape[0], shape[1], shape[2]) ? 1 : 0;
                assertTrue(!VectorGemm.swapIsCheaper(transA, false, shape[0], shape[1], shape[2]));
            }
            assertTrue(swapped >= 3 && swapped <= SHAPES.length - 3, "transA=" + transA + " swapped=" + swapped);
        }
    }

    @Test
    void tinyOutputsWithLongSumsTakeTheDotProductForm() {
        int dots = 0;
        for (int[] shape : SHAPES) {
            dots += DotGemm.suits(false, true, shape[0], shape[1], shape[2]) ? 1 : 0;
            assertTrue(!DotGemm.suits(true, true, shape[0], shape[1], shape[2])
                    && !DotGemm.suits(false, false, shape[0], shape[1], shape[2]));
        }
        assertTrue(dots >= 3, "shapes in the dot-product form: " + dots);
    }

    @Test
    void repeatedCallsReuseWorkspaceAndAgree() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        SplittableRandom rnd = new SplittableRandom(7);
        int m = 24, n = 70, k = 300;
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c1 = new float[m * n];
        float[] c2 = new float[m * n];
        VectorKernels.INSTANCE.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c1, 0, n);
        VectorKernels.INSTANCE.gemm(false, false, 5, 3, 2, 1f, a, 0, k, b, 0, n, 0f, new float[15], 0, 3);
        VectorKernels.INSTANCE.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c2, 0, n);
        assertTrue(Arrays.equals(c1, c2), "same inputs must give bit-identical results");
    }

    /** Runs one gemm on padded, offset, NaN-guarded operands and compares with a double reference. */
    static void check(Kernels kernels, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, float beta, long seed) {
        check(kernels, transA, transB, m, n, k, alpha, beta, seed, false);
    }

    /** As above; withBias calls gemmBias instead (alpha must be 1 and beta 0) with a bias at offset 3. */
    static void check(Kernels kernels, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, float beta, long seed, boolean withBias) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 5, ldc = n + 2;
        int aOff = 7, bOff = 2, cOff = 5;
        float[] a = padded(rnd, aOff, aRows, aCols, lda, Float.NaN);
        float[] b = padded(rnd, bOff, bRows, bCols, ldb, Float.NaN);
        float[] c = padded(rnd, cOff, m, n, ldc, SENTINEL);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] c0 = c.clone();
        float[] bias = padded(rnd, 3, 1, n, n, Float.NaN);
        if (withBias) {
            assertTrue(alpha == 1f && beta == 0f, "gemmBias is alpha 1, beta 0");
            kernels.gemmBias(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, bias, 3, c, cOff, ldc);
        } else {
            kernels.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p])
                            * (transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                    sum += t;
                    abs += Math.abs(t);
                }
                int ci = cOff + i * ldc + j;
                double old = withBias ? bias[3 + j] : beta == 0f ? 0 : (double) beta * c0[ci];
                double expected = alpha * sum + old;
                // Worst-case float error of a k-term sum plus the alpha/beta update, in units of eps.
                double tol = (k + 4) * 1.2e-7 * (Math.abs(alpha) * abs + Math.abs(old)) + 1e-30;
                if (!(Math.abs(c[ci] - expected) <= tol)) {
                    fail(String.format("C[%d,%d] = %s, expected %s (tol %.3g) for transA=%s transB=%s m=%d n=%d k=%d",
                            i, j, c[ci], expected, tol, transA, transB, m, n, k));
                }
                c[ci] = SENTINEL;
            }
        }
        for (int i = 0; i < c.length; i++) {
            assertEquals(SENTINEL, c[i], "C padding at index " + i + " was written");
        }
    }

    /** An array of fill, with a [rows, cols] matrix of values in [-1, 1) at off with leading dimension ld. */
    private static float[] padded(SplittableRandom rnd, int off, int rows, int cols, int ld, float fill) {
        float[] x = new float[off + rows * ld + 4];
        Arrays.fill(x, fill);
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                x[off + r * ld + col] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
