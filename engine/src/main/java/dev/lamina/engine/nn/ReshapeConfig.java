package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ConvOps;
import dev.lamina.engine.autodiff.PoolingOps;
import dev.lamina.engine.tensor.Shape;

/**
 * Layers that only rearrange or resample values, without parameters: {@code flatten} ([C, H, W] to
 * [C H W]), {@code globalavgpool} ([C, H, W] to [C], the mean of each channel) and {@code upsample}
 * (nearest-neighbour, [C, H, W] to [C, H scale, W scale]).
 *
 * @param type  one of {@code flatten}, {@code globalavgpool}, {@code upsample}
 * @param scale the upsampling factor (1 for the others)
 */
public record ReshapeConfig(String type, int scale) implements LayerConfig {

    public ReshapeConfig {
        if (!type.equals("flatten") && !type.equals("globalavgpool") && !type.equals("upsample")) {
            throw new IllegalArgumentException("type : " + type + " (expected one of: flatten, globalavgpool, upsample)");
        }
        Conv2dConfig.atLeast("scale", scale, 1);
        if (scale != 1 && !type.equals("upsample")) {
            throw new IllegalArgumentException("scale : " + scale + " (expected: 1 for " + type + ")");
        }
    }

    public static ReshapeConfig flatten() {
        return new ReshapeConfig("flatten", 1);
    }

    public static ReshapeConfig globalAvgPool() {
        return new ReshapeConfig("globalavgpool", 1);
    }

    public static ReshapeConfig upsample(int scale) {
        return new ReshapeConfig("upsample", scale);
    }

    @Override
    public Layer build(Shape input) {
        return switch (type) {
            case "flatten" -> new StatelessLayer(input, (g, x, training) ->
                    ConvOps.reshape(g, x, Shape.of(x.shape().dim(0), x.shape().size() / x.shape().dim(0))));
            case "globalavgpool" -> {
                if (input.rank() != 3) {
                    throw new IllegalArgumentException("globalavgpool input shape " + input
                            + " (expected: [channels, height, width])");
                }
                yield new StatelessLayer(input, (g, x, training) -> ConvOps.reshape(g,
                        PoolingOps.avgPool2d(g, x, input.dim(1), input.dim(2), 1, 1, 0, 0),
                        Shape.of(x.shape().dim(0), input.dim(0))));
            }
            default -> new StatelessLayer(input, (g, x, training) -> PoolingOps.upsampleNearest(g, x, scale, scale));
        };
    }

    @Override
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = LayerConfig.super.toMap();
        if (type.equals("upsample")) {
            m.put("scale", (long) scale);
        }
        return m;
    }
}
