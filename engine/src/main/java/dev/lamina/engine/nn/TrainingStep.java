package dev.lamina.engine.nn;

import dev.lamina.engine.autodiff.Node;
import dev.lamina.engine.autodiff.Plan;
import dev.lamina.engine.tensor.Tensor;

/**
 * A compiled training step for a fixed batch size: {@link #run()} computes the loss and writes the
 * gradient of the mean loss into the gradient buffer given to {@link Model#trainingStep}
 * (overwriting it). It allocates nothing. Not extensible outside the engine: its one subclass splits the
 * batch over threads.
 */
public class TrainingStep extends ForwardStep implements AutoCloseable {

    TrainingStep(Plan plan, Node features, Node labels, Node loss, Node output, boolean classification) {
        super(plan, features, labels, loss, output, classification);
    }

    /** A step over these buffers that runs otherwise ({@link ParallelTrainingStep}). */
    TrainingStep(Tensor features, Tensor labels, Tensor loss, Tensor output, boolean classification) {
        super(features, labels, loss, output, classification);
    }

    /** Releases the threads of a step that has any (a no-op for a single plan). */
    @Override
    public void close() {
    }
}
