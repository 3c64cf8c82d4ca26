package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.DropoutOps;
import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * Inverted dropout: in training each value is zeroed with probability {@code rate} and the rest are
 * scaled by 1 / (1 - rate); in evaluation the layer is the identity. The mask of a compiled step's
 * k-th run is a function of (seed, k, element), so runs are reproducible.
 */
public record DropoutConfig(double rate, int seed) implements LayerConfig {

    public DropoutConfig {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("rate : " + rate + " (expected: in [0, 1))");
        }
    }

    @Override
    public String type() {
        return "dropout";
    }

    @Override
    public Layer build(Shape input) {
        return new StatelessLayer(input, (g, x, training) ->
                training && rate > 0 ? DropoutOps.dropout(g, x, (float) rate, seed) : x);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("rate", rate);
        m.put("seed", (long) seed);
        return m;
    }
}
