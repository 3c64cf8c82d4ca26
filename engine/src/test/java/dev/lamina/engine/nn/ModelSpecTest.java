package dev.lamina.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    void jsonRoundTripsExactly() {
        ModelSpec spec = ModelSpec.mlp(784, 256, 128, 10);
        String json = spec.toJson();
        ModelSpec back = ModelSpec.fromJson(json);
        assertEquals(spec, back);
        assertEquals(json, back.toJson());
        assertEquals(10, back.classes());
    }

    @Test
    void unknownLayerKeyIsNamed() {
        Map<String, Object> m = Map.of("input", 4, "layers", List.of(Map.of("type", "linear", "unitz", 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(m));
        assertTrue(e.getMessage().contains("unitz"), e.getMessage());
    }

    @Test
    void unknownLayerTypeIsNamed() {
        Map<String, Object> m = Map.of("input", 4, "layers", List.of(Map.of("type", "conv9d")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(m));
        assertTrue(e.getMessage().contains("conv9d") && e.getMessage().contains("layers[0]"), e.getMessage());
    }

    @Test
    void outputMustBeClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.mlp(4, 1));
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
    }
}
