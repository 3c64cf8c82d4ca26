package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.SequenceOps;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * y[..., out] = x[..., in] W[out, in]^T + b[out]: on [B, in] directly, on higher ranks ([B, T, in])
 * by treating the leading dimensions as rows.
 */
final class Linear implements Layer {
    private final Shape input;
    private final int in;
    private final int out;

    Linear(Shape input, int out) {
        this.input = input;
        this.in = input.dim(input.rank() - 1);
        this.out = out;
    }

    @Override
    public Shape outputShape() {
        int[] dims = input.dims();
        dims[dims.length - 1] = out;
        return Shape.of(dims);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(new ParameterSpec("weight", Shape.of(out, in), in), new ParameterSpec("bias", Shape.of(out), 0));
    }

    @Override
    public Node apply(Graph graph, Node x, List<Node> params, boolean training) {
        return project(graph, x, params.get(0), params.get(1));
    }

    /** x [..., in] times weight [out, in]^T plus bias [out], for x of rank >= 2. */
    static Node project(Graph graph, Node x, Node weight, Node bias) {
        Shape s = x.shape();
        if (s.rank() == 2) {
            return graph.matmulBias(x, weight, false, true, bias);
        }
        int cols = s.dim(s.rank() - 1);
        Node rows = SequenceOps.reshape(graph, x, Shape.of(s.size() / cols, cols));
        Node y = graph.matmulBias(rows, weight, false, true, bias);
        int[] dims = s.dims();
        dims[dims.length - 1] = weight.shape().dim(0);
        return SequenceOps.reshape(graph, y, Shape.of(dims));
    }
}
