package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ActivationOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * An elementwise activation (or softmax over the last dimension), named by its type: {@code tanh},
 * {@code sigmoid}, {@code gelu} (exact erf form), {@code silu}, {@code leaky-relu} (with
 * {@code slope}), {@code softmax}.
 *
 * @param function the type name
 * @param slope    the negative slope of leaky-relu (0.01 by default; ignored by the others)
 */
public record ActivationConfig(String function, float slope) implements LayerConfig {
    static final List<String> FUNCTIONS = List.of("tanh", "sigmoid", "gelu", "silu", "leaky-relu", "softmax");
    static final float DEFAULT_SLOPE = 0.01f;

    public ActivationConfig {
        if (!FUNCTIONS.contains(function)) {
            throw new IllegalArgumentException("activation : " + function + " (expected one of: " + FUNCTIONS + ")");
        }
        if (!Float.isFinite(slope)) {
            throw new IllegalArgumentException("slope : " + slope + " (expected: finite)");
        }
    }

    public static ActivationConfig of(String function) {
        return new ActivationConfig(function, DEFAULT_SLOPE);
    }

    @Override
    public String type() {
        return function;
    }

    @Override
    public Layer build(Shape input) {
        return new Layer() {
            @Override
            public Shape outputShape() {
                return input;
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
                return switch (function) {
                    case "tanh" -> ActivationOps.tanh(graph, x);
                    case "sigmoid" -> ActivationOps.sigmoid(graph, x);
                    case "gelu" -> ActivationOps.gelu(graph, x, training);
                    case "silu" -> ActivationOps.silu(graph, x);
                    case "leaky-relu" -> ActivationOps.leakyRelu(graph, x, slope);
                    default -> ActivationOps.softmax(graph, x);
                };
            }
        };
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = LayerConfig.super.toMap();
        if (function.equals("leaky-relu")) {
            m.put("slope", Double.parseDouble(Float.toString(slope)));
        }
        return m;
    }
}
