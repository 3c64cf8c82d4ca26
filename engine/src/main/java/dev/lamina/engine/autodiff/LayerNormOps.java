package dev.lamina.engine.autodiff;

import static dev.lamina.engine.autodiff.CoreOps.in;
import static dev.lamina.engine.autodiff.CoreOps.off;

import dev.lamina.engine.tensor.Shape;
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
        b.kernels().layerNorm(rows, c, in(b, n, 0), off(b, n, 0), in(b, n, 1), off(b, n, 1), in(b, n, 2), off(b, n, 2),
                n.value(), b.data(n), b.offset(n), b.scratch(n), 0);
    }

    /** dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with dxhat = g gamma; dgamma = sum over rows of g xhat. */
    private static void backward(Node n, Buffers b) {
        Node ln = n.input(0);
        int c = ln.input(1).shape().dim(0);
        int rows = ln.shape().size() / c;
        float[] stats = b.scratch(ln);
        if (n.intAttr(0) == DX) {
            b.kernels().layerNormBackward(rows, c, in(b, n, 1), off(b, n, 1), in(b, n, 2), off(b, n, 2), stats, 0,
                    in(b, n, 3), off(b, n, 3), b.data(n), b.offset(n));
        } else {
            b.kernels().layerNormGammaGradient(rows, c, in(b, n, 1), off(b, n, 1), stats, 0, in(b, n, 3), off(b, n, 3),
                    b.data(n), b.offset(n));
        }
    }
}
