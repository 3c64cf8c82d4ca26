package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spec of one layer of a sequential model: what it is and its hyper-parameters. Implementations
 * are records registered by type name in {@link LayerTypes}.
 */
public interface LayerConfig extends Serializable {

    /** The layer's type name in model files ("linear", "relu"). */
    String type();

    /** The layer for an input of the given shape (checks the shape). */
    Layer build(Shape input);

    /**
     * The layer for an input of the given shape when earlier layers saved named outputs (skip
     * connections); layers that do not read them ignore {@code saved}.
     */
    default Layer build(Shape input, Map<String, Shape> saved) {
        return build(input);
    }

    /** This spec as a JSON-ready map (type first). */
    default Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type());
        return m;
    }

    /** Reads a spec from a map such as {@code {type: linear, units: 256}}; errors name the key. */
    static LayerConfig fromMap(Map<String, ?> m) {
        return LayerTypes.fromMap(m);
    }
}
