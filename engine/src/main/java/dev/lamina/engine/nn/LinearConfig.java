package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * A fully connected layer y = x W^T + b with W of shape [units, in] (PyTorch's layout), applied to
 * the last dimension of inputs of any rank ([in] or [T, in] per sample).
 */
public record LinearConfig(int units) implements LayerConfig {

    public LinearConfig {
        if (units < 1) {
            throw new IllegalArgumentException("units : " + units + " (expected: >= 1)");
        }
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public Layer build(Shape input) {
        return new Linear(input, units);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("units", (long) units);
        return m;
    }
}
