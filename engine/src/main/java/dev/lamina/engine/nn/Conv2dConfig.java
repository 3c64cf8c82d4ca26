package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * A 2-d convolution over [channels, height, width] inputs with square kernels: weight [filters,
 * channels / groups, kernel, kernel] and, when {@code bias}, bias [filters] (PyTorch's Conv2d).
 */
public record Conv2dConfig(int filters, int kernel, int stride, int padding, int dilation, int groups, boolean bias)
        implements LayerConfig {

    public Conv2dConfig {
        atLeast("filters", filters, 1);
        atLeast("kernel", kernel, 1);
        atLeast("stride", stride, 1);
        atLeast("padding", padding, 0);
        atLeast("dilation", dilation, 1);
        atLeast("groups", groups, 1);
        if (filters % groups != 0) {
            throw new IllegalArgumentException("filters : " + filters + " (expected: divisible by groups " + groups + ")");
        }
    }

    /** A convolution with stride 1, no padding, no dilation, one group and a bias. */
    public static Conv2dConfig of(int filters, int kernel) {
        return new Conv2dConfig(filters, kernel, 1, 0, 1, 1, true);
    }

    public Conv2dConfig withStride(int s) {
        return new Conv2dConfig(filters, kernel, s, padding, dilation, groups, bias);
    }

    public Conv2dConfig withPadding(int p) {
        return new Conv2dConfig(filters, kernel, stride, p, dilation, groups, bias);
    }

    static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " : " + value + " (expected: >= " + min + ")");
        }
    }

    @Override
    public String type() {
        return "conv2d";
    }

    @Override
    public Layer build(Shape input) {
        return new Conv2d(this, input);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("filters", (long) filters);
        m.put("kernel", (long) kernel);
        m.put("stride", (long) stride);
        m.put("padding", (long) padding);
        m.put("dilation", (long) dilation);
        m.put("groups", (long) groups);
        m.put("bias", bias);
        return m;
    }
}
