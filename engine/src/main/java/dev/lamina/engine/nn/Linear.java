package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/** y[B, out] = x[B, in] W[out, in]^T + b[out]. */
final class Linear implements Layer {
    private final int in;
    private final int out;

    Linear(int in, int out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Shape outputShape() {
        return Shape.of(out);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(new ParameterSpec("weight", Shape.of(out, in), in), new ParameterSpec("bias", Shape.of(out), 0));
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return graph.addBias(graph.matmul(x, params.get(0), false, true), params.get(1));
    }
}
