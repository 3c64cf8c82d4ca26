package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * Batch normalization over the channel dimension of x [B, C, ...] (BatchNorm1d on [B, C], BatchNorm2d
 * on [B, C, H, W]): y = (x - mean) / sqrt(var + eps) gamma + beta per channel, with N = B times the
 * spatial size values per channel and the biased variance, as PyTorch normalizes in training.
 *
 * <p>{@link Op#BATCH_NORM} uses the batch statistics and saves them in its scratch as three [C]
 * rows: mean, 1 / sqrt(var + eps) and the biased variance var; the backward ops read them, and so
 * may code that collects population statistics ({@link #MEAN_ROW}, {@link #VAR_ROW}).
 * {@link Op#BATCH_NORM_EVAL} uses statistics given as inputs; it is differentiated with respect to
 * x only (dx = g gamma / sqrt(var + eps), itself an eval-mode batch norm of g with zero mean and
 * shift), so gamma and beta stay frozen through an eval-mode graph.
 */
public final class BatchNormOps {
    /** Scratch row of the batch mean. */
    public static final int MEAN_ROW = 0;
    /** Scratch row of 1 / sqrt(var + eps). */
    public static final int INVSTD_ROW = 1;
    /** Scratch row of the biased batch variance. */
    public static final int VAR_ROW = 2;

    private BatchNormOps() {
    }

    static void register() {
        OpRegistry.executor(Op.BATCH_NORM, BatchNormOps::forward);
        OpRegistry.executor(Op.BATCH_NORM_EVAL, BatchNormOps::forwardEval);
        OpRegistry.executor(Op.BATCH_NORM_BACKWARD, BatchNormOps::backwardInput);
        OpRegistry.executor(Op.BATCH_NORM_BACKWARD_GAMMA, BatchNormOps::backwardGamma);
        OpRegistry.rule(Op.BATCH_NORM, (g, n, up) -> new Node[] {
            g.node(Op.BATCH_NORM_BACKWARD, List.of(n, n.input(0), n.input(1), up), n.shape(), "", new int[0], 0f, 0),
            g.node(Op.BATCH_NORM_BACKWARD_GAMMA, List.of(n, n.input(0), up), n.input(1).shape(), "", new int[0], 0f, 0),
            ConvOps.sumChannels(g, up)});
        OpRegistry.rule(Op.BATCH_NORM_EVAL, (g, n, up) -> {
            Node zero = g.fill(n.input(1).shape(), 0f);
            return new Node[] {g.node(Op.BATCH_NORM_EVAL, List.of(up, n.input(1), zero, zero, n.input(4)), n.shape(),
                    "", new int[0], n.value(), 0), null, null, null, null};
        });
    }

    /** Training-mode batch normalization of x [B, C, ...] with batch statistics. */
    public static Node batchNorm(Graph g, Node x, Node gamma, Node beta, float eps) {
        int c = check(x, gamma, beta, eps);
        return g.node(Op.BATCH_NORM, List.of(x, gamma, beta), x.shape(), "", new int[0], eps, 3 * c);
    }

    /** Evaluation-mode batch normalization of x [B, C, ...] with the given mean [C] and variance [C]. */
    public static Node batchNormEval(Graph g, Node x, Node gamma, Node beta, Node mean, Node var, float eps) {
        check(x, gamma, beta, eps);
        check(x, mean, var, eps);
        return g.node(Op.BATCH_NORM_EVAL, List.of(x, gamma, beta, mean, var), x.shape(), "", new int[0], eps, 0);
    }

    private static int check(Node x, Node a, Node b, float eps) {
        if (x.shape().rank() < 2) {
            throw new IllegalArgumentException("batchNorm input shape " + x.shape() + " (expected: [B, C, ...])");
        }
        int c = x.shape().dim(1);
        for (Node p : List.of(a, b)) {
            if (!p.shape().equals(Shape.of(c))) {
                throw new IllegalArgumentException("batchNorm input " + x.shape() + " has " + c
                        + " channels (expected: " + p.shape() + " to be [" + c + "])");
            }
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("batchNorm eps : " + eps + " (expected: > 0)");
        }
        return c;
    }

    private static void forward(Node n, Buffers b) {
        Node xn = n.input(0);
        Shape s = xn.shape();
        int c = s.dim(1);
        int inner = s.size() / (s.dim(0) * c);
        float[] x = b.data(xn);
        int xo = b.offset(xn);
        float[] stats = b.scratch(n);
        double count = (double) s.dim(0) * inner;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int bi = 0; bi < s.dim(0); bi++) {
                int base = xo + (bi * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    sum += x[base + j];
                }
            }
            double mean = sum / count;
            double sq = 0;
            for (int bi = 0; bi < s.dim(0); bi++) {
                int base = xo + (bi * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    double d = x[base + j] - mean;
                    sq += d * d;
                }
            }
            double var = sq / count;
            stats[MEAN_ROW * c + ch] = (float) mean;
            stats[INVSTD_ROW * c + ch] = (float) (1.0 / Math.sqrt(var + n.value()));
            stats[VAR_ROW * c + ch] = (float) var;
        }
        normalize(n, b, stats, MEAN_ROW * c, stats, INVSTD_ROW * c);
    }

    private static void forwardEval(Node n, Buffers b) {
        Node mean = n.input(3);
        Node var = n.input(4);
        normalizeEval(n, b, b.data(mean), b.offset(mean), b.data(var), b.offset(var));
    }

    /** y = (x - mean) invstd gamma + beta per channel. */
    private static void normalize(Node n, Buffers b, float[] mean, int meanOff, float[] invstd, int invstdOff) {
        Node xn = n.input(0);
        Node gamma = n.input(1);
        Node beta = n.input(2);
        Shape s = xn.shape();
        int c = s.dim(1);
        int inner = s.size() / (s.dim(0) * c);
        float[] x = b.data(xn);
        float[] y = b.data(n);
        for (int i = 0; i < s.dim(0) * c; i++) {
            int ch = i % c;
            float m = mean[meanOff + ch];
            float scale = invstd[invstdOff + ch] * b.data(gamma)[b.offset(gamma) + ch];
            float shift = b.data(beta)[b.offset(beta) + ch];
            int xb = b.offset(xn) + i * inner;
            int yb = b.offset(n) + i * inner;
            for (int j = 0; j < inner; j++) {
                y[yb + j] = (x[xb + j] - m) * scale + shift;
            }
        }
    }

    private static void normalizeEval(Node n, Buffers b, float[] mean, int meanOff, float[] var, int varOff) {
        Node xn = n.input(0);
        Node gamma = n.input(1);
        Node beta = n.input(2);
        Shape s = xn.shape();
        int c = s.dim(1);
        int inner = s.size() / (s.dim(0) * c);
        float[] x = b.data(xn);
        float[] y = b.data(n);
        for (int i = 0; i < s.dim(0) * c; i++) {
            int ch = i % c;
            float m = mean[meanOff + ch];
            float scale = (float) (1.0 / Math.sqrt(var[varOff + ch] + n.value())) * b.data(gamma)[b.offset(gamma) + ch];
            float shift = b.data(beta)[b.offset(beta) + ch];
            int xb = b.offset(xn) + i * inner;
            int yb = b.offset(n) + i * inner;
            for (int j = 0; j < inner; j++) {
                y[yb + j] = (x[xb + j] - m) * scale + shift;
            }
        }
    }

    /** dx = gamma invstd (g - sum(g) / N - xhat sum(g xhat) / N) per channel. */
    private static void backwardInput(Node n, Buffers b) {
        Node bn = n.input(0);
        Node xn = n.input(1);
        Node gamma = n.input(2);
        Node up = n.input(3);
        Shape s = xn.shape();
        int c = s.dim(1);
        int inner = s.size() / (s.dim(0) * c);
        float[] stats = b.scratch(bn);
        float[] x = b.data(xn);
        float[] g = b.data(up);
        float[] dx = b.data(n);
        double count = (double) s.dim(0) * inner;
        for (int ch = 0; ch < c; ch++) {
            float mean = stats[MEAN_ROW * c + ch];
            float invstd = stats[INVSTD_ROW * c + ch];
            double sumG = 0;
            double sumGx = 0;
            for (int bi = 0; bi < s.dim(0); bi++) {
                int base = (bi * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    float gv = g[b.offset(up) + base + j];
                    sumG += gv;
                    sumGx += gv * (x[b.offset(xn) + base + j] - mean) * invstd;
                }
            }
            float meanG = (float) (sumG / count);
            float meanGx = (float) (sumGx / count);
            float scale = b.data(gamma)[b.offset(gamma) + ch] * invstd;
            for (int bi = 0; bi < s.dim(0); bi++) {
                int base = (bi * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    float xhat = (x[b.offset(xn) + base + j] - mean) * invstd;
                    dx[b.offset(n) + base + j] = scale * (g[b.offset(up) + base + j] - meanG - xhat * meanGx);
                }
            }
        }
    }

    /** dgamma[c] = sum of g xhat over channel c. */
    private static void backwardGamma(Node n, Buffers b) {
        Node bn = n.input(0);
        Node xn = n.input(1);
        Node up = n.input(2);
        Shape s = xn.shape();
        int c = s.dim(1);
        int inner = s.size() / (s.dim(0) * c);
        float[] stats = b.scratch(bn);
        float[] x = b.data(xn);
        float[] g = b.data(up);
        for (int ch = 0; ch < c; ch++) {
            float mean = stats[MEAN_ROW * c + ch];
            float invstd = stats[INVSTD_ROW * c + ch];
            double acc = 0;
            for (int bi = 0; bi < s.dim(0); bi++) {
                int base = (bi * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    acc += g[b.offset(up) + base + j] * (x[b.offset(xn) + base + j] - mean) * invstd;
                }
            }
            b.data(n)[b.offset(n) + ch] = (float) acc;
        }
    }
}
