package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.ActivationOps;
import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.LayerNormOps;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A pre-norm Transformer block on [T, C] (GPT-2's layout): h = x + attn(ln_1(x)), out = h +
 * mlp(ln_2(h)) with mlp = proj(GELU(fc(.))), fc [hidden, C], proj [C, hidden]. Parameter names:
 * {@code ln_1.*}, {@code attn.*} (as {@link MultiHeadAttention}), {@code ln_2.*}, {@code mlp.fc.*},
 * {@code mlp.proj.*}.
 */
final class TransformerBlock implements Layer {
    private final Shape input;
    private final int heads;
    private final boolean causal;
    private final int hidden;
    private final float eps;

    TransformerBlock(Shape input, int heads, boolean causal, int hidden, float eps) {
        if (input.rank() != 2 || input.dim(1) % heads != 0) {
            throw new IllegalArgumentException("transformer-block input shape " + input + ", heads=" + heads
                    + " (expected: [T, C] with C divisible by heads)");
        }
        this.input = input;
        this.heads = heads;
        this.causal = causal;
        this.hidden = hidden;
        this.eps = eps;
    }

    @Override
    public Shape outputShape() {
        return input;
    }

    @Override
    public List<ParameterSpec> parameters() {
        int c = input.dim(1);
        List<ParameterSpec> ps = new ArrayList<>(LayerNormConfig.params("ln_1.", c));
        ps.addAll(MultiHeadAttention.parameters("attn.", c));
        ps.addAll(LayerNormConfig.params("ln_2.", c));
        ps.add(new ParameterSpec("mlp.fc.weight", Shape.of(hidden, c), c));
        ps.add(new ParameterSpec("mlp.fc.bias", Shape.of(hidden), 0));
        ps.add(new ParameterSpec("mlp.proj.weight", Shape.of(c, hidden), hidden));
        ps.add(new ParameterSpec("mlp.proj.bias", Shape.of(c), 0));
        return ps;
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return apply(graph, x, null, params, training);
    }

    /**
     * The block over x [B, T, C] with an optional key padding mask [B, T] (1 = token, 0 = padding); a
     * training graph's GELU saves its derivative for the backward.
     */
    Node apply(Graph graph, Node x, Node mask, List<Node> p, boolean training) {
        Node n1 = LayerNormOps.layerNorm(graph, x, p.get(0), p.get(1), eps);
        Node h = graph.add(x, MultiHeadAttention.attend(graph, n1, mask, p.subList(2, 6), heads, causal));
        Node n2 = LayerNormOps.layerNorm(graph, h, p.get(6), p.get(7), eps);
        Node fc = ActivationOps.gelu(graph, Linear.project(graph, n2, p.get(8), p.get(9)), training);
        return graph.add(h, Linear.project(graph, fc, p.get(10), p.get(11)));
    }
}
