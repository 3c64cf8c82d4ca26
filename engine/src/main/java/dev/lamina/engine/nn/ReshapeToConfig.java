package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ConvOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * {@code reshape}: the same values per sample under another shape, e.g. a bottleneck vector [392]
 * back to feature maps [8, 7, 7] in a decoder. The sizes must agree.
 *
 * @param shape the per-sample output shape (dimensions >= 1)
 */
public record ReshapeToConfig(List<Integer> shape) implements LayerConfig {

    public ReshapeToConfig {
        shape = List.copyOf(shape);
        if (shape.isEmpty() || shape.stream().anyMatch(d -> d == null || d < 1)) {
            throw new IllegalArgumentException("shape : " + shape + " (expected: dimensions >= 1)");
        }
    }

    @Override
    public String type() {
        return "reshape";
    }

    @Override
    public Layer build(Shape input) {
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        Shape target = Shape.of(dims);
        if (target.size() != input.size()) {
            throw new IllegalArgumentException("reshape of input shape " + input + " (" + input.size() + " values) to "
                    + shape + " (" + target.size() + " values) (expected: the same number of values)");
        }
        return new StatelessLayer(input, (g, x, training) -> ConvOps.reshape(g, x,
                StatelessLayer.batched(x.shape().dim(0), target)));
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("shape", shape.stream().map(Integer::longValue).toList());
        return m;
    }
}
