package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.EmbeddingOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.SequenceOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * Adds a position embedding to x [T, C]: a learned table {@code weight} [T, C], or the fixed
 * sinusoidal table of "Attention Is All You Need" (no parameters).
 *
 * @param kind {@code learned} or {@code sinusoidal}
 */
public record PositionEmbeddingConfig(String kind) implements LayerConfig {

    public PositionEmbeddingConfig {
        if (!kind.equals("learned") && !kind.equals("sinusoidal")) {
            throw new IllegalArgumentException("kind : " + kind + " (expected: learned or sinusoidal)");
        }
    }

    @Override
    public String type() {
        return "position-embedding";
    }

    @Override
    public Layer build(Shape input) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException("position-embedding input shape " + input + " (expected: [T, C])");
        }
        boolean learned = kind.equals("learned");
        return new Layer() {
            @Override
            public Shape outputShape() {
                return input;
            }

            @Override
            public List<ParameterSpec> parameters() {
                return learned ? List.of(new ParameterSpec("weight", input, input.dim(1))) : List.of();
            }

            @Override
            public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
                Node table = learned ? params.get(0)
                        : EmbeddingOps.sinusoidPositions(graph, input.dim(0), input.dim(1));
                return SequenceOps.addBroadcast(graph, x, table);
            }
        };
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("kind", kind);
        return m;
    }
}
