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
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[xOff + i] * y[yOff + i];
        }
        return acc;
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

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[xOff + base + c]);
            }
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
}
