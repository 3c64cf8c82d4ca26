package dev.lamina.engine.loss;

import dev.lamina.engine.autodiff.Graph;
import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.tensor.Shape;

/** A training loss: what targets it takes and how it turns the model output into a scalar mean loss. */
public interface LossFunction {

    /** The name used in model specs, e.g. {@code softmax-cross-entropy}. */
    String name();

    /** Checks the per-sample model output shape; throws IllegalArgumentException naming it. */
    void validate(Shape outputPerSample);

    /** The batch shape of the targets for a batch output of shape {@code output} (e.g. [B] class indices). */
    Shape targetShape(Shape output);

    /** Adds the nodes computing the mean loss (a scalar [1]) of {@code output} against {@code targets}. */
    Node build(Graph graph, Node output, Node targets);

    /** True when targets are class indices and accuracy is meaningful (argmax of the output's last dimension). */
    boolean classification();
}
