package dev.lamina.engine.kernel;

/**
 * The numeric kernels every layer is built from. Row-major storage; every argument is
 * {@code (array, offset, ...)} with the output last, as in BLAS.
 *
 * <p>Implementations validate nothing beyond {@code assert}: the callers (tensor and autodiff
 * facades) check shapes once, when a graph is built. {@link ScalarKernels} is the readable
 * reference; the Vector API implementation must agree with it to rounding. Callers obtain the
 * implementation for this JVM from {@link KernelProvider#kernels()}. Implementations are
 * stateless and thread-safe; GEMM keeps its packing buffers per thread.
 *
 * <p>Shapes in Javadoc use llm.c letters: B batch rows, C columns/channels, M/N/K for GEMM.
 */
public interface Kernels {

    /**
     * C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C[M,N], row-major.
     * op(A) is A[M,K] (lda >= K) or, when {@code transA}, the transpose of A[K,M] (lda >= M);
     * likewise op(B) is B[K,N] (ldb >= N) or the transpose of B[N,K] (ldb >= K). ldc >= N.
     * When beta == 0, C is overwritten (its old contents, even NaN, are ignored).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /**
     * C[M,N] = op(A)[M,K] * op(B)[K,N] + bias[N] on every row, as {@link #gemm} with alpha 1 and beta 0
     * (a linear layer's forward, its bias added as C is written).
     */
    void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                  float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc);

    /** Returns sum over i of x[i] * y[i], for i in [0, n). */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    /**
     * The first i in [0, n) whose x[xOff + i] is NaN or infinite, or -1 when all n are finite (the check
     * a gradient or a push passes before it may change parameters).
     */
    int firstNonFinite(int n, float[] x, int xOff);

    /** y[i] += alpha * x[i]. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** x[i] *= alpha. */
    void scal(int n, float alpha, float[] x, int xOff);

    /** out[i] = x[i] + y[i]. {@code out} may alias x or y exactly. */
    void add(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff);

    /** out[i] = x[i] * y[i]. {@code out} may alias x or y exactly. */
    void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff);

    /** out[r, c] = x[r, c] + bias[c] for a [B, C] matrix x. {@code out} may alias x exactly. */
    void addRowVector(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff, float[] out, int outOff);

    /** out[c] = sum over r of x[r, c] for a [B, C] matrix x (overwrites out). */
    void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    /** out[i] = max(x[i], 0). {@code out} may alias x exactly. */
    void relu(int n, float[] x, int xOff, float[] out, int outOff);

    /** out[i] = x[i] > 0 ? g[i] : 0 (the ReLU gradient given pre-activation x and upstream g). */
    void reluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff);

    /**
     * Row-wise numerically stable softmax of a [B, C] matrix: out[r, :] = exp(x[r, :] - max) / sum.
     * {@code out} may alias x exactly.
     */
    void softmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    /**
     * One row's softmax over its first {@code visible} entries, in place, and 0 in the other
     * {@code cols - visible} (a causal attention row): x[c] = exp(x[c] - max) / sum for c < visible.
     * Needs 1 <= visible <= cols.
     */
    void softmaxPrefix(int cols, int visible, float[] x, int off);

    /**
     * The input gradient of {@link #logSoftmax} given its output y [B, C] and the upstream gradient g:
     * out[r, c] = g[r, c] - exp(y[r, c]) * sum over c' of g[r, c']. {@code out} is neither y nor g.
     */
    void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] g, int gOff, float[] out, int outOff);

    /**
     * One head of scaled dot-product self-attention over T positions with d channels, without padding:
     * for each query q, s[j] = scale * Q_q . K_j for the keys j it sees (j <= q when {@code causal}, else
     * all T), P_q = softmax(s), and out_q = sum over j of P_q[j] V_j. P is written transposed, key-major:
     * P_q[j] at probs[pOff + j T + q] (0 for a key q does not see). Position t's Q, K and V are d
     * contiguous floats at x[qOff + t ldx], x[kOff + t ldx] and x[vOff + t ldx]; out_t is written at
     * out[outOff + t ldo].
     */
    void attentionHead(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff, int ldx,
                       float[] probs, int pOff, float[] out, int outOff, int ldo);

    /**
     * The input gradient of {@link #attentionHead} given its probs (P transposed, as attentionHead
     * writes them) and the upstream gradient g_t at g[gOff + t ldg]: dP = g V^T,
     * dS = P (dP - rowsum(dP P)), dQ = scale dS K, dK = scale dS^T Q, dV = P^T g, written (overwritten)
     * at dx[dqOff + t ldd], dx[dkOff + t ldd] and dx[dvOff + t ldd]. P may hold zeros of its own (padded
     * keys); when {@code causal}, P_q[j] must be 0 for j > q (as attentionHead leaves it), and a kernel
     * may skip those. {@code ds} [T, T] at dsOff is scratch the kernel may overwrite.
     */
    void attentionHeadBackward(int t, int d, boolean causal, float scale, float[] x, int qOff, int kOff, int vOff,
                               int ldx, float[] probs, int pOff, float[] g, int gOff, int ldg, float[] ds, int dsOff,
                               float[] dx, int dqOff, int dkOff, int dvOff, int ldd);

    /**
     * Row-wise log-softmax of a [B, C] matrix: out[r, c] = x[r, c] - max - log(sum of exp(x[r, :] -
     * max)). {@code out} may alias x exactly.
     */
    void logSoftmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    /**
     * out[i] = GELU(x[i]) = x Phi(x), the exact form (PyTorch's {@code approximate='none'}), with the
     * normal CDF Phi through erf after Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
     * {@code out} may alias x exactly.
     */
    void gelu(int n, float[] x, int xOff, float[] out, int outOff);

    /** out[i] = GELU'(x[i]) * g[i] = (Phi(x) + x phi(x)) * g[i]. */
    void geluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff);

    /**
     * {@link #gelu} into out and the derivative GELU'(x[i]) = Phi(x) + x phi(x) into d, in one pass: a
     * training forward saves d so that its backward is d[i] * g[i], which is {@link #geluBackward}'s
     * out[i] to the bit (that kernel rounds the derivative to float before multiplying by g). {@code out}
     * may alias x exactly; d aliases neither.
     */
    void geluWithDerivative(int n, float[] x, int xOff, float[] out, int outOff, float[] d, int dOff);

    /** out[i] = SiLU(x[i]) = x sigmoid(x). {@code out} may alias x exactly. */
    void silu(int n, float[] x, int xOff, float[] out, int outOff);

    /** out[i] = SiLU'(x[i]) * g[i] = s (1 + x (1 - s)) g[i] with s = sigmoid(x). */
    void siluBackward(int n, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff);

    /** out[i] = 1 / (1 + exp(-x[i])). {@code out} may alias x exactly. */
    void sigmoid(int n, float[] x, int xOff, float[] out, int outOff);

    /** out[i] = tanh(x[i]). {@code out} may alias x exactly. */
    void tanh(int n, float[] x, int xOff, float[] out, int outOff);

    /**
     * Row-wise layer normalization of a [B, C] matrix x with the biased variance:
     * out[r, c] = (x[r, c] - mean_r) * rstd_r * gamma[c] + beta[c], rstd_r = 1 / sqrt(var_r + eps);
     * writes stats[2r] = mean_r and stats[2r + 1] = rstd_r.
     */
    void layerNorm(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta, int betaOff,
                   float eps, float[] out, int outOff, float[] stats, int statsOff);

    /**
     * The input gradient of {@link #layerNorm} given its stats and the upstream gradient g [B, C]:
     * out = rstd (d - mean(d) - xhat mean(d xhat)) with d = g gamma and xhat = (x - mean) rstd, per row.
     */
    void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] stats,
                           int statsOff, float[] g, int gOff, float[] out, int outOff);

    /** out[c] = sum over rows of g[r, c] * xhat[r, c], the gradient of {@link #layerNorm}'s gamma (overwrites out). */
    void layerNormGammaGradient(int rows, int cols, float[] x, int xOff, float[] stats, int statsOff, float[] g,
                                int gOff, float[] out, int outOff);

    /** y[r ldy + c] += x[r ldx + c] for r in [0, rows) and c in [0, cols) (col2im's strided accumulation). */
    void addBlock(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy);

    /**
     * 2 x 2 max pooling with stride 2 and no padding of {@code planes} planes [H, W] at x into y
     * [planes, H / 2, W / 2] (floor), with argmax[p] = the index of output p's winner within its input
     * plane, as a float (planes below 2^24 elements). A window's candidates are taken row by row, left
     * to right, and a later one wins when it is greater or NaN: the first maximum, else the last NaN
     * (PyTorch's order).
     */
    void maxPool2x2(int planes, int h, int w, float[] x, int xOff, float[] y, int yOff, float[] argmax, int argOff);

    /**
     * Valid cross-correlation of S padded samples xp [S, C, HP, WP] with w [O, C, KH, KW]:
     * out[s, o, r, q] = sum over c, i, j of w[o, c, i, j] xp[s, c, r + i, q + j] for out [S, O, OH, OW]
     * (overwritten), where HP >= OH + KH - 1 and WP >= OW + KW - 1.
     */
    void convValid(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw, float[] w,
                   int wOff, int oh, int ow, float[] out, int outOff);

    /**
     * The weight gradient of {@link #convValid}: dw[o, c, i, j] += sum over s, r, q of
     * dy[s, o, r, q] xp[s, c, r + i, q + j] (accumulates into dw).
     */
    void convValidWeightGradient(int samples, int c, int hp, int wp, float[] xp, int xpOff, int o, int kh, int kw,
                                 float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff);

    /**
     * Valid cross-correlation in sample-lanes layout, where the samples of a position are adjacent:
     * out[o, r, q, s] = sum over c, i, j of w[o, c, i, j] x[c, r + i, q + j, s] for x [C, HP, WP, lanes]
     * and out [O, OH, OW, lanes] (overwritten), HP >= OH + KH - 1, WP >= OW + KW - 1. x is zero outside
     * rows [top, top + rows) and columns [left, left + cols) of every plane (its padding), and taps
     * that only meet zeros there may be skipped. Vector kernels need lanes to be a multiple of 32.
     */
    void convLanes(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw, float[] w, int wOff,
                   int oh, int ow, float[] out, int outOff, int top, int left, int rows, int cols);

    /**
     * The weight gradient of {@link #convLanes}: dw[o, c, i, j] = sum over r, q, s of
     * dy[o, r, q, s] x[c, r + i, q + j, s] (overwrites dw).
     */
    void convLanesWeightGradient(int c, int hp, int wp, int lanes, float[] x, int xOff, int o, int kh, int kw,
                                 float[] dy, int dyOff, int oh, int ow, float[] dw, int dwOff);
}
