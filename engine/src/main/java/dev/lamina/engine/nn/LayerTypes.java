package dev.lamina.engine.nn;

import java.util.LinkedHashMap;
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
                    optionalInt(m, "groups", 1), optionalBoolean(m, "bias", true));
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
        READERS.put("batchnorm", m -> {
            ModelSpec.onlyKeys(m, "type", "eps");
            return new BatchNormConfig(optionalDouble(m, "eps", 1e-5));
        });
        READERS.put("dropout", m -> {
            ModelSpec.onlyKeys(m, "type", "rate", "seed");
            return new DropoutConfig(optionalDouble(m, "rate", 0.5), optionalInt(m, "seed", 0));
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

    private static boolean optionalBoolean(Map<String, ?> m, String key, boolean otherwise) {
        Object v = m.containsKey(key) ? m.get(key) : otherwise;
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(key + " : " + v + " (expected: true or false)");
        }
        return b;
    }

    private static double optionalDouble(Map<String, ?> m, String key, double otherwise) {
        Object v = m.containsKey(key) ? m.get(key) : otherwise;
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(key + " : " + v + " (expected: a number)");
        }
        return n.doubleValue();
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
