package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link VectorMath#expInPlace} and the tanh kernel built on it, against {@link Math} in double. */
class VectorMathTest {

    @BeforeEach
    void requireVectorApi() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
    }

    private static double ulps(float actual, double exact) {
        return Math.abs(actual - exact) / Math.ulp((float) exact);
    }

    @Test
    void expIsWithinTwoUlpsOverItsRange() {
        int n = 400_001; // not a multiple of the vector length: the scalar tail runs too
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = VectorMath.EXP_MIN + (VectorMath.EXP_MAX - VectorMath.EXP_MIN) * i / (n - 1);
        }
        float[] e = xs.clone();
        VectorMath.expInPlace(e, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double u = ulps(e[i], Math.exp(xs[i]));
            assertTrue(u <= 2, "exp(" + xs[i] + ") = " + e[i] + ", expected " + Math.exp(xs[i]) + " (" + u + " ulps)");
            worst = Math.max(worst, u);
        }
        assertTrue(worst > 0.5, "some results are not correctly rounded, so the sweep reached the polynomial: " + worst);
    }

    /** Outside [EXP_MIN, EXP_MAX] the argument is clamped: no 0, no infinity; NaN stays NaN; vector part and tail. */
    @Test
    void expAtTheEdgesAndAnOffset() {
        float lo = (float) Math.exp(VectorMath.EXP_MIN);
        float hi = (float) Math.exp(VectorMath.EXP_MAX);
        float[] xs = {0f, -0f, 1f, -1f, -87.33f, -90f, -1000f, 88.3f, 88.5f, 100f, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE, 0.5f};
        // 2 vectors' worth (32 values) from offset 3 and 7 more in the scalar tail; then rotated by 9
        for (int shift : new int[] {0, 9}) {
            int n = 39;
            float[] a = new float[3 + n + 2];
            a[0] = 7f;
            a[a.length - 1] = 9f;
            for (int i = 0; i < n; i++) {
                a[3 + i] = xs[(i + shift) % xs.length];
            }
            VectorMath.expInPlace(a, 3, n);
            assertEquals(7f, a[0], "untouched before the range");
            assertEquals(9f, a[a.length - 1], "untouched after the range");
            for (int i = 0; i < n; i++) {
                float x = xs[(i + shift) % xs.length];
                float e = a[3 + i];
                String where = "exp(" + x + ") = " + e + " at " + i + " of " + n;
                if (Float.isNaN(x)) {
                    assertTrue(Float.isNaN(e), where);
                } else if (x <= VectorMath.EXP_MIN) {
                    assertEquals(lo, e, 2 * Math.ulp(lo), where);
                } else if (x >= VectorMath.EXP_MAX) {
                    assertEquals(hi, e, 2 * Math.ulp(hi), where);
                } else {
                    assertTrue(ulps(e, Math.exp(x)) <= 2, where + ", expected " + Math.exp(x));
                }
            }
        }
        assertTrue(lo > 0 && lo < 1.2e-38f && Float.isFinite(hi) && hi > 2.3e38f, lo + " " + hi);
        assertThrows(IllegalArgumentException.class, () -> VectorMath.expInPlace(new float[4], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> VectorMath.expInPlace(new float[4], -1, 2));
    }

    /** Just above |x| = 0.1, 1 - e^(-2|x|) cancels about 2.5 bits: the worst over the sweep is 3.6 ulps. */
    @Test
    void tanhIsWithinFourUlpsAndOdd() {
        int n = 200_001;
        float[] xs = new float[n];
        for (int i = 0; i < n / 2; i++) {
            xs[i] = -12f + 24f * i / (n - 1);
            xs[n - 1 - i] = -xs[i];
        }
        xs[n / 2] = 0f;
        float[] t = new float[n];
        VectorKernels.INSTANCE.tanh(n, xs, 0, t, 0);
        for (int i = 0; i < n; i++) {
            double exact = Math.tanh(xs[i]);
            assertTrue(ulps(t[i], exact) <= 4, "tanh(" + xs[i] + ") = " + t[i] + ", expected " + exact);
            if (i != n / 2) {
                assertEquals(-t[i], t[n - 1 - i], "tanh(-x) = -tanh(x) at " + xs[i]);
            }
        }
        assertEquals(0f, t[n / 2]);
        float[] special = {-0f, 1e-30f, -1e-30f, 0.0999f, 0.1f, -0.1f, 0.25f, 30f, -30f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, 1f, 2f, 3f, 4f};
        float[] ts = new float[special.length];
        VectorKernels.INSTANCE.tanh(special.length, special, 0, ts, 0);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ts[0]), "tanh(-0) = -0");
        for (int i = 1; i < 9; i++) {
            assertTrue(ulps(ts[i], Math.tanh(special[i])) <= 4, "tanh(" + special[i] + ") = " + ts[i]);
        }
        assertEquals(1f, ts[9]);
        assertEquals(-1f, ts[10]);
        assertTrue(Float.isNaN(ts[11]), "tanh(NaN) = " + ts[11]);
    }
}
