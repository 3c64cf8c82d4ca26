package dev.lamina.engine.autodiff;

/**
 * Row-wise log-softmax and negative log-likelihood, shared by the plan and the evaluation code.
 * Matrices are [B, C] row-major; labels are class indices stored as floats.
 */
public final class LossOps {

    private LossOps() {
    }

    /**
     * out[b, :] = x[b, :] - max - log(sum(exp(x[b, :] - max))), with the scalar reference kernel (the
     * evaluation code's; plans use their kernels' {@code logSoftmax}).
     */
    public static void logSoftmax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        dev.lamina.engine.kernel.ScalarKernels.INSTANCE.logSoftmax(rows, cols, x, xOff, out, outOff);
    }

    /** out[b, c] = g[b, c] - exp(y[b, c]) * sum over c' of g[b, c'], with y = log softmax(x). */
    public static void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] g, int gOff,
                                          float[] out, int outOff) {
        dev.lamina.engine.kernel.ScalarKernels.INSTANCE.logSoftmaxBackward(rows, cols, y, yOff, g, gOff, out, outOff);
    }

    /** Returns -mean over b of logp[b, label[b]]; throws naming the row for a label outside [0, C). */
    public static float nll(int rows, int cols, float[] logp, int pOff, float[] labels, int lOff) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum -= logp[pOff + r * cols + label(labels, lOff, r, cols)];
        }
        return (float) (sum / rows);
    }

    /** out[b, c] = (c == label[b]) ? -g / B : 0. */
    public static void nllBackward(int rows, int cols, float[] labels, int lOff, float g, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + rows * cols, 0f);
        float v = -g / rows;
        for (int r = 0; r < rows; r++) {
            out[outOff + r * cols + label(labels, lOff, r, cols)] = v;
        }
    }

    /** The class index of row r; throws IllegalArgumentException naming the row if it is not in [0, classes). */
    public static int label(float[] labels, int lOff, int r, int classes) {
        float v = labels[lOff + r];
        int k = (int) v;
        if (k != v || k < 0 || k >= classes) {
            throw new IllegalArgumentException("label " + v + " in row " + r + " (expected: an integer in [0, "
                    + classes + "))");
        }
        return k;
    }
}
