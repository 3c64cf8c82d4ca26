package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * A layer without parameters (pooling, flatten, upsampling, dropout) defined by its graph builder.
 * The output shape is found, and the input shape checked, by building the op once on a probe graph
 * with a batch of one, so the shape rules and their error messages live only in the op builders.
 */
final class StatelessLayer implements Layer {

    /** Adds the layer's ops for input x. */
    @FunctionalInterface
    interface Builder {
        Node apply(Graph graph, Node x, boolean training);
    }

    private final Shape output;
    private final Builder builder;

    StatelessLayer(Shape input, Builder builder) {
        this.output = probe(input, (g, x) -> builder.apply(g, x, true));
        this.builder = builder;
    }

    /** The per-sample output shape of {@code op} applied to a batch of one sample of shape {@code input}. */
    static Shape probe(Shape input, java.util.function.BiFunction<Graph, Node, Node> op) {
        Graph g = new Graph();
        Node out = op.apply(g, g.input("probe", batched(1, input)));
        int[] dims = out.shape().dims();
        return Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** [batch, dims of shape...]. */
    static Shape batched(int batch, Shape shape) {
        int[] dims = new int[shape.rank() + 1];
        dims[0] = batch;
        System.arraycopy(shape.dims(), 0, dims, 1, shape.rank());
        return Shape.of(dims);
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return builder.apply(graph, x, training);
    }
}
