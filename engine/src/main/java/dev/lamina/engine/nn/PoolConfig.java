package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.PoolingOps;
import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * Max or average 2-d pooling over [channels, height, width] inputs with a square window (PyTorch's
 * MaxPool2d and AvgPool2d with {@code ceil_mode=False}; average pooling counts padding).
 *
 * @param max     true for max pooling, false for average pooling
 * @param kernel  the window size
 * @param stride  the step between windows (PyTorch's default is the kernel size)
 * @param padding implicit padding on each side, at most kernel / 2
 */
public record PoolConfig(boolean max, int kernel, int stride, int padding) implements LayerConfig {

    public PoolConfig {
        Conv2dConfig.atLeast("kernel", kernel, 1);
        Conv2dConfig.atLeast("stride", stride, 1);
        Conv2dConfig.atLeast("padding", padding, 0);
    }

    public static PoolConfig maxPool(int kernel) {
        return new PoolConfig(true, kernel, kernel, 0);
    }

    public static PoolConfig avgPool(int kernel) {
        return new PoolConfig(false, kernel, kernel, 0);
    }

    @Override
    public String type() {
        return max ? "maxpool2d" : "avgpool2d";
    }

    @Override
    public Layer build(Shape input) {
        return new StatelessLayer(input, (g, x, training) -> max
                ? PoolingOps.maxPool2d(g, x, kernel, kernel, stride, stride, padding, padding)
                : PoolingOps.avgPool2d(g, x, kernel, kernel, stride, stride, padding, padding));
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("kernel", (long) kernel);
        m.put("stride", (long) stride);
        m.put("padding", (long) padding);
        return m;
    }
}
