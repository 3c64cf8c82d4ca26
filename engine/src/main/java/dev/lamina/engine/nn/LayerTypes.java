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
    }

    private LayerTypes() {
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
