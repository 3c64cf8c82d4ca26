package dev.lamina.engine.loss;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.SequenceLossOps;
import dev.lamina.engine.tensor.Shape;
import java.util.Locale;

/**
 * Softmax cross-entropy of logits [T, V] per sample against token targets [T], with an ignore
 * index (padding; excluded from the mean) and label smoothing. Named
 * {@code sequence-cross-entropy} (ignore index -1, no smoothing) or, with options,
 * {@code sequence-cross-entropy(ignore_index=-1,label_smoothing=0.1)}.
 */
final class SequenceCrossEntropy implements LossFunction {
    static final String NAME = "sequence-cross-entropy";

    private final String name;
    private final int ignoreIndex;
    private final float smoothing;

    private SequenceCrossEntropy(String name, int ignoreIndex, float smoothing) {
        this.name = name;
        this.ignoreIndex = ignoreIndex;
        this.smoothing = smoothing;
    }

    static SequenceCrossEntropy defaults() {
        return new SequenceCrossEntropy(NAME, -1, 0f);
    }

    /** Parses {@code sequence-cross-entropy(key=value,...)}; errors name the key and value. */
    static SequenceCrossEntropy parse(String name) {
        String body = name.substring(NAME.length()).trim();
        if (!body.startsWith("(") || !body.endsWith(")")) {
            throw new IllegalArgumentException("loss : " + name + " (expected: " + NAME + "(key=value,...))");
        }
        int ignore = -1;
        float smoothing = 0f;
        String inner = body.substring(1, body.length() - 1).trim();
        for (String part : inner.isEmpty() ? new String[0] : inner.split(",")) {
            String[] kv = part.split("=", 2);
            String key = kv[0].trim().toLowerCase(Locale.ROOT);
            String value = kv.length == 2 ? kv[1].trim() : "";
            try {
                switch (key) {
                    case "ignore_index" -> ignore = Integer.parseInt(value);
                    case "label_smoothing" -> smoothing = Float.parseFloat(value);
                    default -> throw new IllegalArgumentException("loss option : " + key
                            + " (expected one of: ignore_index, label_smoothing)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("loss option " + key + " : " + value + " (expected: a number)", e);
            }
        }
        if (!(smoothing >= 0f && smoothing < 1f)) {
            throw new IllegalArgumentException("label_smoothing : " + smoothing + " (expected: in [0, 1))");
        }
        return new SequenceCrossEntropy(name, ignore, smoothing);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void validate(Shape out) {
        if (out.rank() != 2 || out.dim(1) < 2) {
            throw new IllegalArgumentException("model output shape " + out + " (expected: [T, vocab] with vocab >= 2 for "
                    + name + ")");
        }
    }

    @Override
    public Shape targetShape(Shape output) {
        return Shape.of(output.dim(0), output.dim(1));
    }

    @Override
    public Node build(Graph graph, Node output, Node targets) {
        return SequenceLossOps.crossEntropy(graph, output, targets, ignoreIndex, smoothing);
    }

    @Override
    public boolean classification() {
        return true;
    }
}
