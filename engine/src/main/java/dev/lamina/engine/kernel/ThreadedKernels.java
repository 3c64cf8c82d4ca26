package dev.lamina.engine.kernel;

/**
 * {@link VectorKernels} with GEMM spread over a shared {@link GemmPool}: the calling thread plus
 * {@code threads - 1} pool threads. Products too small to gain from a hand-off (fewer than
 * {@link #MIN_PARALLEL_WORK} multiply-adds), and products issued while another thread holds the
 * pool, run on the calling thread alone. Every other kernel runs on the calling thread: they are
 * memory-bound and short at the sizes a training step meets. Obtain instances through
 * {@link KernelProvider#kernels(int)}, which keeps one per thread count for the JVM.
 */
final class ThreadedKernels implements Kernels {

    /**
     * m * n * k below which a product stays on the calling thread. A hand-off to a spinning pool
     * thread costs about a microsecond, which a 64 x 64 x 32 product (about 0.8 us on one core)
     * does not repay.
     */
    static final long MIN_PARALLEL_WORK = 1L << 17;

    private final Kernels base = VectorKernels.INSTANCE;
    private final GemmPool pool;
    private final long minParallelWork;

    ThreadedKernels(int threads) {
        this(threads, MIN_PARALLEL_WORK);
    }

    /** With a threshold of its own; tests pass 0 to send every product through the pool. */
    ThreadedKernels(int threads, long minParallelWork) {
        this.pool = new GemmPool(threads);
        this.minParallelWork = minParallelWork;
    }

    /** Participants in a pooled product: the caller plus the pool threads. */
    int threads() {
        return pool.threads();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (VectorGemm.trivial(m, n, k, beta, c, cOff, ldc)) {
            return;
        }
        if ((long) m * n * k < minParallelWork || DotGemm.suits(transA, transB, m, n, k)
                || !pool.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                        null, 0)) {
            VectorGemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0 || (long) m * n * k < minParallelWork || DotGemm.suits(transA, transB, m, n, k)
                || !pool.gemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc, bias,
                        biasOff)) {
            VectorGemm.gemmBias(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, bias, biasOff, c, cOff, ldc);
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        return base.dot(n, x, xOff, y, yOff);
    }

    @Override
    public int firstNonFinite(int n, float[] x, int xOff) {
        return base.firstNonFinite(n, x, xOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        base.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        base.scal(n, alpha, x, xOff);
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        base.add(n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        base.mul(n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff,
                             float[] out, int outOff) {
        base.addRowVector(rows, cols, x, xOff, bias, biasOff, out, outOff);
    }

    @Override
    public void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        base.sumRows(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void relu(int n, float[] x, int xOff, float[] out, int outOff) {
        base.relu(n, x, xOff, out, outOff);
    }

    @Override
    public void reluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        base.reluBackward(n, x, xOff, g, gOff, out, outOff);
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        base.softmax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void softmaxPrefix(int cols, int visible, float[] x, int off) {
        base.softmaxPrefix(cols, visible, x, off);
    }

    @Override
    public void attentionHead(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff,
                              int ldx, float[] probs, int pOff, float[] out, int outOff, int ldo) {
        base.attentionHead(t, d, causal, scale, x, qOff, kOff, vOff, ldx, probs, pOff, out, outOff, ldo);
    }

    @Override
    public void attentionHeadBackward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff,
                                      int vOff, int ldx, float[] probs, int pOff, float[] g, int gOff, int ldg,
                                      float[] ds, int dsOff, float[] dx, int dqOff, int dkOff, int dvOff, int ldd) {
        base.attentionHeadBackward(t, d, causal, scale, x, qOff, kOff, vOff, ldx, probs, pOff, g, gOff, ldg, ds, dsOff,
                dx, dqOff, dkOff, dvOff, ldd);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] g, int gOff, float[] out,
                                   int outOff) {
        base.logSoftmaxBackward(rows, cols, y, yOff, g, gOff, out, outOff);
    }

    @Override
    public void logSoftmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        base.logSoftmax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void gelu(int n, float[] x, int xOff, float[] out, int outOff) {
        base.gelu(n, x, xOff, out, outOff);
    }

    @Override
    public void geluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        base.geluBackward(n, x, xOff, g, gOff, out, outOff);
    }

    @Override
    public void geluWithDerivative(int n, float[] x, int xOff, float[] out, int outOff, float[] d, int dOff) {
        base.geluWithDerivative(n, x, xOff, out, outOff, d, dOff);
    }

    @Override
    public void silu(int n, float[] x, int xOff, float[] out, int outOff) {
        base.silu(n, x, xOff, out, outOff);
    }

    @Override
    public void siluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff) {
        base.siluBackward(n, x, xOff, g, gOff, out, outOff);
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] out, int outOff) {
        base.sigmoid(n, x, xOff, out, outOff);
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        base.tanh(n, x, xOff, out, outOff);
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                          int betaOff, float eps, float[] out, int outOff, float[] stats, int statsOff) {
        base.layerNorm(rows, cols, x, xOff, gamma, gammaOff, beta, betaOff, eps, out, outOff, stats, statsOff);
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] stats,
                                  int statsOff, float[] g, int gOff, float[] out, int outOff) {
        base.layerNormBackward(rows, cols, x, xOff, gamma, gammaOff, stats, statsOff, g, gOff, out, outOff);
    }

    @Override
    public void layerNormGammaGradient(int rows, int cols, float[] x, int xOff, float[] stats, int statsOff,
                                       float[] g, int gOff, float[] out, int outOff) {
        base.layerNormGammaGradient(rows, cols, x, xOff, stats, statsOff, g, gOff, out, outOff);
    }

    @Override
    public void addBlock(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        base.addBlock(rows, cols, x, xOff, ldx, y, yOff, ldy);
    }

    @Override
    public void maxPool2x2(int planes, int h, int w, float[] x, int xOff, float[] y, int yOff, float[] argmax,
                           int argOff) {
        base.maxPool2x2(planes, h, w, x, xOff, y, yOff, argmax, argOff);
    }

    @Override
    public void convValid(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff) {
        base.convValid(samples, c, hp, wp, xp, xpOff, o, kh, kw, w, wOff, oh, ow, out, outOff);
    }

    @Override
    public void convValidWeightGradient(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh,
                                        int kw, float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        base.convValidWeightGradient(samples, c, hp, wp, xp, xpOff, o, kh, kw, dy, dyOff, oh, ow, dw, dwOff);
    }

    @Override
    public void convLanes(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw, float[] w,
                          int wOff, int oh, int ow, float[] out, int outOff, int top, int left, int rows, int cols) {
        base.convLanes(c, hp, wp, lanes, x, xOff, o, kh, kw, w, wOff, oh, ow, out, outOff, top, left, rows, cols);
    }

    @Override
    public void convLanesWeightGradient(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw,
                                        float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff) {
        base.convLanesWeightGradient(c, hp, wp, lanes, x, xOff, o, kh, kw, dy, dyOff, oh, ow, dw, dwOff);
    }
}
