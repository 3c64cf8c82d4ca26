package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/** Multi-head self-attention over [T, C] (see {@link MultiHeadAttention}); {@code causal} masks future keys. */
public record AttentionConfig(int heads, boolean causal) implements LayerConfig {

    public AttentionConfig {
        if (heads < 1) {
            throw new IllegalArgumentException("heads : " + heads + " (expected: >= 1)");
        }
    }

    @Override
    public String type() {
        return "attention";
    }

    @Override
    public Layer build(Shape input) {
        return new MultiHeadAttention(input, heads, causal);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("heads", (long) heads);
        m.put("causal", causal);
        return m;
    }
}
