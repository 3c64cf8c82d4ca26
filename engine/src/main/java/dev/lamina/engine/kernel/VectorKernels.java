package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the Vector API ({@code jdk.incubator.vector}), at the platform's preferred
 * float species (512 bits, 16 lanes, with AVX-512). Obtain it through {@link KernelProvider}; this
 * class can only be loaded when the JVM was started with {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Every loop has the same shape: a main loop over {@code SPECIES.loopBound} (with 4 independent
 * accumulators where the kernel is a reduction), a one-vector tail, then a scalar tail. GEMM lives
 * in {@link VectorGemm}. Results agree with {@link ScalarKernels} to float rounding; reductions
 * sum in a different order, so they differ by a few ulps times the number of terms.
 */
final class VectorKernels implements Kernels {

    static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorKernels() {
    }

    /** The preferred species' width in bits (512 with AVX-512); read by {@link KernelProvider}. */
    static int vectorBitSize() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        VectorGemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        VectorGemm.gemmBias(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, bias, biasOff, c, cOff, ldc);
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        assert n >= 0 && xOff + n <= x.length && yOff + n <= y.length;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        int i = 0;
        int bound4 = n - n % (4 * L);
        for (; i < bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(SPECIES, x, xOff + i).fma(FloatVector.fromArray(SPECIES, y, yOff + i), acc0);
            acc1 = FloatVector.fromArray(SPECIES, x, xOff + i + L)
                    .fma(FloatVector.fromArray(SPECIES, y, yOff + i + L), acc1);
            acc2 = FloatVector.fromArray(SPECIES, x, xOff + i + 2 * L)
                    .fma(FloatVector.fromArray(SPECIES, y, yOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(SPECIES, x, xOff + i + 3 * L)
                    .fma(FloatVector.fromArray(SPECIES, y, yOff + i + 3 * L), acc3);
        }
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += L) {
            acc0 = FloatVector.fromArray(SPECIES, x, xOff + i).fma(FloatVector.fromArray(SPECIES, y, yOff + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xOff + i] * y[yOff + i];
        }
        return sum;
    }

    /**
     * Adds x[i] * 0 into four accumulators: 0 for every finite x, NaN for NaN and either infinity, and
     * a NaN stays. One multiply-add per vector, no compare or mask: 235,146 values in 16-21 us on an
     * AVX2 host, where the scalar {@code Float.isFinite} loop, which JDK 17's C2 does not vectorize,
     * takes 99-107 us. Only when the sum is not finite does the scalar pass look for the index.
     */
    @Override
    public int firstNonFinite(int n, float[] x, int xOff) {
        assert n >= 0 && xOff >= 0 && xOff + n <= x.length;
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector acc0 = zero;
        FloatVector acc1 = zero;
        FloatVector acc2 = zero;
        FloatVector acc3 = zero;
        int i = 0;
        for (int bound4 = n - n % (4 * L); i < bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(SPECIES, x, xOff + i).fma(zero, acc0);
            acc1 = FloatVector.fromArray(SPECIES, x, xOff + i + L).fma(zero, acc1);
            acc2 = FloatVector.fromArray(SPECIES, x, xOff + i + 2 * L).fma(zero, acc2);
            acc3 = FloatVector.fromArray(SPECIES, x, xOff + i + 3 * L).fma(zero, acc3);
        }
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            acc0 = FloatVector.fromArray(SPECIES, x, xOff + i).fma(zero, acc0);
        }
        float tail = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            tail += x[xOff + i] * 0f;
        }
        return tail == 0f ? -1 : ScalarKernels.INSTANCE.firstNonFinite(n, x, xOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        assert n >= 0 && xOff + n <= x.length && yOff + n <= y.length;
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i)
                    .fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        assert n >= 0 && xOff + n <= x.length;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && yOff + n <= y.length && outOff + n <= out.length;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i)
                    .add(FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && yOff + n <= y.length && outOff + n <= out.length;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i)
                    .mul(FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff,
                             float[] out, int outOff) {
        assert rows >= 0 && cols >= 0 && xOff + rows * cols <= x.length && biasOff + cols <= bias.length;
        for (int r = 0; r < rows; r++) {
            add(cols, x, xOff + r * cols, bias, biasOff, out, outOff + r * cols);
        }
    }

    /** Columns {@link #sumRows} keeps in out while the rows stream past: 4 KB, in L1. */
    private static final int SUM_ROWS_BLOCK = 1024;

    /**
     * Row by row into out (a block of up to {@link #SUM_ROWS_BLOCK} columns at a time), so x is read
     * front to back; each column's sum is taken in row order, as ScalarKernels does, so the two agree
     * to the bit. Walking column strips down the rows (before: 4 vectors of one strip in registers,
     * the next strip a row's stride away) left the hardware prefetchers a stride of a whole row; on
     * [2048, 512] with the matrix out of L2 that took 664 us against 362 us front to back.
     */
    @Override
    public void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        assert rows >= 0 && cols >= 0 && xOff + rows * cols <= x.length && outOff + cols <= out.length;
        for (int c0 = 0; c0 < cols; c0 += SUM_ROWS_BLOCK) {
            int width = Math.min(SUM_ROWS_BLOCK, cols - c0);
            int o = outOff + c0;
            java.util.Arrays.fill(out, o, o + width, 0f);
            int bound = SPECIES.loopBound(width);
            for (int r = 0, row = xOff + c0; r < rows; r++, row += cols) {
                int c = 0;
                for (; c < bound; c += L) {
                    FloatVector.fromArray(SPECIES, out, o + c).add(FloatVector.fromArray(SPECIES, x, row + c))
                            .intoArray(out, o + c);
                }
                for (; c < width; c++) {
                    out[o + c] += x[row + c];
                }
            }
        }
    }

    @Override
    public void relu(int n, float[] x, int xOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length;
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xOff + i);
            // blend, not max(x, 0): NaN maps to 0 as in the scalar reference.
            zero.blend(xv, xv.compare(VectorOperators.GT, 0f)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            out[outOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void reluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && gOff + n <= g.length && outOff + n <= out.length;
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xOff + i);
            // blend picks g where x > 0, else +0 (as the scalar reference does, even for NaN g).
            zero.blend(FloatVector.fromArray(SPECIES, g, gOff + i), xv.compare(VectorOperators.GT, 0f))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] > 0f ? g[gOff + i] : 0f;
        }
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        assert rows >= 0 && cols >= 0 && xOff + rows * cols <= x.length && outOff + rows * cols <= out.length;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int outR = outOff + r * cols;
            float max = rowMax(cols, x, xr);
            shiftInto(cols, max, x, xr, out, outR);
            VectorMath.expInPlace(out, outR, cols);
            scal(cols, 1f / rowSum(cols, out, outR), out, outR);
        }
    }

    @Override
    public void logSoftmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        assert rows >= 0 && cols >= 1 && xOff + rows * cols <= x.length && outOff + rows * cols <= out.length;
        if (cols < 2 * L) {
            logSoftmaxNarrow(rows, cols, x, xOff, out, outOff);
            return;
        }
        float[] e = VectorMath.scratch();
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int outR = outOff + r * cols;
            float max = rowMax(cols, x, xr);
            // sum of e^(x - max) a scratch chunk at a time, so x stays intact (out may be x)
            double sum = 0;
            for (int c = 0; c < cols; c += VectorMath.CHUNK) {
                int len = Math.min(VectorMath.CHUNK, cols - c);
                shiftInto(len, max, x, xr + c, e, 0);
                VectorMath.expInPlace(e, 0, len);
                sum += rowSum(len, e, 0);
            }
            shiftInto(cols, max + (float) Math.log(sum), x, xr, out, outR);
        }
    }

    /*
     * Rows narrower than two vectors (a classifier's 10 classes) would run every exp in expInPlace's
     * scalar tail, one Math.exp per element (6 us of the MLP's 390 us step for [64, 10]). These two
     * take as many whole rows as fit the 256-float scratch, exponentiate them together, padded to
     * whole vector pairs with zeros, and do the per-row sums and the rest in scalar code.
     */

    /** e[0, len) = exp(e[0, len)) for the scratch e, run over whole vector pairs (the padding zero-filled). */
    private static void expPadded(float[] e, int len) {
        int padded = Math.min(VectorMath.CHUNK, (len + 2 * L - 1) / (2 * L) * (2 * L));
        java.util.Arrays.fill(e, len, padded, 0f);
        VectorMath.expInPlace(e, 0, padded);
    }

    /** {@link #logSoftmax} for cols < 2L; out may be x (x[r, :] is read again before out[r, :] is written). */
    private static void logSoftmaxNarrow(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        float[] e = VectorMath.scratch();
        int per = VectorMath.CHUNK / cols;
        for (int r0 = 0; r0 < rows; r0 += per) {
            int nr = Math.min(per, rows - r0);
            for (int r = 0; r < nr; r++) {
                int xr = xOff + (r0 + r) * cols;
                float max = ScalarKernels.rowMax(cols, x, xr);
                for (int c = 0; c < cols; c++) {
                    e[r * cols + c] = x[xr + c] - max;
                }
            }
            expPadded(e, nr * cols);
            for (int r = 0; r < nr; r++) {
                int xr = xOff + (r0 + r) * cols;
                int or = outOff + (r0 + r) * cols;
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += e[r * cols + c];
                }
                float shift = ScalarKernels.rowMax(cols, x, xr) + (float) Math.log(sum);
                for (int c = 0; c < cols; c++) {
                    out[or + c] = x[xr + c] - shift;
                }
            }
        }
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] g, int gOff, float[] out,
                                   int outOff) {
        assert rows >= 0 && cols >= 1 && yOff + rows * cols <= y.length && gOff + rows * cols <= g.length
                && outOff + rows * cols <= out.length;
        if (cols > VectorMath.CHUNK) {
            ScalarKernels.INSTANCE.logSoftmaxBackward(rows, cols, y, yOff, g, gOff, out, outOff);
            return;
        }
        float[] e = VectorMath.scratch();
        int per = VectorMath.CHUNK / cols;
        for (int r0 = 0; r0 < rows; r0 += per) {
            int nr = Math.min(per, rows - r0);
            System.arraycopy(y, yOff + r0 * cols, e, 0, nr * cols);
            expPadded(e, nr * cols);
            for (int r = 0; r < nr; r++) {
                int gr = gOff + (r0 + r) * cols;
                int or = outOff + (r0 + r) * cols;
                float sum = 0f;
                for (int c = 0; c < cols; c++) {
                    sum += g[gr + c];
                }
                for (int c = 0; c < cols; c++) {
                    out[or + c] = g[gr + c] - e[r * cols + c] * sum;
                }
            }
        }
    }

    @Override
    public void softmaxPrefix(int cols, int visible, float[] x, int off) {
        assert 1 <= visible && visible <= cols && off + cols <= x.length;
        float max = rowMax(visible, x, off);
        shiftInto(visible, max, x, off, x, off);
        // The exp runs over whole pairs of vectors where the row has room: the entries past visible
        // are set to EXP_MIN, exponentiated with the rest (instead of up to 2L - 1 scalar exps), then
        // left out of the sum and zeroed (a causal attention row of 64 averages 15 scalar exps else).
        int padded = Math.min(cols, (visible + 2 * L - 1) / (2 * L) * (2 * L));
        java.util.Arrays.fill(x, off + visible, off + padded, VectorMath.EXP_MIN);
        VectorMath.expInPlace(x, off, padded);
        scal(visible, 1f / rowSum(visible, x, off), x, off);
        java.util.Arrays.fill(x, off + visible, off + cols, 0f);
    }

    @Override
    public void attentionHead(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff,
                              int ldx, float[] probs, int pOff, float[] out, int outOff, int ldo) {
        assert t >= 1 && d >= 1;
        if (VectorAttention.suits(d)) {
            VectorAttention.forward(t, d, causal, scale, x, qOff, kOff, vOff, ldx, probs, pOff, out, outOff, ldo);
            return;
        }
        // other head sizes: the head as GEMMs (correct for any d, slower in calls and packing)
        gemm(false, true, t, t, d, scale, x, qOff, ldx, x, kOff, ldx, 0f, probs, pOff, t);
        for (int q = 0; q < t; q++) {
            softmaxPrefix(t, causal ? q + 1 : t, probs, pOff + q * t);
        }
        ScalarKernels.transposeSquare(t, probs, pOff);
        gemm(true, false, t, d, t, 1f, probs, pOff, t, x, vOff, ldx, 0f, out, outOff, ldo);
    }

    @Override
    public void attentionHeadBackward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff,
                                      int vOff, int ldx, float[] probs, int pOff, float[] g, int gOff, int ldg,
                                      float[] ds, int dsOff, float[] dx, int dqOff, int dkOff, int dvOff, int ldd) {
        assert t >= 1 && d >= 1;
        if (VectorAttention.suits(d)) {
            VectorAttention.backward(t, d, causal, scale, x, qOff, kOff, vOff, ldx, probs, pOff, g, gOff, ldg, dx, dqOff,
                    dkOff, dvOff, ldd);
            return;
        }
        // dS^T, key-major like probs: ds[j, q] = P[q, j] (dP[q, j] - rowsum_q), dP^T = V g^T
        gemm(false, true, t, t, d, 1f, x, vOff, ldx, g, gOff, ldg, 0f, ds, dsOff, t);
        for (int q = 0; q < t; q++) {
            float rowDot = 0f;
            for (int j = 0; j < t; j++) {
                rowDot += ds[dsOff + j * t + q] * probs[pOff + j * t + q];
            }
            for (int j = 0; j < t; j++) {
                ds[dsOff + j * t + q] = probs[pOff + j * t + q] * (ds[dsOff + j * t + q] - rowDot);
            }
        }
        gemm(true, false, t, d, t, scale, ds, dsOff, t, x, kOff, ldx, 0f, dx, dqOff, ldd);
        gemm(false, false, t, d, t, scale, ds, dsOff, t, x, qOff, ldx, 0f, dx, dkOff, ldd);
        gemm(false, false, t, d, t, 1f, probs, pOff, t, g, gOff, ldg, 0f, dx, dvOff, ldd);
    }

    /** Returns max over c of x[c], for c in [0, n); -Infinity when n == 0. */
    private static float rowMax(int n, float[] x, int xOff) {
        FloatVector m0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        int i = 0;
        for (int bound2 = n - n % (2 * L); i < bound2; i += 2 * L) {
            m0 = m0.max(FloatVector.fromArray(SPECIES, x, xOff + i));
            m1 = m1.max(FloatVector.fromArray(SPECIES, x, xOff + i + L));
        }
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            m0 = m0.max(FloatVector.fromArray(SPECIES, x, xOff + i));
        }
        float max = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[xOff + i]);
        }
        return max;
    }

    /** out[c] = x[c] - max for c in [0, n) (out may be x). */
    private static void shiftInto(int n, float max, float[] x, int xOff, float[] out, int outOff) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i).sub(max).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] - max;
        }
    }

    /*
     * The kernels below that need e^something go through the vector part of x a chunk at a time: the
     * exp's argument into this thread's scratch, VectorMath.expInPlace on it, then a loop that combines
     * x (and g) with the exp into out. The combining loop reads x[i] before writing out[i], so out may be
     * x. The last n mod L elements go to ScalarKernels. Each kernel spells its chunk loop out: one
     * driver shared through stage interfaces (and, before, one method switching on the function) let
     * C2 box vectors in some runs (LSTM with 2 threads: 12 MB per bench step), these did not.
     */

    /** The exp's argument for GELU: s[i] = -x[i]^2 / 2 for i in [0, len), len a multiple of L. */
    private static void negHalfSquares(int len, float[] x, int xOff, float[] s) {
        for (int i = 0; i < len; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + i);
            v.mul(v).mul(-0.5f).intoArray(s, i);
        }
    }

    /** The exp's argument for the sigmoid: s[i] = -x[i] for i in [0, len), len a multiple of L. */
    private static void negations(int len, float[] x, int xOff, float[] s) {
        for (int i = 0; i < len; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i).neg().intoArray(s, i);
        }
    }

    /** The exp's argument for tanh: s[i] = -2 |x[i]| for i in [0, len), len a multiple of L. */
    private static void negTwiceAbs(int len, float[] x, int xOff, float[] s) {
        for (int i = 0; i < len; i += L) {
            FloatVector.fromArray(SPECIES, x, xOff + i).abs().mul(-2f).intoArray(s, i);
        }
    }

    private static final float ERF_P = (float) (ScalarKernels.ERF_P * ScalarKernels.INV_SQRT2);
    private static final float INV_SQRT_2PI = (float) ScalarKernels.INV_SQRT_2PI;
    /** Beyond this |x|, x phi(x) is 0 in float (phi(20) = 5.5e-88). */
    private static final float GELU_TAIL = 20f;
    /** Below -SILU_TAIL, silu(x) = x sigmoid(x) is -0 in float to 37 digits (100 e^-100 = 3.7e-42). */
    private static final float SILU_TAIL = 100f;
    private static final float TANH_T3 = -1f / 3;
    private static final float TANH_T5 = 2f / 15;
    /**
     * Below this |x|, tanh x = x - x^3/3 + 2x^5/15 (the next term, 17x^7/315, is under 6e-8 relative);
     * above it (1 - e) / (1 + e) with e = e^(-2|x|), which cancels less than 1 - 2 / (e^(2|x|) + 1).
     */
    private static final float TANH_SERIES = 0.1f;

    /*
     * Signs in the e^x kernels are copied with integer operations on the bits, and every operation's
     * receiver is a vector loaded, broadcast or computed by another operation whose class C2 knows.
     * This began as a rule against compare and blend: in some runs an intoArray or an add was left
     * without its intrinsic and a vector was boxed per iteration (up to 113 bytes per float in GELU's
     * backward), which looked like C2 inlining blend late. That boxing was later traced to C2's trap
     * limit (see VectorMath.expInPlace: the project's JVM options raise -XX:PerMethodTrapLimit), and
     * since 2026-12-07 the clamps here (GELU's |x| > 20, SiLU's tail, tanh's series switch) are a
     * compare and a blend: two-thread Transformer runs 0 boxed of 8, and without the option LSTM and
     * Transformer 0 of 7.
     */
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    private static final IntVector SIGN_BIT = IntVector.broadcast(INTS, 0x80000000);
    private static final FloatVector HALF = FloatVector.broadcast(SPECIES, 0.5f);
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(SPECIES, -0f);
    private static final FloatVector ZERO = FloatVector.zero(SPECIES);
    private static final FloatVector MINUS_SILU_TAIL = FloatVector.broadcast(SPECIES, -SILU_TAIL);

    /*
     * Phi(v) given e = exp(-v^2 / 2), lane by lane, as ScalarKernels.normalCdf in float, is spelled out
     * in both GELU loops below rather than called: as a method taking and returning vectors it must be
     * inlined for C2 to keep them in registers, and in some compiles it was not (JMH ActivationBenchmark,
     * geluBackward over 16,384 floats: 294,902 bytes allocated per call in each of 3 forks).
     * t = 1 / (1 + p |v|), erf(|v| / sqrt 2) = 1 - t (a1 + t (a2 + ...)) e, given v's sign with bit
     * operations (erf >= 0 but for rounding at v = 0), then Phi = (1 + erf) / 2.
     */
    private static final float ERF_A1 = (float) ScalarKernels.ERF_A1;
    private static final float ERF_A2 = (float) ScalarKernels.ERF_A2;
    private static final float ERF_A3 = (float) ScalarKernels.ERF_A3;
    private static final float ERF_A4 = (float) ScalarKernels.ERF_A4;
    private static final float ERF_A5 = (float) ScalarKernels.ERF_A5;
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    @Override
    public void gelu(int n, float[] x, int xOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] e = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negHalfSquares(len, x, xOff + c, e);
            VectorMath.expInPlace(e, 0, len);
            for (int i = 0; i < len; i += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                FloatVector t = ONE.div(v.abs().fma(ERF_P, 1f));
                FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(SPECIES, ERF_A3))
                        .fma(t, FloatVector.broadcast(SPECIES, ERF_A2)).fma(t, FloatVector.broadcast(SPECIES, ERF_A1))
                        .mul(t);
                FloatVector erf = poly.neg().fma(FloatVector.fromArray(SPECIES, e, i), ONE);
                IntVector signed = SIGN_BIT.and(v.reinterpretShape(INTS, 0)).lanewise(VectorOperators.XOR,
                        erf.reinterpretShape(INTS, 0));
                v.mul(HALF.fma(signed.reinterpretShape(SPECIES, 0), HALF)).intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.gelu(n - bound, x, xOff + bound, out, outOff + bound);
    }

    @Override
    public void geluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && gOff + n <= g.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] s = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negHalfSquares(len, x, xOff + c, s);
            VectorMath.expInPlace(s, 0, len);
            for (int i = 0; i < len; i += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                FloatVector e = FloatVector.fromArray(SPECIES, s, i);
                // (Phi(v) + v phi(v)) g; v clamped in v phi(v), since e is never below 1.2e-38 (the exp
                // clamps its argument) and |v| up to 3.4e38 would make that product count
                FloatVector t = ONE.div(v.abs().fma(ERF_P, 1f));
                FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(SPECIES, ERF_A3))
                        .fma(t, FloatVector.broadcast(SPECIES, ERF_A2)).fma(t, FloatVector.broadcast(SPECIES, ERF_A1))
                        .mul(t);
                FloatVector erf = poly.neg().fma(e, ONE);
                IntVector signed = SIGN_BIT.and(v.reinterpretShape(INTS, 0)).lanewise(VectorOperators.XOR,
                        erf.reinterpretShape(INTS, 0));
                FloatVector cdf = HALF.fma(signed.reinterpretShape(SPECIES, 0), HALF);
                v.blend(ZERO, v.abs().compare(VectorOperators.GT, GELU_TAIL)).mul(INV_SQRT_2PI).fma(e, cdf)
                        .mul(FloatVector.fromArray(SPECIES, g, gOff + c + i))
                        .intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.geluBackward(n - bound, x, xOff + bound, g, gOff + bound, out, outOff + bound);
    }

    @Override
    public void geluWithDerivative(int n, float[] x, int xOff, float[] out, int outOff, float[] d, int dOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length && dOff + n <= d.length;
        int bound = SPECIES.loopBound(n);
        float[] s = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negHalfSquares(len, x, xOff + c, s);
            VectorMath.expInPlace(s, 0, len);
            for (int i = 0; i < len; i += L) {
                // gelu's loop and geluBackward's derivative (before its product with g), term for term
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                FloatVector e = FloatVector.fromArray(SPECIES, s, i);
                FloatVector t = ONE.div(v.abs().fma(ERF_P, 1f));
                FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(SPECIES, ERF_A3))
                        .fma(t, FloatVector.broadcast(SPECIES, ERF_A2)).fma(t, FloatVector.broadcast(SPECIES, ERF_A1))
                        .mul(t);
                FloatVector erf = poly.neg().fma(e, ONE);
                IntVector signed = SIGN_BIT.and(v.reinterpretShape(INTS, 0)).lanewise(VectorOperators.XOR,
                        erf.reinterpretShape(INTS, 0));
                FloatVector cdf = HALF.fma(signed.reinterpretShape(SPECIES, 0), HALF);
                v.blend(ZERO, v.abs().compare(VectorOperators.GT, GELU_TAIL)).mul(INV_SQRT_2PI).fma(e, cdf)
                        .intoArray(d, dOff + c + i);
                v.mul(cdf).intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.geluWithDerivative(n - bound, x, xOff + bound, out, outOff + bound, d, dOff + bound);
    }

    @Override
    public void silu(int n, float[] x, int xOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] e = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negations(len, x, xOff + c, e);
            VectorMath.expInPlace(e, 0, len);
            for (int i = 0; i < len; i += L) {
                // x / (1 + e^-x), x clamped below (e^-x is at most 2.4e38, as the exp clamps its argument)
                FloatVector y = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                y.blend(MINUS_SILU_TAIL, y.compare(VectorOperators.LT, -SILU_TAIL))
                        .div(FloatVector.fromArray(SPECIES, e, i).add(1f))
                        .intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.silu(n - bound, x, xOff + bound, out, outOff + bound);
    }

    @Override
    public void siluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && gOff + n <= g.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] e = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negations(len, x, xOff + c, e);
            VectorMath.expInPlace(e, 0, len);
            for (int i = 0; i < len; i += L) {
                FloatVector y = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                FloatVector v = y.blend(MINUS_SILU_TAIL, y.compare(VectorOperators.LT, -SILU_TAIL));
                FloatVector sg = FloatVector.broadcast(SPECIES, 1f).div(FloatVector.fromArray(SPECIES, e, i).add(1f));
                // s (1 + x (1 - s)) g
                v.mul(sg.neg().add(1f)).add(1f).mul(sg).mul(FloatVector.fromArray(SPECIES, g, gOff + c + i))
                        .intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.siluBackward(n - bound, x, xOff + bound, g, gOff + bound, out, outOff + bound);
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] e = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negations(len, x, xOff + c, e);
            VectorMath.expInPlace(e, 0, len);
            for (int i = 0; i < len; i += L) {
                FloatVector.broadcast(SPECIES, 1f).div(FloatVector.fromArray(SPECIES, e, i).add(1f))
                        .intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.sigmoid(n - bound, x, xOff + bound, out, outOff + bound);
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        assert n >= 0 && xOff + n <= x.length && outOff + n <= out.length;
        int bound = SPECIES.loopBound(n);
        float[] s = VectorMath.scratch();
        for (int c = 0; c < bound; c += VectorMath.CHUNK) {
            int len = Math.min(VectorMath.CHUNK, bound - c);
            negTwiceAbs(len, x, xOff + c, s);
            VectorMath.expInPlace(s, 0, len);
            for (int i = 0; i < len; i += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + c + i);
                FloatVector e = FloatVector.fromArray(SPECIES, s, i);
                FloatVector big = e.neg().add(1f).div(e.add(1f));
                // tanh |v| from the series below TANH_SERIES (its lanes past that are not used)
                FloatVector a = v.abs();
                FloatVector a2 = a.mul(a);
                FloatVector series = a2.fma(TANH_T5, TANH_T3).fma(a2, FloatVector.broadcast(SPECIES, 1f)).mul(a);
                FloatVector t = big.blend(series, a.compare(VectorOperators.LT, TANH_SERIES));
                // v's sign bit onto t >= 0 (so tanh(-0) = -0)
                IntVector bits = SIGN_BIT.and(v.reinterpretShape(INTS, 0)).or(t.reinterpretShape(INTS, 0));
                NEG_ZERO.add(bits.reinterpretShape(SPECIES, 0)).intoArray(out, outOff + c + i);
            }
        }
        ScalarKernels.INSTANCE.tanh(n - bound, x, xOff + bound, out, outOff + bound);
    }

    /** sum of x[i] for i in [0, n), two vector accumulators. */
    private static float rowSum(int n, float[] x, int xOff) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound2 = n - n % (2 * L); i < bound2; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, x, xOff + i));
            s1 = s1.add(FloatVector.fromArray(SPECIES, x, xOff + i + L));
        }
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, x, xOff + i));
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xOff + i];
        }
        return sum;
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                          int betaOff, float eps, float[] out, int outOff, float[] stats, int statsOff) {
        int bound = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int or = outOff + r * cols;
            float mean = rowSum(cols, x, xr) / cols;
            FloatVector acc = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(SPECIES, x, xr + i).sub(mean);
                acc = d.fma(d, acc);
            }
            float var = acc.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                float d = x[xr + i] - mean;
                var += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(var / cols + eps));
            stats[statsOff + 2 * r] = mean;
            stats[statsOff + 2 * r + 1] = rstd;
            for (i = 0; i < bound; i += L) {
                FloatVector.fromArray(SPECIES, x, xr + i).sub(mean).mul(rstd)
                        .fma(FloatVector.fromArray(SPECIES, gamma, gammaOff + i), FloatVector.fromArray(SPECIES, beta, betaOff + i))
                        .intoArray(out, or + i);
            }
            for (; i < cols; i++) {
                out[or + i] = (x[xr + i] - mean) * rstd * gamma[gammaOff + i] + beta[betaOff + i];
            }
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] stats,
                                  int statsOff, float[] g, int gOff, float[] out, int outOff) {
        int bound = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int gr = gOff + r * cols;
            int or = outOff + r * cols;
            float mean = stats[statsOff + 2 * r];
            float rstd = stats[statsOff + 2 * r + 1];
            FloatVector sd = FloatVector.zero(SPECIES);
            FloatVector sdx = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(SPECIES, g, gr + i).mul(FloatVector.fromArray(SPECIES, gamma, gammaOff + i));
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, xr + i).sub(mean).mul(rstd);
                sd = sd.add(d);
                sdx = d.fma(xhat, sdx);
            }
            float sumD = sd.reduceLanes(VectorOperators.ADD);
            float sumDx = sdx.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                float d = g[gr + i] * gamma[gammaOff + i];
                sumD += d;
                sumDx += d * (x[xr + i] - mean) * rstd;
            }
            float meanD = sumD / cols;
            float meanDx = sumDx / cols;
            for (i = 0; i < bound; i += L) {
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, xr + i).sub(mean).mul(rstd);
                FloatVector d = FloatVector.fromArray(SPECIES, g, gr + i).mul(FloatVector.fromArray(SPECIES, gamma, gammaOff + i));
                xhat.mul(-meanDx).add(d).sub(meanD).mul(rstd).intoArray(out, or + i);
            }
            for (; i < cols; i++) {
                float xhat = (x[xr + i] - mean) * rstd;
                out[or + i] = rstd * (g[gr + i] * gamma[gammaOff + i] - meanD - xhat * meanDx);
            }
        }
    }

    @Override
    public void layerNormGammaGradient(int rows, int cols, float[] x, int xOff, float[] stats, int statsOff,
                                       float[] g, int gOff, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        int bound = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int gr = gOff + r * cols;
            float mean = stats[statsOff + 2 * r];
            float rstd = stats[statsOff + 2 * r + 1];
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, xr + i).sub(mean).mul(rstd);
                FloatVector.fromArray(SPECIES, g, gr + i).fma(xhat, FloatVector.fromArray(SPECIES, out, outOff + i))
                        .intoArray(out, outOff + i);
            }
            for (; i < cols; i++) {
                out[outOff + i] += g[gr + i] * (x[xr + i] - mean) * rstd;
            }
        }
    }

    @Override
    public void addBlock(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        VectorConvKernels.addBlock(rows, cols, x, xOff, ldx, y, yOff, ldy);
    }

    @Override
    public void maxPool2x2(int planes, int h, int w, float[] x, int xOff, float[] y, int yOff, float[] argmax,
                           int argOff) {
        VectorConvKernels.maxPool2x2(planes, h, w, x, xOff, y, yOff, argmax, argOff);
    }

    @Override
    public void convValid(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff) {
        VectorConvKernels.convValid(samples, c, hp, wp, xp, xpOff, o, kh, kw, w, wOff, oh, ow, out, outOff);
    }

    @Override
    public void convValidWeightGradient(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh,
                                        int kw, float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        VectorConvKernels.convValidWeightGradient(samples, c, hp, wp, xp, xpOff, o, kh, kw, dy, dyOff, oh, ow, dw,
                dwOff);
    }

    @Override
    public void convLanes(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff, int top, int left, int rows, int cols) {
        VectorLaneKernels.convLanes(c, hp, wp, lanes, x, xOff, o, kh, kw, w, wOff, oh, ow, out, outOff, top, left, rows,
                cols);
    }

    @Override
    public void convLanesWeightGradient(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw,
                                        float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        VectorLaneKernels.convLanesWeightGradient(c, hp, wp, lanes, x, xOff, o, kh, kw, dy, dyOff, oh, ow, dw, dwOff);
    }
}
