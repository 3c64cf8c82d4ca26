package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * Batch normalization over the channels of [C] (BatchNorm1d) or [C, H, W] (BatchNorm2d) inputs, with
 * PyTorch's parameter names: weight and bias (trained), running_mean and running_var (not trained;
 * see {@link BatchNorm} for how they are set).
 */
public record BatchNormConfig(double eps) implements LayerConfig {

    public BatchNormConfig {
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("eps : " + eps + " (expected: in (0, 1))");
        }
    }

    /** eps = 1e-5, PyTorch's default. */
    public static BatchNormConfig defaults() {
        return new BatchNormConfig(1e-5);
    }

    @Override
    public String type() {
        return "batchnorm";
    }

    @Override
    public Layer build(Shape input) {
        return new BatchNorm(input, (float) eps);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("eps", eps);
        return m;
    }
}
