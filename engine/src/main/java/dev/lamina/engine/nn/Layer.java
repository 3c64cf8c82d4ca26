package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;
import java.util.List;

/**
 * A layer built for a known input shape: it declares its parameters and adds its ops to a graph.
 * Layers hold no tensors; parameters are views into the model's flat buffer, made by {@link Model}.
 */
public interface Layer {

    /** The per-sample output shape. */
    Shape outputShape();

    /** The parameters this layer needs, in a fixed order. */
    List<ParameterSpec> parameters();

    /**
     * Adds this layer's ops for a batch input x [B, ...] with its parameter nodes, and returns the
     * output. {@code training} is false for forward-only (evaluation, inference) graphs, where layers
     * such as dropout and batch normalization behave differently.
     */
    Node apply(Graph graph, Node x, List<Node> params, boolean training);
}
