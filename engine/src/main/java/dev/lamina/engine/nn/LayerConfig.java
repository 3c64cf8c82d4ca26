package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The spec of one layer of a sequential model: what it is and its hyper-parameters. */
public sealed interface LayerConfig extends java.io.Serializable permits LinearConfig, ReluConfig {

    /** The layer's type name in model files ("linear", "relu"). */
    String type();

    /** The layer for an input of the given shape (checks the shape). */
    Layer build(Shape input);

    /** This spec as a JSON-ready map (type first). */
    default Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type());
        return m;
    }

    /** Reads a spec from a map such as {@code {type: linear, units: 256}}; errors name the key. */
    static LayerConfig fromMap(Map<String, ?> m) {
        Object type = m.get("type");
        String t = type == null ? "" : type.toString().toLowerCase(Locale.ROOT);
        switch (t) {
            case "linear" -> {
                ModelSpec.onlyKeys(m, "type", "units");
                return new LinearConfig(ModelSpec.intValue(m, "units"));
            }
            case "relu" -> {
                ModelSpec.onlyKeys(m, "type");
                return new ReluConfig();
            }
            default -> throw new IllegalArgumentException("layer type : " + type + " (expected: linear or relu)");
        }
    }
}
