package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;

/**
 * One parameter tensor a layer declares.
 *
 * @param name  the name within the layer ("weight", "bias", "running_var")
 * @param shape its shape
 * @param fanIn the fan-in for He (Kaiming) uniform initialization; 0 means initialize to {@code init}
 * @param init  the constant initial value when fanIn is 0 (1 for normalization scales, else 0)
 */
public record ParameterSpec(String name, Shape shape, int fanIn, float init) {

    /** A parameter initialized He-uniform for fanIn > 0, or to zero. */
    public ParameterSpec(String name, Shape shape, int fanIn) {
        this(name, shape, fanIn, 0f);
    }

    /** A parameter initialized to a constant (e.g. ones for a LayerNorm scale). */
    public static ParameterSpec constant(String name, Shape shape, float value) {
        return new ParameterSpec(name, shape, 0, value);
    }
}
