package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/** max(x, 0), elementwise. */
final class Relu implements Layer {
    private final Shape shape;

    Relu(Shape shape) {
        this.shape = shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return graph.relu(x);
    }
}
