package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The convolution and pooling kernels of {@link VectorKernels} against {@link ScalarKernels}, on
 * widths below, at and past a vector (so both the scalar fallback and the overlapping last vector
 * run), with outputs inside guard regions that must stay untouched. The scalar kernels themselves
 * are checked against values written out by hand.
 */
class ConvKernelsTest {

    private static final float GUARD = -777.25f;

    private final Kernels scalar = ScalarKernels.INSTANCE;
    private Kernels vector;
    private final SplittableRandom rnd = new SplittableRandom(7);

    @BeforeEach
    void requireVectorApi() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        vector = VectorKernels.INSTANCE;
    }

    private float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return a;
    }

    private static float[] guarded(int n) {
        float[] a = new float[n + 6];
        Arrays.fill(a, GUARD);
        return a;
    }

    @Test
    void scalarKernelsByHand() {
        // 1 channel 3 x 3 input, 2 x 2 kernel: out[r, q] = sum w[i, j] x[r + i, q + j].
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] w = {1, 0, 0, -1};
        float[] out = new float[4];
        scalar.convValid(1, 1, 3, 3, x, 0, 1, 2, 2, w, 0, 2, 2, out, 0);
        assertArrayEquals(new float[] {1 - 5, 2 - 6, 4 - 8, 5 - 9}, out);
        float[] dw = {10, 0, 0, 0};
        scalar.convValidWeightGradient(1, 1, 3, 3, x, 0, 1, 2, 2, new float[] {1, 0, 0, 2}, 0, 2, 2, dw, 0);
        assertArrayEquals(new float[] {10 + 1 + 2 * 5, 2 + 2 * 6, 4 + 2 * 8, 5 + 2 * 9}, dw);

        float nan = Float.NaN;
        float[] planes = {1, 3, 3, 0, /* */ 2, 2, nan, 5, /* */ nan, nan, 1, 0, /* */ -1, -1, -1, -2};
        float[] y = new float[4];
        float[] at = new float[4];
        // Four 2 x 2 planes: the first maximum wins a tie, a NaN wins over a later larger value, the
        // last NaN over an earlier one.
        scalar.maxPool2x2(4, 2, 2, planes, 0, y, 0, at, 0);
        assertArrayEquals(new float[] {3, nan, nan, -1}, y);
        assertArrayEquals(new float[] {1, 2, 1, 0}, at);

        float[] acc = {1, 1, 1, 1, 1, 1};
        scalar.addBlock(2, 2, new float[] {1, 2, 3, 4, 5, 6}, 0, 3, acc, 1, 3);
        assertArrayEquals(new float[] {1, 2, 3, 1, 5, 6}, acc);
    }

    @Test
    void addBlockMatchesScalar() {
        for (int cols : new int[] {1, 3, 7, 8, 9, 12, 16, 17, 24, 31, 40}) {
            for (int rows : new int[] {1, 3, 8}) {
                int ldx = cols + 3;
                int ldy = cols + 5;
                float[] x = random(2 + rows * ldx);
                float[] ref = guarded(rows * ldy);
                for (int i = 1; i < ref.length; i += 2) {
                    ref[i] = (float) i;
                }
                float[] out = ref.clone();
                scalar.addBlock(rows, cols, x, 2, ldx, ref, 1, ldy);
                vector.addBlock(rows, cols, x, 2, ldx, out, 1, ldy);
                assertArrayEquals(ref, out, "addBlock rows=" + rows + " cols=" + cols);
            }
        }
    }

    @Test
    void maxPoolMatchesScalarIncludingTiesNaNAndOddSizes() {
        int[][] sizes = {{2, 2}, {4, 6}, {8, 8}, {5, 7}, {24, 24}, {28, 28}, {6, 33}, {4, 32}, {3, 40}, {2, 64},
            {96, 97}, {9, 11}};
        for (int[] hw : sizes) {
            int h = hw[0];
            int w = hw[1];
            int planes = 3;
            int outs = planes * (h / 2) * (w / 2);
            float[] x = random(planes * h * w + 4);
            for (int i = 0; i < x.length; i++) {
                // Ties (rounded values, zeros as after ReLU), signed zeros and a few NaNs.
                int kind = rnd.nextInt(10);
                x[i] = kind < 3 ? 0f : kind == 3 ? -0f : kind == 4 ? Math.round(x[i] * 2) : x[i];
                if (rnd.nextInt(40) == 0) {
                    x[i] = Float.NaN;
                }
            }
            float[] yRef = guarded(outs);
            float[] y = yRef.clone();
            float[] atRef = guarded(outs);
            float[] at = atRef.clone();
            scalar.maxPool2x2(planes, h, w, x, 3, yRef, 2, atRef, 1);
            vector.maxPool2x2(planes, h, w, x, 3, y, 2, at, 1);
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToIntBits(yRef[i]), Float.floatToIntBits(y[i]),
                        "maxPool " + h + "x" + w + " value " + i + ": " + yRef[i] + " vs " + y[i]);
            }
            assertArrayEquals(atRef, at, "maxPool " + h + "x" + w + " argmax");
        }
    }

    @ParameterizedTest(name = "S={0} C={1} O={2} k={3}x{4} out={5}x{6}")
    @CsvSource({
        "2,1,6,5,5,28,28",
        "1,1,6,5,5,8,8",
        "2,3,7,3,3,10,16",
        "1,2,13,3,5,4,17",
        "1,1,1,1,1,3,33",
        "2,1,32,3,3,5,28",
        "1,4,5,2,2,2,64",
        "1,1,12,5,5,6,40"})
    void directConvolutionMatchesScalar(int samples, int c, int o, int kh, int kw, int oh, int ow) {
        int hp = oh + kh - 1 + 1;
        int wp = ow + kw - 1 + 2;
        float[] xp = random(3 + samples * c * hp * wp);
        float[] w = random(1 + o * c * kh * kw);
        float[] ref = guarded(samples * o * oh * ow);
        float[] out = ref.clone();
        scalar.convValid(samples, c, hp, wp, xp, 3, o, kh, kw, w, 1, oh, ow, ref, 2);
        vector.convValid(samples, c, hp, wp, xp, 3, o, kh, kw, w, 1, oh, ow, out, 2);
        double terms = c * kh * kw;
        for (int i = 0; i < out.length; i++) {
            assertEquals(ref[i], out[i], 1e-6 * terms, "convValid element " + i);
        }

        float[] dy = random(samples * o * oh * ow + 2);
        float[] dwRef = random(o * c * kh * kw + 6);
        dwRef[0] = GUARD;
        dwRef[dwRef.length - 1] = GUARD;
        float[] dw = dwRef.clone();
        scalar.convValidWeightGradient(samples, c, hp, wp, xp, 3, o, kh, kw, dy, 2, oh, ow, dwRef, 1);
        vector.convValidWeightGradient(samples, c, hp, wp, xp, 3, o, kh, kw, dy, 2, oh, ow, dw, 1);
        double sums = (double) samples * oh * ow;
        for (int i = 0; i < dw.length; i++) {
            assertEquals(dwRef[i], dw[i], 2e-7 * sums, "convValidWeightGradient element " + i);
        }
    }

    @ParameterizedTest(name = "C={0} O={1} k={2}x{3} out={4}x{5} lanes={6}")
    @CsvSource({
        "6,16,5,5,10,10,64",
        "6,16,5,5,10,10,32",
        "16,6,5,5,14,14,64",
        "1,7,3,3,4,5,32",
        "3,5,3,2,2,7,96",
        "2,1,1,1,3,3,32",
        "1,3,2,3,4,4,40",
        "5,4,1,3,6,2,16"})
    void sampleLanesConvolutionMatchesScalar(int c, int o, int kh, int kw, int oh, int ow, int lanes) {
        int hp = oh + kh - 1 + 1;
        int wp = ow + kw - 1 + 2;
        float[] x = random(3 + c * hp * wp * lanes);
        // Nonzero only in a window: from row 1 and column 2 on, 3 rows short and 1 column short of the end.
        int top = Math.min(1, hp - 1), left = Math.min(2, wp - 1);
        int rows = Math.max(1, hp - top - 3), cols = Math.max(1, wp - left - 1);
        for (int ci = 0; ci < c; ci++) {
            for (int y = 0; y < hp; y++) {
                for (int q = 0; q < wp; q++) {
                    if (y < top || y >= top + rows || q < left || q >= left + cols) {
                        Arrays.fill(x, 3 + ((ci * hp + y) * wp + q) * lanes, 3 + ((ci * hp + y) * wp + q + 1) * lanes, 0f);
                    }
                }
            }
        }
        float[] w = random(1 + o * c * kh * kw);
        float[] ref = guarded(o * oh * ow * lanes);
        float[] out = ref.clone();
        scalar.convLanes(c, hp, wp, lanes, x, 3, o, kh, kw, w, 1, oh, ow, ref, 2, top, left, rows, cols);
        vector.convLanes(c, hp, wp, lanes, x, 3, o, kh, kw, w, 1, oh, ow, out, 2, top, left, rows, cols);
        double terms = c * kh * kw;
        for (int i = 0; i < out.length; i++) {
            assertEquals(ref[i], out[i], 1e-6 * terms, "convLanes element " + i);
        }
        assertEquals(GUARD, out[0]);
        assertEquals(GUARD, out[out.length - 1]);

        float[] dy = random(o * oh * ow * lanes + 2);
        int taps = o * c * kh * kw;
        float[] dwRef = random(taps + 2);
        float[] dw = random(taps + 2);
        dwRef[0] = dw[0] = GUARD;
        dwRef[taps + 1] = dw[taps + 1] = GUARD;
        scalar.convLanesWeightGradient(c, hp, wp, lanes, x, 3, o, kh, kw, dy, 2, oh, ow, dwRef, 1);
        vector.convLanesWeightGradient(c, hp, wp, lanes, x, 3, o, kh, kw, dy, 2, oh, ow, dw, 1);
        double sums = (double) lanes * oh * ow;
        for (int i = 0; i < dw.length; i++) {
            assertEquals(dwRef[i], dw[i], 2e-7 * sums, "convLanesWeightGradient element " + i);
        }
        assertEquals(GUARD, dw[0]);
        assertEquals(GUARD, dw[taps + 1]);
    }

    @Test
    void sampleLanesScalarKernelsByHand() {
        // Two samples side by side: x [1, 2, 2, 2] (c, h, w, s), w [1, 1, 1, 2]: out[0, 0, 0, s].
        float[] x = {1, 10, 2, 20, 3, 30, 4, 40};
        float[] out = new float[2 * 2];
        scalar.convLanes(1, 2, 2, 2, x, 0, 1, 1, 2, new float[] {1, -1}, 0, 2, 1, out, 0, 0, 0, 2, 2);
        assertArrayEquals(new float[] {1 - 2, 10 - 20, 3 - 4, 30 - 40}, out);
        float[] dw = new float[2];
        scalar.convLanesWeightGradient(1, 2, 2, 2, x, 0, 1, 1, 2, new float[] {1, 0, 0, 1}, 0, 2, 1, dw, 0);
        // dw[j] = sum over r, s of dy[r, s] x[r, j, s]: dy picks sample 0 of row 0 and sample 1 of row 1.
        assertArrayEquals(new float[] {1 + 30, 2 + 40}, dw);
    }
}
