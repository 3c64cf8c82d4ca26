package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;

/**
 * Where one named parameter lives in the model's flat buffer.
 *
 * @param name   the full name, e.g. {@code layers.0.weight}
 * @param shape  its shape
 * @param offset its first element in the flat buffer
 */
public record ParameterView(String name, Shape shape, int offset) {

    public int size() {
        return shape.size();
    }
}
