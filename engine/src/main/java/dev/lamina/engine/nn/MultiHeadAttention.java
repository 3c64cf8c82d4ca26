package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.AttentionOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * Multi-head self-attention on [T, C] per sample with PyTorch's {@code nn.MultiheadAttention}
 * parameters: {@code in_proj_weight} [3C, C], {@code in_proj_bias} [3C], {@code out_proj.weight}
 * [C, C], {@code out_proj.bias} [C]. out = out_proj(attention(in_proj(x))).
 */
final class MultiHeadAttention implements Layer {
    private final Shape input;
    private final int heads;
    private final boolean causal;

    MultiHeadAttention(Shape input, int heads, boolean causal) {
        if (input.rank() != 2 || input.dim(1) % heads != 0) {
            throw new IllegalArgumentException("attention input shape " + input + ", heads=" + heads
                    + " (expected: [T, C] with C divisible by heads)");
        }
        this.input = input;
        this.heads = heads;
        this.causal = causal;
    }

    @Override
    public Shape outputShape() {
        return input;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters("", input.dim(1));
    }

    static List<ParameterSpec> parameters(String prefix, int c) {
        return List.of(new ParameterSpec(prefix + "in_proj_weight", Shape.of(3 * c, c), c),
                new ParameterSpec(prefix + "in_proj_bias", Shape.of(3 * c), 0),
                new ParameterSpec(prefix + "out_proj.weight", Shape.of(c, c), c),
                new ParameterSpec(prefix + "out_proj.bias", Shape.of(c), 0));
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return apply(graph, x, null, params);
    }

    /** Attention over x [B, T, C] with an optional key padding mask [B, T] (1 = token, 0 = padding). */
    Node apply(Graph graph, Node x, Node mask, List<Node> params) {
        return attend(graph, x, mask, params, heads, causal);
    }

    /** params: in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias (from index 0). */
    static Node attend(Graph graph, Node x, Node mask, List<Node> params, int heads, boolean causal) {
        Node qkv = Linear.project(graph, x, params.get(0), params.get(1));
        Node a = AttentionOps.attention(graph, qkv, mask, heads, causal);
        return Linear.project(graph, a, params.get(2), params.get(3));
    }
}
