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
 * @param inputShape per-sample input dimensions of the network, e.g. [784]; for a diffusion model the
 *                   image's channels plus the condition planes ({@link DiffusionConfig#conditionChannels()})
 * @param layers     the layers, applied in order
 * @param loss       the training loss, e.g. {@code softmax-cross-entropy}
 * @param diffusion  for a diffusion model, its noise schedule and conditioning; null for any other model
 */
public record ModelSpec(List<Integer> inputShape, List<LayerConfig> layers, String loss, DiffusionConfig diffusion)
        implements Serializable {

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
        if (diffusion != null) {
            checkDiffusion(inputShape, outputShape(inputShape, layers), loss, diffusion);
        }
    }

    /** A model that is not a diffusion model. */
    public ModelSpec(List<Integer> inputShape, List<LayerConfig> layers, String loss) {
        this(inputShape, layers, loss, null);
    }

    private static void checkDiffusion(List<Integer> input, Shape output, String loss, DiffusionConfig diffusion) {
        int cond = diffusion.conditionChannels();
        if (input.size() != 3 || input.get(0) <= cond) {
            throw new IllegalArgumentException("model.input : " + dataDims(input, cond) + " with diffusion (expected: an"
                    + " image [channels, height, width]; the network reads it with " + cond + " condition planes)");
        }
        List<Integer> image = dataDims(input, cond);
        if (!output.equals(Shape.of(image.stream().mapToInt(Integer::intValue).toArray()))) {
            throw new IllegalArgumentException("model output " + output + " with diffusion (expected: " + image
                    + ", the predicted noise of the image)");
        }
        if (!loss.equals(Losses.MSE)) {
            throw new IllegalArgumentException("model.loss : " + loss + " with diffusion (expected: mse, the"
                    + " noise-prediction loss)");
        }
    }

    private static List<Integer> dataDims(List<Integer> input, int cond) {
        List<Integer> dims = new ArrayList<>(input);
        if (!dims.isEmpty()) {
            dims.set(0, dims.get(0) - cond);
        }
        return dims;
    }

    /** Whether this is a diffusion model (its data are images, its network also reads condition planes). */
    public boolean isDiffusion() {
        return diffusion != null;
    }

    /** The per-sample shape of the data: the input, or for a diffusion model the image without the condition planes. */
    public Shape dataShape() {
        List<Integer> dims = diffusion == null ? inputShape : dataDims(inputShape, diffusion.conditionChannels());
        return Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
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

    /** The number of features per sample in the data: the input's size, or a diffusion model's image size. */
    public int inputSize() {
        return dataShape().size();
    }

    /** The number of classes: the last output dimension (for classification losses). */
    public int classes() {
        Shape out = outputShape(inputShape, layers);
        return out.dim(out.rank() - 1);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", java.util.Arrays.stream(dataShape().dims()).mapToObj(d -> (long) d).toList());
        m.put("layers", layers.stream().map(LayerConfig::toMap).toList());
        m.put("loss", loss);
        if (diffusion != null) {
            m.put("diffusion", diffusion.toMap());
        }
        return m;
    }

    public String toJson() {
        return Json.writePretty(toMap());
    }

    @SuppressWarnings("unchecked")
    public static ModelSpec fromMap(Map<String, ?> m) {
        onlyKeys(m, "input", "layers", "loss", "diffusion");
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
        DiffusionConfig diffusion = null;
        if (m.containsKey("diffusion")) {
            if (!(m.get("diffusion") instanceof Map<?, ?> d)) {
                throw new IllegalArgumentException("model.diffusion : " + m.get("diffusion")
                        + " (expected: a map of steps, betaStart, betaEnd, classes, timeChannels, labelDropout, prediction)");
            }
            try {
                diffusion = DiffusionConfig.fromMap((Map<String, ?>) d);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model." + e.getMessage(), e);
            }
            if (dims.size() != 3) {
                throw new IllegalArgumentException("model.input : " + dims + " with diffusion (expected: an image"
                        + " [channels, height, width])");
            }
            dims.set(0, dims.get(0) + diffusion.conditionChannels());
        }
        return new ModelSpec(dims, layers, String.valueOf(loss), diffusion);
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
