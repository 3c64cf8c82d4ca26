package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;

/** The rectifier max(x, 0). */
public record ReluConfig() implements LayerConfig {

    @Override
    public String type() {
        return "relu";
    }

    @Override
    public Layer build(Shape input) {
        return new Relu(input);
    }
}
