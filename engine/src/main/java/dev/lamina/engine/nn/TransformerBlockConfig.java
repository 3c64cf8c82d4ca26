package dev.lamina.engine.nn;

import dev.lamina.engine.tensor.Shape;
import java.util.Map;

/**
 * A pre-norm Transformer block (see {@link TransformerBlock}) as one layer, since a sequential spec
 * cannot express its residual connections.
 *
 * @param heads    attention heads (must divide C)
 * @param causal   whether a position may attend only to itself and earlier positions
 * @param mlpRatio the MLP's hidden width as a multiple of C (4 in GPT-2)
 */
public record TransformerBlockConfig(int heads, boolean causal, int mlpRatio) implements LayerConfig {

    public TransformerBlockConfig {
        if (heads < 1) {
            throw new IllegalArgumentException("heads : " + heads + " (expected: >= 1)");
        }
        if (mlpRatio < 1) {
            throw new IllegalArgumentException("mlpRatio : " + mlpRatio + " (expected: >= 1)");
        }
    }

    @Override
    public String type() {
        return "transformer-block";
    }

    @Override
    public Layer build(Shape input) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException("transformer-block input shape " + input + " (expected: [T, C])");
        }
        return new TransformerBlock(input, heads, causal, mlpRatio * input.dim(1), (float) LayerNormConfig.DEFAULT_EPS);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("heads", (long) heads);
        m.put("causal", causal);
        m.put("mlpRatio", (long) mlpRatio);
        return m;
    }
}
