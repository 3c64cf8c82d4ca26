package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;

/**
 * A compiled training step for a fixed batch size: {@link #run()} computes the loss and writes the
 * gradient of the mean loss into the gradient buffer given to {@link Model#trainingStep}
 * (overwriting it). It allocates nothing.
 */
public final class TrainingStep extends ForwardStep {

    TrainingStep(Plan plan, Node features, Node labels, Node loss, Node output, boolean classification) {
        super(plan, features, labels, loss, output, classification);
    }
}
