package dev.lamina.jobs;

import dev.lamina.engine.nn.Conv2dConfig;
import dev.lamina.engine.nn.LayerConfig;
import dev.lamina.engine.nn.LinearConfig;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The models {@link ModelBenchJob} trains, each as a model-file map (so a model whose layer types
 * this build lacks still has a spec, and fails with a message naming those types), a default
 * batch and an optimizer. Adding a model is one constant; adding a layer type to the FLOP count is
 * one case in {@link #flopsPerSample}.
 */
enum BenchModel {
    /** MLP 784-256-128-10 with ReLU on MNIST; SGD with momentum 0.9. */
    MLP(64, OptimizerConfig.defaults(), Map.of("input", List.of(784), "layers", List.of(
            linear(256), type("relu"), linear(128), type("relu"), linear(10)))),
    /** LeNet-5 on MNIST [1, 28, 28]: conv 5x5 6 (padding 2), max-pool 2, conv 5x5 16, max-pool 2, fc 120, 84, 10. */
    LENET(64, OptimizerConfig.defaults(), Map.of("input", List.of(1, 28, 28), "layers", List.of(
            Map.of("type", "conv2d", "filters", 6, "kernel", 5, "padding", 2), type("relu"),
            Map.of("type", "maxpool2d", "kernel", 2),
            Map.of("type", "conv2d", "filters", 16, "kernel", 5), type("relu"),
            Map.of("type", "maxpool2d", "kernel", 2), type("flatten"),
            linear(120), type("relu"), linear(84), type("relu"), linear(10)))),
    /** Char transformer: vocab 128, d 128, 4 heads, FFN 512, 2 pre-norm blocks, seq 64; AdamW. */
    TRANSFORMER(32, OptimizerConfig.defaults().withType("adamw").withLearningRate(3e-4), Map.of(
            "input", List.of(64), "layers", List.of(
            Map.of("type", "embedding", "vocab", 128, "dim", 128), type("position-embedding"),
            Map.of("type", "transformer-block", "heads", 4, "causal", true, "mlpRatio", 4),
            Map.of("type", "transformer-block", "heads", 4, "causal", true, "mlpRatio", 4),
            type("layernorm"), linear(128)), "loss", "sequence-cross-entropy")),
    /** Char LSTM: vocab 128, embedding 64, 2 LSTM layers of 256, seq 64; AdamW (not in the PyTorch comparison). */
    LSTM(32, OptimizerConfig.defaults().withType("adamw").withLearningRate(2e-3), Map.of(
            "input", List.of(64), "layers", List.of(
            Map.of("type", "embedding", "vocab", 128, "dim", 64),
            Map.of("type", "lstm", "hidden", 256, "layers", 2, "sequence", true),
            linear(128)), "loss", "sequence-cross-entropy"));

    private final int defaultBatch;
    private final OptimizerConfig optimizer;
    private final Map<String, Object> specMap;

    BenchModel(int defaultBatch, OptimizerConfig optimizer, Map<String, Object> specMap) {
        this.defaultBatch = defaultBatch;
        this.optimizer = optimizer;
        this.specMap = specMap;
    }

    static BenchModel forName(String name) {
        for (BenchModel m : values()) {
            if (m.label().equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("model : " + name + " (expected: mlp, lenet, transformer or lstm)");
    }

    /** Whether the model trains on the Brown corpus (a character language model). */
    boolean text() {
        return this == TRANSFORMER || this == LSTM;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    int defaultBatch() {
        return defaultBatch;
    }

    OptimizerConfig optimizer() {
        return optimizer;
    }

    /** The spec; throws naming the layer types this build lacks, if any. */
    @SuppressWarnings("unchecked")
    ModelSpec spec() {
        Set<String> missing = new LinkedHashSet<>();
        for (Object layer : (List<Object>) specMap.get("layers")) {
            String type = String.valueOf(((Map<String, Object>) layer).get("type"));
            if (!available(type)) {
                missing.add(type);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model " + label() + " needs layer types " + String.join(", ", missing)
                    + " (not available in this build)");
        }
        return ModelSpec.fromMap(specMap);
    }

    /**
     * Multiply-adds times two of one sample's forward and backward pass through the matrix
     * products: per linear layer in -> out, 2*in*out forward, 2*in*out for the weight gradient and
     * 2*in*out for the input gradient (skipped for the first layer, whose input needs none).
     * Elementwise work (bias, activations, loss) is left out, as in the usual FLOP counts.
     */
    static long flopsPerSample(ModelSpec spec) {
        long flops = 0;
        Shape shape = spec.input();
        boolean first = true;
        for (LayerConfig layer : spec.layers()) {
            Shape out = layer.build(shape).outputShape();
            long macs = macs(layer, shape, out);
            if (macs > 0) {
                flops += 2 * macs * (first ? 2 : 3);
                first = false;
            }
            shape = out;
        }
        return flops;
    }

    /** Multiply-adds of one sample's forward pass through a layer's matrix products (0 for elementwise layers). */
    private static long macs(LayerConfig layer, Shape in, Shape out) {
        if (layer instanceof LinearConfig linear) {
            return (long) in.size() * linear.units();
        }
        if (layer instanceof Conv2dConfig conv) {
            return (long) out.size() * (in.dim(0) / conv.groups()) * conv.kernel() * conv.kernel();
        }
        if (layer.type().equals("transformer-block")) {
            long t = in.dim(0);
            long c = in.dim(1);
            long ratio = ((Number) layer.toMap().getOrDefault("mlpRatio", 4L)).longValue();
            // qkv and output projections, scores and weighted sum, and the two MLP products
            return t * c * 3 * c + t * c * c + 2 * t * t * c + 2 * t * c * ratio * c;
        }
        if (layer.type().equals("lstm") || layer.type().equals("gru")) {
            // per step and layer: input and hidden projections to the gates (4 gates LSTM, 3 GRU)
            long t = in.dim(0);
            long h = ((Number) layer.toMap().get("hidden")).longValue();
            long layers = ((Number) layer.toMap().get("layers")).longValue();
            long gates = layer.type().equals("lstm") ? 4 : 3;
            return t * gates * h * (in.dim(1) + h + (layers - 1) * 2 * h);
        }
        if (Set.of("relu", "maxpool2d", "avgpool2d", "flatten", "layernorm", "position-embedding", "embedding",
                "globalavgpool", "dropout", "batchnorm", "gelu", "tanh", "sigmoid", "silu").contains(layer.type())) {
            return 0;
        }
        throw new IllegalArgumentException("no FLOP count for layer type " + layer.type());
    }

    /** True when this build reads layer type {@code type} (a bare map fails on a missing key, not the type). */
    private static boolean available(String type) {
        try {
            LayerConfig.fromMap(Map.of("type", type));
            return true;
        } catch (IllegalArgumentException e) {
            return !String.valueOf(e.getMessage()).startsWith("layer type :");
        }
    }

    private static Map<String, Object> linear(int units) {
        return Map.of("type", "linear", "units", units);
    }

    private static Map<String, Object> type(String type) {
        return Map.of("type", type);
    }

    /** The layer type names of {@code spec}, in order (for the report). */
    static List<String> layerTypes(ModelSpec spec) {
        List<String> types = new ArrayList<>();
        for (LayerConfig layer : spec.layers()) {
            types.add(layer.type());
        }
        return types;
    }
}
