package dev.lamina.engine.kernel;

/**
 * The readable reference implementation of {@link Kernels}, and the fallback when the Vector API
 * module is absent. Every SIMD kernel is tested against this class.
 */
public final class ScalarKernels implements Kernels {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * acc : alpha * acc + beta * c[ci];
            }
        }
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += bias[biasOff + j];
            }
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[xOff + i] * y[yOff + i];
        }
        return acc;
    }

    @Override
    public int firstNonFinite(int n, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[xOff + i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff,
                             float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[outOff + r * cols + c] = x[xOff + r * cols + c] + bias[biasOff + c];
            }
        }
    }

    @Override
    public void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int c = 0; c < cols; c++) {
            out[outOff + c] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[outOff + c] += x[xOff + r * cols + c];
            }
        }
    }

    @Override
    public void relu(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            out[outOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void reluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] > 0f ? g[gOff + i] : 0f;
        }
    }

    /** max of x[off, off + n); -Infinity when n == 0. */
    static float rowMax(int n, float[] x, int off) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, x[off + c]);
        }
        return max;
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float max = rowMax(cols, x, xOff + base);
            float sum = 0f;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp(x[xOff + base + c] - max);
                out[outOff + base + c] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int c = 0; c < cols; c++) {
                out[outOff + base + c] *= inv;
            }
        }
    }

    @Override
    public void logSoftmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float max = rowMax(cols, x, xOff + base);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[xOff + base + c] - max);
            }
            float shift = max + (float) Math.log(sum);
            for (int c = 0; c < cols; c++) {
                out[outOff + base + c] = x[xOff + base + c] - shift;
            }
        }
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] g, int gOff, float[] out,
                                   int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float sum = 0f;
            for (int c = 0; c < cols; c++) {
                sum += g[gOff + base + c];
            }
            for (int c = 0; c < cols; c++) {
                out[outOff + base + c] = g[gOff + base + c] - (float) Math.exp(y[yOff + base + c]) * sum;
            }
        }
    }

    @Override
    public void softmaxPrefix(int cols, int visible, float[] x, int off) {
        softmax(1, visible, x, off, x, off);
        java.util.Arrays.fill(x, off + visible, off + cols, 0f);
    }

    @Override
    public void attentionHead(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff,
                              int ldx, float[] probs, int pOff, float[] out, int outOff, int ldo) {
        // query q's probabilities are column q of probs (stride t)
        for (int q = 0; q < t; q++) {
            int visible = causal ? q + 1 : t;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                float score = scale * dot(d, x, qOff + q * ldx, x, kOff + j * ldx);
                probs[pOff + j * t + q] = score;
                max = Math.max(max, score);
            }
            float sum = 0f;
            for (int j = 0; j < visible; j++) {
                float e = (float) Math.exp(probs[pOff + j * t + q] - max);
                probs[pOff + j * t + q] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < t; j++) {
                probs[pOff + j * t + q] = j < visible ? probs[pOff + j * t + q] * inv : 0f;
            }
            for (int c = 0; c < d; c++) {
                float acc = 0f;
                for (int j = 0; j < visible; j++) {
                    acc += probs[pOff + j * t + q] * x[vOff + j * ldx + c];
                }
                out[outOff + q * ldo + c] = acc;
            }
        }
    }

    /** Transposes the n x n matrix at a[off] in place (attention's probabilities, row- to key-major). */
    public static void transposeSquare(int n, float[] a, int off) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                float v = a[off + i * n + j];
                a[off + i * n + j] = a[off + j * n + i];
                a[off + j * n + i] = v;
            }
        }
    }

    @Override
    public void attentionHeadBackward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff,
                                      int vOff, int ldx, float[] probs, int pOff, float[] g, int gOff, int ldg,
                                      float[] ds, int dsOff, float[] dx, int dqOff, int dkOff, int dvOff, int ldd) {
        // ds[q, j] = dS[q, j]; probs[j, q] = P[q, j]
        for (int q = 0; q < t; q++) {
            int row = dsOff + q * t;
            int visible = causal ? q + 1 : t;
            float rowDot = 0f;
            for (int j = 0; j < visible; j++) {
                float dp = dot(d, g, gOff + q * ldg, x, vOff + j * ldx);
                ds[row + j] = dp;
                rowDot += dp * probs[pOff + j * t + q];
            }
            for (int j = 0; j < t; j++) {
                ds[row + j] = j < visible ? scale * probs[pOff + j * t + q] * (ds[row + j] - rowDot) : 0f;
            }
        }
        for (int i = 0; i < t; i++) {
            for (int c = 0; c < d; c++) {
                float dq = 0f;
                float dk = 0f;
                float dv = 0f;
                for (int j = 0; j < t; j++) {
                    dq += ds[dsOff + i * t + j] * x[kOff + j * ldx + c];
                    dk += ds[dsOff + j * t + i] * x[qOff + j * ldx + c];
                    boolean seen = !causal || j >= i;
                    dv += seen ? probs[pOff + i * t + j] * g[gOff + j * ldg + c] : 0f;
                }
                dx[dqOff + i * ldd + c] = dq;
                dx[dkOff + i * ldd + c] = dk;
                dx[dvOff + i * ldd + c] = dv;
            }
        }
    }

    /** erf after Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), given e = exp(-x^2 / 2) for x = z sqrt 2. */
    static final double ERF_P = 0.3275911;
    static final double ERF_A1 = 0.254829592;
    static final double ERF_A2 = -0.284496736;
    static final double ERF_A3 = 1.421413741;
    static final double ERF_A4 = -1.453152027;
    static final double ERF_A5 = 1.061405429;
    static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    /** The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2, given e = exp(-x^2 / 2). */
    static double normalCdf(double x, double e) {
        double t = 1.0 / (1.0 + ERF_P * Math.abs(x) * INV_SQRT2);
        double poly = t * (ERF_A1 + t * (ERF_A2 + t * (ERF_A3 + t * (ERF_A4 + t * ERF_A5))));
        double erf = 1.0 - poly * e;
        return 0.5 * (1.0 + (x >= 0 ? erf : -erf));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
    }

    @Override
    public void gelu(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            out[outOff + i] = (float) (v * normalCdf(v, Math.exp(-0.5 * v * v)));
        }
    }

    @Override
    public void geluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            double e = Math.exp(-0.5 * v * v);
            out[outOff + i] = (float) (normalCdf(v, e) + v * INV_SQRT_2PI * e) * g[gOff + i];
        }
    }

    @Override
    public void geluWithDerivative(int n, float[] x, int xOff, float[] out, int outOff, float[] d, int dOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            double e = Math.exp(-0.5 * v * v);
            double cdf = normalCdf(v, e);
            d[dOff + i] = (float) (cdf + v * INV_SQRT_2PI * e);
            out[outOff + i] = (float) (v * cdf);
        }
    }

    @Override
    public void silu(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            out[outOff + i] = (float) (v * sigmoid(v));
        }
    }

    @Override
    public void siluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            double sg = sigmoid(v);
            out[outOff + i] = (float) (sg * (1 + v * (1 - sg))) * g[gOff + i];
        }
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) sigmoid(x[xOff + i]);
        }
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                          int betaOff, float eps, float[] out, int outOff, float[] stats, int statsOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double sum = 0;
            for (int i = 0; i < cols; i++) {
                sum += x[xOff + base + i];
            }
            float mean = (float) (sum / cols);
            double var = 0;
            for (int i = 0; i < cols; i++) {
                double d = x[xOff + base + i] - mean;
                var += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(var / cols + eps));
            stats[statsOff + 2 * r] = mean;
            stats[statsOff + 2 * r + 1] = rstd;
            for (int i = 0; i < cols; i++) {
                out[outOff + base + i] = (x[xOff + base + i] - mean) * rstd * gamma[gammaOff + i] + beta[betaOff + i];
            }
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] stats,
                                  int statsOff, float[] g, int gOff, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float mean = stats[statsOff + 2 * r];
            float rstd = stats[statsOff + 2 * r + 1];
            double sumD = 0;
            double sumDx = 0;
            for (int i = 0; i < cols; i++) {
                float d = g[gOff + base + i] * gamma[gammaOff + i];
                sumD += d;
                sumDx += d * (x[xOff + base + i] - mean) * rstd;
            }
            float meanD = (float) (sumD / cols);
            float meanDx = (float) (sumDx / cols);
            for (int i = 0; i < cols; i++) {
                float xhat = (x[xOff + base + i] - mean) * rstd;
                out[outOff + base + i] = rstd * (g[gOff + base + i] * gamma[gammaOff + i] - meanD - xhat * meanDx);
            }
        }
    }

    @Override
    public void layerNormGammaGradient(int rows, int cols, float[] x, int xOff, float[] stats, int statsOff,
                                       float[] g, int gOff, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float mean = stats[statsOff + 2 * r];
            float rstd = stats[statsOff + 2 * r + 1];
            for (int i = 0; i < cols; i++) {
                out[outOff + i] += g[gOff + base + i] * (x[xOff + base + i] - mean) * rstd;
            }
        }
    }

    @Override
    public void addBlock(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                y[yOff + r * ldy + c] += x[xOff + r * ldx + c];
            }
        }
    }

    @Override
    public void maxPool2x2(int planes, int h, int w, float[] x, int xOff, float[] y, int yOff, float[] argmax,
                           int argOff) {
        int oh = h / 2;
        int ow = w / 2;
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = xOff + p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, o++) {
                    int at = 2 * oy * w + 2 * ox;
                    int win = at;
                    win = beats(x[plane + at + 1], x[plane + win]) ? at + 1 : win;
                    win = beats(x[plane + at + w], x[plane + win]) ? at + w : win;
                    win = beats(x[plane + at + w + 1], x[plane + win]) ? at + w + 1 : win;
                    y[yOff + o] = x[plane + win];
                    argmax[argOff + o] = win;
                }
            }
        }
    }

    @Override
    public void convValid(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff) {
        for (int s = 0; s < samples; s++) {
            for (int oc = 0; oc < o; oc++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        float acc = 0f;
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    acc += w[wOff + ((oc * c + ci) * kh + i) * kw + j]
                                            * xp[xpOff + ((s * c + ci) * hp + r + i) * wp + q + j];
                                }
                            }
                        }
                        out[outOff + ((s * o + oc) * oh + r) * ow + q] = acc;
                    }
                }
            }
        }
    }

    @Override
    public void convValidWeightGradient(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh,
                                        int kw, float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        for (int oc = 0; oc < o; oc++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        // A sum over the whole batch's positions: in double, as a reference should be.
                        double acc = 0;
                        for (int s = 0; s < samples; s++) {
                            for (int r = 0; r < oh; r++) {
                                for (int q = 0; q < ow; q++) {
                                    acc += (double) dy[dyOff + ((s * o + oc) * oh + r) * ow + q]
                                            * xp[xpOff + ((s * c + ci) * hp + r + i) * wp + q + j];
                                }
                            }
                        }
                        dw[dwOff + ((oc * c + ci) * kh + i) * kw + j] += (float) acc;
                    }
                }
            }
        }
    }

    @Override
    public void convLanes(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff, int top, int left, int rows, int cols) {
        // The reference sums every tap: those outside the window add w * 0.
        for (int oc = 0; oc < o; oc++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    for (int s = 0; s < lanes; s++) {
                        float acc = 0f;
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    acc += w[wOff + ((oc * c + ci) * kh + i) * kw + j]
                                            * x[xOff + ((ci * hp + r + i) * wp + q + j) * lanes + s];
                                }
                            }
                        }
                        out[outOff + ((oc * oh + r) * ow + q) * lanes + s] = acc;
                    }
                }
            }
        }
    }

    @Override
    public void convLanesWeightGradient(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw,
                                        float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        for (int oc = 0; oc < o; oc++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        // A sum over the whole batch's positions: in double, as a reference should be.
                        double acc = 0;
                        for (int r = 0; r < oh; r++) {
                            for (int q = 0; q < ow; q++) {
                                for (int s = 0; s < lanes; s++) {
                                    acc += (double) dy[dyOff + ((oc * oh + r) * ow + q) * lanes + s]
                                            * x[xOff + ((ci * hp + r + i) * wp + q + j) * lanes + s];
                                }
                            }
                        }
                        dw[dwOff + ((oc * c + ci) * kh + i) * kw + j] = (float) acc;
                    }
                }
            }
        }
    }

    /** Whether candidate v takes a max-pooling window from the best so far: greater, or NaN. */
    private static boolean beats(float v, float best) {
        return v > best || Float.isNaN(v);
    }
}
