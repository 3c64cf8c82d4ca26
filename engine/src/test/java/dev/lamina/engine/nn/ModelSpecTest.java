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

    @Test
    void reshapeLayerRoundTripsAndChecksTheSize() {
        Map<String, Object> m = Map.of("input", List.of(1, 4, 4), "loss", "mse", "layers", List.of(
                Map.of("type", "flatten"), Map.of("type", "linear", "units", 8),
                Map.of("type", "reshape", "shape", List.of(2, 2, 2)), Map.of("type", "upsample", "scale", 2),
                Map.of("type", "conv2d", "filters", 1, "kernel", 3, "padding", 1)));
        ModelSpec spec = ModelSpec.fromMap(m);
        assertEquals("[1, 4, 4]", spec.outputShape().toString().replace("Shape", ""));
        assertEquals(spec, ModelSpec.fromJson(spec.toJson()));
        Map<String, Object> bad = Map.of("input", List.of(6), "loss", "mse", "layers", List.of(
                Map.of("type", "reshape", "shape", List.of(4, 2))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMap(bad));
        assertTrue(e.getMessage().contains("(6 values) to [4, 2] (8 values) (expected: the same number of values)"),
                e.getMessage());
    }
}
