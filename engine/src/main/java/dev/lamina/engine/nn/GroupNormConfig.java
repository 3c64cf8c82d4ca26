package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.NormOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * Group normalization (Wu and He) of [C, ...] samples over {@code groups} channel groups, with a
 * per-channel {@code weight} (ones) and {@code bias} (zeros) as in PyTorch. Unlike batch
 * normalization it has no running statistics, so it trains and evaluates the same way.
 */
public record GroupNormConfig(int groups, double eps) implements LayerConfig {

    public GroupNormConfig {
        if (groups < 1) {
            throw new IllegalArgumentException("groups : " + groups + " (expected: >= 1)");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps : " + eps + " (expected: > 0)");
        }
    }

    @Override
    public String type() {
        return "groupnorm";
    }

    @Override
    public Layer build(Shape input) {
        if (input.rank() < 1 || input.dim(0) % groups != 0) {
            throw new IllegalArgumentException("groupnorm input " + input + " (expected: channels (first dimension)"
                    + " divisible by groups = " + groups + ")");
        }
        int c = input.dim(0);
        return new Layer() {
            @Override
            public Shape outputShape() {
                return input;
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of(ParameterSpec.constant("weight", Shape.of(c), 1f), new ParameterSpec("bias", Shape.of(c), 0));
            }

            @Override
            public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
                return NormOps.groupNorm(graph, x, params.get(0), params.get(1), groups, (float) eps);
            }
        };
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        m.put("groups", (long) groups);
        m.put("eps", eps);
        return m;
    }
}
