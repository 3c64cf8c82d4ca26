package dev.lamina.engine.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The layer types a model spec can name, each with the reader of its map form. */
final class LayerTypes {
    private static final Map<String, Function<Map<String, ?>, LayerConfig>> READERS = new LinkedHashMap<>();

    static {
        READERS.put("linear", m -> {
            ModelSpec.onlyKeys(m, "type", "units");
            return new LinearConfig(ModelSpec.intValue(m, "units"));
        });
        READERS.put("relu", m -> {
            ModelSpec.onlyKeys(m, "type");
            return new ReluConfig();
        });
        // --- convolutional layers ---
        READERS.put("conv2d", m -> {
            ModelSpec.onlyKeys(m, "type", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias");
            return new Conv2dConfig(ModelSpec.intValue(m, "filters"), ModelSpec.intValue(m, "kernel"),
                    optionalInt(m, "stride", 1), optionalInt(m, "padding", 0), optionalInt(m, "dilation", 1),
                    optionalInt(m, "groups", 1), boolValue(m, "bias", true));
        });
        READERS.put("maxpool2d", m -> pool(m, true));
        READERS.put("avgpool2d", m -> pool(m, false));
        READERS.put("flatten", m -> {
            ModelSpec.onlyKeys(m, "type");
            return ReshapeConfig.flatten();
        });
        READERS.put("globalavgpool", m -> {
            ModelSpec.onlyKeys(m, "type");
            return ReshapeConfig.globalAvgPool();
        });
        READERS.put("upsample", m -> {
            ModelSpec.onlyKeys(m, "type", "scale");
            return ReshapeConfig.upsample(ModelSpec.intValue(m, "scale"));
        });
        READERS.put("reshape", m -> {
            ModelSpec.onlyKeys(m, "type", "shape");
            if (!(m.get("shape") instanceof List<?> dims)) {
                throw new IllegalArgumentException("shape : " + m.get("shape") + " (expected: a list of dimensions)");
            }
            List<Integer> shape = new java.util.ArrayList<>();
            for (Object d : dims) {
                if (!(d instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw new IllegalArgumentException("shape : " + dims + " (expected: integer dimensions)");
                }
                shape.add(n.intValue());
            }
            return new ReshapeToConfig(shape);
        });
        READERS.put("batchnorm", m -> {
            ModelSpec.onlyKeys(m, "type", "eps");
            return new BatchNormConfig(doubleValue(m, "eps", 1e-5));
        });
        READERS.put("dropout", m -> {
            ModelSpec.onlyKeys(m, "type", "rate", "seed");
            return new DropoutConfig(doubleValue(m, "rate", 0.5), optionalInt(m, "seed", 0));
        });
        READERS.put("groupnorm", m -> {
            ModelSpec.onlyKeys(m, "type", "groups", "eps");
            return new GroupNormConfig(ModelSpec.intValue(m, "groups"), doubleValue(m, "eps", 1e-5));
        });
        READERS.put("save", m -> {
            ModelSpec.onlyKeys(m, "type", "name");
            return new SkipConfig("save", String.valueOf(m.get("name")), 0);
        });
        READERS.put("add", m -> {
            ModelSpec.onlyKeys(m, "type", "from");
            return new SkipConfig("add", String.valueOf(m.get("from")), 0);
        });
        READERS.put("concat", m -> {
            ModelSpec.onlyKeys(m, "type", "from", "axis");
            return new SkipConfig("concat", String.valueOf(m.get("from")), optionalInt(m, "axis", 0));
        });
        READERS.put("condition", m -> {
            ModelSpec.onlyKeys(m, "type", "from", "skip");
            return new ConditionConfig(String.valueOf(m.get("from")), optionalInt(m, "skip", 1));
        });
        // --- sequence family ---
        for (String f : ActivationConfig.FUNCTIONS) {
            READERS.put(f, m -> {
                ModelSpec.onlyKeys(m, "type", "slope");
                return new ActivationConfig(f, (float) doubleValue(m, "slope", ActivationConfig.DEFAULT_SLOPE));
            });
        }
        READERS.put("embedding", m -> {
            ModelSpec.onlyKeys(m, "type", "vocab", "dim");
            return new EmbeddingConfig(ModelSpec.intValue(m, "vocab"), ModelSpec.intValue(m, "dim"));
        });
        READERS.put("position-embedding", m -> {
            ModelSpec.onlyKeys(m, "type", "kind");
            return new PositionEmbeddingConfig(String.valueOf(m.containsKey("kind") ? m.get("kind") : "learned"));
        });
        READERS.put("layernorm", m -> {
            ModelSpec.onlyKeys(m, "type", "eps");
            return new LayerNormConfig(doubleValue(m, "eps", LayerNormConfig.DEFAULT_EPS));
        });
        READERS.put("attention", m -> {
            ModelSpec.onlyKeys(m, "type", "heads", "causal");
            return new AttentionConfig(ModelSpec.intValue(m, "heads"), boolValue(m, "causal", false));
        });
        for (String cell : List.of("lstm", "gru")) {
            READERS.put(cell, m -> {
                ModelSpec.onlyKeys(m, "type", "hidden", "layers", "sequence");
                int layers = m.containsKey("layers") ? ModelSpec.intValue(m, "layers") : 1;
                return new RecurrentConfig(cell, ModelSpec.intValue(m, "hidden"), layers, boolValue(m, "sequence", true));
            });
        }
        READERS.put("transformer-block", m -> {
            ModelSpec.onlyKeys(m, "type", "heads", "causal", "mlpRatio");
            int ratio = m.containsKey("mlpRatio") ? ModelSpec.intValue(m, "mlpRatio") : 4;
            return new TransformerBlockConfig(ModelSpec.intValue(m, "heads"), boolValue(m, "causal", true), ratio);
        });
    }

    private LayerTypes() {
    }

    private static LayerConfig pool(Map<String, ?> m, boolean max) {
        ModelSpec.onlyKeys(m, "type", "kernel", "stride", "padding");
        int kernel = ModelSpec.intValue(m, "kernel");
        return new PoolConfig(max, kernel, optionalInt(m, "stride", kernel), optionalInt(m, "padding", 0));
    }

    private static int optionalInt(Map<String, ?> m, String key, int otherwise) {
        return m.containsKey(key) ? ModelSpec.intValue(m, key) : otherwise;
    }

    private static double doubleValue(Map<String, ?> m, String key, double otherwise) {
        Object v = m.containsKey(key) ? m.get(key) : otherwise;
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(key + " : " + v + " (expected: a finite number)");
    }

    private static boolean boolValue(Map<String, ?> m, String key, boolean otherwise) {
        Object v = m.containsKey(key) ? m.get(key) : otherwise;
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(key + " : " + v + " (expected: true or false)");
    }

    static LayerConfig fromMap(Map<String, ?> m) {
        Object type = m.get("type");
        String t = type == null ? "" : type.toString().toLowerCase(Locale.ROOT);
        Function<Map<String, ?>, LayerConfig> reader = READERS.get(t);
        if (reader == null) {
            throw new IllegalArgumentException("layer type : " + type + " (expected one of: "
                    + String.join(", ", READERS.keySet()) + ")");
        }
        return reader.apply(m);
    }
}
