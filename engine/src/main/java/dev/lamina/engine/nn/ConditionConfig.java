package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * Adds a learned per-channel shift computed from condition planes saved earlier (a diffusion model's
 * step and class planes): y = x + W (planes averaged down to x's height and width), W a 1x1
 * convolution without bias. The planes are channels {@code skip..} of the saved output
 * {@code from} (the first {@code skip} are the image). Conditioning every block this way keeps the
 * class and step in view past the normalization layers, which remove shifts of whole channels.
 *
 * @param from the saved output holding the planes (e.g. the network input, saved first)
 * @param skip the saved output's leading channels that are not condition planes, >= 0
 */
public record ConditionConfig(String from, int skip) implements LayerConfig {

    public ConditionConfig {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("condition from : '" + from + "' (expected: a saved output's name)");
        }
        if (skip < 0) {
            throw new IllegalArgumentException("condition skip : " + skip + " (expected: >= 0)");
        }
    }

    @Override
    public String type() {
        return "condition";
    }

    @Override
    public Layer build(Shape input) {
        throw new IllegalArgumentException("condition from '" + from + "' needs the shapes of earlier saved outputs");
    }

    @Override
    public Layer build(Shape input, Map<String, Shape> saved) {
        Shape planes = saved.get(from);
        if (planes == null) {
            throw new IllegalArgumentException("condition from : " + from + " (expected one of the saved names "
                    + saved.keySet() + ")");
        }
        if (input.rank() != 3 || planes.rank() != 3 || planes.dim(0) <= skip) {
            throw new IllegalArgumentException("condition of x=" + input + " from " + from + "=" + planes + " skipping "
                    + skip + " (expected: [channels, height, width] for both, and more than " + skip + " saved channels)");
        }
        int fh = planes.dim(1) / input.dim(1);
        if (fh < 1 || planes.dim(1) != fh * input.dim(1) || planes.dim(2) != fh * input.dim(2)) {
            throw new IllegalArgumentException("condition of x=" + input + " from " + from + "=" + planes
                    + " (expected: the saved height and width a whole multiple of x's, the same for both)");
        }
        return new ConditionLayer(this, input, planes.dim(0) - skip, fh);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("from", from);
        m.put("skip", (long) skip);
        return m;
    }
}
