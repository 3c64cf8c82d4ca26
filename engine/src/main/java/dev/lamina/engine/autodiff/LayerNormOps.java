package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Layer normalization over the last dimension, as PyTorch's {@code nn.LayerNorm(C)}: y = (x - mean)
 * / sqrt(var + eps) * gamma + beta with the biased variance. The forward node saves each row's mean
 * and reciprocal standard deviation in its scratch for the backward nodes.
 */
public final class LayerNormOps {
    private static final int DX = 0;
    private static final int DGAMMA = 1;

    private LayerNormOps() {
    }

    /** x [..., C], gamma [C], beta [C]. */
    public static Node layerNorm(Graph g, Node x, Node gamma, Node beta, float eps) {
        int c = x.shape().dim(x.shape().rank() - 1);
        if (!gamma.shape().equals(Shape.of(c)) || !beta.shape().equals(Shape.of(c))) {
            throw new IllegalArgumentException("layerNorm shape mismatch: x=" + x.shape() + ", gamma=" + gamma.shape()
                    + ", beta=" + beta.shape() + " (expected: gamma and beta [" + c + "])");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("layerNorm eps : " + eps + " (expected: > 0)");
        }
        int rows = x.shape().size() / c;
        return g.node(Op.LAYER_NORM, List.of(x, gamma, beta), x.shape(), "", new int[0], eps, 2 * rows);
    }

    static void register() {
        OpRegistry.executor(Op.LAYER_NORM, LayerNormOps::forward);
        OpRegistry.executor(Op.LAYER_NORM_BACKWARD, LayerNormOps::backward);
        OpRegistry.rule(Op.LAYER_NORM, (g, n, up) -> {
            Node x = n.input(0);
            Node gamma = n.input(1);
            List<Node> ins = List.of(n, x, gamma, up);
            Node dx = g.node(Op.LAYER_NORM_BACKWARD, ins, x.shape(), "", new int[] {DX}, 0f, 0);
            Node dgamma = g.node(Op.LAYER_NORM_BACKWARD, ins, gamma.shape(), "", new int[] {DGAMMA}, 0f, 0);
            int c = gamma.shape().dim(0);
            Node rows = SequenceOps.reshape(g, up, Shape.of(up.shape().size() / c, c));
            return new Node[] {dx, dgamma, g.sumRows(rows)};
        });
    }

    private static void forward(Node n, Buffers b) {
        int c = n.input(1).shape().dim(0);
        int rows = n.shape().size() / c;
        float[] x = in(b, n, 0);
        int xo = off(b, n, 0);
        float[] gamma = in(b, n, 1);
        int go = off(b, n, 1);
        float[] beta = in(b, n, 2);
        int bo = off(b, n, 2);
        float[] out = b.data(n);
        int oo = b.offset(n);
        float[] stats = b.scratch(n);
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += x[xo + base + i];
            }
            float mean = (float) (sum / c);
            double var = 0;
            for (int i = 0; i < c; i++) {
                double d = x[xo + base + i] - mean;
                var += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(var / c + n.value()));
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
            for (int i = 0; i < c; i++) {
                out[oo + base + i] = (x[xo + base + i] - mean) * rstd * gamma[go + i] + beta[bo + i];
            }
        }
    }

    /** dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with dxhat = g gamma; dgamma = sum over rows of g xhat. */
    private static void backward(Node n, Buffers b) {
        Node ln = n.input(0);
        int c = ln.input(1).shape().dim(0);
        int rows = ln.shape().size() / c;
        float[] stats = b.scratch(ln);
        float[] x = in(b, n, 1);
        int xo = off(b, n, 1);
        float[] gamma = in(b, n, 2);
        int gmo = off(b, n, 2);
        float[] g = in(b, n, 3);
        int go = off(b, n, 3);
        float[] out = b.data(n);
        int oo = b.offset(n);
        boolean dx = n.intAttr(0) == DX;
        if (!dx) {
            Arrays.fill(out, oo, oo + c, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            float mean = stats[2 * r];
            float rstd = stats[2 * r + 1];
            if (!dx) {
                for (int i = 0; i < c; i++) {
                    out[oo + i] += g[go + base + i] * (x[xo + base + i] - mean) * rstd;
                }
                continue;
            }
            double sumD = 0;
            double sumDx = 0;
            for (int i = 0; i < c; i++) {
                float d = g[go + base + i] * gamma[gmo + i];
                sumD += d;
                sumDx += d * (x[xo + base + i] - mean) * rstd;
            }
            float meanD = (float) (sumD / c);
            float meanDx = (float) (sumDx / c);
            for (int i = 0; i < c; i++) {
                float xhat = (x[xo + base + i] - mean) * rstd;
                out[oo + base + i] = rstd * (g[go + base + i] * gamma[gmo + i] - meanD - xhat * meanDx);
            }
        }
    }
}
