package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@link VectorKernels} method against {@link ScalarKernels} over sizes that hit the main
 * loop, the vector tail and the scalar tail, at offset 0 and at odd offsets. Element-wise kernels
 * must agree exactly (except axpy, which fuses the multiply-add); reductions within a bound that
 * grows with the number of terms. Outputs live inside guard regions that must stay untouched.
 */
class VectorKernelsTest {

    private static final int[] SIZES = {1, 3, 7, 8, 13, 15, 16, 17, 31, 33, 100, 207, 257, 1000, 1024, 4099};
    private static final int[] OFFSETS = {0, 5};
    private static final float GUARD = -777.25f;
    private static final double EPS = Math.ulp(1f);

    private final Kernels scalar = ScalarKernels.INSTANCE;
    private Kernels vector;
    private final SplittableRandom rnd = new SplittableRandom(42);

    @BeforeEach
    void requireVectorApi() {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        vector = VectorKernels.INSTANCE;
    }

    @Test
    void dot() {
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = random(off + n);
                float[] y = random(off + n + 1);
                double bound = (n + 2) * EPS * sumAbsProducts(n, x, off, y, off + 1);
                float expected = scalar.dot(n, x, off, y, off + 1);
                float actual = vector.dot(n, x, off, y, off + 1);
                assertEquals(expected, actual, 2 * bound, "dot n=" + n + " off=" + off);
            }
        }
        assertEquals(0f, vector.dot(0, new float[0], 0, new float[0], 0));
    }

    /**
     * The first NaN or infinity, wherever it falls (first lane, a middle lane, the four-vector body,
     * the one-vector loop, the scalar tail), with other non-finite values after it and extreme finite
     * values (MAX_VALUE, subnormals, -0) that must not count; the scalar kernel is the reference and is
     * checked against the position planted.
     */
    @Test
    void firstNonFinite() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001)};
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = random(off + n + 3);
                x[off] = Float.MAX_VALUE;
                x[off + n / 2] = -Float.MAX_VALUE;
                x[off + n - 1] = Float.MIN_VALUE;
                x[off + n + 1] = Float.NaN;   // beyond n: never looked at
                assertEquals(-1, scalar.firstNonFinite(n, x, off), "n=" + n);
                assertEquals(-1, vector.firstNonFinite(n, x, off), "n=" + n + " off=" + off);
                for (int at : new int[] {0, n / 3, n / 2, n - n % 8, n - 1}) {
                    if (at >= n) {
                        continue;
                    }
                    for (float v : bad) {
                        float[] y = x.clone();
                        y[off + at] = v;
                        if (at + 1 < n) {
                            y[off + n - 1] = Float.NEGATIVE_INFINITY;
                        }
                        String where = "n=" + n + " off=" + off + " at=" + at + " value=" + v;
                        assertEquals(at, scalar.firstNonFinite(n, y, off), where);
                        assertEquals(at, vector.firstNonFinite(n, y, off), where);
                    }
                }
            }
        }
        assertEquals(-1, vector.firstNonFinite(0, new float[0], 0));
        float[] zeros = new float[64];
        zeros[7] = -0f;
        assertEquals(-1, vector.firstNonFinite(64, zeros, 0));
    }

    @Test
    void axpy() {
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = random(off + n);
                float[] y = guarded(off, n);
                float[] yRef = y.clone();
                scalar.axpy(n, 0.75f, x, off, yRef, off);
                vector.axpy(n, 0.75f, x, off, y, off);
                // The vector version fuses multiply and add: one rounding instead of two.
                for (int i = 0; i < y.length; i++) {
                    assertEquals(yRef[i], y[i], 2 * EPS * (Math.abs(yRef[i]) + 1), "axpy n=" + n + " i=" + i);
                }
            }
        }
    }

    @Test
    void scal() {
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = guarded(off, n);
                float[] ref = x.clone();
                scalar.scal(n, -1.25f, ref, off);
                vector.scal(n, -1.25f, x, off);
                assertArrayEquals(ref, x, "scal n=" + n + " off=" + off);
            }
        }
    }

    @Test
    void addAndMulIncludingAliasedOutput() {
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = random(off + n);
                float[] y = random(n + 3);
                for (boolean isAdd : new boolean[] {true, false}) {
                    float[] ref = guarded(off, n);
                    float[] out = ref.clone();
                    float[] xAlias = x.clone();
                    float[] xAliasRef = x.clone();
                    if (isAdd) {
                        scalar.add(n, x, off, y, 3, ref, off);
                        vector.add(n, x, off, y, 3, out, off);
                        scalar.add(n, xAliasRef, off, y, 3, xAliasRef, off);
                        vector.add(n, xAlias, off, y, 3, xAlias, off);
                    } else {
                        scalar.mul(n, x, off, y, 3, ref, off);
                        vector.mul(n, x, off, y, 3, out, off);
                        scalar.mul(n, xAliasRef, off, y, 3, xAliasRef, off);
                        vector.mul(n, xAlias, off, y, 3, xAlias, off);
                    }
                    assertArrayEquals(ref, out, (isAdd ? "add" : "mul") + " n=" + n + " off=" + off);
                    assertArrayEquals(xAliasRef, xAlias, (isAdd ? "add" : "mul") + " aliased n=" + n);
                }
            }
        }
    }

    @Test
    void addRowVectorAndSumRows() {
        int[] rowCounts = {1, 2, 5, 64};
        for (int cols : SIZES) {
            for (int rows : rowCounts) {
                int off = cols % 2 == 0 ? 0 : 5;
                float[] x = random(off + rows * cols);
                float[] bias = random(cols + 1);
                float[] ref = guarded(off, rows * cols);
                float[] out = ref.clone();
                scalar.addRowVector(rows, cols, x, off, bias, 1, ref, off);
                vector.addRowVector(rows, cols, x, off, bias, 1, out, off);
                assertArrayEquals(ref, out, "addRowVector rows=" + rows + " cols=" + cols);

                float[] sumRef = guarded(2, cols);
                float[] sum = guarded(2, cols);
                Arrays.fill(sum, 2, 2 + cols, Float.NaN); // must be overwritten
                scalar.sumRows(rows, cols, x, off, sumRef, 2);
                vector.sumRows(rows, cols, x, off, sum, 2);
                // each column summed in row order on both sides: the same bits
                assertArrayEquals(sumRef, sum, "sumRows rows=" + rows + " cols=" + cols);
            }
        }
    }

    @Test
    void reluAndReluBackwardIncludingSpecialValues() {
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                float[] x = random(off + n);
                for (int i = off; i < off + n; i += 5) {
                    x[i] = i % 3 == 0 ? Float.NaN : (i % 3 == 1 ? -0f : 0f);
                }
                float[] g = random(n);
                float[] ref = guarded(off, n);
                float[] out = ref.clone();
                scalar.relu(n, x, off, ref, off);
                vector.relu(n, x, off, out, off);
                assertArrayEquals(ref, out, "relu n=" + n + " off=" + off);
                scalar.reluBackward(n, x, off, g, 0, ref, off);
                vector.reluBackward(n, x, off, g, 0, out, off);
                assertArrayEquals(ref, out, "reluBackward n=" + n + " off=" + off);
                float[] alias = x.clone();
                vector.relu(n, alias, off, alias, off);
                float[] aliasRef = x.clone();
                scalar.relu(n, aliasRef, off, aliasRef, off);
                assertArrayEquals(aliasRef, alias, "relu aliased n=" + n);
            }
        }
    }

    /** One elementwise kernel under test: {@code out = f(x)} or, with g, {@code out = f'(x) g}. */
    private interface Unary {
        void apply(Kernels k, int n, float[] x, int xOff, float[] g, float[] out, int outOff);
    }

    private static final String[] ACTIVATIONS = {"gelu", "geluBackward", "silu", "siluBackward", "sigmoid", "tanh"};

    private static Unary activation(String name) {
        return switch (name) {
            case "gelu" -> (k, n, x, xo, g, out, oo) -> k.gelu(n, x, xo, out, oo);
            case "geluBackward" -> (k, n, x, xo, g, out, oo) -> k.geluBackward(n, x, xo, g, 0, out, oo);
            case "silu" -> (k, n, x, xo, g, out, oo) -> k.silu(n, x, xo, out, oo);
            case "siluBackward" -> (k, n, x, xo, g, out, oo) -> k.siluBackward(n, x, xo, g, 0, out, oo);
            case "sigmoid" -> (k, n, x, xo, g, out, oo) -> k.sigmoid(n, x, xo, out, oo);
            default -> (k, n, x, xo, g, out, oo) -> k.tanh(n, x, xo, out, oo);
        };
    }

    /**
     * The transcendental activations agree with the double-precision reference to a few float ulps
     * (the vector exp/tanh are not correctly rounded), over [-12, 12] and the special values, with the
     * guards untouched and NaN and infinities where the reference has them.
     */
    @Test
    void activationsMatchTheScalarReference() {
        float[] specials = {0f, -0f, 1e-30f, -1e-30f, 5e-4f, -5e-4f, 30f, -30f, 90f, -90f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (String name : ACTIVATIONS) {
            Unary f = activation(name);
            for (int n : SIZES) {
                for (int off : OFFSETS) {
                    float[] x = random(off + n);
                    for (int i = off; i < off + n; i++) {
                        x[i] *= 6f;
                    }
                    for (int i = off, s = 0; i < off + n && n >= 16; i += 3, s++) {
                        x[i] = specials[s % specials.length];
                    }
                    float[] g = random(n);
                    float[] ref = guarded(off, n);
                    float[] out = ref.clone();
                    f.apply(scalar, n, x, off, g, ref, off);
                    f.apply(vector, n, x, off, g, out, off);
                    for (int i = 0; i < out.length; i++) {
                        String where = name + " n=" + n + " off=" + off + " i=" + i + " x=" + (i < x.length ? x[i] : 0f);
                        if (i < x.length && Float.isInfinite(x[i]) && Float.isNaN(ref[i])) {
                            // inf * 0 in the reference; the vector exp never returns 0 (its argument is
                            // clamped), so the vector kernel may give the limit instead: f'(+inf) g = g,
                            // 0 towards -inf
                            float limit = x[i] < 0 ? 0f : name.endsWith("Backward") ? g[i - off] : Float.POSITIVE_INFINITY;
                            assertTrue(Float.isNaN(out[i]) || Math.abs(out[i] - limit) <= 1e-6 * Math.abs(limit) + 1e-30,
                                    where + ": " + out[i] + " (limit " + limit + ")");
                        } else if (Float.isNaN(ref[i]) || Float.isInfinite(ref[i])) {
                            assertEquals(ref[i], out[i], where);
                        } else {
                            assertEquals(ref[i], out[i], 2e-6 + 1e-5 * Math.abs(ref[i]), where);
                        }
                    }
                }
            }
            if (!name.endsWith("Backward")) {
                float[] alias = random(100);
                float[] aliasRef = alias.clone();
                f.apply(vector, 100, alias, 0, null, alias, 0);
                f.apply(scalar, 100, aliasRef, 0, null, aliasRef, 0);
                for (int i = 0; i < alias.length; i++) {
                    assertEquals(aliasRef[i], alias[i], 2e-6 + 1e-5 * Math.abs(aliasRef[i]), name + " in place, i=" + i);
                }
            }
        }
    }

    /**
     * The training forward's GELU with its saved derivative is, in each kernel tier, that tier's gelu to
     * the bit, and derivative times g is that tier's geluBackward to the bit (so a saved-derivative
     * backward changes no gradient), specials included; out may alias x.
     */
    @Test
    void geluWithDerivativeIsGeluAndGeluBackwardToTheBit() {
        float[] specials = {0f, -0f, 1e-30f, 5e-4f, -5e-4f, 9f, -9f, 30f, -30f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (Kernels k : new Kernels[] {scalar, vector}) {
            for (int n : SIZES) {
                for (int off : OFFSETS) {
                    float[] x = random(off + n);
                    for (int i = off; i < off + n; i++) {
                        x[i] *= 6f;
                    }
                    for (int i = off, s = 0; i < off + n; i += 5, s++) {
                        x[i] = specials[s % specials.length];
                    }
                    float[] g = random(n);
                    float[] gelu = guarded(off, n);
                    float[] backward = guarded(off, n);
                    float[] out = guarded(off, n);
                    float[] d = guarded(1, n);
                    k.gelu(n, x, off, gelu, off);
                    k.geluBackward(n, x, off, g, 0, backward, off);
                    k.geluWithDerivative(n, x, off, out, off, d, 1);
                    String where = k.getClass().getSimpleName() + " n=" + n + " off=" + off;
                    assertArrayEquals(gelu, out, "gelu " + where);
                    float[] product = guarded(off, n);
                    k.mul(n, d, 1, g, 0, product, off);
                    assertArrayEquals(backward, product, "derivative * g " + where);
                    assertEquals(GUARD, d[0], "d's guard " + where);
                    assertEquals(GUARD, d[n + 1], "d's guard " + where);
                    float[] alias = Arrays.copyOf(x, x.length);
                    k.geluWithDerivative(n, alias, off, alias, off, d, 1);
                    assertArrayEquals(Arrays.copyOfRange(gelu, off, off + n), Arrays.copyOfRange(alias, off, off + n),
                            "gelu in place " + where);
                }
            }
        }
    }

    /** Layer norm forward, input gradient and gamma gradient against the double-accumulating reference. */
    @Test
    void layerNormKernelsMatchTheScalarReference() {
        for (int cols : SIZES) {
            for (int rows : new int[] {1, 3}) {
                int off = cols % 2 == 0 ? 5 : 0;
                float[] x = random(off + rows * cols);
                for (int i = off; i < x.length; i++) {
                    x[i] = x[i] * 3 + 7; // an offset mean, as in residual streams
                }
                float[] gamma = random(cols + 1);
                float[] beta = random(cols + 2);
                float[] g = random(rows * cols + 3);
                float[] statsRef = new float[2 * rows + 1];
                float[] stats = new float[2 * rows + 1];
                float[] ref = guarded(off, rows * cols);
                float[] out = ref.clone();
                scalar.layerNorm(rows, cols, x, off, gamma, 1, beta, 2, 1e-5f, ref, off, statsRef, 0);
                vector.layerNorm(rows, cols, x, off, gamma, 1, beta, 2, 1e-5f, out, off, stats, 0);
                for (int i = 0; i < 2 * rows; i++) {
                    assertEquals(statsRef[i], stats[i], 1e-5 * Math.abs(statsRef[i]) + 1e-6, "stats cols=" + cols);
                }
                for (int i = 0; i < out.length; i++) {
                    assertEquals(ref[i], out[i], 1e-4, "layerNorm rows=" + rows + " cols=" + cols + " i=" + i);
                }
                scalar.layerNormBackward(rows, cols, x, off, gamma, 1, statsRef, 0, g, 3, ref, off);
                vector.layerNormBackward(rows, cols, x, off, gamma, 1, statsRef, 0, g, 3, out, off);
                for (int i = 0; i < out.length; i++) {
                    assertEquals(ref[i], out[i], 1e-4, "layerNormBackward rows=" + rows + " cols=" + cols + " i=" + i);
                }
                float[] dgRef = guarded(2, cols);
                float[] dg = guarded(2, cols);
                scalar.layerNormGammaGradient(rows, cols, x, off, statsRef, 0, g, 3, dgRef, 2);
                vector.layerNormGammaGradient(rows, cols, x, off, statsRef, 0, g, 3, dg, 2);
                for (int i = 0; i < dg.length; i++) {
                    assertEquals(dgRef[i], dg[i], 1e-5 * rows * 4, "layerNormGammaGradient cols=" + cols + " i=" + i);
                }
            }
        }
    }

    @Test
    void softmaxMatchesScalarAndSumsToOne() {
        int[] rowCounts = {1, 3};
        for (int cols : SIZES) {
            for (int rows : rowCounts) {
                int off = cols % 2 == 0 ? 5 : 0;
                float[] x = random(off + rows * cols);
                for (int i = off; i < x.length; i += 7) {
                    x[i] *= 40f; // spread logits so exp covers a wide range
                }
                float[] ref = guarded(off, rows * cols);
                float[] out = ref.clone();
                scalar.softmax(rows, cols, x, off, ref, off);
                vector.softmax(rows, cols, x, off, out, off);
                for (int i = 0; i < out.length; i++) {
                    // Relative to the value, plus an absolute floor: the vector exp clamps its argument
                    // at -87.3, so a probability is never below e^-87.3 / sum (about 1.2e-38)
                    double tol = 4 * EPS * Math.abs(ref[i]) * (1 + Math.sqrt(cols)) + 2 * Float.MIN_NORMAL;
                    assertEquals(ref[i], out[i], tol, "softmax rows=" + rows + " cols=" + cols + " i=" + i);
                }
                float[] alias = x.clone();
                vector.softmax(rows, cols, alias, off, alias, off);
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) {
                        s += alias[off + r * cols + c];
                    }
                    assertEquals(1.0, s, 1e-5 * (1 + Math.sqrt(cols)), "softmax row sum, aliased, cols=" + cols);
                }
            }
        }
    }

    @Test
    void logSoftmaxMatchesScalarIncludingAliasedAndLongRows() {
        for (int cols : new int[] {1, 7, 10, 16, 31, 33, 128, 300, 1000}) {
            for (int rows : new int[] {1, 3, 64}) {
                int off = 5;
                float[] x = guarded(off, rows * cols);
                for (int i = off; i < off + rows * cols; i += 7) {
                    x[i] *= 30f;
                }
                float[] ref = x.clone();
                float[] out = x.clone();
                scalar.logSoftmax(rows, cols, x, off, ref, off);
                vector.logSoftmax(rows, cols, x, off, out, off);
                float[] alias = x.clone();
                vector.logSoftmax(rows, cols, alias, off, alias, off);
                for (int i = 0; i < out.length; i++) {
                    String where = "logSoftmax rows=" + rows + " cols=" + cols + " i=" + i;
                    // log of a sum in float: a few ulps of the row's largest magnitude
                    double tol = 8 * EPS * (Math.abs(ref[i]) + Math.log(cols) + 1);
                    assertEquals(ref[i], out[i], tol, where);
                    assertEquals(out[i], alias[i], 0f, where + " (in place)");
                }
            }
        }
    }

    /**
     * One attention head, forward and backward, on a packed [T, 3 heads d + 3] layout (odd strides),
     * for head sizes the register tiles take (multiples of L, odd and even vector counts) and others
     * (the GEMM path), causal and not, T with and without a partial last row block. The outputs of
     * other heads' columns are guards that must stay untouched.
     */
    @Test
    void attentionHeadMatchesScalar() {
        int l = VectorKernels.vectorBitSize() / Float.SIZE;
        for (int d : new int[] {l, 2 * l, 3 * l, 4 * l, 5, l + 3}) {
            for (int t : new int[] {1, 3, 4, 5, 17, 40, 64, 2 * l + 1}) {
                for (boolean causal : new boolean[] {true, false}) {
                    checkAttentionHead(t, d, causal, false);
                }
            }
            checkAttentionHead(13, d, false, true);
        }
    }

    private void checkAttentionHead(int t, int d, boolean causal, boolean zeroedKeys) {
        int ldx = 6 * d + 3;
        int xOff = 2;
        int q = xOff + d + 1;
        int k = q + 2 * d;
        int v = k + 2 * d;
        float[] x = random(xOff + t * ldx);
        for (int i = 0; i < x.length; i += 3) {
            x[i] *= 2.5f;
        }
        float scale = (float) (1 / Math.sqrt(d));
        int ldo = 3 * d + 1;
        int oOff = 1 + d;
        String where = "attentionHead t=" + t + " d=" + d + " causal=" + causal;
        float[] probsRef = guards(3 + t * t + 4);
        float[] probs = guards(3 + t * t + 4);
        float[] outRef = guards(oOff + t * ldo + 4);
        float[] out = outRef.clone();
        scalar.attentionHead(t, d, causal, scale, x, q, k, v, ldx, probsRef, 3, outRef, oOff, ldo);
        vector.attentionHead(t, d, causal, scale, x, q, k, v, ldx, probs, 3, out, oOff, ldo);
        // A score is a d-term dot product: summed in another order (the lane count sets it) it may differ
        // by up to d * EPS * scale * sum |q_c k_c|, and p_ij moves relatively by at most twice the row's
        // largest score error, on top of the normalization's rounding.
        double[] scoreError = new double[t];
        for (int query = 0; query < t; query++) {
            for (int key = 0; key < t; key++) {
                double abs = 0;
                for (int c = 0; c < d; c++) {
                    abs += Math.abs((double) x[q + query * ldx + c] * x[k + key * ldx + c]);
                }
                scoreError[query] = Math.max(scoreError[query], d * EPS * scale * abs);
            }
        }
        for (int i = 0; i < probs.length; i++) {
            int query = (i - 3) % t;
            int key = (i - 3) / t;
            if (i < 3 || i >= 3 + t * t) {
                assertEquals(GUARD, probs[i], where + " probs guard " + i);
            } else if (causal && key > query) {
                assertEquals(0f, probs[i], where + " probs above the diagonal " + i);
            } else {
                assertEquals(probsRef[i], probs[i], (4 * EPS * (1 + Math.sqrt(t)) + 2 * scoreError[query])
                        * (probsRef[i] + 1e-3), where + " probs " + i);
            }
        }
        assertHeadRows(where + " out", t, d, outRef, out, oOff, ldo, 1e-5 * Math.sqrt(t));
        if (zeroedKeys) {
            // padded keys: keys 2 and 5 get 0 from every query (P is key-major; the rest sums to less than 1)
            for (int query = 0; query < t; query++) {
                probsRef[3 + 2 * t + query] = 0f;
                probsRef[3 + 5 * t + query] = 0f;
            }
            probs = probsRef.clone();
        }
        float[] g = random(5 + t * (2 * d + 1));
        int ldg = 2 * d + 1;
        float[] dxRef = guards(xOff + t * ldx + 4);
        float[] dx = dxRef.clone();
        float[] ds = new float[t * t + 7];
        scalar.attentionHeadBackward(t, d, causal, scale, x, q, k, v, ldx, probsRef, 3, g, 5 + d, ldg, ds, 7, dxRef,
                q, k, v, ldx);
        vector.attentionHeadBackward(t, d, causal, scale, x, q, k, v, ldx, probs, 3, g, 5 + d, ldg, ds, 7, dx,
                q, k, v, ldx);
        double tol = 2e-5 * Math.sqrt(t * d);
        assertHeadRows(where + " dQ", t, d, dxRef, dx, q, ldx, tol);
        assertHeadRows(where + " dK", t, d, dxRef, dx, k, ldx, tol);
        assertHeadRows(where + " dV", t, d, dxRef, dx, v, ldx, tol);
    }

    /** Rows [0, t) of d floats at off + r * ld agree within tol * (1 + |ref|); the gaps stay guards. */
    private static void assertHeadRows(String where, int t, int d, float[] ref, float[] actual, int off, int ld,
                                       double tol) {
        for (int r = 0; r < t; r++) {
            for (int c = 0; c < d; c++) {
                int i = off + r * ld + c;
                assertEquals(ref[i], actual[i], tol * (1 + Math.abs(ref[i])), where + " row " + r + " col " + c);
            }
        }
        for (int i = 0; i < actual.length; i++) {
            int rel = i - off;
            boolean inHead = rel >= 0 && rel / ld < t && rel % ld < d;
            if (!inHead && ref[i] == GUARD) {
                assertEquals(GUARD, actual[i], where + " guard " + i);
            }
        }
    }

    /**
     * The log-softmax's gradient: narrow rows (several per exp chunk, padded), rows of a whole chunk,
     * and rows wider than the chunk (the scalar reference); guards untouched.
     */
    @Test
    void logSoftmaxBackwardMatchesScalar() {
        for (int cols : new int[] {1, 7, 10, 31, 32, 100, 256, 300}) {
            for (int rows : new int[] {1, 3, 64}) {
                int off = 3;
                float[] x = guarded(off, rows * cols);
                float[] y = x.clone();
                scalar.logSoftmax(rows, cols, x, off, y, off);
                float[] g = guarded(off + 1, rows * cols);
                float[] ref = guarded(2, rows * cols);
                float[] out = ref.clone();
                scalar.logSoftmaxBackward(rows, cols, y, off, g, off + 1, ref, 2);
                vector.logSoftmaxBackward(rows, cols, y, off, g, off + 1, out, 2);
                for (int i = 0; i < out.length; i++) {
                    String where = "logSoftmaxBackward rows=" + rows + " cols=" + cols + " i=" + i;
                    if (i < 2 || i >= 2 + rows * cols) {
                        assertEquals(ref[i], out[i], 0f, where + " (guard)");
                    } else {
                        // the sum of g (cols terms of |g| <= 2) times a probability, and the exp's 2 ulps
                        assertEquals(ref[i], out[i], 8 * EPS * (2 + 2 * cols), where);
                    }
                }
            }
        }
    }

    /** A causal attention row: softmax over the first visible entries, zeros after, guards untouched. */
    @Test
    void softmaxPrefixMatchesScalarAndZeroesTheRest() {
        for (int cols : new int[] {1, 7, 16, 31, 32, 33, 64, 100}) {
            for (int visible = 1; visible <= cols; visible += visible < 40 ? 1 : 7) {
                int off = 3;
                float[] x = guarded(off, cols);
                for (int i = off; i < off + cols; i += 5) {
                    x[i] *= 20f;
                }
                float[] ref = x.clone();
                scalar.softmaxPrefix(cols, visible, ref, off);
                vector.softmaxPrefix(cols, visible, x, off);
                double sum = 0;
                for (int i = 0; i < x.length; i++) {
                    String where = "softmaxPrefix cols=" + cols + " visible=" + visible + " i=" + i;
                    if (i < off || i >= off + cols) {
                        assertEquals(GUARD, x[i], where);
                    } else if (i >= off + visible) {
                        assertEquals(0f, x[i], where);
                    } else {
                        assertEquals(ref[i], x[i], 4 * EPS * Math.abs(ref[i]) * (1 + Math.sqrt(visible)) + 2 * Float.MIN_NORMAL, where);
                        sum += x[i];
                    }
                }
                assertEquals(1.0, sum, 1e-5 * (1 + Math.sqrt(visible)), "row sum, cols=" + cols + " visible=" + visible);
            }
        }
    }

    @Test
    void softmaxHandlesExtremeLogits() {
        float[] x = {1000f, -1000f, 0f, 88f, -88f, 1000f, 3f, 3f, 3f, 3f, 3f, 3f, 3f, 3f, 3f, 3f, 3f};
        float[] ref = new float[x.length];
        float[] out = new float[x.length];
        scalar.softmax(1, x.length, x, 0, ref, 0);
        vector.softmax(1, x.length, x, 0, out, 0);
        assertArrayEquals(ref, out, 1e-7f);
        assertTrue(Math.abs(out[0] - 0.5f) < 1e-6f, Arrays.toString(out));
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** n floats of GUARD. */
    private static float[] guards(int n) {
        float[] x = new float[n];
        Arrays.fill(x, GUARD);
        return x;
    }

    /** GUARD everywhere, random values in [off, off + n), and a guard tail of 4. */
    private float[] guarded(int off, int n) {
        float[] x = new float[off + n + 4];
        Arrays.fill(x, GUARD);
        for (int i = off; i < off + n; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return x;
    }

    private static double sumAbsProducts(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs((double) x[xOff + i] * y[yOff + i]);
        }
        return s;
    }
}
