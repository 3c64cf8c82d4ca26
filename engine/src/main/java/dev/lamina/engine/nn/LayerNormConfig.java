package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.LayerNormOps;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/** Layer normalization over the last dimension with {@code weight} (ones) and {@code bias} (zeros). */
public record LayerNormConfig(double eps) implements LayerConfig {
    public static final double DEFAULT_EPS = 1e-5;

    public LayerNormConfig {
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps : " + eps + " (expected: > 0)");
        }
    }

    public static LayerNormConfig defaults() {
        return new LayerNormConfig(DEFAULT_EPS);
    }

    @Override
    public String type() {
        return "layernorm";
    }

    @Override
    public Layer build(Shape input) {
        int c = input.dim(input.rank() - 1);
        return new Layer() {
            @Override
            public Shape outputShape() {
                return input;
            }

            @Override
            public List<ParameterSpec> parameters() {
                return params("", c);
            }

            @Override
            public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
                return LayerNormOps.layerNorm(graph, x, params.get(0), params.get(1), (float) eps);
            }
        };
    }

    /** weight (ones) and bias (zeros) of a LayerNorm over c channels, names prefixed. */
    static List<ParameterSpec> params(String prefix, int c) {
        return List.of(ParameterSpec.constant(prefix + "weight", Shape.of(c), 1f),
                new ParameterSpec(prefix + "bias", Shape.of(c), 0));
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("eps", eps);
        return m;
    }
}
