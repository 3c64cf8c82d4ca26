package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.EmbeddingOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * A token embedding: ids [T] (integers stored as floats) to vectors [T, dim] from a table
 * {@code weight} [vocab, dim] (PyTorch's {@code nn.Embedding} layout).
 */
public record EmbeddingConfig(int vocab, int dim) implements LayerConfig {

    public EmbeddingConfig {
        if (vocab < 1) {
            throw new IllegalArgumentException("vocab : " + vocab + " (expected: >= 1)");
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim : " + dim + " (expected: >= 1)");
        }
    }

    @Override
    public String type() {
        return "embedding";
    }

    @Override
    public Layer build(Shape input) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("embedding input shape " + input + " (expected: token ids [T])");
        }
        return new Layer() {
            @Override
            public Shape outputShape() {
                return Shape.of(input.dim(0), dim);
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of(new ParameterSpec("weight", Shape.of(vocab, dim), dim));
            }

            @Override
            public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
                return EmbeddingOps.embedding(graph, x, params.get(0));
            }
        };
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("vocab", (long) vocab);
        m.put("dim", (long) dim);
        return m;
    }
}
