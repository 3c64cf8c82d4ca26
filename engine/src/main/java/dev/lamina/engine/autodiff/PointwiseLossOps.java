package dev.lamina.engine.autodiff;

import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * Mean elementwise losses of an output y against targets t of the same shape, reduced to a scalar
 * [1] by the mean over every element (PyTorch's {@code reduction='mean'}): squared error (y - t)^2,
 * absolute error |y - t|, and binary cross-entropy with logits max(y, 0) - y t + log(1 + exp(-|y|)).
 * Targets take no gradient.
 */
public final class PointwiseLossOps {
    /** The loss kinds (the node's integer attribute). */
    public static final int MSE = 0;
    public static final int L1 = 1;
    public static final int BCE_WITH_LOGITS = 2;

    private PointwiseLossOps() {
    }

    static void register() {
        OpRegistry.executor(Op.POINTWISE_LOSS, PointwiseLossOps::forward);
        OpRegistry.executor(Op.POINTWISE_LOSS_BACKWARD, PointwiseLossOps::backward);
        OpRegistry.rule(Op.POINTWISE_LOSS, (g, n, up) -> new Node[] {
            g.node(Op.POINTWISE_LOSS_BACKWARD, List.of(n.input(0), n.input(1), up), n.input(0).shape(), "",
                    ConvOps.ints(n), 0f, 0), null});
    }

    /** The mean loss of the given kind ({@link #MSE}, {@link #L1}, {@link #BCE_WITH_LOGITS}). */
    public static Node pointwiseLoss(Graph g, Node y, Node t, int kind) {
        if (kind < MSE || kind > BCE_WITH_LOGITS) {
            throw new IllegalArgumentException("pointwise loss kind : " + kind + " (expected: 0, 1 or 2)");
        }
        Graph.requireSame(y, t, "pointwise loss output and target");
        return g.node(Op.POINTWISE_LOSS, List.of(y, t), Shape.of(1), "", new int[] {kind}, 0f, 0);
    }

    private static void forward(Node n, Buffers b) {
        Node yn = n.input(0);
        Node tn = n.input(1);
        int size = yn.shape().size();
        float[] y = b.data(yn);
        float[] t = b.data(tn);
        int kind = n.intAttr(0);
        double acc = 0;
        for (int i = 0; i < size; i++) {
            double v = y[b.offset(yn) + i];
            double d = v - t[b.offset(tn) + i];
            acc += switch (kind) {
                case MSE -> d * d;
                case L1 -> Math.abs(d);
                default -> Math.max(v, 0) - v * t[b.offset(tn) + i] + Math.log1p(Math.exp(-Math.abs(v)));
            };
        }
        b.data(n)[b.offset(n)] = (float) (acc / size);
    }

    private static void backward(Node n, Buffers b) {
        Node yn = n.input(0);
        Node tn = n.input(1);
        Node up = n.input(2);
        int size = yn.shape().size();
        float[] y = b.data(yn);
        float[] t = b.data(tn);
        float[] out = b.data(n);
        float scale = b.data(up)[b.offset(up)] / size;
        int kind = n.intAttr(0);
        for (int i = 0; i < size; i++) {
            float v = y[b.offset(yn) + i];
            float d = v - t[b.offset(tn) + i];
            float grad = switch (kind) {
                case MSE -> 2 * d;
                case L1 -> Math.signum(d);
                default -> (float) (1 / (1 + Math.exp(-v))) - t[b.offset(tn) + i];
            };
            out[b.offset(n) + i] = grad * scale;
        }
    }
}
