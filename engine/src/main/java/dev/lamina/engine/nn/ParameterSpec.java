package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;

/**
 * One parameter tensor a layer declares.
 *
 * @param name  the name within the layer ("weight", "bias")
 * @param shape its shape
 * @param fanIn the fan-in for He (Kaiming) uniform initialization; 0 means initialize to zero
 */
public record ParameterSpec(String name, Shape shape, int fanIn) {
}
