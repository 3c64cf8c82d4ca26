package dev.lamina.engine.loss;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.PointwiseLossOps;
import dev.lamina.engine.autodiff.SequenceLossOps;
import dev.lamina.engine.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/** The losses a model spec can name, and graph builders for them. */
public final class Losses {
    public static final String SOFTMAX_CROSS_ENTROPY = "softmax-cross-entropy";
    public static final String MSE = "mse";
    public static final String L1 = "l1";
    public static final String BCE_WITH_LOGITS = "bce-with-logits";
    /** Sequence cross-entropy over [T, V] outputs; options in parentheses, see {@link #sequenceCrossEntropy}. */
    public static final String SEQUENCE_CROSS_ENTROPY = SequenceCrossEntropy.NAME;

    private static final Map<String, LossFunction> BY_NAME = new LinkedHashMap<>();

    static {
        register(new SoftmaxCrossEntropy());
        register(new Pointwise(MSE, PointwiseLossOps.MSE));
        register(new Pointwise(L1, PointwiseLossOps.L1));
        register(new Pointwise(BCE_WITH_LOGITS, PointwiseLossOps.BCE_WITH_LOGITS));
        register(SequenceCrossEntropy.defaults());
    }

    private Losses() {
    }

    private static void register(LossFunction loss) {
        BY_NAME.put(loss.name(), loss);
    }

    /** The loss called {@code name}; throws naming the known losses otherwise. */
    public static LossFunction forName(String name) {
        LossFunction loss = BY_NAME.get(name);
        if (loss == null && name != null && name.startsWith(SEQUENCE_CROSS_ENTROPY + "(")) {
            return SequenceCrossEntropy.parse(name);
        }
        if (loss == null) {
            throw new IllegalArgumentException("loss : " + name + " (expected one of: " + String.join(", ", BY_NAME.keySet()) + ")");
        }
        return loss;
    }

    /** Softmax cross-entropy of logits [B, C] against class labels [B]: the mean NLL of log softmax. */
    public static Node softmaxCrossEntropy(Graph graph, Node logits, Node labels) {
        return graph.nll(graph.logSoftmax(logits), labels);
    }

    /**
     * Mean softmax cross-entropy of logits [..., V] against targets [...] (token ids as floats):
     * targets equal to {@code ignoreIndex} are left out of the mean; {@code labelSmoothing} mixes the
     * one-hot target with the uniform distribution, as PyTorch's {@code F.cross_entropy}.
     */
    public static Node sequenceCrossEntropy(Graph graph, Node logits, Node targets, int ignoreIndex,
                                            float labelSmoothing) {
        return SequenceLossOps.crossEntropy(graph, logits, targets, ignoreIndex, labelSmoothing);
    }

    /** The name of a sequence cross-entropy loss with these options, for a model spec. */
    public static String sequenceCrossEntropy(int ignoreIndex, float labelSmoothing) {
        return SEQUENCE_CROSS_ENTROPY + "(ignore_index=" + ignoreIndex + ",label_smoothing=" + labelSmoothing + ")";
    }

    /** Class indices [B] (stored as floats) against logits [B, C]. */
    private static final class SoftmaxCrossEntropy implements LossFunction {
        @Override
        public String name() {
            return SOFTMAX_CROSS_ENTROPY;
        }

        @Override
        public void validate(Shape out) {
            if (out.rank() != 1 || out.dim(0) < 2) {
                throw new IllegalArgumentException("model output shape " + out + " (expected: [classes] with classes >= 2 for "
                        + name() + ")");
            }
        }

        @Override
        public Shape targetShape(Shape output) {
            return Shape.of(output.dim(0));
        }

        @Override
        public Node build(Graph graph, Node output, Node targets) {
            return softmaxCrossEntropy(graph, output, targets);
        }

        @Override
        public boolean classification() {
            return true;
        }
    }

    /**
     * A mean elementwise loss (mse, l1, bce-with-logits) of any output against targets of the same
     * shape; for bce-with-logits the targets are probabilities in [0, 1] and the output is logits.
     */
    private record Pointwise(String name, int kind) implements LossFunction {
        @Override
        public void validate(Shape out) {
            // Any output shape: the targets take the same shape.
        }

        @Override
        public Shape targetShape(Shape output) {
            return output;
        }

        @Override
        public Node build(Graph graph, Node output, Node targets) {
            return PointwiseLossOps.pointwiseLoss(graph, output, targets, kind);
        }

        @Override
        public boolean classification() {
            return false;
        }
    }
}
