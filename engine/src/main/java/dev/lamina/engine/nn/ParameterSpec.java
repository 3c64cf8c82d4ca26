package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;

/**
 * One parameter tensor a layer declares.
 *
 * @param name  the name within the layer ("weight", "bias", "running_var")
 * @param shape its shape
 * @param fanIn the fan-in for He (Kaiming) uniform initialization; 0 means fill with {@code init}
 * @param init  the initial value of every element when fanIn is 0 (1 for a batch-norm scale)
 */
public record ParameterSpec(String name, Shape shape, int fanIn, float init) {

    /** A parameter He-initialized for fan-in {@code fanIn}, or zero when fanIn is 0. */
    public ParameterSpec(String name, Shape shape, int fanIn) {
        this(name, shape, fanIn, 0f);
    }
}
