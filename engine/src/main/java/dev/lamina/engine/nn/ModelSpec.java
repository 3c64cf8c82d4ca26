package dev.lamina.engine.nn;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.loss.LossFunction;
import dev.lamina.engine.loss.Losses;
import dev.lamina.engine.tensor.Shape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model: the per-sample input shape, a sequence of layers and the loss. Round-trips exactly
 * through JSON ({@link #toJson()} / {@link #fromJson(String)}).
 *
 * @param inputShape per-sample input dimensions, e.g. [784]
 * @param layers     the layers, applied in order
 * @param loss       the training loss; now {@code softmax-cross-entropy}
 */
public record ModelSpec(List<Integer> inputShape, List<LayerConfig> layers, String loss) implements Serializable {

    public static final String SOFTMAX_CROSS_ENTROPY = Losses.SOFTMAX_CROSS_ENTROPY;

    public ModelSpec {
        inputShape = List.copyOf(inputShape);
        layers = List.copyOf(layers);
        if (inputShape.isEmpty() || inputShape.stream().anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("model.input : " + inputShape + " (expected: dimensions >= 1)");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("model.layers : [] (expected: at least one layer)");
        }
        LossFunction lossFunction;
        try {
            lossFunction = Losses.forName(loss);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model." + e.getMessage(), e);
        }
        lossFunction.validate(outputShape(inputShape, layers));
    }

    /** The loss function named by {@link #loss()}. */
    public LossFunction lossFunction() {
        return Losses.forName(loss);
    }

    /** The per-sample output shape. */
    public Shape outputShape() {
        return outputShape(inputShape, layers);
    }

    /** A multi-layer perceptron: linear layers of the given widths with ReLU between them. */
    public static ModelSpec mlp(int inputs, int... widths) {
        List<LayerConfig> layers = new ArrayList<>();
        for (int i = 0; i < widths.length; i++) {
            layers.add(new LinearConfig(widths[i]));
            if (i < widths.length - 1) {
                layers.add(new ReluConfig());
            }
        }
        return new ModelSpec(List.of(inputs), layers, SOFTMAX_CROSS_ENTROPY);
    }

    private static Shape outputShape(List<Integer> input, List<LayerConfig> layers) {
        return SkipLayer.walk(Shape.of(input.stream().mapToInt(Integer::intValue).toArray()), layers, (i, layer) -> { });
    }

    public Shape input() {
        return Shape.of(inputShape.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The number of input features per sample. */
    public int inputSize() {
        return input().size();
    }

    /** The number of classes: the last output dimension (for classification losses). */
    public int classes() {
        Shape out = outputShape(inputShape, layers);
        return out.dim(out.rank() - 1);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", inputShape.stream().map(Integer::longValue).toList());
        m.put("layers", layers.stream().map(LayerConfig::toMap).toList());
        m.put("loss", loss);
        return m;
    }

    public String toJson() {
        return Json.writePretty(toMap());
    }

    @SuppressWarnings("unchecked")
    public static ModelSpec fromMap(Map<String, ?> m) {
        onlyKeys(m, "input", "layers", "loss");
        Object input = m.get("input");
        List<Integer> dims = new ArrayList<>();
        if (input instanceof Number n) {
            dims.add(n.intValue());
        } else if (input instanceof List<?> l) {
            for (Object d : l) {
                dims.add(toInt("model.input", d));
            }
        } else {
            throw new IllegalArgumentException("model.input : " + input + " (expected: a size or a list of sizes)");
        }
        Object layersValue = m.get("layers");
        if (!(layersValue instanceof List<?> list)) {
            throw new IllegalArgumentException("model.layers : " + layersValue + " (expected: a list of layers)");
        }
        List<LayerConfig> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> layer)) {
                throw new IllegalArgumentException("model.layers[" + i + "] : " + list.get(i) + " (expected: a map with a type)");
            }
            try {
                layers.add(LayerConfig.fromMap((Map<String, ?>) layer));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model.layers[" + i + "]." + e.getMessage(), e);
            }
        }
        Object loss = m.containsKey("loss") ? m.get("loss") : SOFTMAX_CROSS_ENTROPY;
        return new ModelSpec(dims, layers, String.valueOf(loss));
    }

    @SuppressWarnings("unchecked")
    public static ModelSpec fromJson(String json) {
        return fromMap((Map<String, ?>) Json.parse(json));
    }

    static void onlyKeys(Map<String, ?> m, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String key : m.keySet()) {
            if (!ok.contains(key)) {
                throw new IllegalArgumentException(key + " : unknown key (expected one of: " + String.join(", ", allowed) + ")");
            }
        }
    }

    static int intValue(Map<String, ?> m, String key) {
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException(key + " : missing (expected: an integer)");
        }
        return toInt(key, m.get(key));
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException(key + " : " + v + " (expected: an integer)");
    }
}
