package dev.lamina.engine.tensor;

import java.util.Arrays;

/**
 * A view of {@code shape.size()} floats in a flat array, starting at {@code offset}. Tensors do not
 * own memory: a model's parameters are tensors over one flat buffer.
 */
public record Tensor(Shape shape, float[] data, int offset) {

    public Tensor {
        if (offset < 0 || (long) offset + shape.size() > data.length) {
            throw new IllegalArgumentException("tensor " + shape + " at offset " + offset
                    + " does not fit in a buffer of " + data.length + " floats");
        }
    }

    /** A new zero tensor with its own buffer. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.size()], 0);
    }

    public int size() {
        return shape.size();
    }

    public float get(int i) {
        return data[offset + i];
    }

    /** A copy of the viewed values. */
    public float[] toArray() {
        return Arrays.copyOfRange(data, offset, offset + shape.size());
    }
}
